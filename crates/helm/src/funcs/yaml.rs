//! YAML as Helm reads and writes it.
//!
//! Reading ([`from_yaml`]) follows sigs.k8s.io/yaml: go-yaml v2 resolves
//! plain scalars with YAML 1.1 rules (`yes`/`on` are booleans, `010` is
//! octal, keys included), then the document goes through JSON, so every
//! number becomes a float64 and keys become strings.
//!
//! Writing ([`to_yaml`]) follows `toYaml`: the value is marshalled to JSON,
//! re-read by go-yaml v2 (integral numbers become integers) and emitted by
//! go-yaml v2's emitter: sorted keys, 2-space indent, sequences not indented
//! under their key, strings quoted when they would read back as another type,
//! and plain/quoted scalars folded past 80 columns. [`to_yaml_pretty`] is
//! yaml.v3 with indent 2 (no JSON round trip, indented sequences, no folding).

use std::{borrow::Cow, collections::BTreeMap, collections::HashMap, sync::LazyLock};

use gotmpl::{FuncMap, Map, Value};
use granit_parser::{Event, Parser, ScalarStyle};
use regex::Regex;

use super::{arity, err, gofmt, json, pure, str_arg};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "toYaml", |a| {
        arity("toYaml", a, 1)?;
        Ok(Value::string(to_yaml(&a[0]).unwrap_or_default()))
    });
    pure(map, "mustToYaml", |a| {
        arity("mustToYaml", a, 1)?;
        to_yaml(&a[0]).map(Value::string).map_err(err)
    });
    pure(map, "toYamlPretty", |a| {
        arity("toYamlPretty", a, 1)?;
        Ok(Value::string(to_yaml_pretty(&a[0])))
    });
    pure(map, "fromYaml", |a| {
        arity("fromYaml", a, 1)?;
        let m = Map::new();
        match from_yaml(str_arg(a, 0)?) {
            Ok(Value::Map(parsed)) => return Ok(Value::Map(parsed)),
            Ok(Value::Nil) => {}
            Ok(other) => {
                m.insert(
                    "Error",
                    Value::string(format!(
                        "error unmarshaling JSON: while decoding JSON: {}",
                        json::type_mismatch(&other, "map[string]interface {}")
                    )),
                );
            }
            Err(e) => {
                m.insert("Error", Value::string(e));
            }
        }
        Ok(Value::Map(m))
    });
    pure(map, "fromYamlArray", |a| {
        arity("fromYamlArray", a, 1)?;
        Ok(match from_yaml(str_arg(a, 0)?) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![Value::string(format!(
                "error unmarshaling JSON: while decoding JSON: {}",
                json::type_mismatch(&other, "[]interface {}")
            ))]),
            Err(e) => Value::list(vec![Value::string(e)]),
        })
    });
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// A YAML node before JSON conversion.
enum Node {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>, usize),
}

impl Clone for Node {
    fn clone(&self) -> Self {
        match self {
            Node::Null => Node::Null,
            Node::Bool(b) => Node::Bool(*b),
            Node::Int(i) => Node::Int(*i),
            Node::Float(f) => Node::Float(*f),
            Node::Str(s) => Node::Str(s.clone()),
            Node::Seq(v) => Node::Seq(v.clone()),
            Node::Map(v, l) => Node::Map(v.clone(), *l),
        }
    }
}

/// Parses the first YAML document of `text` into a template value, exactly
/// as `sigs.k8s.io/yaml.Unmarshal` into `interface{}` would. An empty
/// document is nil. Errors read like Helm's (`error converting YAML to JSON: yaml: line 1: ...`).
pub fn from_yaml(text: &str) -> Result<Value, String> {
    let docs = parse_documents(text, true)?;
    match docs.into_iter().next() {
        Some(node) => {
            to_json_value(node).map_err(|e| format!("error converting YAML to JSON: {e}"))
        }
        None => Ok(Value::Nil),
    }
}

/// Every document of a multi-document YAML stream (`---`), each converted
/// as [`from_yaml`] does. Helm's values loader merges them in order.
pub fn from_yaml_all(text: &str) -> Result<Vec<Value>, String> {
    parse_documents(text, false)?
        .into_iter()
        .map(|n| to_json_value(n).map_err(|e| format!("error converting YAML to JSON: {e}")))
        .collect()
}

