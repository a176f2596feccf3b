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
mod deps;
pub mod funcs;
mod ignore;
mod manifest;
mod schema;
mod semverc;
pub mod strvals;
pub mod values;
pub mod yaml;

pub use manifest::{Manifest, Rendered, install_order_index};
pub use chart::{Chart, Dependency, File, Metadata, load_chart_archive, load_chart_dir};

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

