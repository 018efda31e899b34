//! The DKIM-Signature header and the key record, read as pdkim reads
//! them: tag names of lower-case letters only, all white space in values
//! dropped, unknown and empty tags ignored, `i=`, `z=` and `n=` decoded
//! from quoted-printable, base64 by Exim's `b64decode`.

use super::{Canon, HashAlg, KeyType};
use crate::lists::ListIter;

/// What one DKIM-Signature header says, before verification.
#[derive(Debug, Clone, Default)]
pub(super) struct SigTags {
    pub version: i8,
    pub key_type: Option<KeyType>,
    pub hash: Option<HashAlg>,
    pub canon_headers: Canon,
    pub canon_body: Canon,
    pub domain: Option<Vec<u8>>,
    pub selector: Option<Vec<u8>>,
    pub identity: Option<Vec<u8>>,
    pub created: u64,
    pub expires: u64,
    pub body_length: i64,
    pub header_names: Option<Vec<u8>>,
    pub copied_headers: Option<Vec<u8>>,
    /// `b=` decoded; `Some(empty)` cannot happen (an empty value is no tag).
    pub signature: Option<Vec<u8>>,
    /// `b=` was there but not base64 (pdkim then shows its length as 0).
    pub bad_signature: bool,
    pub body_hash: Option<Vec<u8>>,
    /// The header as signed: everything but the `b=` value, final line
    /// ends cut.
    pub unsigned_header: Vec<u8>,
}

/// Where the tag reader is: between tags, in a name, in a value.
#[derive(PartialEq, Eq)]
enum Where {
    Limbo,
    Tag,
    Value,
}

/// Reads a DKIM-Signature header (`raw`: the whole field, name included,
/// CRLF line ends).  `None` when the algorithm is missing or unknown:
/// pdkim drops such a signature without a word.
pub(super) fn signature_header(raw: &[u8]) -> Option<SigTags> {
    let mut sig = SigTags {
        body_length: -1,
        ..SigTags::default()
    };
    let mut copy = Vec::with_capacity(raw.len());
    let mut tag: Vec<u8> = Vec::new();
    let mut val: Vec<u8> = Vec::new();
    let mut past_name = false;
    let mut in_b = false;
    let mut at = Where::Limbo;
    // A NUL ends the C string pdkim reads.
    let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
    let chars = raw[..end].iter().copied().chain(std::iter::once(0));
    for (i, c) in chars.enumerate() {
        if c != b'\r' && c != b'\n' {
            if !past_name {
                past_name = c == b':';
            } else {
                if at == Where::Limbo && c.is_ascii_lowercase() {
                    at = Where::Tag;
                }
                if at == Where::Tag {
                    if c.is_ascii_lowercase() {
                        tag.push(c);
                    } else if c == b'=' {
                        in_b = tag == b"b";
                        if in_b {
                            copy.push(b'=');
                        }
                        at = Where::Value;
                    }
                } else if at == Where::Value && !matches!(c, b' ' | b'\t') {
                    if c == b';' || c == 0 {
                        take_tag(&mut sig, &tag, &val);
                        tag.clear();
                        val.clear();
                        in_b = false;
                        at = Where::Limbo;
                    } else {
                        val.push(c);
                    }
                }
            }
        }
        if i == end {
            break;
        }
        if !in_b {
            copy.push(c);
        }
    }
    sig.key_type?;
    sig.hash?;
    while copy.last().is_some_and(|&c| c == b'\r' || c == b'\n') && copy.len() > 1 {
        copy.pop();
    }
    sig.unsigned_header = copy;
    Some(sig)
}

/// Records one `tag=value` pair: tags are one letter, or `bh`.
fn take_tag(sig: &mut SigTags, tag: &[u8], val: &[u8]) {
    if tag.is_empty() || val.is_empty() || (tag.len() != 1 && tag[0] != b'b') {
        return;
    }
    let text = || Some(val.to_vec());
    match tag[0] {
        b'b' if tag.len() == 1 => match crate::base64::decode(val) {
            Some(b) => {
                sig.signature = Some(b);
                sig.bad_signature = false;
            }
            None => {
                sig.signature = None;
                sig.bad_signature = true;
            }
        },
        b'b' if tag == b"bh" => sig.body_hash = crate::base64::decode(val),
        b'b' => {}
        b'v' => sig.version = if val == b"1" { 1 } else { -1 },
        b'a' => algorithm(sig, val),
        b'c' => {
            if let Some((h, b)) = canons(val) {
                sig.canon_headers = h;
                sig.canon_body = b;
            }
        }
        b's' => sig.selector = text(),
        b'd' => sig.domain = text(),
        b'i' => sig.identity = Some(decode_qp(val)),
        b't' => sig.created = crate::cnum::strtoul(val).0,
        b'x' => sig.expires = crate::cnum::strtoul(val).0,
        b'l' => sig.body_length = crate::cnum::strtol(val).0,
        b'h' => sig.header_names = text(),
        b'z' => sig.copied_headers = Some(decode_qp(val)),
        _ => {}
    }
}

/// `a=KEY-HASH`, split as an Exim list with `-` for separator.
fn algorithm(sig: &mut SigTags, val: &[u8]) {
    let mut parts = ListIter::with_sep(val, b'-');
    if let Some(k) = parts.next() {
        sig.key_type = KeyType::from_name(&k);
    }
    if let Some(h) = parts.next() {
        sig.hash = HashAlg::from_name(&h);
    }
}

