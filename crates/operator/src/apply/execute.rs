//! The executor: the only code that writes workload objects. It applies a [`Plan`]
//! with server-side apply under [`FIELD_MANAGER`], skipping objects whose live
//! state already holds every desired field and whose rendered form is the one last
//! applied (its digest in the inventory; see [`super::apply_reason`]), so a
//! steady-state reconcile makes reads only while a field the chart stopped setting
//! is removed on the next reconcile. Then it prunes in reverse order.
//!
//! Pruning is defensive: an object is deleted only if it still exists, still has
//! the UID recorded when we applied it (the delete carries a UID precondition), and
//! has not been annotated `helm.sh/resource-policy: keep` since.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::{
    Client,
    api::{
        Api, ApiResource, DeleteParams, Patch, PatchParams, PostParams, Preconditions,
        PropagationPolicy,
    },
    core::GroupVersion,
    discovery::{Scope, pinned_group},
};
use serde_json::Value;

use crate::api::{API_VERSION, FINALIZER, WeightsAndBiases, WeightsAndBiasesStatus};

use super::{
    FIELD_MANAGER,
    cluster::{Cluster, desired_object, inventory_entry, prune_refusal, to_json, uid_of},
    drift::{apply_reason, needs_apply},
    inventory::{Inventory, InventoryEntry, ObjectKey},
    plan::{Plan, PlannedObject},
};

