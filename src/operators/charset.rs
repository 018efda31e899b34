//! Character sets: `rfc2047` (encode), `rfc2047d` (decode, converting with
//! the C library's iconv as Exim does), `from_utf8`, `utf8clean`.

use super::{OpResult, msg, option_flag};
use crate::eval::{Evaluator, Value};
use crate::lists::is_space;
use std::ffi::CString;

/// Exim's `parse_quote_2047` (without folding): Q-encodes the string in
/// `charset` if any byte needs it, splitting into words of about 75
/// characters joined by a space; otherwise returns it unchanged.
pub(crate) fn quote_2047(s: &[u8], charset: &[u8]) -> Vec<u8> {
    let mut g = msg(&[b"=?", charset, b"?Q?"]);
    let hlen = g.len();
    let mut l = hlen;
    let mut coded = false;
    let mut first_byte = false;
    for &ch in s {
        if g.len() - l > 67 && !first_byte {
            g.extend_from_slice(b"?= ");
            l = g.len();
            g.extend_from_within(..hlen);
        }
        if !(33..=126).contains(&ch) || b"?=()<>@,;:\\\".[]_".contains(&ch) {
            if ch == b' ' {
                g.push(b'_');
                first_byte = false;
            } else {
                g.extend_from_slice(format!("={ch:02X}").as_bytes());
                coded = true;
                first_byte = !first_byte;
            }
        } else {
            g.push(ch);
            first_byte = false;
        }
    }
    if coded {
        g.extend_from_slice(b"?=");
        g
    } else {
        s.to_vec()
    }
}

/// `${rfc2047:}`.
pub fn rfc2047(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let charset = ev.ctx.headers_charset().as_bytes().to_vec();
    Ok(quote_2047(&input.bytes, &charset).into())
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn find_byte(hay: &[u8], from: usize, b: u8) -> Option<usize> {
    hay.get(from..)?
        .iter()
        .position(|&c| c == b)
        .map(|i| i + from)
}

/// Decodes RFC 2047 "Q" data; `None` when malformed.
fn qp_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&ch) = s.get(i) {
        i += 1;
        match ch {
            b'_' => out.push(b' '),
            b'=' => {
                let a = s.get(i).copied().unwrap_or(0);
                let b = if a == 0 {
                    0
                } else {
                    s.get(i + 1).copied().unwrap_or(0)
                };
                let (Some(hi), Some(lo)) = (hex_value(a), hex_value(b)) else {
                    return None;
                };
                out.push((hi << 4) | lo);
                i += 2;
            }
            b' ' | b'\t' => return None,
            _ => out.push(ch),
        }
    }
    Some(out)
}

fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// One encoded word `=?charset?X?data?=` found in a string.
struct MimeWord {
    /// Index of the `=?`.
    start: usize,
    /// Index of the `?` after the charset.
    q1: usize,
    /// Index of the closing `?=`.
    end: usize,
    data: Vec<u8>,
}

/// Exim's `decode_mimeword`: the next well-formed encoded word at or after
/// `from`.
fn next_mimeword(s: &[u8], from: usize, lencheck: bool) -> Option<MimeWord> {
    let mut search = from;
    loop {
        let start = find(s, search, b"=?")?;
        let q1 = find_byte(s, start + 2, b'?')?;
        let q2 = find_byte(s, q1 + 1, b'?')?;
        let end = find(s, q2 + 1, b"?=")?;
        search = start + 2;
        if (lencheck && end - start > 73) || q2 - q1 != 2 {
            continue;
        }
        let body = &s[q2 + 1..end];
        let data = match s[q1 + 1].to_ascii_uppercase() {
            b'B' => crate::base64::decode(body),
            b'Q' => qp_decode(body),
            _ => None,
        };
        if let Some(data) = data {
            return Some(MimeWord {
                start,
                q1,
                end,
                data,
            });
        }
    }
}

/// A conversion descriptor from the C library.
struct Iconv(libc::iconv_t);

