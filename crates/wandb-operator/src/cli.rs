//! Command-line definition. Every flag of the controller has an environment twin
//! named like the Go operator's (`OPERATOR_NAMESPACE`, `AIRGAPPED`,
//! `DEPLOYER_CHANNEL_URL`, `ISOLATION_NAMESPACES`, `LEADER_ELECT`,
//! `METRICS_BIND_ADDRESS`, `HEALTH_PROBE_BIND_ADDRESS`), so the same Deployment
//! environment configures either operator. An explicit flag wins over the env.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum, builder::BoolishValueParser};

use crate::cmd;

/// The W&B operator: keeps W&B Server platforms (`WeightsAndBiases` resources)
/// running, and previews what it would do.
#[derive(Debug, Parser)]
#[command(name = "wandb-operator", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the `WeightsAndBiases` CustomResourceDefinition as YAML.
    Crd,
    /// Print the merged value of KEY and the configuration layer that set it
    /// (secrets redacted). Without KEY, every value.
    Explain(ExplainArgs),
    /// Render a chart like `helm template [NAME] CHART`, with the operator's engine;
    /// prints exactly what Helm 4.2.3 prints.
    Template(TemplateArgs),
    /// Run the operator's pipeline for a `WeightsAndBiases` file up to the
    /// manifests, offline (the chart's `lookup` sees nothing), and print them.
    Render(RenderArgs),
    /// Show what `run` would change in the cluster for a `WeightsAndBiases` file
    /// (KUBECONFIG), without writing: exit 0 no change, 1 changes, 2 error.
    Diff(DiffArgs),
    /// Run the controller: reconcile every `WeightsAndBiases` (uses KUBECONFIG or the
    /// in-cluster service account).
    Run(RunArgs),
}

/// `template` arguments: the `helm template` flags the engine supports.
#[derive(Debug, Clone, Args)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: release name (optional) and chart directory or `.tgz`.
    #[arg(value_name = "NAME] [CHART", num_args = 1..=2, required = true)]
    pub positional: Vec<String>,

    /// Values files (YAML or JSON), merged in order; comma-separated or repeated.
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<PathBuf>,

    /// Set values (`a.b=1,c=x`); typed like Helm's `--set`.
    #[arg(long)]
    pub set: Vec<String>,

    /// Set string values (`a.b=1` is the string "1").
    #[arg(long)]
    pub set_string: Vec<String>,

    /// Release name (default `release-name`).
    #[arg(long)]
    pub name: Option<String>,

    /// Release namespace (default `default`).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,

    /// Print the chart's `crds/` files too.
    #[arg(long)]
    pub include_crds: bool,

    /// Kubernetes version for `.Capabilities.KubeVersion` (default v1.36.0).
    #[arg(long)]
    pub kube_version: Option<String>,

    /// Extra `.Capabilities.APIVersions`; comma-separated or repeated.
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,

    /// Leave hooks out.
    #[arg(long)]
    pub no_hooks: bool,
}

/// `render` arguments.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// The `WeightsAndBiases` custom resource (YAML or JSON).
    #[arg(short = 'f', long = "filename", value_name = "CR")]
    pub file: PathBuf,

    /// The user-input layer: a `<name>-spec-user` Secret (as `kubectl get -o yaml`
    /// prints it), a `{chart, values, metadata}` document, or plain values.
    #[arg(long, value_name = "FILE")]
    pub user_input: Option<PathBuf>,

    /// A release-channel release `{metadata, chart, values}`; the embedded channel
    /// when absent.
    #[arg(long, value_name = "FILE")]
    pub channel: Option<PathBuf>,

    /// Render this local chart (directory, `.tgz` or base64 `.tgz`) instead of the
    /// one the layers name. Without it, a chart that must be downloaded is replaced
    /// by the embedded chart when the names match (with a note on stderr).
    #[arg(long, value_name = "PATH")]
    pub chart: Option<PathBuf>,

    /// Layer settings.
    #[command(flatten)]
    pub layers: LayerArgs,
}

