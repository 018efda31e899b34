//! A pure-Rust `crypt(phrase, setting)` that gives what Debian's libxcrypt
//! 4.4.33 gives (the library Exim 4.96 calls) for the hashes it knows here:
//!
//! * traditional DES, bigcrypt and BSDi extended DES (`_`), in `des.rs`;
//! * `$1$` MD5-crypt, on the `md-5` crate;
//! * `$5$` and `$6$` SHA-crypt (with `rounds=`), on RustCrypto's `sha-crypt`;
//! * `$2a$`, `$2b$`, `$2x$` and `$2y$` bcrypt, on RustCrypto's `blowfish`;
//! * `$y$` yescrypt and `$7$` scrypt, in `yescrypt.rs`, and `$gy$`
//!   gost-yescrypt, in `gost.rs` (RustCrypto's `yescrypt`, `streebog`);
//! * `$sha1` (`sha1crypt.rs`), SunMD5 `$md5` (`sunmd5.rs`) and the NT
//!   hash `$3$` (`nthash.rs`, RustCrypto's `md4`).
//!
//! `None` stands for libxcrypt's failure token (`*0`/`*1`), which never
//! equals the setting, so `crypteq` sees no match.  Unlike libxcrypt, the
//! schemes with a cost in the setting refuse (`None`) costs beyond a bound
//! well above what `mkpasswd` makes (see each module).
//!
//! The result is the whole hash string as libxcrypt writes it (canonical
//! salt, `rounds=` as given), because Exim compares strings, not digests.

mod des;
mod gost;
mod nthash;
mod sha1crypt;
mod sunmd5;
mod yescrypt;

use md5::{Digest, Md5};

/// libxcrypt refuses phrases of this many bytes or more (`ERANGE`).
const MAX_PASSPHRASE: usize = 512;

/// libxcrypt's `crypt_r`, `None` for a failure.
pub(crate) fn crypt(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    if phrase.len() >= MAX_PASSPHRASE || setting.iter().any(|&c| bad_setting_char(c)) {
        return None;
    }
    let bcrypt_flags = |sub| match sub {
        b'a' => Some(BF_SAFETY),
        b'b' | b'y' => Some(0),
        b'x' => Some(BF_BUG),
        _ => None,
    };
    match setting {
        [b'$', b'y', b'$', ..] => yescrypt::yescrypt(phrase, setting),
        [b'$', b'g', b'y', b'$', ..] => gost::gost_yescrypt(phrase, setting),
        [b'$', b'7', b'$', ..] => yescrypt::scrypt(phrase, setting),
        [b'$', b'2', sub, b'$', ..] => bcrypt(phrase, setting, bcrypt_flags(*sub)?),
        [b'$', b'6', b'$', rest @ ..] => sha_crypt(phrase, rest, ShaKind::Sha512),
        [b'$', b'5', b'$', rest @ ..] => sha_crypt(phrase, rest, ShaKind::Sha256),
        _ if setting.starts_with(b"$sha1") => sha1crypt::sha1crypt(phrase, setting),
        _ if setting.starts_with(b"$md5") => sunmd5::sunmd5(phrase, setting),
        [b'$', b'1', b'$', rest @ ..] => md5_crypt(phrase, rest),
        [b'$', b'3', b'$', ..] => Some(nthash::nthash(phrase)),
        [b'_', ..] => des::bsdicrypt(phrase, setting),
        [a, b, ..] if des::is_des_salt_char(*a) && des::is_des_salt_char(*b) => {
            des::bigcrypt(phrase, setting)
        }
        _ => None,
    }
}

/// libxcrypt's `check_badsalt_chars`: crypt(5) says hashes are printable
/// ASCII without whitespace or any of `!*:;\`.
fn bad_setting_char(c: u8) -> bool {
    c <= 0x20 || c >= 0x7f || b"!*:;\\".contains(&c)
}

/// libxcrypt's `b64_from_24bit`: `n` characters of `b2 b1 b0`, least
/// significant six bits first.
fn b64_from_24bit(out: &mut Vec<u8>, b2: u8, b1: u8, b0: u8, n: usize) {
    let mut w = (u32::from(b2) << 16) | (u32::from(b1) << 8) | u32::from(b0);
    for _ in 0..n {
        out.push(des::ASCII64[(w & 63) as usize]);
        w >>= 6;
    }
}

/// Encodes `digest` in the byte order of `groups` (triples of indices,
/// as in libxcrypt's list of `b64_from_24bit` calls), then the `tail`
/// bytes (one or two) in `tail_chars` characters.
fn encode_digest(
    out: &mut Vec<u8>,
    digest: &[u8],
    groups: &[[usize; 3]],
    tail: &[usize],
    tail_chars: usize,
) {
    for &[a, b, c] in groups {
        b64_from_24bit(out, digest[a], digest[b], digest[c], 4);
    }
    let at = |i: usize| tail.get(i).map_or(0, |&j| digest[j]);
    match tail.len() {
        1 => b64_from_24bit(out, 0, 0, at(0), tail_chars),
        _ => b64_from_24bit(out, 0, at(0), at(1), tail_chars),
    }
}

