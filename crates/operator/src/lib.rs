//! The W&B operator library.
//!
//! The reconcile is a pipeline whose middle is pure: `spec` assembles the desired
//! configuration from its layers, `render` turns it into manifests (through the
//! `helm` crate), `apply::plan` decides what to apply and prune. Only the ends touch
//! the cluster. The binary `wandb-operator` is a thin CLI over this crate.

pub mod admin;
pub mod api;
pub mod apply;
pub mod channel;
pub mod controller;
pub mod diff;
pub mod events;
pub mod health;
pub mod metrics;
pub mod password;
pub mod render;
pub mod source;
pub mod spec;
pub mod status;
#[cfg(test)]
mod testing;
pub mod validate;

#[cfg(test)]
mod architecture {
    //! The planner decides, one applier acts: API write calls may only appear in
    //! `apply/execute.rs` (and the leader-election Lease). `diff` may only patch with
    //! `dry_run_params()` (`dryRun=All`). This test reads the sources and fails otherwise.

    use std::path::Path;

    const WRITES: &[&str] = &[
        ".patch(",
        ".patch_status(",
        ".delete(",
        ".create(",
        ".replace(",
        ".replace_status(",
        ".delete_collection(",
    ];

    fn visit(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, found);
                continue;
            }
            let rel = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // The Lease is coordination, not a workload object.
            let allowed = rel == "src/apply/execute.rs"
                || rel == "src/controller/lease.rs"
                || rel.ends_with("tests.rs")
                || rel == "src/testing.rs"
                || rel == "src/lib.rs";
            // `diff` asks the server what an apply would do: dry runs only.
            let dry_run_only = rel.starts_with("src/diff/");
            if allowed || path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                for w in WRITES {
                    // `str::replace` is not an API call: flag `.replace(` only on an
                    // `api` receiver.
                    let ambiguous = w.starts_with(".replace");
                    let dry_run =
                        dry_run_only && *w == ".patch(" && line.contains("dry_run_params()");
                    if line.contains(w) && (!ambiguous || line.contains("api")) && !dry_run {
                        found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
        }
    }

    #[test]
    fn only_the_applier_writes_to_the_api() {
        let mut found = Vec::new();
        visit(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "API writes outside apply/execute.rs:\n{}",
            found.join("\n")
        );
    }
}
