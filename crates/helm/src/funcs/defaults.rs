//! Sprig's defaults, flow control and reflection functions.

use gotmpl::{FuncMap, Value};

use super::{arity, arity_min, bool_arg, err, lists::deep_equal, pure, str_arg};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "default", |a| {
        arity_min("default", a, 1)?;
        match a.get(1) {
            Some(given) if !is_empty(given) => Ok(given.clone()),
            _ => Ok(a[0].clone()),
        }
    });
    pure(map, "empty", |a| {
        arity("empty", a, 1)?;
        Ok(Value::Bool(is_empty(&a[0])))
    });
    pure(map, "coalesce", |a| {
        Ok(a.iter()
            .find(|v| !is_empty(v))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    pure(map, "all", |a| {
        Ok(Value::Bool(a.iter().all(|v| !is_empty(v))))
    });
    pure(map, "any", |a| {
        Ok(Value::Bool(a.iter().any(|v| !is_empty(v))))
    });
    pure(map, "ternary", |a| {
        arity("ternary", a, 3)?;
        let cond = match &a[2] {
            Value::Bool(b) => *b,
            // Go's executor reports a number literal given for a bool parameter this way.
            v @ Value::Int(_) => {
                return Err(err(format!(
                    "expected bool; found {}",
                    super::gofmt::format_value(v)
                )));
            }
            _ => bool_arg(a, 2)?,
        };
        Ok(if cond { a[0].clone() } else { a[1].clone() })
    });
    pure(map, "fail", |a| {
        arity("fail", a, 1)?;
        Err(err(str_arg(a, 0)?))
    });
    pure(map, "typeOf", |a| {
        arity("typeOf", a, 1)?;
        Ok(Value::string(a[0].type_name()))
    });
    pure(map, "typeIs", |a| {
        arity("typeIs", a, 2)?;
        Ok(Value::Bool(str_arg(a, 0)? == a[1].type_name()))
    });
    pure(map, "typeIsLike", |a| {
        arity("typeIsLike", a, 2)?;
        let target = str_arg(a, 0)?;
        let t = a[1].type_name();
        Ok(Value::Bool(target == t || format!("*{target}") == t))
    });
    pure(map, "kindOf", |a| {
        arity("kindOf", a, 1)?;
        Ok(Value::string(a[0].kind_name()))
    });
    pure(map, "kindIs", |a| {
        arity("kindIs", a, 2)?;
        Ok(Value::Bool(str_arg(a, 0)? == a[1].kind_name()))
    });
    pure(map, "deepEqual", |a| {
        arity("deepEqual", a, 2)?;
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
}

/// Sprig's `empty`: nil, false, zero numbers, and empty strings, slices and
/// maps. Structs (objects) are never empty.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::List(l) => l.items().is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::Object(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use gotmpl::{Map, Value};

    #[test]
    fn defaults() {
        assert_eq!(
            ok("default", &[Value::Bool(true), Value::Bool(false)]),
            "true"
        );
        assert_eq!(ok("default", &[i(5), f(0.0)]), "5");
        assert_eq!(ok("default", &[s("x"), s("")]), "x");
        assert_eq!(ok("default", &[s("e"), Value::Map(Map::new())]), "e");
        assert_eq!(ok("default", &[s("d")]), "d");
        assert_eq!(ok("empty", &[s(" ")]), "false");
        assert_eq!(ok("empty", &[Value::Nil]), "true");
        assert_eq!(ok("coalesce", &[Value::Nil, s(""), i(0), s("x")]), "x");
        assert_eq!(ok("coalesce", &[Value::Nil, s("")]), "<nil>");
        assert_eq!(
            ok("ternary", &[s("yes"), s("no"), Value::Bool(true)]),
            "yes"
        );
        assert_eq!(
            call("ternary", &[s("a"), s("b"), i(1)]).unwrap_err(),
            "expected bool; found 1"
        );
        assert_eq!(call("fail", &[s("boom")]).unwrap_err(), "boom");
    }

    #[test]
    fn reflection() {
        assert_eq!(ok("kindOf", &[f(1.0)]), "float64");
        assert_eq!(ok("kindOf", &[Value::Nil]), "invalid");
        assert_eq!(ok("typeOf", &[l(vec![])]), "[]interface {}");
        assert_eq!(ok("kindIs", &[s("int"), f(1.0)]), "false");
        assert_eq!(ok("typeIs", &[s("float64"), f(1.0)]), "true");
        assert_eq!(ok("deepEqual", &[f(1.0), i(1)]), "false");
        assert_eq!(
            ok("deepEqual", &[l(vec![i(1), i(2)]), l(vec![i(1), i(2)])]),
            "true"
        );
    }
}
