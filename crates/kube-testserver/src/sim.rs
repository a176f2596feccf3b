//! Workload simulator: plays the part of the controllers and kubelets that
//! are missing, moving Deployments, StatefulSets, DaemonSets and Jobs to a
//! ready/complete status (and PersistentVolumeClaims to Bound) after a
//! delay, or holding named ones unready.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::{
    controllers,
    server::{Shared, lock},
    ssa::{self, Actor, Schema},
    util::{get_path, meta_str, name_of, now_rfc3339},
};

const WORKLOADS: &[&str] = &[
    "apps/deployments",
    "apps/statefulsets",
    "apps/daemonsets",
    "batch/jobs",
    "/persistentvolumeclaims",
];
const MANAGER: &str = "kube-controller-manager";

/// Simulator settings and bookkeeping.
#[derive(Debug, Default)]
pub(crate) struct SimState {
    /// Delay before a workload becomes ready; None switches the simulator off.
    pub delay: Option<Duration>,
    /// (namespace, name) of workloads kept unready.
    pub held: HashSet<(String, String)>,
    /// When each (resource, namespace, name, generation) was first seen.
    pub seen: HashMap<(String, String, String, i64), Instant>,
}

/// Polls the store and updates workload status.
pub(crate) async fn run(sh: Arc<Shared>) {
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        tick(&sh);
    }
}

fn strip_times(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.ends_with("Time"))
                .map(|(k, v)| (k.clone(), strip_times(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_times).collect()),
        other => other.clone(),
    }
}

fn cond(t: &str, status: &str, reason: &str, message: &str) -> Value {
    let now = now_rfc3339();
    json!({"type": t, "status": status, "reason": reason, "message": message,
           "lastUpdateTime": now, "lastTransitionTime": now})
}

fn desired(res: &str, obj: &Value, ready: bool) -> Value {
    let generation = get_path(obj, &["metadata", "generation"])
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let replicas = get_path(obj, &["spec", "replicas"])
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let name = name_of(obj);
    match res {
        "apps/deployments" => {
            if ready {
                json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
                "readyReplicas": replicas, "availableReplicas": replicas,
                "conditions": [
                    cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                    cond("Progressing", "True", "NewReplicaSetAvailable", &format!("ReplicaSet \"{name}\" has successfully progressed.")),
                ]})
            } else {
                json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
                "unavailableReplicas": replicas,
                "conditions": [
                    cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."),
                    cond("Progressing", "True", "ReplicaSetUpdated", &format!("ReplicaSet \"{name}\" is progressing.")),
                ]})
            }
        }
        "apps/statefulsets" => {
            let rev = format!("{name}-{generation:x}");
            json!({"observedGeneration": generation, "replicas": replicas, "currentReplicas": replicas,
                "updatedReplicas": replicas, "readyReplicas": if ready { replicas } else { 0 },
                "availableReplicas": if ready { replicas } else { 0 },
                "currentRevision": rev, "updateRevision": rev, "collisionCount": 0})
        }
        "/persistentvolumeclaims" => {
            // A bound claim, as a dynamic provisioner would leave it.
            let spec = obj.get("spec").cloned().unwrap_or(json!({}));
            if ready {
                json!({"phase": "Bound",
                    "accessModes": spec.get("accessModes").cloned().unwrap_or(json!(["ReadWriteOnce"])),
                    "capacity": {"storage": get_path(&spec, &["resources", "requests", "storage"]).cloned().unwrap_or(json!("1Gi"))}})
            } else {
                json!({"phase": "Pending"})
            }
        }
        "apps/daemonsets" => {
            let r = i64::from(ready);
            json!({"observedGeneration": generation, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                "updatedNumberScheduled": 1, "numberMisscheduled": 0, "numberReady": r,
                "numberAvailable": r, "numberUnavailable": 1 - r})
        }
        _ => {
            let completions = get_path(obj, &["spec", "completions"])
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let start = get_path(obj, &["status", "startTime"])
                .cloned()
                .unwrap_or_else(|| json!(now_rfc3339()));
            if ready {
                json!({"startTime": start, "completionTime": now_rfc3339(), "succeeded": completions,
                "active": 0, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {},
                "conditions": [
                    cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
                    cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
                ]})
            } else {
                let parallelism = get_path(obj, &["spec", "parallelism"])
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                json!({"startTime": start, "active": parallelism, "ready": 0, "terminating": 0,
                    "uncountedTerminatedPods": {}})
            }
        }
    }
}

fn tick(sh: &Shared) {
    let mut sim = lock(&sh.sim);
    let Some(delay) = sim.delay else { return };
    let mut store = lock(&sh.store);
    let now = Instant::now();
    let mut changed = false;
    for res in WORKLOADS {
        let objs: Vec<Value> = store.list(res, None).into_iter().cloned().collect();
        for obj in objs {
            if get_path(&obj, &["metadata", "deletionTimestamp"]).is_some() {
                continue;
            }
            let ns = meta_str(&obj, "namespace").unwrap_or("").to_string();
            let name = name_of(&obj).to_string();
            let generation = get_path(&obj, &["metadata", "generation"])
                .and_then(Value::as_i64)
                .unwrap_or(1);
            let first = *sim
                .seen
                .entry((res.to_string(), ns.clone(), name.clone(), generation))
                .or_insert(now);
            let held = sim.held.contains(&(ns.clone(), name.clone()));
            let ready = !held && now.duration_since(first) >= delay;
            let want = desired(res, &obj, ready);
            let current = obj.get("status").cloned().unwrap_or(json!({}));
            if strip_times(&current) == strip_times(&want) {
                continue;
            }
            // Keep transition times of conditions whose status did not change.
            let mut want = want;
            if let (Some(Value::Array(new_c)), Some(Value::Array(old_c))) =
                (want.get_mut("conditions"), current.get("conditions"))
            {
                for c in new_c.iter_mut() {
                    if let Some(o) = old_c
                        .iter()
                        .find(|o| o["type"] == c["type"] && o["status"] == c["status"])
                        && let Some(t) = o.get("lastTransitionTime")
                    {
                        c["lastTransitionTime"] = t.clone();
                    }
                }
            }
            let mut new = obj.clone();
            new["status"] = want;
            let api_version = obj
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            ssa::track_update(
                Some(&obj),
                &mut new,
                Actor {
                    manager: MANAGER,
                    api_version: &api_version,
                    subresource: "status",
                },
                Schema {
                    builtin: true,
                    status_subresource: true,
                    openapi: None,
                },
            );
            store.put(res, &ns, &name, new);
            changed = true;
        }
    }
    if changed {
        controllers::run(&mut store);
    }
    // Forget generations of objects that no longer exist.
    let live: HashSet<(String, String, String)> = WORKLOADS
        .iter()
        .flat_map(|r| {
            store.list(r, None).into_iter().map(move |o| {
                (
                    r.to_string(),
                    meta_str(o, "namespace").unwrap_or("").to_string(),
                    name_of(o).to_string(),
                )
            })
        })
        .collect();
    sim.seen
        .retain(|(r, n, m, _), _| live.contains(&(r.clone(), n.clone(), m.clone())));
}
