//! One reconcile of one `WeightsAndBiases`, as a function of the CR and a
//! [`Context`] with injected parts (renderer, release channel, clock), so that it
//! runs the same against a real cluster, `kube-testserver` or the unit tests' fake
//! API. The kube-runtime `Controller` wiring (watches, concurrency, leader
//! election, error policy) calls [`reconcile`] and publishes the returned events.
//!
//! Pipeline: read state (IO) -> channel (IO) -> layers -> chart -> render -> plan ->
//! reference check (reads; module `prepare`, shared with `diff`) -> apply and
//! prune (the only writes) -> state Secrets -> health -> status (written only when
//! it changed). Bad input ends in
//! `Invalid Config` and waits for a change; API errors are returned for a retry
//! with backoff.

mod echo;
mod lease;
pub(crate) mod prepare;
mod run;
mod workloads;

use std::{sync::Arc, time::Duration};

use k8s_openapi::{
    api::core::v1::Secret,
    apimachinery::pkg::apis::meta::v1::{OwnerReference, Time},
};
use kube::{Api, Client, Resource, ResourceExt, runtime::reflector::ObjectRef};

use crate::{
    api::{FINALIZER, Phase, WeightsAndBiases, WeightsAndBiasesStatus},
    apply::{Applied, Applier, ExecuteError, Inventory, Plan},
    channel::ReleaseChannel,
    events::{Reason, event_message},
    health::{evaluate, ready_condition},
    password::{generate_password, password_secret},
    render::{Manifest, RenderRequest, chart_version_string},
    spec::{OperatorDefaults, StateKind, state_secret},
    status::{AppliedRevision, StatusInput, next_revision, next_status},
};

use prepare::{
    PlanInputs, PrepareError, Prepared, base_layer, cache_secret, empty_user_input, prepare_plan,
    read_state,
};

pub use lease::{Decision, LeaderElector, LeaseConfig, decide};
pub use run::{
    CONTROLLER_NAME, ERROR_REQUEUE, MAX_BACKOFF, RunConfig, RunError, backoff, check_crd, run,
    state_secret_owner,
};
pub use workloads::{WorkloadIndex, WorkloadKey};

/// How soon to look again while workloads are still rolling out. The Deployment,
/// StatefulSet and Job watches normally flip `Ready` within a second of the
/// rollout; this is the safety net for what they cannot see (a workload in a
/// namespace outside `ISOLATION_NAMESPACES`, a watch that was down).
pub const NOT_READY_REQUEUE: Duration = Duration::from_secs(60);

/// The chart rendered for one reconcile.
#[derive(Clone, Debug, Default)]
pub struct RenderedChart {
    /// Manifests in Helm's install order (hooks included as plain objects).
    pub manifests: Vec<Manifest>,
    /// `Chart.yaml` version.
    pub chart_version: String,
    /// `Chart.yaml` appVersion.
    pub app_version: Option<String>,
}

/// The renderer (the `helm` crate behind `crate::render`). An `Err` is an invalid
/// configuration: schema violation, chart `fail`/`required`, unparsable output.
pub trait Renderer: Send + Sync {
    /// Renders `request.chart` with `request.spec`'s merged values.
    fn render(&self, request: &RenderRequest<'_>) -> Result<RenderedChart, String>;
}

/// Everything a reconcile needs besides the CR.
pub struct Context {
    /// API client (reads).
    pub client: Client,
    /// The only writer.
    pub applier: Applier,
    /// Chart renderer.
    pub renderer: Arc<dyn Renderer>,
    /// The release channel; `None` uses the embedded one.
    pub channel: Option<Arc<dyn ReleaseChannel>>,
    /// `AIRGAPPED`.
    pub airgapped: bool,
    /// Operator defaults layer.
    pub defaults: OperatorDefaults,
    /// The clock, injectable for tests.
    pub now: fn() -> Time,
}

/// What the controller should do after a reconcile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Requeue after this long; `None` waits for a change of the CR.
    pub requeue_after: Option<Duration>,
    /// Events to publish on the CR, in order (messages already redacted).
    pub events: Vec<(Reason, String)>,
    /// What the apply did, when it ran.
    pub applied: Option<Applied>,
    /// Whether the status was written.
    pub status_written: bool,
    /// The CR's `resourceVersion` after the status write: the watch event that
    /// echoes it needs no reconcile.
    pub status_resource_version: Option<String>,
}

/// Reading from the API server failed (a reconcile, or `diff`, retries).
#[derive(Debug, thiserror::Error)]
#[error("reading {what}: {source}")]
pub struct ReadError {
    /// What was read.
    pub what: String,
    /// Cause.
    #[source]
    pub source: kube::Error,
}

