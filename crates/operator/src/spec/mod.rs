//! The desired configuration: layers, merge rules, provenance, chart reference,
//! license, redaction, and the state Secrets that persist it.
//!
//! Precedence: CR values > user input > release channel > operator defaults. All
//! functions here are pure except none; IO (reading Secrets, calling the channel)
//! belongs to the controller and the CLI.

mod duration;
mod explain;
mod layers;
mod license;
mod merge;
mod redact;
mod state;

pub use duration::{DEFAULT_RECONCILE_FREQUENCY, DurationError, parse_go_duration};
pub use explain::{Explanation, explain};
pub use layers::{
    DEFAULT_OPERATOR_NAMESPACE, DesiredSpec, LayerInputs, OperatorDefaults,
    RECONCILE_FREQUENCY_KEY, RELEASE_ID_KEY, SpecError, desired_spec, release_id,
};
pub use license::{LicenseSource, license_sources};
pub use merge::{Layer, Merged, PathError, Provenance, ValuePath, merge_layers};
pub use redact::{REDACTED, is_secret_key, redact, redact_at, redact_url_password, redact_value};
pub use state::{
    KEY_CHART, KEY_INVENTORY, KEY_METADATA, KEY_VALUES, STATE_LABEL, StateError, StateKind,
    StoredSpec, inventory_from_secret, state_secret,
};
