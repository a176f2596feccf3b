//! Defaulting for built-in kinds: the fields kube-apiserver fills in that
//! clients commonly read back (service clusterIP, deployment strategy, …).
//! Only missing fields are set, so user values always win.

use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine as _;
use serde_json::{Map, Value, json};

static NEXT_IP: AtomicU32 = AtomicU32::new(10);

fn obj_mut<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    let m = v.as_object_mut()?;
    let slot = m.entry(key.to_string()).or_insert_with(|| json!({}));
    slot.as_object_mut()
}

// Go clients send zero values ("" / null) for unset fields; defaulting treats them as unset.
fn default(m: &mut Map<String, Value>, key: &str, v: Value) {
    let slot = m.entry(key.to_string()).or_insert(Value::Null);
    if slot.is_null() || slot.as_str() == Some("") {
        *slot = v;
    }
}

fn container(c: &mut Value) {
    let Some(m) = c.as_object_mut() else { return };
    let image = m
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let pull =
        if image.ends_with(":latest") || !image.rsplit('/').next().unwrap_or("").contains(':') {
            "Always"
        } else {
            "IfNotPresent"
        };
    default(m, "imagePullPolicy", json!(pull));
    default(m, "terminationMessagePath", json!("/dev/termination-log"));
    default(m, "terminationMessagePolicy", json!("File"));
    default(m, "resources", json!({}));
    if let Some(Value::Array(ports)) = m.get_mut("ports") {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            default(p, "protocol", json!("TCP"));
        }
    }
}

/// Defaults a PodSpec.
pub fn pod_spec(spec: &mut Value) {
    let Some(m) = spec.as_object_mut() else {
        return;
    };
    for key in ["containers", "initContainers"] {
        if let Some(Value::Array(cs)) = m.get_mut(key) {
            cs.iter_mut().for_each(container);
        }
    }
    default(m, "restartPolicy", json!("Always"));
    default(m, "terminationGracePeriodSeconds", json!(30));
    default(m, "dnsPolicy", json!("ClusterFirst"));
    default(m, "securityContext", json!({}));
    default(m, "schedulerName", json!("default-scheduler"));
}

fn template(spec: &mut Map<String, Value>) {
    if let Some(t) = spec.get_mut("template")
        && let Some(ps) = t.get_mut("spec")
    {
        pod_spec(ps);
    }
}

