//! The `wandb-operator` command line over the `operator` library.
//!
//! `main.rs` only parses and dispatches; each subcommand lives in `cmd/`.

pub mod cli;
pub mod cmd;
