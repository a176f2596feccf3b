//! The workloads each `WeightsAndBiases` applied, for the Deployment, StatefulSet
//! and Job watches: a change of one of them is mapped back to its CR, so `Ready`
//! follows a rollout as it happens instead of on the next requeue.
//!
//! The map comes from the reconciles themselves (the apply step does not label
//! objects, and charts label them as they please): before the apply the planned
//! workloads are registered as *pending*, after it each gets the health the
//! reconcile based `Ready` on. A watch event triggers a reconcile only when the
//! workload is pending (the event may have raced the reconcile's read) or its
//! health differs from what `Ready` says; status churn that does not change the
//! health (resync, an unrelated field) costs nothing, so the steady state stays
//! at zero reconciles and zero writes.
//!
//! Drift is repaired the same way: each workload also keeps the `uid` and
//! `metadata.generation` our apply left. A deletion of that object, a spec change
//! (a generation above ours: `kubectl scale`, `set image`) or a replacement by
//! another object (another `uid`) triggers a reconcile, whose drift check and
//! server-side apply restore it. Our own applies move the recorded generation, so
//! they do not trigger themselves again.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use kube::runtime::reflector::ObjectRef;
use serde_json::Value;

use crate::{
    api::WeightsAndBiases,
    apply::PlannedObject,
    health::{Health, evaluate, is_tracked},
};

/// A tracked workload: kind, namespace, name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorkloadKey {
    kind: String,
    namespace: String,
    name: String,
}

impl WorkloadKey {
    /// The key of a live or rendered object, when its kind is tracked.
    pub fn of_object(object: &Value) -> Option<WorkloadKey> {
        let api_version = object.get("apiVersion")?.as_str()?;
        let kind = object.get("kind")?.as_str()?;
        if !is_tracked(api_version, kind) {
            return None;
        }
        Some(WorkloadKey {
            kind: kind.to_string(),
            namespace: object.pointer("/metadata/namespace")?.as_str()?.to_string(),
            name: object.pointer("/metadata/name")?.as_str()?.to_string(),
        })
    }

    /// The key of a planned object (namespace after defaulting), when tracked.
    pub fn of_planned(object: &PlannedObject) -> Option<WorkloadKey> {
        let m = &object.manifest;
        if !is_tracked(&m.api_version, &m.kind) {
            return None;
        }
        Some(WorkloadKey {
            kind: m.kind.clone(),
            namespace: object.namespace.clone()?,
            name: m.name.clone(),
        })
    }
}

#[derive(Debug)]
struct Entry {
    owner: ObjectRef<WeightsAndBiases>,
    /// The health the owner's last reconcile evaluated; `None` before the first.
    health: Option<Health>,
    /// A reconcile of the owner is between its apply and its status.
    pending: bool,
    /// What our last apply left: `uid` and `metadata.generation` of the live object.
    applied: Option<Applied>,
}

#[derive(Debug, PartialEq, Eq)]
struct Applied {
    uid: String,
    generation: Option<i64>,
    /// Whether a deletion is drift to repair. A Job with `ttlSecondsAfterFinished`
    /// is deleted by the TTL controller on purpose; re-creating it would run it again.
    repair_deletion: bool,
}

impl Applied {
    fn of(object: &Value) -> Option<Applied> {
        Some(Applied {
            uid: object.pointer("/metadata/uid")?.as_str()?.to_string(),
            generation: generation(object),
            repair_deletion: object.get("kind").and_then(Value::as_str) != Some("Job")
                || object.pointer("/spec/ttlSecondsAfterFinished").is_none(),
        })
    }

    /// True when `live` is not what we applied: another object, or its spec was
    /// changed after our apply. An older generation is a late event of our own
    /// history, not drift.
    fn drifted(&self, live: &Value) -> bool {
        let uid = live.pointer("/metadata/uid").and_then(Value::as_str);
        if uid.is_some_and(|uid| uid != self.uid) {
            return true;
        }
        matches!((self.generation, generation(live)), (Some(ours), Some(now)) if now > ours)
    }
}

