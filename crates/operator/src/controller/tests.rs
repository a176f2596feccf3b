//! `reconcile` end to end on the fake API, with a small fake renderer standing in
//! for the `helm` crate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use http::Method;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::{
    api::{CONDITION_READY, CONDITION_RECONCILED, WeightsAndBiasesSpec, find_condition},
    channel::{FileChannel, embedded_release},
    spec::StoredSpec,
    testing::FakeApi,
};

/// Renders a Deployment (image from `app.image.tag`), a ConfigMap (host), a PVC, a
/// Service when `extra.enabled`, a secretKeyRef to `global.licenseSecret`, and
/// fails like a chart's `fail` when `global.host` is missing.
#[derive(Default)]
struct FakeRenderer {
    seen: Mutex<Vec<Value>>,
}

impl Renderer for FakeRenderer {
    fn render(&self, request: &RenderRequest<'_>) -> Result<RenderedChart, String> {
        let values = request.spec.values().clone();
        self.seen.lock().unwrap().push(values.clone());
        let host = values
            .pointer("/global/host")
            .and_then(Value::as_str)
            .ok_or("operator-wandb/templates/app.yaml:3:4: global.host is required")?;
        let tag = values
            .pointer("/app/image/tag")
            .and_then(Value::as_str)
            .unwrap_or("latest");
        let mut env = vec![json!({"name": "HOST", "value": host})];
        if let Some(name) = values
            .pointer("/global/licenseSecret/name")
            .and_then(Value::as_str)
        {
            env.push(json!({"name": "LICENSE", "valueFrom": {"secretKeyRef": {"name": name, "key": "license"}}}));
        }
        let mut objects = vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "wandb-config"}, "data": {"host": host}}),
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "wandb-data"}, "spec": {}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "wandb-app", "generation": 1},
                   "spec": {"replicas": 1, "template": {"spec": {"containers": [
                       {"name": "app", "image": format!("wandb/local:{tag}"), "env": env}]}}}}),
        ];
        if values.pointer("/extra/enabled") == Some(&json!(true)) {
            objects.push(
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "wandb-extra"}}),
            );
        }
        Ok(RenderedChart {
            manifests: objects
                .into_iter()
                .map(|o| Manifest::from_object("operator-wandb/templates/x.yaml", o))
                .collect(),
            chart_version: "0.1.0".into(),
            app_version: Some(tag.to_string()),
        })
    }
}

fn now() -> Time {
    Time(Timestamp::from_second(1_800_000_000).unwrap())
}

fn context(
    api: &FakeApi,
    renderer: Arc<FakeRenderer>,
    channel: Option<Arc<dyn ReleaseChannel>>,
) -> Context {
    Context {
        client: api.client(),
        applier: Applier::new(api.client()),
        renderer,
        channel,
        airgapped: false,
        defaults: OperatorDefaults::default(),
        now,
    }
}

fn cr(values: Value) -> WeightsAndBiases {
    let mut cr = WeightsAndBiases::new(
        "wandb",
        WeightsAndBiasesSpec {
            chart: None,
            values: Some(values),
        },
    );
    cr.metadata.namespace = Some("ns".into());
    cr.metadata.uid = Some("cr-uid".into());
    cr.metadata.generation = Some(1);
    cr
}

const BASE: &str = "/api/v1/namespaces/ns";
const DEPLOY: &str = "/apis/apps/v1/namespaces/ns/deployments/wandb-app";
const STATUS: &str = "/apis/apps.wandb.com/v1/namespaces/ns/weightsandbiases/wandb/status";
const CR: &str = "/apis/apps.wandb.com/v1/namespaces/ns/weightsandbiases/wandb";

/// The CR as the next watch event would deliver it: status and finalizers from
/// what the operator wrote.
fn observed(api: &FakeApi, mut cr: WeightsAndBiases) -> WeightsAndBiases {
    if let Some(o) = api.get(CR) {
        cr.status = serde_json::from_value(o["status"].clone()).unwrap();
        cr.metadata.finalizers =
            serde_json::from_value(o["metadata"]["finalizers"].clone()).unwrap();
    }
    cr
}