fn scan_error(e: &granit_parser::ScanError) -> String {
    let info = e.info();
    let raw = info.rsplit(", ").next().unwrap_or(&info).trim().to_string();
    let line = e.marker().line().max(1);
    // go-yaml's wording, and its line rule: scanner errors on the first line
    // carry no line number; parser errors always do.
    let (msg, scanner) = if raw.contains("unclosed bracket")
        || raw.contains("did not find expected node content")
    {
        ("did not find expected node content".to_string(), false)
    } else if raw.contains("mapping values are not allowed") {
        (
            "mapping values are not allowed in this context".to_string(),
            true,
        )
    } else if raw.contains("did not find expected '-' indicator") || raw.contains("expected '-'") {
        ("did not find expected '-' indicator".to_string(), false)
    } else if raw.contains("did not find expected key") {
        ("did not find expected key".to_string(), false)
    } else if raw.contains("found character that cannot start any token") {
        (
            "found character that cannot start any token".to_string(),
            true,
        )
    } else {
        (raw, false)
    };
    if scanner && line <= 1 {
        format!("error converting YAML to JSON: yaml: {msg}")
    } else {
        format!("error converting YAML to JSON: yaml: line {line}: {msg}")
    }
}

fn parse_documents(text: &str, first_only: bool) -> Result<Vec<Node>, String> {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| scan_error(&e))?;
        let line = span.start.line();
        let node = match event {
            Event::StreamStart | Event::StreamEnd => continue,
            Event::DocumentStart(..) => {
                root = None;
                continue;
            }
            Event::DocumentEnd => {
                docs.push(root.take().unwrap_or(Node::Null));
                if first_only {
                    return Ok(docs);
                }
                anchors.clear();
                continue;
            }
            Event::Alias(id) => anchors.get(&id).cloned().ok_or_else(|| {
                format!(
                    "error converting YAML to JSON: yaml: line {line}: unknown anchor referenced"
                )
            })?,
            Event::Scalar(value, style, anchor, tag) => {
                let value = chomp_at_end_of_input(text, value, style, &span);
                let n = resolve_scalar(&value, style, tag.as_deref());
                if anchor != 0 {
                    anchors.insert(anchor, n.clone());
                }
                n
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Map(Vec::new(), None, anchor, line));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => {
                    let n = Node::Seq(items);
                    if anchor != 0 {
                        anchors.insert(anchor, n.clone());
                    }
                    n
                }
                _ => return Err("error converting YAML to JSON: yaml: unbalanced sequence".into()),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, _, anchor, l)) => {
                    let n = Node::Map(entries, l);
                    if anchor != 0 {
                        anchors.insert(anchor, n.clone());
                    }
                    n
                }
                _ => return Err("error converting YAML to JSON: yaml: unbalanced mapping".into()),
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _, _)) => match pending.take() {
                None => *pending = Some((node, line)),
                Some((key, key_line)) => {
                    insert_entry(entries, key, node, key_line)?;
                }
            },
        }
    }
    if let Some(r) = root {
        docs.push(r);
    }
    Ok(docs)
}

/// A block scalar that runs to the end of input keeps no final line break
/// when the input has none (go-yaml: `fromYaml "a: |\n  x"` gives `x`), while
/// granit-parser adds one.
fn chomp_at_end_of_input<'t>(
    text: &str,
    value: Cow<'t, str>,
    style: ScalarStyle,
    span: &granit_parser::Span,
) -> Cow<'t, str> {
    let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
    if !block || text.ends_with('\n') || !value.ends_with('\n') {
        return value;
    }
    let rest: String = text.chars().skip(span.end.index()).collect();
    if !rest.trim_matches([' ', '\t']).is_empty() {
        return value;
    }
    let mut owned = value.into_owned();
    owned.pop();
    Cow::Owned(owned)
}

enum Frame {
    Seq(Vec<Node>, usize),
    Map(Vec<(Node, Node)>, Option<(Node, usize)>, usize, usize),
}

