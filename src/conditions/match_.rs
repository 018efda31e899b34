//! `match{subject}{regex}`: a PCRE2 match, setting `$0`..`$20`.

use crate::eval::{Evaluator, Failure, Value};

/// `match{subject}{regex}`: PCRE2, sets `$0`..`$20` on success.
pub fn regex_match(ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    let re = crate::regex::compile(&a[1].bytes)?;
    let subject = &a[0].bytes;
    let found = re
        .captures_at(subject, 0, crate::regex::MAX_GROUPS)
        .map_err(|e| e.to_string())?;
    let Some(groups) = found else {
        return Ok(false);
    };
    ev.captures = groups
        .iter()
        .map(|g| Value {
            bytes: g.map_or_else(Vec::new, |(s, e)| subject[s..e].to_vec()),
            tainted: a[0].tainted,
        })
        .collect();
    Ok(true)
}