/// Applies defaults for `group/plural`. `uid` is the object's uid (jobs
/// derive their selector from it).
pub fn apply(resource_key: &str, obj: &mut Value) {
    let uid = obj
        .get("metadata")
        .and_then(|m| m.get("uid"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = crate::util::name_of(obj).to_string();
    match resource_key {
        "/namespaces" => {
            if let Some(meta) = obj_mut(obj, "metadata") {
                let labels = meta.entry("labels").or_insert_with(|| json!({}));
                if let Some(l) = labels.as_object_mut() {
                    l.insert("kubernetes.io/metadata.name".into(), json!(name));
                }
            }
            if let Some(spec) = obj_mut(obj, "spec") {
                default(spec, "finalizers", json!(["kubernetes"]));
            }
            if let Some(st) = obj_mut(obj, "status") {
                default(st, "phase", json!("Active"));
            }
        }
        "/secrets" => {
            if let Some(m) = obj.as_object_mut() {
                default(m, "type", json!("Opaque"));
                // stringData is write-only: merged into data, base64-encoded.
                if let Some(Value::Object(sd)) = m.remove("stringData") {
                    let data = m.entry("data").or_insert_with(|| json!({}));
                    if let Some(d) = data.as_object_mut() {
                        for (k, v) in sd {
                            let s = v.as_str().unwrap_or("").to_string();
                            d.insert(
                                k,
                                json!(base64::engine::general_purpose::STANDARD.encode(s)),
                            );
                        }
                    }
                }
            }
        }
        "/services" => {
            let Some(spec) = obj_mut(obj, "spec") else {
                return;
            };
            default(spec, "type", json!("ClusterIP"));
            default(spec, "sessionAffinity", json!("None"));
            let external = spec.get("type").and_then(Value::as_str) == Some("ExternalName");
            if !external {
                if !spec.contains_key("clusterIP") {
                    let n = NEXT_IP.fetch_add(1, Ordering::Relaxed);
                    spec.insert(
                        "clusterIP".into(),
                        json!(format!("10.96.{}.{}", (n >> 8) & 0xff, n & 0xff)),
                    );
                }
                let ip = spec.get("clusterIP").cloned().unwrap_or(Value::Null);
                default(spec, "clusterIPs", json!([ip]));
                default(spec, "ipFamilies", json!(["IPv4"]));
                default(spec, "ipFamilyPolicy", json!("SingleStack"));
                default(spec, "internalTrafficPolicy", json!("Cluster"));
            }
            if let Some(Value::Array(ports)) = spec.get_mut("ports") {
                for p in ports.iter_mut().filter_map(Value::as_object_mut) {
                    default(p, "protocol", json!("TCP"));
                    if let Some(port) = p.get("port").cloned() {
                        default(p, "targetPort", port);
                    }
                }
            }
        }
        "/pods" => {
            if let Some(spec) = obj.get_mut("spec") {
                pod_spec(spec);
            }
            if let Some(st) = obj_mut(obj, "status") {
                default(st, "phase", json!("Pending"));
                default(st, "qosClass", json!("BestEffort"));
            }
        }
        "apps/deployments" => {
            let Some(spec) = obj_mut(obj, "spec") else {
                return;
            };
            default(spec, "replicas", json!(1));
            default(spec, "revisionHistoryLimit", json!(10));
            default(spec, "progressDeadlineSeconds", json!(600));
            default(
                spec,
                "strategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
            );
            template(spec);
        }
        "apps/statefulsets" => {
            let Some(spec) = obj_mut(obj, "spec") else {
                return;
            };
            default(spec, "replicas", json!(1));
            default(spec, "revisionHistoryLimit", json!(10));
            default(spec, "podManagementPolicy", json!("OrderedReady"));
            default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            default(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            template(spec);
        }
        "apps/daemonsets" => {
            let Some(spec) = obj_mut(obj, "spec") else {
                return;
            };
            default(spec, "revisionHistoryLimit", json!(10));
            default(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
            template(spec);
        }
        "apps/replicasets" => {
            let Some(spec) = obj_mut(obj, "spec") else {
                return;
            };
            default(spec, "replicas", json!(1));
            template(spec);
        }
        "batch/jobs" => {
            let Some(spec) = obj_mut(obj, "spec") else {
                return;
            };
            default(spec, "parallelism", json!(1));
            default(spec, "completions", json!(1));
            default(spec, "backoffLimit", json!(6));
            default(spec, "completionMode", json!("NonIndexed"));
            default(spec, "suspend", json!(false));
            if !uid.is_empty() && !spec.contains_key("selector") {
                spec.insert(
                    "selector".into(),
                    json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}),
                );
                if let Some(t) = spec.get_mut("template")
                    && let Some(meta) = obj_mut(t, "metadata")
                {
                    let labels = meta.entry("labels").or_insert_with(|| json!({}));
                    if let Some(l) = labels.as_object_mut() {
                        l.insert("batch.kubernetes.io/controller-uid".into(), json!(uid));
                        l.insert("batch.kubernetes.io/job-name".into(), json!(name));
                        l.insert("controller-uid".into(), json!(uid));
                        l.insert("job-name".into(), json!(name));
                    }
                }
            }
            template(spec);
        }
        "batch/cronjobs" => {
            let Some(spec) = obj_mut(obj, "spec") else {
                return;
            };
            default(spec, "concurrencyPolicy", json!("Allow"));
            default(spec, "suspend", json!(false));
            default(spec, "successfulJobsHistoryLimit", json!(3));
            default(spec, "failedJobsHistoryLimit", json!(1));
        }
        "/persistentvolumeclaims" => {
            if let Some(spec) = obj_mut(obj, "spec") {
                default(spec, "volumeMode", json!("Filesystem"));
            }
            if let Some(st) = obj_mut(obj, "status") {
                default(st, "phase", json!("Pending"));
            }
        }
        _ => {}
    }
}
