//! A fast path for the block-style YAML that rendered manifests and values
//! files are made of (what `toYaml` and hand-written values look like):
//! block mappings and sequences, plain scalars, single-line quoted scalars,
//! literal block scalars (`|`, `|-`, `|+`) and comments.
//!
//! It never decides anything on its own: every function returns `None`
//! ("not sure") for anything outside that subset or anything the full
//! loader would reject (flow collections, anchors, aliases, tags, quoted or
//! complex keys, merge keys, multi-line plain or quoted scalars, folded
//! scalars, explicit indentation indicators, tabs in structure, document
//! markers, `.inf`, non-string keys, non-printable characters...), and the
//! caller then runs the full loader, which produces the value or Helm's
//! error. When it returns a value, it is the value the full loader returns
//! (the differential tests below and in `tests/` check this on the corpus
//! and on generated adversarial documents).

use std::borrow::Cow;

use serde_json::{Map as JsonMap, Value as Json};

use super::{Head, resolve_plain, str_or_kind};

/// "Use the full loader."
struct Bail;

type R<T> = Result<T, Bail>;

/// Nesting limit of the fast path (the full loader handles deeper documents).
const MAX_DEPTH: usize = 200;
/// Longer plain keys go to the full loader (YAML's simple-key limit is 1024).
const MAX_KEY: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Build the value.
    Build,
    /// Validate only, as the full loader's head scan skips a node inside a
    /// skipped collection (only `.inf`-like scalars are resolved).
    Skip,
    /// Validate only, as the full loader's head scan skips a top-level value
    /// (a scalar is resolved as [`Mode::Check`] does, a collection's
    /// contents as [`Mode::Skip`] does).
    SkipTop,
    /// Validate only, as the full loader builds a node (every scalar that
    /// could fail to convert is resolved).
    Check,
    /// Top-level mapping of a manifest: build `apiVersion`, `kind` and
    /// `metadata` (as [`Mode::Meta`]), validate the rest.
    Head,
    /// A manifest's `metadata`: build `name`, `namespace` and `annotations`
    /// (all [`head`] reads), validate the rest.
    Meta,
}

impl Mode {
    fn builds(self) -> bool {
        !matches!(self, Mode::Skip | Mode::SkipTop | Mode::Check)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The value of a mapping entry whose key is at the parent column.
    Map,
    /// A sequence item whose dash is at the parent column.
    Seq,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Only spaces.
    Blank,
    /// A `#` comment after the indentation.
    Comment,
    /// Anything else.
    Content,
}

struct Line<'a> {
    s: &'a str,
    indent: usize,
    kind: Kind,
    tab: bool,
}

impl<'a> Line<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.indent..]
    }
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
    /// Whether the text's last line ends with a line break.
    final_newline: bool,
}

/// The document as the full loader would return it (a mapping or, for a
/// document of only comments and blank lines, `null`), or `None`.
pub(super) fn document(text: &str) -> Option<Json> {
    let mut p = Parser::new(text)?;
    p.document(Mode::Build).ok()
}

/// The manifest head as [`super::parse_head`] would return it, or `None`.
pub(super) fn head(text: &str) -> Option<Head> {
    let mut p = Parser::new(text)?;
    let v = p.document(Mode::Head).ok()?;
    let mut head = Head::empty();
    let m = match v {
        Json::Null => {
            head.null = true;
            return Some(head);
        }
        Json::Object(m) => m,
        _ => return None,
    };
    for (k, v) in m {
        match k.as_str() {
            "apiVersion" => head.api_version = str_or_kind(v),
            "kind" => head.kind = str_or_kind(v),
            "metadata" => head.set_metadata(v),
            _ => {}
        }
    }
    Some(head)
}

/// Characters YAML accepts in a stream (`c-printable`), minus the byte
/// order mark, carriage returns and document-level oddities we leave to the
/// full loader.
fn printable(text: &str) -> bool {
    let ascii_ok = |b: u8| b == b'\n' || b == b'\t' || (0x20..0x7f).contains(&b);
    if text.bytes().all(ascii_ok) {
        return true;
    }
    text.chars().all(|c| {
        let u = c as u32;
        if u < 0x80 {
            ascii_ok(u as u8)
        } else {
            u == 0x85
                || (0xA0..=0xD7FF).contains(&u)
                || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
                || (0x10000..=0x10FFFF).contains(&u)
        }
    })
}

/// `c-indicator` bytes, which a plain scalar or key may not start with
/// (`-`, `?` and `:` may, before a non-space, but those are rare enough to
/// leave to the full loader).
fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b' '
    )
}

