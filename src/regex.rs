//! PCRE2 regular expressions, compiled as Exim compiles them (no UTF mode,
//! so `.` matches a byte) and cached per pattern.

use pcre2::bytes::{Regex, RegexBuilder};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Compiled patterns by pattern, one map per flag set (caseless or not),
/// so that a lookup borrows the pattern instead of building a key.
type Cache = [HashMap<Vec<u8>, Rc<Regex>, foldhash::fast::RandomState>; 2];

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::default();
}

/// How many patterns of one flag set are kept; past it the cache starts
/// afresh (a configuration has far fewer; expanded patterns could have
/// any number).
const CACHE_LIMIT: usize = 1000;

/// `pattern` compiled as Exim compiles it, `caseless` or not, from the
/// cache when it was compiled before: a repeated `match`, `sg` or list
/// regex costs what matching costs.
pub fn compiled(pattern: &[u8], caseless: bool) -> Result<Rc<Regex>, pcre2::Error> {
    let flags = usize::from(caseless);
    if let Some(r) = CACHE.with(|c| c.borrow()[flags].get(pattern).cloned()) {
        return Ok(r);
    }
    let re = Rc::new(
        RegexBuilder::new()
            .caseless(caseless)
            .build(&byte_pattern(pattern))?,
    );
    CACHE.with(|c| {
        let map = &mut c.borrow_mut()[flags];
        if map.len() >= CACHE_LIMIT {
            map.clear();
        }
        map.insert(pattern.to_vec(), re.clone());
    });
    Ok(re)
}

/// Compiles a pattern (case matters); errors use Exim's wording.
pub fn compile(pattern: &[u8]) -> Result<Rc<Regex>, Vec<u8>> {
    compiled(pattern, false).map_err(|e| {
        let offset = original_offset(pattern, e.offset().unwrap_or(0));
        let mut m = b"regular expression error in \"".to_vec();
        m.extend_from_slice(pattern);
        m.extend_from_slice(format!("\": {} at offset {offset}", pcre2_message(&e)).as_bytes());
        m
    })
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
pub(crate) fn pcre2_message(e: &pcre2::Error) -> String {
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
