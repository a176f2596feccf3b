//! One module per subcommand. Each takes its parsed arguments and a writer for
//! stdout, so tests can capture the output.

pub mod crd;
pub mod diff;
pub mod explain;
pub mod render;
pub mod run;
pub mod template;
