//! The release channel: the layer below the user input, published by W&B (or a
//! local server) as `{metadata, chart, values}`.
//!
//! [`ReleaseChannel`] is the client interface; [`FileChannel`] reads a release from a
//! file and the HTTP client lives elsewhere. [`select_base`] decides, without IO,
//! which release becomes the layer: the fresh one, else the cached copy
//! (`<name>-latest-cached-release`), else the channel embedded in the binary.
//! `AIRGAPPED=true` never calls the channel and ignores the cache.

mod file;

use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::Value;

pub use file::FileChannel;

use crate::{source::SecretString, spec::StoredSpec};

/// The channel embedded in the binary (`channels/default.yaml`).
pub const EMBEDDED_CHANNEL_YAML: &str = include_str!("../../../../channels/default.yaml");

/// What the operator asks the channel for.
#[derive(Clone, Debug, Default)]
pub struct ChannelRequest {
    /// The license, sent as HTTP basic auth `license:<license>` by the HTTP client.
    pub license: Option<SecretString>,
    /// A pinned release (`_releaseId` in the user input); latest when `None`.
    pub release_id: Option<String>,
}

/// The channel could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// Network, file system or server trouble; worth retrying later.
    #[error("release channel unreachable: {0}")]
    Unreachable(String),
    /// The pinned release does not exist.
    #[error("release {0:?} not found in the release channel")]
    ReleaseNotFound(String),
    /// The answer is not a release document.
    #[error("release channel answer is invalid: {0}")]
    Invalid(String),
}

/// A release-channel client.
pub trait ReleaseChannel: Send + Sync {
    /// Fetches the latest (or pinned) release.
    fn fetch<'a>(
        &'a self,
        request: &'a ChannelRequest,
    ) -> BoxFuture<'a, Result<StoredSpec, ChannelError>>;
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseDocument {
    #[serde(default)]
    metadata: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    chart: Value,
    #[serde(default)]
    values: Value,
}

/// Parses a release document (YAML or JSON) `{metadata, chart, values}`.
pub fn parse_release(text: &str) -> Result<StoredSpec, ChannelError> {
    let doc: ReleaseDocument =
        serde_saphyr::from_str(text).map_err(|e| ChannelError::Invalid(e.to_string()))?;
    let values = match doc.values {
        Value::Null => Value::Object(Default::default()),
        v @ Value::Object(_) => v,
        _ => return Err(ChannelError::Invalid("values must be a map".into())),
    };
    Ok(StoredSpec {
        chart: doc.chart,
        values,
        metadata: doc.metadata,
    })
}

/// The embedded channel's release.
pub fn embedded_release() -> Result<StoredSpec, ChannelError> {
    parse_release(EMBEDDED_CHANNEL_YAML)
}

/// Where the base layer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseSource {
    /// A fresh answer from the channel.
    Channel,
    /// `<name>-latest-cached-release`, because the channel failed.
    Cache,
    /// The channel compiled into the binary.
    Embedded,
}

/// The chosen base layer and what the `ChannelReachable` condition should say.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseLayer {
    /// The release used as the channel layer.
    pub release: StoredSpec,
    /// Where it came from.
    pub source: BaseSource,
    /// Whether the cache Secret should be (re)written with `release`.
    pub write_cache: bool,
    /// `ChannelReachable` status.
    pub reachable: bool,
    /// `ChannelReachable` reason.
    pub reason: &'static str,
    /// `ChannelReachable` message.
    pub message: String,
}

/// Chooses the base layer. `fetched` is `None` when the channel was not called
/// (air-gapped); `cached` is the content of `<name>-latest-cached-release`.
pub fn select_base(
    airgapped: bool,
    fetched: Option<Result<StoredSpec, ChannelError>>,
    cached: Option<StoredSpec>,
    embedded: StoredSpec,
) -> BaseLayer {
    if airgapped {
        return BaseLayer {
            release: embedded,
            source: BaseSource::Embedded,
            write_cache: false,
            reachable: true,
            reason: "AirGapped",
            message: "air-gapped: the release channel is not used; the embedded channel applies"
                .into(),
        };
    }
    match (fetched, cached) {
        (Some(Ok(release)), cached) => BaseLayer {
            write_cache: cached.as_ref() != Some(&release),
            release,
            source: BaseSource::Channel,
            reachable: true,
            reason: "Fetched",
            message: "the release channel answered".into(),
        },
        (Some(Err(e)), Some(cached)) => BaseLayer {
            release: cached,
            source: BaseSource::Cache,
            write_cache: false,
            reachable: false,
            reason: "UsingCachedRelease",
            message: format!("{e}; using the last cached release"),
        },
        (Some(Err(e)), None) => BaseLayer {
            release: embedded,
            source: BaseSource::Embedded,
            write_cache: false,
            reachable: false,
            reason: "UsingEmbeddedRelease",
            message: format!("{e}; no cached release, using the embedded channel"),
        },
        (None, _) => BaseLayer {
            release: embedded,
            source: BaseSource::Embedded,
            write_cache: false,
            reachable: true,
            reason: "NotConfigured",
            message: "no release channel configured; the embedded channel applies".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::source::{ChartRef, parse_chart_ref};

    fn release(tag: &str) -> StoredSpec {
        StoredSpec {
            chart: json!({"name": "operator-wandb", "version": "0.1.0"}),
            values: json!({"app": {"image": {"tag": tag}}}),
            metadata: None,
        }
    }

    #[test]
    fn the_embedded_channel_names_the_embedded_chart() {
        let r = embedded_release().unwrap();
        let chart = parse_chart_ref(&r.chart, "embedded channel chart").unwrap();
        assert!(
            matches!(chart, Some(ChartRef::Embedded { name: Some(_), .. })),
            "{chart:?}"
        );
        assert!(
            r.metadata
                .as_ref()
                .is_some_and(|m| m.contains_key("releaseId"))
        );
        assert!(r.values.is_object());
    }

    #[test]
    fn parse_rejects_unknown_top_level_keys_and_non_map_values() {
        assert!(parse_release("chart: {}\nvalues: {}\nextra: 1\n").is_err());
        assert!(parse_release("values: [1]\n").is_err());
        assert_eq!(parse_release("{}").unwrap().values, json!({}));
    }

    #[test]
    fn fresh_release_is_used_and_cached_only_when_it_changed() {
        let b = select_base(
            false,
            Some(Ok(release("2"))),
            Some(release("1")),
            release("e"),
        );
        assert_eq!(
            (b.source, b.write_cache, b.reachable),
            (BaseSource::Channel, true, true)
        );
        let b = select_base(
            false,
            Some(Ok(release("2"))),
            Some(release("2")),
            release("e"),
        );
        assert!(!b.write_cache);
    }

    #[test]
    fn failure_falls_back_to_cache_then_embedded() {
        let err = || Some(Err(ChannelError::Unreachable("timeout".into())));
        let b = select_base(false, err(), Some(release("1")), release("e"));
        assert_eq!(
            (b.source, b.reachable, b.reason),
            (BaseSource::Cache, false, "UsingCachedRelease")
        );
        assert_eq!(b.release, release("1"));
        assert!(b.message.contains("timeout"));
        let b = select_base(false, err(), None, release("e"));
        assert_eq!((b.source, b.release), (BaseSource::Embedded, release("e")));
    }

    #[test]
    fn airgapped_ignores_channel_and_cache() {
        let b = select_base(
            true,
            Some(Ok(release("2"))),
            Some(release("1")),
            release("e"),
        );
        assert_eq!(
            (b.source, b.write_cache, b.reason),
            (BaseSource::Embedded, false, "AirGapped")
        );
    }
}
