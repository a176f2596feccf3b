//! Sprig's key and certificate functions: `genPrivateKey`, `genCA`,
//! `genSelfSignedCert`, `genSignedCert` and their `WithKey` variants.
//!
//! Keys and certificates match Sprig's shapes: RSA keys as PKCS#1 `RSA
//! PRIVATE KEY` (2048 bits for certificates, 4096 for `genPrivateKey`), EC
//! keys as SEC1 `EC PRIVATE KEY`, Ed25519 as PKCS#8; certificates carry a
//! random 128-bit serial, the common name, IP and DNS SANs, server and client
//! auth, and for CAs the cert-sign usage and CA basic constraints.

use std::{net::IpAddr, sync::Arc};

use gotmpl::{FuncError, FuncMap, Object, Value};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use ring::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair},
};
use rsa::{
    RsaPrivateKey,
    pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey},
    pkcs8::{DecodePrivateKey, EncodePrivateKey},
};

use super::{FnResult, arity, encoding::b64_encode, err, int_arg, pure, str_arg, strval};

/// Sprig's `certificate` struct: `.Cert` and `.Key` PEM strings.
pub struct Certificate {
    cert: String,
    key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::string(&self.cert)),
            "Key" => Some(Value::string(&self.key)),
            _ => None,
        }
    }
    fn go_string(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }
}

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "genPrivateKey", |a| {
        arity("genPrivateKey", a, 1)?;
        Ok(Value::string(gen_private_key(str_arg(a, 0)?)))
    });
    pure(map, "genCA", |a| {
        arity("genCA", a, 2)?;
        let key = new_rsa(2048)?;
        gen_ca(str_arg(a, 0)?, int_arg(a, 1)?, key)
    });
    pure(map, "genCAWithKey", |a| {
        arity("genCAWithKey", a, 3)?;
        let key = parse_rsa_key(str_arg(a, 2)?)?;
        gen_ca(str_arg(a, 0)?, int_arg(a, 1)?, key)
    });
    pure(map, "genSelfSignedCert", |a| {
        arity("genSelfSignedCert", a, 4)?;
        let key = new_rsa(2048)?;
        gen_self_signed(a, key)
    });
    pure(map, "genSelfSignedCertWithKey", |a| {
        arity("genSelfSignedCertWithKey", a, 5)?;
        let key = parse_rsa_key(str_arg(a, 4)?)?;
        gen_self_signed(a, key)
    });
    pure(map, "genSignedCert", |a| {
        arity("genSignedCert", a, 5)?;
        let key = new_rsa(2048)?;
        gen_signed(a, key)
    });
    pure(map, "buildCustomCert", |a| {
        arity("buildCustomCert", a, 2)?;
        build_custom_cert(str_arg(a, 0)?, str_arg(a, 1)?)
    });
    pure(map, "genSignedCertWithKey", |a| {
        arity("genSignedCertWithKey", a, 6)?;
        let key = parse_rsa_key(str_arg(a, 5)?)?;
        gen_signed(a, key)
    });
}

fn crypto_err(e: impl std::fmt::Display) -> FuncError {
    err(e.to_string())
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = b64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn new_rsa(bits: usize) -> Result<RsaPrivateKey, FuncError> {
    RsaPrivateKey::new(&mut rand_core::OsRng, bits)
        .map_err(|e| err(format!("error generating RSA key: {e}")))
}

/// A PEM RSA key in PKCS#1 or PKCS#8 form (what Sprig's `*WithKey` accept for RSA).
fn parse_rsa_key(pem: &str) -> Result<RsaPrivateKey, FuncError> {
    RsaPrivateKey::from_pkcs1_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem))
        .map_err(|e| err(format!("error parsing private key: {e}")))
}

fn rsa_pkcs1_pem(key: &RsaPrivateKey) -> Result<String, FuncError> {
    let der = key.to_pkcs1_der().map_err(crypto_err)?;
    Ok(pem_block("RSA PRIVATE KEY", der.as_bytes()))
}

fn key_pair(key: &RsaPrivateKey) -> Result<(KeyPair, Vec<u8>), FuncError> {
    let der = key.to_pkcs8_der().map_err(crypto_err)?.as_bytes().to_vec();
    let kp = KeyPair::try_from(der.as_slice()).map_err(crypto_err)?;
    Ok((kp, der))
}

