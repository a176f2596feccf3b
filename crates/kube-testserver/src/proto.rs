//! Decoding of Kubernetes protobuf request bodies for the few kinds that
//! kubectl's and Helm's typed clients send as protobuf
//! (`Content-Type: application/vnd.kubernetes.protobuf`): Namespace,
//! ConfigMap, Secret and ServiceAccount. Other kinds get 415, which is what
//! kube-apiserver answers for protobuf on custom resources. Responses are
//! always JSON, which those clients accept.

use base64::Engine as _;
use serde_json::{Map, Value, json};

#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Bool,
    Time,
    Msg(&'static [Field]),
    MapStr,
    MapBytes,
}

#[derive(Clone, Copy)]
struct Field {
    num: u64,
    name: &'static str,
    ty: Ty,
    repeated: bool,
}

const fn f(num: u64, name: &'static str, ty: Ty) -> Field {
    Field {
        num,
        name,
        ty,
        repeated: false,
    }
}

const fn r(num: u64, name: &'static str, ty: Ty) -> Field {
    Field {
        num,
        name,
        ty,
        repeated: true,
    }
}

const OWNER_REF: &[Field] = &[
    f(1, "kind", Ty::Str),
    f(3, "name", Ty::Str),
    f(4, "uid", Ty::Str),
    f(5, "apiVersion", Ty::Str),
    f(6, "controller", Ty::Bool),
    f(7, "blockOwnerDeletion", Ty::Bool),
];

const OBJECT_META: &[Field] = &[
    f(1, "name", Ty::Str),
    f(2, "generateName", Ty::Str),
    f(3, "namespace", Ty::Str),
    f(5, "uid", Ty::Str),
    f(6, "resourceVersion", Ty::Str),
    f(7, "generation", Ty::Int),
    f(8, "creationTimestamp", Ty::Time),
    f(9, "deletionTimestamp", Ty::Time),
    f(10, "deletionGracePeriodSeconds", Ty::Int),
    f(11, "labels", Ty::MapStr),
    f(12, "annotations", Ty::MapStr),
    r(13, "ownerReferences", Ty::Msg(OWNER_REF)),
    r(14, "finalizers", Ty::Str),
];

const NAMESPACE: &[Field] = &[
    f(1, "metadata", Ty::Msg(OBJECT_META)),
    f(2, "spec", Ty::Msg(&[r(1, "finalizers", Ty::Str)])),
    f(3, "status", Ty::Msg(&[f(1, "phase", Ty::Str)])),
];

const CONFIG_MAP: &[Field] = &[
    f(1, "metadata", Ty::Msg(OBJECT_META)),
    f(2, "data", Ty::MapStr),
    f(3, "binaryData", Ty::MapBytes),
    f(4, "immutable", Ty::Bool),
];

const SECRET: &[Field] = &[
    f(1, "metadata", Ty::Msg(OBJECT_META)),
    f(2, "data", Ty::MapBytes),
    f(3, "type", Ty::Str),
    f(4, "stringData", Ty::MapStr),
    f(5, "immutable", Ty::Bool),
];

const OBJECT_REF: &[Field] = &[
    f(1, "kind", Ty::Str),
    f(2, "namespace", Ty::Str),
    f(3, "name", Ty::Str),
    f(4, "uid", Ty::Str),
    f(5, "apiVersion", Ty::Str),
    f(6, "resourceVersion", Ty::Str),
    f(7, "fieldPath", Ty::Str),
];

const SERVICE_ACCOUNT: &[Field] = &[
    f(1, "metadata", Ty::Msg(OBJECT_META)),
    r(2, "secrets", Ty::Msg(OBJECT_REF)),
    r(3, "imagePullSecrets", Ty::Msg(&[f(1, "name", Ty::Str)])),
    f(4, "automountServiceAccountToken", Ty::Bool),
];

const UNKNOWN: &[Field] = &[f(
    1,
    "typeMeta",
    Ty::Msg(&[f(1, "apiVersion", Ty::Str), f(2, "kind", Ty::Str)]),
)];

/// Why a protobuf body could not be decoded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProtoError {
    /// Malformed wire data.
    #[error("malformed protobuf body: {0}")]
    Malformed(&'static str),
    /// A kind this server has no protobuf schema for.
    #[error("protobuf is not supported for kind {0}; send application/json")]
    Unsupported(String),
}

