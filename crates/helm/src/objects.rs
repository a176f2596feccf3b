//! The Go structs Helm exposes to templates: `.Files` (`engine.files`),
//! `.Capabilities` (`*common.Capabilities` with `KubeVersion`, `APIVersions`,
//! `HelmVersion`), and the `.Chart` / `.Release` maps.

use std::{collections::BTreeMap, sync::Arc};

use gotmpl::{FuncError, List, ListType, Map, MapType, Object, Value};

use crate::chart::{Chart, Metadata};

/// Helm 4.2.3's default `.Capabilities.APIVersions` (client-go v0.36 scheme,
/// in Helm's order), as the real engine prints it.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// Helm 4.2.3's default Kubernetes version.
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// `.Files`: chart files by path (Go `map[string][]byte` with methods).
#[derive(Clone, Default)]
pub struct Files {
    files: Arc<BTreeMap<String, Arc<[u8]>>>,
}

impl Files {
    /// The files of a chart (what `.Files` may read).
    pub fn new(chart: &Chart) -> Self {
        let files = chart
            .files
            .iter()
            .map(|f| (f.name.clone(), Arc::from(f.data.as_slice())))
            .collect();
        Self {
            files: Arc::new(files),
        }
    }

    fn get(&self, name: &str) -> Option<&Arc<[u8]>> {
        self.files.get(name)
    }

    fn to_yaml_map(&self, enc: impl Fn(&[u8]) -> String) -> String {
        let mut m = BTreeMap::new();
        for (k, v) in self.files.iter() {
            let base = k.rsplit('/').next().unwrap_or(k).to_string();
            m.insert(base, Value::from(enc(v)));
        }
        crate::funcs::yaml::to_yaml(&Value::Map(Map::typed(m, MapType::String))).unwrap_or_default()
    }
}

fn arg_str<'a>(args: &'a [Value], method: &str) -> Result<&'a str, FuncError> {
    if args.len() != 1 {
        return Err(FuncError::new(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )));
    }
    match &args[0] {
        Value::String(s) => Ok(s),
        Value::Nil => Err(FuncError::new("invalid value; expected string")),
        other => Err(FuncError::new(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        ))),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn map_entries(&self) -> Option<Vec<(String, Value)>> {
        Some(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        )
    }

    fn kind_name(&self) -> &str {
        "map"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => Some(Value::from(
                self.to_yaml_map(|b| String::from_utf8_lossy(b).into_owned()),
            )),
            "AsSecrets" => Some(Value::from(
                self.to_yaml_map(crate::funcs::encoding::b64_encode),
            )),
            _ => None,
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        let r = match name {
            "Get" => arg_str(args, name).map(|p| {
                Value::from(
                    self.get(p)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default(),
                )
            }),
            "GetBytes" => arg_str(args, name)
                .map(|p| Value::Bytes(self.get(p).cloned().unwrap_or_else(|| Arc::from(&[][..])))),
            "Glob" => arg_str(args, name).map(|p| {
                let files = self
                    .files
                    .iter()
                    .filter(|(n, _)| glob_match(p, n))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(Arc::new(Files {
                    files: Arc::new(files),
                }))
            }),
            "Lines" => arg_str(args, name).map(|p| {
                let items = match self.get(p) {
                    Some(b) if !b.is_empty() => {
                        let s = String::from_utf8_lossy(b);
                        let s = s.strip_suffix('\n').unwrap_or(&s);
                        s.split('\n').map(Value::from).collect()
                    }
                    _ => Vec::new(),
                };
                Value::List(List::typed(items, ListType::String))
            }),
            "AsConfig" | "AsSecrets" => {
                if args.is_empty() {
                    return self.field(name).map(Ok);
                }
                Err(FuncError::new(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                )))
            }
            _ => return None,
        };
        Some(r)
    }

    fn go_string(&self) -> String {
        let parts: Vec<String> = self
            .files
            .iter()
            .map(|(k, v)| {
                let bytes: Vec<String> = v.iter().map(|b| b.to_string()).collect();
                format!("{k}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", parts.join(" "))
    }
}

/// gobwas/glob with `/` as separator: `*` and `?` stay within a segment,
/// `**` crosses segments, `[...]`/`[!...]` classes, `{a,b}` alternatives.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_at(&p, &n, 0)
}

