//! Sprig's crypto functions.

use gotmpl::FuncMap;

pub(crate) fn register(_map: &mut FuncMap) {}
