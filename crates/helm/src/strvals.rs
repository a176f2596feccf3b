//! Helm's `--set` / `--set-string` syntax (`pkg/strvals`): `a.b=1,c={x,y}`,
//! `l[0].n=v`, backslash escapes. Integers become Go `int64`
//! (`serde_json::Number` from `i64`), `true`/`false`/`null` are typed, and
//! anything else (including `010`, `1e6`, big integers) stays a string.

use serde_json::{Map as JsonMap, Value as Json};

use crate::values::Values;

/// Helm's `MaxIndex`.
const MAX_INDEX: usize = 65536;
/// Helm's maximum `a.b.c` nesting.
const MAX_NESTED: usize = 30;

enum Stop {
    Eof,
    At(char),
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    string_only: bool,
    _src: &'a str,
}

type R<T> = Result<T, String>;

/// Parses one `--set` argument into `base` (Helm's `strvals.ParseInto`).
pub fn parse_into(s: &str, base: &mut Values) -> Result<(), String> {
    parse_impl(s, base, false)
}

/// Parses one `--set-string` argument into `base` (`strvals.ParseIntoString`).
pub fn parse_into_string(s: &str, base: &mut Values) -> Result<(), String> {
    parse_impl(s, base, true)
}

fn parse_impl(s: &str, base: &mut Values, string_only: bool) -> Result<(), String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
        string_only,
        _src: s,
    };
    loop {
        match p.key(base, 0) {
            Ok(true) => continue,
            Ok(false) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

impl Parser<'_> {
    /// Reads runes until one in `stop`, handling `\` escapes.
    fn until(&mut self, stop: &[char]) -> (String, Stop) {
        let mut out = String::new();
        while self.pos < self.chars.len() {
            let c = self.chars[self.pos];
            self.pos += 1;
            if c == '\\' {
                if self.pos < self.chars.len() {
                    out.push(self.chars[self.pos]);
                    self.pos += 1;
                }
                continue;
            }
            if stop.contains(&c) {
                return (out, Stop::At(c));
            }
            out.push(c);
        }
        (out, Stop::Eof)
    }

    fn typed(&self, v: String) -> Json {
        if self.string_only {
            return Json::String(v);
        }
        if v.eq_ignore_ascii_case("true") {
            return Json::Bool(true);
        }
        if v.eq_ignore_ascii_case("false") {
            return Json::Bool(false);
        }
        if v.eq_ignore_ascii_case("null") {
            return Json::Null;
        }
        if v == "0" {
            return Json::from(0i64);
        }
        if !v.is_empty() && !v.starts_with('0') {
            let digits = v.strip_prefix(['+', '-']).unwrap_or(&v);
            if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && let Ok(i) = v.parse::<i64>()
            {
                return Json::from(i);
            }
        }
        Json::String(v)
    }

    /// Returns Ok(true) to continue with the next key, Ok(false) at the end.
    fn key(&mut self, data: &mut Values, level: usize) -> R<bool> {
        let (k, stop) = self.until(&['=', '[', ',', '.']);
        match stop {
            Stop::Eof => {
                if k.is_empty() {
                    Ok(false)
                } else {
                    Err(format!("key {k:?} has no value"))
                }
            }
            Stop::At('[') => {
                let i = self.key_index()?;
                let mut list = match data.get(&k) {
                    Some(Json::Array(a)) => a.clone(),
                    None => Vec::new(),
                    Some(_) => {
                        return Err("unable to parse key: interface conversion: interface {} is not []interface {}".to_string());
                    }
                };
                let r = self.list_item(&mut list, i, level);
                set(data, &k, Json::Array(list));
                r
            }
            Stop::At('=') => match self.val_list()? {
                Some(list) => {
                    set(data, &k, Json::Array(list));
                    Ok(self.pos < self.chars.len())
                }
                None => {
                    if self.pos >= self.chars.len() {
                        set(data, &k, Json::String(String::new()));
                        return Ok(false);
                    }
                    let (v, stop) = self.until(&[',']);
                    let v = self.typed(v);
                    set(data, &k, v);
                    Ok(matches!(stop, Stop::At(_)))
                }
            },
            Stop::At(',') => {
                set(data, &k, Json::String(String::new()));
                Err(format!("key {k:?} has no value (cannot end with ,)"))
            }
            Stop::At(_) => {
                // '.'
                let level = level + 1;
                if level > MAX_NESTED {
                    return Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED}"
                    ));
                }
                let mut inner = match data.get(&k) {
                    Some(Json::Object(m)) => m.clone(),
                    None => JsonMap::new(),
                    Some(_) => {
                        return Err(
                            "unable to parse key: interface conversion: interface {} is not map[string]interface {}"
                                .to_string(),
                        );
                    }
                };
                let r = self.key(&mut inner, level);
                if r.is_ok() && inner.is_empty() {
                    return Err(format!("key map {k:?} has no value"));
                }
                if !inner.is_empty() {
                    set(data, &k, Json::Object(inner));
                }
                r
            }
        }
    }

    fn key_index(&mut self) -> R<usize> {
        let (v, stop) = self.until(&[']']);
        if matches!(stop, Stop::Eof) {
            return Err("error parsing index: EOF".into());
        }
        let i: i64 = v.parse().map_err(|_| {
            format!("error parsing index: strconv.Atoi: parsing {v:?}: invalid syntax")
        })?;
        if i < 0 {
            return Err(format!("negative {i} index not allowed"));
        }
        Ok(i as usize)
    }

    fn val_list(&mut self) -> R<Option<Vec<Json>>> {
        if self.pos >= self.chars.len() || self.chars[self.pos] != '{' {
            return Ok(None);
        }
        self.pos += 1;
        let mut list = Vec::new();
        loop {
            let (v, stop) = self.until(&[',', '}']);
            match stop {
                Stop::Eof => return Err("list must terminate with '}'".into()),
                Stop::At('}') => {
                    if self.pos < self.chars.len() && self.chars[self.pos] == ',' {
                        self.pos += 1;
                    }
                    list.push(self.typed(v));
                    return Ok(Some(list));
                }
                Stop::At(_) => list.push(self.typed(v)),
            }
        }
    }

    fn list_item(&mut self, list: &mut Vec<Json>, i: usize, level: usize) -> R<bool> {
        let (rs, stop) = self.until(&['[', '.', '=']);
        if !rs.is_empty() {
            return Err(format!("unexpected data at end of array index: {rs:?}"));
        }
        match stop {
            Stop::Eof => Ok(false),
            Stop::At('=') => match self.val_list()? {
                Some(vl) => {
                    set_index(list, i, Json::Array(vl))?;
                    Ok(self.pos < self.chars.len())
                }
                None => {
                    if self.pos >= self.chars.len() {
                        set_index(list, i, Json::String(String::new()))?;
                        return Ok(false);
                    }
                    let (v, stop) = self.until(&[',']);
                    let v = self.typed(v);
                    set_index(list, i, v)?;
                    Ok(matches!(stop, Stop::At(_)))
                }
            },
            Stop::At('[') => {
                let next = self.key_index()?;
                let mut inner = match list.get(i) {
                    Some(Json::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                let r = self.list_item(&mut inner, next, level)?;
                set_index(list, i, Json::Array(inner))?;
                Ok(r)
            }
            Stop::At(_) => {
                let mut inner = match list.get(i) {
                    Some(Json::Object(m)) => m.clone(),
                    _ => JsonMap::new(),
                };
                let r = self.key(&mut inner, level)?;
                set_index(list, i, Json::Object(inner))?;
                Ok(r)
            }
        }
    }
}

fn set(data: &mut Values, k: &str, v: Json) {
    if !k.is_empty() {
        data.insert(k.to_string(), v);
    }
}

fn set_index(list: &mut Vec<Json>, i: usize, v: Json) -> R<()> {
    if i > MAX_INDEX {
        return Err(format!(
            "index of {i} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    if list.len() <= i {
        list.resize(i + 1, Json::Null);
    }
    list[i] = v;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Json {
        let mut m = Values::new();
        parse_into(s, &mut m).unwrap();
        Json::Object(m)
    }

    #[test]
    fn typing() {
        assert_eq!(
            p("a=1,b=1e6,c=010,d=12345678901234567890,e=true,f=null,g=,h=0"),
            json!({"a": 1, "b": "1e6", "c": "010", "d": "12345678901234567890", "e": true, "f": null, "g": "", "h": 0})
        );
        assert!(p("a=1")["a"].is_i64());
    }

    #[test]
    fn nesting_lists_escapes() {
        assert_eq!(p("a.b.c=x"), json!({"a": {"b": {"c": "x"}}}));
        assert_eq!(p("l={x,y,3}"), json!({"l": ["x", "y", 3]}));
        assert_eq!(p("l[1]=x"), json!({"l": [null, "x"]}));
        assert_eq!(p("l[0].n=v,l[0].m=w"), json!({"l": [{"n": "v", "m": "w"}]}));
        assert_eq!(p(r"a=x\,y,b\.c=z"), json!({"a": "x,y", "b.c": "z"}));
        let mut m = Values::new();
        parse_into_string("a=1", &mut m).unwrap();
        assert_eq!(m["a"], json!("1"));
        assert!(parse_into("a", &mut Values::new()).is_err());
        assert!(parse_into("a.b", &mut Values::new()).is_err());
    }
}
