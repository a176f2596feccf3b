//! Go's `encoding/json` for template values: `toJson`, `toPrettyJson`,
//! `toRawJson`, `fromJson`, `fromJsonArray` and the `must` variants.

use std::collections::BTreeMap;

use gotmpl::{FuncMap, Map, Value};

use super::{arity, err, gofmt::format_float_json, pure, str_arg};

pub(crate) fn register(map: &mut FuncMap) {
    // Helm's toJson returns "" when marshalling fails; mustToJson fails.
    pure(map, "toJson", |a| {
        arity("toJson", a, 1)?;
        Ok(Value::string(to_json(&a[0]).unwrap_or_default()))
    });
    pure(map, "mustToJson", |a| {
        arity("mustToJson", a, 1)?;
        to_json(&a[0]).map(Value::string).map_err(err)
    });
    for (name, must) in [("toPrettyJson", false), ("mustToPrettyJson", true)] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            match encode(&a[0], true, Some("  ")) {
                Ok(s) => Ok(Value::string(s)),
                Err(e) if must => Err(err(e)),
                Err(_) => Ok(Value::string("")),
            }
        });
    }
    for (name, must) in [("toRawJson", false), ("mustToRawJson", true)] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            match encode(&a[0], false, None) {
                Ok(s) => Ok(Value::string(s)),
                Err(e) if must => Err(err(e)),
                Err(_) => Ok(Value::string("")),
            }
        });
    }
    pure(map, "fromJson", |a| {
        arity("fromJson", a, 1)?;
        let m = Map::new();
        match from_json(str_arg(a, 0)?) {
            Ok(Value::Map(parsed)) => return Ok(Value::Map(parsed)),
            Ok(Value::Nil) => {}
            Ok(other) => {
                m.insert(
                    "Error",
                    Value::string(type_mismatch(&other, "map[string]interface {}")),
                );
            }
            Err(e) => {
                m.insert("Error", Value::string(e));
            }
        }
        Ok(Value::Map(m))
    });
    pure(map, "fromJsonArray", |a| {
        arity("fromJsonArray", a, 1)?;
        Ok(match from_json(str_arg(a, 0)?) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![Value::string(type_mismatch(&other, "[]interface {}"))]),
            Err(e) => Value::list(vec![Value::string(e)]),
        })
    });
    pure(map, "mustFromJson", |a| {
        arity("mustFromJson", a, 1)?;
        from_json(str_arg(a, 0)?).map_err(err)
    });
}

/// json.Unmarshal's error for a well-formed document of the wrong shape.
pub(crate) fn type_mismatch(v: &Value, target: &str) -> String {
    let what = match v {
        Value::Map(_) => "object",
        Value::List(_) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    };
    format!("json: cannot unmarshal {what} into Go value of type {target}")
}

/// `json.Marshal` (HTML-escaped, compact).
pub fn to_json(v: &Value) -> Result<String, String> {
    encode(v, true, None)
}

/// Encodes like `encoding/json`; `indent` gives `MarshalIndent(v, "", indent)`.
pub fn encode(v: &Value, escape_html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    write_json(&mut out, v, escape_html, indent, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn write_json(
    out: &mut String,
    v: &Value,
    html: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    super::gofmt::format_float_g(*f)
                ));
            }
            out.push_str(&format_float_json(*f));
        }
        Value::String(s) => write_json_string(out, s, html),
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&super::encoding::b64_encode(b));
            out.push('"');
        }
        Value::List(l) => {
            if l.items().is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in l.items().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_json(out, item, html, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Map(m) => {
            let entries = m.entries();
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_json_string(out, k, html);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, item, html, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push('}');
        }
        Value::Object(o) => match super::dates::object_json(o.as_ref()) {
            Some(s) => write_json_string(out, &s, html),
            None => out.push_str("{}"),
        },
    }
    Ok(())
}

fn write_json_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into `interface{}`: numbers are float64. Errors read like Go's.
pub fn from_json(s: &str) -> Result<Value, String> {
    let mut p = Parser {
        b: s.as_bytes(),
        i: 0,
    };
    p.ws();
    if p.i == p.b.len() {
        return Err("unexpected end of JSON input".into());
    }
    let v = p.value(0)?;
    p.ws();
    if p.i < p.b.len() {
        return Err(format!(
            "invalid character {} after top-level value",
            quote_char(p.b[p.i])
        ));
    }
    Ok(v)
}

