//! Base 64 as Exim writes and reads it (`b64encode`, `b64decode`): shared
//! by the `base64` operators, `crypteq`, MIME words and the signature
//! provider's PEM reader.

use crate::lists::is_space;

const BASE64_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base 64 with `=` padding (Exim's `b64encode`).
pub(crate) fn encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b0 = chunk[0];
        let b1 = chunk.get(1).copied();
        let b2 = chunk.get(2).copied();
        out.push(BASE64_CHARS[usize::from(b0 >> 2)]);
        match b1 {
            None => {
                out.push(BASE64_CHARS[usize::from((b0 << 4) & 63)]);
                out.extend_from_slice(b"==");
            }
            Some(b1) => {
                out.push(BASE64_CHARS[usize::from(((b0 << 4) | (b1 >> 4)) & 63)]);
                match b2 {
                    None => {
                        out.push(BASE64_CHARS[usize::from((b1 << 2) & 63)]);
                        out.push(b'=');
                    }
                    Some(b2) => {
                        out.push(BASE64_CHARS[usize::from(((b1 << 2) | (b2 >> 6)) & 63)]);
                        out.push(BASE64_CHARS[usize::from(b2 & 63)]);
                    }
                }
            }
        }
    }
    out
}

fn value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Exim's `b64decode`: white space anywhere is skipped; input must come in
/// complete quanta of four, the last one possibly padded with `=`; nothing
/// but white space may follow padding.  The decoded bytes may contain NULs.
/// `None` for malformed input.
pub(crate) fn decode(code: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(code.len() / 4 * 3 + 3);
    let mut p = 0;
    // The next byte after skipping white space; 0 at the end (C string).
    let next_nonspace = |p: &mut usize| -> u8 {
        loop {
            let c = code.get(*p).copied().unwrap_or(0);
            *p += 1;
            if !is_space(c) {
                return c;
            }
        }
    };
    loop {
        let c = code.get(p).copied().unwrap_or(0);
        p += 1;
        if c == 0 {
            break;
        }
        if is_space(c) {
            continue;
        }
        let x = value(c)?;
        let y = value(next_nonspace(&mut p))?;
        out.push((x << 2) | (y >> 4));
        let c3 = next_nonspace(&mut p);
        if c3 == b'=' {
            if next_nonspace(&mut p) != b'=' || next_nonspace(&mut p) != 0 {
                return None;
            }
            break;
        }
        let x = value(c3)?;
        out.push((y << 4) | (x >> 2));
        let c4 = next_nonspace(&mut p);
        if c4 == b'=' {
            if next_nonspace(&mut p) != 0 {
                return None;
            }
            break;
        }
        let y = value(c4)?;
        out.push((x << 6) | y);
    }
    Some(out)
}