/// `c=`: one of pdkim's six spellings, else the default stays.
fn canons(val: &[u8]) -> Option<(Canon, Canon)> {
    use Canon::{Relaxed, Simple};
    Some(match val {
        b"simple/simple" | b"simple" => (Simple, Simple),
        b"simple/relaxed" => (Simple, Relaxed),
        b"relaxed/simple" | b"relaxed" => (Relaxed, Simple),
        b"relaxed/relaxed" => (Relaxed, Relaxed),
        _ => return None,
    })
}

/// pdkim's quoted-printable decoding: `=XX` is the byte; a `=` not
/// followed by two hex digits is dropped.
pub(super) fn decode_qp(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'=' {
            let hex = |c: Option<&u8>| c.and_then(|&c| char::from(c).to_digit(16));
            if let (Some(h), Some(l)) = (hex(s.get(i + 1)), hex(s.get(i + 2))) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        } else {
            out.push(s[i]);
        }
        i += 1;
    }
    out
}

/// A key record (`v=DKIM1; k=rsa; p=...`) as pdkim reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// `h=`: the hashes the key may be used with, a colon list.
    pub hashes: Option<Vec<u8>>,
    /// `k=` (default `rsa`; pdkim goes by the signature's `a=` instead).
    pub key_type: Vec<u8>,
    /// `g=` (default `*`).
    pub granularity: Vec<u8>,
    /// `n=`, decoded.
    pub notes: Option<Vec<u8>>,
    /// `s=` (default `*`).
    pub srvtype: Vec<u8>,
    /// `t=` holds a `y`.
    pub testing: bool,
    /// `t=` holds an `s`.
    pub no_subdomains: bool,
    /// `p=`, decoded (maybe empty: a revoked key).
    pub key: Vec<u8>,
}

/// Reads a key record: elements of a `;` list, each named by its first
/// character.  `None` for a `v=` other than `DKIM1` or a missing or
/// undecodable `p=`.
pub(crate) fn key_record(text: &[u8]) -> Option<KeyRecord> {
    let text = &text[..text.iter().position(|&c| c == 0).unwrap_or(text.len())];
    let mut version = None;
    let mut rec = KeyRecord {
        hashes: None,
        key_type: b"rsa".to_vec(),
        granularity: b"*".to_vec(),
        notes: None,
        srvtype: b"*".to_vec(),
        testing: false,
        no_subdomains: false,
        key: Vec::new(),
    };
    let mut key = None;
    for ele in ListIter::with_sep(text, b';') {
        let Some(eq) = ele.iter().position(|&c| c == b'=') else {
            continue;
        };
        let val = ele[eq + 1..].to_vec();
        match ele[0] {
            b'v' => version = Some(val),
            b'h' => rec.hashes = Some(val),
            b'k' => rec.key_type = val,
            b'g' => rec.granularity = val,
            b'n' => rec.notes = Some(decode_qp(&val)),
            b'p' => key = crate::base64::decode(&val),
            b's' => rec.srvtype = val,
            b't' => {
                rec.testing |= val.contains(&b'y');
                rec.no_subdomains |= val.contains(&b's');
            }
            _ => {}
        }
    }
    if version.is_some_and(|v| v != b"DKIM1") {
        return None;
    }
    rec.key = key?;
    Some(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_as_pdkim() {
        let h = b"DKIM-Signature: v=1; a=rsa-sha256; d=ex\r\n\t ample.test; s = sel;\r\n\tb=QUJD\r\n\t REVG; bh=QUJD; foo=bar; i=a=40b; l=12; h=From : To\r\n";
        let s = signature_header(h).unwrap();
        assert_eq!(s.domain.as_deref(), Some(&b"example.test"[..]));
        assert_eq!(s.selector.as_deref(), Some(&b"sel"[..]));
        assert_eq!(s.identity.as_deref(), Some(&b"a@b"[..]));
        assert_eq!(s.header_names.as_deref(), Some(&b"From:To"[..]));
        assert_eq!(s.signature.as_deref(), Some(&b"ABCDEF"[..]));
        assert_eq!(s.body_length, 12);
        assert_eq!(
            s.unsigned_header,
            b"DKIM-Signature: v=1; a=rsa-sha256; d=ex\r\n\t ample.test; s = sel;\r\n\tb=; bh=QUJD; foo=bar; i=a=40b; l=12; h=From : To".to_vec()
        );
        let cases: [(&[u8], bool); 4] = [
            (b"DKIM-Signature: v=1; d=x", false),
            (b"DKIM-Signature: a=rsa-md5; d=x", false),
            (b"DKIM-Signature: a=ed25519-sha512", true),
            (b"DKIM-Signature: A=rsa-sha1; a=rsa--sha1", false),
        ];
        for (h, kept) in cases {
            assert_eq!(
                signature_header(h).is_some(),
                kept,
                "{}",
                String::from_utf8_lossy(h)
            );
        }
    }

    #[test]
    fn reads_key_records_as_pdkim() {
        let r = key_record(b"v=DKIM1; t=y:s; n=a=20b; p=QUJD").unwrap();
        assert!(r.testing && r.no_subdomains);
        assert_eq!(r.notes.as_deref(), Some(&b"a b"[..]));
        assert_eq!(r.key, b"ABC");
        let none: [&[u8]; 4] = [
            b"v=DKIM2; p=QUJD",
            b"v=DKIM1",
            b"p=QU*D",
            b"v = DKIM1; p=QUJD",
        ];
        for t in none {
            assert_eq!(key_record(t), None, "{}", String::from_utf8_lossy(t));
        }
        assert_eq!(key_record(b"p=").unwrap().key, b"");
        assert_eq!(decode_qp(b"a=4Ax=4="), b"aJx4");
    }
}
