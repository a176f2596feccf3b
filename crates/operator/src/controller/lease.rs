//! Leader election through a `coordination.k8s.io/v1` Lease, so that with more
//! than one replica only one operator reconciles. The Lease name defaults to the
//! Go operator's (`3009dfa6.apps.wandb.com`), so the two never run at once in one
//! namespace either. Writes carry the Lease's `resourceVersion`: two candidates
//! racing for an expired Lease cannot both win.

use std::time::Duration;

use k8s_openapi::{
    api::coordination::v1::{Lease, LeaseSpec},
    apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta},
    jiff::{SignedDuration, Timestamp},
};
use kube::{Api, Client, api::PostParams};

/// Leader-election settings.
#[derive(Clone, Debug)]
pub struct LeaseConfig {
    /// Lease name.
    pub name: String,
    /// Namespace of the Lease (the operator's).
    pub namespace: String,
    /// This replica's identity (pod name).
    pub identity: String,
    /// How long a Lease stays valid without renewal.
    pub lease_duration: Duration,
    /// How often the holder renews (and candidates retry).
    pub retry_period: Duration,
}

impl LeaseConfig {
    /// Defaults: 15 s lease, 5 s retry, as controller-runtime uses.
    pub fn new(name: &str, namespace: &str, identity: &str) -> LeaseConfig {
        LeaseConfig {
            name: name.to_string(),
            namespace: namespace.to_string(),
            identity: identity.to_string(),
            lease_duration: Duration::from_secs(15),
            retry_period: Duration::from_secs(5),
        }
    }
}

/// What to do with the Lease as it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// No Lease: create it, holding it.
    Create,
    /// We hold it: renew.
    Renew,
    /// Someone else held it but it expired (or was released): take it over.
    TakeOver,
    /// Someone else holds a valid Lease: wait.
    Wait {
        /// The current holder.
        holder: String,
    },
}

/// Decides, from the current Lease, what this candidate does. Pure.
pub fn decide(lease: Option<&Lease>, identity: &str, now: Timestamp) -> Decision {
    let Some(lease) = lease else {
        return Decision::Create;
    };
    let spec = lease.spec.clone().unwrap_or_default();
    let holder = spec.holder_identity.unwrap_or_default();
    if holder == identity {
        return Decision::Renew;
    }
    if holder.is_empty() {
        return Decision::TakeOver;
    }
    let duration = SignedDuration::from_secs(i64::from(spec.lease_duration_seconds.unwrap_or(15)));
    let expired = match spec.renew_time.or(spec.acquire_time) {
        Some(MicroTime(renewed)) => renewed.checked_add(duration).map_or(true, |end| end < now),
        None => true,
    };
    if expired {
        Decision::TakeOver
    } else {
        Decision::Wait { holder }
    }
}

/// Acquires and holds the Lease.
pub struct LeaderElector {
    api: Api<Lease>,
    config: LeaseConfig,
}

impl LeaderElector {
    /// An elector for `config` using `client`.
    pub fn new(client: Client, config: LeaseConfig) -> LeaderElector {
        LeaderElector {
            api: Api::namespaced(client, &config.namespace),
            config,
        }
    }

    fn spec(&self, now: Timestamp, previous: Option<&LeaseSpec>, take_over: bool) -> LeaseSpec {
        let transitions = previous.and_then(|p| p.lease_transitions).unwrap_or(0);
        LeaseSpec {
            holder_identity: Some(self.config.identity.clone()),
            lease_duration_seconds: Some(
                self.config
                    .lease_duration
                    .as_secs()
                    .try_into()
                    .unwrap_or(15),
            ),
            acquire_time: if take_over || previous.is_none() {
                Some(MicroTime(now))
            } else {
                previous.and_then(|p| p.acquire_time.clone())
            },
            renew_time: Some(MicroTime(now)),
            lease_transitions: Some(if take_over {
                transitions + 1
            } else {
                transitions
            }),
            ..LeaseSpec::default()
        }
    }

