//! The reconcile's steps up to its first write to a workload object: state
//! Secrets, release channel, layers, chart, render, plan and reference check.
//! [`reconcile`](super::reconcile) runs them and then writes; `diff` runs the very
//! same steps and then dry-runs the plan, so what `diff` announces cannot drift
//! from what `run` does. The steps read and never write; the state Secrets the
//! reconcile writes between them (user input, channel cache) are returned for the
//! caller to write or to announce.

use std::sync::Arc;

use k8s_openapi::{
    api::core::v1::{ConfigMap, Secret},
    apimachinery::pkg::apis::meta::v1::OwnerReference,
};
use kube::{Api, Client, ResourceExt};

use crate::{
    api::WeightsAndBiases,
    apply::{Inventory, Plan, plan},
    channel::{BaseLayer, ChannelRequest, ReleaseChannel, embedded_release, select_base},
    render::RenderRequest,
    source::{SecretString, fetch_offline},
    spec::{
        DesiredSpec, LayerInputs, LicenseSource, OperatorDefaults, StateKind, StoredSpec,
        desired_spec, inventory_from_secret, license_sources, release_id,
    },
    validate::external_references,
};

use super::{ReadError, RenderedChart, Renderer};

/// A preparation step stopped.
#[derive(Debug)]
pub(crate) enum PrepareError {
    /// Bad input: the reconcile sets `Invalid Config` with this message (not yet
    /// redacted or truncated).
    Invalid(String),
    /// A read failed.
    Read(ReadError),
}

impl From<ReadError> for PrepareError {
    fn from(e: ReadError) -> PrepareError {
        PrepareError::Read(e)
    }
}

pub(crate) fn read_err(what: impl Into<String>) -> impl FnOnce(kube::Error) -> ReadError {
    let what = what.into();
    move |source| ReadError { what, source }
}

fn invalid(message: impl std::fmt::Display) -> PrepareError {
    PrepareError::Invalid(message.to_string())
}

/// The state Secrets of a CR as read at the start of a reconcile: raw (to compare
/// with what would be written) and parsed.
pub(crate) struct State {
    /// `<name>-spec-user`.
    pub user_secret: Option<Secret>,
    /// `<name>-spec-active`.
    pub active_secret: Option<Secret>,
    /// The channel cache Secret.
    pub cached_secret: Option<Secret>,
    /// The parsed user input.
    pub user: Option<StoredSpec>,
    /// Why the user-input Secret does not parse.
    pub user_error: Option<String>,
    /// The last applied spec.
    pub active: Option<StoredSpec>,
    /// What the last apply recorded.
    pub inventory: Inventory,
    /// The last good release of the channel.
    pub cached: Option<StoredSpec>,
}

/// Reads the state Secrets of CR `name`.
pub(crate) async fn read_state(secrets: &Api<Secret>, name: &str) -> Result<State, ReadError> {
    let get = |kind: StateKind| {
        let secret_name = kind.secret_name(name);
        async move {
            secrets
                .get_opt(&secret_name)
                .await
                .map_err(read_err(format!("Secret {secret_name}")))
        }
    };
    let user_secret = get(StateKind::UserInput).await?;
    let active_secret = get(StateKind::Active).await?;
    let cached_secret = get(StateKind::CachedRelease).await?;
    let (user, user_error) = match user_secret.as_ref().map(StoredSpec::from_secret) {
        None => (None, None),
        Some(Ok(s)) => (Some(s), None),
        Some(Err(e)) => (None, Some(e.to_string())),
    };
    // A damaged active or cached Secret is not the admin's input: treat it as
    // absent (the next apply rewrites it) rather than blocking the reconcile.
    let active = active_secret
        .as_ref()
        .and_then(|s| StoredSpec::from_secret(s).ok());
    let inventory = active_secret
        .as_ref()
        .and_then(|s| inventory_from_secret(s).ok())
        .unwrap_or_default();
    let cached = cached_secret
        .as_ref()
        .and_then(|s| StoredSpec::from_secret(s).ok());
    Ok(State {
        user_secret,
        active_secret,
        cached_secret,
        user,
        user_error,
        active,
        inventory,
        cached,
    })
}

async fn resolve_license(
    secrets: &Api<Secret>,
    sources: Vec<LicenseSource>,
) -> Result<Option<SecretString>, ReadError> {
    for source in sources {
        match source {
            LicenseSource::Inline { license, .. } => return Ok(Some(license)),
            LicenseSource::Secret { name, key, .. } => {
                let secret = secrets
                    .get_opt(&name)
                    .await
                    .map_err(read_err("license Secret"))?;
                let value = secret
                    .and_then(|s| s.data)
                    .and_then(|d| d.get(&key).cloned())
                    .map(|b| String::from_utf8_lossy(&b.0).trim().to_string())
                    .filter(|s| !s.is_empty());
                if let Some(v) = value {
                    return Ok(Some(SecretString(v)));
                }
            }
        }
    }
    Ok(None)
}

/// The channel layer: fetched from `channel` (with the license the CR or `user`
/// names) unless air-gapped, else the cached or the embedded release.
pub(crate) async fn base_layer(
    secrets: &Api<Secret>,
    cr: &WeightsAndBiases,
    user: Option<&StoredSpec>,
    cached: Option<StoredSpec>,
    channel: Option<&Arc<dyn ReleaseChannel>>,
    airgapped: bool,
) -> Result<BaseLayer, PrepareError> {
    let fetched = match (channel, airgapped) {
        (Some(channel), false) => {
            let license = resolve_license(
                secrets,
                license_sources(cr.spec.values.as_ref(), user.map(|u| &u.values)),
            )
            .await?;
            let request = ChannelRequest {
                license,
                release_id: release_id(user),
            };
            Some(channel.fetch(&request).await)
        }
        _ => None,
    };
    let embedded = embedded_release().map_err(|e| invalid(format!("embedded channel: {e}")))?;
    Ok(select_base(airgapped, fetched, cached, embedded))
}

