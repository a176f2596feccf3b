//! The executor's reads and decisions, shared with `diff` (which makes the same
//! reads and decisions, then dry-runs instead of writing): kinds resolved through
//! [`Discovery`], the live object, the form in which a planned object is applied,
//! the inventory entry recorded for it, and whether a pruned object may go.

use kube::{
    Client,
    api::{Api, ApiResource, DynamicObject},
};
use serde::Serialize;
use serde_json::Value;

use super::{
    KEEP_ANNOTATION, KEEP_VALUE,
    drift::{digest, integral_numbers},
    execute::{Discovery, ExecuteError},
    inventory::InventoryEntry,
    plan::PlannedObject,
};

/// A kind the cluster serves.
#[derive(Clone)]
pub(crate) struct Resolved {
    /// Its resource.
    pub resource: ApiResource,
    /// Whether its objects live in a namespace.
    pub namespaced: bool,
}

/// Cluster access by kind, resolving kinds through a shared [`Discovery`].
#[derive(Clone)]
pub(crate) struct Cluster {
    /// The client.
    pub client: Client,
    /// The discovery answers.
    pub discovery: Discovery,
}

impl Cluster {
    /// How `api_version`/`kind` is served.
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Resolved, ExecuteError> {
        let (resource, namespaced) = self
            .discovery
            .resolve(&self.client, api_version, kind)
            .await
            .map_err(|source| ExecuteError::Resolve {
                api_version: api_version.to_string(),
                kind: kind.to_string(),
                source,
            })?;
        Ok(Resolved {
            resource,
            namespaced,
        })
    }

    /// The API of a resolved kind in `namespace` (ignored for cluster-scoped kinds).
    pub fn api(&self, r: &Resolved, namespace: Option<&str>) -> Api<DynamicObject> {
        match (r.namespaced, namespace) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &r.resource),
            (true, None) => Api::default_namespaced_with(self.client.clone(), &r.resource),
            (false, _) => Api::all_with(self.client.clone(), &r.resource),
        }
    }

    /// The live object `name` as JSON, if it exists; `label` names it in errors.
    pub async fn live(
        &self,
        api: &Api<DynamicObject>,
        name: &str,
        label: &str,
    ) -> Result<Option<Value>, ExecuteError> {
        let live = api
            .get_opt(name)
            .await
            .map_err(|source| ExecuteError::Read {
                object: label.to_string(),
                source,
            })?;
        live.as_ref().map(|l| to_json(l, label)).transpose()
    }

    /// The live object of a pruned inventory entry and its API, or `None` when it
    /// is gone (or its kind is: a CRD removed takes its objects along).
    pub async fn prune_target(
        &self,
        entry: &InventoryEntry,
    ) -> Result<Option<(Api<DynamicObject>, DynamicObject)>, ExecuteError> {
        let resolved = match self.resolve(&entry.api_version, &entry.kind).await {
            Ok(r) => r,
            Err(ExecuteError::Resolve {
                source: kube::Error::Api(s),
                ..
            }) if s.code == 404 => return Ok(None),
            Err(ExecuteError::Resolve {
                source: kube::Error::Discovery(_),
                ..
            }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let api = self.api(&resolved, entry.namespace.as_deref());
        let live = api
            .get_opt(&entry.name)
            .await
            .map_err(|source| ExecuteError::Read {
                object: entry.key().to_string(),
                source,
            })?;
        Ok(live.map(|l| (api, l)))
    }
}

/// `object` as JSON; `label` names it in the error.
pub(crate) fn to_json(object: &impl Serialize, label: &str) -> Result<Value, ExecuteError> {
    serde_json::to_value(object).map_err(|e| ExecuteError::Serialize {
        object: label.to_string(),
        message: e.to_string(),
    })
}

/// The body applied for `object`: integral numbers as integers, and the namespace
/// it goes to (`None` for a cluster-scoped kind) set in its metadata.
pub(crate) fn desired_object(object: &PlannedObject, namespace: Option<&str>) -> Value {
    let mut desired = object.manifest.object.clone();
    integral_numbers(&mut desired);
    if let (Some(ns), Some(meta)) = (
        namespace,
        desired.get_mut("metadata").and_then(Value::as_object_mut),
    ) {
        meta.insert("namespace".into(), Value::String(ns.to_string()));
    }
    desired
}

/// The inventory entry recorded once `desired` was applied (or skipped because
/// this very render was applied before) as the object of UID `uid`.
pub(crate) fn inventory_entry(
    object: &PlannedObject,
    uid: Option<String>,
    namespaced: bool,
    desired: &Value,
) -> InventoryEntry {
    let mut entry = object.to_entry(uid);
    if !namespaced {
        entry.namespace = None;
    }
    entry.applied = Some(digest(desired));
    entry
}

/// The UID of a live object as JSON.
pub(crate) fn uid_of(live: &Value) -> Option<String> {
    live.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Why a pruned object stays although the plan prunes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PruneRefusal {
    /// Annotated `helm.sh/resource-policy: keep` since it was applied.
    Kept,
    /// Deleted and re-created by someone else since (another UID): not ours.
    Recreated,
}

/// Whether `live`, the object of pruned `entry`, must stay.
pub(crate) fn prune_refusal(entry: &InventoryEntry, live: &DynamicObject) -> Option<PruneRefusal> {
    let kept = live
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(KEEP_ANNOTATION))
        .is_some_and(|v| v == KEEP_VALUE);
    if kept {
        Some(PruneRefusal::Kept)
    } else if entry.uid.is_some() && live.metadata.uid != entry.uid {
        Some(PruneRefusal::Recreated)
    } else {
        None
    }
}
