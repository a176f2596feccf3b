//! Applying rendered manifests: the pure planner ([`plan()`]) and the inventory of
//! what the operator applied, and the executor ([`Applier`], server-side apply, the
//! only writer of workload objects).

pub(crate) mod cluster;
mod drift;
mod execute;
mod inventory;
mod plan;

pub use drift::{
    ApplyReason, apply_reason, digest, drift, integral_numbers, needs_apply, parse_quantity,
};
pub use execute::{Applied, Applier, Discovery, ExecuteError};
pub use inventory::{Inventory, InventoryEntry, ObjectKey};
pub use plan::{
    KEEP_ANNOTATION, KEEP_VALUE, Plan, PlanError, PlannedObject, install_order_index,
    is_cluster_scoped, plan,
};

/// The field manager of every server-side apply the operator makes.
pub const FIELD_MANAGER: &str = "wandb-operator";
