//! The planner: rendered manifests + the previous inventory -> what to apply (in
//! Helm's install order) and what to prune (in reverse order). Pure.
//!
//! Invariants: only objects of the previous inventory are ever pruned; objects that
//! carried `helm.sh/resource-policy: keep` when applied, and PersistentVolumeClaims,
//! are never pruned (they are dropped from the inventory instead: the operator stops
//! owning them); a rendered object without a namespace gets the release namespace
//! unless its kind is cluster-scoped; two rendered objects with the same identity are
//! an error, as in Helm.

use std::collections::{BTreeMap, HashSet};

use super::inventory::{Inventory, InventoryEntry, ObjectKey};
use crate::render::Manifest;

/// The annotation that protects an object from pruning.
pub const KEEP_ANNOTATION: &str = "helm.sh/resource-policy";
/// Its protecting value.
pub const KEEP_VALUE: &str = "keep";

/// Helm's install order by kind: the renderer's table, so preview (`render`) and
/// apply can never disagree.
use helm::INSTALL_ORDER;
pub use helm::install_order_index;

/// Kinds known to be cluster-scoped. Without discovery this list decides whether a
/// rendered object without `metadata.namespace` gets the release namespace.
pub fn is_cluster_scoped(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    matches!(
        (group, kind),
        ("", "Namespace" | "PersistentVolume" | "Node")
            | ("scheduling.k8s.io", "PriorityClass")
            | (
                "storage.k8s.io",
                "StorageClass" | "CSIDriver" | "VolumeAttachment"
            )
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | (
                "rbac.authorization.k8s.io",
                "ClusterRole" | "ClusterRoleBinding"
            )
            | ("networking.k8s.io", "IngressClass")
            | ("apiregistration.k8s.io", "APIService")
            | (
                "admissionregistration.k8s.io",
                "MutatingWebhookConfiguration"
                    | "ValidatingWebhookConfiguration"
                    | "ValidatingAdmissionPolicy"
                    | "ValidatingAdmissionPolicyBinding"
            )
            | ("node.k8s.io", "RuntimeClass")
            | ("policy", "PodSecurityPolicy")
    )
}

/// One object to apply.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedObject {
    /// The rendered manifest.
    pub manifest: Manifest,
    /// Its namespace after defaulting (`None` when cluster-scoped).
    pub namespace: Option<String>,
    /// Whether it is annotated `helm.sh/resource-policy: keep`.
    pub keep: bool,
}

impl PlannedObject {
    /// The identity of the object.
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(
            &self.manifest.api_version,
            &self.manifest.kind,
            self.namespace.as_deref(),
            &self.manifest.name,
        )
    }

    /// The inventory entry to record once applied with `uid`.
    pub fn to_entry(&self, uid: Option<String>) -> InventoryEntry {
        InventoryEntry {
            api_version: self.manifest.api_version.clone(),
            kind: self.manifest.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.manifest.name.clone(),
            uid,
            keep: self.keep,
            applied: None,
        }
    }
}

/// What one reconcile will do to the cluster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Objects to apply, in Helm's install order.
    pub apply: Vec<PlannedObject>,
    /// Previously applied objects to delete, in reverse install order.
    pub prune: Vec<InventoryEntry>,
    /// Previously applied objects no longer rendered but protected (keep annotation
    /// or PVC): left in the cluster and dropped from the inventory.
    pub retained: Vec<InventoryEntry>,
    /// For rendered objects of the previous inventory, the digest of what was last
    /// applied ([`InventoryEntry::applied`]), for [`super::apply_reason`].
    pub last_applied: BTreeMap<ObjectKey, String>,
}

/// The manifests cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A manifest without `apiVersion`, `kind` or `metadata.name`.
    #[error("{template}: object has no {field}")]
    Incomplete {
        /// The template that produced it.
        template: String,
        /// The missing field.
        field: &'static str,
    },
    /// Two manifests for the same object.
    #[error("{key} is rendered twice (by {first} and {second})")]
    Duplicate {
        /// The object.
        key: String,
        /// First template.
        first: String,
        /// Second template.
        second: String,
    },
}

