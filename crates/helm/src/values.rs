//! Values: Helm's coalescing rules (`pkg/chart/common/util/coalesce.go`),
//! `loader.MergeMaps`, and path lookups used by conditions and imports.
//!
//! Values are kept as JSON (`serde_json`) because Helm's are JSON-shaped:
//! numbers from YAML and JSON are float64 (`Number::from_f64`); integers from
//! `--set` are int64 (`Number` from `i64`), and the renderer keeps that split.

use serde_json::{Map as JsonMap, Value as Json};

use crate::chart::Chart;

/// A values table.
pub type Values = JsonMap<String, Json>;

/// `loader.MergeMaps`: `b` wins, maps merge recursively, `null`s are kept.
/// Used between `-f` files and between documents of one values file.
pub fn merge_maps(a: &mut Values, b: Values) {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Json::Object(dst)), Json::Object(src)) => merge_maps(dst, src),
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
}

/// `CoalesceValues(chart, vals)`: the chart's (and every subchart's) defaults
/// under the user values, deleting keys the user set to `null`.
pub fn coalesce_values(chart: &Chart, vals: &Values) -> Result<Values, String> {
    let mut dest = vals.clone();
    coalesce(chart, &mut dest, false)?;
    Ok(dest)
}

/// `MergeValues(chart, vals)`: like [`coalesce_values`] but keeping `null`s.
pub fn merge_values(chart: &Chart, vals: &Values) -> Result<Values, String> {
    let mut dest = vals.clone();
    coalesce(chart, &mut dest, true)?;
    Ok(dest)
}

/// [`coalesce_values`] for a chart the caller no longer needs the values
/// of: the defaults are moved out of `chart` (and its subcharts) instead of
/// copied.
pub(crate) fn coalesce_values_taking(chart: &mut Chart, vals: &Values) -> Result<Values, String> {
    let mut dest = vals.clone();
    coalesce_taking(chart, &mut dest, false)?;
    Ok(dest)
}

fn coalesce(chart: &Chart, dest: &mut Values, merge: bool) -> Result<(), String> {
    coalesce_chart_values(chart, chart.values.clone(), dest, merge);
    coalesce_deps(&chart.dependencies, dest, |sub, sub_vals| {
        coalesce(sub, sub_vals, merge)
    })
}

fn coalesce_taking(chart: &mut Chart, dest: &mut Values, merge: bool) -> Result<(), String> {
    let vc = std::mem::take(&mut chart.values);
    coalesce_chart_values(chart, vc, dest, merge);
    coalesce_deps(&mut chart.dependencies, dest, |sub, sub_vals| {
        coalesce_taking(sub, sub_vals, merge)
    })
}

/// The subchart part of `coalesce` (`subs` are the chart's dependencies,
/// shared or owned; `rec` coalesces one of them into its table).
fn coalesce_deps<S: std::ops::Deref<Target = Chart>>(
    subs: impl IntoIterator<Item = S>,
    dest: &mut Values,
    mut rec: impl FnMut(S, &mut Values) -> Result<(), String>,
) -> Result<(), String> {
    for sub in subs {
        let name = sub.name().to_string();
        match dest.get(&name) {
            None => {
                dest.insert(name.clone(), Json::Object(JsonMap::new()));
            }
            Some(Json::Object(_)) => {}
            Some(other) => {
                return Err(format!(
                    "type mismatch on {name}: %!t({}={})",
                    go_type(other),
                    other
                ));
            }
        }
        let globals = dest.get("global").cloned();
        if let Some(Json::Object(sub_vals)) = dest.get_mut(&name) {
            coalesce_globals(sub_vals, globals.as_ref());
            rec(sub, sub_vals)?;
        }
    }
    Ok(())
}

fn go_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "<nil>",
        Json::Bool(_) => "bool",
        Json::Number(_) => "float64",
        Json::String(_) => "string",
        Json::Array(_) => "[]interface {}",
        Json::Object(_) => "map[string]interface {}",
    }
}

/// Copies the parent's `global` table into the subchart's values; the
/// parent's globals win over the subchart's own.
fn coalesce_globals(dest: &mut Values, src_global: Option<&Json>) {
    let mut dg = match dest.get("global") {
        None => JsonMap::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => return,
    };
    let sg = match src_global {
        None => JsonMap::new(),
        Some(Json::Object(m)) => m.clone(),
        Some(_) => return,
    };
    for (key, val) in sg {
        match val {
            Json::Object(vv) => {
                let mut vv = vv;
                match dg.get(&key) {
                    None => {
                        dg.insert(key, Json::Object(vv));
                    }
                    Some(Json::Object(destv)) => {
                        let destv = destv.clone();
                        coalesce_tables(&mut vv, destv, true);
                        dg.insert(key, Json::Object(vv));
                    }
                    Some(_) => {}
                }
            }
            val => {
                if matches!(dg.get(&key), Some(Json::Object(_))) {
                    continue;
                }
                dg.insert(key, val);
            }
        }
    }
    dest.insert("global".to_string(), Json::Object(dg));
}

