//! `match{subject}{regex}`: a PCRE2 match, setting `$0`..`$20`.

use crate::eval::{Evaluator, Failure, Value};

/// `match{subject}{regex}`: PCRE2, sets `$0`..`$20` on success.
pub fn regex_match(ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
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
            ev.captures = v.into();
            Ok(true)
        }
        None => Ok(false),
    }
}
