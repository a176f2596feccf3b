//! The verbs: get, list, create, update, patch, delete, deletecollection and
//! the scale subresource, with kube-apiserver's metadata semantics. Every
//! function works on a locked [`Store`]; controllers run after each write.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::{
    controllers, defaults,
    error::{ApiError, ApiResult, Subject},
    patch::{self, PatchError},
    registry::ResourceInfo,
    selectors::{FieldSelector, LabelSelector},
    ssa::{self, Actor, Schema},
    store::Store,
    util::{get_path, meta_mut, meta_str, name_of, new_uid, now_rfc3339, parse_rv},
};

/// Query parameters of one request.
pub type Params = HashMap<String, String>;

/// What a request addresses.
#[derive(Debug, Clone)]
pub struct Target {
    /// The resource.
    pub info: ResourceInfo,
    /// Requested version.
    pub version: String,
    /// Namespace ("" for cluster scoped or all namespaces).
    pub namespace: String,
    /// Object name, "" for collections.
    pub name: String,
    /// "" , "status" or "scale".
    pub subresource: String,
}

impl Target {
    fn subject(&self) -> Subject<'_> {
        Subject {
            group: &self.info.group,
            resource: &self.info.plural,
            name: &self.name,
        }
    }

    fn schema(&self) -> Schema<'_> {
        Schema {
            builtin: !self.info.custom,
            status_subresource: self.info.status,
            openapi: self
                .info
                .schemas
                .iter()
                .find(|(v, _)| *v == self.version)
                .map(|(_, s)| s),
        }
    }

    pub fn api_version(&self) -> String {
        self.info.api_version(&self.version)
    }
}

/// Who is writing, and how.
#[derive(Debug, Clone)]
pub struct WriteOpts {
    /// Field manager (query param or user-agent prefix).
    pub manager: String,
    /// `dryRun=All`.
    pub dry_run: bool,
}

/// Sets apiVersion/kind for the version the client asked for. Custom
/// resources have no conversion (strategy None): only apiVersion changes.
pub fn present(obj: &Value, info: &ResourceInfo, version: &str) -> Value {
    let mut o = obj.clone();
    if let Value::Object(m) = &mut o {
        let mut out = Map::new();
        out.insert("apiVersion".into(), json!(info.api_version(version)));
        out.insert("kind".into(), json!(info.kind));
        for (k, v) in std::mem::take(m) {
            if k != "apiVersion" && k != "kind" {
                out.insert(k, v);
            }
        }
        *m = out;
    }
    o
}

/// GET one object.
pub fn get(store: &Store, t: &Target) -> ApiResult<Value> {
    let obj = store
        .get(&t.info.key(), &t.namespace, &t.name)
        .ok_or_else(|| ApiError::not_found(t.subject()))?;
    if t.subresource == "scale" {
        return scale_of(obj, t);
    }
    Ok(present(obj, &t.info, &t.version))
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Parsed selectors of a list or watch.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// labelSelector.
    pub labels: LabelSelector,
    /// fieldSelector.
    pub fields: FieldSelector,
}

impl Filter {
    /// Reads `labelSelector` and `fieldSelector`.
    pub fn from_params(p: &Params) -> ApiResult<Self> {
        Ok(Self {
            labels: LabelSelector::parse(p.get("labelSelector").map_or("", String::as_str))?,
            fields: FieldSelector::parse(p.get("fieldSelector").map_or("", String::as_str))?,
        })
    }

    /// Whether an object passes both selectors.
    pub fn matches(&self, obj: &Value) -> bool {
        self.labels.matches(obj) && self.fields.matches(obj)
    }
}

