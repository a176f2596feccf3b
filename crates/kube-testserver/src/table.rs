//! `meta.k8s.io/v1` Table responses, which kubectl asks for when printing
//! (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Columns follow
//! kube-apiserver's printers for common kinds, and CRD
//! `additionalPrinterColumns` for custom resources.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::{registry::ResourceInfo, util::get_path};

fn col(name: &str, ty: &str) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": ty, "format": format, "description": "", "priority": 0})
}

// Days since the epoch for a civil date (inverse of util::civil_from_days).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into seconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?);
    Some(days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?)
}

/// kubectl's `HumanDuration`.
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86_400);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        let rs = s % 60;
        if rs == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{rs}s")
        }
    } else if m < 180 {
        format!("{m}m")
    } else if h < 8 {
        let rm = m % 60;
        if rm == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{rm}m")
        }
    } else if h < 48 {
        format!("{h}h")
    } else if h < 192 {
        let rh = h % 24;
        if rh == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{rh}h")
        }
    } else if d < 365 * 2 {
        format!("{d}d")
    } else {
        format!("{}y", d / 365)
    }
}

fn age(obj: &Value) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    get_path(obj, &["metadata", "creationTimestamp"])
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .map(|t| human_duration(now - t))
        .unwrap_or_else(|| "<unknown>".into())
}

fn int(obj: &Value, path: &[&str]) -> i64 {
    get_path(obj, path).and_then(Value::as_i64).unwrap_or(0)
}

fn s(obj: &Value, path: &[&str]) -> String {
    get_path(obj, path)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn count(obj: &Value, key: &str) -> i64 {
    obj.get(key)
        .and_then(Value::as_object)
        .map_or(0, |m| m.len() as i64)
        + if key == "data" {
            obj.get("binaryData")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len() as i64)
        } else {
            0
        }
}

