//! JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch.

use serde_json::{Map, Value};

/// How a list field merges, shared by strategic merge patch and server-side apply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ListKind {
    /// Associative list keyed by these fields (first is the SMP `patchMergeKey`).
    Map(&'static [&'static str]),
    /// Set of scalars (`metadata.finalizers`).
    Set,
    /// Replaced as a whole.
    Atomic,
}

/// The merge strategy of a list field, from the Kubernetes API types'
/// `patchMergeKey` / `listMapKeys` annotations. `builtin` is false for custom
/// resources, whose lists are atomic unless they are metadata lists.
pub fn list_kind(field: &str, items: &[Value], builtin: bool, in_metadata: bool) -> ListKind {
    match field {
        "finalizers" if in_metadata => return ListKind::Set,
        "ownerReferences" if in_metadata => return ListKind::Map(&["uid"]),
        "managedFields" if in_metadata => return ListKind::Atomic,
        _ => {}
    }
    if !builtin {
        return ListKind::Atomic;
    }
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => ListKind::Map(&["name"]),
        "volumeMounts" => ListKind::Map(&["mountPath"]),
        "volumeDevices" => ListKind::Map(&["devicePath"]),
        "hostAliases" => ListKind::Map(&["ip"]),
        "conditions" => ListKind::Map(&["type"]),
        "topologySpreadConstraints" => ListKind::Map(&["topologyKey", "whenUnsatisfiable"]),
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                ListKind::Map(&["containerPort", "protocol"])
            } else if items.iter().any(|i| i.get("port").is_some()) {
                ListKind::Map(&["port", "protocol"])
            } else {
                ListKind::Atomic
            }
        }
        _ => ListKind::Atomic,
    }
}

/// Errors from applying a patch; the caller maps them to 422/400.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PatchError {
    /// The patch document is malformed.
    #[error("{0}")]
    Invalid(String),
    /// A JSON patch `test` op failed or a path did not exist.
    #[error("{0}")]
    Failed(String),
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(pm) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(tm) = target {
        for (k, v) in pm {
            if v.is_null() {
                tm.remove(k);
            } else {
                merge_patch(tm.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

fn unescape(tok: &str) -> String {
    tok.replace("~1", "/").replace("~0", "~")
}

fn pointer_parts(path: &str) -> Result<Vec<String>, PatchError> {
    if path.is_empty() {
        return Ok(vec![]);
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| PatchError::Invalid(format!("invalid JSON pointer: {path}")))?;
    Ok(rest.split('/').map(unescape).collect())
}

fn parent_mut<'a>(
    doc: &'a mut Value,
    parts: &[String],
    path: &str,
) -> Result<&'a mut Value, PatchError> {
    let mut cur = doc;
    for p in &parts[..parts.len().saturating_sub(1)] {
        cur = match cur {
            Value::Object(m) => m.get_mut(p),
            Value::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| PatchError::Failed(format!("doc is missing path: \"{path}\"")))?;
    }
    Ok(cur)
}

fn remove_at(doc: &mut Value, path: &str) -> Result<Value, PatchError> {
    let parts = pointer_parts(path)?;
    let last = parts
        .last()
        .ok_or_else(|| PatchError::Failed("cannot remove the root".into()))?
        .clone();
    let parent = parent_mut(doc, &parts, path)?;
    let missing = || {
        PatchError::Failed(format!(
            "unable to remove nonexistent key: {last}: missing value"
        ))
    };
    match parent {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| missing())?;
            if i < a.len() {
                Ok(a.remove(i))
            } else {
                Err(missing())
            }
        }
        _ => Err(missing()),
    }
}

fn add_at(doc: &mut Value, path: &str, value: Value, replace: bool) -> Result<(), PatchError> {
    let parts = pointer_parts(path)?;
    let Some(last) = parts.last().cloned() else {
        *doc = value;
        return Ok(());
    };
    let parent = parent_mut(doc, &parts, path)?;
    match parent {
        Value::Object(m) => {
            if replace && !m.contains_key(&last) {
                return Err(PatchError::Failed(format!(
                    "replace operation does not apply: doc is missing key: {path}: missing value"
                )));
            }
            m.insert(last, value);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" && !replace {
                a.push(value);
                return Ok(());
            }
            let i: usize = last
                .parse()
                .map_err(|_| PatchError::Failed(format!("invalid array index: {last}")))?;
            if replace {
                let slot = a.get_mut(i).ok_or_else(|| {
                    PatchError::Failed(format!("replace operation does not apply: {path}"))
                })?;
                *slot = value;
            } else if i <= a.len() {
                a.insert(i, value);
            } else {
                return Err(PatchError::Failed(format!(
                    "add operation does not apply: index {i} out of bounds"
                )));
            }
            Ok(())
        }
        _ => Err(PatchError::Failed(format!(
            "doc is missing path: \"{path}\""
        ))),
    }
}

