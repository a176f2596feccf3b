//! `wandb-operator explain -f cr.yaml [--user-input F] [--channel F] [KEY]`: assemble
//! the layers offline, exactly as the controller does, and print where KEY comes
//! from. Secrets are redacted.

use std::{io::Write, path::Path};

use anyhow::{Context, bail};
use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use operator::{
    api::WeightsAndBiases,
    channel::{ChannelRequest, FileChannel, embedded_release, select_base},
    spec::{
        DesiredSpec, LayerInputs, OperatorDefaults, StoredSpec, ValuePath, desired_spec, explain,
        release_id,
    },
};
use serde_json::Value;

use crate::cli::ExplainArgs;

/// The CR and the desired spec assembled offline from files, exactly as the
/// controller assembles them (shared by `explain` and `render`). Returns the
/// release-channel message when the channel file could not be used.
pub fn load_layers(
    file: &Path,
    user_input: Option<&Path>,
    channel: Option<&Path>,
    layers: &crate::cli::LayerArgs,
) -> anyhow::Result<(WeightsAndBiases, DesiredSpec, Option<String>)> {
    let cr = read_cr(file)?;
    let user_input = user_input.map(read_user_input).transpose()?;
    let fetched = match (channel, layers.airgapped) {
        (Some(path), false) => {
            let request = ChannelRequest {
                license: None,
                release_id: release_id(user_input.as_ref()),
            };
            Some(FileChannel::new(path).read(&request))
        }
        _ => None,
    };
    let base = select_base(layers.airgapped, fetched, None, embedded_release()?);
    let spec = desired_spec(&LayerInputs {
        cr_name: cr.metadata.name.as_deref().unwrap_or_default(),
        cr_chart: cr.spec.chart.as_ref(),
        cr_values: cr.spec.values.as_ref(),
        user_input: user_input.as_ref(),
        channel: Some(&base.release),
        defaults: OperatorDefaults {
            operator_namespace: layers.operator_namespace.clone(),
        },
    })?;
    let note = (!base.reachable).then_some(base.message);
    Ok((cr, spec, note))
}

/// Runs `explain`.
pub fn run(args: &ExplainArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let (_, spec, channel_note) = load_layers(
        &args.file,
        args.user_input.as_deref(),
        args.channel.as_deref(),
        &args.layers,
    )?;
    if let Some(note) = channel_note {
        writeln!(out, "# release channel: {note}")?;
    }
    for warning in &spec.warnings {
        writeln!(out, "# warning: {warning}")?;
    }
    match &args.key {
        Some(key) => {
            let path = ValuePath::parse(key)?;
            write!(out, "{}", explain(&spec.merged, &path))?;
        }
        None => {
            writeln!(
                out,
                "chart: {} (set by: {})",
                spec.chart.describe(),
                spec.chart_layer.map_or("default", |l| l.as_str())
            )?;
            let root = ValuePath::default();
            for (leaf, layer, value) in explain(&spec.merged, &root).leaves {
                writeln!(out, "{leaf} = {value}  ({layer})")?;
            }
        }
    }
    Ok(())
}

