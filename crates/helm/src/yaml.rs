//! YAML as Helm reads it: `sigs.k8s.io/yaml` (a go-yaml v2 fork, YAML 1.1)
//! converted to JSON and decoded with `encoding/json`.
//!
//! The scanner comes from `granit-parser` (through `serde-saphyr`), but scalar
//! resolution is ours: YAML 1.2 libraries read `yes`, `on`, `010` and `1_000`
//! differently from go-yaml v2, and Helm charts observe the difference. Every
//! number becomes a float64 (`serde_json::Number` from `f64`), because Helm's
//! values go through JSON.

use std::collections::HashMap;

use serde_json::{Map as JsonMap, Number, Value as Json};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, ScanError, Span};

mod fast;

/// Limit on nodes produced by alias expansion, so `a: &a [*a, *a, ...]`
/// style inputs ("billion laughs") fail instead of exhausting memory.
const MAX_ALIAS_NODES: usize = 1_000_000;
/// Nesting limit; go-yaml has none but a recursive converter needs one.
const MAX_DEPTH: usize = 1_000;

/// A YAML error, formatted like go-yaml's (`yaml: line N: ...`) or like the
/// YAML→JSON conversion errors of `sigs.k8s.io/yaml`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct YamlError(pub String);

fn scan_error(e: &ScanError) -> YamlError {
    let line = e.marker().line().max(1);
    let mut info = e.info();
    if info.is_empty() {
        info = "syntax error".to_string();
    }
    YamlError(format!(
        "error converting YAML to JSON: yaml: line {line}: {info}"
    ))
}

/// Parses every document of a YAML stream. Empty documents become `null`.
pub fn parse_documents(text: &str) -> Result<Vec<Json>, YamlError> {
    let mut p = Loader::new(text);
    let mut docs = Vec::new();
    while let Some(doc) = p.next_document()? {
        docs.push(doc);
    }
    Ok(docs)
}

/// Parses the first document of a YAML stream, as `yaml.Unmarshal` does.
/// An empty input is `null`.
pub fn parse(text: &str) -> Result<Json, YamlError> {
    match fast::document(text) {
        Some(v) => Ok(v),
        None => parse_full(text),
    }
}

/// [`parse`] without the fast path for common block-style documents.
pub(crate) fn parse_full(text: &str) -> Result<Json, YamlError> {
    let mut p = Loader::new(text);
    Ok(p.next_document()?.unwrap_or(Json::Null))
}

/// Parses a values document: `null`/empty becomes an empty map, anything
/// other than a map is an error (Helm: `cannot unmarshal ... into map`).
pub fn parse_values(text: &str) -> Result<JsonMap<String, Json>, YamlError> {
    match fast::document(text) {
        Some(Json::Object(m)) => return Ok(m),
        Some(Json::Null) => return Ok(JsonMap::new()),
        _ => {}
    }
    parse_values_full(text)
}

/// [`parse_values`] without the fast path.
pub(crate) fn parse_values_full(text: &str) -> Result<JsonMap<String, Json>, YamlError> {
    let mut out = JsonMap::new();
    for doc in parse_documents(text)? {
        match doc {
            Json::Null => {}
            Json::Object(m) => crate::values::merge_maps(&mut out, m),
            other => {
                return Err(YamlError(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    json_kind(&other)
                )));
            }
        }
    }
    Ok(out)
}

/// Go's `encoding/json` name for a JSON value's kind, as used in its errors.
pub(crate) fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

struct Loader<'a> {
    parser: Parser<'a, serde_saphyr::granit_parser::StrInput<'a>>,
    anchors: HashMap<usize, Json>,
    alias_budget: usize,
    done: bool,
}

/// A key as go-yaml decodes it before sigs.k8s.io/yaml stringifies it.
enum Key {
    Str(String),
    Merge,
}