/// A fake API holding the CR, as the API server would.
fn api_with(cr: &WeightsAndBiases) -> FakeApi {
    let api = FakeApi::default();
    api.put(CR, serde_json::to_value(cr).unwrap());
    api
}

fn make_ready(api: &FakeApi) {
    let mut d = api.get(DEPLOY).unwrap();
    d["status"] = json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1});
    api.put(DEPLOY, d);
}

fn write_paths(api: &FakeApi) -> Vec<String> {
    api.writes()
        .into_iter()
        .map(|(m, p)| format!("{m} {p}"))
        .collect()
}

#[tokio::test]
async fn install_then_status_then_zero_writes() {
    let wandb = cr(json!({"global": {"host": "https://w"}}));
    let api = api_with(&wandb);
    let ctx = context(&api, Arc::new(FakeRenderer::default()), None);

    let first = reconcile(&wandb, &ctx).await.unwrap();
    let writes = write_paths(&api);
    assert_eq!(
        writes,
        [
            format!("POST {BASE}/secrets"),
            format!("PATCH {CR}"),
            format!("PATCH {BASE}/secrets/wandb-spec-active"),
            format!("PATCH {BASE}/configmaps/wandb-config"),
            format!("PATCH {BASE}/persistentvolumeclaims/wandb-data"),
            format!("PATCH {DEPLOY}"),
            format!("PATCH {BASE}/secrets/wandb-spec-active"),
            format!("POST {BASE}/secrets"),
            format!("PATCH {STATUS}"),
        ]
    );
    assert!(
        api.get(&format!("{BASE}/secrets/wandb-spec-user"))
            .is_some()
    );
    assert!(api.get(&format!("{BASE}/secrets/wandb-password")).is_some());
    assert_eq!(first.requeue_after, Some(NOT_READY_REQUEUE));
    let reasons: Vec<_> = first.events.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(reasons, ["PasswordCreated", "Applied", "Completed"]);
    let status = observed(&api, wandb.clone()).status.unwrap();
    assert_eq!(status.phase, Some(Phase::Completed));
    // The embedded channel pins the image tag, which the fake chart reports as appVersion.
    let tag = embedded_release().unwrap().values["app"]["image"]["tag"].clone();
    assert_eq!(
        status.version,
        Some(format!("0.1.0 (app {})", tag.as_str().unwrap()))
    );
    assert_eq!(status.last_applied_revision, Some(1));
    let ready = find_condition(&status.conditions, CONDITION_READY).unwrap();
    assert_eq!(ready.status, "False");
    assert!(
        ready.message.contains("Deployment wandb-app"),
        "{}",
        ready.message
    );

    // The Deployment rolls out: only the status changes.
    make_ready(&api);
    api.clear_log();
    let second = reconcile(&observed(&api, wandb.clone()), &ctx)
        .await
        .unwrap();
    assert_eq!(write_paths(&api), [format!("PATCH {STATUS}")]);
    assert_eq!(second.requeue_after, Some(Duration::from_secs(3600)));

    // Nothing new: reads only.
    api.clear_log();
    let third = reconcile(&observed(&api, wandb), &ctx).await.unwrap();
    assert_eq!(api.writes(), []);
    assert!(third.events.is_empty());
    assert!(!third.status_written);
}

