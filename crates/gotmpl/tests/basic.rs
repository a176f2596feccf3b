//! Hand-written smoke tests of the public API (the conformance fixtures are in conformance.rs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use gotmpl::{ExecOptions, FuncError, FuncMap, MissingKey, Templates, Value};

fn data() -> Value {
    Value::map([
        ("n1", Value::Float(1.0)),
        ("n6", Value::Float(1e6)),
        ("s", Value::from("hello")),
        ("l", Value::list(vec!["a".into(), "b".into(), "c".into()])),
        (
            "m",
            Value::map([
                ("b", Value::Float(2.0)),
                ("a", Value::Float(1.0)),
                ("c", Value::map([("d", Value::from("x"))])),
            ]),
        ),
        ("ns", Value::Nil),
    ])
}

fn funcs() -> Arc<FuncMap> {
    let mut f = FuncMap::new();
    f.insert(
        "fail",
        |_: &mut dyn gotmpl::CallContext, a: &[Value]| -> Result<Value, FuncError> {
            Err(FuncError::new(
                a.first().and_then(Value::as_str).unwrap_or("").to_string(),
            ))
        },
    );
    f.insert(
        "include",
        |ctx: &mut dyn gotmpl::CallContext, a: &[Value]| -> Result<Value, FuncError> {
            let name = a.first().and_then(Value::as_str).unwrap_or("").to_string();
            ctx.execute_template(&name, a.get(1).cloned().unwrap_or(Value::Nil))
                .map(Value::from)
        },
    );
    f.insert(
        "tpl",
        |ctx: &mut dyn gotmpl::CallContext, a: &[Value]| -> Result<Value, FuncError> {
            let text = a.first().and_then(Value::as_str).unwrap_or("").to_string();
            let name = ctx.template_name().to_string();
            ctx.execute_text(&name, &text, a.get(1).cloned().unwrap_or(Value::Nil))
                .map(Value::from)
        },
    );
    Arc::new(f)
}

fn run(src: &str) -> Result<String, String> {
    let mut t = Templates::new(funcs());
    t.set_root_name("gotpl");
    t.parse("t", src).map_err(|e| e.to_string())?;
    let opts = ExecOptions {
        missing_key: MissingKey::Zero,
        ..ExecOptions::default()
    };
    t.execute("t", &data(), &opts).map_err(|e| e.to_string())
}

#[track_caller]
fn ok(src: &str, want: &str) {
    assert_eq!(run(src).as_deref(), Ok(want), "template {src:?}");
}

#[track_caller]
fn err(src: &str, want: &str) {
    let got = run(src);
    assert!(
        matches!(&got, Err(e) if e.contains(want)),
        "template {src:?}: got {got:?}, want error containing {want:?}"
    );
}

