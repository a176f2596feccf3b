//! Support for the end-to-end suite: a cluster (an in-process `kube-testserver` with
//! the workload simulator, or the real cluster named by `WANDB_E2E_KUBECONFIG`), the
//! real `wandb-operator run` binary as a child process, and helpers to read the
//! cluster as a user would (custom resource status, inventory, object snapshots).
//!
//! Every scenario gets its own namespaces and its own operator process, restricted
//! to those namespaces with `ISOLATION_NAMESPACES`, so scenarios run in parallel
//! without seeing each other, against either backend.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::{
    Api, Client, Config,
    api::{ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams},
    config::{KubeConfigOptions, Kubeconfig},
};
use kube_testserver::{Options, RequestRecord, TestServer};
use serde_json::{Value, json};

/// User agent of the suite's own client; every other request in the testserver's
/// log was made by the operator.
pub const TEST_AGENT: &str = "wandb-e2e/1";
/// Field manager of the suite's writes.
pub const TEST_MANAGER: &str = "wandb-e2e";
/// The operator's field manager (docs/operator.md).
pub const OPERATOR_MANAGER: &str = "wandb-operator";
/// How long a scenario waits for the operator to converge.
pub const CONVERGE: Duration = Duration::from_secs(90);

/// The `WeightsAndBiases` resource.
pub fn wandb_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apps.wandb.com", "v1", "WeightsAndBiases"),
        "weightsandbiases",
    )
}

/// Kinds the suite lists when it takes a snapshot of a namespace: every namespaced
/// kind the platform chart and the test chart render, plus PVCs.
const NAMESPACED_KINDS: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "ConfigMap", "configmaps"),
    ("", "v1", "Secret", "secrets"),
    ("", "v1", "Service", "services"),
    ("", "v1", "ServiceAccount", "serviceaccounts"),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
    ("apps", "v1", "Deployment", "deployments"),
    ("apps", "v1", "StatefulSet", "statefulsets"),
    ("batch", "v1", "Job", "jobs"),
    ("networking.k8s.io", "v1", "Ingress", "ingresses"),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
    ),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
    ),
];

/// The plural of a kind the suite meets.
pub fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with("ss") || lower.ends_with("ch") {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

fn api_resource(api_version: &str, kind: &str) -> ApiResource {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), &plural(kind))
}

/// One object as the suite compares it: identity and a fingerprint of its content
/// without what the API server and controllers change on their own.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    /// UID: a new one means the object was re-created.
    pub uid: String,
    /// Content without status, resourceVersion, managedFields, generation and the
    /// annotations controllers add.
    pub fingerprint: Value,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// `Kind/name` (namespaced) or `Kind//name` (cluster scoped) -> object.
pub type Snapshot = BTreeMap<String, Seen>;

fn fingerprint(obj: &Value) -> Value {
    let mut obj = obj.clone();
    if let Some(map) = obj.as_object_mut() {
        map.remove("status");
    }
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "resourceVersion",
            "managedFields",
            "generation",
            "creationTimestamp",
        ] {
            meta.remove(k);
        }
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            ann.remove("deployment.kubernetes.io/revision");
            ann.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
    }
    obj
}

fn seen(obj: &Value) -> Seen {
    let labels = obj
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    Seen {
        uid: str_at(obj, "/metadata/uid").to_string(),
        fingerprint: fingerprint(obj),
        labels,
    }
}

/// The string at a JSON pointer, or "".
pub fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The condition of `type_` in a custom resource's status.
pub fn condition<'a>(cr: &'a Value, type_: &str) -> Option<&'a Value> {
    cr.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
}

/// `Completed`, `Ready=True` and `observedGeneration` = `generation`.
pub fn converged(cr: &Value) -> bool {
    str_at(cr, "/status/phase") == "Completed"
        && condition(cr, "Ready").map(|c| str_at(c, "/status")) == Some("True")
        && cr.pointer("/status/observedGeneration") == cr.pointer("/metadata/generation")
}