#[tokio::test]
async fn tracked_reconcile_marks_workloads_pending_then_health_is_recorded() {
    let wandb = cr(json!({"global": {"host": "https://w"}}));
    let api = api_with(&wandb);
    let ctx = context(&api, Arc::new(FakeRenderer::default()), None);
    let index = WorkloadIndex::default();
    let owner = ObjectRef::from_obj(&wandb);

    let out = reconcile_tracked(&wandb, &ctx, Some(&index)).await.unwrap();
    // Only the Deployment is tracked (not the ConfigMap or the PVC), and until the
    // outcome is recorded any event of it triggers: it may have raced the read.
    assert_eq!(index.len(), 1);
    let live = api.get(DEPLOY).unwrap();
    assert_eq!(index.trigger(&live), Some(owner.clone()));

    let applied = out.applied.unwrap();
    index.record(&owner, &applied.live);
    assert_eq!(
        index.trigger(&live),
        None,
        "the state Ready was computed from"
    );
    make_ready(&api);
    assert_eq!(index.trigger(&api.get(DEPLOY).unwrap()), Some(owner));

    // Invalid Config evaluates no health: the caller forgets the CR's workloads,
    // so their events do not re-run a reconcile that can only fail again.
    let bad = cr(json!({}));
    let out = reconcile_tracked(&bad, &ctx, Some(&index)).await.unwrap();
    assert!(out.applied.is_none());
    assert_eq!(index.len(), 1, "nothing planned, nothing registered");
}

#[tokio::test]
async fn layers_user_input_over_channel_and_cr_over_user_input() {
    let api = api_with(&cr(json!({})));
    let dir = crate::testing::TempDir::new("ctl-layers");
    let channel_file = dir.path().join("channel.yaml");
    std::fs::write(
        &channel_file,
        "metadata: {releaseId: r1}\nchart: {name: operator-wandb}\nvalues:\n  app: {image: {tag: '0.62'}}\n  global: {host: https://channel, size: small}\n",
    )
    .unwrap();
    let user = state_secret(
        StateKind::UserInput,
        "wandb",
        "ns",
        &StoredSpec {
            chart: Value::Null,
            values: json!({"app": {"image": {"tag": "0.60"}}, "global": {"host": "https://user"}}),
            metadata: None,
        },
        None,
        None,
    );
    api.put(
        &format!("{BASE}/secrets/wandb-spec-user"),
        serde_json::to_value(&user).unwrap(),
    );
    let renderer = Arc::new(FakeRenderer::default());
    let ctx = context(
        &api,
        renderer.clone(),
        Some(Arc::new(FileChannel::new(&channel_file))),
    );
    reconcile(&cr(json!({"global": {"host": "https://cr"}})), &ctx)
        .await
        .unwrap();
    let seen = renderer.seen.lock().unwrap()[0].clone();
    assert_eq!(seen["global"]["host"], "https://cr");
    assert_eq!(seen["app"]["image"]["tag"], "0.60");
    assert_eq!(seen["global"]["size"], "small");
    assert_eq!(
        seen["global"]["operator"]["apiVersion"],
        "apps.wandb.com/v1"
    );
    // The fresh channel release is cached for when the channel is down.
    assert!(
        api.get(&format!("{BASE}/secrets/wandb-latest-cached-release"))
            .is_some()
    );
    let d = api.get(DEPLOY).unwrap();
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "wandb/local:0.60"
    );
}

#[tokio::test]
async fn bad_input_is_invalid_config_and_touches_nothing() {
    for (values, expected) in [
        (json!({"global": {}}), "global.host is required"),
        (
            json!({"global": {"host": "h", "licenseSecret": {"name": "wandb-license", "key": "license"}}}),
            "Deployment wandb-app (containers[app].env[LICENSE]) references Secret ns/wandb-license key license, which does not exist",
        ),
    ] {
        let api = api_with(&cr(json!({})));
        let ctx = context(&api, Arc::new(FakeRenderer::default()), None);
        let out = reconcile(&cr(values), &ctx).await.unwrap();
        assert_eq!(out.requeue_after, None);
        assert_eq!(out.events[0].0, Reason::InvalidConfig);
        assert!(out.events[0].1.contains(expected), "{}", out.events[0].1);
        // Only the user-input Secret (first contact) and the status are written.
        assert_eq!(
            write_paths(&api),
            [format!("POST {BASE}/secrets"), format!("PATCH {STATUS}")]
        );
        let status = observed(&api, cr(json!({}))).status.unwrap();
        assert_eq!(status.phase, Some(Phase::InvalidConfig));
        let c = find_condition(&status.conditions, CONDITION_RECONCILED).unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "InvalidConfig")
        );
    }

    let api = api_with(&cr(json!({})));
    let ctx = context(&api, Arc::new(FakeRenderer::default()), None);
    let mut bad_chart = cr(json!({"global": {"host": "h"}}));
    bad_chart.spec.chart = Some(json!({"repository": "x"}));
    let out = reconcile(&bad_chart, &ctx).await.unwrap();
    assert!(
        out.events[0]
            .1
            .starts_with("spec.chart: unrecognised chart reference"),
        "{}",
        out.events[0].1
    );
}