#[test]
fn basics() {
    ok(
        "{{ .n1 }} {{ .n6 }} {{ .s }} {{ .l }} {{ .m }}",
        "1 1e+06 hello [a b c] map[a:1 b:2 c:map[d:x]]",
    );
    ok(
        "{{ 010 }} {{ 0x1F }} {{ 1_000 }} {{ 'a' }} {{ 0b101 }} {{ 1e6 }} {{ 1.50 }}",
        "8 31 1000 97 5 1e+06 1.5",
    );
    ok("x {{-3}} {{- 3 }}", "x -33");
    ok(
        "a  {{- \"b\" -}}  \n  c {{- /* comment */ -}} d {{/* c2 */}}e",
        "abcd e",
    );
    ok(
        "{{ $x := 1 }}{{ range .l }}{{ $x = . }}{{ end }}{{ $x }}",
        "c",
    );
    ok(
        "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ end }}{{ $x }}",
        "1",
    );
    ok(
        "{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}",
        "a=1;b=2;c=map[d:x];",
    );
    ok("{{ range 3 }}{{ . }}{{ end }}", "012");
    ok(
        "{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 \"\" \"x\" }}|{{ or 0 \"\" }}|{{ not 0 }}",
        "0|2|x||true",
    );
    ok(
        "{{ and false (fail \"x\") }} {{ or true (fail \"x\") }}",
        "false true",
    );
    ok(
        "{{ printf \"%d\" .n1 }}|{{ printf \"%s\" 5 }}|{{ printf \"%v %f %.2f %g\" .n6 1.5 1.5 .n6 }}",
        "%!d(float64=1)|%!s(int=5)|1e+06 1.500000 1.50 1e+06",
    );
    ok(
        "{{ define \"x\" }}name-{{ . }}{{ end }}[{{ template \"x\" \"z\" }}] {{ include \"x\" 1 }}",
        "[name-z] name-1",
    );
    ok(
        "{{ with .nope }}a{{ else with .s }}{{ . }}{{ end }}",
        "hello",
    );
    ok("{{ tpl \"{{ .s }}\" . }}", "hello");
    ok(
        "[{{ .nope }}] [{{ .ns }}] [{{ index .m \"zz\" }}]",
        "[<no value>] [<no value>] [<no value>]",
    );
    err(
        "{{ .nope.deeper }}",
        "template: t:1:8: executing \"t\" at <.nope.deeper>: nil pointer evaluating interface {}.deeper",
    );
    err(
        "{{ eq .n1 1 }}",
        "template: t:1:3: executing \"t\" at <eq .n1 1>: error calling eq: incompatible types for comparison: float64 and int",
    );
    err(
        "{{ fail \"boom\" }}",
        "at <fail \"boom\">: error calling fail: boom",
    );
    err("{{ .l.0 }}", "template: t:1: unexpected \".0\" in operand");
    err("{{ nope }}", "template: t:1: function \"nope\" not defined");
    err(
        "{{ include \"nope\" . }}",
        "no template \"nope\" associated with template \"gotpl\"",
    );
    err(
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
        "exceeded maximum template depth (100000)",
    );
}

fn typed_funcs() -> Arc<FuncMap> {
    let mut f = FuncMap::new();
    f.insert(
        "upper",
        |_: &mut dyn gotmpl::CallContext, a: &[Value]| -> Result<Value, FuncError> {
            if a.len() != 1 {
                return Err(FuncError::arity(format!(
                    "wrong number of args for upper: want 1 got {}",
                    a.len()
                )));
            }
            match &a[0] {
                Value::String(s) => Ok(Value::from(s.to_uppercase())),
                other => Err(FuncError::arg_type(0, "string", other)),
            }
        },
    );
    f.insert(
        "where",
        |ctx: &mut dyn gotmpl::CallContext, _: &[Value]| -> Result<Value, FuncError> {
            Ok(Value::from(format!(
                "{} {}",
                ctx.template_name(),
                ctx.location()
            )))
        },
    );
    f.insert(
        "ext",
        |ctx: &mut dyn gotmpl::CallContext, _: &[Value]| -> Result<Value, FuncError> {
            let n = ctx
                .extension()
                .and_then(|e| e.downcast_ref::<i64>())
                .copied()
                .unwrap_or(-1);
            Ok(Value::Int(n))
        },
    );
    Arc::new(f)
}

fn run_with(src: &str, mk: MissingKey) -> Result<String, String> {
    let mut t = Templates::new(typed_funcs());
    t.parse("t", src).map_err(|e| e.to_string())?;
    let opts = ExecOptions {
        missing_key: mk,
        ..ExecOptions::default()
    };
    t.execute("t", &data(), &opts).map_err(|e| e.to_string())
}