/// A write or read of the executor failed.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// The API server does not serve the kind.
    #[error("the cluster does not serve {api_version} {kind}: {source}")]
    Resolve {
        /// apiVersion.
        api_version: String,
        /// kind.
        kind: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
    /// Reading the live object failed.
    #[error("reading {object}: {source}")]
    Read {
        /// The object.
        object: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
    /// Server-side apply was rejected (validation, admission, RBAC, conflict).
    #[error("applying {object}: {source}")]
    Apply {
        /// The object.
        object: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
    /// Deleting a pruned object failed.
    #[error("pruning {object}: {source}")]
    Prune {
        /// The object.
        object: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
    /// An object could not be converted to JSON.
    #[error("serializing {object}: {message}")]
    Serialize {
        /// The object.
        object: String,
        /// Cause.
        message: String,
    },
}

impl ExecuteError {
    /// A static category for metrics and logs.
    pub fn category(&self) -> &'static str {
        match self {
            ExecuteError::Resolve { .. } => "discovery",
            ExecuteError::Read { .. } => "read",
            ExecuteError::Apply { .. } => "apply",
            ExecuteError::Prune { .. } => "prune",
            ExecuteError::Serialize { .. } => "serialize",
        }
    }

    /// True when retrying without a change cannot help (the API server rejected
    /// the object as invalid or forbidden): the CR gets `Invalid Config`.
    pub fn is_permanent(&self) -> bool {
        let status = match self {
            ExecuteError::Apply { source, .. } | ExecuteError::Prune { source, .. } => source,
            ExecuteError::Serialize { .. } => return true,
            _ => return false,
        };
        matches!(status, kube::Error::Api(s) if matches!(s.code, 400 | 403 | 422))
    }
}

/// What one execution did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    /// The inventory after the apply (to store beside the active spec).
    pub inventory: Inventory,
    /// Objects written with server-side apply.
    pub applied: Vec<ObjectKey>,
    /// Objects whose live state already matched.
    pub unchanged: usize,
    /// Objects deleted.
    pub pruned: Vec<ObjectKey>,
    /// Objects left in place (kept, PVCs, or no longer ours).
    pub retained: Vec<ObjectKey>,
    /// The live objects after the apply, for health evaluation.
    pub live: Vec<Value>,
}

impl Applied {
    /// True when the cluster was changed.
    pub fn wrote(&self) -> bool {
        !self.applied.is_empty() || !self.pruned.is_empty()
    }
}

/// Discovery answers, shared by the applier and the chart's `lookup` so that a
/// steady-state reconcile asks the API server nothing about kinds. One answer per
/// group version (`/api/v1`, `/apis/apps/v1`, ...) holds every kind in it, so a
/// first install asks once per group version, not once per kind. Failures are not
/// kept: a group version the cluster does not serve is asked again next time, and a
/// kind missing from a kept answer makes the group version be asked again (a CRD
/// installed later is found). [`Discovery::forget`] drops the answer for a kind whose
/// resource answered 404 (a CRD removed or changed).
#[derive(Clone, Default)]
pub struct Discovery {
    groups: Arc<Mutex<HashMap<String, GroupResources>>>,
}

/// The kinds of one group version: resource and whether it is namespaced.
type GroupResources = Arc<Vec<(ApiResource, bool)>>;

impl Discovery {
    fn find(&self, api_version: &str, kind: &str) -> Option<(ApiResource, bool)> {
        let groups = self.groups.lock().ok()?;
        groups
            .get(api_version)?
            .iter()
            .find(|(r, _)| r.kind == kind)
            .cloned()
    }

    /// The resource of `api_version`/`kind` and whether it is namespaced.
    pub async fn resolve(
        &self,
        client: &Client,
        api_version: &str,
        kind: &str,
    ) -> Result<(ApiResource, bool), kube::Error> {
        if let Some(found) = self.find(api_version, kind) {
            return Ok(found);
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let answer = pinned_group(client, &GroupVersion::gv(group, version)).await?;
        let resources: Vec<(ApiResource, bool)> = answer
            .versioned_resources(version)
            .into_iter()
            .map(|(r, caps)| (r, caps.scope == Scope::Namespaced))
            .collect();
        if let Ok(mut groups) = self.groups.lock() {
            groups.insert(api_version.to_string(), Arc::new(resources));
        }
        self.find(api_version, kind).ok_or_else(|| {
            kube::Error::Discovery(kube::error::DiscoveryError::MissingKind(format!(
                "{api_version} {kind}"
            )))
        })
    }

    /// Drops the answer for `api_version` (which serves `kind`); the next use asks
    /// again.
    pub fn forget(&self, api_version: &str, kind: &str) {
        tracing::debug!(api_version, kind, "discovery: forgetting a kind");
        if let Ok(mut groups) = self.groups.lock() {
            groups.remove(api_version);
        }
    }
}

/// True when `e` is the API server's 404 (for a write: the resource is not served).
fn not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

/// Applies plans through one client and field manager.
pub struct Applier {
    cluster: Cluster,
}

impl Applier {
    /// An applier writing with `client`.
    pub fn new(client: Client) -> Applier {
        Applier::with_discovery(client, Discovery::default())
    }

    /// An applier sharing `discovery` (with the chart's `lookup`).
    pub fn with_discovery(client: Client, discovery: Discovery) -> Applier {
        Applier {
            cluster: Cluster { client, discovery },
        }
    }

    /// The discovery cache this applier uses.
    pub fn discovery(&self) -> Discovery {
        self.cluster.discovery.clone()
    }

    fn client(&self) -> Client {
        self.cluster.client.clone()
    }

    /// Applies `plan` and prunes. Objects are applied one by one in order; the first
    /// failure stops the execution (the pending inventory, stored before, still
    /// covers everything that may have been created).
    pub async fn execute(&self, plan: &Plan) -> Result<Applied, ExecuteError> {
        let mut out = Applied::default();
        for object in &plan.apply {
            let (entry, live, wrote) = self.apply_one(object, plan.last_applied(object)).await?;
            if wrote {
                out.applied.push(entry.key());
            } else {
                out.unchanged += 1;
            }
            out.inventory.entries.push(entry);
            out.live.push(live);
        }
        for entry in &plan.prune {
            if self.prune_one(entry).await? {
                out.pruned.push(entry.key());
            } else {
                out.retained.push(entry.key());
            }
        }
        out.retained
            .extend(plan.retained.iter().map(InventoryEntry::key));
        Ok(out)
    }

    async fn apply_one(
        &self,
        object: &PlannedObject,
        last_applied: Option<&str>,
    ) -> Result<(InventoryEntry, Value, bool), ExecuteError> {
        let m = &object.manifest;
        let name = object.key().to_string();
        let resolved = self.cluster.resolve(&m.api_version, &m.kind).await?;
        let namespace = if resolved.namespaced {
            object.namespace.as_deref()
        } else {
            None
        };
        let api = self.cluster.api(&resolved, namespace);
        let desired = desired_object(object, namespace);
        let live_json = self.cluster.live(&api, &m.name, &name).await?;
        let reason = apply_reason(&desired, last_applied, live_json.as_ref());
        let (result, wrote) = if let Some(reason) = reason {
            tracing::debug!(object = %name, %reason, "applying");
            let params = PatchParams::apply(FIELD_MANAGER).force();
            let applied = api
                .patch(&m.name, &params, &Patch::Apply(&desired))
                .await
                .map_err(|source| {
                    if not_found(&source) {
                        self.cluster.discovery.forget(&m.api_version, &m.kind);
                    }
                    ExecuteError::Apply {
                        object: name.clone(),
                        source,
                    }
                })?;
            (to_json(&applied, &name)?, true)
        } else {
            (live_json.unwrap_or(Value::Null), false)
        };
        let entry = inventory_entry(object, uid_of(&result), resolved.namespaced, &desired);
        Ok((entry, result, wrote))
    }

    /// Deletes one pruned object if it is still ours; `Ok(false)` when it was left.
    async fn prune_one(&self, entry: &InventoryEntry) -> Result<bool, ExecuteError> {
        let Some((api, live)) = self.cluster.prune_target(entry).await? else {
            return Ok(false);
        };
        if prune_refusal(entry, &live).is_some() {
            return Ok(false);
        }
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            preconditions: live.metadata.uid.clone().map(|uid| Preconditions {
                uid: Some(uid),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match api.delete(&entry.name, &params).await {
            Ok(_) => Ok(true),
            // Gone meanwhile, or re-created with another UID: not ours to delete.
            Err(kube::Error::Api(s)) if s.code == 404 || s.code == 409 => Ok(false),
            Err(source) => Err(ExecuteError::Prune {
                object: entry.key().to_string(),
                source,
            }),
        }
    }

    /// Writes a Secret with server-side apply unless the live one already holds the
    /// same content; returns whether it wrote.
    pub async fn apply_secret(&self, secret: &Secret) -> Result<bool, ExecuteError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let label = format!("Secret {name}");
        let api: Api<Secret> = match &secret.metadata.namespace {
            Some(ns) => Api::namespaced(self.client(), ns),
            None => Api::default_namespaced(self.client()),
        };
        let mut desired = serde_json::to_value(secret).map_err(|e| ExecuteError::Serialize {
            object: label.clone(),
            message: e.to_string(),
        })?;
        if let Some(obj) = desired.as_object_mut() {
            obj.insert("apiVersion".into(), "v1".into());
            obj.insert("kind".into(), "Secret".into());
        }
        let live = api
            .get_opt(&name)
            .await
            .map_err(|source| ExecuteError::Read {
                object: label.clone(),
                source,
            })?;
        let live = live.map(|l| serde_json::to_value(l).unwrap_or(Value::Null));
        if !needs_apply(&desired, live.as_ref()) {
            return Ok(false);
        }
        api.patch(
            &name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&desired),
        )
        .await
        .map_err(|source| ExecuteError::Apply {
            object: label,
            source,
        })?;
        Ok(true)
    }

    /// Writes the status subresource of a CR with server-side apply. Callers pass
    /// only a status that differs from the current one (see `status::next_status`).
    /// Returns the CR as stored after the write.
    pub async fn write_status(
        &self,
        cr: &WeightsAndBiases,
        status: &WeightsAndBiasesStatus,
    ) -> Result<WeightsAndBiases, ExecuteError> {
        let label = format!("WeightsAndBiases {} status", cr.name_any());
        let api: Api<WeightsAndBiases> =
            Api::namespaced(self.client(), &cr.namespace().unwrap_or_default());
        let body = serde_json::json!({
            "apiVersion": API_VERSION,
            "kind": "WeightsAndBiases",
            "status": status,
        });
        api.patch_status(
            &cr.name_any(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&body),
        )
        .await
        .map_err(|source| ExecuteError::Apply {
            object: label,
            source,
        })
    }

    /// Adds (`present`) or removes the operator's finalizer; no request when the
    /// CR already is as wanted. Returns whether it wrote.
    pub async fn set_finalizer(
        &self,
        cr: &WeightsAndBiases,
        present: bool,
    ) -> Result<bool, ExecuteError> {
        let current = cr.finalizers();
        let has = current.iter().any(|f| f == FINALIZER);
        if has == present {
            return Ok(false);
        }
        let finalizers: Vec<&str> = if present {
            current
                .iter()
                .map(String::as_str)
                .chain([FINALIZER])
                .collect()
        } else {
            current
                .iter()
                .map(String::as_str)
                .filter(|f| *f != FINALIZER)
                .collect()
        };
        // The resourceVersion makes the merge patch fail on a concurrent change of
        // the list instead of silently dropping someone else's finalizer.
        let body = serde_json::json!({"metadata": {
            "finalizers": finalizers,
            "resourceVersion": cr.resource_version(),
        }});
        let api: Api<WeightsAndBiases> =
            Api::namespaced(self.client(), &cr.namespace().unwrap_or_default());
        api.patch(
            &cr.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&body),
        )
        .await
        .map_err(|source| ExecuteError::Apply {
            object: format!("WeightsAndBiases {} finalizers", cr.name_any()),
            source,
        })?;
        Ok(true)
    }

    /// Creates a Secret only if none of that name exists (never overwrites: used for
    /// `wandb-password`); returns whether it created one.
    pub async fn create_secret_if_absent(&self, secret: &Secret) -> Result<bool, ExecuteError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let api: Api<Secret> = match &secret.metadata.namespace {
            Some(ns) => Api::namespaced(self.client(), ns),
            None => Api::default_namespaced(self.client()),
        };
        let exists = api
            .get_opt(&name)
            .await
            .map_err(|source| ExecuteError::Read {
                object: format!("Secret {name}"),
                source,
            })?;
        if exists.is_some() {
            return Ok(false);
        }
        match api.create(&PostParams::default(), secret).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
            Err(source) => Err(ExecuteError::Apply {
                object: format!("Secret {name}"),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
