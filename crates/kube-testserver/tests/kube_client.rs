//! kube-rs client suite against the test server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::{
    api::{
        apps::v1::Deployment,
        core::v1::{ConfigMap, Namespace},
    },
    apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
};
use kube::{
    Api, Client, ResourceExt,
    api::{
        ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
        PostParams, WatchEvent, WatchParams,
    },
    runtime::WatchStreamExt,
};
use kube_testserver::{FaultKind, Options, RequestMatcher, TestServer};
use serde_json::{Value, json};

fn cm(name: &str, data: Value) -> ConfigMap {
    serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}),
    )
    .unwrap()
}

struct ApiErr {
    code: u16,
    reason: String,
    message: String,
}

fn api_err(e: kube::Error) -> ApiErr {
    match e {
        kube::Error::Api(s) => ApiErr {
            code: s.code,
            reason: s.reason.clone(),
            message: s.message.clone(),
        },
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Sends a JSON patch through the client's HTTP stack (kube's typed JSON
/// patch needs a feature the workspace does not enable).
async fn json_patch(client: &Client, path: &str, patch: Value) -> Result<Value, ApiErr> {
    let req = http::Request::patch(path)
        .header("Content-Type", "application/json-patch+json")
        .body(serde_json::to_vec(&patch).unwrap())
        .unwrap();
    client.request::<Value>(req).await.map_err(api_err)
}

fn deployment(name: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "1"}]}
            ]}}
        }
    })
}

async fn setup() -> (TestServer, Client) {
    let server = TestServer::start().await.unwrap();
    let client = server.client().unwrap();
    (server, client)
}

