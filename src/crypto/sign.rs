//! RSA (PKCS#1 v1.5) and Ed25519 signatures as DKIM and ARC make them
//! (RFC 6376, RFC 8463), on RustCrypto's `rsa` and `ed25519-dalek`.

use crate::eval::{SignatureAlg, SignatureError};
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use sha2::Digest as _;

/// The DER inside a PEM text, or the bytes as they are.
fn der(key: &[u8]) -> Result<Vec<u8>, SignatureError> {
    let text = String::from_utf8_lossy(key);
    let Some(start) = text.find("-----BEGIN ") else {
        return Ok(key.to_vec());
    };
    let body = &text[start..];
    let b64: String = body
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("-----END "))
        .collect::<Vec<_>>()
        .concat();
    crate::base64::decode(b64.trim().as_bytes())
        .ok_or_else(|| SignatureError::BadKey("the PEM text is not base64".into()))
}

fn bad_key(what: &str) -> impl Fn(String) -> SignatureError + '_ {
    move |e| SignatureError::BadKey(format!("not a {what}: {e}"))
}

fn rsa_private(key: &[u8]) -> Result<rsa::PrivateKey, SignatureError> {
    let d = der(key)?;
    rsa::PrivateKey::from_pkcs8_der(&d)
        .map_err(|e| e.to_string())
        .or_else(|_| rsa::PrivateKey::from_pkcs1_der(&d).map_err(|e| e.to_string()))
        .map_err(bad_key("PKCS#8 or PKCS#1 RSA private key"))
}

fn rsa_public(key: &[u8]) -> Result<rsa::PublicKey, SignatureError> {
    let d = der(key)?;
    rsa::PublicKey::from_public_key_der(&d)
        .map_err(|e| e.to_string())
        .or_else(|_| rsa::PublicKey::from_pkcs1_der(&d).map_err(|e| e.to_string()))
        .or_else(|e| rsa_public_small(&d).ok_or(e))
        .map_err(bad_key("SubjectPublicKeyInfo or PKCS#1 RSA public key"))
}

/// The smallest RSA modulus verified here: the `rsa` crate's default
/// floor is 1024 bits, but DKIM verifies smaller keys (as GnuTLS and
/// OpenSSL do) and then applies its own `dkim_verify_min_keysizes`.
const MIN_VERIFY_BITS: usize = 256;

/// A public key under the `rsa` crate's default size floor, from its
/// components.
fn rsa_public_small(d: &[u8]) -> Option<rsa::PublicKey> {
    use rsa::pkcs1::der::Decode;
    let pkcs1 = match rsa::pkcs8::SubjectPublicKeyInfoRef::try_from(d) {
        Ok(info) => info.subject_public_key.raw_bytes().to_vec(),
        Err(_) => d.to_vec(),
    };
    let k = rsa::pkcs1::RsaPublicKeyRef::from_der(&pkcs1).ok()?;
    let uint = |b: &[u8]| rsa::BoxedUint::from_be_slice(b, u32::try_from(b.len() * 8).ok()?).ok();
    let n = uint(k.modulus.as_bytes())?;
    let e = uint(k.public_exponent.as_bytes())?;
    rsa::PublicKey::new_with_size_limits(n, e, MIN_VERIFY_BITS..=rsa::PublicKey::MAX_SIZE).ok()
}

fn ed25519_private(key: &[u8]) -> Result<ed25519_dalek::SigningKey, SignatureError> {
    if let Ok(seed) = <[u8; 32]>::try_from(key) {
        return Ok(ed25519_dalek::SigningKey::from_bytes(&seed));
    }
    ed25519_dalek::SigningKey::from_pkcs8_der(&der(key)?)
        .map_err(|e| e.to_string())
        .map_err(bad_key("32-byte seed or PKCS#8 Ed25519 private key"))
}

fn ed25519_public(key: &[u8]) -> Result<ed25519_dalek::VerifyingKey, SignatureError> {
    let r = match <[u8; 32]>::try_from(key) {
        Ok(raw) => ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|e| e.to_string()),
        Err(_) => {
            ed25519_dalek::VerifyingKey::from_public_key_der(&der(key)?).map_err(|e| e.to_string())
        }
    };
    r.map_err(bad_key(
        "32-byte or SubjectPublicKeyInfo Ed25519 public key",
    ))
}

