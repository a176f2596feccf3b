//! One module per subcommand. Each takes its parsed arguments and a writer for
//! stdout, so tests can capture the output.

pub mod crd;
pub mod diff;
pub mod explain;
pub mod render;
pub mod run;
pub mod template;

use anyhow::Context as _;

/// The async runtime of a command that talks to the cluster; `workers` caps
/// its threads (default: one per core).
pub(crate) fn cluster_runtime(workers: Option<usize>) -> anyhow::Result<tokio::runtime::Runtime> {
    // kube's rustls needs a process-wide provider; a second install is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = workers {
        builder.worker_threads(n);
    }
    builder
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// A client for the cluster of KUBECONFIG, or the in-cluster service account.
pub(crate) async fn connect() -> anyhow::Result<kube::Client> {
    kube::Client::try_default()
        .await
        .context("connecting to the Kubernetes API (KUBECONFIG or in-cluster)")
}