/// `diff` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffOutput {
    /// Headers and unified diffs.
    Text,
    /// One JSON document: changes (with their diffs), counts, notes.
    Json,
}

/// `diff` arguments.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The `WeightsAndBiases` custom resource (YAML or JSON).
    #[arg(short = 'f', long = "filename", value_name = "CR")]
    pub file: PathBuf,

    /// The user-input layer (as for `render`); without it, the cluster's
    /// `<name>-spec-user` Secret, as `run` reads it.
    #[arg(long, value_name = "FILE")]
    pub user_input: Option<PathBuf>,

    /// A release-channel release `{metadata, chart, values}` (as `run
    /// --channel-file`); the embedded channel when absent.
    #[arg(long, value_name = "FILE")]
    pub channel: Option<PathBuf>,

    /// Only the `=== action object` headers and the summary, no diffs.
    #[arg(long)]
    pub brief: bool,

    /// Color the diff (ANSI); off by default.
    #[arg(long)]
    pub color: bool,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = DiffOutput::Text)]
    pub output: DiffOutput,

    /// Layer settings.
    #[command(flatten)]
    pub layers: LayerArgs,
}

/// Flags shared by every command that assembles the configuration layers.
#[derive(Debug, Clone, Args)]
pub struct LayerArgs {
    /// Namespace the operator runs in; injected as `global.operator.namespace`.
    #[arg(long, env = "OPERATOR_NAMESPACE", default_value = operator::spec::DEFAULT_OPERATOR_NAMESPACE)]
    pub operator_namespace: String,

    /// Never call the release channel and ignore its cache; the channel embedded in
    /// the binary applies.
    #[arg(long, env = "AIRGAPPED", action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true",
          value_parser = BoolishValueParser::new())]
    pub airgapped: bool,
}

/// `explain` arguments.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The `WeightsAndBiases` custom resource (YAML or JSON).
    #[arg(short = 'f', long = "filename", value_name = "CR")]
    pub file: PathBuf,

    /// The user-input layer: a `<name>-spec-user` Secret (as `kubectl get -o yaml`
    /// prints it), a `{chart, values, metadata}` document, or plain values.
    #[arg(long, value_name = "FILE")]
    pub user_input: Option<PathBuf>,

    /// A release-channel release `{metadata, chart, values}`; the embedded channel
    /// when absent.
    #[arg(long, value_name = "FILE")]
    pub channel: Option<PathBuf>,

    /// Layer settings.
    #[command(flatten)]
    pub layers: LayerArgs,

    /// Dotted key, e.g. `global.host`; quote segments holding dots:
    /// `ingress.annotations."kubernetes.io/ingress.class"`.
    pub key: Option<String>,
}

/// The controller's flags (for `run`, which the controller wiring adds).
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Layer settings.
    #[command(flatten)]
    pub layers: LayerArgs,

    /// Base URL of the release channel (`/api/v1/operator/channel` is appended).
    #[arg(
        long,
        env = "DEPLOYER_CHANNEL_URL",
        default_value = "https://deploy.wandb.ai"
    )]
    pub deployer_channel_url: String,

    /// Watch only these namespaces (comma-separated); all namespaces when empty.
    #[arg(
        long,
        env = "ISOLATION_NAMESPACES",
        value_delimiter = ',',
        default_value = ""
    )]
    pub isolation_namespaces: Vec<String>,

    /// Reconcile only while holding the leader Lease.
    #[arg(long, env = "LEADER_ELECT", action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_value = "false", default_missing_value = "true",
          value_parser = BoolishValueParser::new())]
    pub leader_elect: bool,

    /// Name of the leader-election Lease (the Go operator's, so that two operators
    /// in one namespace never reconcile at the same time).
    #[arg(
        long,
        env = "LEADER_ELECTION_ID",
        default_value = "3009dfa6.apps.wandb.com"
    )]
    pub leader_election_id: String,

    /// Address of `/metrics` (`:8080`, `0.0.0.0:8080`; `0` disables it).
    #[arg(long, env = "METRICS_BIND_ADDRESS", default_value = ":8080")]
    pub metrics_bind_address: String,

    /// Address of `/healthz` and `/readyz`.
    #[arg(long, env = "HEALTH_PROBE_BIND_ADDRESS", default_value = ":8081")]
    pub health_probe_bind_address: String,

    /// Reconcile at most this many custom resources at once.
    #[arg(long, env = "MAX_CONCURRENT_RECONCILES", default_value_t = 4)]
    pub max_concurrent_reconciles: u16,

    /// Serve the release channel from this file (one release document, re-read on
    /// every reconcile) instead of the embedded channel.
    #[arg(long, env = "CHANNEL_FILE", value_name = "FILE")]
    pub channel_file: Option<PathBuf>,
}

