//! Sprig's string and string-slice functions.

use std::collections::BTreeMap;

use gotmpl::{FuncError, FuncMap, List, ListType, Map, MapType, Value};

use super::{
    FnResult, arity, err, from_bytes, gofmt, int_arg, list_arg, pure, str_arg, strval, type_error,
};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "hello", |a| {
        arity("hello", a, 0)?;
        Ok(Value::string("Hello!"))
    });
    pure(map, "abbrev", abbrev);
    pure(map, "abbrevboth", abbrevboth);
    pure(map, "trunc", trunc);
    pure(map, "trim", |a| {
        str1("trim", a, |s| s.trim_matches(is_go_space).to_string())
    });
    pure(map, "upper", |a| str1("upper", a, go_upper));
    pure(map, "lower", |a| str1("lower", a, go_lower));
    pure(map, "title", |a| str1("title", a, title));
    pure(map, "untitle", |a| str1("untitle", a, untitle));
    pure(map, "substr", substr);
    pure(map, "repeat", repeat);
    pure(map, "trimall", |a| {
        str2("trimall", a, |cut, s| trim_cutset(s, cut))
    });
    pure(map, "trimAll", |a| {
        str2("trimAll", a, |cut, s| trim_cutset(s, cut))
    });
    pure(map, "trimSuffix", |a| {
        str2("trimSuffix", a, |suf, s| {
            s.strip_suffix(suf).unwrap_or(s).to_string()
        })
    });
    pure(map, "trimPrefix", |a| {
        str2("trimPrefix", a, |pre, s| {
            s.strip_prefix(pre).unwrap_or(s).to_string()
        })
    });
    pure(map, "nospace", |a| {
        str1("nospace", a, |s| {
            s.chars().filter(|c| !is_go_space(*c)).collect()
        })
    });
    pure(map, "initials", |a| str1("initials", a, initials));
    pure(map, "swapcase", |a| str1("swapcase", a, swapcase));
    pure(map, "shuffle", |a| {
        arity("shuffle", a, 1)?;
        Ok(Value::string(shuffle(str_arg(a, 0)?)?))
    });
    pure(map, "snakecase", |a| {
        str1("snakecase", a, |s| to_lower_connected(s, '_'))
    });
    pure(map, "kebabcase", |a| {
        str1("kebabcase", a, |s| to_lower_connected(s, '-'))
    });
    pure(map, "camelcase", |a| str1("camelcase", a, camelcase));
    pure(map, "wrap", |a| {
        arity("wrap", a, 2)?;
        let width = int_arg(a, 0)?;
        Ok(Value::string(wrap_custom(
            str_arg(a, 1)?,
            width,
            "\n",
            false,
        )))
    });
    pure(map, "wrapWith", |a| {
        arity("wrapWith", a, 3)?;
        let width = int_arg(a, 0)?;
        Ok(Value::string(wrap_custom(
            str_arg(a, 2)?,
            width,
            str_arg(a, 1)?,
            true,
        )))
    });
    pure(map, "contains", |a| {
        bool2("contains", a, |sub, s| s.contains(sub))
    });
    pure(map, "hasPrefix", |a| {
        bool2("hasPrefix", a, |p, s| s.starts_with(p))
    });
    pure(map, "hasSuffix", |a| {
        bool2("hasSuffix", a, |p, s| s.ends_with(p))
    });
    pure(map, "quote", |a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| gofmt::go_quote(&strval(v)))
            .collect();
        Ok(Value::string(out.join(" ")))
    });
    pure(map, "squote", |a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| format!("'{}'", gofmt::format_value(v)))
            .collect();
        Ok(Value::string(out.join(" ")))
    });
    pure(map, "cat", |a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(gofmt::format_value)
            .collect();
        Ok(Value::string(out.join(" ")))
    });
    pure(map, "indent", |a| {
        arity("indent", a, 2)?;
        Ok(Value::string(indent(int_arg(a, 0)?, str_arg(a, 1)?)?))
    });
    pure(map, "nindent", |a| {
        arity("nindent", a, 2)?;
        Ok(Value::from(indent_after(
            "\n",
            int_arg(a, 0)?,
            str_arg(a, 1)?,
        )?))
    });
    pure(map, "replace", |a| {
        arity("replace", a, 3)?;
        let (old, new, src) = (str_arg(a, 0)?, str_arg(a, 1)?, str_arg(a, 2)?);
        Ok(Value::string(go_replace_all(src, old, new)))
    });
    pure(map, "plural", |a| {
        arity("plural", a, 3)?;
        let (one, many) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(Value::string(if int_arg(a, 2)? == 1 { one } else { many }))
    });
    pure(map, "toString", |a| {
        arity("toString", a, 1)?;
        Ok(Value::string(strval(&a[0])))
    });
    pure(map, "split", |a| {
        arity("split", a, 2)?;
        let (sep, orig) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(parts_map(go_split(orig, sep, -1)))
    });
    pure(map, "splitn", |a| {
        arity("splitn", a, 3)?;
        let (sep, n, orig) = (str_arg(a, 0)?, int_arg(a, 1)?, str_arg(a, 2)?);
        Ok(parts_map(go_split(orig, sep, n)))
    });
    pure(map, "splitList", |a| {
        arity("splitList", a, 2)?;
        let (sep, orig) = (str_arg(a, 0)?, str_arg(a, 1)?);
        Ok(string_list(go_split(orig, sep, -1)))
    });
    pure(map, "toStrings", |a| {
        arity("toStrings", a, 1)?;
        Ok(string_list(strslice(&a[0])))
    });
    pure(map, "join", |a| {
        arity("join", a, 2)?;
        let sep = str_arg(a, 0)?;
        Ok(Value::string(strslice(&a[1]).join(sep)))
    });
    pure(map, "sortAlpha", |a| {
        arity("sortAlpha", a, 1)?;
        match &a[0] {
            Value::List(_) => {
                let mut items = strslice(&a[0]);
                items.sort();
                Ok(string_list(items))
            }
            other => Ok(string_list(vec![strval(other)])),
        }
    });
    pure(map, "randAlphaNum", |a| {
        rand_string("randAlphaNum", a, ALNUM)
    });
    pure(map, "randAlpha", |a| {
        rand_string("randAlpha", a, &ALNUM[10..])
    });
    pure(map, "randNumeric", |a| {
        rand_string("randNumeric", a, &ALNUM[..10])
    });
    pure(map, "randAscii", |a| {
        let printable: Vec<u8> = (32u8..=126).collect();
        rand_string("randAscii", a, &printable)
    });
}

const ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn str1(name: &str, a: &[Value], f: impl Fn(&str) -> String) -> FnResult {
    arity(name, a, 1)?;
    Ok(Value::string(f(str_arg(a, 0)?)))
}

fn str2(name: &str, a: &[Value], f: impl Fn(&str, &str) -> String) -> FnResult {
    arity(name, a, 2)?;
    Ok(Value::string(f(str_arg(a, 0)?, str_arg(a, 1)?)))
}

fn bool2(name: &str, a: &[Value], f: impl Fn(&str, &str) -> bool) -> FnResult {
    arity(name, a, 2)?;
    Ok(Value::Bool(f(str_arg(a, 0)?, str_arg(a, 1)?)))
}

/// Go's `unicode.IsSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

/// Go's `unicode.ToUpper` maps one rune to one rune; Rust's may expand (`ß`).
fn upper_rune(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn lower_rune(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Titlecase letters (Lt), which are neither upper nor lower case.
fn is_titlecase(c: char) -> bool {
    c.is_alphabetic() && !c.is_uppercase() && !c.is_lowercase() && lower_rune(c) != c
}

/// Go's `unicode.ToTitle`: like upper case except for the Latin digraphs.
fn title_rune(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        c => upper_rune(c),
    }
}

fn go_upper(s: &str) -> String {
    s.chars().map(upper_rune).collect()
}

fn go_lower(s: &str) -> String {
    s.chars().map(lower_rune).collect()
}

/// `strings.Title`: upper-cases the first letter of each word.
fn title(s: &str) -> String {
    fn is_separator(r: char) -> bool {
        if (r as u32) <= 0x7f {
            return !(r.is_ascii_alphanumeric() || r == '_');
        }
        if r.is_alphanumeric() {
            return false;
        }
        is_go_space(r)
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { title_rune(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-cases the first letter of each
/// whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_go_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                lower_rune(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `Initials`, which works on bytes.
fn initials(s: &str) -> String {
    let mut out = Vec::new();
    let mut gap = true;
    for &b in s.as_bytes() {
        if is_go_space(b as char) {
            gap = true;
        } else if gap {
            out.push(b);
            gap = false;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn swapcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() || is_titlecase(c) {
                lower_rune(c)
            } else if c.is_lowercase() {
                upper_rune(c)
            } else {
                c
            }
        })
        .collect()
}

fn shuffle(s: &str) -> Result<String, FuncError> {
    let mut runes: Vec<char> = s.chars().collect();
    for i in (1..runes.len()).rev() {
        let j = super::encoding::random_below(i as u64 + 1)? as usize;
        runes.swap(i, j);
    }
    Ok(runes.into_iter().collect())
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_go_space(c)
}

/// xstrings `ToCamelCase`: connectors are dropped and the next letter upper-cased;
/// leading, trailing and doubled connectors are kept.
fn camelcase(s: &str) -> String {
    let mut chars = s.chars();
    let mut out = String::new();
    let mut r0 = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            r0 = Some(upper_rune(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = r0 else {
        return out;
    };
    let mut prev_upper = s
        .chars()
        .find(|c| !is_connector(*c))
        .is_some_and(char::is_uppercase);
    for c in chars {
        let r1 = r0;
        // Within a word, an upper-case letter after another one is lowered (HTTP -> Http).
        let was_upper = c.is_uppercase();
        r0 = if was_upper && prev_upper {
            lower_rune(c)
        } else {
            c
        };
        prev_upper = was_upper;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = upper_rune(r0);
        } else {
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// xstrings `ToSnakeCase`/`ToKebabCase`: words split at case changes
/// (acronyms kept together: `HTTPServer` -> `http_server`), connectors
/// normalised, everything lower-cased.
fn to_lower_connected(s: &str, connector: char) -> String {
    #[derive(PartialEq, Clone, Copy)]
    enum K {
        Upper,
        Lower,
        Digit,
        Conn,
        Other,
    }
    fn kind(c: char) -> K {
        if c.is_uppercase() {
            K::Upper
        } else if c.is_lowercase() {
            K::Lower
        } else if c.is_numeric() {
            K::Digit
        } else if is_connector(c) {
            K::Conn
        } else {
            K::Other
        }
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut prev: Option<K> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let k = kind(c);
        let next = chars.get(i + 1).map(|c| kind(*c));
        // A number after letters: when lower-case letters follow it, it starts
        // a new word that runs through further digits and lower-case letters
        // ("http2xx" -> "http_2xx", "Duration2m3s" -> "duration_2m3s");
        // otherwise it ends the previous word ("Bld4Floor" -> "bld4_floor").
        if k == K::Digit && matches!(prev, Some(K::Lower) | Some(K::Upper)) {
            let mut j = i;
            while j < chars.len() && kind(chars[j]) == K::Digit {
                j += 1;
            }
            if chars.get(j).is_some_and(|c| kind(*c) == K::Lower) {
                out.push(connector);
                while j < chars.len() && matches!(kind(chars[j]), K::Digit | K::Lower) {
                    j += 1;
                }
                out.extend(chars[i..j].iter());
                prev = Some(K::Lower);
            } else {
                out.extend(chars[i..j].iter());
                prev = Some(K::Digit);
            }
            i = j;
            continue;
        }
        i += 1;
        match k {
            K::Conn => {
                out.push(connector);
            }
            K::Upper => {
                let boundary = match prev {
                    Some(K::Lower) | Some(K::Digit) => true,
                    Some(K::Upper) => next == Some(K::Lower),
                    _ => false,
                };
                if boundary {
                    out.push(connector);
                }
                out.push(lower_rune(c));
            }
            _ => out.push(c),
        }
        prev = Some(k);
    }
    out
}

/// goutils `WrapCustom` (byte-based).
fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = b[offset..end].iter().rposition(|c| *c == b' ');
        if let Some(sp) = space {
            let at = sp + offset;
            out.extend_from_slice(&b[offset..at]);
            out.extend_from_slice(newline.as_bytes());
            offset = at + 1;
        } else if wrap_long {
            out.extend_from_slice(&b[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|c| *c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(i) => {
                    let at = i + end;
                    out.extend_from_slice(&b[offset..at]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn indent(spaces: i64, s: &str) -> Result<String, gotmpl::FuncError> {
    indent_after("", spaces, s)
}

/// `prefix` followed by [`indent`]'s result (`nindent` without a second copy).
fn indent_after(prefix: &str, spaces: i64, s: &str) -> Result<String, gotmpl::FuncError> {
    if spaces < 0 {
        return Err(err("strings: negative Repeat count"));
    }
    let pad = " ".repeat(spaces as usize);
    let lines = s.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut out = String::with_capacity(prefix.len() + s.len() + pad.len() * lines);
    out.push_str(prefix);
    out.push_str(&pad);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    Ok(out)
}

/// `strings.Replace(s, old, new, -1)`, including Go's behaviour for an
/// empty `old` (insert `new` around every rune).
fn go_replace_all(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        let mut out = String::from(new);
        for c in s.chars() {
            out.push(c);
            out.push_str(new);
        }
        return out;
    }
    s.replace(old, new)
}

/// `strings.SplitN` (n < 0: all). An empty separator splits into runes.
pub(crate) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && chars.len() > n as usize {
            let n = n as usize;
            let mut head: Vec<String> = chars[..n - 1].to_vec();
            head.push(chars[n - 1..].concat());
            return head;
        }
        return chars;
    }
    if n < 0 {
        s.split(sep).map(String::from).collect()
    } else {
        s.splitn(n as usize, sep).map(String::from).collect()
    }
}

fn parts_map(parts: Vec<String>) -> Value {
    let entries: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::string(p)))
        .collect();
    Value::Map(Map::typed(entries, MapType::String))
}

pub(crate) fn string_list(items: Vec<String>) -> Value {
    Value::List(List::typed(
        items.into_iter().map(Value::from).collect(),
        ListType::String,
    ))
}

/// Sprig's `strslice`: a slice becomes its elements as strings (nil dropped),
/// nil becomes an empty slice, anything else a one-element slice.
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l
            .items()
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(strval)
            .collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// `strings.Trim(s, cutset)`.
fn trim_cutset(s: &str, cutset: &str) -> String {
    s.trim_matches(|c| cutset.contains(c)).to_string()
}

fn abbrev(a: &[Value]) -> FnResult {
    arity("abbrev", a, 2)?;
    let width = int_arg(a, 0)?;
    let s = str_arg(a, 1)?;
    if width < 4 {
        return Ok(Value::string(s));
    }
    Ok(abbreviate_full(s, 0, width as usize))
}

fn abbrevboth(a: &[Value]) -> FnResult {
    arity("abbrevboth", a, 3)?;
    let (left, right) = (int_arg(a, 0)?, int_arg(a, 1)?);
    let s = str_arg(a, 2)?;
    if right < 4 || left > 0 && right < 7 {
        return Ok(Value::string(s));
    }
    Ok(abbreviate_full(s, left.max(0) as usize, right as usize))
}

/// goutils `AbbreviateFull` (byte-based); `max_width` >= 4 here.
fn abbreviate_full(s: &str, offset: usize, max_width: usize) -> Value {
    let b = s.as_bytes();
    if b.len() <= max_width {
        return Value::string(s);
    }
    let mut offset = offset.min(b.len());
    if b.len() - offset < max_width - 3 {
        offset = b.len() - (max_width - 3);
    }
    if offset <= 4 {
        let mut out = b[..max_width - 3].to_vec();
        out.extend_from_slice(b"...");
        return from_bytes(&out);
    }
    if max_width < 7 {
        return Value::string("");
    }
    if offset + max_width - 3 < b.len() {
        let rest = String::from_utf8_lossy(&b[offset..]).into_owned();
        let inner = abbreviate_full(&rest, 0, max_width - 3);
        return Value::string(format!("...{}", inner.as_str().unwrap_or_default()));
    }
    let mut out = b"...".to_vec();
    out.extend_from_slice(&b[b.len() - (max_width - 3)..]);
    from_bytes(&out)
}

fn trunc(a: &[Value]) -> FnResult {
    arity("trunc", a, 2)?;
    let c = int_arg(a, 0)?;
    let s = str_arg(a, 1)?;
    let b = s.as_bytes();
    let len = b.len() as i64;
    if c < 0 && len + c > 0 {
        return Ok(from_bytes(&b[(len + c) as usize..]));
    }
    if c >= 0 && len > c {
        return Ok(from_bytes(&b[..c as usize]));
    }
    Ok(Value::string(s))
}

fn substr(a: &[Value]) -> FnResult {
    arity("substr", a, 3)?;
    let (start, end) = (int_arg(a, 0)?, int_arg(a, 1)?);
    let s = str_arg(a, 2)?;
    let b = s.as_bytes();
    let len = b.len() as i64;
    let oob = |lo: i64, hi: i64| {
        err(format!(
            "runtime error: slice bounds out of range [{lo}:{hi}] with length {len}"
        ))
    };
    if start < 0 {
        if end < 0 || end > len {
            return Err(err(format!(
                "runtime error: slice bounds out of range [:{end}] with length {len}"
            )));
        }
        return Ok(from_bytes(&b[..end as usize]));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(err(format!(
                "runtime error: slice bounds out of range [{start}:{len}]"
            )));
        }
        return Ok(from_bytes(&b[start as usize..]));
    }
    if start > end {
        return Err(oob(start, end));
    }
    Ok(from_bytes(&b[start as usize..end as usize]))
}

fn repeat(a: &[Value]) -> FnResult {
    arity("repeat", a, 2)?;
    let count = int_arg(a, 0)?;
    let s = str_arg(a, 1)?;
    if count < 0 {
        return Err(err("strings: negative Repeat count"));
    }
    if (s.len() as u128) * (count as u128) > 64 << 20 {
        return Err(err("strings: Repeat output length overflow"));
    }
    Ok(Value::string(s.repeat(count as usize)))
}

fn rand_string(name: &str, a: &[Value], alphabet: &[u8]) -> FnResult {
    arity(name, a, 1)?;
    let count = int_arg(a, 0)?;
    if count < 0 {
        return Err(err(format!("{name}: count must be >= 0")));
    }
    if count > 1 << 20 {
        return Err(err(format!("{name}: count too large")));
    }
    let out: String = (0..count)
        .map(|_| {
            super::encoding::random_below(alphabet.len() as u64)
                .map(|i| alphabet[i as usize] as char)
        })
        .collect::<Result<_, _>>()?;
    Ok(Value::string(out))
}

/// Accepts any list for functions declared with a slice parameter.
#[allow(dead_code)]
pub(crate) fn string_list_arg(a: &[Value], i: usize) -> Result<Vec<String>, gotmpl::FuncError> {
    match a.get(i) {
        Some(Value::List(l)) if l.go_type() == ListType::String => {
            Ok(l.items().iter().map(strval).collect())
        }
        Some(other) => Err(type_error("[]string", other)),
        None => list_arg(a, i).map(|v| v.iter().map(strval).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn checklist_cases() {
        assert_eq!(ok("trunc", &[i(3), s("abcdef")]), "abc");
        assert_eq!(ok("trunc", &[i(-2), s("abcdef")]), "ef");
        assert_eq!(ok("trunc", &[i(10), s("ab")]), "ab");
        assert_eq!(ok("upper", &[s("aé")]), "AÉ");
        assert_eq!(ok("title", &[s("hello world")]), "Hello World");
        assert_eq!(ok("camelcase", &[s("foo_bar")]), "FooBar");
        assert_eq!(ok("camelcase", &[s("_complex__case_")]), "_Complex_Case_");
        assert_eq!(ok("kebabcase", &[s("FooBar")]), "foo-bar");
        assert_eq!(ok("snakecase", &[s("FooBar")]), "foo_bar");
        assert_eq!(ok("snakecase", &[s("HTTPServer")]), "http_server");
        assert_eq!(ok("substr", &[i(1), i(3), s("hello")]), "el");
        assert_eq!(ok("substr", &[i(2), i(-1), s("hello")]), "llo");
        assert_eq!(ok("substr", &[i(3), i(99), s("hello")]), "lo");
        assert_eq!(ok("trim", &[s("  a ")]), "a");
        assert_eq!(ok("trimAll", &[s("$"), s("$5.00$")]), "5.00");
        assert_eq!(ok("indent", &[i(2), s("a\nb\n")]), "  a\n  b\n  ");
        assert_eq!(ok("nindent", &[i(2), s("a\nb")]), "\n  a\n  b");
        assert_eq!(ok("replace", &[s(" "), s("-"), s("a b c")]), "a-b-c");
        assert_eq!(ok("repeat", &[i(3), s("ab")]), "ababab");
        assert_eq!(ok("nospace", &[s("a b  c")]), "abc");
        assert_eq!(
            ok("cat", &[s("a"), gotmpl::Value::Nil, s("b"), i(1)]),
            "a b 1"
        );
        assert_eq!(ok("quote", &[s("a"), i(1)]), "\"a\" \"1\"");
        assert_eq!(ok("quote", &[gotmpl::Value::Nil]), "");
        assert_eq!(ok("squote", &[s("a")]), "'a'");
        assert_eq!(ok("abbrev", &[i(5), s("hello world")]), "he...");
        assert_eq!(
            ok("wrap", &[i(5), s("hello world again")]),
            "hello\nworld\nagain"
        );
        assert_eq!(ok("splitList", &[s(","), s("a,b,,c")]), "[a b  c]");
        assert_eq!(
            ok("splitn", &[s("."), i(2), s("a.b.c")]),
            "map[_0:a _1:b.c]"
        );
        assert_eq!(
            ok("join", &[s("-"), l(vec![i(1), s("a"), f(2.5)])]),
            "1-a-2.5"
        );
        assert_eq!(
            ok("sortAlpha", &[l(vec![s("b"), s("B"), s("a"), i(10), i(9)])]),
            "[10 9 B a b]"
        );
        assert_eq!(
            ok(
                "toStrings",
                &[l(vec![i(1), f(2.5), s("x"), gotmpl::Value::Nil])]
            ),
            "[1 2.5 x]"
        );
        assert_eq!(ok("plural", &[s("one"), s("many"), i(2)]), "many");
        assert_eq!(ok("initials", &[s("Foo Bar")]), "FB");
        assert_eq!(ok("untitle", &[s("Foo")]), "foo");
        assert_eq!(ok("swapcase", &[s("aB")]), "Ab");
        assert_eq!(ok("randAlphaNum", &[i(8)]).len(), 8);
    }

    #[test]
    fn typed_parameters_are_strict() {
        assert_eq!(
            call("upper", &[gotmpl::Value::Nil]).unwrap_err(),
            "invalid value; expected string"
        );
        assert_eq!(
            call("upper", &[f(1.0)]).unwrap_err(),
            "wrong type for value; expected string; got float64"
        );
    }
}
