//! The executor against the in-memory fake API of `crate::testing`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use http::Method;
use serde_json::{Value, json};

use super::*;
use crate::{apply::plan, render::Manifest, testing::FakeApi};

fn manifest(object: Value) -> Manifest {
    Manifest::from_object("c/templates/x.yaml", object)
}

fn manifests(replicas: i64) -> Vec<Manifest> {
    vec![
        manifest(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
                        "spec": {"replicas": replicas}}),
        ),
        manifest(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
                        "data": {"a": "1"}}),
        ),
        manifest(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                        "metadata": {"name": "wandb-console"}, "rules": []}),
        ),
    ]
}

const DEPLOY: &str = "/apis/apps/v1/namespaces/wandb/deployments/app";
const CONFIGMAP: &str = "/api/v1/namespaces/wandb/configmaps/cfg";

/// A fake cluster with `manifests` installed by a first execution: the API, its
/// applier and what the execution did.
async fn installed(manifests: &[Manifest]) -> (FakeApi, Applier, Applied) {
    let api = FakeApi::default();
    let applier = Applier::new(api.client());
    let first = applier
        .execute(&plan(manifests, &Inventory::default(), "wandb").unwrap())
        .await
        .unwrap();
    (api, applier, first)
}

#[tokio::test]
async fn first_apply_then_a_steady_state_without_writes() {
    let api = FakeApi::default();
    let applier = Applier::new(api.client());
    let p = plan(&manifests(1), &Inventory::default(), "wandb").unwrap();
    let applied = applier.execute(&p).await.unwrap();
    assert_eq!(applied.applied.len(), 3);
    assert!(applied.wrote());
    let patches: Vec<_> = api.writes().into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        patches,
        [
            "/api/v1/namespaces/wandb/configmaps/cfg",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/wandb-console",
            DEPLOY,
        ]
    );
    let role = applied
        .inventory
        .entries
        .iter()
        .find(|e| e.kind == "ClusterRole")
        .unwrap();
    assert_eq!(role.namespace, None);
    assert!(applied.inventory.entries.iter().all(|e| e.uid.is_some()));
    assert_eq!(api.get(DEPLOY).unwrap()["metadata"]["namespace"], "wandb");

    api.clear_log();
    let again = plan(&manifests(1), &applied.inventory, "wandb").unwrap();
    let steady = applier.execute(&again).await.unwrap();
    assert_eq!(api.writes(), []);
    assert_eq!((steady.unchanged, steady.wrote()), (3, false));
    assert_eq!(steady.inventory, applied.inventory);
    assert_eq!(steady.live.len(), 3);
}

#[tokio::test]
async fn only_changed_or_drifted_objects_are_reapplied() {
    let (api, applier, first) = installed(&manifests(1)).await;
    let mut edited = api.get(CONFIGMAP).unwrap();
    edited["data"]["a"] = json!("hand-edited");
    api.put(CONFIGMAP, edited);
    api.clear_log();
    let next = applier
        .execute(&plan(&manifests(2), &first.inventory, "wandb").unwrap())
        .await
        .unwrap();
    let mut written: Vec<_> = api.writes().into_iter().map(|(_, p)| p).collect();
    written.sort();
    assert_eq!(written, [CONFIGMAP, DEPLOY]);
    assert_eq!(next.unchanged, 1);
    assert_eq!(api.get(CONFIGMAP).unwrap()["data"]["a"], "1");
}

