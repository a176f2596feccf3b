//! Go's `text/template` in Rust, with Go's exact semantics as Helm uses them.
//!
//! No Helm knowledge lives here: Sprig and Helm functions are registered by
//! the `helm` crate through [`FuncMap`].
//!
//! ```
//! use std::sync::Arc;
//! use gotmpl::{ExecOptions, FuncMap, Templates, Value};
//!
//! let mut t = Templates::new(Arc::new(FuncMap::new()));
//! t.parse("t", r#"{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" .a }}"#).unwrap();
//! let data = Value::map([("a", Value::from(1e6))]);
//! assert_eq!(t.execute("t", &data, &ExecOptions::default()).unwrap(), "[1e+06]");
//! ```

// `Error` mirrors Go's error fields for the embedder; it is large, but it is
// only built on the failure path, so boxing it in the API buys nothing.
#![allow(clippy::result_large_err)]

mod error;
mod exec;
mod func;
mod gofmt;
mod lex;
mod parse;
mod strlit;
mod value;

use std::{collections::HashMap, sync::Arc};

pub use error::Error;
pub use func::{CallContext, FuncError, FuncErrorKind, FuncMap, Function, GoType, Signature};
pub use gofmt::{format_float, format_float_g, format_value, quote_go, sprint, sprintf, sprintln};
pub use value::{List, ListType, Map, MapType, Object, Value};

use parse::Tree;

/// Go's `missingkey` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default`/`invalid`: a missing key is an invalid value
    /// (prints `<no value>`; field access on it yields no value again).
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type (Helm's
    /// setting; for `interface{}` maps a nil, which still prints `<no value>`
    /// but makes a further field access fail with "nil pointer evaluating").
    Zero,
    /// `missingkey=error`: execution stops ("map has no entry for key").
    Error,
}

/// Options for one execution.
pub struct ExecOptions<'a> {
    /// Go's missingkey option; Helm uses [`MissingKey::Zero`], lint --strict uses Error.
    pub missing_key: MissingKey,
    /// Max nesting of `template` calls and `include`/`tpl` re-entries before
    /// failing with "exceeded maximum template depth (N)". Go's limit is
    /// 100000; the default here is 100000 too: deep recursion runs on
    /// heap-allocated stack segments (stacker), so it cannot overflow the
    /// thread's stack, but each level costs a few KiB of memory.
    pub max_depth: usize,
    /// Embedder state visible to functions through [`CallContext::extension`].
    pub extension: Option<&'a (dyn std::any::Any + Send + Sync)>,
}

impl Default for ExecOptions<'_> {
    fn default() -> Self {
        Self {
            missing_key: MissingKey::Default,
            max_depth: 100_000,
            extension: None,
        }
    }
}

/// A set of parsed templates sharing one namespace of `define`s (Go's
/// `*template.Template` with its associated templates). Cheap to clone (Arc
/// inside); parse once, execute many times.
#[derive(Clone)]
pub struct Templates {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    funcs: Arc<FuncMap>,
    trees: HashMap<Arc<str>, Arc<Tree>>,
    /// Layer below this one (for `tpl`: its defines stay local to the call).
    parent: Option<Templates>,
    left: String,
    right: String,
    root: String,
}

impl Templates {
    /// An empty set using `funcs` (in addition to Go's builtins).
    pub fn new(funcs: Arc<FuncMap>) -> Self {
        Self {
            inner: Arc::new(Inner {
                funcs,
                trees: HashMap::new(),
                parent: None,
                left: String::new(),
                right: String::new(),
                root: String::new(),
            }),
        }
    }

    /// Custom delimiters for subsequent parses (Go's `Delims`); empty means default.
    pub fn set_delims(&mut self, left: &str, right: &str) {
        let inner = Arc::make_mut(&mut self.inner);
        inner.left = left.to_string();
        inner.right = right.to_string();
    }

    /// The name of the set's root template, used in "no template %q
    /// associated with template %q" errors (Helm names it `gotpl`).
    pub fn set_root_name(&mut self, name: &str) {
        Arc::make_mut(&mut self.inner).root = name.to_string();
    }

    /// See [`Templates::set_root_name`].
    pub fn root_name(&self) -> &str {
        &self.inner.root
    }

    /// The function registry.
    pub fn funcs(&self) -> &Arc<FuncMap> {
        &self.inner.funcs
    }

    /// A new set layered over this one: lookups fall through to `self`, and
    /// parses into the layer do not affect `self` (Helm's `tpl` clone).
    pub fn layer(&self) -> Templates {
        Templates {
            inner: Arc::new(Inner {
                funcs: self.inner.funcs.clone(),
                trees: HashMap::new(),
                parent: Some(self.clone()),
                left: self.inner.left.clone(),
                right: self.inner.right.clone(),
                root: self.inner.root.clone(),
            }),
        }
    }

    /// Go's `t.New(name).Parse(text)`: the text's top level becomes template
    /// `name`; every `define`/`block` inside is added to the set, replacing
    /// an existing one of the same name unless the new body is empty (so
    /// the caller controls "last loaded wins" by parse order). Unknown
    /// functions are parse errors.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let (left, right) = (self.inner.left.clone(), self.inner.right.clone());
        let (defs, text) =
            parse::parse(name, text, &left, &right, &self.inner.funcs).map_err(|e| {
                Error::Parse {
                    name: name.to_string(),
                    line: e.line,
                    message: e.message,
                }
            })?;
        let parse_name: Arc<str> = Arc::from(name);
        let mut add = Vec::with_capacity(defs.len());
        for (dname, root) in defs {
            if parse::is_empty_tree(&root) && self.lookup(&dname).is_some() {
                continue;
            }
            add.push(Arc::new(Tree {
                name: dname,
                parse_name: parse_name.clone(),
                text: text.clone(),
                root,
            }));
        }
        let inner = Arc::make_mut(&mut self.inner);
        for t in add {
            inner.trees.insert(t.name.clone(), t);
        }
        Ok(())
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        let mut cur = self;
        loop {
            if let Some(t) = cur.inner.trees.get(name) {
                return Some(t.clone());
            }
            cur = cur.inner.parent.as_ref()?;
        }
    }

    /// Whether a template `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// Names of all templates, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut cur = Some(self);
        while let Some(t) = cur {
            names.extend(t.inner.trees.keys().map(|k| k.to_string()));
            cur = t.inner.parent.as_ref();
        }
        names.sort();
        names.dedup();
        names
    }

    /// Executes template `name` with `data` as dot (and `$`).
    pub fn execute(&self, name: &str, data: &Value, opts: &ExecOptions) -> Result<String, Error> {
        let mut out = String::new();
        self.execute_into(name, data, opts, &mut out)?;
        Ok(out)
    }

    /// Like [`Templates::execute`], appending to `out` (reuse the buffer).
    pub fn execute_into(
        &self,
        name: &str,
        data: &Value,
        opts: &ExecOptions,
        out: &mut String,
    ) -> Result<(), Error> {
        let Some(tree) = self.lookup(name) else {
            return Err(Error::NotDefined {
                name: name.to_string(),
                root: self.inner.root.clone(),
            });
        };
        exec::execute(self, &tree, data, opts, 0, out)
    }
}