/// Sprig's `getBaseCertTemplate`.
fn base_params(
    cn: &str,
    ips: &[IpAddr],
    dns: &[String],
    days: i64,
) -> Result<CertificateParams, FuncError> {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.serial_number = Some(SerialNumber::from_slice(&super::encoding::random_bytes(
        16,
    )?));
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now;
    p.not_after = now + time::Duration::days(days);
    p.key_usages = vec![
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p.is_ca = IsCa::ExplicitNoCa;
    for ip in ips {
        p.subject_alt_names.push(SanType::IpAddress(*ip));
    }
    for name in dns {
        let ia5 = name.as_str().try_into().map_err(crypto_err)?;
        p.subject_alt_names.push(SanType::DnsName(ia5));
    }
    Ok(p)
}

fn cert_object(cert: String, key: &RsaPrivateKey, _issuer: Option<()>) -> FnResult {
    Ok(Value::Object(Arc::new(Certificate {
        cert,
        key: rsa_pkcs1_pem(key)?,
    })))
}

fn gen_ca(cn: &str, days: i64, key: RsaPrivateKey) -> FnResult {
    let mut params = base_params(cn, &[], &[], days)?;
    params.key_usages.push(KeyUsagePurpose::KeyCertSign);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let (kp, der) = key_pair(&key)?;
    let cert = params.self_signed(&kp).map_err(crypto_err)?;
    let value = cert_object(cert.pem(), &key, None)?;
    if let Value::Object(o) = &value
        && let (Some(c), Some(k)) = (o.field("Cert"), o.field("Key"))
    {
        CA_REGISTRY.with(|r| {
            let mut r = r.borrow_mut();
            if r.len() >= MAX_REMEMBERED_CAS {
                r.remove(0);
            }
            r.push((
                c.as_str().unwrap_or("").to_string(),
                k.as_str().unwrap_or("").to_string(),
                params,
                der,
            ));
        });
    }
    Ok(value)
}

/// How many CAs a thread remembers for `genSignedCert`.
const MAX_REMEMBERED_CAS: usize = 1024;

/// The DER body of the first PEM block labelled `label`.
fn pem_body(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let b64: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    super::encoding::b64_decode(&b64).ok()
}

/// Sprig's `buildCustomCert`: a certificate object from base64-encoded PEM
/// certificate and PKCS#1 RSA key, both validated.
fn build_custom_cert(b64_cert: &str, b64_key: &str) -> FnResult {
    let cert = super::encoding::b64_decode(b64_cert)
        .map_err(|_| err("unable to decode base64 certificate"))?;
    let key = super::encoding::b64_decode(b64_key)
        .map_err(|_| err("unable to decode base64 private key"))?;
    let (cert, key) = (
        String::from_utf8_lossy(&cert).into_owned(),
        String::from_utf8_lossy(&key).into_owned(),
    );
    let der = pem_body(&cert, "CERTIFICATE").ok_or_else(|| err("unable to decode certificate"))?;
    if der.first() != Some(&0x30) {
        return Err(err(
            "error parsing certificate: decodedCert.Bytes: x509: malformed certificate",
        ));
    }
    let key_der = pem_body(&key, "RSA PRIVATE KEY").ok_or_else(|| err("unable to decode key"))?;
    RsaPrivateKey::from_pkcs1_der(&key_der)
        .map_err(|e| err(format!("error parsing prive key: decodedKey.Bytes: {e}")))?;
    Ok(Value::Object(Arc::new(Certificate { cert, key })))
}

/// Sprig's `getNetIPs`/`getAlternateDNSStrs`: a list of strings (or nil).
fn string_list(v: &Value, what: &str) -> Result<Vec<String>, FuncError> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::List(l) => l
            .items()
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.to_string()),
                other => Err(err(format!(
                    "error processing {what}: {} is not a string",
                    strval(other)
                ))),
            })
            .collect(),
        other => Err(super::type_error("[]interface {}", other)),
    }
}

