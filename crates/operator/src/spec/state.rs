//! The state Secrets, named and shaped like the Go operator's so that the W&B
//! console and sites that switch operators keep working.
//!
//! | Secret | holds | owner |
//! | --- | --- | --- |
//! | `<name>-spec-user` | user input (console) | none: it is the admin's data and survives deletion of the CR |
//! | `<name>-spec-active` | the last applied spec, plus `inventory` | the CR |
//! | `<name>-latest-cached-release` | the last good channel release | the CR |
//!
//! Each has the keys `chart`, `values` and `metadata`, each holding one JSON document.
//! Reading is more tolerant than in the Go operator (a missing `chart` or `values`
//! key means "none"), but malformed JSON is an error naming the Secret and key.

use std::collections::BTreeMap;

use k8s_openapi::{
    ByteString,
    api::core::v1::Secret,
    apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference},
};
use serde_json::Value;

use crate::apply::Inventory;

/// Key holding the chart reference (JSON).
pub const KEY_CHART: &str = "chart";
/// Key holding the values (JSON object).
pub const KEY_VALUES: &str = "values";
/// Key holding the metadata (JSON object of strings).
pub const KEY_METADATA: &str = "metadata";
/// Key, in the active-spec Secret only, holding the inventory of applied objects.
pub const KEY_INVENTORY: &str = "inventory";
/// Label put on the state Secrets so that they can be listed (the Go operator set
/// none; adding one is harmless to it).
pub const STATE_LABEL: &str = "apps.wandb.com/state";

/// Which state Secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateKind {
    /// `<name>-spec-user`.
    UserInput,
    /// `<name>-spec-active`.
    Active,
    /// `<name>-latest-cached-release`.
    CachedRelease,
}

impl StateKind {
    /// The Secret name for the custom resource `cr_name`.
    pub fn secret_name(self, cr_name: &str) -> String {
        match self {
            StateKind::UserInput => format!("{cr_name}-spec-user"),
            StateKind::Active => format!("{cr_name}-spec-active"),
            StateKind::CachedRelease => format!("{cr_name}-latest-cached-release"),
        }
    }

    fn label_value(self) -> &'static str {
        match self {
            StateKind::UserInput => "spec-user",
            StateKind::Active => "spec-active",
            StateKind::CachedRelease => "latest-cached-release",
        }
    }

    /// Whether the Secret is owned by (and deleted with) the custom resource.
    pub fn owned_by_cr(self) -> bool {
        !matches!(self, StateKind::UserInput)
    }
}

/// One stored spec: the content of a state Secret.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredSpec {
    /// Chart reference as JSON (`null` when none).
    pub chart: Value,
    /// Values (an object; `{}` when none).
    pub values: Value,
    /// Metadata such as `releaseId` and `version` of a channel release.
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A state Secret whose content cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("Secret {secret}, key {key}: {message}")]
pub struct StateError {
    /// Secret name.
    pub secret: String,
    /// Key inside the Secret.
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
}

impl StoredSpec {
    /// Reads a stored spec from a Secret's `data`.
    pub fn from_secret(secret: &Secret) -> Result<StoredSpec, StateError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let data = secret.data.clone().unwrap_or_default();
        let json = |key: &'static str| -> Result<Option<Value>, StateError> {
            match data.get(key) {
                None => Ok(None),
                Some(bytes) => serde_json::from_slice(&bytes.0)
                    .map(Some)
                    .map_err(|e| StateError {
                        secret: name.clone(),
                        key,
                        message: format!("not valid JSON: {e}"),
                    }),
            }
        };
        let chart = json(KEY_CHART)?.unwrap_or(Value::Null);
        let values = match json(KEY_VALUES)? {
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(v @ Value::Object(_)) => v,
            Some(_) => {
                return Err(StateError {
                    secret: name,
                    key: KEY_VALUES,
                    message: "must be a JSON object".into(),
                });
            }
        };
        let metadata = match json(KEY_METADATA)? {
            None | Some(Value::Null) => None,
            Some(v) => Some(serde_json::from_value(v).map_err(|e| StateError {
                secret: name.clone(),
                key: KEY_METADATA,
                message: format!("must be an object of strings: {e}"),
            })?),
        };
        Ok(StoredSpec {
            chart,
            values,
            metadata,
        })
    }

    /// The Secret `data` for this spec (values serialized as the Go operator does:
    /// compact JSON per key).
    pub fn to_data(&self) -> BTreeMap<String, ByteString> {
        let mut data = BTreeMap::new();
        data.insert(KEY_CHART.to_string(), json_bytes(&self.chart));
        data.insert(KEY_VALUES.to_string(), json_bytes(&self.values));
        let metadata = match &self.metadata {
            Some(m) => serde_json::to_value(m).unwrap_or(Value::Null),
            None => Value::Null,
        };
        data.insert(KEY_METADATA.to_string(), json_bytes(&metadata));
        data
    }
}

fn json_bytes(v: &Value) -> ByteString {
    ByteString(v.to_string().into_bytes())
}

/// Reads the inventory stored beside the active spec; absent means empty.
pub fn inventory_from_secret(secret: &Secret) -> Result<Inventory, StateError> {
    match secret.data.as_ref().and_then(|d| d.get(KEY_INVENTORY)) {
        None => Ok(Inventory::default()),
        Some(bytes) => serde_json::from_slice(&bytes.0).map_err(|e| StateError {
            secret: secret.metadata.name.clone().unwrap_or_default(),
            key: KEY_INVENTORY,
            message: format!("not a valid inventory: {e}"),
        }),
    }
}

