//! The function registry: how embedders (the Helm renderer) add functions.
//!
//! Functions get the evaluated arguments and a [`CallContext`] through which
//! they can re-enter the engine: `include` executes a named template, `tpl`
//! parses and executes text against the current template set. Both must be
//! cheap: big charts call `include` thousands of times.

use std::{any::Any, collections::HashMap, sync::Arc};

use crate::Value;

/// An error returned by a function; the executor wraps it as Go does:
/// `error calling NAME: MESSAGE`, with the template location in front.
/// Errors that Go's executor itself raises before calling (argument count
/// and argument type checks) are built with [`FuncError::arity`] and
/// [`FuncError::arg_type`] so that they read exactly like Go's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct FuncError {
    /// The message, e.g. `wrong type for value; expected string; got float64`.
    pub message: String,
    /// How the executor reports the error.
    pub kind: FuncErrorKind,
}

/// How the executor reports a [`FuncError`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FuncErrorKind {
    /// The function failed: `... at <CMD>: error calling NAME: MESSAGE`.
    #[default]
    Call,
    /// Go's arity check: `... at <NAME>: MESSAGE` (no "error calling").
    Plain,
    /// Argument `index` (0-based, the piped value counts as the last one)
    /// does not fit a Go parameter of type `expected` (`string`, `int`,
    /// `bool`, `float64`, `int64`, `[]interface {}`...). The executor writes
    /// Go's message, which depends on the argument's syntax:
    /// `expected string; found 1` for a literal, `invalid value; expected
    /// string` for nil, `wrong type for value; expected string; got float64`
    /// otherwise, reported at the argument.
    ArgType {
        /// Index of the argument.
        index: usize,
        /// Go type name of the parameter.
        expected: String,
    },
}

impl FuncError {
    /// An error with a message (reported as `error calling NAME: MESSAGE`).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: FuncErrorKind::Call,
        }
    }

    /// Go's `wrong number of args for NAME: want N got M`, reported without
    /// the "error calling" wrapper.
    pub fn arity(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            kind: FuncErrorKind::Plain,
        }
    }

    /// Argument `index` does not fit a Go parameter of type `expected`; the
    /// executor formats the message as Go does. `message` is a fallback for
    /// callers outside the executor (it should be Go's non-literal message).
    pub fn arg_type(index: usize, expected: impl Into<String>, got: &Value) -> Self {
        let expected = expected.into();
        let message = match got {
            Value::Nil => format!("invalid value; expected {expected}"),
            other => format!(
                "wrong type for value; expected {expected}; got {}",
                other.type_name()
            ),
        };
        Self {
            message,
            kind: FuncErrorKind::ArgType { index, expected },
        }
    }
}

/// What a function may ask of the engine while it runs.
pub trait CallContext {
    /// Executes the named template with `data` as dot and returns its output
    /// (Helm's `include`). Errors keep the inner template's location.
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, FuncError>;

    /// Parses `text` as a template named `name` in a scope layered over the
    /// current template set (its `define`s are visible only inside this call)
    /// and executes it with `data` (Helm's `tpl`).
    fn execute_text(&mut self, name: &str, text: &str, data: Value) -> Result<String, FuncError>;

    /// Name of the template whose action is calling the function.
    fn template_name(&self) -> &str;

    /// `name:line:col` of the calling action, as Go prints it in errors.
    fn location(&self) -> String;

    /// State the embedder attached to this execution (for example the
    /// renderer's lookup client or `.Files`).
    fn extension(&self) -> Option<&(dyn Any + Send + Sync)>;
}

/// A template function.
pub trait Function: Send + Sync {
    /// Calls the function with evaluated arguments.
    fn call(&self, ctx: &mut dyn CallContext, args: &[Value]) -> Result<Value, FuncError>;

    /// The Go parameter types, when the function has a typed Go signature.
    /// With one, the executor does what Go's `evalCall` does before the
    /// call: the arity check, then each argument evaluated against its
    /// parameter type (`expected string; found 1`, `wrong type for value;
    /// expected string; got int`, literals converted to the parameter's
    /// type). Without one, every argument is passed as `interface {}`.
    fn signature(&self) -> Option<&Signature> {
        None
    }
}

