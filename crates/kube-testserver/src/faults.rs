//! Request log and fault injection.

use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// Kubernetes verb: get, list, watch, create, update, patch, delete,
    /// deletecollection, or "" for non-resource paths (discovery, openapi).
    pub verb: String,
    /// API group of the resource ("" for core).
    pub group: String,
    /// Plural resource name.
    pub resource: String,
    /// Namespace.
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// Subresource ("status", "scale") or "".
    pub subresource: String,
    /// Field manager of a write (query param, or the user-agent prefix).
    pub field_manager: String,
    /// User-Agent header.
    pub user_agent: String,
    /// Patch content type, for PATCH.
    pub content_type: String,
    /// Whether `dryRun=All` was set.
    pub dry_run: bool,
    /// Response status code.
    pub status: u16,
}

impl RequestRecord {
    /// Whether this request asked to change state (dry runs excluded).
    pub fn is_write(&self) -> bool {
        !self.dry_run
            && matches!(
                self.verb.as_str(),
                "create" | "update" | "patch" | "delete" | "deletecollection"
            )
    }
}

/// Selects requests for faults and latency. Empty fields match anything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestMatcher {
    /// Kubernetes verb, e.g. `patch`.
    pub verb: Option<String>,
    /// Plural resource, e.g. `deployments`.
    pub resource: Option<String>,
    /// Namespace.
    pub namespace: Option<String>,
    /// Object name.
    pub name: Option<String>,
    /// Field manager.
    pub field_manager: Option<String>,
}

impl RequestMatcher {
    /// Matches every resource request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Restricts to a verb.
    pub fn verb(mut self, verb: &str) -> Self {
        self.verb = Some(verb.to_string());
        self
    }

    /// Restricts to a plural resource name.
    pub fn resource(mut self, resource: &str) -> Self {
        self.resource = Some(resource.to_string());
        self
    }

    /// Restricts to a namespace.
    pub fn namespace(mut self, ns: &str) -> Self {
        self.namespace = Some(ns.to_string());
        self
    }

    /// Restricts to an object name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Restricts to a field manager.
    pub fn field_manager(mut self, m: &str) -> Self {
        self.field_manager = Some(m.to_string());
        self
    }

    /// Whether a request matches.
    pub fn matches(&self, r: &RequestRecord) -> bool {
        !r.verb.is_empty()
            && self.verb.as_ref().is_none_or(|v| *v == r.verb)
            && self.resource.as_ref().is_none_or(|v| *v == r.resource)
            && self.namespace.as_ref().is_none_or(|v| *v == r.namespace)
            && self.name.as_ref().is_none_or(|v| *v == r.name)
            && self
                .field_manager
                .as_ref()
                .is_none_or(|v| *v == r.field_manager)
    }
}

/// How an injected fault fails the request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// 500 InternalError.
    InternalError,
    /// 409 Conflict.
    Conflict,
    /// 429 TooManyRequests with Retry-After: 1.
    TooManyRequests,
    /// Hold the request for this long, then answer 504 Timeout.
    Timeout(Duration),
}

#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub matcher: RequestMatcher,
    pub nth: usize,
    pub seen: usize,
    pub kind: FaultKind,
    pub repeat: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    pub faults: Vec<Fault>,
    pub latency: Vec<(RequestMatcher, Duration)>,
}

impl Faults {
    /// The fault to inject for this request, if any (counts matches).
    pub fn check(&mut self, r: &RequestRecord) -> Option<FaultKind> {
        let mut hit = None;
        for f in self.faults.iter_mut() {
            if !f.matcher.matches(r) {
                continue;
            }
            f.seen += 1;
            let fire = if f.repeat {
                f.seen >= f.nth
            } else {
                f.seen == f.nth
            };
            if fire && hit.is_none() {
                hit = Some(f.kind);
            }
        }
        self.faults.retain(|f| f.repeat || f.seen < f.nth);
        hit
    }

    /// Total latency to add.
    pub fn latency(&self, r: &RequestRecord) -> Duration {
        self.latency
            .iter()
            .filter(|(m, _)| m.matches(r))
            .map(|(_, d)| *d)
            .sum()
    }
}
