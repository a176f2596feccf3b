//! Drift: does a live object still carry everything we would apply?
//!
//! With server-side apply the operator owns only the fields it sends, so an object
//! has drifted when a field of the desired object is missing or different in the
//! live one; extra live fields (defaults, status, other managers' fields) do not
//! count. Comparing before applying lets a steady-state reconcile make zero writes
//! while still repairing hand edits and deleted objects (the Go operator never
//! noticed either).
//!
//! The comparison tolerates what the API server normalises: resource quantities
//! (`1000m` is `1`, `1Gi` is `1024Mi`), integers written as floats, zero values it
//! omits (`false`, `0`, `""`, empty maps and lists), and a Secret's `stringData`,
//! which it stores base64 in `data`.
//!
//! Drift alone cannot see a field the chart *stopped* setting (a label, an
//! annotation, a ConfigMap key): the live object still has it, so it still holds
//! everything desired, yet a server-side apply by our field manager would remove it.
//! So the inventory records, per object, a [`digest`] of the exact object last
//! applied, and [`apply_reason`] also re-applies when the rendered object's digest
//! differs (or none was recorded). We chose this over reading our `managedFields`
//! entry: deciding from `fieldsV1` that we own a field we no longer send needs the
//! server's own field-set rules (list keys such as `containerPort`+`protocol` with
//! defaulted members, `stringData`, sets, `metadata.name`/`namespace`), and a
//! mismatch there means either a write on every reconcile or a missed removal. A
//! digest needs no schema and behaves the same on every API server; the price is
//! one re-apply of each object the first time an inventory without digests (from
//! an older version) is reconciled.

use base64::Engine;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The first path at which `live` lacks or differs from `desired`, or `None` when
/// `live` contains all of `desired`.
pub fn drift(desired: &Value, live: &Value) -> Option<String> {
    let desired = normalise_secret(desired);
    diff_at(&desired, Some(live), "")
}

/// True when `live` lacks a field of `desired` (or is absent). Enough only for
/// objects whose set of fields never shrinks (the operator's state Secrets); chart
/// objects go through [`apply_reason`].
pub fn needs_apply(desired: &Value, live: Option<&Value>) -> bool {
    match live {
        None => true,
        Some(live) => drift(desired, live).is_some(),
    }
}

/// Why an object must be (re-)applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyReason {
    /// It does not exist.
    Absent,
    /// The live object lacks or changed the field at this path.
    Drift(String),
    /// The rendered object differs from the one last applied: fields it no longer
    /// sets are removed by the apply.
    Changed,
    /// No digest was recorded when it was last applied (an older inventory, or an
    /// apply interrupted before the inventory was stored).
    Unrecorded,
}

impl std::fmt::Display for ApplyReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyReason::Absent => f.write_str("absent"),
            ApplyReason::Drift(path) => write!(f, "live object differs at {path}"),
            ApplyReason::Changed => f.write_str("rendered object changed since last applied"),
            ApplyReason::Unrecorded => f.write_str("no record of the last apply"),
        }
    }
}

/// Whether the applier must apply `desired` (already normalised as it is sent),
/// and why: `None` only when `live` holds every desired field *and*
/// `last_applied`, the digest recorded in the inventory, is `desired`'s digest.
pub fn apply_reason(
    desired: &Value,
    last_applied: Option<&str>,
    live: Option<&Value>,
) -> Option<ApplyReason> {
    let Some(live) = live else {
        return Some(ApplyReason::Absent);
    };
    if let Some(path) = drift(desired, live) {
        return Some(ApplyReason::Drift(path));
    }
    match last_applied {
        None => Some(ApplyReason::Unrecorded),
        Some(d) if d != digest(desired) => Some(ApplyReason::Changed),
        Some(_) => None,
    }
}

/// `sha256:` and the hex SHA-256 of `object`'s canonical JSON (object keys
/// sorted, so the renderer's key order does not matter). Stable across versions
/// of the operator and of Rust, unlike `std`'s hashers.
pub fn digest(object: &Value) -> String {
    let mut hasher = Sha256::new();
    canonical(object, &mut hasher);
    let hash = hasher.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in hash.iter() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

fn canonical(value: &Value, hasher: &mut Sha256) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.update(b"{");
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    hasher.update(b",");
                }
                hasher.update(Value::String(k.clone()).to_string().as_bytes());
                hasher.update(b":");
                if let Some(v) = map.get(k) {
                    canonical(v, hasher);
                }
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    hasher.update(b",");
                }
                canonical(v, hasher);
            }
            hasher.update(b"]");
        }
        scalar => hasher.update(scalar.to_string().as_bytes()),
    }
}