/// LIST with selectors and limit/continue pagination.
pub fn list(store: &Store, t: &Target, p: &Params) -> ApiResult<Value> {
    let filter = Filter::from_params(p)?;
    let ns = (t.info.namespaced && !t.namespace.is_empty()).then_some(t.namespace.as_str());
    let limit: usize = p
        .get("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let (start, list_rv) = match p.get("continue").filter(|c| !c.is_empty()) {
        Some(tok) => {
            let decoded = unhex(tok).ok_or_else(|| {
                ApiError::bad_request("continue key is not valid: illegal base64 data")
            })?;
            let (rv, key) = decoded
                .split_once('|')
                .ok_or_else(|| ApiError::bad_request("continue key is not valid"))?;
            let rv: u64 = rv.parse().unwrap_or(0);
            if rv < store.compacted() {
                return Err(ApiError::gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                ));
            }
            (Some(key.to_string()), rv)
        }
        None => (None, store.rv()),
    };
    let all: Vec<&Value> = store
        .list(&t.info.key(), ns)
        .into_iter()
        .filter(|o| filter.matches(o))
        .filter(|o| {
            start.as_deref().is_none_or(|s| {
                let key = format!("{}/{}", meta_str(o, "namespace").unwrap_or(""), name_of(o));
                key.as_str() > s
            })
        })
        .collect();
    let page: Vec<Value> = all
        .iter()
        .take(limit)
        .map(|o| present(o, &t.info, &t.version))
        .collect();
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if all.len() > page.len()
        && let Some(last) = page.last()
    {
        let key = format!(
            "{}/{}",
            meta_str(last, "namespace").unwrap_or(""),
            name_of(last)
        );
        meta["continue"] = json!(hex(&format!("{list_rv}|{key}")));
        meta["remainingItemCount"] = json!(all.len() - page.len());
    }
    Ok(json!({
        "kind": format!("{}List", t.info.kind),
        "apiVersion": t.api_version(),
        "metadata": meta,
        "items": page,
    }))
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn check_namespace(store: &Store, t: &Target, creating: bool) -> ApiResult<()> {
    if !t.info.namespaced {
        return Ok(());
    }
    let Some(ns) = store.get("/namespaces", "", &t.namespace) else {
        return Err(ApiError::not_found(Subject {
            group: "",
            resource: "namespaces",
            name: &t.namespace,
        }));
    };
    if creating && get_path(ns, &["metadata", "deletionTimestamp"]).is_some() {
        return Err(ApiError::forbidden(format!(
            "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is being terminated",
            t.info.plural, t.name, t.namespace
        )));
    }
    Ok(())
}

fn check_type(body: &Value, t: &Target) -> ApiResult<()> {
    let kind = body.get("kind").and_then(Value::as_str);
    let av = body.get("apiVersion").and_then(Value::as_str);
    if let Some(k) = kind
        && k != t.info.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({k}) does not match the expected kind ({})",
            t.info.kind
        )));
    }
    if let Some(a) = av
        && a != t.api_version()
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({a}) does not match the expected API version ({})",
            t.api_version()
        )));
    }
    Ok(())
}

fn check_body_namespace(body: &mut Value, t: &Target) -> ApiResult<()> {
    if !t.info.namespaced {
        meta_mut(body).remove("namespace");
        return Ok(());
    }
    match meta_str(body, "namespace") {
        Some(ns) if !ns.is_empty() && ns != t.namespace => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => {
            meta_mut(body).insert("namespace".into(), json!(t.namespace));
            Ok(())
        }
    }
}

fn actor<'a>(t: &'a Target, opts: &'a WriteOpts, api_version: &'a str) -> Actor<'a> {
    Actor {
        manager: &opts.manager,
        api_version,
        subresource: if t.subresource == "status" {
            "status"
        } else {
            ""
        },
    }
}

