//! `lc`, `uc`, `strlen`: ASCII case mapping and byte length.

use crate::eval::{Evaluator, Value};

/// `${lc:}`: ASCII lower case (bytes >= 0x80 unchanged).
pub fn lc(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> super::OpResult {
    Ok(input.bytes.to_ascii_lowercase().into())
}

/// `${uc:}`: ASCII upper case.
pub fn uc(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> super::OpResult {
    Ok(input.bytes.to_ascii_uppercase().into())
}

/// `${strlen:}`: length in bytes.
pub fn strlen(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> super::OpResult {
    Ok(input.bytes.len().to_string().into_bytes().into())
}
