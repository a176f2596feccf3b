//! The inventory: every object the operator applied for one CR, stored as JSON under
//! key `inventory` in `<name>-spec-active`. Pruning only ever considers these objects,
//! so objects created by others (or by hand) are never deleted.

use serde::{Deserialize, Serialize};

/// The identity of an object across API versions: `apps/v1` and `apps/v1beta2`
/// Deployments with the same name are the same object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// API group (`""` for core).
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl ObjectKey {
    /// Builds the key from an `apiVersion` (`group/version` or `version`).
    pub fn new(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> ObjectKey {
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        ObjectKey {
            group: group.to_string(),
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        }
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.kind)?;
        if !self.group.is_empty() {
            write!(f, ".{}", self.group)?;
        }
        match &self.namespace {
            Some(ns) => write!(f, " {ns}/{}", self.name),
            None => write!(f, " {}", self.name),
        }
    }
}

/// One applied object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryEntry {
    /// `apiVersion` it was applied with.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace; absent for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// UID returned by the API server; pruning deletes with this UID as a
    /// precondition, so a re-created object of the same name is not deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Whether it carried `helm.sh/resource-policy: keep` when applied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep: bool,
    /// Digest ([`crate::apply::digest`]) of the exact object last applied with
    /// server-side apply (or found already applied). The applier re-applies when
    /// the rendered object's digest differs, so that fields the chart stopped
    /// setting are removed; absent in inventories written by older versions and
    /// for objects not applied yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<String>,
}

impl InventoryEntry {
    /// The version-independent identity.
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(
            &self.api_version,
            &self.kind,
            self.namespace.as_deref(),
            &self.name,
        )
    }
}

/// The objects applied for one CR, in apply order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The entries.
    pub entries: Vec<InventoryEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_the_version() {
        let a = ObjectKey::new("apps/v1", "Deployment", Some("ns"), "app");
        let b = ObjectKey::new("apps/v1beta2", "Deployment", Some("ns"), "app");
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "Deployment.apps ns/app");
        assert_eq!(
            ObjectKey::new("v1", "Namespace", None, "w").to_string(),
            "Namespace w"
        );
    }

    #[test]
    fn compact_json() {
        let entry = InventoryEntry {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some("ns".into()),
            name: "c".into(),
            uid: None,
            keep: false,
            applied: None,
        };
        let json = serde_json::to_string(&Inventory {
            entries: vec![entry],
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"entries":[{"apiVersion":"v1","kind":"ConfigMap","namespace":"ns","name":"c"}]}"#
        );
    }

    #[test]
    fn older_inventories_without_digests_still_read() {
        let old: Inventory = serde_json::from_str(
            r#"{"entries":[{"apiVersion":"v1","kind":"ConfigMap","namespace":"ns","name":"c","uid":"u"}]}"#,
        )
        .unwrap();
        assert_eq!(old.entries[0].applied, None);
        let mut entry = old.entries[0].clone();
        entry.applied = Some("sha256:ab".into());
        let json = serde_json::to_string(&entry).unwrap();
        assert!(
            json.ends_with(r#""uid":"u","applied":"sha256:ab"}"#),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<InventoryEntry>(&json).unwrap(),
            entry
        );
    }
}