fn glob_at(p: &[char], n: &[char], depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    if p.is_empty() {
        return n.is_empty();
    }
    match p[0] {
        '*' => {
            let double = p.get(1) == Some(&'*');
            let rest = if double { &p[2..] } else { &p[1..] };
            for i in 0..=n.len() {
                if glob_at(rest, &n[i..], depth + 1) {
                    return true;
                }
                if i < n.len() && !double && n[i] == '/' {
                    return false;
                }
            }
            false
        }
        '?' => !n.is_empty() && n[0] != '/' && glob_at(&p[1..], &n[1..], depth + 1),
        '[' => {
            let Some(close) = p.iter().skip(1).position(|c| *c == ']').map(|i| i + 1) else {
                return false;
            };
            if n.is_empty() || n[0] == '/' {
                return false;
            }
            let mut class = &p[1..close];
            let negate = matches!(class.first(), Some('!') | Some('^'));
            if negate {
                class = &class[1..];
            }
            let c = n[0];
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    if class[i] <= c && c <= class[i + 2] {
                        hit = true;
                    }
                    i += 3;
                } else {
                    if class[i] == c {
                        hit = true;
                    }
                    i += 1;
                }
            }
            hit != negate && glob_at(&p[close + 1..], &n[1..], depth + 1)
        }
        '{' => {
            let Some(close) = p.iter().position(|c| *c == '}') else {
                return false;
            };
            let rest = &p[close + 1..];
            p[1..close].split(|c| *c == ',').any(|alt| {
                let mut cand: Vec<char> = alt.to_vec();
                cand.extend_from_slice(rest);
                glob_at(&cand, n, depth + 1)
            })
        }
        '\\' if p.len() > 1 => {
            !n.is_empty() && n[0] == p[1] && glob_at(&p[2..], &n[1..], depth + 1)
        }
        c => !n.is_empty() && n[0] == c && glob_at(&p[1..], &n[1..], depth + 1),
    }
}

/// `.Capabilities.KubeVersion`.
pub struct KubeVersion {
    version: String,
    major: String,
    minor: String,
}

impl KubeVersion {
    /// Parses `v1.36.0`-style versions (`1.36` and `v1.36.0-gke.1` work too).
    pub fn parse(v: &str) -> Option<Self> {
        let parsed = crate::semverc::parse_version(v)?;
        let mut version = format!("v{}.{}.{}", parsed.major, parsed.minor, parsed.patch);
        if !parsed.pre.is_empty() {
            version.push('-');
            version.push_str(&parsed.pre);
        }
        Some(Self {
            version,
            major: parsed.major.to_string(),
            minor: parsed.minor.to_string(),
        })
    }

    /// `v1.36.0`
    pub fn as_str(&self) -> &str {
        &self.version
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" | "String" => Some(Value::from(self.version.as_str())),
            "Major" => Some(Value::from(self.major.as_str())),
            "Minor" => Some(Value::from(self.minor.as_str())),
            _ => None,
        }
    }
    fn go_string(&self) -> String {
        self.version.clone()
    }
}

/// `.Capabilities.APIVersions` (`common.VersionSet`).
pub struct VersionSet {
    versions: Vec<String>,
}

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }
    fn kind_name(&self) -> &str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        if name != "Has" {
            return None;
        }
        Some(arg_str(args, name).map(|v| Value::Bool(self.versions.iter().any(|x| x == v))))
    }
    fn go_string(&self) -> String {
        format!("[{}]", self.versions.join(" "))
    }
}

/// `.Capabilities.HelmVersion` (`version.BuildInfo`).
pub struct HelmVersion;

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::from(match name {
            "Version" => "v4.2",
            "GitCommit" | "GitTreeState" => "",
            "GoVersion" => "go1.26.6",
            "KubeClientVersion" => "v1.36",
            _ => return None,
        }))
    }
    fn go_string(&self) -> String {
        "{v4.2   go1.26.6 v1.36}".into()
    }
}

/// `.Capabilities`.
pub struct Capabilities {
    kube: Arc<KubeVersion>,
    apis: Arc<VersionSet>,
}

impl Capabilities {
    /// Capabilities for a Kubernetes version and extra API versions.
    pub fn new(kube: KubeVersion, extra_apis: &[String]) -> Self {
        let mut versions: Vec<String> =
            DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        versions.extend(extra_apis.iter().cloned());
        Self {
            kube: Arc::new(kube),
            apis: Arc::new(VersionSet { versions }),
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube.clone())),
            "APIVersions" => Some(Value::Object(self.apis.clone())),
            "HelmVersion" => Some(Value::Object(Arc::new(HelmVersion))),
            _ => None,
        }
    }
    fn go_string(&self) -> String {
        let k = &self.kube;
        format!(
            "{{{{{} {} {} {}}} {} {}}}",
            k.version,
            k.version,
            k.major,
            k.minor,
            self.apis.go_string(),
            HelmVersion.go_string()
        )
    }
}

fn str_list(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| Value::from(s.as_str())).collect())
}

