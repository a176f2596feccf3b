//! The long-running controller: kube-runtime `Controller`s over `WeightsAndBiases`
//! (one per watched namespace, or one for all), the state Secrets and the applied
//! Deployments, StatefulSets and Jobs as secondary watches (same scope: the watched
//! namespaces, started only once the Lease is held), bounded concurrency so one
//! slow CR never blocks the others, events, metrics, the admin endpoints, and
//! graceful shutdown.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::{
    apps::v1::{Deployment, StatefulSet},
    batch::v1::Job,
    core::v1::Secret,
};
use kube::{
    Api, Client, Resource, ResourceExt,
    api::ListParams,
    runtime::{
        Controller, WatchStreamExt,
        controller::{Action, Config as ControllerConfig},
        events::{Event, EventType as KubeEventType, Recorder, Reporter},
        reflector::ObjectRef,
        watcher,
    },
};
use prometheus_client::registry::Registry;

use super::{
    Context, ReconcileError,
    echo::Echoes,
    lease::{LeaderElector, LeaseConfig},
    reconcile_tracked,
    workloads::WorkloadIndex,
};
use crate::{
    admin::{AdminState, router},
    api::WeightsAndBiases,
    events::{EventType, event_action},
    metrics::Metrics,
    spec::STATE_LABEL,
};

/// The name the operator reports in events and logs.
pub const CONTROLLER_NAME: &str = "wandb-operator";
/// First delay before retrying a reconcile that failed on API or network errors;
/// it doubles with each consecutive failure of the same CR, up to [`MAX_BACKOFF`].
pub const ERROR_REQUEUE: Duration = Duration::from_secs(5);
/// Longest retry delay.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// The retry delay after `failures` consecutive failures (1 = first failure).
pub fn backoff(failures: u32) -> Duration {
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1))
        .unwrap_or(u32::MAX);
    ERROR_REQUEUE.saturating_mul(factor).min(MAX_BACKOFF)
}

/// Settings of `run`.
pub struct RunConfig {
    /// Watched namespaces; `None` watches all.
    pub namespaces: Option<Vec<String>>,
    /// Maximum concurrent reconciles (per namespace controller).
    pub concurrency: u16,
    /// Address of `/metrics`; `None` disables it.
    pub metrics_addr: Option<SocketAddr>,
    /// Address of `/healthz` and `/readyz`; `None` disables them.
    pub probe_addr: Option<SocketAddr>,
    /// Reconcile only while holding this Lease; `None` disables leader election.
    pub leader_election: Option<LeaseConfig>,
}