impl RunArgs {
    /// The watched namespaces; `None` means all.
    pub fn namespaces(&self) -> Option<Vec<String>> {
        let list: Vec<String> = self
            .isolation_namespaces
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        (!list.is_empty()).then_some(list)
    }
}

impl RunArgs {
    /// The controller settings these flags describe. `identity` names this replica
    /// in the Lease (the pod name).
    pub fn run_config(&self, identity: &str) -> Result<operator::controller::RunConfig, String> {
        Ok(operator::controller::RunConfig {
            namespaces: self.namespaces(),
            concurrency: self.max_concurrent_reconciles.max(1),
            metrics_addr: parse_bind_address(&self.metrics_bind_address)?,
            probe_addr: parse_bind_address(&self.health_probe_bind_address)?,
            leader_election: self.leader_elect.then(|| {
                operator::controller::LeaseConfig::new(
                    &self.leader_election_id,
                    &self.layers.operator_namespace,
                    identity,
                )
            }),
        })
    }
}

/// Parses a Go-style bind address: `:8081` (all interfaces), `host:port`, or `0`
/// (disabled, `Ok(None)`).
pub fn parse_bind_address(text: &str) -> Result<Option<SocketAddr>, String> {
    let text = text.trim();
    if text == "0" || text.is_empty() {
        return Ok(None);
    }
    let full = match text.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => text.to_string(),
    };
    full.parse()
        .map(Some)
        .map_err(|e| format!("invalid bind address {text:?}: {e}"))
}

