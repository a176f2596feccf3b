//! End-to-end suite: the real `wandb-operator run` binary against an in-process
//! `kube-testserver` with the workload simulator on, or against the real cluster
//! named by `WANDB_E2E_KUBECONFIG` (then the request-log assertions are skipped and
//! every scenario checks cluster state only).
//!
//! Each scenario has its own cluster (testserver) or namespaces (real cluster) and
//! its own operator process restricted to them, so they run in parallel. Figures
//! (API calls of a first and a steady-state reconcile, time to converge) are printed;
//! run with `--nocapture` to see them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

#[path = "e2e/harness.rs"]
mod harness;

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use harness::*;
use k8s_openapi::api::core::v1::Secret;
use kube::{
    Api,
    api::{DeleteParams, Patch, PatchParams, PostParams},
};
use kube_testserver::RequestMatcher;
use serde_json::{Value, json};

const NAME: &str = "wandb";

/// Installs `examples/minimal.yaml` as `NAME` in `ns` and waits until it converged.
async fn install_minimal(env: &Env, op: &Operator, ns: &str) -> Value {
    env.apply_cr(&example("minimal.yaml", ns, NAME)).await;
    env.wait_cr(op, ns, NAME, "Completed and Ready", converged)
        .await
}

/// A fresh cluster `name` with one namespace and an operator watching it, with
/// `examples/minimal.yaml` installed, converged and then settled for `quiet`.
async fn start_with_minimal(name: &str, quiet: Duration) -> (Env, String, Operator) {
    let mut env = Env::start(name).await;
    let ns = env.namespace("a").await;
    let op = env.operator(&[&ns], &[]);
    op.wait_ready().await;
    install_minimal(&env, &op, &ns).await;
    settle(&env, quiet).await;
    (env, ns, op)
}

/// Asserts that the operator stays idle for 2 s: no request but watches and
/// no reconcile.
async fn assert_idle(env: &Env, op: &Operator) {
    let mark = env.log_mark();
    let before = op.reconciles_done();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle: Vec<_> = env
        .operator_requests(mark)
        .into_iter()
        .filter(|r| r.verb != "watch")
        .collect();
    assert!(idle.is_empty(), "requests while idle: {idle:#?}");
    assert_eq!(op.reconciles_done(), before);
}

/// Waits until the operator has been idle (no request logged) for `quiet`
/// (testserver), or simply for `quiet` (real cluster).
async fn settle(env: &Env, quiet: Duration) {
    let Some(server) = env.server() else {
        tokio::time::sleep(quiet).await;
        return;
    };
    let start = Instant::now();
    let mut last = server.requests().len();
    let mut since = Instant::now();
    while since.elapsed() < quiet {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let n = server
            .requests()
            .iter()
            .filter(|r| r.user_agent != TEST_AGENT && r.verb != "watch")
            .count();
        if n != last {
            last = n;
            since = Instant::now();
        }
        assert!(start.elapsed() < CONVERGE, "the operator never went idle");
    }
}

/// Makes the operator reconcile `ns/NAME` once more without changing its spec (an
/// annotation is metadata: no new generation) and waits for that reconcile.
async fn nudge(env: &Env, op: &Operator, ns: &str, value: &str) {
    let before = op.reconciles_done();
    env.merge_cr(
        ns,
        NAME,
        json!({"metadata": {"annotations": {"e2e/nudge": value}}}),
    )
    .await;
    wait_for("a reconcile after the nudge", CONVERGE, || async {
        op.check_alive();
        (op.reconciles_done() > before).then_some(())
    })
    .await;
}

/// Keys of `after` whose content or UID differ from `before`, plus added and
/// removed keys.
fn diff(before: &Snapshot, after: &Snapshot) -> BTreeSet<String> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect()
}

fn component(seen: Option<&Seen>) -> &str {
    seen.and_then(|s| s.labels.get("app.kubernetes.io/component"))
        .map_or("", String::as_str)
}

fn b64_secret_value(secret: &Secret, key: &str) -> Option<String> {
    let data = secret.data.as_ref()?;
    Some(String::from_utf8_lossy(&data.get(key)?.0).into_owned())
}

fn container_images(obj: &Value) -> Vec<String> {
    obj.pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| cs.iter().map(|c| str_at(c, "/image").to_string()).collect())
        .unwrap_or_default()
}

/// Deployments of `ns` whose component label is `comp`.
async fn deployments_of(env: &Env, ns: &str, comp: &str) -> Vec<Value> {
    let ar = kube::api::ApiResource::from_gvk_with_plural(
        &kube::api::GroupVersionKind::gvk("apps", "v1", "Deployment"),
        "deployments",
    );
    let api: Api<kube::api::DynamicObject> = Api::namespaced_with(env.client.clone(), ns, &ar);
    let lp =
        kube::api::ListParams::default().labels(&format!("app.kubernetes.io/component={comp}"));
    api.list(&lp)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .collect()
}