impl<'a> Loader<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            parser: Parser::new_from_str(text),
            anchors: HashMap::new(),
            alias_budget: MAX_ALIAS_NODES,
            done: false,
        }
    }

    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        loop {
            return match self.parser.next_event() {
                // serde-saphyr (and kube) enable granit-parser's `comments` feature
                // through feature unification; comments are presentation, not data.
                Some(Ok((Event::Comment(..), _))) => continue,
                Some(Ok(ev)) => Ok(ev),
                Some(Err(e)) => Err(scan_error(&e)),
                None => Ok((Event::StreamEnd, Span::default())),
            };
        }
    }

    fn next_document(&mut self) -> Result<Option<Json>, YamlError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let (ev, _) = self.next()?;
            match ev {
                Event::StreamStart => continue,
                Event::StreamEnd => {
                    self.done = true;
                    return Ok(None);
                }
                Event::DocumentStart(..) => {
                    self.anchors.clear();
                    let (ev, span) = self.next()?;
                    let value = match ev {
                        Event::DocumentEnd => return Ok(Some(Json::Null)),
                        ev => self.node(ev, span, 0)?,
                    };
                    // Consume up to the document end.
                    loop {
                        let (ev, _) = self.next()?;
                        match ev {
                            Event::DocumentEnd => break,
                            Event::StreamEnd => {
                                self.done = true;
                                break;
                            }
                            _ => {}
                        }
                    }
                    return Ok(Some(value));
                }
                _ => continue,
            }
        }
    }

    fn node(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Json, YamlError> {
        // Deep documents recurse here; grow the stack on the heap instead of
        // overflowing the caller's thread.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.node_inner(ev, span, depth))
    }

    fn node_inner(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Json, YamlError> {
        if depth > MAX_DEPTH {
            return Err(YamlError(format!(
                "error converting YAML to JSON: yaml: line {}: exceeded max depth of {MAX_DEPTH}",
                span.start.line()
            )));
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let tag_suffix = tag.as_ref().map(|t| t.suffix().to_string());
                let v = resolve_scalar(&text, style, tag_suffix.as_deref(), span.start.line())?;
                if anchor != 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::SequenceStart(_, anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    match ev {
                        Event::SequenceEnd => break,
                        Event::StreamEnd => return Err(unexpected_end(span)),
                        ev => items.push(self.node(ev, span, depth + 1)?),
                    }
                }
                let v = Json::Array(items);
                if anchor != 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::MappingStart(_, anchor, _) => {
                let mut map = JsonMap::new();
                loop {
                    let (ev, kspan) = self.next()?;
                    let key = match ev {
                        Event::MappingEnd => break,
                        Event::StreamEnd => return Err(unexpected_end(kspan)),
                        ev => self.key(ev, kspan, depth + 1)?,
                    };
                    let (ev, vspan) = self.next()?;
                    let value = self.node(ev, vspan, depth + 1)?;
                    match key {
                        Key::Str(k) => {
                            map.insert(k, value);
                        }
                        Key::Merge => merge_into(&mut map, value, kspan)?,
                    }
                }
                let v = Json::Object(map);
                if anchor != 0 {
                    self.anchors.insert(anchor, v.clone());
                }
                Ok(v)
            }
            Event::Alias(id) => {
                let v = self.anchors.get(&id).cloned().ok_or_else(|| {
                    YamlError(format!(
                        "error converting YAML to JSON: yaml: line {}: unknown anchor referenced",
                        span.start.line()
                    ))
                })?;
                let cost = count_nodes(&v);
                if cost > self.alias_budget {
                    return Err(YamlError(
                        "error converting YAML to JSON: yaml: document contains excessive aliasing"
                            .to_string(),
                    ));
                }
                self.alias_budget -= cost;
                Ok(v)
            }
            Event::StreamEnd | Event::DocumentEnd => Err(unexpected_end(span)),
            _ => Ok(Json::Null),
        }
    }

    /// Consumes a node without building it (aliases and anchors still checked).
    fn skip(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<(), YamlError> {
        match ev {
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _)
                if anchor == 0 =>
            {
                let mut level = 1usize;
                while level > 0 {
                    let (ev, sp) = self.next()?;
                    match ev {
                        Event::SequenceStart(_, a, _) | Event::MappingStart(_, a, _) if a == 0 => {
                            level += 1
                        }
                        Event::SequenceEnd | Event::MappingEnd => level -= 1,
                        Event::StreamEnd => return Err(unexpected_end(sp)),
                        Event::Scalar(text, style, anchor, tag) => {
                            if anchor != 0 {
                                let suffix = tag.as_ref().map(|t| t.suffix().to_string());
                                let v = resolve_scalar(
                                    &text,
                                    style,
                                    suffix.as_deref(),
                                    sp.start.line(),
                                )?;
                                self.anchors.insert(anchor, v);
                            } else if style == ScalarStyle::Plain && tag.is_none() {
                                // Values that cannot become JSON (.inf) still fail.
                                if text.starts_with(['.', '+', '-']) {
                                    resolve_plain(&text, sp.start.line())?;
                                }
                            }
                        }
                        ev @ (Event::SequenceStart(..) | Event::MappingStart(..)) => {
                            // An anchored collection: build it so aliases work.
                            self.node(ev, sp, depth + level)?;
                        }
                        _ => {}
                    }
                    if depth + level > MAX_DEPTH {
                        return Err(YamlError(format!(
                            "error converting YAML to JSON: yaml: line {}: exceeded max depth of {MAX_DEPTH}",
                            sp.start.line()
                        )));
                    }
                }
                Ok(())
            }
            ev => self.node(ev, span, depth).map(|_| ()),
        }
    }

    /// Reads a mapping key and converts it to the string sigs.k8s.io/yaml uses.
    fn key(&mut self, ev: Event<'a>, span: Span, depth: usize) -> Result<Key, YamlError> {
        if let Event::Scalar(text, ScalarStyle::Plain, _, None) = &ev
            && text.as_ref() == "<<"
        {
            return Ok(Key::Merge);
        }
        let line = span.start.line();
        let (is_float, plain_float) = match &ev {
            Event::Scalar(text, ScalarStyle::Plain, _, None)
                if text
                    .as_bytes()
                    .first()
                    .is_some_and(|b| b.is_ascii_digit() || b"+-.".contains(b)) =>
            {
                (is_float_key(text), parse_plain_float(text))
            }
            _ => (false, None),
        };
        let v = self.node(ev, span, depth)?;
        match v {
            Json::String(s) => Ok(Key::Str(s)),
            Json::Bool(b) => Ok(Key::Str(b.to_string())),
            Json::Number(n) => {
                if is_float {
                    let f = plain_float.unwrap_or_else(|| n.as_f64().unwrap_or(0.0));
                    Ok(Key::Str(format_float32_g(f)))
                } else {
                    Ok(Key::Str(int_key_string(&n)))
                }
            }
            Json::Null => Err(YamlError(format!(
                "error converting YAML to JSON: unsupported map key of type: <nil>, key: <nil> (line {line})"
            ))),
            other => Err(YamlError(format!(
                "error converting YAML to JSON: yaml: line {line}: invalid map key: {}",
                json_kind(&other)
            ))),
        }
    }
}

/// The fields of a manifest's head that `helm template` needs (Helm's
/// `SimpleHead`), read without building the whole document. The document is
/// still scanned completely, so YAML errors are reported as Helm does.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// Whether the document is empty (null).
    pub null: bool,
    /// Top-level node kind when it is not a map (`string`, `array`...).
    pub non_map: Option<&'static str>,
    /// `apiVersion`, `kind`: the value, or the JSON kind of a non-string value.
    pub api_version: Result<String, &'static str>,
    /// See `api_version`.
    pub kind: Result<String, &'static str>,
    /// `metadata` present and not a map: its JSON kind.
    pub metadata_non_map: Option<&'static str>,
    /// `metadata.name`.
    pub name: Result<String, &'static str>,
    /// `metadata.namespace` when it is a string.
    pub namespace: Option<String>,
    /// `metadata.annotations` is present but not a map: its JSON kind.
    pub annotations_non_map: Option<&'static str>,
    /// `metadata.annotations` entries: value or the JSON kind of a non-string.
    pub annotations: Vec<(String, Result<String, &'static str>)>,
}

fn str_or_kind(v: Json) -> Result<String, &'static str> {
    match v {
        Json::String(s) => Ok(s),
        Json::Null => Ok(String::new()),
        other => Err(json_kind(&other)),
    }
}

