//! Go's `text/template` in Rust, with Go's exact semantics as Helm uses them.
//!
//! No Helm knowledge lives here: Sprig and Helm functions are registered by
//! the `helm` crate through [`FuncMap`].

mod func;
mod value;

pub use func::{CallContext, FuncError, FuncMap, Function};
pub use value::{List, ListType, Map, MapType, Object, Value};
