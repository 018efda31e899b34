//! The SMTPUTF8 operators `utf8_domain_to_alabel`, `utf8_domain_from_alabel`,
//! `utf8_localpart_to_alabel`, `utf8_localpart_from_alabel`, as Debian's
//! Exim 4.96 does them with libidn2 (IDNA2008 with UTS #46 mapping) and
//! libidn's punycode.  Built on the `idna` crate; the IDNA2008 rules that
//! UTS #46 does not apply (symbols and punctuation are disallowed) are
//! checked here, and errors are worded like libidn2's.

use super::{OpResult, msg};
use crate::eval::{Evaluator, Value};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

fn printing(s: &[u8]) -> Vec<u8> {
    super::quote::string_printing(s, false)
}

fn to_alabel_error(input: &[u8], why: &str) -> Vec<u8> {
    msg(&[
        b"error converting utf8 (",
        &printing(input),
        b") to alabel: ",
        why.as_bytes(),
    ])
}

fn from_alabel_error(input: &[u8], why: &str) -> Vec<u8> {
    msg(&[
        b"error converting alabel (",
        &printing(input),
        b") to utf8: ",
        why.as_bytes(),
    ])
}

/// IDNA2008 (RFC 5892) admits letters, marks and decimal digits only.
fn idna2008_letter_digit(c: char) -> bool {
    c.is_ascii()
        || matches!(
            c.general_category(),
            GeneralCategory::LowercaseLetter
                | GeneralCategory::OtherLetter
                | GeneralCategory::ModifierLetter
                | GeneralCategory::NonspacingMark
                | GeneralCategory::SpacingMark
                | GeneralCategory::DecimalNumber
        )
}

/// Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, ...).
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// Converts a UTF-8 domain to its A-label form (the IDNA error text as
/// libidn2 words it).
pub fn domain_to_alabel(input: &[u8]) -> Result<Vec<u8>, &'static str> {
    // Plain-ASCII domains are returned as they are (not even lower-cased).
    if input.is_ascii() {
        return Ok(input.to_vec());
    }
    let lowered: Vec<u8> = input.iter().map(|c| c.to_ascii_lowercase()).collect();
    if std::str::from_utf8(&lowered).is_err() {
        return Err("string encoding error");
    }
    // ASCII labels of a domain that is not all ASCII: libidn2 checks their
    // length and decodes the ones that claim to be A-labels.
    for label in lowered.split(|&c| c == b'.').filter(|l| l.is_ascii()) {
        if label.len() > 63 {
            return Err("domain label longer than 63 characters");
        }
        if let Some(code) = label.strip_prefix(b"xn--") {
            let u = punycode_decode_strict(code).ok_or("string contains invalid punycode data")?;
            if !u.chars().all(|c| {
                !c.is_control()
                    && (c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
                    && idna2008_letter_digit(c)
            }) {
                return Err("domain label has character forbidden in non-transitional mode (TR46)");
            }
        }
    }
    let uts46 = Uts46::new();
    let (mapped, _) = uts46.to_unicode(&lowered, AsciiDenyList::EMPTY, Hyphens::Allow);
    for label in mapped.split('.') {
        if label.starts_with('-') || label.ends_with('-') {
            return Err("string start/ends with forbidden hyphen");
        }
        // U+FFFD stands for what the mapping itself rejected (see below).
        if !label
            .chars()
            .all(|c| c == '\u{fffd}' || idna2008_letter_digit(c))
        {
            return Err("string contains a disallowed character");
        }
    }
    // libidn2 decodes what it encoded and compares: ASCII other than
    // letters, digits, `-` and `_` in a label that is not all ASCII does
    // not survive that.
    for label in lowered.split(|&c| c == b'.').filter(|l| !l.is_ascii()) {
        let odd = |c: &u8| c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'));
        if label.iter().any(odd) {
            return Err("A-label roundtrip failed");
        }
    }
    match uts46.to_ascii(
        &lowered,
        AsciiDenyList::EMPTY,
        Hyphens::CheckFirstLast,
        DnsLength::Ignore,
    ) {
        Ok(a) if a.split('.').any(|l| l.len() > 63) => {
            Err("punycode encoded data will be too large")
        }
        Ok(a) => Ok(a.into_owned().into_bytes()),
        Err(_) if String::from_utf8_lossy(&lowered).chars().any(is_rtl) => {
            Err("string has forbidden bi-directional properties")
        }
        Err(_) => Err("string contains a disallowed character"),
    }
}