#[test]
fn argument_type_errors_read_like_go() {
    let e = |src: &str| run_with(src, MissingKey::Zero).unwrap_err();
    assert_eq!(
        e("{{ upper 1 }}"),
        "template: t:1:9: executing \"t\" at <1>: expected string; found 1"
    );
    assert_eq!(
        e("{{ upper .n1 }}"),
        "template: t:1:9: executing \"t\" at <.n1>: wrong type for value; expected string; got float64"
    );
    assert_eq!(
        e("{{ upper .nope }}"),
        "template: t:1:9: executing \"t\" at <.nope>: wrong type for value; expected string; got interface {}"
    );
    assert_eq!(
        e("{{ .nope | upper }}"),
        "template: t:1:11: executing \"t\" at <upper>: invalid value; expected string"
    );
    assert_eq!(
        e("{{ upper nil }}"),
        "template: t:1:9: executing \"t\" at <nil>: cannot assign nil to string"
    );
    assert_eq!(
        e("{{ upper }}"),
        "template: t:1:3: executing \"t\" at <upper>: wrong number of args for upper: want 1 got 0"
    );
    assert_eq!(
        run_with("{{ .s | upper }}", MissingKey::Zero).unwrap(),
        "HELLO"
    );
}

#[test]
fn missing_key_modes() {
    assert_eq!(
        run_with("{{ .nope.deeper }}|{{ .nope }}", MissingKey::Default).unwrap(),
        "<no value>|<no value>"
    );
    assert!(
        run_with("{{ .nope.deeper }}", MissingKey::Zero)
            .unwrap_err()
            .ends_with("nil pointer evaluating interface {}.deeper")
    );
    assert_eq!(
        run_with("{{ .nope }}", MissingKey::Error).unwrap_err(),
        "template: t:1:3: executing \"t\" at <.nope>: map has no entry for key \"nope\""
    );
    assert_eq!(
        run_with("{{ .ns }}", MissingKey::Error).unwrap(),
        "<no value>"
    );
}

#[test]
fn custom_delimiters() {
    let mut t = Templates::new(Arc::new(FuncMap::new()));
    t.set_delims("<<", ">>");
    t.parse("t", "<< .s >> {{ .s }} a <<- .s ->> b <</* c */>>")
        .unwrap();
    assert_eq!(
        t.execute("t", &data(), &ExecOptions::default()).unwrap(),
        "hello {{ .s }} ahellob "
    );
    t.set_delims("", "");
    t.parse("u", "{{ .s }}").unwrap();
    assert_eq!(
        t.execute("u", &data(), &ExecOptions::default()).unwrap(),
        "hello"
    );
}

