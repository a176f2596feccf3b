//! Sprig's regex functions (Go's RE2 syntax, which the `regex` crate shares).
//! The plain forms swallow a bad pattern (false, "" or an empty list); the
//! `must` forms fail with Go's `regexp.Compile` error.

use gotmpl::{FuncError, FuncMap, Value};
use regex::Regex;

use super::{FnResult, arity, err, int_arg, str_arg, strings::string_list};

fn compile(pattern: &str) -> Result<Regex, FuncError> {
    Regex::new(pattern).map_err(|e| {
        err(format!(
            "error parsing regexp: {}",
            first_line(&e.to_string())
        ))
    })
}

fn first_line(s: &str) -> String {
    s.lines().last().unwrap_or(s).trim().to_string()
}

/// Registers `name` and `mustName`; `fallback` is what the plain form returns
/// for an invalid pattern.
fn both(
    map: &mut FuncMap,
    (name, must): (&'static str, &'static str),
    n: usize,
    fallback: fn() -> Value,
    f: fn(&Regex, &[Value]) -> FnResult,
) {
    map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
        arity(name, a, n)?;
        match compile(str_arg(a, 0)?) {
            Ok(re) => f(&re, a),
            Err(_) => {
                // Arguments are still type-checked by Go before the call.
                for i in 1..n {
                    if matches!(a[i], Value::Nil) {
                        return Err(super::type_error("string", &a[i]));
                    }
                }
                Ok(fallback())
            }
        }
    });
    map.insert(must, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
        arity(must, a, n)?;
        let re = compile(str_arg(a, 0)?)?;
        f(&re, a)
    });
}

pub(crate) fn register(map: &mut FuncMap) {
    both(
        map,
        ("regexMatch", "mustRegexMatch"),
        2,
        || Value::Bool(false),
        |re, a| Ok(Value::Bool(re.is_match(str_arg(a, 1)?))),
    );
    both(
        map,
        ("regexFind", "mustRegexFind"),
        2,
        || Value::string(""),
        |re, a| {
            Ok(Value::string(
                re.find(str_arg(a, 1)?).map(|m| m.as_str()).unwrap_or(""),
            ))
        },
    );
    both(
        map,
        ("regexFindAll", "mustRegexFindAll"),
        3,
        || string_list(Vec::new()),
        |re, a| {
            let s = str_arg(a, 1)?;
            let n = int_arg(a, 2)?;
            let mut out: Vec<String> = Vec::new();
            for m in re.find_iter(s) {
                if n >= 0 && out.len() as i64 >= n {
                    break;
                }
                out.push(m.as_str().to_string());
            }
            Ok(string_list(out))
        },
    );
    both(
        map,
        ("regexReplaceAll", "mustRegexReplaceAll"),
        3,
        || Value::string(""),
        |re, a| {
            let (s, repl) = (str_arg(a, 1)?, str_arg(a, 2)?);
            Ok(Value::string(
                re.replace_all(s, go_expand_template(repl).as_str())
                    .into_owned(),
            ))
        },
    );
    both(
        map,
        ("regexReplaceAllLiteral", "mustRegexReplaceAllLiteral"),
        3,
        || Value::string(""),
        |re, a| {
            let (s, repl) = (str_arg(a, 1)?, str_arg(a, 2)?);
            Ok(Value::string(
                re.replace_all(s, regex::NoExpand(repl)).into_owned(),
            ))
        },
    );
    both(
        map,
        ("regexSplit", "mustRegexSplit"),
        3,
        || string_list(Vec::new()),
        |re, a| {
            let (s, n) = (str_arg(a, 1)?, int_arg(a, 2)?);
            Ok(string_list(go_regex_split(re, s, n)))
        },
    );
    map.insert(
        "regexQuoteMeta",
        |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity("regexQuoteMeta", a, 1)?;
            Ok(Value::string(regex::escape(str_arg(a, 0)?)))
        },
    );
}

/// Go's `Regexp.Expand` syntax (`$1`, `${name}`, `$$`) translated to the
/// regex crate's, which differs in that `$1x` means group `1x` in both, so
/// only `$$` handling and invalid references need care: Go drops a reference
/// to a missing group, as does the regex crate.
fn go_expand_template(repl: &str) -> String {
    repl.to_string()
}

/// Go's `Regexp.Split(s, n)`.
fn go_regex_split(re: &Regex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for m in re.find_iter(s).take(limit) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = m.end();
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn regex_functions() {
        assert_eq!(ok("regexMatch", &[s("^[a-z]+$"), s("abc")]), "true");
        assert_eq!(ok("regexFind", &[s("[0-9]+"), s("ab12cd34")]), "12");
        assert_eq!(
            ok("regexFindAll", &[s("[0-9]+"), s("ab12cd34"), i(-1)]),
            "[12 34]"
        );
        assert_eq!(
            ok(
                "regexReplaceAll",
                &[s("a(x*)b"), s("-ab-axxb-"), s("${1}W")]
            ),
            "-W-xxW-"
        );
        assert_eq!(
            ok(
                "regexReplaceAllLiteral",
                &[s("a(x*)b"), s("-ab-"), s("${1}")]
            ),
            "-${1}-"
        );
        assert_eq!(ok("regexSplit", &[s("z+"), s("pizza"), i(-1)]), "[pi a]");
        assert_eq!(ok("regexMatch", &[s("("), s("x")]), "false");
        assert!(call("mustRegexMatch", &[s("("), s("x")]).is_err());
    }
}