/// The channel cache Secret the reconcile writes for `base` (the last good
/// release of the channel), when it writes one.
pub(crate) fn cache_secret(
    base: &BaseLayer,
    name: &str,
    ns: &str,
    owner: Option<OwnerReference>,
) -> Option<Secret> {
    base.write_cache.then(|| {
        crate::spec::state_secret(
            StateKind::CachedRelease,
            name,
            ns,
            &base.release,
            None,
            owner,
        )
    })
}

/// The empty user-input Secret the reconcile creates when there is none (the
/// console expects it; it is never owned by the CR, so it survives deletion).
pub(crate) fn empty_user_input(name: &str, ns: &str) -> Secret {
    let empty = StoredSpec {
        chart: serde_json::Value::Null,
        values: serde_json::json!({}),
        metadata: None,
    };
    crate::spec::state_secret(StateKind::UserInput, name, ns, &empty, None, None)
}

/// What [`prepare_plan`] works from besides the cluster.
pub(crate) struct PlanInputs<'a> {
    /// The CR.
    pub cr: &'a WeightsAndBiases,
    /// Its namespace.
    pub ns: &'a str,
    /// The user-input layer.
    pub user: Option<&'a StoredSpec>,
    /// The channel layer.
    pub base: &'a StoredSpec,
    /// Operator defaults layer.
    pub defaults: OperatorDefaults,
    /// What the last apply recorded.
    pub inventory: &'a Inventory,
    /// The release revision the render reports.
    pub revision: i64,
}

/// The plan of one reconcile, ready to execute.
pub(crate) struct Prepared {
    /// The merged layers.
    pub desired: DesiredSpec,
    /// The rendered chart.
    pub rendered: RenderedChart,
    /// Applies and prunes.
    pub planned: Plan,
}

/// Layers, chart, render, plan and the check that every Secret and ConfigMap
/// the plan requires exists. Any failure but a read is bad input.
pub(crate) async fn prepare_plan(
    client: &Client,
    renderer: Arc<dyn Renderer>,
    inputs: PlanInputs<'_>,
) -> Result<Prepared, PrepareError> {
    let cr = inputs.cr;
    let name = cr.name_any();
    let desired = desired_spec(&LayerInputs {
        cr_name: &name,
        cr_chart: cr.spec.chart.as_ref(),
        cr_values: cr.spec.values.as_ref(),
        user_input: inputs.user,
        channel: Some(inputs.base),
        defaults: inputs.defaults,
    })
    .map_err(invalid)?;
    let field = match desired.chart_layer {
        Some(crate::spec::Layer::CustomResource) | None => "spec.chart".to_string(),
        Some(layer) => format!("{layer} chart"),
    };
    let chart = fetch_offline(&desired.chart, &field).map_err(invalid)?;
    // On a blocking thread: the renderer is synchronous and its `lookup` blocks on
    // the runtime (see `render::ClusterLookup`).
    let rendered = {
        let desired = desired.clone();
        let ns = inputs.ns.to_string();
        let revision = inputs.revision;
        tokio::task::spawn_blocking(move || {
            renderer.render(&RenderRequest {
                chart: &chart,
                release_name: &name,
                namespace: &ns,
                revision,
                spec: &desired,
            })
        })
        .await
        .map_err(|e| format!("the renderer failed: {e}"))
        .and_then(|r| r)
        .map_err(PrepareError::Invalid)?
    };
    let planned = plan(&rendered.manifests, inputs.inventory, inputs.ns).map_err(invalid)?;
    let missing = missing_references(client, &planned).await?;
    if !missing.is_empty() {
        return Err(PrepareError::Invalid(missing.join("; ")));
    }
    Ok(Prepared {
        desired,
        rendered,
        planned,
    })
}

/// Required Secrets and ConfigMaps that neither the chart nor the cluster holds.
async fn missing_references(client: &Client, planned: &Plan) -> Result<Vec<String>, ReadError> {
    let mut missing = Vec::new();
    for r in external_references(&planned.apply) {
        let keys: Option<Vec<String>> = match r.kind {
            "Secret" => Api::<Secret>::namespaced(client.clone(), &r.namespace)
                .get_opt(&r.name)
                .await
                .map_err(read_err("referenced Secret"))?
                .map(|s| {
                    let mut k: Vec<String> = s.data.unwrap_or_default().into_keys().collect();
                    k.extend(s.string_data.unwrap_or_default().into_keys());
                    k
                }),
            _ => Api::<ConfigMap>::namespaced(client.clone(), &r.namespace)
                .get_opt(&r.name)
                .await
                .map_err(read_err("referenced ConfigMap"))?
                .map(|c| {
                    let mut k: Vec<String> = c.data.unwrap_or_default().into_keys().collect();
                    k.extend(c.binary_data.unwrap_or_default().into_keys());
                    k
                }),
        };
        match (keys, &r.key) {
            (None, _) => missing.push(format!("{r}, which does not exist")),
            (Some(keys), Some(key)) if !keys.contains(key) => {
                missing.push(format!("{r}, which has no such key"));
            }
            _ => {}
        }
    }
    Ok(missing)
}
