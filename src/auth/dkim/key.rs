//! What GnuTLS's key import decides before any signature is checked:
//! whether the `p=` bytes are a key of the signature's type, and its
//! size in bits (`$dkim_key_length`, the `dkim_verify_min_keysizes`
//! check).  Only DER structure is read here; the signature itself is the
//! [`Crypto`](crate::eval::Crypto) provider's.

/// GnuTLS's words for a DER key it cannot read, and for an Ed25519 key
/// of the wrong size (as `DKIM: validation error:` logs them).
pub(super) const DER_ERROR: &str = "ASN1 parser: Error in TAG.";
pub(super) const RAW_KEY_ERROR: &str = "The request is invalid.";
/// GnuTLS's words for a signature that does not verify.
pub(super) const VERIFY_ERROR: &str = "Public key signature verification has failed.";

const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const ED25519_OID: &[u8] = &[0x2b, 0x65, 0x70];

/// One DER element: its tag, its contents, and what follows it.
fn element(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// An element of type `tag`, and what follows it.
fn expect(data: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, content, rest) = element(data)?;
    (t == tag).then_some((content, rest))
}

/// Reads a DER SubjectPublicKeyInfo as GnuTLS imports one: the key's
/// size in bits (an RSA modulus's; 256 for Ed25519; 0 for other types).
pub(crate) fn spki_bits(der: &[u8]) -> Result<u32, &'static str> {
    spki(der).ok_or(DER_ERROR)
}

fn spki(der: &[u8]) -> Option<u32> {
    let (info, rest) = expect(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (alg, info) = expect(info, 0x30)?;
    let (oid, _params) = expect(alg, 0x06)?;
    let (bits, rest) = expect(info, 0x03)?;
    if !rest.is_empty() {
        return None;
    }
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    if oid == ED25519_OID {
        return (key.len() == 32).then_some(256);
    }
    if oid != RSA_OID {
        return Some(0);
    }
    let (rsa, _) = expect(key, 0x30)?;
    let (modulus, rest) = expect(rsa, 0x02)?;
    expect(rest, 0x02)?;
    let m: &[u8] = &modulus[modulus.iter().position(|&b| b != 0)?..];
    let bytes = u32::try_from(m.len()).ok()?;
    Some(
        (bytes - 1)
            .saturating_mul(8)
            .saturating_add(8 - m[0].leading_zeros()),
    )
}

/// The raw Ed25519 key pdkim takes from `p=`: the last 32 bytes of a
/// longer one (a SubjectPublicKeyInfo, say); a shorter one fails.
pub(super) fn ed25519_raw(key: &[u8]) -> Result<&[u8], &'static str> {
    if key.len() < 32 {
        return Err(RAW_KEY_ERROR);
    }
    Ok(&key[key.len() - 32..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spki_of(pem: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/keys")
            .join(pem);
        let text = std::fs::read_to_string(path).unwrap();
        let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        crate::base64::decode(b64.as_bytes()).unwrap()
    }

    #[test]
    fn sizes_keys_as_gnutls() {
        assert_eq!(spki_bits(&spki_of("rsa1024.pub.pem")), Ok(1024));
        assert_eq!(spki_bits(&spki_of("ed25519.pub.pem")), Ok(256));
        let mut trailing = spki_of("rsa1024.pub.pem");
        trailing.push(0);
        let bad: [&[u8]; 4] = [b"", b"not DER", &[0x30, 0x82, 0xff], &trailing];
        for k in bad {
            assert_eq!(spki_bits(k), Err(DER_ERROR), "{k:?}");
        }
        assert_eq!(ed25519_raw(&[1; 16]), Err(RAW_KEY_ERROR));
        assert_eq!(ed25519_raw(&[1; 44]).map(<[u8]>::len), Ok(32));
    }
}
