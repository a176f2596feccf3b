//! The resources the server knows: a built-in table plus whatever
//! CustomResourceDefinitions register at runtime.

use serde_json::Value;

/// One served resource (group, version, plural) and how it behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInfo {
    /// API group, "" for core.
    pub group: String,
    /// Served versions, the storage version first.
    pub versions: Vec<String>,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Plural resource name used in paths.
    pub plural: String,
    /// Lower-case singular.
    pub singular: String,
    /// Namespaced or cluster scoped.
    pub namespaced: bool,
    /// Whether `/status` is a separate subresource (status ignored on the main resource).
    pub status: bool,
    /// Whether `/scale` is served, with the replicas paths.
    pub scale: Option<ScalePaths>,
    /// Short names for kubectl.
    pub short_names: Vec<String>,
    /// Categories (e.g. `all`).
    pub categories: Vec<String>,
    /// Whether this came from a CRD (no strategic merge patch).
    pub custom: bool,
    /// For custom resources: the CRD's additional printer columns.
    pub printer_columns: Vec<Value>,
    /// For custom resources: `openAPIV3Schema` per served version.
    pub schemas: Vec<(String, Value)>,
}

/// JSON paths of the scale subresource fields, as `.spec.replicas`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalePaths {
    /// Desired replicas path.
    pub spec: String,
    /// Observed replicas path.
    pub status: String,
    /// Label selector path in status, if any.
    pub selector: Option<String>,
}

impl ResourceInfo {
    /// The storage key: group/plural, independent of version.
    pub fn key(&self) -> String {
        format!("{}/{}", self.group, self.plural)
    }

    /// `apiVersion` for a version.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// Whether `version` is served.
    pub fn serves(&self, version: &str) -> bool {
        self.versions.iter().any(|v| v == version)
    }

    /// Whether the object has `metadata.generation`, bumped on spec changes.
    /// Kubernetes does this for custom resources and for the non-core kinds
    /// with a status subresource (workloads, ingresses, CRDs, …).
    pub fn tracks_generation(&self) -> bool {
        self.custom || (self.status && !self.group.is_empty())
    }

    /// Verbs listed in discovery.
    pub fn verbs(&self) -> Vec<&'static str> {
        vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

struct Builtin {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    status: bool,
    scale: bool,
    short: &'static [&'static str],
    all: bool,
}

const fn b(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    status: bool,
    short: &'static [&'static str],
) -> Builtin {
    Builtin {
        group,
        version,
        kind,
        plural,
        namespaced,
        status,
        scale: false,
        short,
        all: false,
    }
}

const fn workload(
    group: &'static str,
    kind: &'static str,
    plural: &'static str,
    scale: bool,
    short: &'static [&'static str],
) -> Builtin {
    Builtin {
        group,
        version: "v1",
        kind,
        plural,
        namespaced: true,
        status: true,
        scale,
        short,
        all: true,
    }
}

const BUILTINS: &[Builtin] = &[
    b("", "v1", "Namespace", "namespaces", false, true, &["ns"]),
    b("", "v1", "ConfigMap", "configmaps", true, false, &["cm"]),
    b("", "v1", "Secret", "secrets", true, false, &[]),
    Builtin {
        all: true,
        ..b("", "v1", "Service", "services", true, true, &["svc"])
    },
    b(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        true,
        false,
        &["sa"],
    ),
    Builtin {
        all: true,
        ..b("", "v1", "Pod", "pods", true, true, &["po"])
    },
    b("", "v1", "Event", "events", true, false, &["ev"]),
    b(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        true,
        &["pvc"],
    ),
    b(
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        false,
        true,
        &["pv"],
    ),
    b("", "v1", "Endpoints", "endpoints", true, false, &["ep"]),
    b("", "v1", "Node", "nodes", false, true, &["no"]),
    b(
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        true,
        true,
        &["quota"],
    ),
    b(
        "",
        "v1",
        "LimitRange",
        "limitranges",
        true,
        false,
        &["limits"],
    ),
    workload("apps", "Deployment", "deployments", true, &["deploy"]),
    workload("apps", "StatefulSet", "statefulsets", true, &["sts"]),
    workload("apps", "DaemonSet", "daemonsets", false, &["ds"]),
    workload("apps", "ReplicaSet", "replicasets", true, &["rs"]),
    b(
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        true,
        false,
        &[],
    ),
    workload("batch", "Job", "jobs", false, &[]),
    workload("batch", "CronJob", "cronjobs", false, &["cj"]),
    b(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        true,
        &["ing"],
    ),
    b(
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        false,
        false,
        &[],
    ),
    b(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        false,
        &["netpol"],
    ),
    b(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        true,
        &["pdb"],
    ),
    Builtin {
        all: true,
        ..b(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            true,
            true,
            &["hpa"],
        )
    },
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        false,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        false,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        false,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        false,
        &[],
    ),
    b(
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        true,
        false,
        &[],
    ),
    b(
        "events.k8s.io",
        "v1",
        "Event",
        "events",
        true,
        false,
        &["ev"],
    ),
    b(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        true,
        &["crd", "crds"],
    ),
    b(
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        false,
        false,
        &["sc"],
    ),
    b(
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        false,
        false,
        &["pc"],
    ),
    b(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
        false,
        &[],
    ),
    b(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
        false,
        &[],
    ),
];

