//! Server-side apply: field sets in the `FieldsV1` format, ownership per
//! manager, conflicts, and removal of fields a manager stops applying.
//!
//! A field set is a set of paths; each path element is a `FieldsV1` key:
//! `f:<field>`, `k:<json of the merge keys>` for an associative list item, or
//! `v:<json value>` for a set item. A path that ends in a `k:` element stands
//! for the item itself (the `"."` entry in `FieldsV1`).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::{
    patch::{ListKind, list_kind},
    util::now_rfc3339,
};

/// A path of `FieldsV1` keys.
pub type Path = Vec<String>;
/// A set of owned paths.
pub type FieldSet = BTreeSet<Path>;

// Metadata fields the server owns; they never appear in managedFields.
const SERVER_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
    "generateName",
];

/// What the SSA code needs to know about the target resource.
#[derive(Debug, Clone, Copy)]
pub struct Schema<'a> {
    /// Built-in kinds have associative lists from a table of merge keys.
    pub builtin: bool,
    /// Status is a subresource: main-resource writes do not own status, and
    /// `/status` writes own only status.
    pub status_subresource: bool,
    /// For custom resources: the CRD's `openAPIV3Schema`, whose
    /// `x-kubernetes-list-type`/`x-kubernetes-list-map-keys` decide list merging.
    pub openapi: Option<&'a Value>,
}

/// How a list merges, with owned keys (schemas supply them at runtime).
enum Kind {
    Map(Vec<String>),
    Set,
    Atomic,
}

fn kind_of(
    field: &str,
    items: &[Value],
    builtin: bool,
    in_meta: bool,
    node: Option<&Value>,
) -> Kind {
    if builtin || in_meta {
        return match list_kind(field, items, builtin, in_meta) {
            ListKind::Map(keys) => Kind::Map(keys.iter().map(|k| (*k).to_string()).collect()),
            ListKind::Set => Kind::Set,
            ListKind::Atomic => Kind::Atomic,
        };
    }
    match node
        .and_then(|n| n.get("x-kubernetes-list-type"))
        .and_then(Value::as_str)
    {
        Some("map") => Kind::Map(
            node.and_then(|n| n.get("x-kubernetes-list-map-keys"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Some("set") => Kind::Set,
        _ => Kind::Atomic,
    }
}

/// The schema of field `k` inside an object schema.
fn child<'a>(node: Option<&'a Value>, k: &str) -> Option<&'a Value> {
    let n = node?;
    n.get("properties")
        .and_then(|p| p.get(k))
        .or_else(|| n.get("additionalProperties").filter(|a| a.is_object()))
}

fn items_of(node: Option<&Value>) -> Option<&Value> {
    node.and_then(|n| n.get("items"))
}

/// The fields set in `obj`, for the given subresource ("" or "status").
pub fn fields_of(obj: &Value, schema: Schema, subresource: &str) -> FieldSet {
    let mut out = FieldSet::new();
    let Value::Object(m) = obj else { return out };
    for (k, v) in m {
        if k == "apiVersion" || k == "kind" {
            continue;
        }
        if schema.status_subresource {
            let is_status = k == "status";
            if is_status != (subresource == "status") {
                continue;
            }
        }
        let mut path = vec![format!("f:{k}")];
        if k == "metadata" {
            if let Value::Object(mm) = v {
                for (mk, mv) in mm {
                    if SERVER_META.contains(&mk.as_str()) {
                        continue;
                    }
                    path.push(format!("f:{mk}"));
                    walk(mv, mk, schema.builtin, true, None, &mut path, &mut out);
                    path.pop();
                }
            }
            continue;
        }
        walk(
            v,
            k,
            schema.builtin,
            false,
            child(schema.openapi, k),
            &mut path,
            &mut out,
        );
        path.pop();
    }
    out
}

/// The `k:` element for an item of an associative list.
pub fn item_key<S: AsRef<str>>(item: &Value, keys: &[S]) -> String {
    let mut m = Map::new();
    let mut sorted: Vec<&str> = keys.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    for k in sorted {
        if let Some(v) = item.get(k) {
            m.insert(k.to_string(), v.clone());
        }
    }
    format!("k:{}", Value::Object(m))
}

fn walk(
    v: &Value,
    field: &str,
    builtin: bool,
    in_meta: bool,
    node: Option<&Value>,
    path: &mut Path,
    out: &mut FieldSet,
) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, cv) in m {
                path.push(format!("f:{k}"));
                walk(cv, k, builtin, false, child(node, k), path, out);
                path.pop();
            }
        }
        Value::Array(items) => match kind_of(field, items, builtin, in_meta, node) {
            Kind::Map(keys) => {
                let inode = items_of(node);
                for item in items {
                    path.push(item_key(item, &keys));
                    out.insert(path.clone());
                    if let Value::Object(im) = item {
                        for (k, cv) in im {
                            path.push(format!("f:{k}"));
                            walk(cv, k, builtin, false, child(inode, k), path, out);
                            path.pop();
                        }
                    }
                    path.pop();
                }
                if items.is_empty() {
                    out.insert(path.clone());
                }
            }
            Kind::Set => {
                for item in items {
                    path.push(format!("v:{item}"));
                    out.insert(path.clone());
                    path.pop();
                }
                if items.is_empty() {
                    out.insert(path.clone());
                }
            }
            Kind::Atomic => {
                out.insert(path.clone());
            }
        },
        _ => {
            out.insert(path.clone());
        }
    }
}