/// The salt of an MD5- or SHA-crypt setting: up to the next `$` (or the
/// end), at most `max` bytes; `:` or a newline there is an error.
fn salt_field(s: &[u8], max: usize) -> Option<&[u8]> {
    let end = s
        .iter()
        .position(|&c| matches!(c, b'$' | b':' | b'\n'))
        .unwrap_or(s.len());
    if matches!(s.get(end), Some(b':' | b'\n')) {
        return None;
    }
    Some(&s[..end.min(max)])
}

/// libxcrypt's `crypt_md5crypt_rn` (`rest` follows `$1$`).
fn md5_crypt(phrase: &[u8], rest: &[u8]) -> Option<Vec<u8>> {
    let salt = salt_field(rest, 8)?;
    let alt = Md5::new()
        .chain_update(phrase)
        .chain_update(salt)
        .chain_update(phrase)
        .finalize();
    let mut ctx = Md5::new()
        .chain_update(phrase)
        .chain_update(b"$1$")
        .chain_update(salt);
    for chunk in phrase.chunks(16) {
        ctx.update(&alt[..chunk.len()]);
    }
    let mut n = phrase.len();
    while n > 0 {
        // The historic oddity: a NUL for a 1 bit, the first character of
        // the phrase for a 0 bit.
        if n & 1 == 1 {
            ctx.update([0u8]);
        } else {
            ctx.update(&phrase[..1]);
        }
        n >>= 1;
    }
    let mut result = ctx.finalize();
    for i in 0..1000 {
        let mut c = Md5::new();
        if i & 1 == 1 {
            c.update(phrase);
        } else {
            c.update(result);
        }
        if i % 3 != 0 {
            c.update(salt);
        }
        if i % 7 != 0 {
            c.update(phrase);
        }
        if i & 1 == 1 {
            c.update(result);
        } else {
            c.update(phrase);
        }
        result = c.finalize();
    }
    let mut out = b"$1$".to_vec();
    out.extend_from_slice(salt);
    out.push(b'$');
    const GROUPS: [[usize; 3]; 5] = [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]];
    encode_digest(&mut out, &result, &GROUPS, &[11], 2);
    Some(out)
}

#[derive(Clone, Copy)]
enum ShaKind {
    Sha256,
    Sha512,
}

/// libxcrypt's `crypt_sha256crypt_rn` / `crypt_sha512crypt_rn` (`rest`
/// follows `$5$` / `$6$`); the digest itself is `sha-crypt`'s.
fn sha_crypt(phrase: &[u8], rest: &[u8], kind: ShaKind) -> Option<Vec<u8>> {
    let mut salt = rest;
    let mut rounds = None;
    if let Some(num) = rest.strip_prefix(b"rounds=") {
        // Digits with no leading zero, then `$`; 1000 to 999999999.
        let len = num.iter().take_while(|c| c.is_ascii_digit()).count();
        if !matches!(num.first(), Some(b'1'..=b'9')) || len > 9 || num.get(len) != Some(&b'$') {
            return None;
        }
        let n: u32 = std::str::from_utf8(&num[..len]).ok()?.parse().ok()?;
        rounds = Some(sha_crypt::Params::new(n).ok()?);
        salt = &num[len + 1..];
    }
    let salt = salt_field(salt, 16)?;
    let params = rounds.unwrap_or_default();
    let mut out = match kind {
        ShaKind::Sha256 => b"$5$".to_vec(),
        ShaKind::Sha512 => b"$6$".to_vec(),
    };
    if let Some(p) = rounds {
        out.extend_from_slice(format!("{p}$").as_bytes());
    }
    out.extend_from_slice(salt);
    out.push(b'$');
    match kind {
        ShaKind::Sha256 => {
            const GROUPS: [[usize; 3]; 10] = [
                [0, 10, 20],
                [21, 1, 11],
                [12, 22, 2],
                [3, 13, 23],
                [24, 4, 14],
                [15, 25, 5],
                [6, 16, 26],
                [27, 7, 17],
                [18, 28, 8],
                [9, 19, 29],
            ];
            let d = sha_crypt::sha256_crypt(phrase, salt, params);
            encode_digest(&mut out, &d, &GROUPS, &[31, 30], 3);
        }
        ShaKind::Sha512 => {
            const GROUPS: [[usize; 3]; 21] = [
                [0, 21, 42],
                [22, 43, 1],
                [44, 2, 23],
                [3, 24, 45],
                [25, 46, 4],
                [47, 5, 26],
                [6, 27, 48],
                [28, 49, 7],
                [50, 8, 29],
                [9, 30, 51],
                [31, 52, 10],
                [53, 11, 32],
                [12, 33, 54],
                [34, 55, 13],
                [56, 14, 35],
                [15, 36, 57],
                [37, 58, 16],
                [59, 17, 38],
                [18, 39, 60],
                [40, 61, 19],
                [62, 20, 41],
            ];
            let d = sha_crypt::sha512_crypt(phrase, salt, params);
            encode_digest(&mut out, &d, &GROUPS, &[63], 2);
        }
    }
    Some(out)
}

