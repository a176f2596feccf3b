//! Merging configuration layers, with the provenance of every leaf.
//!
//! Rules (design.md): maps merge recursively; a scalar or a list from a higher layer
//! replaces the lower value whole (the Go operator appended lists, which duplicated
//! env entries); an explicit `null` in a higher layer replaces the lower value. The
//! `null` is kept in the merged tree on purpose: the renderer coalesces it with the
//! chart's own defaults, and Helm treats a user-supplied `null` as "delete this key",
//! so a `null` removes the key from every layer below it, chart defaults included.
//! A type change between layers (map over scalar, ...) is not an error: the higher
//! layer wins, as with scalars.

use std::{collections::BTreeMap, fmt};

use serde_json::{Map, Value};

/// One configuration layer, ordered from lowest to highest precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// Values the operator injects (`global.operator.*`).
    OperatorDefaults,
    /// Values of the release channel (or its cached copy).
    ReleaseChannel,
    /// Values the admin entered in the system console (`<name>-spec-user`).
    UserInput,
    /// `spec.values` of the custom resource.
    CustomResource,
}

impl Layer {
    /// Every layer, lowest precedence first.
    pub const ALL: [Layer; 4] = [
        Layer::OperatorDefaults,
        Layer::ReleaseChannel,
        Layer::UserInput,
        Layer::CustomResource,
    ];

    /// The human name used by `explain`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::OperatorDefaults => "operator defaults",
            Layer::ReleaseChannel => "release channel",
            Layer::UserInput => "user input",
            Layer::CustomResource => "custom resource",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A path into the values tree: one segment per map key.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValuePath(pub Vec<String>);

impl ValuePath {
    /// Parses `a.b.c`; a segment holding dots is written in double quotes, as in
    /// `ingress.annotations."kubernetes.io/ingress.class"`.
    pub fn parse(text: &str) -> Result<ValuePath, PathError> {
        let mut segments = Vec::new();
        let mut chars = text.chars().peekable();
        loop {
            let mut segment = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '"' {
                        closed = true;
                        break;
                    }
                    segment.push(c);
                }
                if !closed {
                    return Err(PathError::Unterminated(text.to_string()));
                }
                match chars.next() {
                    None | Some('.') => {}
                    Some(_) => return Err(PathError::Malformed(text.to_string())),
                }
                segments.push(segment);
                if chars.peek().is_none() && !text.ends_with('.') {
                    break;
                }
                continue;
            }
            let mut ended_with_dot = false;
            for c in chars.by_ref() {
                if c == '.' {
                    ended_with_dot = true;
                    break;
                }
                segment.push(c);
            }
            if segment.is_empty() {
                return Err(PathError::EmptySegment(text.to_string()));
            }
            segments.push(segment);
            if !ended_with_dot {
                break;
            }
        }
        Ok(ValuePath(segments))
    }

    /// The path with one more segment.
    pub fn child(&self, key: &str) -> ValuePath {
        let mut segments = self.0.clone();
        segments.push(key.to_string());
        ValuePath(segments)
    }

    /// True when `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &ValuePath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// The last segment (the key name), if any.
    pub fn last(&self) -> Option<&str> {
        self.0.last().map(String::as_str)
    }

    /// The value at this path, if present.
    pub fn get<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        self.0.iter().try_fold(root, |v, k| v.as_object()?.get(k))
    }
}

impl fmt::Display for ValuePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            if s.contains('.') || s.contains('"') || s.is_empty() {
                write!(f, "\"{s}\"")?;
            } else {
                f.write_str(s)?;
            }
        }
        Ok(())
    }
}

/// A key path given on the command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// `a..b`, `.a` or an empty string.
    #[error("key path {0:?} has an empty segment")]
    EmptySegment(String),
    /// A quoted segment without its closing quote.
    #[error("key path {0:?} has an unterminated quote")]
    Unterminated(String),
    /// Text right after a closing quote.
    #[error("key path {0:?}: a quoted segment must be followed by '.' or the end")]
    Malformed(String),
}

/// Which layer set each leaf of a merged tree. A leaf is a scalar, a list, a
/// `null`, or an empty map that no lower layer had.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance(BTreeMap<ValuePath, Layer>);

impl Provenance {
    /// The layer that set exactly this leaf.
    pub fn leaf(&self, path: &ValuePath) -> Option<Layer> {
        self.0.get(path).copied()
    }

