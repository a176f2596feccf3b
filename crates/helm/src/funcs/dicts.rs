//! Sprig's dict functions. Dicts are shared references: `set`, `unset`,
//! `merge` and `mergeOverwrite` mutate their first argument, as in Go.

use std::collections::BTreeMap;

use gotmpl::{FuncMap, Map, Value};

use super::{FnResult, arity, arity_min, defaults::is_empty, err, map_arg, pure, str_arg, strval};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "dict", |a| {
        let mut entries = BTreeMap::new();
        for pair in a.chunks(2) {
            let value = pair.get(1).cloned().unwrap_or_else(|| Value::string(""));
            entries.insert(strval(&pair[0]), value);
        }
        Ok(Value::Map(Map::from_entries(entries)))
    });
    pure(map, "get", |a| {
        arity("get", a, 2)?;
        let (d, key) = (map_arg(a, 0)?, str_arg(a, 1)?);
        Ok(d.get(key).unwrap_or_else(|| Value::string("")))
    });
    pure(map, "set", |a| {
        arity("set", a, 3)?;
        let (d, key) = (map_arg(a, 0)?, str_arg(a, 1)?);
        d.insert(key, a[2].clone());
        Ok(Value::Map(d))
    });
    pure(map, "unset", |a| {
        arity("unset", a, 2)?;
        let (d, key) = (map_arg(a, 0)?, str_arg(a, 1)?);
        d.remove(key);
        Ok(Value::Map(d))
    });
    pure(map, "hasKey", |a| {
        arity("hasKey", a, 2)?;
        let (d, key) = (map_arg(a, 0)?, str_arg(a, 1)?);
        Ok(Value::Bool(d.contains_key(key)))
    });
    pure(map, "pluck", |a| {
        arity_min("pluck", a, 1)?;
        let key = str_arg(a, 0)?;
        let mut out = Vec::new();
        for i in 1..a.len() {
            if let Some(v) = map_arg(a, i)?.get(key) {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    pure(map, "keys", |a| {
        let mut out = Vec::new();
        for i in 0..a.len() {
            out.extend(map_arg(a, i)?.keys());
        }
        Ok(super::strings::string_list(out))
    });
    pure(map, "values", |a| {
        arity("values", a, 1)?;
        Ok(Value::list(
            map_arg(a, 0)?
                .entries()
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
        ))
    });
    pure(map, "pick", |a| {
        arity_min("pick", a, 1)?;
        let d = map_arg(a, 0)?;
        let mut entries = BTreeMap::new();
        for i in 1..a.len() {
            let k = str_arg(a, i)?;
            if let Some(v) = d.get(k) {
                entries.insert(k.to_string(), v);
            }
        }
        Ok(Value::Map(Map::from_entries(entries)))
    });
    pure(map, "omit", |a| {
        arity_min("omit", a, 1)?;
        let d = map_arg(a, 0)?;
        let mut omit = Vec::new();
        for i in 1..a.len() {
            omit.push(str_arg(a, i)?);
        }
        let entries = d.with(|m| {
            m.iter()
                .filter(|(k, _)| !omit.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        });
        Ok(Value::Map(Map::from_entries(entries)))
    });
    pure(map, "dig", dig);
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity_min(name, a, 1)?;
            let dst = map_arg(a, 0)?;
            for i in 1..a.len() {
                let src = map_arg(a, i)?;
                merge_into(&dst, &src, overwrite);
            }
            Ok(Value::Map(dst))
        });
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            if matches!(a[0], Value::Nil) {
                // copystructure reflects on the nil interface and panics.
                return Err(err("reflect: call of reflect.Value.Type on zero Value"));
            }
            Ok(a[0].deep_copy())
        });
    }
}

fn dig(a: &[Value]) -> FnResult {
    if a.len() < 3 {
        return Err(err("dig needs at least three arguments"));
    }
    let dict = match &a[a.len() - 1] {
        Value::Map(m) => m.clone(),
        other => {
            return Err(err(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                go_dyn_type(other)
            )));
        }
    };
    let default = a[a.len() - 2].clone();
    let mut keys = Vec::new();
    for k in &a[..a.len() - 2] {
        match k {
            Value::String(s) => keys.push(s.clone()),
            other => {
                return Err(err(format!(
                    "interface conversion: interface {{}} is {}, not string",
                    go_dyn_type(other)
                )));
            }
        }
    }
    let mut current = dict;
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = current.get(k) else {
            return Ok(default);
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = match step {
            Value::Map(m) => m,
            other => {
                return Err(err(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    go_dyn_type(&other)
                )));
            }
        };
    }
    Ok(default)
}

