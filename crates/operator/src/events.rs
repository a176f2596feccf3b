//! Event reasons and messages. Reasons are stable CamelCase strings (scripts and
//! alerts match on them); failures are `Warning`s, unlike the Go operator whose
//! events were all `Normal`. Messages are redacted and bounded before they leave
//! the process.

use crate::spec::redact_url_password;

/// Kubernetes event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Something expected happened.
    Normal,
    /// Something needs attention.
    Warning,
}

impl EventType {
    /// The API string.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// Why an event was emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Objects were applied (message: counts).
    Applied,
    /// Objects no longer rendered were deleted.
    Pruned,
    /// The reconcile finished and the cluster matches the desired spec.
    Completed,
    /// The configuration cannot be applied (bad CR, chart failure, missing Secret).
    InvalidConfig,
    /// Applying failed on the API server.
    ApplyFailed,
    /// Pruning failed.
    PruneFailed,
    /// The release channel did not answer; a cached or embedded release is used.
    ChannelUnreachable,
    /// A state Secret could not be written (Go operator's reason).
    SecretWriteFailed,
    /// `wandb-password` was created.
    PasswordCreated,
    /// The CR is being deleted and its objects are pruned.
    Uninstalling,
    /// Everything the CR installed (except kept objects and PVCs) is gone.
    Uninstalled,
}

impl Reason {
    /// The reason string.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Applied => "Applied",
            Reason::Pruned => "Pruned",
            Reason::Completed => "Completed",
            Reason::InvalidConfig => "InvalidConfig",
            Reason::ApplyFailed => "ApplyFailed",
            Reason::PruneFailed => "PruneFailed",
            Reason::ChannelUnreachable => "ChannelUnreachable",
            Reason::SecretWriteFailed => "SecretWriteFailed",
            Reason::PasswordCreated => "PasswordCreated",
            Reason::Uninstalling => "Uninstalling",
            Reason::Uninstalled => "Uninstalled",
        }
    }

    /// Normal or Warning.
    pub fn event_type(self) -> EventType {
        match self {
            Reason::InvalidConfig
            | Reason::ApplyFailed
            | Reason::PruneFailed
            | Reason::ChannelUnreachable
            | Reason::SecretWriteFailed => EventType::Warning,
            _ => EventType::Normal,
        }
    }
}

/// The event's `action`: `Reconcile-` and a hash of the note. kube-runtime's
/// `Recorder` folds events with the same type, reason, action and object into one
/// series and keeps the first note, so with a fixed action a second, different
/// `InvalidConfig` message would only bump the count of the first one and never be
/// seen. With the hash, a different message is a new event and the same message
/// repeated still folds into one series (its count goes up, nothing piles up).
pub fn event_action(note: &str) -> String {
    // FNV-1a: stable across processes and releases, unlike `DefaultHasher`, so a
    // restarted operator names the same message the same way.
    let hash = note.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("Reconcile-{hash:08x}")
}

/// Longest event note the API server accepts (events.k8s.io `note`: 1 kB).
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// Redacts URL passwords and truncates to [`MAX_MESSAGE_BYTES`] on a character
/// boundary, marking the cut.
pub fn event_message(message: &str) -> String {
    let redacted = redact_url_password(message);
    if redacted.len() <= MAX_MESSAGE_BYTES {
        return redacted;
    }
    let marker = " [truncated]";
    let mut end = MAX_MESSAGE_BYTES - marker.len();
    while !redacted.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{marker}", &redacted[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_warnings() {
        assert_eq!(Reason::InvalidConfig.event_type(), EventType::Warning);
        assert_eq!(Reason::ApplyFailed.event_type().as_str(), "Warning");
        assert_eq!(Reason::Completed.event_type(), EventType::Normal);
        assert_eq!(Reason::SecretWriteFailed.as_str(), "SecretWriteFailed");
    }

    #[test]
    fn actions_differ_by_note_and_are_stable() {
        let a = event_action("spec.chart: unrecognised chart reference");
        assert_eq!(a, event_action("spec.chart: unrecognised chart reference"));
        assert_ne!(a, event_action("runAsGroup: 1000 is not supported"));
        assert_ne!(event_action(""), event_action(" "));
        // FNV-1a 32 of the empty string is its offset basis; of "a", 0xe40c292c.
        assert_eq!(event_action(""), "Reconcile-811c9dc5");
        assert_eq!(event_action("a"), "Reconcile-e40c292c");
        assert!(event_action(&"x".repeat(5000)).len() <= 128);
    }

    #[test]
    fn messages_are_redacted_and_bounded() {
        assert_eq!(
            event_message("channel https://license:abc@deploy.wandb.ai failed"),
            "channel https://license:***REDACTED***@deploy.wandb.ai failed"
        );
        let long = "é".repeat(2000);
        let m = event_message(&long);
        assert!(m.len() <= MAX_MESSAGE_BYTES);
        assert!(m.ends_with("[truncated]"));
    }
}