fn failed(e: impl std::fmt::Display) -> SignatureError {
    SignatureError::Failed(e.to_string())
}

/// Signs `data` with `key`.
pub(crate) fn sign(alg: SignatureAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, SignatureError> {
    match alg {
        SignatureAlg::RsaSha1 => {
            let k = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(rsa_private(key)?);
            Ok(k.try_sign(data).map_err(failed)?.to_vec())
        }
        SignatureAlg::RsaSha256 => {
            let k = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa_private(key)?);
            Ok(k.try_sign(data).map_err(failed)?.to_vec())
        }
        SignatureAlg::RsaSha512 => {
            let k = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(rsa_private(key)?);
            Ok(k.try_sign(data).map_err(failed)?.to_vec())
        }
        SignatureAlg::Ed25519Sha256 => {
            let k = ed25519_private(key)?;
            Ok(k.sign(&sha2::Sha256::digest(data)).to_bytes().to_vec())
        }
    }
}

/// Whether `signature` is `key`'s over `data`.
pub(crate) fn verify(
    alg: SignatureAlg,
    key: &[u8],
    data: &[u8],
    signature: &[u8],
) -> Result<bool, SignatureError> {
    match alg {
        SignatureAlg::RsaSha1 | SignatureAlg::RsaSha256 | SignatureAlg::RsaSha512 => {
            let public = rsa_public(key)?;
            let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else {
                return Ok(false);
            };
            Ok(match alg {
                SignatureAlg::RsaSha1 => rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(public)
                    .verify(data, &sig)
                    .is_ok(),
                SignatureAlg::RsaSha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public)
                    .verify(data, &sig)
                    .is_ok(),
                _ => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(public)
                    .verify(data, &sig)
                    .is_ok(),
            })
        }
        SignatureAlg::Ed25519Sha256 => {
            let public = ed25519_public(key)?;
            let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
                return Ok(false);
            };
            Ok(public
                .verify_strict(&sha2::Sha256::digest(data), &sig)
                .is_ok())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/keys")
                .join(name),
        )
        .unwrap()
    }

    /// Signatures made by `openssl dgst -sign` and `openssl pkeyutl
    /// -sign -rawin` (over the SHA-256 of the data, as RFC 8463 says)
    /// verify here, and ours are the same bytes (PKCS#1 v1.5 and Ed25519
    /// are deterministic).
    #[test]
    fn agrees_with_openssl() {
        let msg = data("data.txt");
        let cases = [
            (SignatureAlg::RsaSha1, "rsa1024", "rsa-sha1.sig"),
            (SignatureAlg::RsaSha256, "rsa1024", "rsa-sha256.sig"),
            (SignatureAlg::Ed25519Sha256, "ed25519", "ed25519-sha256.sig"),
        ];
        for (alg, key, sig) in cases {
            let private = data(&format!("{key}.pem"));
            let public = data(&format!("{key}.pub.pem"));
            let want = data(sig);
            assert_eq!(sign(alg, &private, &msg).unwrap(), want, "{alg:?}");
            assert_eq!(verify(alg, &public, &msg, &want), Ok(true), "{alg:?}");
            assert_eq!(verify(alg, &public, b"other", &want), Ok(false), "{alg:?}");
            assert_eq!(verify(alg, &public, &msg, b"short"), Ok(false), "{alg:?}");
            assert!(matches!(
                verify(alg, b"not a key", &msg, &want),
                Err(SignatureError::BadKey(_))
            ));
        }
    }

    /// DKIM's p= tag holds the DER without PEM armour; RFC 8463's holds
    /// the raw 32-byte Ed25519 key.
    #[test]
    fn reads_dkim_key_forms() {
        let msg = data("data.txt");
        let spki = der(&data("rsa1024.pub.pem")).unwrap();
        let sig = data("rsa-sha256.sig");
        assert_eq!(verify(SignatureAlg::RsaSha256, &spki, &msg, &sig), Ok(true));
        let ed_spki = der(&data("ed25519.pub.pem")).unwrap();
        let raw = &ed_spki[ed_spki.len() - 32..];
        let sig = data("ed25519-sha256.sig");
        assert_eq!(
            verify(SignatureAlg::Ed25519Sha256, raw, &msg, &sig),
            Ok(true)
        );
    }
}
