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
pub fn compile(pattern: &[u8]) -> Result<Rc<Regex>, String> {
    if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    let pat = String::from_utf8_lossy(pattern);
    let re = RegexBuilder::new()
        .build(&byte_pattern(pattern))
        .map_err(|e| {
            let offset = e.offset().unwrap_or(0);
            format!(
                "regular expression error in \"{}\": {} at offset {}",
                pat,
                pcre2_message(&e),
                offset
            )
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