/// Scenario 1: CRD + `examples/minimal.yaml` with the embedded chart: objects
/// appear, `Completed` with `Ready=True`, `observedGeneration` matches,
/// `wandb-password` exists. Also prints the API calls of the install.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s1_install_minimal_example() {
    let mut env = Env::start("install").await;
    let ns = env.namespace("a").await;
    let op = env.operator(&[&ns], &[]);
    op.wait_ready().await;
    let mark = env.log_mark();
    let started = Instant::now();
    let cr = install_minimal(&env, &op, &ns).await;
    let took = started.elapsed();

    // Status.
    assert!(
        !str_at(&cr, "/status/version").is_empty(),
        "no status.version: {cr}"
    );
    let reconciled = condition(&cr, "Reconciled").expect("Reconciled condition");
    assert_eq!(str_at(reconciled, "/status"), "True", "{cr}");
    assert!(!str_at(reconciled, "/message").is_empty());
    assert!(condition(&cr, "ChannelReachable").is_some(), "{cr}");
    assert!(cr.pointer("/status/lastAppliedTime").is_some(), "{cr}");
    let finalizers = cr
        .pointer("/metadata/finalizers")
        .cloned()
        .unwrap_or_default();
    assert!(
        finalizers
            .as_array()
            .is_some_and(|f| f.contains(&json!("finalizer.app.wandb.com"))),
        "finalizer missing: {finalizers}"
    );

    // Objects: every inventory entry exists with the recorded UID, and the main
    // workloads of the minimal install are there.
    let inventory = env.inventory(&ns, NAME).await;
    assert!(inventory.len() >= 10, "inventory too small: {inventory:?}");
    for e in &inventory {
        let entry_ns = e.get("namespace").and_then(Value::as_str).unwrap_or("");
        let obj = env
            .object(
                str_at(e, "/apiVersion"),
                str_at(e, "/kind"),
                entry_ns,
                str_at(e, "/name"),
            )
            .await
            .unwrap_or_else(|| panic!("inventory entry missing in the cluster: {e}"));
        if let Some(uid) = e.get("uid").and_then(Value::as_str) {
            assert_eq!(str_at(&obj, "/metadata/uid"), uid, "{e}");
        }
    }
    let kinds: BTreeSet<&str> = inventory.iter().map(|e| str_at(e, "/kind")).collect();
    for kind in ["Deployment", "StatefulSet", "Service", "Secret"] {
        assert!(kinds.contains(kind), "no {kind} applied: {kinds:?}");
    }
    for comp in ["app", "console"] {
        assert!(
            !deployments_of(&env, &ns, comp).await.is_empty(),
            "no {comp} Deployment"
        );
    }

    // State Secrets and the console password.
    for state in ["spec-user", "spec-active"] {
        assert!(
            env.secret(&ns, &format!("{NAME}-{state}")).await.is_some(),
            "{state}"
        );
    }
    let password = env
        .secret(&ns, "wandb-password")
        .await
        .expect("wandb-password Secret");
    let value = b64_secret_value(&password, "password").expect("key password");
    assert!(value.len() >= 32, "password has {} characters", value.len());

    // The Lease is not used without LEADER_ELECT; the log is JSON and holds no secret.
    let log = op.log_text();
    assert!(
        !log.contains("eyJhbGnUzaHgyQjQy"),
        "the license leaked into the log"
    );
    assert!(
        !log.contains(&value),
        "the console password leaked into the log"
    );

    let reconciles = op.reconciles_done();
    println!(
        "[e2e] install of examples/minimal.yaml: Completed+Ready after {:.2}s, {reconciles} reconciles, {} objects",
        took.as_secs_f64(),
        inventory.len()
    );
    if env.server().is_some() {
        let requests = env.operator_requests(mark);
        assert!(
            requests
                .iter()
                .any(|r| r.verb == "patch" && r.field_manager == OPERATOR_MANAGER)
        );
        println!(
            "{}",
            show_tally("[e2e] API calls, first install until converged", &requests)
        );
    }
    drop(op);
    env.cleanup().await;
}

/// Scenario 2: a reconcile with nothing new makes zero writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s2_steady_state_reconcile_writes_nothing() {
    let (env, ns, op) = start_with_minimal("steady", Duration::from_millis(700)).await;

    let inventory = env.inventory(&ns, NAME).await;
    let before = env.snapshot(&ns, &inventory).await;
    let cr_before = env.cr(&ns, NAME).await.unwrap();
    let rv = env.server().map(|s| s.resource_version());
    let mark = env.log_mark();
    nudge(&env, &op, &ns, "1").await;
    settle(&env, Duration::from_millis(500)).await;

    let after = env.snapshot(&ns, &inventory).await;
    assert_eq!(
        diff(&before, &after),
        BTreeSet::new(),
        "a steady-state reconcile changed objects"
    );
    let cr_after = env.cr(&ns, NAME).await.unwrap();
    assert_eq!(
        cr_before.get("status"),
        cr_after.get("status"),
        "status rewritten"
    );
    if let (Some(server), Some(rv)) = (env.server(), rv) {
        let requests = env.operator_requests(mark);
        let writes: Vec<_> = requests.iter().filter(|r| r.is_write()).collect();
        assert!(writes.is_empty(), "steady-state writes: {writes:#?}");
        // The only change is the suite's own annotation.
        let changes: Vec<_> = server
            .changes_since(rv)
            .into_iter()
            .filter(|c| !(c.resource.ends_with("weightsandbiases") && c.name == NAME))
            .collect();
        assert!(changes.is_empty(), "changes: {changes:#?}");
        assert!(
            requests.iter().any(|r| r.verb == "get"),
            "no reconcile seen in the log"
        );
        println!(
            "{}",
            show_tally("[e2e] API calls, steady-state reconcile", &requests)
        );
    }
    drop(op);
    env.cleanup().await;
}