/// POST: create an object.
pub fn create(
    store: &mut Store,
    t: &Target,
    mut body: Value,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "Object 'Kind' is missing in the request body",
        ));
    }
    check_type(&body, t)?;
    check_body_namespace(&mut body, t)?;
    let mut name = meta_str(&body, "name").unwrap_or("").to_string();
    if name.is_empty() {
        match meta_str(&body, "generateName") {
            Some(g) if !g.is_empty() => name = format!("{g}{}", crate::util::name_suffix()),
            _ => {
                return Err(ApiError::invalid(
                    t.subject(),
                    &t.info.kind,
                    "metadata.name",
                    "Required value: name or generateName is required",
                ));
            }
        }
    }
    let t = &Target {
        name: name.clone(),
        ..t.clone()
    };
    if !valid_name(&name) {
        return Err(ApiError::invalid(
            t.subject(),
            &t.info.kind,
            "metadata.name",
            &format!(
                "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            ),
        ));
    }
    check_namespace(store, t, true)?;
    if store.get(&t.info.key(), &t.namespace, &name).is_some() {
        return Err(ApiError::already_exists(t.subject()));
    }
    if t.info.key() == "apiextensions.k8s.io/customresourcedefinitions" {
        controllers::validate_crd(store, &body, &name)?;
    }
    let obj = prepare_create(t, body, &name);
    let mut obj = obj;
    ssa::track_update(None, &mut obj, actor(t, opts, &t.api_version()), t.schema());
    commit(store, t, None, obj, opts)
}

fn prepare_create(t: &Target, mut obj: Value, name: &str) -> Value {
    let api_version = t.api_version();
    {
        let m = meta_mut(&mut obj);
        m.insert("name".into(), json!(name));
        m.insert("uid".into(), json!(new_uid()));
        m.insert("creationTimestamp".into(), json!(now_rfc3339()));
        for k in [
            "resourceVersion",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "selfLink",
            "managedFields",
        ] {
            m.remove(k);
        }
        if t.info.tracks_generation() {
            m.insert("generation".into(), json!(1));
        } else {
            m.remove("generation");
        }
    }
    if let Value::Object(m) = &mut obj {
        m.insert("apiVersion".into(), json!(api_version));
        m.insert("kind".into(), json!(t.info.kind));
        if t.info.status {
            m.remove("status");
        }
    }
    apply_defaults(t, &mut obj);
    obj
}

/// Server-side defaulting: built-in kinds from a table, custom resources from
/// their CRD's structural schema (with pruning of unknown fields).
fn apply_defaults(t: &Target, obj: &mut Value) {
    if t.info.custom {
        if let Some((_, schema)) = t.info.schemas.iter().find(|(v, _)| *v == t.version) {
            crate::structural::apply(obj, schema);
        }
    } else {
        defaults::apply(&t.info.key(), obj);
    }
}

/// Compares two objects ignoring resourceVersion and managedFields timestamps:
/// a write that changes nothing else is not persisted (no new resourceVersion,
/// no watch event), as kube-apiserver does.
fn same(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        let mut v = v.clone();
        let m = meta_mut(&mut v);
        m.remove("resourceVersion");
        if let Some(Value::Array(mf)) = m.get_mut("managedFields") {
            for e in mf.iter_mut().filter_map(Value::as_object_mut) {
                e.remove("time");
            }
        }
        v
    }
    strip(a) == strip(b)
}