fn coalesce_chart_values(chart: &Chart, vc: Values, v: &mut Values, merge: bool) {
    for (key, val) in vc {
        match v.get_mut(&key) {
            Some(Json::Null) if !merge => {
                v.remove(&key);
            }
            Some(Json::Object(dest)) => {
                if let Json::Object(src) = val {
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    coalesce_tables(dest, src, merge);
                }
            }
            Some(_) => {}
            None => {
                // Observed in Helm 4.2.3: defaults copied in for keys the
                // values do not have lose their nulls (a `null` in a parent's
                // values.yaml does not delete a subchart default unless the
                // user also supplies that subchart's table), except when merging.
                if merge {
                    v.insert(key, val);
                } else if !val.is_null() {
                    v.insert(key, strip_nulls(val));
                }
            }
        }
    }
}

fn strip_nulls(v: Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `coalesceTablesFullKey`: `dst` is authoritative; `src` fills the gaps.
pub fn coalesce_tables(dst: &mut Values, mut src: Values, merge: bool) {
    let src_non_nil: std::collections::HashSet<String> = src
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for (k, v) in dst.iter() {
        if v.is_null() {
            src.insert(k.clone(), Json::Null);
        }
    }
    for (key, val) in src {
        match dst.get_mut(&key) {
            Some(Json::Null) if !merge && src_non_nil.contains(&key) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => {
                if let Json::Object(sv) = val
                    && let Json::Object(dm) = dv
                {
                    coalesce_tables(dm, sv, merge);
                }
            }
        }
    }
}

/// Removes `null` leaves recursively (`trimNilValues`).
pub fn trim_nil(v: &mut Values) {
    v.retain(|_, val| !val.is_null());
    for val in v.values_mut() {
        if let Json::Object(m) = val {
            trim_nil(m);
        }
    }
}

/// `Values.PathValue`: the value at a dotted path; `None` when any segment is
/// missing or the final value is absent. A table at the end is not a value.
pub fn path_value<'a>(v: &'a Values, path: &str) -> Option<&'a Json> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, init) = parts.split_last()?;
    let mut cur = v;
    for p in init {
        match cur.get(*p) {
            Some(Json::Object(m)) => cur = m,
            _ => return None,
        }
    }
    match cur.get(*last) {
        Some(Json::Object(_)) | None => None,
        Some(x) => Some(x),
    }
}

/// `Values.Table`: the table at a dotted path.
pub fn table<'a>(v: &'a Values, path: &str) -> Option<&'a Values> {
    let mut cur = v;
    for p in path.split('.').filter(|p| !p.is_empty()) {
        match cur.get(p) {
            Some(Json::Object(m)) => cur = m,
            _ => return None,
        }
    }
    Some(cur)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`.
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    go_g_from_exp(&format!("{:e}", f))
}

/// Turns Rust's shortest `{:e}` form (`1.5e6`) into Go's shortest `%g`.
pub(crate) fn go_g_from_exp(s: &str) -> String {
    let (mant, exp) = match s.split_once('e') {
        Some(x) => x,
        None => return s.to_string(),
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let sign = if neg { "-" } else { "" };
    let nd = digits.len() as i32;
    let dp = exp + 1;
    // Go's shortest %g switches to exponent form when exp < -4 || exp >= 6.
    if !(-4..6).contains(&exp) {
        // exponent form
        let mut out = String::from(sign);
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
        return out;
    }
    let mut out = String::from(sign);
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(&digits);
    } else if dp >= nd {
        out.push_str(&digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

/// Every number as a float64, the way Helm reads YAML/JSON values.
pub fn floats_only(v: &Values) -> Values {
    fn conv(v: &Json) -> Json {
        match v {
            Json::Number(n) => n
                .as_f64()
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number)
                .unwrap_or(Json::Null),
            Json::Array(a) => Json::Array(a.iter().map(conv).collect()),
            Json::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), conv(v))).collect()),
            other => other.clone(),
        }
    }
    v.iter().map(|(k, v)| (k.clone(), conv(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_g_formatting() {
        for (f, s) in [
            (1000000.0, "1e+06"),
            (123456789.0, "1.23456789e+08"),
            (100000.0, "100000"),
            (1234567.5, "1.2345675e+06"),
            (999999.5, "999999.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1000000.0, "-1e+06"),
            (1e20, "1e+20"),
            (3e-7, "3e-07"),
            (2.0, "2"),
            (1.5, "1.5"),
            (0.0, "0"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (1e21, "1e+21"),
        ] {
            assert_eq!(format_float_g(f), s, "{f}");
        }
    }
}
