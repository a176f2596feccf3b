//! Where the license comes from, in the Go operator's order: `global.license` in the
//! CR values, then in the user input; then `global.licenseSecret {name, key}` in the
//! CR values, then in the user input. Reading the referenced Secret is the caller's
//! IO; a missing or empty Secret moves on to the next candidate. The release channel
//! and the active spec are never consulted.

use serde_json::Value;

use super::merge::Layer;
use crate::source::SecretString;

/// One place the license may come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LicenseSource {
    /// `global.license` as a string (never printed).
    Inline {
        /// The license.
        license: SecretString,
        /// Which layer held it.
        layer: Layer,
    },
    /// `global.licenseSecret`: a Secret in the CR namespace.
    Secret {
        /// Secret name.
        name: String,
        /// Key in the Secret.
        key: String,
        /// Which layer referenced it.
        layer: Layer,
    },
}

/// The candidates, best first.
pub fn license_sources(
    cr_values: Option<&Value>,
    user_values: Option<&Value>,
) -> Vec<LicenseSource> {
    let layers = [
        (Layer::CustomResource, cr_values),
        (Layer::UserInput, user_values),
    ];
    let mut out = Vec::new();
    for (layer, values) in layers {
        if let Some(Value::String(s)) = values.and_then(|v| v.pointer("/global/license"))
            && !s.is_empty()
        {
            out.push(LicenseSource::Inline {
                license: SecretString(s.clone()),
                layer,
            });
        }
    }
    for (layer, values) in layers {
        let secret = values.and_then(|v| v.pointer("/global/licenseSecret"));
        let field = |k: &str| secret.and_then(|s| s.get(k)).and_then(Value::as_str);
        if let (Some(name), Some(key)) = (field("name"), field("key"))
            && !name.is_empty()
            && !key.is_empty()
        {
            out.push(LicenseSource::Secret {
                name: name.to_string(),
                key: key.to_string(),
                layer,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn inline_before_secret_and_cr_before_user_input() {
        let cr = json!({"global": {"licenseSecret": {"name": "lic", "key": "license"}}});
        let user = json!({"global": {"license": "user-license", "licenseSecret": {"name": "u", "key": "k"}}});
        let sources = license_sources(Some(&cr), Some(&user));
        assert_eq!(
            sources,
            vec![
                LicenseSource::Inline {
                    license: SecretString("user-license".into()),
                    layer: Layer::UserInput
                },
                LicenseSource::Secret {
                    name: "lic".into(),
                    key: "license".into(),
                    layer: Layer::CustomResource
                },
                LicenseSource::Secret {
                    name: "u".into(),
                    key: "k".into(),
                    layer: Layer::UserInput
                },
            ]
        );
    }

    #[test]
    fn empty_or_incomplete_entries_are_skipped() {
        let cr = json!({"global": {"license": "", "licenseSecret": {"name": "lic"}}});
        assert!(license_sources(Some(&cr), None).is_empty());
        assert!(license_sources(None, None).is_empty());
    }
}