fn key_string(k: &Node) -> Option<String> {
    match k {
        Node::Str(s) => Some(s.clone()),
        Node::Bool(b) => Some(b.to_string()),
        Node::Int(i) => Some(i.to_string()),
        Node::Float(f) => Some(gofmt::format_float_g(*f)),
        _ => None,
    }
}

fn insert_entry(
    entries: &mut Vec<(Node, Node)>,
    key: Node,
    value: Node,
    line: usize,
) -> Result<(), String> {
    // `<<` merges a map (or a list of maps) without overriding explicit keys.
    if matches!(&key, Node::Str(s) if s == "<<") {
        let sources = match value {
            Node::Map(m, _) => vec![m],
            Node::Seq(items) => items
                .into_iter()
                .filter_map(|n| {
                    if let Node::Map(m, _) = n {
                        Some(m)
                    } else {
                        None
                    }
                })
                .collect(),
            _ => {
                return Err(format!(
                    "error converting YAML to JSON: yaml: line {line}: map merge requires map or sequence of maps as the value"
                ));
            }
        };
        for src in sources {
            for (k, v) in src {
                let ks = key_string(&k);
                if !entries.iter().any(|(e, _)| key_string(e) == ks) {
                    entries.push((k, v));
                }
            }
        }
        return Ok(());
    }
    // A repeated key replaces the earlier value (go-yaml v2 into interface{}).
    let ks = key_string(&key);
    if ks.is_some()
        && let Some(pos) = entries.iter().position(|(e, _)| key_string(e) == ks)
    {
        entries[pos] = (key, value);
        return Ok(());
    }
    entries.push((key, value));
    Ok(())
}

/// YAML 1.1 resolution of a scalar as go-yaml v2 does it.
fn resolve_scalar(value: &str, style: ScalarStyle, tag: Option<&granit_parser::Tag>) -> Node {
    if let Some(t) = tag {
        match t.suffix() {
            "str" => return Node::Str(value.to_string()),
            "null" => return Node::Null,
            "bool" | "int" | "float" => {}
            "binary" => return Node::Str(value.to_string()),
            _ => {}
        }
    }
    if style != ScalarStyle::Plain {
        return Node::Str(value.to_string());
    }
    resolve_plain(value)
}

#[allow(clippy::unwrap_used)]
static YAML_FLOAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").unwrap());
#[allow(clippy::unwrap_used)]
static BASE60: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").unwrap());
#[allow(clippy::unwrap_used)]
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$").unwrap()
});

fn resolve_plain(s: &str) -> Node {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Node::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Node::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Node::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" => return Node::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Node::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Node::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'+' || first == b'-' || first == b'.') {
        return Node::Str(s.to_string());
    }
    let plain = s.replace('_', "");
    if let Some(i) = parse_int_base0(&plain) {
        return Node::Int(i);
    }
    if YAML_FLOAT.is_match(&plain)
        && let Ok(f) = plain.parse::<f64>()
    {
        return Node::Float(f);
    }
    Node::Str(s.to_string())
}

/// `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`, as one i128.
fn parse_int_base0(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, r)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let mag = u64::from_str_radix(digits, radix).ok()? as i128;
    if neg {
        if mag > i64::MAX as i128 + 1 {
            return None;
        }
        Some(-mag)
    } else {
        Some(mag)
    }
}

/// YAMLToJSON followed by json.Unmarshal into interface{}.
fn to_json_value(n: Node) -> Result<Value, String> {
    Ok(match n {
        Node::Null => Value::Nil,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::Float(i as f64),
        Node::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    gofmt::format_float_g(f)
                ));
            }
            Value::Float(f)
        }
        Node::Str(s) => Value::from(s),
        Node::Seq(items) => Value::list(
            items
                .into_iter()
                .map(to_json_value)
                .collect::<Result<_, _>>()?,
        ),
        Node::Map(entries, _) => {
            let mut m = BTreeMap::new();
            for (k, v) in entries {
                let Some(key) = key_string(&k) else {
                    let shown = match &v {
                        Node::Str(s) => gofmt::go_quote(s),
                        Node::Null => "<nil>".to_string(),
                        Node::Bool(b) => b.to_string(),
                        Node::Int(i) => i.to_string(),
                        Node::Float(f) => gofmt::format_float_g(*f),
                        _ => "...".to_string(),
                    };
                    return Err(format!(
                        "unsupported map key of type: %!s(<nil>), key: <nil>, value: {shown}"
                    ));
                };
                m.insert(key, to_json_value(v)?);
            }
            Value::Map(Map::from_entries(m))
        }
    })
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Helm's `toYaml`, with the trailing newline trimmed. Fails only for
/// values JSON cannot carry (NaN, infinities); Helm then prints "".
pub fn to_yaml(v: &Value) -> Result<String, String> {
    let normalized = json_round_trip(v)?;
    let mut e = Emitter::new(Flavor::V2);
    e.document(&normalized);
    Ok(e.out.strip_suffix('\n').unwrap_or(&e.out).to_string())
}