/// Scenario 3a: changing a value patches only the objects it affects; disabling a
/// component prunes its objects and leaves the rest alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_change_value_and_disable_component() {
    let (env, ns, op) = start_with_minimal("change", Duration::from_millis(500)).await;
    let inventory = env.inventory(&ns, NAME).await;
    let s0 = env.snapshot(&ns, &inventory).await;

    // Change the console's image tag: only console objects change (the tag is also
    // the `app.kubernetes.io/version` label of the component's objects).
    let mark = env.log_mark();
    env.merge_cr(
        &ns,
        NAME,
        json!({"spec": {"values": {"console": {"image": {"tag": "e2e-changed"}}}}}),
    )
    .await;
    env.wait_cr(&op, &ns, NAME, "converged on generation 2", |cr| {
        converged(cr) && cr.pointer("/metadata/generation") == Some(&json!(2))
    })
    .await;
    let console = deployments_of(&env, &ns, "console").await;
    assert_eq!(console.len(), 1);
    assert!(
        container_images(&console[0])
            .iter()
            .any(|i| i.ends_with(":e2e-changed")),
        "{:?}",
        container_images(&console[0])
    );
    settle(&env, Duration::from_millis(500)).await;
    let s1 = env.snapshot(&ns, &inventory).await;
    let changed = diff(&s0, &s1);
    let state = format!("Secret/{NAME}-spec-active");
    let unexpected: Vec<_> = changed
        .iter()
        .filter(|k| **k != state && component(s1.get(*k)) != "console")
        .collect();
    assert!(
        unexpected.is_empty(),
        "changed besides the console: {unexpected:?}"
    );
    assert!(
        changed.iter().any(|k| k.starts_with("Deployment/")),
        "console Deployment not changed: {changed:?}"
    );
    if env.server().is_some() {
        let written = written_objects(&env.operator_requests(mark));
        let not_console: Vec<_> = written
            .iter()
            .filter(|w| !w.contains("console") && !w.starts_with("weightsandbiases/"))
            .filter(|w| **w != format!("secrets/{NAME}-spec-active"))
            .collect();
        assert!(not_console.is_empty(), "operator wrote {not_console:?}");
        println!("[e2e] value change wrote: {written:?}");
    }

    // Disable the console: the objects no longer rendered (all of them the
    // console's) are pruned unless kept; every other object keeps its UID.
    env.merge_cr(
        &ns,
        NAME,
        json!({"spec": {"values": {"console": {"install": false}}}}),
    )
    .await;
    env.wait_cr(&op, &ns, NAME, "converged on generation 3", |cr| {
        converged(cr) && cr.pointer("/metadata/generation") == Some(&json!(3))
    })
    .await;
    let inventory2 = env.inventory(&ns, NAME).await;
    let s2 = env.snapshot(&ns, &inventory2).await;
    let key_of = |e: &Value| {
        let sep = if e.get("namespace").is_some() {
            "/"
        } else {
            "//"
        };
        format!("{}{sep}{}", str_at(e, "/kind"), str_at(e, "/name"))
    };
    let still: BTreeSet<String> = inventory2.iter().map(key_of).collect();
    let dropped: Vec<&Value> = inventory
        .iter()
        .filter(|e| !still.contains(&key_of(e)))
        .collect();
    assert!(
        dropped.len() >= 2,
        "disabling the console dropped only {dropped:?}"
    );
    for e in &dropped {
        let k = key_of(e);
        assert!(k.contains("console"), "{k} dropped with the console");
        let keep = e.get("keep").and_then(Value::as_bool).unwrap_or(false);
        assert_eq!(s2.contains_key(&k), keep, "{k}: pruned should be {}", !keep);
    }
    assert!(
        deployments_of(&env, &ns, "console").await.is_empty(),
        "console Deployment left"
    );
    for (k, s) in &s1 {
        if dropped.iter().any(|e| key_of(e) == *k) || *k == state {
            continue;
        }
        let now = s2.get(k).unwrap_or_else(|| panic!("{k} disappeared"));
        assert_eq!(now.uid, s.uid, "{k} was re-created");
    }
    println!(
        "[e2e] console disabled: pruned {}",
        dropped
            .iter()
            .map(|e| key_of(e))
            .collect::<Vec<_>>()
            .join(", ")
    );
    drop(op);
    env.cleanup().await;
}

fn keep_pvc_cr(ns: &str, extras: bool) -> Value {
    let chart = workspace_root().join("crates/wandb-operator/tests/e2e/charts/keep-pvc");
    let chart = chart.canonicalize().unwrap();
    json!({
        "apiVersion": "apps.wandb.com/v1",
        "kind": "WeightsAndBiases",
        "metadata": {"name": NAME, "namespace": ns},
        "spec": {
            "chart": {"path": chart.to_string_lossy()},
            "values": {"extras": extras}
        }
    })
}