/// A reconcile failed in a way worth retrying with backoff.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// Reading from the API server failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Applying or pruning failed transiently.
    #[error(transparent)]
    Execute(#[from] ExecuteError),
    /// The OS random source failed.
    #[error(transparent)]
    Random(#[from] crate::password::RandomError),
}

impl ReconcileError {
    /// A static category for metrics.
    pub fn category(&self) -> &'static str {
        match self {
            ReconcileError::Read(_) => "read",
            ReconcileError::Execute(e) => e.category(),
            ReconcileError::Random(_) => "random",
        }
    }
}

/// The `Invalid Config` message of a failed preparation step, or the error to
/// retry with.
fn invalid_or_retry(e: PrepareError) -> Result<String, ReconcileError> {
    match e {
        PrepareError::Invalid(message) => Ok(message),
        PrepareError::Read(e) => Err(e.into()),
    }
}

fn owner_ref(cr: &WeightsAndBiases) -> Option<OwnerReference> {
    cr.controller_owner_ref(&())
}

/// Reconciles one CR.
pub async fn reconcile(cr: &WeightsAndBiases, ctx: &Context) -> Result<Outcome, ReconcileError> {
    reconcile_tracked(cr, ctx, None).await
}

/// Reconciles one CR; with `workloads`, the tracked workloads it is about to apply
/// are registered there as pending before the apply (see [`WorkloadIndex`]), so a
/// rollout event racing the reconcile is not lost. The caller records the outcome.
pub async fn reconcile_tracked(
    cr: &WeightsAndBiases,
    ctx: &Context,
    workloads: Option<&WorkloadIndex>,
) -> Result<Outcome, ReconcileError> {
    let name = cr.name_any();
    let ns = cr.namespace().unwrap_or_else(|| "default".to_string());
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &ns);
    let state = read_state(&secrets, &name).await?;
    let mut out = Outcome::default();

    if cr.meta().deletion_timestamp.is_some() {
        return uninstall(cr, ctx, &ns, &state.inventory, out).await;
    }

    if let Some(message) = &state.user_error {
        return invalid(cr, ctx, out, message.clone(), None).await;
    }
    if state.user.is_none() {
        ctx.applier
            .create_secret_if_absent(&empty_user_input(&name, &ns))
            .await?;
    }

    // Channel.
    let base = match base_layer(
        &secrets,
        cr,
        state.user.as_ref(),
        state.cached.clone(),
        ctx.channel.as_ref(),
        ctx.airgapped,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return invalid(cr, ctx, out, invalid_or_retry(e)?, None).await,
    };
    if let Some(secret) = cache_secret(&base, &name, &ns, owner_ref(cr)) {
        ctx.applier.apply_secret(&secret).await?;
    }
    if !base.reachable {
        out.events
            .push((Reason::ChannelUnreachable, event_message(&base.message)));
    }
    let channel_condition = Some((
        base.reachable,
        base.reason.to_string(),
        base.message.clone(),
    ));

    // Layers, chart, render, plan, references: reads only; any other failure is
    // bad input.
    let prepared = prepare_plan(
        &ctx.client,
        ctx.renderer.clone(),
        PlanInputs {
            cr,
            ns: &ns,
            user: state.user.as_ref(),
            base: &base.release,
            defaults: ctx.defaults.clone(),
            inventory: &state.inventory,
            revision: next_revision(cr.status.as_ref()),
        },
    )
    .await;
    let Prepared {
        desired,
        rendered,
        planned,
    } = match prepared {
        Ok(p) => p,
        Err(e) => return invalid(cr, ctx, out, invalid_or_retry(e)?, channel_condition).await,
    };

    // Writes.
    ctx.applier.set_finalizer(cr, true).await?;
    let pending = planned.pending_inventory(&state.inventory);
    if pending != state.inventory {
        let spec = state.active.clone().unwrap_or_default();
        let secret = state_secret(
            StateKind::Active,
            &name,
            &ns,
            &spec,
            Some(&pending),
            owner_ref(cr),
        );
        ctx.applier.apply_secret(&secret).await?;
    }
    if let Some(index) = workloads {
        index.expect(
            &ObjectRef::from_obj(cr),
            planned.apply.iter().filter_map(WorkloadKey::of_planned),
        );
    }
    let applied = match ctx.applier.execute(&planned).await {
        Ok(a) => a,
        Err(e) if e.is_permanent() => {
            out.events
                .push((Reason::ApplyFailed, event_message(&e.to_string())));
            return invalid(cr, ctx, out, e.to_string(), channel_condition).await;
        }
        Err(e) => return Err(e.into()),
    };
    let active = state_secret(
        StateKind::Active,
        &name,
        &ns,
        &desired.to_stored(),
        Some(&applied.inventory),
        owner_ref(cr),
    );
    ctx.applier.apply_secret(&active).await?;
    if ctx
        .applier
        .create_secret_if_absent(&password_secret(&ns, &generate_password()?))
        .await?
    {
        out.events.push((
            Reason::PasswordCreated,
            "created Secret wandb-password".into(),
        ));
    }
    if !applied.applied.is_empty() {
        out.events.push((
            Reason::Applied,
            format!("applied {} objects", applied.applied.len()),
        ));
    }
    if !applied.pruned.is_empty() {
        let names: Vec<String> = applied.pruned.iter().map(ToString::to_string).collect();
        out.events.push((
            Reason::Pruned,
            event_message(&format!("deleted {}", names.join(", "))),
        ));
    }

    // Health and status.
    let workloads: Vec<(String, crate::health::Health)> = applied
        .live
        .iter()
        .filter_map(|o| {
            let health = evaluate(o)?;
            let kind = o.get("kind")?.as_str()?;
            let n = o.pointer("/metadata/name")?.as_str()?;
            Some((format!("{kind} {n}"), health))
        })
        .collect();
    let ready = ready_condition(&workloads, cr.meta().generation);
    let is_ready = ready.status;
    let wrote = applied.wrote();
    let (reason, message) = if wrote {
        (
            "Applied",
            format!(
                "applied {} objects, pruned {}",
                applied.applied.len(),
                applied.pruned.len()
            ),
        )
    } else {
        (
            "UpToDate",
            "the cluster matches the desired configuration".to_string(),
        )
    };
    let input = StatusInput {
        generation: cr.meta().generation,
        phase: Phase::Completed,
        reconciled: (true, reason.to_string(), message),
        ready: Some(ready),
        channel: channel_condition,
        applied: wrote.then(|| AppliedRevision {
            version: chart_version_string(&rendered.chart_version, rendered.app_version.as_deref()),
            time: (ctx.now)(),
        }),
    };
    if let Some(status) = next_status(cr.status.as_ref(), input, &(ctx.now)()) {
        write_status(ctx, cr, &status, &mut out).await?;
        if wrote {
            out.events
                .push((Reason::Completed, "completed reconcile".into()));
        }
    }
    for warning in &desired.warnings {
        out.events
            .push((Reason::InvalidConfig, event_message(warning)));
    }
    out.requeue_after = Some(if is_ready {
        desired.reconcile_frequency
    } else {
        NOT_READY_REQUEUE.min(desired.reconcile_frequency)
    });
    out.applied = Some(applied);
    Ok(out)
}