/// `Invalid Config` for the current generation.
pub fn invalid(cr: &Value) -> bool {
    str_at(cr, "/status/phase") == "Invalid Config"
        && cr.pointer("/status/observedGeneration") == cr.pointer("/metadata/generation")
}

/// Parses YAML (one document) into JSON.
pub fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("bad YAML in the suite: {e}\n{text}"))
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An example custom resource from `examples/`, moved to `namespace` and renamed.
pub fn example(file: &str, namespace: &str, name: &str) -> Value {
    let path = workspace_root().join("examples").join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut cr = yaml(&text);
    cr["metadata"]["namespace"] = json!(namespace);
    cr["metadata"]["name"] = json!(name);
    cr["metadata"]["labels"]["app.kubernetes.io/instance"] = json!(name);
    cr
}

/// Which cluster the suite runs against.
pub enum Backend {
    /// In-process `kube-testserver`: request log and change feed available.
    TestServer(TestServer),
    /// A real cluster: only cluster state is asserted.
    Real,
}

/// One scenario's cluster, namespaces and scratch directory.
pub struct Env {
    /// The cluster.
    pub backend: Backend,
    /// The suite's client (user agent [`TEST_AGENT`]).
    pub client: Client,
    /// Kubeconfig file handed to the operator.
    pub kubeconfig: PathBuf,
    /// Scratch directory (operator logs, charts).
    pub dir: PathBuf,
    /// Namespaces created for this scenario (deleted by [`Env::cleanup`]).
    pub namespaces: Vec<String>,
    tag: String,
}

fn unique_tag(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{name}-{:x}", (std::process::id() ^ nanos) & 0xfffff)
}

