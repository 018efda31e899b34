//! Exim 4.96's native SRS (Sender Rewriting Scheme):
//! `${srs_encode{secret}{return_path}{original_domain}}` and the
//! `inbound_srs{local_part}{secret}` condition, which sets `$srs_recipient`.
//!
//! An encoded address is `SRS0=HHHH=TT=domain=local@original_domain`:
//! HHHH are the first four hex digits of HMAC-MD5(secret, lower-cased
//! return path), TT the day number since the epoch modulo 1024 in two
//! base32 digits (Debian's build pads to two; 4.96.0 did not).  Time comes
//! from the context's clock, so results can be pinned.

use crate::eval::{Crypto, Digest};
use crate::eval::{Evaluator, Failure, Value};
use crate::operators::address::{AddressOptions, AddressParser};

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The first four lower-case hex digits of HMAC-MD5(secret, data).
fn checksum(crypto: &dyn Crypto, secret: &[u8], data: &[u8]) -> [u8; 4] {
    let d = crypto.hmac(Digest::Md5, secret, data);
    let hex = b"0123456789abcdef";
    [
        hex[(d[0] >> 4) as usize],
        hex[(d[0] & 15) as usize],
        hex[(d[1] >> 4) as usize],
        hex[(d[1] & 15) as usize],
    ]
}

/// The day stamp: (days since the epoch) mod 1024 as two base32 digits.
pub fn day_stamp(days: i64) -> [u8; 2] {
    let i = (days & 0x3ff) as usize;
    [BASE32[i >> 5], BASE32[i & 31]]
}

/// Encodes a return path on day `days` (since the epoch); empty input
/// gives empty output.  Errors are Exim's address-parser messages.
pub fn encode(
    secret: &[u8],
    return_path: &[u8],
    original_domain: &[u8],
    days: i64,
) -> Result<Vec<u8>, Vec<u8>> {
    encode_with(
        &crate::crypto::RustCrypto,
        secret,
        return_path,
        original_domain,
        days,
        AddressOptions::default(),
    )
}

/// [`encode`] with the address-parsing options of a configuration.
pub(crate) fn encode_with(
    crypto: &dyn Crypto,
    secret: &[u8],
    return_path: &[u8],
    original_domain: &[u8],
    days: i64,
    opts: AddressOptions,
) -> Result<Vec<u8>, Vec<u8>> {
    if return_path.is_empty() {
        return Ok(Vec::new());
    }
    let mut g = b"SRS0=".to_vec();
    g.extend_from_slice(&checksum(crypto, secret, &return_path.to_ascii_lowercase()));
    g.push(b'=');
    g.extend_from_slice(&day_stamp(days));
    g.push(b'=');
    let e = AddressParser::new(opts).extract(return_path)?;
    let (local, domain): (&[u8], &[u8]) = if e.domain > 0 {
        (&e.address[..e.domain - 1], &e.address[e.domain..])
    } else {
        (&e.address, b"")
    };
    g.extend_from_slice(domain);
    g.push(b'=');
    let quoted = local.contains(&b'"');
    if quoted {
        // The quotes are removed and the whole SRS local part re-quoted.
        g.extend(local.iter().copied().filter(|&c| c != b'"'));
    } else {
        g.extend_from_slice(local);
    }
    let mut out = Vec::with_capacity(g.len() + original_domain.len() + 3);
    if quoted {
        out.push(b'"');
    }
    out.extend_from_slice(&g);
    if quoted {
        out.push(b'"');
    }
    out.push(b'@');
    out.extend_from_slice(original_domain);
    Ok(out)
}

