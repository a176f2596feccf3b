//! kube-testserver (placeholder; see the crate's issue).