impl Env {
    /// Starts the cluster for scenario `name` and installs the CRD.
    pub async fn start(name: &str) -> Env {
        let tag = unique_tag(name);
        let dir = std::env::temp_dir().join(format!("wandb-e2e-{tag}"));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let (backend, kubeconfig, mut config) = match std::env::var_os("WANDB_E2E_KUBECONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                let kc = Kubeconfig::read_from(&path)
                    .unwrap_or_else(|e| panic!("WANDB_E2E_KUBECONFIG {}: {e}", path.display()));
                let config = Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
                    .await
                    .unwrap_or_else(|e| panic!("WANDB_E2E_KUBECONFIG {}: {e}", path.display()));
                (Backend::Real, path, config)
            }
            None => {
                let server = TestServer::start_with(
                    Options::default().simulate_workloads(Duration::from_millis(200)),
                )
                .await
                .unwrap_or_else(|e| panic!("starting kube-testserver: {e}"));
                let path = dir.join("kubeconfig");
                server
                    .write_kubeconfig(&path)
                    .unwrap_or_else(|e| panic!("kubeconfig: {e}"));
                let config = Config::new(
                    server
                        .url()
                        .parse()
                        .unwrap_or_else(|e| panic!("testserver url: {e}")),
                );
                (Backend::TestServer(server), path, config)
            }
        };
        config.headers.push((
            http::header::USER_AGENT,
            http::HeaderValue::from_static(TEST_AGENT),
        ));
        let client = Client::try_from(config).unwrap_or_else(|e| panic!("client: {e}"));
        let env = Env {
            backend,
            client,
            kubeconfig,
            dir,
            namespaces: Vec::new(),
            tag,
        };
        env.install_crd().await;
        env
    }

    /// The testserver, when the suite runs against one.
    pub fn server(&self) -> Option<&TestServer> {
        match &self.backend {
            Backend::TestServer(s) => Some(s),
            Backend::Real => None,
        }
    }

    async fn install_crd(&self) {
        let out = Command::new(env!("CARGO_BIN_EXE_wandb-operator"))
            .arg("crd")
            .output()
            .unwrap_or_else(|e| panic!("wandb-operator crd: {e}"));
        assert!(
            out.status.success(),
            "wandb-operator crd failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let crd = yaml(&String::from_utf8_lossy(&out.stdout));
        let name = str_at(&crd, "/metadata/name").to_string();
        let ar = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "customresourcedefinitions",
        );
        let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &ar);
        api.patch(
            &name,
            &PatchParams::apply(TEST_MANAGER).force(),
            &Patch::Apply(&crd),
        )
        .await
        .unwrap_or_else(|e| panic!("applying the CRD: {e}"));
        wait_for(
            "the CRD to be Established",
            Duration::from_secs(30),
            || async {
                let crd = api.get(&name).await.ok()?;
                let v = serde_json::to_value(crd).ok()?;
                let ok = v
                    .pointer("/status/conditions")?
                    .as_array()?
                    .iter()
                    .any(|c| str_at(c, "/type") == "Established" && str_at(c, "/status") == "True");
                ok.then_some(())
            },
        )
        .await;
    }

    /// Creates a namespace `e2e-<tag>-<suffix>` and returns its name.
    pub async fn namespace(&mut self, suffix: &str) -> String {
        let name = format!("e2e-{}-{suffix}", self.tag);
        let api: Api<Namespace> = Api::all(self.client.clone());
        let ns: Namespace =
            serde_json::from_value(json!({"metadata": {"name": name}})).unwrap_or_default();
        api.create(&Default::default(), &ns)
            .await
            .unwrap_or_else(|e| panic!("creating namespace {name}: {e}"));
        self.namespaces.push(name.clone());
        name
    }

    /// Starts `wandb-operator run` watching `namespaces`, with `extra` environment.
    pub fn operator(&self, namespaces: &[&str], extra: &[(&str, &str)]) -> Operator {
        Operator::start(self, namespaces, extra)
    }

    /// The custom resources of `namespace`.
    pub fn crs(&self, namespace: &str) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), namespace, &wandb_resource())
    }

    /// Server-side applies a custom resource (manager [`TEST_MANAGER`]).
    pub async fn apply_cr(&self, cr: &Value) {
        let ns = str_at(cr, "/metadata/namespace");
        let name = str_at(cr, "/metadata/name");
        self.crs(ns)
            .patch(
                name,
                &PatchParams::apply(TEST_MANAGER).force(),
                &Patch::Apply(cr),
            )
            .await
            .unwrap_or_else(|e| panic!("applying WeightsAndBiases {ns}/{name}: {e}"));
    }

    /// Merge-patches a custom resource.
    pub async fn merge_cr(&self, ns: &str, name: &str, patch: Value) {
        self.crs(ns)
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap_or_else(|e| panic!("patching WeightsAndBiases {ns}/{name}: {e}"));
    }

    /// The custom resource as JSON.
    pub async fn cr(&self, ns: &str, name: &str) -> Option<Value> {
        let obj = self
            .crs(ns)
            .get_opt(name)
            .await
            .unwrap_or_else(|e| panic!("reading WeightsAndBiases {ns}/{name}: {e}"))?;
        serde_json::to_value(obj).ok()
    }

    /// Waits until the custom resource satisfies `pred`; panics with its last state
    /// and the operator's log otherwise.
    pub async fn wait_cr(
        &self,
        op: &Operator,
        ns: &str,
        name: &str,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        let mut last = None;
        while start.elapsed() < CONVERGE {
            op.check_alive();
            if let Some(cr) = self.cr(ns, name).await {
                if pred(&cr) {
                    return cr;
                }
                last = Some(cr);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{ns}/{name}: not {what} after {CONVERGE:?}; last state:\n{}\noperator log tail:\n{}",
            serde_json::to_string_pretty(&last).unwrap_or_default(),
            op.log_tail(60)
        );
    }

    /// Reads a Secret.
    pub async fn secret(&self, ns: &str, name: &str) -> Option<Secret> {
        Api::<Secret>::namespaced(self.client.clone(), ns)
            .get_opt(name)
            .await
            .unwrap_or_else(|e| panic!("reading Secret {ns}/{name}: {e}"))
    }

    /// The inventory stored in `<name>-spec-active` (empty when absent).
    pub async fn inventory(&self, ns: &str, name: &str) -> Vec<Value> {
        let Some(secret) = self.secret(ns, &format!("{name}-spec-active")).await else {
            return Vec::new();
        };
        let bytes = secret
            .data
            .unwrap_or_default()
            .get("inventory")
            .map(|b| b.0.clone())
            .unwrap_or_default();
        let inv: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        inv.get("entries")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// Reads any object by apiVersion, kind, namespace ("" = cluster scoped), name.
    pub async fn object(
        &self,
        api_version: &str,
        kind: &str,
        ns: &str,
        name: &str,
    ) -> Option<Value> {
        let ar = api_resource(api_version, kind);
        let api: Api<DynamicObject> = if ns.is_empty() {
            Api::all_with(self.client.clone(), &ar)
        } else {
            Api::namespaced_with(self.client.clone(), ns, &ar)
        };
        let obj = api
            .get_opt(name)
            .await
            .unwrap_or_else(|e| panic!("reading {kind} {ns}/{name}: {e}"))?;
        serde_json::to_value(obj).ok()
    }

    /// Every object of the snapshot kinds in `ns`, plus the cluster-scoped entries of
    /// `inventory`.
    pub async fn snapshot(&self, ns: &str, inventory: &[Value]) -> Snapshot {
        let mut out = Snapshot::new();
        for (group, version, kind, plural) in NAMESPACED_KINDS {
            let ar = ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk(group, version, kind),
                plural,
            );
            let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), ns, &ar);
            let list = api
                .list(&Default::default())
                .await
                .unwrap_or_else(|e| panic!("listing {plural} in {ns}: {e}"));
            for item in list {
                let v = serde_json::to_value(item).unwrap_or_default();
                out.insert(format!("{kind}/{}", str_at(&v, "/metadata/name")), seen(&v));
            }
        }
        for e in inventory.iter().filter(|e| e.get("namespace").is_none()) {
            let (av, kind, name) = (
                str_at(e, "/apiVersion"),
                str_at(e, "/kind"),
                str_at(e, "/name"),
            );
            if let Some(v) = self.object(av, kind, "", name).await {
                out.insert(format!("{kind}//{name}"), seen(&v));
            }
        }
        out
    }

    /// Index of the next request-log entry (0 against a real cluster).
    pub fn log_mark(&self) -> usize {
        self.server().map_or(0, |s| s.requests().len())
    }

    /// The operator's requests logged since `mark` (testserver only; empty otherwise).
    pub fn operator_requests(&self, mark: usize) -> Vec<RequestRecord> {
        self.server()
            .map(|s| {
                s.requests()
                    .into_iter()
                    .skip(mark)
                    .filter(|r| r.user_agent != TEST_AGENT)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Deletes the scenario's namespaces (real cluster; the testserver just stops).
    pub async fn cleanup(self) {
        if matches!(self.backend, Backend::Real) {
            let api: Api<Namespace> = Api::all(self.client.clone());
            for ns in &self.namespaces {
                let _ = api.delete(ns, &DeleteParams::background()).await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The requests counted by `verb resource[/subresource]`.
pub fn tally(requests: &[RequestRecord]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in requests {
        let what = if r.resource.is_empty() {
            r.path.as_str()
        } else {
            r.resource.as_str()
        };
        let mut key = format!("{} {what}", r.verb);
        if !r.subresource.is_empty() {
            key = format!("{key}/{}", r.subresource);
        }
        *out.entry(key).or_insert(0) += 1;
    }
    out
}

/// Formats a tally on one line per entry.
pub fn show_tally(title: &str, requests: &[RequestRecord]) -> String {
    let t = tally(requests);
    let total: usize = t.values().sum();
    let writes = requests.iter().filter(|r| r.is_write()).count();
    let mut s = format!("{title}: {total} requests, {writes} writes\n");
    for (k, n) in t {
        s.push_str(&format!("  {n:>4}  {k}\n"));
    }
    s
}

/// Writes to objects (not events, not leases), as `resource/name[/subresource]`.
pub fn written_objects(requests: &[RequestRecord]) -> BTreeSet<String> {
    requests
        .iter()
        .filter(|r| r.is_write() && r.status < 300)
        .filter(|r| !matches!(r.resource.as_str(), "events" | "leases"))
        .map(|r| {
            let mut s = format!("{}/{}", r.resource, r.name);
            if !r.subresource.is_empty() {
                s = format!("{s}/{}", r.subresource);
            }
            s
        })
        .collect()
}

/// Polls `probe` every 100 ms until it returns `Some` or `timeout` passes.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, probe: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// A running `wandb-operator run` child process; killed when dropped.
pub struct Operator {
    child: Child,
    /// Port of `/metrics`, `/healthz` and `/readyz`.
    pub port: u16,
    /// stdout and stderr of the process.
    pub log: PathBuf,
}

impl Operator {
    fn start(env: &Env, namespaces: &[&str], extra: &[(&str, &str)]) -> Operator {
        let port = free_port();
        let log = env.dir.join(format!("operator-{port}.log"));
        let file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let err = file.try_clone().unwrap_or_else(|e| panic!("log: {e}"));
        let addr = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wandb-operator"));
        cmd.arg("run")
            .env("KUBECONFIG", &env.kubeconfig)
            .env(
                "OPERATOR_NAMESPACE",
                namespaces.first().copied().unwrap_or("default"),
            )
            .env("ISOLATION_NAMESPACES", namespaces.join(","))
            .env("AIRGAPPED", "true")
            .env("LEADER_ELECT", "false")
            .env("METRICS_BIND_ADDRESS", &addr)
            .env("HEALTH_PROBE_BIND_ADDRESS", &addr)
            .env(
                "RUST_LOG",
                std::env::var("WANDB_E2E_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("starting wandb-operator run: {e}"));
        Operator { child, port, log }
    }

    /// Panics with the log when the process has exited.
    pub fn check_alive(&self) {
        // `try_wait` needs `&mut`; a zero-signal probe through /proc is enough here.
        let pid = self.child.id();
        if !Path::new(&format!("/proc/{pid}")).exists() || is_zombie(pid) {
            panic!("wandb-operator run exited; log:\n{}", self.log_tail(80));
        }
    }

    /// The last `n` lines of the log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// The whole log.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// GET on the admin port; `(status, body)`.
    pub fn http_get(&self, path: &str) -> Option<(u16, String)> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
        let mut buf = String::new();
        s.read_to_string(&mut buf).ok()?;
        let status = buf.split_whitespace().nth(1)?.parse().ok()?;
        let body = buf
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Some((status, body))
    }

    /// Waits for `/readyz` to answer 200.
    pub async fn wait_ready(&self) {
        let start = Instant::now();
        loop {
            self.check_alive();
            if matches!(self.http_get("/readyz"), Some((200, _))) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "operator not ready after 30 s; log:\n{}",
                self.log_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A metric's value (sum over label sets) from `/metrics`.
    pub fn metric(&self, name: &str) -> f64 {
        let Some((200, body)) = self.http_get("/metrics") else {
            return 0.0;
        };
        body.lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| l.split(['{', ' ']).next() == Some(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// Completed reconciles (the duration histogram's count).
    pub fn reconciles_done(&self) -> u64 {
        self.metric("wandb_operator_reconcile_duration_seconds_count") as u64
    }

    /// Kills the process with SIGKILL (no graceful shutdown) and reaps it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or_default()
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(true)
}

impl Drop for Operator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
