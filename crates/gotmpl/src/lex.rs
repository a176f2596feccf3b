//! The lexer: a direct port of Go's `text/template/parse/lex.go`, producing a
//! token vector instead of a channel. Positions are byte offsets into the text.

use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords (Go: item > itemKeyword).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Range,
    Nil,
    Template,
    With,
}

impl Tok {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Dot
                | Tok::Define
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Range
                | Tok::Nil
                | Tok::Template
                | Tok::With
        )
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Item<'a> {
    pub typ: Tok,
    pub pos: usize,
    /// The token text (for errors: the message).
    pub val: Cow<'a, str>,
    pub line: usize,
}

impl std::fmt::Display for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            Tok::Eof => f.write_str("EOF"),
            Tok::Error => f.write_str(&self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    // Go: fmt.Sprintf("%.10q...", i.val)
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", crate::gofmt::quote_go(&head))
                } else {
                    f.write_str(&crate::gofmt::quote_go(&self.val))
                }
            }
        }
    }
}

const TRIM_MARKER: u8 = b'-';
const TRIM_MARKER_LEN: usize = 2;

fn is_space_b(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || is_go_digit(c)
}

/// Go's unicode.IsDigit (Nd); `char::is_numeric` is wider (No, Nl).
fn is_go_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    // Good approximation of Nd for non-ASCII: decimal digits have a to_digit
    // in no radix, so accept numeric chars that are not letters-like numbers.
    c.is_numeric()
        && !matches!(
            c,
            '\u{00B2}' | '\u{00B3}' | '\u{00B9}' | '\u{00BC}'..='\u{00BE}'
        )
}

fn has_left_trim(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == TRIM_MARKER && is_space_b(s[1])
}

fn has_right_trim(s: &[u8]) -> bool {
    s.len() >= 2 && is_space_b(s[0]) && s[1] == TRIM_MARKER
}

pub(crate) struct Lexer<'a> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    pos: usize,
    start: usize,
    items: Vec<Item<'a>>,
    paren_depth: i32,
    /// Line number at byte `line_pos` (see `line_at`).
    line: usize,
    line_pos: usize,
    break_ok: bool,
    continue_ok: bool,
}

enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Done,
}

pub(crate) fn lex<'a>(
    input: &'a str,
    left: &'a str,
    right: &'a str,
    break_ok: bool,
    continue_ok: bool,
) -> Vec<Item<'a>> {
    let left = if left.is_empty() { "{{" } else { left };
    let right = if right.is_empty() { "}}" } else { right };
    let mut l = Lexer {
        input,
        left,
        right,
        pos: 0,
        start: 0,
        items: Vec::new(),
        paren_depth: 0,
        line: 1,
        line_pos: 0,
        break_ok,
        continue_ok,
    };
    let mut state = State::Text;
    loop {
        state = match state {
            State::Text => l.lex_text(),
            State::LeftDelim => l.lex_left_delim(),
            State::Comment => l.lex_comment(),
            State::RightDelim => l.lex_right_delim(),
            State::InsideAction => l.lex_inside_action(),
            State::Done => break,
        };
    }
    l.items
}

