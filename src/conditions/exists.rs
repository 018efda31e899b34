//! `exists{file}`: whether the file exists (capability `files`).

use crate::eval::{Evaluator, Failure, Value};

pub fn exists(ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
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