/// Stores the result of a write (or, for dry runs, only returns it), running
/// finalization and controllers.
fn commit(
    store: &mut Store,
    t: &Target,
    old: Option<&Value>,
    mut obj: Value,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    if let Some(o) = old
        && same(o, &obj)
    {
        return Ok(present(o, &t.info, &t.version));
    }
    let deleting = get_path(&obj, &["metadata", "deletionTimestamp"]).is_some();
    let no_finalizers = get_path(&obj, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .is_none_or(|a| a.is_empty());
    if opts.dry_run {
        if old.is_none() {
            meta_mut(&mut obj).remove("resourceVersion");
        }
        return Ok(present(&obj, &t.info, &t.version));
    }
    let key = t.info.key();
    let stored = if deleting && no_finalizers {
        store.put(&key, &t.namespace, &t.name, obj);
        store
            .remove(&key, &t.namespace, &t.name)
            .unwrap_or(Value::Null)
    } else {
        store.put(&key, &t.namespace, &t.name, obj)
    };
    controllers::run(store);
    Ok(present(&stored, &t.info, &t.version))
}

/// Merges immutable and server-owned fields of `old` into `new`, handles the
/// status subresource split and bumps generation on spec changes.
fn prepare_update(t: &Target, old: &Value, mut new: Value) -> Value {
    let main_with_status = t.info.status && t.subresource.is_empty();
    if t.subresource == "status" {
        // Only status changes through /status.
        let status = new.get("status").cloned();
        new = old.clone();
        if let Value::Object(m) = &mut new {
            match status {
                Some(s) => m.insert("status".into(), s),
                None => m.remove("status"),
            };
        }
    } else if main_with_status && let Value::Object(m) = &mut new {
        match old.get("status") {
            Some(s) => m.insert("status".into(), s.clone()),
            None => m.remove("status"),
        };
    }
    let old_meta = old.get("metadata").cloned().unwrap_or_else(|| json!({}));
    {
        let m = meta_mut(&mut new);
        for k in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "name",
            "namespace",
            "generation",
        ] {
            match old_meta.get(k) {
                Some(v) => m.insert(k.into(), v.clone()),
                None => m.remove(k),
            };
        }
    }
    if let Value::Object(m) = &mut new {
        m.insert("apiVersion".into(), json!(t.api_version()));
        m.insert("kind".into(), json!(t.info.kind));
    }
    if t.info.key() == "/services" {
        // An update that omits the allocated cluster IP keeps it.
        for k in ["clusterIP", "clusterIPs"] {
            let missing =
                get_path(&new, &["spec", k]).is_none_or(|v| v.is_null() || v.as_str() == Some(""));
            if missing && let Some(v) = get_path(old, &["spec", k]).cloned() {
                crate::util::set_path(&mut new, &["spec", k], v);
            }
        }
    }
    apply_defaults(t, &mut new);
    if old_meta.get("generation").is_some() && spec_of(old) != spec_of(&new) {
        let g = old_meta
            .get("generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        meta_mut(&mut new).insert("generation".into(), json!(g + 1));
    }
    new
}

fn spec_of(v: &Value) -> Value {
    let mut v = v.clone();
    if let Value::Object(m) = &mut v {
        for k in ["metadata", "status", "apiVersion", "kind"] {
            m.remove(k);
        }
    }
    v
}

fn check_preconditions(t: &Target, old: &Value, new: &Value) -> ApiResult<()> {
    if let Some(rv) = meta_str(new, "resourceVersion").filter(|s| !s.is_empty())
        && Some(rv) != meta_str(old, "resourceVersion")
    {
        return Err(ApiError::conflict(
            t.subject(),
            "the object has been modified; please apply your changes to the latest version and try again",
        ));
    }
    if let Some(uid) = meta_str(new, "uid").filter(|s| !s.is_empty())
        && Some(uid) != meta_str(old, "uid")
    {
        return Err(ApiError::conflict(
            t.subject(),
            &format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                meta_str(old, "uid").unwrap_or("")
            ),
        ));
    }
    Ok(())
}

fn check_name_matches(t: &Target, body: &Value) -> ApiResult<()> {
    match meta_str(body, "name") {
        Some(n) if !n.is_empty() && n != t.name => Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({})",
            t.name
        ))),
        _ => Ok(()),
    }
}

/// PUT: replace an object (or its status / scale).
pub fn update(
    store: &mut Store,
    t: &Target,
    mut body: Value,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    let old = store
        .get(&t.info.key(), &t.namespace, &t.name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(t.subject()))?;
    if t.subresource == "scale" {
        let replicas = get_path(&body, &["spec", "replicas"])
            .cloned()
            .unwrap_or(json!(0));
        check_preconditions(t, &old, &body)?;
        return set_scale(store, t, &old, replicas, opts);
    }
    check_type(&body, t)?;
    check_name_matches(t, &body)?;
    check_body_namespace(&mut body, t)?;
    check_preconditions(t, &old, &body)?;
    write_changed(store, t, &old, body, opts)
}