/// Scenario 3b and 7b: with a chart that renders a PVC and a kept ConfigMap, turning
/// them off prunes the rest but never the PVC or the kept object, and so does
/// deleting the CR.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_prune_spares_pvcs_and_kept_objects() {
    let mut env = Env::start("pvc").await;
    let ns = env.namespace("a").await;
    let op = env.operator(&[&ns], &[]);
    op.wait_ready().await;
    env.apply_cr(&keep_pvc_cr(&ns, true)).await;
    env.wait_cr(&op, &ns, NAME, "Completed and Ready", converged)
        .await;
    let names = |s: &Snapshot| -> BTreeSet<String> {
        s.keys()
            .filter(|k| !k.starts_with("Secret/"))
            .cloned()
            .collect()
    };
    let s1 = env.snapshot(&ns, &[]).await;
    let expect: BTreeSet<String> = [
        "ConfigMap/wandb-always",
        "ConfigMap/wandb-extra",
        "ConfigMap/wandb-kept",
        "PersistentVolumeClaim/wandb-data",
        "Deployment/wandb-web",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert!(names(&s1).is_superset(&expect), "{:?}", names(&s1));

    env.apply_cr(&keep_pvc_cr(&ns, false)).await;
    env.wait_cr(&op, &ns, NAME, "converged on generation 2", |cr| {
        converged(cr) && cr.pointer("/metadata/generation") == Some(&json!(2))
    })
    .await;
    let s2 = env.snapshot(&ns, &[]).await;
    for gone in ["ConfigMap/wandb-extra", "Deployment/wandb-web"] {
        assert!(!s2.contains_key(gone), "{gone} not pruned");
    }
    for kept in [
        "ConfigMap/wandb-kept",
        "PersistentVolumeClaim/wandb-data",
        "ConfigMap/wandb-always",
    ] {
        let before = s1.get(kept).unwrap();
        assert_eq!(
            s2.get(kept).map(|s| &s.uid),
            Some(&before.uid),
            "{kept} pruned or re-created"
        );
    }

    // Delete the CR: the always-rendered ConfigMap goes, the PVC and the kept
    // ConfigMap (applied earlier, still in the cluster) stay, the finalizer is
    // removed so the CR disappears.
    env.crs(&ns)
        .delete(NAME, &DeleteParams::default())
        .await
        .unwrap();
    wait_for("the CR to disappear", CONVERGE, || async {
        op.check_alive();
        env.cr(&ns, NAME).await.is_none().then_some(())
    })
    .await;
    let s3 = env.snapshot(&ns, &[]).await;
    assert!(
        !s3.contains_key("ConfigMap/wandb-always"),
        "{:?}",
        names(&s3)
    );
    for kept in ["ConfigMap/wandb-kept", "PersistentVolumeClaim/wandb-data"] {
        assert!(s3.contains_key(kept), "{kept} deleted with the CR");
    }
    drop(op);
    env.cleanup().await;
}

/// Scenario 4: bad CRs end in `Invalid Config` with a message that names the
/// problem, and nothing in the cluster changes (the previous deployment keeps
/// running).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s4_invalid_config_changes_nothing() {
    let (env, ns, op) = start_with_minimal("invalid", Duration::from_millis(500)).await;
    let inventory = env.inventory(&ns, NAME).await;
    let before = env.snapshot(&ns, &inventory).await;

    let good = example("minimal.yaml", &ns, NAME);
    let cases: Vec<(&str, Value, &[&str])> = vec![
        (
            "unknown spec.chart shape",
            json!({"spec": {"chart": {"repository": "somewhere", "tag": "1"}}}),
            &["spec.chart"],
        ),
        (
            "runAsGroup: 1000",
            json!({"spec": {"values": {"app": {"pod": {"securityContext": {"runAsGroup": 1000}}}}}}),
            &["runAsGroup", "1000"],
        ),
        (
            "missing license Secret",
            json!({"spec": {"values": {"global": {"license": "", "licenseSecret": {"name": "no-such-license", "key": "LICENSE"}}}}}),
            &["no-such-license"],
        ),
    ];
    for (what, change, words) in cases {
        let mut cr = good.clone();
        merge(&mut cr, &change);
        let mark = env.log_mark();
        env.apply_cr(&cr).await;
        let status = env
            .wait_cr(&op, &ns, NAME, &format!("Invalid Config ({what})"), invalid)
            .await;
        let reconciled =
            condition(&status, "Reconciled").unwrap_or_else(|| panic!("{what}: {status}"));
        let message = str_at(reconciled, "/message");
        assert_eq!(str_at(reconciled, "/status"), "False", "{what}");
        for word in words {
            assert!(
                message.contains(word),
                "{what}: message {message:?} lacks {word:?}"
            );
        }
        settle(&env, Duration::from_millis(400)).await;
        let after = env.snapshot(&ns, &inventory).await;
        assert_eq!(
            diff(&before, &after),
            BTreeSet::new(),
            "{what}: objects changed"
        );
        if env.server().is_some() {
            let written = written_objects(&env.operator_requests(mark));
            let bad: Vec<_> = written
                .iter()
                .filter(|w| !w.starts_with("weightsandbiases/"))
                .collect();
            assert!(bad.is_empty(), "{what}: operator wrote {bad:?}");
        }
        // A Warning event says why (events.k8s.io/v1, as kube-rs publishes them).
        let api: Api<k8s_openapi::api::events::v1::Event> =
            Api::namespaced(env.client.clone(), &ns);
        let started = Instant::now();
        loop {
            let list = api.list(&Default::default()).await.unwrap();
            // Every case has its own event with its own message (kube-runtime's
            // Recorder would fold them into the first one's series if the event
            // action did not carry a hash of the note).
            let warned = list.items.iter().any(|e| {
                e.type_.as_deref() == Some("Warning")
                    && e.reason.as_deref() == Some("InvalidConfig")
                    && e.note
                        .as_deref()
                        .is_some_and(|m| words.iter().all(|w| m.contains(w)))
            });
            if warned {
                break;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let seen: Vec<_> = list
                    .items
                    .iter()
                    .map(|e| (e.type_.clone(), e.reason.clone(), e.note.clone()))
                    .collect();
                panic!(
                    "{what}: no InvalidConfig Warning event naming {words:?}; events: {seen:#?}\n{}",
                    op.log_tail(20)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        println!("[e2e] {what}: Invalid Config: {message}");
    }

    // One event per distinct message, each with its own note.
    let api: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(env.client.clone(), &ns);
    let notes: BTreeSet<String> = api
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("InvalidConfig"))
        .filter_map(|e| e.note)
        .collect();
    assert!(notes.len() >= 3, "InvalidConfig events: {notes:#?}");

    // Back to the good spec: Completed again.
    env.apply_cr(&good).await;
    env.wait_cr(&op, &ns, NAME, "Completed again", converged)
        .await;
    drop(op);
    env.cleanup().await;
}

fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn user_input_secret(ns: &str, values: &Value) -> Secret {
    serde_json::from_value(json!({
        "metadata": {
            "name": format!("{NAME}-spec-user"),
            "namespace": ns,
            "labels": {
                "apps.wandb.com/state": "spec-user",
                "app.kubernetes.io/instance": NAME,
                "app.kubernetes.io/managed-by": "wandb-operator"
            }
        },
        "type": "Opaque",
        "stringData": {
            "chart": "null",
            "values": values.to_string(),
            "metadata": "null"
        }
    }))
    .unwrap()
}

/// Scenario 5: the user input (`<name>-spec-user`) overrides the release channel and
/// is overridden by the CR; editing it triggers a reconcile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s5_user_input_between_channel_and_cr() {
    let mut env = Env::start("layers").await;
    let ns = env.namespace("a").await;
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), &ns);
    let user = json!({
        "console": {"image": {"tag": "user-console"}},
        "app": {"image": {"tag": "user-app"}}
    });
    secrets
        .create(&PostParams::default(), &user_input_secret(&ns, &user))
        .await
        .unwrap();
    let op = env.operator(&[&ns], &[]);
    op.wait_ready().await;
    let mut cr = example("minimal.yaml", &ns, NAME);
    merge(
        &mut cr,
        &json!({"spec": {"values": {"app": {"image": {"tag": "cr-app"}}}}}),
    );
    env.apply_cr(&cr).await;
    env.wait_cr(&op, &ns, NAME, "Completed and Ready", converged)
        .await;

    let image = |comp: &'static str| {
        let env = &env;
        let ns = ns.clone();
        async move {
            let d = deployments_of(env, &ns, comp).await;
            assert_eq!(d.len(), 1, "{comp} Deployments");
            container_images(&d[0])
        }
    };
    let console = image("console").await;
    assert!(
        console.iter().any(|i| i == "wandb/console:user-console"),
        "user input must beat the channel: {console:?}"
    );
    let app = image("app").await;
    assert!(
        app.iter().any(|i| i == "wandb/local:cr-app"),
        "the CR must beat the user input: {app:?}"
    );
    // A value only the channel sets is still there (the channel is a layer).
    let redis = env
        .object("apps/v1", "StatefulSet", &ns, &format!("{NAME}-redis"))
        .await;
    if let Some(redis) = redis {
        assert!(
            container_images(&redis)
                .iter()
                .any(|i| i.ends_with(":7.2.5-alpine")),
            "{:?}",
            container_images(&redis)
        );
    }

    // The console edits the user input: the operator notices without a CR change.
    let user2 = json!({"console": {"image": {"tag": "user-console-2"}}});
    secrets
        .patch(
            &format!("{NAME}-spec-user"),
            &PatchParams::default(),
            &Patch::Merge(json!({"stringData": {"values": user2.to_string()}})),
        )
        .await
        .unwrap();
    wait_for(
        "the console image to follow the user input",
        CONVERGE,
        || async {
            op.check_alive();
            let d = deployments_of(&env, &ns, "console").await;
            d.first()
                .is_some_and(|d| {
                    container_images(d)
                        .iter()
                        .any(|i| i == "wandb/console:user-console-2")
                })
                .then_some(())
        },
    )
    .await;
    // The user input survives a deletion of the CR (it is the admin's data).
    env.crs(&ns)
        .delete(NAME, &DeleteParams::default())
        .await
        .unwrap();
    wait_for("the CR to disappear", CONVERGE, || async {
        env.cr(&ns, NAME).await.is_none().then_some(())
    })
    .await;
    assert!(
        env.secret(&ns, &format!("{NAME}-spec-user"))
            .await
            .is_some(),
        "user input deleted with the CR"
    );
    drop(op);
    env.cleanup().await;
}

