//! The executor: a port of Go's `text/template/exec.go` and `funcs.go`.
//!
//! Go distinguishes an invalid `reflect.Value` (a missing map key, no data)
//! from a nil `interface{}` (a present nil, or a map element of interface
//! type), and error texts name `interface {}` for values taken straight out
//! of maps and slices. [`Rv`] keeps exactly that much of reflection.

use std::{any::Any, fmt::Write as _, sync::Arc};

use crate::{
    CallContext, Error, ExecOptions, FuncError, FuncErrorKind, GoType, ListType, MapType,
    MissingKey, Signature, Templates, Value, gofmt,
    parse::{Arg, Branch, Builtin, Callee, Command, Node, Number, Pipe, TemplateCall, Tree},
};

type R<T> = Result<T, Box<Error>>;

/// A value as reflection sees it during execution.
#[derive(Clone, Debug)]
pub(crate) enum Rv {
    /// Go's invalid `reflect.Value` (prints `<no value>`).
    Invalid,
    /// A value of static type `interface {}` (map and slice elements).
    Iface(Value),
    /// A value of concrete type.
    Conc(Value),
}

impl Rv {
    fn elem(v: Value, iface: bool) -> Rv {
        if iface || matches!(v, Value::Nil) {
            Rv::Iface(v)
        } else {
            Rv::Conc(v)
        }
    }

    /// evalPipeline's "dig down one level" for `interface {}` results.
    fn dig(self) -> Rv {
        match self {
            Rv::Iface(Value::Nil) | Rv::Conc(Value::Nil) => Rv::Invalid,
            Rv::Iface(v) => Rv::Conc(v),
            x => x,
        }
    }

    /// Go's indirectInterface: the concrete value, None for nil/invalid.
    fn concrete(&self) -> Option<&Value> {
        match self {
            Rv::Invalid | Rv::Iface(Value::Nil) | Rv::Conc(Value::Nil) => None,
            Rv::Iface(v) | Rv::Conc(v) => Some(v),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Rv::Invalid => Value::Nil,
            Rv::Iface(v) | Rv::Conc(v) => v.clone(),
        }
    }