/// A block sequence entry: `-` then a space or the end of the line.
fn is_dash(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

/// Splits `key: rest` at the first `:` followed by a space or the end of the
/// line; `None` if a comment starts first or there is no such colon.
fn key_split(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    for i in 0..b.len() {
        match b[i] {
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => return Some((&s[..i], &s[i + 1..])),
            b'#' if i > 0 && b[i - 1] == b' ' => return None,
            _ => {}
        }
    }
    None
}

/// A plain key that the full loader turns into the same string.
fn check_key(key: &str) -> R<()> {
    let Some(&first) = key.as_bytes().first() else {
        return Err(Bail);
    };
    if is_indicator(first) || key.ends_with(' ') || key.len() > MAX_KEY || key == "<<" {
        return Err(Bail);
    }
    if matches!(first, b'.' | b'+' | b'-' | b'0'..=b'9') {
        match resolve_plain(key, 0) {
            Ok(Json::String(_)) => {}
            _ => return Err(Bail),
        }
    } else if is_special_word(key) {
        return Err(Bail);
    }
    Ok(())
}

/// The words [`resolve_plain`] reads as null or a boolean (those starting
/// with `.`, `+` or `-` are handled with the numbers).
fn is_special_word(s: &str) -> bool {
    matches!(
        s,
        "~" | "null"
            | "Null"
            | "NULL"
            | "y"
            | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "true"
            | "True"
            | "TRUE"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
            | "false"
            | "False"
            | "FALSE"
    )
}

/// A mapping entry's key (plain or quoted on one line) and the text after
/// its `:`; `None` if `s` does not start with a key.
fn entry_key(s: &str) -> R<Option<(Cow<'_, str>, &str)>> {
    match s.as_bytes().first() {
        Some(b'"' | b'\'') => {
            let (k, rest) = quoted(s, true)?;
            let colon = rest.as_bytes().first() == Some(&b':')
                && matches!(rest.as_bytes().get(1), None | Some(b' '));
            Ok(match (colon, k) {
                (true, Some(k)) => Some((Cow::Owned(k), &rest[1..])),
                _ => None,
            })
        }
        _ => match key_split(s) {
            Some((k, after)) => {
                check_key(k)?;
                Ok(Some((Cow::Borrowed(k), after)))
            }
            None => Ok(None),
        },
    }
}

fn quoted(t: &str, build: bool) -> R<(Option<String>, &str)> {
    if t.starts_with('"') {
        double_quoted(t, build)
    } else {
        single_quoted(t, build)
    }
}

/// Bytes of a plain scalar inside a one-line flow collection (a
/// conservative subset of what YAML allows there).
fn flow_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'+' | b'-')
}

/// One item of a flow collection: a quoted scalar or a simple plain token.
fn flow_item(s: &str, mode: Mode, key: bool) -> R<(Json, &str)> {
    if s.starts_with(['"', '\'']) {
        let (v, rest) = quoted(s, key || mode.builds())?;
        return Ok((v.map(Json::String).unwrap_or(Json::Null), rest));
    }
    let n = s.bytes().take_while(|&b| flow_token_byte(b)).count();
    let tok = &s[..n];
    if n == 0 || (tok.starts_with('-') && n == 1) {
        return Err(Bail);
    }
    if key {
        check_key(tok)?;
        return Ok((Json::String(tok.to_string()), &s[n..]));
    }
    Ok((plain(tok, mode)?, &s[n..]))
}

/// A flow collection closed on the same line whose items are quoted scalars
/// or simple plain tokens (`{}`, `[a, "b"]`, `{enabled: true}`); returns it
/// and what follows the closing bracket.
fn flow(t: &str, mode: Mode) -> R<(Json, &str)> {
    let build = mode.builds();
    let is_map = t.starts_with('{');
    let close = if is_map { '}' } else { ']' };
    let mut s = t[1..].trim_start_matches(' ');
    let mut map = JsonMap::new();
    let mut items = Vec::new();
    if let Some(rest) = s.strip_prefix(close) {
        s = rest;
    } else {
        loop {
            let (v, rest) = flow_item(s, mode, is_map)?;
            s = rest;
            if is_map {
                let Json::String(k) = v else {
                    return Err(Bail);
                };
                s = s.strip_prefix(": ").ok_or(Bail)?.trim_start_matches(' ');
                let (v, rest) = flow_item(s, mode, false)?;
                s = rest;
                map.insert(k, v);
            } else {
                items.push(v);
            }
            s = s.trim_start_matches(' ');
            if let Some(rest) = s.strip_prefix(',') {
                s = rest.trim_start_matches(' ');
                if s.starts_with([']', '}', ',']) {
                    return Err(Bail);
                }
            } else if let Some(rest) = s.strip_prefix(close) {
                s = rest;
                break;
            } else {
                return Err(Bail);
            }
        }
    }
    let v = match (build, is_map) {
        (false, _) => Json::Null,
        (true, true) => Json::Object(map),
        (true, false) => Json::Array(items),
    };
    Ok((v, s))
}

/// What may follow a closing quote or a block scalar header: nothing, or a
/// comment after a space.
fn only_comment(rest: &str) -> bool {
    let t = rest.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < rest.len())
}

fn hex(s: &str) -> R<char> {
    let u = u32::from_str_radix(s, 16).map_err(|_| Bail)?;
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Bail);
    }
    char::from_u32(u).ok_or(Bail)
}