fn read_yaml(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_saphyr::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

pub(crate) fn read_cr(path: &Path) -> anyhow::Result<WeightsAndBiases> {
    let value = read_yaml(path)?;
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind != "WeightsAndBiases" {
        bail!(
            "{}: expected kind WeightsAndBiases, found {kind:?}",
            path.display()
        );
    }
    serde_json::from_value(value)
        .with_context(|| format!("{}: not a valid WeightsAndBiases", path.display()))
}

/// A `<name>-spec-user` Secret (`data` base64 or `stringData`), a stored-spec
/// document `{chart, values, metadata}`, or plain values.
pub(crate) fn read_user_input(path: &Path) -> anyhow::Result<StoredSpec> {
    let value = read_yaml(path)?;
    let context = || format!("{}: not a valid user-input layer", path.display());
    if value.get("kind").and_then(Value::as_str) == Some("Secret") {
        let mut value = value;
        // `stringData` is what people write by hand; fold it into `data`.
        if let Some(Value::Object(string_data)) = value.get("stringData").cloned() {
            let engine = base64::engine::general_purpose::STANDARD;
            let data = value.as_object_mut().map(|o| {
                o.entry("data")
                    .or_insert_with(|| Value::Object(Default::default()))
            });
            if let Some(Value::Object(data)) = data {
                for (k, v) in string_data {
                    let text = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    data.insert(k, Value::String(engine.encode(text)));
                }
            }
        }
        let secret: Secret = serde_json::from_value(value).with_context(context)?;
        return StoredSpec::from_secret(&secret).with_context(context);
    }
    let is_stored = value.as_object().is_some_and(|o| {
        o.contains_key("values")
            && o.keys()
                .all(|k| ["chart", "values", "metadata"].contains(&k.as_str()))
    });
    if is_stored {
        let chart = value.get("chart").cloned().unwrap_or(Value::Null);
        let metadata = match value.get("metadata") {
            None | Some(Value::Null) => None,
            Some(m) => Some(serde_json::from_value(m.clone()).with_context(context)?),
        };
        let values = value.get("values").cloned().unwrap_or(Value::Null);
        if !values.is_object() {
            bail!("{}: values must be a map", path.display());
        }
        return Ok(StoredSpec {
            chart,
            values,
            metadata,
        });
    }
    match value {
        Value::Object(_) => Ok(StoredSpec {
            chart: Value::Null,
            values: value,
            metadata: None,
        }),
        Value::Null => Ok(StoredSpec::default()),
        _ => bail!("{}: expected a map of values", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::cli::LayerArgs;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wo-explain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const CR: &str = "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata: {name: wandb, namespace: default}\nspec:\n  values:\n    global:\n      host: https://cr.example.com\n      license: eyJsecret\n";

    fn args(
        cr: PathBuf,
        user: Option<PathBuf>,
        channel: Option<PathBuf>,
        key: Option<&str>,
    ) -> ExplainArgs {
        ExplainArgs {
            file: cr,
            user_input: user,
            channel,
            layers: LayerArgs {
                operator_namespace: "ops".into(),
                airgapped: false,
            },
            key: key.map(str::to_string),
        }
    }

    fn output(args: &ExplainArgs) -> String {
        let mut out = Vec::new();
        run(args, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cr_overrides_user_input_overrides_channel() {
        let cr = write("cr.yaml", CR);
        let user = write(
            "user.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: wandb-spec-user}\nstringData:\n  values: '{\"global\": {\"host\": \"https://user\"}, \"app\": {\"image\": {\"tag\": \"0.60\"}}}'\n",
        );
        let channel = write(
            "channel.yaml",
            "metadata: {releaseId: r1}\nchart: {name: operator-wandb}\nvalues:\n  app: {image: {tag: '0.62'}}\n  global: {host: https://channel}\n",
        );
        let a = |key| {
            args(
                cr.clone(),
                Some(user.clone()),
                Some(channel.clone()),
                Some(key),
            )
        };
        assert_eq!(
            output(&a("global.host")),
            "global.host = \"https://cr.example.com\"\n  set by: custom resource\n"
        );
        assert_eq!(
            output(&a("app.image.tag")),
            "app.image.tag = \"0.60\"\n  set by: user input\n"
        );
        assert_eq!(
            output(&a("global.operator.namespace")),
            "global.operator.namespace = \"ops\"\n  set by: operator defaults\n"
        );
    }

    #[test]
    fn secrets_never_print_and_everything_lists_with_layers() {
        let cr = write("cr2.yaml", CR);
        let text = output(&args(cr, None, None, None));
        assert!(!text.contains("eyJsecret"), "{text}");
        assert!(
            text.contains("global.license = \"***REDACTED***\"  (custom resource)"),
            "{text}"
        );
        assert!(
            text.starts_with("chart: embedded chart operator-wandb"),
            "{text}"
        );
        assert!(text.contains("(release channel)"), "{text}");
    }

    #[test]
    fn unreachable_channel_is_reported_and_the_embedded_one_used() {
        let cr = write("cr3.yaml", CR);
        let text = output(&args(
            cr,
            None,
            Some("/nonexistent.yaml".into()),
            Some("global.host"),
        ));
        assert!(
            text.starts_with("# release channel: release channel unreachable"),
            "{text}"
        );
    }

    #[test]
    fn plain_values_and_stored_spec_user_input() {
        let plain = write("plain.yaml", "global: {host: h}\n");
        assert_eq!(
            read_user_input(&plain).unwrap().values["global"]["host"],
            "h"
        );
        let stored = write(
            "stored.yaml",
            "chart: null\nvalues: {a: 1}\nmetadata: null\n",
        );
        assert_eq!(read_user_input(&stored).unwrap().values["a"], 1.0);
    }

    #[test]
    fn a_bad_chart_or_kind_is_an_error() {
        let cr = write(
            "bad.yaml",
            "apiVersion: apps.wandb.com/v1\nkind: WeightsAndBiases\nmetadata: {name: w}\nspec:\n  chart: {repo: x}\n",
        );
        let e = run(&args(cr, None, None, Some("a")), &mut Vec::new()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("spec.chart: unrecognised chart reference"),
            "{e}"
        );
        let svc = write(
            "svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
        );
        assert!(run(&args(svc, None, None, None), &mut Vec::new()).is_err());
    }
}
