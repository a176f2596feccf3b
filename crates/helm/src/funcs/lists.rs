//! Sprig's list functions. Lists are immutable: every function returns a new slice.

use gotmpl::{FuncError, FuncMap, List, ListType, Value};

use super::{FnResult, arity, arity_min, defaults::is_empty, err, int_arg, pure, to_i64};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "list", |a| Ok(Value::list(a.to_vec())));
    pure(map, "tuple", |a| Ok(Value::list(a.to_vec())));
    for (name, must) in [
        ("append", false),
        ("push", false),
        ("mustAppend", true),
        ("mustPush", true),
    ] {
        let _ = must;
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 2)?;
            let mut items = slice_of(&a[0], "Cannot push on type")?;
            items.push(a[1].clone());
            Ok(Value::list(items))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 2)?;
            let mut items = vec![a[1].clone()];
            items.extend(slice_of(&a[0], "Cannot prepend on type")?);
            Ok(Value::list(items))
        });
    }
    for name in ["first", "mustFirst"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            let items = slice_of(&a[0], "Cannot find first on type")?;
            Ok(items.first().cloned().unwrap_or(Value::Nil))
        });
    }
    for name in ["last", "mustLast"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            let items = slice_of(&a[0], "Cannot find last on type")?;
            Ok(items.last().cloned().unwrap_or(Value::Nil))
        });
    }
    for name in ["rest", "mustRest"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            let items = slice_of(&a[0], "Cannot find rest on type")?;
            if items.is_empty() {
                return Ok(Value::list(Vec::new()));
            }
            Ok(Value::list(items[1..].to_vec()))
        });
    }
    for name in ["initial", "mustInitial"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            let items = slice_of(&a[0], "Cannot find initial on type")?;
            if items.is_empty() {
                return Ok(Value::list(Vec::new()));
            }
            Ok(Value::list(items[..items.len() - 1].to_vec()))
        });
    }
    for name in ["reverse", "mustReverse"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            let mut items = slice_of(&a[0], "Cannot find reverse on type")?;
            items.reverse();
            Ok(Value::list(items))
        });
    }
    for name in ["uniq", "mustUniq"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            let items = slice_of(&a[0], "Cannot find uniq on type")?;
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                if !out.iter().any(|o| deep_equal(o, &item)) {
                    out.push(item);
                }
            }
            Ok(Value::list(out))
        });
    }
    for name in ["compact", "mustCompact"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            let items = slice_of(&a[0], "Cannot compact on type")?;
            Ok(Value::list(
                items.into_iter().filter(|v| !is_empty(v)).collect(),
            ))
        });
    }
    for name in ["without", "mustWithout"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity_min(name, a, 1)?;
            let items = slice_of(&a[0], "Cannot find without on type")?;
            let omit = &a[1..];
            Ok(Value::list(
                items
                    .into_iter()
                    .filter(|v| !omit.iter().any(|o| deep_equal(o, v)))
                    .collect(),
            ))
        });
    }
    for name in ["has", "mustHas"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 2)?;
            if matches!(a[1], Value::Nil) {
                return Ok(Value::Bool(false));
            }
            let items = slice_of(&a[1], "Cannot find has on type")?;
            Ok(Value::Bool(items.iter().any(|v| deep_equal(v, &a[0]))))
        });
    }
    for name in ["slice", "mustSlice"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity_min(name, a, 1)?;
            slice(a)
        });
    }
    pure(map, "concat", |a| {
        let mut out = Vec::new();
        for v in a {
            match v {
                Value::List(l) => out.extend(l.items().iter().cloned()),
                Value::Bytes(b) => out.extend(b.iter().map(|x| Value::Int(i64::from(*x)))),
                // Sprig calls reflect.TypeOf(nil).Kind(): a nil pointer.
                Value::Nil => {
                    return Err(err(
                        "runtime error: invalid memory address or nil pointer dereference",
                    ));
                }
                other => {
                    return Err(err(format!(
                        "Cannot concat type {} as list",
                        kind_for(other)
                    )));
                }
            }
        }
        Ok(Value::list(out))
    });
    for name in ["chunk", "mustChunk"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 2)?;
            let size = int_arg(a, 0)?;
            let items = slice_of(&a[1], "Cannot chunk type")?;
            if size <= 0 {
                return Err(err("runtime error: integer divide by zero"));
            }
            Ok(Value::list(
                items
                    .chunks(size as usize)
                    .map(|c| Value::list(c.to_vec()))
                    .collect(),
            ))
        });
    }
}

