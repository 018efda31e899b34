//! Conditions Debian's Exim 4.96 is built without: `pwcheck`, `radius`.

use crate::eval::{Evaluator, Failure, Value};

/// Debian's build has no RADIUS support.
pub fn radius_not_compiled(_ev: &mut Evaluator, _a: &[Value]) -> Result<bool, Failure> {
    Err("support for \"radius\" not compiled".to_string().into())
}

/// Debian's build has no Cyrus pwcheck support.
pub fn pwcheck_not_compiled(_ev: &mut Evaluator, _a: &[Value]) -> Result<bool, Failure> {
    Err("support for \"pwcheck\" not compiled".to_string().into())
}
