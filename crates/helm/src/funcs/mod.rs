//! The Sprig v3.3.0 and Helm template functions, with Helm 4.2.3's exact output.
//!
//! Go passes typed parameters through reflection; our functions receive
//! [`Value`]s. Every function's Go parameter types are declared in
//! `signatures.rs`, so the executor checks arity and argument types before
//! the call exactly as Go's does (`expected string; found 1`, `wrong type for
//! value; expected string; got float64`); the functions convert loosely
//! typed `interface {}` parameters the way Sprig does (spf13/cast).

use std::sync::Arc;

use gotmpl::{CallContext, FuncError, FuncMap, Value};

pub mod certs;
pub mod crypto;
pub mod dates;
pub mod defaults;
pub mod dicts;
pub mod encoding;
pub mod gofmt;
pub mod helm;
pub mod json;
pub mod lists;
pub mod math;
pub mod paths;
pub mod regexp;
pub mod semver;
mod signatures;
pub mod strings;
pub mod toml;
pub mod yaml;

pub use helm::{FuncsState, Lookup, LookupError, MAX_INCLUDE_RECURSION, from_serde_json};

/// The result of every template function.
pub(crate) type FnResult = Result<Value, FuncError>;

/// Registers every Sprig function Helm ships (minus `env` and `expandenv`,
/// which Helm removes) and every Helm function (`include`, `tpl`, `required`,
/// `lookup`, the YAML/JSON/TOML codecs).
pub fn register_all(map: &mut FuncMap) {
    strings::register(map);
    lists::register(map);
    dicts::register(map);
    math::register(map);
    defaults::register(map);
    regexp::register(map);
    semver::register(map);
    dates::register(map);
    encoding::register(map);
    crypto::register(map);
    certs::register(map);
    paths::register(map);
    helm::register(map);
    signatures::declare(map);
}

/// A `FuncMap` with every function registered, ready to share between template sets.
pub fn func_map() -> Arc<FuncMap> {
    let mut map = FuncMap::new();
    register_all(&mut map);
    Arc::new(map)
}

/// Registers a function that does not need the engine.
pub(crate) fn pure(map: &mut FuncMap, name: &str, f: fn(&[Value]) -> FnResult) {
    map.insert(name, move |_: &mut dyn CallContext, args: &[Value]| f(args));
}

pub(crate) fn err(message: impl Into<String>) -> FuncError {
    FuncError::new(message)
}

/// Go's arity check for a function with exactly `n` parameters.
pub(crate) fn arity(name: &str, args: &[Value], n: usize) -> Result<(), FuncError> {
    if args.len() == n {
        Ok(())
    } else {
        Err(err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        )))
    }
}

/// Go's arity check for a variadic function with `n` fixed parameters.
pub(crate) fn arity_min(name: &str, args: &[Value], n: usize) -> Result<(), FuncError> {
    if args.len() >= n {
        Ok(())
    } else {
        Err(err(format!(
            "wrong number of args for {name}: want at least {n} got {}",
            args.len()
        )))
    }
}

/// The error Go's executor raises when an argument does not fit a typed parameter.
pub(crate) fn type_error(expected: &str, got: &Value) -> FuncError {
    match got {
        Value::Nil => err(format!("invalid value; expected {expected}")),
        other => err(format!(
            "wrong type for value; expected {expected}; got {}",
            other.type_name()
        )),
    }
}

/// A Go `string` parameter.
pub(crate) fn str_arg(args: &[Value], i: usize) -> Result<&str, FuncError> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(type_error("string", other)),
        None => Err(err("missing argument")),
    }
}

/// A Go `int` parameter. Template literals arrive as `Int`; an `int64`
/// (Sprig math results) does not fit, as in Go.
pub(crate) fn int_arg(args: &[Value], i: usize) -> Result<i64, FuncError> {
    match args.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        Some(other) => Err(type_error("int", other)),
        None => Err(err("missing argument")),
    }
}

/// A Go `bool` parameter.
pub(crate) fn bool_arg(args: &[Value], i: usize) -> Result<bool, FuncError> {
    match args.get(i) {
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(type_error("bool", other)),
        None => Err(err("missing argument")),
    }
}

/// A Go `[]interface{}` parameter: any slice (Go converts `[]string` only when
/// the static types match, but Sprig's list functions take `interface{}` and
/// reflect, so every slice is accepted).
pub(crate) fn list_arg(args: &[Value], i: usize) -> Result<Vec<Value>, FuncError> {
    match args.get(i) {
        Some(Value::List(l)) => Ok(l.items().to_vec()),
        Some(other) => Err(type_error("[]interface {}", other)),
        None => Err(err("missing argument")),
    }
}

/// A Go `map[string]interface{}` parameter.
pub(crate) fn map_arg(args: &[Value], i: usize) -> Result<gotmpl::Map, FuncError> {
    match args.get(i) {
        Some(Value::Map(m)) if m.go_type() == gotmpl::MapType::Interface => Ok(m.clone()),
        Some(other) => Err(type_error("map[string]interface {}", other)),
        None => Err(err("missing argument")),
    }
}

/// Sprig's `strval`: strings as they are, everything else as `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => gofmt::format_value(other),
    }
}

/// A Go string built from bytes that may not be valid UTF-8 (byte-based
/// slicing in `trunc`/`substr`). Our strings are UTF-8, so invalid bytes
/// become U+FFFD, which is also what the oracle's JSON transport shows.
pub(crate) fn from_bytes(b: &[u8]) -> Value {
    Value::string(String::from_utf8_lossy(b))
}

