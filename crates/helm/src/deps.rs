//! Dependency processing (`chartutil.ProcessDependenciesWithMerge`): aliases,
//! conditions, tags, removal of disabled subcharts, and import-values.

use serde_json::{Map as JsonMap, Value as Json};

use crate::{
    Error,
    chart::Chart,
    values::{self, Values},
};

/// `action.CheckDependencies`: every dependency of `Chart.yaml` must be in
/// `charts/` (by chart name, not alias).
pub fn check_dependencies(chart: &Chart) -> Result<(), Error> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::Dependency(format!(
            "an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )))
    }
}

/// Runs Helm's dependency processing on `chart` (mutated: disabled subcharts
/// removed, aliases applied, parent values replaced by their merged form
/// with imported values).
pub fn process(chart: &mut Chart, user: &Values) -> Result<(), Error> {
    process_enabled(chart, user, "")?;
    process_import_values(chart)
}

fn process_enabled(c: &mut Chart, v: &Values, path: &str) -> Result<(), Error> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut deps: Vec<Chart> = Vec::new();
    // Charts in charts/ that no dependency entry claims are kept as they are.
    for e in &existing {
        let claimed = c
            .metadata
            .dependencies
            .iter()
            .any(|r| e.name() == r.name && crate::semverc::satisfies(&r.version, e.version()));
        if !claimed {
            deps.push(e.clone());
        }
    }
    for req in c.metadata.dependencies.iter_mut() {
        if let Some(found) = existing
            .iter()
            .find(|e| e.name() == req.name && crate::semverc::satisfies(&req.version, e.version()))
        {
            let mut copy = found.clone();
            if !req.alias.is_empty() {
                copy.metadata.name = req.alias.clone();
            }
            deps.push(copy);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }
    c.dependencies = deps;
    let cvals = values::coalesce_values(c, v).map_err(Error::Dependency)?;
    // Tags first; a condition that resolves overrides them.
    if let Some(Json::Object(tags)) = cvals.get("tags") {
        for r in c.metadata.dependencies.iter_mut() {
            let (mut has_true, mut has_false) = (false, false);
            for k in &r.tags {
                match tags.get(k) {
                    Some(Json::Bool(true)) => has_true = true,
                    Some(Json::Bool(false)) => has_false = true,
                    _ => {}
                }
            }
            if !has_true && has_false {
                r.enabled = false;
            } else if has_true || !has_false {
                r.enabled = true;
            }
        }
    }
    for r in c.metadata.dependencies.iter_mut() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Some(Json::Bool(b)) = values::path_value(&cvals, &format!("{path}{cond}")) {
                r.enabled = *b;
                break;
            }
        }
    }
    let disabled: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !disabled.iter().any(|n| n == d.name()));
    c.metadata.dependencies.retain(|r| r.enabled);
    for t in c.dependencies.iter_mut() {
        let sub = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub)?;
    }
    Ok(())
}

fn process_import_values(c: &mut Chart) -> Result<(), Error> {
    for d in c.dependencies.iter_mut() {
        process_import_values(d)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    // ProcessDependenciesWithMerge: nulls are kept so that later coalescing
    // can still apply them.
    let cvals = values::merge_values(c, &Values::new()).map_err(Error::Dependency)?;
    let mut b = Values::new();
    for r in c.metadata.dependencies.iter() {
        for iv in &r.import_values {
            match iv {
                Json::Object(m) => {
                    let child = m.get("child").and_then(Json::as_str).unwrap_or_default();
                    let parent = m.get("parent").and_then(Json::as_str).unwrap_or_default();
                    if let Some(vv) = values::table(&cvals, &format!("{}.{child}", r.name)) {
                        let src = path_to_map(parent, vv.clone());
                        values::coalesce_tables(&mut b, src, true);
                    }
                }
                Json::String(s) => {
                    if let Some(vm) = values::table(&cvals, &format!("{}.exports.{s}", r.name)) {
                        values::coalesce_tables(&mut b, vm.clone(), true);
                    }
                }
                _ => {}
            }
        }
    }
    let mut merged = cvals;
    values::coalesce_tables(&mut merged, b, true);
    c.values = merged;
    Ok(())
}

/// `pathToMap`: nests `data` under a dotted path (`.` is the root).
fn path_to_map(path: &str, data: Values) -> Values {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for p in path.split('.').rev() {
        let mut m = JsonMap::new();
        m.insert(p.to_string(), Json::Object(cur));
        cur = m;
    }
    cur
}
