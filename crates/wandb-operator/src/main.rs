//! `wandb-operator`: parse the command line and dispatch; nothing else.

use std::process::ExitCode;

use clap::Parser;
use wandb_operator::cli::Cli;

fn main() -> ExitCode {
    Cli::parse().run()
}
