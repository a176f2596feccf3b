//! `wandb-operator render -f cr.yaml [--user-input F] [--channel F]`: the
//! controller's pipeline up to the manifests (layers, chart source, render, plan),
//! offline, printed as `helm template` prints them (CRDs of the chart first, as the
//! operator applies them). Warnings go to stderr so stdout stays YAML.

use std::io::Write;

use anyhow::Context;
use operator::{
    apply::{Inventory, plan},
    render::{HelmOutput, HelmRenderer, RenderRequest},
    source::{
        ChartRef, EMBEDDED_CHART_TGZ, FetchError, LocalChart, embedded_chart_id, fetch_offline,
        read_local_chart,
    },
    spec::Layer,
    status::next_revision,
};

use crate::{cli::RenderArgs, cmd::explain::load_layers};

/// Renders the CR as the controller would, without a cluster.
pub fn render(args: &RenderArgs) -> anyhow::Result<(HelmOutput, Vec<String>)> {
    let (cr, spec, channel_note) = load_layers(
        &args.file,
        args.user_input.as_deref(),
        args.channel.as_deref(),
        &args.layers,
    )?;
    let mut notes: Vec<String> = channel_note
        .into_iter()
        .map(|n| format!("release channel: {n}"))
        .collect();
    notes.extend(spec.warnings.iter().map(|w| format!("warning: {w}")));
    let field = match spec.chart_layer {
        Some(Layer::CustomResource) | None => "spec.chart".to_string(),
        Some(layer) => format!("{layer} chart"),
    };
    let chart = match (&args.chart, fetch_offline(&spec.chart, &field)) {
        (Some(path), _) => read_local_chart(path)?,
        (None, Ok(chart)) => chart,
        (None, Err(FetchError::NeedsNetwork(what))) => {
            let (embedded_name, embedded_version) = embedded_chart_id();
            let named = match &spec.chart {
                ChartRef::Repo { name, .. } => Some(name.as_str()),
                ChartRef::Oci { url, .. } => url
                    .rsplit('/')
                    .next()
                    .map(|last| last.split([':', '@']).next().unwrap_or(last)),
                _ => None,
            };
            if named != Some(embedded_name.as_str()) {
                anyhow::bail!(
                    "{field}: {what} must be downloaded; `render` is offline: pass --chart PATH"
                );
            }
            notes.push(format!(
                "{field} is {what}, which needs the network; rendering the embedded chart \
                 {embedded_name} {embedded_version} instead (use --chart to choose)"
            ));
            LocalChart::Archive(EMBEDDED_CHART_TGZ.to_vec())
        }
        (None, Err(e)) => return Err(e.into()),
    };
    let name = cr.metadata.name.clone().unwrap_or_default();
    let namespace = cr
        .metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".to_string());
    let output = HelmRenderer::new(None)
        .render_full(&RenderRequest {
            chart: &chart,
            release_name: &name,
            namespace: &namespace,
            revision: next_revision(cr.status.as_ref()),
            spec: &spec,
        })
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("rendering {}", spec.chart.describe()))?;
    // The planner's checks (names present, no duplicates) are part of validation.
    plan(
        &output.rendered.manifests,
        &Inventory::default(),
        &namespace,
    )?;
    Ok((output, notes))
}

/// Runs `render`.
pub fn run(args: &RenderArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let (output, notes) = render(args)?;
    for note in notes {
        eprintln!("# {note}");
    }
    out.write_all(output.template_text.as_bytes())?;
    Ok(())
}