fn write_changed(
    store: &mut Store,
    t: &Target,
    old: &Value,
    new: Value,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    let mut new = prepare_update(t, old, new);
    crate::validate::update(t, old, &new)?;
    if get_path(old, &["metadata", "deletionTimestamp"]).is_some() {
        // No new finalizers may be added while deleting.
        let old_f: Vec<Value> = get_path(old, &["metadata", "finalizers"])
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let new_f: Vec<Value> = get_path(&new, &["metadata", "finalizers"])
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if new_f.iter().any(|f| !old_f.contains(f)) {
            return Err(ApiError::forbidden(format!(
                "{} \"{}\" is forbidden: no new finalizers can be added if the object is being deleted",
                t.info.plural, t.name
            )));
        }
    }
    if t.info.key() == "apiextensions.k8s.io/customresourcedefinitions" {
        controllers::validate_crd(store, &new, &t.name)?;
    }
    let api_version = t.api_version();
    ssa::track_update(
        Some(old),
        &mut new,
        actor(t, opts, &api_version),
        t.schema(),
    );
    commit(store, t, Some(old), new, opts)
}

/// The autoscaling/v1 Scale of an object.
fn scale_of(obj: &Value, t: &Target) -> ApiResult<Value> {
    let paths = t
        .info
        .scale
        .clone()
        .ok_or_else(|| ApiError::not_found(t.subject()))?;
    let at = |p: &str| -> Option<Value> {
        let parts: Vec<&str> = p.trim_start_matches('.').split('.').collect();
        get_path(obj, &parts).cloned()
    };
    let selector = if t.info.custom {
        paths.selector.as_deref().and_then(at).unwrap_or(json!(""))
    } else {
        get_path(obj, &["spec", "selector"])
            .map(|s| json!(selector_string(s)))
            .unwrap_or(json!(""))
    };
    Ok(json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": t.name, "namespace": t.namespace,
            "uid": meta_str(obj, "uid"), "resourceVersion": meta_str(obj, "resourceVersion"),
            "creationTimestamp": meta_str(obj, "creationTimestamp"),
        },
        "spec": {"replicas": at(&paths.spec).unwrap_or(json!(0))},
        "status": {"replicas": at(&paths.status).unwrap_or(json!(0)), "selector": selector},
    }))
}

fn selector_string(sel: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in m {
            parts.push(format!("{k}={}", v.as_str().unwrap_or("")));
        }
    }
    parts.join(",")
}

fn set_scale(
    store: &mut Store,
    t: &Target,
    old: &Value,
    replicas: Value,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    let paths = t
        .info
        .scale
        .clone()
        .ok_or_else(|| ApiError::not_found(t.subject()))?;
    let mut new = old.clone();
    let parts: Vec<&str> = paths.spec.trim_start_matches('.').split('.').collect();
    crate::util::set_path(&mut new, &parts, replicas);
    let main = Target {
        subresource: String::new(),
        ..t.clone()
    };
    let api_version = main.api_version();
    let mut new = prepare_update(&main, old, new);
    ssa::track_update(
        Some(old),
        &mut new,
        actor(&main, opts, &api_version),
        main.schema(),
    );
    let stored = commit(store, &main, Some(old), new, opts)?;
    scale_of(&stored, t)
}

/// Parses a create/update body: JSON, or Kubernetes protobuf for the kinds
/// typed clients send that way.
pub fn parse_object_body(content_type: &str, body: &[u8]) -> ApiResult<Value> {
    if content_type.starts_with("application/vnd.kubernetes.protobuf") {
        return crate::proto::decode_object(body).map_err(|e| match e {
            crate::proto::ProtoError::Unsupported(_) => {
                ApiError::unsupported_media_type(content_type)
            }
            other => ApiError::bad_request(other.to_string()),
        });
    }
    parse_body(body, false)
}

/// Parses a request body as JSON, or YAML for apply patches.
pub fn parse_body(body: &[u8], yaml_ok: bool) -> ApiResult<Value> {
    match serde_json::from_slice(body) {
        Ok(v) => Ok(v),
        Err(e) if yaml_ok => {
            let text =
                std::str::from_utf8(body).map_err(|_| ApiError::bad_request(e.to_string()))?;
            serde_saphyr::from_str::<Value>(text)
                .map_err(|ye| ApiError::bad_request(format!("error decoding YAML: {ye}")))
        }
        Err(e) => Err(ApiError::bad_request(format!(
            "error decoding request body: {e}"
        ))),
    }
}

