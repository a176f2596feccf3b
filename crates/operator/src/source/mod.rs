//! Chart sources: recognising `spec.chart` (or a channel's `chart`) and reading a
//! local chart.
//!
//! Recognition follows the Go operator's order (local `path` first, then `oci://`
//! URLs, then Helm repositories), but an object that fits none of them is an error
//! that names the field, where the Go operator silently deployed the channel's chart
//! instead. Fetching from HTTP repositories and OCI registries is a separate step
//! (not in this module); this module only describes them.

mod embedded;
mod local;

use std::{fmt, path::PathBuf};

use serde_json::{Map, Value};

pub use embedded::{EMBEDDED_CHART_TGZ, check_embedded, embedded_chart_id};
pub use local::{LocalChart, LocalChartError, MAX_CHART_ARCHIVE_BYTES, read_local_chart};

/// A chart reference could not be turned into chart bytes without the network.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The reference needs an HTTP repository or OCI registry client.
    #[error("{0} must be downloaded; this build reads only embedded and local charts")]
    NeedsNetwork(String),
    /// The local chart is unusable.
    #[error(transparent)]
    Local(#[from] LocalChartError),
    /// `{name, version}` does not match the embedded chart.
    #[error(transparent)]
    Embedded(#[from] ChartRefError),
}

/// Resolves a reference to a chart the renderer can load, without the network:
/// the embedded chart (after checking name and version) or a local path. `field`
/// names the reference's origin for errors.
pub fn fetch_offline(chart: &ChartRef, field: &str) -> Result<LocalChart, FetchError> {
    match chart {
        ChartRef::Embedded { name, version } => {
            check_embedded(name.as_deref(), version.as_deref(), field)?;
            Ok(LocalChart::Archive(EMBEDDED_CHART_TGZ.to_vec()))
        }
        ChartRef::Local { path } => Ok(read_local_chart(path)?),
        ChartRef::Repo { .. } | ChartRef::Oci { .. } => {
            Err(FetchError::NeedsNetwork(chart.describe()))
        }
    }
}

/// A string that must never be printed (inline chart credentials).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(pub String);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::spec::REDACTED)
    }
}

/// A Secret in the custom resource's namespace holding registry credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialSecret {
    /// Secret name.
    pub name: String,
    /// Key of the user name; `HELM_USERNAME` when not given (Go operator default).
    pub username_key: String,
    /// Key of the password; `HELM_PASSWORD` when not given (Go operator default).
    pub password_key: String,
}

/// Credentials for an HTTP repository or an OCI registry.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Credentials {
    /// Inline user name.
    pub username: Option<String>,
    /// Inline password (never printed).
    pub password: Option<SecretString>,
    /// Credentials read from a Secret; wins over the inline ones.
    pub secret: Option<CredentialSecret>,
}

/// Where a chart comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChartRef {
    /// The platform chart built into the operator binary; also `{name, version}`
    /// without `url` or `path` (the embedded channel's form). When given, name and
    /// version must match the embedded chart's `Chart.yaml`.
    Embedded {
        /// Expected chart name.
        name: Option<String>,
        /// Expected chart version.
        version: Option<String>,
    },
    /// `{path}`: a chart directory, a `.tgz`, or a file holding a base64 `.tgz`
    /// (the Go operator's air-gapped form, e.g. `/charts/operator-wandb.b64`).
    Local {
        /// Path on the operator's file system.
        path: PathBuf,
    },
    /// `{url, name, version}`: a classic Helm repository with an `index.yaml`.
    Repo {
        /// Repository URL (`http` or `https`).
        url: String,
        /// Chart name in the index.
        name: String,
        /// Version or semver range; newest stable when absent.
        version: Option<String>,
        /// Local repository name (cache key); derived from the host when absent.
        repo_name: Option<String>,
        /// Basic-auth credentials.
        credentials: Credentials,
    },
    /// `{url: oci://..., version}`: a chart in an OCI registry.
    Oci {
        /// `oci://host/path/chart`, possibly with a tag or digest.
        url: String,
        /// Tag; required unless `url` carries a tag or digest.
        version: Option<String>,
        /// Talk plain HTTP to the registry.
        plain_http: bool,
        /// Registry credentials.
        credentials: Credentials,
    },
}

impl ChartRef {
    /// A short description for events and `explain` (no credentials).
    pub fn describe(&self) -> String {
        match self {
            ChartRef::Embedded { name, version } => match (name, version) {
                (Some(n), Some(v)) => format!("embedded chart {n} {v}"),
                (Some(n), None) => format!("embedded chart {n}"),
                _ => "embedded chart".to_string(),
            },
            ChartRef::Local { path } => format!("local chart {}", path.display()),
            ChartRef::Repo {
                url, name, version, ..
            } => format!(
                "{name} {} from {url}",
                version.as_deref().unwrap_or("(latest)")
            ),
            ChartRef::Oci { url, version, .. } => match version {
                Some(v) => format!("{url}:{v}"),
                None => url.clone(),
            },
        }
    }
}

