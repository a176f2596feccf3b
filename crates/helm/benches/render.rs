//! Renders the largest corpus chart (`tests/charts/big`, ~3000-line values
//! file, 256 documents) with our engine and, in the same run, times the real
//! Helm 4.2.3 engine (helm-python-sdk through `scripts/gen-helm-expected.py
//! time`) on the same input; prints both medians and the ratio.
//!
//! `cargo bench -p helm --bench render`. Python: `$HELM_PYTHON`, else
//! `<workspace>/target/helm-venv/bin/python`; without it only our side runs.

use std::{path::PathBuf, process::Command, time::Instant};

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/common/mod.rs"]
mod common;

const CHART: &str = "big";
const CASE: &str = "default";
const RUNS: usize = 20;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn real_helm_median_ms() -> Option<f64> {
    let ws = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let py = std::env::var_os("HELM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.join("target/helm-venv/bin/python"));
    let out = Command::new(py)
        .arg(ws.join("scripts/gen-helm-expected.py"))
        .args(["time", CHART, CASE, &RUNS.to_string()])
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "real helm timing failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v.get("median_ms")?.as_f64()
}

fn render(opts: &helm::TemplateOptions) -> String {
    match helm::template_cli(opts) {
        Ok(out) => out,
        Err(e) => panic!("render failed: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    let opts = common::case_options(CHART, CASE);
    let first = render(&opts);
    c.bench_function("helm_template_big", |b| b.iter(|| render(&opts)));

    // Same-run comparison: our median over RUNS full `helm template`
    // equivalents (load from disk, dependencies, values, schema, render, sort).
    let ours: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let out = render(&opts);
            assert_eq!(out.len(), first.len());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let ours = median(ours);
    match real_helm_median_ms() {
        Some(h) => eprintln!(
            "\n{CHART}/{CASE}: ours median {ours:.2} ms, real Helm 4.2.3 median {h:.2} ms, ratio {:.1}x faster\n",
            h / ours
        ),
        None => eprintln!("\n{CHART}/{CASE}: ours median {ours:.2} ms (real Helm not available)\n"),
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
