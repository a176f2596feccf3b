//! The real `kubectl` against the test server. The binary is `$KUBECTL` or
//! `kubectl` on PATH.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use kube_testserver::{Options, TestServer};
use serde_json::Value;

static DIRS: AtomicUsize = AtomicUsize::new(0);

struct Out {
    ok: bool,
    stdout: String,
    stderr: String,
}

struct Kubectl {
    dir: PathBuf,
    kubeconfig: PathBuf,
}

fn kubectl_bin() -> String {
    std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl".into())
}

impl Kubectl {
    fn new(server: &TestServer) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "kts-kubectl-{}-{}",
            std::process::id(),
            DIRS.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let kubeconfig = dir.join("kubeconfig");
        server.write_kubeconfig(&kubeconfig).unwrap();
        Self { dir, kubeconfig }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(kubectl_bin());
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.join("cache"))
            .args(args)
            .env_remove("KUBECONFIG");
        c
    }

    fn run(&self, args: &[&str]) -> Out {
        let o = self.command(args).output().expect("kubectl runs");
        Out {
            ok: o.status.success(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.ok, "kubectl {args:?} failed:\n{}{}", o.stdout, o.stderr);
        o.stdout
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&a)).unwrap()
    }
}

impl Drop for Kubectl {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports: [{containerPort: 80}]
        env: [{name: A, value: \"ENV\"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: \"1\"}
";

fn deploy(replicas: u32, env: &str) -> String {
    DEPLOY
        .replace("REPLICAS", &replicas.to_string())
        .replace("ENV", env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_client_side_creates_then_patches() {
    let server = TestServer::start().await.unwrap();
    let k = Kubectl::new(&server);
    let f = k.file("d.yaml", &deploy(2, "1"));
    assert_eq!(
        k.ok(&["apply", "-f", &f]),
        "deployment.apps/web created\nconfigmap/cfg created\n"
    );
    let f = k.file("d.yaml", &deploy(3, "2"));
    server.clear_requests();
    assert_eq!(
        k.ok(&["apply", "-f", &f]),
        "deployment.apps/web configured\nconfigmap/cfg unchanged\n"
    );
    let patches: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.verb == "patch")
        .collect();
    assert_eq!(patches.len(), 1, "only the deployment changed");
    assert_eq!(
        patches[0].content_type,
        "application/strategic-merge-patch+json"
    );
    assert_eq!(patches[0].field_manager, "kubectl-client-side-apply");
    assert!(patches[0].user_agent.starts_with("kubectl"));
    let d = k.json(&["get", "deployment", "web"]);
    assert_eq!(d["spec"]["replicas"], 3);
    assert_eq!(d["metadata"]["generation"], 2);
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"],
        "2"
    );
    assert!(
        d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .is_string()
    );
    // Tables as kubectl prints them.
    let out = k.ok(&["get", "deploy,cm"]);
    let lines: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        vec!["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    );
    assert_eq!(&lines[1][..4], &["deployment.apps/web", "0/3", "0", "0"]);
    assert!(
        lines
            .iter()
            .any(|l| l.len() == 3 && l[0] == "configmap/cfg" && l[1] == "1"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_server_side_with_conflicts() {
    let server = TestServer::start().await.unwrap();
    let k = Kubectl::new(&server);
    let f = k.file("s.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, labels: {a: \"1\"}}\ndata: {x: \"1\", w: \"2\"}\n");
    assert_eq!(
        k.ok(&["apply", "--server-side", "-f", &f]),
        "configmap/ssa serverside-applied\n"
    );
    let yaml = k.ok(&["get", "cm", "ssa", "-o", "yaml", "--show-managed-fields"]);
    assert!(
        yaml.contains("manager: kubectl\n") && yaml.contains("operation: Apply"),
        "{yaml}"
    );

    let g = k.file(
        "g.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {x: \"changed\"}\n",
    );
    let o = k.run(&["apply", "--server-side", "--field-manager=other", "-f", &g]);
    assert!(!o.ok);
    assert!(
        o.stderr
            .contains("Apply failed with 1 conflict: conflict with \"kubectl\": .data.x"),
        "{}",
        o.stderr
    );
    assert_eq!(
        k.ok(&[
            "apply",
            "--server-side",
            "--field-manager=other",
            "--force-conflicts",
            "-f",
            &g
        ]),
        "configmap/ssa serverside-applied\n"
    );
    // kubectl stops applying `w`: it goes; `x` now belongs to "other" and stays.
    let f2 = k.file(
        "s.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, labels: {a: \"1\"}}\ndata: {}\n",
    );
    k.ok(&["apply", "--server-side", "-f", &f2]);
    let cm = k.json(&["get", "cm", "ssa"]);
    assert_eq!(cm["data"], serde_json::json!({"x": "changed"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_yaml_and_watch() {
    let server = TestServer::start().await.unwrap();
    let k = Kubectl::new(&server);
    k.ok(&["create", "configmap", "one", "--from-literal=k=v"]);
    let yaml = k.ok(&["get", "configmap", "one", "-o", "yaml"]);
    let v: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(v["kind"], "ConfigMap");
    assert_eq!(v["data"]["k"], "v");
    assert!(
        v["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    assert!(
        v["metadata"].get("managedFields").is_none(),
        "kubectl hides managedFields"
    );

    let mut child = k
        .command(&["get", "configmaps", "--watch", "--output-watch-events"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || {
        rx.recv_timeout(Duration::from_secs(10))
            .expect("watch line")
    };
    assert_eq!(
        next().split_whitespace().collect::<Vec<_>>(),
        vec!["EVENT", "NAME", "DATA", "AGE"]
    );
    assert_eq!(
        next().split_whitespace().take(3).collect::<Vec<_>>(),
        vec!["ADDED", "one", "1"]
    );
    k.ok(&["create", "configmap", "two"]);
    assert_eq!(
        next().split_whitespace().take(3).collect::<Vec<_>>(),
        vec!["ADDED", "two", "0"]
    );
    k.ok(&["delete", "configmap", "one"]);
    assert_eq!(
        next().split_whitespace().take(2).collect::<Vec<_>>(),
        vec!["DELETED", "one"]
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_of_each_type() {
    let server = TestServer::start().await.unwrap();
    let k = Kubectl::new(&server);
    k.ok(&["apply", "-f", &k.file("d.yaml", &deploy(1, "1"))]);
    assert_eq!(
        k.ok(&[
            "patch",
            "configmap",
            "cfg",
            "--type",
            "merge",
            "-p",
            r#"{"data":{"b":"2"}}"#
        ]),
        "configmap/cfg patched\n"
    );
    assert_eq!(
        k.ok(&[
            "patch",
            "configmap",
            "cfg",
            "--type",
            "json",
            "-p",
            r#"[{"op":"remove","path":"/data/a"}]"#
        ]),
        "configmap/cfg patched\n"
    );
    assert_eq!(
        k.json(&["get", "cm", "cfg"])["data"],
        serde_json::json!({"b": "2"})
    );
    let smp = r#"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"x"}]}]}}}}"#;
    assert_eq!(
        k.ok(&[
            "patch",
            "deployment",
            "web",
            "--type",
            "strategic",
            "-p",
            smp
        ]),
        "deployment.apps/web patched\n"
    );
    let d = k.json(&["get", "deploy", "web"]);
    let env = &d["spec"]["template"]["spec"]["containers"][0]["env"];
    assert_eq!(
        env.as_array().unwrap().len(),
        2,
        "env merged by name: {env}"
    );
    // A patch that changes nothing is reported as such.
    assert_eq!(
        k.ok(&[
            "patch",
            "configmap",
            "cfg",
            "--type",
            "merge",
            "-p",
            r#"{"data":{"b":"2"}}"#
        ]),
        "configmap/cfg patched (no change)\n"
    );
    let bad = k.run(&[
        "patch",
        "configmap",
        "cfg",
        "--type",
        "json",
        "-p",
        r#"[{"op":"test","path":"/data/b","value":"9"}]"#,
    ]);
    assert!(!bad.ok);
    assert!(
        bad.stderr.starts_with("The request is invalid")
            && bad.stderr.contains("testing value /data/b failed"),
        "{}",
        bad.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_with_and_without_finalizers() {
    let server = TestServer::start().await.unwrap();
    let k = Kubectl::new(&server);
    k.ok(&["create", "configmap", "plain"]);
    assert_eq!(
        k.ok(&["delete", "configmap", "plain"]),
        "configmap \"plain\" deleted\n"
    );
    let gone = k.run(&["get", "configmap", "plain"]);
    assert!(!gone.ok);
    assert_eq!(
        gone.stderr.trim(),
        "Error from server (NotFound): configmaps \"plain\" not found"
    );

    let f = k.file(
        "f.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [example.com/hold]}\n",
    );
    k.ok(&["apply", "-f", &f]);
    assert_eq!(
        k.ok(&["delete", "configmap", "held", "--wait=false"]),
        "configmap \"held\" deleted\n"
    );
    let cm = k.json(&["get", "configmap", "held"]);
    assert!(cm["metadata"]["deletionTimestamp"].is_string());
    // A waiting delete returns once the finalizer is removed.
    let waiter = k
        .command(&["delete", "configmap", "held", "--timeout=20s"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    k.ok(&[
        "patch",
        "configmap",
        "held",
        "--type",
        "json",
        "-p",
        r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
    ]);
    let out = waiter.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(!k.run(&["get", "configmap", "held"]).ok);
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_conditions_and_custom_resources() {
    let server =
        TestServer::start_with(Options::default().simulate_workloads(Duration::from_millis(300)))
            .await
            .unwrap();
    let k = Kubectl::new(&server);
    k.ok(&["apply", "-f", &k.file("d.yaml", &deploy(2, "1"))]);
    assert_eq!(
        k.ok(&[
            "wait",
            "--for=condition=Available",
            "deployment/web",
            "--timeout=20s"
        ]),
        "deployment.apps/web condition met\n"
    );
    let out = k.ok(&["get", "deploy", "web"]);
    assert!(
        out.lines().nth(1).unwrap().split_whitespace().nth(1) == Some("2/2"),
        "{out}"
    );

    assert_eq!(
        k.ok(&["apply", "-f", &k.file("crd.yaml", CRD)]),
        "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n"
    );
    assert_eq!(
        k.ok(&[
            "wait",
            "--for=condition=Established",
            "crd/widgets.example.com",
            "--timeout=20s"
        ]),
        "customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n"
    );
    let w = k.file(
        "w.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n",
    );
    assert_eq!(
        k.ok(&["apply", "-f", &w]),
        "widget.example.com/w1 created\n"
    );
    let out = k.ok(&["get", "wd"]);
    let row: Vec<&str> = out.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..2], &["w1", "3"], "{out}");
    // Client-side apply of a custom resource uses a JSON merge patch.
    server.clear_requests();
    k.ok(&[
        "apply",
        "-f",
        &k.file(
            "w.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 4}\n",
        ),
    ]);
    let patch = server
        .requests()
        .into_iter()
        .find(|r| r.verb == "patch")
        .unwrap();
    assert_eq!(patch.content_type, "application/merge-patch+json");
    k.ok(&["delete", "crd", "widgets.example.com"]);
    let o = k.run(&["get", "widgets.example.com"]);
    assert!(!o.ok, "{}", o.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_labels_and_scale() {
    let server = TestServer::start().await.unwrap();
    let k = Kubectl::new(&server);
    assert_eq!(
        k.ok(&["create", "namespace", "team"]),
        "namespace/team created\n"
    );
    let out = k.ok(&["get", "namespace", "team"]);
    assert_eq!(
        out.lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>(),
        vec!["team", "Active"]
    );
    k.ok(&["-n", "team", "create", "configmap", "c1"]);
    k.ok(&[
        "-n",
        "team",
        "create",
        "secret",
        "generic",
        "s1",
        "--from-literal=p=q",
    ]);
    assert_eq!(
        k.json(&["-n", "team", "get", "secret", "s1"])["data"]["p"],
        "cQ=="
    );
    assert_eq!(
        k.ok(&["-n", "team", "label", "configmap", "c1", "tier=gold"]),
        "configmap/c1 labeled\n"
    );
    assert_eq!(
        k.ok(&["-n", "team", "get", "cm", "-l", "tier=gold", "-o", "name"]),
        "configmap/c1\n"
    );
    assert_eq!(
        k.ok(&[
            "-n",
            "team",
            "get",
            "cm",
            "-l",
            "tier notin (gold)",
            "-o",
            "name"
        ]),
        ""
    );

    k.ok(&[
        "-n",
        "team",
        "apply",
        "-f",
        &k.file("d.yaml", &deploy(1, "1")),
    ]);
    assert_eq!(
        k.ok(&["-n", "team", "scale", "deployment", "web", "--replicas=4"]),
        "deployment.apps/web scaled\n"
    );
    assert_eq!(
        k.json(&["-n", "team", "get", "deploy", "web"])["spec"]["replicas"],
        4
    );

    assert_eq!(
        k.ok(&["delete", "namespace", "team"]),
        "namespace \"team\" deleted\n"
    );
    assert!(!k.run(&["get", "namespace", "team"]).ok);
    assert!(server.object("", "configmaps", "team", "c1").is_none());
    assert!(
        server
            .object("apps", "deployments", "team", "web")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_apply_takes_over_client_side_apply() {
    let server = TestServer::start().await.unwrap();
    let k = Kubectl::new(&server);
    let f = k.file("d.yaml", &deploy(2, "1"));
    k.ok(&["apply", "-f", &f]);
    // kubectl migrates the client-side-apply manager by rewriting managedFields.
    assert_eq!(
        k.ok(&["apply", "--server-side", "-f", &f]),
        "deployment.apps/web serverside-applied\nconfigmap/cfg serverside-applied\n"
    );
    let d = k.json(&["get", "deploy", "web", "--show-managed-fields"]);
    let managers: Vec<(String, String)> = d["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap().to_string(),
                m["operation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        managers,
        vec![
            ("kubectl-last-applied".to_string(), "Apply".to_string()),
            ("kubectl".to_string(), "Apply".to_string())
        ]
    );
    // Dropping a field from the file now removes it server-side.
    let f = k.file(
        "d.yaml",
        &deploy(2, "1").replace("        env: [{name: A, value: \"1\"}]\n", ""),
    );
    k.ok(&["apply", "--server-side", "-f", &f]);
    let d = k.json(&["get", "deploy", "web"]);
    assert!(
        d["spec"]["template"]["spec"]["containers"][0]
            .get("env")
            .is_none(),
        "{d}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_prints_url_and_writes_kubeconfig() {
    let dir = std::env::temp_dir().join(format!("kts-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kc = dir.join("kc");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kube-testserver"))
        .args(["--port", "0", "--kubeconfig-out"])
        .arg(&kc)
        .arg("--simulate-workloads=100ms")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
    let out = Command::new(kubectl_bin())
        .arg("--kubeconfig")
        .arg(&kc)
        .args(["get", "namespaces", "-o", "name"])
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n"
    );
}
