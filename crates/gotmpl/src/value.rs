//! The dynamic value model: Go's `interface{}` as Helm feeds it to templates.
//!
//! Go distinguishes `int`, `int64` and `float64`, and charts observe the
//! difference (`kindOf`, `typeOf`, `eq` rejecting float-vs-int), so each is
//! its own variant. Maps are reference types with interior mutability because
//! Helm's `.Values` is one shared, mutable `map[string]interface{}`: `set` in
//! one template is visible to templates executed later. Lists are immutable
//! (Sprig's list functions return new slices).

use std::{collections::BTreeMap, fmt, sync::Arc};

use parking_lot::RwLock;

/// A Go value as seen by a template.
#[derive(Clone, Default)]
pub enum Value {
    /// Go `nil` (also a missing map key).
    #[default]
    Nil,
    /// Go `bool`.
    Bool(bool),
    /// Go `int` (template literals, `len`, `.Release.Revision`, Sprig `int`).
    Int(i64),
    /// Go `int64` (Sprig math, `int64`, `fromToml` integers).
    Int64(i64),
    /// Go `float64` (every number from values, JSON and YAML).
    Float(f64),
    /// Go `string`.
    String(Arc<str>),
    /// A Go slice (`[]interface{}` or `[]string`, see [`List::go_type`]).
    List(List),
    /// A Go map with string keys, shared by reference.
    Map(Map),
    /// Go `[]byte` (`.Files.GetBytes`), printed as `[66 67]`.
    Bytes(Arc<[u8]>),
    /// A Go struct or pointer with fields and methods (`.Files`, `.Capabilities`,
    /// `time.Time`, `*semver.Version`...), supplied by the embedder.
    Object(Arc<dyn Object>),
}

/// Element type of a Go slice; only observable through `typeOf`/`%T` and a few
/// Sprig functions, but charts do observe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListType {
    /// `[]interface {}`
    #[default]
    Interface,
    /// `[]string` (`splitList`, `toStrings`, `keys`, `sortAlpha`...).
    String,
    /// `[]int` (Sprig's `until`, `untilStep`); every item is a [`Value::Int`].
    Int,
}

/// An immutable Go slice.
#[derive(Clone, Default)]
pub struct List {
    items: Arc<Vec<Value>>,
    go_type: ListType,
}

impl List {
    /// A `[]interface {}`.
    pub fn new(items: Vec<Value>) -> Self {
        Self {
            items: Arc::new(items),
            go_type: ListType::Interface,
        }
    }

    /// A slice with an explicit Go element type.
    pub fn typed(items: Vec<Value>, go_type: ListType) -> Self {
        Self {
            items: Arc::new(items),
            go_type,
        }
    }

    /// The elements.
    pub fn items(&self) -> &[Value] {
        &self.items
    }

    /// The Go element type.
    pub fn go_type(&self) -> ListType {
        self.go_type
    }

    /// The elements as an owned vector (cheap when this is the only reference).
    pub fn into_vec(self) -> Vec<Value> {
        Arc::try_unwrap(self.items).unwrap_or_else(|shared| (*shared).clone())
    }

    /// Whether two handles share storage (Go slice identity, for cycle checks).
    pub fn ptr_eq(&self, other: &List) -> bool {
        Arc::ptr_eq(&self.items, &other.items)
    }
}

/// Value type of a Go map; only observable through `typeOf`/`%T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MapType {
    /// `map[string]interface {}`
    #[default]
    Interface,
    /// `map[string]string` (Sprig `split`, `splitn`).
    String,
}

/// A Go `map[string]...`: a shared, mutable reference. Cloning the handle
/// shares the map (as Go does); use [`Map::deep_copy`] for a copy.
/// Iteration is always in sorted key order, which is what Go's template
/// `range`, `fmt` and `encoding/json` all do.
#[derive(Clone, Default)]
pub struct Map {
    entries: Arc<RwLock<BTreeMap<String, Value>>>,
    go_type: MapType,
}

impl Map {
    /// An empty `map[string]interface {}`.
    pub fn new() -> Self {
        Self::default()
    }

    /// A map from entries.
    pub fn from_entries(entries: BTreeMap<String, Value>) -> Self {
        Self {
            entries: Arc::new(RwLock::new(entries)),
            go_type: MapType::Interface,
        }
    }

    /// A map with an explicit Go value type.
    pub fn typed(entries: BTreeMap<String, Value>, go_type: MapType) -> Self {
        Self {
            entries: Arc::new(RwLock::new(entries)),
            go_type,
        }
    }

    /// The Go value type.
    pub fn go_type(&self) -> MapType {
        self.go_type
    }