/// go-yaml v2's output for a value, with the trailing newline (sigs.k8s.io/yaml.Marshal).
pub fn marshal(v: &Value) -> Result<String, String> {
    let normalized = json_round_trip(v)?;
    let mut e = Emitter::new(Flavor::V2);
    e.document(&normalized);
    Ok(e.out)
}

/// Helm's `toYamlPretty` (yaml.v3, indent 2), trailing newline trimmed.
pub fn to_yaml_pretty(v: &Value) -> String {
    let mut e = Emitter::new(Flavor::V3);
    e.document(&Out::from_value(v));
    e.out.strip_suffix('\n').unwrap_or(&e.out).to_string()
}

/// A value ready to emit.
enum Out {
    Null,
    Bool(bool),
    /// An integer or float already formatted.
    Number(String),
    Str(String),
    Seq(Vec<Out>),
    Map(Vec<(String, Out)>),
}

impl Out {
    /// yaml.v3 marshalling of a value as it is (no JSON round trip).
    fn from_value(v: &Value) -> Out {
        match v {
            Value::Nil => Out::Null,
            Value::Bool(b) => Out::Bool(*b),
            Value::Int(i) | Value::Int64(i) => Out::Number(i.to_string()),
            Value::Float(f) => Out::Number(yaml_float(*f)),
            Value::String(s) => Out::Str(s.to_string()),
            Value::Bytes(b) => Out::Seq(b.iter().map(|x| Out::Number(x.to_string())).collect()),
            Value::List(l) => Out::Seq(l.items().iter().map(Out::from_value).collect()),
            Value::Map(m) => Out::Map(
                m.entries()
                    .iter()
                    .map(|(k, v)| (k.clone(), Out::from_value(v)))
                    .collect(),
            ),
            Value::Object(o) => match super::dates::object_json(o.as_ref()) {
                Some(s) => Out::Str(s),
                None => Out::Map(Vec::new()),
            },
        }
    }
}

/// go-yaml's float formatting.
fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        }
    } else {
        gofmt::format_float_g(f)
    }
}

/// json.Marshal then go-yaml v2 Unmarshal: numbers written as JSON integers
/// that fit int64/uint64 come back as integers, everything else as float64.
fn json_round_trip(v: &Value) -> Result<Out, String> {
    Ok(match v {
        Value::Nil => Out::Null,
        Value::Bool(b) => Out::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Out::Number(i.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    gofmt::format_float_g(*f)
                ));
            }
            let text = gofmt::format_float_json(*f);
            let integral = !text.contains(['.', 'e', 'E']);
            if integral && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok()) {
                Out::Number(text)
            } else {
                Out::Number(yaml_float(text.parse::<f64>().unwrap_or(*f)))
            }
        }
        Value::String(s) => Out::Str(s.to_string()),
        Value::Bytes(b) => Out::Str(super::encoding::b64_encode(b)),
        Value::List(l) => Out::Seq(
            l.items()
                .iter()
                .map(json_round_trip)
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut entries = Vec::new();
            for (k, item) in m.entries() {
                entries.push((k, json_round_trip(&item)?));
            }
            Out::Map(entries)
        }
        Value::Object(o) => match super::dates::object_json(o.as_ref()) {
            Some(s) => Out::Str(s),
            None => Out::Map(Vec::new()),
        },
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Flavor {
    /// go-yaml v2 via sigs.k8s.io/yaml: indentless sequences, folding at 80.
    V2,
    /// yaml.v3 with SetIndent(2): indented sequences, no folding.
    V3,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Emitter {
    out: String,
    column: usize,
    flavor: Flavor,
    best_width: usize,
}

/// Whether a string would read back as something other than a string (go-yaml's `resolve`).
fn resolves_to_non_string(s: &str) -> bool {
    if !matches!(resolve_plain(s), Node::Str(_)) {
        return true;
    }
    TIMESTAMP.is_match(s)
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || u == 0x85
        || ((0xA0..=0xD7FF).contains(&u))
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
        || (0x10000..=0x10FFFF).contains(&u)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c) || c == '\0',
    }
}