#[test]
fn define_replacement_and_layers() {
    let mut t = Templates::new(funcs());
    t.parse("a", r#"{{ define "x" }}one{{ end }}"#).unwrap();
    t.parse("b", r#"{{ define "x" }}two{{ end }}"#).unwrap();
    // An empty body does not replace an existing template (Go's associate).
    t.parse("c", r#"{{ define "x" }} {{ end }}{{ template "x" }}"#)
        .unwrap();
    let opts = ExecOptions::default();
    assert_eq!(t.execute("c", &data(), &opts).unwrap(), "two");
    assert!(t.contains("x") && t.contains("a") && !t.contains("nope"));
    assert_eq!(t.names(), vec!["a", "b", "c", "x"]);
    // tpl's defines stay inside the call.
    t.parse(
        "d",
        r#"{{ tpl "{{ define \"x\" }}three{{ end }}{{ template \"x\" }}" . }}-{{ template "x" }}"#,
    )
    .unwrap();
    assert_eq!(t.execute("d", &data(), &opts).unwrap(), "three-two");
    let err = t.execute("nope", &data(), &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: no template \"nope\" associated with template \"\""
    );
    // execute_into appends to a reused buffer.
    let mut buf = String::from(">");
    t.execute_into("c", &data(), &opts, &mut buf).unwrap();
    assert_eq!(buf, ">two");
}

#[test]
fn call_context_location_and_extension() {
    let mut t = Templates::new(typed_funcs());
    t.parse(
        "file.tpl",
        "{{ define \"d\" }}\n  {{ where }}{{ end }}{{ template \"d\" }} {{ ext }}",
    )
    .unwrap();
    let n: i64 = 7;
    let opts = ExecOptions {
        extension: Some(&n),
        ..ExecOptions::default()
    };
    assert_eq!(
        t.execute("file.tpl", &Value::Nil, &opts).unwrap(),
        "\n  d file.tpl:2:5 7"
    );
}

struct Point;

impl gotmpl::Object for Point {
    fn type_name(&self) -> &str {
        "main.Point"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "X" => Some(Value::Int(1)),
            "Nil" => Some(Value::Nil),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        match name {
            "Add" => Some(match args {
                [Value::Int(a)] => Ok(Value::Int(1 + a)),
                _ => Err(FuncError::new("bad args")),
            }),
            _ => None,
        }
    }
    fn go_string(&self) -> String {
        "{1}".into()
    }
}

#[test]
fn objects_fields_and_methods() {
    let mut t = Templates::new(Arc::new(FuncMap::new()));
    t.parse(
        "t",
        "{{ .X }} {{ .Add 2 }} {{ 5 | .Add }} {{ . }} {{ printf \"%v|%T\" . . }}",
    )
    .unwrap();
    let p = Value::Object(Arc::new(Point));
    assert_eq!(
        t.execute("t", &p, &ExecOptions::default()).unwrap(),
        "1 3 6 {1} {1}|main.Point"
    );
    t.parse("u", "{{ .Y }}").unwrap();
    assert_eq!(
        t.execute("u", &p, &ExecOptions::default())
            .unwrap_err()
            .to_string(),
        "template: u:1:3: executing \"u\" at <.Y>: can't evaluate field Y in type main.Point"
    );
    t.parse("v", "{{ .Add \"x\" }}").unwrap();
    assert!(
        t.execute("v", &p, &ExecOptions::default())
            .unwrap_err()
            .to_string()
            .ends_with("error calling Add: bad args")
    );
    t.parse("w", "{{ .Nil.Z }}").unwrap();
    assert!(
        t.execute("w", &p, &ExecOptions::default())
            .unwrap_err()
            .to_string()
            .ends_with("nil pointer evaluating interface {}.Z")
    );
}

#[test]
fn formatting_helpers() {
    assert_eq!(gotmpl::format_float_g(1e6), "1e+06");
    assert_eq!(gotmpl::format_float_g(123456789.0), "1.23456789e+08");
    assert_eq!(gotmpl::format_float_g(0.0001), "0.0001");
    assert_eq!(gotmpl::format_float_g(-0.0), "-0");
    assert_eq!(
        gotmpl::format_value(&data()),
        "map[l:[a b c] m:map[a:1 b:2 c:map[d:x]] n1:1 n6:1e+06 ns:<nil> s:hello]"
    );
    assert_eq!(
        gotmpl::sprintf("%d-%s-%v", &[Value::Int(1)]),
        "1-%!s(MISSING)-%!v(MISSING)"
    );
    assert_eq!(
        gotmpl::sprint(&[Value::from("a"), Value::Int(1), Value::Int(2)]),
        "a1 2"
    );
}

#[test]
fn templates_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Templates>();
    let mut t = Templates::new(funcs());
    t.parse("t", "{{ range .l }}{{ . }}{{ end }}").unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let t = t.clone();
            std::thread::spawn(move || t.execute("t", &data(), &ExecOptions::default()).unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), "abc");
    }
}

/// A Go map type with methods (Helm's `.Files`): `range` iterates its entries.
struct Bag;

