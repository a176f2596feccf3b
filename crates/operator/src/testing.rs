//! Test support: an in-memory API server as a `tower` service behind a real
//! `kube::Client`. It answers discovery for the kinds tests use, GET, server-side
//! apply and merge PATCH (merged into the stored object, keeping its UID; a
//! `/status` PATCH goes to the parent object), PUT (replace), POST (409 when the
//! object exists) and DELETE with UID preconditions (409 on mismatch), and records
//! every request so tests can count writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeMap,
    convert::Infallible,
    sync::{Arc, Mutex},
};

use http::{Method, Request, Response, StatusCode};
use kube::{Client, client::Body};
use serde_json::{Value, json};

#[derive(Default)]
pub(crate) struct State {
    pub(crate) objects: BTreeMap<String, Value>,
    pub(crate) requests: Vec<(Method, String)>,
    next_uid: u32,
}

#[derive(Clone, Default)]
pub(crate) struct FakeApi(pub(crate) Arc<Mutex<State>>);

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
    pub(crate) fn client(&self) -> Client {
        let api = self.clone();
        let service = tower::service_fn(move |req: Request<Body>| {
            let api = api.clone();
            async move { Ok::<_, Infallible>(api.handle(req).await) }
        });
        Client::new(service, "default")
    }

    pub(crate) fn writes(&self) -> Vec<(Method, String)> {
        self.0
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|(m, _)| *m != Method::GET)
            .cloned()
            .collect()
    }

    pub(crate) fn clear_log(&self) {
        self.0.lock().unwrap().requests.clear();
    }

    pub(crate) fn get(&self, path: &str) -> Option<Value> {
        self.0.lock().unwrap().objects.get(path).cloned()
    }

    pub(crate) fn put(&self, path: &str, object: Value) {
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
                    let patch: Value = serde_json::from_slice(&body).unwrap();
                    // The status subresource lives in its parent object.
                    let path = match path.strip_suffix("/status") {
                        Some(parent) if state.objects.contains_key(parent) => parent.to_string(),
                        _ => path.clone(),
                    };
                    let mut object = match state.objects.get(&path) {
                        Some(live) => live.clone(),
                        None => {
                            state.next_uid += 1;
                            json!({"metadata": {"uid": format!("uid-{}", state.next_uid)}})
                        }
                    };
                    merge(&mut object, &patch);
                    state.objects.insert(path.clone(), object.clone());
                    (200, object)
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
                Method::PUT => {
                    let object: Value = serde_json::from_slice(&body).unwrap();
                    if state.objects.contains_key(&path) {
                        state.objects.insert(path.clone(), object.clone());
                        (200, object)
                    } else {
                        (404, status(404, "NotFound"))
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

/// JSON merge patch (RFC 7386): maps merge, `null` deletes, anything else replaces.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// A scratch directory under the system temp dir, removed when dropped, so
/// test runs leave nothing behind.
pub(crate) struct TempDir(std::path::PathBuf);

impl TempDir {
    /// A fresh, empty directory; `name` keeps parallel tests apart.
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("op-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