/// Decodes the `xn--` labels of a domain (others are kept as they are).
/// The labels are read as an Exim list with `.` as separator, as Exim 4.96
/// does: white space around a label is dropped, `..` is a `.` inside a
/// label, an empty label adds nothing, and the result is joined as a list
/// again (a `.` inside a label doubled).
pub fn domain_from_alabel(input: &[u8]) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(input.len());
    for label in crate::lists::ListIter::with_sep(input, b'.') {
        let label = match label.strip_prefix(b"xn--") {
            Some(code) => punycode_decode(code)?,
            None => label,
        };
        // Exim's string_append_listele: a separator only after something.
        if !out.is_empty() {
            out.push(b'.');
        }
        for &c in &label {
            if c == b'.' {
                out.push(b'.');
            }
            out.push(c);
        }
    }
    Ok(out)
}

/// Strict RFC 3492 decoding, as libidn2 checks an A-label.
fn punycode_decode_strict(code: &[u8]) -> Option<String> {
    idna::punycode::decode_to_string(std::str::from_utf8(code).ok()?)
}

const BAD_INPUT: &str = "Invalid input";
const OVERFLOW: &str = "String size limit exceeded";

/// A punycode digit's value as libidn's decoder computes it: on a signed
/// `char`, anything below `0` counts as `c - 22` (so `.` is 24 and a space
/// 10), and what comes out negative or at least 36 is bad input.
fn libidn_digit(c: u8) -> Option<u32> {
    let c = i32::from(c as i8);
    let d = if c - 48 < 10 {
        c - 22
    } else if c - 65 < 26 {
        c - 65
    } else if c - 97 < 26 {
        c - 97
    } else {
        36
    };
    u32::try_from(d).ok().filter(|&d| d < 36)
}

/// libidn's `punycode_decode` followed by its UCS-4 to UTF-8 conversion,
/// as Exim 4.96's `utf8_*_from_alabel` use them, with libidn's error
/// texts.  Its quirks are Exim's: the code points after the last `-` are
/// read with [`libidn_digit`], and a `-` at the start is a digit too.
fn punycode_decode(code: &[u8]) -> Result<Vec<u8>, &'static str> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    let delim = code.iter().rposition(|&c| c == b'-').unwrap_or(0);
    let mut output: Vec<u32> = Vec::with_capacity(code.len());
    for &c in &code[..delim] {
        if !c.is_ascii() {
            return Err(BAD_INPUT);
        }
        output.push(u32::from(c));
    }
    let (mut n, mut i, mut bias) = (0x80u32, 0u32, 72u32);
    let mut pos = if delim > 0 { delim + 1 } else { 0 };
    while pos < code.len() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let &c = code.get(pos).ok_or(BAD_INPUT)?;
            pos += 1;
            let d = libidn_digit(c).ok_or(BAD_INPUT)?;
            if d > (u32::MAX - i) / w {
                return Err(OVERFLOW);
            }
            i += d * w;
            let t = if k <= bias {
                TMIN
            } else if k >= bias + TMAX {
                TMAX
            } else {
                k - bias
            };
            if d < t {
                break;
            }
            if w > u32::MAX / (BASE - t) {
                return Err(OVERFLOW);
            }
            w *= BASE - t;
            k += BASE;
        }
        let out = output.len() as u32 + 1;
        bias = punycode_adapt(i - old_i, out, old_i == 0);
        if i / out > u32::MAX - n {
            return Err(OVERFLOW);
        }
        n += i / out;
        if n > 0x10FFFF || (0xD800..=0xDBFF).contains(&n) {
            return Err(BAD_INPUT);
        }
        i %= out;
        output.insert(i as usize, n);
        i += 1;
    }
    Ok(ucs4_to_utf8(&output))
}