#[tokio::test]
async fn crud_with_resource_versions_and_status_errors() {
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let created = api
        .create(&PostParams::default(), &cm("a", json!({"k": "v"})))
        .await
        .unwrap();
    assert!(!created.uid().unwrap().is_empty());
    assert!(created.creation_timestamp().is_some());
    let rv1: u64 = created.resource_version().unwrap().parse().unwrap();

    let err = api_err(
        api.create(&PostParams::default(), &cm("a", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "AlreadyExists"));
    assert_eq!(err.message, "configmaps \"a\" already exists");

    let mut changed = created.clone();
    changed.data = Some([("k".to_string(), "w".to_string())].into());
    let updated = api
        .replace("a", &PostParams::default(), &changed)
        .await
        .unwrap();
    let rv2: u64 = updated.resource_version().unwrap().parse().unwrap();
    assert!(rv2 > rv1);
    // The first object's resourceVersion is now stale.
    let err = api_err(
        api.replace("a", &PostParams::default(), &changed)
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
    assert!(
        err.message.contains("the object has been modified"),
        "{}",
        err.message
    );

    let err = api_err(api.get("missing").await.unwrap_err());
    assert_eq!((err.code, err.reason.as_str()), (404, "NotFound"));
    assert_eq!(err.message, "configmaps \"missing\" not found");

    let ns_err = api_err(
        Api::<ConfigMap>::namespaced(client, "nope")
            .create(&PostParams::default(), &cm("x", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!(ns_err.code, 404);
    assert_eq!(ns_err.message, "namespaces \"nope\" not found");

    api.delete("a", &DeleteParams::default()).await.unwrap();
    assert_eq!(api_err(api.get("a").await.unwrap_err()).code, 404);
}

#[tokio::test]
async fn list_watch_resume_and_gone() {
    let (server, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    api.create(&PostParams::default(), &cm("w1", json!({})))
        .await
        .unwrap();
    let list = api.list(&ListParams::default()).await.unwrap();
    let rv = list.metadata.resource_version.clone().unwrap();
    assert_eq!(list.items.len(), 1);

    let mut stream = api
        .watch(&WatchParams::default().timeout(10), &rv)
        .await
        .unwrap()
        .boxed();
    api.create(&PostParams::default(), &cm("w2", json!({})))
        .await
        .unwrap();
    api.patch(
        "w2",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"x": "1"}})),
    )
    .await
    .unwrap();
    api.delete("w1", &DeleteParams::default()).await.unwrap();
    let mut seen = Vec::new();
    let mut last_rv = String::new();
    while seen.len() < 3 {
        match stream.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(o) => {
                seen.push(format!("ADDED {}", o.name_any()));
                if seen.len() == 1 {
                    last_rv = o.resource_version().unwrap();
                }
            }
            WatchEvent::Modified(o) => seen.push(format!("MODIFIED {}", o.name_any())),
            WatchEvent::Deleted(o) => seen.push(format!("DELETED {}", o.name_any())),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(seen, vec!["ADDED w2", "MODIFIED w2", "DELETED w1"]);

    // Resuming from the rv of the first event replays only the later ones.
    let resumed: Vec<String> = api
        .watch(&WatchParams::default().timeout(1), &last_rv)
        .await
        .unwrap()
        .map_ok(|e| match e {
            WatchEvent::Modified(o) => format!("MODIFIED {}", o.name_any()),
            WatchEvent::Deleted(o) => format!("DELETED {}", o.name_any()),
            other => format!("{other:?}"),
        })
        .try_filter(|e| futures::future::ready(e != "Bookmark event"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(resumed, vec!["MODIFIED w2", "DELETED w1"]);

    // After compaction the old resourceVersion is gone.
    server.compact();
    let first = api
        .watch(&WatchParams::default().timeout(1), &rv)
        .await
        .unwrap()
        .boxed()
        .try_next()
        .await
        .unwrap()
        .unwrap();
    match first {
        WatchEvent::Error(e) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("expected 410, got {other:?}"),
    }
}

#[tokio::test]
async fn watch_bookmarks_and_closed_streams() {
    let server =
        TestServer::start_with(Options::default().bookmark_interval(Duration::from_millis(100)))
            .await
            .unwrap();
    let api: Api<ConfigMap> = Api::namespaced(server.client().unwrap(), "default");
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut stream = api
        .watch(&WatchParams::default().timeout(30), &rv)
        .await
        .unwrap()
        .boxed();
    match tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
    {
        WatchEvent::Bookmark(b) => assert_eq!(b.metadata.resource_version, rv),
        other => panic!("expected a bookmark, got {other:?}"),
    }
    server.close_watches();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(e) = stream.try_next().await.unwrap() {
            assert!(matches!(e, WatchEvent::Bookmark(_)));
        }
    })
    .await;
    assert!(end.is_ok(), "stream did not close");
}

#[tokio::test]
async fn runtime_watcher_sees_changes() {
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut w = kube::runtime::watcher(api.clone(), kube::runtime::watcher::Config::default())
        .applied_objects()
        .boxed();
    api.create(&PostParams::default(), &cm("rt", json!({})))
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let o = w.try_next().await.unwrap().unwrap();
            if o.name_any() == "rt" {
                return o;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(got.namespace().as_deref(), Some("default"));
}

fn managers(obj: &impl ResourceExt) -> Vec<(String, String)> {
    obj.managed_fields()
        .iter()
        .map(|m| {
            (
                m.manager.clone().unwrap_or_default(),
                m.operation.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn server_side_apply_conflicts_force_and_removal() {
    let (_s, client) = setup().await;
    let api: Api<Deployment> = Api::namespaced(client, "default");
    let d = api
        .patch(
            "web",
            &PatchParams::apply("alice"),
            &Patch::Apply(deployment("web", 1)),
        )
        .await
        .unwrap();
    assert_eq!(managers(&d), vec![("alice".into(), "Apply".into())]);
    assert_eq!(d.metadata.generation, Some(1));
    let fields = serde_json::to_value(&d.managed_fields()[0].fields_v1).unwrap();
    assert!(
        fields["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"]["f:image"]
            .is_object(),
        "{fields}"
    );

    let bob = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}});
    let err = api_err(
        api.patch(
            "web",
            &PatchParams::apply("bob"),
            &Patch::Apply(bob.clone()),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
    assert_eq!(
        err.message,
        "Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas"
    );

    let d = api
        .patch(
            "web",
            &PatchParams::apply("bob").force(),
            &Patch::Apply(bob),
        )
        .await
        .unwrap();
    assert_eq!(d.spec.as_ref().unwrap().replicas, Some(3));
    assert_eq!(d.metadata.generation, Some(2));

    // alice re-applies without replicas and with one label less: replicas stay
    // (bob owns them), her dropped label goes.
    let mut again = deployment("web", 1);
    again["spec"].as_object_mut().unwrap().remove("replicas");
    again["metadata"]["labels"] = json!({"team": "x"});
    let d = api
        .patch(
            "web",
            &PatchParams::apply("alice"),
            &Patch::Apply(again.clone()),
        )
        .await
        .unwrap();
    assert_eq!(d.spec.as_ref().unwrap().replicas, Some(3));
    assert_eq!(d.labels().get("team").map(String::as_str), Some("x"));
    assert!(!d.labels().contains_key("app"));

    // Re-applying the same configuration is a no-op: no new resourceVersion.
    let d2 = api
        .patch("web", &PatchParams::apply("alice"), &Patch::Apply(again))
        .await
        .unwrap();
    assert_eq!(d.resource_version(), d2.resource_version());

    // Removing a container from the applied config removes it.
    let mut two = deployment("web", 1);
    two["spec"].as_object_mut().unwrap().remove("replicas");
    two["spec"]["template"]["spec"]["containers"] =
        json!([{"name": "app", "image": "nginx:1.27"}, {"name": "side", "image": "busybox:1"}]);
    let d = api
        .patch(
            "web",
            &PatchParams::apply("alice"),
            &Patch::Apply(two.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        d.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers
            .len(),
        2
    );
    two["spec"]["template"]["spec"]["containers"] = json!([{"name": "app", "image": "nginx:1.27"}]);
    let d = api
        .patch("web", &PatchParams::apply("alice"), &Patch::Apply(two))
        .await
        .unwrap();
    let containers = &d
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers;
    assert_eq!(containers.len(), 1);
    assert!(containers[0].env.is_none(), "env was dropped by alice");
}

#[tokio::test]
async fn patch_types_on_deployments() {
    let (_s, client) = setup().await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "default");
    api.create(
        &PostParams::default(),
        &serde_json::from_value(deployment("p", 1)).unwrap(),
    )
    .await
    .unwrap();
    let smp = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "B", "value": "2"}]}]}}}});
    let d = api
        .patch("p", &PatchParams::default(), &Patch::Strategic(smp))
        .await
        .unwrap();
    let c = &d
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0];
    let env: Vec<&str> = c
        .env
        .as_ref()
        .unwrap()
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(env, vec!["A", "B"]);
    assert_eq!(c.image.as_deref(), Some("nginx:1.27"));

    let d = api
        .patch(
            "p",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .unwrap();
    assert_eq!(d.spec.as_ref().unwrap().replicas, Some(4));
    let path = "/apis/apps/v1/namespaces/default/deployments/p";
    let d = json_patch(
        &client,
        path,
        json!([{"op": "replace", "path": "/spec/replicas", "value": 2}]),
    )
    .await
    .unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(d["spec"]["replicas"], json!(2));
    assert_eq!(d["metadata"]["generation"], json!(4));
    let bad = json_patch(
        &client,
        path,
        json!([{"op": "test", "path": "/spec/replicas", "value": 9}]),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(bad.code, 422);
    // Status is ignored on the main resource and written through /status.
    let d = api
        .patch(
            "p",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"replicas": 7}})),
        )
        .await
        .unwrap();
    assert!(d.status.is_none());
    let d = api
        .patch_status(
            "p",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"replicas": 7}})),
        )
        .await
        .unwrap();
    assert_eq!(d.status.unwrap().replicas, Some(7));
    assert_eq!(
        d.metadata.generation,
        Some(4),
        "status writes do not bump generation"
    );
}

