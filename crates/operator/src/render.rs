//! The boundary to the `helm` crate: the only module that will call it.
//!
//! The contract agreed with the `helm` crate (see its `lib.rs`):
//!
//! ```text
//! pub fn load_chart_dir(path: &Path) -> Result<Chart, Error>;
//! pub fn load_chart_archive(bytes: &[u8]) -> Result<Chart, Error>;   // .tgz, with limits
//! pub fn render(chart: &Chart, values: &serde_json::Value, opts: &RenderOptions)
//!     -> Result<Rendered, Error>;
//! pub struct RenderOptions { release_name, namespace, revision, is_upgrade,
//!     kube_version, api_versions, include_crds, lookup: Option<Arc<dyn Lookup>> }
//! pub trait Lookup: Send + Sync { fn lookup(&self, api_version, kind, namespace, name)
//!     -> Result<Option<serde_json::Value>, LookupError>; }
//! pub struct Rendered { manifests, hooks, crds: Vec<Manifest>, notes: Option<String> }
//! pub struct Manifest { source, text, object, api_version, kind, namespace, name }
//! pub fn install_order_index(kind: &str) -> usize;
//! ```
//!
//! Until the crate lands, this module defines the operator's side of the boundary:
//! [`Manifest`] (a field-for-field mirror, so that the conversion is a struct
//! literal), [`RenderRequest`] (what the operator passes: the chart from
//! [`crate::source::fetch_offline`], release = CR name,
//! namespace = CR namespace, revision from the status) and [`chart_version_string`]
//! for `status.version`. Wiring `helm` means adding `fn render(req) -> Result<Vec<Manifest>>`
//! here and nothing else.

use serde_json::Value;

use crate::{source::LocalChart, spec::DesiredSpec};

/// One rendered Kubernetes object (mirror of `helm::Manifest`).
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// Template that produced it, e.g. `operator-wandb/templates/app/deployment.yaml`.
    pub source: String,
    /// The YAML document as Helm prints it.
    pub text: String,
    /// The parsed document.
    pub object: Value,
    /// `apiVersion` of the object.
    pub api_version: String,
    /// `kind` of the object.
    pub kind: String,
    /// `metadata.namespace` as rendered (`None` when the template leaves it out).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl Manifest {
    /// Builds a manifest from a parsed object (used by tests and by the conversion
    /// from `helm::Manifest` when the text is not needed).
    pub fn from_object(source: &str, object: Value) -> Manifest {
        let s = |p: &str| {
            object
                .pointer(p)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Manifest {
            source: source.to_string(),
            text: String::new(),
            api_version: s("/apiVersion").unwrap_or_default(),
            kind: s("/kind").unwrap_or_default(),
            namespace: s("/metadata/namespace"),
            name: s("/metadata/name").unwrap_or_default(),
            object,
        }
    }

    /// The value of annotation `key`, if set.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.object
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}

/// Everything the renderer needs from the operator.
#[derive(Clone, Debug)]
pub struct RenderRequest<'a> {
    /// The chart, from [`crate::source::fetch_offline`] (or a download): a directory
    /// for `helm::load_chart_dir` or bytes for `helm::load_chart_archive`.
    pub chart: &'a LocalChart,
    /// Release name: the CR name, as the Go operator used.
    pub release_name: &'a str,
    /// The CR namespace.
    pub namespace: &'a str,
    /// 1 on first install, then `status.lastAppliedRevision + 1`.
    pub revision: i64,
    /// The desired spec (its merged values are the `-f` values).
    pub spec: &'a DesiredSpec,
}

impl RenderRequest<'_> {
    /// Whether Helm's `.Release.IsUpgrade` is true.
    pub fn is_upgrade(&self) -> bool {
        self.revision > 1
    }
}