/// RFC 3492's bias adaptation.
fn punycode_adapt(delta: u32, points: u32, first: bool) -> u32 {
    let (base, tmin, tmax, skew, damp) = (36u32, 1u32, 26u32, 38u32, 700u32);
    let mut delta = if first { delta / damp } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((base - tmin) * tmax) / 2 {
        delta /= base - tmin;
        k += base;
    }
    k + (base - tmin + 1) * delta / (delta + skew)
}

/// UTF-8 as libidn writes it: any code point, the low surrogates that its
/// decoder lets through included.
fn ucs4_to_utf8(points: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for &u in points {
        match u {
            0..=0x7F => out.push(u as u8),
            0x80..=0x7FF => out.extend([0xC0 | (u >> 6) as u8, 0x80 | (u & 0x3F) as u8]),
            0x800..=0xFFFF => out.extend([
                0xE0 | (u >> 12) as u8,
                0x80 | ((u >> 6) & 0x3F) as u8,
                0x80 | (u & 0x3F) as u8,
            ]),
            _ => out.extend([
                0xF0 | (u >> 18) as u8,
                0x80 | ((u >> 12) & 0x3F) as u8,
                0x80 | ((u >> 6) & 0x3F) as u8,
                0x80 | (u & 0x3F) as u8,
            ]),
        }
    }
    out
}

pub fn utf8_domain_to_alabel(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    match domain_to_alabel(&input.bytes) {
        Ok(v) => Ok(v.into()),
        Err(why) => Err(to_alabel_error(&input.bytes, why).into()),
    }
}

pub fn utf8_domain_from_alabel(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    // Exim 4.96 crashes on an empty string; we fail cleanly instead.
    if input.bytes.is_empty() {
        return Err(from_alabel_error(b"", "empty domain").into());
    }
    match domain_from_alabel(&input.bytes) {
        Ok(v) => Ok(v.into()),
        Err(why) => Err(from_alabel_error(&input.bytes, why).into()),
    }
}

pub fn utf8_localpart_to_alabel(
    _ev: &mut Evaluator,
    _arg: Option<&str>,
    input: &Value,
) -> OpResult {
    let s = &input.bytes;
    if s.is_ascii() {
        return Ok(s.clone().into());
    }
    let text = std::str::from_utf8(s).map_err(|_| to_alabel_error(s, "l_u2a: bad UTF-8 input"))?;
    match idna::punycode::encode_str(text) {
        Some(p) => Ok(msg(&[b"xn--", p.as_bytes()]).into()),
        None => Err(to_alabel_error(s, "String size limit exceeded").into()),
    }
}