enum Wire<'a> {
    Varint(u64),
    Len(&'a [u8]),
    Fixed,
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, ProtoError> {
        let mut v = 0u64;
        for i in 0..10 {
            let (&b, rest) = self
                .buf
                .split_first()
                .ok_or(ProtoError::Malformed("truncated varint"))?;
            self.buf = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ProtoError::Malformed("varint too long"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ProtoError> {
        if self.buf.len() < n {
            return Err(ProtoError::Malformed("truncated field"));
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }

    fn next(&mut self) -> Result<Option<(u64, Wire<'a>)>, ProtoError> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let tag = self.varint()?;
        let wire = match tag & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Wire::Fixed
            }
            2 => {
                let n =
                    usize::try_from(self.varint()?).map_err(|_| ProtoError::Malformed("length"))?;
                Wire::Len(self.take(n)?)
            }
            5 => {
                self.take(4)?;
                Wire::Fixed
            }
            _ => return Err(ProtoError::Malformed("unsupported wire type")),
        };
        Ok(Some((tag >> 3, wire)))
    }
}

fn text(b: &[u8]) -> Result<String, ProtoError> {
    String::from_utf8(b.to_vec()).map_err(|_| ProtoError::Malformed("invalid utf-8"))
}

fn map_entry(b: &[u8], bytes: bool) -> Result<(String, Value), ProtoError> {
    let mut rd = Reader { buf: b };
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    while let Some((num, w)) = rd.next()? {
        if let Wire::Len(d) = w {
            match num {
                1 => k = text(d)?,
                2 if bytes => v = json!(base64::engine::general_purpose::STANDARD.encode(d)),
                2 => v = json!(text(d)?),
                _ => {}
            }
        }
    }
    Ok((k, v))
}

fn time(b: &[u8]) -> Result<Value, ProtoError> {
    let mut rd = Reader { buf: b };
    let mut secs = 0u64;
    while let Some((num, w)) = rd.next()? {
        if let (1, Wire::Varint(v)) = (num, w) {
            secs = v;
        }
    }
    Ok(json!(crate::util::format_rfc3339(secs)))
}

fn decode(buf: &[u8], schema: &[Field]) -> Result<Map<String, Value>, ProtoError> {
    let mut out = Map::new();
    let mut rd = Reader { buf };
    while let Some((num, w)) = rd.next()? {
        let Some(field) = schema.iter().find(|f| f.num == num) else {
            continue;
        };
        let v = match (field.ty, w) {
            (Ty::Str, Wire::Len(d)) => json!(text(d)?),
            (Ty::Int, Wire::Varint(v)) => json!(v as i64),
            (Ty::Bool, Wire::Varint(v)) => json!(v != 0),
            (Ty::Time, Wire::Len(d)) => time(d)?,
            (Ty::Msg(s), Wire::Len(d)) => Value::Object(decode(d, s)?),
            (Ty::MapStr | Ty::MapBytes, Wire::Len(d)) => {
                let (k, v) = map_entry(d, matches!(field.ty, Ty::MapBytes))?;
                let slot = out.entry(field.name).or_insert_with(|| json!({}));
                if let Some(m) = slot.as_object_mut() {
                    m.insert(k, v);
                }
                continue;
            }
            _ => return Err(ProtoError::Malformed("wire type does not match schema")),
        };
        // Go zero values are what JSON `omitempty` would leave out.
        let zero = matches!(&v, Value::String(s) if s.is_empty() || s == "1970-01-01T00:00:00Z")
            || v == json!(0)
            || v == json!(false);
        if zero && !field.repeated {
            continue;
        }
        if field.repeated {
            let slot = out.entry(field.name).or_insert_with(|| json!([]));
            if let Some(a) = slot.as_array_mut() {
                a.push(v);
            }
        } else {
            out.insert(field.name.to_string(), v);
        }
    }
    Ok(out)
}

/// Decodes a `k8s\0`-prefixed `runtime.Unknown` envelope into JSON.
pub fn decode_object(body: &[u8]) -> Result<Value, ProtoError> {
    let inner = body
        .strip_prefix(b"k8s\0")
        .ok_or(ProtoError::Malformed("missing k8s magic prefix"))?;
    let env = decode(inner, UNKNOWN)?;
    let api_version = env
        .get("typeMeta")
        .and_then(|t| t.get("apiVersion"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = env
        .get("typeMeta")
        .and_then(|t| t.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut raw: &[u8] = &[];
    let mut rd = Reader { buf: inner };
    while let Some((num, w)) = rd.next()? {
        if let (2, Wire::Len(d)) = (num, w) {
            raw = d;
        }
    }
    let schema = match (api_version.as_str(), kind.as_str()) {
        ("v1", "Namespace") => NAMESPACE,
        ("v1", "ConfigMap") => CONFIG_MAP,
        ("v1", "Secret") => SECRET,
        ("v1", "ServiceAccount") => SERVICE_ACCOUNT,
        _ => return Err(ProtoError::Unsupported(format!("{api_version}/{kind}"))),
    };
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!(api_version));
    obj.insert("kind".into(), json!(kind));
    obj.extend(decode(raw, schema)?);
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len_field(num: u64, data: &[u8]) -> Vec<u8> {
        let mut v = vec![((num << 3) | 2) as u8, data.len() as u8];
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn decodes_a_configmap_envelope() {
        let type_meta = [len_field(1, b"v1"), len_field(2, b"ConfigMap")].concat();
        let meta = [
            len_field(1, b"cm"),
            len_field(11, &[len_field(1, b"a"), len_field(2, b"b")].concat()),
        ]
        .concat();
        let entry = [len_field(1, b"k"), len_field(2, b"v")].concat();
        let raw = [len_field(1, &meta), len_field(2, &entry)].concat();
        let body = [
            b"k8s\0".to_vec(),
            len_field(1, &type_meta),
            len_field(2, &raw),
        ]
        .concat();
        let v = decode_object(&body).unwrap();
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"a": "b"}}, "data": {"k": "v"}})
        );
        assert!(matches!(
            decode_object(b"k8s\0\x0a\x02\x0a\x00"),
            Ok(_) | Err(_)
        ));
    }
}