/// `status.version`: `<chart version>` or `<chart version> (app <app version>)`.
pub fn chart_version_string(chart_version: &str, app_version: Option<&str>) -> String {
    match app_version {
        Some(app) if !app.is_empty() => format!("{chart_version} (app {app})"),
        _ => chart_version.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn manifest_from_object_reads_identity_and_annotations() {
        let m = Manifest::from_object(
            "c/templates/pvc.yaml",
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                   "metadata": {"name": "data", "namespace": "ns",
                                "annotations": {"helm.sh/resource-policy": "keep"}}}),
        );
        assert_eq!(
            (m.api_version.as_str(), m.kind.as_str(), m.name.as_str()),
            ("v1", "PersistentVolumeClaim", "data")
        );
        assert_eq!(m.namespace.as_deref(), Some("ns"));
        assert_eq!(m.annotation("helm.sh/resource-policy"), Some("keep"));
        assert_eq!(m.annotation("other"), None);
    }

    #[test]
    fn version_string() {
        assert_eq!(
            chart_version_string("0.41.3", Some("0.62.1")),
            "0.41.3 (app 0.62.1)"
        );
        assert_eq!(chart_version_string("0.41.3", Some("")), "0.41.3");
        assert_eq!(chart_version_string("0.41.3", None), "0.41.3");
    }
}

/// Cluster access for the chart's `lookup` function (the `helm::Lookup` contract:
/// the object as JSON, a `List` for an empty name, `Ok(None)` when missing). The
/// renderer is synchronous, so this blocks on the runtime `handle`; call it only
/// from a blocking thread (the controller renders inside `spawn_blocking`).
#[derive(Clone)]
pub struct ClusterLookup {
    client: kube::Client,
    handle: tokio::runtime::Handle,
    discovery: crate::apply::Discovery,
}

impl ClusterLookup {
    /// A lookup through `client`, driven by `handle`.
    pub fn new(client: kube::Client, handle: tokio::runtime::Handle) -> ClusterLookup {
        ClusterLookup {
            client,
            handle,
            discovery: crate::apply::Discovery::default(),
        }
    }

    /// Resolves kinds through `discovery` (the applier's), so that a kind is
    /// discovered once per process, not on every render.
    pub fn with_discovery(mut self, discovery: crate::apply::Discovery) -> ClusterLookup {
        self.discovery = discovery;
        self
    }

    /// Looks up one object (or, with an empty `name`, lists them) in `namespace`
    /// (empty: cluster-wide / all namespaces). Errors are messages for the template
    /// error, as Helm reports them.
    pub fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Value>, String> {
        use kube::{
            Api,
            api::{DynamicObject, ListParams},
        };
        self.handle.block_on(async {
            let (resource, namespaced) = self
                .discovery
                .resolve(&self.client, api_version, kind)
                .await
                .map_err(|e| {
                    format!(
                        "unable to get apiresource from unstructured: {api_version} {kind}: {e}"
                    )
                })?;
            let api: Api<DynamicObject> = if namespaced && !namespace.is_empty() {
                Api::namespaced_with(self.client.clone(), namespace, &resource)
            } else {
                Api::all_with(self.client.clone(), &resource)
            };
            if name.is_empty() {
                let list = api.list(&ListParams::default()).await.map_err(|e| {
                    if matches!(&e, kube::Error::Api(s) if s.code == 404) {
                        // The kind is no longer served: discover it afresh.
                        self.discovery.forget(api_version, kind);
                    }
                    format!("unable to list {kind}: {e}")
                })?;
                let items: Vec<Value> = list
                    .items
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?;
                return Ok(Some(
                    serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}),
                ));
            }
            match api.get_opt(name).await {
                Ok(Some(o)) => serde_json::to_value(o).map(Some).map_err(|e| e.to_string()),
                Ok(None) => Ok(None),
                Err(e) => Err(format!("unable to get {kind} {name}: {e}")),
            }
        })
    }
}

#[cfg(test)]
mod lookup_tests {
    use serde_json::json;