pub fn utf8_localpart_from_alabel(
    _ev: &mut Evaluator,
    _arg: Option<&str>,
    input: &Value,
) -> OpResult {
    let s = &input.bytes;
    match s.strip_prefix(b"xn--") {
        Some(code) => match punycode_decode(code) {
            Ok(v) => Ok(v.into()),
            Err(why) => Err(from_alabel_error(s, why).into()),
        },
        None => Err(from_alabel_error(s, "bad alabel prefix").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{check_ops as check, run_op as run};

    // Expected values from Exim 4.96 (utf8.jsonl and `exim -be`).
    #[test]
    fn domains_to_alabel() {
        check(&[
            (
                utf8_domain_to_alabel,
                None,
                "bücher.example",
                Ok("xn--bcher-kva.example"),
            ),
            (
                utf8_domain_to_alabel,
                None,
                "example.com",
                Ok("example.com"),
            ),
            (
                utf8_domain_to_alabel,
                None,
                "BÜCHER.example",
                Ok("xn--bcher-kva.example"),
            ),
            (utf8_domain_to_alabel, None, "ÄÖÜ.de", Ok("xn--4ca0bs.de")),
            (utf8_domain_to_alabel, None, "", Ok("")),
            (utf8_domain_to_alabel, None, "a..b", Ok("a..b")),
            (utf8_domain_to_alabel, None, "a_b.ü", Ok("a_b.xn--tda")),
            (utf8_domain_to_alabel, None, "ß.de", Ok("xn--zca.de")),
            (utf8_domain_to_alabel, None, "a.ü.", Ok("a.xn--tda.")),
            (utf8_domain_to_alabel, None, "Ⅻ.com", Ok("xii.com")),
            (
                utf8_domain_to_alabel,
                None,
                "xn--bcher-kva.ü",
                Ok("xn--bcher-kva.xn--tda"),
            ),
            (
                utf8_domain_to_alabel,
                None,
                "☃.example",
                Err(
                    "error converting utf8 (\\342\\230\\203.example) to alabel: string contains a disallowed character",
                ),
            ),
            (
                utf8_domain_to_alabel,
                None,
                "x€.com",
                Err(
                    "error converting utf8 (x\\342\\202\\254.com) to alabel: string contains a disallowed character",
                ),
            ),
            (
                utf8_domain_to_alabel,
                None,
                "-ü.de",
                Err(
                    "error converting utf8 (-\\303\\274.de) to alabel: string start/ends with forbidden hyphen",
                ),
            ),
            (
                utf8_domain_to_alabel,
                None,
                "١.com",
                Err(
                    "error converting utf8 (\\331\\241.com) to alabel: string has forbidden bi-directional properties",
                ),
            ),
        ]);
        assert_eq!(
            run(utf8_domain_to_alabel, None, "\u{ff}"),
            Ok("xn--wda".to_string()),
            "valid UTF-8 for U+00FF"
        );
    }

    #[test]
    fn invalid_utf8_is_an_encoding_error() {
        let mut ctx = crate::Context::new();
        let r = crate::expand(b"${utf8_domain_to_alabel:\\xff.example}", &mut ctx).unwrap_err();
        assert_eq!(
            r.message_str(),
            "error converting utf8 (\\377.example) to alabel: string encoding error"
        );
    }

    #[test]
    fn alabels_to_utf8_and_local_parts() {
        check(&[
            (
                utf8_domain_from_alabel,
                None,
                "xn--bcher-kva.example",
                Ok("bücher.example"),
            ),
            (
                utf8_domain_from_alabel,
                None,
                "example.com",
                Ok("example.com"),
            ),
            (
                utf8_domain_from_alabel,
                None,
                "xn--invalid-.example",
                Ok("invalid.example"),
            ),
            (utf8_domain_from_alabel, None, "xn--zca.de", Ok("ß.de")),
            (
                utf8_domain_from_alabel,
                None,
                "xn--n3h.example",
                Ok("☃.example"),
            ),
            (
                utf8_domain_from_alabel,
                None,
                "XN--bcher-kva.example",
                Ok("XN--bcher-kva.example"),
            ),
            (utf8_localpart_to_alabel, None, "üser", Ok("xn--ser-goa")),
            (utf8_localpart_to_alabel, None, "user", Ok("user")),
            (utf8_localpart_to_alabel, None, "ÜSER", Ok("xn--SER-ska")),
            (utf8_localpart_from_alabel, None, "xn--ser-0ra", Ok("sěer")),
            (utf8_localpart_from_alabel, None, "xn--", Ok("")),
            (
                utf8_localpart_from_alabel,
                None,
                "user",
                Err("error converting alabel (user) to utf8: bad alabel prefix"),
            ),
            (
                utf8_localpart_from_alabel,
                None,
                "xn--ü",
                Err("error converting alabel (xn--\\303\\274) to utf8: Invalid input"),
            ),
            (
                utf8_localpart_from_alabel,
                None,
                "xn--9999999999a",
                Err(
                    "error converting alabel (xn--9999999999a) to utf8: String size limit exceeded",
                ),
            ),
        ]);
    }
}