/// libyaml's `analyze_scalar`, reduced to what style selection needs.
struct Analysis {
    flow_plain: bool,
    block_plain: bool,
    single: bool,
    block: bool,
    multiline: bool,
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            flow_plain: false,
            block_plain: true,
            single: true,
            block: false,
            multiline: false,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut flow_ind, mut block_ind) = (false, false);
    if s.starts_with("---") || s.starts_with("...") {
        flow_ind = true;
        block_ind = true;
    }
    let mut preceded_ws = true;
    let mut followed_ws = is_blank_or_end(chars.get(1).copied());
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                flow_ind = true;
                block_ind = true;
            }
            if c == '?' || c == ':' {
                flow_ind = true;
                if followed_ws {
                    block_ind = true;
                }
            }
            if c == '-' && followed_ws {
                flow_ind = true;
                block_ind = true;
            }
        } else {
            if ",?[]{}".contains(c) {
                flow_ind = true;
            }
            if c == ':' {
                flow_ind = true;
                if followed_ws {
                    block_ind = true;
                }
            }
            if c == '#' && preceded_ws {
                flow_ind = true;
                block_ind = true;
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == n - 1 {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if i == n - 1 {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_ws = c == ' ' || c == '\t' || is_break(c);
        followed_ws = is_blank_or_end(chars.get(i + 2).copied());
    }
    let mut a = Analysis {
        flow_plain: true,
        block_plain: true,
        single: true,
        block: true,
        multiline: line_breaks,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.flow_plain = false;
        a.block_plain = false;
        a.single = false;
    }
    if space_break || special {
        a.flow_plain = false;
        a.block_plain = false;
        a.single = false;
        a.block = false;
    }
    if line_breaks {
        a.flow_plain = false;
        a.block_plain = false;
    }
    if flow_ind {
        a.flow_plain = false;
    }
    if block_ind {
        a.block_plain = false;
    }
    a
}

impl Emitter {
    fn new(flavor: Flavor) -> Self {
        let best_width = if flavor == Flavor::V2 { 80 } else { usize::MAX };
        Emitter {
            out: String::new(),
            column: 0,
            flavor,
            best_width,
        }
    }

    fn put(&mut self, s: &str) {
        for c in s.chars() {
            self.put_char(c);
        }
    }

    fn put_char(&mut self, c: char) {
        self.out.push(c);
        if c == '\n' {
            self.column = 0;
        } else {
            self.column += 1;
        }
    }

    fn newline_indent(&mut self, indent: usize) {
        if self.column != 0 {
            self.put_char('\n');
        }
        while self.column < indent {
            self.put_char(' ');
        }
    }

    fn document(&mut self, v: &Out) {
        match v {
            Out::Map(entries) if !entries.is_empty() => self.block_map(entries, 0, false),
            Out::Seq(items) if !items.is_empty() => self.block_seq(items, 0, false),
            other => self.scalar_value(other, 2, false),
        }
        if self.column != 0 {
            self.put_char('\n');
        }
    }

    /// Style for a string scalar (go-yaml's stringv + select_scalar_style).
    fn string_style(&self, s: &str, simple_key: bool) -> Style {
        let can_plain = !resolves_to_non_string(s) && !BASE60.is_match(s);
        let mut style = if s.contains('\n') {
            Style::Literal
        } else if can_plain {
            Style::Plain
        } else {
            Style::Double
        };
        let a = analyze(s);
        if style == Style::Plain && (!a.block_plain || (s.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block || simple_key) {
            style = Style::Double;
        }
        style
    }

    /// A scalar (or empty collection) after `key:` or `-`, or at the top.
    fn scalar_value(&mut self, v: &Out, indent: usize, after_indicator: bool) {
        if after_indicator {
            self.put_char(' ');
        }
        match v {
            Out::Null => self.put("null"),
            Out::Bool(b) => self.put(if *b { "true" } else { "false" }),
            Out::Number(n) => self.put(n),
            Out::Str(s) => self.string(s, indent, false),
            Out::Seq(_) => self.put("[]"),
            Out::Map(_) => self.put("{}"),
        }
    }

    fn string(&mut self, s: &str, indent: usize, simple_key: bool) {
        match self.string_style(s, simple_key) {
            Style::Plain => self.write_plain(s, indent, !simple_key),
            Style::Single => self.write_single(s, indent, !simple_key),
            Style::Double => self.write_double(s, indent, !simple_key),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn fold_indent(&mut self, indent: usize) {
        self.put_char('\n');
        while self.column < indent {
            self.put_char(' ');
        }
    }

    fn write_plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.fold_indent(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
    }

    fn write_single(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put_char('\'');
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i != 0
                    && i != n - 1
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.fold_indent(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_char('\n');
                }
                self.put_char('\n');
                breaks = true;
            } else {
                if breaks {
                    while self.column < indent {
                        self.put_char(' ');
                    }
                }
                self.put_char(c);
                if c == '\'' {
                    self.put_char('\'');
                }
                spaces = false;
                breaks = false;
            }
        }
        self.put_char('\'');
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put_char('"');
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{FEFF}' || is_break(c) || c == '"' || c == '\\' {
                self.put_char('\\');
                let esc = match c {
                    '\0' => "0".to_string(),
                    '\u{7}' => "a".into(),
                    '\u{8}' => "b".into(),
                    '\t' => "t".into(),
                    '\n' => "n".into(),
                    '\u{b}' => "v".into(),
                    '\u{c}' => "f".into(),
                    '\r' => "r".into(),
                    '\u{1b}' => "e".into(),
                    '"' => "\"".into(),
                    '\\' => "\\".into(),
                    '\u{85}' => "N".into(),
                    '\u{a0}' => "_".into(),
                    '\u{2028}' => "L".into(),
                    '\u{2029}' => "P".into(),
                    c if (c as u32) <= 0xFF => format!("x{:02X}", c as u32),
                    c if (c as u32) <= 0xFFFF => format!("u{:04X}", c as u32),
                    c => format!("U{:08X}", c as u32),
                };
                self.put(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.best_width && i != 0 && i != n - 1
                {
                    self.fold_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put_char('\\');
                    }
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
        self.put_char('"');
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        self.put_char('|');
        let chars: Vec<char> = s.chars().collect();
        if chars.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
            self.put("2");
        }
        let n = chars.len();
        if !is_break(chars[n - 1]) {
            self.put_char('-');
        } else if n == 1 || is_break(chars[n - 2]) {
            self.put_char('+');
        }
        self.put_char('\n');
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.put_char('\n');
                breaks = true;
            } else {
                if breaks {
                    while self.column < indent {
                        self.put_char(' ');
                    }
                    breaks = false;
                }
                self.put_char(c);
            }
        }
    }

    /// Writes a key and its `:`; returns whether it was a complex (`? key`) key.
    fn key(&mut self, k: &str, indent: usize) -> bool {
        // Multi-line or very long keys cannot be simple keys: `? key` then `: value`.
        if analyze(k).multiline || k.chars().count() > 128 {
            self.put_char('?');
            self.put_char(' ');
            self.string(k, indent + 2, false);
            self.newline_indent(indent);
            self.put_char(':');
            return true;
        }
        self.string(k, indent + 2, true);
        self.put_char(':');
        false
    }

    /// A block mapping whose keys sit at `indent`; `inline` when the first
    /// key continues the current line (after `- `). Keys are written in
    /// go-yaml's order (see [`key_order`]), not byte order.
    fn block_map(&mut self, entries: &[(String, Out)], indent: usize, inline: bool) {
        let v3 = self.flavor != Flavor::V2;
        let mut sorted: Vec<&(String, Out)> = entries.iter().collect();
        sorted.sort_by(|a, b| key_order(&a.0, &b.0, v3));
        for (i, (k, v)) in sorted.into_iter().enumerate() {
            if i > 0 || !inline {
                self.newline_indent(indent);
            }
            let complex = self.key(k, indent);
            match v {
                // After `? key`, go-yaml continues a collection value on the `:` line.
                Out::Map(m) if complex && !m.is_empty() => {
                    self.put_char(' ');
                    self.block_map(m, indent + 2, true);
                }
                Out::Seq(items) if complex && !items.is_empty() => {
                    self.put_char(' ');
                    self.block_seq(items, indent + 2, true);
                }
                Out::Map(m) if !m.is_empty() => self.block_map(m, indent + 2, false),
                Out::Seq(items) if !items.is_empty() => {
                    let seq_indent = if self.flavor == Flavor::V2 {
                        indent
                    } else {
                        indent + 2
                    };
                    self.block_seq(items, seq_indent, false);
                }
                other => self.scalar_value(other, indent + 2, true),
            }
        }
    }

    fn block_seq(&mut self, items: &[Out], indent: usize, inline: bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline {
                self.newline_indent(indent);
            }
            self.put_char('-');
            match item {
                Out::Map(m) if !m.is_empty() => {
                    self.put_char(' ');
                    self.block_map(m, indent + 2, true);
                }
                Out::Seq(inner) if !inner.is_empty() => {
                    self.put_char(' ');
                    self.block_seq(inner, indent + 2, true);
                }
                other => self.scalar_value(other, indent + 2, true),
            }
        }
    }
}