#[tokio::test]
async fn finalizers_hold_deletion() {
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut c = cm("f", json!({}));
    c.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    api.create(&PostParams::default(), &c).await.unwrap();
    let r = api.delete("f", &DeleteParams::default()).await.unwrap();
    let pending = r.left().expect("object still present");
    assert!(pending.metadata.deletion_timestamp.is_some());
    assert!(
        api.get("f")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some()
    );
    // New finalizers cannot be added while deleting.
    let err = api_err(
        api.patch(
            "f",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": ["example.com/hold", "x/y"]}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(err.code, 403);
    api.patch(
        "f",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert_eq!(api_err(api.get("f").await.unwrap_err()).code, 404);
}

fn owned_cm(name: &str, owner: &ConfigMap) -> ConfigMap {
    let mut c = cm(name, json!({}));
    c.metadata.owner_references = Some(vec![
        k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: owner.name_any(),
            uid: owner.uid().unwrap(),
            block_owner_deletion: Some(true),
            controller: Some(true),
        },
    ]);
    c
}

#[tokio::test]
async fn garbage_collection_background_foreground_orphan() {
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let pp = PostParams::default();

    let owner = api.create(&pp, &cm("owner", json!({}))).await.unwrap();
    api.create(&pp, &owned_cm("dep", &owner)).await.unwrap();
    api.delete("owner", &DeleteParams::background())
        .await
        .unwrap();
    assert_eq!(api_err(api.get("dep").await.unwrap_err()).code, 404);

    // Foreground: the owner waits for a dependent held by a finalizer.
    let owner = api.create(&pp, &cm("owner2", json!({}))).await.unwrap();
    let mut dep = owned_cm("dep2", &owner);
    dep.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    api.create(&pp, &dep).await.unwrap();
    api.delete("owner2", &DeleteParams::foreground())
        .await
        .unwrap();
    let o = api.get("owner2").await.unwrap();
    assert!(o.finalizers().contains(&"foregroundDeletion".to_string()));
    assert!(
        api.get("dep2")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some()
    );
    api.patch(
        "dep2",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert_eq!(api_err(api.get("dep2").await.unwrap_err()).code, 404);
    assert_eq!(api_err(api.get("owner2").await.unwrap_err()).code, 404);

    // Orphan: the dependent survives without its owner reference.
    let owner = api.create(&pp, &cm("owner3", json!({}))).await.unwrap();
    api.create(&pp, &owned_cm("dep3", &owner)).await.unwrap();
    api.delete("owner3", &DeleteParams::orphan()).await.unwrap();
    assert_eq!(api_err(api.get("owner3").await.unwrap_err()).code, 404);
    assert!(api.get("dep3").await.unwrap().owner_references().is_empty());
}

#[tokio::test]
async fn namespace_deletion_removes_contents() {
    let (_s, client) = setup().await;
    let nss: Api<Namespace> = Api::all(client.clone());
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "tmp"}})).unwrap(),
    )
    .await
    .unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client, "tmp");
    api.create(&PostParams::default(), &cm("x", json!({})))
        .await
        .unwrap();
    nss.delete("tmp", &DeleteParams::default()).await.unwrap();
    assert_eq!(api_err(nss.get("tmp").await.unwrap_err()).code, 404);
    assert_eq!(api_err(api.get("x").await.unwrap_err()).code, 404);
}