#[tokio::test]
async fn disabling_a_component_prunes_it_and_deletion_uninstalls_all_but_pvcs() {
    let api = api_with(&cr(json!({})));
    let ctx = context(&api, Arc::new(FakeRenderer::default()), None);
    let with_extra = cr(json!({"global": {"host": "h"}, "extra": {"enabled": true}}));
    reconcile(&with_extra, &ctx).await.unwrap();
    assert!(api.get(&format!("{BASE}/services/wandb-extra")).is_some());

    let mut without = observed(
        &api,
        cr(json!({"global": {"host": "h"}, "extra": {"enabled": false}})),
    );
    without.metadata.generation = Some(2);
    let out = reconcile(&without, &ctx).await.unwrap();
    assert!(api.get(&format!("{BASE}/services/wandb-extra")).is_none());
    assert!(
        out.events
            .iter()
            .any(|(r, m)| *r == Reason::Pruned && m.contains("wandb-extra"))
    );

    let mut deleting = observed(&api, without);
    deleting.metadata.deletion_timestamp = Some(now());
    api.clear_log();
    let out = reconcile(&deleting, &ctx).await.unwrap();
    assert!(api.get(DEPLOY).is_none());
    assert!(
        api.get(&format!("{BASE}/configmaps/wandb-config"))
            .is_none()
    );
    assert!(
        api.get(&format!("{BASE}/persistentvolumeclaims/wandb-data"))
            .is_some()
    );
    // The admin's user input and the console password survive.
    assert!(
        api.get(&format!("{BASE}/secrets/wandb-spec-user"))
            .is_some()
    );
    assert!(api.get(&format!("{BASE}/secrets/wandb-password")).is_some());
    let finalizers = api.get(CR).unwrap()["metadata"]["finalizers"].clone();
    assert_eq!(finalizers, json!([]));
    assert!(
        api.writes()
            .iter()
            .all(|(m, _)| *m == Method::DELETE || *m == Method::PATCH)
    );
    let reasons: Vec<_> = out.events.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(reasons, ["Uninstalling", "Uninstalled"]);
}

/// The status write returns the CR as stored. When the spec was edited or the CR
/// deleted while the reconcile ran, that answer is not the echo of our write: the
/// reconcile must not record it, or the watch event of the edit is skipped.
#[tokio::test]
async fn a_cr_changed_during_the_reconcile_is_not_taken_for_our_echo() {
    let mut wandb = cr(json!({"global": {"host": "https://w"}}));
    wandb.metadata.resource_version = Some("7".into());

    let api = api_with(&wandb);
    let ctx = context(&api, Arc::new(FakeRenderer::default()), None);
    let out = reconcile(&wandb, &ctx).await.unwrap();
    assert!(out.status_written);
    assert_eq!(out.status_resource_version.as_deref(), Some("7"));

    for (field, value) in [
        ("generation", json!(2)),
        ("deletionTimestamp", json!("2026-11-21T00:00:00Z")),
        ("annotations", json!({"team": "ml"})),
    ] {
        let change = format!("{field}: {value}");
        let api = api_with(&wandb);
        let mut stored = api.get(CR).unwrap();
        stored["metadata"][field] = value;
        api.put(CR, stored);
        let ctx = context(&api, Arc::new(FakeRenderer::default()), None);
        // The reconcile works from the object it was handed (before the change).
        let out = reconcile(&wandb, &ctx).await.unwrap();
        assert!(out.status_written, "{change}");
        assert_eq!(out.status_resource_version, None, "{change}");
    }
}