    use super::*;
    use crate::testing::FakeApi;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lookup_gets_lists_and_misses() {
        let api = FakeApi::default();
        api.put(
            "/api/v1/namespaces/ns/secrets/wandb-mysql",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wandb-mysql", "namespace": "ns"},
                   "data": {"password": "cA=="}}),
        );
        let lookup = ClusterLookup::new(api.client(), tokio::runtime::Handle::current());
        let found = tokio::task::spawn_blocking(move || {
            (
                lookup.lookup("v1", "Secret", "ns", "wandb-mysql"),
                lookup.lookup("v1", "Secret", "ns", "missing"),
                lookup.lookup("example.com/v1", "Widget", "ns", "w"),
            )
        })
        .await
        .unwrap();
        assert_eq!(found.0.unwrap().unwrap()["data"]["password"], "cA==");
        assert_eq!(found.1.unwrap(), None);
        assert!(found.2.unwrap_err().contains("Widget"));
    }
}

impl helm::Lookup for ClusterLookup {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Value>, helm::LookupError> {
        ClusterLookup::lookup(self, api_version, kind, namespace, name).map_err(helm::LookupError)
    }
}

/// Loads the chart the renderer will use: a directory or archive bytes.
pub fn load_chart(chart: &LocalChart) -> Result<helm::Chart, helm::Error> {
    match chart {
        LocalChart::Directory(path) => helm::load_chart_dir(path),
        LocalChart::Archive(bytes) => helm::load_chart_archive(bytes),
    }
}

/// Helm hooks that `helm install` never runs (they belong to `helm test`).
fn is_test_hook(m: &helm::Manifest) -> bool {
    m.object
        .pointer("/metadata/annotations/helm.sh~1hook")
        .and_then(Value::as_str)
        .is_some_and(|hooks| {
            hooks
                .split(',')
                .all(|h| matches!(h.trim(), "test" | "test-success" | "test-failure"))
        })
}

fn convert(m: helm::Manifest) -> Manifest {
    Manifest {
        source: m.source,
        text: m.text,
        object: m.object,
        api_version: m.api_version,
        kind: m.kind,
        namespace: m.namespace,
        name: m.name,
    }
}

/// The chart rendered by the `helm` crate, in the operator's terms.
#[derive(Clone, Debug)]
pub struct HelmOutput {
    /// What the controller applies: the chart's `crds/` first (Helm installs them
    /// before anything else), then the manifests in install order, then the hooks
    /// (except test hooks) as plain objects.
    pub rendered: crate::controller::RenderedChart,
    /// What `helm template --include-crds` prints for the same render.
    pub template_text: String,
}

/// The [`crate::controller::Renderer`] backed by the `helm` crate. With a `lookup`
/// the chart's `lookup` reads the cluster; without, it sees empty maps (offline, as
/// `helm template`).
#[derive(Clone, Default)]
pub struct HelmRenderer {
    lookup: Option<std::sync::Arc<dyn helm::Lookup>>,
}

impl HelmRenderer {
    /// A renderer whose `lookup` answers from `lookup` (`None`: offline).
    pub fn new(lookup: Option<std::sync::Arc<dyn helm::Lookup>>) -> HelmRenderer {
        HelmRenderer { lookup }
    }

    /// Renders the request and keeps the `helm template` text as well.
    pub fn render_full(&self, request: &RenderRequest<'_>) -> Result<HelmOutput, String> {
        let chart = load_chart(request.chart).map_err(|e| e.to_string())?;
        let opts = helm::RenderOptions {
            release_name: request.release_name.to_string(),
            namespace: request.namespace.to_string(),
            revision: request.revision,
            is_upgrade: request.is_upgrade(),
            lookup: self.lookup.clone(),
            ..helm::RenderOptions::default()
        };
        let rendered =
            helm::render(&chart, request.spec.values(), &opts).map_err(|e| e.to_string())?;
        let template_text = rendered.to_helm_template_string(true);
        let manifests = rendered
            .crds
            .into_iter()
            // A multi-document `crds/` file is read for its first object only.
            .filter(|c| !c.kind.is_empty())
            .chain(rendered.manifests)
            .chain(rendered.hooks.into_iter().filter(|h| !is_test_hook(h)))
            .map(convert)
            .collect();
        Ok(HelmOutput {
            rendered: crate::controller::RenderedChart {
                manifests,
                chart_version: chart.version().to_string(),
                app_version: chart.app_version().map(str::to_string),
            },
            template_text,
        })
    }
}

