//! `wandb-operator template`: Helm's `helm template` command as a function.

use std::path::PathBuf;

use crate::{Error, RenderOptions, load_chart_dir, strvals, values, yaml};

/// The flags of `helm template` that we support.
#[derive(Clone, Debug, Default)]
pub struct TemplateOptions {
    /// Chart directory or `.tgz` archive.
    pub chart: PathBuf,
    /// `-f/--values` files, merged in order (later files win).
    pub values_files: Vec<PathBuf>,
    /// `--set k=v` (typed: integers are int64, `true`/`false`/`null`).
    pub set: Vec<String>,
    /// `--set-string k=v` (always strings).
    pub set_string: Vec<String>,
    /// Release name (`release-name` when `None`).
    pub release_name: Option<String>,
    /// Namespace (`default` when `None`).
    pub namespace: Option<String>,
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--kube-version` (Helm 4.2.3's default v1.36.0 when `None`).
    pub kube_version: Option<String>,
    /// `--api-versions`.
    pub api_versions: Vec<String>,
    /// `--no-hooks`: leave hook documents out.
    pub no_hooks: bool,
}

/// Reads `-f` files and applies `--set`/`--set-string` like Helm's
/// `values.Options.MergeValues`.
pub fn user_values(opts: &TemplateOptions) -> Result<values::Values, Error> {
    let mut base = values::Values::new();
    for f in &opts.values_files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| Error::Values(format!("open {}: {e}", f.display())))?;
        let parsed = yaml::parse_values(&text)
            .map_err(|e| Error::Values(format!("failed to parse {}: {e}", f.display())))?;
        values::merge_maps(&mut base, parsed);
    }
    for s in &opts.set {
        strvals::parse_into(s, &mut base)
            .map_err(|e| Error::Values(format!("failed parsing --set data: {e}")))?;
    }
    for s in &opts.set_string {
        strvals::parse_into_string(s, &mut base)
            .map_err(|e| Error::Values(format!("failed parsing --set-string data: {e}")))?;
    }
    Ok(base)
}

/// Runs `helm template [NAME] CHART -n NS -f ... --set ...` and returns
/// exactly what it prints on stdout.
pub fn template_cli(opts: &TemplateOptions) -> Result<String, Error> {
    let chart = load_chart_dir(&opts.chart)?;
    let vals = user_values(opts)?;
    let ropts = RenderOptions {
        release_name: opts
            .release_name
            .clone()
            .unwrap_or_else(|| "release-name".into()),
        namespace: opts.namespace.clone().unwrap_or_else(|| "default".into()),
        kube_version: opts.kube_version.clone(),
        api_versions: opts.api_versions.clone(),
        include_crds: opts.include_crds,
        ..RenderOptions::default()
    };
    let mut rendered = crate::render_owned_for_output(chart, vals, &ropts)?;
    if opts.no_hooks {
        rendered.hooks.clear();
    }
    Ok(rendered.to_helm_template_string(opts.include_crds))
}
