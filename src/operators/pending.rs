//! Placeholder for operators not implemented yet.

use crate::eval::{Evaluator, Value};

pub fn todo(_ev: &mut Evaluator, _arg: Option<&str>, _input: &Value) -> Result<Vec<u8>, String> {
    Err("this operator is not supported by exim-expand yet".to_string())
}