fn ips_and_dns(a: &[Value]) -> Result<(Vec<IpAddr>, Vec<String>), FuncError> {
    let ips = string_list(&a[1], "IP")?
        .into_iter()
        .map(|s| {
            s.parse::<IpAddr>()
                .map_err(|_| err(format!("error parsing ip: {s}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((ips, string_list(&a[2], "alternate DNS")?))
}

fn gen_self_signed(a: &[Value], key: RsaPrivateKey) -> FnResult {
    let (ips, dns) = ips_and_dns(a)?;
    let params = base_params(str_arg(a, 0)?, &ips, &dns, int_arg(a, 3)?)?;
    let (kp, _) = key_pair(&key)?;
    let cert = params.self_signed(&kp).map_err(crypto_err)?;
    cert_object(cert.pem(), &key, None)
}

fn gen_signed(a: &[Value], key: RsaPrivateKey) -> FnResult {
    let (ips, dns) = ips_and_dns(a)?;
    let params = base_params(str_arg(a, 0)?, &ips, &dns, int_arg(a, 3)?)?;
    let (ca_params, ca_der) = match &a[4] {
        Value::Object(o) if o.type_name() == "sprig.certificate" => issuer_of(o.as_ref())
            .ok_or_else(|| err("error parsing CA: unsupported CA certificate"))?,
        other => return Err(super::type_error("sprig.certificate", other)),
    };
    let ca_key = KeyPair::try_from(ca_der.as_slice()).map_err(crypto_err)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let (kp, _) = key_pair(&key)?;
    let cert = params.signed_by(&kp, &issuer).map_err(crypto_err)?;
    cert_object(cert.pem(), &key, None)
}

/// The signing material of a CA made by `genCA` on this thread: template
/// objects are opaque, so CAs are remembered by their PEM texts.
fn issuer_of(o: &dyn Object) -> Option<(CertificateParams, Vec<u8>)> {
    let key_pem = o.field("Key")?.as_str()?.to_string();
    let cert_pem = o.field("Cert")?.as_str()?.to_string();
    CA_REGISTRY.with(|r| {
        r.borrow()
            .iter()
            .find(|(c, k, _, _)| *c == cert_pem && *k == key_pem)
            .map(|(_, _, p, d)| (p.clone(), d.clone()))
    })
}

/// A CA made on this thread: cert PEM, key PEM, its parameters, PKCS#8 key.
type RememberedCa = (String, String, CertificateParams, Vec<u8>);

thread_local! {
    /// CAs generated on this thread: (cert PEM, key PEM, params, PKCS#8 key).
    static CA_REGISTRY: std::cell::RefCell<Vec<RememberedCa>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A DSA key with fresh L2048N256 parameters, DER-encoded as Sprig's
/// `DSAKeyFormat` (OpenSSL's `DSAPrivateKey`): SEQUENCE { version 0, p, q,
/// g, y, x }.
fn dsa_key_der() -> Vec<u8> {
    let components = dsa::Components::generate(&mut rand_core::OsRng, dsa::KeySize::DSA_2048_256);
    let key = dsa::SigningKey::generate(&mut rand_core::OsRng, components);
    let public = key.verifying_key();
    let c = public.components();
    let mut body = der_integer(&[0]);
    for n in [c.p(), c.q(), c.g(), public.y(), key.x()] {
        body.extend(der_integer(&n.to_bytes_be()));
    }
    der_tlv(0x30, &body)
}

/// A DER INTEGER from unsigned big-endian bytes.
fn der_integer(be: &[u8]) -> Vec<u8> {
    let start = be
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(be.len().saturating_sub(1));
    let digits = &be[start.min(be.len())..];
    let mut v = Vec::with_capacity(digits.len() + 1);
    if digits.is_empty() || digits[0] & 0x80 != 0 {
        v.push(0);
    }
    v.extend_from_slice(digits);
    der_tlv(0x02, &v)
}

fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = value.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let len = n.to_be_bytes();
        let skip = len.iter().position(|b| *b != 0).unwrap_or(len.len() - 1);
        out.push(0x80 | (len.len() - skip) as u8);
        out.extend_from_slice(&len[skip..]);
    }
    out.extend_from_slice(value);
    out
}

/// Sprig's `genPrivateKey`: `rsa` (4096 bits), `ecdsa` (P-256), `ed25519`,
/// `dsa` (L2048N256).
fn gen_private_key(kind: &str) -> String {
    let result = match kind {
        "" | "rsa" => new_rsa(4096)
            .and_then(|k| rsa_pkcs1_pem(&k))
            .map_err(|e| e.message),
        "ecdsa" => ec_p256_sec1().map(|der| pem_block("EC PRIVATE KEY", &der)),
        "ed25519" => Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map(|doc| pem_block("PRIVATE KEY", doc.as_ref()))
            .map_err(|e| e.to_string()),
        "dsa" => Ok(pem_block("DSA PRIVATE KEY", &dsa_key_der())),
        other => return format!("Unknown type {other}"),
    };
    result.unwrap_or_else(|e| format!("failed to generate private key: {e}"))
}

/// A P-256 key as SEC1 `ECPrivateKey` with the curve and public key, like
/// Go's `x509.MarshalECPrivateKey`.
fn ec_p256_sec1() -> Result<Vec<u8>, String> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|e| e.to_string())?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|e| e.to_string())?;
    use ring::signature::KeyPair as _;
    let public = pair.public_key().as_ref().to_vec();
    // ring's PKCS#8 holds the 32-byte scalar as the first OCTET STRING of length 32.
    let doc = pkcs8.as_ref();
    let scalar = doc
        .windows(2)
        .position(|w| w == [0x04, 0x20])
        .map(|i| doc[i + 2..i + 34].to_vec())
        .ok_or("malformed PKCS#8 document")?;
    let oid_p256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let mut body = vec![0x02, 0x01, 0x01, 0x04, 0x20];
    body.extend_from_slice(&scalar);
    body.push(0xa0);
    body.push(oid_p256.len() as u8);
    body.extend_from_slice(oid_p256);
    let mut bits = vec![0x03, (public.len() + 1) as u8, 0x00];
    bits.extend_from_slice(&public);
    body.push(0xa1);
    body.push(bits.len() as u8);
    body.extend_from_slice(&bits);
    let mut out = vec![0x30, 0x81, body.len() as u8];
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use gotmpl::Value;

    /// Reads a DER TLV: (tag, value, rest).
    fn tlv(d: &[u8]) -> (u8, &[u8], &[u8]) {
        let (tag, first) = (d[0], d[1] as usize);
        let (len, hdr) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            (
                d[2..2 + n].iter().fold(0, |a, b| a << 8 | *b as usize),
                2 + n,
            )
        };
        (tag, &d[hdr..hdr + len], &d[hdr + len..])
    }

    #[test]
    fn dsa_keys_in_sprigs_format() {
        let pem = ok("genPrivateKey", &[s("dsa")]);
        let body: String = pem
            .strip_prefix("-----BEGIN DSA PRIVATE KEY-----\n")
            .and_then(|r| r.strip_suffix("-----END DSA PRIVATE KEY-----\n"))
            .unwrap()
            .lines()
            .collect();
        let der = crate::funcs::encoding::b64_decode(&body).unwrap();
        let (tag, mut seq, rest) = tlv(&der);
        assert_eq!((tag, rest.len()), (0x30, 0));
        let mut ints = Vec::new();
        while !seq.is_empty() {
            let (tag, v, r) = tlv(seq);
            assert_eq!(tag, 0x02);
            assert!(
                v.len() == 1 || v[0] != 0 || v[1] & 0x80 != 0,
                "minimal INTEGER"
            );
            ints.push(dsa::BigUint::from_bytes_be(v));
            seq = r;
        }
        let [version, p, q, g, y, x] = ints.try_into().unwrap();
        assert_eq!(version, dsa::BigUint::from(0u8));
        assert_eq!((p.bits(), q.bits()), (2048, 256));
        assert_eq!((&p - 1u8) % &q, dsa::BigUint::from(0u8));
        assert_eq!(g.modpow(&x, &p), y);
        assert!(x < q);
    }

    #[test]
    fn keys_and_certs() {
        assert!(ok("genPrivateKey", &[s("ecdsa")]).starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(ok("genPrivateKey", &[s("ed25519")]).starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(ok("genPrivateKey", &[s("x")]), "Unknown type x");
        let m = funcs();
        let ca = m
            .get("genCA")
            .unwrap()
            .call(&mut NoEngine, &[s("ca"), i(3)])
            .unwrap();
        assert_eq!(ok("typeOf", std::slice::from_ref(&ca)), "sprig.certificate");
        let Value::Object(o) = &ca else { panic!() };
        assert!(
            o.field("Cert")
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----\n")
        );
        assert!(
            o.field("Key")
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
        );
        let signed = m
            .get("genSignedCert")
            .unwrap()
            .call(
                &mut NoEngine,
                &[s("x"), l(vec![s("10.0.0.1")]), l(vec![s("a.b")]), i(3), ca],
            )
            .unwrap();
        let Value::Object(o) = &signed else { panic!() };
        assert!(
            o.field("Cert")
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----\n")
        );
    }
}
