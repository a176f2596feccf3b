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