/// Scenario 6: the operator is killed (SIGKILL) in the middle of an apply; a new
/// process converges and nothing is duplicated or orphaned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s6_killed_mid_apply_converges_on_restart() {
    let mut env = Env::start("kill").await;
    let ns = env.namespace("a").await;
    let lease_env = [
        ("LEADER_ELECT", "true"),
        ("POD_NAME", "e2e-operator-0"),
        ("HOSTNAME", "e2e-operator-0"),
    ];
    let op = env.operator(&[&ns], &lease_env);
    op.wait_ready().await;
    if let Some(server) = env.server() {
        // Slow applies down so that the kill lands in the middle.
        server.add_latency(
            RequestMatcher::any().verb("patch"),
            Duration::from_millis(150),
        );
    }
    let mark = env.log_mark();
    env.apply_cr(&example("minimal.yaml", &ns, NAME)).await;
    let secrets: Api<Secret> = Api::namespaced(env.client.clone(), &ns);
    let killed_after = wait_for("the first applied objects", CONVERGE, || async {
        op.check_alive();
        match env.server() {
            Some(_) => {
                let n = env
                    .operator_requests(mark)
                    .iter()
                    .filter(|r| {
                        r.verb == "patch" && r.resource != "secrets" && r.subresource.is_empty()
                    })
                    .count();
                (n >= 4).then_some(n)
            }
            None => secrets
                .get_opt(&format!("{NAME}-spec-active"))
                .await
                .ok()?
                .map(|_| 0),
        }
    })
    .await;
    op.kill();
    if let Some(server) = env.server() {
        server.clear_faults();
    }
    let partial = env.snapshot(&ns, &[]).await;
    let cr = env.cr(&ns, NAME).await.unwrap();
    assert!(
        !converged(&cr),
        "already converged before the kill; the test proves nothing"
    );
    println!(
        "[e2e] killed after {killed_after} object patches, {} objects in the namespace",
        partial.len()
    );

    let op2 = env.operator(&[&ns], &lease_env);
    op2.wait_ready().await;
    env.wait_cr(
        &op2,
        &ns,
        NAME,
        "Completed and Ready after the restart",
        converged,
    )
    .await;
    settle(&env, Duration::from_millis(500)).await;
    let inventory = env.inventory(&ns, NAME).await;
    let after = env.snapshot(&ns, &inventory).await;

    // No duplicates in the inventory, every labelled object is in it, and objects
    // created before the kill were not re-created.
    let mut seen_keys = BTreeSet::new();
    for e in &inventory {
        let key = format!("{}/{}", str_at(e, "/kind"), str_at(e, "/name"));
        assert!(
            seen_keys.insert(key.clone()),
            "duplicated inventory entry {key}"
        );
    }
    for (k, s) in &after {
        if s.labels
            .get("app.kubernetes.io/instance")
            .map(String::as_str)
            == Some(NAME)
            && !s.labels.contains_key("apps.wandb.com/state")
            && !k.contains("//")
        {
            assert!(
                seen_keys.contains(k),
                "{k} is in the cluster but not in the inventory (orphan)"
            );
        }
    }
    for (k, s) in &partial {
        if let Some(now) = after.get(k) {
            assert_eq!(now.uid, s.uid, "{k} re-created after the restart");
        }
    }
    let lease = env
        .object(
            "coordination.k8s.io/v1",
            "Lease",
            &ns,
            "3009dfa6.apps.wandb.com",
        )
        .await;
    let holder = lease
        .as_ref()
        .map(|l| str_at(l, "/spec/holderIdentity").to_string());
    assert_eq!(
        holder.as_deref(),
        Some("e2e-operator-0"),
        "Lease: {lease:?}"
    );
    drop(op2);
    env.cleanup().await;
}