/// A double-quoted scalar closed on the same line; returns the text (when
/// building) and what follows the closing quote.
fn double_quoted(t: &str, build: bool) -> R<(Option<String>, &str)> {
    let mut out = build.then(String::new);
    let mut it = t.char_indices().skip(1);
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return Ok((out, &t[i + 1..])),
            '\\' => {
                let (j, e) = it.next().ok_or(Bail)?;
                let simple = match e {
                    '0' => Some('\0'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    't' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\x0b'),
                    'f' => Some('\x0c'),
                    'r' => Some('\r'),
                    'e' => Some('\x1b'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                let c = match (simple, e) {
                    (Some(c), _) => c,
                    (None, 'x' | 'u' | 'U') => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let digits = t.get(j + 1..j + 1 + n).ok_or(Bail)?;
                        let c = hex(digits)?;
                        for _ in 0..n {
                            it.next();
                        }
                        c
                    }
                    _ => return Err(Bail),
                };
                if let Some(o) = out.as_mut() {
                    o.push(c);
                }
            }
            c => {
                if let Some(o) = out.as_mut() {
                    o.push(c);
                }
            }
        }
    }
    Err(Bail)
}

/// A single-quoted scalar closed on the same line.
fn single_quoted(t: &str, build: bool) -> R<(Option<String>, &str)> {
    let b = t.as_bytes();
    let mut out = build.then(String::new);
    let mut i = 1;
    let mut run = 1;
    while i < b.len() {
        if b[i] == b'\'' {
            if let Some(o) = out.as_mut() {
                o.push_str(&t[run..i]);
            }
            if b.get(i + 1) == Some(&b'\'') {
                if let Some(o) = out.as_mut() {
                    o.push('\'');
                }
                i += 2;
                run = i;
                continue;
            }
            return Ok((out, &t[i + 1..]));
        }
        i += 1;
    }
    Err(Bail)
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Option<Self> {
        // ASCII text is checked line by line below, in the same pass.
        if !text.is_ascii() && !printable(text) {
            return None;
        }
        let final_newline = text.ends_with('\n');
        let body = if final_newline {
            &text[..text.len() - 1]
        } else {
            text
        };
        let mut lines = Vec::with_capacity(body.len() / 24 + 1);
        if !text.is_empty() {
            for s in body.split('\n') {
                if s.starts_with("---") || s.starts_with("...") {
                    return None;
                }
                let b = s.as_bytes();
                let indent = b.iter().take_while(|&&c| c == b' ').count();
                let kind = match b.get(indent) {
                    None => Kind::Blank,
                    Some(b'#') => Kind::Comment,
                    Some(_) => Kind::Content,
                };
                // Branch-free first (vectorizes); tabs are rare.
                let ctrl = b[indent..]
                    .iter()
                    .fold(false, |acc, &c| acc | (c < 0x20) | (c == 0x7f));
                let mut tab = false;
                if ctrl {
                    for &c in &b[indent..] {
                        if c < 0x20 || c == 0x7f {
                            if c != b'\t' {
                                return None;
                            }
                            tab = true;
                        }
                    }
                }
                lines.push(Line {
                    s,
                    indent,
                    kind,
                    tab,
                });
            }
        }
        Some(Self {
            lines,
            pos: 0,
            final_newline,
        })
    }

    /// The next line that is neither blank nor a comment (not consumed).
    fn peek(&mut self) -> R<Option<usize>> {
        while let Some(l) = self.lines.get(self.pos) {
            if l.tab {
                return Err(Bail);
            }
            if l.kind == Kind::Content {
                return Ok(Some(self.pos));
            }
            self.pos += 1;
        }
        Ok(None)
    }

    fn document(&mut self, mode: Mode) -> R<Json> {
        let Some(l) = self.peek()? else {
            return Ok(Json::Null);
        };
        let line = &self.lines[l];
        let (indent, rest) = (line.indent, line.rest());
        let v = if rest.starts_with('{') {
            let (v, after) = flow(rest, Mode::Build)?;
            // A flow root's duplicate head keys: the full loader decides.
            if !only_comment(after) || (mode == Mode::Head && v != Json::Object(JsonMap::new())) {
                return Err(Bail);
            }
            self.pos = l + 1;
            v
        } else {
            if is_dash(rest) || entry_key(rest)?.is_none() {
                return Err(Bail);
            }
            self.mapping(indent, l, indent, mode, 0)?
        };
        if self.peek()?.is_some() {
            return Err(Bail);
        }
        Ok(v)
    }

    /// A block mapping whose keys are at column `indent`; the first key is
    /// on line `first` at column `col` (after a sequence dash, `col` is
    /// mid-line and equals `indent`).
    fn mapping(
        &mut self,
        indent: usize,
        first: usize,
        col: usize,
        mode: Mode,
        depth: usize,
    ) -> R<Json> {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        let mut map = JsonMap::new();
        let mut seen_head = [false; 3];
        let (mut l, mut col) = (first, col);
        loop {
            let line = &self.lines[l];
            if line.tab {
                return Err(Bail);
            }
            let (key, after) = entry_key(&line.s[col..])?.ok_or(Bail)?;
            self.pos = l + 1;
            let child = match mode {
                Mode::Head => {
                    let slot = ["apiVersion", "kind", "metadata"]
                        .iter()
                        .position(|k| *k == key.as_ref());
                    match slot {
                        Some(i) => {
                            // Duplicate head keys: the full loader's
                            // field-by-field overwrite decides.
                            if std::mem::replace(&mut seen_head[i], true) {
                                return Err(Bail);
                            }
                            if i == 2 { Mode::Meta } else { Mode::Build }
                        }
                        None => Mode::SkipTop,
                    }
                }
                // A later duplicate replaces an earlier one in both loaders.
                Mode::Meta => match key.as_ref() {
                    "name" | "namespace" | "annotations" => Mode::Build,
                    _ => Mode::Check,
                },
                m => m,
            };
            let v = self.value(after, indent, Ctx::Map, child, depth + 1)?;
            if child.builds() {
                map.insert(key.into_owned(), v);
            }
            match self.peek()? {
                None => break,
                Some(n) => {
                    let ni = self.lines[n].indent;
                    if ni < indent {
                        break;
                    }
                    if ni > indent {
                        return Err(Bail);
                    }
                    (l, col) = (n, indent);
                }
            }
        }
        Ok(if mode.builds() {
            Json::Object(map)
        } else {
            Json::Null
        })
    }

    /// A block sequence whose dashes are at column `indent`, starting at line `first`.
    fn sequence(&mut self, indent: usize, first: usize, mode: Mode, depth: usize) -> R<Json> {
        if depth > MAX_DEPTH {
            return Err(Bail);
        }
        let build = mode.builds();
        let mut items = Vec::new();
        let mut l = first;
        loop {
            let line = &self.lines[l];
            if line.tab {
                return Err(Bail);
            }
            let after = &line.s[indent + 1..];
            let t = after.trim_start_matches(' ');
            self.pos = l + 1;
            if is_dash(t) {
                return Err(Bail);
            }
            let v = if !t.is_empty() && !t.starts_with('#') && entry_key(t)?.is_some() {
                let col = indent + 1 + (after.len() - t.len());
                self.mapping(col, l, col, mode, depth + 1)?
            } else {
                self.value(after, indent, Ctx::Seq, mode, depth + 1)?
            };
            if build {
                items.push(v);
            }
            match self.peek()? {
                None => break,
                Some(n) => {
                    let ln = &self.lines[n];
                    if ln.indent < indent {
                        break;
                    }
                    if ln.indent > indent {
                        return Err(Bail);
                    }
                    if !is_dash(ln.rest()) {
                        break;
                    }
                    l = n;
                }
            }
        }
        Ok(if build {
            Json::Array(items)
        } else {
            Json::Null
        })
    }

    /// A nested block collection starting at line `n`.
    fn node_at(&mut self, n: usize, mode: Mode, depth: usize) -> R<Json> {
        let line = &self.lines[n];
        let (indent, rest) = (line.indent, line.rest());
        if is_dash(rest) {
            self.sequence(indent, n, mode, depth)
        } else if entry_key(rest)?.is_some() {
            self.mapping(indent, n, indent, mode, depth)
        } else {
            Err(Bail)
        }
    }

    /// The node after `key:` or `-` (`after` is the rest of that line).
    fn value(&mut self, after: &str, parent: usize, ctx: Ctx, mode: Mode, depth: usize) -> R<Json> {
        let t = after.trim_start_matches(' ');
        if t.is_empty() || (t.starts_with('#') && t.len() < after.len()) {
            let mode = if mode == Mode::SkipTop {
                Mode::Skip
            } else {
                mode
            };
            let Some(n) = self.peek()? else {
                return Ok(Json::Null);
            };
            let ln = &self.lines[n];
            return if ln.indent > parent && ln.rest().starts_with(['{', '[']) {
                // A flow collection on its own line (`resources:\n  {}`).
                let (v, rest) = flow(ln.rest(), mode)?;
                if !only_comment(rest) {
                    return Err(Bail);
                }
                self.pos = n + 1;
                if let Some(m) = self.peek()?
                    && self.lines[m].indent > parent
                {
                    return Err(Bail);
                }
                Ok(v)
            } else if ln.indent > parent {
                self.node_at(n, mode, depth)
            } else if ctx == Ctx::Map && ln.indent == parent && is_dash(ln.rest()) {
                self.sequence(parent, n, mode, depth)
            } else {
                Ok(Json::Null)
            };
        }
        let build = mode.builds();
        let v = match t.as_bytes()[0] {
            b'"' | b'\'' => {
                let (s, rest) = quoted(t, build)?;
                if !only_comment(rest) {
                    return Err(Bail);
                }
                s.map(Json::String).unwrap_or(Json::Null)
            }
            b'{' | b'[' => {
                let mode = if mode == Mode::SkipTop {
                    Mode::Skip
                } else {
                    mode
                };
                let (v, rest) = flow(t, mode)?;
                if !only_comment(rest) {
                    return Err(Bail);
                }
                v
            }
            b'|' => return self.literal(t, parent, ctx, build),
            b'-' if t.len() > 1 && t.as_bytes()[1] != b' ' => plain(t, mode)?,
            b if is_indicator(b) => return Err(Bail),
            _ => plain(t, mode)?,
        };
        // A more indented line would continue a multi-line scalar (or be an error).
        if let Some(n) = self.peek()?
            && self.lines[n].indent > parent
        {
            return Err(Bail);
        }
        Ok(v)
    }

    /// A literal block scalar (`t` starts with `|`); its lines follow.
    fn literal(&mut self, t: &str, parent: usize, ctx: Ctx, build: bool) -> R<Json> {
        let hdr = &t[1..];
        let (chomp, rest) = match hdr.as_bytes().first() {
            Some(b'-') => (b'-', &hdr[1..]),
            Some(b'+') => (b'+', &hdr[1..]),
            _ => (b' ', hdr),
        };
        if !only_comment(rest) {
            return Err(Bail);
        }
        let min = match ctx {
            Ctx::Map => parent + 1,
            Ctx::Seq => parent + 2,
        };
        let blank = |s: &str| s.bytes().all(|b| b == b' ');
        let mut i = self.pos;
        let mut leading = 0usize;
        let mut leading_max = 0usize;
        while let Some(l) = self.lines.get(i)
            && blank(l.s)
        {
            leading += 1;
            leading_max = leading_max.max(l.s.len());
            i += 1;
        }
        let Some(first) = self.lines.get(i) else {
            return Err(Bail);
        };
        let m = first.indent;
        if m < min || leading_max > m || first.s.as_bytes().get(m) == Some(&b'\t') {
            return Err(Bail);
        }
        let mut out = build.then(String::new);
        let mut pending = leading;
        while let Some(l) = self.lines.get(i) {
            if blank(l.s) {
                if l.s.len() > m {
                    return Err(Bail);
                }
                pending += 1;
                i += 1;
                continue;
            }
            if l.indent < m {
                break;
            }
            if let Some(o) = out.as_mut() {
                for _ in 0..pending {
                    o.push('\n');
                }
                o.push_str(&l.s[m..]);
                o.push('\n');
            }
            pending = 0;
            i += 1;
        }
        // The last line without a line break: leave the chomping rules at
        // the end of input to the full loader.
        if build && i == self.lines.len() && !self.final_newline {
            return Err(Bail);
        }
        self.pos = i;
        let Some(mut o) = out else {
            return Ok(Json::Null);
        };
        match chomp {
            b'-' => {
                o.pop();
            }
            b'+' => {
                for _ in 0..pending {
                    o.push('\n');
                }
            }
            _ => {}
        }
        Ok(Json::String(o))
    }
}

