//! Re-checks a random sample of `tests/cases.json` against the real engine
//! (Helm 4.2.3 through helm-python-sdk), so the fixture cannot drift from it.
//! Python: `$HELM_PYTHON`, else `<workspace>/target/helm-venv/bin/python`
//! (created by `scripts/test`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, process::Command};

#[test]
fn fixture_sample_matches_the_real_engine() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("HELM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/helm-venv/bin/python"));
    assert!(
        python.exists(),
        "no Python with helm-python-sdk at {} (set HELM_PYTHON or run scripts/test, which creates \
         target/helm-venv)",
        python.display()
    );
    let out = Command::new(&python)
        .arg(root.join("scripts/gen-gotmpl-cases.py"))
        .args(["--check", "20"])
        .output()
        .expect("running scripts/gen-gotmpl-cases.py --check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "fixture drifted from the engine or the check failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("checked 20 cases"),
        "unexpected checker output: {stdout}"
    );
}