#[tokio::test]
async fn pagination_and_selectors() {
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    for i in 0..5 {
        let mut c = cm(&format!("p{i}"), json!({}));
        c.metadata.labels = Some(
            [(
                "tier".to_string(),
                if i % 2 == 0 { "a" } else { "b" }.to_string(),
            )]
            .into(),
        );
        api.create(&PostParams::default(), &c).await.unwrap();
    }
    let mut names = Vec::new();
    let mut lp = ListParams::default().limit(2);
    let mut pages = 0;
    loop {
        let page = api.list(&lp).await.unwrap();
        pages += 1;
        names.extend(page.items.iter().map(|c| c.name_any()));
        match page.metadata.continue_ {
            Some(c) if !c.is_empty() => {
                assert!(page.metadata.remaining_item_count.unwrap() > 0);
                lp = lp.continue_token(&c);
            }
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, vec!["p0", "p1", "p2", "p3", "p4"]);
    let sel = |s: &str| ListParams::default().labels(s);
    assert_eq!(api.list(&sel("tier=a")).await.unwrap().items.len(), 3);
    assert_eq!(
        api.list(&sel("tier in (a,b)")).await.unwrap().items.len(),
        5
    );
    assert_eq!(
        api.list(&sel("tier notin (a)")).await.unwrap().items.len(),
        2
    );
    assert_eq!(api.list(&sel("!tier")).await.unwrap().items.len(), 0);
    let f = api
        .list(&ListParams::default().fields("metadata.name=p3"))
        .await
        .unwrap();
    assert_eq!(
        f.items.iter().map(|c| c.name_any()).collect::<Vec<_>>(),
        vec!["p3"]
    );
}

#[tokio::test]
async fn dry_run_does_not_persist() {
    let (server, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let rv = server.resource_version();
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let o = api
        .create(&pp, &cm("dry", json!({"a": "b"})))
        .await
        .unwrap();
    assert_eq!(o.data.unwrap()["a"], "b");
    assert_eq!(api_err(api.get("dry").await.unwrap_err()).code, 404);
    assert_eq!(server.resource_version(), rv);
    assert_eq!(
        server.write_count(),
        0,
        "dry runs are not counted as writes"
    );
}

fn crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    }))
    .unwrap()
}

