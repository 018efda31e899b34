//! yescrypt `$y$` and scrypt `$7$` as libxcrypt 4.4.33's `yescrypt_r`
//! (`alg-yescrypt-common.c`) reads and writes them; the KDF itself is
//! RustCrypto's `yescrypt` crate, whose classic mode is scrypt.
//!
//! The crate accepts parameters and salts that libxcrypt refuses, so the
//! setting is parsed and checked here first, as `yescrypt_r` and
//! `yescrypt_kdf_body` (`alg-yescrypt-opt.c`) do; and, unlike libxcrypt,
//! costs beyond [`MAX_MEMORY`] and [`MAX_WORK`] are refused.

use super::des::ASCII64;

/// libxcrypt's `CRYPT_OUTPUT_SIZE`: a setting must leave room in it for
/// `$`, the 43 characters of the hash and a NUL.
const CRYPT_OUTPUT_SIZE: usize = 384;

/// Memory a hash may make us allocate (its `V` and `B` arrays and
/// yescrypt's S-boxes): 2 GiB.  Exim would try any size; a failed
/// allocation aborts a Rust program, so larger settings fail (no match)
/// here.  Debian's default (`mkpasswd -m yescrypt`, `$y$j9T$`) takes
/// 16 MiB; libxcrypt's largest cost (`-R 11`, `$y$jFT$`) 1 GiB.
pub(super) const MAX_MEMORY: u64 = 2 << 30;

/// Work a hash may demand, in bytes of `V` traffic (memory times the
/// passes over it: `t + 2`, and `p` times that for the modes that run
/// their `p` lanes one after another).  4 GiB: twice what libxcrypt's
/// largest cost takes (1 GiB over 2 passes, a few seconds); Debian's
/// default takes 32 MiB.
pub(super) const MAX_WORK: u64 = 4 << 30;

/// yescrypt's flavour bits (`alg-yescrypt.h`).
const YESCRYPT_WORM: u32 = 1;
const YESCRYPT_RW: u32 = 2;
const YESCRYPT_RW_FLAVOR_MASK: u32 = 0x3fc;
/// `YESCRYPT_DEFAULTS`: the only read-write flavour libxcrypt computes.
const YESCRYPT_DEFAULTS: u32 = 0xb6;

/// The cost parameters of a setting, as `yescrypt_params_t`.
#[derive(Clone, Copy, Default)]
struct Params {
    flags: u32,
    n_log2: u32,
    r: u32,
    p: u32,
    t: u32,
    g: u32,
    nrom: bool,
}

/// The value of a character of [`ASCII64`] (libxcrypt's `atoi64`: 64
/// for anything else).
fn atoi64(c: u8) -> u32 {
    ASCII64
        .iter()
        .position(|&a| a == c)
        .map_or(64, |i| i as u32)
}

/// `decode64_uint32`: yescrypt's variable-length numbers, the first
/// character telling how many follow.  Arithmetic wraps as in C.
fn decode64_uint32(src: &mut &[u8], min: u32) -> Option<u32> {
    let mut next = || {
        let c = atoi64(*src.first()?);
        *src = &src[1..];
        (c <= 63).then_some(c)
    };
    let c = next()?;
    let (mut start, mut end, mut chars, mut bits) = (0u32, 47u32, 1u32, 0u32);
    let mut dst = min;
    while c > end {
        dst = dst.wrapping_add((end + 1 - start) << bits);
        start = end + 1;
        end = start + (62 - end) / 2;
        chars += 1;
        bits += 6;
    }
    dst = dst.wrapping_add((c - start) << bits);
    for _ in 1..chars {
        bits -= 6;
        dst = dst.wrapping_add(next()? << bits);
    }
    Some(dst)
}

/// `decode64_uint32_fixed`: `bits` bits, six per character, least
/// significant first.
fn decode64_uint32_fixed(src: &mut &[u8], bits: u32) -> Option<u32> {
    let mut dst = 0u32;
    for shift in (0..bits).step_by(6) {
        let c = atoi64(*src.first()?);
        if c > 63 {
            return None;
        }
        *src = &src[1..];
        dst |= c << shift;
    }
    Some(dst)
}

/// `decode64` of a whole salt string: groups of up to four characters,
/// little-endian, each giving at least one byte with no bits left over;
/// at most 64 bytes.
pub(super) fn decode64(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for group in s.chunks(4) {
        let mut value = 0u32;
        for (k, &c) in group.iter().enumerate() {
            let v = atoi64(c);
            if v > 63 {
                return None;
            }
            value |= v << (6 * k);
        }
        let bits = 6 * group.len();
        if bits < 12 || value >> (bits / 8 * 8) != 0 {
            return None;
        }
        out.extend_from_slice(&value.to_le_bytes()[..bits / 8]);
    }
    (out.len() <= 64).then_some(out)
}

