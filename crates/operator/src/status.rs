//! Computing the next status of a CR. Pure: the controller writes the result only
//! when it differs from the current status, so a reconcile with nothing new makes
//! no status write.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::{
    CONDITION_CHANNEL_REACHABLE, CONDITION_RECONCILED, ConditionUpdate, Phase,
    WeightsAndBiasesStatus, set_condition,
};

/// A successful apply that changed the cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedRevision {
    /// `status.version` (chart version and app version).
    pub version: String,
    /// When it finished.
    pub time: Time,
}

/// The outcome of one reconcile, as far as the status is concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusInput {
    /// `metadata.generation` of the CR that was reconciled.
    pub generation: Option<i64>,
    /// The phase to report.
    pub phase: Phase,
    /// `Reconciled`: `true` with a reason such as `Applied`/`UpToDate`, or `false`
    /// with `InvalidConfig`/`ApplyFailed` and a message that says what and where.
    pub reconciled: (bool, String, String),
    /// `Ready`, when health was evaluated.
    pub ready: Option<ConditionUpdate>,
    /// `ChannelReachable`: status, reason, message; `None` when the channel was
    /// not consulted (e.g. during deletion).
    pub channel: Option<(bool, String, String)>,
    /// Set when this reconcile applied changes.
    pub applied: Option<AppliedRevision>,
}

/// The status after this reconcile, or `None` when it equals `current` (nothing to
/// write). The revision counts applies that changed something; `lastAppliedTime`
/// and `version` change only with it.
pub fn next_status(
    current: Option<&WeightsAndBiasesStatus>,
    input: StatusInput,
    now: &Time,
) -> Option<WeightsAndBiasesStatus> {
    let mut next = current.cloned().unwrap_or_default();
    next.phase = Some(input.phase);
    next.observed_generation = input.generation;
    let (ok, reason, message) = input.reconciled;
    set_condition(
        &mut next.conditions,
        ConditionUpdate {
            type_: CONDITION_RECONCILED.into(),
            status: ok,
            reason,
            message,
            observed_generation: input.generation,
        },
        now,
    );
    if let Some(ready) = input.ready {
        set_condition(&mut next.conditions, ready, now);
    }
    if let Some((ok, reason, message)) = input.channel {
        set_condition(
            &mut next.conditions,
            ConditionUpdate {
                type_: CONDITION_CHANNEL_REACHABLE.into(),
                status: ok,
                reason,
                message,
                observed_generation: input.generation,
            },
            now,
        );
    }
    if let Some(applied) = input.applied {
        next.last_applied_revision = Some(next.last_applied_revision.unwrap_or(0) + 1);
        next.last_applied_time = Some(applied.time);
        next.version = Some(applied.version);
    }
    (Some(&next) != current).then_some(next)
}

/// The revision the next apply will carry (Helm's `.Release.Revision`).
pub fn next_revision(current: Option<&WeightsAndBiasesStatus>) -> i64 {
    current.and_then(|s| s.last_applied_revision).unwrap_or(0) + 1
}

#[cfg(test)]
mod tests {
    use k8s_openapi::jiff::Timestamp;

    use super::*;
    use crate::api::{CONDITION_READY, find_condition};

    fn t(s: i64) -> Time {
        Time(Timestamp::from_second(s).unwrap())
    }

    fn input(applied: bool) -> StatusInput {
        StatusInput {
            generation: Some(2),
            phase: Phase::Completed,
            reconciled: (true, "Applied".into(), "applied 12 objects".into()),
            ready: Some(ConditionUpdate {
                type_: CONDITION_READY.into(),
                status: true,
                reason: "RolledOut".into(),
                message: "all 3 workloads are rolled out".into(),
                observed_generation: Some(2),
            }),
            channel: Some((
                true,
                "Fetched".into(),
                "the release channel answered".into(),
            )),
            applied: applied.then(|| AppliedRevision {
                version: "0.1.0 (app 0.74.1)".into(),
                time: t(100),
            }),
        }
    }

    #[test]
    fn first_apply_sets_everything() {
        let s = next_status(None, input(true), &t(100)).unwrap();
        assert_eq!(s.phase, Some(Phase::Completed));
        assert_eq!(s.observed_generation, Some(2));
        assert_eq!(s.last_applied_revision, Some(1));
        assert_eq!(s.version.as_deref(), Some("0.1.0 (app 0.74.1)"));
        assert_eq!(s.conditions.len(), 3);
        assert!(find_condition(&s.conditions, CONDITION_RECONCILED).is_some());
        assert_eq!(next_revision(Some(&s)), 2);
    }

    #[test]
    fn nothing_new_means_no_write() {
        let s = next_status(None, input(true), &t(100)).unwrap();
        let mut same = input(false);
        same.reconciled = (true, "Applied".into(), "applied 12 objects".into());
        assert_eq!(next_status(Some(&s), same, &t(500)), None);
    }

    #[test]
    fn a_failure_changes_phase_and_condition_but_keeps_the_last_apply() {
        let s = next_status(None, input(true), &t(100)).unwrap();
        let mut bad = input(false);
        bad.generation = Some(3);
        bad.phase = Phase::InvalidConfig;
        bad.reconciled = (
            false,
            "InvalidConfig".into(),
            "spec.chart: unrecognised".into(),
        );
        bad.ready = None;
        let n = next_status(Some(&s), bad, &t(200)).unwrap();
        assert_eq!(n.phase, Some(Phase::InvalidConfig));
        assert_eq!(n.last_applied_revision, Some(1));
        assert_eq!(n.version, s.version);
        let c = find_condition(&n.conditions, CONDITION_RECONCILED).unwrap();
        assert_eq!(
            (c.status.as_str(), c.last_transition_time.clone()),
            ("False", t(200))
        );
        // The Ready condition from the last apply stays as it was.
        assert_eq!(
            find_condition(&n.conditions, CONDITION_READY),
            find_condition(&s.conditions, CONDITION_READY)
        );
    }
}
