//! The 214 template cases of `helm-gotchas-observed.json` (run through the
//! real Helm 4.2.3 engine) rendered by the whole pipeline here: the oracle's
//! chart layout (helpers, files, duplicate defines), its values as JSON, one
//! template per case. Outputs must match exactly; for errors, our message must
//! carry Helm's final cause.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use helm::{File, RenderOptions};
use serde_json::Value as Json;

fn gotchas() -> Option<Json> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/docs/helm-gotchas-observed.json");
    let text = std::fs::read_to_string(p).ok()?;
    serde_json::from_str(&text).ok()
}

/// Known gaps, each with its reason. They must still fail: when one starts
/// passing, the test says so and the entry has to go.
const KNOWN_GAPS: &[(&str, &str)] = &[];

#[test]
fn gotchas_through_the_whole_engine() {
    let Some(doc) = gotchas() else {
        panic!("../shared/docs/helm-gotchas-observed.json not found beside the repository");
    };
    let chart_md = &doc["chart"];
    let chart_yaml = format!(
        "apiVersion: v2\nname: {}\nversion: {}\nappVersion: \"{}\"\n",
        chart_md["name"].as_str().unwrap(),
        chart_md["version"].as_str().unwrap(),
        chart_md["appVersion"].as_str().unwrap()
    );
    let defaults = &doc["default_values"];
    let mut base_files = vec![
        File {
            name: "Chart.yaml".into(),
            data: chart_yaml.into_bytes(),
        },
        File {
            name: "templates/_helpers.tpl".into(),
            data: doc["helpers"].as_str().unwrap().as_bytes().to_vec(),
        },
    ];
    for (name, data) in doc["files"].as_object().unwrap() {
        base_files.push(File {
            name: name.clone(),
            data: data.as_str().unwrap().as_bytes().to_vec(),
        });
    }
    let (mut pass, mut fails) = (0, Vec::new());
    let mut gap_results = Vec::new();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let mut files = base_files.clone();
        for (name, data) in case
            .get("files")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            files.push(File {
                name: name.clone(),
                data: data.as_str().unwrap().as_bytes().to_vec(),
            });
        }
        if let Some(h) = case.get("helpers").and_then(Json::as_str) {
            files.retain(|f| f.name != "templates/_helpers.tpl");
            files.push(File {
                name: "templates/_helpers.tpl".into(),
                data: h.as_bytes().to_vec(),
            });
        }
        files.push(File {
            name: "templates/t0000.txt".into(),
            data: case["template"].as_str().unwrap().as_bytes().to_vec(),
        });
        let chart = helm::chart::load_files(files, 0).unwrap();
        let values = case
            .get("values")
            .cloned()
            .unwrap_or_else(|| defaults.clone());
        let result = helm::render_files(&chart, &values, &RenderOptions::default());
        let ours = result.map(|r| {
            r.raw
                .into_iter()
                .find(|(p, _)| p == "oracle/templates/t0000.txt")
                .map(|(_, t)| t)
                .unwrap_or_default()
        });
        let before = fails.len();
        match (
            case.get("output").and_then(Json::as_str),
            case.get("error").and_then(Json::as_str),
            ours,
        ) {
            (Some(exp), _, Ok(got)) if got == exp => pass += 1,
            (Some(exp), _, Ok(got)) => fails.push(format!("{id}: expected {exp:?}, got {got:?}")),
            (Some(exp), _, Err(e)) => fails.push(format!("{id}: expected {exp:?}, got error {e}")),
            (None, Some(err), Err(e)) => {
                let last = err.trim().lines().last().unwrap_or("").trim();
                let cause = last.rsplit(": ").next().unwrap_or(last);
                if e.to_string().contains(cause) {
                    pass += 1;
                } else {
                    fails.push(format!("{id}: expected error {last:?}, got {e}"));
                }
            }
            (None, Some(err), Ok(got)) => {
                fails.push(format!("{id}: expected error {err:?}, got {got:?}"))
            }
            (None, None, _) => fails.push(format!("{id}: case has neither output nor error")),
        }
        if KNOWN_GAPS.iter().any(|(g, _)| *g == id) {
            if fails.len() > before {
                fails.truncate(before);
                gap_results.push(id.to_string());
            } else {
                fails.push(format!(
                    "{id}: listed in KNOWN_GAPS but passes now; remove it"
                ));
            }
        }
    }
    for (id, why) in KNOWN_GAPS {
        if gap_results.iter().any(|g| g == id) {
            eprintln!("known gap {id}: {why}");
        }
    }
    eprintln!(
        "gotchas: {pass}/{} pass ({} known gap)",
        cases.len(),
        gap_results.len()
    );
    assert!(
        fails.is_empty(),
        "{} of {} gotcha cases fail:\n{}",
        fails.len(),
        cases.len(),
        fails.join("\n")
    );
}