/// Scenario 7: deleting the CR deletes everything it applied except kept objects
/// (and PVCs, see the PVC scenario), then removes the finalizer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_delete_cr_uninstalls() {
    let mut env = Env::start("delete").await;
    let ns = env.namespace("a").await;
    let op = env.operator(&[&ns], &[]);
    op.wait_ready().await;
    install_minimal(&env, &op, &ns).await;
    let inventory = env.inventory(&ns, NAME).await;
    let password = env.secret(&ns, "wandb-password").await.unwrap();

    env.crs(&ns)
        .delete(NAME, &DeleteParams::default())
        .await
        .unwrap();
    wait_for(
        "the CR to disappear (finalizer removed)",
        CONVERGE,
        || async {
            op.check_alive();
            env.cr(&ns, NAME).await.is_none().then_some(())
        },
    )
    .await;
    let mut kept = 0;
    for e in &inventory {
        let entry_ns = e.get("namespace").and_then(Value::as_str).unwrap_or("");
        let (kind, name) = (str_at(e, "/kind"), str_at(e, "/name"));
        let keep = e.get("keep").and_then(Value::as_bool).unwrap_or(false)
            || kind == "PersistentVolumeClaim";
        let still = env
            .object(str_at(e, "/apiVersion"), kind, entry_ns, name)
            .await
            .is_some();
        assert_eq!(still, keep, "{kind} {name}: exists={still}, keep={keep}");
        kept += usize::from(keep);
    }
    assert!(
        kept >= 1,
        "the minimal install has kept Secrets (generated passwords)"
    );
    // State: the active spec goes with the CR (garbage collection), the user input
    // and the console password stay.
    wait_for(
        "spec-active to be garbage collected",
        Duration::from_secs(60),
        || async {
            env.secret(&ns, &format!("{NAME}-spec-active"))
                .await
                .is_none()
                .then_some(())
        },
    )
    .await;
    assert!(
        env.secret(&ns, &format!("{NAME}-spec-user"))
            .await
            .is_some()
    );
    let password_after = env
        .secret(&ns, "wandb-password")
        .await
        .expect("wandb-password kept");
    assert_eq!(password_after.metadata.uid, password.metadata.uid);
    println!(
        "[e2e] delete: {} objects in the inventory, {kept} kept",
        inventory.len()
    );
    drop(op);
    env.cleanup().await;
}

/// Scenario 8: ten CRs in ten namespaces, one operator: time to all converged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_ten_crs_reconcile_concurrently() {
    let mut env = Env::start("ten").await;
    let mut namespaces = Vec::new();
    for i in 0..10 {
        namespaces.push(env.namespace(&format!("n{i}")).await);
    }
    let refs: Vec<&str> = namespaces.iter().map(String::as_str).collect();
    let op = env.operator(&refs, &[]);
    op.wait_ready().await;
    let mark = env.log_mark();
    let start = Instant::now();
    for ns in &namespaces {
        env.apply_cr(&example("minimal.yaml", ns, NAME)).await;
    }
    let mut times = Vec::new();
    let mut pending: Vec<&String> = namespaces.iter().collect();
    while !pending.is_empty() {
        op.check_alive();
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "not converged: {pending:?}\n{}",
            op.log_tail(40)
        );
        let mut still = Vec::new();
        for ns in pending {
            match env.cr(ns, NAME).await {
                Some(cr) if converged(&cr) => times.push(start.elapsed()),
                _ => still.push(ns),
            }
        }
        pending = still;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first_completed = times.iter().min().copied().unwrap_or_default();
    let all = start.elapsed();
    println!(
        "[e2e] 10 CRs in 10 namespaces: first converged after {:.2}s, all Completed+Ready after {:.2}s",
        first_completed.as_secs_f64(),
        all.as_secs_f64()
    );
    if env.server().is_some() {
        println!(
            "{}",
            show_tally("[e2e] API calls, 10 installs", &env.operator_requests(mark))
        );
    }
    for ns in &namespaces {
        assert!(env.secret(ns, "wandb-password").await.is_some(), "{ns}");
    }
    drop(op);
    env.cleanup().await;
}