impl Iconv {
    fn open(to: &[u8], from: &[u8]) -> Result<Iconv, i32> {
        let (Ok(to), Ok(from)) = (CString::new(to), CString::new(from)) else {
            return Err(libc::EINVAL);
        };
        // SAFETY: both arguments are valid NUL-terminated strings.
        let cd = unsafe { libc::iconv_open(to.as_ptr(), from.as_ptr()) };
        if cd as isize == -1 {
            Err(std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EINVAL))
        } else {
            Ok(Iconv(cd))
        }
    }

    /// Converts from the start of `input` into at most 256 bytes, as Exim
    /// does per call; returns the output and how much input was consumed.
    fn convert_chunk(&mut self, input: &[u8]) -> (Vec<u8>, usize) {
        let mut outbuf = [0u8; 256];
        let mut inptr = input.as_ptr() as *mut libc::c_char;
        let mut inleft: libc::size_t = input.len();
        let mut outptr = outbuf.as_mut_ptr() as *mut libc::c_char;
        let mut outleft: libc::size_t = outbuf.len();
        // SAFETY: the pointers and counts describe `input` (only read by
        // iconv) and `outbuf`, both live for the duration of the call.
        unsafe {
            libc::iconv(self.0, &mut inptr, &mut inleft, &mut outptr, &mut outleft);
        }
        let produced = outbuf.len() - outleft;
        let consumed = input.len() - inleft;
        (outbuf[..produced].to_vec(), consumed)
    }
}

impl Drop for Iconv {
    fn drop(&mut self) {
        // SAFETY: self.0 came from a successful iconv_open and is closed once.
        unsafe {
            libc::iconv_close(self.0);
        }
    }
}

/// Exim's `rfc2047_decode` into `target` (`None`: no translation), NULs
/// replaced by `?`.  Returns the decoded bytes, and the last charset that
/// could not be opened as an error message (its words are then left
/// untranslated, as in Exim).
pub(crate) fn decode_2047(
    s: &[u8],
    lencheck: bool,
    target: Option<&[u8]>,
) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut word = next_mimeword(s, 0, lencheck);
    if word.is_none() {
        return (s.to_vec(), None);
    }
    let mut out = Vec::with_capacity(s.len());
    let mut error: Option<Vec<u8>> = None;
    let mut pos = 0;
    while let Some(w) = word {
        out.extend_from_slice(&s[pos..w.start]);
        let charset = &s[w.start + 2..w.q1];
        let mut cd = None;
        if let Some(target) = target.filter(|t| !charset.eq_ignore_ascii_case(t)) {
            match Iconv::open(target, charset) {
                Ok(c) => cd = Some(c),
                Err(errno) => {
                    let hint = if errno == libc::EINVAL {
                        " (maybe unsupported conversion)"
                    } else {
                        ""
                    };
                    error = Some(msg(&[
                        b"iconv_open(\"",
                        target,
                        b"\", \"",
                        charset,
                        b"\") failed: ",
                        crate::sys::strerror(errno).as_bytes(),
                        hint.as_bytes(),
                    ]));
                }
            }
        }
        let mut rest: &[u8] = &w.data;
        while !rest.is_empty() {
            let mut piece = Vec::new();
            if let Some(cd) = cd.as_mut() {
                let (produced, consumed) = cd.convert_chunk(rest);
                rest = &rest[consumed.min(rest.len())..];
                piece = produced;
            }
            if piece.is_empty() {
                piece = rest.to_vec();
                rest = &[];
            }
            for b in piece.iter_mut() {
                if *b == 0 {
                    *b = b'?';
                }
            }
            out.extend_from_slice(&piece);
        }
        pos = w.end + 2;
        word = next_mimeword(s, pos, lencheck);
        if let Some(next) = &word {
            let mut p = pos;
            while p < s.len() && is_space(s[p]) {
                p += 1;
            }
            if p == next.start {
                pos = p;
            }
        }
    }
    out.extend_from_slice(&s[pos..]);
    (out, error)
}

/// `${rfc2047d:}`.
pub fn rfc2047d(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let lencheck = option_flag(ev, "check_rfc2047_length", true);
    let target = ev.ctx.headers_charset().as_bytes().to_vec();
    match decode_2047(&input.bytes, lencheck, Some(&target)) {
        (_, Some(e)) => Err(e.into()),
        (out, None) => Ok(out.into()),
    }
}

/// Extra bytes of a UTF-8 sequence by (lead byte & 0x3f), as Exim's table.
fn utf8_extra(lead: u8) -> usize {
    match lead & 0x3f {
        0..=31 => 1,
        32..=47 => 2,
        48..=55 => 3,
        56..=59 => 4,
        _ => 5,
    }
}