#[tokio::test]
async fn prune_deletes_only_what_is_still_ours() {
    let api = FakeApi::default();
    let applier = Applier::new(api.client());
    let mut all = manifests(1);
    all.push(manifest(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "gone"}}),
    ));
    all.push(manifest(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "kept-by-hand"}}),
    ));
    all.push(manifest(
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}),
    ));
    all.push(manifest(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "recreated"}}),
    ));
    let first = applier
        .execute(&plan(&all, &Inventory::default(), "wandb").unwrap())
        .await
        .unwrap();
    // Someone annotates one object to keep it, and re-creates another one.
    let kept_path = "/api/v1/namespaces/wandb/secrets/kept-by-hand";
    let mut kept = api.get(kept_path).unwrap();
    kept["metadata"]["annotations"] = json!({"helm.sh/resource-policy": "keep"});
    api.put(kept_path, kept);
    let recreated_path = "/api/v1/namespaces/wandb/secrets/recreated";
    let mut recreated = api.get(recreated_path).unwrap();
    recreated["metadata"]["uid"] = json!("someone-else");
    api.put(recreated_path, recreated);
    api.clear_log();

    let p = plan(&manifests(1), &first.inventory, "wandb").unwrap();
    let done = applier.execute(&p).await.unwrap();
    assert_eq!(
        api.writes(),
        [(
            Method::DELETE,
            "/api/v1/namespaces/wandb/services/gone".to_string()
        )]
    );
    assert_eq!(done.pruned.len(), 1);
    assert!(api.get("/api/v1/namespaces/wandb/services/gone").is_none());
    assert!(api.get(kept_path).is_some());
    assert!(api.get(recreated_path).is_some());
    assert!(
        api.get("/api/v1/namespaces/wandb/persistentvolumeclaims/data")
            .is_some()
    );
    assert_eq!(done.retained.len(), 3);
    assert_eq!(done.inventory.entries.len(), 3);
}

#[tokio::test]
async fn uninstall_prunes_everything_but_pvcs() {
    let mut all = manifests(1);
    all.push(manifest(
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}),
    ));
    let (api, applier, first) = installed(&all).await;
    let done = applier
        .execute(&Plan::uninstall(&first.inventory, "wandb"))
        .await
        .unwrap();
    assert_eq!(done.pruned.len(), 3);
    let left: Vec<String> = api.0.lock().unwrap().objects.keys().cloned().collect();
    assert_eq!(
        left,
        ["/api/v1/namespaces/wandb/persistentvolumeclaims/data"]
    );
}

#[tokio::test]
async fn unknown_kinds_fail_with_a_discovery_error() {
    let api = FakeApi::default();
    let applier = Applier::new(api.client());
    let m = vec![manifest(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
    )];
    let e = applier
        .execute(&plan(&m, &Inventory::default(), "wandb").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.category(), "discovery");
    assert!(e.to_string().contains("example.com/v1 Widget"), "{e}");
    assert!(!e.is_permanent());
}

#[tokio::test]
async fn state_secrets_are_written_once_and_the_password_never_overwritten() {
    let api = FakeApi::default();
    let applier = Applier::new(api.client());
    let spec = crate::spec::StoredSpec::default();
    let secret = crate::spec::state_secret(
        crate::spec::StateKind::Active,
        "wandb",
        "wandb",
        &spec,
        None,
        None,
    );
    assert!(applier.apply_secret(&secret).await.unwrap());
    api.clear_log();
    assert!(!applier.apply_secret(&secret).await.unwrap());
    assert_eq!(api.writes(), []);

    let first = crate::password::password_secret("wandb", "first-password");
    assert!(applier.create_secret_if_absent(&first).await.unwrap());
    let second = crate::password::password_secret("wandb", "second-password");
    assert!(!applier.create_secret_if_absent(&second).await.unwrap());
    let stored = api
        .get("/api/v1/namespaces/wandb/secrets/wandb-password")
        .unwrap();
    assert_eq!(stored["data"]["password"], json!("Zmlyc3QtcGFzc3dvcmQ="));
}

