//! Structural-schema handling of custom resources, as kube-apiserver does on
//! every write: unknown fields are pruned and `default`s from the CRD's
//! `openAPIV3Schema` are applied. Nothing else of the schema is enforced
//! (no type, pattern, enum or CEL validation).

use serde_json::{Map, Value};

fn preserves(schema: &Value) -> bool {
    schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn walk(v: &mut Value, schema: &Value) {
    match v {
        Value::Object(m) => walk_object(m, schema),
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for it in items.iter_mut() {
                    walk(it, item_schema);
                }
            }
        }
        _ => {}
    }
}

fn walk_object(m: &mut Map<String, Value>, schema: &Value) {
    if schema
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true)
    {
        // Embedded objects keep apiVersion/kind/metadata.
        if schema.get("properties").is_none() && !preserves(schema) {
            m.retain(|k, _| k == "apiVersion" || k == "kind" || k == "metadata");
        }
    }
    let props = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties");
    let keep_unknown = preserves(schema)
        || additional.and_then(Value::as_bool) == Some(true)
        || (props.is_none() && additional.is_none() && schema.get("type").is_none());
    if let Some(props) = props {
        for (k, ps) in props {
            if !m.contains_key(k)
                && let Some(d) = ps.get("default")
            {
                m.insert(k.clone(), d.clone());
            }
        }
    }
    let embedded = schema
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true);
    m.retain(|k, _| {
        keep_unknown
            || props.is_some_and(|p| p.contains_key(k))
            || additional.is_some_and(Value::is_object)
            || (embedded && (k == "apiVersion" || k == "kind" || k == "metadata"))
    });
    for (k, child) in m.iter_mut() {
        if let Some(ps) = props.and_then(|p| p.get(k)) {
            walk(child, ps);
        } else if let Some(a) = additional.filter(|a| a.is_object()) {
            walk(child, a);
        }
    }
}

/// Prunes and defaults a custom resource in place; apiVersion, kind and
/// metadata at the root are left alone.
pub fn apply(obj: &mut Value, schema: &Value) {
    let Value::Object(m) = obj else { return };
    let mut meta_kept = Map::new();
    for k in ["apiVersion", "kind", "metadata"] {
        if let Some(v) = m.remove(k) {
            meta_kept.insert(k.to_string(), v);
        }
    }
    walk_object(m, schema);
    // Put the root fields back first, in their usual order.
    let rest = std::mem::take(m);
    m.extend(meta_kept);
    m.extend(rest);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn prunes_unknown_and_applies_defaults() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "size": {"type": "integer", "default": 1},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "items": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}
            }},
            "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}
        }});
        let mut o = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n", "whatever": 1},
            "spec": {"bogus": 1, "labels": {"k": "v"}, "free": {"any": {"thing": 1}}, "items": [{"a": "1", "b": "2"}]},
            "status": {"ready": true, "extra": 1}, "top": 1});
        apply(&mut o, &schema);
        assert_eq!(
            o,
            json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n", "whatever": 1},
            "spec": {"labels": {"k": "v"}, "free": {"any": {"thing": 1}}, "items": [{"a": "1"}], "size": 1},
            "status": {"ready": true}})
        );
    }
}
