//! Assembling the desired spec from its layers.
//!
//! Input: the CR's `spec`, the user input (`<name>-spec-user`), the release channel
//! release (fresh or cached; `None` when air-gapped or unreachable) and the operator
//! defaults. Output: a [`DesiredSpec`] with the chart reference, the merged values
//! with provenance, and the operator's own settings read from the values. Pure.

use std::{collections::BTreeMap, time::Duration};

use serde_json::{Value, json};

use super::{
    duration::{DEFAULT_RECONCILE_FREQUENCY, parse_go_duration},
    merge::{Layer, Merged, merge_layers},
    state::{StateKind, StoredSpec},
};
use crate::{
    api::API_VERSION,
    source::{ChartRef, ChartRefError, parse_chart_ref},
};

/// `global.operator.namespace` when `OPERATOR_NAMESPACE` is not set (Go default).
pub const DEFAULT_OPERATOR_NAMESPACE: &str = "wandb";
/// Top-level value key holding the requeue period (Go duration).
pub const RECONCILE_FREQUENCY_KEY: &str = "reconcileFrequency";
/// Top-level user-input value key pinning a channel release.
pub const RELEASE_ID_KEY: &str = "_releaseId";

/// The lowest layer: values the operator injects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorDefaults {
    /// The namespace the operator runs in (`OPERATOR_NAMESPACE`).
    pub operator_namespace: String,
}

impl Default for OperatorDefaults {
    fn default() -> Self {
        OperatorDefaults {
            operator_namespace: DEFAULT_OPERATOR_NAMESPACE.to_string(),
        }
    }
}

impl OperatorDefaults {
    /// `global.operator.{namespace, apiVersion}`.
    pub fn values(&self) -> Value {
        json!({"global": {"operator": {
            "namespace": self.operator_namespace,
            "apiVersion": API_VERSION,
        }}})
    }
}

/// Everything the desired spec is made of.
#[derive(Clone, Debug, Default)]
pub struct LayerInputs<'a> {
    /// The CR name, used to name the user-input Secret in errors.
    pub cr_name: &'a str,
    /// `spec.chart` of the CR.
    pub cr_chart: Option<&'a Value>,
    /// `spec.values` of the CR.
    pub cr_values: Option<&'a Value>,
    /// Content of `<name>-spec-user`.
    pub user_input: Option<&'a StoredSpec>,
    /// The channel release (fresh or from `<name>-latest-cached-release`).
    pub channel: Option<&'a StoredSpec>,
    /// The operator defaults.
    pub defaults: OperatorDefaults,
}

/// The configuration to render and apply.
#[derive(Clone, Debug)]
pub struct DesiredSpec {
    /// Where the chart comes from.
    pub chart: ChartRef,
    /// The chart reference as JSON, as stored in `<name>-spec-active` (`null` for the
    /// embedded chart).
    pub chart_json: Value,
    /// The layer that chose the chart; `None` for the embedded chart.
    pub chart_layer: Option<Layer>,
    /// Merged values and their provenance.
    pub merged: Merged,
    /// Metadata of the channel release (`releaseId`, `version`, ...).
    pub metadata: Option<BTreeMap<String, String>>,
    /// How often to reconcile when nothing happens.
    pub reconcile_frequency: Duration,
    /// Problems that do not stop the reconcile (shown as events and in `explain`).
    pub warnings: Vec<String>,
}

impl DesiredSpec {
    /// The merged values.
    pub fn values(&self) -> &Value {
        &self.merged.values
    }

    /// What is stored in `<name>-spec-active` after a successful apply.
    pub fn to_stored(&self) -> StoredSpec {
        StoredSpec {
            chart: self.chart_json.clone(),
            values: self.merged.values.clone(),
            metadata: self.metadata.clone(),
        }
    }

    /// True when `active` (the last applied spec) equals this one: then there is
    /// nothing new to apply.
    pub fn same_as(&self, active: &StoredSpec) -> bool {
        self.to_stored() == *active
    }
}

/// The layers cannot be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// A chart reference that names no known source.
    #[error(transparent)]
    Chart(#[from] ChartRefError),
}

