//! `wandb-operator render` on every example of `examples/`: the controller's
//! pipeline (layers, chart, render, plan) offline, checked against facts of the
//! example itself.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] functions

use std::{path::PathBuf, process::Command};

use serde_json::Value;
use wandb_operator::{
    cli::{LayerArgs, RenderArgs},
    cmd::render::render,
};

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn args(file: PathBuf) -> RenderArgs {
    RenderArgs {
        file,
        user_input: None,
        channel: None,
        chart: None,
        layers: LayerArgs {
            operator_namespace: "wandb-system".into(),
            airgapped: true,
        },
    }
}

fn env_value<'a>(deployment: &'a Value, name: &str) -> Option<&'a str> {
    deployment
        .pointer("/spec/template/spec/containers")?
        .as_array()?
        .iter()
        .flat_map(|c| c.get("env").and_then(Value::as_array).into_iter().flatten())
        .find(|e| e.get("name").and_then(Value::as_str) == Some(name))?
        .get("value")?
        .as_str()
}

#[test]
fn every_example_renders_the_app_with_its_host() {
    let files = examples();
    assert!(files.len() >= 10, "only {} examples", files.len());
    let mut failures = Vec::new();
    for file in files {
        let cr: Value = serde_saphyr::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = cr.pointer("/metadata/name").unwrap().as_str().unwrap();
        let namespace = cr
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default");
        let host = cr
            .pointer("/spec/values/global/host")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        let (output, _notes) = match render(&args(file.clone())) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{}: {e:#}", file.display()));
                continue;
            }
        };
        let manifests = &output.rendered.manifests;
        // The split layout (`app.install: false`) serves the API from `<name>-api`,
        // which gets the public URL as GORILLA_FILE_HOST.
        let monolith = cr.pointer("/spec/values/app/install") != Some(&Value::Bool(false));
        let (serving, url_env) = if monolith {
            (format!("{name}-app"), "HOST")
        } else {
            (format!("{name}-api"), "GORILLA_FILE_HOST")
        };
        let app = manifests
            .iter()
            .find(|m| m.kind == "Deployment" && m.name == serving);
        let Some(app) = app else {
            failures.push(format!("{}: no Deployment {serving}", file.display()));
            continue;
        };
        if !monolith
            && manifests
                .iter()
                .any(|m| m.kind == "Deployment" && m.name == format!("{name}-app"))
        {
            failures.push(format!(
                "{}: {name}-app rendered though disabled",
                file.display()
            ));
        }
        if env_value(&app.object, url_env) != Some(host.as_str()) {
            failures.push(format!(
                "{}: {url_env} is {:?}, want {host:?}",
                file.display(),
                env_value(&app.object, url_env)
            ));
        }
        // Every object carries the identity the planner needs, in the CR's namespace
        // unless cluster-scoped, and the text printed is the object applied.
        for m in manifests {
            assert!(!m.name.is_empty() && !m.kind.is_empty(), "{}", m.source);
            if let Some(ns) = &m.namespace {
                assert_eq!(ns, namespace, "{} {}", m.kind, m.name);
            }
            assert!(
                output
                    .template_text
                    .contains(&format!("# Source: {}\n", m.source)),
                "{}",
                m.source
            );
        }
        assert!(output.rendered.chart_version.len() >= 5);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn user_input_overrides_the_channel_and_the_cr_overrides_user_input() {
    let dir = std::env::temp_dir().join(format!("wo-render-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cr = dir.join("cr.yaml");
    std::fs::write(
        &cr,
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata: {name: site, namespace: team}\nspec:\n  values:\n    global: {host: https://cr.example.com}\n",
    )
    .unwrap();
    let user = dir.join("user.yaml");
    std::fs::write(
        &user,
        "global: {host: https://user.example.com}\napp: {image: {tag: user-tag}}\n",
    )
    .unwrap();
    let mut a = args(cr);
    a.user_input = Some(user);
    let (output, _) = render(&a).unwrap();
    let app = output
        .rendered
        .manifests
        .iter()
        .find(|m| m.kind == "Deployment" && m.name == "site-app")
        .unwrap();
    assert_eq!(
        env_value(&app.object, "HOST"),
        Some("https://cr.example.com")
    );
    let image = app
        .object
        .pointer("/spec/template/spec/containers/0/image")
        .unwrap()
        .as_str()
        .unwrap();
    assert!(image.ends_with(":user-tag"), "{image}");
    assert_eq!(app.namespace.as_deref(), Some("team"));
}

#[test]
fn the_binary_prints_helm_template_output_and_fails_on_bad_input() {
    let bin = env!("CARGO_BIN_EXE_wandb-operator");
    let minimal = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/minimal.yaml");
    let out = Command::new(bin)
        .args(["render", "--airgapped", "-f"])
        .arg(&minimal)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("---\n# Source: operator-wandb/templates/"),
        "{}",
        &text[..200.min(text.len())]
    );
    assert!(text.contains("\nkind: Deployment\n"));

    // A values-schema violation: nothing printed, the error on stderr.
    let dir = std::env::temp_dir().join(format!("wo-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata: {name: wandb}\nspec:\n  values:\n    global: {host: https://h, hostt: x}\n",
    )
    .unwrap();
    let out = Command::new(bin)
        .args(["render", "--airgapped", "-f"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hostt"), "{err}");

    // A chart that needs the network and is not ours: an error naming --chart.
    let other = dir.join("other.yaml");
    std::fs::write(
        &other,
        "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata: {name: wandb}\nspec:\n  chart: {url: https://charts.example.com, name: other, version: '1.0.0'}\n",
    )
    .unwrap();
    let out = Command::new(bin)
        .args(["render", "-f"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--chart"));
}
