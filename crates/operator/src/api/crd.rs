//! The CRD generated from the Rust types, as printed by `wandb-operator crd` and
//! checked in under `charts/operator/crds/`.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

use super::WeightsAndBiases;

/// The CRD could not be turned into YAML.
#[derive(Debug, thiserror::Error)]
#[error("serializing the WeightsAndBiases CRD to YAML: {0}")]
pub struct CrdError(String);

/// The `weightsandbiases.apps.wandb.com` CRD.
pub fn crd() -> CustomResourceDefinition {
    WeightsAndBiases::crd()
}

/// The CRD as one YAML document, exactly as checked in under `charts/operator/crds/`.
pub fn crd_yaml() -> Result<String, CrdError> {
    serde_saphyr::to_string(&crd()).map_err(|e| CrdError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn checked_in_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../charts/operator/crds/weightsandbiases.yaml")
    }

    /// Fails when the CRD in `charts/operator` no longer matches the Rust types.
    /// `UPDATE_GOLDEN=1 cargo test -p operator` rewrites the checked-in copy.
    #[test]
    fn checked_in_crd_matches_the_rust_types() {
        let generated = crd_yaml().unwrap();
        let path = checked_in_path();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "{} drifted from the Rust types; run `wandb-operator crd > {}` \
             (or UPDATE_GOLDEN=1 cargo test -p operator)",
            path.display(),
            path.display()
        );
    }

    #[test]
    fn crd_names_scope_and_subresources() {
        let crd = crd();
        assert_eq!(
            crd.metadata.name.as_deref(),
            Some("weightsandbiases.apps.wandb.com")
        );
        assert_eq!(crd.spec.group, "apps.wandb.com");
        assert_eq!(crd.spec.scope, "Namespaced");
        assert_eq!(crd.spec.names.kind, "WeightsAndBiases");
        assert_eq!(crd.spec.names.plural, "weightsandbiases");
        assert_eq!(crd.spec.names.short_names, Some(vec!["wandb".to_string()]));
        let version = &crd.spec.versions[0];
        assert_eq!(version.name, "v1");
        assert!(version.served && version.storage);
        assert!(
            version
                .subresources
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .is_some()
        );
        let columns: Vec<_> = version
            .additional_printer_columns
            .iter()
            .flatten()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(columns, ["Phase", "Version", "Ready", "Age"]);
    }

    #[test]
    fn spec_chart_and_values_preserve_unknown_fields() {
        let schema = serde_json::to_value(&crd().spec.versions[0].schema).unwrap();
        let spec = &schema["openAPIV3Schema"]["properties"]["spec"]["properties"];
        for field in ["chart", "values"] {
            assert_eq!(spec[field]["type"], "object", "{field}");
            assert_eq!(
                spec[field]["x-kubernetes-preserve-unknown-fields"], true,
                "{field}"
            );
        }
        let status = &schema["openAPIV3Schema"]["properties"]["status"]["properties"];
        assert_eq!(
            status["phase"]["enum"],
            serde_json::json!(["Loading", "Applying", "Completed", "Invalid Config"])
        );
        assert_eq!(status["conditions"]["x-kubernetes-list-type"], "map");
    }
}
