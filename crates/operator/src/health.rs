//! Health of applied workloads, from their status as the API server returns it.
//!
//! The rules are `kubectl rollout status`'s: a Deployment is rolled out when the
//! controller has observed the latest generation and every replica is updated and
//! available with no old replicas left; a StatefulSet when every replica is ready
//! and the update revision is current (respecting a partition); a Job when it has
//! the `Complete` condition. Other kinds are not tracked.

use serde_json::Value;

use crate::api::{CONDITION_READY, ConditionUpdate};

/// Rollout state of one workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// Rolled out (or, for a Job, complete).
    Ready,
    /// Still rolling out; the message says what is missing.
    Progressing(String),
    /// Will not make progress without a change (deadline exceeded, Job failed).
    Failed(String),
}

impl Health {
    /// True when rolled out.
    pub fn is_ready(&self) -> bool {
        matches!(self, Health::Ready)
    }
}

/// Kinds whose health is tracked.
pub fn is_tracked(api_version: &str, kind: &str) -> bool {
    matches!(
        (api_version, kind),
        ("apps/v1", "Deployment" | "StatefulSet") | ("batch/v1", "Job")
    )
}

/// Evaluates one object; `None` for kinds that are not tracked.
pub fn evaluate(object: &Value) -> Option<Health> {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !is_tracked(api_version, kind) {
        return None;
    }
    Some(match kind {
        "Deployment" => deployment(object),
        "StatefulSet" => statefulset(object),
        _ => job(object),
    })
}

fn int(object: &Value, pointer: &str) -> Option<i64> {
    object.pointer(pointer).and_then(Value::as_i64)
}