/// A one-line plain scalar (`t` is the rest of the line, non-empty).
fn plain(t: &str, mode: Mode) -> R<Json> {
    let b = t.as_bytes();
    let mut end = b.len();
    for i in 1..b.len() {
        if b[i] == b'#' && b[i - 1] == b' ' {
            end = i;
            break;
        }
    }
    let s = t[..end].trim_end_matches(' ');
    if s.contains(": ") || s.ends_with(':') {
        return Err(Bail);
    }
    // Only numbers and `.inf`/`.nan`-like scalars can fail to convert.
    let check = match mode {
        Mode::Skip => s.starts_with(['.', '+', '-']),
        Mode::Check | Mode::SkipTop => s
            .as_bytes()
            .first()
            .is_some_and(|b| matches!(b, b'.' | b'+' | b'-' | b'0'..=b'9')),
        _ => return resolve_plain(s, 0).map_err(|_| Bail),
    };
    if check {
        resolve_plain(s, 0).map_err(|_| Bail)?;
    }
    Ok(Json::Null)
}

#[cfg(test)]
#[path = "../../tests/common/rng.rs"]
mod test_rng;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::test_rng::Rng;
    use super::*;
    use crate::yaml::{parse_full, parse_head_full, parse_values_full};

    /// The fast path either declines or agrees with the full loader.
    fn check(s: &str) -> (bool, bool) {
        let doc = document(s);
        if let Some(v) = &doc {
            assert_eq!(parse_full(s).as_ref(), Ok(v), "document differs for {s:?}");
            let want = match v {
                Json::Object(m) => m.clone(),
                _ => JsonMap::new(),
            };
            assert_eq!(parse_values_full(s), Ok(want), "values differ for {s:?}");
        }
        let h = head(s);
        if let Some(h) = &h {
            assert_eq!(parse_head_full(s).as_ref(), Ok(h), "head differs for {s:?}");
        }
        (doc.is_some(), h.is_some())
    }

    fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, ext, out);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }

    fn corpus_docs() -> Vec<String> {
        let t = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut paths = Vec::new();
        files(&t.join("expected"), "txt", &mut paths);
        let mut docs = Vec::new();
        for p in &paths {
            let text = std::fs::read_to_string(p).unwrap();
            docs.extend(
                crate::manifest::split_manifests(&text)
                    .into_iter()
                    .map(str::to_string),
            );
        }
        let mut ymls = Vec::new();
        files(&t.join("charts"), "yaml", &mut ymls);
        files(&t.join("cases"), "yaml", &mut ymls);
        for p in &ymls {
            docs.push(std::fs::read_to_string(p).unwrap());
        }
        docs
    }

    #[test]
    fn corpus_agrees_and_big_chart_takes_the_fast_path() {
        let docs = corpus_docs();
        assert!(docs.len() > 500, "{}", docs.len());
        let mut fast = 0;
        for d in &docs {
            if check(d).1 {
                fast += 1;
            } else if std::env::var_os("FAST_DEBUG").is_some() {
                eprintln!("=====\n{d}");
            }
        }
        // Nearly everything in the corpus is in the fast subset.
        assert!(fast * 10 > docs.len() * 9, "{fast} of {}", docs.len());
        let t = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let big = std::fs::read_to_string(t.join("expected/big/default.txt")).unwrap();
        for d in crate::manifest::split_manifests(&big) {
            assert!(
                head(d).is_some(),
                "big chart document not on the fast path: {d}"
            );
        }
        let values = std::fs::read_to_string(t.join("charts/big/values.yaml")).unwrap();
        assert!(document(&values).is_some());
    }

    const ADVERSARIAL: &[&str] = &[
        "",
        "\n\n",
        "# only a comment\n",
        "a: 1",
        "a: 1\n",
        "a: |\n  x\n",
        "a: |\n  x",
        "a: |-\n  x\n\n",
        "a: |+\n  x\n\n\n",
        "a: |+\n  x\n\n\nb: 1\n",
        "a: |\n\n  x\n\n  y\n\n",
        "a: |\n   \n  x\n",
        "a: |\n  x\n   \n  y\n",
        "a: |\n  x\n  # not a comment\n# a comment\nb: 2\n",
        "a: |\nb: 1\n",
        "a: | # c\n  x\n",
        "a: |# c\n  x\n",
        "a: |2\n  x\n",
        "a: >\n  x\n  y\n",
        "- |\n  x\n",
        "a:\n- |\n  x\n- |\n   y\n",
        "a:\n  - |\n   x\n",
        "a: 1\n  b: 2\n",
        "a: b\n  c\n",
        "a: b\n  # indented comment\nc: d\n",
        "a:\n  # c\n  b: 1\n",
        "a:\n- 1\n- 2\nb: 3\n",
        "a:\n  - 1\n  b: 2\n",
        "- a: 1\n  b: 2\n- c\n",
        "- a:\n  - x\n- b\n",
        "- - a\n",
        "-\n- a\n",
        "- \n  a: 1\n",
        "a: - b\n",
        "a: b: c\n",
        "a: b:\n",
        "a: b #: c\n",
        "a: b#c\n",
        "a: 'x'\n",
        "a: 'it''s'\n",
        "a: 'x' y\n",
        "a: 'x\n  y'\n",
        "a: \"x\\ny\\t\\u00e9\\x41\\U0001F600\\/\\\\\\\"\"\n",
        "a: \"bad \\q\"\n",
        "a: \"x\" # c\n",
        "a: \"x\"# c\n",
        "a: \"unterminated\n",
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: !!int \"1\"\n",
        "<<: {a: 1}\n",
        "a: .inf\n",
        "a: 1e999\n",
        "a: -.inf\n",
        "a: .nan\n",
        "a: 0x1F\nb: 010\nc: 1_000\nd: 0o17\ne: .5\nf: -1\ng: +1\nh: 08\n",
        "a: yes\nb: No\nc: ~\nd: null\ne: y\nf: n\ng: on\nh: OFF\n",
        "a: 2024-01-01\nb: 2024-01-01T10:00:00Z\nc: 1:30\n",
        "on: 1\n",
        "1: a\n",
        "null: 1\n",
        "~: 1\n",
        "a b: 1\n",
        "a#b: 1\n",
        "a:b: 1\n",
        "'a': 1\n",
        "\"a\": 1\n",
        "? a\n: 1\n",
        "a : 1\n",
        "a:\tb\n",
        "a:\n\tb: 1\n",
        "a: b\t\n",
        "a: b\r\n",
        "\u{feff}a: 1\n",
        "a: \u{1}\n",
        "a: é\n",
        "a: \u{85}\n",
        "---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\n",
        "%YAML 1.1\n---\na: 1\n",
        "a\n",
        "- a\n",
        "a: 1\na: 2\n",
        "kind: A\nkind: B\n",
        "metadata:\n  name: a\nmetadata:\n  namespace: b\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: y\n  annotations:\n    helm.sh/hook: pre-install\n    n: 1\n",
        "kind: 5\n",
        "metadata: []\n",
        "metadata: x\n",
        "metadata:\n  annotations: x\n",
        "metadata:\n  name: [a]\n",
        "kind: ConfigMap\ndata:\n  x: .inf\n",
        "kind: ConfigMap\ndata:\n  null: 1\n",
        "  a: 1\n  b: 2\n",
        "  a: 1\nb: 2\n",
        "a:\n    b: 1\n   c: 2\n",
        "a: `x`\n",
        "a: @x\n",
        "a: %x\n",
        "a: -x\n",
        "a: ?x\n",
        "a: :x\n",
        "a: x:\n",
        "a: http://x.y/z?q=1#f\n",
        "a: 'x'\n  b: 1\n",
        "metadata:\n  labels:\n    x: 1e999\n",
        "metadata:\n  labels:\n    x: .inf\n",
        "metadata:\n  labels: [1e999]\n",
        "metadata:\n  name: a\n  name: b\n",
        "metadata:\n  namespace: a\n  namespace: [x]\n",
        "metadata:\n  annotations:\n    a: b\n  annotations: x\n",
        "kind: A\nspec:\n  x: 1e999\n",
        "kind: A\nspec:\n  x: .inf\n",
        "kind: A\nspec: [1e999, .nan]\n",
        "metadata:\n  name: 1e999\n",
        "metadata:\n  annotations:\n    a: 1e999\n",
    ];

    #[test]
    fn adversarial_inputs_agree() {
        for s in ADVERSARIAL {
            check(s);
        }
        // The common cases do take the fast path.
        assert!(document("a: |\n  x\n").is_some());
        assert!(document("a:\n- 1\n- b: 2\n  c: 'x'\nd: \"y\"\n").is_some());
        assert!(head("kind: A\nmetadata:\n  name: b\nspec:\n  x: [1]\n").is_some());
        assert!(head("kind: A\nmetadata:\n  name: b\nspec:\n  x: [1, {a: 1}]\n").is_none());
    }

    const KEYS: &[&str] = &[
        "a",
        "b",
        "key",
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "namespace",
        "annotations",
        "helm.sh/hook",
        "labels",
        "x-y",
        "a.b/c",
        "k8s",
        "\"helm.sh/hook\"",
        "'k'",
        "\"kind\"",
    ];
    const ODD_KEYS: &[&str] = &[
        "on",
        "yes",
        "null",
        "1",
        "1.5",
        "0x1F",
        "~",
        "<<",
        "a b",
        "a#b",
        "a:b",
        "-a",
        "'q'",
        "\"dq\"",
        "[x]",
        "k ",
        "a #c",
        "&x",
        "!t",
        "?",
        "é",
        "true",
        "Null",
        "2024-01-01",
        "\"a\" ",
        "'a'b",
        "\"a\\\"b\"",
        "\"u",
        "{a}",
        "\"\"",
    ];
    const SCALARS: &[&str] = &[
        "v",
        "1",
        "-1",
        "1.5",
        "1e3",
        "010",
        "0o17",
        "0x1F",
        "1_000",
        "yes",
        "No",
        "~",
        "null",
        "true",
        "False",
        "2024-01-01",
        "1:30",
        "'s'",
        "'it''s'",
        "\"d\\n\\u00e9\\x41\"",
        "\"\"",
        "''",
        "foo bar",
        "a-b",
        "http://x/y#z",
        "v # comment",
        "é",
        "-x",
        ".5",
        "+1",
        "08",
        "{}",
        "[]",
        "[a, b]",
        "{a: 1, b: 'x'}",
        "[1, \"two\", 'three']",
        "[ -1 , .5 ]",
        "{ }",
    ];
    const ODD_SCALARS: &[&str] = &[
        "1e999",
        ".inf",
        "-.inf",
        ".nan",
        "\"bad\\q\"",
        "\"unterminated",
        "'unterminated",
        "a: b",
        "a:",
        "a #c",
        "a#c",
        "- x",
        "&a x",
        "*a",
        "!!str 1",
        "%x",
        "@x",
        "`x",
        ":x",
        "?x",
        "#c",
        "a\tb",
        "\u{85}",
        "'x' y",
        "\"x\"#c",
        "-",
        "'",
        "{a: [1]}",
        "[a,]",
        "{a:1}",
        "[a b]",
        "{on: 1}",
        "[a, {b: 1}]",
        "[a",
        "{a: 1",
        "[a]]",
        "[.inf]",
        "{\"k\": v}",
        "[a] x",
    ];
    const TEXT: &[&str] = &[
        "text",
        "# hash",
        "key: value",
        "- item",
        "  indented",
        "'q'",
        "\"dq\"",
        "---x",
        "a\tb",
        "|",
        ">",
        "{x}",
    ];

    fn indent(out: &mut String, n: usize) {
        for _ in 0..n {
            out.push(' ');
        }
    }

    fn jitter(r: &mut Rng, n: usize) -> usize {
        if r.chance(2) {
            (n + r.below(3)).saturating_sub(1)
        } else {
            n
        }
    }

    fn filler(r: &mut Rng, out: &mut String, ind: usize) {
        if r.chance(8) {
            indent(out, r.below(ind + 3));
            out.push_str("# comment\n");
        }
        if r.chance(6) {
            indent(out, r.below(4));
            out.push('\n');
        }
    }

    fn gen_block(r: &mut Rng, out: &mut String, parent: usize) {
        out.push('|');
        out.push_str(r.pick(&["", "", "", "-", "-", "+", "+", "2", ">"]));
        if r.chance(10) {
            out.push_str(" # c");
        }
        out.push('\n');
        let m = parent
            + r.pick(&["1", "2", "2", "2", "4", "0"])
                .parse::<usize>()
                .unwrap_or(2);
        for _ in 0..1 + r.below(4) {
            if r.chance(20) {
                indent(out, r.below(m + 3));
                out.push('\n');
                continue;
            }
            indent(out, if r.chance(10) { m + 1 + r.below(2) } else { m });
            out.push_str(r.pick(TEXT));
            out.push('\n');
        }
        if r.chance(20) {
            for _ in 0..r.below(3) {
                out.push('\n');
            }
        }
    }

    fn gen_value(r: &mut Rng, out: &mut String, parent: usize, depth: usize, in_map: bool) {
        let choice = if depth > 2 { r.below(2) } else { r.below(6) };
        match choice {
            0 => {
                out.push(' ');
                out.push_str(if r.chance(95) {
                    r.pick(SCALARS)
                } else {
                    r.pick(ODD_SCALARS)
                });
                if r.chance(4) {
                    out.push_str(r.pick(&[" # c", "#c", " x", ": y"]));
                }
                if r.chance(5) {
                    out.push_str("  ");
                }
                out.push('\n');
                if r.chance(3) {
                    indent(out, parent + 2);
                    out.push_str("continued\n");
                }
            }
            1 if r.chance(50) => out.push('\n'),
            1 => {
                out.push('\n');
                indent(out, jitter(r, parent + 2));
                out.push_str(r.pick(&["{}", "[]", "[a, b]", "{a: 1}", "{} # c", "[x] y"]));
                out.push('\n');
            }
            2 => {
                out.push(' ');
                gen_block(r, out, parent);
            }
            3 | 4 => {
                if r.chance(10) {
                    out.push_str(" # c");
                }
                out.push('\n');
                filler(r, out, parent);
                let step = if in_map && r.chance(40) { 0 } else { 2 };
                let ind = jitter(r, parent + step);
                if step == 0 || r.chance(50) {
                    gen_seq(r, out, ind, depth + 1);
                } else {
                    gen_map(r, out, ind, depth + 1, false);
                }
            }
            _ => {
                out.push('\n');
                let ind = jitter(r, parent + 2);
                gen_map(r, out, ind, depth + 1, false);
            }
        }
    }

    fn gen_map(r: &mut Rng, out: &mut String, ind: usize, depth: usize, inline_first: bool) {
        for i in 0..1 + r.below(3) {
            if i > 0 || !inline_first {
                filler(r, out, ind);
                indent(out, jitter(r, ind));
            }
            out.push_str(if r.chance(97) {
                r.pick(KEYS)
            } else {
                r.pick(ODD_KEYS)
            });
            out.push(':');
            gen_value(r, out, ind, depth, true);
        }
    }

    fn gen_seq(r: &mut Rng, out: &mut String, ind: usize, depth: usize) {
        for _ in 0..1 + r.below(3) {
            filler(r, out, ind);
            indent(out, jitter(r, ind));
            out.push('-');
            match r.below(5) {
                0 | 1 => {
                    let sp = 1 + usize::from(r.chance(10));
                    indent(out, sp);
                    gen_map(r, out, ind + 1 + sp, depth + 1, true);
                }
                2 if r.chance(10) => {
                    out.push(' ');
                    gen_seq(r, out, ind + 2, depth + 1);
                }
                _ => gen_value(r, out, ind, depth, false),
            }
        }
    }

    #[test]
    fn generated_documents_agree() {
        // FAST_YAML_ITERS / FAST_YAML_SEED: longer or different runs by hand.
        let iters = std::env::var("FAST_YAML_ITERS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20_000);
        let seed = std::env::var("FAST_YAML_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        let mut r = Rng(seed);
        let (mut n, mut fast) = (0, 0);
        for _ in 0..iters {
            let mut s = String::new();
            if r.chance(10) {
                s.push_str("# leading comment\n");
            }
            gen_map(&mut r, &mut s, 0, 0, false);
            if r.chance(20) {
                s.pop();
            }
            let (d, _) = check(&s);
            n += 1;
            fast += usize::from(d);
        }
        // The generator must exercise the fast path, not only the fallback.
        eprintln!("{fast} of {n} generated documents took the fast path");
        assert!(
            fast * 5 > n,
            "only {fast} of {n} generated documents took the fast path"
        );
    }

    #[test]
    fn mutated_corpus_documents_agree() {
        let docs = corpus_docs();
        let mut r = Rng(0x2545_F491_4F6C_DD1D);
        let edits: &[&str] = &[
            " ", "  ", "\n", ":", "- ", "#", " #", "'", "\"", "|", "\t", "x", "{", "&a ", "\n  ",
            "\\",
        ];
        let (mut n, mut fast) = (0, 0);
        for _ in 0..6_000 {
            let d = &docs[r.below(docs.len())];
            if d.is_empty() || d.len() > 20_000 {
                continue;
            }
            let mut s = d.clone();
            for _ in 0..1 + r.below(3) {
                let mut at = r.below(s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                if r.chance(40) {
                    let mut end = (at + 1 + r.below(4)).min(s.len());
                    while !s.is_char_boundary(end) {
                        end += 1;
                    }
                    s.replace_range(at..end, "");
                } else {
                    s.insert_str(at, r.pick(edits));
                }
            }
            let (d, h) = check(&s);
            n += 1;
            fast += usize::from(d || h);
        }
        assert!(
            fast * 5 > n,
            "only {fast} of {n} mutated documents took the fast path"
        );
    }
}
