//! A Helm-compatible chart renderer: what `helm template` (Helm 4.2.3) prints,
//! byte for byte, without a helm binary.
//!
//! The pipeline is Helm's: load the chart ([`load_chart_dir`],
//! [`load_chart_archive`]), process dependencies (conditions, tags, aliases,
//! import-values), coalesce values, validate `values.schema.json`, render
//! every template with the Go template engine ([`gotmpl`]) and the Sprig/Helm
//! functions ([`funcs`]), then split, sort and print the manifests
//! ([`Rendered::to_helm_template_string`]).

pub mod chart;
mod cli;
mod deps;
mod engine;
pub mod funcs;
mod ignore;
mod manifest;
mod objects;
mod schema;
mod semverc;
pub mod strvals;
pub mod values;
pub mod yaml;

use std::{borrow::Cow, sync::Arc};

pub use chart::{Chart, Dependency, File, Metadata, load_chart_archive, load_chart_dir};
pub use cli::{TemplateOptions, template_cli, user_values};
pub use funcs::{FuncsState, Lookup, LookupError};
pub use manifest::{INSTALL_ORDER, Manifest, Rendered, install_order_index};

/// Errors of loading and rendering, reading like Helm's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The chart could not be loaded (missing/invalid `Chart.yaml`, bad
    /// archive, `values.yaml` syntax...).
    #[error("{0}")]
    Load(String),
    /// User values could not be read or parsed (`-f`, `--set`).
    #[error("{0}")]
    Values(String),
    /// Dependency processing or values coalescing failed.
    #[error("{0}")]
    Dependency(String),
    /// `values.schema.json` rejected the values.
    #[error("{0}")]
    Schema(String),
    /// The chart cannot be installed on this Kubernetes version, or the
    /// release name is invalid.
    #[error("{0}")]
    Compatibility(String),
    /// A template failed to parse or execute (file, line, column, message).
    #[error("{0}")]
    Render(String),
    /// A rendered document is not valid YAML.
    #[error("{0}")]
    Manifest(String),
}

impl Error {
    /// The message without the variant.
    pub fn inner(&self) -> &str {
        match self {
            Error::Load(s)
            | Error::Values(s)
            | Error::Dependency(s)
            | Error::Schema(s)
            | Error::Compatibility(s)
            | Error::Render(s)
            | Error::Manifest(s) => s,
        }
    }
}

/// How to render: the `helm template` flags that change the output.
#[derive(Clone)]
pub struct RenderOptions {
    /// `.Release.Name` (default `release-name`).
    pub release_name: String,
    /// `.Release.Namespace` (default `default`).
    pub namespace: String,
    /// `.Release.Revision` (1 on install).
    pub revision: i64,
    /// `.Release.IsUpgrade` (and `IsInstall` is its negation).
    pub is_upgrade: bool,
    /// `.Capabilities.KubeVersion`; `None` is Helm 4.2.3's default v1.36.0.
    pub kube_version: Option<String>,
    /// Extra `.Capabilities.APIVersions` entries.
    pub api_versions: Vec<String>,
    /// Whether `crds/` files are printed by [`Rendered::to_helm_template_string`]
    /// callers that use this flag (the CLI does).
    pub include_crds: bool,
    /// Cluster access for `lookup`; `None` returns empty maps (offline).
    pub lookup: Option<Arc<dyn Lookup>>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            release_name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            lookup: None,
        }
    }
}

impl std::fmt::Debug for RenderOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderOptions")
            .field("release_name", &self.release_name)
            .field("namespace", &self.namespace)
            .field("revision", &self.revision)
            .field("is_upgrade", &self.is_upgrade)
            .field("kube_version", &self.kube_version)
            .field("api_versions", &self.api_versions)
            .field("include_crds", &self.include_crds)
            .field("lookup", &self.lookup.is_some())
            .finish()
    }
}

/// Renders `chart` with user-supplied `values` (already merged, like the `-f`
/// files of `helm template`; every JSON number is read as a float64, as Helm
/// reads YAML values). Runs Helm's whole install pipeline in dry-run mode.
pub fn render(
    chart: &Chart,
    values: &serde_json::Value,
    opts: &RenderOptions,
) -> Result<Rendered, Error> {
    engine::render_chart(
        Cow::Borrowed(chart),
        json_values(values)?,
        opts,
        false,
        true,
    )
}

/// Helm's `engine.Render` after the install pipeline: every rendered
/// template (NOTES.txt included, partials excluded) as (path, text) in
/// [`Rendered::raw`], with nothing split or sorted. Numbers in `values` are
/// read as float64.
pub fn render_files(
    chart: &Chart,
    values: &serde_json::Value,
    opts: &RenderOptions,
) -> Result<Rendered, Error> {
    engine::render_chart(
        Cow::Borrowed(chart),
        json_values(values)?,
        opts,
        true,
        false,
    )
}

/// User values given as JSON: a map (numbers read as float64) or null.
fn json_values(values: &serde_json::Value) -> Result<values::Values, Error> {
    match values {
        serde_json::Value::Object(m) => Ok(values::floats_only(m)),
        serde_json::Value::Null => Ok(values::Values::new()),
        _ => Err(Error::Values("values must be a map".into())),
    }
}

/// Like [`render`], but integers in `values` stay Go `int64` (what `--set`
/// produces in real Helm) while floats stay float64.
pub fn render_typed(
    chart: &Chart,
    values: values::Values,
    opts: &RenderOptions,
) -> Result<Rendered, Error> {
    engine::render_chart(Cow::Borrowed(chart), values, opts, false, true)
}

/// [`render_for_output`] for a chart the caller hands over (its values are
/// moved into the coalesced values rather than copied).
pub(crate) fn render_owned_for_output(
    chart: Chart,
    values: values::Values,
    opts: &RenderOptions,
) -> Result<Rendered, Error> {
    engine::render_chart(Cow::Owned(chart), values, opts, false, false)
}

/// What the `helm template` command needs: like [`render_typed`] but
/// [`Manifest::object`] is left `Null` (documents are scanned for validity
/// and their head only, which is much cheaper on big charts).
pub fn render_for_output(
    chart: &Chart,
    values: values::Values,
    opts: &RenderOptions,
) -> Result<Rendered, Error> {
    engine::render_chart(Cow::Borrowed(chart), values, opts, false, false)
}
