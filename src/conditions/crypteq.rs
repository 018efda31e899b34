//! `crypteq{plaintext}{hash}`: `{md5}` and `{sha1}` digests (base64 or
//! hex), `{crypt}`, `{crypt16}` and untagged hashes through the system
//! `crypt()` (libxcrypt on Debian: DES, bigcrypt, `$1$`, `$5$`, `$6$`,
//! yescrypt, ...).

use crate::eval::{Evaluator, Value};
use md5::{Digest, Md5};
use sha1::Sha1;
use std::ffi::{CStr, CString};

/// Size of libxcrypt's (and glibc's) `struct crypt_data`.
const CRYPT_DATA_SIZE: usize = 32768;

#[link(name = "crypt")]
unsafe extern "C" {
    fn crypt_r(
        key: *const libc::c_char,
        salt: *const libc::c_char,
        data: *mut libc::c_void,
    ) -> *mut libc::c_char;
}

/// Calls `crypt()` (as the reentrant `crypt_r`); `Err` carries `errno`
/// when it returns NULL.
fn sys_crypt(key: &[u8], salt: &[u8]) -> Result<Vec<u8>, i32> {
    let (Ok(k), Ok(s)) = (CString::new(key), CString::new(salt)) else {
        return Err(libc::EINVAL);
    };
    let mut data = vec![0u8; CRYPT_DATA_SIZE];
    // SAFETY: both strings are valid C strings and `data` is a zeroed
    // buffer of the size of `struct crypt_data`, which crypt_r requires.
    let p = unsafe { crypt_r(k.as_ptr(), s.as_ptr(), data.as_mut_ptr().cast()) };
    if p.is_null() {
        return Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL));
    }
    // SAFETY: crypt_r returned a non-null NUL-terminated string inside
    // `data`, which is still alive here.
    Ok(unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
}

/// Exim's `crypt16()`: DES of the first eight characters, then (for longer
/// keys) of the next eight, salted with two characters of the first result.
fn crypt16(key: &[u8], salt: &[u8]) -> Result<Vec<u8>, i32> {
    let first = sys_crypt(key, salt)?;
    let mut res: Vec<u8> = first.iter().take(13).copied().collect();
    if key.len() > 8 {
        let s2: Vec<u8> = res.iter().skip(2).take(2).copied().collect();
        let second = sys_crypt(&key[8..], &s2)?;
        res.extend(second.iter().skip(2).take(11));
    }
    Ok(res)
}

fn strip_tag<'a>(hash: &'a [u8], tag: &[u8]) -> Option<&'a [u8]> {
    (hash.len() >= tag.len() && hash[..tag.len()].eq_ignore_ascii_case(tag))
        .then(|| &hash[tag.len()..])
}

/// Standard base64 with padding (as Exim's `b64encode`).
fn base64(d: &[u8]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(d.len().div_ceil(3) * 4);
    for c in d.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        out.push(A[(n >> 18) as usize & 63]);
        out.push(A[(n >> 12) as usize & 63]);
        out.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63]
        } else {
            b'='
        });
        out.push(if c.len() > 2 {
            A[n as usize & 63]
        } else {
            b'='
        });
    }
    out
}

fn hex_upper(d: &[u8]) -> Vec<u8> {
    d.iter()
        .flat_map(|b| format!("{b:02X}").into_bytes())
        .collect()
}

/// Compares a digest with its base64 (exact) or hex (caseless) rendering;
/// other lengths never match.
fn digest_matches(digest: &[u8], b64_len: usize, coded: &[u8]) -> bool {
    if coded.len() == b64_len {
        base64(digest) == coded
    } else if coded.len() == 2 * digest.len() {
        hex_upper(digest).eq_ignore_ascii_case(coded)
    } else {
        false
    }
}

