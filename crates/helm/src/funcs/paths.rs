//! Sprig's path (Go's `path`, and `path/filepath` on Linux), URL and network functions.

use std::collections::BTreeMap;

use gotmpl::{FuncMap, Map, Value};

use super::{FnResult, arity, err, map_arg, pure, str_arg, strval};

pub(crate) fn register(map: &mut FuncMap) {
    for (name, f) in [
        ("base", base as fn(&str) -> String),
        ("osBase", base),
        ("dir", dir),
        ("osDir", dir),
        ("clean", clean),
        ("osClean", clean),
        ("ext", |p: &str| ext(p).to_string()),
        ("osExt", |p: &str| ext(p).to_string()),
    ] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            Ok(Value::string(f(str_arg(a, 0)?)))
        });
    }
    for name in ["isAbs", "osIsAbs"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 1)?;
            Ok(Value::Bool(str_arg(a, 0)?.starts_with('/')))
        });
    }
    pure(map, "urlParse", url_parse);
    pure(map, "urlJoin", url_join);
    // Helm disables DNS lookups unless --enable-dns is given.
    pure(map, "getHostByName", |a| {
        arity("getHostByName", a, 1)?;
        str_arg(a, 0)?;
        Ok(Value::string(""))
    });
}

/// Go's `path.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go's `path.Dir`.
pub fn dir(p: &str) -> String {
    let d = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    clean(d)
}

/// Go's `path.Ext`.
pub fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return &p[i..];
        }
    }
    ""
}

/// The parts of a URL as Go's `net/url` splits them.
#[derive(Default)]
struct Url {
    scheme: String,
    opaque: String,
    userinfo: Option<String>,
    host: String,
    path: String,
    raw_query: String,
    fragment: String,
}

fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match h.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => {
                    let bad: String = s[i..].chars().take(3).collect();
                    return Err(format!("invalid URL escape {:?}", bad));
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn parse_url(raw: &str) -> Result<Url, String> {
    let mut u = Url::default();
    let (rest, frag) = match raw.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (raw, None),
    };
    if let Some(f) = frag {
        u.fragment = unescape(f)?;
    }
    let mut rest = rest.to_string();
    // Scheme: a letter followed by letters, digits, + - . and a colon.
    if let Some(colon) = rest.find(':') {
        let cand = &rest[..colon];
        let valid = !cand.is_empty()
            && cand.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if valid {
            u.scheme = cand.to_ascii_lowercase();
            rest = rest[colon + 1..].to_string();
        } else if colon == 0 {
            return Err("missing protocol scheme".into());
        }
    }
    if let Some((r, q)) = rest.split_once('?') {
        u.raw_query = q.to_string();
        rest = r.to_string();
    }
    if !rest.starts_with('/') && !u.scheme.is_empty() {
        u.opaque = rest;
        return Ok(u);
    }
    if let Some(after) = rest
        .strip_prefix("//")
        .filter(|_| !u.scheme.is_empty() || rest.starts_with("//"))
    {
        let (authority, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        let host = match authority.rfind('@') {
            Some(i) => {
                u.userinfo = Some(authority[..i].to_string());
                &authority[i + 1..]
            }
            None => authority,
        };
        u.host = unescape(host)?;
        u.path = unescape(path)?;
    } else {
        u.path = unescape(&rest)?;
    }
    Ok(u)
}

fn escape(s: &str, keep: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || keep.as_bytes().contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url_string(u: &Url) -> String {
    let mut out = String::new();
    if !u.scheme.is_empty() {
        out.push_str(&u.scheme);
        out.push(':');
    }
    if !u.opaque.is_empty() {
        out.push_str(&u.opaque);
    } else {
        if !u.scheme.is_empty() || !u.host.is_empty() || u.userinfo.is_some() {
            if !u.host.is_empty() || !u.path.is_empty() || u.userinfo.is_some() {
                out.push_str("//");
            }
            if let Some(ui) = &u.userinfo {
                out.push_str(ui);
                out.push('@');
            }
            out.push_str(&escape(&u.host, "!$&'()*+,;=:[]"));
        }
        let path = escape(&u.path, "/!$&'()*+,;=:@");
        if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
            out.push('/');
        }
        out.push_str(&path);
    }
    if !u.raw_query.is_empty() {
        out.push('?');
        out.push_str(&u.raw_query);
    }
    if !u.fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&u.fragment, "/?!$&'()*+,;=:@"));
    }
    out
}