/// `run` could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The CRD is not installed (or not readable with our RBAC).
    #[error(
        "cannot list WeightsAndBiases resources ({0}); install the CRD with \
         `wandb-operator crd | kubectl apply -f -` and check the operator's RBAC"
    )]
    Crd(#[source] kube::Error),
    /// Another replica took the Lease; the process should exit and restart.
    #[error("lost the leader-election Lease")]
    LostLease,
    /// An admin endpoint could not listen.
    #[error("listening on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

struct Data {
    ctx: Context,
    metrics: Metrics,
    recorder: Recorder,
    workloads: Arc<WorkloadIndex>,
    echoes: Arc<Echoes>,
    failures: std::sync::Mutex<std::collections::HashMap<ObjectRef<WeightsAndBiases>, u32>>,
}

/// Checks that the CRD is served, as the first thing `run` does.
pub async fn check_crd(client: &Client) -> Result<(), RunError> {
    Api::<WeightsAndBiases>::all(client.clone())
        .list(&ListParams::default().limit(1))
        .await
        .map(|_| ())
        .map_err(RunError::Crd)
}

/// Maps a state Secret to the CR it belongs to (by its instance label), so that
/// edits of `<name>-spec-user` (the console) trigger a reconcile.
pub fn state_secret_owner(secret: &Secret) -> Option<ObjectRef<WeightsAndBiases>> {
    let ns = secret.namespace()?;
    let name = secret.labels().get("app.kubernetes.io/instance")?;
    Some(ObjectRef::new(name).within(&ns))
}

/// The reconcile triggers of one workload kind: the CR whose `Ready` may change
/// with a workload event, or that must repair a workload deleted or edited by
/// someone else (see [`WorkloadIndex`]). A stream of our own rather than
/// `Controller::watches`, whose mapper cannot tell a deletion from an update.
fn workload_triggers<K>(
    api: Api<K>,
    index: Arc<WorkloadIndex>,
    echoes: Arc<Echoes>,
) -> impl futures::Stream<Item = ObjectRef<WeightsAndBiases>> + Send + 'static
where
    K: Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
    K: Send + Sync + 'static,
    K::DynamicType: Default,
{
    watcher(api, watcher::Config::default())
        .default_backoff()
        .filter_map(move |event| {
            let owner = match event {
                Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => {
                    serde_json::to_value(&o)
                        .ok()
                        .and_then(|v| index.trigger(&v))
                }
                Ok(watcher::Event::Delete(o)) => serde_json::to_value(&o)
                    .ok()
                    .and_then(|v| index.deleted(&v)),
                Ok(watcher::Event::Init | watcher::Event::InitDone) => None,
                Err(e) => {
                    tracing::debug!(error = %e, "workload watch");
                    None
                }
            };
            if let Some(owner) = &owner {
                echoes.triggered(owner);
            }
            std::future::ready(owner)
        })
}

/// An `Api` over `ns`, or over all namespaces.
fn scoped<K>(client: &Client, ns: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match ns {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Runs the controller until `shutdown` completes.
pub async fn run(
    client: Client,
    ctx: Context,
    config: RunConfig,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) -> Result<(), RunError> {
    check_crd(&client).await?;
    let shutdown = shutdown.shared();

    let mut registry = Registry::default();
    let metrics = Metrics::register(&mut registry);
    let admin = AdminState {
        registry: Arc::new(registry),
        ready: Arc::default(),
    };
    let mut servers = Vec::new();
    let addrs: Vec<SocketAddr> = match (config.metrics_addr, config.probe_addr) {
        (Some(m), Some(p)) if m == p => vec![m],
        (m, p) => m.into_iter().chain(p).collect(),
    };
    for addr in addrs {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| RunError::Listen { addr, source })?;
        let app = router(admin.clone());
        let stop = shutdown.clone();
        servers.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(error = %e, "admin server failed");
            }
        }));
    }

    // Probes answer while waiting for the Lease: the pod is alive, not ready.
    let lost = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let shutdown = match config.leader_election.clone() {
        None => shutdown.boxed().shared(),
        Some(lease) => {
            let elector = Arc::new(LeaderElector::new(client.clone(), lease));
            tokio::select! {
                () = elector.acquire() => {}
                () = shutdown.clone() => return Ok(()),
            }
            tracing::info!("leader election: acquired the Lease");
            let lost_flag = lost.clone();
            let held = async move {
                elector.hold().await;
                lost_flag.store(true, std::sync::atomic::Ordering::Relaxed);
                tracing::error!("leader election: lost the Lease; stopping");
            };
            futures::future::select(Box::pin(shutdown), Box::pin(held))
                .map(|_| ())
                .boxed()
                .shared()
        }
    };

    let instance = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| CONTROLLER_NAME.to_string());
    let recorder = Recorder::new(
        client.clone(),
        Reporter {
            controller: CONTROLLER_NAME.into(),
            instance: Some(instance),
        },
    );
    let data = Arc::new(Data {
        ctx,
        metrics,
        recorder,
        workloads: Arc::default(),
        echoes: Arc::default(),
        failures: Default::default(),
    });

    let scopes: Vec<Option<String>> = match &config.namespaces {
        Some(list) => list.iter().cloned().map(Some).collect(),
        None => vec![None],
    };
    let mut controllers = Vec::new();
    for ns in scopes {
        let ns = ns.as_deref();
        let index = &data.workloads;
        let echoes = &data.echoes;
        let secret_echoes = echoes.clone();
        let controller = Controller::new(
            scoped::<WeightsAndBiases>(&client, ns),
            watcher::Config::default(),
        )
        .watches(
            scoped::<Secret>(&client, ns),
            watcher::Config::default().labels(STATE_LABEL),
            move |s: Secret| {
                let owner = state_secret_owner(&s)?;
                secret_echoes.triggered(&owner);
                Some(owner)
            },
        )
        // Applied objects carry no label of ours (charts label them as they please),
        // so these watches are unfiltered and the index maps them back.
        .reconcile_on(workload_triggers(
            scoped::<Deployment>(&client, ns),
            index.clone(),
            echoes.clone(),
        ))
        .reconcile_on(workload_triggers(
            scoped::<StatefulSet>(&client, ns),
            index.clone(),
            echoes.clone(),
        ))
        .reconcile_on(workload_triggers(
            scoped::<Job>(&client, ns),
            index.clone(),
            echoes.clone(),
        ))
        .with_config(ControllerConfig::default().concurrency(config.concurrency))
        .graceful_shutdown_on(shutdown.clone())
        .run(reconcile_one, error_policy, data.clone())
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(error = %e, "controller event");
            }
        });
        controllers.push(controller);
    }
    admin
        .ready
        .store(true, std::sync::atomic::Ordering::Relaxed);
    tracing::info!(namespaces = ?config.namespaces, "controller started");
    futures::future::join_all(controllers).await;
    let lost_lease = lost.load(std::sync::atomic::Ordering::Relaxed);
    for server in servers {
        if lost_lease {
            // The admin servers follow the process shutdown, not the Lease.
            server.abort();
        } else {
            let _ = server.await;
        }
    }
    tracing::info!("controller stopped");
    if lost_lease {
        return Err(RunError::LostLease);
    }
    Ok(())
}