    /// Every leaf at or below `path`, in path order.
    pub fn under<'a>(
        &'a self,
        path: &'a ValuePath,
    ) -> impl Iterator<Item = (&'a ValuePath, Layer)> + 'a {
        self.0
            .range(path.clone()..)
            .take_while(move |(p, _)| p.starts_with(path))
            .map(|(p, l)| (p, *l))
    }

    /// Every leaf of the tree.
    pub fn iter(&self) -> impl Iterator<Item = (&ValuePath, Layer)> {
        self.0.iter().map(|(p, l)| (p, *l))
    }

    fn clear_under(&mut self, path: &ValuePath) {
        let doomed: Vec<ValuePath> = self.under(path).map(|(p, _)| p.clone()).collect();
        for p in doomed {
            self.0.remove(&p);
        }
    }

    fn record_subtree(&mut self, path: &ValuePath, value: &Value, layer: Layer) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    self.record_subtree(&path.child(k), v, layer);
                }
            }
            _ => {
                self.0.insert(path.clone(), layer);
            }
        }
    }
}

/// A merged values tree and where each leaf came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Merged {
    /// The merged values, always an object.
    pub values: Value,
    /// The layer of every leaf.
    pub provenance: Provenance,
}

/// Merges layers given lowest precedence first. Inputs are never mutated (the Go
/// operator merged into the custom resource's own map and could write the merged
/// secrets back into the CR). A layer whose values are not an object (absent, `null`)
/// contributes nothing.
pub fn merge_layers<'a>(layers: impl IntoIterator<Item = (Layer, &'a Value)>) -> Merged {
    let mut merged = Merged {
        values: Value::Object(Map::new()),
        provenance: Provenance::default(),
    };
    for (layer, values) in layers {
        if let Value::Object(map) = values {
            merge_map(&mut merged, &ValuePath::default(), map, layer);
        }
    }
    merged
}

fn merge_map(merged: &mut Merged, at: &ValuePath, high: &Map<String, Value>, layer: Layer) {
    for (key, high_value) in high {
        let path = at.child(key);
        let Some(Value::Object(target)) = value_at_mut(&mut merged.values, at) else {
            return;
        };
        match (target.get_mut(key), high_value) {
            (Some(Value::Object(_)), Value::Object(high_map)) => {
                merge_map(merged, &path, high_map, layer);
            }
            (existing, _) => {
                let is_new = existing.is_none();
                if is_new && matches!(high_value, Value::Object(m) if !m.is_empty()) {
                    target.insert(key.clone(), Value::Object(Map::new()));
                    if let Value::Object(high_map) = high_value {
                        merge_map(merged, &path, high_map, layer);
                    }
                    continue;
                }
                target.insert(key.clone(), high_value.clone());
                merged.provenance.clear_under(&path);
                merged.provenance.record_subtree(&path, high_value, layer);
            }
        }
    }
}