impl Cli {
    /// Runs the parsed command and turns errors into a message and exit code 1.
    pub fn run(self) -> ExitCode {
        let mut stdout = std::io::stdout().lock();
        let result = match self.command {
            Command::Crd => cmd::crd::run(&mut stdout),
            Command::Explain(args) => cmd::explain::run(&args, &mut stdout),
            Command::Template(args) => cmd::template::run(&args, &mut stdout),
            Command::Render(args) => cmd::render::run(&args, &mut stdout),
            // `diff` has its own exit statuses (as `kubectl diff`).
            Command::Diff(args) => return cmd::diff::run(&args, &mut stdout),
            Command::Run(args) => {
                drop(stdout);
                cmd::run::run(&args)
            }
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[derive(Debug, Parser)]
    struct RunOnly {
        #[command(flatten)]
        run: RunArgs,
    }

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
        RunOnly::command().debug_assert();
    }

    #[test]
    fn explain_parses() {
        let cli = Cli::try_parse_from([
            "wandb-operator",
            "explain",
            "-f",
            "cr.yaml",
            "--user-input",
            "u.yaml",
            "--airgapped",
            "global.host",
        ])
        .unwrap();
        let Command::Explain(args) = cli.command else {
            panic!("not explain");
        };
        assert_eq!(args.key.as_deref(), Some("global.host"));
        assert!(args.layers.airgapped);
        assert_eq!(args.user_input, Some(PathBuf::from("u.yaml")));
    }

    // Setting the environment in-process is `unsafe` in edition 2024 (forbidden
    // here), so this checks the declared env names; `tests/cli.rs` runs the binary
    // with a real environment.
    #[test]
    fn env_twins_and_explicit_flags() {
        let cmd = RunOnly::command();
        let env_of = |id: &str| {
            cmd.get_arguments()
                .find(|a| a.get_id() == id)
                .and_then(|a| a.get_env())
                .map(|e| e.to_string_lossy().into_owned())
        };
        assert_eq!(
            env_of("operator_namespace").as_deref(),
            Some("OPERATOR_NAMESPACE")
        );
        assert_eq!(env_of("airgapped").as_deref(), Some("AIRGAPPED"));
        assert_eq!(
            env_of("deployer_channel_url").as_deref(),
            Some("DEPLOYER_CHANNEL_URL")
        );
        assert_eq!(
            env_of("isolation_namespaces").as_deref(),
            Some("ISOLATION_NAMESPACES")
        );
        assert_eq!(env_of("leader_elect").as_deref(), Some("LEADER_ELECT"));
        assert_eq!(
            env_of("metrics_bind_address").as_deref(),
            Some("METRICS_BIND_ADDRESS")
        );
        assert_eq!(
            env_of("health_probe_bind_address").as_deref(),
            Some("HEALTH_PROBE_BIND_ADDRESS")
        );

        let run = RunOnly::try_parse_from([
            "x",
            "--airgapped=false",
            "--leader-elect",
            "--isolation-namespaces=a, b,,c",
            "--metrics-bind-address=0",
        ])
        .unwrap()
        .run;
        assert!(!run.layers.airgapped);
        assert!(run.leader_elect);
        assert_eq!(
            run.namespaces(),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(parse_bind_address(&run.metrics_bind_address), Ok(None));
        assert_eq!(
            parse_bind_address(&run.health_probe_bind_address),
            Ok(Some("0.0.0.0:8081".parse().unwrap()))
        );
        for value in ["1", "yes", "True", "on"] {
            let run = RunOnly::try_parse_from(["x", &format!("--airgapped={value}")])
                .unwrap()
                .run;
            assert!(run.layers.airgapped, "{value}");
        }
    }

    /// Every env var the operator chart sets on the Deployment must be a flag twin of
    /// `run` (or one of the few read elsewhere), so chart and binary cannot drift.
    #[test]
    fn chart_env_names_are_run_flags() {
        let deployment = include_str!("../../../charts/operator/templates/deployment.yaml");
        let cmd = RunOnly::command();
        let twins: Vec<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned())
            .collect();
        let read_elsewhere = ["SERVICE_ACCOUNT_NAME", "RUST_LOG", "SSL_CERT_DIR"];
        let mut checked = 0;
        for line in deployment.lines() {
            let Some(name) = line.trim().strip_prefix("- name: ") else {
                continue;
            };
            if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                assert!(
                    twins.iter().any(|t| t == name) || read_elsewhere.contains(&name),
                    "chart sets {name}, which `run` does not read"
                );
                checked += 1;
            }
        }
        assert!(checked >= 8, "only {checked} env names found");
    }

    #[test]
    fn run_config_from_flags() {
        let run = RunOnly::try_parse_from([
            "x",
            "--leader-elect",
            "--operator-namespace=ops",
            "--isolation-namespaces=a",
            "--metrics-bind-address=127.0.0.1:9090",
            "--max-concurrent-reconciles=0",
        ])
        .unwrap()
        .run;
        let config = run.run_config("pod-1").unwrap();
        assert_eq!(config.namespaces, Some(vec!["a".to_string()]));
        assert_eq!(config.concurrency, 1);
        assert_eq!(config.metrics_addr, Some("127.0.0.1:9090".parse().unwrap()));
        let lease = config.leader_election.unwrap();
        assert_eq!(
            (
                lease.name.as_str(),
                lease.namespace.as_str(),
                lease.identity.as_str()
            ),
            ("3009dfa6.apps.wandb.com", "ops", "pod-1")
        );
        let bad = RunOnly::try_parse_from(["x", "--health-probe-bind-address=nope"])
            .unwrap()
            .run;
        assert!(bad.run_config("p").is_err());
    }

    #[test]
    fn bind_addresses() {
        assert_eq!(
            parse_bind_address("127.0.0.1:9"),
            Ok(Some("127.0.0.1:9".parse().unwrap()))
        );
        assert!(parse_bind_address(":http").is_err());
    }
}