/// Builds a state Secret for the custom resource `cr_name` in `namespace`.
/// `owner` is the controller reference to the CR; it is ignored for the user-input
/// Secret, which must survive deletion of the CR. `inventory` is only stored with
/// the active spec.
pub fn state_secret(
    kind: StateKind,
    cr_name: &str,
    namespace: &str,
    spec: &StoredSpec,
    inventory: Option<&Inventory>,
    owner: Option<OwnerReference>,
) -> Secret {
    let mut data = spec.to_data();
    if let (StateKind::Active, Some(inventory)) = (kind, inventory) {
        let bytes = serde_json::to_vec(inventory).unwrap_or_default();
        data.insert(KEY_INVENTORY.to_string(), ByteString(bytes));
    }
    let owner_references = match (kind.owned_by_cr(), owner) {
        (true, Some(owner)) => Some(vec![owner]),
        _ => None,
    };
    Secret {
        metadata: ObjectMeta {
            name: Some(kind.secret_name(cr_name)),
            namespace: Some(namespace.to_string()),
            labels: Some(BTreeMap::from([
                (STATE_LABEL.to_string(), kind.label_value().to_string()),
                (
                    "app.kubernetes.io/instance".to_string(),
                    cr_name.to_string(),
                ),
                (
                    "app.kubernetes.io/managed-by".to_string(),
                    "wandb-operator".to_string(),
                ),
            ])),
            owner_references,
            ..ObjectMeta::default()
        },
        type_: Some("Opaque".to_string()),
        data: Some(data),
        ..Secret::default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apply::InventoryEntry;

    fn owner() -> OwnerReference {
        OwnerReference {
            api_version: "apps.wandb.com/v1".into(),
            kind: "WeightsAndBiases".into(),
            name: "wandb".into(),
            uid: "u-1".into(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }

    #[test]
    fn names_match_the_go_operator() {
        assert_eq!(StateKind::UserInput.secret_name("wandb"), "wandb-spec-user");
        assert_eq!(StateKind::Active.secret_name("wandb"), "wandb-spec-active");
        assert_eq!(
            StateKind::CachedRelease.secret_name("wandb"),
            "wandb-latest-cached-release"
        );
    }

    #[test]
    fn round_trip_with_inventory() {
        let spec = StoredSpec {
            chart: json!({"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.41.3"}),
            values: json!({"global": {"host": "https://w"}}),
            metadata: Some(BTreeMap::from([("releaseId".into(), "r1".into())])),
        };
        let inventory = Inventory {
            entries: vec![InventoryEntry {
                api_version: "v1".into(),
                kind: "Service".into(),
                namespace: Some("default".into()),
                name: "wandb-app".into(),
                uid: Some("abc".into()),
                keep: false,
                applied: Some("sha256:00".into()),
            }],
        };
        let secret = state_secret(
            StateKind::Active,
            "wandb",
            "default",
            &spec,
            Some(&inventory),
            Some(owner()),
        );
        assert_eq!(secret.metadata.name.as_deref(), Some("wandb-spec-active"));
        assert_eq!(
            secret.metadata.owner_references.as_ref().map(Vec::len),
            Some(1)
        );
        let data = secret.data.as_ref().unwrap();
        assert_eq!(
            data.keys().collect::<Vec<_>>(),
            ["chart", "inventory", "metadata", "values"]
        );
        assert_eq!(StoredSpec::from_secret(&secret).unwrap(), spec);
        assert_eq!(inventory_from_secret(&secret).unwrap(), inventory);
    }

    #[test]
    fn user_input_secret_has_no_owner_and_no_inventory() {
        let secret = state_secret(
            StateKind::UserInput,
            "wandb",
            "ns",
            &StoredSpec::default(),
            Some(&Inventory::default()),
            Some(owner()),
        );
        assert_eq!(secret.metadata.owner_references, None);
        assert!(!secret.data.as_ref().unwrap().contains_key(KEY_INVENTORY));
    }

    #[test]
    fn reads_what_the_go_operator_writes() {
        // The Go operator creates the user-input Secret with these exact documents.
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some("wandb-spec-user".into()),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([
                ("chart".to_string(), ByteString(b"null".to_vec())),
                ("values".to_string(), ByteString(b"{}".to_vec())),
                ("metadata".to_string(), ByteString(b"null".to_vec())),
            ])),
            ..Secret::default()
        };
        let spec = StoredSpec::from_secret(&secret).unwrap();
        assert_eq!(spec.chart, Value::Null);
        assert_eq!(spec.values, json!({}));
        assert_eq!(spec.metadata, None);
    }

    #[test]
    fn malformed_json_names_secret_and_key() {
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some("wandb-spec-user".into()),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([(
                "values".to_string(),
                ByteString(b"{not json".to_vec()),
            )])),
            ..Secret::default()
        };
        let e = StoredSpec::from_secret(&secret).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("Secret wandb-spec-user, key values:"),
            "{e}"
        );
        let list = Secret {
            data: Some(BTreeMap::from([(
                "values".to_string(),
                ByteString(b"[1]".to_vec()),
            )])),
            ..Secret::default()
        };
        assert!(StoredSpec::from_secret(&list).is_err());
    }
}
