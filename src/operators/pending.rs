//! Placeholder for operators not implemented yet.

use super::OpResult;
use crate::eval::{Evaluator, Value};

pub fn todo(_ev: &mut Evaluator, _arg: Option<&str>, _input: &Value) -> OpResult {
    Err(b"this operator is not supported by exim-expand yet".to_vec())
}
