//! Update validation for the immutable fields clients most often trip over,
//! with kube-apiserver's messages (422 Invalid). Object contents are not
//! otherwise validated (no OpenAPI schemas).

use serde_json::Value;

use crate::{
    api::Target,
    error::{ApiError, ApiResult, Subject},
    util::get_path,
};

fn subject(t: &Target) -> Subject<'_> {
    Subject {
        group: &t.info.group,
        resource: &t.info.plural,
        name: &t.name,
    }
}

fn qualified_kind(t: &Target) -> String {
    if t.info.group.is_empty() {
        t.info.kind.clone()
    } else {
        format!("{}.{}", t.info.kind, t.info.group)
    }
}

fn invalid(t: &Target, field: &str, detail: &str) -> ApiError {
    ApiError::invalid(subject(t), &qualified_kind(t), field, detail)
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    get_path(v, path)
}

fn immutable(t: &Target, old: &Value, new: &Value, path: &[&str]) -> ApiResult<()> {
    let (o, n) = (at(old, path), at(new, path));
    if o != n {
        let shown = n.map_or_else(|| "null".to_string(), Value::to_string);
        return Err(invalid(
            t,
            &path.join("."),
            &format!("Invalid value: {shown}: field is immutable"),
        ));
    }
    Ok(())
}

/// Checks an update of `old` to `new` (both full objects).
pub fn update(t: &Target, old: &Value, new: &Value) -> ApiResult<()> {
    if !t.subresource.is_empty() {
        return Ok(());
    }
    match t.info.key().as_str() {
        "apps/deployments" | "apps/daemonsets" | "apps/replicasets" => {
            immutable(t, old, new, &["spec", "selector"])?;
        }
        "apps/statefulsets" => {
            let strip = |v: &Value| {
                let mut s = v.get("spec").cloned().unwrap_or(Value::Null);
                if let Value::Object(m) = &mut s {
                    for k in [
                        "replicas",
                        "ordinals",
                        "template",
                        "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy",
                        "minReadySeconds",
                        "revisionHistoryLimit",
                    ] {
                        m.remove(k);
                    }
                }
                s
            };
            if strip(old) != strip(new) {
                return Err(invalid(
                    t,
                    "spec",
                    "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                ));
            }
        }
        "batch/jobs" => {
            immutable(t, old, new, &["spec", "selector"])?;
            immutable(t, old, new, &["spec", "template"])?;
            immutable(t, old, new, &["spec", "completions"])?;
        }
        "/configmaps" | "/secrets" => {
            if at(old, &["immutable"]) == Some(&Value::Bool(true)) {
                if at(new, &["immutable"]) != Some(&Value::Bool(true)) {
                    return Err(invalid(
                        t,
                        "immutable",
                        "Forbidden: field is immutable when `immutable` is set",
                    ));
                }
                for f in ["data", "binaryData"] {
                    if at(old, &[f]) != at(new, &[f]) {
                        return Err(invalid(
                            t,
                            f,
                            "Forbidden: field is immutable when `immutable` is set",
                        ));
                    }
                }
            }
            if t.info.plural == "secrets" {
                immutable(t, old, new, &["type"])?;
            }
        }
        "/services" => {
            let old_ip = at(old, &["spec", "clusterIP"])
                .and_then(Value::as_str)
                .unwrap_or("");
            let new_ip = at(new, &["spec", "clusterIP"])
                .and_then(Value::as_str)
                .unwrap_or("");
            if !old_ip.is_empty() && old_ip != new_ip {
                return Err(invalid(
                    t,
                    "spec.clusterIPs[0]",
                    &format!("Invalid value: []string{{\"{new_ip}\"}}: may not change once set"),
                ));
            }
        }
        "/persistentvolumeclaims" => {
            let strip = |v: &Value| {
                let mut s = v.get("spec").cloned().unwrap_or(Value::Null);
                if let Some(r) = s.get_mut("resources").and_then(Value::as_object_mut) {
                    r.remove("requests");
                }
                if let Value::Object(m) = &mut s {
                    m.remove("volumeAttributesClassName");
                }
                s
            };
            if strip(old) != strip(new) {
                return Err(invalid(
                    t,
                    "spec",
                    "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}
