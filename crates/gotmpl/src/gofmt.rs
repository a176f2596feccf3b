//! Go's `fmt` and `strconv` formatting on [`Value`]s: `fmt.Sprint`,
//! `fmt.Sprintln`, `fmt.Sprintf` and `strconv.FormatFloat`, ported from Go's
//! `fmt/print.go`, `fmt/format.go` and `strconv/ftoa.go` for the types a
//! template can hold.

use crate::{ListType, Value};

/// `strconv.FormatFloat(f, 'g', -1, 64)`: what `{{ . }}`, `print` and `%v`
/// produce for a float64: the shortest digits that round-trip, in exponent
/// form iff the decimal exponent is < -4 or >= 6 (`1e+06`, `1e-05`, `0.0001`).
pub fn format_float_g(f: f64) -> String {
    format_float(f, 'g', None)
}

/// Decimal digits (no leading/trailing zeros) and the decimal point position:
/// value = 0.d1d2d3... * 10^dp. Zero has no digits and dp 0.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

/// Parses Rust's `{:e}` output ("1.2345e6", "5e-7") into digits.
fn parse_rust_e(s: &str) -> Digits {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    if d.is_empty() {
        return Digits { d, dp: 0 };
    }
    Digits { d, dp: exp + 1 }
}

fn shortest_digits(f: f64) -> Digits {
    // Rust's `{:e}` prints the shortest digits that round-trip, like Go's
    // shortest mode (both are Ryu/Grisu-exact).
    parse_rust_e(&format!("{:e}", f.abs()))
}

/// Digits of |f| correctly rounded to `n` significant digits (n >= 1).
fn rounded_digits(f: f64, n: usize) -> Digits {
    // A float64 has at most 767 significant decimal digits; beyond that the
    // digits are zeros (trimmed anyway), and Rust caps precision at u16.
    let n = n.min(800);
    parse_rust_e(&format!("{:.*e}", n.saturating_sub(1), f.abs()))
}