/// A `chart` object that names no known chart source, or has a field of the
/// wrong type. `field` is the full path, e.g. `spec.chart.version`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ChartRefError {
    /// The offending field.
    pub field: String,
    /// What is wrong and what is expected.
    pub message: String,
}

/// Recognises a chart reference. `field` names where it came from (`spec.chart`,
/// `chart` of the release channel, ...) and prefixes every error. `null` and `{}`
/// mean "no chart here" and give `Ok(None)`.
pub fn parse_chart_ref(value: &Value, field: &str) -> Result<Option<ChartRef>, ChartRefError> {
    let map = match value {
        Value::Null => return Ok(None),
        Value::Object(map) if map.is_empty() => return Ok(None),
        Value::Object(map) => map,
        other => {
            return Err(ChartRefError {
                field: field.to_string(),
                message: format!("expected an object, got {}", type_name(other)),
            });
        }
    };
    let fields = Fields { map, field };
    if let Some(path) = fields.string("path")? {
        if path.is_empty() {
            return Err(fields.error("path", "must not be empty"));
        }
        return Ok(Some(ChartRef::Local {
            path: PathBuf::from(path),
        }));
    }
    let url = fields.string("url")?;
    if let Some(url) = url {
        let credentials = fields.credentials()?;
        if url.starts_with("oci://") {
            let version = fields.string("version")?;
            if version.is_none() && !oci_url_has_tag_or_digest(&url) {
                return Err(fields.error(
                    "version",
                    "required for an oci:// chart unless the url ends in :<tag> or @<digest>",
                ));
            }
            return Ok(Some(ChartRef::Oci {
                url,
                version,
                plain_http: fields.bool("plainHTTP")?.unwrap_or(false),
                credentials,
            }));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(fields.error("url", "must start with https://, http:// or oci://"));
        }
        let Some(name) = fields.string("name")? else {
            return Err(fields.error(
                "name",
                "required with a Helm repository url (the chart's name, e.g. operator-wandb)",
            ));
        };
        return Ok(Some(ChartRef::Repo {
            url,
            name,
            version: fields.string("version")?,
            repo_name: fields.string("repoName")?,
            credentials,
        }));
    }
    if let Some(name) = fields.string("name")? {
        return Ok(Some(ChartRef::Embedded {
            name: Some(name),
            version: fields.string("version")?,
        }));
    }
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    Err(ChartRefError {
        field: field.to_string(),
        message: format!(
            "unrecognised chart reference with fields [{}]; expected {{path}} \
             (directory, .tgz or base64 .tgz), {{url, name, version}} (Helm repository), \
             {{url: oci://..., version}} (OCI registry) or {{name, version}} (embedded chart)",
            keys.join(", ")
        ),
    })
}

fn oci_url_has_tag_or_digest(url: &str) -> bool {
    let rest = url.trim_start_matches("oci://");
    let last = rest.rsplit('/').next().unwrap_or("");
    rest.contains('@') || (rest.contains('/') && last.contains(':'))
}

struct Fields<'a> {
    map: &'a Map<String, Value>,
    field: &'a str,
}