impl crate::controller::Renderer for HelmRenderer {
    fn render(
        &self,
        request: &RenderRequest<'_>,
    ) -> Result<crate::controller::RenderedChart, String> {
        self.render_full(request).map(|o| o.rendered)
    }
}

#[cfg(test)]
mod helm_renderer_tests {
    use serde_json::json;

    use super::*;
    use crate::spec::{LayerInputs, OperatorDefaults, desired_spec};

    fn chart_dir() -> crate::testing::TempDir {
        let tmp = crate::testing::TempDir::new("helm-renderer");
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::create_dir_all(dir.join("crds")).unwrap();
        let files = [
            (
                "Chart.yaml",
                "apiVersion: v2\nname: tiny\nversion: 1.2.3\nappVersion: \"9.9\"\n",
            ),
            ("values.yaml", "# the port\nport: 80\n"),
            (
                "crds/widget.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  port: {{ .Values.port | quote }}\n  upgrade: {{ .Release.IsUpgrade | quote }}\n  operator: {{ .Values.global.operator.namespace | quote }}\n",
            ),
            (
                "templates/hook.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\nspec: {}\n",
            ),
            (
                "templates/test.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: smoke\n  annotations:\n    helm.sh/hook: test\n",
            ),
            (
                "templates/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
            ),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        tmp
    }

    #[test]
    fn crds_then_manifests_then_hooks_without_test_hooks() {
        let tmp = chart_dir();
        let chart = LocalChart::Directory(tmp.path().to_path_buf());
        let spec = desired_spec(&LayerInputs {
            cr_name: "site",
            cr_chart: None,
            cr_values: Some(&json!({"port": 8080})),
            user_input: None,
            channel: None,
            defaults: OperatorDefaults {
                operator_namespace: "ops".into(),
            },
        })
        .unwrap();
        let out = HelmRenderer::default()
            .render_full(&RenderRequest {
                chart: &chart,
                release_name: "site",
                namespace: "team",
                revision: 2,
                spec: &spec,
            })
            .unwrap();
        let order: Vec<(&str, &str)> = out
            .rendered
            .manifests
            .iter()
            .map(|m| (m.kind.as_str(), m.name.as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                ("CustomResourceDefinition", "widgets.example.com"),
                ("ConfigMap", "site-cfg"),
                ("Service", "web"),
                ("Job", "migrate"),
            ]
        );
        let cm = &out.rendered.manifests[1].object;
        assert_eq!(cm["data"]["port"], "8080");
        assert_eq!(cm["data"]["upgrade"], "true");
        assert_eq!(cm["data"]["operator"], "ops");
        assert_eq!(out.rendered.chart_version, "1.2.3");
        assert_eq!(out.rendered.app_version.as_deref(), Some("9.9"));
        assert!(
            out.template_text
                .contains("# Source: tiny/templates/test.yaml")
        );
        assert!(
            out.template_text
                .starts_with("---\n# Source: tiny/crds/widget.yaml\n")
        );

        let failing = desired_spec(&LayerInputs {
            cr_name: "site",
            cr_chart: None,
            cr_values: Some(&json!({"global": {"operator": null}})),
            user_input: None,
            channel: None,
            defaults: OperatorDefaults::default(),
        })
        .unwrap();
        let e = HelmRenderer::default()
            .render_full(&RenderRequest {
                chart: &chart,
                release_name: "site",
                namespace: "team",
                revision: 1,
                spec: &failing,
            })
            .unwrap_err();
        assert!(e.contains("templates/cm.yaml"), "{e}");
    }
}