/// bcrypt's alphabet.
const BF_ITOA64: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// `$2x$`: emulate the old sign-extension bug of crypt_blowfish.
const BF_BUG: u8 = 1;
/// `$2a$`: crypt_blowfish's countermeasure against that bug's collisions.
const BF_SAFETY: u8 = 2;

fn bf_atoi64(c: u8) -> Option<u8> {
    BF_ITOA64.iter().position(|&a| a == c).map(|i| i as u8)
}

/// Big-endian base64 in bcrypt's alphabet (crypt_blowfish's `BF_encode`).
fn bf_encode(out: &mut Vec<u8>, src: &[u8]) {
    for c in src.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..=c.len() {
            out.push(BF_ITOA64[(n >> (18 - 6 * k) & 63) as usize]);
        }
    }
}

/// crypt_blowfish's `BF_set_key`: the 18 key words (the phrase and its
/// NUL, repeated), as used by the main loop and, with the `$2a$` safety
/// tweak, as first mixed into the P-array.
fn bf_set_key(phrase: &[u8], flags: u8) -> ([u8; 72], [u8; 72]) {
    let mut stream = phrase.iter().copied().chain([0]).cycle();
    let (mut expanded, mut initial) = ([0u8; 72], [0u8; 72]);
    let (mut sign, mut diff) = (0u32, 0u32);
    for i in 0..18 {
        let (mut correct, mut buggy) = (0u32, 0u32);
        for j in 0..4 {
            let c = stream.next().unwrap_or(0);
            correct = (correct << 8) | u32::from(c);
            buggy = (buggy << 8) | (c as i8 as i32 as u32);
            if j > 0 {
                sign |= buggy & 0x80;
            }
        }
        diff |= correct ^ buggy;
        let word = if flags & BF_BUG != 0 { buggy } else { correct };
        expanded[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    initial.copy_from_slice(&expanded);
    diff |= diff >> 16;
    diff &= 0xffff;
    diff += 0xffff;
    let safety = if flags & BF_SAFETY != 0 { 0x10000 } else { 0 };
    let tweak = (sign << 9) & !diff & safety;
    let w0 = u32::from_be_bytes([initial[0], initial[1], initial[2], initial[3]]) ^ tweak;
    initial[..4].copy_from_slice(&w0.to_be_bytes());
    (expanded, initial)
}

/// crypt_blowfish's `BF_crypt`, as libxcrypt calls it.
fn bcrypt(phrase: &[u8], setting: &[u8], flags: u8) -> Option<Vec<u8>> {
    // "$2?$NN$" then 22 characters of salt.
    let at = |i: usize| setting.get(i).copied().unwrap_or(0);
    let (d1, d2) = (at(4), at(5));
    if !(b'0'..=b'3').contains(&d1)
        || !d2.is_ascii_digit()
        || (d1 == b'3' && d2 > b'1')
        || at(6) != b'$'
    {
        return None;
    }
    let cost = u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0');
    if cost < 4 {
        return None;
    }
    // BF_decode: 22 characters give 16 bytes (the last one only 2 bits).
    let mut vals = [0u8; 22];
    for (i, v) in vals.iter_mut().enumerate() {
        *v = bf_atoi64(at(7 + i))?;
    }
    let mut salt = [0u8; 16];
    for (g, out) in vals.chunks(4).zip(salt.chunks_mut(3)) {
        let n = g
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, &v)| n | u32::from(v) << (18 - 6 * k));
        for (k, b) in out.iter_mut().enumerate() {
            *b = (n >> (16 - 8 * k)) as u8;
        }
    }
    let (expanded, initial) = bf_set_key(phrase, flags);
    let mut state = blowfish::Blowfish::bc_init_state();
    state.salted_expand_key(&salt, &initial);
    for _ in 0..1u64 << cost {
        state.bc_expand_key(&expanded);
        state.bc_expand_key(&salt);
    }
    let mut ctext = [0u8; 24];
    for (i, chunk) in b"OrpheanBeholderScryDoubt".chunks(8).enumerate() {
        let mut lr = [
            u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]),
            u32::from_be_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]),
        ];
        for _ in 0..64 {
            lr = state.bc_encrypt(lr);
        }
        ctext[8 * i..8 * i + 4].copy_from_slice(&lr[0].to_be_bytes());
        ctext[8 * i + 4..8 * i + 8].copy_from_slice(&lr[1].to_be_bytes());
    }
    let mut out = setting[..28].to_vec();
    // The last salt character carries 2 bits: written canonically.
    out.push(BF_ITOA64[usize::from(vals[21] & 0x30)]);
    bf_encode(&mut out, &ctext[..23]);
    Some(out)
}
