//! Sprig's encoding, hashing, UUID and randomness functions.

use gotmpl::{FuncError, FuncMap, Value};
use sha1::Digest;

use super::{arity, err, pure, str_arg};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "b64enc", |a| {
        arity("b64enc", a, 1)?;
        Ok(Value::string(b64_encode(str_arg(a, 0)?.as_bytes())))
    });
    pure(map, "b64dec", |a| {
        arity("b64dec", a, 1)?;
        // Sprig returns the error text as the result.
        Ok(match b64_decode(str_arg(a, 0)?) {
            Ok(bytes) => Value::string(String::from_utf8_lossy(&bytes)),
            Err(e) => Value::string(e),
        })
    });
    pure(map, "b32enc", |a| {
        arity("b32enc", a, 1)?;
        Ok(Value::string(b32_encode(str_arg(a, 0)?.as_bytes())))
    });
    pure(map, "b32dec", |a| {
        arity("b32dec", a, 1)?;
        Ok(match b32_decode(str_arg(a, 0)?) {
            Ok(bytes) => Value::string(String::from_utf8_lossy(&bytes)),
            Err(e) => Value::string(e),
        })
    });
    pure(map, "sha1sum", |a| {
        arity("sha1sum", a, 1)?;
        Ok(Value::string(hex(&sha1::Sha1::digest(
            str_arg(a, 0)?.as_bytes(),
        ))))
    });
    pure(map, "sha256sum", |a| {
        arity("sha256sum", a, 1)?;
        Ok(Value::string(hex(&sha2::Sha256::digest(
            str_arg(a, 0)?.as_bytes(),
        ))))
    });
    pure(map, "sha512sum", |a| {
        arity("sha512sum", a, 1)?;
        Ok(Value::string(hex(&sha2::Sha512::digest(
            str_arg(a, 0)?.as_bytes(),
        ))))
    });
    pure(map, "adler32sum", |a| {
        arity("adler32sum", a, 1)?;
        Ok(Value::string(
            adler32(str_arg(a, 0)?.as_bytes()).to_string(),
        ))
    });
    pure(map, "uuidv4", |a| {
        arity("uuidv4", a, 0)?;
        Ok(Value::string(uuidv4()?))
    });
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Cryptographically random bytes from the OS; Sprig uses crypto/rand for
/// these too. Without an OS RNG the calling function fails: keys, salts,
/// passwords and serial numbers must never come from a guessable source.
pub(crate) fn random_bytes(n: usize) -> Result<Vec<u8>, FuncError> {
    fill_random(n, getrandom::fill)
}

fn fill_random(
    n: usize,
    fill: impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error>,
) -> Result<Vec<u8>, FuncError> {
    let mut buf = vec![0u8; n];
    fill(&mut buf).map_err(|e| err(format!("crypto/rand: failed to read random data: {e}")))?;
    Ok(buf)
}

/// A uniform random number in `0..n` (`n` > 0).
pub(crate) fn random_below(n: u64) -> Result<u64, FuncError> {
    if n <= 1 {
        return Ok(0);
    }
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let b = random_bytes(8)?;
        let mut arr = [0u8; 8];
        arr.copy_from_slice(&b);
        let x = u64::from_le_bytes(arr);
        if x < zone {
            return Ok(x % n);
        }
    }
}

pub(crate) fn uuidv4() -> Result<String, FuncError> {
    let mut b = random_bytes(16)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Standard padded base64.
pub(crate) fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                out.push(B64[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString`, with its error text.
pub(crate) fn b64_decode(s: &str) -> Result<Vec<u8>, String> {
    decode_padded(s.as_bytes(), 4, 6, |c| {
        B64.iter().position(|x| *x == c).map(|p| p as u32)
    })
    .map_err(|at| format!("illegal base64 data at input byte {at}"))
}

fn b32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let v = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(B32[((v >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32_decode(s: &str) -> Result<Vec<u8>, String> {
    decode_padded(s.as_bytes(), 8, 5, |c| {
        B32.iter().position(|x| *x == c).map(|p| p as u32)
    })
    .map_err(|at| format!("illegal base32 data at input byte {at}"))
}

/// Go's padded decoder loop (base64/base32): quanta of `q` symbols of
/// `bits` bits, newlines skipped, `=` only at the end. Errors carry Go's
/// `CorruptInputError` offset.
fn decode_padded(
    src: &[u8],
    q: usize,
    bits: u32,
    lookup: impl Fn(u8) -> Option<u32>,
) -> Result<Vec<u8>, usize> {
    let mut out = Vec::new();
    let mut si = 0;
    loop {
        let mut vals: Vec<u32> = Vec::with_capacity(q);
        let mut dlen = q;
        let mut done = false;
        while vals.len() < q {
            if si == src.len() {
                if vals.is_empty() {
                    return Ok(out);
                }
                return Err(si - vals.len());
            }
            let c = src[si];
            si += 1;
            if let Some(v) = lookup(c) {
                vals.push(v);
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            // Padding: the rest of the quantum must be '='.
            let j = vals.len();
            if j < 2 {
                return Err(si - 1);
            }
            let mut need = q - j - 1;
            while need > 0 {
                while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                    si += 1;
                }
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si - 1);
                }
                si += 1;
                need -= 1;
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                return Err(si);
            }
            dlen = j;
            done = true;
            break;
        }
        let total_bits = dlen as u32 * bits;
        let mut acc: u64 = 0;
        for v in &vals {
            acc = (acc << bits) | u64::from(*v);
        }
        let nbytes = (total_bits / 8) as usize;
        let extra = total_bits % 8;
        acc >>= extra;
        for i in (0..nbytes).rev() {
            out.push((acc >> (8 * i)) as u8);
        }
        if done {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn no_os_rng_is_a_function_error() {
        let e = super::fill_random(4, |_| Err(getrandom::Error::UNSUPPORTED)).unwrap_err();
        assert_eq!(e.kind, gotmpl::FuncErrorKind::Call);
        assert!(
            e.message
                .starts_with("crypto/rand: failed to read random data: "),
            "{}",
            e.message
        );
        assert_eq!(super::fill_random(3, |_| Ok(())).unwrap(), vec![0, 0, 0]);
        assert_eq!(super::random_bytes(5).unwrap().len(), 5);
    }

    #[test]
    fn encodings_and_hashes() {
        assert_eq!(ok("b64enc", &[s("hello")]), "aGVsbG8=");
        assert_eq!(ok("b64dec", &[s("aGVsbG8=")]), "hello");
        assert_eq!(
            ok("b64dec", &[s("not base64!")]),
            "illegal base64 data at input byte 3"
        );
        assert_eq!(ok("b32enc", &[s("hi")]), "NBUQ====");
        assert_eq!(ok("b32dec", &[s("NBUQ====")]), "hi");
        assert_eq!(
            ok("sha256sum", &[s("hello")]),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(
            ok("sha1sum", &[s("hello")]),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
        );
        assert_eq!(ok("adler32sum", &[s("hello")]), "103547413");
        assert!(ok("sha512sum", &[s("hello")]).starts_with("9b71d224bd62f378"));
        assert_eq!(ok("uuidv4", &[]).len(), 36);
        for x in ["", "a", "ab", "abc", "abcd", "abcde"] {
            let e = super::b64_encode(x.as_bytes());
            assert_eq!(super::b64_decode(&e).unwrap(), x.as_bytes());
            let e = super::b32_encode(x.as_bytes());
            assert_eq!(super::b32_decode(&e).unwrap(), x.as_bytes(), "{e}");
        }
    }
}
