//! Validation of rendered objects before anything is applied: Secrets and
//! ConfigMaps that pods reference but that neither the chart renders nor (as the
//! controller then checks) the cluster holds. A pod referencing a missing Secret
//! never starts, so the operator reports it as `Invalid Config` up front, naming
//! the object and field, instead of leaving pods in `CreateContainerConfigError`.
//!
//! Optional references (`optional: true`) are skipped, as Kubernetes tolerates
//! them missing.

use std::{collections::HashSet, fmt};

use serde_json::Value;

use crate::apply::PlannedObject;

/// A Secret or ConfigMap a pod template needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// `Secret` or `ConfigMap`.
    pub kind: &'static str,
    /// Namespace of the referencing object.
    pub namespace: String,
    /// Name of the Secret or ConfigMap.
    pub name: String,
    /// The key read, when one is (`secretKeyRef.key`, ...).
    pub key: Option<String>,
    /// The referencing object, e.g. `Deployment wandb-app`.
    pub used_by: String,
    /// Where in the object, e.g. `containers[app].env[MYSQL_PASSWORD]`.
    pub field: String,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) references {} {}/{}",
            self.used_by, self.field, self.kind, self.namespace, self.name
        )?;
        if let Some(key) = &self.key {
            write!(f, " key {key}")?;
        }
        Ok(())
    }
}

/// Every required Secret/ConfigMap reference of the planned objects that the
/// plan itself does not create. The controller checks these against the cluster.
pub fn external_references(objects: &[PlannedObject]) -> Vec<Reference> {
    let rendered: HashSet<(&str, Option<&str>, &str)> = objects
        .iter()
        .filter(|o| o.manifest.api_version == "v1")
        .map(|o| {
            (
                o.manifest.kind.as_str(),
                o.namespace.as_deref(),
                o.manifest.name.as_str(),
            )
        })
        .collect();
    let mut refs = Vec::new();
    for o in objects {
        let Some(pod) = pod_spec(&o.manifest.kind, &o.manifest.object) else {
            continue;
        };
        let namespace = o.namespace.clone().unwrap_or_default();
        let used_by = format!("{} {}", o.manifest.kind, o.manifest.name);
        collect_pod(pod, &namespace, &used_by, &mut refs);
    }
    refs.retain(|r| !rendered.contains(&(r.kind, Some(r.namespace.as_str()), r.name.as_str())));
    refs.sort();
    refs.dedup();
    refs
}

fn pod_spec<'a>(kind: &str, object: &'a Value) -> Option<&'a Value> {
    match kind {
        "Pod" => object.get("spec"),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            object.pointer("/spec/template/spec")
        }
        "CronJob" => object.pointer("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

fn optional(v: &Value) -> bool {
    v.get("optional").and_then(Value::as_bool).unwrap_or(false)
}

fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn collect_pod(pod: &Value, namespace: &str, used_by: &str, refs: &mut Vec<Reference>) {
    let mut push = |kind: &'static str, name: &str, key: Option<&str>, field: String| {
        refs.push(Reference {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
            key: key.map(str::to_string),
            used_by: used_by.to_string(),
            field,
        });
    };
    for list in ["initContainers", "containers"] {
        for c in pod
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let cname = s(c, "name").unwrap_or("?");
            for env in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                let ename = s(env, "name").unwrap_or("?");
                for (field, kind) in [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")]
                {
                    if let Some(r) = env.pointer(&format!("/valueFrom/{field}"))
                        && !optional(r)
                        && let Some(name) = s(r, "name")
                    {
                        push(
                            kind,
                            name,
                            s(r, "key"),
                            format!("{list}[{cname}].env[{ename}]"),
                        );
                    }
                }
            }
            for (i, from) in c
                .get("envFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                for (field, kind) in [("secretRef", "Secret"), ("configMapRef", "ConfigMap")] {
                    if let Some(r) = from.get(field)
                        && !optional(r)
                        && let Some(name) = s(r, "name")
                    {
                        push(kind, name, None, format!("{list}[{cname}].envFrom[{i}]"));
                    }
                }
            }
        }
    }
    for vol in pod
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let vname = s(vol, "name").unwrap_or("?");
        if let Some(secret) = vol.get("secret")
            && !optional(secret)
            && let Some(name) = s(secret, "secretName")
        {
            push("Secret", name, None, format!("volumes[{vname}]"));
        }
        if let Some(cm) = vol.get("configMap")
            && !optional(cm)
            && let Some(name) = s(cm, "name")
        {
            push("ConfigMap", name, None, format!("volumes[{vname}]"));
        }
        for src in vol
            .pointer("/projected/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for (field, kind) in [("secret", "Secret"), ("configMap", "ConfigMap")] {
                if let Some(r) = src.get(field)
                    && !optional(r)
                    && let Some(name) = s(r, "name")
                {
                    push(kind, name, None, format!("volumes[{vname}].projected"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{
        apply::{Inventory, plan},
        render::Manifest,
    };

    fn planned(objects: Vec<Value>) -> Vec<PlannedObject> {
        let manifests: Vec<Manifest> = objects
            .into_iter()
            .map(|o| Manifest::from_object("c/templates/x.yaml", o))
            .collect();
        plan(&manifests, &Inventory::default(), "wandb")
            .unwrap()
            .apply
    }

    #[test]
    fn finds_required_references_not_rendered_by_the_chart() {
        let deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "wandb-app"},
            "spec": {"template": {"spec": {
                "containers": [{"name": "app",
                    "env": [
                        {"name": "MYSQL_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "mysql-secret", "key": "password"}}},
                        {"name": "LICENSE", "valueFrom": {"secretKeyRef": {"name": "wandb-license", "key": "license", "optional": true}}},
                        {"name": "HOST", "valueFrom": {"configMapKeyRef": {"name": "wandb-config", "key": "host"}}},
                        {"name": "PLAIN", "value": "x"}
                    ],
                    "envFrom": [{"secretRef": {"name": "extra-env"}}]}],
                "volumes": [
                    {"name": "ca", "projected": {"sources": [{"configMap": {"name": "my-cas"}}]}},
                    {"name": "tls", "secret": {"secretName": "ldap-tls", "optional": true}}
                ]}}}
        });
        let config =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "wandb-config"}});
        let refs = external_references(&planned(vec![deployment, config]));
        let text: Vec<String> = refs.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "Deployment wandb-app (volumes[ca].projected) references ConfigMap wandb/my-cas",
                "Deployment wandb-app (containers[app].envFrom[0]) references Secret wandb/extra-env",
                "Deployment wandb-app (containers[app].env[MYSQL_PASSWORD]) references Secret wandb/mysql-secret key password",
            ]
        );
    }

    #[test]
    fn cronjobs_and_init_containers_are_covered() {
        let cron = json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "initContainers": [{"name": "init", "envFrom": [{"configMapRef": {"name": "cm"}}]}],
                "containers": []}}}}}
        });
        let refs = external_references(&planned(vec![cron]));
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].field, "initContainers[init].envFrom[0]");
    }
}
