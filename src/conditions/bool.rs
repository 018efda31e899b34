//! `bool{}` and `bool_lax{}`: a string read as a boolean.

use crate::eval::{Evaluator, Failure, Value};

/// `bool{}`: true/yes/false/no (caseless) or an integer.
pub fn bool_strict(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    let t = crate::sys::trim(&a[0].bytes);
    if t.is_empty() {
        return Ok(false);
    }
    let digits = t.strip_prefix(b"-").unwrap_or(t);
    if digits.iter().all(u8::is_ascii_digit) {
        return Ok(digits.iter().any(|&d| d != b'0'));
    }
    let l = t.to_ascii_lowercase();
    match l.as_slice() {
        b"true" | b"yes" => Ok(true),
        b"false" | b"no" => Ok(false),
        _ => Err(crate::sys::msg(&[b"unrecognised boolean value \"", t, b"\""]).into()),
    }
}

/// `bool_lax{}`: like a router's `condition`: an integer is true unless
/// it is a single `0` (or a lone `-`), `false`/`no` are false, anything
/// else is true.
pub fn bool_lax(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    let t = crate::sys::trim(&a[0].bytes).to_ascii_lowercase();
    if t.is_empty() {
        return Ok(false);
    }
    let digits = t.strip_prefix(b"-").unwrap_or(&t);
    if digits.iter().all(u8::is_ascii_digit) {
        return Ok(t.len() > 1 || digits.iter().any(|&d| d != b'0'));
    }
    Ok(!matches!(t.as_slice(), b"no" | b"false"))
}
