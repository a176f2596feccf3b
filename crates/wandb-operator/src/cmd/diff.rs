//! `wandb-operator diff -f cr.yaml [--user-input F] [--channel F]`: what `run` would
//! change in the cluster (KUBECONFIG, as `run`), without writing anything. The
//! pipeline is `operator::diff`, the controller's up to the apply; see there.
//!
//! Exit status as `kubectl diff`: 0 nothing would change, 1 something would, 2 (or
//! more) an error, including a configuration `run` would reject (`Invalid Config`,
//! with the message `run` would put in the condition).

use std::{io::Write, process::ExitCode, sync::Arc};

use operator::{
    apply::Discovery,
    channel::{FileChannel, ReleaseChannel},
    diff::{Action, DiffError, DiffInputs, DiffReport, diff},
    render::{ClusterLookup, HelmRenderer},
    spec::OperatorDefaults,
};

use crate::{
    cli::{DiffArgs, DiffOutput},
    cmd::explain::{read_cr, read_user_input},
};

/// Exit status when `run` would change nothing.
pub const EXIT_SAME: u8 = 0;
/// Exit status when `run` would change something.
pub const EXIT_DIFFERENT: u8 = 1;
/// Exit status of an error (invalid configuration, unreachable cluster, ...).
pub const EXIT_ERROR: u8 = 2;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Computes the report for `args` against the cluster of KUBECONFIG.
pub fn compute(args: &DiffArgs) -> anyhow::Result<Result<DiffReport, DiffError>> {
    let cr = read_cr(&args.file)?;
    let user_input = args
        .user_input
        .as_deref()
        .map(read_user_input)
        .transpose()?;
    let channel = args
        .channel
        .as_ref()
        .map(|p| Arc::new(FileChannel::new(p)) as Arc<dyn ReleaseChannel>);
    super::cluster_runtime(Some(2))?.block_on(async {
        let client = super::connect().await?;
        let discovery = Discovery::default();
        let lookup = ClusterLookup::new(client.clone(), tokio::runtime::Handle::current())
            .with_discovery(discovery.clone());
        let renderer = Arc::new(HelmRenderer::new(Some(Arc::new(lookup))));
        let inputs = DiffInputs {
            cr,
            user_input,
            channel,
            airgapped: args.layers.airgapped,
            defaults: OperatorDefaults {
                operator_namespace: args.layers.operator_namespace.clone(),
            },
            discovery,
        };
        Ok(diff(&client, renderer, &inputs).await)
    })
}

/// Writes the report as text: one `=== action object` header per change, its
/// unified diff unless `brief`, then a summary line.
pub fn write_text(
    report: &DiffReport,
    brief: bool,
    color: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let paint = |code: &'static str| if color { code } else { "" };
    let reset = paint(RESET);
    for c in &report.changes {
        let mut header = format!(
            "{}=== {} {}{reset}",
            paint(BOLD),
            c.action.as_str(),
            c.label()
        );
        if let Some(reason) = &c.reason {
            header.push_str(&format!(" ({reason})"));
        }
        writeln!(out, "{header}")?;
        if brief {
            continue;
        }
        for line in c.diff.lines() {
            let code = if line.starts_with("---") || line.starts_with("+++") {
                paint(BOLD)
            } else if line.starts_with("@@") {
                paint(CYAN)
            } else if line.starts_with('-') {
                paint(RED)
            } else if line.starts_with('+') {
                paint(GREEN)
            } else {
                ""
            };
            if code.is_empty() {
                writeln!(out, "{line}")?;
            } else {
                writeln!(out, "{code}{line}{reset}")?;
            }
        }
    }
    for r in &report.rejected {
        writeln!(out, "=== rejected by the API server: {r}")?;
    }
    let mut summary = format!(
        "{} to create, {} to update, {} to delete, {} kept, {} unchanged",
        report.count(Action::Create),
        report.count(Action::Update),
        report.count(Action::Delete),
        report.count(Action::Keep),
        report.unchanged
    );
    if !report.reapplied.is_empty() {
        summary.push_str(&format!(
            " ({} re-applied without a visible change: {})",
            report.reapplied.len(),
            report.reapplied.join(", ")
        ));
    }
    if !report.rejected.is_empty() {
        summary.push_str(&format!(", {} rejected", report.rejected.len()));
    }
    writeln!(out, "Summary: {summary}.")
}