/// RFC 6902 JSON patch.
pub fn json_patch(doc: &mut Value, patch: &Value) -> Result<(), PatchError> {
    let ops = patch
        .as_array()
        .ok_or_else(|| PatchError::Invalid("json patch must be an array of operations".into()))?;
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| PatchError::Invalid(format!("operation missing path: {op}")))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| PatchError::Invalid(format!("operation missing value: {op}")))
        };
        let from = || {
            op.get("from")
                .and_then(Value::as_str)
                .ok_or_else(|| PatchError::Invalid(format!("operation missing from: {op}")))
        };
        match kind {
            "add" => add_at(doc, path, value()?, false)?,
            "replace" => add_at(doc, path, value()?, true)?,
            "remove" => {
                remove_at(doc, path)?;
            }
            "move" => {
                let v = remove_at(doc, from()?)?;
                add_at(doc, path, v, false)?;
            }
            "copy" => {
                let v = doc
                    .pointer(from()?)
                    .cloned()
                    .ok_or_else(|| PatchError::Failed(format!("copy from missing path {op}")))?;
                add_at(doc, path, v, false)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(PatchError::Failed(format!(
                        "testing value {path} failed: test failed"
                    )));
                }
            }
            other => {
                return Err(PatchError::Invalid(format!("Unexpected kind: {other}")));
            }
        }
    }
    Ok(())
}

fn item_matches(item: &Value, key: &str, want: &Value) -> bool {
    item.get(key) == Some(want)
}

/// Strategic merge patch for built-in kinds (`builtin` false treats lists as atomic,
/// but the server rejects SMP on custom resources before calling this).
pub fn strategic_merge(target: &mut Value, patch: &Value, builtin: bool) -> Result<(), PatchError> {
    smp_value(target, patch, builtin, false)
}

fn smp_value(
    target: &mut Value,
    patch: &Value,
    builtin: bool,
    in_meta_parent: bool,
) -> Result<(), PatchError> {
    let Value::Object(pm) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    if pm.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut p = patch.clone();
        strip_directives(&mut p);
        *target = p;
        return Ok(());
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(tm) = target else {
        return Ok(());
    };
    for (k, pv) in pm {
        if k.starts_with('$') {
            if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/")
                && let (Some(Value::Array(list)), Some(del)) = (tm.get_mut(field), pv.as_array())
            {
                list.retain(|x| !del.contains(x));
            }
            continue;
        }
        let in_metadata = k == "metadata";
        if pv.is_null() {
            tm.remove(k);
            continue;
        }
        match pv {
            Value::Object(_) => {
                if pv.get("$patch").and_then(Value::as_str) == Some("delete") {
                    tm.remove(k);
                    continue;
                }
                let slot = tm.entry(k.clone()).or_insert(Value::Null);
                if !slot.is_object() {
                    *slot = Value::Object(Map::new());
                }
                smp_value(slot, pv, builtin, in_metadata)?;
            }
            Value::Array(items) => {
                let orig = tm
                    .get(k)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut all = orig.clone();
                all.extend(items.iter().cloned());
                let in_md = in_meta_parent && (k == "finalizers" || k == "ownerReferences");
                let merged = match list_kind(k, &all, builtin, in_md) {
                    ListKind::Map(keys) => merge_keyed(orig, items, keys[0], builtin)?,
                    ListKind::Set => {
                        let mut out = orig;
                        for i in items {
                            if !out.contains(i) {
                                out.push(i.clone());
                            }
                        }
                        out
                    }
                    ListKind::Atomic => {
                        let mut p = Value::Array(items.clone());
                        strip_directives(&mut p);
                        match p {
                            Value::Array(a) => a,
                            _ => vec![],
                        }
                    }
                };
                tm.insert(k.clone(), Value::Array(merged));
            }
            _ => {
                tm.insert(k.clone(), pv.clone());
            }
        }
    }
    // Ordering directives from `kubectl apply`: reorder merged lists.
    for (k, pv) in pm {
        if let Some(field) = k.strip_prefix("$setElementOrder/")
            && let (Some(Value::Array(list)), Some(order)) = (tm.get_mut(field), pv.as_array())
        {
            reorder(list, order);
        }
    }
    if let Some(Value::Array(keep)) = pm.get("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        tm.retain(|k, _| keep.contains(&k.as_str()));
    }
    Ok(())
}

