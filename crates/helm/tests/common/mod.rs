//! Helpers shared by the integration tests and the benchmark.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use helm::TemplateOptions;

/// `crates/helm/tests`.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Reads `cases/<chart>/<case>.flags` the way the generator does.
pub fn case_options(chart: &str, case: &str) -> TemplateOptions {
    let t = tests_dir();
    let cdir = t.join("cases").join(chart);
    let mut o = TemplateOptions {
        chart: t.join("charts").join(chart),
        values_files: vec![cdir.join(format!("{case}.yaml"))],
        ..TemplateOptions::default()
    };
    if let Ok(flags) = std::fs::read_to_string(cdir.join(format!("{case}.flags"))) {
        for line in flags
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (flag, arg) = line.split_once(' ').unwrap_or((line, ""));
            match flag {
                "--name" => o.release_name = Some(arg.to_string()),
                "--namespace" => o.namespace = Some(arg.to_string()),
                "--include-crds" => o.include_crds = true,
                "--set" => o.set.push(arg.to_string()),
                "--set-string" => o.set_string.push(arg.to_string()),
                "-f" => o.values_files.push(cdir.join(arg)),
                other => panic!("unknown flag {other}"),
            }
        }
    }
    o
}
