//! An in-memory Kubernetes API server for tests.
//!
//! It serves the Kubernetes REST API over plain HTTP on loopback, closely
//! enough that the real `kubectl`, the kube-rs client and the Helm SDK work
//! against it: discovery, CRUD with resourceVersion semantics, list/watch,
//! the four patch types including server-side apply with managedFields,
//! finalizers, garbage collection and namespace deletion. See the README for
//! what is faithful and what is not.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kube_testserver::Error> {
//! let server = kube_testserver::TestServer::start().await?;
//! let client = server.client()?;
//! // ... drive code under test with `client` ...
//! assert_eq!(server.write_count(), 0);
//! # Ok(()) }
//! ```

mod api;
mod controllers;
mod defaults;
mod discovery;
mod error;
mod faults;
mod openapi;
mod patch;
mod proto;
mod registry;
mod selectors;
mod server;
mod sim;
mod ssa;
mod store;
mod structural;
mod table;
mod util;
mod validate;

use std::{
    net::SocketAddr,
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

pub use error::ApiError;
pub use faults::{FaultKind, RequestMatcher, RequestRecord};
use serde_json::Value;
use tokio::{sync::oneshot, task::JoinHandle};

use crate::{
    api::{Target, WriteOpts},
    faults::{Fault, Faults},
    server::{Shared, lock},
    sim::SimState,
    store::Store,
};

/// Errors starting or using the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding the listener failed.
    #[error("binding 127.0.0.1:{port}")]
    Bind {
        /// Requested port.
        port: u16,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Building the kube client failed.
    #[error("building kube client")]
    Client(#[source] kube::Error),
    /// The server URL did not parse (a bug).
    #[error("invalid server url {0}")]
    Url(String),
    /// Writing the kubeconfig failed.
    #[error("writing kubeconfig {path}")]
    Kubeconfig {
        /// Target path.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Seeding the store failed (a bug).
    #[error("seeding the store: {0}")]
    Seed(ApiError),
}

/// Server options.
#[derive(Debug, Clone)]
pub struct Options {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Turn on the workload simulator with this readiness delay.
    pub simulate_workloads: Option<Duration>,
    /// (namespace, name) of workloads the simulator keeps unready.
    pub hold_unready: Vec<(String, String)>,
    /// How many events the watch history keeps (older resourceVersions get 410).
    pub history_limit: usize,
    /// Interval of BOOKMARK events on watches that allow them.
    pub bookmark_interval: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            port: 0,
            simulate_workloads: None,
            hold_unready: Vec::new(),
            history_limit: 10_000,
            bookmark_interval: Duration::from_secs(1),
        }
    }
}

impl Options {
    /// Enables the workload simulator.
    pub fn simulate_workloads(mut self, delay: Duration) -> Self {
        self.simulate_workloads = Some(delay);
        self
    }

    /// Keeps a workload unready.
    pub fn hold_unready(mut self, namespace: &str, name: &str) -> Self {
        self.hold_unready.push((namespace.into(), name.into()));
        self
    }

    /// Sets the port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the watch history size.
    pub fn history_limit(mut self, n: usize) -> Self {
        self.history_limit = n;
        self
    }

    /// Sets the bookmark interval.
    pub fn bookmark_interval(mut self, d: Duration) -> Self {
        self.bookmark_interval = d;
        self
    }
}

/// One stored change, as a watch would report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub kind: &'static str,
    /// `group/plural`, e.g. `apps/deployments` or `/configmaps` for core.
    pub resource: String,
    /// Namespace ("" for cluster scoped).
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// resourceVersion of the change.
    pub resource_version: u64,
}

/// A running server. Dropping it stops the server.
#[derive(Debug)]
pub struct TestServer {
    shared: Arc<Shared>,
    url: String,
    shutdown: Option<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

const SEED_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

impl TestServer {
    /// Starts a server with default options on a free port.
    pub async fn start() -> Result<Self, Error> {
        Self::start_with(Options::default()).await
    }