/// Plans the apply and the prune. `namespace` is the release namespace.
pub fn plan(
    manifests: &[Manifest],
    previous: &Inventory,
    namespace: &str,
) -> Result<Plan, PlanError> {
    let mut apply = Vec::with_capacity(manifests.len());
    let mut seen: BTreeMap<ObjectKey, String> = BTreeMap::new();
    for m in manifests {
        for (field, value) in [
            ("apiVersion", &m.api_version),
            ("kind", &m.kind),
            ("metadata.name", &m.name),
        ] {
            if value.is_empty() {
                return Err(PlanError::Incomplete {
                    template: m.source.clone(),
                    field,
                });
            }
        }
        let ns = if is_cluster_scoped(&m.api_version, &m.kind) {
            None
        } else {
            Some(
                m.namespace
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| namespace.to_string()),
            )
        };
        let planned = PlannedObject {
            keep: m.annotation(KEEP_ANNOTATION) == Some(KEEP_VALUE),
            namespace: ns,
            manifest: m.clone(),
        };
        let key = planned.key();
        if let Some(first) = seen.insert(key.clone(), m.source.clone()) {
            return Err(PlanError::Duplicate {
                key: key.to_string(),
                first,
                second: m.source.clone(),
            });
        }
        apply.push(planned);
    }
    // Stable: objects of one kind keep the renderer's order; unknown kinds sort by
    // kind name after all known kinds, as Helm does.
    apply.sort_by(|a, b| {
        let (ka, kb) = (&a.manifest.kind, &b.manifest.kind);
        let (ia, ib) = (install_order_index(ka), install_order_index(kb));
        ia.cmp(&ib).then_with(|| {
            if ia == INSTALL_ORDER.len() {
                ka.cmp(kb)
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });

    let rendered: HashSet<ObjectKey> = seen.into_keys().collect();
    let mut prune = Vec::new();
    let mut retained = Vec::new();
    let mut last_applied = BTreeMap::new();
    for entry in &previous.entries {
        if rendered.contains(&entry.key()) {
            if let Some(digest) = &entry.applied {
                last_applied.insert(entry.key(), digest.clone());
            }
            continue;
        }
        if entry.keep || (entry.kind == "PersistentVolumeClaim" && entry.api_version == "v1") {
            retained.push(entry.clone());
        } else {
            prune.push(entry.clone());
        }
    }
    prune.sort_by(|a, b| {
        let (ia, ib) = (install_order_index(&a.kind), install_order_index(&b.kind));
        ib.cmp(&ia).then_with(|| {
            if ia == INSTALL_ORDER.len() && ib == INSTALL_ORDER.len() {
                b.kind.cmp(&a.kind)
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    prune.reverse_within_kind();
    Ok(Plan {
        apply,
        prune,
        retained,
        last_applied,
    })
}

/// Within one kind, prune in the reverse of the order applied.
trait ReverseWithinKind {
    fn reverse_within_kind(&mut self);
}

impl ReverseWithinKind for Vec<InventoryEntry> {
    fn reverse_within_kind(&mut self) {
        let mut start = 0;
        while start < self.len() {
            let kind = self[start].kind.clone();
            let end = self[start..]
                .iter()
                .position(|e| e.kind != kind)
                .map_or(self.len(), |p| start + p);
            self[start..end].reverse();
            start = end;
        }
    }
}

impl Plan {
    /// The digest of what was last applied for `object`, when the previous
    /// inventory recorded one.
    pub fn last_applied(&self, object: &PlannedObject) -> Option<&str> {
        self.last_applied.get(&object.key()).map(String::as_str)
    }

    /// The inventory to persist *before* executing: everything previously applied
    /// plus everything about to be applied (UIDs of new objects unknown yet). If the
    /// operator dies mid-apply, the next reconcile still knows every object it may
    /// have created, so nothing escapes pruning.
    pub fn pending_inventory(&self, previous: &Inventory) -> Inventory {
        let mut entries = previous.entries.clone();
        let known: HashSet<ObjectKey> = entries.iter().map(InventoryEntry::key).collect();
        for o in &self.apply {
            if !known.contains(&o.key()) {
                entries.push(o.to_entry(None));
            }
        }
        Inventory { entries }
    }

    /// Plans deleting everything of `inventory` (the CR is being deleted): the same
    /// rules as a prune, with nothing rendered. Needs no chart and no network.
    pub fn uninstall(inventory: &Inventory, namespace: &str) -> Plan {
        // An empty render cannot fail to plan.
        plan(&[], inventory, namespace).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn m(api: &str, kind: &str, name: &str) -> Manifest {
        Manifest::from_object(
            &format!("c/templates/{name}.yaml"),
            json!({"apiVersion": api, "kind": kind, "metadata": {"name": name}}),
        )
    }

    fn keep(mut manifest: Manifest) -> Manifest {
        manifest.object["metadata"]["annotations"] = json!({KEEP_ANNOTATION: KEEP_VALUE});
        manifest
    }

    fn entry(api: &str, kind: &str, name: &str) -> InventoryEntry {
        InventoryEntry {
            api_version: api.into(),
            kind: kind.into(),
            namespace: (!is_cluster_scoped(api, kind)).then(|| "ns".to_string()),
            name: name.into(),
            uid: Some(format!("uid-{name}")),
            keep: false,
            applied: None,
        }
    }

    fn names(p: &Plan) -> Vec<String> {
        p.apply
            .iter()
            .map(|o| format!("{}/{}", o.manifest.kind, o.manifest.name))
            .collect()
    }

    #[test]
    fn applies_in_helm_install_order() {
        let manifests = vec![
            m("networking.k8s.io/v1", "Ingress", "ing"),
            m("apps/v1", "Deployment", "app"),
            m("example.com/v1", "Zebra", "z"),
            m("example.com/v1", "Alpha", "a"),
            m("v1", "Service", "svc"),
            m("apps/v1", "Deployment", "api"),
            m("v1", "ConfigMap", "cm"),
            m("v1", "ServiceAccount", "sa"),
            m("v1", "Namespace", "wandb"),
            m("v1", "Secret", "s"),
        ];
        let p = plan(&manifests, &Inventory::default(), "ns").unwrap();
        assert_eq!(
            names(&p),
            [
                "Namespace/wandb",
                "ServiceAccount/sa",
                "Secret/s",
                "ConfigMap/cm",
                "Service/svc",
                "Deployment/app",
                "Deployment/api",
                "Ingress/ing",
                "Alpha/a",
                "Zebra/z",
            ]
        );
        assert!(p.prune.is_empty());
    }

    #[test]
    fn namespaces_are_defaulted_except_for_cluster_scoped_kinds() {
        let mut in_other = m("v1", "ConfigMap", "other");
        in_other.namespace = Some("elsewhere".into());
        let manifests = vec![
            m("v1", "ConfigMap", "cm"),
            in_other,
            m("rbac.authorization.k8s.io/v1", "ClusterRole", "cr"),
        ];
        let p = plan(&manifests, &Inventory::default(), "wandb").unwrap();
        let ns: Vec<_> = p.apply.iter().map(|o| o.namespace.as_deref()).collect();
        assert_eq!(ns, [Some("wandb"), Some("elsewhere"), None]);
    }

    #[test]
    fn prunes_only_inventory_objects_no_longer_rendered_in_reverse_order() {
        let previous = Inventory {
            entries: vec![
                entry("v1", "ConfigMap", "cm"),
                entry("v1", "Service", "svc"),
                entry("apps/v1", "Deployment", "old-a"),
                entry("apps/v1", "Deployment", "old-b"),
                entry("v1", "ServiceAccount", "old-sa"),
                entry("networking.k8s.io/v1", "Ingress", "old-ing"),
            ],
        };
        let manifests = vec![m("v1", "ConfigMap", "cm"), m("v1", "Service", "svc")];
        let p = plan(&manifests, &previous, "ns").unwrap();
        let pruned: Vec<_> = p
            .prune
            .iter()
            .map(|e| format!("{}/{}", e.kind, e.name))
            .collect();
        assert_eq!(
            pruned,
            [
                "Ingress/old-ing",
                "Deployment/old-b",
                "Deployment/old-a",
                "ServiceAccount/old-sa"
            ]
        );
    }

    #[test]
    fn never_prunes_pvcs_or_kept_objects() {
        let mut kept = entry("v1", "Secret", "kept");
        kept.keep = true;
        let previous = Inventory {
            entries: vec![
                entry("v1", "PersistentVolumeClaim", "data"),
                kept,
                entry("v1", "Secret", "gone"),
            ],
        };
        let p = plan(&[], &previous, "ns").unwrap();
        assert_eq!(
            p.prune.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["gone"]
        );
        assert_eq!(
            p.retained
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>(),
            ["data", "kept"]
        );
        assert_eq!(Plan::uninstall(&previous, "ns"), p);
    }

    #[test]
    fn pending_inventory_is_previous_plus_new() {
        let previous = Inventory {
            entries: vec![entry("v1", "ConfigMap", "cm"), entry("v1", "Secret", "old")],
        };
        let p = plan(
            &[m("v1", "ConfigMap", "cm"), m("v1", "Service", "svc")],
            &previous,
            "ns",
        )
        .unwrap();
        let pending = p.pending_inventory(&previous);
        let names: Vec<_> = pending
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.uid.is_some()))
            .collect();
        assert_eq!(names, [("cm", true), ("old", true), ("svc", false)]);
    }

    #[test]
    fn last_applied_digests_come_from_the_previous_inventory() {
        let mut cm = entry("v1", "ConfigMap", "cm");
        cm.applied = Some("sha256:cm".into());
        let mut gone = entry("v1", "Secret", "gone");
        gone.applied = Some("sha256:gone".into());
        let previous = Inventory {
            entries: vec![cm, gone, entry("v1", "Service", "old-format")],
        };
        let p = plan(
            &[
                m("v1", "ConfigMap", "cm"),
                m("v1", "Service", "old-format"),
                m("v1", "Secret", "new"),
            ],
            &previous,
            "ns",
        )
        .unwrap();
        let digests: Vec<_> = p.apply.iter().map(|o| p.last_applied(o)).collect();
        // Install order: Secret, ConfigMap, Service.
        assert_eq!(digests, [None, Some("sha256:cm"), None]);
        assert_eq!(p.last_applied.len(), 1, "pruned entries are not looked up");
        // The pending inventory keeps the recorded digests.
        let pending = p.pending_inventory(&previous);
        assert_eq!(pending.entries[0].applied.as_deref(), Some("sha256:cm"));
    }

    #[test]
    fn keep_annotation_is_recorded_for_later_prunes() {
        let p = plan(&[keep(m("v1", "Secret", "s"))], &Inventory::default(), "ns").unwrap();
        assert!(p.apply[0].keep);
        assert!(p.apply[0].to_entry(Some("u".into())).keep);
    }

    #[test]
    fn a_version_change_is_not_a_prune() {
        let previous = Inventory {
            entries: vec![entry(
                "autoscaling/v2beta2",
                "HorizontalPodAutoscaler",
                "hpa",
            )],
        };
        let p = plan(
            &[m("autoscaling/v2", "HorizontalPodAutoscaler", "hpa")],
            &previous,
            "ns",
        )
        .unwrap();
        assert!(p.prune.is_empty());
    }

    #[test]
    fn duplicates_and_incomplete_objects_are_errors() {
        let e = plan(
            &[m("v1", "ConfigMap", "a"), m("v1", "ConfigMap", "a")],
            &Inventory::default(),
            "ns",
        )
        .unwrap_err();
        assert!(matches!(e, PlanError::Duplicate { .. }));
        assert!(
            e.to_string().contains("ConfigMap ns/a is rendered twice"),
            "{e}"
        );
        let e = plan(&[m("v1", "ConfigMap", "")], &Inventory::default(), "ns").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c/templates/.yaml: object has no metadata.name"
        );
    }
}