fn quote_char(b: u8) -> String {
    match b {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        b if b.is_ascii_graphic() || b == b' ' => format!("'{}'", b as char),
        b => format!("'\\x{b:02x}'"),
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eof(&self) -> String {
        "unexpected end of JSON input".into()
    }

    fn bad(&self, ctx: &str) -> String {
        match self.b.get(self.i) {
            Some(c) => format!("invalid character {} {ctx}", quote_char(*c)),
            None => self.eof(),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > 10000 {
            return Err("exceeded max depth".into());
        }
        self.ws();
        let Some(&c) = self.b.get(self.i) else {
            return Err(self.eof());
        };
        match c {
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Map(Map::from_entries(m)));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.bad("looking for beginning of object key string"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.bad("after object key"));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    m.insert(k, v);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Map(Map::from_entries(m)));
                        }
                        _ => return Err(self.bad("after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::list(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::list(items));
                        }
                        _ => return Err(self.bad("after array element")),
                    }
                }
            }
            b'"' => self.string().map(Value::from),
            b't' => self.lit("true", Value::Bool(true)),
            b'f' => self.lit("false", Value::Bool(false)),
            b'n' => self.lit("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.bad("looking for beginning of value")),
        }
    }

    fn lit(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for (k, w) in word.bytes().enumerate() {
            match self.b.get(self.i) {
                None => return Err(self.eof()),
                Some(c) if *c == w => self.i += 1,
                Some(_) => {
                    let _ = k;
                    return Err(self.bad(&format!("in literal {word} (expecting '{}')", w as char)));
                }
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
            }
            None => return Err(self.eof()),
            _ => return Err(self.bad("in numeric literal")),
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                return Err(self.bad("after decimal point in numeric literal"));
            }
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                return Err(self.bad("in exponent of numeric literal"));
            }
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("0");
        let f: f64 = text.parse().map_err(|_| format!("invalid number {text}"))?;
        if f.is_infinite() {
            return Err(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            ));
        }
        Ok(Value::Float(f))
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(self.eof());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(self.eof());
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save;
                                }
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.bad("in string escape code"));
                        }
                    }
                }
                c if c < 0x20 => return Err(self.bad("in string literal")),
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.b.get(self.i) else {
                return Err(self.eof());
            };
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.bad("in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn encode_like_go() {
        let m = from_json(r#"{"b":2,"a":1,"c":{"d":"x"}}"#).unwrap();
        assert_eq!(to_json(&m).unwrap(), r#"{"a":1,"b":2,"c":{"d":"x"}}"#);
        assert_eq!(
            encode(&m, true, Some("  ")).unwrap(),
            "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": {\n    \"d\": \"x\"\n  }\n}"
        );
        assert_eq!(ok("toJson", &[s("<a&b>")]), r#""\u003ca\u0026b\u003e""#);
        assert_eq!(ok("toRawJson", &[s("<a&b>")]), r#""<a&b>""#);
        assert_eq!(
            ok("toJson", &[l(vec![i(1), s("a"), gotmpl::Value::Nil])]),
            r#"[1,"a",null]"#
        );
        assert_eq!(ok("toJson", &[f(1e6)]), "1000000");
        assert_eq!(ok("toJson", &[f(1e21)]), "1e+21");
    }

    #[test]
    fn decode_like_go() {
        assert_eq!(ok("fromJson", &[s(r#"{"a": 1}"#)]), "map[a:1]");
        assert_eq!(
            ok("fromJson", &[s("[1]")]),
            "map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}]"
        );
        assert_eq!(ok("fromJsonArray", &[s(r#"[1,"x"]"#)]), "[1 x]");
        assert_eq!(
            ok("fromJson", &[s("{")]),
            "map[Error:unexpected end of JSON input]"
        );
        assert_eq!(
            ok("fromJson", &[s("{x")]),
            "map[Error:invalid character 'x' looking for beginning of object key string]"
        );
    }
}