impl Fields<'_> {
    fn error(&self, key: &str, message: &str) -> ChartRefError {
        ChartRefError {
            field: format!("{}.{key}", self.field),
            message: message.to_string(),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, ChartRefError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(
                key,
                &format!(
                    "expected a string, got {} {other} (quote it, e.g. \"{}\")",
                    type_name(other),
                    other
                ),
            )),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ChartRefError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.error(
                key,
                &format!("expected true or false, got {}", type_name(other)),
            )),
        }
    }

    fn credentials(&self) -> Result<Credentials, ChartRefError> {
        let secret = match self.map.get("credentialSecret") {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => {
                let sub = Fields {
                    map: m,
                    field: &format!("{}.credentialSecret", self.field),
                };
                let Some(name) = sub.string("name")? else {
                    return Err(sub.error("name", "required (the Secret holding the credentials)"));
                };
                Some(CredentialSecret {
                    name,
                    username_key: sub
                        .string("usernameKey")?
                        .unwrap_or_else(|| "HELM_USERNAME".into()),
                    password_key: sub
                        .string("passwordKey")?
                        .unwrap_or_else(|| "HELM_PASSWORD".into()),
                })
            }
            Some(other) => {
                return Err(self.error(
                    "credentialSecret",
                    &format!(
                        "expected an object {{name, usernameKey, passwordKey}}, got {}",
                        type_name(other)
                    ),
                ));
            }
        };
        Ok(Credentials {
            username: self.string("username")?,
            password: self.string("password")?.map(SecretString),
            secret,
        })
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: Value) -> Result<Option<ChartRef>, ChartRefError> {
        parse_chart_ref(&v, "spec.chart")
    }

    #[test]
    fn absent_and_empty_mean_no_chart() {
        assert_eq!(parse(Value::Null), Ok(None));
        assert_eq!(parse(json!({})), Ok(None));
    }

    #[test]
    fn local_path_wins_like_in_the_go_operator() {
        let r = parse(json!({"path": "/charts/operator-wandb.b64", "url": "https://x"})).unwrap();
        assert_eq!(
            r,
            Some(ChartRef::Local {
                path: "/charts/operator-wandb.b64".into()
            })
        );
        assert_eq!(
            parse(json!({"path": ""})).unwrap_err().field,
            "spec.chart.path"
        );
    }

    #[test]
    fn helm_repository() {
        let r = parse(json!({"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.41.3"}))
            .unwrap()
            .unwrap();
        let ChartRef::Repo {
            url, name, version, ..
        } = &r
        else {
            panic!("not a repo: {r:?}");
        };
        assert_eq!(
            (url.as_str(), name.as_str()),
            ("https://charts.wandb.ai", "operator-wandb")
        );
        assert_eq!(version.as_deref(), Some("0.41.3"));
        assert_eq!(
            r.describe(),
            "operator-wandb 0.41.3 from https://charts.wandb.ai"
        );
    }

    #[test]
    fn oci_with_credential_secret_defaults() {
        let r = parse(json!({
            "url": "oci://host:5050/wandb/operator-wandb",
            "version": "0.41.3",
            "plainHTTP": true,
            "credentialSecret": {"name": "oci-registry-creds"}
        }))
        .unwrap()
        .unwrap();
        assert_eq!(
            r,
            ChartRef::Oci {
                url: "oci://host:5050/wandb/operator-wandb".into(),
                version: Some("0.41.3".into()),
                plain_http: true,
                credentials: Credentials {
                    username: None,
                    password: None,
                    secret: Some(CredentialSecret {
                        name: "oci-registry-creds".into(),
                        username_key: "HELM_USERNAME".into(),
                        password_key: "HELM_PASSWORD".into(),
                    }),
                },
            }
        );
    }

    #[test]
    fn oci_needs_a_version_unless_tagged() {
        let e = parse(json!({"url": "oci://r.example/wandb/operator-wandb"})).unwrap_err();
        assert_eq!(e.field, "spec.chart.version");
        assert!(parse(json!({"url": "oci://r.example/wandb/operator-wandb:0.41.3"})).is_ok());
        assert!(
            parse(json!({"url": "oci://r.example:5000/wandb/operator-wandb@sha256:ab"})).is_ok()
        );
        assert!(parse(json!({"url": "oci://r.example:5000/operator-wandb"})).is_err());
    }

    #[test]
    fn name_without_url_or_path_is_the_embedded_chart() {
        assert_eq!(
            parse(json!({"name": "operator-wandb", "version": "0.1.0"})).unwrap(),
            Some(ChartRef::Embedded {
                name: Some("operator-wandb".into()),
                version: Some("0.1.0".into())
            })
        );
    }

    #[test]
    fn unrecognised_shapes_are_errors_naming_the_field() {
        let e = parse(json!({"repository": "x", "chart": "y"})).unwrap_err();
        assert_eq!(e.field, "spec.chart");
        assert!(e.message.contains("repository, chart"), "{e}");
        let e = parse(json!({"url": "https://charts.wandb.ai"})).unwrap_err();
        assert_eq!(e.field, "spec.chart.name");
        let e = parse(json!({"url": "ftp://x", "name": "n"})).unwrap_err();
        assert_eq!(e.field, "spec.chart.url");
        let e = parse(json!("operator-wandb")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("spec.chart: expected an object, got a string")
        );
    }

    #[test]
    fn an_unquoted_version_is_an_error_not_a_silent_fallback() {
        let e = parse(
            json!({"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": 1.0}),
        )
        .unwrap_err();
        assert_eq!(e.field, "spec.chart.version");
        assert!(e.message.contains("expected a string"), "{e}");
    }

    #[test]
    fn offline_fetch_serves_embedded_and_local_charts_only() {
        let embedded = ChartRef::Embedded {
            name: None,
            version: None,
        };
        assert!(matches!(
            fetch_offline(&embedded, "spec.chart"),
            Ok(LocalChart::Archive(bytes)) if bytes == EMBEDDED_CHART_TGZ
        ));
        let wrong = ChartRef::Embedded {
            name: Some("operator-wandb".into()),
            version: Some("0.0.0-nope".into()),
        };
        assert!(matches!(
            fetch_offline(&wrong, "spec.chart"),
            Err(FetchError::Embedded(_))
        ));
        let repo = parse(json!({"url": "https://charts.wandb.ai", "name": "operator-wandb"}))
            .unwrap()
            .unwrap();
        let e = fetch_offline(&repo, "spec.chart").unwrap_err();
        assert!(e.to_string().contains("must be downloaded"), "{e}");
        let local = ChartRef::Local {
            path: "/nonexistent/chart.tgz".into(),
        };
        assert!(matches!(
            fetch_offline(&local, "spec.chart"),
            Err(FetchError::Local(_))
        ));
    }

    #[test]
    fn inline_passwords_are_not_printed() {
        let r =
            parse(json!({"url": "https://r", "name": "c", "username": "u", "password": "hunter2"}))
                .unwrap()
                .unwrap();
        assert!(!format!("{r:?}").contains("hunter2"));
    }
}
