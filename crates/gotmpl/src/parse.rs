//! The parser: a port of Go's `text/template/parse/parse.go` and `node.go`.
//! Nodes keep byte positions; line and column are computed only for errors.

use std::{borrow::Cow, fmt::Write as _, sync::Arc};

use crate::{
    FuncMap, Function,
    lex::{Item, Tok, lex},
};

/// Go's `maxStackDepth` for nested parenthesised pipelines.
const MAX_STACK_DEPTH: usize = 10000;

/// A parsed template: Go's `*parse.Tree`.
pub(crate) struct Tree {
    /// The template's name (the `define` name or the file name).
    pub name: Arc<str>,
    /// Name of the top-level template that was parsed (the file).
    pub parse_name: Arc<str>,
    /// The whole parsed text, for line/column in errors.
    pub text: Arc<str>,
    pub root: Vec<Node>,
}

impl Tree {
    /// Go's `ErrorContext`: `name:line:col` (col is the 0-based byte offset in the line).
    pub fn location(&self, pos: usize) -> (usize, usize) {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let col = match before.iter().rposition(|&b| b == b'\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        (line, col)
    }
}

/// Whether a list holds only whitespace text and comments (Go's IsEmptyTree).
pub(crate) fn is_empty_tree(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(_, t) => t.trim().is_empty(),
        _ => false,
    })
}

pub(crate) enum Node {
    Text(usize, Arc<str>),
    Action(Box<Pipe>),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(usize),
    Continue(usize),
}

pub(crate) struct Branch {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

pub(crate) struct TemplateCall {
    pub pos: usize,
    pub name: Arc<str>,
    pub pipe: Option<Pipe>,
}

pub(crate) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<(usize, Arc<str>)>,
    pub cmds: Vec<Command>,
}

pub(crate) struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// A function an identifier resolves to (resolved at parse time: Go checks
/// function names when parsing, and the FuncMap is fixed per template set).
#[derive(Clone)]
pub(crate) enum Callee {
    Builtin(Builtin),
    Func(Arc<dyn Function>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Html,
    Js,
    Urlquery,
    Call,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Builtin {
    fn from_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "len" => Builtin::Len,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "html" => Builtin::Html,
            "js" => Builtin::Js,
            "urlquery" => Builtin::Urlquery,
            "call" => Builtin::Call,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            _ => return None,
        })
    }
}

pub(crate) fn resolve(funcs: &FuncMap, name: &str) -> Option<Callee> {
    if let Some(f) = funcs.get(name) {
        return Some(Callee::Func(f.clone()));
    }
    Builtin::from_name(name).map(Callee::Builtin)
}

pub(crate) enum Arg {
    Ident {
        pos: usize,
        name: Arc<str>,
        callee: Callee,
    },
    Field {
        pos: usize,
        idents: Vec<Arc<str>>,
    },
    /// `$x.a.b`: idents[0] is `$x`.
    Var {
        pos: usize,
        idents: Vec<Arc<str>>,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<Number>),
    String {
        pos: usize,
        quoted: Arc<str>,
        text: Arc<str>,
    },
    Pipe(Box<Pipe>),
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<Arc<str>>,
    },
}

/// Go's NumberNode.
pub(crate) struct Number {
    pub text: String,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub is_complex: bool,
    pub int: i64,
    pub float: f64,
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Ident { pos, .. }
            | Arg::Field { pos, .. }
            | Arg::Var { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _)
            | Arg::String { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }

    pub fn write_to(&self, s: &mut String) {
        match self {
            Arg::Ident { name, .. } => s.push_str(name),
            Arg::Field { idents, .. } => {
                for i in idents {
                    s.push('.');
                    s.push_str(i);
                }
            }
            Arg::Var { idents, .. } => {
                for (n, i) in idents.iter().enumerate() {
                    if n > 0 {
                        s.push('.');
                    }
                    s.push_str(i);
                }
            }
            Arg::Dot(_) => s.push('.'),
            Arg::Nil(_) => s.push_str("nil"),
            Arg::Bool(_, b) => s.push_str(if *b { "true" } else { "false" }),
            Arg::Number(_, n) => s.push_str(&n.text),
            Arg::String { quoted, .. } => s.push_str(quoted),
            Arg::Pipe(p) => stacker::maybe_grow(RED_ZONE, SEGMENT, || p.write_to(s)),
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(_) = **node {
                    s.push('(');
                    node.write_to(s);
                    s.push(')');
                } else {
                    node.write_to(s);
                }
                for f in fields {
                    s.push('.');
                    s.push_str(f);
                }
            }
        }
    }

    pub fn to_go_string(&self) -> String {
        let mut s = String::new();
        self.write_to(&mut s);
        s
    }

    fn type_name(&self) -> &'static str {
        match self {
            Arg::Bool(..) => "bool",
            Arg::String { .. } => "string",
            Arg::Number(..) => "number",
            Arg::Nil(_) => "nil",
            Arg::Dot(_) => "dot",
            _ => "other",
        }
    }
}

