//! The printable side of a diff: objects without server-managed noise, Secret
//! values masked, rendered as YAML with sorted keys, and a unified line diff.
//!
//! Masking follows `kubectl diff`: every value under a Secret's `data` and
//! `stringData` is replaced by `***`, and a value that changes shows as
//! `*** (before)` / `*** (after)`, so a reader sees which keys change but never
//! what they hold.

use base64::Engine;
use serde_json::{Map, Value};

/// Metadata fields the API server maintains; they change on every write and say
/// nothing about the configuration.
const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
];

/// Annotations that can carry a whole copy of the object (a Secret's values).
const COPY_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// The mask of a Secret value.
pub const MASK: &str = "***";

/// `obj` without status and server-managed metadata, keys sorted, so two reads of
/// the same configuration compare and print alike.
pub fn clean(obj: &Value) -> Value {
    let mut obj = obj.clone();
    if let Some(map) = obj.as_object_mut() {
        map.remove("status");
    }
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in SERVER_METADATA {
            meta.remove(*k);
        }
    }
    sorted(&obj)
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                if let Some(value) = map.get(k) {
                    out.insert(k.clone(), sorted(value));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Whether `obj` is a core `Secret`.
pub fn is_secret(obj: &Value) -> bool {
    obj.get("kind").and_then(Value::as_str) == Some("Secret")
        && obj.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// A Secret's values as the API server stores them: `stringData` folded into
/// `data` (base64), so a rendered `stringData` compares with the live `data`.
fn folded_data(obj: &Value) -> Map<String, Value> {
    let mut data = obj
        .get("data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(string_data) = obj.get("stringData").and_then(Value::as_object) {
        let engine = base64::engine::general_purpose::STANDARD;
        for (k, v) in string_data {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            data.insert(k.clone(), Value::String(engine.encode(text)));
        }
    }
    data
}

/// Masks the values of a Secret (either side may be absent: create or delete).
/// Non-Secrets are left alone. After masking no Secret value remains anywhere in
/// either object.
pub fn mask_secrets(before: Option<&mut Value>, after: Option<&mut Value>) {
    let secret =
        before.as_deref().is_some_and(is_secret) || after.as_deref().is_some_and(is_secret);
    if !secret {
        return;
    }
    let before_data = before.as_deref().map(folded_data).unwrap_or_default();
    let after_data = after.as_deref().map(folded_data).unwrap_or_default();
    let mask_side =
        |obj: &mut Value, own: &Map<String, Value>, other: &Map<String, Value>, tag: &str| {
            let Some(map) = obj.as_object_mut() else {
                return;
            };
            map.remove("stringData");
            if !own.is_empty() || map.contains_key("data") {
                // Sorted like the rest of the object (`stringData` keys were appended).
                let masked: std::collections::BTreeMap<String, Value> = own
                    .iter()
                    .map(|(k, v)| {
                        let changed = other.get(k).is_some_and(|o| o != v);
                        let text = if changed {
                            format!("{MASK} ({tag})")
                        } else {
                            MASK.to_string()
                        };
                        (k.clone(), Value::String(text))
                    })
                    .collect();
                map.insert("data".into(), Value::Object(masked.into_iter().collect()));
            }
            if let Some(annotations) = map
                .get_mut("metadata")
                .and_then(|m| m.get_mut("annotations"))
                .and_then(Value::as_object_mut)
            {
                for a in COPY_ANNOTATIONS {
                    if let Some(v) = annotations.get_mut(*a) {
                        *v = Value::String(MASK.into());
                    }
                }
            }
        };
    if let Some(b) = before {
        mask_side(b, &before_data, &after_data, "before");
    }
    if let Some(a) = after {
        mask_side(a, &after_data, &before_data, "after");
    }
}

/// YAML with sorted keys (the input should come from [`clean`]).
pub fn to_yaml(v: &Value) -> String {
    serde_saphyr::to_string(v).unwrap_or_else(|_| format!("{v:#}\n"))
}

/// The unified diff of two objects (either may be absent), Secret values masked,
/// with `---`/`+++` headers. Empty when they print alike.
pub fn object_diff(
    before: Option<&Value>,
    after: Option<&Value>,
    before_label: &str,
    after_label: &str,
) -> String {
    let mut b = before.map(clean);
    let mut a = after.map(clean);
    mask_secrets(b.as_mut(), a.as_mut());
    let bt = b.as_ref().map(to_yaml).unwrap_or_default();
    let at = a.as_ref().map(to_yaml).unwrap_or_default();
    let hunks = unified_diff(&bt, &at, 3);
    if hunks.is_empty() {
        return String::new();
    }
    format!("--- {before_label}\n+++ {after_label}\n{hunks}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// Largest middle part (after common prefix and suffix) diffed line by line; a
/// larger one is shown as removed and added whole, bounding memory.
const MAX_LCS_CELLS: usize = 4_000_000;

fn edit_script<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<(Op, &'a str)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<(Op, &str)> = a[..prefix].iter().map(|l| (Op::Same, *l)).collect();
    let (n, m) = (am.len(), bm.len());
    if (n + 1).saturating_mul(m + 1) > MAX_LCS_CELLS {
        ops.extend(am.iter().map(|l| (Op::Del, *l)));
        ops.extend(bm.iter().map(|l| (Op::Add, *l)));
    } else {
        // lcs[i][j]: longest common subsequence of am[i..] and bm[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                ops.push((Op::Same, am[i]));
                i += 1;
                j += 1;
            } else if j == m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                ops.push((Op::Del, am[i]));
                i += 1;
            } else {
                ops.push((Op::Add, bm[j]));
                j += 1;
            }
        }
    }
    ops.extend(a[a.len() - suffix..].iter().map(|l| (Op::Same, *l)));
    ops
}

/// The hunks (`@@ -l,n +l,n @@` and lines) of a unified diff of two texts, with
/// `context` lines around each change; empty when the texts are equal.
pub fn unified_diff(before: &str, after: &str, context: usize) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let ops = edit_script(&a, &b);
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (op, _))| *op != Op::Same)
        .map(|(i, _)| i)
        .collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changed.len() {
        // Extend the hunk while the next change is within 2*context lines.
        let start = changed[k].saturating_sub(context);
        let mut last = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * context + 1 {
            k += 1;
            last = changed[k];
        }
        let end = (last + context + 1).min(ops.len());
        // Line numbers (1-based) of the hunk's first line on each side.
        let before_line = 1 + ops[..start].iter().filter(|(op, _)| *op != Op::Add).count();
        let after_line = 1 + ops[..start].iter().filter(|(op, _)| *op != Op::Del).count();
        let hunk = &ops[start..end];
        let before_len = hunk.iter().filter(|(op, _)| *op != Op::Add).count();
        let after_len = hunk.iter().filter(|(op, _)| *op != Op::Del).count();
        // As GNU diff: an empty side is numbered by the line before it.
        let range = |line: usize, len: usize| {
            if len == 0 {
                format!("{},0", line - 1)
            } else {
                format!("{line},{len}")
            }
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(before_line, before_len),
            range(after_line, after_len)
        ));
        for (op, line) in hunk {
            let sign = match op {
                Op::Same => ' ',
                Op::Del => '-',
                Op::Add => '+',
            };
            out.push(sign);
            out.push_str(line);
            out.push('\n');
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unified_diff_has_gnu_hunks() {
        let a = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let b = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n";
        assert_eq!(
            unified_diff(a, b, 2),
            "@@ -2,5 +2,5 @@\n b\n c\n-d\n+D\n e\n f\n@@ -9,2 +9,3 @@\n i\n j\n+k\n"
        );
        assert_eq!(unified_diff(a, a, 3), "");
        assert_eq!(unified_diff("", "x\ny\n", 3), "@@ -0,0 +1,2 @@\n+x\n+y\n");
        assert_eq!(unified_diff("x\n", "", 3), "@@ -1,1 +0,0 @@\n-x\n");
    }

    #[test]
    fn close_changes_share_a_hunk() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let b = "1\nX\n3\n4\n5\n6\nY\n8\n";
        let d = unified_diff(a, b, 2);
        assert_eq!(d.matches("@@").count(), 2, "{d}");
        assert!(d.starts_with("@@ -1,8 +1,8 @@\n"), "{d}");
    }

    #[test]
    fn noise_is_removed_and_keys_sorted() {
        let live = json!({"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": {"name": "c", "uid": "u", "resourceVersion": "7", "generation": 2,
                         "creationTimestamp": "t", "managedFields": [{}], "labels": {"b": "1", "a": "2"}},
            "status": {"x": 1}, "data": {"k": "v"}});
        let c = clean(&live);
        assert_eq!(
            to_yaml(&c),
            "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  labels:\n    a: \"2\"\n    b: \"1\"\n  name: c\n"
        );
    }

    #[test]
    fn secret_values_never_appear() {
        let engine = base64::engine::general_purpose::STANDARD;
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"same\":\"c2FtZXZhbHVl\"}}"}},
            "data": {"same": engine.encode("samevalue"), "old": engine.encode("oldvalue"), "gone": engine.encode("gonevalue")}});
        let desired = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"same": engine.encode("samevalue"), "old": engine.encode("newvalue")},
            "stringData": {"added": "addedvalue"}});
        let d = object_diff(Some(&live), Some(&desired), "live", "run");
        for secret in [
            "samevalue",
            "oldvalue",
            "gonevalue",
            "newvalue",
            "addedvalue",
        ] {
            assert!(!d.contains(secret), "{d}");
            assert!(!d.contains(&engine.encode(secret)), "{d}");
        }
        assert!(d.contains("-  old: \"*** (before)\""), "{d}");
        assert!(d.contains("+  old: \"*** (after)\""), "{d}");
        assert!(d.contains("+  added: \"***\""), "{d}");
        assert!(d.contains("-  gone: \"***\""), "{d}");
        assert!(d.contains("   same: \"***\""), "{d}");
        assert!(!d.contains("c2FtZXZhbHVl"), "{d}");
        // A create: every value masked, nothing to compare with.
        let created = object_diff(None, Some(&desired), "/dev/null", "run");
        assert!(!created.contains("newvalue") && !created.contains("addedvalue"));
        assert!(created.contains("+  added: \"***\""), "{created}");
    }

    #[test]
    fn equal_objects_have_no_diff() {
        let a = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "1"}});
        let b = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": "2", "name": "c"}});
        assert_eq!(object_diff(Some(&a), Some(&b), "x", "y"), "");
    }

    #[test]
    fn large_rewrites_are_bounded() {
        let a: String = (0..3000).map(|i| format!("a{i}\n")).collect();
        let b: String = (0..3000).map(|i| format!("b{i}\n")).collect();
        let d = unified_diff(&a, &b, 3);
        assert_eq!(d.lines().filter(|l| l.starts_with('-')).count(), 3000);
        assert_eq!(d.lines().filter(|l| l.starts_with('+')).count(), 3000);
    }
}