/// Converts a field set to the `FieldsV1` JSON tree.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut cur = &mut root;
        for (i, el) in path.iter().enumerate() {
            let node = cur
                .entry(el.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(nm) = node else { break };
            cur = nm;
            if i == path.len() - 1 && el.starts_with("k:") {
                cur.insert(".".into(), json!({}));
            }
        }
    }
    // An item node with only "." is just the item itself: `{}` in kube output
    // would also be accepted, but "." mirrors what kube-apiserver writes.
    Value::Object(root)
}

/// Parses a `FieldsV1` JSON tree.
pub fn from_fields_v1(v: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    let mut path = Vec::new();
    parse_node(v, &mut path, &mut out);
    out
}

fn parse_node(v: &Value, path: &mut Path, out: &mut FieldSet) {
    let Value::Object(m) = v else { return };
    if m.is_empty() {
        if !path.is_empty() {
            out.insert(path.clone());
        }
        return;
    }
    for (k, cv) in m {
        if k == "." {
            out.insert(path.clone());
            continue;
        }
        path.push(k.clone());
        parse_node(cv, path, out);
        path.pop();
    }
}

/// Human form of a path, as conflict messages print it: `.spec.containers[name="a"].image`.
pub fn display_path(path: &Path) -> String {
    let mut s = String::new();
    for el in path {
        if let Some(f) = el.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = el.strip_prefix("k:") {
            let inner: Value = serde_json::from_str(k).unwrap_or(Value::Null);
            let parts: Vec<String> = inner
                .as_object()
                .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            s.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(v) = el.strip_prefix("v:") {
            s.push_str(&format!("[={v}]"));
        }
    }
    s
}

fn find_item<'a>(items: &'a [Value], key: &str) -> Option<(usize, &'a Value)> {
    let want: Value = serde_json::from_str(key).ok()?;
    let want = want.as_object()?;
    items
        .iter()
        .enumerate()
        .find(|(_, it)| want.iter().all(|(k, v)| it.get(k) == Some(v)))
}

/// The value at a path, if present.
pub fn value_at<'a>(obj: &'a Value, path: &Path) -> Option<&'a Value> {
    let mut cur = obj;
    for el in path {
        cur = if let Some(f) = el.strip_prefix("f:") {
            cur.get(f)?
        } else if let Some(k) = el.strip_prefix("k:") {
            find_item(cur.as_array()?, k)?.1
        } else if let Some(v) = el.strip_prefix("v:") {
            let want: Value = serde_json::from_str(v).ok()?;
            cur.as_array()?.iter().find(|x| **x == want)?
        } else {
            return None;
        };
    }
    Some(cur)
}