/// Writes `status`, and keeps the CR's version after the write when the watch
/// event of that version is only the echo of this write.
async fn write_status(
    ctx: &Context,
    cr: &WeightsAndBiases,
    status: &WeightsAndBiasesStatus,
    out: &mut Outcome,
) -> Result<(), ReconcileError> {
    let written = ctx.applier.write_status(cr, status).await?;
    out.status_resource_version = echo::own_write(cr, &written);
    out.status_written = true;
    Ok(())
}

async fn invalid(
    cr: &WeightsAndBiases,
    ctx: &Context,
    mut out: Outcome,
    message: String,
    channel: Option<(bool, String, String)>,
) -> Result<Outcome, ReconcileError> {
    let message = event_message(&message);
    out.events.push((Reason::InvalidConfig, message.clone()));
    let input = StatusInput {
        generation: cr.meta().generation,
        phase: Phase::InvalidConfig,
        reconciled: (false, "InvalidConfig".into(), message),
        ready: None,
        channel,
        applied: None,
    };
    if let Some(status) = next_status(cr.status.as_ref(), input, &(ctx.now)()) {
        write_status(ctx, cr, &status, &mut out).await?;
    }
    out.requeue_after = None;
    Ok(out)
}

async fn uninstall(
    cr: &WeightsAndBiases,
    ctx: &Context,
    ns: &str,
    inventory: &Inventory,
    mut out: Outcome,
) -> Result<Outcome, ReconcileError> {
    if !cr.finalizers().iter().any(|f| f == FINALIZER) {
        return Ok(out);
    }
    out.events.push((
        Reason::Uninstalling,
        format!("deleting {} objects", inventory.entries.len()),
    ));
    let applied = ctx.applier.execute(&Plan::uninstall(inventory, ns)).await?;
    ctx.applier.set_finalizer(cr, false).await?;
    out.events.push((
        Reason::Uninstalled,
        format!(
            "deleted {} objects, kept {}",
            applied.pruned.len(),
            applied.retained.len()
        ),
    ));
    out.applied = Some(applied);
    Ok(out)
}

#[cfg(test)]
mod tests;