async fn reconcile_one(
    cr: Arc<WeightsAndBiases>,
    data: Arc<Data>,
) -> Result<Action, ReconcileError> {
    let owner = ObjectRef::from_obj(cr.as_ref());
    if cr.meta().deletion_timestamp.is_some() {
        // The uninstall deletes the workloads: that is not drift to repair.
        data.workloads.forget(&owner);
    }
    let token = match data.echoes.begin(
        &owner,
        cr.meta().resource_version.as_deref(),
        std::time::Instant::now(),
    ) {
        Ok(skip) => {
            tracing::debug!(name = %cr.name_any(), "the CR is our own status write; nothing to do");
            return Ok(skip);
        }
        Err(token) => token,
    };
    let _timer = data.metrics.start_reconcile();
    let outcome = match reconcile_tracked(&cr, &data.ctx, Some(&data.workloads)).await {
        Ok(o) => o,
        Err(e) => {
            data.workloads.settle(&owner);
            return Err(e);
        }
    };
    match &outcome.applied {
        // Health was evaluated on these objects (empty after an uninstall).
        Some(applied) => data.workloads.record(&owner, &applied.live),
        // Invalid Config (or a CR without our finalizer being deleted): no `Ready`
        // to keep current.
        None => data.workloads.forget(&owner),
    }
    if cr.meta().deletion_timestamp.is_some() {
        data.echoes.forget(&owner);
    } else {
        data.echoes.finished(
            &owner,
            token,
            outcome.status_resource_version.clone(),
            outcome.requeue_after,
            std::time::Instant::now(),
        );
    }
    if let Ok(mut failures) = data.failures.lock() {
        failures.remove(&ObjectRef::from_obj(cr.as_ref()));
    }
    if let Some(applied) = &outcome.applied {
        data.metrics.applied.inc_by(applied.applied.len() as u64);
        data.metrics.pruned.inc_by(applied.pruned.len() as u64);
    }
    publish_events(
        &data.recorder,
        &cr.object_ref(&()),
        &outcome.events,
        &data.metrics,
    )
    .await;
    tracing::info!(
        name = %cr.name_any(),
        namespace = cr.namespace().unwrap_or_default(),
        requeue_after = ?outcome.requeue_after,
        "reconciled"
    );
    Ok(match outcome.requeue_after {
        Some(after) => Action::requeue(after),
        None => Action::await_change(),
    })
}

/// Publishes a reconcile's events on the CR (`reference`); Warnings count as errors
/// in the metrics. A failed publication is logged, not retried: events are advisory.
async fn publish_events(
    recorder: &Recorder,
    reference: &k8s_openapi::api::core::v1::ObjectReference,
    events: &[(crate::events::Reason, String)],
    metrics: &Metrics,
) {
    for (reason, message) in events {
        let event = Event {
            type_: match reason.event_type() {
                EventType::Normal => KubeEventType::Normal,
                EventType::Warning => KubeEventType::Warning,
            },
            reason: reason.as_str().to_string(),
            note: Some(message.clone()),
            action: event_action(message),
            secondary: None,
        };
        if let Err(e) = recorder.publish(&event, reference).await {
            tracing::warn!(error = %e, reason = reason.as_str(), "publishing event failed");
        }
        if reason.event_type() == EventType::Warning {
            metrics.record_error(reason.as_str());
        }
    }
}