/// Removes the value at a path; returns whether something was removed.
pub fn remove_at(obj: &mut Value, path: &Path) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut cur = obj;
    for el in parents {
        let next = if let Some(f) = el.strip_prefix("f:") {
            cur.get_mut(f)
        } else if let Some(k) = el.strip_prefix("k:") {
            let idx = cur.as_array().and_then(|a| find_item(a, k)).map(|(i, _)| i);
            match (idx, cur.as_array_mut()) {
                (Some(i), Some(a)) => a.get_mut(i),
                _ => None,
            }
        } else {
            None
        };
        match next {
            Some(n) => cur = n,
            None => return false,
        }
    }
    if let Some(f) = last.strip_prefix("f:") {
        cur.as_object_mut().and_then(|m| m.remove(f)).is_some()
    } else if let Some(k) = last.strip_prefix("k:") {
        let idx = cur.as_array().and_then(|a| find_item(a, k)).map(|(i, _)| i);
        match (idx, cur.as_array_mut()) {
            (Some(i), Some(a)) => {
                a.remove(i);
                true
            }
            _ => false,
        }
    } else if let Some(v) = last.strip_prefix("v:") {
        let want: Value = serde_json::from_str(v).unwrap_or(Value::Null);
        match cur.as_array_mut() {
            Some(a) => {
                let before = a.len();
                a.retain(|x| *x != want);
                a.len() != before
            }
            None => false,
        }
    } else {
        false
    }
}

/// Removes a path and then any parent map or list it left empty, as
/// structured-merge-diff does when it removes fields.
fn remove_and_prune(obj: &mut Value, path: &Path) -> bool {
    if !remove_at(obj, path) {
        return false;
    }
    let mut parent = path.clone();
    parent.pop();
    while !parent.is_empty() {
        let empty = match value_at(obj, &parent) {
            Some(Value::Object(m)) => m.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if !empty || !remove_at(obj, &parent) {
            break;
        }
        parent.pop();
    }
    true
}

/// Merges an applied configuration into the live object: maps recursively,
/// associative lists by key, sets by value, everything else replaced.
pub fn merge_applied(live: &mut Value, applied: &Value, schema: Schema<'_>) {
    merge_inner(live, applied, schema.builtin, "", false, schema.openapi);
}

fn merge_inner(
    live: &mut Value,
    applied: &Value,
    builtin: bool,
    field: &str,
    in_meta: bool,
    node: Option<&Value>,
) {
    match applied {
        Value::Object(am) => {
            if !live.is_object() {
                *live = Value::Object(Map::new());
            }
            if let Value::Object(lm) = live {
                for (k, av) in am {
                    let slot = lm.entry(k.clone()).or_insert(Value::Null);
                    let cnode = if field.is_empty() && k == "metadata" {
                        None
                    } else {
                        child(node, k)
                    };
                    merge_inner(slot, av, builtin, k, field == "metadata", cnode);
                }
            }
        }
        Value::Array(items) => {
            let kind = kind_of(field, items, builtin, in_meta, node);
            match (kind, live.as_array_mut()) {
                (Kind::Map(keys), Some(la)) => {
                    let inode = items_of(node);
                    for item in items {
                        let key = item_key(item, &keys);
                        let key = key.trim_start_matches("k:");
                        match find_item(la, key).map(|(i, _)| i) {
                            Some(i) => merge_inner(&mut la[i], item, builtin, "", false, inode),
                            None => la.push(item.clone()),
                        }
                    }
                }
                (Kind::Set, Some(la)) => {
                    for item in items {
                        if !la.contains(item) {
                            la.push(item.clone());
                        }
                    }
                }
                _ => *live = applied.clone(),
            }
        }
        _ => *live = applied.clone(),
    }
}

/// One `managedFields` entry, parsed.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Field manager name.
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    /// apiVersion the manager used.
    pub api_version: String,
    /// Last change time.
    pub time: String,
    /// "" or "status".
    pub subresource: String,
    /// Owned fields.
    pub set: FieldSet,
}