fn generation(object: &Value) -> Option<i64> {
    object.pointer("/metadata/generation")?.as_i64()
}

/// Workload -> owning CR, shared by the reconciles and the watch mappers.
#[derive(Debug, Default)]
pub struct WorkloadIndex {
    entries: Mutex<HashMap<WorkloadKey, Entry>>,
}

impl WorkloadIndex {
    fn lock(&self) -> MutexGuard<'_, HashMap<WorkloadKey, Entry>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Called before an apply: these workloads are `owner`'s and any event for them
    /// triggers a reconcile until [`WorkloadIndex::record`]. `owner`'s other
    /// workloads are about to be pruned: their deletion is ours, not drift.
    pub fn expect(
        &self,
        owner: &ObjectRef<WeightsAndBiases>,
        keys: impl IntoIterator<Item = WorkloadKey>,
    ) {
        let keys: std::collections::HashSet<WorkloadKey> = keys.into_iter().collect();
        let mut entries = self.lock();
        entries.retain(|key, e| e.owner != *owner || keys.contains(key));
        for key in keys {
            let entry = entries.entry(key).or_insert_with(|| Entry {
                owner: owner.clone(),
                health: None,
                pending: true,
                applied: None,
            });
            entry.owner = owner.clone();
            entry.pending = true;
        }
    }

    /// Called after a reconcile that evaluated health: `live` are the objects it
    /// applied (as read back); `owner`'s workloads become exactly the tracked ones
    /// among them, each with the health `Ready` was computed from.
    pub fn record(&self, owner: &ObjectRef<WeightsAndBiases>, live: &[Value]) {
        let mut entries = self.lock();
        entries.retain(|_, e| e.owner != *owner);
        for object in live {
            if let (Some(key), Some(health)) = (WorkloadKey::of_object(object), evaluate(object)) {
                entries.insert(
                    key,
                    Entry {
                        owner: owner.clone(),
                        health: Some(health),
                        pending: false,
                        applied: Applied::of(object),
                    },
                );
            }
        }
    }

    /// Called after a reconcile that failed with a retryable error: the pending
    /// marks go (the retry has its own backoff), workloads never evaluated go too.
    pub fn settle(&self, owner: &ObjectRef<WeightsAndBiases>) {
        let mut entries = self.lock();
        entries.retain(|_, e| e.owner != *owner || e.health.is_some());
        for e in entries.values_mut().filter(|e| e.owner == *owner) {
            e.pending = false;
        }
    }

    /// Called when `owner` is gone, or waits for a change of its spec (`Invalid
    /// Config` does not evaluate health): its workloads trigger nothing.
    pub fn forget(&self, owner: &ObjectRef<WeightsAndBiases>) {
        self.lock().retain(|_, e| e.owner != *owner);
    }

    /// The watch mapper: the CR to reconcile after `object` was created or
    /// changed, if any.
    pub fn trigger(&self, object: &Value) -> Option<ObjectRef<WeightsAndBiases>> {
        let key = WorkloadKey::of_object(object)?;
        let entries = self.lock();
        let entry = entries.get(&key)?;
        let drifted = entry.applied.as_ref().is_some_and(|a| a.drifted(object));
        if entry.pending || drifted || entry.health != evaluate(object) {
            return Some(entry.owner.clone());
        }
        None
    }

    /// The watch mapper for a deletion: the CR to reconcile so that it re-creates
    /// `object`, when that is the object we applied (a late deletion event of an
    /// object we already replaced, or one we pruned, triggers nothing).
    pub fn deleted(&self, object: &Value) -> Option<ObjectRef<WeightsAndBiases>> {
        let key = WorkloadKey::of_object(object)?;
        let entries = self.lock();
        let entry = entries.get(&key)?;
        if entry.pending {
            return Some(entry.owner.clone());
        }
        let applied = entry.applied.as_ref()?;
        let uid = object.pointer("/metadata/uid").and_then(Value::as_str);
        (applied.repair_deletion && uid == Some(applied.uid.as_str())).then(|| entry.owner.clone())
    }

