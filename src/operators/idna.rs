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
            let u = punycode_decode(code).map_err(|_| "string contains invalid punycode data")?;
            let u = String::from_utf8_lossy(&u).into_owned();
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

/// libidn's punycode decoding, with its error texts.
fn punycode_decode(code: &[u8]) -> Result<Vec<u8>, &'static str> {
    let text = std::str::from_utf8(code).map_err(|_| "Invalid input")?;
    if !text.is_ascii() {
        return Err("Invalid input");
    }
    match idna::punycode::decode_to_string(text) {
        Some(s) => Ok(s.into_bytes()),
        None => Err(punycode_failure(text)),
    }
}

/// Why RFC 3492 decoding of `text` fails, in libidn's words: a delta too
/// large for 32 bits is "String size limit exceeded", anything else (a
/// bad digit, input ending inside a delta) "Invalid input".
fn punycode_failure(text: &str) -> &'static str {
    const BASE: u32 = 36;
    let (tmin, tmax, skew, damp) = (1u32, 26u32, 38u32, 700u32);
    let digits = match text.rfind('-') {
        Some(i) => &text.as_bytes()[i + 1..],
        None => text.as_bytes(),
    };
    let basic = text.len() - digits.len();
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(u32::from(c - b'0') + 26),
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a')),
        _ => None,
    };
    let (mut n, mut i, mut bias, mut out) = (0x80u32, 0u32, 72u32, basic.saturating_sub(1) as u32);
    let mut pos = 0;
    while pos < digits.len() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let Some(&c) = digits.get(pos) else {
                return "Invalid input";
            };
            pos += 1;
            let Some(d) = digit(c) else {
                return "Invalid input";
            };
            let Some(next) = d.checked_mul(w).and_then(|x| i.checked_add(x)) else {
                return "String size limit exceeded";
            };
            i = next;
            let t = if k <= bias {
                tmin
            } else if k >= bias + tmax {
                tmax
            } else {
                k - bias
            };
            if d < t {
                break;
            }
            let Some(nw) = w.checked_mul(BASE - t) else {
                return "String size limit exceeded";
            };
            w = nw;
            k += BASE;
        }
        out += 1;
        // adapt(i - old_i, out, old_i == 0)
        let mut delta = (i - old_i) / if old_i == 0 { damp } else { 2 };
        delta += delta / out;
        let mut k = 0;
        while delta > ((BASE - tmin) * tmax) / 2 {
            delta /= BASE - tmin;
            k += BASE;
        }
        bias = k + (BASE - tmin + 1) * delta / (delta + skew);
        let Some(nn) = n.checked_add(i / out) else {
            return "String size limit exceeded";
        };
        n = nn;
        i %= out;
        i += 1;
    }
    "Invalid input"
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
