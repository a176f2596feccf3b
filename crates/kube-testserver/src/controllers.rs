//! What kube-controller-manager and the apiextensions server would do after a
//! write: garbage collection through ownerReferences, foreground and orphan
//! finalizers, namespace termination, and CRD establishment and cleanup.
//! Runs synchronously under the store lock until nothing changes, so tests
//! observe a settled state right after each request.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::{
    api::mark_deleted,
    error::{ApiError, ApiResult, Subject},
    registry::crd_to_info,
    store::{ObjKey, Store},
    util::{get_path, meta_mut, meta_str},
};

const CRD_KEY: &str = "apiextensions.k8s.io/customresourcedefinitions";
const CRD_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// Validates a CRD before it is stored (422 like kube-apiserver).
pub fn validate_crd(store: &Store, crd: &Value, name: &str) -> ApiResult<()> {
    let subject = Subject {
        group: "apiextensions.k8s.io",
        resource: "customresourcedefinitions",
        name,
    };
    let info = crd_to_info(crd).map_err(|m| {
        let (field, detail) = m.split_once(": ").unwrap_or(("spec", m.as_str()));
        ApiError::invalid(subject, "CustomResourceDefinition", field, detail)
    })?;
    let want = format!("{}.{}", info.plural, info.group);
    if name != want {
        return Err(ApiError::invalid(
            subject,
            "CustomResourceDefinition",
            "metadata.name",
            &format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    if let Some(existing) = store.registry.find_kind(&info.group, &info.kind)
        && !existing.custom
    {
        return Err(ApiError::invalid(
            subject,
            "CustomResourceDefinition",
            "spec.group",
            "Invalid value: cannot redefine a built-in resource",
        ));
    }
    Ok(())
}

fn finalizers(obj: &Value) -> Vec<String> {
    get_path(obj, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn deleting(obj: &Value) -> bool {
    get_path(obj, &["metadata", "deletionTimestamp"]).is_some()
}

/// Removes one finalizer; removes the object when it was the last one and
/// deletion was requested.
fn drop_finalizer(store: &mut Store, key: &ObjKey, finalizer: &str) {
    let Some(mut obj) = store.get(&key.0, &key.1, &key.2).cloned() else {
        return;
    };
    let rest: Vec<String> = finalizers(&obj)
        .into_iter()
        .filter(|f| f != finalizer)
        .collect();
    if rest.is_empty() {
        meta_mut(&mut obj).remove("finalizers");
    } else {
        meta_mut(&mut obj).insert("finalizers".into(), json!(rest));
    }
    let done = rest.is_empty() && deleting(&obj) && key.0 != "/namespaces";
    store.put(&key.0, &key.1, &key.2, obj);
    if done {
        store.remove(&key.0, &key.1, &key.2);
    }
}

fn delete_key(store: &mut Store, key: &ObjKey, policy: &str) -> bool {
    let Some(info) = store.registry.by_key(&key.0).cloned() else {
        // Resource no longer served (CRD gone): drop the object outright.
        return store.remove(&key.0, &key.1, &key.2).is_some();
    };
    let before = store.rv();
    mark_deleted(store, &info, &key.1, &key.2, policy, false);
    store.rv() != before
}

/// Runs every controller until the store settles.
pub fn run(store: &mut Store) {
    for _ in 0..100 {
        let before = store.rv();
        crds(store);
        garbage_collect(store);
        namespaces(store);
        if store.rv() == before {
            break;
        }
    }
}

fn crds(store: &mut Store) {
    let crds: Vec<(ObjKey, Value)> = store
        .iter()
        .filter(|(k, _)| k.0 == CRD_KEY)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut live = HashSet::new();
    for (key, crd) in crds {
        let Ok(info) = crd_to_info(&crd) else {
            continue;
        };
        live.insert(info.key());
        if deleting(&crd) {
            let instances: Vec<ObjKey> = store
                .iter()
                .filter(|(k, _)| k.0 == info.key())
                .map(|(k, _)| k.clone())
                .collect();
            if instances.is_empty() {
                if finalizers(&crd).iter().any(|f| f == CRD_FINALIZER) {
                    drop_finalizer(store, &key, CRD_FINALIZER);
                }
            } else {
                for k in instances {
                    if store.get(&k.0, &k.1, &k.2).is_some_and(|o| !deleting(o)) {
                        delete_key(store, &k, "Background");
                    }
                }
            }
            continue;
        }
        if store.registry.by_key(&info.key()) != Some(&info) {
            // Validated on write; a failure here means nothing to serve.
            let _ = store.registry.register_crd(&crd);
        }
        let mut next = crd.clone();
        let mut fins = finalizers(&crd);
        if !fins.iter().any(|f| f == CRD_FINALIZER) {
            fins.push(CRD_FINALIZER.into());
            meta_mut(&mut next).insert("finalizers".into(), json!(fins));
        }
        let names = get_path(&crd, &["spec", "names"])
            .cloned()
            .unwrap_or(json!({}));
        let mut accepted = names.clone();
        if let Some(m) = accepted.as_object_mut() {
            m.entry("singular").or_insert(json!(info.singular));
            m.entry("listKind")
                .or_insert(json!(format!("{}List", info.kind)));
        }
        let old_time = get_path(&crd, &["status", "conditions"])
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|c| c.get("lastTransitionTime"))
            .cloned()
            .unwrap_or_else(|| json!(crate::util::now_rfc3339()));
        let mut stored: Vec<Value> = get_path(&crd, &["status", "storedVersions"])
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let storage = json!(info.versions[0]);
        if !stored.contains(&storage) {
            stored.push(storage);
        }
        let status = json!({
            "acceptedNames": accepted,
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": old_time},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": old_time},
            ],
            "storedVersions": stored,
        });
        if let Value::Object(m) = &mut next {
            m.insert("status".into(), status);
        }
        if next != crd {
            store.put(&key.0, &key.1, &key.2, next);
        }
    }
    let stale: Vec<(String, String)> = store
        .registry
        .all()
        .iter()
        .filter(|r| r.custom && !live.contains(&r.key()))
        .map(|r| (r.group.clone(), r.plural.clone()))
        .collect();
    for (g, p) in stale {
        let key = format!("{g}/{p}");
        let leftovers: Vec<ObjKey> = store
            .iter()
            .filter(|(k, _)| k.0 == key)
            .map(|(k, _)| k.clone())
            .collect();
        for k in leftovers {
            store.remove(&k.0, &k.1, &k.2);
        }
        store.registry.unregister(&g, &p);
    }
}

fn owner_uids(obj: &Value) -> Vec<String> {
    get_path(obj, &["metadata", "ownerReferences"])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn garbage_collect(store: &mut Store) {
    let mut by_uid: HashMap<String, ObjKey> = HashMap::new();
    let mut dependents: HashMap<String, Vec<ObjKey>> = HashMap::new();
    for (k, v) in store.iter() {
        if let Some(uid) = meta_str(v, "uid") {
            by_uid.insert(uid.to_string(), k.clone());
        }
        for o in owner_uids(v) {
            dependents.entry(o).or_default().push(k.clone());
        }
    }
    // Dependents whose owners are all gone are deleted in the background.
    for (owner, deps) in &dependents {
        if by_uid.contains_key(owner) {
            continue;
        }
        for d in deps {
            let Some(obj) = store.get(&d.0, &d.1, &d.2) else {
                continue;
            };
            if deleting(obj) {
                continue;
            }
            if owner_uids(obj).iter().all(|u| !by_uid.contains_key(u)) {
                delete_key(store, d, "Background");
            }
        }
    }
    // Owners being deleted in the foreground or with orphaning.
    let pending: Vec<(ObjKey, String, Vec<String>)> = store
        .iter()
        .filter(|(_, v)| deleting(v))
        .map(|(k, v)| {
            (
                k.clone(),
                meta_str(v, "uid").unwrap_or("").to_string(),
                finalizers(v),
            )
        })
        .collect();
    for (key, uid, fins) in pending {
        let deps: Vec<ObjKey> = dependents
            .get(&uid)
            .map(|d| {
                d.iter()
                    .filter(|k| store.get(&k.0, &k.1, &k.2).is_some())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if fins.iter().any(|f| f == "orphan") {
            for d in &deps {
                if let Some(mut obj) = store.get(&d.0, &d.1, &d.2).cloned() {
                    let refs: Vec<Value> = get_path(&obj, &["metadata", "ownerReferences"])
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter(|r| {
                                    r.get("uid").and_then(Value::as_str) != Some(uid.as_str())
                                })
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default();
                    if refs.is_empty() {
                        meta_mut(&mut obj).remove("ownerReferences");
                    } else {
                        meta_mut(&mut obj).insert("ownerReferences".into(), json!(refs));
                    }
                    store.put(&d.0, &d.1, &d.2, obj);
                }
            }
            drop_finalizer(store, &key, "orphan");
        } else if fins.iter().any(|f| f == "foregroundDeletion") {
            if deps.is_empty() {
                drop_finalizer(store, &key, "foregroundDeletion");
            } else {
                for d in &deps {
                    if store.get(&d.0, &d.1, &d.2).is_some_and(|o| !deleting(o)) {
                        delete_key(store, d, "Foreground");
                    }
                }
            }
        }
    }
}

fn namespaces(store: &mut Store) {
    let terminating: Vec<(ObjKey, Value)> = store
        .iter()
        .filter(|(k, v)| k.0 == "/namespaces" && deleting(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (nskey, ns) in terminating {
        let name = nskey.2.clone();
        let contents: Vec<ObjKey> = store
            .iter()
            .filter(|(k, _)| k.1 == name && k.0 != "/namespaces")
            .map(|(k, _)| k.clone())
            .collect();
        if !contents.is_empty() {
            for k in contents {
                if store.get(&k.0, &k.1, &k.2).is_some_and(|o| !deleting(o)) {
                    delete_key(store, &k, "Background");
                }
            }
            continue;
        }
        let spec_fins = get_path(&ns, &["spec", "finalizers"])
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if spec_fins {
            let mut next = ns.clone();
            crate::util::set_path(&mut next, &["spec", "finalizers"], json!([]));
            if let Some(spec) = next.get_mut("spec").and_then(Value::as_object_mut) {
                spec.remove("finalizers");
            }
            store.put(&nskey.0, &nskey.1, &nskey.2, next);
        }
        if finalizers(&ns).is_empty() {
            store.remove(&nskey.0, &nskey.1, &nskey.2);
        }
    }
}