/// `encode64`: groups of three bytes, little-endian, six bits a character.
pub(super) fn encode64(out: &mut Vec<u8>, src: &[u8]) {
    for group in src.chunks(3) {
        let value = group
            .iter()
            .enumerate()
            .fold(0u32, |v, (k, &b)| v | u32::from(b) << (8 * k));
        for k in 0..(8 * group.len()).div_ceil(6) {
            out.push(ASCII64[(value >> (6 * k) & 63) as usize]);
        }
    }
}

/// The parameters of a `$7$` setting (after the prefix): `N` as one
/// character of log2, then `r` and `p` as five characters each.
fn scrypt_params(src: &mut &[u8]) -> Option<Params> {
    let n_log2 = atoi64(*src.first()?);
    if !(1..=63).contains(&n_log2) {
        return None;
    }
    *src = &src[1..];
    let r = decode64_uint32_fixed(src, 30)?;
    let p = decode64_uint32_fixed(src, 30)?;
    Some(Params {
        n_log2,
        r,
        p,
        ..Params::default()
    })
}

/// The parameters of a `$y$` setting (after the prefix), through the `$`
/// that ends them.
fn yescrypt_params(src: &mut &[u8]) -> Option<Params> {
    let flavor = decode64_uint32(src, 0)?;
    let flags = if flavor < YESCRYPT_RW {
        flavor
    } else if flavor <= YESCRYPT_RW + (YESCRYPT_RW_FLAVOR_MASK >> 2) {
        YESCRYPT_RW + ((flavor - YESCRYPT_RW) << 2)
    } else {
        return None;
    };
    let n_log2 = decode64_uint32(src, 1)?;
    if n_log2 > 63 {
        return None;
    }
    let r = decode64_uint32(src, 1)?;
    let mut params = Params {
        flags,
        n_log2,
        r,
        p: 1,
        ..Params::default()
    };
    if src.first() != Some(&b'$') {
        let have = decode64_uint32(src, 1)?;
        if have & 1 != 0 {
            params.p = decode64_uint32(src, 2)?;
        }
        if have & 2 != 0 {
            params.t = decode64_uint32(src, 1)?;
        }
        if have & 4 != 0 {
            params.g = decode64_uint32(src, 1)?;
        }
        if have & 8 != 0 {
            if decode64_uint32(src, 1)? > 63 {
                return None;
            }
            params.nrom = true;
        }
    }
    *src = src.strip_prefix(b"$")?;
    Some(params)
}

/// The checks of `yescrypt_kdf` and `yescrypt_kdf_body` (on a 64-bit
/// system, without a ROM): the mode, then `N`, `r` and `p`.
fn libxcrypt_accepts(p: &Params) -> bool {
    let mode_ok = match p.flags & 3 {
        0 => p.flags == 0 && p.t == 0,
        YESCRYPT_WORM => p.flags == YESCRYPT_WORM,
        YESCRYPT_RW => p.flags & YESCRYPT_RW_FLAVOR_MASK == YESCRYPT_DEFAULTS - YESCRYPT_RW,
        _ => false,
    };
    let n = 1u64 << p.n_log2;
    mode_ok
        && p.g == 0
        && !p.nrom
        && (2..=32).contains(&p.n_log2)
        && p.r >= 1
        && p.p >= 1
        && u64::from(p.r) * u64::from(p.p) < 1 << 30
        && (p.flags & YESCRYPT_RW == 0 || n / u64::from(p.p) > 3)
}

/// Whether the cost stays within [`MAX_MEMORY`] and [`MAX_WORK`].
fn within_bounds(p: &Params) -> bool {
    let (n, r, lanes) = (1u128 << p.n_log2, u128::from(p.r), u128::from(p.p));
    let rw = p.flags & YESCRYPT_RW != 0;
    let v = 128 * r * n;
    // B, and for the read-write mode each lane's S-boxes (12 KiB and a
    // little more).
    let memory = v + 128 * r * lanes + if rw { 16 * 1024 * lanes } else { 0 };
    let passes = (u128::from(p.t) + 2) * if rw { 1 } else { lanes };
    memory <= u128::from(MAX_MEMORY) && v * passes <= u128::from(MAX_WORK)
}

