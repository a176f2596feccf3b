//! The real Helm SDK (helm-python-sdk) installs, upgrades and uninstalls a
//! small chart against the test server. The Python interpreter is
//! `$HELM_PYTHON`, else `target/helm-venv/bin/python` in the workspace.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::{path::PathBuf, process::Command, time::Duration};

use kube_testserver::{Options, TestServer};
use serde_json::Value;

fn python() -> PathBuf {
    if let Ok(p) = std::env::var("HELM_PYTHON") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.join("target/helm-venv/bin/python")
}

fn write_chart(dir: &std::path::Path) {
    let t = dir.join("templates");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "replicas: 1\nmessage: hello\n").unwrap();
    std::fs::write(
        t.join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  message: {{ .Values.message | quote }}\n",
    )
    .unwrap();
    std::fs::write(
        t.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: {{ .Values.replicas }}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n",
    )
    .unwrap();
}

fn step(py: &PathBuf, kubeconfig: &PathBuf, chart: &PathBuf, name: &str) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/helm_sdk.py");
    let out = Command::new(py)
        .arg(script)
        .arg(kubeconfig)
        .arg(chart)
        .arg(name)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "helm {name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_install_upgrade_uninstall() {
    let py = python();
    assert!(
        py.exists(),
        "no helm-python-sdk venv at {} (set HELM_PYTHON)",
        py.display()
    );
    let server =
        TestServer::start_with(Options::default().simulate_workloads(Duration::from_millis(200)))
            .await
            .unwrap();
    let dir = std::env::temp_dir().join(format!("kts-helm-{}", std::process::id()));
    let chart = dir.join("chart");
    write_chart(&chart);
    let kubeconfig = dir.join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();

    let r = step(&py, &kubeconfig, &chart, "install");
    assert_eq!(
        (r["status"].as_str(), r["revision"].as_i64()),
        (Some("deployed"), Some(1))
    );
    let cm = server
        .object("", "configmaps", "apps", "demo-cfg")
        .expect("configmap installed");
    assert_eq!(cm["data"]["message"], "v1");
    assert!(server.object("", "namespaces", "", "apps").is_some());
    assert!(
        server
            .object("", "secrets", "apps", "sh.helm.release.v1.demo.v1")
            .is_some()
    );
    // wait=watcher returned, so the simulated Deployment was ready.
    let d = server
        .object("apps", "deployments", "apps", "demo-web")
        .unwrap();
    assert_eq!(d["status"]["readyReplicas"], 1);

    let r = step(&py, &kubeconfig, &chart, "upgrade");
    assert_eq!(
        (r["status"].as_str(), r["revision"].as_i64()),
        (Some("deployed"), Some(2))
    );
    assert_eq!(
        server.object("", "configmaps", "apps", "demo-cfg").unwrap()["data"]["message"],
        "v2"
    );
    let d = server
        .object("apps", "deployments", "apps", "demo-web")
        .unwrap();
    assert_eq!(
        (
            d["spec"]["replicas"].as_i64(),
            d["metadata"]["generation"].as_i64()
        ),
        (Some(2), Some(2))
    );
    let writes: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.is_write() && r.resource == "deployments")
        .collect();
    // Helm 4 installs and upgrades with server-side apply.
    assert_eq!(writes.len(), 2, "{writes:#?}");
    for w in &writes {
        assert_eq!(
            (w.verb.as_str(), w.content_type.as_str()),
            ("patch", "application/apply-patch+yaml")
        );
        assert!(w.user_agent.starts_with("Helm/"), "{}", w.user_agent);
    }
    assert_eq!((writes[0].status, writes[1].status), (201, 200));

    let r = step(&py, &kubeconfig, &chart, "uninstall");
    assert_eq!(r["status"], "uninstalled");
    assert!(
        server
            .object("", "configmaps", "apps", "demo-cfg")
            .is_none()
    );
    assert!(
        server
            .object("apps", "deployments", "apps", "demo-web")
            .is_none()
    );
    assert!(
        server
            .object("", "secrets", "apps", "sh.helm.release.v1.demo.v2")
            .is_none()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
