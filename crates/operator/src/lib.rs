//! The W&B operator library.
//!
//! The reconcile is a pipeline whose middle is pure: `spec` assembles the desired
//! configuration from its layers, `render` turns it into manifests (through the
//! `helm` crate), `apply::plan` decides what to apply and prune. Only the ends touch
//! the cluster. The binary `wandb-operator` is a thin CLI over this crate.

pub mod api;
pub mod apply;
pub mod channel;
pub mod controller;
pub mod events;
pub mod health;
pub mod metrics;
pub mod password;
pub mod render;
pub mod source;
pub mod spec;
pub mod status;
#[cfg(test)]
mod testing;
pub mod validate;