/// Merges the layers (CR > user input > channel > defaults) and resolves the chart
/// (CR, else user input, else channel, else embedded).
pub fn desired_spec(inputs: &LayerInputs<'_>) -> Result<DesiredSpec, SpecError> {
    let defaults = inputs.defaults.values();
    let empty = Value::Null;
    let merged = merge_layers([
        (Layer::OperatorDefaults, &defaults),
        (
            Layer::ReleaseChannel,
            inputs.channel.map_or(&empty, |c| &c.values),
        ),
        (
            Layer::UserInput,
            inputs.user_input.map_or(&empty, |u| &u.values),
        ),
        (Layer::CustomResource, inputs.cr_values.unwrap_or(&empty)),
    ]);

    let user_field = format!(
        "Secret {} key chart",
        StateKind::UserInput.secret_name(inputs.cr_name)
    );
    let candidates = [
        (
            Layer::CustomResource,
            inputs.cr_chart,
            "spec.chart".to_string(),
        ),
        (
            Layer::UserInput,
            inputs.user_input.map(|u| &u.chart),
            user_field,
        ),
        (
            Layer::ReleaseChannel,
            inputs.channel.map(|c| &c.chart),
            "release channel chart".to_string(),
        ),
    ];
    let embedded = ChartRef::Embedded {
        name: None,
        version: None,
    };
    let mut chart = (embedded, Value::Null, None);
    for (layer, value, field) in candidates {
        if let Some(value) = value
            && let Some(found) = parse_chart_ref(value, &field)?
        {
            chart = (found, value.clone(), Some(layer));
            break;
        }
    }

    let mut warnings = Vec::new();
    let reconcile_frequency = reconcile_frequency(&merged.values, &mut warnings);
    let metadata = inputs
        .user_input
        .and_then(|u| u.metadata.clone())
        .or_else(|| inputs.channel.and_then(|c| c.metadata.clone()));

    Ok(DesiredSpec {
        chart: chart.0,
        chart_json: chart.1,
        chart_layer: chart.2,
        merged,
        metadata,
        reconcile_frequency,
        warnings,
    })
}

fn reconcile_frequency(values: &Value, warnings: &mut Vec<String>) -> Duration {
    match values.get(RECONCILE_FREQUENCY_KEY) {
        None | Some(Value::Null) => DEFAULT_RECONCILE_FREQUENCY,
        Some(Value::String(s)) => match parse_go_duration(s) {
            Ok(d) if !d.is_zero() => d,
            Ok(_) => {
                warnings.push(format!(
                    "{RECONCILE_FREQUENCY_KEY} must be positive; using 1h"
                ));
                DEFAULT_RECONCILE_FREQUENCY
            }
            Err(e) => {
                warnings.push(format!("{RECONCILE_FREQUENCY_KEY}: {e}; using 1h"));
                DEFAULT_RECONCILE_FREQUENCY
            }
        },
        Some(_) => {
            warnings.push(format!(
                "{RECONCILE_FREQUENCY_KEY} must be a duration string such as \"30m\"; using 1h"
            ));
            DEFAULT_RECONCILE_FREQUENCY
        }
    }
}

