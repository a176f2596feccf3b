//! Stand-alone kube-testserver for `kubectl` and end-to-end tests.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use clap::Parser;
use kube_testserver::{Options, TestServer};

/// In-memory Kubernetes API server over plain HTTP on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "kube-testserver", version)]
struct Cli {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Write a kubeconfig for the server to this file.
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
    /// Simulate workload controllers: ready after DELAY (e.g. 2s, 500ms; default 1s).
    #[arg(long, num_args = 0..=1, default_missing_value = "1s", value_parser = parse_duration)]
    simulate_workloads: Option<Duration>,
    /// Keep a workload unready (NAMESPACE/NAME), repeatable.
    #[arg(long = "hold-unready", value_name = "NAMESPACE/NAME")]
    hold_unready: Vec<String>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: f64 = num.parse().map_err(|_| format!("invalid duration: {s}"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("invalid duration unit in {s} (use ms, s or m)")),
    };
    Ok(Duration::from_secs_f64(secs))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut opts = Options::default().port(cli.port);
    opts.simulate_workloads = cli.simulate_workloads;
    for h in &cli.hold_unready {
        match h.split_once('/') {
            Some((ns, name)) => opts = opts.hold_unready(ns, name),
            None => {
                eprintln!("--hold-unready wants NAMESPACE/NAME, got {h}");
                return ExitCode::from(2);
            }
        }
    }
    let server = match TestServer::start_with(opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kube-testserver: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &cli.kubeconfig_out
        && let Err(e) = server.write_kubeconfig(path)
    {
        eprintln!("kube-testserver: {e}");
        return ExitCode::FAILURE;
    }
    println!("{}", server.url());
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("2h").is_err());
    }
}