impl Head {
    /// The head of a map document with none of the fields set.
    fn empty() -> Self {
        Head {
            null: false,
            non_map: None,
            api_version: Ok(String::new()),
            kind: Ok(String::new()),
            metadata_non_map: None,
            name: Ok(String::new()),
            namespace: None,
            annotations_non_map: None,
            annotations: Vec::new(),
        }
    }

    /// Fills the `metadata` fields from the document's `metadata` value;
    /// both the fast and the full loader go through here so they agree.
    fn set_metadata(&mut self, v: Json) {
        match v {
            Json::Object(md) => {
                self.name = md
                    .get("name")
                    .cloned()
                    .map(str_or_kind)
                    .unwrap_or(Ok(String::new()));
                if let Some(Json::String(ns)) = md.get("namespace") {
                    self.namespace = Some(ns.clone());
                }
                match md.get("annotations") {
                    None | Some(Json::Null) => {}
                    Some(Json::Object(a)) => {
                        self.annotations = a
                            .iter()
                            .map(|(k, v)| (k.clone(), str_or_kind(v.clone())))
                            .collect();
                    }
                    Some(other) => self.annotations_non_map = Some(json_kind(other)),
                }
            }
            Json::Null => {}
            other => self.metadata_non_map = Some(json_kind(&other)),
        }
    }
}