/// What `inbound_srs` found: whether it validates, and the decoded
/// recipient when the local part has the SRS0 shape.
///
/// ```
/// use exim_expand::auth::srs;
/// let day = 20789; // 2026-12-02
/// let addr = srs::encode(b"secret", b"alice@example.com", b"forwarder.example", day).unwrap();
/// // What Exim 4.96 gave that day for ${srs_encode{secret}{alice@example.com}{forwarder.example}}:
/// assert_eq!(addr, b"SRS0=f18a=jv=example.com=alice@forwarder.example");
/// let local = &addr[..addr.iter().position(|&c| c == b'@').unwrap()];
/// let found = srs::inbound(local, b"secret", day);
/// assert!(found.valid);
/// assert_eq!(found.recipient.as_deref(), Some(&b"alice@example.com"[..]));
/// assert!(!srs::inbound(local, b"other", day).valid);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The local part is an SRS0 address signed with the secret, stamped at
    /// most 10 days ago (with an empty secret: just SRS0-shaped).
    pub valid: bool,
    /// The address it stands for (`$srs_recipient`), whenever the local part
    /// has the SRS0 shape.
    pub recipient: Option<Vec<u8>>,
}

fn is_atext(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b".!#$%&'*+-/=?^_`{|}~".contains(&c)
}

/// Checks an SRS0 local part against `secret` (empty: shape only) on day
/// `days`; the stamp may be at most 10 days old.
pub fn inbound(local_part: &[u8], secret: &[u8], days: i64) -> Inbound {
    inbound_with(&crate::crypto::RustCrypto, local_part, secret, days)
}

/// [`inbound`] with the engine's crypto provider.
fn inbound_with(crypto: &dyn Crypto, local_part: &[u8], secret: &[u8], days: i64) -> Inbound {
    let none = Inbound {
        valid: false,
        recipient: None,
    };
    // ^(?i)SRS0=([^=]+)=([A-Z2-7]+)=([^=]*)=(.*)$
    if local_part.len() < 5 || !local_part[..5].eq_ignore_ascii_case(b"SRS0=") {
        return none;
    }
    let rest = &local_part[5..];
    let mut parts = rest.splitn(4, |&c| c == b'=');
    let (Some(hash), Some(stamp), Some(domain), Some(local)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return none;
    };
    // Debian's 4.96 has the later fix: the stamp is exactly two characters.
    let stamp_ok = stamp.len() == 2
        && stamp
            .iter()
            .all(|c| c.is_ascii_alphabetic() || (b'2'..=b'7').contains(c));
    if hash.is_empty() || !stamp_ok {
        return none;
    }
    let quoting = local_part[0] == b'"' || local_part.iter().any(|&c| !is_atext(c));
    let mut r = Vec::new();
    if quoting {
        r.push(b'"');
    }
    r.extend(local.to_ascii_lowercase());
    if quoting {
        r.push(b'"');
    }
    r.push(b'@');
    r.extend(domain.to_ascii_lowercase());
    if secret.is_empty() {
        return Inbound {
            valid: true,
            recipient: Some(r),
        };
    }
    // Exim decodes the stamp with the lower-case alphabet only.
    let mut d: i64 = 0;
    for &c in stamp {
        match BASE32.iter().position(|&b| b == c) {
            Some(v) => d = d.wrapping_mul(32).wrapping_add(v as i64),
            None => {
                return Inbound {
                    valid: false,
                    recipient: Some(r),
                };
            }
        }
    }
    let age_ok = (days.wrapping_sub(d) & 0x3ff) <= 10;
    let valid = age_ok && hash.len() == 4 && checksum(crypto, secret, &r) == hash[..];
    Inbound {
        valid,
        recipient: Some(r),
    }
}

fn today(ev: &Evaluator) -> i64 {
    ev.ctx.clock.now().0.div_euclid(86400)
}

/// The `srs_encode` item.
pub fn srs_encode_item(ev: &mut Evaluator, args: &[Value]) -> Result<Value, Failure> {
    let [secret, path, domain] = args else {
        return Err(Failure::new("missing or misplaced { or }"));
    };
    let opts = crate::operators::address::address_options(ev);
    let crypto = ev.ctx.crypto.clone();
    let r = encode_with(
        &*crypto,
        &secret.bytes,
        &path.bytes,
        &domain.bytes,
        today(ev),
        opts,
    )?;
    Ok(Value {
        bytes: r,
        tainted: secret.tainted || path.tainted || domain.tainted,
    })
}

