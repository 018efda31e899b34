//! `def:`, `bool`, `bool_lax`, `exists`, `isip*`, `inlist*`, `match` and
//! the conditions that need services this build does not provide.

use crate::eval::{Evaluator, Value};
use crate::lists;

pub fn never(_ev: &mut Evaluator, _a: &[Value]) -> Result<bool, String> {
    Ok(false)
}

/// Debian's build has no RADIUS support.
pub fn radius_not_compiled(_ev: &mut Evaluator, _a: &[Value]) -> Result<bool, String> {
    Err("support for \"radius\" not compiled".to_string())
}

/// Debian's build has no Cyrus pwcheck support.
pub fn pwcheck_not_compiled(_ev: &mut Evaluator, _a: &[Value]) -> Result<bool, String> {
    Err("support for \"pwcheck\" not compiled".to_string())
}

/// `bool{}`: true/yes/false/no (caseless) or an integer.
pub fn bool_strict(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
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
        _ => Err(format!(
            "unrecognised boolean value \"{}\"",
            String::from_utf8_lossy(t)
        )),
    }
}

/// `bool_lax{}`: false only for empty, `0`, `no`, `false`.
/// `bool_lax{}`: like a router's `condition`: an integer is true unless
/// it is a single `0` (or a lone `-`), `false`/`no` are false, anything
/// else is true.
pub fn bool_lax(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
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

pub fn exists(ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    if a[0].bytes.is_empty() {
        return Ok(false);
    }
    ev.ctx.policy.check(
        crate::eval::Capability::Files,
        "looking at a file (\"exists\")",
    )?;
    use std::os::unix::ffi::OsStrExt;
    let p = std::path::Path::new(std::ffi::OsStr::from_bytes(&a[0].bytes));
    Ok(std::fs::metadata(p).is_ok())
}

pub fn isip(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    Ok(crate::lists::ip_version(&a[0].bytes) != 0)
}

pub fn isip4(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    Ok(crate::lists::ip_version(&a[0].bytes) == 4)
}

pub fn isip6(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    Ok(crate::lists::ip_version(&a[0].bytes) == 6)
}

fn inlist_with(ev: &mut Evaluator, a: &[Value], caseless: bool) -> Result<bool, String> {
    for it in lists::split(&a[1].bytes) {
        let hit = if caseless {
            it.eq_ignore_ascii_case(&a[0].bytes)
        } else {
            it == a[0].bytes
        };
        if hit {
            ev.value = Some(Value {
                bytes: it,
                tainted: a[1].tainted,
            });
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn inlist(ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    inlist_with(ev, a, false)
}

pub fn inlisti(ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    inlist_with(ev, a, true)
}

/// `match{subject}{regex}`: PCRE2, sets `$0`..`$20` on success.
pub fn regex_match(ev: &mut Evaluator, a: &[Value]) -> Result<bool, String> {
    let re = crate::regex::compile(&a[1].bytes)?;
    match re.captures(&a[0].bytes).map_err(|e| e.to_string())? {
        Some(caps) => {
            let mut v = Vec::new();
            for i in 0..caps.len().min(21) {
                let b = caps
                    .get(i)
                    .map(|m| m.as_bytes().to_vec())
                    .unwrap_or_default();
                v.push(Value {
                    bytes: b,
                    tainted: a[0].tainted,
                });
            }
            ev.captures = v;
            Ok(true)
        }
        None => Ok(false),
    }
}