/// Go's `reflect.Kind` name as Sprig's list errors print it.
fn kind_for(v: &Value) -> &str {
    match v {
        Value::Object(_) => "struct",
        other => other.kind_name(),
    }
}

/// The elements of a slice argument, or Sprig's "Cannot ... on type KIND" error.
fn slice_of(v: &Value, what: &str) -> Result<Vec<Value>, FuncError> {
    match v {
        Value::List(l) => Ok(l.items().to_vec()),
        Value::Bytes(b) => Ok(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        Value::Nil => Err(err(
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        other => Err(err(format!("{what} {}", kind_for(other)))),
    }
}

fn slice(a: &[Value]) -> FnResult {
    let (items, go_type) = match &a[0] {
        Value::List(l) => (l.items().to_vec(), l.go_type()),
        Value::Nil => {
            return Err(err(
                "runtime error: invalid memory address or nil pointer dereference",
            ));
        }
        other => {
            return Err(err(format!(
                "list should be type of slice or array but {}",
                kind_for(other)
            )));
        }
    };
    let len = items.len() as i64;
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = a.get(1).map(to_i64).unwrap_or(0);
    let end = if a.len() < 3 { len } else { to_i64(&a[2]) };
    if start < 0 || end < start || end > len {
        return Err(err("reflect.Value.Slice: slice index out of bounds"));
    }
    Ok(Value::List(List::typed(
        items[start as usize..end as usize].to_vec(),
        go_type,
    )))
}

/// Go's `reflect.DeepEqual` on template values: types must match exactly
/// (float64 2 is not int 2).
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.go_type() == y.go_type()
                && x.items().len() == y.items().len()
                && x.items()
                    .iter()
                    .zip(y.items())
                    .all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.go_type() != y.go_type() {
                return false;
            }
            if x.ptr_eq(y) {
                return true;
            }
            let (ex, ey) = (x.entries(), y.entries());
            ex.len() == ey.len()
                && ex
                    .iter()
                    .zip(ey.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal(v1, v2))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name() && x.go_string() == y.go_string()
        }
        _ => false,
    }
}

/// `[]int` results (`until`, `untilStep`) print like any list.
pub(crate) fn int_list(items: Vec<i64>) -> Value {
    Value::List(List::typed(
        items.into_iter().map(Value::Int).collect(),
        ListType::Int,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use gotmpl::Value;

    #[test]
    fn list_ops() {
        let abc = l(vec![s("a"), s("b"), s("c")]);
        assert_eq!(ok("first", std::slice::from_ref(&abc)), "a");
        assert_eq!(ok("last", std::slice::from_ref(&abc)), "c");
        assert_eq!(ok("rest", std::slice::from_ref(&abc)), "[b c]");
        assert_eq!(ok("initial", std::slice::from_ref(&abc)), "[a b]");
        assert_eq!(ok("reverse", std::slice::from_ref(&abc)), "[c b a]");
        assert_eq!(ok("first", &[l(vec![])]), "<nil>");
        assert_eq!(ok("append", &[l(vec![i(1)]), i(2)]), "[1 2]");
        assert_eq!(ok("prepend", &[l(vec![i(1)]), i(0)]), "[0 1]");
        assert_eq!(ok("concat", &[l(vec![i(1)]), l(vec![i(3)])]), "[1 3]");
        assert_eq!(ok("uniq", &[l(vec![i(1), i(1), i(2)])]), "[1 2]");
        assert_eq!(ok("has", &[i(2), l(vec![f(1.0), f(2.0)])]), "false");
        assert_eq!(ok("has", &[f(2.0), l(vec![f(1.0), f(2.0)])]), "true");
        assert_eq!(ok("without", &[abc.clone(), s("b")]), "[a c]");
        assert_eq!(
            ok("compact", &[l(vec![i(1), s(""), i(0), Value::Nil, s("x")])]),
            "[1 x]"
        );
        assert_eq!(ok("slice", &[abc.clone(), i(1)]), "[b c]");
        assert_eq!(
            ok("chunk", &[i(2), l(vec![f(1.0), f(2.0), f(3.0)])]),
            "[[1 2] [3]]"
        );
        assert_eq!(
            call("slice", &[s("abcdef"), i(1), i(3)]).unwrap_err(),
            "list should be type of slice or array but string"
        );
        assert_eq!(
            call("append", &[s("x"), i(1)]).unwrap_err(),
            "Cannot push on type string"
        );
    }
}
