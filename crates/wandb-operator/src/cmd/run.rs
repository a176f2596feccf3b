//! `wandb-operator run`: the controller process. Startup installs the rustls
//! crypto provider, JSON logs (secrets redacted) and signal handling, builds the
//! reconcile [`Context`] from the flags, and hands over to
//! `operator::controller::run` until SIGTERM/SIGINT.

use std::{io::Write, sync::Arc};

use k8s_openapi::{apimachinery::pkg::apis::meta::v1::Time, jiff::Timestamp};
use operator::{
    apply::Applier,
    channel::{FileChannel, ReleaseChannel},
    controller::{Context, run as run_controller},
    render::{ClusterLookup, HelmRenderer},
    spec::{OperatorDefaults, redact, redact_url_password},
};
use tracing_subscriber::{EnvFilter, fmt::MakeWriter};

use crate::cli::RunArgs;

fn now() -> Time {
    Time(Timestamp::now())
}

/// Writes log lines to stderr with secrets redacted: a JSON line has the values of
/// secret-looking keys replaced (the same rules as `explain`), any other line has
/// the passwords of `scheme://user:password@host` URLs replaced.
#[derive(Clone, Copy, Debug, Default)]
pub struct RedactingWriter;

/// Redacts one formatted log line (see [`RedactingWriter`]).
pub fn redact_line(line: &str) -> String {
    let trimmed = line.trim_end_matches('\n');
    let redacted = match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(value @ serde_json::Value::Object(_)) => {
            serde_json::to_string(&redact(&value)).unwrap_or_else(|_| redact_url_password(trimmed))
        }
        _ => redact_url_password(trimmed),
    };
    if line.ends_with('\n') {
        redacted + "\n"
    } else {
        redacted
    }
}

impl Write for RedactingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The fmt layer writes each event with one call: a whole line.
        let text = String::from_utf8_lossy(buf);
        std::io::stderr()
            .lock()
            .write_all(redact_line(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for RedactingWriter {
    type Writer = RedactingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter
    }
}

fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_env_filter(filter)
        .with_writer(RedactingWriter)
        .try_init();
}

/// A future that completes on the first SIGTERM or SIGINT; a second signal exits
/// at once (a stuck shutdown must not need SIGKILL).
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + Sync + 'static {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested; finishing running reconciles");
        let _ = tx.send(());
        wait_for_signal().await;
        tracing::warn!("second signal; exiting now");
        std::process::exit(130);
    });
    async move {
        let _ = rx.await;
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut int = signal(SignalKind::interrupt()).ok();
        let term = async {
            match term.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => futures::future::pending().await,
            }
        };
        let int = async {
            match int.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => futures::future::pending().await,
            }
        };
        tokio::select! {
            () = term => {}
            () = int => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// This replica's name in the leader-election Lease.
fn identity() -> String {
    std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("wandb-operator-{}", std::process::id()))
}

/// Runs the controller until a signal; errors are startup failures or a lost Lease.
pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    init_logging();
    let config = args.run_config(&identity()).map_err(anyhow::Error::msg)?;
    super::cluster_runtime(None)?.block_on(async {
        let client = super::connect().await?;
        // One discovery cache for the applier and the chart's `lookup`.
        let applier = Applier::new(client.clone());
        let lookup = ClusterLookup::new(client.clone(), tokio::runtime::Handle::current())
            .with_discovery(applier.discovery());
        let channel: Option<Arc<dyn ReleaseChannel>> = args
            .channel_file
            .as_ref()
            .map(|p| Arc::new(FileChannel::new(p)) as Arc<dyn ReleaseChannel>);
        if channel.is_none() && !args.layers.airgapped {
            tracing::info!(
                url = %args.deployer_channel_url,
                "this build has no HTTP release-channel client; using the embedded channel"
            );
        }
        let ctx = Context {
            client: client.clone(),
            applier,
            renderer: Arc::new(HelmRenderer::new(Some(Arc::new(lookup)))),
            channel,
            airgapped: args.layers.airgapped,
            defaults: OperatorDefaults {
                operator_namespace: args.layers.operator_namespace.clone(),
            },
            now,
        };
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            airgapped = args.layers.airgapped,
            operator_namespace = %args.layers.operator_namespace,
            "starting wandb-operator"
        );
        run_controller(client, ctx, config, shutdown_signal()).await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_are_redacted() {
        let line = r#"{"level":"INFO","fields":{"message":"x","password":"hunter2","error":"GET https://u:pw@h/x"}}"#;
        let out = redact_line(&format!("{line}\n"));
        assert!(!out.contains("hunter2"), "{out}");
        assert!(!out.contains(":pw@"), "{out}");
        assert!(out.contains("***REDACTED***"), "{out}");
        assert!(out.ends_with("}\n"), "{out}");
        assert_eq!(
            redact_line("plain https://a:b@c/ text"),
            "plain https://a:***REDACTED***@c/ text"
        );
    }
}
