//! `values.schema.json` validation of the root chart and every enabled
//! subchart (`util.ValidateAgainstSchema`), with Helm-like messages.

use serde_json::Value as Json;

use crate::{Error, chart::Chart, values::Values};

/// Validates `values` (the coalesced values of `chart`) against its schema
/// and each subchart's values against the subchart's schema.
pub fn validate(chart: &Chart, values: &Values) -> Result<(), Error> {
    let mut out = String::new();
    validate_into(chart, values, &mut out);
    if out.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{out}"
        )))
    }
}

fn validate_into(chart: &Chart, values: &Values, out: &mut String) {
    if let Some(schema) = &chart.schema
        && let Err(msg) = validate_single(values, schema)
    {
        out.push_str(&format!("{}:\n{msg}", chart.name()));
    }
    for sub in &chart.dependencies {
        let empty = Values::new();
        let sv = match values.get(sub.name()) {
            Some(Json::Object(m)) => m,
            _ => &empty,
        };
        validate_into(sub, sv, out);
    }
}

/// One schema; the error text lists each failure as `- at '/path': message`.
fn validate_single(values: &Values, schema: &[u8]) -> Result<(), String> {
    let schema: Json = serde_json::from_slice(schema)
        .or_else(|_| crate::yaml::parse(&String::from_utf8_lossy(schema)).map_err(|e| e.0))
        .map_err(|e| format!("- unable to parse schema: {e}\n"))?;
    let validator =
        jsonschema::validator_for(&schema).map_err(|e| format!("- invalid schema: {e}\n"))?;
    let instance = Json::Object(values.clone());
    let mut msgs: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("- at '{}': {}", e.instance_path(), e))
        .collect();
    if msgs.is_empty() {
        return Ok(());
    }
    msgs.sort();
    msgs.dedup();
    Ok::<(), String>(()).and(Err(msgs.join("\n") + "\n"))
}
