//! From rendered files to `helm template` output (`releaseutil.SortManifests`
//! and `helm template`'s printing, Helm 4.2).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value as Json;

use crate::{Error, yaml};

/// Helm's `InstallOrder`.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// Position of `kind` in Helm's install order; unknown kinds get
/// `INSTALL_ORDER.len()` (they go last, alphabetically among themselves).
pub fn install_order_index(kind: &str) -> usize {
    INSTALL_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(INSTALL_ORDER.len())
}

/// One rendered YAML document.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// Template path, e.g. `operator-wandb/templates/app/deployment.yaml`.
    pub source: String,
    /// The document text as Helm prints it.
    pub text: String,
    /// The parsed document (numbers are float64, as Helm parses YAML).
    pub object: Json,
    /// `apiVersion` ("" when absent).
    pub api_version: String,
    /// `kind` ("" when absent).
    pub kind: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.name` ("" when absent).
    pub name: String,
}

/// The result of a render.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    /// Non-hook documents in Helm's install order.
    pub manifests: Vec<Manifest>,
    /// Hook documents (sorted by kind, as `helm template` prints them).
    pub hooks: Vec<Manifest>,
    /// Files from `crds/` directories (root first, then subcharts), unrendered.
    pub crds: Vec<Manifest>,
    /// The root chart's rendered NOTES.txt.
    pub notes: Option<String>,
    /// Only from [`crate::render_files`]: every rendered template as
    /// (path, text), before splitting and sorting (Helm's `engine.Render`).
    pub raw: Vec<(String, String)>,
}

impl Rendered {
    /// Exactly what `helm template` prints.
    pub fn to_helm_template_string(&self, include_crds: bool) -> String {
        fn push_doc(out: &mut String, m: &Manifest) {
            out.push_str("---\n# Source: ");
            out.push_str(&m.source);
            out.push('\n');
            out.push_str(&m.text);
            out.push('\n');
        }
        let crds: &[Manifest] = if include_crds { &self.crds } else { &[] };
        let size: usize = crds
            .iter()
            .chain(&self.manifests)
            .chain(&self.hooks)
            .map(|m| m.source.len() + m.text.len() + 16)
            .sum();
        let mut body = String::with_capacity(size + 1);
        for m in crds.iter().chain(&self.manifests) {
            push_doc(&mut body, m);
        }
        // Helm trims the non-hook part as a whole, then appends the hooks.
        let trimmed = go_trim_space(&body);
        let mut out = if trimmed.len() == body.len() {
            body
        } else {
            let mut t = String::with_capacity(size + 1);
            t.push_str(trimmed);
            t
        };
        out.push('\n');
        for h in &self.hooks {
            push_doc(&mut out, h);
        }
        out
    }
}

fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

pub(crate) fn go_trim_space(s: &str) -> &str {
    s.trim_matches(is_go_space)
}

static SEP: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").ok());

/// `releaseutil.SplitManifests` (Helm 4.2: documents are only left-trimmed).
pub fn split_manifests(big: &str) -> Vec<&str> {
    let s = big.trim_start_matches(is_go_space);
    let mut docs = Vec::new();
    let Some(sep) = SEP.as_ref() else {
        return vec![s];
    };
    // Go's Regexp.Split(s, -1).
    let mut beg = 0;
    let mut end = 0;
    let mut pieces = Vec::new();
    if s.is_empty() {
        pieces.push("");
    } else {
        for m in sep.find_iter(s) {
            end = m.start();
            if m.end() != 0 {
                pieces.push(&s[beg..end]);
            }
            beg = m.end();
        }
        if end != s.len() {
            pieces.push(&s[beg..]);
        }
    }
    for d in pieces {
        if go_trim_space(d).is_empty() {
            continue;
        }
        docs.push(d.trim_start_matches(is_go_space));
    }
    docs
}

/// A document's `SimpleHead`; empty for a null document.
#[derive(Default)]
struct Head {
    api_version: String,
    kind: String,
    name: String,
    namespace: Option<String>,
    hook: Option<String>,
}

fn head_error(path: &str, what: &str) -> Error {
    Error::Manifest(format!(
        "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: {what}"
    ))
}

/// Reads the fields `SimpleHead` has, with its type checks.
fn head(path: &str, obj: &Json) -> Result<Head, Error> {
    let m = match obj {
        Json::Null => {
            return Ok(Head::default());
        }
        Json::Object(m) => m,
        other => {
            return Err(head_error(
                path,
                &format!(
                    "cannot unmarshal {} into Go value of type releaseutil.SimpleHead",
                    yaml::json_kind(other)
                ),
            ));
        }
    };
    let str_field = |v: Option<&Json>, field: &str| -> Result<String, Error> {
        match v {
            None | Some(Json::Null) => Ok(String::new()),
            Some(Json::String(s)) => Ok(s.clone()),
            Some(other) => Err(head_error(
                path,
                &format!(
                    "cannot unmarshal {} into Go struct field {field} of type string",
                    yaml::json_kind(other)
                ),
            )),
        }
    };
    let api_version = str_field(m.get("apiVersion"), "SimpleHead.apiVersion")?;
    let kind = str_field(m.get("kind"), "SimpleHead.kind")?;
    let mut name = String::new();
    let mut namespace = None;
    let mut hook = None;
    match m.get("metadata") {
        None | Some(Json::Null) => {}
        Some(Json::Object(md)) => {
            name = str_field(md.get("name"), "SimpleHead.metadata.name")?;
            if let Some(Json::String(ns)) = md.get("namespace") {
                namespace = Some(ns.clone());
            }
            match md.get("annotations") {
                None | Some(Json::Null) => {}
                Some(Json::Object(a)) => {
                    for (k, v) in a {
                        let s = str_field(Some(v), "SimpleHead.metadata.annotations")?;
                        if k == "helm.sh/hook" {
                            hook = Some(s);
                        }
                    }
                }
                Some(other) => {
                    return Err(head_error(
                        path,
                        &format!(
                            "cannot unmarshal {} into Go struct field .metadata.annotations of type map[string]string",
                            yaml::json_kind(other)
                        ),
                    ));
                }
            }
        }
        Some(other) => {
            return Err(head_error(
                path,
                &format!(
                    "cannot unmarshal {} into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}",
                    yaml::json_kind(other)
                ),
            ));
        }
    }
    Ok(Head {
        api_version,
        kind,
        name,
        namespace,
        hook,
    })
}

/// The same checks as [`head`], from a head-only scan.
fn head_from_scan(path: &str, h: yaml::Head) -> Result<Head, Error> {
    if h.null {
        return Ok(Head::default());
    }
    if let Some(k) = h.non_map {
        return Err(head_error(
            path,
            &format!("cannot unmarshal {k} into Go value of type releaseutil.SimpleHead"),
        ));
    }
    let field = |r: Result<String, &'static str>, field: &str| {
        r.map_err(|k| {
            head_error(
                path,
                &format!("cannot unmarshal {k} into Go struct field {field} of type string"),
            )
        })
    };
    let api_version = field(h.api_version, "SimpleHead.apiVersion")?;
    let kind = field(h.kind, "SimpleHead.kind")?;
    if let Some(k) = h.metadata_non_map {
        return Err(head_error(
            path,
            &format!(
                "cannot unmarshal {k} into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}"
            ),
        ));
    }
    let name = field(h.name, "SimpleHead.metadata.name")?;
    if let Some(k) = h.annotations_non_map {
        return Err(head_error(
            path,
            &format!(
                "cannot unmarshal {k} into Go struct field .metadata.annotations of type map[string]string"
            ),
        ));
    }
    let mut hook = None;
    for (k, v) in h.annotations {
        let v = field(v, "SimpleHead.metadata.annotations")?;
        if k == "helm.sh/hook" {
            hook = Some(v);
        }
    }
    Ok(Head {
        api_version,
        kind,
        name,
        namespace: h.namespace,
        hook,
    })
}

/// Parses one document into a [`Manifest`] and its `helm.sh/hook` annotation.
fn to_manifest(
    path: &str,
    doc: &str,
    parse_objects: bool,
) -> Result<(Manifest, Option<String>), Error> {
    let (h, obj) = if parse_objects {
        let obj = yaml::parse(doc)
            .map_err(|e| Error::Manifest(format!("YAML parse error on {path}: {e}")))?;
        (head(path, &obj)?, obj)
    } else {
        let yh = yaml::parse_head(doc)
            .map_err(|e| Error::Manifest(format!("YAML parse error on {path}: {e}")))?;
        (head_from_scan(path, yh)?, Json::Null)
    };
    let m = Manifest {
        source: path.to_string(),
        text: doc.to_string(),
        object: obj,
        api_version: h.api_version,
        kind: h.kind,
        namespace: h.namespace,
        name: h.name,
    };
    Ok((m, h.hook))
}

fn kind_sort(list: &mut [Manifest]) {
    // Stable: same priority keeps file order.
    list.sort_by(|a, b| {
        let (ia, ib) = (install_order_index(&a.kind), install_order_index(&b.kind));
        let n = INSTALL_ORDER.len();
        if ia == n && ib == n {
            a.kind.cmp(&b.kind)
        } else {
            ia.cmp(&ib)
        }
    });
}

/// The documents of one rendered file, scanned in order (up to the first
/// error, which is where Helm stops).
pub type Scanned = Vec<Result<(Manifest, Option<String>), Error>>;

/// Splits and scans one rendered file. Partials and blank files give nothing.
pub fn scan_file(path: &str, content: &str, parse_objects: bool) -> Scanned {
    let base = path.rsplit('/').next().unwrap_or(path);
    if base.starts_with('_') || go_trim_space(content).is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for doc in split_manifests(content) {
        let r = to_manifest(path, doc, parse_objects);
        let failed = r.is_err();
        out.push(r);
        if failed {
            break;
        }
    }
    out
}

/// `SortManifests` over scanned files: files in path order, documents in
/// file order, hooks separated (unknown hook events dropped), both lists
/// stable-sorted by kind.
pub fn finish(
    mut scanned: Vec<(String, Scanned)>,
) -> Result<(Vec<Manifest>, Vec<Manifest>), Error> {
    scanned.sort_by(|a, b| a.0.cmp(&b.0));
    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for (_, docs) in scanned {
        for m in docs {
            let (m, hook) = m?;
            match hook {
                None => generic.push(m),
                Some(events) => {
                    let known = events
                        .split(',')
                        .all(|e| HOOK_EVENTS.contains(&e.trim().to_lowercase().as_str()));
                    // Unknown hook events: Helm logs and drops the document.
                    if known {
                        hooks.push(m);
                    }
                }
            }
        }
    }
    kind_sort(&mut generic);
    kind_sort(&mut hooks);
    Ok((generic, hooks))
}

/// `SortManifests`: `files` is path -> rendered text (NOTES already removed).
/// With `parse_objects` false, [`Manifest::object`] stays `Null` and only the
/// head is read (what `helm template` needs).
#[cfg(test)]
fn sort_manifests(
    files: &[(String, String)],
    parse_objects: bool,
) -> Result<(Vec<Manifest>, Vec<Manifest>), Error> {
    finish(
        files
            .iter()
            .map(|(p, c)| (p.clone(), scan_file(p, c, parse_objects)))
            .collect(),
    )
}

/// A `crds/` file as a [`Manifest`] (text unrendered, object from its first document).
pub fn crd_manifest(source: String, data: &[u8]) -> Manifest {
    let text = String::from_utf8_lossy(data).into_owned();
    let object = yaml::parse(&text).unwrap_or(Json::Null);
    let get = |k: &str| {
        object
            .get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let md = object.get("metadata");
    Manifest {
        source,
        api_version: get("apiVersion"),
        kind: get("kind"),
        namespace: md
            .and_then(|m| m.get("namespace"))
            .and_then(Json::as_str)
            .map(str::to_string),
        name: md
            .and_then(|m| m.get("name"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        text,
        object,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting_like_helm_4_2() {
        assert_eq!(split_manifests("a: 1\n---\nb: 2\n"), vec!["a: 1", "b: 2\n"]);
        assert_eq!(split_manifests("---kind: X\n"), vec!["kind: X\n"]);
        assert_eq!(
            split_manifests("x: |\n    ---\n  y\n"),
            vec!["x: |\n    ---\n  y\n"]
        );
        assert_eq!(split_manifests("\n\n---\n\n"), Vec::<&str>::new());
    }

    #[test]
    fn sorting_and_hooks() {
        let files = vec![
            ("c/templates/b.yaml".to_string(), "kind: Deployment\n---\nkind: Zebra\n---\nkind: Aardvark\n".to_string()),
            ("c/templates/a.yaml".to_string(), "kind: Service\n".to_string()),
            ("c/templates/_h.tpl".to_string(), "kind: Namespace\n".to_string()),
            (
                "c/templates/h.yaml".to_string(),
                "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install\n---\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-nothing\n".to_string(),
            ),
        ];
        let (g, h) = sort_manifests(&files, true).unwrap();
        let (g2, h2) = sort_manifests(&files, false).unwrap();
        assert_eq!(
            g2.iter().map(|m| &m.kind).collect::<Vec<_>>(),
            g.iter().map(|m| &m.kind).collect::<Vec<_>>()
        );
        assert_eq!(h2.len(), h.len());
        let kinds: Vec<&str> = g.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, vec!["Service", "Deployment", "Aardvark", "Zebra"]);
        assert_eq!(h.len(), 1);
        let r = Rendered {
            manifests: g,
            hooks: h,
            ..Default::default()
        };
        let out = r.to_helm_template_string(false);
        assert!(out.starts_with("---\n# Source: c/templates/a.yaml\nkind: Service\n\n---\n"));
        assert!(out.ends_with("helm.sh/hook: post-install\n"));
    }

    #[test]
    fn bad_head_types_fail() {
        let files = vec![("c/templates/a.yaml".to_string(), "kind: 5\n".to_string())];
        assert!(sort_manifests(&files, true).is_err());
        assert!(sort_manifests(&files, false).is_err());
    }
}