/// Reads `metadata.managedFields`.
pub fn entries_of(obj: &Value) -> Vec<Entry> {
    obj.get("metadata")
        .and_then(|m| m.get("managedFields"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|e| {
                    let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    Entry {
                        manager: s("manager"),
                        operation: s("operation"),
                        api_version: s("apiVersion"),
                        time: s("time"),
                        subresource: s("subresource"),
                        set: e.get("fieldsV1").map(from_fields_v1).unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Renders entries back into `managedFields` (empty sets dropped).
pub fn entries_to_value(entries: &[Entry]) -> Value {
    Value::Array(
        entries
            .iter()
            .filter(|e| !e.set.is_empty())
            .map(|e| {
                let mut v = json!({
                    "manager": e.manager,
                    "operation": e.operation,
                    "apiVersion": e.api_version,
                    "time": e.time,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": to_fields_v1(&e.set),
                });
                if !e.subresource.is_empty() {
                    v["subresource"] = json!(e.subresource);
                }
                v
            })
            .collect(),
    )
}

fn is_prefix(a: &Path, b: &Path) -> bool {
    a.len() <= b.len() && b[..a.len()] == a[..]
}

/// A manager as kube-apiserver names it in conflict messages: `"name"`, plus
/// ` with subresource "status"` and, for Update operations, ` using
/// apps/v1 at <time>`.
pub fn describe_manager(e: &Entry) -> String {
    let mut s = format!("{:?}", e.manager);
    if !e.subresource.is_empty() {
        s.push_str(&format!(" with subresource {:?}", e.subresource));
    }
    if e.operation == "Update" {
        s.push_str(&format!(" using {}", e.api_version));
        if !e.time.is_empty() {
            s.push_str(&format!(" at {}", e.time));
        }
    }
    s
}

/// The identity of an operation for ownership.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// Field manager.
    pub manager: &'a str,
    /// apiVersion of the request.
    pub api_version: &'a str,
    /// "" or "status".
    pub subresource: &'a str,
}

/// Server-side apply of `applied` onto `live` (None when creating).
/// Returns the merged object with updated managedFields, or the conflicts
/// as (manager, field path) pairs.
pub fn apply(
    live: Option<&Value>,
    applied: &Value,
    actor: Actor<'_>,
    force: bool,
    schema: Schema,
) -> Result<Value, Vec<(String, String)>> {
    let base = live.cloned().unwrap_or_else(|| json!({}));
    let mut entries = entries_of(&base);
    let new_set = fields_of(applied, schema, actor.subresource);
    let mine = |e: &Entry| {
        e.manager == actor.manager && e.operation == "Apply" && e.subresource == actor.subresource
    };
    let mut conflicts: Vec<(String, Path)> = Vec::new();
    for e in entries.iter().filter(|e| !mine(e)) {
        for p in new_set.intersection(&e.set) {
            if p.last().is_some_and(|l| l.starts_with("k:")) {
                continue;
            }
            if value_at(&base, p) != value_at(applied, p) {
                conflicts.push((describe_manager(e), p.clone()));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts
            .into_iter()
            .map(|(m, p)| (m, display_path(&p)))
            .collect());
    }
    for (m, p) in &conflicts {
        for e in entries.iter_mut().filter(|e| describe_manager(e) == *m) {
            e.set.remove(p);
        }
    }
    let prev: FieldSet = entries
        .iter()
        .filter(|e| mine(e))
        .flat_map(|e| e.set.iter().cloned())
        .collect();
    let mut obj = base.clone();
    let mut dropped: Vec<&Path> = prev.difference(&new_set).collect();
    // Shallowest first; fields inside a removed item or map go with it (they
    // could no longer be addressed once their list item key is gone).
    dropped.sort_by_key(|p| p.len());
    let mut removed: Vec<&Path> = Vec::new();
    for p in dropped {
        if removed.iter().any(|q| is_prefix(q, p)) {
            continue;
        }
        let owned_elsewhere = entries
            .iter()
            .filter(|e| !mine(e))
            .any(|e| e.set.iter().any(|q| is_prefix(p, q)));
        let still_applied = new_set.iter().any(|q| is_prefix(p, q));
        if !owned_elsewhere && !still_applied && remove_and_prune(&mut obj, p) {
            removed.push(p);
        }
    }
    let mut applied_part = applied.clone();
    if schema.status_subresource
        && let Value::Object(m) = &mut applied_part
    {
        if actor.subresource == "status" {
            m.retain(|k, _| k == "status" || k == "apiVersion" || k == "kind" || k == "metadata");
        } else {
            m.remove("status");
        }
    }
    merge_applied(&mut obj, &applied_part, schema);
    let now = now_rfc3339();
    entries.retain(|e| !mine(e));
    entries.push(Entry {
        manager: actor.manager.to_string(),
        operation: "Apply".into(),
        api_version: actor.api_version.to_string(),
        time: now,
        subresource: actor.subresource.to_string(),
        set: new_set,
    });
    prune_missing(&mut entries, &obj);
    crate::util::meta_mut(&mut obj).insert("managedFields".into(), entries_to_value(&entries));
    Ok(obj)
}

fn prune_missing(entries: &mut [Entry], obj: &Value) {
    for e in entries.iter_mut() {
        e.set.retain(|p| value_at(obj, p).is_some());
    }
}

/// Ownership bookkeeping for a non-apply write (create, update, patch):
/// the writer takes every field it changed, without conflicts.
pub fn track_update(old: Option<&Value>, new: &mut Value, actor: Actor<'_>, schema: Schema) {
    let old_mf = old
        .and_then(|o| o.get("metadata"))
        .and_then(|m| m.get("managedFields"));
    let new_mf = new.get("metadata").and_then(|m| m.get("managedFields"));
    // A client may rewrite managedFields (kubectl does when migrating from
    // client-side to server-side apply); a non-empty list it sends replaces
    // the stored one, and `[{}]` clears it, as in kube-apiserver.
    let mut entries = match new_mf {
        Some(Value::Array(a)) if !a.is_empty() && Some(&Value::Array(a.clone())) != old_mf => {
            entries_of(new)
                .into_iter()
                .filter(|e| !e.manager.is_empty())
                .collect()
        }
        _ => old.map(entries_of).unwrap_or_default(),
    };
    let new_fields = fields_of(new, schema, actor.subresource);
    let changed: FieldSet = new_fields
        .into_iter()
        .filter(|p| match old {
            None => true,
            Some(o) => value_at(o, p) != value_at(new, p),
        })
        .collect();
    for e in entries.iter_mut() {
        for p in &changed {
            e.set.remove(p);
        }
    }
    let idx = entries.iter().position(|e| {
        e.manager == actor.manager && e.operation == "Update" && e.subresource == actor.subresource
    });
    if !changed.is_empty() {
        let now = now_rfc3339();
        match idx {
            Some(i) => {
                entries[i].set.extend(changed);
                entries[i].time = now;
                entries[i].api_version = actor.api_version.to_string();
            }
            None => entries.push(Entry {
                manager: actor.manager.to_string(),
                operation: "Update".into(),
                api_version: actor.api_version.to_string(),
                time: now,
                subresource: actor.subresource.to_string(),
                set: changed,
            }),
        }
    }
    prune_missing(&mut entries, new);
    crate::util::meta_mut(new).insert("managedFields".into(), entries_to_value(&entries));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTIN: Schema<'static> = Schema {
        builtin: true,
        status_subresource: true,
        openapi: None,
    };

    fn actor(m: &str) -> Actor<'_> {
        Actor {
            manager: m,
            api_version: "apps/v1",
            subresource: "",
        }
    }

    #[test]
    fn fields_v1_round_trip() {
        let obj = json!({"metadata": {"name": "x", "labels": {"a": "1"}, "finalizers": ["f"]},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}}});
        let set = fields_of(&obj, BUILTIN, "");
        let v1 = to_fields_v1(&set);
        assert_eq!(
            v1["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"c\"}"]["f:ports"]["k:{\"containerPort\":80,\"protocol\":\"TCP\"}"]
                ["."],
            json!({})
        );
        assert_eq!(v1["f:metadata"]["f:finalizers"]["v:\"f\""], json!({}));
        assert!(v1["f:metadata"].get("f:name").is_none());
        assert_eq!(from_fields_v1(&v1), set);
    }

    #[test]
    fn conflicts_force_and_removal() {
        let a1 = json!({"spec": {"replicas": 1, "paused": false}});
        let o = apply(None, &a1, actor("a"), false, BUILTIN).unwrap();
        // Same value: shared ownership, no conflict.
        let o = apply(
            Some(&o),
            &json!({"spec": {"replicas": 1}}),
            actor("b"),
            false,
            BUILTIN,
        )
        .unwrap();
        let err = apply(
            Some(&o),
            &json!({"spec": {"replicas": 2}}),
            actor("b"),
            false,
            BUILTIN,
        )
        .unwrap_err();
        assert_eq!(
            err,
            vec![("\"a\"".to_string(), ".spec.replicas".to_string())]
        );
        let o = apply(
            Some(&o),
            &json!({"spec": {"replicas": 2}}),
            actor("b"),
            true,
            BUILTIN,
        )
        .unwrap();
        assert_eq!(o["spec"]["replicas"], json!(2));
        // "a" stops applying paused: it is removed; replicas now belongs to b.
        let o = apply(Some(&o), &json!({}), actor("a"), false, BUILTIN).unwrap();
        assert_eq!(o["spec"], json!({"replicas": 2}));
        let managers: Vec<&str> = o["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["manager"].as_str().unwrap())
            .collect();
        assert_eq!(managers, vec!["b"]);
    }

    #[test]
    fn associative_lists_merge_and_shrink() {
        let a = json!({"spec": {"containers": [{"name": "x", "image": "1"}, {"name": "y", "image": "2"}]}});
        let o = apply(None, &a, actor("a"), false, BUILTIN).unwrap();
        let o = apply(
            Some(&o),
            &json!({"spec": {"containers": [{"name": "z", "image": "3"}]}}),
            actor("b"),
            false,
            BUILTIN,
        )
        .unwrap();
        assert_eq!(o["spec"]["containers"].as_array().unwrap().len(), 3);
        let o = apply(
            Some(&o),
            &json!({"spec": {"containers": [{"name": "x", "image": "1"}]}}),
            actor("a"),
            false,
            BUILTIN,
        )
        .unwrap();
        let names: Vec<&str> = o["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["x", "z"]);
    }

    #[test]
    fn conflicts_name_update_managers_like_kube_apiserver() {
        let o = apply(
            None,
            &json!({"spec": {"replicas": 1}}),
            actor("a"),
            false,
            BUILTIN,
        )
        .unwrap();
        let mut n = o.clone();
        n["spec"]["replicas"] = json!(3);
        n["metadata"]["finalizers"] = json!(["x"]);
        track_update(Some(&o), &mut n, actor("kubectl-edit"), BUILTIN);
        let err = apply(
            Some(&n),
            &json!({"metadata": {"finalizers": ["y"]}, "spec": {"replicas": 2}}),
            actor("a"),
            false,
            BUILTIN,
        )
        .unwrap_err();
        assert_eq!(err.len(), 1, "set items do not conflict: {err:?}");
        assert!(
            err[0].0.starts_with("\"kubectl-edit\" using apps/v1 at 20"),
            "{}",
            err[0].0
        );
        assert_eq!(
            display_path(&vec![
                "f:metadata".into(),
                "f:finalizers".into(),
                "v:\"x\"".into()
            ]),
            ".metadata.finalizers[=\"x\"]"
        );
    }

    #[test]
    fn crd_list_types_come_from_the_schema() {
        let openapi = json!({"type": "object", "properties": {"status": {"type": "object", "properties": {
            "conditions": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                "items": {"type": "object", "properties": {"type": {"type": "string"}, "status": {"type": "string"}}}},
            "tags": {"type": "array", "items": {"type": "string"}}}}}});
        let schema = Schema {
            builtin: false,
            status_subresource: true,
            openapi: Some(&openapi),
        };
        let st = |m: &'static str| Actor {
            manager: m,
            api_version: "x/v1",
            subresource: "status",
        };
        let o = apply(
            None,
            &json!({"status": {"conditions": [{"type": "A", "status": "True"}], "tags": ["a"]}}),
            st("one"),
            false,
            schema,
        )
        .unwrap();
        let o = apply(
            Some(&o),
            &json!({"status": {"conditions": [{"type": "B", "status": "False"}]}}),
            st("two"),
            false,
            schema,
        )
        .unwrap();
        assert_eq!(
            o["status"]["conditions"],
            json!([{"type": "A", "status": "True"}, {"type": "B", "status": "False"}])
        );
        let fields = &o["metadata"]["managedFields"][1]["fieldsV1"];
        assert!(
            fields["f:status"]["f:conditions"]["k:{\"type\":\"B\"}"]["f:status"].is_object(),
            "{fields}"
        );
        // Untyped lists stay atomic: a second manager applying tags conflicts.
        let err = apply(
            Some(&o),
            &json!({"status": {"tags": ["b"]}}),
            st("two"),
            false,
            schema,
        )
        .unwrap_err();
        assert_eq!(err[0].1, ".status.tags");
    }

    #[test]
    fn update_takes_ownership() {
        let o = apply(
            None,
            &json!({"spec": {"replicas": 1}}),
            actor("a"),
            false,
            BUILTIN,
        )
        .unwrap();
        let mut n = o.clone();
        n["spec"]["replicas"] = json!(3);
        track_update(Some(&o), &mut n, actor("kubectl"), BUILTIN);
        let e = entries_of(&n);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].manager, "kubectl");
        assert_eq!(e[0].operation, "Update");
    }
}