    /// The value at `key` (a clone of the handle for nested maps).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.entries.read().get(key).cloned()
    }

    /// Whether `key` is present (even with a nil value).
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.read().contains_key(key)
    }

    /// Sets `key`, visible through every handle of this map.
    pub fn insert(&self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.entries.write().insert(key.into(), value)
    }

    /// Removes `key`.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.entries.write().remove(key)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.read().len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.read().is_empty()
    }

    /// A snapshot of the entries in key order. Values are handles: nested maps
    /// are still shared.
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.entries
            .read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The keys in sorted order.
    pub fn keys(&self) -> Vec<String> {
        self.entries.read().keys().cloned().collect()
    }

    /// Runs `f` with read access to the entries without copying them.
    pub fn with<R>(&self, f: impl FnOnce(&BTreeMap<String, Value>) -> R) -> R {
        f(&self.entries.read())
    }

    /// Runs `f` with write access to the entries.
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut BTreeMap<String, Value>) -> R) -> R {
        f(&mut self.entries.write())
    }

    /// A recursive copy that shares nothing with `self` (Sprig `deepCopy`).
    pub fn deep_copy(&self) -> Map {
        let copied = self.with(|m| m.iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect());
        Map::typed(copied, self.go_type)
    }

    /// An identity of the shared storage (what `%p` prints).
    pub(crate) fn addr(&self) -> usize {
        Arc::as_ptr(&self.entries) as *const u8 as usize
    }

    /// Whether two handles share storage (Go map identity).
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.entries, &other.entries)
    }
}

/// A Go struct or pointer exposed to templates: field access (`.Field`),
/// method calls (`.Method arg`), and how `fmt` prints it.
pub trait Object: Send + Sync {
    /// Go type name for `typeOf`/`%T`, e.g. `chartutil.Files`, `time.Time`, `*semver.Version`.
    fn type_name(&self) -> &str;

    /// Go kind for `kindOf`: `struct` or `ptr`.
    fn kind_name(&self) -> &str {
        "struct"
    }

    /// An exported field or a method without arguments evaluated as a field
    /// (Go templates call niladic methods on `.Name` access). `None`: no such field.
    fn field(&self, name: &str) -> Option<Value>;

    /// Calls a method with arguments. `None`: no such method.
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, crate::FuncError>> {
        let _ = (name, args);
        None
    }

    /// What `{{ . }}`, `print` and `%v` produce for this value.
    fn go_string(&self) -> String;

    /// For Go map types with methods (Helm's `.Files`, a `map[string][]byte`):
    /// the entries `range` iterates, in key order. `None`: not rangeable.
    fn map_entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }
}

impl Value {
    /// A Go string.
    pub fn string(s: impl AsRef<str>) -> Self {
        Value::String(Arc::from(s.as_ref()))
    }

    /// A `[]interface {}`.
    pub fn list(items: Vec<Value>) -> Self {
        Value::List(List::new(items))
    }

    /// A `map[string]interface {}` from pairs.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Self {
        Value::Map(Map::from_entries(
            pairs.into_iter().map(|(k, v)| (k.into(), v)).collect(),
        ))
    }

    /// Go template truthiness: false, 0, 0.0, "", nil and empty
    /// slices/maps are false; everything else (structs included) is true.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.items().is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Object(_) => true,
        }
    }

    /// The Go kind name (`reflect.Kind.String()`) as Sprig's `kindOf` prints it;
    /// nil is `invalid`.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::List(_) | Value::Bytes(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// The Go type name as `%T` and Sprig's `typeOf` print it; nil is `<nil>`.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::List(l) => match l.go_type() {
                ListType::Interface => "[]interface {}",
                ListType::String => "[]string",
                ListType::Int => "[]int",
            },
            Value::Map(m) => match m.go_type() {
                MapType::Interface => "map[string]interface {}",
                MapType::String => "map[string]string",
            },
            Value::Bytes(_) => "[]uint8",
            Value::Object(o) => o.type_name(),
        }
    }

    /// The string inside a Go string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A recursive copy: maps are duplicated so mutations do not leak back.
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::Map(m) => Value::Map(m.deep_copy()),
            Value::List(l) => Value::List(List::typed(
                l.items().iter().map(Value::deep_copy).collect(),
                l.go_type(),
            )),
            other => other.clone(),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Arc::from(s))
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl From<List> for Value {
    fn from(l: List) -> Self {
        Value::List(l)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Int64(i) => write!(f, "Int64({i})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::List(l) => f.debug_list().entries(l.items()).finish(),
            Value::Map(m) => m.with(|entries| f.debug_map().entries(entries.iter()).finish()),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}