impl<'a> Lexer<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.input.as_bytes()
    }

    /// Line of `pos`, counting newlines incrementally: positions only move
    /// forward between calls, so lexing stays linear.
    fn line_at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.input.len());
        if pos >= self.line_pos {
            self.line += self.bytes()[self.line_pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        } else {
            self.line -= self.bytes()[pos..self.line_pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        }
        self.line_pos = pos;
        self.line
    }

    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn emit_at(&mut self, typ: Tok, start: usize, end: usize) {
        let line = self.line_at(start);
        self.items.push(Item {
            typ,
            pos: start,
            val: Cow::Borrowed(&self.input[start..end]),
            line,
        });
    }

    fn emit(&mut self, typ: Tok) {
        self.emit_at(typ, self.start, self.pos);
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn errorf(&mut self, msg: String) -> State {
        let line = self.line_at(self.start);
        self.items.push(Item {
            typ: Tok::Error,
            pos: self.start,
            val: Cow::Owned(msg),
            line,
        });
        State::Done
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek()
            && valid.contains(c)
        {
            self.pos += c.len_utf8();
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.bytes()[self.pos..];
        if has_right_trim(rest) && rest[TRIM_MARKER_LEN..].starts_with(self.right.as_bytes()) {
            return (true, true);
        }
        if rest.starts_with(self.right.as_bytes()) {
            return (true, false);
        }
        (false, false)
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if c == ' ' || c == '\t' || c == '\r' || c == '\n' => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.input[self.pos..].starts_with(self.right),
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.input[self.pos..].find(self.left) {
            if x > 0 {
                self.pos += x;
                let delim_end = self.pos + self.left.len();
                let mut trim = 0;
                if has_left_trim(&self.bytes()[delim_end..]) {
                    let s = &self.input[self.start..self.pos];
                    trim = s.len() - s.trim_end_matches([' ', '\t', '\r', '\n']).len();
                }
                let end = self.pos - trim;
                if end > self.start {
                    self.emit_at(Tok::Text, self.start, end);
                }
                self.start = self.pos;
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(Tok::Text);
        }
        self.emit(Tok::Eof);
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += self.left.len();
        let trim = has_left_trim(&self.bytes()[self.pos..]);
        let after = if trim { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after..].starts_with("/*") {
            self.pos += after;
            self.ignore();
            return State::Comment;
        }
        self.emit(Tok::LeftDelim);
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    fn lex_comment(&mut self) -> State {
        self.pos += 2;
        let Some(x) = self.input[self.pos..].find("*/") else {
            return self.errorf("unclosed comment".into());
        };
        self.pos += x + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += self.right.len();
        if trim {
            let s = &self.input[self.pos..];
            self.pos += s.len() - s.trim_start_matches([' ', '\t', '\r', '\n']).len();
        }
        self.ignore();
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += self.right.len();
        self.emit(Tok::RightDelim);
        if trim {
            let s = &self.input[self.pos..];
            self.pos += s.len() - s.trim_start_matches([' ', '\t', '\r', '\n']).len();
            self.ignore();
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        loop {
            let (delim, _) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    return State::RightDelim;
                }
                return self.errorf("unclosed left paren".into());
            }
            let Some(r) = self.next() else {
                return self.errorf("unclosed action".into());
            };
            match r {
                ' ' | '\t' | '\r' | '\n' => {
                    self.pos -= 1;
                    if let Some(s) = self.lex_space() {
                        return s;
                    }
                }
                '=' => self.emit(Tok::Assign),
                ':' => {
                    if self.next() != Some('=') {
                        return self.errorf("expected :=".into());
                    }
                    self.emit(Tok::Declare);
                }
                '|' => self.emit(Tok::Pipe),
                '"' => {
                    if let Some(s) = self.lex_quote() {
                        return s;
                    }
                }
                '`' => {
                    if let Some(s) = self.lex_raw_quote() {
                        return s;
                    }
                }
                '$' => {
                    if let Some(s) = self.lex_variable() {
                        return s;
                    }
                }
                '\'' => {
                    if let Some(s) = self.lex_char() {
                        return s;
                    }
                }
                '.' if self.pos < self.input.len() && !self.bytes()[self.pos].is_ascii_digit() => {
                    if let Some(s) = self.lex_field_or_variable(Tok::Field) {
                        return s;
                    }
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    if let Some(s) = self.lex_number() {
                        return s;
                    }
                }
                c if is_alnum(c) => {
                    self.pos -= c.len_utf8();
                    if let Some(s) = self.lex_identifier() {
                        return s;
                    }
                }
                '(' => {
                    self.paren_depth += 1;
                    self.emit(Tok::LeftParen);
                }
                ')' => {
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.errorf("unexpected right paren".into());
                    }
                    self.emit(Tok::RightParen);
                }
                c if c.is_ascii() && !c.is_ascii_control() => self.emit(Tok::Char),
                c => {
                    return self.errorf(format!(
                        "unrecognized character in action: {}",
                        crate::gofmt::fmt_sharp_u(c)
                    ));
                }
            }
        }
    }

    /// Returns Some(state) to switch state, None to continue inside the action.
    fn lex_space(&mut self) -> Option<State> {
        let mut n = 0;
        while let Some(c) = self.peek() {
            if !matches!(c, ' ' | '\t' | '\r' | '\n') {
                break;
            }
            self.pos += 1;
            n += 1;
        }
        let b = self.bytes();
        if has_right_trim(&b[self.pos - 1..])
            && b[self.pos - 1 + TRIM_MARKER_LEN..].starts_with(self.right.as_bytes())
        {
            self.pos -= 1;
            if n == 1 {
                return Some(State::RightDelim);
            }
        }
        self.emit(Tok::Space);
        None
    }

    fn lex_identifier(&mut self) -> Option<State> {
        loop {
            match self.peek() {
                Some(c) if is_alnum(c) => {
                    self.pos += c.len_utf8();
                }
                r => {
                    if !self.at_terminator() {
                        let c = r.unwrap_or('\u{FFFD}');
                        self.next();
                        return Some(
                            self.errorf(format!("bad character {}", crate::gofmt::fmt_sharp_u(c))),
                        );
                    }
                    let word = &self.input[self.start..self.pos];
                    let typ = match word {
                        "block" => Tok::Block,
                        "break" if self.break_ok => Tok::Break,
                        "continue" if self.continue_ok => Tok::Continue,
                        "define" => Tok::Define,
                        "else" => Tok::Else,
                        "end" => Tok::End,
                        "if" => Tok::If,
                        "range" => Tok::Range,
                        "nil" => Tok::Nil,
                        "template" => Tok::Template,
                        "with" => Tok::With,
                        "true" | "false" => Tok::Bool,
                        _ => Tok::Identifier,
                    };
                    self.emit(typ);
                    return None;
                }
            }
        }
    }

    fn lex_variable(&mut self) -> Option<State> {
        if self.at_terminator() {
            self.emit(Tok::Variable);
            return None;
        }
        self.lex_field_or_variable(Tok::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: Tok) -> Option<State> {
        if self.at_terminator() {
            self.emit(if typ == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            });
            return None;
        }
        let mut r;
        loop {
            r = self.peek();
            match r {
                Some(c) if is_alnum(c) => self.pos += c.len_utf8(),
                _ => break,
            }
        }
        if !self.at_terminator() {
            let c = r.unwrap_or('\u{FFFD}');
            self.next();
            return Some(self.errorf(format!("bad character {}", crate::gofmt::fmt_sharp_u(c))));
        }
        self.emit(typ);
        None
    }

    fn lex_char(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    None | Some('\n') => {
                        return Some(self.errorf("unterminated character constant".into()));
                    }
                    _ => {}
                },
                None | Some('\n') => {
                    return Some(self.errorf("unterminated character constant".into()));
                }
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(Tok::CharConstant);
        None
    }

    fn lex_number(&mut self) -> Option<State> {
        if !self.scan_number() {
            let msg = format!(
                "bad number syntax: {}",
                crate::gofmt::quote_go(&self.input[self.start..self.pos])
            );
            return Some(self.errorf(msg));
        }
        if let Some('+' | '-') = self.peek() {
            if !self.scan_number() || self.bytes()[self.pos - 1] != b'i' {
                let msg = format!(
                    "bad number syntax: {}",
                    crate::gofmt::quote_go(&self.input[self.start..self.pos])
                );
                return Some(self.errorf(msg));
            }
            self.emit(Tok::Complex);
            return None;
        }
        self.emit(Tok::Number);
        None
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek()
            && is_alnum(c)
        {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    None | Some('\n') => {
                        return Some(self.errorf("unterminated quoted string".into()));
                    }
                    _ => {}
                },
                None | Some('\n') => return Some(self.errorf("unterminated quoted string".into())),
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(Tok::String);
        None
    }

    fn lex_raw_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                None => return Some(self.errorf("unterminated raw quoted string".into())),
                Some('`') => break,
                _ => {}
            }
        }
        self.emit(Tok::RawString);
        None
    }
}