// Deeply nested trees (parentheses, control structures) would recurse once
// per level when dropped or printed; run those recursions on stack segments
// that grow on demand so no input can overflow the thread's stack.
const RED_ZONE: usize = 64 * 1024;
const SEGMENT: usize = 1024 * 1024;

impl Drop for Pipe {
    fn drop(&mut self) {
        let cmds = std::mem::take(&mut self.cmds);
        stacker::maybe_grow(RED_ZONE, SEGMENT, move || drop(cmds));
    }
}

impl Drop for Branch {
    fn drop(&mut self) {
        let list = std::mem::take(&mut self.list);
        let else_list = self.else_list.take();
        stacker::maybe_grow(RED_ZONE, SEGMENT, move || drop((list, else_list)));
    }
}

impl Command {
    pub fn write_to(&self, s: &mut String) {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            if let Arg::Pipe(p) = a {
                s.push('(');
                stacker::maybe_grow(RED_ZONE, SEGMENT, || p.write_to(s));
                s.push(')');
            } else {
                a.write_to(s);
            }
        }
    }
}

impl Pipe {
    pub fn write_to(&self, s: &mut String) {
        if !self.decl.is_empty() {
            for (i, (_, v)) in self.decl.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(v);
            }
            s.push_str(if self.is_assign { " = " } else { " := " });
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                s.push_str(" | ");
            }
            c.write_to(s);
        }
    }
}

pub(crate) fn write_list(nodes: &[Node], s: &mut String) {
    for n in nodes {
        stacker::maybe_grow(RED_ZONE, SEGMENT, || write_node(n, s));
    }
}

pub(crate) fn write_node(n: &Node, s: &mut String) {
    match n {
        Node::Text(_, t) => s.push_str(t),
        Node::Action(p) => {
            s.push_str("{{");
            p.write_to(s);
            s.push_str("}}");
        }
        Node::If(b) | Node::Range(b) | Node::With(b) => {
            let kw = match n {
                Node::If(_) => "if",
                Node::Range(_) => "range",
                _ => "with",
            };
            let _ = write!(s, "{{{{{kw} ");
            b.pipe.write_to(s);
            s.push_str("}}");
            write_list(&b.list, s);
            if let Some(e) = &b.else_list {
                s.push_str("{{else}}");
                write_list(e, s);
            }
            s.push_str("{{end}}");
        }
        Node::Template(t) => {
            let _ = write!(s, "{{{{template {}", crate::gofmt::quote_go(&t.name));
            if let Some(p) = &t.pipe {
                s.push(' ');
                p.write_to(s);
            }
            s.push_str("}}");
        }
        Node::Break(_) => s.push_str("{{break}}"),
        Node::Continue(_) => s.push_str("{{continue}}"),
    }
}

/// A named tree produced by a parse.
pub(crate) type Def = (Arc<str>, Vec<Node>);

/// A parse failure: line and message (the caller adds the template name).
#[derive(Debug)]
pub(crate) struct ParseError {
    pub line: usize,
    pub message: String,
}

type PResult<T> = Result<T, ParseError>;

/// What control node ended an item list.
enum End {
    End,
    Else,
}

pub(crate) struct Parser<'a> {
    items: Vec<Item<'a>>,
    idx: usize,
    funcs: &'a FuncMap,
    parse_name: Arc<str>,
    vars: Vec<String>,
    range_depth: usize,
    stack_depth: usize,
    action_line: usize,
    last_line: usize,
    /// Trees defined by this parse, in definition order.
    pub defs: Vec<(Arc<str>, Vec<Node>)>,
}

