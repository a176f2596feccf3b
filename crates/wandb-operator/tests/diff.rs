//! `wandb-operator diff` against `kube-testserver`: the real binary (KUBECONFIG)
//! for output, exit status and the request log (it must never write), and the
//! controller's own `reconcile` in-process to apply, so each test checks that
//! what `diff` announces is exactly what the reconcile then does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Command,
    sync::Arc,
};

use base64::Engine;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::{
    Api, Client,
    api::{ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams},
};
use kube_testserver::{RequestRecord, TestServer};
use operator::{
    api::WeightsAndBiases,
    apply::Applier,
    controller::{Context, Outcome, reconcile},
    render::{ClusterLookup, HelmRenderer},
    spec::OperatorDefaults,
};
use serde_json::{Value, json};

const NS: &str = "default";
const NAME: &str = "wandb";
const MANAGER: &str = "diff-test";

struct Env {
    server: TestServer,
    client: Client,
    dir: PathBuf,
    kubeconfig: PathBuf,
}

fn chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff/chart")
}

fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

/// What `diff` printed and how it exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Env {
    async fn start(tag: &str) -> Env {
        let server = TestServer::start().await.unwrap();
        let dir = std::env::temp_dir().join(format!("wo-diff-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let kubeconfig = dir.join("kubeconfig");
        server.write_kubeconfig(&kubeconfig).unwrap();
        let client = server.client().unwrap();
        let env = Env {
            server,
            client,
            dir,
            kubeconfig,
        };
        env.install_crd().await;
        env
    }

    async fn install_crd(&self) {
        let crd: Value = serde_saphyr::from_str(&operator::api::crd_yaml().unwrap()).unwrap();
        let ar = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "customresourcedefinitions",
        );
        let name = crd["metadata"]["name"].as_str().unwrap().to_string();
        Api::<DynamicObject>::all_with(self.client.clone(), &ar)
            .patch(
                &name,
                &PatchParams::apply(MANAGER).force(),
                &Patch::Apply(&crd),
            )
            .await
            .unwrap();
    }

    fn write(&self, file: &str, value: &Value) -> PathBuf {
        let path = self.dir.join(file);
        std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
        path
    }

    /// Runs `wandb-operator diff` with `args` (the CR file first) on a blocking
    /// thread, so the in-process server keeps answering.
    async fn diff(&self, cr: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wandb-operator"));
        cmd.env("KUBECONFIG", &self.kubeconfig)
            .env_remove("OPERATOR_NAMESPACE")
            .env_remove("AIRGAPPED")
            .arg("diff")
            .arg("-f")
            .arg(cr)
            .args(args);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// `diff` as JSON, asserting it made no write.
    async fn diff_json(&self, cr: &Path) -> (i32, Value) {
        let mark = self.server.requests().len();
        let run = self.diff(cr, &["-o", "json"]).await;
        self.assert_read_only(mark);
        let doc = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
        (run.code, doc)
    }

    /// No request after `mark` wrote: GETs, lists, discovery and dry runs only.
    fn assert_read_only(&self, mark: usize) {
        let requests: Vec<RequestRecord> = self.server.requests().split_off(mark);
        assert!(!requests.is_empty(), "diff made no request at all");
        let writes: Vec<String> = requests
            .iter()
            .filter(|r| r.is_write() || (r.method != "GET" && !r.dry_run))
            .map(|r| format!("{} {}?{} ({})", r.method, r.path, r.query, r.verb))
            .collect();
        assert!(writes.is_empty(), "diff wrote: {writes:#?}");
    }

    fn dry_runs_since(&self, mark: usize) -> usize {
        self.server.requests()[mark..]
            .iter()
            .filter(|r| r.dry_run)
            .count()
    }

    /// Applies the CR (as a user would) and runs one reconcile of the controller.
    async fn reconcile(&self, cr: &Value) -> Outcome {
        let api: Api<WeightsAndBiases> = Api::namespaced(self.client.clone(), NS);
        api.patch(
            NAME,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(cr),
        )
        .await
        .unwrap();
        let live = api.get(NAME).await.unwrap();
        let client = self.client.clone();
        let lookup = ClusterLookup::new(client.clone(), tokio::runtime::Handle::current());
        let ctx = Context {
            client: client.clone(),
            applier: Applier::new(client.clone()),
            renderer: Arc::new(HelmRenderer::new(Some(Arc::new(lookup)))),
            channel: None,
            airgapped: false,
            defaults: OperatorDefaults {
                operator_namespace: operator::spec::DEFAULT_OPERATOR_NAMESPACE.into(),
            },
            now,
        };
        reconcile(&live, &ctx).await.unwrap()
    }

    async fn cr_condition(&self, type_: &str) -> Value {
        let api: Api<WeightsAndBiases> = Api::namespaced(self.client.clone(), NS);
        let cr = serde_json::to_value(api.get(NAME).await.unwrap()).unwrap();
        cr.pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|c| c.iter().find(|c| c["type"] == type_).cloned())
            .unwrap_or(Value::Null)
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn cr(values: Value) -> Value {
    let mut values = values;
    values["global"] = json!({"host": "https://wandb.example.com"});
    json!({
        "apiVersion": "apps.wandb.com/v1",
        "kind": "WeightsAndBiases",
        "metadata": {"name": NAME, "namespace": NS},
        "spec": {"chart": {"path": chart_dir()}, "values": values},
    })
}

/// `action kind/name` of the changes of a JSON report, state Secrets included.
fn changes(doc: &Value) -> BTreeSet<String> {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}/{}",
                c["action"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// The operator's own Secrets, which `diff` lists beside the chart's objects.
const STATE_SECRETS: &[&str] = &[
    "wandb-spec-user",
    "wandb-spec-active",
    "wandb-latest-cached-release",
    "wandb-password",
];

/// The changes of the chart's objects only (not the operator's state Secrets).
fn object_changes(doc: &Value, action: &str) -> BTreeSet<String> {
    doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == action)
        .filter(|c| {
            !(c["kind"] == "Secret" && STATE_SECRETS.contains(&c["name"].as_str().unwrap()))
        })
        .map(|c| {
            format!(
                "{}/{}",
                c["kind"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// Requests by kind: `get`, `list`, discovery, dry-run `patch`.
fn tally(requests: &[RequestRecord]) -> String {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for r in requests {
        let what = match (r.verb.as_str(), r.dry_run) {
            ("", _) => "discovery".to_string(),
            (verb, true) => format!("dry-run {verb}"),
            (verb, false) => verb.to_string(),
        };
        *counts.entry(what).or_default() += 1;
    }
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!("({} requests: {})", requests.len(), parts.join(", "))
}

fn keys(keys: &[operator::apply::ObjectKey]) -> BTreeSet<String> {
    keys.iter()
        .map(|k| format!("{}/{}", k.kind, k.name))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_cluster_all_creates_then_nothing_after_the_reconcile() {
    let env = Env::start("fresh").await;
    // `lookup` answers from the cluster.
    Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(env.client.clone(), NS)
        .patch(
            "site-settings",
            &PatchParams::apply(MANAGER),
            &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "site-settings"}, "data": {"site": "looked-up-site"}})),
        )
        .await
        .unwrap();
    let cr = cr(json!({}));
    let file = env.write("cr.json", &cr);

    let mark = env.server.requests().len();
    let text = env.diff(&file, &[]).await;
    env.assert_read_only(mark);
    assert_eq!(text.code, 1, "{}\n{}", text.stdout, text.stderr);
    assert!(
        text.stderr.contains("is not in the cluster"),
        "{}",
        text.stderr
    );
    for header in [
        "=== create ConfigMap default/wandb-config\n--- /dev/null\n+++ run\n",
        "=== create Secret default/wandb-credentials\n",
        "=== create Deployment.apps default/wandb-web\n",
        "=== create PersistentVolumeClaim default/wandb-data\n",
        "=== create Secret default/wandb-spec-user (user input for the system console)\n",
        "=== create Secret default/wandb-spec-active (last applied spec and inventory)\n",
        "=== create Secret default/wandb-password (random password of the system console, never rotated)\n",
    ] {
        assert!(text.stdout.contains(header), "{header}\n{}", text.stdout);
    }
    assert!(
        text.stdout.contains("+  site: looked-up-site\n"),
        "{}",
        text.stdout
    );
    assert!(
        !text.stdout.contains("initial-secret-value"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .ends_with("Summary: 10 to create, 0 to update, 0 to delete, 0 kept, 0 unchanged.\n"),
        "{}",
        text.stdout
    );
    assert!(
        env.dry_runs_since(mark) >= 7,
        "the server checks every create"
    );

    let (code, doc) = env.diff_json(&file).await;
    assert_eq!(code, 1);
    let announced = object_changes(&doc, "create");
    let outcome = env.reconcile(&cr).await;
    let applied = outcome.applied.unwrap();
    assert_eq!(
        announced,
        keys(&applied.applied),
        "diff announced what reconcile applied"
    );
    assert!(
        env.server
            .object("", "secrets", NS, "wandb-password")
            .is_some()
    );

    let mark = env.server.requests().len();
    let after = env.diff(&file, &[]).await;
    env.assert_read_only(mark);
    assert_eq!(after.code, 0, "{}\n{}", after.stdout, after.stderr);
    assert_eq!(
        after.stdout,
        "Summary: 0 to create, 0 to update, 0 to delete, 0 kept, 7 unchanged.\n"
    );
    assert_eq!(
        env.dry_runs_since(mark),
        0,
        "nothing to ask the server about"
    );
    // The reconcile agrees: nothing to write but its own status (`Applied` becomes
    // `UpToDate`), which `diff` does not cover.
    let mark = env.server.requests().len();
    let again = env.reconcile(&cr).await;
    assert!(!again.applied.unwrap().wrote());
    let writes: Vec<String> = env.server.requests()[mark..]
        .iter()
        .filter(|r| r.is_write() && r.field_manager != MANAGER && r.subresource != "status")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(writes, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_change_diffs_exactly_the_affected_objects_and_masks_secrets() {
    let env = Env::start("change").await;
    let base = cr(json!({}));
    env.reconcile(&base).await;

    let changed = cr(json!({"greeting": "bonjour", "password": "rotated-secret-value"}));
    let file = env.write("changed.json", &changed);
    let mark = env.server.requests().len();
    let text = env.diff(&file, &[]).await;
    env.assert_read_only(mark);
    println!("[diff] a value change:\n{}", text.stdout);
    assert_eq!(text.code, 1, "{}\n{}", text.stdout, text.stderr);
    assert!(
        text.stdout.contains(
            "=== update ConfigMap default/wandb-config\n--- live\n+++ run\n@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  greeting: hello\n+  greeting: bonjour\n"
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("-  password: \"*** (before)\"\n+  password: \"*** (after)\"\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("   user: \"***\"\n"),
        "{}",
        text.stdout
    );
    let engine = base64::engine::general_purpose::STANDARD;
    for secret in ["initial-secret-value", "rotated-secret-value", "admin"] {
        assert!(
            !text.stdout.contains(secret),
            "{secret} printed:\n{}",
            text.stdout
        );
        assert!(
            !text.stdout.contains(&engine.encode(secret)),
            "{secret} printed"
        );
        assert!(!text.stderr.contains(secret));
    }
    let (code, doc) = env.diff_json(&file).await;
    assert_eq!(code, 1);
    assert!(!doc.to_string().contains("rotated-secret-value"));
    assert_eq!(
        changes(&doc),
        set(&[
            "update ConfigMap/wandb-config",
            "update Secret/wandb-credentials",
            "update Secret/wandb-spec-active",
        ])
    );
    let announced = object_changes(&doc, "update");
    let outcome = env.reconcile(&changed).await;
    assert_eq!(announced, keys(&outcome.applied.unwrap().applied));
    assert_eq!(env.diff(&file, &[]).await.code, 0);

    // User input from the cluster's `<name>-spec-user`, below the CR.
    let user = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wandb-spec-user"},
        "data": {"values": engine.encode(r#"{"replicas": 3, "greeting": "overridden by the CR"}"#)}});
    Api::<DynamicObject>::namespaced_with(
        env.client.clone(),
        NS,
        &ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&()),
    )
    .patch(
        "wandb-spec-user",
        &PatchParams::apply(MANAGER).force(),
        &Patch::Apply(&user),
    )
    .await
    .unwrap();
    let (code, doc) = env.diff_json(&file).await;
    assert_eq!(code, 1);
    assert_eq!(
        changes(&doc),
        set(&[
            "update Deployment/wandb-web",
            "update Secret/wandb-spec-active"
        ])
    );
    assert!(
        doc.to_string()
            .contains(r#"-  replicas: 1\n+  replicas: 3"#),
        "{doc:#}"
    );
    // `--user-input` replaces the cluster's user input.
    let user_file = env.write("user.json", &json!({"values": {"replicas": 2}}));
    let run = env
        .diff(
            &file,
            &["--user-input", user_file.to_str().unwrap(), "--brief"],
        )
        .await;
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "=== update Deployment.apps default/wandb-web\n\
         === update Secret default/wandb-spec-active (last applied spec and inventory)\n\
         Summary: 0 to create, 2 to update, 0 to delete, 0 kept, 6 unchanged.\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_a_component_prunes_and_keeps_pvcs_and_kept_objects() {
    let env = Env::start("prune").await;
    env.reconcile(&cr(json!({}))).await;
    let disabled = cr(json!({"extras": false}));
    let file = env.write("disabled.json", &disabled);
    let mark = env.server.requests().len();
    let text = env.diff(&file, &[]).await;
    env.assert_read_only(mark);
    println!("[diff] a component disabled:\n{}", text.stdout);
    assert_eq!(text.code, 1, "{}\n{}", text.stdout, text.stderr);
    assert!(
        text.stdout
            .contains("=== delete Service default/wandb-extra\n--- live\n+++ /dev/null\n"),
        "{}",
        text.stdout
    );
    for line in [
        "=== delete ConfigMap default/wandb-extra\n",
        "=== keep PersistentVolumeClaim default/wandb-data (PersistentVolumeClaims are never pruned)\n",
        "=== keep ConfigMap default/wandb-kept (annotated helm.sh/resource-policy: keep)\n",
        "Summary: 0 to create, 1 to update, 2 to delete, 2 kept, 3 unchanged.\n",
    ] {
        assert!(text.stdout.contains(line), "{line}\n{}", text.stdout);
    }
    let (_, doc) = env.diff_json(&file).await;
    let announced = object_changes(&doc, "delete");
    let outcome = env.reconcile(&disabled).await;
    let applied = outcome.applied.unwrap();
    assert_eq!(announced, keys(&applied.pruned));
    assert_eq!(
        object_changes(&doc, "keep"),
        keys(&applied.retained),
        "kept as the reconcile keeps"
    );
    assert!(
        env.server
            .object("", "persistentvolumeclaims", NS, "wandb-data")
            .is_some()
    );
    let after = env.diff(&file, &[]).await;
    assert_eq!(after.code, 0, "{}", after.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_configurations_print_runs_message_and_write_nothing() {
    let env = Env::start("invalid").await;
    env.reconcile(&cr(json!({}))).await;
    let cases = [
        (
            "chart-fail",
            cr(json!({"failMe": true})),
            "failMe is set: this chart refuses to render",
        ),
        (
            "missing-secret",
            cr(json!({"externalSecret": "no-such-secret"})),
            "references Secret default/no-such-secret key token, which does not exist",
        ),
        (
            "chart-shape",
            {
                let mut c = cr(json!({}));
                c["spec"]["chart"] = json!({"repository": "somewhere", "tag": "1"});
                c
            },
            "spec.chart: unrecognised chart reference",
        ),
    ];
    for (name, bad, expected) in cases {
        let file = env.write(&format!("{name}.json"), &bad);
        let mark = env.server.requests().len();
        let run = env.diff(&file, &[]).await;
        env.assert_read_only(mark);
        assert_eq!(run.code, 2, "{name}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        // The reconcile reports the very same message in its condition.
        env.reconcile(&bad).await;
        let condition = env.cr_condition("Reconciled").await;
        assert_eq!(condition["reason"], "InvalidConfig", "{name}");
        let message = condition["message"].as_str().unwrap();
        assert_eq!(
            run.stderr,
            format!("error: Invalid Config: {message}\n"),
            "{name}: diff and run disagree"
        );
        let json = env.diff(&file, &["-o", "json"]).await;
        assert_eq!(json.code, 2);
        let doc: Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(doc["error"], format!("Invalid Config: {message}"));
    }
    // An object the API server refuses (an immutable field): the dry run finds it.
    let bad = cr(json!({"selectorSuffix": "-v2"}));
    let file = env.write("immutable.json", &bad);
    let mark = env.server.requests().len();
    let run = env.diff(&file, &[]).await;
    env.assert_read_only(mark);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "=== rejected by the API server: applying Deployment.apps default/wandb-web: "
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with(", 1 rejected.\n"), "{}", run.stdout);
    env.reconcile(&bad).await;
    let condition = env.cr_condition("Reconciled").await;
    let message = condition["message"].as_str().unwrap();
    assert!(message.contains("field is immutable"), "{message}");
    assert_eq!(run.stderr, format!("error: Invalid Config: {message}\n"));

    // A CR file that is not one: an error too, before any request.
    let file = env.write("not-a-cr.json", &json!({"kind": "ConfigMap"}));
    let mark = env.server.requests().len();
    let run = env.diff(&file, &[]).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("expected kind WeightsAndBiases"),
        "{}",
        run.stderr
    );
    assert_eq!(env.server.requests().len(), mark);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn platform_chart_minimal_example() {
    let env = Env::start("platform").await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let example: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(root.join("examples/minimal.yaml")).unwrap(),
    )
    .unwrap();
    let file = env.write("minimal.json", &example);
    let mark = env.server.requests().len();
    let start = std::time::Instant::now();
    let (code, doc) = env.diff_json(&file).await;
    let fresh_time = start.elapsed();
    let fresh = tally(&env.server.requests()[mark..]);
    assert_eq!(code, 1);
    let announced = object_changes(&doc, "create");
    assert!(announced.len() > 10, "{announced:?}");
    let outcome = env.reconcile(&example).await;
    assert_eq!(announced, keys(&outcome.applied.unwrap().applied));
    let mark = env.server.requests().len();
    let start = std::time::Instant::now();
    let (code, doc) = env.diff_json(&file).await;
    let steady_time = start.elapsed();
    let steady = tally(&env.server.requests()[mark..]);
    println!(
        "[diff] examples/minimal.yaml, {} objects: fresh cluster {:.2}s {fresh}; after the reconcile {:.2}s {steady}",
        announced.len(),
        fresh_time.as_secs_f64(),
        steady_time.as_secs_f64()
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        doc["reapplied"],
        json!([]),
        "a steady state re-applies nothing"
    );

    let mut changed = example.clone();
    changed["spec"]["values"]["console"] = json!({"image": {"tag": "diff-changed"}});
    let file = env.write("changed.json", &changed);
    let (code, doc) = env.diff_json(&file).await;
    assert_eq!(code, 1);
    let updated = object_changes(&doc, "update");
    let outcome = env.reconcile(&changed).await;
    assert_eq!(updated, keys(&outcome.applied.unwrap().applied));
    assert!(
        updated.iter().any(|k| k.starts_with("Deployment/")),
        "{updated:?}"
    );
    assert!(doc.to_string().contains("diff-changed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_file_is_a_layer_and_airgapped_ignores_it() {
    let env = Env::start("channel").await;
    let base = cr(json!({}));
    env.reconcile(&base).await;
    let file = env.write("cr.json", &base);
    let channel = env.write(
        "channel.json",
        &json!({"metadata": {"releaseId": "r7"}, "chart": {"path": chart_dir()},
                "values": {"greeting": "from the channel"}}),
    );
    let channel = channel.to_str().unwrap();
    let mark = env.server.requests().len();
    let run = env.diff(&file, &["--channel", channel, "--brief"]).await;
    env.assert_read_only(mark);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "=== update ConfigMap default/wandb-config\n\
         === create Secret default/wandb-latest-cached-release (last good release of the channel)\n\
         === update Secret default/wandb-spec-active (last applied spec and inventory)\n\
         Summary: 1 to create, 2 to update, 0 to delete, 0 kept, 6 unchanged.\n"
    );
    let airgapped = env
        .diff(&file, &["--channel", channel, "--airgapped"])
        .await;
    assert_eq!(airgapped.code, 0, "{}", airgapped.stdout);
    // A pinned release the channel does not have: the embedded channel applies, as
    // in `run`, with a note.
    let user = env.write("user.json", &json!({"values": {"_releaseId": "r1"}}));
    let pinned = env
        .diff(
            &file,
            &["--channel", channel, "--user-input", user.to_str().unwrap()],
        )
        .await;
    assert!(
        pinned.stderr.contains("# release channel: "),
        "{}",
        pinned.stderr
    );
    assert!(
        pinned.stderr.contains("\"r1\" not found"),
        "{}",
        pinned.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cr_being_deleted_shows_the_uninstall() {
    let env = Env::start("uninstall").await;
    let base = cr(json!({}));
    env.reconcile(&base).await;
    let api: Api<WeightsAndBiases> = Api::namespaced(env.client.clone(), NS);
    api.delete(NAME, &Default::default()).await.unwrap();
    // The finalizer holds it: it is being deleted.
    assert!(
        api.get(NAME)
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some()
    );
    let file = env.write("cr.json", &base);
    let mark = env.server.requests().len();
    let run = env.diff(&file, &[]).await;
    env.assert_read_only(mark);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("is being deleted"), "{}", run.stderr);
    let headers: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("==="))
        .collect();
    assert_eq!(
        headers,
        [
            // Reverse install order, as the planner prunes.
            "=== delete Deployment.apps default/wandb-web",
            "=== delete Service default/wandb-extra",
            "=== delete ConfigMap default/wandb-extra",
            "=== delete ConfigMap default/wandb-config",
            "=== delete Secret default/wandb-credentials",
            "=== keep ConfigMap default/wandb-kept (annotated helm.sh/resource-policy: keep)",
            "=== keep PersistentVolumeClaim default/wandb-data (PersistentVolumeClaims are never pruned)",
        ]
    );
    assert!(
        run.stdout.contains("-  password: \"***\"\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("initial-secret-value"));
    // What the reconcile then deletes.
    let live = api.get(NAME).await.unwrap();
    let client = env.client.clone();
    let ctx = Context {
        client: client.clone(),
        applier: Applier::new(client.clone()),
        renderer: Arc::new(HelmRenderer::new(None)),
        channel: None,
        airgapped: false,
        defaults: OperatorDefaults::default(),
        now,
    };
    let outcome = reconcile(&live, &ctx).await.unwrap();
    let pruned: Vec<String> = outcome
        .applied
        .unwrap()
        .pruned
        .iter()
        .map(|k| k.to_string())
        .collect();
    let announced: Vec<String> = headers
        .iter()
        .filter_map(|h| h.strip_prefix("=== delete "))
        .map(str::to_string)
        .collect();
    assert_eq!(pruned, announced);
}

/// Writes by the reconcile since `mark`, without its status and the test's own.
fn reconcile_writes(env: &Env, mark: usize) -> Vec<String> {
    env.server.requests()[mark..]
        .iter()
        .filter(|r| r.is_write() && r.field_manager != MANAGER && r.subresource != "status")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_the_chart_stops_rendering_are_removed_and_announced() {
    let env = Env::start("stale").await;
    env.reconcile(&cr(json!({"extraKey": "stale-value"}))).await;
    let config = || {
        env.server
            .object("", "configmaps", NS, "wandb-config")
            .unwrap()
    };
    assert_eq!(config()["data"]["extra"], "stale-value");
    assert_eq!(
        config()["metadata"]["labels"]["example.com/extra"],
        "stale-value"
    );

    // The chart no longer renders the label and the key: the live ConfigMap still
    // holds every field of the new render, yet `run` re-applies it, and `diff` says so.
    let cleared = cr(json!({}));
    let file = env.write("cleared.json", &cleared);
    let mark = env.server.requests().len();
    let text = env.diff(&file, &[]).await;
    env.assert_read_only(mark);
    println!("[diff] keys no longer rendered:\n{}", text.stdout);
    assert_eq!(text.code, 1, "{}\n{}", text.stdout, text.stderr);
    for line in [
        "=== update ConfigMap default/wandb-config\n--- live\n+++ run\n",
        "\n-  extra: stale-value\n",
        "\n-    example.com/extra: stale-value\n",
        "Summary: 0 to create, 2 to update, 0 to delete, 0 kept, 6 unchanged.\n",
    ] {
        assert!(text.stdout.contains(line), "{line}\n{}", text.stdout);
    }
    let (code, doc) = env.diff_json(&file).await;
    assert_eq!(code, 1);
    assert_eq!(
        changes(&doc),
        set(&[
            "update ConfigMap/wandb-config",
            "update Secret/wandb-spec-active"
        ])
    );
    assert_eq!(doc["reapplied"], json!([]));
    let mark = env.server.requests().len();
    let outcome = env.reconcile(&cleared).await;
    assert_eq!(
        object_changes(&doc, "update"),
        keys(&outcome.applied.unwrap().applied),
        "diff announced what reconcile applied"
    );
    assert!(
        reconcile_writes(&env, mark).contains(&format!(
            "PATCH /api/v1/namespaces/{NS}/configmaps/wandb-config"
        )),
        "{:?}",
        reconcile_writes(&env, mark)
    );
    // One reconcile removed both.
    let live = config();
    assert_eq!(live["data"], json!({"greeting": "hello", "site": "none"}));
    assert_eq!(
        live["metadata"]["labels"],
        json!({"app.kubernetes.io/instance": NAME})
    );

    // The next reconcile writes nothing, and `diff` agrees.
    let mark = env.server.requests().len();
    let again = env.reconcile(&cleared).await;
    assert!(!again.applied.unwrap().wrote());
    assert_eq!(reconcile_writes(&env, mark), Vec::<String>::new());
    let after = env.diff(&file, &[]).await;
    assert_eq!(after.code, 0, "{}\n{}", after.stdout, after.stderr);
    assert_eq!(
        after.stdout,
        "Summary: 0 to create, 0 to update, 0 to delete, 0 kept, 7 unchanged.\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inventory_without_digests_is_reapplied_once() {
    let env = Env::start("olddigest").await;
    let base = cr(json!({}));
    env.reconcile(&base).await;
    // The inventory as an older operator wrote it: no digests.
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(env.client.clone(), NS);
    let active = secrets.get("wandb-spec-active").await.unwrap();
    let mut inventory: Value =
        serde_json::from_slice(&active.data.unwrap()["inventory"].0).unwrap();
    let entries = inventory["entries"].as_array_mut().unwrap();
    assert!(entries.iter().all(|e| e["applied"].is_string()));
    for e in entries.iter_mut() {
        e.as_object_mut().unwrap().remove("applied");
    }
    let engine = base64::engine::general_purpose::STANDARD;
    secrets
        .patch(
            "wandb-spec-active",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"inventory": engine.encode(inventory.to_string())}})),
        )
        .await
        .unwrap();

    // Nothing visible changes, but `run` re-applies each object once (it cannot know
    // what it set before); `diff` lists them as re-applied.
    let file = env.write("cr.json", &base);
    let (code, doc) = env.diff_json(&file).await;
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(changes(&doc), set(&["update Secret/wandb-spec-active"]));
    let reapplied: BTreeSet<String> = doc["reapplied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    let outcome = env.reconcile(&base).await;
    let applied = outcome.applied.unwrap();
    assert_eq!(applied.applied.len(), 7);
    let applied: BTreeSet<String> = applied.applied.iter().map(|k| k.to_string()).collect();
    assert_eq!(reapplied, applied, "diff announced the re-applies");
    // The digests are recorded again: back to zero writes.
    let mark = env.server.requests().len();
    assert!(!env.reconcile(&base).await.applied.unwrap().wrote());
    assert_eq!(reconcile_writes(&env, mark), Vec::<String>::new());
    let (code, doc) = env.diff_json(&file).await;
    assert_eq!(code, 0, "{doc:#}");
}