/// A Go parameter type, as far as the template executor treats it
/// differently (Go's `evalArg` and `validateType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoType {
    /// `interface {}`: any value, nothing checked.
    Any,
    /// `bool`: literal `true`/`false`.
    Bool,
    /// `int`: integer literals become [`Value::Int`].
    Int,
    /// `int64`: integer literals become [`Value::Int64`].
    Int64,
    /// `uint32`: unsigned integer literals become [`Value::Int`] (we have no
    /// unsigned values; no other value has this type).
    Uint32,
    /// `float64`: number literals become [`Value::Float`].
    Float64,
    /// `string`: string literals.
    String,
    /// A map, slice or pointer type with its Go name (`map[string]interface
    /// {}`, `[]interface {}`): nil is accepted (Go passes the zero value, we
    /// pass [`Value::Nil`]); literals are not (`can't handle 1 for arg of type T`).
    Nilable(&'static str),
    /// A struct type with its Go name (`time.Time`): no literal and no nil fits.
    Struct(&'static str),
}

impl GoType {
    /// The type as Go prints it in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            GoType::Any => "interface {}",
            GoType::Bool => "bool",
            GoType::Int => "int",
            GoType::Int64 => "int64",
            GoType::Uint32 => "uint32",
            GoType::Float64 => "float64",
            GoType::String => "string",
            GoType::Nilable(n) | GoType::Struct(n) => n,
        }
    }

    /// Go's `canBeNil`.
    pub fn can_be_nil(&self) -> bool {
        matches!(self, GoType::Any | GoType::Nilable(_))
    }

    /// Go's `AssignableTo` for a non-nil value of our value model: the
    /// dynamic type must be the parameter type itself.
    pub fn accepts(&self, v: &Value) -> bool {
        match self {
            GoType::Any => true,
            other => v.type_name() == other.name(),
        }
    }
}

/// A function's Go parameter list (see [`Function::signature`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The fixed parameters.
    pub params: &'static [GoType],
    /// The element type of a final `...T` parameter, if the function is variadic.
    pub variadic: Option<GoType>,
}

/// A function with a declared Go signature.
struct Typed {
    signature: Signature,
    inner: Arc<dyn Function>,
}

impl Function for Typed {
    fn call(&self, ctx: &mut dyn CallContext, args: &[Value]) -> Result<Value, FuncError> {
        self.inner.call(ctx, args)
    }

    fn signature(&self) -> Option<&Signature> {
        Some(&self.signature)
    }
}

impl<F> Function for F
where
    F: Fn(&mut dyn CallContext, &[Value]) -> Result<Value, FuncError> + Send + Sync,
{
    fn call(&self, ctx: &mut dyn CallContext, args: &[Value]) -> Result<Value, FuncError> {
        self(ctx, args)
    }
}

/// Functions by name. Built once and shared (`Arc`) by every template set.
/// Builtins (`and`, `or`, `not`, `len`, `index`, `print`...) are provided by
/// the engine; a registered function with the same name overrides a builtin
/// (Sprig's `slice` does), except `and`/`or`, which short-circuit.
#[derive(Clone, Default)]
pub struct FuncMap {
    funcs: HashMap<String, Arc<dyn Function>>,
}

impl FuncMap {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or replaces) a function.
    pub fn insert(&mut self, name: impl Into<String>, f: impl Function + 'static) {
        self.funcs.insert(name.into(), Arc::new(f));
    }

    /// Declares the Go signature of a registered function (see
    /// [`Function::signature`]). Returns false when `name` is not registered.
    /// Must happen before templates are parsed: parsing binds the function.
    pub fn set_signature(&mut self, name: &str, signature: Signature) -> bool {
        match self.funcs.get_mut(name) {
            Some(f) => {
                let inner = f.clone();
                *f = Arc::new(Typed { signature, inner });
                true
            }
            None => false,
        }
    }

    /// Looks a function up.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Function>> {
        self.funcs.get(name)
    }

    /// Whether `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }
}