fn generation_observed(object: &Value) -> bool {
    match (
        int(object, "/metadata/generation"),
        int(object, "/status/observedGeneration"),
    ) {
        (Some(generation), Some(observed)) => observed >= generation,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

fn condition<'a>(object: &'a Value, type_: &str) -> Option<&'a Value> {
    object
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

fn condition_true(object: &Value, type_: &str) -> bool {
    condition(object, type_)
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

fn deployment(d: &Value) -> Health {
    if !generation_observed(d) {
        return Health::Progressing("waiting for the new spec to be observed".into());
    }
    if condition(d, "Progressing")
        .and_then(|c| c.get("reason"))
        .and_then(Value::as_str)
        == Some("ProgressDeadlineExceeded")
    {
        return Health::Failed("exceeded its progress deadline".into());
    }
    let wanted = int(d, "/spec/replicas").unwrap_or(1);
    let updated = int(d, "/status/updatedReplicas").unwrap_or(0);
    let total = int(d, "/status/replicas").unwrap_or(0);
    let available = int(d, "/status/availableReplicas").unwrap_or(0);
    if updated < wanted {
        return Health::Progressing(format!("{updated} of {wanted} replicas updated"));
    }
    if total > updated {
        return Health::Progressing(format!(
            "{} old replicas pending termination",
            total - updated
        ));
    }
    if available < updated {
        return Health::Progressing(format!(
            "{available} of {updated} updated replicas available"
        ));
    }
    Health::Ready
}

fn statefulset(s: &Value) -> Health {
    if !generation_observed(s) {
        return Health::Progressing("waiting for the new spec to be observed".into());
    }
    let wanted = int(s, "/spec/replicas").unwrap_or(1);
    let ready = int(s, "/status/readyReplicas").unwrap_or(0);
    if ready < wanted {
        return Health::Progressing(format!("{ready} of {wanted} pods ready"));
    }
    let strategy = s
        .pointer("/spec/updateStrategy/type")
        .and_then(Value::as_str)
        .unwrap_or("RollingUpdate");
    if strategy != "RollingUpdate" {
        return Health::Ready;
    }
    let updated = int(s, "/status/updatedReplicas").unwrap_or(0);
    if let Some(partition) = int(s, "/spec/updateStrategy/rollingUpdate/partition")
        && partition > 0
    {
        let expected = (wanted - partition).max(0);
        if updated < expected {
            return Health::Progressing(format!(
                "partitioned roll out: {updated} of {expected} pods updated"
            ));
        }
        return Health::Ready;
    }
    let current = s.pointer("/status/currentRevision").and_then(Value::as_str);
    let update = s.pointer("/status/updateRevision").and_then(Value::as_str);
    if current != update {
        return Health::Progressing(format!(
            "rolling update: {updated} of {wanted} pods updated"
        ));
    }
    Health::Ready
}

fn job(j: &Value) -> Health {
    if condition_true(j, "Complete") {
        return Health::Ready;
    }
    if condition_true(j, "Failed") {
        let message = condition(j, "Failed")
            .and_then(|c| c.get("message").or_else(|| c.get("reason")))
            .and_then(Value::as_str)
            .unwrap_or("failed");
        return Health::Failed(format!("failed: {message}"));
    }
    let active = int(j, "/status/active").unwrap_or(0);
    let succeeded = int(j, "/status/succeeded").unwrap_or(0);
    let completions = int(j, "/spec/completions").unwrap_or(1);
    Health::Progressing(format!(
        "{succeeded} of {completions} completions, {active} running"
    ))
}

/// How many not-ready workloads the `Ready` message names before "and N more".
const MESSAGE_LIMIT: usize = 5;

/// The `Ready` condition for a set of evaluated workloads, each named like
/// `Deployment wandb-app`.
pub fn ready_condition(workloads: &[(String, Health)], generation: Option<i64>) -> ConditionUpdate {
    let not_ready: Vec<&(String, Health)> =
        workloads.iter().filter(|(_, h)| !h.is_ready()).collect();
    let (status, reason, message) = if not_ready.is_empty() {
        (
            true,
            "RolledOut",
            format!("all {} workloads are rolled out", workloads.len()),
        )
    } else {
        let failed = not_ready
            .iter()
            .any(|(_, h)| matches!(h, Health::Failed(_)));
        let mut parts: Vec<String> = not_ready
            .iter()
            .take(MESSAGE_LIMIT)
            .map(|(name, h)| match h {
                Health::Progressing(m) | Health::Failed(m) => format!("{name}: {m}"),
                Health::Ready => name.clone(),
            })
            .collect();
        if not_ready.len() > MESSAGE_LIMIT {
            parts.push(format!("and {} more", not_ready.len() - MESSAGE_LIMIT));
        }
        (
            false,
            if failed {
                "WorkloadFailed"
            } else {
                "RollingOut"
            },
            parts.join("; "),
        )
    };
    ConditionUpdate {
        type_: CONDITION_READY.to_string(),
        status,
        reason: reason.to_string(),
        message,
        observed_generation: generation,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deploy(spec_replicas: i64, status: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "app", "generation": 2},
               "spec": {"replicas": spec_replicas}, "status": status})
    }

    #[test]
    fn deployment_rollout_states() {
        let ready = deploy(
            2,
            json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
        );
        assert_eq!(evaluate(&ready), Some(Health::Ready));
        let unobserved = deploy(
            2,
            json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
        );
        assert!(
            matches!(evaluate(&unobserved), Some(Health::Progressing(m)) if m.contains("observed"))
        );
        let updating = deploy(
            2,
            json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 2}),
        );
        assert_eq!(
            evaluate(&updating),
            Some(Health::Progressing("1 of 2 replicas updated".into()))
        );
        let old = deploy(
            2,
            json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2}),
        );
        assert_eq!(
            evaluate(&old),
            Some(Health::Progressing(
                "1 old replicas pending termination".into()
            ))
        );
        let unavailable = deploy(
            2,
            json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1}),
        );
        assert_eq!(
            evaluate(&unavailable),
            Some(Health::Progressing(
                "1 of 2 updated replicas available".into()
            ))
        );
        let stuck = deploy(
            2,
            json!({"observedGeneration": 2, "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
        );
        assert!(matches!(evaluate(&stuck), Some(Health::Failed(_))));
        let no_status = deploy(1, Value::Null);
        assert!(matches!(evaluate(&no_status), Some(Health::Progressing(_))));
    }

    #[test]
    fn statefulset_rollout_states() {
        let sts = |spec: Value, status: Value| {
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"generation": 1},
                   "spec": spec, "status": status})
        };
        let base = json!({"observedGeneration": 1, "readyReplicas": 1, "updatedReplicas": 1,
                          "currentRevision": "r1", "updateRevision": "r1"});
        assert_eq!(
            evaluate(&sts(json!({"replicas": 1}), base.clone())),
            Some(Health::Ready)
        );
        let mut rolling = base.clone();
        rolling["updateRevision"] = json!("r2");
        rolling["updatedReplicas"] = json!(0);
        assert!(
            matches!(evaluate(&sts(json!({"replicas": 1}), rolling.clone())), Some(Health::Progressing(m)) if m.contains("rolling update"))
        );
        let on_delete = json!({"replicas": 1, "updateStrategy": {"type": "OnDelete"}});
        assert_eq!(evaluate(&sts(on_delete, rolling)), Some(Health::Ready));
        let not_ready = json!({"observedGeneration": 1, "readyReplicas": 0});
        assert_eq!(
            evaluate(&sts(json!({"replicas": 1}), not_ready)),
            Some(Health::Progressing("0 of 1 pods ready".into()))
        );
        let partitioned = json!({"replicas": 3, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}});
        let status = json!({"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 0, "currentRevision": "a", "updateRevision": "b"});
        assert!(
            matches!(evaluate(&sts(partitioned, status)), Some(Health::Progressing(m)) if m.contains("partitioned"))
        );
    }

    #[test]
    fn job_states_and_untracked_kinds() {
        let job = |status: Value| json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {}, "status": status});
        assert_eq!(
            evaluate(&job(
                json!({"conditions": [{"type": "Complete", "status": "True"}]})
            )),
            Some(Health::Ready)
        );
        assert_eq!(
            evaluate(&job(
                json!({"conditions": [{"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]})
            )),
            Some(Health::Failed("failed: BackoffLimitExceeded".into()))
        );
        assert_eq!(
            evaluate(&job(json!({"active": 1}))),
            Some(Health::Progressing("0 of 1 completions, 1 running".into()))
        );
        assert_eq!(
            evaluate(&json!({"apiVersion": "v1", "kind": "Service"})),
            None
        );
    }

    #[test]
    fn ready_condition_names_what_is_not_ready() {
        let all = ready_condition(&[("Deployment a".into(), Health::Ready)], Some(4));
        assert!(all.status);
        assert_eq!(
            (all.reason.as_str(), all.observed_generation),
            ("RolledOut", Some(4))
        );
        let workloads: Vec<(String, Health)> = (0..7)
            .map(|i| {
                (
                    format!("Deployment d{i}"),
                    Health::Progressing("0 of 1 replicas updated".into()),
                )
            })
            .chain([(
                "Job migrate".to_string(),
                Health::Failed("failed: x".into()),
            )])
            .collect();
        let c = ready_condition(&workloads, None);
        assert!(!c.status);
        assert_eq!(c.reason, "WorkloadFailed");
        assert!(
            c.message
                .starts_with("Deployment d0: 0 of 1 replicas updated; Deployment d1"),
            "{}",
            c.message
        );
        assert!(c.message.ends_with("and 3 more"), "{}", c.message);
    }
}
