//! Go literal syntax: `strconv.Unquote`, `UnquoteChar`, `ParseInt(s, 0, 64)`,
//! `ParseUint(s, 0, 64)` and `ParseFloat(s, 64)` as the template parser uses them.

const SYNTAX: &str = "invalid syntax";

/// `strconv.Unquote` for `"..."` and `` `...` `` literals. Byte escapes that
/// do not form UTF-8 are replaced by U+FFFD (Rust strings are UTF-8).
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(SYNTAX.into());
    }
    let q = b[0];
    if q != b[b.len() - 1] {
        return Err(SYNTAX.into());
    }
    let inner = &s[1..s.len() - 1];
    if q == b'`' {
        if inner.contains('`') {
            return Err(SYNTAX.into());
        }
        return Ok(inner.replace('\r', ""));
    }
    if q != b'"' {
        return Err(SYNTAX.into());
    }
    if !inner.contains(['\\', '"', '\n']) {
        return Ok(inner.to_string());
    }
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while !rest.is_empty() {
        let (piece, tail) = unquote_piece(rest, '"')?;
        match piece {
            Piece::Char(c) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            Piece::Byte(x) => out.push(x),
        }
        rest = tail;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

enum Piece {
    Char(char),
    Byte(u8),
}

/// `strconv.UnquoteChar` restricted to a char result (for char constants).
pub(crate) fn unquote_char(s: &str, quote: char) -> Result<(char, &str), String> {
    let (p, tail) = unquote_piece(s, quote)?;
    Ok((
        match p {
            Piece::Char(c) => c,
            Piece::Byte(b) => char::from(b),
        },
        tail,
    ))
}

fn unquote_piece(s: &str, quote: char) -> Result<(Piece, &str), String> {
    let mut chars = s.chars();
    let c = chars.next().ok_or(SYNTAX)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(SYNTAX.into());
    }
    if c == '\n' {
        return Err(SYNTAX.into());
    }
    if c != '\\' {
        return Ok((Piece::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or(SYNTAX)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(SYNTAX.into());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Piece::Char(c), rest));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(SYNTAX.into());
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| SYNTAX.to_string())?;
            if rest[..n].starts_with(['+', '-']) {
                return Err(SYNTAX.into());
            }
            if e == 'x' {
                return Ok((Piece::Byte(v as u8), &rest[n..]));
            }
            let c = char::from_u32(v).ok_or(SYNTAX)?;
            Ok((Piece::Char(c), &rest[n..]))
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(SYNTAX.into());
            }
            let digits = format!("{e}{}", &rest[..2]);
            let v = u32::from_str_radix(&digits, 8).map_err(|_| SYNTAX.to_string())?;
            if v > 255 || digits.contains(['+', '-']) {
                return Err(SYNTAX.into());
            }
            Ok((Piece::Byte(v as u8), &rest[2..]))
        }
        _ => Err(SYNTAX.into()),
    }
}

/// Go's `underscoreOK`.
fn underscore_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        b = &b[1..];
    }
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && matches!(c.to_ascii_lowercase(), b'a'..=b'f')) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)`.
pub(crate) fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || s.starts_with(['+', '-']) {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = if b.len() >= 2 && b[0] == b'0' {
        match b[1].to_ascii_lowercase() {
            b'x' => (16, &s[2..]),
            b'o' => (8, &s[2..]),
            b'b' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    let has_underscore = s.contains('_');
    if has_underscore && !underscore_ok(s) {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        if base == 8 && digits.is_empty() && b.len() == 1 {
            return Some(0);
        }
        return None;
    }
    u64::from_str_radix(&clean, base).ok()
}

/// `strconv.ParseInt(s, 0, 64)`.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.starts_with(['+', '-']) {
        return None;
    }
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let u = parse_uint(body)?;
    if neg {
        if u > 1u64 << 63 {
            return None;
        }
        Some((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).ok()
    }
}

/// `strconv.ParseFloat(s, 64)` for Go float literal syntax (decimal and hex).
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let v = if body.len() > 2 && (body.starts_with("0x") || body.starts_with("0X")) {
        parse_hex_float(&body[2..])?
    } else {
        if body.is_empty()
            || !body
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        if !body
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == b'.')
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    // Go reports out-of-range literals (ErrRange) instead of returning ±Inf.
    if v.is_infinite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let exp: i32 = match exp {
        Some(e) => e.parse().ok()?,
        None => return None,
    };
    let (int_part, frac_part) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1f64 / 16.0;
    for c in frac_part.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}