#[tokio::test]
async fn custom_resources_follow_their_crd() {
    let (_s, client) = setup().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &crd()).await.unwrap();
    let got = crds.get("widgets.example.com").await.unwrap();
    let conds = got.status.unwrap().conditions.unwrap();
    assert!(
        conds
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True")
    );

    let discovery = kube::Discovery::new(client.clone()).run().await.unwrap();
    let (ar, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .unwrap();
    assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    assert!(
        caps.subresources
            .iter()
            .any(|(s, _)| s.plural == "widgets/status" || s.plural == "status"),
        "{:?}",
        caps.subresources
    );

    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
    let obj: DynamicObject =
        serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w"}, "spec": {"size": 1}, "status": {"ready": true}}))
        .unwrap();
    let w = api.create(&PostParams::default(), &obj).await.unwrap();
    assert!(
        w.data.get("status").is_none(),
        "status is dropped on create"
    );
    assert_eq!(w.metadata.generation, Some(1));
    let w = api
        .patch_status(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"ready": true}})),
        )
        .await
        .unwrap();
    assert_eq!(w.data["status"]["ready"], json!(true));
    assert_eq!(w.metadata.generation, Some(1));
    let w = api
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": 2}})),
        )
        .await
        .unwrap();
    assert_eq!(w.metadata.generation, Some(2));
    assert_eq!(w.data["status"]["ready"], json!(true));
    // Strategic merge patch is not supported for custom resources.
    let err = api_err(
        api.patch(
            "w",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {"size": 3}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(err.code, 415);

    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        api_err(crds.get("widgets.example.com").await.unwrap_err()).code,
        404
    );
    let err = api_err(api.get("w").await.unwrap_err());
    assert_eq!(err.code, 404);
    let ar2 = ApiResource::from_gvk(&GroupVersionKind::gvk("example.com", "v1", "Widget"));
    assert!(
        Api::<DynamicObject>::namespaced_with(client, "default", &ar2)
            .list(&ListParams::default())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn fault_injection_and_latency() {
    let (server, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    api.create(&PostParams::default(), &cm("f", json!({})))
        .await
        .unwrap();
    server.fail_nth(
        RequestMatcher::any().verb("get").resource("configmaps"),
        2,
        FaultKind::InternalError,
    );
    api.get("f").await.unwrap();
    assert_eq!(api_err(api.get("f").await.unwrap_err()).code, 500);
    api.get("f").await.unwrap();
    server.fail_nth(RequestMatcher::any().verb("patch"), 1, FaultKind::Conflict);
    assert_eq!(
        api_err(
            api.patch("f", &PatchParams::default(), &Patch::Merge(json!({})))
                .await
                .unwrap_err()
        )
        .code,
        409
    );
    server.fail_nth(
        RequestMatcher::any().verb("list"),
        1,
        FaultKind::TooManyRequests,
    );
    // kube-rs retries 429 after Retry-After; the log shows both attempts.
    server.clear_requests();
    api.list(&ListParams::default()).await.unwrap();
    let codes: Vec<u16> = server
        .requests()
        .iter()
        .filter(|r| r.verb == "list")
        .map(|r| r.status)
        .collect();
    assert_eq!(codes, vec![429, 200]);
    // A timed-out request answers 504 after the delay; kube-rs retries it too.
    server.fail_nth(
        RequestMatcher::any().name("f").verb("get"),
        1,
        FaultKind::Timeout(Duration::from_millis(200)),
    );
    server.clear_requests();
    let t = std::time::Instant::now();
    api.get("f").await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(200));
    let codes: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(codes, vec![504, 200]);
    server.add_latency(
        RequestMatcher::any().verb("get"),
        Duration::from_millis(300),
    );
    let t = std::time::Instant::now();
    api.get("f").await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn request_log_counts_writes_by_manager() {
    let (server, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    server.clear_requests();
    let pp = PatchParams::apply("reconciler");
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "r"}, "data": {"a": "1"}});
    api.patch("r", &pp, &Patch::Apply(body.clone()))
        .await
        .unwrap();
    api.get("r").await.unwrap();
    let log = server.requests();
    let writes: Vec<_> = log.iter().filter(|r| r.is_write()).collect();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].verb, "patch");
    assert_eq!(writes[0].field_manager, "reconciler");
    assert_eq!(writes[0].content_type, "application/apply-patch+yaml");
    assert_eq!(writes[0].path, "/api/v1/namespaces/default/configmaps/r");
    assert_eq!(writes[0].status, 201);
    assert!(
        log.iter()
            .any(|r| r.verb == "get" && r.name == "r" && r.field_manager.is_empty()),
        "{log:?}"
    );
    // A second identical apply is a write request but changes nothing.
    let rv = server.resource_version();
    api.patch("r", &pp, &Patch::Apply(body)).await.unwrap();
    assert_eq!(server.resource_version(), rv);
    assert_eq!(server.write_count(), 2);
    // The change feed shows what actually changed: nothing for the no-op apply.
    assert!(server.changes_since(rv).is_empty());
    api.patch(
        "r",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"a": "2"}})),
    )
    .await
    .unwrap();
    let changes = server.changes_since(rv);
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (
            changes[0].kind,
            changes[0].resource.as_str(),
            changes[0].name.as_str()
        ),
        ("MODIFIED", "/configmaps", "r")
    );
}