fn fmt_e(out: &mut String, d: &Digits, prec: usize, e: char) {
    out.push(if d.d.is_empty() { '0' } else { d.d[0] as char });
    if prec > 0 {
        out.push('.');
        let mut i = 1;
        let m = d.d.len().min(prec + 1);
        while i < m {
            out.push(d.d[i] as char);
            i += 1;
        }
        while i <= prec {
            out.push('0');
            i += 1;
        }
    }
    out.push(e);
    let mut exp = d.dp - 1;
    if d.d.is_empty() {
        exp = 0;
    }
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

fn fmt_f(out: &mut String, d: &Digits, prec: usize) {
    if d.dp > 0 {
        let dp = d.dp as usize;
        let m = d.d.len().min(dp);
        for &c in &d.d[..m] {
            out.push(c as char);
        }
        for _ in m..dp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i32 {
            let j = d.dp + i - 1;
            let c = if j >= 0 && (j as usize) < d.d.len() {
                d.d[j as usize]
            } else {
                b'0'
            };
            out.push(c as char);
        }
    }
}

/// `strconv.FormatFloat(f, verb, prec, 64)` for verbs e E f F g G b x X;
/// `prec` None means shortest (-1).
pub fn format_float(f: f64, verb: char, prec: Option<usize>) -> String {
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
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    match verb {
        'b' => {
            let bits = f.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i64;
            let mut mant = bits & ((1u64 << 52) - 1);
            let e = if exp == 0 {
                -1074
            } else {
                mant |= 1u64 << 52;
                exp - 1075
            };
            out.push_str(&format!("{mant}p{}{}", if e >= 0 { "+" } else { "" }, e));
            return out;
        }
        'x' | 'X' => {
            out.push_str(&hex_float(f.abs(), prec, verb == 'X'));
            return out;
        }
        _ => {}
    }
    let lower = verb.to_ascii_lowercase();
    let e_char = if verb.is_ascii_uppercase() { 'E' } else { 'e' };
    match (lower, prec) {
        ('e', None) => {
            let d = shortest_digits(f);
            fmt_e(&mut out, &d, d.d.len().saturating_sub(1), e_char);
        }
        ('e', Some(p)) => {
            let d = rounded_digits(f, p + 1);
            fmt_e(&mut out, &d, p, e_char);
        }
        ('f', None) => {
            let d = shortest_digits(f);
            fmt_f(&mut out, &d, (d.d.len() as i32 - d.dp).max(0) as usize);
        }
        ('f', Some(p)) => {
            // The exact expansion of a float64 has at most 1074 fraction
            // digits; pad the rest (Rust caps precision at u16).
            let q = p.min(1100);
            out.push_str(&format!("{:.*}", q, f.abs()));
            out.extend(std::iter::repeat_n('0', p - q));
        }
        (_, prec) => {
            // 'g'
            let shortest = prec.is_none();
            let (d, mut p) = match prec {
                None => {
                    let d = shortest_digits(f);
                    let n = d.d.len();
                    (d, n)
                }
                Some(p) => {
                    let p = p.max(1);
                    (rounded_digits(f, p), p)
                }
            };
            let nd = d.d.len() as i32;
            let mut eprec = p as i32;
            if eprec > nd && nd >= d.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.dp - 1;
            if exp < -4 || exp >= eprec {
                if p as i32 > nd {
                    p = nd.max(0) as usize;
                }
                fmt_e(&mut out, &d, p.saturating_sub(1), e_char);
            } else {
                if p as i32 > d.dp {
                    p = nd as usize;
                }
                fmt_f(&mut out, &d, (p as i32 - d.dp).max(0) as usize);
            }
        }
    }
    out
}

/// strconv's %x for floats: 0x1.8p+01.
fn hex_float(f: f64, prec: Option<usize>, upper: bool) -> String {
    let bits = f.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 && mant == 0 {
        exp = 0;
    } else if exp == 0 {
        // subnormal: normalise
        exp = -1022;
        while mant & (1u64 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1u64 << 52) - 1;
    } else {
        exp -= 1023;
    }
    let lead = if f == 0.0 { 0 } else { 1 };
    // 52 bits of fraction = 13 hex digits.
    let mut frac = mant;
    let mut ndig = 13usize;
    if let Some(p) = prec
        && p < 13
    {
        let shift = 4 * (13 - p) as u32;
        let full = (1u64 << 52) | frac;
        let mut rounded = full >> shift;
        let rem = full & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        if rem > half || (rem == half && rounded & 1 == 1) {
            rounded += 1;
        }
        let mut lead2 = rounded >> (4 * p as u32);
        if lead2 > 1 {
            rounded >>= 1;
            exp += 1;
            lead2 = 1;
        }
        let _ = lead2;
        frac = rounded & ((1u64 << (4 * p as u32)) - 1);
        ndig = p;
    }
    let mut s = format!("0x{lead}");
    let mut digits = if ndig > 0 {
        format!("{:0width$x}", frac, width = ndig)
    } else {
        String::new()
    };
    if prec.is_none() {
        while digits.ends_with('0') {
            digits.pop();
        }
    } else if let Some(p) = prec {
        while digits.len() < p {
            digits.push('0');
        }
    }
    if !digits.is_empty() {
        s.push('.');
        s.push_str(&digits);
    }
    if f == 0.0 {
        exp = 0;
    }
    s.push_str(&format!(
        "p{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    ));
    if upper { s.to_uppercase() } else { s }
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub fn quote_go(s: &str) -> String {
    quote_with(s, '"', false)
}

fn quote_with(s: &str, q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    // Printable ASCII other than the quote and `\` needs no escaping: copy the
    // common case in one go (`quote` runs on most values of big charts).
    if s.bytes()
        .all(|c| (0x20..0x7f).contains(&c) && c != b'\\' && char::from(c) != q)
    {
        out.push_str(s);
        out.push(q);
        return out;
    }
    for c in s.chars() {
        escape_rune(&mut out, c, q, ascii_only);
    }
    out.push(q);
    out
}

fn escape_rune(out: &mut String, c: char, q: char, ascii_only: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.IsPrint`, approximated for non-ASCII with Rust's Unicode
/// tables: letters, marks, numbers, punctuation, symbols and U+0020.
pub(crate) fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF
        | 0xF0000..=0x10FFFF | 0xD800..=0xDFFF)
}

/// `%#U` of a rune: `U+0041 'A'`.
pub(crate) fn fmt_sharp_u(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// `fmt.Sprint(v)`: what `{{ . }}` prints for a non-nil value.
pub fn format_value(v: &Value) -> String {
    let mut p = Printer::default();
    p.print_arg(v, 'v');
    p.buf
}

/// `fmt.Sprint(args...)`: spaces only between operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// `fmt.Sprintln(args...)`.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(' ');
        }
        p.print_arg(a, 'v');
    }
    p.buf.push('\n');
    p.buf
}

/// `fmt.Sprintf(format, args...)` with Go's verbs, flags, widths, precisions,
/// argument indexes and error forms (`%!d(string=x)`, `%!v(MISSING)`,
/// `%!(EXTRA int=1)`, `%!(NOVERB)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer::default();
    p.do_printf(format, args);
    p.buf
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

#[derive(Default)]
struct Printer {
    buf: String,
    f: Flags,
    reordered: bool,
    good_arg_num: bool,
}

fn parsenum(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num: usize = 0;
    let mut isnum = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if num > 1_000_000 {
            return (0, false, end);
        }
        num = num * 10 + (s[i] - b'0') as usize;
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) | Value::Int64(i) => Some(*i),
        _ => None,
    }
}

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let pad = if self.f.zero && !self.f.minus {
            '0'
        } else {
            ' '
        };
        self.buf.extend(std::iter::repeat_n(pad, n));
    }

    fn pad(&mut self, s: &str) {
        let Some(wid) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = s.chars().count();
        if n >= wid {
            self.buf.push_str(s);
            return;
        }
        if self.f.minus {
            self.buf.push_str(s);
            self.write_padding(wid - n);
        } else {
            self.write_padding(wid - n);
            self.buf.push_str(s);
        }
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        if let Some(p) = self.f.prec
            && let Some((i, _)) = s.char_indices().nth(p)
        {
            return &s[..i];
        }
        s
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s);
        self.pad(s);
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        let q = if self.f.sharp && can_backquote(s) {
            format!("`{s}`")
        } else {
            quote_with(s, '"', self.f.plus)
        };
        self.pad(&q);
    }

    fn fmt_sx(&mut self, s: &[u8], upper: bool) {
        let digits: &[u8] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let mut length = s.len();
        if let Some(p) = self.f.prec
            && p < length
        {
            length = p;
        }
        let mut out = String::new();
        for (i, &c) in s[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                out.push(' ');
            }
            if self.f.sharp && (self.f.space || i == 0) {
                out.push('0');
                out.push(if upper { 'X' } else { 'x' });
            }
            out.push(digits[(c >> 4) as usize] as char);
            out.push(digits[(c & 0xf) as usize] as char);
        }
        // Go pads hex strings itself, honouring the zero flag like other strings.
        self.pad(&out);
    }

    fn fmt_integer(&mut self, v: i64, unsigned: Option<u64>, base: u32, verb: char, upper: bool) {
        let negative = unsigned.is_none() && v < 0;
        let mut u: u64 = match unsigned {
            Some(u) => u,
            None => v.unsigned_abs(),
        };
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                let w = self.f.wid.unwrap_or(0);
                self.write_padding(w);
                self.f.zero = old;
                return;
            }
        } else if self.f.zero
            && !self.f.minus
            && let Some(w) = self.f.wid
        {
            prec = w;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let digits: &[u8] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let mut rev: Vec<u8> = Vec::new();
        if u == 0 {
            rev.push(b'0');
        }
        while u > 0 {
            rev.push(digits[(u % base as u64) as usize]);
            u /= base as u64;
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => {
                    rev.push(b'b');
                    rev.push(b'0');
                }
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(if upper { b'X' } else { b'x' });
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.push(b'o');
            rev.push(b'0');
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let s = String::from_utf8_lossy(&rev).into_owned();
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    fn fmt_float(&mut self, v: f64, verb: char, default_prec: Option<usize>) {
        let prec = if self.f.prec.is_some() {
            self.f.prec
        } else {
            default_prec
        };
        let mut num = format_float(v, verb, prec);
        if !num.starts_with(['-', '+']) {
            num.insert(0, '+');
        }
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(0..1, " ");
        }
        let second = num.as_bytes().get(1).copied();
        if second == Some(b'I') || second == Some(b'N') {
            let old = self.f.zero;
            self.f.zero = false;
            if second == Some(b'N') && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.f.zero = old;
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(num, verb, prec);
        }
        if self.f.plus || !num.starts_with('+') {
            if self.f.zero
                && !self.f.minus
                && let Some(w) = self.f.wid
                && w > num.len()
            {
                let sign = num.remove(0);
                self.buf.push(sign);
                self.write_padding(w - num.len() - 1);
                self.buf.push_str(&num);
                return;
            }
            self.pad(&num);
            return;
        }
        let rest = num[1..].to_string();
        self.pad(&rest);
    }

    fn fmt_c(&mut self, v: i64) {
        let c = u32::try_from(v)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}');
        let mut b = [0u8; 4];
        let s = c.encode_utf8(&mut b).to_string();
        self.pad(&s);
    }

    fn fmt_qc(&mut self, v: i64) {
        let c = u32::try_from(v)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}');
        let s = if self.f.sharp && is_print(c) {
            format!("'{c}'")
        } else {
            let mut o = String::from("'");
            escape_rune(&mut o, c, '\'', self.f.plus);
            o.push('\'');
            o
        };
        self.pad(&s);
    }

    fn fmt_unicode(&mut self, v: i64) {
        let u = v as u64;
        let prec = self.f.prec.map_or(4, |p| p.max(4));
        let hex = format!("{u:0prec$X}");
        let mut s = format!("U+{hex}");
        if self.f.sharp
            && let Some(c) = u32::try_from(v).ok().and_then(char::from_u32)
            && is_print(c)
        {
            s.push_str(&format!(" '{c}'"));
        }
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = old;
    }

    /// `%p`: maps and slices are pointers in Go; their address is not
    /// reproducible anyway, so any stable identity will do.
    fn fmt_pointer(&mut self, v: &Value) {
        let addr = match v {
            Value::List(l) => l.items().as_ptr() as usize,
            Value::Map(m) => m.addr(),
            Value::Bytes(b) => b.as_ptr() as usize,
            _ => return self.bad_verb('p', Some(v)),
        };
        let sharp = self.f.sharp;
        self.f.sharp = !sharp;
        self.fmt_integer(0, Some(addr as u64), 16, 'v', false);
        self.f.sharp = sharp;
    }

    fn bad_verb(&mut self, verb: char, v: Option<&Value>) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        match v {
            Some(v) if !matches!(v, Value::Nil) => {
                self.buf.push_str(v.type_name());
                self.buf.push('=');
                self.print_value(v, 'v');
            }
            _ => self.buf.push_str("<nil>"),
        }
        self.buf.push(')');
    }

    fn print_arg(&mut self, v: &Value, verb: char) {
        if let Value::Nil = v {
            match verb {
                'T' | 'v' => self.pad("<nil>"),
                _ => self.bad_verb(verb, None),
            }
            return;
        }
        match verb {
            'T' => {
                let t = v.type_name().to_string();
                self.fmt_s(&t);
                return;
            }
            'p' => {
                self.fmt_pointer(v);
                return;
            }
            _ => {}
        }
        self.print_value(v, verb);
    }

    fn print_value(&mut self, v: &Value, verb: char) {
        match v {
            Value::Nil => {
                // A nil element of an interface slice or map.
                if self.f.sharp_v {
                    self.buf.push_str("interface {}(nil)");
                } else {
                    self.buf.push_str("<nil>");
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, Some(v)),
            },
            Value::Int(i) | Value::Int64(i) => match verb {
                'v' | 'd' => self.fmt_integer(*i, None, 10, verb, false),
                'b' => self.fmt_integer(*i, None, 2, verb, false),
                'o' | 'O' => self.fmt_integer(*i, None, 8, verb, false),
                'x' => self.fmt_integer(*i, None, 16, verb, false),
                'X' => self.fmt_integer(*i, None, 16, verb, true),
                'c' => self.fmt_c(*i),
                'q' => self.fmt_qc(*i),
                'U' => self.fmt_unicode(*i),
                _ => self.bad_verb(verb, Some(v)),
            },
            Value::Float(f) => match verb {
                'v' => self.fmt_float(*f, 'g', None),
                'b' | 'g' | 'G' | 'x' | 'X' => {
                    if self.f.sharp_v {
                        self.fmt_float(*f, 'g', None)
                    } else {
                        self.fmt_float(*f, verb, None)
                    }
                }
                'f' | 'e' | 'E' | 'F' => {
                    let vb = if verb == 'F' { 'f' } else { verb };
                    self.fmt_float(*f, vb, Some(6))
                }
                _ => self.bad_verb(verb, Some(v)),
            },
            Value::String(s) => match verb {
                'v' => {
                    if self.f.sharp_v {
                        self.fmt_q(s)
                    } else {
                        self.fmt_s(s)
                    }
                }
                's' => self.fmt_s(s),
                'x' => self.fmt_sx(s.as_bytes(), false),
                'X' => self.fmt_sx(s.as_bytes(), true),
                'q' => self.fmt_q(s),
                _ => self.bad_verb(verb, Some(v)),
            },
            Value::Bytes(b) => match verb {
                's' => {
                    let s = String::from_utf8_lossy(b).into_owned();
                    self.fmt_s(&s)
                }
                'q' => {
                    let s = String::from_utf8_lossy(b).into_owned();
                    self.fmt_q(&s)
                }
                'x' => self.fmt_sx(b, false),
                'X' => self.fmt_sx(b, true),
                'v' | 'd' if self.f.sharp_v => {
                    self.buf.push_str("[]byte{");
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.buf.push_str(&format!("0x{c:x}"));
                    }
                    self.buf.push('}');
                }
                _ => {
                    self.buf.push('[');
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.print_value(
                            &Value::Int(i64::from(*c)),
                            if verb == 'v' { 'd' } else { verb },
                        );
                    }
                    self.buf.push(']');
                }
            },
            Value::List(l) => {
                if self.f.sharp_v {
                    self.buf.push_str(v.type_name());
                    self.buf.push('{');
                    for (i, e) in l.items().iter().enumerate() {
                        if i > 0 {
                            self.buf.push_str(", ");
                        }
                        self.print_value(e, verb);
                    }
                    self.buf.push('}');
                } else {
                    self.buf.push('[');
                    for (i, e) in l.items().iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        if l.go_type() == ListType::String || !matches!(e, Value::Nil) {
                            self.print_value(e, verb);
                        } else {
                            self.buf.push_str("<nil>");
                        }
                    }
                    self.buf.push(']');
                }
            }
            Value::Map(m) => {
                if self.f.sharp_v {
                    self.buf.push_str(v.type_name());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                m.with(|entries| {
                    for (i, (k, e)) in entries.iter().enumerate() {
                        if i > 0 {
                            if self.f.sharp_v {
                                self.buf.push_str(", ");
                            } else {
                                self.buf.push(' ');
                            }
                        }
                        self.print_value(&Value::string(k), verb);
                        self.buf.push(':');
                        self.print_value(e, verb);
                    }
                });
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => match verb {
                'v' | 's' => {
                    let s = o.go_string();
                    self.fmt_s(&s)
                }
                'q' => {
                    let s = o.go_string();
                    self.fmt_q(&s)
                }
                _ => {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push('(');
                    self.buf.push_str(o.type_name());
                    self.buf.push('=');
                    self.buf.push_str(&o.go_string());
                    self.buf.push(')');
                }
            },
        }
    }

    fn arg_number(
        &mut self,
        arg_num: usize,
        format: &[u8],
        i: usize,
        num_args: usize,
    ) -> (usize, usize, bool) {
        if format.len() <= i || format[i] != b'[' {
            return (arg_num, i, false);
        }
        self.reordered = true;
        let (index, wid, ok) = parse_arg_number(&format[i..]);
        if ok && index >= 0 && (index as usize) < num_args {
            return (index as usize, i + wid, true);
        }
        self.good_arg_num = false;
        (arg_num, i + wid, ok)
    }

    fn do_printf(&mut self, format: &str, a: &[Value]) {
        let fb = format.as_bytes();
        let end = fb.len();
        let mut arg_num = 0usize;
        let mut after_index;
        self.reordered = false;
        let mut i = 0usize;
        'format_loop: while i < end {
            self.good_arg_num = true;
            let lasti = i;
            while i < end && fb[i] != b'%' {
                i += 1;
            }
            if i > lasti {
                self.buf.push_str(&format[lasti..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                let c = fb[i];
                match c {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => {
                        if c.is_ascii_lowercase() && arg_num < a.len() {
                            if c == b'v' {
                                self.f.sharp_v = self.f.sharp;
                                self.f.sharp = false;
                                self.f.plus_v = self.f.plus;
                                self.f.plus = false;
                            }
                            self.print_arg(&a[arg_num], c as char);
                            arg_num += 1;
                            i += 1;
                            continue 'format_loop;
                        }
                        break;
                    }
                }
                i += 1;
            }
            let r = self.arg_number(arg_num, fb, i, a.len());
            arg_num = r.0;
            i = r.1;
            after_index = r.2;
            if i < end && fb[i] == b'*' {
                i += 1;
                let (w, ok, n) = int_from_arg(a, arg_num);
                arg_num = n;
                if !ok {
                    self.buf.push_str("%!(BADWIDTH)");
                    self.f.wid = None;
                } else if w < 0 {
                    self.f.wid = Some(w.unsigned_abs() as usize);
                    self.f.minus = true;
                    self.f.zero = false;
                } else {
                    self.f.wid = Some(w as usize);
                }
                after_index = false;
            } else {
                let (w, ok, ni) = parsenum(fb, i, end);
                i = ni;
                self.f.wid = if ok { Some(w) } else { None };
                if after_index && ok {
                    self.good_arg_num = false;
                }
            }
            if i + 1 < end && fb[i] == b'.' {
                i += 1;
                if after_index {
                    self.good_arg_num = false;
                }
                let r = self.arg_number(arg_num, fb, i, a.len());
                arg_num = r.0;
                i = r.1;
                after_index = r.2;
                if i < end && fb[i] == b'*' {
                    i += 1;
                    let (p, ok, n) = int_from_arg(a, arg_num);
                    arg_num = n;
                    if !ok || p < 0 {
                        self.f.prec = None;
                        if !ok {
                            self.buf.push_str("%!(BADPREC)");
                        }
                    } else {
                        self.f.prec = Some(p as usize);
                    }
                    after_index = false;
                } else {
                    let (p, ok, ni) = parsenum(fb, i, end);
                    i = ni;
                    self.f.prec = Some(if ok { p } else { 0 });
                }
            }
            if !after_index {
                let r = self.arg_number(arg_num, fb, i, a.len());
                arg_num = r.0;
                i = r.1;
            }
            if i >= end {
                self.buf.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().unwrap_or('\u{FFFD}');
            i += verb.len_utf8();
            if verb == '%' {
                self.buf.push('%');
            } else if !self.good_arg_num {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(BADINDEX)");
            } else if arg_num >= a.len() {
                self.buf.push_str("%!");
                self.buf.push(verb);
                self.buf.push_str("(MISSING)");
            } else {
                if verb == 'v' {
                    self.f.sharp_v = self.f.sharp;
                    self.f.sharp = false;
                    self.f.plus_v = self.f.plus;
                    self.f.plus = false;
                }
                self.print_arg(&a[arg_num], verb);
                arg_num += 1;
            }
        }
        if !self.reordered && arg_num < a.len() {
            self.f = Flags::default();
            self.buf.push_str("%!(EXTRA ");
            for (i, arg) in a[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.buf.push_str(", ");
                }
                if let Value::Nil = arg {
                    self.buf.push_str("<nil>");
                } else {
                    self.buf.push_str(arg.type_name());
                    self.buf.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.buf.push(')');
        }
    }
}

fn parse_arg_number(format: &[u8]) -> (i64, usize, bool) {
    if format.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..format.len() {
        if format[i] == b']' {
            let (width, ok, newi) = parsenum(format, 1, i);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (width as i64 - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

fn int_from_arg(a: &[Value], arg_num: usize) -> (i64, bool, usize) {
    if arg_num < a.len() {
        let (mut num, mut ok) = match int_of(&a[arg_num]) {
            Some(n) => (n, true),
            None => (0, false),
        };
        if !(-1_000_000..=1_000_000).contains(&num) {
            num = 0;
            ok = false;
        }
        return (num, ok, arg_num + 1);
    }
    (0, false, arg_num)
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

/// Go's handling of the `#` flag for floats (fmt.fmtFloat): force a decimal
/// point and, for %g/%v/%x, pad to `prec` significant digits (counting the
/// way Go does, which includes the `x` of a hex float).
fn sharp_float(num: String, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let chars: Vec<char> = num.chars().collect();
    let mut body: String = chars[..1].iter().collect();
    let mut tail = String::new();
    let mut has_point = false;
    let mut saw_nonzero = false;
    for (i, &c) in chars.iter().enumerate().skip(1) {
        match c {
            '.' => has_point = true,
            'p' | 'P' => {
                tail = chars[i..].iter().collect();
                break;
            }
            'e' | 'E' if verb != 'x' && verb != 'X' => {
                tail = chars[i..].iter().collect();
                break;
            }
            _ => {
                if c != '0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
        body.push(c);
    }
    if !has_point {
        if body.len() == 2 && body.ends_with('0') {
            digits -= 1;
        }
        body.push('.');
    }
    while digits > 0 {
        body.push('0');
        digits -= 1;
    }
    body.push_str(&tail);
    body
}