/// Scans one document and extracts its [`Head`].
pub fn parse_head(text: &str) -> Result<Head, YamlError> {
    match fast::head(text) {
        Some(h) => Ok(h),
        None => parse_head_full(text),
    }
}

/// [`parse_head`] without the fast path.
pub(crate) fn parse_head_full(text: &str) -> Result<Head, YamlError> {
    let mut l = Loader::new(text);
    let mut head = Head::empty();
    // Find the first document's root node.
    let (root, span) = loop {
        let (ev, span) = l.next()?;
        match ev {
            Event::StreamStart | Event::DocumentStart(..) => continue,
            Event::DocumentEnd | Event::StreamEnd => {
                head.null = true;
                return Ok(head);
            }
            ev => break (ev, span),
        }
    };
    match root {
        Event::MappingStart(..) => loop {
            let (ev, kspan) = l.next()?;
            let key = match ev {
                Event::MappingEnd => break,
                Event::StreamEnd => return Err(unexpected_end(kspan)),
                ev => l.key(ev, kspan, 1)?,
            };
            let (ev, vspan) = l.next()?;
            match key {
                Key::Str(k) if k == "apiVersion" => {
                    head.api_version = str_or_kind(l.node(ev, vspan, 1)?)
                }
                Key::Str(k) if k == "kind" => head.kind = str_or_kind(l.node(ev, vspan, 1)?),
                Key::Str(k) if k == "metadata" => head.set_metadata(l.node(ev, vspan, 1)?),
                _ => l.skip(ev, vspan, 1)?,
            }
        },
        ev => {
            let v = l.node(ev, span, 0)?;
            if v.is_null() {
                head.null = true;
            } else {
                head.non_map = Some(json_kind(&v));
            }
        }
    }
    // The rest of the document must still be valid YAML.
    loop {
        let (ev, _) = l.next()?;
        if matches!(ev, Event::DocumentEnd | Event::StreamEnd) {
            break;
        }
    }
    Ok(head)
}

fn unexpected_end(span: Span) -> YamlError {
    YamlError(format!(
        "error converting YAML to JSON: yaml: line {}: did not find expected node content",
        span.start.line().max(1)
    ))
}

