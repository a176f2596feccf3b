//! Sprig's crypto functions that need no X.509: `derivePassword` (the
//! Master Password algorithm: scrypt + HMAC-SHA256, deterministic),
//! `encryptAES`/`decryptAES` (AES-256-CBC, key zero-padded to 32 bytes,
//! random IV in front, PKCS#7-style padding, base64; compatible with Sprig),
//! `bcrypt`/`htpasswd` (`$2a$`, cost 10) and `randBytes`.

use aes::{
    Aes256,
    cipher::{BlockDecrypt, BlockEncrypt, KeyInit, generic_array::GenericArray},
};
use gotmpl::{FuncError, FuncMap, Value};
use sha2::{Digest, Sha256};

use super::{
    FnResult, arity,
    encoding::{b64_decode, b64_encode, random_bytes},
    err, int_arg, pure, str_arg,
};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "derivePassword", |a| {
        arity("derivePassword", a, 5)?;
        let counter = match &a[0] {
            Value::Int(n) | Value::Int64(n) if (0..=i64::from(u32::MAX)).contains(n) => *n as u32,
            other => return Err(super::type_error("uint32", other)),
        };
        Ok(Value::string(derive_password(
            counter,
            str_arg(a, 1)?,
            str_arg(a, 2)?,
            str_arg(a, 3)?,
            str_arg(a, 4)?,
        )))
    });
    pure(map, "encryptAES", |a| {
        arity("encryptAES", a, 2)?;
        Ok(Value::string(encrypt_aes(str_arg(a, 0)?, str_arg(a, 1)?)?))
    });
    pure(map, "decryptAES", |a| {
        arity("decryptAES", a, 2)?;
        decrypt_aes(str_arg(a, 0)?, str_arg(a, 1)?)
            .map(Value::string)
            .map_err(err)
    });
    pure(map, "bcrypt", |a| {
        arity("bcrypt", a, 1)?;
        Ok(Value::string(bcrypt_hash(str_arg(a, 0)?)?))
    });
    pure(map, "htpasswd", |a| {
        arity("htpasswd", a, 2)?;
        let (user, pass) = (str_arg(a, 0)?, str_arg(a, 1)?);
        if user.contains(':') {
            return Ok(Value::string(format!("invalid username: {user}")));
        }
        Ok(Value::string(format!("{user}:{}", bcrypt_hash(pass)?)))
    });
    pure(map, "randBytes", rand_bytes);
}

fn rand_bytes(a: &[Value]) -> FnResult {
    arity("randBytes", a, 1)?;
    let n = int_arg(a, 0)?;
    if !(0..=1 << 20).contains(&n) {
        return Err(err("randBytes: count out of range"));
    }
    Ok(Value::string(b64_encode(&random_bytes(n as usize)?)))
}

/// golang.org/x/crypto/bcrypt's DefaultCost (the Rust crate's default is 12).
const GO_BCRYPT_DEFAULT_COST: u32 = 10;

/// Go's bcrypt.GenerateFromPassword at the default cost, `$2a$` prefix.
fn bcrypt_hash(password: &str) -> Result<String, FuncError> {
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&random_bytes(16)?);
    Ok(
        match bcrypt::hash_with_salt(password.as_bytes(), GO_BCRYPT_DEFAULT_COST, salt) {
            Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
            // Go's bcrypt rejects passwords over 72 bytes; Sprig prints the error.
            Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
        },
    )
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let ih = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(ih);
    outer.finalize().to_vec()
}

const SEED: &[u8] = b"com.lyndir.masterpassword";

fn template_chars(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// Sprig's `derivePassword` (Master Password v3 style).
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = match scrypt::Params::new(15, 8, 2, 64) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = SEED.to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let seed = hmac_sha256(&key, &msg);
    let template = templates[seed[0] as usize % templates.len()].as_bytes();
    template
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_chars(*c);
            chars[seed[i + 1] as usize % chars.len()] as char
        })
        .collect()
}

fn aes_key(password: &str) -> Aes256 {
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    let n = p.len().min(32);
    key[..n].copy_from_slice(&p[..n]);
    Aes256::new(GenericArray::from_slice(&key))
}

/// Sprig's `encryptAES`; fails only without an OS random source (for the IV).
pub fn encrypt_aes(password: &str, plaintext: &str) -> Result<String, FuncError> {
    if plaintext.is_empty() {
        return Ok(String::new());
    }
    let cipher = aes_key(password);
    let mut content = plaintext.as_bytes().to_vec();
    let pad = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let iv = random_bytes(16)?;
    let mut out = iv.clone();
    let mut prev = iv;
    for chunk in content.chunks(16) {
        let mut block = GenericArray::clone_from_slice(chunk);
        for (b, p) in block.iter_mut().zip(&prev) {
            *b ^= p;
        }
        cipher.encrypt_block(&mut block);
        prev = block.to_vec();
        out.extend_from_slice(&block);
    }
    Ok(b64_encode(&out))
}

/// Sprig's `decryptAES`, with the errors Go's runtime reports for bad input.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = b64_decode(crypt64)?;
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    if body.is_empty() {
        return Err("runtime error: index out of range [-1]".into());
    }
    let cipher = aes_key(password);
    let mut out = Vec::with_capacity(body.len());
    let mut prev = iv.to_vec();
    for chunk in body.chunks(16) {
        let mut block = GenericArray::clone_from_slice(chunk);
        cipher.decrypt_block(&mut block);
        for (b, p) in block.iter_mut().zip(&prev) {
            *b ^= p;
        }
        prev = chunk.to_vec();
        out.extend_from_slice(&block);
    }
    let pad = out[out.len() - 1] as usize;
    if pad > out.len() {
        return Err(format!(
            "runtime error: slice bounds out of range [:{}]",
            out.len() as i64 - pad as i64
        ));
    }
    out.truncate(out.len() - pad);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn derive_password_vector() {
        assert_eq!(
            ok(
                "derivePassword",
                &[i(1), s("long"), s("password"), s("user"), s("example.com")]
            ),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(
            ok("derivePassword", &[i(1), s("nope"), s("p"), s("u"), s("s")]),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trip() {
        for text in ["plain", "exactly16bytes!!", "", "é"] {
            let c = super::encrypt_aes("k", text).unwrap();
            assert_eq!(super::decrypt_aes("k", &c).unwrap(), text);
        }
        assert!(super::decrypt_aes("k", "bad!").is_err());
    }

    #[test]
    fn bcrypt_shapes() {
        let h = ok("htpasswd", &[s("u"), s("p")]);
        assert!(h.starts_with("u:$2a$10$"), "{h}");
        assert_eq!(h.len(), 62);
        assert_eq!(ok("htpasswd", &[s("a:b"), s("p")]), "invalid username: a:b");
        assert_eq!(ok("randBytes", &[i(3)]).len(), 4);
    }
}
