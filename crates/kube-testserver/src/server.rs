//! HTTP front: routing of Kubernetes API paths, the request log, fault
//! injection and watch streams.

use std::{
    collections::HashMap,
    convert::Infallible,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};

use crate::{
    api::{self, DeleteOpts, Filter, Params, Target, WriteOpts},
    discovery,
    error::{ApiError, ApiResult},
    faults::{FaultKind, Faults, RequestRecord},
    openapi,
    sim::SimState,
    store::{Event, EventType, Store},
    table,
};

/// State shared by all requests.
#[derive(Debug)]
pub(crate) struct Shared {
    pub store: Mutex<Store>,
    pub log: Mutex<Vec<RequestRecord>>,
    pub faults: Mutex<Faults>,
    pub sim: Mutex<SimState>,
    pub close_watches: watch::Sender<u64>,
    pub addr: SocketAddr,
    pub bookmark_interval: Duration,
}

/// Locks a mutex, recovering from poisoning: a panicked handler must not
/// wedge the whole test server.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The axum router serving everything.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

enum Route {
    Json(Value),
    Resource(Box<Target>),
    NotFound,
}

fn route(store: &Store, path: &str, server: &str) -> Route {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segs.as_slice() {
        ["version"] => Route::Json(discovery::version()),
        ["healthz"] | ["livez"] | ["readyz"] => Route::Json(json!("ok")),
        ["api"] => Route::Json(discovery::core_versions(server)),
        ["api", v] => {
            discovery::resources(&store.registry, "", v).map_or(Route::NotFound, Route::Json)
        }
        ["api", v, rest @ ..] => resource_route(store, "", v, rest),
        ["apis"] => Route::Json(discovery::groups(&store.registry)),
        ["apis", g] => discovery::group(&store.registry, g).map_or(Route::NotFound, Route::Json),
        ["apis", g, v] => {
            discovery::resources(&store.registry, g, v).map_or(Route::NotFound, Route::Json)
        }
        ["apis", g, v, rest @ ..] => resource_route(store, g, v, rest),
        ["openapi", "v3"] => Route::Json(openapi::root(&store.registry)),
        ["openapi", "v3", "api", v] => {
            openapi::group_version(&store.registry, "", v).map_or(Route::NotFound, Route::Json)
        }
        ["openapi", "v3", "apis", g, v] => {
            openapi::group_version(&store.registry, g, v).map_or(Route::NotFound, Route::Json)
        }
        _ => Route::NotFound,
    }
}

fn resource_route(store: &Store, group: &str, version: &str, rest: &[&str]) -> Route {
    let reg = &store.registry;
    let (ns, rest) = match rest {
        ["namespaces", ns, res, tail @ ..]
            if reg.find(group, version, res).is_some_and(|r| r.namespaced) =>
        {
            let mut v = vec![*res];
            v.extend_from_slice(tail);
            (ns.to_string(), v)
        }
        _ => (String::new(), rest.to_vec()),
    };
    let Some(info) = rest.first().and_then(|r| reg.find(group, version, r)) else {
        return Route::NotFound;
    };
    let name = rest.get(1).map(|s| s.to_string()).unwrap_or_default();
    let sub = rest.get(2).map(|s| s.to_string()).unwrap_or_default();
    if rest.len() > 3
        || (sub == "status" && !info.status)
        || (sub == "scale" && info.scale.is_none())
        || (!sub.is_empty() && sub != "status" && sub != "scale")
        || (info.namespaced && ns.is_empty() && !name.is_empty())
    {
        return Route::NotFound;
    }
    Route::Resource(Box::new(Target {
        info: info.clone(),
        version: version.to_string(),
        namespace: ns,
        name,
        subresource: sub,
    }))
}

fn verb_of(method: &Method, t: &Target, p: &Params) -> &'static str {
    let collection = t.name.is_empty();
    match *method {
        Method::GET
            if collection && matches!(p.get("watch").map(String::as_str), Some("true" | "1")) =>
        {
            "watch"
        }
        Method::GET if collection => "list",
        Method::GET => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if collection => "deletecollection",
        Method::DELETE => "delete",
        _ => "",
    }
}

