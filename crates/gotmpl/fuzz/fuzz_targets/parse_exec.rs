//! Parses and executes arbitrary templates (and Go fmt formats) against a
//! fixed data set; any panic, stack overflow or hang is a bug.
#![no_main]

use std::sync::Arc;

use gotmpl::{CallContext, ExecOptions, FuncError, FuncMap, MissingKey, Templates, Value};
use libfuzzer_sys::fuzz_target;

fn data() -> Value {
    Value::map([
        ("s", Value::from("hello")),
        ("n", Value::Float(1e6)),
        ("i", Value::Int(3)),
        ("l", Value::list(vec![Value::from("a"), Value::Int(1), Value::Nil, Value::Float(2.5)])),
        ("m", Value::map([("a", Value::Float(1.0)), ("b", Value::map([("c", Value::from("x"))]))])),
        ("z", Value::Nil),
        ("t", Value::Bool(true)),
    ])
}

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.insert("include", |ctx: &mut dyn CallContext, a: &[Value]| -> Result<Value, FuncError> {
        let name = a.first().and_then(Value::as_str).unwrap_or_default().to_string();
        ctx.execute_template(&name, a.get(1).cloned().unwrap_or_default()).map(Value::from)
    });
    f.insert("tpl", |ctx: &mut dyn CallContext, a: &[Value]| -> Result<Value, FuncError> {
        let text = a.first().and_then(Value::as_str).unwrap_or_default().to_string();
        let name = ctx.template_name().to_string();
        let _ = ctx.location();
        ctx.execute_text(&name, &text, a.get(1).cloned().unwrap_or_default()).map(Value::from)
    });
    f.insert("upper", |_: &mut dyn CallContext, a: &[Value]| -> Result<Value, FuncError> {
        match a.first() {
            Some(Value::String(s)) => Ok(Value::from(s.to_uppercase())),
            Some(other) => Err(FuncError::arg_type(0, "string", other)),
            None => Err(FuncError::arity("wrong number of args for upper: want 1 got 0")),
        }
    });
    f
}

fuzz_target!(|input: &[u8]| {
    if input.is_empty() {
        return;
    }
    let mode = input[0];
    let text = String::from_utf8_lossy(&input[1..]);
    // Widths and precisions up to 10^6 are legal in Go's fmt and print that
    // much padding per operand (slow in Go too), so inputs with a long digit
    // run soon after a `%` are skipped to keep executions fast.
    let b = text.as_bytes();
    let big_width = b.iter().enumerate().any(|(i, &c)| {
        c == b'%' && b[i + 1..(i + 14).min(b.len())].windows(5).any(|w| w.iter().all(u8::is_ascii_digit))
    });
    // Likewise `range 9999999` legitimately iterates that many times.
    let big_number = b.windows(6).any(|w| w.iter().all(u8::is_ascii_digit));
    if big_width || big_number {
        return;
    }
    let mut set = Templates::new(Arc::new(funcs()));
    if mode & 0x10 != 0 {
        set.set_delims("<<", ">>");
    }
    let opts = ExecOptions {
        missing_key: match mode & 3 {
            0 => MissingKey::Default,
            1 => MissingKey::Zero,
            _ => MissingKey::Error,
        },
        // Bounded so recursive inputs finish quickly.
        max_depth: 300,
        extension: None,
    };
    if set.parse("t", &text).is_ok() {
        let _ = set.execute("t", &data(), &opts);
    }
    // Go fmt on the same bytes as a format string.
    let args = [Value::Int(-42), Value::from("é\"x"), Value::Float(-1.5e-7), Value::Nil, data()];
    let _ = gotmpl::sprintf(&text, &args[..(mode as usize >> 5) % 6]);
});