fn reorder(list: &mut [Value], order: &[Value]) {
    let pos = |item: &Value| -> usize {
        order
            .iter()
            .position(|o| match o {
                Value::Object(om) => om.iter().all(|(k, v)| item.get(k) == Some(v)),
                other => other == item,
            })
            .unwrap_or(usize::MAX)
    };
    list.sort_by_key(pos);
}

fn merge_keyed(
    mut orig: Vec<Value>,
    items: &[Value],
    key: &str,
    builtin: bool,
) -> Result<Vec<Value>, PatchError> {
    for item in items {
        let directive = item.get("$patch").and_then(Value::as_str);
        if directive == Some("replace") {
            let mut p = Value::Array(
                items
                    .iter()
                    .filter(|i| i.get("$patch").is_none())
                    .cloned()
                    .collect(),
            );
            strip_directives(&mut p);
            return Ok(match p {
                Value::Array(a) => a,
                _ => vec![],
            });
        }
        let Some(kv) = item.get(key) else {
            return Err(PatchError::Invalid(format!(
                "map: {item} does not contain declared merge key: {key}"
            )));
        };
        let pos = orig.iter().position(|o| item_matches(o, key, kv));
        if directive == Some("delete") {
            if let Some(p) = pos {
                orig.remove(p);
            }
            continue;
        }
        match pos {
            Some(p) => smp_value(&mut orig[p], item, builtin, false)?,
            None => {
                let mut v = Value::Object(Map::new());
                smp_value(&mut v, item, builtin, false)?;
                orig.push(v);
            }
        }
    }
    Ok(orig)
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with('$'));
            for x in m.values_mut() {
                strip_directives(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_patch_deletes_nulls() {
        let mut t = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut t, &json!({"a": null, "b": {"c": 5}}));
        assert_eq!(t, json!({"b": {"c": 5, "d": 3}}));
    }

    #[test]
    fn json_patch_ops() {
        let mut t = json!({"a": [1, 2], "b": {"x/y": 1}});
        json_patch(
            &mut t,
            &json!([
                {"op": "add", "path": "/a/-", "value": 3},
                {"op": "replace", "path": "/b/x~1y", "value": 2},
                {"op": "test", "path": "/a/0", "value": 1},
                {"op": "remove", "path": "/a/1"},
                {"op": "copy", "from": "/a/0", "path": "/c"},
            ]),
        )
        .unwrap();
        assert_eq!(t, json!({"a": [1, 3], "b": {"x/y": 2}, "c": 1}));
        assert!(json_patch(&mut t, &json!([{"op": "remove", "path": "/zz"}])).is_err());
        assert!(json_patch(&mut t, &json!([{"op": "test", "path": "/c", "value": 9}])).is_err());
    }

    #[test]
    fn strategic_merges_containers_by_name() {
        let mut t = json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "image": "b:1"}
        ]}});
        strategic_merge(
            &mut t,
            &json!({"spec": {"containers": [
                {"name": "a", "env": [{"name": "Y", "value": "2"}]},
                {"name": "b", "$patch": "delete"},
                {"name": "c", "image": "c:1"}
            ]}}),
            true,
        )
        .unwrap();
        assert_eq!(
            t,
            json!({"spec": {"containers": [
                {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
                {"name": "c", "image": "c:1"}
            ]}})
        );
    }

    #[test]
    fn strategic_set_element_order_and_retain_keys() {
        let mut t = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}], "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
        strategic_merge(
            &mut t,
            &json!({"spec": {
                "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                "containers": [{"name": "b", "image": "x"}],
                "strategy": {"$retainKeys": ["type"], "type": "Recreate"}
            }}),
            true,
        )
        .unwrap();
        assert_eq!(
            t,
            json!({"spec": {"containers": [{"name": "b", "image": "x"}, {"name": "a"}], "strategy": {"type": "Recreate"}}})
        );
    }
}