/// The exit status for a report.
pub fn exit_status(report: &DiffReport) -> u8 {
    if !report.rejected.is_empty() {
        EXIT_ERROR
    } else if report.has_changes() {
        EXIT_DIFFERENT
    } else {
        EXIT_SAME
    }
}

/// Runs `diff`: prints to `out` (notes and errors to stderr) and returns the exit
/// status.
pub fn run(args: &DiffArgs, out: &mut impl Write) -> ExitCode {
    let result = compute(args);
    let outcome = match result {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(e)) => Err(anyhow::Error::from(e)),
        Err(e) => Err(e),
    };
    let report = match outcome {
        Ok(report) => report,
        Err(e) => {
            if args.output == DiffOutput::Json {
                let doc = serde_json::json!({"error": format!("{e:#}")});
                let _ = writeln!(out, "{doc:#}");
            }
            eprintln!("error: {e:#}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    for note in &report.notes {
        eprintln!("# {note}");
    }
    let written = match args.output {
        DiffOutput::Text => write_text(&report, args.brief, args.color, out),
        DiffOutput::Json => serde_json::to_string_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|text| writeln!(out, "{text}")),
    };
    if let Err(e) = written {
        eprintln!("error: writing the diff: {e}");
        return ExitCode::from(EXIT_ERROR);
    }
    for r in &report.rejected {
        eprintln!("error: Invalid Config: {r}");
    }
    ExitCode::from(exit_status(&report))
}

#[cfg(test)]
mod tests {
    use operator::diff::Change;

    use super::*;

    fn change(action: Action, name: &str, diff: &str) -> Change {
        Change {
            action,
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: Some("ns".into()),
            name: name.into(),
            reason: None,
            diff: diff.into(),
        }
    }

    #[test]
    fn text_output_and_exit_status() {
        let mut report = DiffReport::default();
        assert_eq!(exit_status(&report), EXIT_SAME);
        report.unchanged = 3;
        report.changes.push(change(
            Action::Update,
            "app",
            "--- live\n+++ run\n@@ -1,1 +1,1 @@\n-a: 1\n+a: 2\n",
        ));
        let mut kept = change(Action::Keep, "old", "");
        kept.reason = Some("annotated helm.sh/resource-policy: keep".into());
        report.changes.push(kept);
        assert_eq!(exit_status(&report), EXIT_DIFFERENT);
        let mut out = Vec::new();
        write_text(&report, false, false, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "=== update Deployment.apps ns/app\n--- live\n+++ run\n@@ -1,1 +1,1 @@\n-a: 1\n+a: 2\n\
             === keep Deployment.apps ns/old (annotated helm.sh/resource-policy: keep)\n\
             Summary: 0 to create, 1 to update, 0 to delete, 1 kept, 3 unchanged.\n"
        );
        let mut out = Vec::new();
        write_text(&report, true, true, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\x1b[1m=== update"), "{text}");
        assert!(!text.contains("+a: 2"), "{text}");
        report.rejected.push("applying X: invalid".into());
        assert_eq!(exit_status(&report), EXIT_ERROR);
    }

    #[test]
    fn colors_mark_lines() {
        let mut report = DiffReport::default();
        report
            .changes
            .push(change(Action::Create, "new", "@@ -0,0 +1,1 @@\n+a: 1\n"));
        let mut out = Vec::new();
        write_text(&report, false, true, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[32m+a: 1\x1b[0m"), "{text}");
        assert!(text.contains("\x1b[36m@@ -0,0 +1,1 @@\x1b[0m"), "{text}");
    }
}
