//! The libsrs_alt Sender Rewriting Scheme that Exim used up to 4.94
//! (EXPERIMENTAL_SRS): forwarding and reversing addresses, configured by
//! the main options `srs_config`, `srs_secrets`, `srs_maxage`,
//! `srs_hashlength`, `srs_hashmin`, `srs_usehash` and `srs_usetimestamp`
//! (defaults from Exim 4.94's globals.c: 31 days, 6, hashlength, true, true).
//!
//! The address forms are the "guarded" scheme of libsrs_alt and Mail::SRS:
//!
//! * `SRS0=HHH=TT=orighost=origuser@forwarder`: HHH is the first
//!   `hashlength` characters of base64(HMAC-SHA1(secret, lower-cased
//!   TT + orighost + origuser)), TT two base32 digits of the day number
//!   modulo 1024;
//! * a forwarder that receives an SRS0 address writes
//!   `SRS1=HHH=srs0host==HHH=TT=orighost=origuser@itself`, hashing
//!   srs0host and the rest, so the return path does not grow further.
//!
//! Exim 4.96 replaced this with native SRS (see [`super::srs`]); these
//! functions are for configurations and tools that still use the old one.

use crate::eval::{Crypto, Digest};
use std::sync::Arc;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why an address could not be forwarded or reversed (libsrs_alt's result
/// classes, which Exim mapped to DECLINE, FAIL and DEFER).
///
/// ```
/// use exim_expand::auth::srs_alt::{SrsAlt, SrsError};
/// let srs = SrsAlt::from_options(|o| (o == "srs_secrets").then(|| "secret".to_string())).unwrap();
/// let day = 19737;
/// let fwd = srs.forward(b"alice@example.com", b"fwd.example", day).unwrap();
/// assert_eq!(srs.reverse(&fwd, day + 31).unwrap(), b"alice@example.com");
/// assert_eq!(srs.reverse(&fwd, day + 32), Err(SrsError::TimestampExpired));
/// assert_eq!(srs.reverse(b"alice@example.com", day), Err(SrsError::NotSrs));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SrsError {
    /// Not an SRS address (Exim: DECLINE).
    NotSrs,
    /// SRS-shaped but malformed (DECLINE).
    BadSrs,
    /// The hash does not match any secret (FAIL).
    BadHash,
    /// The timestamp is not base32 (FAIL).
    BadTimestamp,
    /// Older than `srs_maxage` days (FAIL).
    TimestampExpired,
    /// No `@` in the address to forward.
    BadAddress,
}

/// A configured SRS engine.
///
/// ```
/// use exim_expand::auth::srs_alt::SrsAlt;
/// let config = |o: &str| (o == "srs_config").then(|| "s3cret:10:4".to_string());
/// let srs = SrsAlt::from_options(config).unwrap();
/// assert_eq!((srs.max_age, srs.hash_length, srs.hash_min), (10, 4, 4));
/// let fwd = srs.forward(b"alice@example.com", b"fwd.example", 19737).unwrap();
/// // SRS0=HHHH=TT=host=user@forwarder, with a 4-character hash.
/// let fwd = String::from_utf8(fwd).unwrap();
/// let (hash, rest) = fwd["SRS0=".len()..].split_once('=').unwrap();
/// assert_eq!((hash.len(), rest), (4, "IZ=example.com=alice@fwd.example"));
/// ```
#[derive(Debug, Clone)]
pub struct SrsAlt {
    /// The first secret signs; all are accepted when reversing.
    pub secrets: Vec<Vec<u8>>,
    /// Days a time stamp stays valid (`srs_maxage`, default 31).
    pub max_age: i64,
    /// Hash characters written (`srs_hashlength`, default 6).
    pub hash_length: usize,
    /// Fewest hash characters accepted when reversing (`srs_hashmin`,
    /// default `hash_length`).
    pub hash_min: usize,
    /// Write and check the day stamp (`srs_usetimestamp`, default true).
    pub use_timestamp: bool,
    /// Write and check the hash (`srs_usehash`, default true).
    pub use_hash: bool,
    /// Computes the HMAC-SHA1 (the RustCrypto crates unless replaced with
    /// [`SrsAlt::with_crypto`]).
    pub crypto: Arc<dyn Crypto>,
}

fn parse_int(s: &[u8]) -> i64 {
    // atoi(): leading digits, 0 if none.
    let t = String::from_utf8_lossy(s);
    let t = t.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
    sign * n.parse::<i64>().unwrap_or(0)
}