fn patch_err(e: PatchError) -> ApiError {
    match e {
        PatchError::Invalid(m) => ApiError::bad_request(m),
        PatchError::Failed(m) => ApiError::unprocessable(&m),
    }
}

/// PATCH with any of the four patch types. Returns (HTTP code, object).
pub fn patch(
    store: &mut Store,
    t: &Target,
    content_type: &str,
    body: &[u8],
    force: bool,
    opts: &WriteOpts,
    manager_given: bool,
) -> ApiResult<(u16, Value)> {
    let ct = content_type.split(';').next().unwrap_or("").trim();
    let is_apply = ct == "application/apply-patch+yaml";
    let patch_doc = parse_body(body, is_apply)?;
    let old = store.get(&t.info.key(), &t.namespace, &t.name).cloned();
    if is_apply {
        if !manager_given {
            return Err(ApiError::invalid(
                t.subject(),
                "PatchOptions.meta.k8s.io",
                "fieldManager",
                "Required value: is required for apply patch",
            ));
        }
        return apply_patch(store, t, old, patch_doc, force, opts);
    }
    let old = old.ok_or_else(|| ApiError::not_found(t.subject()))?;
    let mut current = if t.subresource == "scale" {
        scale_of(&old, t)?
    } else {
        present(&old, &t.info, &t.version)
    };
    match ct {
        "application/json-patch+json" => {
            patch::json_patch(&mut current, &patch_doc).map_err(patch_err)?
        }
        "application/merge-patch+json" => patch::merge_patch(&mut current, &patch_doc),
        "application/strategic-merge-patch+json" => {
            if t.info.custom {
                return Err(ApiError::unsupported_media_type(ct));
            }
            patch::strategic_merge(&mut current, &patch_doc, true).map_err(patch_err)?;
        }
        other => return Err(ApiError::unsupported_media_type(other)),
    }
    if t.subresource == "scale" {
        let replicas = get_path(&current, &["spec", "replicas"])
            .cloned()
            .unwrap_or(json!(0));
        return Ok((200, set_scale(store, t, &old, replicas, opts)?));
    }
    check_preconditions(t, &old, &current)?;
    // Identity fields cannot be changed by a patch.
    if name_of(&current) != t.name {
        return Err(ApiError::invalid(
            t.subject(),
            &t.info.kind,
            "metadata.name",
            "Invalid value: field is immutable",
        ));
    }
    let new = write_changed(store, t, &old, current, opts)?;
    Ok((200, new))
}

fn apply_patch(
    store: &mut Store,
    t: &Target,
    old: Option<Value>,
    applied: Value,
    force: bool,
    opts: &WriteOpts,
) -> ApiResult<(u16, Value)> {
    if !applied.is_object() {
        return Err(ApiError::bad_request("apply patch must be an object"));
    }
    check_type(&applied, t)?;
    if applied.get("kind").is_none() || applied.get("apiVersion").is_none() {
        return Err(ApiError::bad_request(
            "apiVersion and kind must be set in an apply patch",
        ));
    }
    check_name_matches(t, &applied)?;
    let mut applied = applied;
    if t.info.namespaced {
        check_body_namespace(&mut applied, t)?;
    }
    // Mirror server-side defaulting of port protocols so list keys match.
    normalize_ports(&mut applied);
    let api_version = t.api_version();
    let act = actor(t, opts, &api_version);
    match old {
        None => {
            if t.subresource == "status" {
                return Err(ApiError::not_found(t.subject()));
            }
            check_namespace(store, t, true)?;
            if t.info.key() == "apiextensions.k8s.io/customresourcedefinitions" {
                controllers::validate_crd(store, &applied, &t.name)?;
            }
            let merged = ssa::apply(None, &applied, act, force, t.schema())
                .map_err(|c| ApiError::apply_conflict(t.subject(), &c))?;
            let managed = get_path(&merged, &["metadata", "managedFields"]).cloned();
            let mut obj = prepare_create(t, merged, &t.name);
            if let Some(mf) = managed {
                meta_mut(&mut obj).insert("managedFields".into(), mf);
            }
            Ok((201, commit(store, t, None, obj, opts)?))
        }
        Some(old) => {
            check_preconditions(t, &old, &applied)?;
            let mut live = old.clone();
            normalize_ports(&mut live);
            let merged = ssa::apply(Some(&live), &applied, act, force, t.schema())
                .map_err(|c| ApiError::apply_conflict(t.subject(), &c))?;
            let managed = get_path(&merged, &["metadata", "managedFields"]).cloned();
            let mut new = prepare_update(t, &old, merged);
            crate::validate::update(t, &old, &new)?;
            if let Some(mf) = managed {
                meta_mut(&mut new).insert("managedFields".into(), mf);
            }
            if t.info.key() == "apiextensions.k8s.io/customresourcedefinitions" {
                controllers::validate_crd(store, &new, &t.name)?;
            }
            Ok((200, commit(store, t, Some(&old), new, opts)?))
        }
    }
}