/// go-yaml's map key order (`keyList.Less` in sorter.go): numbers inside keys
/// compare numerically (`a9` < `a10`) and non-letters sort before letters
/// (`~` < `a`). yaml.v3 (`toYamlPretty`) adds one rule: after equal digits,
/// letters come first (`0x1F` < `010`).
fn key_order(a: &str, b: &str, v3: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    if a == b {
        return Ordering::Equal;
    }
    let less = |x: &str, y: &str| {
        if x.is_ascii() && y.is_ascii() {
            key_less(x.as_bytes(), y.as_bytes(), |c: u8| char::from(c), v3)
        } else {
            let xs: Vec<char> = x.chars().collect();
            let ys: Vec<char> = y.chars().collect();
            key_less(&xs, &ys, |c: char| c, v3)
        }
    };
    if less(a, b) {
        Ordering::Less
    } else if less(b, a) {
        Ordering::Greater
    } else {
        a.cmp(b)
    }
}

fn key_less<C: Copy>(ar: &[C], br: &[C], ch: impl Fn(C) -> char, v3: bool) -> bool {
    // Go's unicode.IsDigit is the Nd category; ASCII digits are what keys hold.
    let is_digit = |c: char| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric());
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        let (a, b) = (ch(ar[i]), ch(br[i]));
        if a == b {
            digits = is_digit(a);
            continue;
        }
        let (al, bl) = (a.is_alphabetic(), b.is_alphabetic());
        if al && bl {
            return a < b;
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if a == '0' || b == '0' {
            // A zero after a non-zero digit run is part of a number, not padding.
            for j in (0..i).rev() {
                let c = ch(ar[j]);
                if !is_digit(c) {
                    break;
                }
                if c != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ch(ar[ai])) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(ch(ar[ai]) as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(ch(br[bi])) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(ch(br[bi]) as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return a < b;
    }
    ar.len() < br.len()
}

/// Converts a string that may carry YAML to a `Cow` without copying when possible.
#[allow(dead_code)]
fn borrow(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn y(v: &Value) -> String {
        to_yaml(v).unwrap()
    }

    #[test]
    fn to_yaml_checklist() {
        let m = from_yaml("b: 2\na: 1\nc:\n  d: x\n").unwrap();
        assert_eq!(y(&m), "a: 1\nb: 2\nc:\n  d: x");
        let strs: Vec<Value> = [
            "yes",
            "on",
            "010",
            "1e3",
            "true",
            "null",
            "~",
            "",
            "a: b",
            "-x",
            "x",
            "1.0",
            "0x1F",
            "2024-01-01",
        ]
        .iter()
        .map(|x| s(x))
        .collect();
        assert_eq!(
            y(&l(strs)),
            "- \"yes\"\n- \"on\"\n- \"010\"\n- \"1e3\"\n- \"true\"\n- \"null\"\n- \"~\"\n- \"\"\n- 'a: b'\n- -x\n- x\n- \"1.0\"\n- \"0x1F\"\n- \"2024-01-01\""
        );
        let d = Value::map([
            ("a", s("line1\nline2\n")),
            ("b", s("x\ny")),
            ("c", s("trailing \nspace")),
        ]);
        assert_eq!(
            y(&d),
            "a: |\n  line1\n  line2\nb: |-\n  x\n  y\nc: \"trailing \\nspace\""
        );
        let long = "word ".repeat(30);
        assert_eq!(
            y(&Value::map([("long", s(&long))])),
            "long: 'word word word word word word word word word word word word word word word\n  word word word word word word word word word word word word word word word '"
        );
        assert_eq!(y(&s("s")), "s");
        assert_eq!(y(&i(1)), "1");
        assert_eq!(y(&f(1.5)), "1.5");
        assert_eq!(y(&Value::Nil), "null");
        assert_eq!(y(&Value::map::<&str>([])), "{}");
        assert_eq!(y(&l(vec![])), "[]");
        let users = from_yaml("- name: b\n  age: 30\n- name: a\n  age: 25").unwrap();
        assert_eq!(y(&users), "- age: 30\n  name: b\n- age: 25\n  name: a");
        assert_eq!(
            to_yaml_pretty(&Value::map([("l", users)])),
            "l:\n  - age: 30\n    name: b\n  - age: 25\n    name: a"
        );
        let nums = Value::map([
            ("a", f(1e6)),
            ("b", f(1e21)),
            ("c", f(12345678901234567890.0)),
            ("d", f(2.0)),
            ("e", f(1.5)),
        ]);
        assert_eq!(
            y(&nums),
            "a: 1000000\nb: 1e+21\nc: 12345678901234567000\nd: 2\ne: 1.5"
        );
    }

    #[test]
    fn block_scalars_at_end_of_input_and_comments() {
        // go-yaml: clip chomping keeps a final line break only when the input has one.
        let d = from_yaml("a: |\n  x").unwrap();
        assert_eq!(gofmt::format_value(&d), "map[a:x]");
        let d = from_yaml("a: |\n  x\n").unwrap();
        assert_eq!(gofmt::format_value(&d), "map[a:x\n]");
        let d = from_yaml("a: |+\n  x").unwrap();
        assert_eq!(gofmt::format_value(&d), "map[a:x]");
        let d = from_yaml("# head\na: 1 # tail\nb:\n  # inner\n  c: 2\n").unwrap();
        assert_eq!(gofmt::format_value(&d), "map[a:1 b:map[c:2]]");
    }

    #[test]
    fn from_yaml_checklist() {
        let d = from_yaml("a: 1\nb: [x, y]\nc: 010\nd: yes").unwrap();
        assert_eq!(gofmt::format_value(&d), "map[a:1 b:[x true] c:8 d:true]");
        let d = from_yaml("on: 1\nn: 2\n1: x\nt: 2024-01-01\nu: 1:30\nv: .5\nw: 0o17\nx: 1_000")
            .unwrap();
        assert_eq!(
            gofmt::format_value(&d),
            "map[1:x false:2 t:2024-01-01 true:1 u:1:30 v:0.5 w:15 x:1000]"
        );
        assert_eq!(
            ok("fromYaml", &[s("- a\n- b")]),
            "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]"
        );
        assert_eq!(ok("fromYamlArray", &[s("- a\n- 1")]), "[a 1]");
        let anchors = from_yaml("base: &b {x: 1}\nd:\n  <<: *b\n  z: 2").unwrap();
        assert_eq!(
            gofmt::format_value(&anchors),
            "map[base:map[x:1] d:map[x:1 z:2]]"
        );
        assert!(
            ok("fromYaml", &[s("a: [")])
                .starts_with("map[Error:error converting YAML to JSON: yaml: line 1")
        );
    }
}
