//! Runs the real binary, with a real environment, to check the env twins and the
//! exit codes.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wandb-operator"))
}

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const CR: &str = "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata: {name: wandb}\nspec:\n  values: {global: {host: https://h}}\n";

#[test]
fn operator_namespace_env_twin_reaches_the_defaults_layer() {
    let cr = write("cr.yaml", CR);
    let out = bin()
        .env("OPERATOR_NAMESPACE", "wandb-ops")
        .args(["explain", "-f"])
        .arg(&cr)
        .arg("global.operator.namespace")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "global.operator.namespace = \"wandb-ops\"\n  set by: operator defaults\n"
    );
}

#[test]
fn airgapped_env_twin_skips_the_channel_file() {
    let cr = write("cr2.yaml", CR);
    let channel = write("channel.yaml", "values: {fromChannel: yes}\n");
    let run = |airgapped: &str| {
        let out = bin()
            .env("AIRGAPPED", airgapped)
            .args(["explain", "-f"])
            .arg(&cr)
            .arg("--channel")
            .arg(&channel)
            .arg("fromChannel")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run("false").contains("set by: release channel"));
    assert!(run("true").contains("not set by any layer"));
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let out = bin()
        .args(["explain", "-f", "/nonexistent/cr.yaml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/cr.yaml"));
}

#[test]
fn crd_prints_yaml() {
    let out = bin().arg("crd").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("name: weightsandbiases.apps.wandb.com"));
}
