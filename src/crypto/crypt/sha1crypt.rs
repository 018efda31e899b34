//! NetBSD's `$sha1$` (PBKDF1 with HMAC-SHA1), as libxcrypt 4.4.33's
//! `crypt_sha1crypt_rn`: `$sha1$ITERATIONS$SALT$` and 28 characters.

use super::des::ASCII64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// libxcrypt's `CRYPT_OUTPUT_SIZE`: longer results overflow its buffer.
const CRYPT_OUTPUT_SIZE: usize = 384;

/// Iterations a hash may demand: 2^24, 64 times libxcrypt's default
/// (262144, what `crypt_gensalt` gives for `$sha1$` without a count), a
/// few seconds.  Exim would run any count up to 2^64; more fail here.
pub(super) const MAX_ITERATIONS: u64 = 1 << 24;

/// The iteration count, in the only form libxcrypt writes back (`%lu`).
/// `strtoul` also takes a sign, leading zeros or no digits at all, but
/// the result then never equals the setting, so those fail here.
fn iterations(s: &[u8]) -> Option<(u64, &[u8])> {
    let len = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let digits = &s[..len];
    if digits.is_empty() || (digits[0] == b'0' && len > 1) || len > 20 {
        return None;
    }
    let n: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((n, s[len..].strip_prefix(b"$")?))
}

/// `to64`: `n` characters of `v`, least significant six bits first.
fn to64(out: &mut Vec<u8>, mut v: u32, n: usize) {
    for _ in 0..n {
        out.push(ASCII64[(v & 0x3f) as usize]);
        v >>= 6;
    }
}

/// `crypt_sha1crypt_rn` (`setting` starts with `$sha1`).
pub(super) fn sha1crypt(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    let (iters, rest) = iterations(setting.strip_prefix(b"$sha1$")?)?;
    let salt_len = rest.iter().take_while(|c| ASCII64.contains(c)).count();
    if salt_len == 0 || !matches!(rest.get(salt_len), None | Some(b'$')) {
        return None;
    }
    let salt = &rest[..salt_len];
    let mut out = format!("$sha1${iters}$").into_bytes();
    out.extend_from_slice(salt);
    out.push(b'$');
    if out.len() + 28 + 1 > CRYPT_OUTPUT_SIZE || iters > MAX_ITERATIONS {
        return None;
    }
    let keyed = <Hmac<Sha1> as KeyInit>::new_from_slice(phrase).ok()?;
    let mut first = keyed.clone();
    first.update(salt);
    first.update(format!("$sha1${iters}").as_bytes());
    let mut d: [u8; 20] = first.finalize().into_bytes().into();
    for _ in 1..iters {
        let mut m = keyed.clone();
        m.update(&d);
        d = m.finalize().into_bytes().into();
    }
    let word = |a: usize, b: usize, c: usize| {
        (u32::from(d[a]) << 16) | (u32::from(d[b]) << 8) | u32::from(d[c])
    };
    for i in (0..18).step_by(3) {
        to64(&mut out, word(i, i + 1, i + 2), 4);
    }
    to64(&mut out, word(18, 19, 0), 4);
    Some(out)
}
