//! What the targets share: a sandboxed context with small budgets.

use exim_expand::eval::Limits;
use exim_expand::{Context, Value};
use std::time::Duration;

/// The library's default policy (nothing granted: no files, processes,
/// sockets or network) with budgets small enough that every input ends
/// quickly, and one tainted variable so taint checks are reached.
pub fn sandbox() -> Context {
    let mut ctx = Context::new();
    ctx.limits = Limits {
        max_output: 1 << 16,
        max_time: Some(Duration::from_millis(200)),
        max_read: 1 << 16,
    };
    ctx.policy.log_to_stderr = false;
    ctx.set_var("x", Value::tainted(&b"tainted@example.com"[..]));
    ctx
}
