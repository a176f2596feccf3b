//! Sprig's regex functions (Go's RE2 syntax, which the `regex` crate shares).
//! The plain forms swallow a bad pattern (false, "" or an empty list); the
//! `must` forms fail with Go's `regexp.Compile` error.

use gotmpl::{FuncError, FuncMap, Value};
use regex::Regex;

use super::{FnResult, arity, err, int_arg, str_arg, strings::string_list};

fn compile(pattern: &str) -> Result<Regex, FuncError> {
    go_syntax_check(pattern).map_err(err)?;
    Regex::new(pattern).map_err(|e| err(go_error(pattern, &e.to_string())))
}

/// Go's wording for the common syntax errors (`error parsing regexp: missing closing ): ...`).
fn go_error(pattern: &str, rust: &str) -> String {
    let what = if rust.contains("unclosed group") {
        "missing closing )"
    } else if rust.contains("unclosed character class") {
        "missing closing ]"
    } else if rust.contains("unopened group") {
        "unexpected )"
    } else if rust.contains("repetition operator missing expression") {
        "missing argument to repetition operator"
    } else if rust.contains("escape") {
        "invalid escape sequence"
    } else if rust.contains("decimal literal invalid") || rust.contains("repetition quantifier") {
        "invalid repeat count"
    } else {
        "invalid syntax"
    };
    format!("error parsing regexp: {what}: `{pattern}`")
}

/// RE2 rejects stacked repetition operators (`a**`, `a+*`) that the regex crate accepts.
fn go_syntax_check(pattern: &str) -> Result<(), String> {
    let chars: Vec<char> = pattern.chars().collect();
    let (mut i, mut in_class, mut after_rep) = (0, false, false);
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            after_rep = false;
            continue;
        }
        if in_class {
            if c == ']' {
                in_class = false;
            }
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                after_rep = false;
                // A ']' right after '[' or '[^' is literal.
                if chars.get(i + 1) == Some(&'^') {
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    i += 1;
                }
            }
            '*' | '+' | '?' => {
                if after_rep {
                    let frag: String = chars[i.saturating_sub(1)..=i].iter().collect();
                    return Err(format!(
                        "error parsing regexp: invalid nested repetition operator: `{frag}`"
                    ));
                }
                after_rep = true;
                if chars.get(i + 1) == Some(&'?') {
                    i += 1;
                }
            }
            _ => after_rep = false,
        }
        i += 1;
    }
    Ok(())
}

/// A pattern Sprig compiles with `regexp.MustCompile`: a bad one panics,
/// which the template engine reports as an error.
fn must_compile(pattern: &str) -> Result<Regex, FuncError> {
    compile(pattern).map_err(|e| err(format!("regexp: Compile(`{pattern}`): {}", e.message)))
}

/// Registers `name` and `mustName`. `lenient` is what the plain form returns
/// for an invalid pattern (only `regexMatch` swallows it; the others use
/// `MustCompile`, whose panic becomes an error).
fn both(
    map: &mut FuncMap,
    (name, must): (&'static str, &'static str),
    n: usize,
    lenient: Option<fn() -> Value>,
    f: fn(&Regex, &[Value]) -> FnResult,
) {
    map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
        arity(name, a, n)?;
        for v in &a[1..n] {
            if matches!(v, Value::Nil) {
                return Err(super::type_error("string", v));
            }
        }
        let pattern = str_arg(a, 0)?;
        match lenient {
            Some(fallback) => match compile(pattern) {
                Ok(re) => f(&re, a),
                Err(_) => Ok(fallback()),
            },
            None => f(&must_compile(pattern)?, a),
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
        Some(|| Value::Bool(false)),
        |re, a| Ok(Value::Bool(re.is_match(str_arg(a, 1)?))),
    );
    both(map, ("regexFind", "mustRegexFind"), 2, None, |re, a| {
        Ok(Value::string(
            re.find(str_arg(a, 1)?).map(|m| m.as_str()).unwrap_or(""),
        ))
    });
    both(
        map,
        ("regexFindAll", "mustRegexFindAll"),
        3,
        None,
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
        None,
        |re, a| {
            let (s, repl) = (str_arg(a, 1)?, str_arg(a, 2)?);
            Ok(Value::string(
                re.replace_all(s, go_expand_template(repl).as_str()),
            ))
        },
    );
    both(
        map,
        ("regexReplaceAllLiteral", "mustRegexReplaceAllLiteral"),
        3,
        None,
        |re, a| {
            let (s, repl) = (str_arg(a, 1)?, str_arg(a, 2)?);
            Ok(Value::string(re.replace_all(s, regex::NoExpand(repl))))
        },
    );
    both(map, ("regexSplit", "mustRegexSplit"), 3, None, |re, a| {
        let (s, n) = (str_arg(a, 1)?, int_arg(a, 2)?);
        Ok(string_list(go_regex_split(re, s, n)))
    });
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