fn go_dyn_type(v: &Value) -> &str {
    v.type_name()
}

/// mergo's `Merge` (with `WithOverride` when `overwrite`) for
/// `map[string]interface{}`: nested maps merge recursively in place; without
/// override a destination value is replaced only when missing or empty; with
/// override the source wins, including empty values and nil.
pub(crate) fn merge_into(dst: &Map, src: &Map, overwrite: bool) {
    if dst.ptr_eq(src) {
        return;
    }
    for (key, s) in src.entries() {
        let d = dst.get(&key);
        if matches!(s, Value::Nil) {
            if overwrite {
                dst.insert(key, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(sm), Some(Value::Map(dm))) = (&s, &d) {
            merge_into(dm, sm, overwrite);
            if !dm.is_empty() {
                continue;
            }
        }
        let dst_empty = d.as_ref().is_none_or(is_empty);
        if overwrite || dst_empty {
            dst.insert(key, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use gotmpl::Value;

    fn funcs_call(name: &str, a: &[Value]) -> Value {
        let m = funcs();
        m.get(name).unwrap().call(&mut NoEngine, a).unwrap()
    }

    #[test]
    fn dict_basics() {
        let d = funcs_call("dict", &[s("b"), i(1), s("a"), i(2)]);
        assert_eq!(super::super::gofmt::format_value(&d), "map[a:2 b:1]");
        assert_eq!(ok("get", &[d.clone(), s("zz")]), "");
        assert_eq!(ok("hasKey", &[d.clone(), s("b")]), "true");
        assert_eq!(ok("dict", &[s("a")]), "map[a:]");
        assert_eq!(ok("dict", &[i(1), i(2)]), "map[1:2]");
        let _ = funcs_call("set", &[d.clone(), s("c"), i(3)]);
        assert_eq!(super::super::gofmt::format_value(&d), "map[a:2 b:1 c:3]");
        assert_eq!(ok("unset", &[d.clone(), s("a")]), "map[b:1 c:3]");
    }

    #[test]
    fn merge_precedence() {
        let dst = funcs_call(
            "dict",
            &[s("a"), i(1), s("n"), funcs_call("dict", &[s("x"), i(1)])],
        );
        let src = funcs_call(
            "dict",
            &[
                s("a"),
                i(2),
                s("b"),
                i(3),
                s("n"),
                funcs_call("dict", &[s("x"), i(2), s("y"), i(2)]),
            ],
        );
        assert_eq!(
            ok("merge", &[dst.clone(), src]),
            "map[a:1 b:3 n:map[x:1 y:2]]"
        );
        assert_eq!(
            super::super::gofmt::format_value(&dst),
            "map[a:1 b:3 n:map[x:1 y:2]]"
        );
        let dst = funcs_call("dict", &[s("a"), i(1), s("e"), s("keep")]);
        let src = funcs_call("dict", &[s("a"), i(2), s("e"), s("")]);
        assert_eq!(ok("mergeOverwrite", &[dst, src]), "map[a:2 e:]");
    }

    #[test]
    fn pick_omit_dig_pluck() {
        let c = funcs_call("dict", &[s("d"), s("x")]);
        let m = funcs_call("dict", &[s("a"), f(1.0), s("b"), f(2.0), s("c"), c]);
        assert_eq!(ok("pick", &[m.clone(), s("a"), s("zz")]), "map[a:1]");
        assert_eq!(ok("omit", &[m.clone(), s("c")]), "map[a:1 b:2]");
        assert_eq!(ok("dig", &[s("c"), s("d"), s("def"), m.clone()]), "x");
        assert_eq!(ok("dig", &[s("c"), s("q"), s("def"), m.clone()]), "def");
        assert_eq!(ok("keys", std::slice::from_ref(&m)), "[a b c]");
        let a1 = funcs_call("dict", &[s("a"), i(1)]);
        let a2 = funcs_call("dict", &[s("a"), i(2)]);
        let b3 = funcs_call("dict", &[s("b"), i(3)]);
        assert_eq!(ok("pluck", &[s("a"), a1, a2, b3]), "[1 2]");
    }
}