/// The KDF on checked parameters: yescrypt's 32-byte hash.
fn kdf(phrase: &[u8], salt: &[u8], p: &Params) -> Option<[u8; 32]> {
    use yescrypt::Mode;
    let mode = match p.flags {
        0 => Mode::Classic,
        YESCRYPT_WORM => Mode::Worm,
        _ => Mode::Rw,
    };
    let params = yescrypt::Params::new_with_all_params(mode, 1 << p.n_log2, p.r, p.p, p.t, 0);
    let mut out = [0u8; 32];
    yescrypt::yescrypt(phrase, salt, &params.ok()?, &mut out).ok()?;
    Some(out)
}

/// The parameters of a `$y$` or `$7$` setting, whether it is scrypt, and
/// where its salt string is (after the parameters, through the last `$`
/// or the end).
fn parse(setting: &[u8]) -> Option<(Params, bool, std::ops::Range<usize>)> {
    let scrypt = match setting.get(..3)? {
        b"$7$" => true,
        b"$y$" => false,
        _ => return None,
    };
    let mut src = &setting[3..];
    let params = if scrypt {
        scrypt_params(&mut src)?
    } else {
        yescrypt_params(&mut src)?
    };
    let start = setting.len() - src.len();
    let len = src.iter().rposition(|&c| c == b'$').unwrap_or(src.len());
    Some((params, scrypt, start..start + len))
}

/// `yescrypt_r` for a `$y$` or `$7$` setting: the setting's prefix and
/// salt string, and the raw hash.
pub(super) fn yescrypt_raw(phrase: &[u8], setting: &[u8]) -> Option<(Vec<u8>, [u8; 32])> {
    if setting.len() + 1 + 43 + 1 > CRYPT_OUTPUT_SIZE {
        return None;
    }
    let (params, scrypt, salt_at) = parse(setting)?;
    let salt_str = &setting[salt_at.clone()];
    let salt = if scrypt {
        salt_str.to_vec()
    } else {
        decode64(salt_str)?
    };
    if !libxcrypt_accepts(&params) || !within_bounds(&params) {
        return None;
    }
    let hash = kdf(phrase, &salt, &params)?;
    Some((setting[..salt_at.end].to_vec(), hash))
}

/// libxcrypt's `crypt_yescrypt_rn` (also its `crypt_scrypt_rn` after
/// that one's salt check): `$y$…` or `$7$…`.
pub(super) fn yescrypt(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    let (mut out, hash) = yescrypt_raw(phrase, setting)?;
    out.push(b'$');
    encode64(&mut out, &hash);
    Some(out)
}

/// `crypt_scrypt_rn`: `verify_salt`, then `yescrypt_r`.  The salt (from
/// the 15th character) is letters, digits, `.`, `/` and `$`; anything
/// else must follow a `$`, and ends the check.
pub(super) fn scrypt(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    let salt_ok = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'/' | b'$');
    for i in 14..setting.len() {
        if !salt_ok(setting[i]) {
            if setting[i - 1] == b'$' {
                break;
            }
            return None;
        }
    }
    yescrypt(phrase, setting)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked parameters of a setting: libxcrypt would compute it,
    /// and whether it is within our bounds.
    fn admitted(setting: &[u8]) -> (bool, bool) {
        let (p, _, _) = parse(setting).expect("parses");
        (libxcrypt_accepts(&p), within_bounds(&p))
    }

    #[test]
    fn bounds_admit_every_cost_of_mkpasswd() {
        // mkpasswd -m yescrypt -R 1 .. 11, -m scrypt -R 6 .. 11
        for s in [
            "$y$j75$",
            "$y$j85$",
            "$y$j7T$",
            "$y$j8T$",
            "$y$j9T$",
            "$y$jAT$",
            "$y$jBT$",
            "$y$jCT$",
            "$y$jDT$",
            "$y$jET$",
            "$y$jFT$",
            "$7$BU..../....",
            "$7$GU..../....",
        ] {
            assert_eq!(admitted(s.as_bytes()), (true, true), "{s}");
        }
    }

    #[test]
    fn bounds_refuse_what_libxcrypt_would_compute() {
        for s in [
            "$y$jGT$",
            "$y$jT.$",
            "$y$jFT/0$",
            "$y$j75/zyxvrI$",
            "$7$IU..../....",
            "$7$8/.......2.",
        ] {
            assert_eq!(admitted(s.as_bytes()), (true, false), "{s}");
        }
    }

    #[test]
    fn salt_decoding_is_libxcrypt_s() {
        assert_eq!(decode64(b""), Some(vec![]));
        assert_eq!(decode64(b"a"), None);
        assert_eq!(decode64(b"Uw"), None);
        assert_eq!(decode64(b"U."), Some(vec![32]));
        assert_eq!(decode64(&[b'.'; 86]).map(|v| v.len()), Some(64));
        assert_eq!(decode64(&[b'.'; 87]), None);
        assert_eq!(decode64(b"salt-"), None);
    }
}