#[tokio::test]
async fn workload_simulator_readiness_and_holds() {
    let server = TestServer::start_with(
        Options::default()
            .simulate_workloads(Duration::from_millis(1500))
            .hold_unready("default", "held"),
    )
    .await
    .unwrap();
    let api: Api<Deployment> = Api::namespaced(server.client().unwrap(), "default");
    for n in ["ok", "held"] {
        api.create(
            &PostParams::default(),
            &serde_json::from_value(deployment(n, 2)).unwrap(),
        )
        .await
        .unwrap();
    }
    // Polls until the status satisfies `f` (the simulator ticks every 20 ms).
    async fn until(
        api: &Api<Deployment>,
        name: &str,
        f: impl Fn(&k8s_openapi::api::apps::v1::DeploymentStatus) -> bool,
    ) -> k8s_openapi::api::apps::v1::DeploymentStatus {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(s) = api.get(name).await.unwrap().status
                    && f(&s)
                {
                    return s;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .unwrap()
    }
    // First the controller observes the generation, pods not ready yet.
    let early = until(&api, "ok", |s| s.observed_generation == Some(1)).await;
    assert_eq!(
        (early.ready_replicas, early.unavailable_replicas),
        (None, Some(2))
    );
    let ok = until(&api, "ok", |s| s.ready_replicas == Some(2)).await;
    assert_eq!(
        (ok.updated_replicas, ok.available_replicas),
        (Some(2), Some(2))
    );
    assert!(
        ok.conditions
            .unwrap()
            .iter()
            .any(|c| c.type_ == "Available" && c.status == "True")
    );
    let held = api.get("held").await.unwrap().status.unwrap();
    assert_eq!(held.unavailable_replicas, Some(2));
    assert!(
        held.conditions
            .unwrap()
            .iter()
            .any(|c| c.type_ == "Available" && c.status == "False")
    );
    server.release("default", "held");
    until(&api, "held", |s| s.ready_replicas == Some(2)).await;
    // A spec change makes it unready again until the delay passes.
    let d = api
        .patch(
            "ok",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    assert_eq!(d.metadata.generation, Some(2));
    let s = until(&api, "ok", |s| s.observed_generation == Some(2)).await;
    assert_eq!(s.ready_replicas, None);
    until(&api, "ok", |s| s.ready_replicas == Some(3)).await;

    let pvcs: Api<k8s_openapi::api::core::v1::PersistentVolumeClaim> =
        Api::namespaced(server.client().unwrap(), "default");
    let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}});
    let c = pvcs
        .create(
            &PostParams::default(),
            &serde_json::from_value(claim).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(c.status.unwrap().phase.as_deref(), Some("Pending"));
    let bound = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let s = pvcs.get("data").await.unwrap().status.unwrap();
            if s.phase.as_deref() == Some("Bound") {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(bound.capacity.unwrap()["storage"].0, "5Gi");
}

#[tokio::test]
async fn watch_with_selector_sees_objects_enter_and_leave() {
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    api.create(&PostParams::default(), &cm("sel", json!({})))
        .await
        .unwrap();
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut stream = api
        .watch(&WatchParams::default().labels("team=a").timeout(10), &rv)
        .await
        .unwrap()
        .boxed();
    let label = |v: Value| Patch::Merge(json!({"metadata": {"labels": {"team": v}}}));
    api.patch("sel", &PatchParams::default(), &label(json!("a")))
        .await
        .unwrap();
    api.patch("sel", &PatchParams::default(), &label(json!("b")))
        .await
        .unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match stream.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(o) => seen.push(format!("ADDED {:?}", o.labels().get("team"))),
            WatchEvent::Deleted(o) => seen.push(format!("DELETED {:?}", o.labels().get("team"))),
            WatchEvent::Bookmark(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // Leaving the selection is a DELETED carrying the last matching state.
    assert_eq!(seen, vec!["ADDED Some(\"a\")", "DELETED Some(\"a\")"]);
}

async fn get_json(client: &Client, path: &str, accept: &str) -> Value {
    let req = http::Request::get(path)
        .header("Accept", accept)
        .body(Vec::new())
        .unwrap();
    client.request::<Value>(req).await.unwrap()
}

#[tokio::test]
async fn discovery_version_and_openapi() {
    let (_s, client) = setup().await;
    let v = get_json(&client, "/version", "application/json").await;
    assert_eq!(
        (v["major"].as_str(), v["minor"].as_str()),
        (Some("1"), Some("33"))
    );
    // Aggregated discovery is answered with the legacy document, which
    // client-go accepts as its fallback (content type application/json).
    let aggregated =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    let groups = get_json(&client, "/apis", aggregated).await;
    assert_eq!(groups["kind"], "APIGroupList");
    let names: Vec<&str> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    for g in [
        "apps",
        "batch",
        "networking.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "coordination.k8s.io",
        "events.k8s.io",
        "apiextensions.k8s.io",
        "autoscaling",
    ] {
        assert!(names.contains(&g), "{g} missing from {names:?}");
    }
    let core = get_json(&client, "/api/v1", "application/json").await;
    let res: Vec<&str> = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for r in [
        "namespaces",
        "namespaces/status",
        "configmaps",
        "secrets",
        "services",
        "serviceaccounts",
        "pods",
        "events",
        "persistentvolumeclaims",
        "endpoints",
    ] {
        assert!(res.contains(&r), "{r} missing");
    }
    let apps = get_json(&client, "/apis/apps/v1", "application/json").await;
    let scale = apps["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "deployments/scale")
        .unwrap();
    assert_eq!(
        (scale["group"].as_str(), scale["kind"].as_str()),
        (Some("autoscaling"), Some("Scale"))
    );
    // OpenAPI v3: enough for kubectl to detect server-side field validation.
    let root = get_json(&client, "/openapi/v3", "application/json").await;
    let url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    let doc = get_json(&client, &url, "application/json").await;
    let patch = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
    assert_eq!(
        patch["x-kubernetes-group-version-kind"]["kind"],
        "Deployment"
    );
    assert!(
        patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation")
    );
}

#[tokio::test]
async fn status_apply_collections_generate_name_and_jobs() {
    let server =
        TestServer::start_with(Options::default().simulate_workloads(Duration::from_millis(50)))
            .await
            .unwrap();
    let client = server.client().unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &crd()).await.unwrap();
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk("example.com", "v1", "Widget"));
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "s"}, "spec": {"size": 1}});
    api.patch("s", &PatchParams::apply("op"), &Patch::Apply(w.clone()))
        .await
        .unwrap();
    let st = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "s"}, "status": {"phase": "Ready"}});
    let o = api
        .patch_status("s", &PatchParams::apply("op"), &Patch::Apply(st))
        .await
        .unwrap();
    assert_eq!(o.data["status"]["phase"], "Ready");
    assert_eq!(o.data["spec"]["size"], 1);
    assert_eq!(o.metadata.generation, Some(1));
    let subs: Vec<String> = o
        .managed_fields()
        .iter()
        .map(|m| m.subresource.clone().unwrap_or_default())
        .collect();
    assert_eq!(subs, vec!["".to_string(), "status".to_string()]);
    // Re-applying the main resource leaves status alone.
    let o = api
        .patch("s", &PatchParams::apply("op"), &Patch::Apply(w))
        .await
        .unwrap();
    assert_eq!(o.data["status"]["phase"], "Ready");

    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for i in 0..3 {
        let mut c = cm("", json!({}));
        c.metadata.name = None;
        c.metadata.generate_name = Some("gen-".into());
        c.metadata.labels = Some([("batch".to_string(), (i % 2).to_string())].into());
        let made = cms.create(&PostParams::default(), &c).await.unwrap();
        assert!(made.name_any().starts_with("gen-") && made.name_any().len() == 9);
    }
    cms.delete_collection(
        &DeleteParams::default(),
        &ListParams::default().labels("batch=0"),
    )
    .await
    .unwrap();
    assert_eq!(
        cms.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );

    let jobs: Api<k8s_openapi::api::batch::v1::Job> = Api::namespaced(client.clone(), "default");
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "busybox:1"}]}}}});
    jobs.create(
        &PostParams::default(),
        &serde_json::from_value(job).unwrap(),
    )
    .await
    .unwrap();
    let done = kube::runtime::wait::await_condition(
        jobs.clone(),
        "migrate",
        |j: Option<&k8s_openapi::api::batch::v1::Job>| {
            j.and_then(|j| j.status.as_ref())
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c.type_ == "Complete" && c.status == "True")
                })
        },
    );
    let j = tokio::time::timeout(Duration::from_secs(10), done)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(j.status.unwrap().succeeded, Some(1));
    // Jobs get a selector derived from their uid, like kube-apiserver's defaulting.
    let sel = j.spec.unwrap().selector.unwrap().match_labels.unwrap();
    assert_eq!(
        sel["batch.kubernetes.io/controller-uid"],
        j.metadata.uid.unwrap()
    );
}