    fn truth(&self) -> bool {
        self.concrete().is_some_and(Value::is_true)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// The node an error is reported at (Go's `state.node`).
#[derive(Clone, Copy)]
enum Cur<'t> {
    None,
    Arg(&'t Arg),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Node(&'t Node),
    Branch(&'t Branch),
    Tmpl(&'t TemplateCall),
}

impl Cur<'_> {
    fn pos_and_string(&self) -> Option<(usize, String)> {
        let mut s = String::new();
        let pos = match self {
            Cur::None => return None,
            Cur::Arg(a) => {
                a.write_to(&mut s);
                a.pos()
            }
            Cur::Pipe(p) => {
                p.write_to(&mut s);
                p.pos
            }
            Cur::Cmd(c) => {
                c.write_to(&mut s);
                c.pos
            }
            Cur::Node(n) => {
                crate::parse::write_node(n, &mut s);
                match n {
                    Node::Text(p, _) | Node::Break(p) | Node::Continue(p) => *p,
                    Node::Action(p) => p.pos,
                    Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
                    Node::Template(t) => t.pos,
                }
            }
            Cur::Branch(b) => {
                let mut t = String::new();
                b.pipe.write_to(&mut t);
                s = t;
                b.pos
            }
            Cur::Tmpl(t) => {
                let _ = write!(s, "{{{{template {}", gofmt::quote_go(&t.name));
                if let Some(p) = &t.pipe {
                    s.push(' ');
                    p.write_to(&mut s);
                }
                s.push_str("}}");
                t.pos
            }
        };
        Some((pos, s))
    }
}

pub(crate) struct State<'a> {
    set: &'a Templates,
    opts: &'a ExecOptions<'a>,
    tree: &'a Tree,
    vars: Vec<(Arc<str>, Rv)>,
    node: Cur<'a>,
    depth: usize,
}

const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// Executes `tree` with `data`, appending to `out`.
pub(crate) fn execute(
    set: &Templates,
    tree: &Tree,
    data: &Value,
    opts: &ExecOptions<'_>,
    depth: usize,
    out: &mut String,
) -> Result<(), Error> {
    let dot = match data {
        Value::Nil => Rv::Invalid,
        v => Rv::Conc(v.clone()),
    };
    let mut st = State {
        set,
        opts,
        tree,
        vars: vec![(Arc::from("$"), dot.clone())],
        node: Cur::None,
        depth,
    };
    match st.walk_list(&dot, &tree.root, out) {
        Ok(_) => Ok(()),
        Err(e) => Err(*e),
    }
}

fn go_type(v: Option<&Value>) -> &str {
    match v {
        None => "<nil>",
        Some(v) => v.type_name(),
    }
}

/// What an `Rv` is called in Go error messages (the static type).
fn static_type(rv: &Rv) -> &str {
    match rv {
        Rv::Iface(_) => "interface {}",
        Rv::Conc(v) => v.type_name(),
        Rv::Invalid => "<nil>",
    }
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Int(i) | Value::Int64(i) => {
            use std::fmt::Write;
            let _ = write!(out, "{i}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        other => out.push_str(&gofmt::format_value(other)),
    }
}

impl<'a> State<'a> {
    fn at(&mut self, c: Cur<'a>) {
        self.node = c;
    }

    fn err_full(&self, message: String, func: Option<String>, cause: Option<String>) -> Box<Error> {
        match self.node.pos_and_string() {
            None => Box::new(Error::Template {
                template: self.tree.name.to_string(),
                message,
            }),
            Some((pos, context)) => {
                let (line, col) = self.tree.location(pos);
                Box::new(Error::Exec {
                    name: self.tree.parse_name.to_string(),
                    line,
                    col,
                    template: self.tree.name.to_string(),
                    context,
                    message,
                    func,
                    cause,
                })
            }
        }
    }

    fn errorf(&self, message: impl Into<String>) -> Box<Error> {
        self.err_full(message.into(), None, None)
    }

    fn walk_list(&mut self, dot: &Rv, nodes: &'a [Node], out: &mut String) -> R<Flow> {
        for n in nodes {
            let f = self.walk(dot, n, out)?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Rv, node: &'a Node, out: &mut String) -> R<Flow> {
        self.at(Cur::Node(node));
        match node {
            Node::Text(_, t) => out.push_str(t),
            Node::Action(pipe) => {
                let val = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at(Cur::Node(node));
                    match val {
                        Rv::Invalid => out.push_str("<no value>"),
                        Rv::Iface(v) | Rv::Conc(v) => write_value(out, &v),
                    }
                }
            }
            Node::If(b) => {
                return stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
                    self.walk_if_or_with(dot, b, false, out)
                });
            }
            Node::With(b) => {
                return stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
                    self.walk_if_or_with(dot, b, true, out)
                });
            }
            Node::Range(b) => {
                return stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
                    self.walk_range(dot, b, out)
                });
            }
            Node::Template(t) => {
                stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.walk_template(dot, t, out))?;
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(
        &mut self,
        dot: &Rv,
        b: &'a Branch,
        with: bool,
        out: &mut String,
    ) -> R<Flow> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let flow = if val.truth() {
            if with {
                self.walk_list(&val, &b.list, out)?
            } else {
                self.walk_list(dot, &b.list, out)?
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e, out)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn set_top_var(&mut self, n: usize, v: Rv) {
        let len = self.vars.len();
        if n <= len {
            self.vars[len - n].1 = v;
        }
    }

    fn set_var(&mut self, name: &str, v: Rv) -> R<()> {
        for slot in self.vars.iter_mut().rev() {
            if &*slot.0 == name {
                slot.1 = v;
                return Ok(());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn var_value(&self, name: &str) -> R<Rv> {
        for slot in self.vars.iter().rev() {
            if &*slot.0 == name {
                return Ok(slot.1.clone());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    /// One range iteration; returns false to stop (break).
    fn range_iteration(
        &mut self,
        b: &'a Branch,
        mark: usize,
        index: Rv,
        elem: Rv,
        out: &mut String,
    ) -> R<bool> {
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0].1, index.clone())?;
                } else {
                    self.set_var(&decl[0].1, elem.clone())?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if b.pipe.is_assign {
                self.set_var(&decl[1].1, elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let flow = self.walk_list(&elem, &b.list, out)?;
        self.vars.truncate(mark);
        Ok(flow != Flow::Break)
    }

    fn walk_range(&mut self, dot: &Rv, b: &'a Branch, out: &mut String) -> R<Flow> {
        self.at(Cur::Branch(b));
        let mark0 = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let mark = self.vars.len();
        let mut ran = false;
        match val.concrete() {
            Some(Value::List(l)) => {
                let iface = l.go_type() == ListType::Interface;
                let l = l.clone();
                for (i, item) in l.items().iter().enumerate() {
                    ran = true;
                    if !self.range_iteration(
                        b,
                        mark,
                        Rv::Conc(Value::Int(i as i64)),
                        Rv::elem(item.clone(), iface),
                        out,
                    )? {
                        break;
                    }
                }
            }
            Some(Value::Bytes(bs)) => {
                let bs = bs.clone();
                for (i, c) in bs.iter().enumerate() {
                    ran = true;
                    if !self.range_iteration(
                        b,
                        mark,
                        Rv::Conc(Value::Int(i as i64)),
                        Rv::Conc(Value::Int(i64::from(*c))),
                        out,
                    )? {
                        break;
                    }
                }
            }
            Some(Value::Map(m)) => {
                let iface = m.go_type() == MapType::Interface;
                let entries = m.entries();
                for (k, v) in entries {
                    ran = true;
                    if !self.range_iteration(
                        b,
                        mark,
                        Rv::Conc(Value::String(Arc::from(k))),
                        Rv::elem(v, iface),
                        out,
                    )? {
                        break;
                    }
                }
            }
            Some(Value::Object(o)) if o.map_entries().is_some() => {
                for (k, v) in o.map_entries().unwrap_or_default() {
                    ran = true;
                    if !self.range_iteration(
                        b,
                        mark,
                        Rv::Conc(Value::String(Arc::from(k))),
                        Rv::Conc(v),
                        out,
                    )? {
                        break;
                    }
                }
            }
            Some(v @ (Value::Int(n) | Value::Int64(n))) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.errorf(format!(
                        "can't use {} to iterate over more than one variable",
                        gofmt::format_value(v)
                    )));
                }
                let n = *n;
                let is64 = matches!(v, Value::Int64(_));
                for i in 0..n.max(0) {
                    ran = true;
                    let e = if is64 { Value::Int64(i) } else { Value::Int(i) };
                    if !self.range_iteration(b, mark, Rv::Invalid, Rv::Conc(e), out)? {
                        break;
                    }
                }
            }
            None => {}
            Some(v) => {
                return Err(self.errorf(format!(
                    "range can't iterate over {}",
                    gofmt::format_value(v)
                )));
            }
        }
        if !ran && let Some(e) = &b.else_list {
            self.walk_list(dot, e, out)?;
        }
        self.vars.truncate(mark0);
        Ok(Flow::Normal)
    }

    fn walk_template(&mut self, dot: &Rv, t: &'a TemplateCall, out: &mut String) -> R<()> {
        self.at(Cur::Tmpl(t));
        let Some(tree) = self.set.lookup(&t.name) else {
            return Err(self.errorf(format!("template {} not defined", gofmt::quote_go(&t.name))));
        };
        if self.depth >= self.opts.max_depth {
            return Err(self.errorf(format!(
                "exceeded maximum template depth ({})",
                self.opts.max_depth
            )));
        }
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Rv::Invalid,
        };
        let mut sub = State {
            set: self.set,
            opts: self.opts,
            tree: &tree,
            vars: vec![(Arc::from("$"), new_dot.clone())],
            node: Cur::None,
            depth: self.depth + 1,
        };
        sub.walk_list(&new_dot, &tree.root, out)?;
        Ok(())
    }

    fn eval_pipeline(&mut self, dot: &Rv, pipe: &'a Pipe) -> R<Rv> {
        self.at(Cur::Pipe(pipe));
        let mut value: Option<Rv> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?.dig());
        }
        let value = value.unwrap_or(Rv::Invalid);
        for (_, name) in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Rv>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.errorf(format!(
                "can't give argument to non-function {}",
                args[0].to_go_string()
            )));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Rv, cmd: &'a Command, fin: Option<Rv>) -> R<Rv> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                return self.eval_field_chain_node(dot, first, dot.clone(), idents, &cmd.args, fin);
            }
            Arg::Chain { .. } => return self.eval_chain_node(dot, first, &cmd.args, fin),
            Arg::Ident { name, callee, .. } => {
                return self.eval_function(dot, first, name, callee, Cur::Cmd(cmd), &cmd.args, fin);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &fin)?;
                return stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.eval_pipeline(dot, p));
            }
            Arg::Var { .. } => return self.eval_variable_node(dot, first, &cmd.args, fin),
            _ => {}
        }
        self.at(Cur::Arg(first));
        self.not_a_function(&cmd.args, &fin)?;
        match first {
            Arg::Bool(_, b) => Ok(Rv::Conc(Value::Bool(*b))),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Err(self.errorf("nil is not a command")),
            Arg::Number(_, n) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(Rv::Conc(Value::String(text.clone()))),
            _ => Err(self.errorf(format!(
                "can't evaluate command {}",
                gofmt::quote_go(&first.to_go_string())
            ))),
        }
    }

    fn ideal_constant(&self, n: &Number) -> R<Rv> {
        let t = &n.text;
        let is_hex_int = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let is_rune_int = t.starts_with('\'');
        if n.is_complex {
            return Err(self.errorf(format!("complex constant {t} is not supported")));
        }
        if n.is_float && !is_hex_int && !is_rune_int && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Rv::Conc(Value::Float(n.float)));
        }
        if n.is_int {
            return Ok(Rv::Conc(Value::Int(n.int)));
        }
        if n.is_uint {
            return Err(self.errorf(format!("{t} overflows int")));
        }
        Ok(Rv::Invalid)
    }

    fn eval_field_chain_node(
        &mut self,
        dot: &Rv,
        node: &'a Arg,
        receiver: Rv,
        idents: &'a [Arc<str>],
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        self.at(Cur::Arg(node));
        self.eval_field_chain(dot, receiver, node, idents, args, fin)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Rv,
        chain: &'a Arg,
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        self.at(Cur::Arg(chain));
        let Arg::Chain { node, fields, .. } = chain else {
            return Err(self.errorf("internal error: not a chain"));
        };
        if fields.is_empty() {
            return Err(self.errorf("internal error: no fields in evalChainNode"));
        }
        if let Arg::Nil(_) = **node {
            return Err(self.errorf(format!(
                "indirection through explicit nil in {}",
                chain.to_go_string()
            )));
        }
        let pipe = self.eval_arg(dot, node)?;
        let pipe = match pipe {
            Rv::Iface(Value::Nil) => Rv::Invalid,
            x => x,
        };
        self.eval_field_chain(dot, pipe, chain, fields, args, fin)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Rv,
        var: &'a Arg,
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        self.at(Cur::Arg(var));
        let Arg::Var { idents, .. } = var else {
            return Err(self.errorf("internal error: not a variable"));
        };
        let value = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args, &fin)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, var, &idents[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Rv,
        mut receiver: Rv,
        node: &'a Arg,
        idents: &'a [Arc<str>],
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        let n = idents.len();
        for ident in &idents[..n - 1] {
            receiver = self.eval_field(dot, ident, node, &[], None, receiver)?;
        }
        self.eval_field(dot, &idents[n - 1], node, args, fin, receiver)
    }

    fn eval_field(
        &mut self,
        dot: &Rv,
        name: &str,
        node: &'a Arg,
        args: &'a [Arg],
        fin: Option<Rv>,
        receiver: Rv,
    ) -> R<Rv> {
        let v = match &receiver {
            Rv::Invalid => {
                if self.opts.missing_key == MissingKey::Error {
                    return Err(self.errorf(format!(
                        "nil data; no entry for key {}",
                        gofmt::quote_go(name)
                    )));
                }
                return Ok(Rv::Invalid);
            }
            Rv::Iface(Value::Nil) | Rv::Conc(Value::Nil) => {
                return Err(self.errorf(format!(
                    "nil pointer evaluating {}.{name}",
                    static_type(&receiver)
                )));
            }
            Rv::Iface(v) | Rv::Conc(v) => v,
        };
        let has_args = args.len() > 1 || fin.is_some();
        match v {
            Value::Object(o) => {
                let o = o.clone();
                if has_args {
                    let rest: &'a [Arg] = &args[1..];
                    let mut rvs: Vec<Rv> = Vec::with_capacity(rest.len() + 1);
                    for a in rest {
                        rvs.push(self.eval_arg(dot, a)?);
                    }
                    if let Some(f) = fin {
                        rvs.push(f);
                    }
                    let argv: Vec<Value> = rvs.iter().map(Rv::to_value).collect();
                    let after_args = self.node;
                    self.at(Cur::Arg(node));
                    return match o.call_method(name, &argv) {
                        Some(Ok(v)) => Ok(Rv::elem(v, false)),
                        Some(Err(e)) => {
                            let at = Cur::Arg(node);
                            Err(self.func_error(e, name, at, at, rest, &rvs, after_args))
                        }
                        None => {
                            if o.field(name).is_some() {
                                Err(self.errorf(format!(
                                    "{name} has arguments but cannot be invoked as function"
                                )))
                            } else {
                                Err(self.errorf(format!(
                                    "can't evaluate field {name} in type {}",
                                    static_type(&receiver)
                                )))
                            }
                        }
                    };
                }
                if let Some(v) = o.field(name) {
                    return Ok(Rv::elem(v, false));
                }
                match o.call_method(name, &[]) {
                    Some(Ok(v)) => Ok(Rv::elem(v, false)),
                    Some(Err(e)) => Err(self.err_full(
                        format!("error calling {name}: {}", e.message),
                        Some(name.to_string()),
                        Some(e.message),
                    )),
                    None => Err(self.errorf(format!(
                        "can't evaluate field {name} in type {}",
                        static_type(&receiver)
                    ))),
                }
            }
            Value::Map(m) => {
                if has_args {
                    return Err(self.errorf(format!("{name} is not a method but has arguments")));
                }
                let iface = m.go_type() == MapType::Interface;
                match m.get(name) {
                    Some(v) => Ok(Rv::elem(v, iface)),
                    None => match self.opts.missing_key {
                        MissingKey::Default => Ok(Rv::Invalid),
                        MissingKey::Zero => Ok(if iface {
                            Rv::Iface(Value::Nil)
                        } else {
                            Rv::Conc(Value::string(""))
                        }),
                        MissingKey::Error => Err(self.errorf(format!(
                            "map has no entry for key {}",
                            gofmt::quote_go(name)
                        ))),
                    },
                }
            }
            _ => Err(self.errorf(format!(
                "can't evaluate field {name} in type {}",
                static_type(&receiver)
            ))),
        }
    }

    /// Go's evalArg for an `interface{}`/`reflect.Value` parameter.
    fn eval_arg(&mut self, dot: &Rv, arg: &'a Arg) -> R<Rv> {
        self.at(Cur::Arg(arg));
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Rv::Invalid),
            Arg::Field { idents, .. } => {
                self.eval_field_chain_node(dot, arg, dot.clone(), idents, &[], None)
            }
            Arg::Var { .. } => self.eval_variable_node(dot, arg, &[], None),
            Arg::Pipe(p) => {
                stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.eval_pipeline(dot, p))
            }
            Arg::Ident { name, callee, .. } => {
                self.eval_function(dot, arg, name, callee, Cur::Arg(arg), &[], None)
            }
            Arg::Chain { .. } => self.eval_chain_node(dot, arg, &[], None),
            Arg::Bool(_, b) => Ok(Rv::Conc(Value::Bool(*b))),
            Arg::Number(_, n) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(Rv::Conc(Value::String(text.clone()))),
        }
    }

    /// Evaluates an argument that Go types as `string` (printf's format).
    fn eval_string_arg(&mut self, dot: &Rv, arg: &'a Arg) -> R<Value> {
        self.at(Cur::Arg(arg));
        match arg {
            Arg::String { text, .. } => Ok(Value::String(text.clone())),
            Arg::Nil(_) => Err(self.errorf("cannot assign nil to string")),
            Arg::Bool(..) | Arg::Number(..) => {
                Err(self.errorf(format!("expected string; found {}", arg.to_go_string())))
            }
            _ => {
                let v = self.eval_arg(dot, arg)?;
                self.at(Cur::Arg(arg));
                self.validate_string(v)
            }
        }
    }

    fn validate_string(&self, v: Rv) -> R<Value> {
        match v {
            Rv::Conc(s @ Value::String(_)) | Rv::Iface(s @ Value::String(_)) => Ok(s),
            other => Err(self.errorf(wrong_type(&other, "string"))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        dot: &Rv,
        ident: &'a Arg,
        name: &str,
        callee: &Callee,
        at: Cur<'a>,
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        self.at(Cur::Arg(ident));
        let rest: &'a [Arg] = if args.is_empty() { args } else { &args[1..] };
        match callee {
            Callee::Builtin(b @ (Builtin::And | Builtin::Or)) => {
                if rest.is_empty() && fin.is_none() {
                    return Err(self.errorf(format!(
                        "wrong number of args for {name}: want at least 1 got 0"
                    )));
                }
                let is_or = *b == Builtin::Or;
                let mut v = Rv::Invalid;
                for a in rest {
                    v = self.eval_arg(dot, a)?;
                    if v.truth() == is_or {
                        return Ok(v);
                    }
                }
                if let Some(f) = fin {
                    v = f;
                }
                Ok(v)
            }
            Callee::Builtin(b) => self.call_builtin(dot, *b, name, at, rest, fin),
            Callee::Func(f) => {
                let mut rvs: Vec<Rv> = Vec::with_capacity(rest.len() + 1);
                if let Some(sig) = f.signature() {
                    let sig = *sig;
                    self.typed_args(dot, name, &sig, rest, fin, &mut rvs)?;
                } else {
                    for a in rest {
                        rvs.push(self.eval_arg(dot, a)?);
                    }
                    if let Some(fv) = fin {
                        rvs.push(fv);
                    }
                }
                let argv: Vec<Value> = rvs.iter().map(Rv::to_value).collect();
                let after_args = self.node;
                self.at(at);
                let f = f.clone();
                match f.call(self, &argv) {
                    Ok(v) => {
                        // Go moves to the call's node only to report its
                        // error: later checks report at the last argument.
                        self.node = after_args;
                        Ok(Rv::elem(v, false))
                    }
                    Err(e) => {
                        Err(self.func_error(e, name, at, Cur::Arg(ident), rest, &rvs, after_args))
                    }
                }
            }
        }
    }

    /// Go's `evalCall` before the call for a function with a typed
    /// signature: the arity check (reported at the function's name), then
    /// the arguments in order, each evaluated against its parameter type,
    /// then the piped value checked against the parameter it fills.
    fn typed_args(
        &mut self,
        dot: &Rv,
        name: &str,
        sig: &Signature,
        rest: &'a [Arg],
        fin: Option<Rv>,
        rvs: &mut Vec<Rv>,
    ) -> R<()> {
        let num_in = rest.len() + usize::from(fin.is_some());
        let fixed = sig.params.len();
        if sig.variadic.is_some() {
            if num_in < fixed {
                // Go reports the explicit arguments only, not the piped one.
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    rest.len()
                )));
            }
        } else if num_in != fixed {
            return Err(self.errorf(format!(
                "wrong number of args for {name}: want {fixed} got {num_in}"
            )));
        }
        let param = |i: usize| {
            sig.params
                .get(i)
                .copied()
                .or(sig.variadic)
                .unwrap_or(GoType::Any)
        };
        for (i, a) in rest.iter().enumerate() {
            rvs.push(self.eval_typed_arg(dot, a, param(i))?);
        }
        if let Some(fv) = fin {
            let ty = param(rest.len());
            rvs.push(self.validate_type(fv, ty)?);
        }
        Ok(())
    }

    /// Go's `evalArg` for a parameter of type `ty`: literals must fit the
    /// type and are converted to it; other arguments are evaluated, then
    /// checked with `validateType`.
    fn eval_typed_arg(&mut self, dot: &Rv, arg: &'a Arg, ty: GoType) -> R<Rv> {
        if ty == GoType::Any {
            return self.eval_arg(dot, arg);
        }
        self.at(Cur::Arg(arg));
        let literal = match (arg, ty) {
            (Arg::Nil(_), t) if t.can_be_nil() => Some(Value::Nil),
            (Arg::Bool(_, b), GoType::Bool) => Some(Value::Bool(*b)),
            (Arg::Number(_, n), GoType::Int) if n.is_int => Some(Value::Int(n.int)),
            (Arg::Number(_, n), GoType::Int64) if n.is_int => Some(Value::Int64(n.int)),
            // Go's SetUint truncates to the parameter's width.
            (Arg::Number(_, n), GoType::Uint32) if n.is_uint => {
                Some(Value::Int(i64::from(n.int as u32)))
            }
            (Arg::Number(_, n), GoType::Float64) if n.is_float => Some(Value::Float(n.float)),
            (Arg::String { text, .. }, GoType::String) => Some(Value::String(text.clone())),
            (Arg::Nil(_) | Arg::Bool(..) | Arg::Number(..) | Arg::String { .. }, t) => {
                let msg = literal_type_error(arg, t.name()).unwrap_or_else(|| {
                    format!(
                        "can't handle {} for arg of type {}",
                        arg.to_go_string(),
                        t.name()
                    )
                });
                return Err(self.errorf(msg));
            }
            _ => None,
        };
        match literal {
            Some(v) => Ok(Rv::Conc(v)),
            None => {
                let v = self.eval_arg(dot, arg)?;
                self.validate_type(v, ty)
            }
        }
    }

    /// Go's `validateType`: the value must be assignable to `ty`; a missing
    /// value becomes the zero value of a type that can be nil.
    fn validate_type(&self, v: Rv, ty: GoType) -> R<Rv> {
        if ty == GoType::Any {
            return Ok(v);
        }
        match v {
            Rv::Invalid | Rv::Conc(Value::Nil) if ty.can_be_nil() => Ok(Rv::Conc(Value::Nil)),
            Rv::Iface(x) | Rv::Conc(x) if !matches!(x, Value::Nil) && ty.accepts(&x) => {
                Ok(Rv::Conc(x))
            }
            other => Err(self.errorf(wrong_type(&other, ty.name()))),
        }
    }

    /// Reports a function's error the way Go's executor would (see
    /// [`FuncErrorKind`]).
    #[allow(clippy::too_many_arguments)]
    fn func_error(
        &mut self,
        e: FuncError,
        name: &str,
        at: Cur<'a>,
        ident: Cur<'a>,
        rest: &'a [Arg],
        rvs: &[Rv],
        after_args: Cur<'a>,
    ) -> Box<Error> {
        match e.kind {
            FuncErrorKind::Call => {
                self.at(at);
                self.err_full(
                    format!("error calling {name}: {}", e.message),
                    Some(name.to_string()),
                    Some(e.message),
                )
            }
            FuncErrorKind::Plain => {
                self.at(ident);
                self.errorf(e.message)
            }
            FuncErrorKind::ArgType { index, expected } => {
                if let Some(arg) = rest.get(index) {
                    self.at(Cur::Arg(arg));
                    if let Some(msg) = literal_type_error(arg, &expected) {
                        return self.errorf(msg);
                    }
                } else {
                    self.node = after_args;
                }
                match rvs.get(index) {
                    Some(rv) => self.errorf(wrong_type(rv, &expected)),
                    None => self.errorf(e.message),
                }
            }
        }
    }

    fn call_builtin(
        &mut self,
        dot: &Rv,
        b: Builtin,
        name: &str,
        at: Cur<'a>,
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        let num_in = args.len() + usize::from(fin.is_some());
        // (fixed parameters, variadic)
        let (fixed, variadic) = match b {
            Builtin::Not | Builtin::Len => (1, false),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => (2, false),
            Builtin::Index | Builtin::Slice | Builtin::Call | Builtin::Eq | Builtin::Printf => {
                (1, true)
            }
            Builtin::Print | Builtin::Println | Builtin::Html | Builtin::Js | Builtin::Urlquery => {
                (0, true)
            }
            Builtin::And | Builtin::Or => (1, true),
        };
        if variadic {
            if num_in < fixed {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {fixed} got {}",
                    args.len()
                )));
            }
        } else if num_in != fixed {
            return Err(self.errorf(format!(
                "wrong number of args for {name}: want {fixed} got {num_in}"
            )));
        }
        let mut argv: Vec<Rv> = Vec::with_capacity(num_in);
        if b == Builtin::Printf {
            if let Some(first) = args.first() {
                argv.push(Rv::Conc(self.eval_string_arg(dot, first)?));
                for a in &args[1..] {
                    argv.push(self.eval_arg(dot, a)?);
                }
                if let Some(f) = fin {
                    argv.push(f);
                }
            } else if let Some(f) = fin {
                argv.push(Rv::Conc(self.validate_string(f)?));
            }
        } else {
            for a in args {
                argv.push(self.eval_arg(dot, a)?);
            }
            if let Some(f) = fin {
                argv.push(f);
            }
        }
        let result = match b {
            Builtin::Call => {
                let callee_name = args.first().map(Arg::to_go_string).unwrap_or_default();
                call(&callee_name, &argv)
            }
            _ => run_builtin(b, &argv),
        };
        match result {
            Ok(v) => Ok(v),
            Err(msg) => {
                self.at(at);
                Err(self.err_full(
                    format!("error calling {name}: {msg}"),
                    Some(name.to_string()),
                    Some(msg),
                ))
            }
        }
    }

    fn location_string(&self) -> String {
        match self.node.pos_and_string() {
            Some((pos, _)) => {
                let (line, col) = self.tree.location(pos);
                format!("{}:{line}:{col}", self.tree.parse_name)
            }
            None => self.tree.parse_name.to_string(),
        }
    }
}

