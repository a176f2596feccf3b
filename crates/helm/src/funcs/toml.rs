//! `toToml` (BurntSushi/toml's encoder layout) and `fromToml` (integers are int64).

use std::collections::BTreeMap;

use gotmpl::{Map, Value};

use super::{FnResult, arity, err, gofmt, str_arg};

pub(crate) fn to_toml_fn(a: &[Value]) -> FnResult {
    arity("toToml", a, 1)?;
    nil_encode_panic(&a[0])?;
    Ok(Value::string(match to_toml(&a[0]) {
        Ok(s) => s,
        Err(e) => e,
    }))
}

/// The encoder reflects on a nil `interface {}` and panics; Go's executor
/// turns the panic into the call's error (an error even for `toToml`).
pub(crate) fn nil_encode_panic(v: &Value) -> Result<(), gotmpl::FuncError> {
    match v {
        Value::Nil => Err(err("reflect: call of reflect.Value.Type on zero Value")),
        _ => Ok(()),
    }
}

pub(crate) fn from_toml_fn(a: &[Value]) -> FnResult {
    arity("fromToml", a, 1)?;
    let text = str_arg(a, 0)?;
    Ok(match toml::from_str::<toml::Table>(text) {
        Ok(t) => convert_table(t),
        Err(e) => {
            let m = Map::new();
            m.insert("Error", Value::string(format!("toml: {}", e.message())));
            Value::Map(m)
        }
    })
}

fn convert_table(t: toml::Table) -> Value {
    let entries: BTreeMap<String, Value> = t.into_iter().map(|(k, v)| (k, convert(v))).collect();
    Value::Map(Map::from_entries(entries))
}

fn convert(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s),
        toml::Value::Integer(i) => Value::Int64(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::string(d.to_string()),
        toml::Value::Array(items) => Value::list(items.into_iter().map(convert).collect()),
        toml::Value::Table(t) => convert_table(t),
    }
}

/// BurntSushi/toml `Encoder.Encode` of a map: plain keys first, then
/// tables (a blank line before each top-level one), 2-space indentation per level.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let mut enc = Encoder { out: String::new() };
    let Value::Map(m) = v else {
        enc.element(v)?;
        return Ok(enc.out);
    };
    enc.map(&[], m)?;
    Ok(enc.out)
}

struct Encoder {
    out: String,
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    match v {
        Value::List(l) => {
            !l.items().is_empty()
                && l.items()
                    .iter()
                    .all(|x| matches!(x, Value::Map(_) | Value::Nil))
                && l.items().iter().any(|x| matches!(x, Value::Map(_)))
        }
        _ => false,
    }
}

fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        quote_str(k)
    }
}

fn key_path(path: &[String]) -> String {
    path.iter()
        .map(|k| quote_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

fn quote_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(path_len: usize) -> String {
        "  ".repeat(path_len.saturating_sub(1))
    }

    fn map(&mut self, path: &[String], m: &Map) -> Result<(), String> {
        let entries = m.entries();
        for (k, v) in &entries {
            if matches!(v, Value::Nil) || is_table(v) || is_table_array(v) {
                continue;
            }
            let mut p = path.to_vec();
            p.push(k.clone());
            self.out
                .push_str(&format!("{}{} = ", Self::indent(p.len()), quote_key(k)));
            self.element(v)?;
            self.newline();
        }
        for (k, v) in &entries {
            let mut p = path.to_vec();
            p.push(k.clone());
            match v {
                Value::Map(sub) => {
                    if p.len() == 1 {
                        self.newline();
                    }
                    self.out
                        .push_str(&format!("{}[{}]", Self::indent(p.len()), key_path(&p)));
                    self.newline();
                    self.map(&p, sub)?;
                }
                Value::List(l) if is_table_array(v) => {
                    for item in l.items() {
                        if let Value::Map(sub) = item {
                            self.newline();
                            self.out.push_str(&format!(
                                "{}[[{}]]",
                                Self::indent(p.len()),
                                key_path(&p)
                            ));
                            self.newline();
                            self.map(&p, sub)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn element(&mut self, v: &Value) -> Result<(), String> {
        match v {
            Value::Nil => return Err("toml: cannot encode a nil value".into()),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) => self.out.push_str(&toml_float(*f)),
            Value::String(s) => self.out.push_str(&quote_str(s)),
            Value::Bytes(b) => self.out.push_str(&quote_str(&String::from_utf8_lossy(b))),
            Value::List(l) => {
                self.out.push('[');
                for (i, item) in l.items().iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(item)?;
                }
                self.out.push(']');
            }
            Value::Map(m) => {
                self.out.push('{');
                for (i, (k, item)) in m.entries().iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(&format!("{} = ", quote_key(k)));
                    self.element(item)?;
                }
                self.out.push('}');
            }
            Value::Object(o) => self.out.push_str(&quote_str(&o.go_string())),
        }
        Ok(())
    }
}

fn toml_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = gofmt::format_float_g(f);
    if s.contains(['.', 'e']) {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use gotmpl::Value;

    #[test]
    fn toml_round() {
        let v = Value::map([("a", i(1)), ("b", Value::map([("c", s("d"))]))]);
        assert_eq!(super::to_toml(&v).unwrap(), "a = 1\n\n[b]\n  c = \"d\"\n");
        let v = Value::map([("f", f(1.0)), ("g", f(1.5))]);
        assert_eq!(super::to_toml(&v).unwrap(), "f = 1.0\ng = 1.5\n");
        assert_eq!(ok("fromToml", &[s("a = 1\nb = 'x'")]), "map[a:1 b:x]");
        assert_eq!(
            ok("kindOf", &[super::from_toml_fn(&[s("a = 1")]).unwrap()]),
            "map"
        );
    }
}