#[tokio::test]
async fn streaming_list_watcher_and_event_recorder() {
    use kube::runtime::events::{Event, EventType, Recorder, Reporter};
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let owner = api
        .create(&PostParams::default(), &cm("pre", json!({})))
        .await
        .unwrap();
    // sendInitialEvents=true: initial ADDED events, then the end-of-initial bookmark.
    let cfg = kube::runtime::watcher::Config::default().streaming_lists();
    let mut w = kube::runtime::watcher(api.clone(), cfg).boxed();
    let mut initial = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match w.try_next().await.unwrap().unwrap() {
                kube::runtime::watcher::Event::InitApply(o) => initial.push(o.name_any()),
                kube::runtime::watcher::Event::InitDone => break,
                _ => {}
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(initial, vec!["pre"]);

    let reporter = Reporter {
        controller: "test-operator".into(),
        instance: None,
    };
    let recorder = Recorder::new(client.clone(), reporter);
    let ev = Event {
        type_: EventType::Normal,
        reason: "Reconciled".into(),
        note: Some("all good".into()),
        action: "Reconcile".into(),
        secondary: None,
    };
    let reference = kube::Resource::object_ref(&owner, &());
    recorder.publish(&ev, &reference).await.unwrap();
    recorder.publish(&ev, &reference).await.unwrap();
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(client, "default");
    let list = events.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    let e = &list.items[0];
    assert_eq!(e.reason.as_deref(), Some("Reconciled"));
    assert_eq!(
        e.series.as_ref().map(|s| s.count),
        Some(2),
        "second publish patches the series"
    );
}

#[tokio::test]
async fn terminating_namespace_waits_for_finalized_content() {
    let (server, client) = setup().await;
    let nss: Api<Namespace> = Api::all(client.clone());
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "t"}})).unwrap(),
    )
    .await
    .unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client, "t");
    let mut c = cm("held", json!({}));
    c.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    api.create(&PostParams::default(), &c).await.unwrap();
    nss.delete("t", &DeleteParams::default()).await.unwrap();
    let ns = nss.get("t").await.unwrap();
    assert_eq!(ns.status.unwrap().phase.as_deref(), Some("Terminating"));
    assert!(
        api.get("held")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some()
    );
    let err = api_err(
        api.create(&PostParams::default(), &cm("new", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (403, "Forbidden"));
    api.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert_eq!(api_err(nss.get("t").await.unwrap_err()).code, 404);
    assert!(server.object("", "namespaces", "", "t").is_none());
}

#[tokio::test]
async fn shutdown_ends_open_watches() {
    let (server, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let mut stream = api
        .watch(&WatchParams::default().timeout(60), "0")
        .await
        .unwrap()
        .boxed();
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .unwrap();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.try_next().await {}
    })
    .await;
    assert!(end.is_ok());
}

