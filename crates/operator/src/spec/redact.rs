//! Redaction of secrets in anything the operator prints (logs, events, status,
//! `explain`, `render` summaries).
//!
//! A value is secret when the last word of its key names a secret: `password`,
//! `secret`, `license`, `token`, `key`, `credentials` (also plural, and `pw`, `passwd`). Keys are
//! split into words at camelCase, `_`, `-` and `.`, so `redisPassword`, `accessKey`,
//! `license` and `oidc.secret` are secret while `secretName` and `licenseSecret.name`
//! (names of Secrets, not their content) stay readable. Independently of keys, the
//! password in a URL's user-info (`s3://id:password@host`) is redacted.

use serde_json::Value;

/// What replaces a secret value.
pub const REDACTED: &str = "***REDACTED***";

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pw",
    "secret",
    "license",
    "token",
    "key",
    "credentials",
    "credential",
    "passwords",
    "secrets",
    "licenses",
    "tokens",
    "keys",
];

/// True when values under this key must never be printed.
pub fn is_secret_key(key: &str) -> bool {
    last_word(key).is_some_and(|w| SECRET_WORDS.contains(&w.as_str()))
}

fn last_word(key: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' || c == '/' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words.pop()
}

/// Keys that name a Secret rather than hold its content; they stay readable even
/// below a secret key (`licenseSecret.name`).
const REFERENCE_WORDS: &[&str] = &["name", "namespace", "optional"];

fn child_is_secret(parent_secret: bool, key: &str) -> bool {
    is_secret_key(key)
        || (parent_secret && !last_word(key).is_some_and(|w| REFERENCE_WORDS.contains(&w.as_str())))
}

/// A copy of `value` with every secret replaced by [`REDACTED`]. Maps recurse and
/// secrecy is inherited (`oidc.secret.value` is secret) except by keys that name a
/// Secret; a secret scalar (or each scalar of a secret list) is replaced; `null`
/// and empty strings stay as they are so that "not set" remains visible.
pub fn redact(value: &Value) -> Value {
    redact_under(value, false)
}

/// Redacts a single value that sits under `key`.
pub fn redact_value(key: Option<&str>, value: &Value) -> Value {
    redact_under(value, key.is_some_and(is_secret_key))
}

/// Redacts the value found at `path` (a list of map keys from the root), taking the
/// secrecy of every ancestor key into account.
pub fn redact_at(path: &[String], value: &Value) -> Value {
    let secret = path
        .iter()
        .fold(false, |secret, k| child_is_secret(secret, k));
    redact_under(value, secret)
}

fn redact_under(value: &Value, secret: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), redact_under(v, child_is_secret(secret, k))))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| redact_under(v, secret)).collect())
        }
        Value::Null => Value::Null,
        Value::String(s) if s.is_empty() => value.clone(),
        _ if secret => Value::String(REDACTED.to_string()),
        Value::String(s) => Value::String(redact_url_password(s)),
        _ => value.clone(),
    }
}

/// Replaces the password of `scheme://user:password@host...` URLs found in `text`.
pub fn redact_url_password(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(idx) = rest.find("://") {
        let (head, tail) = rest.split_at(idx + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..=colon]);
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_keys_by_last_word() {
        for key in [
            "password",
            "redisPassword",
            "accessKey",
            "secretKey",
            "license",
            "secret",
            "api_token",
            "credentials",
            "bindPW",
            "HELM_PASSWORD",
            "client-secret",
        ] {
            assert!(is_secret_key(key), "{key} should be secret");
        }
        for key in [
            "secretName",
            "host",
            "licenseSecretName",
            "keyId",
            "tokens_url",
            "monkey",
        ] {
            assert!(!is_secret_key(key), "{key} should not be secret");
        }
    }

    #[test]
    fn redact_walks_maps_and_lists() {
        let values = json!({
            "global": {
                "license": "eyJhbGci",
                "licenseSecret": {"name": "wandb-license", "key": "license"},
                "mysql": {"host": "db", "password": "hunter2", "port": 3306},
                "extraEnv": {"BUCKET": "s3://AKIA:wJalr@minio.local/wandb?tls=true"},
                "tokens": ["a", "b"],
            },
            "ingress": {"tls": [{"secretName": "wandb-ingress-tls"}]},
            "smtp": {"password": ""},
            "oidc": {"secret": null}
        });
        let r = redact(&values);
        assert_eq!(r["global"]["license"], REDACTED);
        assert_eq!(r["global"]["licenseSecret"]["name"], "wandb-license");
        assert_eq!(r["global"]["licenseSecret"]["key"], REDACTED);
        assert_eq!(r["global"]["mysql"]["password"], REDACTED);
        assert_eq!(r["global"]["mysql"]["port"], 3306);
        assert_eq!(
            r["global"]["extraEnv"]["BUCKET"],
            format!("s3://AKIA:{REDACTED}@minio.local/wandb?tls=true")
        );
        assert_eq!(r["global"]["tokens"], json!([REDACTED, REDACTED]));
        assert_eq!(r["ingress"]["tls"][0]["secretName"], "wandb-ingress-tls");
        assert_eq!(r["smtp"]["password"], "");
        assert_eq!(r["oidc"]["secret"], Value::Null);
        assert!(!r.to_string().contains("hunter2"));
        assert!(!r.to_string().contains("wJalr"));
    }

    #[test]
    fn url_passwords_only_when_user_info_has_one() {
        assert_eq!(
            redact_url_password("https://host/path"),
            "https://host/path"
        );
        assert_eq!(
            redact_url_password("https://user@host/p"),
            "https://user@host/p"
        );
        assert_eq!(
            redact_url_password("redis://:pw@r:6379 and mysql://u:p@db/x"),
            format!("redis://:{REDACTED}@r:6379 and mysql://u:{REDACTED}@db/x")
        );
    }

    #[test]
    fn redact_value_uses_the_key() {
        assert_eq!(
            redact_value(Some("password"), &json!(12345)),
            json!(REDACTED)
        );
        assert_eq!(redact_value(Some("host"), &json!("h")), json!("h"));
        assert_eq!(
            redact_value(None, &json!({"token": "t"})),
            json!({"token": REDACTED})
        );
    }

    #[test]
    fn secrecy_is_inherited_except_by_reference_keys() {
        let v = json!({"oidc": {"secret": {"value": "s3cr3t", "name": "oidc-secret"}}});
        let r = redact(&v);
        assert_eq!(r["oidc"]["secret"]["value"], REDACTED);
        assert_eq!(r["oidc"]["secret"]["name"], "oidc-secret");
        let path = [
            "oidc".to_string(),
            "secret".to_string(),
            "value".to_string(),
        ];
        assert_eq!(redact_at(&path, &json!("s3cr3t")), json!(REDACTED));
        assert_eq!(
            redact_at(&path[..1], &json!({"secret": "x"})),
            json!({"secret": REDACTED})
        );
    }
}
