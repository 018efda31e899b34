//! `isip{}`, `isip4{}`, `isip6{}`: whether the string is an IP address.

use crate::eval::{Evaluator, Failure, Value};

pub fn isip(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    Ok(crate::lists::ip_version(&a[0].bytes) != 0)
}

pub fn isip4(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    Ok(crate::lists::ip_version(&a[0].bytes) == 4)
}

pub fn isip6(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    Ok(crate::lists::ip_version(&a[0].bytes) == 6)
}
