//! The object store: objects as JSON keyed by resource, namespace and name,
//! one global resourceVersion counter, and a bounded event history that
//! watches resume from.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::Arc,
};

use serde_json::Value;
use tokio::sync::broadcast;

use crate::{registry::Registry, util::meta_mut};

/// Watch event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Object created.
    Added,
    /// Object changed.
    Modified,
    /// Object removed.
    Deleted,
}

impl EventType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change, as watchers see it.
#[derive(Debug, Clone)]
pub struct Event {
    /// resourceVersion of the change.
    pub rv: u64,
    /// Storage key of the resource (group/plural).
    pub resource: String,
    /// Namespace ("" for cluster scoped).
    pub namespace: String,
    /// Change type.
    pub kind: EventType,
    /// The object after the change (before it, for DELETED, with the new rv).
    pub object: Value,
    /// For MODIFIED: the object before the change (selector transitions).
    pub old: Option<Value>,
}

/// Key of a stored object.
pub type ObjKey = (String, String, String);

/// All state behind the API.
#[derive(Debug)]
pub struct Store {
    /// Served resources.
    pub registry: Registry,
    rv: u64,
    objects: BTreeMap<ObjKey, Value>,
    history: VecDeque<Arc<Event>>,
    history_limit: usize,
    /// Watches from a resourceVersion at or below this get 410 Gone.
    compacted: u64,
    tx: broadcast::Sender<Arc<Event>>,
}

impl Store {
    /// An empty store with the built-in registry.
    pub fn new(history_limit: usize) -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            registry: Registry::new(),
            rv: 1,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            history_limit,
            compacted: 0,
            tx,
        }
    }

    /// The current (latest) resourceVersion.
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// The resourceVersion at or below which watches are too old.
    pub fn compacted(&self) -> u64 {
        self.compacted
    }

    /// Drops the whole event history, so any earlier resourceVersion is gone.
    pub fn compact(&mut self) {
        self.history.clear();
        self.compacted = self.rv;
    }

    /// Subscribes to future events.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Events after `rv` still in history, or None if `rv` is too old.
    pub fn events_since(&self, rv: u64) -> Option<Vec<Arc<Event>>> {
        if rv < self.compacted {
            return None;
        }
        Some(self.history.iter().filter(|e| e.rv > rv).cloned().collect())
    }

    /// Reads an object.
    pub fn get(&self, res: &str, ns: &str, name: &str) -> Option<&Value> {
        self.objects
            .get(&(res.to_string(), ns.to_string(), name.to_string()))
    }

    /// Objects of a resource, optionally in one namespace, ordered by namespace/name.
    pub fn list(&self, res: &str, ns: Option<&str>) -> Vec<&Value> {
        let start = (res.to_string(), ns.unwrap_or("").to_string(), String::new());
        self.objects
            .range(start..)
            .take_while(|((r, n, _), _)| r == res && ns.is_none_or(|want| want == n))
            .map(|(_, v)| v)
            .collect()
    }

    /// Every stored object with its key.
    pub fn iter(&self) -> impl Iterator<Item = (&ObjKey, &Value)> {
        self.objects.iter()
    }

    /// Stores an object (create or replace), bumping resourceVersion and
    /// emitting the event. Returns the stored object.
    pub fn put(&mut self, res: &str, ns: &str, name: &str, mut obj: Value) -> Value {
        self.rv += 1;
        meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(self.rv.to_string()));
        let key = (res.to_string(), ns.to_string(), name.to_string());
        let old = self.objects.insert(key, obj.clone());
        let kind = if old.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.emit(res, ns, kind, obj.clone(), old);
        obj
    }

    /// Removes an object, emitting DELETED with a fresh resourceVersion.
    pub fn remove(&mut self, res: &str, ns: &str, name: &str) -> Option<Value> {
        let mut obj = self
            .objects
            .remove(&(res.to_string(), ns.to_string(), name.to_string()))?;
        self.rv += 1;
        meta_mut(&mut obj).insert("resourceVersion".into(), Value::String(self.rv.to_string()));
        self.emit(res, ns, EventType::Deleted, obj.clone(), None);
        Some(obj)
    }

    fn emit(&mut self, res: &str, ns: &str, kind: EventType, object: Value, old: Option<Value>) {
        let ev = Arc::new(Event {
            rv: self.rv,
            resource: res.to_string(),
            namespace: ns.to_string(),
            kind,
            object,
            old,
        });
        self.history.push_back(ev.clone());
        while self.history.len() > self.history_limit {
            if let Some(old) = self.history.pop_front() {
                self.compacted = old.rv;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(ev);
    }
}