fn option_bool(v: Option<&str>, default: bool) -> bool {
    match v {
        Some(s) => !matches!(s, "false" | "no" | "0"),
        None => default,
    }
}

impl SrsAlt {
    /// Builds the engine from main options as Exim 4.94's `eximsrs_init`
    /// did; errors are its log messages.
    pub fn from_options(option: impl Fn(&str) -> Option<String>) -> Result<SrsAlt, String> {
        let mut max_age = option("srs_maxage")
            .map(|v| parse_int(v.as_bytes()))
            .unwrap_or(31);
        let mut hash_length = option("srs_hashlength")
            .map(|v| parse_int(v.as_bytes()))
            .unwrap_or(6);
        let mut use_timestamp = option_bool(option("srs_usetimestamp").as_deref(), true);
        let mut use_hash = option_bool(option("srs_usehash").as_deref(), true);
        let mut secret: Option<Vec<u8>> = None;
        if let Some(cfg) = option("srs_config") {
            let mut parts = crate::lists::ListIter::new(cfg.as_bytes());
            secret = parts.next();
            if let Some(p) = parts.next() {
                max_age = parse_int(&p);
            }
            if let Some(p) = parts.next() {
                hash_length = parse_int(&p);
            }
            if let Some(p) = parts.next() {
                use_timestamp = parse_int(&p) != 0;
            }
            if let Some(p) = parts.next() {
                use_hash = parse_int(&p) != 0;
            }
        }
        let hash_min = option("srs_hashmin")
            .map(|v| parse_int(v.as_bytes()))
            .unwrap_or(-1);
        let hash_min = if hash_min == -1 {
            hash_length
        } else {
            hash_min
        };
        let listed: Vec<Vec<u8>> = option("srs_secrets")
            .map(|s| crate::lists::split(s.as_bytes()))
            .unwrap_or_default();
        let mut secrets = Vec::new();
        match secret.filter(|s| !s.is_empty()) {
            Some(s) => {
                secrets.push(s);
                secrets.extend(listed);
            }
            None => secrets.extend(listed),
        }
        if secrets.is_empty() {
            return Err("SRS Configuration Error: No secret specified".into());
        }
        if !(0..=365).contains(&max_age) {
            return Err("SRS Configuration Error: Invalid maximum timestamp age".into());
        }
        if !(1..=20).contains(&hash_length) || !(1..=20).contains(&hash_min) {
            return Err("SRS Configuration Error: Invalid hash length".into());
        }
        Ok(SrsAlt {
            secrets,
            max_age,
            hash_length: hash_length as usize,
            hash_min: hash_min as usize,
            use_timestamp,
            use_hash,
            crypto: Arc::new(crate::crypto::RustCrypto),
        })
    }

    /// The same engine computing its HMACs with `crypto`.
    pub fn with_crypto(self, crypto: Arc<dyn Crypto>) -> SrsAlt {
        SrsAlt { crypto, ..self }
    }

