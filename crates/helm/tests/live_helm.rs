//! Re-runs the real Helm engine (helm-python-sdk) at test time on a sample of
//! the corpus and compares with our output, so the stored expectations cannot
//! drift from the engine. Python is `$HELM_PYTHON`, else
//! `<workspace>/target/helm-venv/bin/python` (created by `scripts/test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, process::Command};

mod common;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    std::env::var_os("HELM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/helm-venv/bin/python"))
}

#[test]
fn sample_matches_real_helm_now() {
    let py = python();
    assert!(
        py.exists(),
        "no python with helm-python-sdk at {} (set HELM_PYTHON or run scripts/test)",
        py.display()
    );
    let script = workspace().join("scripts/gen-helm-expected.py");
    for (chart, case) in [
        ("deps-alias", "worker-on"),
        ("globals", "user-nulls"),
        ("hooks", "default"),
        ("import-values", "override"),
        ("crds", "include"),
        ("yaml11", "user"),
    ] {
        let out = Command::new(&py)
            .arg(&script)
            .args(["render", chart, case])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{chart}/{case}: helm failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let helm = String::from_utf8(out.stdout).unwrap();
        let ours = helm::template_cli(&common::case_options(chart, case)).unwrap();
        assert_eq!(ours, helm, "{chart}/{case} differs from the real engine");
    }
}
