//! Go's `fmt` and `strconv` formatting of template values, as Sprig relies on
//! it (`toString`, `quote`, `cat`, `join`...).

use gotmpl::Value;

/// What `%v` (and `{{ . }}`) prints for a value.
pub fn format_value(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format_float_g(*f)),
        Value::String(s) => out.push_str(s),
        Value::List(l) => {
            out.push('[');
            for (n, item) in l.items().iter().enumerate() {
                if n > 0 {
                    out.push(' ');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            m.with(|entries| {
                for (n, (k, item)) in entries.iter().enumerate() {
                    if n > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push(':');
                    write_value(out, item);
                }
            });
            out.push(']');
        }
        Value::Bytes(b) => {
            out.push('[');
            for (n, byte) in b.iter().enumerate() {
                if n > 0 {
                    out.push(' ');
                }
                out.push_str(&byte.to_string());
            }
            out.push(']');
        }
        Value::Object(o) => out.push_str(&o.go_string()),
    }
}

/// Shortest round-trip decimal digits and the decimal exponent: `1234.5` ->
/// (`"12345"`, 3), meaning 1.2345e3.
pub(crate) fn shortest_digits(f: f64) -> (String, i32) {
    let e = format!("{:e}", f.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().unwrap_or(0))
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: exponent form iff the decimal
/// exponent is < -4 or >= 21 when shortest... Go uses eprec 6 for shortest
/// %v of float64 (`1e+06`), which is what this implements.
pub fn format_float_g(f: f64) -> String {
    format_float_shortest(f, 6, true)
}

/// Shortest digits, exponent form when exp < -4 || exp >= `eprec`, Go style
/// exponent (`e+06`) when `go_exp`, else JSON style (`e+21`, `e-7`).
pub(crate) fn format_float_shortest(f: f64, eprec: i32, go_exp: bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    let (digits, exp) = shortest_digits(f);
    let mut out = String::from(sign);
    if exp < -4 || exp >= eprec {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if go_exp && a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    } else {
        out.push_str(&fixed_from_digits(&digits, exp));
    }
    out
}

/// Places the decimal point in shortest digits (no exponent).
pub(crate) fn fixed_from_digits(digits: &str, exp: i32) -> String {
    let n = digits.len() as i32;
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if exp + 1 >= n {
        format!("{}{}", digits, "0".repeat((exp + 1 - n) as usize))
    } else {
        let (a, b) = digits.split_at((exp + 1) as usize);
        format!("{a}.{b}")
    }
}

/// `encoding/json`'s float64 formatting: `'f'` unless the magnitude is below
/// 1e-6 or at least 1e21, then `'e'` with a compact exponent.
pub fn format_float_json(f: f64) -> String {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        format_float_shortest(f, -100, false).replace("e-0", "e-")
    } else {
        let sign = if f.is_sign_negative() && f != 0.0 {
            "-"
        } else {
            ""
        };
        if f == 0.0 {
            return "0".into();
        }
        let (digits, exp) = shortest_digits(f);
        format!("{sign}{}", fixed_from_digits(&digits, exp))
    }
}

/// Go's `strconv.Quote` (`%q` on a string).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    // Printable ASCII other than `"` and `\` is copied as is (the common case).
    if s.bytes()
        .all(|c| (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return out;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    // Unicode format characters (Cf) and private use are not printable in Go.
    let u = c as u32;
    !matches!(u, 0xAD | 0x600..=0x605 | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_go() {
        let cases = [
            (1.0, "1"),
            (1e6, "1e+06"),
            (123456789.0, "1.23456789e+08"),
            (100000.0, "100000"),
            (1234567.5, "1.2345675e+06"),
            (999999.5, "999999.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1e6, "-1e+06"),
            (1e20, "1e+20"),
            (3e-7, "3e-07"),
            (2.0, "2"),
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_g(f), want, "{f}");
        }
    }

    #[test]
    fn json_floats() {
        let cases = [
            (0.00001, "0.00001"),
            (1e-7, "1e-7"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1e6, "1000000"),
            (12345678901234567890.0, "12345678901234567000"),
            (1.5, "1.5"),
            (-2.0, "-2"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float_json(f), want, "{f}");
        }
    }

    #[test]
    fn quote() {
        assert_eq!(go_quote("a\"b\n\u{1}é"), "\"a\\\"b\\n\\x01é\"");
    }
}