fn value_at_mut<'a>(root: &'a mut Value, path: &ValuePath) -> Option<&'a mut Value> {
    path.0
        .iter()
        .try_fold(root, |v, k| v.as_object_mut()?.get_mut(k))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn p(s: &str) -> ValuePath {
        ValuePath::parse(s).unwrap()
    }

    #[test]
    fn higher_layer_wins_for_scalars_and_maps_merge() {
        let channel =
            json!({"global": {"host": "b", "size": "small"}, "app": {"image": {"tag": "0.62"}}});
        let user = json!({"app": {"image": {"tag": "0.60"}}});
        let cr = json!({"global": {"host": "a"}});
        let m = merge_layers([
            (Layer::ReleaseChannel, &channel),
            (Layer::UserInput, &user),
            (Layer::CustomResource, &cr),
        ]);
        assert_eq!(
            m.values,
            json!({"global": {"host": "a", "size": "small"}, "app": {"image": {"tag": "0.60"}}})
        );
        assert_eq!(
            m.provenance.leaf(&p("global.host")),
            Some(Layer::CustomResource)
        );
        assert_eq!(
            m.provenance.leaf(&p("global.size")),
            Some(Layer::ReleaseChannel)
        );
        assert_eq!(
            m.provenance.leaf(&p("app.image.tag")),
            Some(Layer::UserInput)
        );
    }

    #[test]
    fn lists_replace_instead_of_appending() {
        let channel = json!({"ingress": {"tls": [{"secretName": "y"}]}});
        let cr = json!({"ingress": {"tls": [{"secretName": "x"}]}});
        let m = merge_layers([
            (Layer::ReleaseChannel, &channel),
            (Layer::CustomResource, &cr),
        ]);
        assert_eq!(m.values["ingress"]["tls"], json!([{"secretName": "x"}]));
        assert_eq!(
            m.provenance.leaf(&p("ingress.tls")),
            Some(Layer::CustomResource)
        );
    }

    #[test]
    fn explicit_null_replaces_the_lower_subtree_and_is_kept_for_the_renderer() {
        let channel = json!({"mysql": {"install": true, "persistence": {"size": "20Gi"}}});
        let cr = json!({"mysql": {"persistence": null}});
        let m = merge_layers([
            (Layer::ReleaseChannel, &channel),
            (Layer::CustomResource, &cr),
        ]);
        assert_eq!(
            m.values,
            json!({"mysql": {"install": true, "persistence": null}})
        );
        assert_eq!(m.provenance.leaf(&p("mysql.persistence.size")), None);
        assert_eq!(
            m.provenance.leaf(&p("mysql.persistence")),
            Some(Layer::CustomResource)
        );
    }

    #[test]
    fn a_map_over_a_scalar_replaces_it_and_its_leaves_are_recorded() {
        let channel = json!({"redis": "external"});
        let cr = json!({"redis": {"host": "r", "port": 6379}});
        let m = merge_layers([
            (Layer::ReleaseChannel, &channel),
            (Layer::CustomResource, &cr),
        ]);
        assert_eq!(m.values, json!({"redis": {"host": "r", "port": 6379}}));
        assert_eq!(m.provenance.leaf(&p("redis")), None);
        assert_eq!(
            m.provenance.leaf(&p("redis.port")),
            Some(Layer::CustomResource)
        );
        let under: Vec<_> = m
            .provenance
            .under(&p("redis"))
            .map(|(p, _)| p.to_string())
            .collect();
        assert_eq!(under, ["redis.host", "redis.port"]);
    }

    #[test]
    fn a_scalar_over_a_map_drops_the_lower_leaves() {
        let channel = json!({"a": {"b": 1, "c": 2}});
        let user = json!({"a": 5});
        let m = merge_layers([(Layer::ReleaseChannel, &channel), (Layer::UserInput, &user)]);
        assert_eq!(m.values, json!({"a": 5}));
        assert_eq!(m.provenance.iter().count(), 1);
        assert_eq!(m.provenance.leaf(&p("a")), Some(Layer::UserInput));
    }

    #[test]
    fn an_empty_map_keeps_the_lower_map_and_a_new_empty_map_is_a_leaf() {
        let channel = json!({"a": {"b": 1}});
        let cr = json!({"a": {}, "extra": {}});
        let m = merge_layers([
            (Layer::ReleaseChannel, &channel),
            (Layer::CustomResource, &cr),
        ]);
        assert_eq!(m.values, json!({"a": {"b": 1}, "extra": {}}));
        assert_eq!(m.provenance.leaf(&p("a.b")), Some(Layer::ReleaseChannel));
        assert_eq!(m.provenance.leaf(&p("extra")), Some(Layer::CustomResource));
    }

    #[test]
    fn inputs_are_not_mutated_and_non_objects_contribute_nothing() {
        let channel = json!({"a": {"b": 1}});
        let cr = json!({"a": {"c": 2}});
        let before = cr.clone();
        let m = merge_layers([
            (Layer::ReleaseChannel, &channel),
            (Layer::UserInput, &Value::Null),
            (Layer::CustomResource, &cr),
        ]);
        assert_eq!(cr, before);
        assert_eq!(m.values, json!({"a": {"b": 1, "c": 2}}));
    }

    #[test]
    fn paths_parse_and_print_with_quoted_segments() {
        let path = p(r#"ingress.annotations."kubernetes.io/ingress.class""#);
        assert_eq!(
            path.0,
            ["ingress", "annotations", "kubernetes.io/ingress.class"]
        );
        assert_eq!(
            path.to_string(),
            r#"ingress.annotations."kubernetes.io/ingress.class""#
        );
        assert_eq!(p(r#""a.b".c"#).0, ["a.b", "c"]);
        assert!(matches!(
            ValuePath::parse("a..b"),
            Err(PathError::EmptySegment(_))
        ));
        assert!(matches!(
            ValuePath::parse(""),
            Err(PathError::EmptySegment(_))
        ));
        assert!(matches!(
            ValuePath::parse("a."),
            Err(PathError::EmptySegment(_))
        ));
        assert!(matches!(
            ValuePath::parse("\"a"),
            Err(PathError::Unterminated(_))
        ));
        assert!(matches!(
            ValuePath::parse("\"a\"b"),
            Err(PathError::Malformed(_))
        ));
    }

    #[test]
    fn path_get_walks_objects() {
        let v = json!({"a": {"b.c": {"d": 1}}});
        assert_eq!(p(r#"a."b.c".d"#).get(&v), Some(&json!(1)));
        assert_eq!(p("a.x").get(&v), None);
    }
}
