//! Skipping the echo of our own status write. The CR watch delivers every change of
//! the CR, including the status the reconcile just wrote, and kube-runtime then
//! reconciles again: a full round of reads that can only find what the previous
//! reconcile left. A reconcile is skipped when the CR is exactly the object our
//! status write produced (same `resourceVersion`), no other watch (state Secrets,
//! workloads) asked for the CR since that reconcile started, and its requeue is
//! not due yet.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

use kube::runtime::{controller::Action, reflector::ObjectRef};

use crate::api::WeightsAndBiases;

/// The `resourceVersion` of `written` (the CR as our status write left it) when
/// its watch event is only the echo of that write: the reconcile worked from
/// `before` and nothing but the status differs. The write returns the object as
/// stored, so a spec edit or a deletion that landed during the reconcile is
/// inside it, and its event must not be skipped.
pub(super) fn own_write(before: &WeightsAndBiases, written: &WeightsAndBiases) -> Option<String> {
    let (was, now) = (&before.metadata, &written.metadata);
    let only_status_changed = was.generation == now.generation
        && was.deletion_timestamp == now.deletion_timestamp
        && was.labels == now.labels
        && was.annotations == now.annotations;
    now.resource_version.clone().filter(|_| only_status_changed)
}

#[derive(Debug)]
struct Written {
    resource_version: String,
    /// The other-trigger count when the reconcile that wrote it started.
    triggers: u64,
    at: Instant,
    requeue_after: Option<Duration>,
}

#[derive(Debug, Default)]
struct PerCr {
    /// Triggers from the secondary watches so far.
    triggers: u64,
    written: Option<Written>,
}

/// Per-CR record of the last status write and of the secondary-watch triggers.
#[derive(Debug, Default)]
pub struct Echoes {
    crs: Mutex<HashMap<ObjectRef<WeightsAndBiases>, PerCr>>,
}

impl Echoes {
    fn lock(&self) -> MutexGuard<'_, HashMap<ObjectRef<WeightsAndBiases>, PerCr>> {
        self.crs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A secondary watch (state Secret, workload) asked to reconcile `cr`.
    pub fn triggered(&self, cr: &ObjectRef<WeightsAndBiases>) {
        let mut crs = self.lock();
        let entry = crs.entry(cr.clone()).or_default();
        entry.triggers = entry.triggers.wrapping_add(1);
    }

    /// Called when a reconcile starts: `Some(action)` when it would only see the
    /// echo of our own status write; otherwise the token to pass to
    /// [`Echoes::finished`].
    pub fn begin(
        &self,
        cr: &ObjectRef<WeightsAndBiases>,
        resource_version: Option<&str>,
        now: Instant,
    ) -> Result<Action, u64> {
        let mut crs = self.lock();
        let entry = crs.entry(cr.clone()).or_default();
        let triggers = entry.triggers;
        if let (Some(w), Some(rv)) = (&entry.written, resource_version)
            && w.resource_version == rv
            && w.triggers == triggers
        {
            let elapsed = now.saturating_duration_since(w.at);
            match w.requeue_after {
                None => return Ok(Action::await_change()),
                Some(after) if elapsed < after => return Ok(Action::requeue(after - elapsed)),
                Some(_) => {}
            }
        }
        entry.written = None;
        Err(triggers)
    }

    /// Called after a successful reconcile that started with `token`:
    /// `resource_version` is the CR's after our status write, if we wrote one.
    pub fn finished(
        &self,
        cr: &ObjectRef<WeightsAndBiases>,
        token: u64,
        resource_version: Option<String>,
        requeue_after: Option<Duration>,
        now: Instant,
    ) {
        let mut crs = self.lock();
        let entry = crs.entry(cr.clone()).or_default();
        entry.written = resource_version.map(|resource_version| Written {
            resource_version,
            triggers: token,
            at: now,
            requeue_after,
        });
    }

    /// Forgets `cr` (deleted).
    pub fn forget(&self, cr: &ObjectRef<WeightsAndBiases>) {
        self.lock().remove(cr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cr() -> ObjectRef<WeightsAndBiases> {
        ObjectRef::new("wandb").within("ns")
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn the_echo_of_our_status_write_is_skipped_until_the_requeue_is_due() {
        let echoes = Echoes::default();
        let t0 = Instant::now();
        let token = echoes.begin(&cr(), Some("1"), t0).unwrap_err();
        echoes.finished(&cr(), token, Some("7".into()), Some(MINUTE), t0);

        // The watch delivers our write.
        let later = t0 + Duration::from_secs(1);
        assert_eq!(
            echoes.begin(&cr(), Some("7"), later),
            Ok(Action::requeue(MINUTE - Duration::from_secs(1)))
        );
        // Someone else changed the CR: reconcile.
        assert!(echoes.begin(&cr(), Some("8"), later).is_err());
    }

    #[test]
    fn a_due_requeue_or_a_wait_for_change() {
        let echoes = Echoes::default();
        let t0 = Instant::now();
        let token = echoes.begin(&cr(), None, t0).unwrap_err();
        echoes.finished(&cr(), token, Some("7".into()), Some(MINUTE), t0);
        assert!(echoes.begin(&cr(), Some("7"), t0 + MINUTE).is_err());

        // Invalid Config waits for a change: its echo waits too.
        let token = echoes.begin(&cr(), Some("7"), t0).unwrap_err();
        echoes.finished(&cr(), token, Some("9".into()), None, t0);
        assert_eq!(
            echoes.begin(&cr(), Some("9"), t0 + MINUTE),
            Ok(Action::await_change())
        );
    }

    #[test]
    fn another_trigger_during_or_after_the_reconcile_is_not_skipped() {
        let echoes = Echoes::default();
        let t0 = Instant::now();
        // A workload rolled out while the reconcile ran (before our status write
        // came back): the reconcile after it must run even though the CR is our echo.
        let token = echoes.begin(&cr(), None, t0).unwrap_err();
        echoes.triggered(&cr());
        echoes.finished(&cr(), token, Some("7".into()), Some(MINUTE), t0);
        let token = echoes.begin(&cr(), Some("7"), t0).unwrap_err();
        // That reconcile wrote nothing: nothing to skip afterwards.
        echoes.finished(&cr(), token, None, Some(MINUTE), t0);
        assert!(echoes.begin(&cr(), Some("7"), t0).is_err());

        // After the reconcile.
        let token = echoes.begin(&cr(), Some("7"), t0).unwrap_err();
        echoes.finished(&cr(), token, Some("8".into()), Some(MINUTE), t0);
        echoes.triggered(&cr());
        assert!(echoes.begin(&cr(), Some("8"), t0).is_err());

        echoes.forget(&cr());
        assert!(echoes.lock().is_empty());
    }
}