fn normalise_secret(desired: &Value) -> Value {
    let is_secret = desired.get("kind").and_then(Value::as_str) == Some("Secret")
        && desired.get("apiVersion").and_then(Value::as_str) == Some("v1");
    let Some(Value::Object(string_data)) = desired.get("stringData").filter(|_| is_secret) else {
        return desired.clone();
    };
    let mut out = desired.clone();
    let engine = base64::engine::general_purpose::STANDARD;
    if let Value::Object(obj) = &mut out {
        obj.remove("stringData");
        let data = obj
            .entry("data")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(data) = data {
            for (k, v) in string_data {
                let text = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                data.insert(k.clone(), Value::String(engine.encode(text)));
            }
        }
    }
    out
}

fn diff_at(desired: &Value, live: Option<&Value>, path: &str) -> Option<String> {
    let here = || {
        if path.is_empty() {
            ".".to_string()
        } else {
            path.to_string()
        }
    };
    match (desired, live) {
        (Value::Null, None | Some(Value::Null)) => None,
        // Go's `omitempty` drops zero values from what the API server returns.
        (d, None) if is_zero(d) => None,
        (_, None) => Some(here()),
        (Value::Object(d), Some(Value::Object(l))) => d
            .iter()
            .find_map(|(k, v)| diff_at(v, l.get(k), &format!("{path}.{k}"))),
        (Value::Array(d), Some(Value::Array(l))) => {
            if d.len() != l.len() {
                return Some(here());
            }
            d.iter()
                .zip(l)
                .enumerate()
                .find_map(|(i, (dv, lv))| diff_at(dv, Some(lv), &format!("{path}[{i}]")))
        }
        (Value::Number(a), Some(Value::Number(b))) => (a.as_f64() != b.as_f64()).then(here),
        (Value::String(a), Some(Value::String(b))) => (a != b && !same_quantity(a, b)).then(here),
        // A number rendered where the server keeps a quantity string ("cpu: 1").
        (Value::Number(n), Some(Value::String(s))) | (Value::String(s), Some(Value::Number(n))) => {
            let same = n.as_f64().is_some_and(|n| parse_quantity(s) == Some(n));
            (!same).then(here)
        }
        (a, Some(b)) => (a != b).then(here),
    }
}