/// The pinned channel release, from the user input only (as in the Go operator).
pub fn release_id(user_input: Option<&StoredSpec>) -> Option<String> {
    user_input
        .and_then(|u| u.values.get(RELEASE_ID_KEY))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ValuePath;

    fn stored(chart: Value, values: Value) -> StoredSpec {
        StoredSpec {
            chart,
            values,
            metadata: None,
        }
    }

    #[test]
    fn precedence_cr_over_user_over_channel_over_defaults() {
        let channel = stored(
            json!({"url": "https://charts.wandb.ai", "name": "operator-wandb", "version": "0.40.0"}),
            json!({"global": {"host": "c", "operator": {"namespace": "from-channel"}}, "app": {"image": {"tag": "0.62"}}}),
        );
        let user = stored(
            Value::Null,
            json!({"app": {"image": {"tag": "0.60"}}, "global": {"host": "u"}}),
        );
        let cr_values = json!({"global": {"host": "cr"}});
        let spec = desired_spec(&LayerInputs {
            cr_name: "wandb",
            cr_values: Some(&cr_values),
            user_input: Some(&user),
            channel: Some(&channel),
            defaults: OperatorDefaults {
                operator_namespace: "ops".into(),
            },
            ..LayerInputs::default()
        })
        .unwrap();
        let v = spec.values();
        assert_eq!(v["global"]["host"], "cr");
        assert_eq!(v["app"]["image"]["tag"], "0.60");
        assert_eq!(v["global"]["operator"]["namespace"], "from-channel");
        assert_eq!(v["global"]["operator"]["apiVersion"], "apps.wandb.com/v1");
        let path = ValuePath::parse("global.operator.apiVersion").unwrap();
        assert_eq!(
            spec.merged.provenance.leaf(&path),
            Some(Layer::OperatorDefaults)
        );
        assert_eq!(spec.chart_layer, Some(Layer::ReleaseChannel));
        assert!(matches!(spec.chart, ChartRef::Repo { .. }));
        assert_eq!(spec.reconcile_frequency, DEFAULT_RECONCILE_FREQUENCY);
    }

    #[test]
    fn chart_from_cr_else_channel_else_embedded() {
        let cr_chart = json!({"path": "/charts/operator-wandb.b64"});
        let channel = stored(json!({"url": "https://r", "name": "c"}), json!({}));
        let with_cr = desired_spec(&LayerInputs {
            cr_chart: Some(&cr_chart),
            channel: Some(&channel),
            ..LayerInputs::default()
        })
        .unwrap();
        assert_eq!(with_cr.chart_layer, Some(Layer::CustomResource));
        assert_eq!(with_cr.chart_json, cr_chart);

        let embedded = desired_spec(&LayerInputs::default()).unwrap();
        assert!(matches!(
            embedded.chart,
            ChartRef::Embedded { name: None, .. }
        ));
        assert_eq!(embedded.chart_layer, None);
        assert_eq!(embedded.chart_json, Value::Null);
    }

    #[test]
    fn a_bad_cr_chart_is_an_error_even_when_the_channel_has_one() {
        let cr_chart = json!({"repo": "x"});
        let channel = stored(json!({"url": "https://r", "name": "c"}), json!({}));
        let e = desired_spec(&LayerInputs {
            cr_chart: Some(&cr_chart),
            channel: Some(&channel),
            ..LayerInputs::default()
        })
        .unwrap_err();
        assert!(e.to_string().starts_with("spec.chart: unrecognised"), "{e}");
    }

    #[test]
    fn a_bad_user_input_chart_names_the_secret() {
        let user = stored(json!(["x"]), json!({}));
        let e = desired_spec(&LayerInputs {
            cr_name: "wandb",
            user_input: Some(&user),
            ..LayerInputs::default()
        })
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("Secret wandb-spec-user key chart:"),
            "{e}"
        );
    }

    #[test]
    fn reconcile_frequency_parses_go_durations_and_falls_back() {
        let spec = |v: Value| {
            desired_spec(&LayerInputs {
                cr_values: Some(&v),
                ..LayerInputs::default()
            })
            .unwrap()
        };
        assert_eq!(
            spec(json!({"reconcileFrequency": "30m"})).reconcile_frequency,
            Duration::from_secs(1800)
        );
        let bad = spec(json!({"reconcileFrequency": "soon"}));
        assert_eq!(bad.reconcile_frequency, DEFAULT_RECONCILE_FREQUENCY);
        assert_eq!(bad.warnings.len(), 1);
        let zero = spec(json!({"reconcileFrequency": "0s"}));
        assert_eq!(zero.reconcile_frequency, DEFAULT_RECONCILE_FREQUENCY);
        let number = spec(json!({"reconcileFrequency": 30}));
        assert_eq!(number.warnings.len(), 1);
    }

    #[test]
    fn release_id_comes_from_user_input_only() {
        let user = stored(Value::Null, json!({"_releaseId": "rel-42"}));
        assert_eq!(release_id(Some(&user)), Some("rel-42".into()));
        assert_eq!(
            release_id(Some(&stored(Value::Null, json!({"_releaseId": ""})))),
            None
        );
        assert_eq!(release_id(None), None);
    }

    #[test]
    fn same_as_detects_no_change() {
        let channel = StoredSpec {
            chart: json!({"url": "https://r", "name": "c", "version": "1.0.0"}),
            values: json!({"a": 1}),
            metadata: Some(BTreeMap::from([("releaseId".into(), "r1".into())])),
        };
        let inputs = LayerInputs {
            channel: Some(&channel),
            ..LayerInputs::default()
        };
        let spec = desired_spec(&inputs).unwrap();
        let active = spec.to_stored();
        assert!(spec.same_as(&active));
        let mut changed = active.clone();
        changed.values["a"] = json!(2);
        assert!(!spec.same_as(&changed));
    }
}