fn count_nodes(v: &Json) -> usize {
    match v {
        Json::Array(a) => 1 + a.iter().map(count_nodes).sum::<usize>(),
        Json::Object(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// go-yaml v2 merge keys: `<<: *a` or `<<: [*a, *b]` (earlier maps win);
/// merged keys overwrite keys set before the `<<` and later keys overwrite them.
fn merge_into(map: &mut JsonMap<String, Json>, value: Json, span: Span) -> Result<(), YamlError> {
    match value {
        Json::Object(m) => {
            for (k, v) in m {
                map.insert(k, v);
            }
            Ok(())
        }
        Json::Array(items) => {
            for item in items.into_iter().rev() {
                match item {
                    Json::Object(m) => {
                        for (k, v) in m {
                            map.insert(k, v);
                        }
                    }
                    _ => return Err(bad_merge(span)),
                }
            }
            Ok(())
        }
        _ => Err(bad_merge(span)),
    }
}

fn bad_merge(span: Span) -> YamlError {
    YamlError(format!(
        "error converting YAML to JSON: yaml: line {}: map merge requires map or sequence of maps as the value",
        span.start.line()
    ))
}

fn int_key_string(n: &Number) -> String {
    // Integer keys were Go ints; the stored f64 is exact for the usual sizes.
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => format!("{}", f as i64),
        Some(f) => gotmpl_float(f),
        None => n.to_string(),
    }
}

fn gotmpl_float(f: f64) -> String {
    crate::values::format_float_g(f)
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml turns float keys
/// into strings.
fn format_float32_g(f: f64) -> String {
    let f32v = f as f32;
    if f32v.is_infinite() {
        return if f32v > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if f32v.is_nan() {
        return ".nan".into();
    }
    // Shortest repr for f32, then apply Go's %g exponent rule.
    let s = format!("{:e}", f32v);
    crate::values::go_g_from_exp(&s)
}

fn is_float_key(text: &str) -> bool {
    // Keys that go-yaml resolves to float64 (not int): ParseInt/ParseUint fail
    // but the float pattern or a leading '.' parses.
    let plain = text.replace('_', "");
    if parse_go_int(&plain).is_some() || parse_go_uint(&plain).is_some() {
        return false;
    }
    parse_plain_float(text).is_some()
}

fn parse_plain_float(text: &str) -> Option<f64> {
    let first = text.as_bytes().first().copied()?;
    if first == b'.' {
        return text.parse::<f64>().ok().filter(|_| go_float_syntax(text));
    }
    let plain = text.replace('_', "");
    if is_yaml_style_float(&plain) {
        return plain.parse::<f64>().ok();
    }
    None
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Whether Go's ParseFloat would accept this decimal text (approximately:
/// digits, one dot, optional exponent; no letters besides e/E).
fn go_float_syntax(s: &str) -> bool {
    is_yaml_style_float(s)
}

/// Go's `strconv.ParseInt(s, 0, 64)` (base prefixes, leading-zero octal,
/// underscores already removed by the caller).
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let mag = parse_go_uint(body)?;
    if neg {
        if mag <= (i64::MAX as u64) + 1 {
            Some((mag as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(mag as i64)
    } else {
        None
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` without sign.
pub(crate) fn parse_go_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let (radix, digits) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

fn number(f: f64, line: usize) -> Result<Json, YamlError> {
    Number::from_f64(f).map(Json::Number).ok_or_else(|| {
        let shown = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        let _ = line;
        YamlError(format!(
            "error converting YAML to JSON: json: unsupported value: {shown}"
        ))
    })
}

/// go-yaml v2's `resolve()` for a scalar, then the JSON round trip.
fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&str>,
    line: usize,
) -> Result<Json, YamlError> {
    if style != ScalarStyle::Plain || tag == Some("str") || tag == Some("binary") {
        // Explicitly typed non-plain scalars (`!!int "1"`) are rare; go-yaml
        // resolves them, but quoted scalars without a tag are strings.
        if style != ScalarStyle::Plain
            && let Some(t) = tag
            && matches!(t, "int" | "float" | "bool" | "null")
        {
            return resolve_plain(text, line);
        }
        return Ok(Json::String(text.to_string()));
    }
    resolve_plain(text, line)
}

fn resolve_plain(text: &str, line: usize) -> Result<Json, YamlError> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Json::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Ok(Json::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Ok(Json::Bool(false));
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return number(f64::INFINITY, line);
        }
        "-.inf" | "-.Inf" | "-.INF" => return number(f64::NEG_INFINITY, line),
        ".nan" | ".NaN" | ".NAN" => return number(f64::NAN, line),
        _ => {}
    }
    let first = text.as_bytes()[0];
    match first {
        b'.' => {
            if go_float_syntax(text)
                && let Ok(f) = text.parse::<f64>()
            {
                return number(f, line);
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if first.is_ascii_digit() && looks_like_timestamp(text) {
                // go-yaml v2 keeps timestamps as their original string when
                // decoding into interface{}.
                return Ok(Json::String(text.to_string()));
            }
            let plain: std::borrow::Cow<'_, str> = if text.contains('_') {
                text.replace('_', "").into()
            } else {
                text.into()
            };
            if let Some(i) = parse_go_int(&plain) {
                return number(i as f64, line);
            }
            if let Some(u) = parse_go_uint(&plain) {
                return number(u as f64, line);
            }
            if is_yaml_style_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
            {
                return number(f, line);
            }
            if let Some(rest) = plain.strip_prefix("-0b")
                && let Ok(i) = i64::from_str_radix(rest, 2)
            {
                return number(-(i as f64), line);
            }
        }
        _ => {}
    }
    Ok(Json::String(text.to_string()))
}

/// go-yaml v2 `parseTimestamp` formats: `2006-1-2`, optionally followed by
/// `T`/`t`/space and a time. Only the shape matters: the value stays a string.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize, min: usize, max: usize| -> bool {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - st < max {
            *i += 1;
        }
        *i - st >= min
    };
    if !digits(&mut i, 4, 4) || i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) || i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    // A time part must follow.
    if !matches!(b[i], b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    digits(&mut i, 1, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Json {
        parse(s).unwrap()
    }

    #[test]
    fn yaml11_scalars() {
        let v = p(
            "a: yes\nb: off\nc: 010\nd: 0o17\ne: 0x10\nf: 1_000\ng: .5\nh: 1e3\ni: 2024-01-01\nj: 1:30\nk: ~\nl: '010'\nm: 08\nn: y\n",
        );
        assert_eq!(
            v,
            json!({"a": true, "b": false, "c": 8.0, "d": 15.0, "e": 16.0, "f": 1000.0, "g": 0.5,
                   "h": 1000.0, "i": "2024-01-01", "j": "1:30", "k": null, "l": "010", "m": 8.0, "false": true})
        );
    }

    #[test]
    fn keys_are_stringified() {
        let v = p("on: 1\nn: 2\n1: 3\n1.5: 4\n");
        assert_eq!(v, json!({"true": 1.0, "false": 2.0, "1": 3.0, "1.5": 4.0}));
        assert!(parse("null: 1\n").is_err());
    }

    #[test]
    fn inf_fails_and_merge_keys() {
        assert!(parse("a: .inf\n").is_err());
        let v = p("base: &b {x: 1, w: 2}\nd:\n  <<: *b\n  w: 3\n");
        assert_eq!(v["d"], json!({"x": 1.0, "w": 3.0}));
    }

    #[test]
    fn multi_document_values_merge() {
        let v = parse_values("a: {x: 1}\n---\na: {z: 2}\n---\n").unwrap();
        assert_eq!(Json::Object(v), json!({"a": {"x": 1.0, "z": 2.0}}));
    }

    #[test]
    fn errors_have_lines() {
        let e = parse("a: [\n").unwrap_err();
        assert!(e.0.contains("line"), "{e}");
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        assert!(parse(&s).is_err());
    }
}