/// Go's out-of-range float to int64 conversion on amd64 yields the minimum int64.
pub(crate) fn f64_to_i64(f: f64) -> i64 {
    // i64::MAX as f64 rounds up to 2^63, which is already out of range.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-TWO_63..TWO_63).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// spf13/cast `ToInt64`: never fails; unparsable input is 0.
pub(crate) fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => f64_to_i64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast `ToFloat64`: never fails; unparsable input is 0.
pub(crate) fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// cast's `trimZeroDecimal`: `"1.000"` -> `"1"`, anything else unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    match s.find('.') {
        Some(dot) if dot > 0 && dot + 1 < s.len() && s[dot + 1..].bytes().all(|b| b == b'0') => {
            &s[..dot]
        }
        _ => s,
    }
}

/// `strconv.ParseInt(s, 0, 64)`: sign, base prefixes (0x, 0o, 0b, leading 0
/// for octal) and underscores between digits (base prefix only).
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest.to_string(), true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    let digits = if digits.contains('_') {
        // Underscores are only legal with base 0 and a prefix, between digits.
        let _ = prefixed;
        if digits.starts_with('_') && radix != 8 || digits.ends_with('_') || digits.contains("__") {
            return None;
        }
        digits.replace('_', "")
    } else {
        digits
    };
    if digits.is_empty() {
        return None;
    }
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag > i64::MAX as u64 + 1 {
            None
        } else {
            Some((mag as i128).wrapping_neg() as i64)
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// `strconv.ParseFloat(s, 64)`, including Go's hex floats being rare enough
/// to ignore; `inf`/`nan` spellings and underscores follow Go.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let t = s.to_ascii_lowercase();
    let body = t.trim_start_matches(['+', '-']);
    match body {
        "inf" | "infinity" => {
            return Some(if t.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b"._e+-".contains(&b))
    {
        return None;
    }
    if body.contains('_') {
        // Go accepts underscores only between digits.
        let b = body.as_bytes();
        let ok = b.iter().enumerate().all(|(i, c)| {
            *c != b'_'
                || (i > 0
                    && b[i - 1].is_ascii_digit()
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        });
        if !ok {
            return None;
        }
        return t.replace('_', "").parse::<f64>().ok();
    }
    t.parse::<f64>().ok()
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Calls functions outside a template, with a context that cannot re-enter.
    use std::any::Any;

    use gotmpl::{CallContext, FuncError, FuncMap, Value};

    pub struct NoEngine;

    impl CallContext for NoEngine {
        fn execute_template(&mut self, name: &str, _: Value) -> Result<String, FuncError> {
            Err(FuncError::new(format!("no template {name:?}")))
        }
        fn execute_text(&mut self, _: &str, text: &str, _: Value) -> Result<String, FuncError> {
            Ok(text.to_string())
        }
        fn template_name(&self) -> &str {
            "test"
        }
        fn location(&self) -> String {
            "test:1:1".into()
        }
        fn extension(&self) -> Option<&(dyn Any + Send + Sync)> {
            None
        }
    }

    pub fn funcs() -> FuncMap {
        let mut m = FuncMap::new();
        super::register_all(&mut m);
        m
    }

    /// Calls `name` and formats the result as `{{ }}` would.
    pub fn call(name: &str, args: &[Value]) -> Result<String, String> {
        let m = funcs();
        let f = m
            .get(name)
            .ok_or_else(|| format!("{name} not registered"))?;
        f.call(&mut NoEngine, args)
            .map(|v| super::gofmt::format_value(&v))
            .map_err(|e| e.message)
    }

    pub fn ok(name: &str, args: &[Value]) -> String {
        match call(name, args) {
            Ok(s) => s,
            Err(e) => panic!("{name} failed: {e}"),
        }
    }

    pub fn s(x: &str) -> Value {
        Value::string(x)
    }
    pub fn i(x: i64) -> Value {
        Value::Int(x)
    }
    pub fn f(x: f64) -> Value {
        Value::Float(x)
    }
    pub fn l(items: Vec<Value>) -> Value {
        Value::list(items)
    }
}

#[cfg(test)]
mod registry_tests {
    /// Every function name Helm 4.2.3 defines (checked with the real engine:
    /// `{{ if false }}{{ NAME }}{{ end }}` parses), and the ones it removes.
    const HELM_FUNCTIONS: &str = "hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace initials randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum sha256sum sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList splitn toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf mulf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce all any compact mustCompact fromJson toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual getHostByName base dir clean ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append push mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last mustLast initial mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas slice mustSlice concat dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin toToml fromToml toYaml mustToYaml toYamlPretty fromYaml fromYamlArray mustToToml fromJsonArray include tpl required lookup";

    #[test]
    fn registers_exactly_helms_functions() {
        let m = super::testutil::funcs();
        let missing: Vec<&str> = HELM_FUNCTIONS
            .split(' ')
            .filter(|n| !m.contains(n))
            .collect();
        assert!(missing.is_empty(), "not registered: {missing:?}");
        let mut m = gotmpl::FuncMap::new();
        super::register_all(&mut m);
        assert!(super::signatures::declare(&mut m).is_empty());
        let mut declared: Vec<&str> = super::signatures::SIGNATURES
            .iter()
            .flat_map(|(names, _)| names.iter().copied())
            .collect();
        declared.sort_unstable();
        let n = declared.len();
        declared.dedup();
        assert_eq!(n, declared.len(), "a function is declared twice");
        let undeclared: Vec<&str> = HELM_FUNCTIONS
            .split(' ')
            .filter(|f| !declared.contains(f))
            .collect();
        assert!(undeclared.is_empty(), "no signature: {undeclared:?}");
        for removed in [
            "env",
            "expandenv",
            "mustFromYaml",
            "mustFromJsonArray",
            "md5sum",
        ] {
            assert!(!m.contains(removed), "{removed} must not be defined");
        }
    }
}