fn json_response(code: u16, v: &Value) -> Response {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn handle(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, 64 << 20).await {
        Ok(b) => b,
        Err(e) => return ApiError::bad_request(e.to_string()).into_response(),
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let params: Params = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
        .map(|q| q.0.into_iter().collect::<HashMap<_, _>>())
        .unwrap_or_default();
    let user_agent = header_str(&parts.headers, header::USER_AGENT);
    let content_type = header_str(&parts.headers, header::CONTENT_TYPE);
    let accept = header_str(&parts.headers, header::ACCEPT);
    let server = sh.addr.to_string();
    let route = route(&lock(&sh.store), &path, &server);
    let mut rec = RequestRecord {
        method: parts.method.to_string(),
        path: path.clone(),
        query,
        verb: String::new(),
        group: String::new(),
        resource: String::new(),
        namespace: String::new(),
        name: String::new(),
        subresource: String::new(),
        field_manager: String::new(),
        user_agent: user_agent.clone(),
        content_type: if parts.method == Method::PATCH {
            content_type.clone()
        } else {
            String::new()
        },
        dry_run: params.get("dryRun").is_some_and(|d| d == "All"),
        status: 0,
    };
    if let Route::Resource(t) = &route {
        rec.verb = verb_of(&parts.method, t, &params).to_string();
        rec.group = t.info.group.clone();
        rec.resource = t.info.plural.clone();
        rec.namespace = t.namespace.clone();
        rec.name = t.name.clone();
        rec.subresource = t.subresource.clone();
        if !matches!(rec.verb.as_str(), "get" | "list" | "watch") {
            rec.field_manager = params.get("fieldManager").cloned().unwrap_or_else(|| {
                let prefix = user_agent.split('/').next().unwrap_or("");
                if prefix.is_empty() {
                    "unknown".into()
                } else {
                    prefix.to_string()
                }
            });
        }
    }
    let (fault, latency) = {
        let mut f = lock(&sh.faults);
        (f.check(&rec), f.latency(&rec))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let resp = match fault {
        Some(kind) => {
            let err = match kind {
                FaultKind::InternalError => ApiError::internal("injected fault"),
                FaultKind::Conflict => ApiError::conflict(
                    crate::error::Subject {
                        group: &rec.group,
                        resource: &rec.resource,
                        name: &rec.name,
                    },
                    "the object has been modified; please apply your changes to the latest version and try again",
                ),
                FaultKind::TooManyRequests => ApiError::too_many_requests(),
                FaultKind::Timeout(d) => {
                    tokio::time::sleep(d).await;
                    ApiError::timeout()
                }
            };
            err.into_response()
        }
        None => match route {
            Route::Json(v) => json_response(200, &v),
            // Includes /openapi/v2: kubectl falls back silently without it.
            Route::NotFound => ApiError::no_route(&path).into_response(),
            Route::Resource(t) => {
                let watch = rec.verb == "watch";
                let r = if watch {
                    watch_response(sh.clone(), *t, params, Format::from_accept(&accept))
                } else {
                    dispatch(&sh, &rec, *t, &params, &content_type, &accept, &body)
                };
                r.unwrap_or_else(IntoResponse::into_response)
            }
        },
    };
    rec.status = resp.status().as_u16();
    lock(&sh.log).push(rec);
    resp
}

#[allow(clippy::too_many_arguments)]
fn dispatch(
    sh: &Shared,
    rec: &RequestRecord,
    t: Target,
    p: &Params,
    content_type: &str,
    accept: &str,
    body: &Bytes,
) -> ApiResult<Response> {
    if let Some(d) = p.get("dryRun")
        && d != "All"
    {
        return Err(ApiError::bad_request(format!(
            "Invalid dryRun value: {d}: supported values are \"All\""
        )));
    }
    let opts = WriteOpts {
        manager: rec.field_manager.clone(),
        dry_run: rec.dry_run,
    };
    let mut store = lock(&sh.store);
    let format = Format::from_accept(accept);
    let wants_table = format == Format::Table;
    let (code, v) = match rec.verb.as_str() {
        "get" => {
            let v = api::get(&store, &t)?;
            if wants_table && t.subresource.is_empty() {
                (200, table::table(&t.info, &[v], &store.rv().to_string()))
            } else if format == Format::Metadata && t.subresource.is_empty() {
                (200, metadata_view(&v))
            } else {
                (200, v)
            }
        }
        "list" => {
            let v = api::list(&store, &t, p)?;
            if format == Format::Metadata {
                let items: Vec<Value> = v["items"]
                    .as_array()
                    .map(|a| a.iter().map(metadata_view).collect())
                    .unwrap_or_default();
                (
                    200,
                    json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": v["metadata"], "items": items}),
                )
            } else if wants_table {
                let items = v["items"].as_array().cloned().unwrap_or_default();
                let mut tv = table::table(
                    &t.info,
                    &items,
                    v["metadata"]["resourceVersion"].as_str().unwrap_or(""),
                );
                tv["metadata"] = v["metadata"].clone();
                (200, tv)
            } else {
                (200, v)
            }
        }
        "create" => {
            if !t.name.is_empty() {
                return Err(ApiError::method_not_allowed());
            }
            let body = api::parse_object_body(content_type, body)?;
            let v = api::create(&mut store, &t, body, &opts)?;
            (201, v)
        }
        "update" => {
            let body = api::parse_object_body(content_type, body)?;
            (200, api::update(&mut store, &t, body, &opts)?)
        }
        "patch" => {
            let force = p.get("force").is_some_and(|f| f == "true");
            api::patch(
                &mut store,
                &t,
                content_type,
                body,
                force,
                &opts,
                p.contains_key("fieldManager"),
            )?
        }
        "delete" => api::delete(&mut store, &t, &DeleteOpts::from_request(p, body), &opts)?,
        "deletecollection" => (
            200,
            api::delete_collection(&mut store, &t, p, &DeleteOpts::from_request(p, body), &opts)?,
        ),
        _ => return Err(ApiError::method_not_allowed()),
    };
    Ok(json_response(code, &v))
}

struct WatchState {
    initial: std::vec::IntoIter<Value>,
    rx: broadcast::Receiver<Arc<Event>>,
    close: watch::Receiver<u64>,
    target: Target,
    filter: Filter,
    seen_rv: u64,
    bookmarks: bool,
    interval: Duration,
    deadline: tokio::time::Instant,
    done: bool,
    format: Format,
    first: bool,
}

/// The representation a client asked for in `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Object,
    /// `as=Table` (kubectl printing).
    Table,
    /// `as=PartialObjectMetadata(List)` (kube-rs metadata API and watchers).
    Metadata,
}

impl Format {
    fn from_accept(accept: &str) -> Self {
        if accept.contains("as=Table") {
            Self::Table
        } else if accept.contains("as=PartialObjectMetadata") {
            Self::Metadata
        } else {
            Self::Object
        }
    }
}

fn metadata_view(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
}

impl WatchState {
    /// Renders an event line in the requested representation.
    fn line(&mut self, kind: &str, obj: Value) -> Value {
        match self.format {
            Format::Object => return event_line(kind, obj),
            Format::Metadata => return event_line(kind, metadata_view(&obj)),
            Format::Table => {}
        }
        let rv = obj["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let t = table::table_with(&self.target.info, &[obj], &rv, self.first);
        self.first = false;
        event_line(kind, t)
    }
}

fn event_line(kind: &str, object: Value) -> Value {
    json!({"type": kind, "object": object})
}

/// What a watcher with these selectors sees of an event: objects moving into
/// the selection appear as ADDED, moving out as DELETED (with the previous
/// state and the new resourceVersion), as kube-apiserver's watch cache does.
fn relevant(t: &Target, filter: &Filter, ev: &Event) -> Option<(EventType, Value)> {
    if ev.resource != t.info.key() || (!t.namespace.is_empty() && ev.namespace != t.namespace) {
        return None;
    }
    let now = filter.matches(&ev.object);
    match (ev.kind, &ev.old) {
        (EventType::Modified, Some(old)) => match (filter.matches(old), now) {
            (true, true) => Some((EventType::Modified, ev.object.clone())),
            (false, true) => Some((EventType::Added, ev.object.clone())),
            (true, false) => {
                let mut o = old.clone();
                crate::util::meta_mut(&mut o)
                    .insert("resourceVersion".into(), json!(ev.rv.to_string()));
                Some((EventType::Deleted, o))
            }
            (false, false) => None,
        },
        (kind, _) => now.then(|| (kind, ev.object.clone())),
    }
}

fn bookmark(t: &Target, rv: u64, initial_end: bool) -> Value {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    event_line(
        "BOOKMARK",
        json!({"kind": t.info.kind, "apiVersion": t.api_version(), "metadata": meta}),
    )
}

fn watch_response(sh: Arc<Shared>, t: Target, p: Params, format: Format) -> ApiResult<Response> {
    let as_table = format == Format::Table;
    let filter = Filter::from_params(&p)?;
    let bookmarks = p.get("allowWatchBookmarks").is_some_and(|v| v == "true");
    let send_initial = p.get("sendInitialEvents").is_some_and(|v| v == "true");
    let timeout = p
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let store = lock(&sh.store);
    let start = api::watch_start(&p);
    let mut initial: Vec<(String, Value)> = Vec::new();
    let key = t.info.key();
    let ns = (!t.namespace.is_empty()).then_some(t.namespace.as_str());
    match start {
        Some(rv) if !send_initial => match store.events_since(rv) {
            Some(evs) => {
                for (kind, obj) in evs.iter().filter_map(|e| relevant(&t, &filter, e)) {
                    initial.push((
                        kind.as_str().into(),
                        api::present(&obj, &t.info, &t.version),
                    ));
                }
            }
            None => {
                let status = ApiError::gone(format!(
                    "too old resource version: {rv} ({})",
                    store.compacted() + 1
                ))
                .status();
                initial.push(("ERROR".into(), status));
            }
        },
        _ => {
            for obj in store
                .list(&key, ns)
                .into_iter()
                .filter(|o| filter.matches(o))
            {
                initial.push((
                    EventType::Added.as_str().into(),
                    api::present(obj, &t.info, &t.version),
                ));
            }
        }
    }
    let errored = initial.first().is_some_and(|e| e.0 == "ERROR");
    let mut lines: Vec<Value> = Vec::new();
    let mut first = true;
    for (kind, obj) in initial {
        if as_table && kind != "ERROR" {
            let rv = obj["metadata"]["resourceVersion"]
                .as_str()
                .unwrap_or("")
                .to_string();
            lines.push(event_line(
                &kind,
                table::table_with(&t.info, &[obj], &rv, first),
            ));
            first = false;
        } else if format == Format::Metadata && kind != "ERROR" {
            lines.push(event_line(&kind, metadata_view(&obj)));
        } else {
            lines.push(event_line(&kind, obj));
        }
    }
    if send_initial && !errored {
        lines.push(bookmark(&t, store.rv(), true));
    }
    let state = WatchState {
        initial: lines.into_iter(),
        rx: store.subscribe(),
        close: sh.close_watches.subscribe(),
        target: t,
        filter,
        seen_rv: store.rv(),
        bookmarks,
        interval: sh.bookmark_interval,
        deadline: tokio::time::Instant::now() + timeout,
        done: errored,
        format,
        first,
    };
    drop(store);
    let stream = futures::stream::unfold(state, |mut st| async move {
        if let Some(v) = st.initial.next() {
            return Some((v, st));
        }
        if st.done {
            return None;
        }
        loop {
            let tick = tokio::time::sleep(st.interval);
            tokio::select! {
                ev = st.rx.recv() => match ev {
                    Ok(ev) => {
                        st.seen_rv = st.seen_rv.max(ev.rv);
                        if let Some((kind, obj)) = relevant(&st.target, &st.filter, &ev) {
                            let obj = api::present(&obj, &st.target.info, &st.target.version);
                            let line = st.line(kind.as_str(), obj);
                            return Some((line, st));
                        }
                    }
                    // Lagging or closed: end the stream; clients re-watch.
                    Err(_) => return None,
                },
                _ = tick, if st.bookmarks => {
                    return Some((bookmark(&st.target, st.seen_rv, false), st));
                }
                _ = st.close.changed() => return None,
                _ = tokio::time::sleep_until(st.deadline) => return None,
            }
        }
    })
    .map(|v| Ok::<_, Infallible>(Bytes::from(format!("{v}\n"))));
    Ok(Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| ApiError::internal("watch response").into_response()))
}