/// Evaluates a simple JSONPath (`.a.b`, `.a[0].b`, `.a[?(@.type=="X")].b`) as CRD printer columns use.
fn json_path(obj: &Value, path: &str) -> Value {
    let mut cur = obj.clone();
    let p = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_start_matches('$');
    // Split on dots outside brackets: filters contain `@.field`.
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in p.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            '.' if depth == 0 => {
                parts.push(&p[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&p[start..]);
    for part in parts.into_iter().filter(|x| !x.is_empty()) {
        let (field, index) = match part.split_once('[') {
            Some((f, rest)) => (f, Some(rest.trim_end_matches(']'))),
            None => (part, None),
        };
        if !field.is_empty() {
            cur = cur.get(field).cloned().unwrap_or(Value::Null);
        }
        if let Some(ix) = index {
            cur = if let Some(filter) = ix.strip_prefix("?(@.").and_then(|f| f.strip_suffix(')')) {
                let (k, v) = filter.split_once("==").unwrap_or((filter, ""));
                let v = v.trim_matches(|c| c == '"' || c == '\'');
                cur.as_array()
                    .and_then(|a| {
                        a.iter()
                            .find(|i| i.get(k).and_then(Value::as_str) == Some(v))
                    })
                    .cloned()
                    .unwrap_or(Value::Null)
            } else {
                ix.parse::<usize>()
                    .ok()
                    .and_then(|i| cur.get(i))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
        }
    }
    cur
}

fn cell(v: Value, ty: &str) -> Value {
    match (v, ty) {
        (Value::Null, _) => json!("<none>"),
        (Value::String(t), "date") => json!(parse_rfc3339(&t).map_or(t, |ts| {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            human_duration(now - ts)
        })),
        (v, _) => v,
    }
}

/// Columns and cells for one kind.
fn columns(info: &ResourceInfo) -> Vec<Value> {
    let mut cols = vec![col("Name", "string")];
    let extra: &[(&str, &str)] = match (info.group.as_str(), info.plural.as_str()) {
        ("apps", "deployments") => &[
            ("Ready", "string"),
            ("Up-to-date", "string"),
            ("Available", "string"),
        ],
        ("apps", "statefulsets") => &[("Ready", "string")],
        ("apps", "daemonsets") => &[
            ("Desired", "integer"),
            ("Current", "integer"),
            ("Ready", "integer"),
        ],
        ("apps", "replicasets") => &[
            ("Desired", "integer"),
            ("Current", "integer"),
            ("Ready", "integer"),
        ],
        ("batch", "jobs") => &[("Status", "string"), ("Completions", "string")],
        ("", "pods") => &[
            ("Ready", "string"),
            ("Status", "string"),
            ("Restarts", "string"),
        ],
        ("", "namespaces") => &[("Status", "string")],
        ("", "configmaps") => &[("Data", "integer")],
        ("", "secrets") => &[("Type", "string"), ("Data", "integer")],
        ("", "services") => &[
            ("Type", "string"),
            ("Cluster-IP", "string"),
            ("External-IP", "string"),
            ("Port(s)", "string"),
        ],
        ("", "persistentvolumeclaims") => &[("Status", "string")],
        ("apiextensions.k8s.io", "customresourcedefinitions") => &[("Created At", "date")],
        _ => &[],
    };
    for (n, t) in extra {
        cols.push(col(n, t));
    }
    if info.custom {
        for c in &info.printer_columns {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            let ty = c.get("type").and_then(Value::as_str).unwrap_or("string");
            cols.push(col(name, ty));
        }
    }
    if !(info.custom
        && info
            .printer_columns
            .iter()
            .any(|c| c.get("name").and_then(Value::as_str) == Some("Age")))
    {
        cols.push(col("Age", "date"));
    }
    cols
}

fn cells(info: &ResourceInfo, o: &Value) -> Vec<Value> {
    let mut c = vec![json!(s(o, &["metadata", "name"]))];
    match (info.group.as_str(), info.plural.as_str()) {
        ("apps", "deployments") => {
            let want = int(o, &["spec", "replicas"]);
            c.push(json!(format!(
                "{}/{want}",
                int(o, &["status", "readyReplicas"])
            )));
            c.push(json!(int(o, &["status", "updatedReplicas"])));
            c.push(json!(int(o, &["status", "availableReplicas"])));
        }
        ("apps", "statefulsets") => {
            c.push(json!(format!(
                "{}/{}",
                int(o, &["status", "readyReplicas"]),
                int(o, &["spec", "replicas"])
            )));
        }
        ("apps", "daemonsets") => {
            c.push(json!(int(o, &["status", "desiredNumberScheduled"])));
            c.push(json!(int(o, &["status", "currentNumberScheduled"])));
            c.push(json!(int(o, &["status", "numberReady"])));
        }
        ("apps", "replicasets") => {
            c.push(json!(int(o, &["spec", "replicas"])));
            c.push(json!(int(o, &["status", "replicas"])));
            c.push(json!(int(o, &["status", "readyReplicas"])));
        }
        ("batch", "jobs") => {
            let done = get_path(o, &["status", "conditions"])
                .and_then(Value::as_array)
                .is_some_and(|a| {
                    a.iter()
                        .any(|x| x["type"] == "Complete" && x["status"] == "True")
                });
            c.push(json!(if done { "Complete" } else { "Running" }));
            c.push(json!(format!(
                "{}/{}",
                int(o, &["status", "succeeded"]),
                get_path(o, &["spec", "completions"])
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
            )));
        }
        ("", "pods") => {
            let n = get_path(o, &["spec", "containers"])
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let ready = get_path(o, &["status", "containerStatuses"])
                .and_then(Value::as_array)
                .map_or(0, |a| a.iter().filter(|x| x["ready"] == true).count());
            c.push(json!(format!("{ready}/{n}")));
            c.push(json!(s(o, &["status", "phase"])));
            c.push(json!("0"));
        }
        ("", "namespaces") | ("", "persistentvolumeclaims") => {
            c.push(json!(s(o, &["status", "phase"])))
        }
        ("", "configmaps") => c.push(json!(count(o, "data"))),
        ("", "secrets") => {
            c.push(json!(s(o, &["type"])));
            c.push(json!(count(o, "data")));
        }
        ("", "services") => {
            c.push(json!(s(o, &["spec", "type"])));
            let ip = s(o, &["spec", "clusterIP"]);
            c.push(json!(if ip.is_empty() {
                "<none>".to_string()
            } else {
                ip
            }));
            c.push(json!("<none>"));
            let ports: Vec<String> = get_path(o, &["spec", "ports"])
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|p| {
                            format!("{}/{}", p["port"], p["protocol"].as_str().unwrap_or("TCP"))
                        })
                        .collect()
                })
                .unwrap_or_default();
            c.push(json!(if ports.is_empty() {
                "<none>".to_string()
            } else {
                ports.join(",")
            }));
        }
        ("apiextensions.k8s.io", "customresourcedefinitions") => {
            c.push(json!(s(o, &["metadata", "creationTimestamp"])));
        }
        _ => {}
    }
    if info.custom {
        for pc in &info.printer_columns {
            let path = pc.get("jsonPath").and_then(Value::as_str).unwrap_or("");
            let ty = pc.get("type").and_then(Value::as_str).unwrap_or("string");
            c.push(cell(json_path(o, path), ty));
        }
    }
    if !(info.custom
        && info
            .printer_columns
            .iter()
            .any(|c| c.get("name").and_then(Value::as_str) == Some("Age")))
    {
        c.push(json!(age(o)));
    }
    c
}

/// A Table of `items`; `with_columns` false omits column definitions (watch
/// events after the first, as kube-apiserver does).
pub fn table_with(info: &ResourceInfo, items: &[Value], rv: &str, with_columns: bool) -> Value {
    let rows: Vec<Value> = items
        .iter()
        .map(|o| json!({"cells": cells(info, o), "object": o}))
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": if with_columns { Value::Array(columns(info)) } else { json!([]) },
        "rows": rows,
    })
}

/// A Table with column definitions.
pub fn table(info: &ResourceInfo, items: &[Value], rv: &str) -> Value {
    table_with(info, items, rv, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(150), "2m30s");
        assert_eq!(human_duration(3600 * 5 + 60), "5h1m");
        assert_eq!(human_duration(86_400 * 3), "3d");
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Some(1_700_000_000));
    }

    #[test]
    fn json_paths() {
        let o = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}, "spec": {"a": [1, 2]}});
        assert_eq!(
            json_path(&o, ".status.conditions[?(@.type==\"Ready\")].status"),
            json!("True")
        );
        assert_eq!(json_path(&o, ".spec.a[1]"), json!(2));
    }
}