    /// Starts a server.
    pub async fn start_with(opts: Options) -> Result<Self, Error> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
            .await
            .map_err(|source| Error::Bind {
                port: opts.port,
                source,
            })?;
        let addr: SocketAddr = listener.local_addr().map_err(|source| Error::Bind {
            port: opts.port,
            source,
        })?;
        let mut store = Store::new(opts.history_limit.max(1));
        let ns_info = store
            .registry
            .find("", "v1", "namespaces")
            .cloned()
            .ok_or_else(|| Error::Seed(ApiError::internal("namespaces not registered")))?;
        for ns in SEED_NAMESPACES {
            let t = Target {
                info: ns_info.clone(),
                version: "v1".into(),
                namespace: String::new(),
                name: String::new(),
                subresource: String::new(),
            };
            let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            api::create(
                &mut store,
                &t,
                body,
                &WriteOpts {
                    manager: "kube-apiserver".into(),
                    dry_run: false,
                },
            )
            .map_err(Error::Seed)?;
        }
        let (close_watches, _) = tokio::sync::watch::channel(0u64);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Faults::default()),
            sim: Mutex::new(SimState {
                delay: opts.simulate_workloads,
                held: opts.hold_unready.iter().cloned().collect(),
                ..SimState::default()
            }),
            close_watches,
            addr,
            bookmark_interval: opts.bookmark_interval,
        });
        let (tx, rx) = oneshot::channel::<()>();
        let app = server::router(shared.clone());
        let serve = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let sim = tokio::spawn(sim::run(shared.clone()));
        Ok(Self {
            url: format!("http://{addr}"),
            shared,
            shutdown: Some(tx),
            tasks: vec![serve, sim],
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A kube client for this server (default namespace `default`).
    pub fn client(&self) -> Result<kube::Client, Error> {
        let uri = self.url.parse().map_err(|_| Error::Url(self.url.clone()))?;
        let config = kube::Config::new(uri);
        kube::Client::try_from(config).map_err(Error::Client)
    }

    /// Kubeconfig text pointing at this server (context `kube-testserver`).
    pub fn kubeconfig(&self) -> String {
        kubeconfig_for(&self.url)
    }

    /// Writes the kubeconfig to a file.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        std::fs::write(path, self.kubeconfig()).map_err(|source| Error::Kubeconfig {
            path: path.display().to_string(),
            source,
        })
    }

    /// Every request served so far, in order of completion (watches are
    /// logged when their response starts).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Number of logged write requests (create, update, patch, delete,
    /// deletecollection; dry runs excluded), whether or not they changed anything.
    pub fn write_count(&self) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.is_write())
            .count()
    }

    /// The latest resourceVersion; unchanged means nothing was modified
    /// (no-op writes do not bump it, as in Kubernetes).
    pub fn resource_version(&self) -> u64 {
        lock(&self.shared.store).rv()
    }

    /// Every stored change after resourceVersion `rv` (still in the watch
    /// history), oldest first. With [`TestServer::resource_version`] taken
    /// before an action, this tells exactly which objects were modified; no-op
    /// writes (for example a repeated server-side apply) leave no change.
    /// Changes made by the server itself (garbage collection, namespace and
    /// CRD controllers, the workload simulator) are included.
    pub fn changes_since(&self, rv: u64) -> Vec<Change> {
        let store = lock(&self.shared.store);
        store
            .events_since(rv)
            .unwrap_or_default()
            .iter()
            .map(|e| Change {
                kind: e.kind.as_str(),
                resource: e.resource.clone(),
                namespace: e.namespace.clone(),
                name: util::name_of(&e.object).to_string(),
                resource_version: e.rv,
            })
            .collect()
    }

    /// Makes the `n`th request (1-based, counted from now) matching `matcher` fail.
    pub fn fail_nth(&self, matcher: RequestMatcher, n: usize, kind: FaultKind) {
        lock(&self.shared.faults).faults.push(Fault {
            matcher,
            nth: n.max(1),
            seen: 0,
            kind,
            repeat: false,
        });
    }

    /// Makes every request matching `matcher` fail, from the `n`th on.
    pub fn fail_from(&self, matcher: RequestMatcher, n: usize, kind: FaultKind) {
        lock(&self.shared.faults).faults.push(Fault {
            matcher,
            nth: n.max(1),
            seen: 0,
            kind,
            repeat: true,
        });
    }

    /// Adds latency to matching requests.
    pub fn add_latency(&self, matcher: RequestMatcher, delay: Duration) {
        lock(&self.shared.faults).latency.push((matcher, delay));
    }

    /// Removes all faults and latency.
    pub fn clear_faults(&self) {
        let mut f = lock(&self.shared.faults);
        f.faults.clear();
        f.latency.clear();
    }

    /// Ends every open watch stream (clients see the stream close and re-watch).
    pub fn close_watches(&self) {
        self.shared.close_watches.send_modify(|g| *g += 1);
    }

    /// Drops the watch event history: watches and continue tokens from any
    /// earlier resourceVersion get 410 Gone.
    pub fn compact(&self) {
        lock(&self.shared.store).compact();
    }

    /// Turns the workload simulator on (or changes its delay).
    pub fn simulate_workloads(&self, delay: Option<Duration>) {
        lock(&self.shared.sim).delay = delay;
    }

    /// Keeps a workload unready until [`TestServer::release`].
    pub fn hold_unready(&self, namespace: &str, name: &str) {
        lock(&self.shared.sim)
            .held
            .insert((namespace.into(), name.into()));
    }

    /// Lets a held workload become ready.
    pub fn release(&self, namespace: &str, name: &str) {
        lock(&self.shared.sim)
            .held
            .remove(&(namespace.to_string(), name.to_string()));
    }

    /// Reads a stored object directly (group "" for core, plural resource).
    pub fn object(&self, group: &str, plural: &str, namespace: &str, name: &str) -> Option<Value> {
        let store = lock(&self.shared.store);
        let key = format!("{group}/{plural}");
        store.get(&key, namespace, name).cloned()
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        self.close_watches();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let mut tasks = std::mem::take(&mut self.tasks);
        if let Some(sim) = tasks.pop() {
            sim.abort();
        }
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(2), t).await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.close_watches.send_modify(|g| *g += 1);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Kubeconfig text for a server URL.
pub fn kubeconfig_for(url: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: kube-testserver
  cluster:
    server: {url}
contexts:
- name: kube-testserver
  context:
    cluster: kube-testserver
    user: kube-testserver
    namespace: default
current-context: kube-testserver
users:
- name: kube-testserver
  user: {{}}
preferences: {{}}
"
    )
}