    fn hash_with(&self, secret: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        let text: Vec<u8> = parts.iter().flat_map(|p| p.to_ascii_lowercase()).collect();
        let digest = self.crypto.hmac(Digest::Sha1, secret, &text);
        let mut b64 = Vec::with_capacity(28);
        for chunk in digest.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                b64.push(BASE64[(n >> (18 - 6 * i) & 63) as usize]);
            }
        }
        b64.truncate(self.hash_length);
        b64
    }

    fn hash(&self, parts: &[&[u8]]) -> Vec<u8> {
        if self.use_hash {
            self.hash_with(&self.secrets[0], parts)
        } else {
            Vec::new()
        }
    }

    fn hash_ok(&self, given: &[u8], parts: &[&[u8]]) -> bool {
        if !self.use_hash {
            return true;
        }
        if given.len() < self.hash_min {
            return false;
        }
        self.secrets.iter().any(|s| {
            let h = self.hash_with(s, parts);
            given.len() <= h.len() && h[..given.len()].eq_ignore_ascii_case(given)
        })
    }

    /// Rewrites `sender` so that mail forwarded by `alias_domain` can be
    /// bounced back through it; `days` is today's day number since 1970.
    pub fn forward(
        &self,
        sender: &[u8],
        alias_domain: &[u8],
        days: i64,
    ) -> Result<Vec<u8>, SrsError> {
        let at = sender
            .iter()
            .rposition(|&c| c == b'@')
            .ok_or(SrsError::BadAddress)?;
        let (user, host) = (&sender[..at], &sender[at + 1..]);
        let tag = |t: &[u8]| user.len() > 4 && user[..4].eq_ignore_ascii_case(t) && user[4] == b'=';
        let mut local = Vec::new();
        if tag(b"SRS0") {
            let rest = &user[4..];
            local.extend_from_slice(b"SRS1=");
            local.extend(self.hash(&[host, rest]));
            local.push(b'=');
            local.extend_from_slice(host);
            local.push(b'=');
            local.extend_from_slice(rest);
        } else if tag(b"SRS1") {
            // SRS1=HHH=srs0host==rest: keep srs0host and rest, re-sign.
            let fields: Vec<&[u8]> = user[5..].splitn(3, |&c| c == b'=').collect();
            let [_, srs0host, rest] = fields[..] else {
                return Err(SrsError::BadSrs);
            };
            // `rest` keeps its leading separator (the `==` of the SRS1 form).
            let rest_with_sep = rest;
            local.extend_from_slice(b"SRS1=");
            local.extend(self.hash(&[srs0host, rest_with_sep]));
            local.push(b'=');
            local.extend_from_slice(srs0host);
            local.push(b'=');
            local.extend_from_slice(rest_with_sep);
        } else {
            let stamp: Vec<u8> = if self.use_timestamp {
                let d = (days & 0x3ff) as usize;
                vec![BASE32[d >> 5], BASE32[d & 31]]
            } else {
                Vec::new()
            };
            local.extend_from_slice(b"SRS0=");
            local.extend(self.hash(&[&stamp, host, user]));
            local.push(b'=');
            local.extend_from_slice(&stamp);
            local.push(b'=');
            local.extend_from_slice(host);
            local.push(b'=');
            local.extend_from_slice(user);
        }
        local.push(b'@');
        local.extend_from_slice(alias_domain);
        Ok(local)
    }

    /// Recovers the address an SRS address stands for (`SRS0`: the
    /// original sender; `SRS1`: the SRS0 address at the first forwarder).
    pub fn reverse(&self, address: &[u8], days: i64) -> Result<Vec<u8>, SrsError> {
        let at = address
            .iter()
            .rposition(|&c| c == b'@')
            .unwrap_or(address.len());
        let user = &address[..at];
        let tag = |t: &[u8]| user.len() > 4 && user[..4].eq_ignore_ascii_case(t) && user[4] == b'=';
        if tag(b"SRS0") {
            let fields: Vec<&[u8]> = user[5..].splitn(4, |&c| c == b'=').collect();
            let [hash, stamp, host, orig] = fields[..] else {
                return Err(SrsError::BadSrs);
            };
            if !self.hash_ok(hash, &[stamp, host, orig]) {
                return Err(SrsError::BadHash);
            }
            if self.use_timestamp {
                self.check_stamp(stamp, days)?;
            }
            let mut out = orig.to_vec();
            out.push(b'@');
            out.extend_from_slice(host);
            Ok(out)
        } else if tag(b"SRS1") {
            let fields: Vec<&[u8]> = user[5..].splitn(3, |&c| c == b'=').collect();
            let [hash, srs0host, rest] = fields[..] else {
                return Err(SrsError::BadSrs);
            };
            // `rest` keeps its leading separator (the `==` of the SRS1 form).
            let rest_with_sep = rest;
            if !self.hash_ok(hash, &[srs0host, rest_with_sep]) {
                return Err(SrsError::BadHash);
            }
            let mut out = b"SRS0".to_vec();
            out.extend_from_slice(rest_with_sep);
            out.push(b'@');
            out.extend_from_slice(srs0host);
            Ok(out)
        } else {
            Err(SrsError::NotSrs)
        }
    }

    fn check_stamp(&self, stamp: &[u8], days: i64) -> Result<(), SrsError> {
        if stamp.len() != 2 {
            return Err(SrsError::BadTimestamp);
        }
        let mut then = 0i64;
        for &c in stamp {
            let v = BASE32
                .iter()
                .position(|&b| b == c.to_ascii_uppercase())
                .ok_or(SrsError::BadTimestamp)?;
            then = then * 32 + v as i64;
        }
        if (days - then).rem_euclid(1024) > self.max_age {
            return Err(SrsError::TimestampExpired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 19737; // 2024-01-15

    fn engine(extra: &[(&str, &str)]) -> Result<SrsAlt, String> {
        let opts: Vec<(String, String)> = extra
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        SrsAlt::from_options(|n| opts.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()))
    }

    #[test]
    fn configuration_like_eximsrs_init() {
        assert_eq!(
            engine(&[]).unwrap_err(),
            "SRS Configuration Error: No secret specified"
        );
        let e = engine(&[("srs_secrets", "k1 : k2")]).unwrap();
        assert_eq!(
            (e.max_age, e.hash_length, e.hash_min, e.secrets.len()),
            (31, 6, 6, 2)
        );
        let e = engine(&[("srs_config", "s3cret:10:4:1:1")]).unwrap();
        assert_eq!(
            (e.max_age, e.hash_length, e.secrets[0].as_slice()),
            (10, 4, &b"s3cret"[..])
        );
        assert_eq!(
            engine(&[("srs_config", "s:400")]).unwrap_err(),
            "SRS Configuration Error: Invalid maximum timestamp age"
        );
        assert_eq!(
            engine(&[("srs_secrets", "s"), ("srs_hashlength", "21")]).unwrap_err(),
            "SRS Configuration Error: Invalid hash length"
        );
    }

    #[test]
    fn forward_then_reverse_round_trips() {
        let e = engine(&[("srs_secrets", "secret")]).unwrap();
        let f = e.forward(b"user@example.com", b"fwd.example", DAY).unwrap();
        let s = String::from_utf8(f.clone()).unwrap();
        // SRS0 = hash(6) = stamp = host = user @ forwarder
        let parts: Vec<&str> = s.split(['=', '@']).collect();
        assert_eq!(parts[0], "SRS0");
        assert_eq!(parts[1].len(), 6);
        assert_eq!(parts[2], "IZ", "day 19737 & 1023 = 281 = 8*32+25: I, Z");
        assert_eq!(&parts[3..], ["example.com", "user", "fwd.example"]);
        assert_eq!(e.reverse(&f, DAY).unwrap(), b"user@example.com");
        // Case-insensitive, as addresses are.
        assert_eq!(
            e.reverse(s.to_ascii_uppercase().as_bytes(), DAY).unwrap(),
            b"USER@EXAMPLE.COM"
        );
    }

    #[test]
    fn second_forwarder_writes_srs1_and_the_chain_unwinds() {
        let e = engine(&[("srs_secrets", "secret")]).unwrap();
        let srs0 = e
            .forward(b"user@example.com", b"first.example", DAY)
            .unwrap();
        let srs1 = e.forward(&srs0, b"second.example", DAY).unwrap();
        let s = String::from_utf8(srs1.clone()).unwrap();
        assert!(s.starts_with("SRS1="), "{s}");
        assert!(
            s.contains("=first.example==") && s.ends_with("@second.example"),
            "{s}"
        );
        // A third forwarder re-signs SRS1 without growing it.
        let again = e.forward(&srs1, b"third.example", DAY).unwrap();
        assert_eq!(again.len(), srs1.len() - "second".len() + "third".len());
        assert_eq!(e.reverse(&srs1, DAY).unwrap(), srs0);
        assert_eq!(e.reverse(&srs0, DAY).unwrap(), b"user@example.com");
    }

    #[test]
    fn reverse_checks_hash_age_and_shape() {
        let e = engine(&[("srs_secrets", "secret")]).unwrap();
        let f = e.forward(b"user@example.com", b"fwd.example", DAY).unwrap();
        assert_eq!(e.reverse(&f, DAY + 31).map(|_| ()), Ok(()));
        assert_eq!(e.reverse(&f, DAY + 32), Err(SrsError::TimestampExpired));
        let other = engine(&[("srs_secrets", "other")]).unwrap();
        assert_eq!(other.reverse(&f, DAY), Err(SrsError::BadHash));
        // An old secret listed after the new one still reverses.
        let rotated = engine(&[("srs_secrets", "new : secret")]).unwrap();
        assert_eq!(rotated.reverse(&f, DAY).unwrap(), b"user@example.com");
        assert_eq!(e.reverse(b"user@example.com", DAY), Err(SrsError::NotSrs));
        assert_eq!(
            e.reverse(b"SRS0=abc@fwd.example", DAY),
            Err(SrsError::BadSrs)
        );
        assert_eq!(
            e.forward(b"nodomain", b"fwd", DAY),
            Err(SrsError::BadAddress)
        );
    }

    #[test]
    fn without_hash_or_timestamp() {
        let e = engine(&[("srs_config", "k:31:6:0:0")]).unwrap();
        let f = e.forward(b"u@h.example", b"fwd", DAY).unwrap();
        assert_eq!(f, b"SRS0===h.example=u@fwd");
        assert_eq!(e.reverse(&f, DAY + 500).unwrap(), b"u@h.example");
    }
}
