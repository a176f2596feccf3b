//! The `wandb-password` Secret: the system console's login password, documented as
//! `kubectl get secret wandb-password -o jsonpath='{.data.password}' | base64 -d`.
//! Created in the CR namespace when absent and never rotated.

use std::collections::BTreeMap;

use k8s_openapi::{
    ByteString, api::core::v1::Secret, apimachinery::pkg::apis::meta::v1::ObjectMeta,
};

/// Secret name.
pub const PASSWORD_SECRET: &str = "wandb-password";
/// Key holding the password.
pub const PASSWORD_KEY: &str = "password";
/// Length of a generated password.
pub const PASSWORD_LENGTH: usize = 40;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The operating system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("no random numbers available: {0}")]
pub struct RandomError(String);

/// A random alphanumeric password of [`PASSWORD_LENGTH`] characters (about 238 bits),
/// without modulo bias.
pub fn generate_password() -> Result<String, RandomError> {
    let mut out = String::with_capacity(PASSWORD_LENGTH);
    // 62 symbols: accept bytes below 248 (= 4 * 62) so every symbol is equally likely.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut buf = [0u8; 64];
    while out.len() < PASSWORD_LENGTH {
        getrandom::fill(&mut buf).map_err(|e| RandomError(e.to_string()))?;
        for b in buf {
            if b < limit && out.len() < PASSWORD_LENGTH {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

/// The Secret to create when `wandb-password` does not exist. It has no owner
/// reference: the console password outlives a re-created CR.
pub fn password_secret(namespace: &str, password: &str) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(PASSWORD_SECRET.to_string()),
            namespace: Some(namespace.to_string()),
            labels: Some(BTreeMap::from([(
                "app.kubernetes.io/managed-by".to_string(),
                "wandb-operator".to_string(),
            )])),
            ..ObjectMeta::default()
        },
        type_: Some("Opaque".to_string()),
        data: Some(BTreeMap::from([(
            PASSWORD_KEY.to_string(),
            ByteString(password.as_bytes().to_vec()),
        )])),
        ..Secret::default()
    }
}

/// Whether an existing Secret already holds a usable password (then it is kept).
pub fn has_password(secret: &Secret) -> bool {
    secret
        .data
        .as_ref()
        .and_then(|d| d.get(PASSWORD_KEY))
        .is_some_and(|p| !p.0.is_empty())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn passwords_are_long_alphanumeric_and_distinct() {
        let passwords: HashSet<String> = (0..50).map(|_| generate_password().unwrap()).collect();
        assert_eq!(passwords.len(), 50);
        for p in &passwords {
            assert!(p.len() >= 32);
            assert!(p.chars().all(|c| c.is_ascii_alphanumeric()), "{p}");
        }
        // Every symbol class shows up across 2000 characters.
        let all: String = passwords.into_iter().collect();
        assert!(all.chars().any(|c| c.is_ascii_digit()));
        assert!(all.chars().any(|c| c.is_ascii_uppercase()));
        assert!(all.chars().any(|c| c.is_ascii_lowercase()));
    }

    #[test]
    fn secret_shape_and_keeping_an_existing_password() {
        let s = password_secret("default", "abc");
        assert_eq!(s.metadata.name.as_deref(), Some("wandb-password"));
        assert_eq!(s.metadata.owner_references, None);
        assert!(has_password(&s));
        let empty = password_secret("default", "");
        assert!(!has_password(&empty));
        assert!(!has_password(&Secret::default()));
    }
}