pub fn crypteq(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    let plain = crate::eval::c_str(&a[0].bytes);
    let hash = crate::eval::c_str(&a[1].bytes);
    if let Some(coded) = strip_tag(hash, b"{md5}") {
        let d = Md5::digest(plain);
        return Ok(digest_matches(&d, 24, coded));
    }
    if let Some(coded) = strip_tag(hash, b"{sha1}") {
        let d = Sha1::digest(plain);
        return Ok(digest_matches(&d, 28, coded));
    }
    let (coded, sixteen) = if let Some(c) = strip_tag(hash, b"{crypt}") {
        (c, false)
    } else if let Some(c) = strip_tag(hash, b"{crypt16}") {
        (c, true)
    } else if hash.first() == Some(&b'{') {
        return Err(format!(
            "unknown encryption mechanism in \"{}\"",
            String::from_utf8_lossy(hash)
        ));
    } else {
        (hash, false)
    };
    let r = if sixteen {
        crypt16(plain, coded)
    } else {
        sys_crypt(plain, coded)
    };
    match r {
        Ok(out) => Ok(coded.len() >= 2 && out == coded),
        Err(libc::EINVAL) => Ok(false),
        Err(e) => Err(format!(
            "crypt error: {}\n",
            std::io::Error::from_raw_os_error(e)
                .to_string()
                .split(" (os error")
                .next()
                .unwrap_or("")
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::mismatches;

    #[test]
    fn crypteq_cases() {
        // Expected values from Exim 4.96 (corpus and live oracle).
        let cases: &[(&str, Result<&str, &str>)] = &[
            (
                r"${if crypteq{test}{\{md5\}098f6bcd4621d373cade4e832627b4f6}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{test}{\{md5\}098F6BCD4621D373CADE4E832627B4F6}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{test}{\{md5\}098f6bcd4621d373cade4e832627b4f}{y}{n}}",
                Ok("n"),
            ),
            (
                r"${if crypteq{test}{\{MD5\}CY9rzUYh03PK3k6DJie09g==}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{test}{\{md5\}cy9rzUYh03PK3k6DJie09g==}{y}{n}}",
                Ok("n"),
            ),
            (r"${if crypteq{x}{\{md5\}}{y}{n}}", Ok("n")),
            (
                r"${if crypteq{abc}{\{sha1\}a9993e364706816aba3e25717850c26c9cd0d89d}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{abc}{\{SHA1\}qZk+NkcGgWq6PiVxeFDCbJzQ2J0=}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{abd}{\{sha1\}A9993E364706816ABA3E25717850C26C9CD0D89D}{y}{n}}",
                Ok("n"),
            ),
            (r"${if crypteq{MySecret}{azrazPWCQJhyg}{y}{n}}", Ok("y")),
            (r"${if crypteq{MySecret}{aarazPWCQJhyg}{y}{n}}", Ok("n")),
            (
                r"${if crypteq{MySecret}{\{CRYPT\}azrazPWCQJhyg}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{MySecret}{\{crypt16\}azrazPWCQJhyg}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{MySecretRhubarb}{\{crypt\}azrazPWCQJhyg}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{MySecretRhubarb}{\{crypt16\}azrazPWCQJhyg}{y}{n}}",
                Ok("n"),
            ),
            (
                r"${if crypteq{MySecretRhubarb}{\{CRYPT16\}azrazPWCQJhygdJWzb77lQMA}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{MySecretRhubarb}{azrazPWCQJhygdJWzb77lQMA}{y}{n}}",
                Ok("y"),
            ),
            (r"${if crypteq{x}{}{y}{n}}", Ok("n")),
            (r"${if crypteq{x}{a}{y}{n}}", Ok("n")),
            (r"${if crypteq{x}{!!}{y}{n}}", Ok("n")),
            (r"${if crypteq{x}{\{crypt\}}{y}{n}}", Ok("n")),
            (r"${if crypteq{}{*0}{y}{n}}", Ok("n")),
            (
                r"${if crypteq{password}{\$6\$saltsalt\$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{password}{\$1\$saltsalt\$qjXMvbEw8oaL.CzflDugX/}{y}{n}}",
                Ok("n"),
            ),
            (
                r"${if crypteq{pw}{\$5\$abc\$/LKlXd6vuvdFX3oWbf2vGk3DgflzzsvOtMZsiOxqqY5}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{pw}{\$y\$j9T\$F5Jx5fExrKuPp53xLKQ..1\$U4SOHmDd8SvW5vCUKSMR6N835VPwFAtgYNhQ9mFFeL5}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{pw}{\{crypt\}\$2b\$05\$abcdefghijklmnopqrstuuHIrMEWpUCQe2YqFR3sXwQ75u4od..9q}{y}{n}}",
                Ok("y"),
            ),
            (
                r"${if crypteq{pw}{\{crypt16\}\$5\$abc\$/LKlXd6vuvdFX3oWbf2vGk3DgflzzsvOtMZsiOxqqY5}{y}{n}}",
                Ok("n"),
            ),
            (r"${if crypteq{pw}{\$5\$abc\$}{y}{n}}", Ok("n")),
            (r"${if crypteq{x}{_J9..rasm}{y}{n}}", Ok("n")),
            (r"${if crypteq{x}{ \{md5\}}{y}{n}}", Ok("n")),
            (
                r"${if crypteq{x}{\{\}}{y}{n}}",
                Err("unknown encryption mechanism in \"{}\""),
            ),
            (
                r"${if crypteq{x}{\{crypt}{y}{n}}",
                Err("unknown encryption mechanism in \"{crypt\""),
            ),
            (
                r"${if crypteq{x}{\{sha256\}abc}{y}{n}}",
                Err("unknown encryption mechanism in \"{sha256}abc\""),
            ),
            (
                r"${if crypteq{x}{\{md5}{y}{n}}",
                Err("unknown encryption mechanism in \"{md5\""),
            ),
        ];
        let bad = mismatches(cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
