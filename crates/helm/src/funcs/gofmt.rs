//! Go's `fmt` and `strconv` formatting of template values, as Sprig relies on
//! it (`toString`, `quote`, `cat`, `join`...): the template engine's own
//! (`gotmpl`), plus `encoding/json`'s float format.

pub use gotmpl::{format_float_g, format_value, quote_go as go_quote};

/// `encoding/json`'s float64 formatting: `'f'` unless the magnitude is below
/// 1e-6 or at least 1e21, then `'e'` with a compact exponent (`1e-7`).
pub fn format_float_json(f: f64) -> String {
    let a = f.abs();
    if a == 0.0 {
        return "0".into();
    }
    if (1e-6..1e21).contains(&a) {
        return gotmpl::format_float(f, 'f', None);
    }
    let mut s = gotmpl::format_float(f, 'e', None);
    // Go trims a one-digit negative exponent: e-07 -> e-7.
    let n = s.len();
    if n >= 4 && s[..n - 3].ends_with('e') && s[n - 3..].starts_with("-0") {
        s.remove(n - 2);
    }
    s
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