/// The `inbound_srs` condition; sets `$srs_recipient` when the shape matches.
pub fn inbound_srs_cond(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    let crypto = ev.ctx.crypto.clone();
    let r = inbound_with(&*crypto, &a[0].bytes, &a[1].bytes, today(ev));
    if let Some(rcpt) = r.recipient {
        ev.ctx.vars.insert(
            "srs_recipient".into(),
            Value {
                bytes: rcpt,
                tainted: a[0].tainted,
            },
        );
    }
    Ok(r.valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-01-15 is day 19737; expected values from the oracle (srs.jsonl).
    const DAY: i64 = 19737;

    #[test]
    fn stamps() {
        assert_eq!(&day_stamp(DAY), b"iz");
        assert_eq!(&day_stamp(19785), b"kj");
        assert_eq!(&day_stamp(19456), b"aa");
    }

    #[test]
    fn encoding_matches_exim() {
        let enc = |s: &str, p: &str, d: &str| {
            encode(s.as_bytes(), p.as_bytes(), d.as_bytes(), DAY)
                .map(|v| String::from_utf8_lossy(&v).into_owned())
                .map_err(|v| String::from_utf8_lossy(&v).into_owned())
        };
        let cases = [
            (
                "secret",
                "User@Example.COM",
                "forwarder.example",
                Ok("SRS0=b3d4=iz=Example.COM=User@forwarder.example"),
            ),
            (
                "other",
                "user@example.com",
                "forwarder.example",
                Ok("SRS0=8944=iz=example.com=user@forwarder.example"),
            ),
            (
                "secret",
                "Name <user@example.com>",
                "fwd.example",
                Ok("SRS0=733f=iz=example.com=user@fwd.example"),
            ),
            ("secret", "", "fwd.example", Ok("")),
            (
                "secret",
                "bad <",
                "fwd.example",
                Err("missing or malformed local part"),
            ),
            (
                "",
                "user@example.com",
                "fwd.example",
                Ok("SRS0=dce8=iz=example.com=user@fwd.example"),
            ),
            (
                "secret",
                "user@example.com",
                "",
                Ok("SRS0=b3d4=iz=example.com=user@"),
            ),
            (
                "secret",
                "a=b@example.com",
                "fwd.example",
                Ok("SRS0=ceef=iz=example.com=a=b@fwd.example"),
            ),
        ];
        for (s, p, d, want) in cases {
            assert_eq!(
                enc(s, p, d),
                want.map(str::to_string).map_err(str::to_string),
                "{p}"
            );
        }
    }

    #[test]
    fn inbound_matches_exim() {
        let ok = |lp: &str, secret: &str, days: i64| {
            let r = inbound(lp.as_bytes(), secret.as_bytes(), days);
            (
                r.valid,
                r.recipient
                    .map(|v| String::from_utf8_lossy(&v).into_owned()),
            )
        };
        let rcpt = Some("user@example.com".to_string());
        assert_eq!(
            ok("SRS0=b3d4=iz=example.com=user", "secret", DAY),
            (true, rcpt.clone())
        );
        assert_eq!(
            ok("SRS0=Q1XY=iz=example.com=user", "secret", DAY),
            (false, rcpt.clone())
        );
        assert_eq!(
            ok("SRS0=Q1XY=iz=example.com=user", "", DAY),
            (true, rcpt.clone())
        );
        assert_eq!(ok("notsrs", "", DAY), (false, None));
        assert_eq!(
            ok("SRS0=b3d4=iz=example.com=user", "wrong", DAY),
            (false, rcpt.clone())
        );
        // 11 days later the stamp is too old; upper case never validates.
        assert_eq!(
            ok("SRS0=b3d4=iz=example.com=user", "secret", DAY + 11),
            (false, rcpt.clone())
        );
        assert_eq!(
            ok("SRS0=B3D4=IZ=example.com=user", "secret", DAY),
            (false, rcpt)
        );
    }
}
