//! Inputs found by the fuzzer (crates/gotmpl/fuzz) that once panicked.

use std::sync::Arc;

use gotmpl::{ExecOptions, FuncMap, Templates, Value};

fn run(src: &str) -> Result<String, String> {
    let mut t = Templates::new(Arc::new(FuncMap::new()));
    t.parse("t", src).map_err(|e| e.to_string())?;
    t.execute("t", &Value::Nil, &ExecOptions::default())
        .map_err(|e| e.to_string())
}

#[test]
fn huge_float_precision() {
    // Rust's formatter caps precision at u16; Go accepts up to 1e6.
    let out = run(r#"{{ printf "%#.244444g|%.70000f|%.70000e" 1.0 0.5 2.0 }}"#).unwrap_or_default();
    assert!(out.starts_with("1.000"), "{}", &out[..20.min(out.len())]);
    assert_eq!(out.len(), 244445 + 1 + 70002 + 1 + 70006);
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    // Test threads have 2 MiB stacks; these recursions would overflow them
    // without the on-demand stack segments.
    let parens = format!("{{{{ {}1{} }}}}", "(".repeat(9998), ")".repeat(9998));
    assert_eq!(run(&parens).as_deref(), Ok("1"));
    let too_deep = format!("{{{{ {}1{} }}}}", "(".repeat(10001), ")".repeat(10001));
    assert_eq!(
        run(&too_deep).unwrap_err(),
        "template: t:1: max expression depth exceeded"
    );
    let ifs = format!(
        "{}x{}",
        "{{ if true }}".repeat(20000),
        "{{ end }}".repeat(20000)
    );
    assert_eq!(run(&ifs).as_deref(), Ok("x"));
    let err = format!(
        "{}{{{{ index 1 2 }}}}{}",
        "{{ with 1 }}".repeat(3000),
        "{{ end }}".repeat(3000)
    );
    assert!(
        run(&err)
            .unwrap_err()
            .ends_with("error calling index: can't index item of type int")
    );
    let rec = r#"{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}"#;
    assert!(
        run(rec)
            .unwrap_err()
            .ends_with("exceeded maximum template depth (100000)")
    );
}
