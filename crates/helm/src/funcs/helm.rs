//! Functions only Helm adds: `include`, `tpl`, `required`, `lookup`, and the
//! registration of the YAML/JSON/TOML codecs.

use std::{cell::RefCell, collections::BTreeMap, collections::HashMap, sync::Arc};

use gotmpl::{CallContext, FuncError, FuncMap, Map, Value};

use super::{arity, err, pure, str_arg};

/// How many nested `include`s of one template name Helm allows before it
/// reports a recursive reference.
pub const MAX_INCLUDE_RECURSION: usize = 1000;

/// Cluster access for the `lookup` template function. Returns the object as
/// JSON, or for an empty `name` a List object; a missing object is `Ok(None)`
/// (the template sees an empty map).
pub trait Lookup: Send + Sync {
    /// Fetches one object (or a list when `name` is empty).
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<serde_json::Value>, LookupError>;
}

/// A failed cluster lookup; the message is shown in the template error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct LookupError(pub String);

/// The renderer's per-execution state that functions read through
/// [`CallContext::extension`]. Without it (or with `lookup: None`) `lookup`
/// behaves as in `helm template`: an empty map.
#[derive(Clone, Default)]
pub struct FuncsState {
    /// The cluster, when rendering against one.
    pub lookup: Option<Arc<dyn Lookup>>,
}

/// The name Helm's engine gives its template set, under which `tpl` parses.
pub const TPL_NAME: &str = "gotpl";

thread_local! {
    /// Nesting count of `include` per template name on this thread's render.
    static INCLUDED: RefCell<HashMap<String, usize>> = RefCell::new(HashMap::new());
}

pub(crate) fn register(map: &mut FuncMap) {
    map.insert("include", |ctx: &mut dyn CallContext, a: &[Value]| {
        arity("include", a, 2)?;
        let name = str_arg(a, 0)?.to_string();
        let over = INCLUDED.with(|m| {
            let mut m = m.borrow_mut();
            // No key copy for names already seen (includes repeat a lot).
            let n = match m.get_mut(&name) {
                Some(n) => n,
                None => m.entry(name.clone()).or_insert(0),
            };
            if *n > MAX_INCLUDE_RECURSION {
                true
            } else {
                *n += 1;
                false
            }
        });
        if over {
            return Err(err(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        let result = ctx.execute_template(&name, a[1].clone());
        INCLUDED.with(|m| {
            if let Some(n) = m.borrow_mut().get_mut(&name) {
                *n = n.saturating_sub(1);
            }
        });
        result.map(Value::from)
    });
    map.insert("tpl", |ctx: &mut dyn CallContext, a: &[Value]| {
        arity("tpl", a, 2)?;
        let text = str_arg(a, 0)?.to_string();
        // Helm parses tpl text as a new template named after the root of the
        // set ("gotpl"), in a clone of the set, so its defines stay local.
        let out = ctx
            .execute_text(TPL_NAME, &text, a[1].clone())
            .map_err(|e| {
                let quoted = super::gofmt::go_quote(&text);
                if e.message.starts_with("template: ") && !e.message.contains(": executing \"") {
                    err(format!("cannot parse template {quoted}: {}", e.message))
                } else {
                    err(format!(
                        "error during tpl function execution for {quoted}: {}",
                        e.message
                    ))
                }
            })?;
        // Helm removes "<no value>" from tpl output as it does for whole templates.
        Ok(Value::from(out.replace("<no value>", "")))
    });
    pure(map, "required", |a| {
        arity("required", a, 2)?;
        let warn = str_arg(a, 0)?;
        match &a[1] {
            Value::Nil => Err(err(warn)),
            Value::String(s) if s.is_empty() => Err(err(warn)),
            v => Ok(v.clone()),
        }
    });
    map.insert("lookup", |ctx: &mut dyn CallContext, a: &[Value]| {
        arity("lookup", a, 4)?;
        let (api, kind, ns, name) = (
            str_arg(a, 0)?,
            str_arg(a, 1)?,
            str_arg(a, 2)?,
            str_arg(a, 3)?,
        );
        let backend = ctx
            .extension()
            .and_then(|e| e.downcast_ref::<FuncsState>())
            .and_then(|s| s.lookup.clone());
        let Some(backend) = backend else {
            return Ok(Value::Map(Map::new()));
        };
        match backend.lookup(api, kind, ns, name) {
            Ok(Some(obj)) => Ok(from_serde_json(&obj)),
            Ok(None) => Ok(Value::Map(Map::new())),
            Err(e) => Err(FuncError::new(e.0)),
        }
    });
    pure(map, "toToml", super::toml::to_toml_fn);
    pure(map, "mustToToml", |a| {
        arity("mustToToml", a, 1)?;
        super::toml::nil_encode_panic(&a[0])?;
        super::toml::to_toml(&a[0]).map(Value::from).map_err(err)
    });
    pure(map, "fromToml", super::toml::from_toml_fn);
    super::json::register(map);
    super::yaml::register(map);
}

/// A JSON document as template data: numbers are float64, as in Helm.
pub fn from_serde_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::string(s),
        serde_json::Value::Array(items) => Value::list(items.iter().map(from_serde_json).collect()),
        serde_json::Value::Object(m) => {
            let entries: BTreeMap<String, Value> = m
                .iter()
                .map(|(k, v)| (k.clone(), from_serde_json(v)))
                .collect();
            Value::Map(Map::from_entries(entries))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use gotmpl::Value;

    #[test]
    fn required_and_lookup() {
        assert_eq!(
            call("required", &[s("need"), Value::Nil]).unwrap_err(),
            "need"
        );
        assert_eq!(call("required", &[s("need"), s("")]).unwrap_err(), "need");
        assert_eq!(ok("required", &[s("need"), i(0)]), "0");
        assert_eq!(ok("required", &[s("need"), Value::Bool(false)]), "false");
        assert_eq!(
            ok("lookup", &[s("v1"), s("Secret"), s("default"), s("x")]),
            "map[]"
        );
        assert_eq!(
            call("tpl", &[f(1.0), Value::Nil]).unwrap_err(),
            "wrong type for value; expected string; got float64"
        );
    }
}
