//! `wandb-operator diff`: what `run` would change in the cluster, computed without
//! writing anything.
//!
//! The pipeline is the controller's own: state Secrets, release channel, layers,
//! chart source, render (with `lookup` answering from the cluster), plan and
//! reference check are the functions of `controller::prepare` that the reconcile
//! runs before its first write, so diff cannot drift from run there. Then, per
//! planned object, it makes the applier's reads and decisions (`apply::cluster`:
//! the body applied, the live object, `apply_reason` with the digest the inventory
//! recorded, the inventory entry, the prune checks) and, where `run` would apply,
//! asks the API server what the object would become: a server-side apply with
//! `dryRun=All`, our field manager and `force`, compared with the live object
//! without server-managed noise.
//!
//! Requests are GETs, discovery and dry-run applies only: nothing is stored.
//! Secret values are masked in every diff (see [`text`]).

pub mod text;

use std::sync::Arc;

use k8s_openapi::api::core::v1::Secret;
use kube::{
    Api, Client, Resource, ResourceExt,
    api::{Patch, PatchParams},
};
use serde::Serialize;
use serde_json::Value;

use crate::{
    api::{FINALIZER, WeightsAndBiases},
    apply::{
        Discovery, ExecuteError, FIELD_MANAGER, Inventory, InventoryEntry, Plan, PlannedObject,
        apply_reason,
        cluster::{
            Cluster, PruneRefusal, desired_object, inventory_entry, prune_refusal, to_json, uid_of,
        },
        needs_apply,
    },
    channel::ReleaseChannel,
    controller::{
        ReadError, Renderer,
        prepare::{
            PlanInputs, PrepareError, Prepared, base_layer, cache_secret, empty_user_input,
            prepare_plan, read_err, read_state,
        },
    },
    events::event_message,
    password::PASSWORD_SECRET,
    spec::{OperatorDefaults, StateKind, StoredSpec, state_secret},
    status::next_revision,
};

/// What `diff` compares against the cluster.
pub struct DiffInputs {
    /// The custom resource (from a file: its `spec` is what `run` would see once it
    /// is applied; status, UID and finalizers are read from the cluster's copy).
    pub cr: WeightsAndBiases,
    /// The user-input layer; `None` reads `<name>-spec-user` from the cluster.
    pub user_input: Option<StoredSpec>,
    /// The release channel; `None` uses the embedded one, as `run` without one.
    pub channel: Option<Arc<dyn ReleaseChannel>>,
    /// `AIRGAPPED`.
    pub airgapped: bool,
    /// Operator defaults layer.
    pub defaults: OperatorDefaults,
    /// Discovery answers, shared with the renderer's `lookup` as in `run`.
    pub discovery: Discovery,
}

/// What `run` would do to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Create an absent object.
    Create,
    /// Change a live object.
    Update,
    /// Delete (prune) an object of the previous inventory.
    Delete,
    /// Leave a no-longer-rendered object in place (keep annotation, PVC, not ours).
    Keep,
}

impl Action {
    /// The word printed in headers.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Keep => "keep",
        }
    }

    /// Whether the action changes the cluster.
    pub fn is_change(self) -> bool {
        self != Action::Keep
    }
}

/// One object `run` would touch (or deliberately leave).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// What happens.
    pub action: Action,
    /// `apiVersion`.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace; absent for cluster-scoped objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Why, when it is not obvious (kept objects, state Secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Unified diff (live -> after), Secret values masked; empty for `keep`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub diff: String,
}

impl Change {
    /// `Kind.group namespace/name`, as the operator names objects in events.
    pub fn label(&self) -> String {
        crate::apply::ObjectKey::new(
            &self.api_version,
            &self.kind,
            self.namespace.as_deref(),
            &self.name,
        )
        .to_string()
    }
}

/// The outcome of a diff.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffReport {
    /// Changes in the order `run` makes them: applies in install order, the state
    /// Secrets, then prunes in reverse order, then kept objects.
    pub changes: Vec<Change>,
    /// Rendered objects `run` would not write (the live object already holds them).
    pub unchanged: usize,
    /// Objects `run` would apply although the API server shows no resulting change
    /// (counted in `unchanged`); a steady state should have none.
    pub reapplied: Vec<String>,
    /// Objects the API server rejected in the dry run: `run` would stop there with
    /// `Invalid Config` and this message.
    pub rejected: Vec<String>,
    /// Remarks (release channel, warnings, the CR not being in the cluster).
    pub notes: Vec<String>,
}

impl DiffReport {
    /// Whether `run` would change the cluster.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_change())
    }

    /// Number of changes with `action`.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// The diff could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The configuration is invalid: `run` would set `Invalid Config` with this
    /// message (already redacted and truncated as in the condition).
    #[error("Invalid Config: {0}")]
    Invalid(String),
    /// Reading from the API server failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Discovery or a dry run failed in a way `run` would retry.
    #[error(transparent)]
    Execute(#[from] ExecuteError),
}