impl CallContext for State<'_> {
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, FuncError> {
        let Some(tree) = self.set.lookup(name) else {
            return Err(FuncError::new(
                Error::NotDefined {
                    name: name.into(),
                    root: self.set.root_name().into(),
                }
                .to_string(),
            ));
        };
        if self.depth >= self.opts.max_depth {
            return Err(FuncError::new(format!(
                "exceeded maximum template depth ({})",
                self.opts.max_depth
            )));
        }
        let mut out = String::new();
        let depth = self.depth + 1;
        let set = self.set;
        let opts = self.opts;
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            execute(set, &tree, &data, opts, depth, &mut out)
        })
        .map_err(|e| FuncError::new(e.to_string()))?;
        Ok(out)
    }

    fn execute_text(&mut self, name: &str, text: &str, data: Value) -> Result<String, FuncError> {
        if self.depth >= self.opts.max_depth {
            return Err(FuncError::new(format!(
                "exceeded maximum template depth ({})",
                self.opts.max_depth
            )));
        }
        let mut layer = self.set.layer();
        layer
            .parse(name, text)
            .map_err(|e| FuncError::new(e.to_string()))?;
        let Some(tree) = layer.lookup(name) else {
            return Err(FuncError::new(
                Error::NotDefined {
                    name: name.into(),
                    root: self.set.root_name().into(),
                }
                .to_string(),
            ));
        };
        let mut out = String::new();
        let depth = self.depth + 1;
        let opts = self.opts;
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            execute(&layer, &tree, &data, opts, depth, &mut out)
        })
        .map_err(|e| FuncError::new(e.to_string()))?;
        Ok(out)
    }

    fn template_name(&self) -> &str {
        &self.tree.name
    }

    fn location(&self) -> String {
        self.location_string()
    }

    fn extension(&self) -> Option<&(dyn Any + Send + Sync)> {
        self.opts.extension
    }
}