fn normalize_ports(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "ports"
                    && let Value::Array(items) = child
                {
                    for it in items.iter_mut().filter_map(Value::as_object_mut) {
                        if (it.contains_key("containerPort") || it.contains_key("port"))
                            && !it.contains_key("protocol")
                        {
                            it.insert("protocol".into(), json!("TCP"));
                        }
                    }
                }
                normalize_ports(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize_ports),
        _ => {}
    }
}

/// Deletion options from the query string and body.
#[derive(Debug, Clone, Default)]
pub struct DeleteOpts {
    /// Background, Foreground or Orphan.
    pub propagation: Option<String>,
    /// Precondition on resourceVersion.
    pub rv: Option<String>,
    /// Precondition on uid.
    pub uid: Option<String>,
}

impl DeleteOpts {
    /// Reads options from params and an optional DeleteOptions body.
    pub fn from_request(p: &Params, body: &[u8]) -> Self {
        let b: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let orphan = b
            .get("orphanDependents")
            .and_then(Value::as_bool)
            .or_else(|| p.get("orphanDependents").map(|s| s == "true"));
        let propagation = b
            .get("propagationPolicy")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| p.get("propagationPolicy").cloned())
            .or_else(|| {
                orphan.map(|o| {
                    if o {
                        "Orphan".to_string()
                    } else {
                        "Background".to_string()
                    }
                })
            });
        let pre = b.get("preconditions");
        Self {
            propagation,
            rv: pre
                .and_then(|x| x.get("resourceVersion"))
                .and_then(Value::as_str)
                .map(str::to_string),
            uid: pre
                .and_then(|x| x.get("uid"))
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }
}

/// Success `Status` for an immediate deletion.
fn deleted_status(t: &Target, obj: &Value) -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": t.name, "group": t.info.group, "kind": t.info.plural, "uid": meta_str(obj, "uid")},
    })
}

/// DELETE one object. Returns (code, body).
pub fn delete(
    store: &mut Store,
    t: &Target,
    d: &DeleteOpts,
    opts: &WriteOpts,
) -> ApiResult<(u16, Value)> {
    let old = store
        .get(&t.info.key(), &t.namespace, &t.name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(t.subject()))?;
    if let Some(rv) = &d.rv
        && Some(rv.as_str()) != meta_str(&old, "resourceVersion")
    {
        return Err(ApiError::conflict(
            t.subject(),
            &format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                meta_str(&old, "resourceVersion").unwrap_or("")
            ),
        ));
    }
    if let Some(uid) = &d.uid
        && Some(uid.as_str()) != meta_str(&old, "uid")
    {
        return Err(ApiError::conflict(
            t.subject(),
            &format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                meta_str(&old, "uid").unwrap_or("")
            ),
        ));
    }
    let policy = d.propagation.clone().unwrap_or_else(|| {
        // batch/v1 Jobs orphan their pods by default, for compatibility.
        if t.info.key() == "batch/jobs" {
            "Orphan".into()
        } else {
            "Background".into()
        }
    });
    if !["Background", "Foreground", "Orphan"].contains(&policy.as_str()) {
        return Err(ApiError::bad_request(format!(
            "unsupported propagation policy: {policy}"
        )));
    }
    let (code, body) = mark_deleted(store, &t.info, &t.namespace, &t.name, &policy, opts.dry_run);
    let body = match body {
        Some(obj) => present(&obj, &t.info, &t.version),
        None => deleted_status(t, &old),
    };
    if !opts.dry_run {
        controllers::run(store);
    }
    Ok((code, body))
}