fn url_parse(a: &[Value]) -> FnResult {
    arity("urlParse", a, 1)?;
    let u = parse_url(str_arg(a, 0)?).map_err(|e| {
        err(format!(
            "unable to parse url: parse {:?}: {e}",
            a[0].as_str().unwrap_or("")
        ))
    })?;
    let hostname = match u.host.rfind(':') {
        Some(i) if !u.host.ends_with(']') => u.host[..i].to_string(),
        _ => u.host.clone(),
    };
    let hostname = hostname
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let mut d = BTreeMap::new();
    d.insert("scheme".to_string(), Value::string(&u.scheme));
    d.insert("host".to_string(), Value::string(&u.host));
    d.insert("hostname".to_string(), Value::string(hostname));
    d.insert("path".to_string(), Value::string(&u.path));
    d.insert("query".to_string(), Value::string(&u.raw_query));
    d.insert("opaque".to_string(), Value::string(&u.opaque));
    d.insert("fragment".to_string(), Value::string(&u.fragment));
    d.insert(
        "userinfo".to_string(),
        Value::string(u.userinfo.clone().unwrap_or_default()),
    );
    Ok(Value::Map(Map::from_entries(d)))
}

fn url_join(a: &[Value]) -> FnResult {
    arity("urlJoin", a, 1)?;
    let d = map_arg(a, 0)?;
    let get = |k: &str| match d.get(k) {
        Some(Value::Nil) | None => String::new(),
        Some(v) => strval(&v),
    };
    let userinfo = get("userinfo");
    let u = Url {
        scheme: get("scheme"),
        opaque: get("opaque"),
        userinfo: if userinfo.is_empty() {
            None
        } else {
            Some(userinfo)
        },
        host: get("host"),
        path: get("path"),
        raw_query: get("query"),
        fragment: get("fragment"),
    };
    Ok(Value::string(url_string(&u)))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn paths() {
        assert_eq!(ok("base", &[s("a/b.c")]), "b.c");
        assert_eq!(ok("dir", &[s("a/b.c")]), "a");
        assert_eq!(ok("ext", &[s("a/b.c")]), ".c");
        assert_eq!(ok("clean", &[s("a//b/../c")]), "a/c");
        assert_eq!(ok("clean", &[s("/../x")]), "/x");
        assert_eq!(ok("clean", &[s("../../x")]), "../../x");
        assert_eq!(ok("isAbs", &[s("/x")]), "true");
        assert_eq!(ok("base", &[s("")]), ".");
        assert_eq!(ok("dir", &[s("x")]), ".");
    }

    #[test]
    fn urls() {
        let m = funcs();
        let parsed = m
            .get("urlParse")
            .unwrap()
            .call(&mut NoEngine, &[s("https://u:p@h:8080/p?q=1#f")])
            .unwrap();
        assert_eq!(
            super::super::gofmt::format_value(&parsed),
            "map[fragment:f host:h:8080 hostname:h opaque: path:/p query:q=1 scheme:https userinfo:u:p]"
        );
        assert_eq!(ok("urlJoin", &[parsed]), "https://u:p@h:8080/p?q=1#f");
        let d = m
            .get("dict")
            .unwrap()
            .call(
                &mut NoEngine,
                &[
                    s("scheme"),
                    s("https"),
                    s("host"),
                    s("h"),
                    s("path"),
                    s("/x"),
                ],
            )
            .unwrap();
        assert_eq!(ok("urlJoin", &[d]), "https://h/x");
    }
}
