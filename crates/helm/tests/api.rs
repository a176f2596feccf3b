//! The public API the operator uses: `render` with JSON values, parsed
//! manifests in install order, hooks, CRDs, notes, and `lookup` through the trait.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use helm::{Lookup, LookupError, RenderOptions};

mod common;

#[test]
fn render_gives_parsed_manifests_in_install_order() {
    let chart = helm::load_chart_dir(&common::tests_dir().join("charts/hooks")).unwrap();
    assert_eq!(chart.name(), "hooks");
    assert_eq!(chart.version(), "0.3.0");
    let r = helm::render(
        &chart,
        &serde_json::json!({"jobs": ["a"]}),
        &RenderOptions::default(),
    )
    .unwrap();
    let idx: Vec<usize> = r
        .manifests
        .iter()
        .map(|m| helm::install_order_index(&m.kind))
        .collect();
    let mut sorted = idx.clone();
    sorted.sort();
    assert_eq!(idx, sorted, "manifests must be in install order");
    let dep = r.manifests.iter().find(|m| m.kind == "Deployment").unwrap();
    assert_eq!(dep.name, "d");
    assert_eq!(dep.object["metadata"]["name"], "d");
    assert_eq!(dep.api_version, "apps/v1");
    assert_eq!(r.hooks.iter().filter(|h| h.kind == "Job").count(), 1);
    assert!(install_order_index_unknown_is_last());
}

fn install_order_index_unknown_is_last() -> bool {
    helm::install_order_index("Zebra") > helm::install_order_index("ValidatingWebhookConfiguration")
}

#[test]
fn crds_and_notes() {
    let chart = helm::load_chart_dir(&common::tests_dir().join("charts/crds")).unwrap();
    let r = helm::render(&chart, &serde_json::json!({}), &RenderOptions::default()).unwrap();
    let sources: Vec<&str> = r.crds.iter().map(|c| c.source.as_str()).collect();
    assert_eq!(
        sources,
        vec!["crds/crds/widgets.yaml", "crds/charts/sub/crds/gadgets.yml"]
    );
    assert_eq!(r.crds[0].kind, "CustomResourceDefinition");
    let basic = helm::load_chart_dir(&common::tests_dir().join("charts/basic")).unwrap();
    let opts = RenderOptions {
        release_name: "rel".into(),
        ..RenderOptions::default()
    };
    let r = helm::render(&basic, &serde_json::json!({}), &opts).unwrap();
    assert_eq!(
        r.notes.as_deref(),
        Some("Thanks for installing basic as rel.\n")
    );
}

struct FakeCluster;

impl Lookup for FakeCluster {
    fn lookup(
        &self,
        api: &str,
        kind: &str,
        ns: &str,
        name: &str,
    ) -> Result<Option<serde_json::Value>, LookupError> {
        if (api, kind, ns, name) == ("v1", "Secret", "default", "existing") {
            return Ok(Some(serde_json::json!({"data": {"password": "c2VjcmV0"}})));
        }
        if name.is_empty() {
            return Ok(Some(
                serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [{}, {}]}),
            ));
        }
        Ok(None)
    }
}

#[test]
fn lookup_goes_through_the_trait() {
    let chart = helm::load_chart_dir(&common::tests_dir().join("charts/lookup")).unwrap();
    let opts = RenderOptions {
        lookup: Some(Arc::new(FakeCluster)),
        ..RenderOptions::default()
    };
    let r = helm::render(&chart, &serde_json::json!({}), &opts).unwrap();
    let s = &r.manifests[0].object;
    assert_eq!(s["data"]["password"], "c2VjcmV0");
    assert_eq!(s["data"]["listItems"], "Mg=="); // "2"
    let offline = helm::render(&chart, &serde_json::json!({}), &RenderOptions::default()).unwrap();
    assert_eq!(offline.manifests[0].object["data"]["listItems"], "MA=="); // "0"
}

#[test]
fn archive_and_directory_render_the_same() {
    // Pack the import-values chart and compare outputs.
    let dir = common::tests_dir().join("charts/import-values");
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all("import-values", &dir).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
    let bytes = gz.finish().unwrap();
    let a = helm::load_chart_archive(&bytes).unwrap();
    let d = helm::load_chart_dir(&dir).unwrap();
    let ra = helm::render(&a, &serde_json::json!({}), &RenderOptions::default()).unwrap();
    let rd = helm::render(&d, &serde_json::json!({}), &RenderOptions::default()).unwrap();
    assert_eq!(
        ra.to_helm_template_string(false),
        rd.to_helm_template_string(false)
    );
}
