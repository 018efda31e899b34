//! PCRE2 regular expressions, compiled as Exim compiles them (no UTF mode,
//! so `.` matches a byte) and cached per pattern.

use pcre2::bytes::{Regex, RegexBuilder};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

thread_local! {
    static CACHE: RefCell<HashMap<Vec<u8>, Rc<Regex>>> = RefCell::new(HashMap::new());
}

const CACHE_LIMIT: usize = 1000;

/// Compiles a pattern; errors use Exim's wording.
pub fn compile(pattern: &[u8]) -> Result<Rc<Regex>, Vec<u8>> {
    if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    let re = RegexBuilder::new()
        .build(&byte_pattern(pattern))
        .map_err(|e| {
            let offset = original_offset(pattern, e.offset().unwrap_or(0));
            let mut m = b"regular expression error in \"".to_vec();
            m.extend_from_slice(pattern);
            m.extend_from_slice(format!("\": {} at offset {offset}", pcre2_message(&e)).as_bytes());
            m
        })?;
    let re = Rc::new(re);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        c.insert(pattern.to_vec(), re.clone());
    });
    Ok(re)
}

/// An offset in [`byte_pattern`]'s text as an offset in the original bytes
/// (each byte >= 0x80 took six characters there).
fn original_offset(p: &[u8], offset: usize) -> usize {
    let mut escaped = 0;
    for (i, &b) in p.iter().enumerate() {
        escaped += if b < 0x80 { 1 } else { 6 };
        if escaped > offset {
            return i;
        }
    }
    p.len()
}

/// The pattern as text for the PCRE2 binding: bytes >= 0x80 become
/// `\x{..}` escapes, which (outside UTF mode) match those bytes, so 8-bit
/// patterns behave as in Exim.
fn byte_pattern(p: &[u8]) -> String {
    let mut out = String::with_capacity(p.len());
    for &b in p {
        if b < 0x80 {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{{{b:02x}}}"));
        }
    }
    out
}

/// PCRE2's own message for a compile error, without the crate's prefix.
fn pcre2_message(e: &pcre2::Error) -> String {
    // The crate renders "PCRE2: error compiling pattern at offset N: MSG".
    let s = e.to_string();
    match s.rfind(": ") {
        Some(i) => s[i + 2..].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    /// Exim 4.96 `-be`: the pattern is quoted as its bytes and the offset
    /// counts bytes of the pattern.
    #[test]
    fn errors_quote_bytes_and_count_their_offsets() {
        let cases: &[(&[u8], &[u8])] = &[
            (
                b"\xe9\xe9(",
                b"regular expression error in \"\xe9\xe9(\": missing closing parenthesis at offset 3",
            ),
            (
                b"\xe9(\xe9",
                b"regular expression error in \"\xe9(\xe9\": missing closing parenthesis at offset 3",
            ),
            (
                b"\xff[",
                b"regular expression error in \"\xff[\": missing terminating ] for character class at offset 2",
            ),
        ];
        for (pattern, want) in cases {
            let got = super::compile(pattern).err();
            assert_eq!(got.as_deref(), Some(*want), "{pattern:?}");
        }
    }
}