/// Go's validateType message for a value that does not fit type `expected`.
fn wrong_type(v: &Rv, expected: &str) -> String {
    match v {
        Rv::Invalid | Rv::Conc(Value::Nil) => format!("invalid value; expected {expected}"),
        Rv::Iface(Value::Nil) => {
            format!("wrong type for value; expected {expected}; got interface {{}}")
        }
        Rv::Iface(v) | Rv::Conc(v) => format!(
            "wrong type for value; expected {expected}; got {}",
            v.type_name()
        ),
    }
}

/// Go's evalArg messages for a literal argument of the wrong type.
fn literal_type_error(arg: &Arg, expected: &str) -> Option<String> {
    match arg {
        Arg::Nil(_) => Some(format!("cannot assign nil to {expected}")),
        Arg::Bool(..) | Arg::Number(..) | Arg::String { .. } => {
            let found = arg.to_go_string();
            Some(match expected {
                "bool" => format!("expected bool; found {found}"),
                "string" => format!("expected string; found {found}"),
                "int" | "int8" | "int16" | "int32" | "int64" => {
                    format!("expected integer; found {found}")
                }
                "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr" => {
                    format!("expected unsigned integer; found {found}")
                }
                "float32" | "float64" => format!("expected float; found {found}"),
                _ => format!("can't handle {found} for arg of type {expected}"),
            })
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Builtins (Go's funcs.go)

fn run_builtin(b: Builtin, a: &[Rv]) -> Result<Rv, String> {
    let bool_rv = |b: bool| Rv::Conc(Value::Bool(b));
    match b {
        Builtin::Not => Ok(bool_rv(!a[0].truth())),
        Builtin::Len => length(&a[0]),
        Builtin::Index => index(&a[0], &a[1..]),
        Builtin::Slice => slice(&a[0], &a[1..]),
        Builtin::Print => Ok(Rv::Conc(Value::from(gofmt::sprint(&values(a))))),
        Builtin::Println => Ok(Rv::Conc(Value::from(gofmt::sprintln(&values(a))))),
        Builtin::Printf => {
            let f = a[0].to_value();
            let f = f.as_str().unwrap_or_default();
            Ok(Rv::Conc(Value::from(gofmt::sprintf(f, &values(&a[1..])))))
        }
        Builtin::Html => Ok(Rv::Conc(Value::from(html_escape(&eval_args(a))))),
        Builtin::Js => Ok(Rv::Conc(Value::from(js_escape(&eval_args(a))))),
        Builtin::Urlquery => Ok(Rv::Conc(Value::from(query_escape(&eval_args(a))))),
        Builtin::Eq => eq(&a[0], &a[1..]).map(bool_rv),
        Builtin::Ne => eq(&a[0], &a[1..]).map(|b| bool_rv(!b)),
        Builtin::Lt => lt(&a[0], &a[1]).map(bool_rv),
        Builtin::Le => le(&a[0], &a[1]).map(bool_rv),
        Builtin::Gt => le(&a[0], &a[1]).map(|b| bool_rv(!b)),
        Builtin::Ge => lt(&a[0], &a[1]).map(|b| bool_rv(!b)),
        Builtin::And | Builtin::Or | Builtin::Call => Err("internal error: special builtin".into()),
    }
}

fn values(a: &[Rv]) -> Vec<Value> {
    a.iter().map(Rv::to_value).collect()
}

fn call(name: &str, a: &[Rv]) -> Result<Rv, String> {
    match a[0].concrete() {
        None => Err("call of nil".into()),
        Some(v) => Err(format!("non-function {name} of type {}", v.type_name())),
    }
}

fn length(item: &Rv) -> Result<Rv, String> {
    let n = match item {
        Rv::Invalid => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Rv::Iface(Value::Nil) | Rv::Conc(Value::Nil) => return Err("len of nil pointer".into()),
        Rv::Iface(v) | Rv::Conc(v) => match v {
            Value::String(s) => s.len(),
            Value::List(l) => l.items().len(),
            Value::Map(m) => m.len(),
            Value::Bytes(b) => b.len(),
            other => return Err(format!("len of type {}", other.type_name())),
        },
    };
    Ok(Rv::Conc(Value::Int(n as i64)))
}

fn index_arg(index: &Rv, cap: usize) -> Result<usize, String> {
    let x = match index.concrete() {
        Some(Value::Int(i) | Value::Int64(i)) => *i,
        None => return Err("cannot index slice/array with nil".into()),
        Some(other) => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Rv, indexes: &[Rv]) -> Result<Rv, String> {
    let Some(v) = item.concrete() else {
        return Err("index of untyped nil".into());
    };
    let mut item = Rv::Conc(v.clone());
    for idx in indexes {
        let cur = match item.concrete() {
            None => return Err("index of nil pointer".into()),
            Some(v) => v.clone(),
        };
        item = match &cur {
            Value::List(l) => {
                let x = index_arg(idx, l.items().len())?;
                if x == l.items().len() {
                    return Err("reflect: slice index out of range".into());
                }
                Rv::elem(l.items()[x].clone(), l.go_type() == ListType::Interface)
            }
            Value::Bytes(b) => {
                let x = index_arg(idx, b.len())?;
                if x == b.len() {
                    return Err("reflect: slice index out of range".into());
                }
                Rv::Conc(Value::Int(i64::from(b[x])))
            }
            Value::String(s) => {
                let x = index_arg(idx, s.len())?;
                if x == s.len() {
                    return Err("reflect: string index out of range".into());
                }
                Rv::Conc(Value::Int(i64::from(s.as_bytes()[x])))
            }
            Value::Map(m) => {
                let key = match idx.concrete() {
                    None => return Err("value is nil; should be of type string".into()),
                    Some(Value::String(k)) => k.clone(),
                    Some(other) => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                let iface = m.go_type() == MapType::Interface;
                match m.get(&key) {
                    Some(v) => Rv::elem(v, iface),
                    None if iface => Rv::Iface(Value::Nil),
                    None => Rv::Conc(Value::string("")),
                }
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn slice(item: &Rv, indexes: &[Rv]) -> Result<Rv, String> {
    let Some(v) = item.concrete() else {
        return Err("slice of untyped nil".into());
    };
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match v {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.items().len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0usize, len, 0];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (i, j) = (idx[0], idx[1]);
    Ok(Rv::Conc(match v {
        Value::String(s) => Value::from(String::from_utf8_lossy(&s.as_bytes()[i..j]).into_owned()),
        Value::List(l) => Value::List(crate::List::typed(l.items()[i..j].to_vec(), l.go_type())),
        Value::Bytes(b) => Value::Bytes(Arc::from(&b[i..j])),
        _ => Value::Nil,
    }))
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: Option<&Value>) -> Kind {
    match v {
        Some(Value::Bool(_)) => Kind::Bool,
        Some(Value::Int(_) | Value::Int64(_)) => Kind::Int,
        Some(Value::Float(_)) => Kind::Float,
        Some(Value::String(_)) => Kind::String,
        _ => Kind::Invalid,
    }
}

/// reflect.Kind names for the non-basic kinds (canCompare).
fn reflect_kind(v: Option<&Value>) -> &'static str {
    match v {
        None => "invalid",
        Some(Value::List(_) | Value::Bytes(_)) => "slice",
        Some(Value::Map(_)) => "map",
        Some(Value::Object(_)) => "struct",
        Some(_) => "basic",
    }
}

fn eq(arg1: &Rv, arg2: &[Rv]) -> Result<bool, String> {
    let a1 = arg1.concrete();
    if arg2.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a1);
    for arg in arg2 {
        let a = arg.concrete();
        let k2 = basic_kind(a);
        let truth = if k1 != k2 {
            if let (Some(x), Some(y)) = (a1, a) {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    x.type_name(),
                    y.type_name()
                ));
            }
            false
        } else {
            match (a1, a) {
                (Some(Value::Bool(x)), Some(Value::Bool(y))) => x == y,
                (Some(Value::Float(x)), Some(Value::Float(y))) => x == y,
                (Some(Value::Int(x) | Value::Int64(x)), Some(Value::Int(y) | Value::Int64(y))) => {
                    x == y
                }
                (Some(Value::String(x)), Some(Value::String(y))) => x == y,
                _ => {
                    let (r1, r2) = (reflect_kind(a1), reflect_kind(a));
                    if !(r1 == r2 || r1 == "invalid" || r2 == "invalid") {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            gofmt::sprintf("%s", &[arg1.to_value()]),
                            go_type(a1),
                            go_type(a),
                            gofmt::sprintf("%v", &[arg.to_value()])
                        ));
                    }
                    if a1.is_none() || a.is_none() {
                        a1.is_none() == a.is_none()
                    } else {
                        match (a1, a) {
                            (Some(Value::Object(x)), Some(Value::Object(y))) => Arc::ptr_eq(x, y),
                            _ => {
                                return Err(format!(
                                    "non-comparable type {}: {}",
                                    gofmt::sprintf("%s", &[arg.to_value()]),
                                    go_type(a)
                                ));
                            }
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(arg1: &Rv, arg2: &Rv) -> Result<bool, String> {
    let a1 = arg1.concrete();
    let k1 = basic_kind(a1);
    if k1 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    let a2 = arg2.concrete();
    let k2 = basic_kind(a2);
    if k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return Err(format!(
            "incompatible types for comparison: {} and {}",
            go_type(a1),
            go_type(a2)
        ));
    }
    Ok(match (a1, a2) {
        (Some(Value::Float(x)), Some(Value::Float(y))) => x < y,
        (Some(Value::Int(x) | Value::Int64(x)), Some(Value::Int(y) | Value::Int64(y))) => x < y,
        (Some(Value::String(x)), Some(Value::String(y))) => x.as_bytes() < y.as_bytes(),
        _ => return Err("invalid type for comparison".into()),
    })
}

fn le(arg1: &Rv, arg2: &Rv) -> Result<bool, String> {
    let l = lt(arg1, arg2)?;
    if l {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

/// Go's evalArgs for html/js/urlquery: a lone string as is, otherwise
/// fmt.Sprint with missing values printed as `<no value>`.
fn eval_args(a: &[Rv]) -> String {
    if a.len() == 1
        && let Some(Value::String(s)) = a[0].concrete()
    {
        return s.to_string();
    }
    let vals: Vec<Value> = a
        .iter()
        .map(|r| match r.concrete() {
            None => Value::string("<no value>"),
            Some(v) => v.clone(),
        })
        .collect();
    gofmt::sprint(&vals)
}

/// Go's template.HTMLEscapeString.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's template.JSEscapeString.
pub(crate) fn js_escape(s: &str) -> String {
    const HEX: &[u8] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c if c.is_ascii() => out.push(c),
            c => {
                if gofmt::is_print(c) {
                    out.push(c);
                } else {
                    out.push_str(&format!("\\u{:04X}", c as u32));
                }
            }
        }
    }
    out
}

/// Go's url.QueryEscape.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
