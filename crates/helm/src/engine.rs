//! The install pipeline of `helm template` and Helm's template engine
//! (`pkg/engine`): the render data of every chart (`recAllTpls`), parse and
//! execution order (`sortTemplates`), `<no value>` removal and Helm's error
//! reshaping.

use std::{
    any::Any,
    borrow::Cow,
    sync::{Arc, OnceLock, mpsc},
};

use gotmpl::{ExecOptions, FuncMap, Map, MissingKey, Templates, Value};

use crate::{
    Error, RenderOptions,
    chart::Chart,
    deps,
    funcs::FuncsState,
    manifest::{self, Rendered},
    objects::{self, Capabilities, Files, KubeVersion},
    schema, semverc,
    values::{self, Values},
};

/// The Sprig + Helm function registry, built once per process.
pub(crate) fn func_map() -> Arc<FuncMap> {
    static MAP: OnceLock<Arc<FuncMap>> = OnceLock::new();
    MAP.get_or_init(crate::funcs::func_map).clone()
}

const RELEASE_NAME_MAX: usize = 53;

/// `chartutil.ValidateReleaseName`.
fn validate_release_name(name: &str) -> Result<(), Error> {
    fn label_ok(l: &str) -> bool {
        let b = l.as_bytes();
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    }
    if name.is_empty() || name.len() > RELEASE_NAME_MAX || !name.split('.').all(label_ok) {
        return Err(Error::Compatibility(format!(
            "release name {name:?}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
        )));
    }
    Ok(())
}

/// One template file ready to execute.
struct Renderable {
    name: String,
    text: String,
    /// The chart's shared render data (`next` in Helm).
    vals: Map,
    base_path: String,
}

/// Runs the whole `helm template` pipeline on a chart.
pub(crate) fn render_chart(
    chart: Cow<'_, Chart>,
    user: Values,
    opts: &RenderOptions,
    raw_only: bool,
    parse_objects: bool,
) -> Result<Rendered, Error> {
    validate_release_name(&opts.release_name)?;
    let kube_str = opts
        .kube_version
        .as_deref()
        .unwrap_or(objects::DEFAULT_KUBE_VERSION);
    let kube = KubeVersion::parse(kube_str)
        .ok_or_else(|| Error::Compatibility(format!("invalid kube version {kube_str:?}")))?;
    deps::check_dependencies(&chart)?;
    // Dependency processing rewrites the tree (aliases, disabled subcharts,
    // imported values); without any declared dependency it changes nothing,
    // and a borrowed chart need not be copied (every subchart's values
    // included).
    let mut chart = chart;
    if declares_dependencies(&chart) {
        let c = chart.to_mut();
        c.is_root = true;
        deps::process(c, &user)?;
    }
    if !chart.metadata.kube_version.is_empty()
        && !semverc::satisfies(&chart.metadata.kube_version, kube.as_str())
    {
        return Err(Error::Compatibility(format!(
            "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
            chart.metadata.kube_version,
            kube.as_str()
        )));
    }
    // Nothing reads the chart's own values after coalescing: an owned chart
    // gives them up instead of having them copied.
    let vals = match &mut chart {
        Cow::Owned(c) => values::coalesce_values_taking(c, &user),
        Cow::Borrowed(c) => values::coalesce_values(c, &user),
    }
    .map_err(Error::Dependency)?;
    schema::validate(&chart, &vals)?;

    let caps = Value::Object(Arc::new(Capabilities::new(kube, &opts.api_versions)));
    let release = objects::release_map(
        &opts.release_name,
        &opts.namespace,
        opts.revision,
        opts.is_upgrade,
    );
    let root_values = objects::json_to_value(&serde_json::Value::Object(vals));
    let mut tpls = Vec::new();
    let root_name = chart.name().to_string();
    build_data(
        &chart,
        None,
        &root_values,
        &release,
        &caps,
        &root_name,
        &mut tpls,
    );

    let state = FuncsState {
        lookup: opts.lookup.clone(),
    };
    if raw_only {
        let files = render_templates(tpls, &state, None)?;
        return Ok(Rendered {
            raw: files,
            ..Rendered::default()
        });
    }
    // Rendered files are split and scanned on a second thread while the
    // remaining templates execute (the two phases are independent).
    let (files, scanned) = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(String, String)>();
        let scanner = scope.spawn(move || {
            rx.into_iter()
                .map(|(name, text)| {
                    let docs = manifest::scan_file(&name, &text, parse_objects);
                    (name, docs)
                })
                .collect::<Vec<_>>()
        });
        let files = render_templates(tpls, &state, Some(&tx));
        drop(tx);
        let scanned = scanner
            .join()
            .map_err(|_| Error::Manifest("manifest scanner panicked".into()));
        files.and_then(|f| scanned.map(|s| (f, s)))
    })?;

    let notes_name = format!("{root_name}/templates/NOTES.txt");
    let notes = files
        .into_iter()
        .find(|(name, _)| *name == notes_name)
        .map(|(_, text)| text);
    let (manifests, hooks) = manifest::finish(scanned)?;
    let crds = chart
        .crd_objects()
        .into_iter()
        .map(|(path, f)| manifest::crd_manifest(path, &f.data))
        .collect();
    Ok(Rendered {
        manifests,
        hooks,
        crds,
        notes,
        raw: Vec::new(),
    })
}

/// Whether any chart in the tree lists dependencies in its `Chart.yaml`
/// (the only case where [`deps::process`] changes anything).
fn declares_dependencies(chart: &Chart) -> bool {
    !chart.metadata.dependencies.is_empty() || chart.dependencies.iter().any(declares_dependencies)
}

