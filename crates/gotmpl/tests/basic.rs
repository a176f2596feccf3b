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