impl From<PrepareError> for DiffError {
    fn from(e: PrepareError) -> DiffError {
        match e {
            PrepareError::Invalid(message) => invalid(message),
            PrepareError::Read(e) => e.into(),
        }
    }
}

fn invalid(message: impl std::fmt::Display) -> DiffError {
    DiffError::Invalid(event_message(&message.to_string()))
}

/// Dry-run server-side apply parameters: the applier's, plus `dryRun=All`.
fn dry_run_params() -> PatchParams {
    PatchParams::apply(FIELD_MANAGER).force().dry_run()
}

fn change(
    action: Action,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Change {
    Change {
        action,
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
        reason: None,
        diff: String::new(),
    }
}

/// A state Secret `run` would write: created, or updated when the live one lacks
/// the desired content (the applier's `apply_secret` test).
fn state_change(
    desired: &Secret,
    live: Option<&Secret>,
    reason: &str,
) -> Result<Option<Change>, ExecuteError> {
    let name = desired.metadata.name.clone().unwrap_or_default();
    let label = format!("Secret {name}");
    let mut want = to_json(desired, &label)?;
    if let Some(obj) = want.as_object_mut() {
        obj.insert("apiVersion".into(), "v1".into());
        obj.insert("kind".into(), "Secret".into());
    }
    let live = live.map(|l| to_json(l, &label)).transpose()?;
    if !needs_apply(&want, live.as_ref()) {
        return Ok(None);
    }
    // What server-side apply makes of it: the live Secret with our data, labels
    // and owner references.
    let after = match &live {
        None => want.clone(),
        Some(l) => {
            let mut after = l.clone();
            if let Some(obj) = after.as_object_mut() {
                obj.insert("data".into(), want.get("data").cloned().unwrap_or_default());
            }
            for field in ["labels", "ownerReferences"] {
                if let (Some(w), Some(meta)) = (
                    want.pointer(&format!("/metadata/{field}")),
                    after.get_mut("metadata").and_then(Value::as_object_mut),
                ) {
                    let mut merged = meta.get(field).cloned().unwrap_or(Value::Null);
                    match (&mut merged, w) {
                        (Value::Object(m), Value::Object(wm)) => {
                            m.extend(wm.iter().map(|(k, v)| (k.clone(), v.clone())));
                        }
                        _ => merged = w.clone(),
                    }
                    meta.insert(field.into(), merged);
                }
            }
            after
        }
    };
    let action = if live.is_some() {
        Action::Update
    } else {
        Action::Create
    };
    let namespace = desired.metadata.namespace.as_deref();
    let mut c = change(action, "v1", "Secret", namespace, &name);
    c.reason = Some(reason.to_string());
    c.diff = text::object_diff(
        live.as_ref(),
        Some(&after),
        if live.is_some() { "live" } else { "/dev/null" },
        "run",
    );
    Ok(Some(c))
}

/// Computes what `run` would change for `inputs.cr`, reading the cluster through
/// `client` and rendering with `renderer` (give it a `lookup` on the same cluster,
/// as `run` does). Makes no write.
pub async fn diff(
    client: &Client,
    renderer: Arc<dyn Renderer>,
    inputs: &DiffInputs,
) -> Result<DiffReport, DiffError> {
    let cr = &inputs.cr;
    let name = cr.name_any();
    let ns = cr.namespace().unwrap_or_else(|| "default".to_string());
    let mut report = DiffReport::default();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let live_cr = Api::<WeightsAndBiases>::namespaced(client.clone(), &ns)
        .get_opt(&name)
        .await
        .or_else(|e| match e {
            // The CRD is not installed: no CR either.
            kube::Error::Api(s) if s.code == 404 => Ok(None),
            e => Err(e),
        })
        .map_err(read_err(format!("WeightsAndBiases {ns}/{name}")))?;
    if live_cr.is_none() {
        report.notes.push(format!(
            "WeightsAndBiases {ns}/{name} is not in the cluster: showing what `run` would do \
             once it is applied"
        ));
    }
    let owner = live_cr.as_ref().and_then(|c| c.controller_owner_ref(&()));
    let status = live_cr.as_ref().and_then(|c| c.status.as_ref());
    // The reconcile's own preparation steps (`controller::prepare`), up to its
    // first write.
    let state = read_state(&secrets, &name).await?;
    let cluster = Cluster {
        client: client.clone(),
        discovery: inputs.discovery.clone(),
    };

    if let Some(live) = &live_cr
        && live.meta().deletion_timestamp.is_some()
    {
        report.notes.push(format!(
            "WeightsAndBiases {ns}/{name} is being deleted: `run` uninstalls it"
        ));
        if live.finalizers().iter().any(|f| f == FINALIZER) {
            prunes(
                &cluster,
                &Plan::uninstall(&state.inventory, &ns),
                &mut report,
            )
            .await?;
        }
        return Ok(report);
    }

    // User input: the file, else the console's Secret (created empty when absent).
    let user = match &inputs.user_input {
        Some(u) => Some(u.clone()),
        None => match &state.user_error {
            Some(e) => return Err(invalid(e)),
            None => state.user.clone(),
        },
    };
    let mut state_changes = Vec::new();
    if inputs.user_input.is_none() && state.user_secret.is_none() {
        state_changes.extend(state_change(
            &empty_user_input(&name, &ns),
            None,
            "user input for the system console",
        )?);
    }

    // Channel.
    let base = base_layer(
        &secrets,
        cr,
        user.as_ref(),
        state.cached.clone(),
        inputs.channel.as_ref(),
        inputs.airgapped,
    )
    .await?;
    if let Some(secret) = cache_secret(&base, &name, &ns, owner.clone()) {
        state_changes.extend(state_change(
            &secret,
            state.cached_secret.as_ref(),
            "last good release of the channel",
        )?);
    }
    if !base.reachable {
        report
            .notes
            .push(format!("release channel: {}", base.message));
    }

    // Layers, chart, render, plan, references: any failure is what `run` reports
    // as Invalid Config.
    let Prepared {
        desired, planned, ..
    } = prepare_plan(
        client,
        renderer,
        PlanInputs {
            cr,
            ns: &ns,
            user: user.as_ref(),
            base: &base.release,
            defaults: inputs.defaults.clone(),
            inventory: &state.inventory,
            revision: next_revision(status),
        },
    )
    .await?;
    report
        .notes
        .extend(desired.warnings.iter().map(|w| format!("warning: {w}")));

    // The applies, decided as the applier decides.
    let mut after_inventory = Inventory::default();
    for object in &planned.apply {
        if let Some(entry) = apply_one(&cluster, &planned, object, &mut report).await? {
            after_inventory.entries.push(entry);
        }
    }

    // State Secrets the reconcile writes after a successful apply.
    if report.rejected.is_empty() {
        let active = state_secret(
            StateKind::Active,
            &name,
            &ns,
            &desired.to_stored(),
            Some(&after_inventory),
            owner,
        );
        state_changes.extend(state_change(
            &active,
            state.active_secret.as_ref(),
            "last applied spec and inventory",
        )?);
        let password = secrets
            .get_opt(PASSWORD_SECRET)
            .await
            .map_err(read_err(format!("Secret {PASSWORD_SECRET}")))?;
        if password.is_none() {
            let mut c = change(Action::Create, "v1", "Secret", Some(&ns), PASSWORD_SECRET);
            c.reason = Some("random password of the system console, never rotated".into());
            report.changes.push(c);
        }
    }
    report.changes.extend(state_changes);
    prunes(&cluster, &planned, &mut report).await?;
    Ok(report)
}

/// Whether the plan creates the CustomResourceDefinition serving `group`/`kind`.
fn plan_defines(planned: &Plan, group: &str, kind: &str) -> bool {
    planned.apply.iter().any(|o| {
        o.manifest.kind == "CustomResourceDefinition"
            && o.manifest
                .object
                .pointer("/spec/group")
                .and_then(Value::as_str)
                == Some(group)
            && o.manifest
                .object
                .pointer("/spec/names/kind")
                .and_then(Value::as_str)
                == Some(kind)
    })
}

/// One planned object: unchanged, create or update (with the dry-run result), or
/// rejected. Returns the inventory entry `run` would record.
async fn apply_one(
    cluster: &Cluster,
    planned: &Plan,
    object: &PlannedObject,
    report: &mut DiffReport,
) -> Result<Option<InventoryEntry>, DiffError> {
    let m = &object.manifest;
    let key = object.key();
    let resolved = match cluster.resolve(&m.api_version, &m.kind).await {
        Ok(r) => r,
        Err(e) if plan_defines(planned, &key.group, &m.kind) => {
            // Served only once the CRD of this same apply exists.
            let desired = desired_object(object, object.namespace.as_deref());
            let mut c = change(
                Action::Create,
                &m.api_version,
                &m.kind,
                object.namespace.as_deref(),
                &m.name,
            );
            c.reason = Some(format!("not checked by the API server: {e}"));
            c.diff = text::object_diff(None, Some(&desired), "/dev/null", "run");
            report.changes.push(c);
            return Ok(Some(inventory_entry(object, None, true, &desired)));
        }
        Err(e) => return Err(e.into()),
    };
    let namespace = if resolved.namespaced {
        object.namespace.as_deref()
    } else {
        None
    };
    let desired = desired_object(object, namespace);
    let api = cluster.api(&resolved, namespace);
    let label = key.to_string();
    let live_json = cluster.live(&api, &m.name, &label).await?;
    // What the applier records once it applied (or skipped) this render.
    let entry = inventory_entry(
        object,
        live_json.as_ref().and_then(uid_of),
        resolved.namespaced,
        &desired,
    );
    if apply_reason(&desired, planned.last_applied(object), live_json.as_ref()).is_none() {
        report.unchanged += 1;
        return Ok(Some(entry));
    }
    let mut c = change(
        if live_json.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        &m.api_version,
        &m.kind,
        namespace,
        &m.name,
    );
    let after = match api
        .patch(&m.name, &dry_run_params(), &Patch::Apply(&desired))
        .await
    {
        Ok(result) => to_json(&result, &label)?,
        Err(source) => {
            let e = ExecuteError::Apply {
                object: label.clone(),
                source,
            };
            if e.is_permanent() {
                report.rejected.push(event_message(&e.to_string()));
                return Ok(None);
            }
            match &e {
                // Creating in a namespace this apply creates first.
                ExecuteError::Apply {
                    source: kube::Error::Api(s),
                    ..
                } if s.code == 404 && live_json.is_none() => {
                    c.reason = Some(format!("not checked by the API server: {}", s.message));
                    desired
                }
                _ => return Err(e.into()),
            }
        }
    };
    if let Some(before) = &live_json
        && text::clean(before) == text::clean(&after)
    {
        report.reapplied.push(label);
        report.unchanged += 1;
        return Ok(Some(entry));
    }
    c.diff = text::object_diff(
        live_json.as_ref(),
        Some(&after),
        if live_json.is_some() {
            "live"
        } else {
            "/dev/null"
        },
        "run",
    );
    report.changes.push(c);
    Ok(Some(entry))
}

/// The prune of `planned` as the executor would carry it out.
async fn prunes(
    cluster: &Cluster,
    planned: &Plan,
    report: &mut DiffReport,
) -> Result<(), DiffError> {
    for (entry, protected) in planned
        .prune
        .iter()
        .map(|e| (e, false))
        .chain(planned.retained.iter().map(|e| (e, true)))
    {
        let Some((_, live)) = cluster.prune_target(entry).await? else {
            continue;
        };
        let refusal = prune_refusal(entry, &live);
        let reason = if protected && entry.kind == "PersistentVolumeClaim" && !entry.keep {
            Some("PersistentVolumeClaims are never pruned")
        } else if protected || refusal == Some(PruneRefusal::Kept) {
            Some("annotated helm.sh/resource-policy: keep")
        } else if refusal == Some(PruneRefusal::Recreated) {
            Some("re-created since it was applied (another UID): not ours")
        } else {
            None
        };
        let mut c = change(
            if reason.is_some() {
                Action::Keep
            } else {
                Action::Delete
            },
            &entry.api_version,
            &entry.kind,
            entry.namespace.as_deref(),
            &entry.name,
        );
        match reason {
            Some(r) => c.reason = Some(r.to_string()),
            None => {
                let live = to_json(&live, &entry.key().to_string())?;
                c.diff = text::object_diff(Some(&live), None, "live", "/dev/null");
            }
        }
        report.changes.push(c);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_params_match_the_applier_and_never_persist() {
        let p = dry_run_params();
        assert!(p.dry_run);
        assert!(p.force);
        assert_eq!(p.field_manager.as_deref(), Some(FIELD_MANAGER));
    }

    #[test]
    fn a_crd_of_the_same_apply_is_recognised() {
        use crate::render::Manifest;
        let crd = Manifest::from_object(
            "c/crds/widget.yaml",
            serde_json::json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "widgets.example.com"},
                "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}}}),
        );
        let widget = Manifest::from_object(
            "c/templates/w.yaml",
            serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
        );
        let planned = crate::apply::plan(&[widget, crd], &Inventory::default(), "ns").unwrap();
        assert!(plan_defines(&planned, "example.com", "Widget"));
        assert!(!plan_defines(&planned, "example.com", "Gadget"));
        assert!(!plan_defines(&planned, "other.com", "Widget"));
    }

    #[test]
    fn only_keep_is_not_a_change() {
        let mut r = DiffReport::default();
        r.changes.push(change(
            Action::Keep,
            "v1",
            "PersistentVolumeClaim",
            Some("n"),
            "d",
        ));
        assert!(!r.has_changes());
        r.changes
            .push(change(Action::Delete, "v1", "ConfigMap", Some("n"), "c"));
        assert!(r.has_changes());
        assert_eq!(r.count(Action::Delete), 1);
        assert_eq!(r.changes[1].label(), "ConfigMap n/c");
    }
}
