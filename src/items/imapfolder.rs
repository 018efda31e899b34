//! `${imapfolder{name}[{sep}[{specials}]]}`: a folder name in IMAP's
//! modified UTF-7 (RFC 3501), converted from `headers_charset`; the input
//! separator becomes `.`.

use crate::eval::{Evaluator, Failure, Value};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/// Converts with the C library's iconv (as Exim does) to UTF-16BE.
fn to_utf16be(s: &[u8], charset: &str) -> Result<Vec<u8>, String> {
    let to = c"UTF-16BE";
    let Ok(from) = std::ffi::CString::new(charset) else {
        return Err(format!(
            "imapfolder: iconv_open(\"UTF-16BE\", \"{charset}\") failed: Invalid argument (maybe unsupported conversion)"
        ));
    };
    // SAFETY: both arguments are valid NUL-terminated strings.
    let cd = unsafe { libc::iconv_open(to.as_ptr(), from.as_ptr()) };
    if cd as isize == -1 {
        let e = std::io::Error::last_os_error();
        let errno = e.raw_os_error().unwrap_or(0);
        return Err(format!(
            "imapfolder: iconv_open(\"UTF-16BE\", \"{charset}\") failed: {}{}",
            crate::sys::strerror(errno),
            if errno == libc::EINVAL {
                " (maybe unsupported conversion)"
            } else {
                ""
            }
        ));
    }
    let mut input = s.to_vec();
    let mut out = vec![0u8; s.len() * 4 + 16];
    let mut inptr = input.as_mut_ptr().cast::<libc::c_char>();
    let mut inleft = input.len();
    let mut outptr = out.as_mut_ptr().cast::<libc::c_char>();
    let mut outleft = out.len();
    // SAFETY: the pointers and lengths describe `input` and `out`, which
    // outlive the call; cd came from a successful iconv_open.
    let r = unsafe { libc::iconv(cd, &mut inptr, &mut inleft, &mut outptr, &mut outleft) };
    let err = std::io::Error::last_os_error();
    // SAFETY: closing the descriptor opened above, once.
    unsafe { libc::iconv_close(cd) };
    if r == usize::MAX {
        return Err(format!(
            "imapfolder: iconv() failed to convert from {charset}: {}",
            crate::sys::strerror(err.raw_os_error().unwrap_or(0))
        ));
    }
    out.truncate(out.len() - outleft);
    Ok(out)
}

/// Exim's `imap_utf7_encode`.
pub(crate) fn encode(
    string: &[u8],
    charset: &str,
    sep: u8,
    specials: &[u8],
) -> Result<Vec<u8>, String> {
    // Text with nothing to change is returned as it is (a leading
    // separator dropped).
    let mut start = 0;
    let mut special = false;
    for (i, &c) in string.iter().enumerate() {
        if i == start && c == sep {
            start += 1;
        }
        if !(0x20..0x7f).contains(&c) || b"./&".contains(&c) || c == sep || specials.contains(&c) {
            special = true;
            break;
        }
    }
    if !special {
        return Ok(string[start..].to_vec());
    }
    let utf16 = to_utf16be(&string[start..], charset)?;
    let mut out = Vec::new();
    let mut base64 = false;
    let mut lastsep = false;
    let mut phase = 0;
    let mut carry: u8 = 0;
    let close = |out: &mut Vec<u8>, phase: usize, carry: u8| {
        match phase {
            1 => out.push(B64[usize::from(carry << 4)]),
            2 => out.push(B64[usize::from(carry << 2)]),
            _ => {}
        }
        out.push(b'-');
    };
    for unit in utf16.chunks(2) {
        let (hi, lo) = (unit[0], unit.get(1).copied().unwrap_or(0));
        if hi != 0 || !(0x20..0x7f).contains(&lo) || (specials.contains(&lo) && lo != sep) {
            lastsep = false;
            if !base64 {
                out.push(b'&');
                base64 = true;
                phase = 0;
            }
            for b in [hi, lo] {
                match phase {
                    0 => {
                        out.push(B64[usize::from(b >> 2)]);
                        carry = b & 0x03;
                        phase = 1;
                    }
                    1 => {
                        out.push(B64[usize::from((carry << 4) | (b >> 4))]);
                        carry = b & 0x0f;
                        phase = 2;
                    }
                    _ => {
                        out.push(B64[usize::from((carry << 2) | (b >> 6))]);
                        out.push(B64[usize::from(b & 0x3f)]);
                        phase = 0;
                    }
                }
            }
        } else if (lo != b'.' && lo != b'/') || lo == sep {
            if base64 {
                close(&mut out, phase, carry);
                base64 = false;
            }
            if lo == sep {
                if !lastsep {
                    out.push(b'.');
                    lastsep = true;
                }
            } else {
                out.push(lo);
                if lo == b'&' {
                    out.push(b'-');
                }
                lastsep = false;
            }
        } else {
            return Err(format!(
                "imapfolder: illegal character '{}'",
                char::from(lo)
            ));
        }
    }
    if base64 {
        close(&mut out, phase, carry);
    }
    if out.last() == Some(&b'.') {
        out.pop();
    }
    Ok(out)
}

/// The separator and the specials: checked even in untaken branches.
fn separator(vals: &[Value]) -> Result<(u8, &[u8]), Failure> {
    Ok(match vals.get(1) {
        None => (b'/', &b""[..]),
        Some(s) => {
            let s = s.c_str();
            if s.len() != 1 {
                let mut m = b"IMAP folder separator must be one character, found \"".to_vec();
                m.extend_from_slice(s);
                m.push(b'"');
                return Err(Failure::new(m));
            }
            (s[0], vals.get(2).map_or(&b""[..], Value::c_str))
        }
    })
}

/// What 4.96 checks of `imapfolder` when skipping: the separator.
pub fn check(vals: &[Value]) -> Result<(), Failure> {
    separator(vals).map(|_| ())
}

pub fn eval(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let Some(name) = vals.first() else {
        return Err(super::unread());
    };
    let (sep, specials) = separator(vals)?;
    let charset = ev.ctx.headers_charset().to_string();
    let r = encode(name.c_str(), &charset, sep, specials)?;
    out.push(&Value {
        bytes: r,
        tainted: name.tainted,
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::eval::Context;

    /// items.jsonl, testsuite.jsonl (4200) and live oracle runs.
    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("${imapfolder{INBOX}}", Ok("INBOX")),
            ("${imapfolder{a/b}}", Ok("a.b")),
            ("${imapfolder{a.b}{.}}", Ok("a.b")),
            ("${imapfolder{a&b}}", Ok("a&-b")),
            ("${imapfolder{日本語}}", Ok("&ZeVnLIqe-")),
            ("${imapfolder{a.b}{.}{INBOX}}", Ok("a.b")),
            ("${imapfolder{}}", Ok("")),
            ("${imapfolder {Foo/Bar}}", Ok("Foo.Bar")),
            ("${imapfolder {Foo/Bar} {.} {/}}", Ok("Foo&AC8-Bar")),
            ("${imapfolder{Räksmörgås}}", Ok("R&AOQ-ksm&APY-rg&AOU-s")),
            (
                "${imapfolder{a.b}}",
                Err("imapfolder: illegal character '.'"),
            ),
            (
                "${imapfolder{a}{xy}}",
                Err("IMAP folder separator must be one character, found \"xy\""),
            ),
        ];
        let bad = crate::testutil::mismatches_in(Context::new, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