    /// How many workloads are tracked (for tests and logs).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when nothing is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::render::Manifest;

    fn deployment(name: &str, ready: bool) -> Value {
        let available = i64::from(ready);
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": "ns", "generation": 1},
               "spec": {"replicas": 1},
               "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1,
                          "availableReplicas": available}})
    }

    fn owner(name: &str) -> ObjectRef<WeightsAndBiases> {
        ObjectRef::new(name).within("ns")
    }

    fn planned(object: Value) -> PlannedObject {
        PlannedObject {
            manifest: Manifest::from_object("t.yaml", object),
            namespace: Some("ns".into()),
            keep: false,
        }
    }

    #[test]
    fn only_tracked_kinds_have_keys() {
        assert!(WorkloadKey::of_object(&deployment("a", true)).is_some());
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns"}});
        assert_eq!(WorkloadKey::of_object(&cm), None);
        assert_eq!(WorkloadKey::of_planned(&planned(cm)), None);
        let mut rendered = deployment("a", false);
        rendered["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("namespace");
        assert_eq!(
            WorkloadKey::of_planned(&planned(rendered)),
            WorkloadKey::of_object(&deployment("a", true))
        );
    }

    #[test]
    fn a_health_change_triggers_its_owner_and_nothing_else_does() {
        let index = WorkloadIndex::default();
        // Unknown workloads (not applied by any CR) never trigger.
        assert_eq!(index.trigger(&deployment("app", true)), None);

        index.record(&owner("wandb"), &[deployment("app", false)]);
        assert_eq!(index.len(), 1);
        // Same health (a resync, an unrelated status field): nothing.
        assert_eq!(index.trigger(&deployment("app", false)), None);
        // Rolled out: the owner is reconciled.
        assert_eq!(
            index.trigger(&deployment("app", true)),
            Some(owner("wandb"))
        );
        index.record(&owner("wandb"), &[deployment("app", true)]);
        assert_eq!(index.trigger(&deployment("app", true)), None);
        // It loses a replica: Ready must flip back.
        assert_eq!(
            index.trigger(&deployment("app", false)),
            Some(owner("wandb"))
        );
    }

    #[test]
    fn pending_workloads_trigger_on_any_event() {
        let index = WorkloadIndex::default();
        // First install: the event of the simulator/kubelet may arrive before the
        // reconcile has read the object back.
        index.expect(
            &owner("wandb"),
            [WorkloadKey::of_object(&deployment("app", true)).unwrap()],
        );
        assert_eq!(
            index.trigger(&deployment("app", false)),
            Some(owner("wandb"))
        );
        assert_eq!(
            index.trigger(&deployment("app", true)),
            Some(owner("wandb"))
        );
        // The reconcile read it not ready; the ready event comes after: triggers.
        index.record(&owner("wandb"), &[deployment("app", false)]);
        assert_eq!(
            index.trigger(&deployment("app", true)),
            Some(owner("wandb"))
        );
        // A rollout that was already read ready by the reconcile: an event echoing
        // that state triggers nothing once recorded.
        index.expect(
            &owner("wandb"),
            [WorkloadKey::of_object(&deployment("app", true)).unwrap()],
        );
        index.record(&owner("wandb"), &[deployment("app", true)]);
        assert_eq!(index.trigger(&deployment("app", true)), None);
    }

    #[test]
    fn record_replaces_settle_clears_and_forget_drops() {
        let index = WorkloadIndex::default();
        index.record(
            &owner("a"),
            &[deployment("one", true), deployment("two", true)],
        );
        index.record(&owner("b"), &[deployment("other", true)]);
        // A component disabled: its workload is no longer the CR's.
        index.record(&owner("a"), &[deployment("one", true)]);
        assert_eq!(index.len(), 2);
        assert_eq!(index.trigger(&deployment("two", false)), None);

        // A failed reconcile: pending marks go, never-evaluated workloads too.
        index.expect(
            &owner("a"),
            [
                WorkloadKey::of_object(&deployment("one", true)).unwrap(),
                WorkloadKey::of_object(&deployment("new", true)).unwrap(),
            ],
        );
        index.settle(&owner("a"));
        assert_eq!(index.trigger(&deployment("one", true)), None);
        assert_eq!(index.trigger(&deployment("new", true)), None);
        assert_eq!(index.trigger(&deployment("one", false)), Some(owner("a")));

        index.forget(&owner("a"));
        assert_eq!(index.trigger(&deployment("one", false)), None);
        assert_eq!(index.trigger(&deployment("other", false)), Some(owner("b")));
        index.forget(&owner("b"));
        assert!(index.is_empty());
    }

    fn applied(name: &str, uid: &str, generation: i64) -> Value {
        let mut d = deployment(name, true);
        d["metadata"]["uid"] = json!(uid);
        d["metadata"]["generation"] = json!(generation);
        d["status"]["observedGeneration"] = json!(generation);
        d
    }

    #[test]
    fn a_deletion_of_what_we_applied_triggers_its_owner() {
        let index = WorkloadIndex::default();
        index.record(&owner("wandb"), &[applied("app", "u1", 2)]);
        // Its last state is ready, as recorded: only the deletion itself says drift.
        assert_eq!(index.trigger(&applied("app", "u1", 2)), None);
        assert_eq!(
            index.deleted(&applied("app", "u1", 2)),
            Some(owner("wandb"))
        );
        // Unknown objects and late deletions of an object we already replaced do not.
        assert_eq!(index.deleted(&applied("other", "u9", 1)), None);
        index.record(&owner("wandb"), &[applied("app", "u2", 1)]);
        assert_eq!(index.deleted(&applied("app", "u1", 2)), None);
        // During our own reconcile any deletion counts (it may have raced our read).
        index.expect(
            &owner("wandb"),
            [WorkloadKey::of_object(&applied("app", "u2", 1)).unwrap()],
        );
        assert_eq!(
            index.deleted(&applied("app", "u1", 2)),
            Some(owner("wandb"))
        );
    }

    #[test]
    fn pruned_and_ttl_jobs_deletions_are_not_drift() {
        let index = WorkloadIndex::default();
        let mut job = applied("migrate", "j1", 1);
        job["kind"] = json!("Job");
        job["apiVersion"] = json!("batch/v1");
        job["spec"] = json!({"ttlSecondsAfterFinished": 60});
        job["status"] =
            json!({"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]});
        index.record(
            &owner("wandb"),
            &[
                applied("app", "u1", 1),
                applied("gone", "u3", 1),
                job.clone(),
            ],
        );
        assert_eq!(index.len(), 3);
        assert_eq!(index.deleted(&job), None, "the TTL controller deleted it");
        // The next reconcile no longer renders `gone`: its prune is not drift.
        index.expect(
            &owner("wandb"),
            [WorkloadKey::of_object(&applied("app", "u1", 1)).unwrap()],
        );
        assert_eq!(index.deleted(&applied("gone", "u3", 1)), None);
        assert_eq!(index.len(), 1);
    }

    #[test]
    fn a_spec_edit_by_someone_else_triggers_and_our_own_apply_does_not() {
        let index = WorkloadIndex::default();
        index.record(&owner("wandb"), &[applied("app", "u1", 3)]);
        // `kubectl scale`: generation 4, still ready for a moment.
        assert_eq!(
            index.trigger(&applied("app", "u1", 4)),
            Some(owner("wandb"))
        );
        // A late event from before our apply: not drift.
        assert_eq!(index.trigger(&applied("app", "u1", 2)), None);
        // Replaced by someone else's object of the same name.
        assert_eq!(
            index.trigger(&applied("app", "u7", 1)),
            Some(owner("wandb"))
        );
        // The repairing reconcile applied generation 5 and recorded it: its own
        // events trigger no further reconcile.
        index.record(&owner("wandb"), &[applied("app", "u1", 5)]);
        assert_eq!(index.trigger(&applied("app", "u1", 5)), None);
        assert_eq!(index.trigger(&applied("app", "u1", 4)), None);
    }
}
