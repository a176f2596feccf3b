//! The executor against a small in-memory API server (a `tower` service answering
//! discovery, GET, server-side-apply PATCH, POST and DELETE with UID
//! preconditions), recording every request so tests can count writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeMap,
    convert::Infallible,
    sync::{Arc, Mutex},
};

use http::{Method, Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};

use super::*;
use crate::{apply::plan, render::Manifest};

#[derive(Default)]
struct State {
    objects: BTreeMap<String, Value>,
    requests: Vec<(Method, String)>,
    next_uid: u32,
}

#[derive(Clone, Default)]
struct FakeApi(Arc<Mutex<State>>);

fn discovery(path: &str) -> Option<Value> {
    let list = |gv: &str, resources: Value| {
        Some(
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
        )
    };
    let r = |name: &str, kind: &str, namespaced: bool| {
        json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
               "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]})
    };
    match path {
        "/api/v1" => list(
            "v1",
            json!([
                r("configmaps", "ConfigMap", true),
                r("secrets", "Secret", true),
                r("services", "Service", true),
                r("persistentvolumeclaims", "PersistentVolumeClaim", true)
            ]),
        ),
        "/apis/apps/v1" => list("apps/v1", json!([r("deployments", "Deployment", true)])),
        "/apis/rbac.authorization.k8s.io/v1" => list(
            "rbac.authorization.k8s.io/v1",
            json!([r("clusterroles", "ClusterRole", false)]),
        ),
        _ => None,
    }
}

fn status(code: u16, reason: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": reason,
           "reason": reason, "code": code})
}

impl FakeApi {
    fn client(&self) -> Client {
        let api = self.clone();
        let service = tower::service_fn(move |req: Request<Body>| {
            let api = api.clone();
            async move { Ok::<_, Infallible>(api.handle(req).await) }
        });
        Client::new(service, "default")
    }

    fn writes(&self) -> Vec<(Method, String)> {
        self.0
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|(m, _)| *m != Method::GET)
            .cloned()
            .collect()
    }

    fn clear_log(&self) {
        self.0.lock().unwrap().requests.clear();
    }

    fn get(&self, path: &str) -> Option<Value> {
        self.0.lock().unwrap().objects.get(path).cloned()
    }

    fn put(&self, path: &str, object: Value) {
        self.0
            .lock()
            .unwrap()
            .objects
            .insert(path.to_string(), object);
    }

    async fn handle(&self, req: Request<Body>) -> Response<Body> {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let body = req.into_body().collect_bytes().await.unwrap_or_default();
        let mut state = self.0.lock().unwrap();
        state.requests.push((method.clone(), path.clone()));
        let (code, value) = if let Some(list) = discovery(&path) {
            (200, list)
        } else {
            match method {
                Method::GET => match state.objects.get(&path) {
                    Some(o) => (200, o.clone()),
                    None => (404, status(404, "NotFound")),
                },
                Method::PATCH => {
                    let mut desired: Value = serde_json::from_slice(&body).unwrap();
                    let uid = match state.objects.get(&path) {
                        Some(live) => live["metadata"]["uid"].clone(),
                        None => {
                            state.next_uid += 1;
                            json!(format!("uid-{}", state.next_uid))
                        }
                    };
                    desired["metadata"]["uid"] = uid;
                    state.objects.insert(path.clone(), desired.clone());
                    (200, desired)
                }
                Method::POST => {
                    let mut created: Value = serde_json::from_slice(&body).unwrap();
                    let name = created["metadata"]["name"].as_str().unwrap().to_string();
                    let full = format!("{path}/{name}");
                    match state.objects.entry(full) {
                        std::collections::btree_map::Entry::Occupied(_) => {
                            (409, status(409, "AlreadyExists"))
                        }
                        std::collections::btree_map::Entry::Vacant(slot) => {
                            created["metadata"]["uid"] = json!("uid-created");
                            slot.insert(created.clone());
                            (201, created)
                        }
                    }
                }
                Method::DELETE => {
                    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let wanted_uid = params.pointer("/preconditions/uid").cloned();
                    match state.objects.get(&path) {
                        None => (404, status(404, "NotFound")),
                        Some(o)
                            if wanted_uid.is_some()
                                && wanted_uid.as_ref() != o.pointer("/metadata/uid") =>
                        {
                            (409, status(409, "Conflict"))
                        }
                        Some(_) => {
                            state.objects.remove(&path);
                            (
                                200,
                                json!({"kind": "Status", "apiVersion": "v1", "status": "Success", "code": 200}),
                            )
                        }
                    }
                }
                _ => (405, status(405, "MethodNotAllowed")),
            }
        };
        Response::builder()
            .status(StatusCode::from_u16(code).unwrap())
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(&value).unwrap()))
            .unwrap()
    }
}

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
    let api = FakeApi::default();
    let applier = Applier::new(api.client());
    let first = applier
        .execute(&plan(&manifests(1), &Inventory::default(), "wandb").unwrap())
        .await
        .unwrap();
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
    let api = FakeApi::default();
    let applier = Applier::new(api.client());
    let mut all = manifests(1);
    all.push(manifest(
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}),
    ));
    let first = applier
        .execute(&plan(&all, &Inventory::default(), "wandb").unwrap())
        .await
        .unwrap();
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