/// Rewrites integral floats (`1.0`) as integers (`1`), in place. The renderer
/// reads every number as a float64, as Helm does, but Helm sends the YAML text
/// (`replicas: 1`) to the API server, and Kubernetes rejects `1.0` for an integer
/// field; so objects are normalised before they are applied.
pub fn integral_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.007_199_254_740_992e15
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn same_quantity(a: &str, b: &str) -> bool {
    match (parse_quantity(a), parse_quantity(b)) {
        (Some(x), Some(y)) => (x - y).abs() <= f64::EPSILON * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

/// Parses a Kubernetes quantity (`100m`, `1.5Gi`, `2e3`, `1k`) to its value.
pub fn parse_quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() {
        return None;
    }
    let base: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(base * factor)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment(cpu: Value, replicas: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "app", "labels": {"a": "b"}},
               "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                   {"name": "app", "image": "wandb/local:0.74.1",
                    "resources": {"requests": {"cpu": cpu}}, "env": []}]}}}})
    }

    #[test]
    fn live_with_defaults_and_normalised_values_has_not_drifted() {
        let desired = deployment(json!("1000m"), json!(2));
        let mut live = deployment(json!("1"), json!(2.0));
        live["metadata"]["uid"] = json!("u");
        live["metadata"]["labels"]["extra"] = json!("x");
        live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] =
            json!("IfNotPresent");
        live["spec"]["template"]["spec"]["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("env");
        live["status"] = json!({"replicas": 2});
        assert_eq!(drift(&desired, &live), None);
        assert!(!needs_apply(&desired, Some(&live)));
    }

    #[test]
    fn changed_or_missing_fields_are_drift_with_their_path() {
        let desired = deployment(json!("500m"), json!(2));
        let live = deployment(json!("1"), json!(2));
        assert_eq!(
            drift(&desired, &live).as_deref(),
            Some(".spec.template.spec.containers[0].resources.requests.cpu")
        );
        let mut edited = deployment(json!("500m"), json!(2));
        edited["spec"]["template"]["spec"]["containers"][0]["image"] = json!("evil:latest");
        assert_eq!(
            drift(&desired, &edited).as_deref(),
            Some(".spec.template.spec.containers[0].image")
        );
        let mut unlabeled = deployment(json!("500m"), json!(2));
        unlabeled["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("labels");
        assert_eq!(
            drift(&desired, &unlabeled).as_deref(),
            Some(".metadata.labels")
        );
        assert!(needs_apply(&desired, None));
    }

    #[test]
    fn secrets_compare_string_data_with_data() {
        let desired = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                             "stringData": {"password": "hunter2"}});
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                          "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"});
        assert_eq!(drift(&desired, &live), None);
        let rotated = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                             "data": {"password": "b3RoZXI="}});
        assert_eq!(drift(&desired, &rotated).as_deref(), Some(".data.password"));
    }

    #[test]
    fn integral_floats_become_integers() {
        let mut v = json!({"replicas": 2.0, "ratio": 0.5, "ports": [{"port": 8080.0}], "big": 1e300, "s": "1.0"});
        integral_numbers(&mut v);
        assert!(v["replicas"].is_i64() && v["ports"][0]["port"].is_i64());
        assert_eq!(v["replicas"], json!(2));
        assert!(v["ratio"].is_f64() && v["big"].is_f64());
        assert_eq!(v["s"], "1.0");
        assert!(v.to_string().contains(r#""replicas":2,"#));
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("100m"), Some(0.1));
        assert_eq!(parse_quantity("1Gi"), parse_quantity("1024Mi"));
        assert_eq!(parse_quantity("2e3"), Some(2000.0));
        assert_eq!(parse_quantity("1.5k"), Some(1500.0));
        assert_eq!(parse_quantity("abc"), None);
        assert_eq!(parse_quantity("1Xi"), None);
        assert!(!same_quantity("wandb", "wandb2"));
    }

    #[test]
    fn omitted_zero_values_are_not_drift() {
        let desired = json!({"spec": {"hostNetwork": false, "replicas": 0, "env": [{"name": "A", "value": ""}], "x": {}}});
        let live = json!({"spec": {"env": [{"name": "A"}]}});
        assert_eq!(drift(&desired, &live), None);
        let desired = json!({"spec": {"hostNetwork": true}});
        assert_eq!(drift(&desired, &live).as_deref(), Some(".spec.hostNetwork"));
    }

    #[test]
    fn digests_ignore_key_order_and_see_every_value() {
        let a =
            json!({"metadata": {"name": "c", "labels": {"a": "1", "b": "2"}}, "data": {"k": "v"}});
        let b =
            json!({"data": {"k": "v"}, "metadata": {"labels": {"b": "2", "a": "1"}, "name": "c"}});
        assert_eq!(digest(&a), digest(&b));
        assert!(digest(&a).starts_with("sha256:") && digest(&a).len() == 7 + 64);
        let mut unlabeled = a.clone();
        unlabeled["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove("b");
        assert_ne!(digest(&a), digest(&unlabeled));
        // Keys and values cannot be confused by concatenation.
        assert_ne!(digest(&json!({"ab": "c"})), digest(&json!({"a": "bc"})));
        assert_ne!(digest(&json!(["1"])), digest(&json!([1])));
    }

    #[test]
    fn a_key_the_chart_stopped_rendering_is_reapplied() {
        let before = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "labels": {"tier": "x", "app": "w"}},
            "data": {"stale": "1", "kept": "2"}});
        let live = before.clone();
        let mut after = before.clone();
        after["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove("tier");
        after["data"].as_object_mut().unwrap().remove("stale");
        // Live is a superset of the new render: drift alone sees nothing.
        assert!(!needs_apply(&after, Some(&live)));
        assert_eq!(
            apply_reason(&after, Some(&digest(&before)), Some(&live)),
            Some(ApplyReason::Changed)
        );
        // Once applied (the server dropped the keys) and recorded: nothing to do.
        assert_eq!(
            apply_reason(&after, Some(&digest(&after)), Some(&after)),
            None
        );
        // The same render with a live copy still holding the stale keys (another
        // manager owns them): no write, it is not ours to remove.
        assert_eq!(
            apply_reason(&after, Some(&digest(&after)), Some(&live)),
            None
        );
    }

    #[test]
    fn apply_reasons() {
        let desired = deployment(json!("1"), json!(2));
        let d = digest(&desired);
        assert_eq!(
            apply_reason(&desired, Some(&d), None),
            Some(ApplyReason::Absent)
        );
        assert_eq!(
            apply_reason(&desired, None, Some(&desired)),
            Some(ApplyReason::Unrecorded)
        );
        let edited = deployment(json!("1"), json!(5));
        assert_eq!(
            apply_reason(&desired, Some(&d), Some(&edited)),
            Some(ApplyReason::Drift(".spec.replicas".into()))
        );
        assert_eq!(apply_reason(&desired, Some(&d), Some(&desired)), None);
        assert_eq!(
            ApplyReason::Drift(".spec".into()).to_string(),
            "live object differs at .spec"
        );
    }

    #[test]
    fn list_length_changes_are_drift() {
        let desired = json!({"spec": {"ports": [{"port": 80}]}});
        let live = json!({"spec": {"ports": [{"port": 80}, {"port": 81}]}});
        assert_eq!(drift(&desired, &live).as_deref(), Some(".spec.ports"));
    }
}