impl gotmpl::Object for Bag {
    fn type_name(&self) -> &str {
        "main.Bag"
    }
    fn kind_name(&self) -> &str {
        "map"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn go_string(&self) -> String {
        "map[a:[97] b:[98]]".into()
    }
    fn map_entries(&self) -> Option<Vec<(String, Value)>> {
        Some(vec![
            ("a".into(), Value::Bytes(Arc::from(&b"a"[..]))),
            ("b".into(), Value::Bytes(Arc::from(&b"b"[..]))),
        ])
    }
}

#[test]
fn range_over_map_like_objects() {
    let mut t = Templates::new(Arc::new(FuncMap::new()));
    t.parse("t", "{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}")
        .unwrap();
    let bag = Value::Object(Arc::new(Bag));
    assert_eq!(
        t.execute("t", &bag, &ExecOptions::default()).unwrap(),
        "a=[97];b=[98];"
    );
    // Objects without entries are still not rangeable, as in Go.
    t.parse("u", "{{ range . }}x{{ end }}").unwrap();
    let p = Value::Object(Arc::new(Point));
    assert!(
        t.execute("u", &p, &ExecOptions::default())
            .unwrap_err()
            .to_string()
            .contains("range can't iterate over")
    );
}

/// A function registered with Go parameter types gets Go's `evalCall`
/// checks and conversions (messages as text/template prints them).
#[test]
fn typed_signature_checks_and_converts() {
    use gotmpl::{GoType, Signature};
    let mut f = FuncMap::new();
    f.insert(
        "show",
        |_: &mut dyn gotmpl::CallContext, a: &[Value]| -> Result<Value, FuncError> {
            let types: Vec<&str> = a.iter().map(Value::type_name).collect();
            Ok(Value::from(types.join(",")))
        },
    );
    f.insert(
        "mk",
        |_: &mut dyn gotmpl::CallContext, _: &[Value]| -> Result<Value, FuncError> {
            Ok(Value::list(vec![]))
        },
    );
    assert!(f.set_signature(
        "show",
        Signature {
            params: &[
                GoType::Int64,
                GoType::Float64,
                GoType::Nilable("map[string]interface {}")
            ],
            variadic: Some(GoType::String),
        }
    ));
    assert!(!f.set_signature(
        "absent",
        Signature {
            params: &[],
            variadic: None
        }
    ));
    let f = Arc::new(f);
    let run = |src: &str| {
        let mut t = Templates::new(f.clone());
        t.parse("t", src).unwrap();
        t.execute("t", &data(), &ExecOptions::default())
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        run(r#"{{ show 1 2 nil "a" }}"#).unwrap(),
        "int64,float64,<nil>,string"
    );
    assert_eq!(
        run(r#"{{ "b" | show 1 2.5 .m "a" }}"#).unwrap(),
        "int64,float64,map[string]interface {},string,string"
    );
    let cases = [
        (
            "{{ show 1 }}",
            "t:1:3: executing \"t\" at <show>: wrong number of args for show: want at least 3 got 1",
        ),
        (
            "{{ show 1.5 2 nil }}",
            "t:1:8: executing \"t\" at <1.5>: expected integer; found 1.5",
        ),
        (
            "{{ show 1 \"x\" nil }}",
            "t:1:10: executing \"t\" at <\"x\">: expected float; found \"x\"",
        ),
        (
            "{{ show 1 2 3 }}",
            "t:1:12: executing \"t\" at <3>: can't handle 3 for arg of type map[string]interface {}",
        ),
        (
            "{{ show .n1 2 nil }}",
            "t:1:8: executing \"t\" at <.n1>: wrong type for value; expected int64; got float64",
        ),
        (
            "{{ show 1 2 nil nil }}",
            "t:1:16: executing \"t\" at <nil>: cannot assign nil to string",
        ),
        (
            "{{ show 1 2 .l }}",
            "t:1:12: executing \"t\" at <.l>: wrong type for value; expected map[string]interface {}; got []interface {}",
        ),
        (
            "{{ show 1 2 nil .missing }}",
            "t:1:16: executing \"t\" at <.missing>: invalid value; expected string",
        ),
        (
            "{{ mk | show 1 2 nil (mk 7) }}",
            "t:1:25: executing \"t\" at <7>: wrong type for value; expected string; got []interface {}",
        ),
    ];
    for (src, want) in cases {
        let got = run(src).unwrap_err();
        assert!(got.ends_with(want), "{src}: {got}");
    }
}