fn error_policy(cr: Arc<WeightsAndBiases>, error: &ReconcileError, data: Arc<Data>) -> Action {
    data.metrics.record_error(error.category());
    let failures = match data.failures.lock() {
        Ok(mut map) => {
            let n = map.entry(ObjectRef::from_obj(cr.as_ref())).or_insert(0);
            *n = n.saturating_add(1);
            *n
        }
        Err(_) => 1,
    };
    tracing::warn!(
        name = %cr.name_any(),
        namespace = cr.namespace().unwrap_or_default(),
        error = %crate::spec::redact_url_password(&error.to_string()),
        failures,
        "reconcile failed; retrying"
    );
    Action::requeue(backoff(failures))
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;
    use crate::testing::FakeApi;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(4), Duration::from_secs(40));
        assert_eq!(backoff(7), MAX_BACKOFF);
        assert_eq!(backoff(40), MAX_BACKOFF);
        assert_eq!(backoff(0), Duration::from_secs(5));
    }

    #[test]
    fn state_secrets_map_to_their_cr() {
        let secret = crate::spec::state_secret(
            crate::spec::StateKind::UserInput,
            "wandb",
            "ns",
            &crate::spec::StoredSpec::default(),
            None,
            None,
        );
        assert_eq!(
            state_secret_owner(&secret),
            Some(ObjectRef::new("wandb").within("ns"))
        );
        let unlabeled = Secret {
            metadata: ObjectMeta {
                name: Some("x".into()),
                namespace: Some("ns".into()),
                ..ObjectMeta::default()
            },
            ..Secret::default()
        };
        assert_eq!(state_secret_owner(&unlabeled), None);
    }

    #[tokio::test]
    async fn different_notes_are_separate_events_and_repeats_fold() {
        use crate::events::Reason;
        use k8s_openapi::api::core::v1::ObjectReference;

        let api = FakeApi::default();
        let recorder = Recorder::new(
            api.client(),
            Reporter {
                controller: CONTROLLER_NAME.into(),
                instance: Some("test".into()),
            },
        );
        let metrics = Metrics::register(&mut Registry::default());
        let reference = ObjectReference {
            api_version: Some("apps.wandb.com/v1".into()),
            kind: Some("WeightsAndBiases".into()),
            name: Some("wandb".into()),
            namespace: Some("ns".into()),
            uid: Some("cr-uid".into()),
            ..ObjectReference::default()
        };
        let invalid = |m: &str| vec![(Reason::InvalidConfig, m.to_string())];
        publish_events(&recorder, &reference, &invalid("spec.chart: bad"), &metrics).await;
        publish_events(
            &recorder,
            &reference,
            &invalid("runAsGroup: 1000"),
            &metrics,
        )
        .await;
        publish_events(&recorder, &reference, &invalid("spec.chart: bad"), &metrics).await;

        let writes: Vec<http::Method> = api.writes().into_iter().map(|(m, _)| m).collect();
        assert_eq!(
            writes,
            [http::Method::POST, http::Method::POST, http::Method::PATCH],
            "two events, the repeat only bumps the first one's series"
        );
        let state = api.0.lock().unwrap();
        let mut notes: Vec<(String, Option<i64>)> = state
            .objects
            .values()
            .filter(|o| o["reason"] == "InvalidConfig")
            .map(|o| {
                (
                    o["note"].as_str().unwrap_or_default().to_string(),
                    o.pointer("/series/count")
                        .and_then(serde_json::Value::as_i64),
                )
            })
            .collect();
        notes.sort();
        assert_eq!(
            notes,
            [
                ("runAsGroup: 1000".to_string(), None),
                ("spec.chart: bad".to_string(), Some(2)),
            ]
        );
    }

    #[tokio::test]
    async fn a_missing_crd_stops_run_with_an_install_hint() {
        let api = FakeApi::default();
        let e = check_crd(&api.client()).await.unwrap_err();
        assert!(
            e.to_string()
                .contains("wandb-operator crd | kubectl apply -f -"),
            "{e}"
        );
    }
}