/// Scenario 9: `Ready` follows the applied workloads through the Deployment,
/// StatefulSet and Job watches, not a requeue: a workload that loses its replicas
/// turns `Ready` False and its rollout turns it True again within seconds (the
/// safety requeue is `NOT_READY_REQUEUE`, 60 s; after `Ready` it is
/// `reconcileFrequency`, 1 h), with one status write each and nothing else. The
/// testserver's simulator plays the rollout (hold, then release, one Deployment);
/// a real cluster has no simulator, so there only the install is checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s9_ready_follows_workload_rollouts() {
    const PROMPT: Duration = Duration::from_secs(5);
    let (env, ns, op) = start_with_minimal("ready", Duration::from_millis(700)).await;
    let Some(server) = env.server() else {
        println!("[e2e] ready-follows-rollout: needs the testserver's simulator; skipped");
        drop(op);
        env.cleanup().await;
        return;
    };
    let console = deployments_of(&env, &ns, "console").await;
    let name = str_at(&console[0], "/metadata/name").to_string();
    let ready_status = |cr: &Value| {
        condition(cr, "Ready")
            .map(|c| str_at(c, "/status").to_string())
            .unwrap_or_default()
    };

    // The console loses its replicas.
    let mark = env.log_mark();
    let held = Instant::now();
    server.hold_unready(&ns, &name);
    let cr = env
        .wait_cr(&op, &ns, NAME, "Ready=False", |cr| {
            ready_status(cr) == "False"
        })
        .await;
    let to_false = held.elapsed();
    let message = str_at(condition(&cr, "Ready").unwrap(), "/message");
    assert!(
        message.contains(&format!("Deployment {name}")),
        "Ready names what is not ready: {message}"
    );
    assert_eq!(str_at(&cr, "/status/phase"), "Completed", "{cr}");
    assert!(to_false < PROMPT, "Ready=False only after {to_false:?}");
    settle(&env, Duration::from_millis(700)).await;
    let lost = env.operator_requests(mark);

    // It rolls out again.
    let mark = env.log_mark();
    let released = Instant::now();
    server.release(&ns, &name);
    env.wait_cr(&op, &ns, NAME, "Ready=True again", converged)
        .await;
    let to_true = released.elapsed();
    assert!(to_true < PROMPT, "Ready=True only after {to_true:?}");
    settle(&env, Duration::from_millis(700)).await;
    let back = env.operator_requests(mark);
    for (what, requests) in [("lost", &lost), ("back", &back)] {
        let written = written_objects(requests);
        assert_eq!(
            written,
            BTreeSet::from([format!("weightsandbiases/{NAME}/status")]),
            "{what}: the only write is the status"
        );
    }

    // Idle afterwards: no reconcile without a change (watch resyncs and the
    // simulator's unchanged status trigger nothing).
    assert_idle(&env, &op).await;
    println!(
        "[e2e] Ready follows the workloads: False {:.2}s after the Deployment lost its replicas, True {:.2}s after it rolled out again (was bounded by a 15 s requeue)",
        to_false.as_secs_f64(),
        to_true.as_secs_f64()
    );
    println!(
        "{}",
        show_tally("[e2e] API calls, a workload rolled out", &back)
    );
    drop(op);
    env.cleanup().await;
}

/// A Job that has completed.
fn health_of_job(job: &Value) -> bool {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| str_at(c, "/type") == "Complete" && str_at(c, "/status") == "True")
        })
}