    /// One round: returns whether this replica holds the Lease afterwards. A lost
    /// race (409) is "not leader", not an error.
    pub async fn try_acquire_or_renew(&self) -> Result<bool, kube::Error> {
        let now = Timestamp::now();
        let current = self.api.get_opt(&self.config.name).await?;
        let decision = decide(current.as_ref(), &self.config.identity, now);
        let result = match (decision, current) {
            (Decision::Wait { .. }, _) => return Ok(false),
            (Decision::Create, _) => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(self.config.name.clone()),
                        namespace: Some(self.config.namespace.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(self.spec(now, None, false)),
                };
                self.api.create(&PostParams::default(), &lease).await
            }
            (decision, Some(mut lease)) => {
                let take_over = decision == Decision::TakeOver;
                lease.spec = Some(self.spec(now, lease.spec.as_ref(), take_over));
                // `replace` sends the resourceVersion we read: optimistic locking.
                self.api
                    .replace(&self.config.name, &PostParams::default(), &lease)
                    .await
            }
            (_, None) => return Ok(false),
        };
        match result {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Waits until this replica holds the Lease.
    pub async fn acquire(&self) {
        loop {
            match self.try_acquire_or_renew().await {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "leader election: reading or writing the Lease failed")
                }
            }
            tokio::time::sleep(self.config.retry_period).await;
        }
    }

    /// Renews the Lease until it is lost (another holder, or no successful renewal
    /// within the lease duration); then returns.
    pub async fn hold(&self) {
        let mut last_renewal = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(self.config.retry_period).await;
            match self.try_acquire_or_renew().await {
                Ok(true) => last_renewal = tokio::time::Instant::now(),
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "leader election: renewing the Lease failed");
                    if last_renewal.elapsed() >= self.config.lease_duration {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeApi;

    fn lease(holder: &str, renewed: i64, duration: i32) -> Lease {
        Lease {
            metadata: ObjectMeta::default(),
            spec: Some(LeaseSpec {
                holder_identity: Some(holder.into()),
                renew_time: Some(MicroTime(Timestamp::from_second(renewed).unwrap())),
                lease_duration_seconds: Some(duration),
                ..LeaseSpec::default()
            }),
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn decisions() {
        assert_eq!(decide(None, "a", at(100)), Decision::Create);
        assert_eq!(
            decide(Some(&lease("a", 90, 15)), "a", at(100)),
            Decision::Renew
        );
        assert_eq!(
            decide(Some(&lease("b", 90, 15)), "a", at(100)),
            Decision::Wait { holder: "b".into() }
        );
        assert_eq!(
            decide(Some(&lease("b", 80, 15)), "a", at(100)),
            Decision::TakeOver
        );
        assert_eq!(
            decide(Some(&lease("", 99, 15)), "a", at(100)),
            Decision::TakeOver
        );
    }

    #[tokio::test]
    async fn first_candidate_wins_and_the_second_waits() {
        let api = FakeApi::default();
        let a = LeaderElector::new(
            api.client(),
            LeaseConfig::new("3009dfa6.apps.wandb.com", "ops", "pod-a"),
        );
        let b = LeaderElector::new(
            api.client(),
            LeaseConfig::new("3009dfa6.apps.wandb.com", "ops", "pod-b"),
        );
        assert!(a.try_acquire_or_renew().await.unwrap());
        assert!(!b.try_acquire_or_renew().await.unwrap());
        assert!(a.try_acquire_or_renew().await.unwrap());
        let stored = api
            .get("/apis/coordination.k8s.io/v1/namespaces/ops/leases/3009dfa6.apps.wandb.com")
            .unwrap();
        assert_eq!(stored["spec"]["holderIdentity"], "pod-a");
        assert_eq!(stored["spec"]["leaseDurationSeconds"], 15);
    }
}