/// Starts deletion of one object: sets deletionTimestamp when finalizers
/// (or the policy's finalizer) must run first, removes it otherwise.
/// Returns the object if it still exists.
pub fn mark_deleted(
    store: &mut Store,
    info: &ResourceInfo,
    ns: &str,
    name: &str,
    policy: &str,
    dry_run: bool,
) -> (u16, Option<Value>) {
    let key = info.key();
    let Some(old) = store.get(&key, ns, name).cloned() else {
        return (200, None);
    };
    let mut new = old.clone();
    let mut finalizers: Vec<Value> = get_path(&old, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let policy_finalizer = match policy {
        "Foreground" => Some("foregroundDeletion"),
        "Orphan" => Some("orphan"),
        _ => None,
    };
    let already = get_path(&old, &["metadata", "deletionTimestamp"]).is_some();
    if let Some(f) = policy_finalizer
        && !already
        && !finalizers.contains(&json!(f))
    {
        finalizers.push(json!(f));
    }
    let is_ns = key == "/namespaces";
    if finalizers.is_empty() && !is_ns {
        if dry_run {
            return (200, Some(old));
        }
        store.remove(&key, ns, name);
        return (200, None);
    }
    if already {
        return (200, Some(old));
    }
    {
        let m = meta_mut(&mut new);
        m.insert("deletionTimestamp".into(), json!(now_rfc3339()));
        m.insert("deletionGracePeriodSeconds".into(), json!(0));
        if !finalizers.is_empty() {
            m.insert("finalizers".into(), Value::Array(finalizers));
        }
    }
    if is_ns {
        crate::util::set_path(&mut new, &["status", "phase"], json!("Terminating"));
    }
    if dry_run {
        return (200, Some(new));
    }
    let stored = store.put(&key, ns, name, new);
    (if policy == "Foreground" { 202 } else { 200 }, Some(stored))
}

/// DELETE on a collection: deletes every matching object.
pub fn delete_collection(
    store: &mut Store,
    t: &Target,
    p: &Params,
    d: &DeleteOpts,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    let filter = Filter::from_params(p)?;
    let ns = (t.info.namespaced && !t.namespace.is_empty()).then_some(t.namespace.as_str());
    let victims: Vec<(String, String)> = store
        .list(&t.info.key(), ns)
        .into_iter()
        .filter(|o| filter.matches(o))
        .map(|o| {
            (
                meta_str(o, "namespace").unwrap_or("").to_string(),
                name_of(o).to_string(),
            )
        })
        .collect();
    let policy = d.propagation.clone().unwrap_or_else(|| "Background".into());
    let mut items = Vec::new();
    for (ns, name) in victims {
        if let Some(o) = store.get(&t.info.key(), &ns, &name) {
            items.push(present(o, &t.info, &t.version));
        }
        mark_deleted(store, &t.info, &ns, &name, &policy, opts.dry_run);
    }
    if !opts.dry_run {
        controllers::run(store);
    }
    Ok(json!({
        "kind": format!("{}List", t.info.kind), "apiVersion": t.api_version(),
        "metadata": {"resourceVersion": store.rv().to_string()}, "items": items,
    }))
}

/// The watch starting point requested by a client.
pub fn watch_start(p: &Params) -> Option<u64> {
    p.get("resourceVersion")
        .and_then(|s| parse_rv(s))
        .filter(|rv| *rv > 0)
}
