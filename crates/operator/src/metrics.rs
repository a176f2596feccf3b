//! Prometheus metrics (`/metrics`, OpenMetrics text), prefixed `wandb_operator_`:
//! reconciles, reconcile errors by kind, reconcile duration, objects applied and
//! pruned. Labels are bounded (error kinds are static strings), never CR names
//! with values.

use std::time::Instant;

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

/// Label of the error counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    /// A static category such as `invalid_config`, `apply`, `channel`.
    pub kind: String,
}

/// The operator's metrics.
#[derive(Clone, Debug)]
pub struct Metrics {
    /// Reconciles started.
    pub reconciles: Counter,
    /// Reconciles that failed, by error kind.
    pub errors: Family<ErrorLabels, Counter>,
    /// Reconcile duration in seconds.
    pub duration: Histogram,
    /// Objects applied with server-side apply.
    pub applied: Counter,
    /// Objects deleted by pruning or uninstall.
    pub pruned: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            reconciles: Counter::default(),
            errors: Family::default(),
            // 10 ms .. ~160 s
            duration: Histogram::new(exponential_buckets(0.01, 2.0, 15)),
            applied: Counter::default(),
            pruned: Counter::default(),
        }
    }
}

impl Metrics {
    /// Creates the metrics and registers them in `registry` under `wandb_operator`.
    pub fn register(registry: &mut Registry) -> Metrics {
        let m = Metrics::default();
        let sub = registry.sub_registry_with_prefix("wandb_operator");
        sub.register("reconciles", "Reconciles started", m.reconciles.clone());
        sub.register(
            "reconcile_errors",
            "Reconciles that failed, by error kind",
            m.errors.clone(),
        );
        sub.register(
            "reconcile_duration_seconds",
            "Duration of reconciles",
            m.duration.clone(),
        );
        sub.register(
            "objects_applied",
            "Objects applied with server-side apply",
            m.applied.clone(),
        );
        sub.register(
            "objects_pruned",
            "Objects deleted by pruning or uninstall",
            m.pruned.clone(),
        );
        m
    }

    /// Counts a reconcile and returns a guard that records its duration when dropped.
    pub fn start_reconcile(&self) -> ReconcileTimer {
        self.reconciles.inc();
        ReconcileTimer {
            start: Instant::now(),
            histogram: self.duration.clone(),
        }
    }

    /// Counts a failed reconcile.
    pub fn record_error(&self, kind: &str) {
        self.errors
            .get_or_create(&ErrorLabels {
                kind: kind.to_string(),
            })
            .inc();
    }
}

/// Records the reconcile duration on drop (also on early return or error).
#[derive(Debug)]
pub struct ReconcileTimer {
    start: Instant,
    histogram: Histogram,
}

impl Drop for ReconcileTimer {
    fn drop(&mut self) {
        self.histogram.observe(self.start.elapsed().as_secs_f64());
    }
}

/// The registry as OpenMetrics text.
pub fn render(registry: &Registry) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    encode(&mut out, registry)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_encodes() {
        let mut registry = Registry::default();
        let m = Metrics::register(&mut registry);
        {
            let _timer = m.start_reconcile();
            m.applied.inc_by(12);
            m.pruned.inc_by(2);
            m.record_error("invalid_config");
            m.record_error("invalid_config");
        }
        let text = render(&registry).unwrap();
        assert!(text.contains("wandb_operator_reconciles_total 1"), "{text}");
        assert!(
            text.contains("wandb_operator_reconcile_errors_total{kind=\"invalid_config\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("wandb_operator_objects_applied_total 12"),
            "{text}"
        );
        assert!(
            text.contains("wandb_operator_objects_pruned_total 2"),
            "{text}"
        );
        assert!(
            text.contains("wandb_operator_reconcile_duration_seconds_count 1"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
