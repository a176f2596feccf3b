//! Standard Kubernetes conditions on the status, updated so that an unchanged
//! condition stays byte-identical (a reconcile with nothing new must not write).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

/// True when every applied Deployment, StatefulSet and Job is rolled out.
pub const CONDITION_READY: &str = "Ready";
/// True when the last reconcile applied the desired configuration without error.
pub const CONDITION_RECONCILED: &str = "Reconciled";
/// True when the release channel answered (or is not used: air-gapped, CR chart).
pub const CONDITION_CHANNEL_REACHABLE: &str = "ChannelReachable";

/// The new content of one condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionUpdate {
    /// The condition type, e.g. [`CONDITION_READY`].
    pub type_: String,
    /// `True` or `False`.
    pub status: bool,
    /// A CamelCase reason, stable across releases (scripts match on it).
    pub reason: String,
    /// A sentence a human can act on.
    pub message: String,
    /// The generation this condition was computed for.
    pub observed_generation: Option<i64>,
}

/// The condition of type `type_`, if present.
pub fn find_condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Sets or replaces one condition and reports whether anything changed.
///
/// `lastTransitionTime` moves to `now` only when the status flips (or the condition
/// is new), as the Kubernetes API conventions ask; reason, message and generation
/// are updated in place.
pub fn set_condition(conditions: &mut Vec<Condition>, update: ConditionUpdate, now: &Time) -> bool {
    let status = if update.status { "True" } else { "False" }.to_string();
    match conditions.iter_mut().find(|c| c.type_ == update.type_) {
        Some(existing) => {
            let mut changed = false;
            if existing.status != status {
                existing.status = status;
                existing.last_transition_time = now.clone();
                changed = true;
            }
            if existing.reason != update.reason {
                existing.reason = update.reason;
                changed = true;
            }
            if existing.message != update.message {
                existing.message = update.message;
                changed = true;
            }
            if existing.observed_generation != update.observed_generation {
                existing.observed_generation = update.observed_generation;
                changed = true;
            }
            changed
        }
        None => {
            conditions.push(Condition {
                type_: update.type_,
                status,
                reason: update.reason,
                message: update.message,
                observed_generation: update.observed_generation,
                last_transition_time: now.clone(),
            });
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::jiff::Timestamp;

    fn time(secs: i64) -> Time {
        Time(Timestamp::from_second(secs).unwrap())
    }

    fn ready(status: bool, message: &str) -> ConditionUpdate {
        ConditionUpdate {
            type_: CONDITION_READY.into(),
            status,
            reason: if status { "RolledOut" } else { "NotRolledOut" }.into(),
            message: message.into(),
            observed_generation: Some(3),
        }
    }

    #[test]
    fn a_new_condition_is_added_with_the_transition_time() {
        let mut conditions = Vec::new();
        assert!(set_condition(
            &mut conditions,
            ready(false, "waiting"),
            &time(10)
        ));
        let c = find_condition(&conditions, CONDITION_READY).unwrap();
        assert_eq!(c.status, "False");
        assert_eq!(c.last_transition_time, time(10));
    }

    #[test]
    fn the_same_update_changes_nothing() {
        let mut conditions = Vec::new();
        set_condition(&mut conditions, ready(true, "all rolled out"), &time(10));
        let before = conditions.clone();
        assert!(!set_condition(
            &mut conditions,
            ready(true, "all rolled out"),
            &time(99)
        ));
        assert_eq!(conditions, before);
    }

    #[test]
    fn the_transition_time_moves_only_when_the_status_flips() {
        let mut conditions = Vec::new();
        set_condition(&mut conditions, ready(false, "a"), &time(10));
        assert!(set_condition(&mut conditions, ready(false, "b"), &time(20)));
        assert_eq!(conditions[0].last_transition_time, time(10));
        assert_eq!(conditions[0].message, "b");
        assert!(set_condition(&mut conditions, ready(true, "b"), &time(30)));
        assert_eq!(conditions[0].last_transition_time, time(30));
        assert_eq!(conditions.len(), 1);
    }
}
