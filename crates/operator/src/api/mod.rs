//! The `WeightsAndBiases` custom resource (`apps.wandb.com/v1`) and its CRD.
//!
//! Input: nothing. Output: Rust types that the controller reads and writes, and the
//! CRD YAML generated from them. The types do no IO; the checked-in copy of the CRD
//! under `charts/operator/crds/` is compared with [`crd_yaml`] by a test.

mod conditions;
mod crd;
mod v1;

pub use conditions::{
    CONDITION_CHANNEL_REACHABLE, CONDITION_READY, CONDITION_RECONCILED, ConditionUpdate,
    find_condition, set_condition,
};
pub use crd::{CrdError, crd, crd_yaml};
pub use v1::{Phase, WeightsAndBiases, WeightsAndBiasesSpec, WeightsAndBiasesStatus};

/// The API group of the custom resource.
pub const GROUP: &str = "apps.wandb.com";
/// The API version (`group/version`) of the custom resource; also injected into the
/// values as `global.operator.apiVersion`.
pub const API_VERSION: &str = "apps.wandb.com/v1";
/// The finalizer the controller puts on every custom resource it manages; the same
/// string as the Go operator so that either can finish the other's deletion.
pub const FINALIZER: &str = "finalizer.app.wandb.com";