#[tokio::test]
async fn discovery_keeps_answers_not_misses_and_forgets_on_request() {
    let api = FakeApi::default();
    let discovery = Discovery::default();
    let client = api.client();
    let discovery_gets = |api: &FakeApi| {
        api.0
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|(_, p)| {
                matches!(
                    p.as_str(),
                    "/api/v1" | "/apis/apps/v1" | "/apis/example.com/v1"
                )
            })
            .count()
    };
    let (resource, namespaced) = discovery
        .resolve(&client, "apps/v1", "Deployment")
        .await
        .unwrap();
    assert_eq!(
        (resource.plural.as_str(), namespaced),
        ("deployments", true)
    );
    discovery
        .resolve(&client, "apps/v1", "Deployment")
        .await
        .unwrap();
    // An applier and a lookup sharing the cache ask once between them.
    let applier = Applier::with_discovery(client.clone(), discovery.clone());
    applier
        .cluster
        .resolve("apps/v1", "Deployment")
        .await
        .unwrap();
    assert_eq!(discovery_gets(&api), 1);

    // One answer per group version serves all its kinds.
    for kind in ["Secret", "ConfigMap", "Service", "Secret"] {
        discovery.resolve(&client, "v1", kind).await.unwrap();
    }
    assert_eq!(discovery_gets(&api), 2);

    // A group version the cluster does not serve (yet), and a kind missing from a
    // served one: asked every time, so a CRD installed later is found.
    for _ in 0..2 {
        assert!(
            discovery
                .resolve(&client, "example.com/v1", "Widget")
                .await
                .is_err()
        );
        let missing = discovery.resolve(&client, "apps/v1", "Widget").await;
        assert!(
            matches!(missing, Err(kube::Error::Discovery(_))),
            "{missing:?}"
        );
    }
    assert_eq!(discovery_gets(&api), 6);

    discovery.forget("apps/v1", "Deployment");
    applier
        .cluster
        .resolve("apps/v1", "Deployment")
        .await
        .unwrap();
    assert_eq!(discovery_gets(&api), 7);
}

fn labelled_config(labels: Value, data: Value) -> Vec<Manifest> {
    let mut all = manifests(1);
    all[1] = manifest(json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "cfg", "labels": labels}, "data": data}));
    all
}

#[tokio::test]
async fn a_key_the_chart_stopped_rendering_is_reapplied_once() {
    let before = labelled_config(
        json!({"app": "w", "tier": "old"}),
        json!({"a": "1", "stale": "x"}),
    );
    let (api, applier, first) = installed(&before).await;
    assert!(first.inventory.entries.iter().all(|e| e.applied.is_some()));
    // The live ConfigMap still holds every field of the new render (the fake
    // server merges, as the label stays until applied): without the recorded
    // digest, nothing would be written and the stale keys would stay.
    let after = labelled_config(json!({"app": "w"}), json!({"a": "1"}));
    api.clear_log();
    let next = applier
        .execute(&plan(&after, &first.inventory, "wandb").unwrap())
        .await
        .unwrap();
    assert_eq!(
        api.writes(),
        [(Method::PATCH, CONFIGMAP.to_string())],
        "only the ConfigMap is re-applied"
    );
    assert_eq!((next.applied.len(), next.unchanged), (1, 2));
    let cm = |inv: &Inventory| {
        inv.entries
            .iter()
            .find(|e| e.kind == "ConfigMap")
            .unwrap()
            .applied
            .clone()
    };
    assert_ne!(cm(&next.inventory), cm(&first.inventory));
    // Recorded: the reconcile after that writes nothing.
    api.clear_log();
    let steady = applier
        .execute(&plan(&after, &next.inventory, "wandb").unwrap())
        .await
        .unwrap();
    assert_eq!(api.writes(), []);
    assert_eq!(steady.inventory, next.inventory);
}

#[tokio::test]
async fn an_inventory_without_digests_is_reapplied_once() {
    let (api, applier, first) = installed(&manifests(1)).await;
    let mut old = first.inventory.clone();
    for e in &mut old.entries {
        e.applied = None;
    }
    api.clear_log();
    let upgraded = applier
        .execute(&plan(&manifests(1), &old, "wandb").unwrap())
        .await
        .unwrap();
    assert_eq!(api.writes().len(), 3);
    assert_eq!(upgraded.inventory, first.inventory);
    api.clear_log();
    applier
        .execute(&plan(&manifests(1), &upgraded.inventory, "wandb").unwrap())
        .await
        .unwrap();
    assert_eq!(api.writes(), []);
}