/// All resources currently served.
#[derive(Debug, Clone)]
pub struct Registry {
    resources: Vec<ResourceInfo>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// The built-in table.
    pub fn new() -> Self {
        let resources = BUILTINS
            .iter()
            .map(|r| ResourceInfo {
                group: r.group.to_string(),
                versions: vec![r.version.to_string()],
                kind: r.kind.to_string(),
                plural: r.plural.to_string(),
                singular: r.kind.to_lowercase(),
                namespaced: r.namespaced,
                status: r.status,
                scale: r.scale.then(|| ScalePaths {
                    spec: ".spec.replicas".into(),
                    status: ".status.replicas".into(),
                    selector: Some(".status.selector".into()),
                }),
                short_names: r.short.iter().map(|s| (*s).to_string()).collect(),
                categories: if r.all { vec!["all".into()] } else { vec![] },
                custom: false,
                printer_columns: vec![],
                schemas: vec![],
            })
            .collect();
        Self { resources }
    }

    /// Looks up a resource by group, version and plural.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceInfo> {
        self.resources
            .iter()
            .find(|r| r.group == group && r.plural == plural && r.serves(version))
    }

    /// Looks up by group and kind (any version).
    pub fn find_kind(&self, group: &str, kind: &str) -> Option<&ResourceInfo> {
        self.resources
            .iter()
            .find(|r| r.group == group && r.kind == kind)
    }

    /// Looks up by storage key.
    pub fn by_key(&self, key: &str) -> Option<&ResourceInfo> {
        self.resources.iter().find(|r| r.key() == key)
    }

    /// All resources.
    pub fn all(&self) -> &[ResourceInfo] {
        &self.resources
    }

    /// Group → versions (preferred first), in registration order.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for r in &self.resources {
            let entry = match out.iter_mut().find(|(g, _)| *g == r.group) {
                Some(e) => e,
                None => {
                    out.push((r.group.clone(), Vec::new()));
                    let last = out.len() - 1;
                    &mut out[last]
                }
            };
            for v in &r.versions {
                if !entry.1.contains(v) {
                    entry.1.push(v.clone());
                }
            }
        }
        out
    }

    /// Registers (or replaces) the resource described by an established CRD.
    /// Returns an error message when the CRD is malformed.
    pub fn register_crd(&mut self, crd: &Value) -> Result<ResourceInfo, String> {
        let info = crd_to_info(crd)?;
        self.resources
            .retain(|r| !(r.group == info.group && r.plural == info.plural));
        self.resources.push(info.clone());
        Ok(info)
    }

    /// Removes a CRD's resource.
    pub fn unregister(&mut self, group: &str, plural: &str) {
        self.resources
            .retain(|r| !(r.custom && r.group == group && r.plural == plural));
    }
}

/// Reads group, names, scope and versions from a CRD object.
pub fn crd_to_info(crd: &Value) -> Result<ResourceInfo, String> {
    let spec = crd.get("spec").ok_or("spec: Required value")?;
    let group = spec
        .get("group")
        .and_then(Value::as_str)
        .ok_or("spec.group: Required value")?;
    let names = spec.get("names").ok_or("spec.names: Required value")?;
    let plural = names
        .get("plural")
        .and_then(Value::as_str)
        .ok_or("spec.names.plural: Required value")?;
    let kind = names
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("spec.names.kind: Required value")?;
    let singular = names
        .get("singular")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| kind.to_lowercase());
    let scope = spec
        .get("scope")
        .and_then(Value::as_str)
        .ok_or("spec.scope: Required value")?;
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .ok_or("spec.versions: Required value")?;
    let served: Vec<&Value> = versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(false))
        .collect();
    if served.is_empty() {
        return Err("spec.versions: Invalid value: must have at least one served version".into());
    }
    let storage = versions
        .iter()
        .find(|v| v.get("storage").and_then(Value::as_bool).unwrap_or(false))
        .ok_or(
            "spec.versions: Invalid value: must have exactly one version marked as storage version",
        )?;
    let storage_name = storage.get("name").and_then(Value::as_str).unwrap_or("");
    let mut names_v: Vec<String> = vec![storage_name.to_string()];
    for v in &served {
        if let Some(n) = v.get("name").and_then(Value::as_str)
            && n != storage_name
        {
            names_v.push(n.to_string());
        }
    }
    let subresources = storage.get("subresources");
    let status = subresources.and_then(|s| s.get("status")).is_some();
    let scale = subresources
        .and_then(|s| s.get("scale"))
        .map(|s| ScalePaths {
            spec: s
                .get("specReplicasPath")
                .and_then(Value::as_str)
                .unwrap_or(".spec.replicas")
                .to_string(),
            status: s
                .get("statusReplicasPath")
                .and_then(Value::as_str)
                .unwrap_or(".status.replicas")
                .to_string(),
            selector: s
                .get("labelSelectorPath")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    let str_list = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let schemas = served
        .iter()
        .filter_map(|v| {
            let name = v.get("name")?.as_str()?.to_string();
            let schema = v.get("schema")?.get("openAPIV3Schema")?.clone();
            Some((name, schema))
        })
        .collect();
    Ok(ResourceInfo {
        schemas,
        group: group.to_string(),
        versions: names_v,
        kind: kind.to_string(),
        plural: plural.to_string(),
        singular,
        namespaced: scope == "Namespaced",
        status,
        scale,
        short_names: str_list(names.get("shortNames")),
        categories: str_list(names.get("categories")),
        custom: true,
        printer_columns: storage
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    })
}
