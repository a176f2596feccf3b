//! `wandb-operator explain KEY`: the merged value of a key and the layer that set
//! it, with secrets redacted.

use std::fmt;

use serde_json::Value;

use super::{
    merge::{Layer, Merged, ValuePath},
    redact::redact_at,
};

/// The answer to "what is KEY and who set it".
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The key asked about.
    pub path: ValuePath,
    /// Its merged value, redacted; `None` when no layer sets it.
    pub value: Option<Value>,
    /// Every leaf at or below the key, with its layer and redacted value.
    pub leaves: Vec<(ValuePath, Layer, Value)>,
}

/// Explains `path` in `merged`.
pub fn explain(merged: &Merged, path: &ValuePath) -> Explanation {
    let value = path.get(&merged.values).map(|v| redact_at(&path.0, v));
    let leaves = merged
        .provenance
        .under(path)
        .filter_map(|(leaf, layer)| {
            let v = leaf.get(&merged.values)?;
            Some((leaf.clone(), layer, redact_at(&leaf.0, v)))
        })
        .collect();
    Explanation {
        path: path.clone(),
        value,
        leaves,
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(value) = &self.value else {
            return writeln!(
                f,
                "{}: not set by any layer (the chart's default applies)",
                self.path
            );
        };
        match (value, self.leaves.as_slice()) {
            (_, [(leaf, layer, v)]) if *leaf == self.path => {
                writeln!(f, "{} = {}", self.path, v)?;
                writeln!(f, "  set by: {layer}")
            }
            _ => {
                writeln!(f, "{} = {}", self.path, value)?;
                writeln!(f, "  set by:")?;
                for (leaf, layer, v) in &self.leaves {
                    writeln!(f, "    {leaf} = {v}  ({layer})")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::{REDACTED, merge_layers};

    fn p(s: &str) -> ValuePath {
        ValuePath::parse(s).unwrap()
    }

    fn merged() -> Merged {
        let channel = json!({"global": {"host": "c", "mysql": {"host": "db", "password": "pw"}}});
        let cr =
            json!({"global": {"host": "https://cr", "license": "eyJ", "mysql": {"port": 3306}}});
        merge_layers([
            (Layer::ReleaseChannel, &channel),
            (Layer::CustomResource, &cr),
        ])
    }

    #[test]
    fn a_leaf_names_its_layer() {
        let text = explain(&merged(), &p("global.host")).to_string();
        assert_eq!(
            text,
            "global.host = \"https://cr\"\n  set by: custom resource\n"
        );
    }

    #[test]
    fn secrets_are_redacted() {
        let e = explain(&merged(), &p("global.license"));
        assert_eq!(e.value, Some(json!(REDACTED)));
        let text = explain(&merged(), &p("global")).to_string();
        assert!(!text.contains("eyJ") && !text.contains("\"pw\""), "{text}");
        assert!(
            text.contains("global.mysql.password = \"***REDACTED***\"  (release channel)"),
            "{text}"
        );
        assert!(
            text.contains("global.mysql.port = 3306  (custom resource)"),
            "{text}"
        );
    }

    #[test]
    fn children_of_a_secret_parent_are_redacted() {
        let cr = json!({"oidc": {"secret": {"value": "s3cr3t"}}});
        let m = merge_layers([(Layer::CustomResource, &cr)]);
        let text = explain(&m, &p("oidc")).to_string();
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    #[test]
    fn unset_keys_say_so() {
        let e = explain(&merged(), &p("app.image.tag"));
        assert_eq!(e.value, None);
        assert!(e.to_string().contains("not set by any layer"));
    }
}