/// Parses `text` as template `name`. Returns every tree of the text (the
/// top level named `name`, then the `define`d/`block` ones) and the text.
pub(crate) fn parse(
    name: &str,
    text: &str,
    left: &str,
    right: &str,
    funcs: &FuncMap,
) -> PResult<(Vec<Def>, Arc<str>)> {
    let items = lex(
        text,
        left,
        right,
        !funcs.contains("break"),
        !funcs.contains("continue"),
    );
    let mut p = Parser {
        items,
        idx: 0,
        funcs,
        parse_name: Arc::from(name),
        vars: vec!["$".into()],
        range_depth: 0,
        stack_depth: 0,
        action_line: 0,
        last_line: 1,
        defs: Vec::new(),
    };
    let root = p.parse_top()?;
    p.add_def(Arc::from(name), root)?;
    Ok((p.defs, Arc::from(text)))
}

fn unquote(s: &str) -> Result<String, String> {
    crate::strlit::unquote(s)
}

impl<'a> Parser<'a> {
    fn eof_item(&self) -> Item<'a> {
        let pos = self.items.last().map(|i| i.pos).unwrap_or(0);
        Item {
            typ: Tok::Eof,
            pos,
            val: Cow::Borrowed(""),
            line: self.last_line,
        }
    }

    fn next(&mut self) -> Item<'a> {
        let it = match self.items.get(self.idx) {
            Some(it) => it.clone(),
            None => self.eof_item(),
        };
        if self.idx < self.items.len() {
            self.idx += 1;
        }
        self.last_line = it.line;
        it
    }

    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    fn peek(&self) -> Item<'a> {
        match self.items.get(self.idx) {
            Some(it) => it.clone(),
            None => self.eof_item(),
        }
    }

    fn peek_typ(&self) -> Tok {
        self.items.get(self.idx).map(|i| i.typ).unwrap_or(Tok::Eof)
    }

    fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let t = self.next();
            if t.typ != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'a> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn errorf<T>(&self, msg: String) -> PResult<T> {
        Err(ParseError {
            line: self.last_line,
            message: msg,
        })
    }

    fn unexpected<T>(&self, token: &Item, context: &str) -> PResult<T> {
        if token.typ == Tok::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if token.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{token}{extra}"));
        }
        self.errorf(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, typ: Tok, context: &str) -> PResult<Item<'a>> {
        let t = self.next_non_space();
        if t.typ != typ {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek_typ() != Tok::Eof {
            if self.peek_typ() == Tok::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().typ == Tok::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                Parsed::End => return self.errorf("unexpected {{end}}".into()),
                Parsed::Else => return self.errorf("unexpected {{else}}".into()),
            }
        }
        Ok(root)
    }

    fn add_def(&mut self, name: Arc<str>, list: Vec<Node>) -> PResult<()> {
        if let Some(i) = self.defs.iter().position(|(n, _)| *n == name) {
            if is_empty_tree(&self.defs[i].1) {
                self.defs[i].1 = list;
                return Ok(());
            }
            if !is_empty_tree(&list) {
                return self.errorf(format!(
                    "template: multiple definition of template {}",
                    crate::gofmt::quote_go(&name)
                ));
            }
            return Ok(());
        }
        self.defs.push((name, list));
        Ok(())
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let name = self.next_non_space();
        if name.typ != Tok::String && name.typ != Tok::RawString {
            return self.unexpected(&name, CONTEXT);
        }
        let name = match unquote(&name.val) {
            Ok(s) => s,
            Err(e) => return self.errorf(e),
        };
        self.expect(Tok::RightDelim, CONTEXT)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let End::Else = end {
            return self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        self.add_def(Arc::from(name), list)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, End)> {
        let mut list = Vec::new();
        while self.peek_non_space().typ != Tok::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                Parsed::End => return Ok((list, End::End)),
                Parsed::Else => return Ok((list, End::Else)),
            }
        }
        self.errorf("unexpected EOF".into())
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            Tok::Text => Ok(Parsed::Node(Node::Text(token.pos, Arc::from(&*token.val)))),
            Tok::LeftDelim => {
                self.action_line = token.line;
                let r = stacker::maybe_grow(RED_ZONE, SEGMENT, || self.action());
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&token, "input"),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            Tok::Block => return self.block_control().map(Parsed::Node),
            Tok::Break | Tok::Continue => {
                let is_break = token.typ == Tok::Break;
                let ctx = if is_break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let t = self.next_non_space();
                if t.typ != Tok::RightDelim {
                    return self.unexpected(&t, ctx);
                }
                if self.range_depth == 0 {
                    return self.errorf(format!("{ctx} outside {{{{range}}}}"));
                }
                return Ok(Parsed::Node(if is_break {
                    Node::Break(token.pos)
                } else {
                    Node::Continue(token.pos)
                }));
            }
            Tok::Else => return self.else_control(),
            Tok::End => {
                self.expect(Tok::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            Tok::If => {
                return self
                    .branch("if")
                    .map(|b| Parsed::Node(Node::If(Box::new(b))));
            }
            Tok::Range => {
                return self
                    .branch("range")
                    .map(|b| Parsed::Node(Node::Range(Box::new(b))));
            }
            Tok::With => {
                return self
                    .branch("with")
                    .map(|b| Parsed::Node(Node::With(Box::new(b))));
            }
            Tok::Template => return self.template_control().map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Tok::RightDelim)?;
        Ok(Parsed::Node(Node::Action(Box::new(pipe))))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == Tok::If || peek.typ == Tok::With {
            return Ok(Parsed::Else);
        }
        self.expect(Tok::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn branch(&mut self, context: &str) -> PResult<Branch> {
        let nvars = self.vars.len();
        let r = self.branch_inner(context);
        self.vars.truncate(nvars);
        r
    }

    fn branch_inner(&mut self, context: &str) -> PResult<Branch> {
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let End::Else = next {
            if context == "if" && self.peek_typ() == Tok::If {
                self.next();
                let b = self.branch("if")?;
                else_list = Some(vec![Node::If(Box::new(b))]);
            } else if context == "with" && self.peek_typ() == Tok::With {
                self.next();
                let b = self.branch("with")?;
                else_list = Some(vec![Node::With(Box::new(b))]);
            } else {
                let (l, n) = self.item_list()?;
                if let End::Else = n {
                    return self.errorf("expected end; found {{else}}".into());
                }
                else_list = Some(l);
            }
        }
        Ok(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn parse_template_name(&mut self, token: &Item, context: &str) -> PResult<String> {
        match token.typ {
            Tok::String | Tok::RawString => match unquote(&token.val) {
                Ok(s) => Ok(s),
                Err(e) => self.errorf(e),
            },
            _ => self.unexpected(token, context),
        }
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Tok::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        let (list, end) = r?;
        if let End::Else = end {
            return self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        let name: Arc<str> = Arc::from(name);
        self.add_def(name.clone(), list)?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        })))
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != Tok::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Tok::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: token.pos,
            name: Arc::from(name),
            pipe,
        })))
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        'decls: loop {
            let v = self.peek_non_space();
            let v_idx = self.idx;
            if v.typ == Tok::Variable {
                self.next_non_space();
                let token_after = self.peek();
                let next = self.peek_non_space();
                if next.typ == Tok::Assign || next.typ == Tok::Declare {
                    pipe.is_assign = next.typ == Tok::Assign;
                    self.next_non_space();
                    pipe.decl.push((v.pos, Arc::from(&*v.val)));
                    self.vars.push(v.val.to_string());
                } else if next.typ == Tok::Char && next.val == "," {
                    self.next_non_space();
                    pipe.decl.push((v.pos, Arc::from(&*v.val)));
                    self.vars.push(v.val.to_string());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().typ {
                            Tok::Variable | Tok::RightDelim | Tok::RightParen => continue 'decls,
                            _ => return self.errorf("range can only initialize variables".into()),
                        }
                    }
                    return self.errorf(format!("too many declarations in {context}"));
                } else {
                    let _ = token_after;
                    self.idx = v_idx;
                }
            }
            break;
        }
        loop {
            let token = self.next_non_space();
            if token.typ == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match token.typ {
                Tok::Bool
                | Tok::CharConstant
                | Tok::Complex
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable
                | Tok::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&token, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if let Some(
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String { .. },
            ) = c.args.first()
            {
                return self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let token = self.next();
            match token.typ {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&token, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.errorf("empty command".into());
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek_typ() == Tok::Field {
            let pos = self.peek().pos;
            let mut fields: Vec<Arc<str>> = Vec::new();
            while self.peek_typ() == Tok::Field {
                let f = self.next();
                fields.push(Arc::from(&f.val[1..]));
            }
            return Ok(Some(match node {
                Arg::Field { mut idents, .. } => {
                    idents.extend(fields);
                    Arg::Field { pos, idents }
                }
                Arg::Var { mut idents, .. } => {
                    idents.extend(fields);
                    Arg::Var { pos, idents }
                }
                Arg::Bool(..)
                | Arg::String { .. }
                | Arg::Number(..)
                | Arg::Nil(_)
                | Arg::Dot(_) => {
                    let _ = node.type_name();
                    return self.errorf(format!(
                        "unexpected . after term {}",
                        crate::gofmt::quote_go(&node.to_go_string())
                    ));
                }
                other => Arg::Chain {
                    pos,
                    node: Box::new(other),
                    fields,
                },
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        Ok(Some(match token.typ {
            Tok::Identifier => {
                let Some(callee) = resolve(self.funcs, &token.val) else {
                    return self.errorf(format!(
                        "function {} not defined",
                        crate::gofmt::quote_go(&token.val)
                    ));
                };
                Arg::Ident {
                    pos,
                    name: Arc::from(&*token.val),
                    callee,
                }
            }
            Tok::Dot => Arg::Dot(pos),
            Tok::Nil => Arg::Nil(pos),
            Tok::Variable => {
                let idents: Vec<Arc<str>> = split_var(&token.val);
                if !self.vars.iter().any(|v| **v == *idents[0]) {
                    return self.errorf(format!(
                        "undefined variable {}",
                        crate::gofmt::quote_go(&idents[0])
                    ));
                }
                Arg::Var { pos, idents }
            }
            Tok::Field => Arg::Field {
                pos,
                idents: token.val[1..].split('.').map(Arc::from).collect(),
            },
            Tok::Bool => Arg::Bool(pos, token.val == "true"),
            Tok::CharConstant | Tok::Complex | Tok::Number => {
                match new_number(&token.val, token.typ) {
                    Ok(n) => Arg::Number(pos, Box::new(n)),
                    Err(e) => return self.errorf(e),
                }
            }
            Tok::LeftParen => {
                self.stack_depth += 1;
                if self.stack_depth >= MAX_STACK_DEPTH {
                    return self.errorf("max expression depth exceeded".into());
                }
                let p = stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
                    self.pipeline("parenthesized pipeline", Tok::RightParen)
                });
                self.stack_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            Tok::String | Tok::RawString => match unquote(&token.val) {
                Ok(s) => Arg::String {
                    pos,
                    quoted: Arc::from(&*token.val),
                    text: Arc::from(s),
                },
                Err(e) => return self.errorf(e),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

fn split_var(v: &str) -> Vec<Arc<str>> {
    v.split('.').map(Arc::from).collect()
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

/// Go's `newNumber`.
fn new_number(text: &str, typ: Tok) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_string(),
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int: 0,
        float: 0.0,
    };
    if typ == Tok::CharConstant {
        let inner = &text[1..];
        let (c, tail) = crate::strlit::unquote_char(inner, '\'')?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        n.int = i64::from(c as u32);
        n.is_int = true;
        n.is_uint = true;
        n.float = f64::from(c as u32);
        n.is_float = true;
        return Ok(n);
    }
    if typ == Tok::Complex || text.ends_with('i') {
        n.is_complex = true;
        return Ok(n);
    }
    let u = crate::strlit::parse_uint(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.int = u as i64;
    }
    if let Some(i) = crate::strlit::parse_int(text) {
        n.is_int = true;
        n.int = i;
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = u.unwrap_or(0) as f64;
    } else if let Some(f) = crate::strlit::parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                crate::gofmt::quote_go(text)
            ));
        }
        n.is_float = true;
        n.float = f;
        if f.fract() == 0.0 && (-9.223372036854776e18..9.223372036854776e18).contains(&f) {
            n.is_int = true;
            n.int = f as i64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!(
            "illegal number syntax: {}",
            crate::gofmt::quote_go(text)
        ));
    }
    Ok(n)
}