/// `recAllTpls`: the render data of `chart` and its subcharts.
fn build_data(
    chart: &Chart,
    parent: Option<&Map>,
    root_values: &Value,
    release: &Value,
    caps: &Value,
    full_path: &str,
    out: &mut Vec<Renderable>,
) -> Map {
    let subcharts = Map::new();
    let next = Map::new();
    next.insert(
        "Chart",
        objects::chart_map(&chart.metadata, parent.is_none()),
    );
    next.insert("Files", Value::Object(Arc::new(Files::new(chart))));
    next.insert("Release", release.clone());
    next.insert("Capabilities", caps.clone());
    next.insert("Subcharts", Value::Map(subcharts.clone()));
    let values = match parent {
        None => root_values.clone(),
        Some(p) => match p.get("Values") {
            Some(Value::Map(pv)) => match pv.get(chart.name()) {
                Some(Value::Map(m)) => Value::Map(m),
                _ => Value::Map(Map::new()),
            },
            _ => Value::Map(Map::new()),
        },
    };
    next.insert("Values", values);
    for child in &chart.dependencies {
        let child_path = format!("{full_path}/charts/{}", child.name());
        let sub = build_data(
            child,
            Some(&next),
            root_values,
            release,
            caps,
            &child_path,
            out,
        );
        subcharts.insert(child.name().to_string(), Value::Map(sub));
    }
    let library = chart.is_library();
    for t in &chart.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.push(Renderable {
            name: format!("{full_path}/{}", t.name),
            text: String::from_utf8_lossy(&t.data).into_owned(),
            vals: next.clone(),
            base_path: format!("{full_path}/templates"),
        });
    }
    next
}

/// Helm's `sortTemplates`: more path segments first, then reverse
/// lexicographic order. Parse order decides which duplicate `define` wins.
fn sort_templates(tpls: &mut [Renderable]) {
    tpls.sort_by(|a, b| {
        let (ca, cb) = (a.name.matches('/').count(), b.name.matches('/').count());
        cb.cmp(&ca).then_with(|| b.name.cmp(&a.name))
    });
}

/// Executes every non-partial template; each output also goes to `sink`
/// (NOTES.txt excepted, which Helm removes before sorting).
fn render_templates(
    mut tpls: Vec<Renderable>,
    state: &FuncsState,
    sink: Option<&mpsc::Sender<(String, String)>>,
) -> Result<Vec<(String, String)>, Error> {
    sort_templates(&mut tpls);
    let mut set = Templates::new(func_map());
    set.set_root_name("gotpl");
    for t in &tpls {
        set.parse(&t.name, &t.text)
            .map_err(|e| parse_error(&t.name, &e))?;
    }
    let ext: &(dyn Any + Send + Sync) = state;
    let opts = ExecOptions {
        missing_key: MissingKey::Zero,
        extension: Some(ext),
        ..ExecOptions::default()
    };
    let mut out = Vec::with_capacity(tpls.len());
    for t in &tpls {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if base.starts_with('_') {
            continue;
        }
        t.vals.insert(
            "Template",
            Value::map([
                ("Name", Value::from(t.name.as_str())),
                ("BasePath", Value::from(t.base_path.as_str())),
            ]),
        );
        let text = set
            .execute(&t.name, &Value::Map(t.vals.clone()), &opts)
            .map_err(|e| exec_error(&t.name, &e))?;
        let text = if text.contains("<no value>") {
            text.replace("<no value>", "")
        } else {
            text
        };
        if let Some(tx) = sink
            && !t.name.ends_with("NOTES.txt")
        {
            // A closed channel only means the scanner stopped; errors surface there.
            let _ = tx.send((t.name.clone(), text.clone()));
        }
        out.push((t.name.clone(), text));
    }
    Ok(out)
}

/// `cleanupParseError`: `parse error at (file:line): last message part`.
fn parse_error(filename: &str, e: &gotmpl::Error) -> Error {
    let s = e.to_string();
    let tokens: Vec<&str> = s.split(": ").collect();
    if tokens.len() < 2 {
        return Error::Render(format!("parse error in ({filename}): {s}"));
    }
    Error::Render(format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    ))
}

/// `reformatExecErrorMsg`: `required`/`fail` become
/// `execution error at (file:line:col): message`; other errors keep Go's
/// text, which names the file, line, column, template and action.
fn exec_error(filename: &str, e: &gotmpl::Error) -> Error {
    let s = e.to_string();
    let tokens: Vec<&str> = s.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return Error::Render(format!("execution error in ({filename}): {s}"));
    }
    let location = tokens[1];
    let markers = ["error calling required: ", "error calling fail: "];
    let found = markers
        .iter()
        .filter_map(|m| s.rfind(m).map(|i| i + m.len()))
        .max();
    match found {
        Some(i) => Error::Render(format!("execution error at ({location}): {}", &s[i..])),
        None => Error::Render(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_order_is_deep_first_then_reverse_lexicographic() {
        let mk = |n: &str| Renderable {
            name: n.into(),
            text: String::new(),
            vals: Map::new(),
            base_path: String::new(),
        };
        let mut v = vec![
            mk("c/templates/a.yaml"),
            mk("c/templates/z.yaml"),
            mk("c/templates/sub/deep.yaml"),
            mk("c/charts/x/templates/b.yaml"),
        ];
        sort_templates(&mut v);
        let names: Vec<&str> = v.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "c/charts/x/templates/b.yaml",
                "c/templates/sub/deep.yaml",
                "c/templates/z.yaml",
                "c/templates/a.yaml"
            ]
        );
    }

    #[test]
    fn release_names() {
        assert!(validate_release_name("release-name").is_ok());
        assert!(validate_release_name("Bad").is_err());
        assert!(validate_release_name(&"a".repeat(54)).is_err());
    }
}