/// `.Chart`: the metadata as a map keyed by Go field names, plus `IsRoot`.
pub fn chart_map(md: &Metadata, is_root: bool) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Name".to_string(), Value::from(md.name.as_str()));
    m.insert("Home".into(), Value::from(md.home.as_str()));
    m.insert("Sources".into(), str_list(&md.sources));
    m.insert("Version".into(), Value::from(md.version.as_str()));
    m.insert("Description".into(), Value::from(md.description.as_str()));
    m.insert("Keywords".into(), str_list(&md.keywords));
    let maint = md
        .maintainers
        .iter()
        .map(|x| {
            Value::map([
                ("Name", Value::from(x.name.as_str())),
                ("Email", Value::from(x.email.as_str())),
                ("URL", Value::from(x.url.as_str())),
            ])
        })
        .collect();
    m.insert("Maintainers".into(), Value::list(maint));
    m.insert("Icon".into(), Value::from(md.icon.as_str()));
    m.insert("APIVersion".into(), Value::from(md.api_version.as_str()));
    m.insert("Condition".into(), Value::from(md.condition.as_str()));
    m.insert("Tags".into(), Value::from(md.tags.as_str()));
    m.insert("AppVersion".into(), Value::from(md.app_version.as_str()));
    m.insert("Deprecated".into(), Value::Bool(md.deprecated));
    let ann: BTreeMap<String, Value> = md
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    m.insert(
        "Annotations".into(),
        Value::Map(Map::typed(ann, MapType::String)),
    );
    m.insert("KubeVersion".into(), Value::from(md.kube_version.as_str()));
    let deps = md
        .dependencies
        .iter()
        .map(|d| {
            let ivs = d
                .import_values
                .iter()
                .map(|iv| {
                    let (child, parent) = match iv {
                        serde_json::Value::String(s) => (format!("exports.{s}"), ".".to_string()),
                        serde_json::Value::Object(o) => (
                            o.get("child")
                                .and_then(|v| v.as_str())
                                .unwrap_or_default()
                                .to_string(),
                            o.get("parent")
                                .and_then(|v| v.as_str())
                                .unwrap_or_default()
                                .to_string(),
                        ),
                        _ => (String::new(), String::new()),
                    };
                    let e: BTreeMap<String, Value> = [
                        ("child".to_string(), Value::from(child)),
                        ("parent".to_string(), Value::from(parent)),
                    ]
                    .into_iter()
                    .collect();
                    Value::Map(Map::typed(e, MapType::String))
                })
                .collect();
            Value::map([
                ("Name", Value::from(d.name.as_str())),
                ("Version", Value::from(d.version.as_str())),
                ("Repository", Value::from(d.repository.as_str())),
                ("Condition", Value::from(d.condition.as_str())),
                ("Tags", str_list(&d.tags)),
                ("Enabled", Value::Bool(d.enabled)),
                ("ImportValues", Value::list(ivs)),
                ("Alias", Value::from(d.alias.as_str())),
            ])
        })
        .collect();
    m.insert("Dependencies".into(), Value::list(deps));
    m.insert("Type".into(), Value::from(md.chart_type.as_str()));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    Value::Map(Map::from_entries(m))
}

/// `.Release`.
pub fn release_map(name: &str, namespace: &str, revision: i64, is_upgrade: bool) -> Value {
    Value::map([
        ("Name", Value::from(name)),
        ("Namespace", Value::from(namespace)),
        ("IsUpgrade", Value::Bool(is_upgrade)),
        ("IsInstall", Value::Bool(!is_upgrade)),
        ("Revision", Value::Int(revision)),
        ("Service", Value::from("Helm")),
    ])
}

/// JSON values as template data: float64 numbers stay `Float`; integers
/// (only `--set` produces them) are Go `int64`.
pub fn json_to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if n.is_f64() {
                Value::Float(n.as_f64().unwrap_or(0.0))
            } else if let Some(i) = n.as_i64() {
                Value::Int64(i)
            } else {
                Value::Float(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(a) => Value::list(a.iter().map(json_to_value).collect()),
        serde_json::Value::Object(m) => Value::Map(Map::from_entries(
            m.iter()
                .map(|(k, v)| (k.clone(), json_to_value(v)))
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gobwas_glob() {
        assert!(glob_match("files/*", "files/a.txt"));
        assert!(!glob_match("files/*", "files/sub/c.conf"));
        assert!(glob_match("files/**", "files/sub/c.conf"));
        assert!(glob_match("files/*.{txt,conf}", "files/a.txt"));
        assert!(glob_match("files/?.txt", "files/a.txt"));
        assert!(glob_match("files/[a-b].txt", "files/b.txt"));
        assert!(!glob_match("files/[!a-b].txt", "files/b.txt"));
    }

    #[test]
    fn kube_version() {
        let k = KubeVersion::parse("1.29").unwrap();
        assert_eq!(k.as_str(), "v1.29.0");
        assert!(KubeVersion::parse("nope").is_none());
    }
}