/// `${from_utf8:}`: UTF-8 to ISO-8859-1, code points above 255 as `_`.
/// Decoding is lenient like Exim's: the continuation bytes a lead byte
/// calls for are taken whatever they are.
pub fn from_utf8(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    const MASKS: [u32; 6] = [0xff, 0x1f, 0x0f, 0x07, 0x03, 0x01];
    let s = &input.bytes;
    let mut out = Vec::with_capacity(s.len());
    let mut p = 0;
    while p < s.len() {
        let lead = s[p];
        p += 1;
        let mut c = u32::from(lead);
        if lead & 0xc0 == 0xc0 {
            let a = utf8_extra(lead);
            let mut shift = 6 * a as u32;
            c = (c & MASKS[a]) << shift;
            for _ in 0..a {
                shift -= 6;
                // Past the end Exim reads the terminating NUL (and beyond).
                c |= u32::from(s.get(p).copied().unwrap_or(0) & 0x3f) << shift;
                p += 1;
            }
        }
        out.push(if c > 255 { b'_' } else { c as u8 });
    }
    Ok(out.into())
}

/// `${utf8clean:}`: each invalid UTF-8 sequence becomes `?`.  Overlong
/// forms pass; `C0`, `C1`, 5- and 6-byte leads, code points above U+10FFFF
/// and UTF-16 surrogates are rejected (Debian's 4.96 has the surrogate fix).
pub fn utf8clean(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let mut out = Vec::with_capacity(input.bytes.len());
    let mut seq: Vec<u8> = Vec::with_capacity(4);
    let mut bytes_left = 0usize;
    let mut codepoint: u32 = 0;
    for &c in &input.bytes {
        // 0: fine so far; 1: a bad continuation byte; -1: a bad sequence.
        let mut complete = 0i8;
        if bytes_left > 0 {
            if c & 0xc0 != 0x80 {
                complete = 1;
            } else {
                codepoint = (codepoint << 6) | u32::from(c & 0x3f);
                seq.push(c);
                bytes_left -= 1;
                if bytes_left == 0 {
                    if codepoint > 0x10ffff || (codepoint & 0x1f_f800) == 0xd800 {
                        complete = -1;
                    } else {
                        out.extend_from_slice(&seq);
                        seq.clear();
                    }
                }
            }
        } else {
            if c & 0x80 == 0 {
                out.push(c);
                continue;
            }
            if c & 0xe0 == 0xc0 {
                if c == 0xc0 || c == 0xc1 {
                    complete = -1;
                } else {
                    bytes_left = 1;
                    codepoint = u32::from(c & 0x1f);
                }
            } else if c & 0xf0 == 0xe0 {
                bytes_left = 2;
                codepoint = u32::from(c & 0x0f);
            } else if c & 0xf8 == 0xf0 {
                bytes_left = 3;
                codepoint = u32::from(c & 0x07);
            } else {
                complete = -1;
            }
            seq.clear();
            seq.push(c);
        }
        if complete != 0 {
            bytes_left = 0;
            seq.clear();
            out.push(b'?');
        }
        if complete == 1 && c & 0x80 == 0 {
            out.push(c);
        }
    }
    if bytes_left != 0 {
        out.push(b'?');
    }
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    type Op = fn(&mut Evaluator, Option<&str>, &Value) -> OpResult;

    fn run_ctx(ctx: &mut Context, f: Op, input: &[u8]) -> Result<Vec<u8>, String> {
        let mut ev = Evaluator::new(ctx);
        f(&mut ev, None, &Value::new(input))
            .map(|v| v.bytes)
            .map_err(|e| e.to_string())
    }

    type Case<'a> = (&'a [u8], Result<&'a [u8], &'a str>);

    fn check(f: Op, cases: &[Case]) {
        for (input, want) in cases {
            let want = want.map(<[u8]>::to_vec).map_err(str::to_string);
            let got = run_ctx(&mut Context::new(), f, input);
            assert_eq!(got, want, "input {:?}", String::from_utf8_lossy(input));
        }
    }

    // Expected values from Exim 4.96 (operators.jsonl, utf8.jsonl,
    // testsuite.jsonl and `exim -be`).
    #[test]
    fn rfc2047_encoding() {
        check(
            rfc2047,
            &[
                (b"abc", Ok(b"abc")),
                (b"a b", Ok(b"a b")),
                (b"a=b", Ok(b"=?UTF-8?Q?a=3Db?=")),
                (b"=?", Ok(b"=?UTF-8?Q?=3D=3F?=")),
                (b"a_b", Ok(b"=?UTF-8?Q?a=5Fb?=")),
                (b"<:ab cd:>", Ok(b"=?UTF-8?Q?=3C=3Aab_cd=3A=3E?=")),
                ("a ü b".as_bytes(), Ok(b"=?UTF-8?Q?a_=C3=BC_b?=")),
                (b"\xfc", Ok(b"=?UTF-8?Q?=FC?=")),
                (
                    "a very long header value that goes beyond the seventy-five character limit of an encoded word äöü".as_bytes(),
                    Ok(b"=?UTF-8?Q?a_very_long_header_value_that_goes_beyond_the_seventy-five_character?= =?UTF-8?Q?_limit_of_an_encoded_word_=C3=A4=C3=B6=C3=BC?="),
                ),
            ],
        );
        let mut ctx = Context::new();
        ctx.options
            .insert("headers_charset".into(), "iso-8859-8".into());
        assert_eq!(
            run_ctx(
                &mut ctx,
                rfc2047,
                b" here we go: a string that is going to be encoded: it will go over the 75-char limit"
            ),
            Ok(b"=?iso-8859-8?Q?_here_we_go=3A_a_string_that_is_going_to_be_encoded=3A_it_will_go_ov?= =?iso-8859-8?Q?er_the_75-char_limit?=".to_vec())
        );
    }

    #[test]
    fn rfc2047_decoding() {
        check(
            rfc2047d,
            &[
                (b"=?utf-8?Q?a=C3=A4b?=", Ok("aäb".as_bytes())),
                (b"=?utf-8?B?w6Q=?=", Ok("ä".as_bytes())),
                (b"=?iso-8859-1?Q?a=E4b?=", Ok("aäb".as_bytes())),
                (b"=?ISO-8859-1?B?/A==?=", Ok("ü".as_bytes())),
                (b"x =?utf-8?Q?a?= =?utf-8?Q?b?= y", Ok(b"x ab y")),
                (b"=?utf-8?Q?a?==?utf-8?Q?b?=", Ok(b"ab")),
                (b"=?utf-8?q?a=20b?=", Ok(b"a b")),
                (b"=?utf-8?B?!!?=", Ok(b"=?utf-8?B?!!?=")),
                (b"=?utf-8?Q?a=00b?=", Ok(b"a?b")),
                (b"=?utf-8?Q?a?= x =?utf-8?Q?b?=", Ok(b"a x b")),
                (b"=?utf-16?Q?=00a?=", Ok(b"\xe6\x84\x80")),
                (b"=?utf8?Q?a=FFb?=", Ok(b"a\xffb")),
                (b"abcd      abcd", Ok(b"abcd      abcd")),
                (
                    b"=?x?Q?a?=",
                    Err(
                        "iconv_open(\"UTF-8\", \"x\") failed: Invalid argument (maybe unsupported conversion)",
                    ),
                ),
            ],
        );
    }

    #[test]
    fn from_utf8_cases() {
        check(
            from_utf8,
            &[
                (b"abc", Ok(b"abc")),
                ("ä".as_bytes(), Ok(b"\xe4")),
                ("€".as_bytes(), Ok(b"_")),
                ("€uro".as_bytes(), Ok(b"_uro")),
                ("aĀd".as_bytes(), Ok(b"a_d")),
                ("aÀÿd".as_bytes(), Ok(b"a\xc0\xffd")),
                (b"\xff", Ok(b"_")),
                (b"\xe2\x82", Ok(b"_")),
                (b"\xc3", Ok(b"\xc0")),
                (b"a\xc3b", Ok(b"a\xe2")),
                (b"\x80", Ok(b"\x80")),
            ],
        );
    }

    #[test]
    fn utf8clean_cases() {
        check(
            utf8clean,
            &[
                (b"abc", Ok(b"abc")),
                ("ä".as_bytes(), Ok("ä".as_bytes())),
                (b"\xc3", Ok(b"?")),
                (b"\xff", Ok(b"?")),
                (b"a\xc3b", Ok(b"a?b")),
                (b"\xe2\x82", Ok(b"?")),
                (b"\xe2\x82\xac", Ok("€".as_bytes())),
                (b"\xf4\x90\x80\x80", Ok(b"?")),
                (b"\xf4\x90\x80\x80z", Ok(b"?z")),
                (b"\xc0\xaf", Ok(b"??")),
                (b"\xf0\x9f\x98\x80", Ok("😀".as_bytes())),
                (b"\xf8\x88\x80\x80\x80", Ok(b"?????")),
                (b"\xe0\x80\x80", Ok(b"\xe0\x80\x80")),
                (b"\xf4\x8f\xbf\xbf", Ok(b"\xf4\x8f\xbf\xbf")),
                (b"\xed\xa0\x80", Ok(b"?")),
                (b"\xed\xa0\x80z", Ok(b"?z")),
                (b"\xe2\xc3\xa4", Ok(b"??")),
            ],
        );
    }
}
