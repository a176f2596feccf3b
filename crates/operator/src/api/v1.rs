//! Version `v1` of `WeightsAndBiases`.
//!
//! `spec.chart` and `spec.values` are free-form objects, exactly as the Go operator
//! declares them, so every custom resource written for it is accepted unchanged.
//! The status adds what the Go operator lacked: conditions, `observedGeneration`,
//! the applied version and the last applied revision and time.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// Desired state of a W&B platform instance.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "apps.wandb.com",
    version = "v1",
    kind = "WeightsAndBiases",
    plural = "weightsandbiases",
    singular = "weightsandbiases",
    shortname = "wandb",
    namespaced,
    status = "WeightsAndBiasesStatus",
    derive = "PartialEq",
    doc = "A W&B Server platform instance managed by the W&B operator.",
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Version","type":"string","jsonPath":".status.version"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
pub struct WeightsAndBiasesSpec {
    /// Where the platform chart comes from: `{path}` (a chart directory, a `.tgz`, or a
    /// file holding a base64 `.tgz`), `{url, name, version}` (a Helm repository) or
    /// `{url: oci://..., version}`, or `{name, version}` for the chart embedded in the
    /// operator. When absent, the release channel's chart is used, else the embedded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub chart: Option<serde_json::Value>,

    /// Helm values for the platform chart. They take precedence over the user input
    /// (system console), the release channel and the operator defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "free_form_object")]
    pub values: Option<serde_json::Value>,
}

/// The schema of `spec.chart` and `spec.values`: any object, kept as written.
fn free_form_object(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true
    })
}

/// The standard condition list, declared as a list-map keyed by `type` so that
/// server-side apply merges conditions one by one.
fn condition_list(generator: &mut SchemaGenerator) -> Schema {
    let item = generator.subschema_for::<Condition>();
    json_schema!({
        "type": "array",
        "items": item,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"]
    })
}

/// Coarse state of the last reconcile. The strings are those of the Go operator
/// because users already script against them.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum Phase {
    /// The desired configuration is being assembled (layers, chart, render).
    Loading,
    /// Manifests are being applied to the cluster.
    Applying,
    /// The desired configuration was applied.
    Completed,
    /// The configuration cannot be applied; the `Reconciled` condition says why.
    #[serde(rename = "Invalid Config")]
    InvalidConfig,
}

impl Phase {
    /// The phase as written in the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Loading => "Loading",
            Phase::Applying => "Applying",
            Phase::Completed => "Completed",
            Phase::InvalidConfig => "Invalid Config",
        }
    }
}

/// Observed state of a W&B platform instance.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WeightsAndBiasesStatus {
    /// Coarse state of the last reconcile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,

    /// The chart version and app version applied, as `<chart version> (app <app version>)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,

    /// The `metadata.generation` that the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// `Ready`, `Reconciled` and `ChannelReachable`, with a reason and a message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "condition_list")]
    pub conditions: Vec<Condition>,

    /// Counter of successful applies that changed the cluster (1 on install).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_revision: Option<i64>,

    /// When the last successful apply finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_time: Option<Time>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_strings_match_the_go_operator() {
        for phase in [
            Phase::Loading,
            Phase::Applying,
            Phase::Completed,
            Phase::InvalidConfig,
        ] {
            let json = serde_json::to_value(phase).unwrap();
            assert_eq!(json, serde_json::Value::String(phase.as_str().into()));
            let back: Phase = serde_json::from_value(json).unwrap();
            assert_eq!(back, phase);
        }
        assert_eq!(Phase::InvalidConfig.as_str(), "Invalid Config");
    }

    #[test]
    fn a_go_operator_resource_with_status_deserializes() {
        let yaml = r#"
apiVersion: apps.wandb.com/v1
kind: WeightsAndBiases
metadata:
  name: wandb
  namespace: default
spec:
  chart:
    url: https://charts.wandb.ai
    name: operator-wandb
    version: "0.41.3"
  values:
    global:
      host: https://wandb.example.com
status:
  phase: Invalid Config
"#;
        let wandb: WeightsAndBiases = serde_saphyr::from_str(yaml).unwrap();
        assert_eq!(
            wandb.spec.chart.as_ref().and_then(|c| c.get("version")),
            Some(&serde_json::json!("0.41.3"))
        );
        assert_eq!(
            wandb.status.and_then(|s| s.phase),
            Some(Phase::InvalidConfig)
        );
    }

    #[test]
    fn an_empty_spec_round_trips_without_null_fields() {
        let wandb = WeightsAndBiases::new("wandb", WeightsAndBiasesSpec::default());
        let json = serde_json::to_value(&wandb).unwrap();
        assert_eq!(json["spec"], serde_json::json!({}));
    }
}