#[tokio::test]
async fn metadata_api_and_metadata_watcher() {
    let (_s, client) = setup().await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut c = cm("m", json!({"big": "payload"}));
    c.metadata.labels = Some([("x".to_string(), "y".to_string())].into());
    api.create(&PostParams::default(), &c).await.unwrap();
    let meta = api.get_metadata("m").await.unwrap();
    assert_eq!(meta.types.as_ref().unwrap().kind, "PartialObjectMetadata");
    assert_eq!(meta.labels().get("x").map(String::as_str), Some("y"));
    let list = api.list_metadata(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    let meta_api: Api<kube::core::PartialObjectMeta<ConfigMap>> =
        Api::namespaced(client, "default");
    let mut w = kube::runtime::watcher(meta_api, kube::runtime::watcher::Config::default())
        .applied_objects()
        .boxed();
    api.create(&PostParams::default(), &cm("m2", json!({})))
        .await
        .unwrap();
    let names = tokio::time::timeout(Duration::from_secs(10), async {
        let mut names = Vec::new();
        while names.len() < 2 {
            names.push(w.try_next().await.unwrap().unwrap().name_any());
        }
        names
    })
    .await
    .unwrap();
    assert_eq!(names, vec!["m", "m2"]);
}

#[tokio::test]
async fn immutable_fields_are_rejected() {
    let (_s, client) = setup().await;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "default");
    deploys
        .create(
            &PostParams::default(),
            &serde_json::from_value(deployment("d", 1)).unwrap(),
        )
        .await
        .unwrap();
    let err = api_err(
        deploys
            .patch(
                "d",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"selector": {"matchLabels": {"app": "other"}}}})),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (422, "Invalid"));
    assert!(
        err.message
            .starts_with("Deployment.apps \"d\" is invalid: spec.selector: Invalid value"),
        "{}",
        err.message
    );

    let sts: Api<k8s_openapi::api::apps::v1::StatefulSet> =
        Api::namespaced(client.clone(), "default");
    let s = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
        "spec": {"serviceName": "s", "selector": {"matchLabels": {"app": "s"}},
            "template": {"metadata": {"labels": {"app": "s"}}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}});
    sts.patch("s", &PatchParams::apply("op"), &Patch::Apply(s.clone()))
        .await
        .unwrap();
    let mut bigger = s.clone();
    bigger["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] =
        json!("2Gi");
    let err = api_err(
        sts.patch("s", &PatchParams::apply("op"), &Patch::Apply(bigger))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 422);
    assert!(
        err.message
            .contains("updates to statefulset spec for fields other than"),
        "{}",
        err.message
    );
    // Scaling and template changes are allowed.
    let mut scaled = s;
    scaled["spec"]["replicas"] = json!(3);
    scaled["spec"]["template"]["spec"]["containers"][0]["image"] = json!("i:2");
    sts.patch("s", &PatchParams::apply("op"), &Patch::Apply(scaled))
        .await
        .unwrap();

    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut c = cm("frozen", json!({"a": "1"}));
    c.immutable = Some(true);
    cms.create(&PostParams::default(), &c).await.unwrap();
    let err = api_err(
        cms.patch(
            "frozen",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": "2"}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(
        err.message,
        "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
    );

    let svcs: Api<k8s_openapi::api::core::v1::Service> = Api::namespaced(client, "default");
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}, "spec": {"ports": [{"port": 80}]}});
    let created = svcs
        .create(
            &PostParams::default(),
            &serde_json::from_value(svc.clone()).unwrap(),
        )
        .await
        .unwrap();
    let ip = created.spec.as_ref().unwrap().cluster_ip.clone().unwrap();
    // Applying without a clusterIP keeps the allocated one.
    let applied = svcs
        .patch("svc", &PatchParams::apply("op").force(), &Patch::Apply(svc))
        .await
        .unwrap();
    assert_eq!(applied.spec.unwrap().cluster_ip.unwrap(), ip);
    let err = api_err(
        svcs.patch(
            "svc",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"clusterIP": "10.0.0.1"}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(err.code, 422);
}

#[tokio::test]
async fn custom_resources_are_pruned_and_defaulted_by_schema() {
    let (_s, client) = setup().await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd: CustomResourceDefinition = serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "scope": "Cluster",
            "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "size": {"type": "integer", "default": 3},
                        "mode": {"type": "string"}}},
                    "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}}}]}
    }))
    .unwrap();
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let ar = ApiResource::from_gvk(&GroupVersionKind::gvk("example.com", "v1", "Gadget"));
    let api: Api<DynamicObject> = Api::all_with(client, &ar);
    let g: DynamicObject =
        serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Gadget",
        "metadata": {"name": "g"}, "spec": {"mode": "fast", "unknown": true}, "extra": 1}))
        .unwrap();
    let g = api.create(&PostParams::default(), &g).await.unwrap();
    assert_eq!(g.data["spec"], json!({"mode": "fast", "size": 3}));
    assert!(g.data.get("extra").is_none());
    let g = api
        .patch_status(
            "g",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"phase": "Ready", "bogus": 1}})),
        )
        .await
        .unwrap();
    assert_eq!(g.data["status"], json!({"phase": "Ready"}));
}