/// Scenario 10: a managed workload deleted or edited by hand is repaired within
/// seconds (a watch event, not the hourly requeue), and the repair is not followed
/// by further reconciles: idle afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s10_workload_drift_is_repaired_promptly() {
    use k8s_openapi::api::apps::v1::Deployment;
    const PROMPT: Duration = Duration::from_secs(5);
    // Without the watch-triggered repair only the 1 h requeue would do it: fail fast.
    const GIVE_UP: Duration = Duration::from_secs(20);
    let (env, ns, op) = start_with_minimal("drift", Duration::from_millis(700)).await;
    let console = deployments_of(&env, &ns, "console").await;
    let name = str_at(&console[0], "/metadata/name").to_string();
    let uid = str_at(&console[0], "/metadata/uid").to_string();
    let spec = console[0]["spec"].clone();
    let replicas = spec["replicas"].as_i64().expect("the chart sets replicas");
    let deployments: Api<Deployment> = Api::namespaced(env.client.clone(), &ns);

    // Deleted by hand (`kubectl delete deployment`).
    let mark = env.log_mark();
    let reconciles = op.reconciles_done();
    let deleted = Instant::now();
    deployments
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    let back = wait_for("the deleted Deployment re-created", GIVE_UP, || async {
        op.check_alive();
        let d = env.object("apps/v1", "Deployment", &ns, &name).await?;
        (str_at(&d, "/metadata/uid") != uid).then_some(d)
    })
    .await;
    let recreated = deleted.elapsed();
    assert!(recreated < PROMPT, "re-created only after {recreated:?}");
    assert_eq!(back["spec"], spec, "re-created with the same spec");
    env.wait_cr(
        &op,
        &ns,
        NAME,
        "Completed and Ready after the re-creation",
        converged,
    )
    .await;
    let ready_again = deleted.elapsed();
    settle(&env, Duration::from_millis(700)).await;
    let delete_reconciles = op.reconciles_done() - reconciles;
    let delete_requests = env.operator_requests(mark);

    // Scaled by hand (`kubectl scale` / `kubectl edit`): a field we own changes.
    let mark = env.log_mark();
    let reconciles = op.reconciles_done();
    let scaled = Instant::now();
    let patched = deployments
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": replicas + 2}})),
        )
        .await
        .unwrap();
    assert_eq!(
        patched.spec.and_then(|s| s.replicas),
        Some(replicas as i32 + 2)
    );
    wait_for("the replicas restored", GIVE_UP, || async {
        op.check_alive();
        let d = env.object("apps/v1", "Deployment", &ns, &name).await?;
        (d.pointer("/spec/replicas").and_then(Value::as_i64) == Some(replicas)).then_some(())
    })
    .await;
    let restored = scaled.elapsed();
    assert!(
        restored < PROMPT,
        "replicas restored only after {restored:?}"
    );
    env.wait_cr(
        &op,
        &ns,
        NAME,
        "Completed and Ready after the scale",
        converged,
    )
    .await;
    settle(&env, Duration::from_millis(700)).await;
    let scale_reconciles = op.reconciles_done() - reconciles;
    let scale_requests = env.operator_requests(mark);
    let after = env
        .object("apps/v1", "Deployment", &ns, &name)
        .await
        .unwrap();
    assert_eq!(after["spec"], spec, "the spec is ours again");

    // An edit that leaves the health alone (a completed Job's `backoffLimit`, a
    // mutable field the chart sets): only the generation says it drifted.
    let jobs: Api<k8s_openapi::api::batch::v1::Job> = Api::namespaced(env.client.clone(), &ns);
    let job = jobs
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|j| j.spec.as_ref().and_then(|s| s.backoff_limit).is_some())
        .expect("the chart renders a Job with backoffLimit");
    let job_name = job.metadata.name.clone().unwrap();
    let limit = job.spec.as_ref().and_then(|s| s.backoff_limit).unwrap();
    wait_for("the Job complete", CONVERGE, || async {
        let j = env.object("batch/v1", "Job", &ns, &job_name).await?;
        health_of_job(&j).then_some(())
    })
    .await;
    settle(&env, Duration::from_millis(700)).await;
    let mark = env.log_mark();
    let reconciles = op.reconciles_done();
    let edited = Instant::now();
    jobs.patch(
        &job_name,
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"backoffLimit": limit + 1}})),
    )
    .await
    .unwrap();
    wait_for("the Job's backoffLimit restored", GIVE_UP, || async {
        op.check_alive();
        let j = env.object("batch/v1", "Job", &ns, &job_name).await?;
        (j.pointer("/spec/backoffLimit").and_then(Value::as_i64) == Some(i64::from(limit)))
            .then_some(())
    })
    .await;
    let job_restored = edited.elapsed();
    assert!(
        job_restored < PROMPT,
        "Job restored only after {job_restored:?}"
    );
    settle(&env, Duration::from_millis(700)).await;
    let job_reconciles = op.reconciles_done() - reconciles;
    let job_requests = env.operator_requests(mark);
    if env.server().is_some() {
        let written = written_objects(&job_requests);
        let others: Vec<_> = written
            .iter()
            .filter(|w| {
                **w != format!("jobs/{job_name}")
                    && !w.starts_with(&format!("weightsandbiases/{NAME}"))
            })
            .collect();
        assert!(
            written.contains(&format!("jobs/{job_name}")) && others.is_empty(),
            "job edit: only the Job and the status are written: {written:?}"
        );
    }

    if env.server().is_some() {
        for (what, requests) in [("delete", &delete_requests), ("scale", &scale_requests)] {
            let written = written_objects(requests);
            assert!(
                written.contains(&format!("deployments/{name}")),
                "{what}: the Deployment was not re-applied: {written:?}"
            );
            // Only the drifted workload and the status are written; after a
            // re-creation also the inventory, which records the new UID.
            let inventory = format!("secrets/{NAME}-spec-active");
            let others: Vec<_> = written
                .iter()
                .filter(|w| {
                    **w != format!("deployments/{name}")
                        && !w.starts_with(&format!("weightsandbiases/{NAME}"))
                        && !(what == "delete" && **w == inventory)
                })
                .collect();
            assert!(others.is_empty(), "{what}: other writes {others:?}");
        }
    }

    // Idle afterwards: our own repairing applies trigger nothing more.
    assert_idle(&env, &op).await;
    println!(
        "[e2e] drift repair: deleted Deployment re-created after {:.2}s (Ready again {:.2}s, {} reconciles, {} requests); scaled Deployment restored after {:.2}s ({} reconciles, {} requests); completed Job's edit restored after {:.2}s ({} reconciles, {} requests); was bounded by the 1 h requeue",
        recreated.as_secs_f64(),
        ready_again.as_secs_f64(),
        delete_reconciles,
        delete_requests.len(),
        restored.as_secs_f64(),
        scale_reconciles,
        scale_requests.len(),
        job_restored.as_secs_f64(),
        job_reconciles,
        job_requests.len(),
    );
    println!(
        "{}",
        show_tally(
            "[e2e] API calls, a deleted Deployment repaired",
            &delete_requests
        )
    );
    println!(
        "{}",
        show_tally(
            "[e2e] API calls, a scaled Deployment repaired",
            &scale_requests
        )
    );
    drop(op);
    env.cleanup().await;
}
