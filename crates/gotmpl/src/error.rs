//! Parse and execution errors, displayed exactly like Go's.

use std::fmt;

/// Parse and execution errors. `Display` reads exactly like Go's
/// `text/template` errors; the fields are public so an embedder (Helm's
/// error reshaping) can use them.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// `template: NAME:LINE: MESSAGE`
    Parse {
        /// The parsed template's name (Go's ParseName).
        name: String,
        /// 1-based line of the offending token.
        line: usize,
        /// Go's message, e.g. `function "x" not defined`.
        message: String,
    },
    /// `template: NAME:LINE:COL: executing "TEMPLATE" at <CONTEXT>: MESSAGE`
    Exec {
        /// Name of the parsed file the failing node is in (Go's ParseName).
        name: String,
        /// 1-based line of the node.
        line: usize,
        /// 0-based byte column of the node in its line (as Go prints it).
        col: usize,
        /// Name of the template being executed (a `define` name or the file).
        template: String,
        /// The node as Go prints it, e.g. `.Values.x` or `fail "boom"`.
        context: String,
        /// The message, e.g. `error calling fail: boom`.
        message: String,
        /// For function errors: the function's name.
        func: Option<String>,
        /// For function errors: the function's own message (`boom`).
        cause: Option<String>,
    },
    /// Errors without a node: `template: TEMPLATE: MESSAGE`.
    Template {
        /// Template name.
        template: String,
        /// Message.
        message: String,
    },
    /// `template: no template "NAME" associated with template "ROOT"`.
    NotDefined {
        /// The requested template.
        name: String,
        /// The set's root name (see [`crate::Templates::set_root_name`]).
        root: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse {
                name,
                line,
                message,
            } => write!(f, "template: {name}:{line}: {message}"),
            Error::Exec {
                name,
                line,
                col,
                template,
                context,
                message,
                ..
            } => write!(
                f,
                "template: {name}:{line}:{col}: executing {} at <{context}>: {message}",
                crate::gofmt::quote_go(template)
            ),
            Error::Template { template, message } => write!(f, "template: {template}: {message}"),
            Error::NotDefined { name, root } => write!(
                f,
                "template: no template {} associated with template {}",
                crate::gofmt::quote_go(name),
                crate::gofmt::quote_go(root)
            ),
        }
    }
}

impl std::error::Error for Error {}
