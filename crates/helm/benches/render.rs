//! Renders the largest corpus chart (`tests/charts/big`, ~3000-line values
//! file, 256 documents) with our engine and, in the same run, times the real
//! Helm 4.2.3 engine (helm-python-sdk, driven with the functions of
//! `scripts/gen-helm-expected.py`) on the same input; prints both medians and
//! the ratio.
//!
//! The machine running this is often shared, so the two engines are timed in
//! interleaved rounds (a load change hits both), and CPU time per render is
//! printed next to wall time (CPU time barely moves with the load).
//!
//! `cargo bench -p helm --bench render`. Python: `$HELM_PYTHON`, else
//! `<workspace>/target/helm-venv/bin/python`; without it only our side runs.

use std::{path::PathBuf, process::Command, time::Instant};

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/common/mod.rs"]
mod common;

const CHART: &str = "big";
const CASE: &str = "default";
/// Interleaved rounds, and renders per engine in each round.
const ROUNDS: usize = 5;
const RUNS: usize = 8;

/// Times `n` Helm renders in one Python process: what `helm template` does
/// (load, then install in client dry-run mode: dependencies, coalescing,
/// schema, render, sorting). Prints wall ms per run and total CPU ms.
const HELM_TIMER: &str = r#"
import importlib.util, json, os, sys, time
root, chart, case, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
spec = importlib.util.spec_from_file_location("gen", os.path.join(root, "scripts", "gen-helm-expected.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
helm = gen.helm
path, opts = os.path.join(gen.TESTS, "charts", chart), gen.case_options(chart, case)
vals = gen.user_values(opts)
def once():
    with helm.Chart.load(path) as c:
        with helm.Config(storage_driver="memory", namespace=opts["namespace"]) as cfg:
            cfg.install(c, opts["name"], vals, dry_run="client", namespace=opts["namespace"])
once()
wall = []
cpu0 = time.process_time()
for _ in range(n):
    t0 = time.perf_counter()
    once()
    wall.append((time.perf_counter() - t0) * 1e3)
cpu = (time.process_time() - cpu0) * 1e3
print(json.dumps({"wall_ms": wall, "cpu_ms": cpu}))
"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// This process's user+system CPU time in ms (all threads, finished ones
/// included), from `/proc/self/stat`; `None` where that is not available.
fn process_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every Linux configuration we run on.
    Some(ticks * 10.0)
}

fn helm_python() -> PathBuf {
    let ws = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::env::var_os("HELM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.join("target/helm-venv/bin/python"))
}

/// One round of real Helm: wall ms of each run and total CPU ms.
fn real_helm_round(n: usize) -> Option<(Vec<f64>, f64)> {
    let ws = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(helm_python())
        .arg("-c")
        .arg(HELM_TIMER)
        .arg(&ws)
        .args([CHART, CASE, &n.to_string()])
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
    let wall = v
        .get("wall_ms")?
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    Some((wall, v.get("cpu_ms")?.as_f64()?))
}

fn render(opts: &helm::TemplateOptions) -> String {
    match helm::template_cli(opts) {
        Ok(out) => out,
        Err(e) => panic!("render failed: {e}"),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn bench(c: &mut Criterion) {
    let opts = common::case_options(CHART, CASE);
    let first = render(&opts);
    c.bench_function("helm_template_big", |b| b.iter(|| render(&opts)));

    // Same-run comparison, interleaved: full `helm template` equivalents
    // (load from disk, values, dependencies, schema, render, sort, print).
    let load_before = load_average();
    let (mut ours, mut ours_cpu) = (Vec::new(), 0.0);
    let (mut helm, mut helm_cpu) = (Vec::new(), Some(0.0));
    for _ in 0..ROUNDS {
        let cpu0 = process_cpu_ms();
        for _ in 0..RUNS {
            let t = Instant::now();
            let out = render(&opts);
            ours.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(out.len(), first.len());
        }
        if let (Some(a), Some(b)) = (cpu0, process_cpu_ms()) {
            ours_cpu += b - a;
        }
        match (real_helm_round(RUNS), helm_cpu) {
            (Some((wall, cpu)), Some(total)) => {
                helm.extend(wall);
                helm_cpu = Some(total + cpu);
            }
            _ => helm_cpu = None,
        }
    }
    let n = (ROUNDS * RUNS) as f64;
    let ours_med = median(ours);
    let ours_cpu = ours_cpu / n;
    let load = format!("load average {load_before} -> {}", load_average());
    match helm_cpu {
        Some(hc) if !helm.is_empty() => {
            let h = median(helm);
            let hc = hc / n;
            eprintln!(
                "\n{CHART}/{CASE} ({ROUNDS} interleaved rounds of {RUNS}; {load}):\n  \
                 wall: ours median {ours_med:.2} ms, real Helm 4.2.3 median {h:.2} ms, ratio {:.1}x faster\n  \
                 cpu:  ours {ours_cpu:.2} ms/render, real Helm 4.2.3 {hc:.2} ms/render, ratio {:.1}x\n",
                h / ours_med,
                hc / ours_cpu.max(0.01)
            );
        }
        _ => eprintln!(
            "\n{CHART}/{CASE}: ours median {ours_med:.2} ms, cpu {ours_cpu:.2} ms/render (real Helm not available; {load})\n"
        ),
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
