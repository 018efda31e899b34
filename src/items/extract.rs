//! `${extract{key}{string}}`, `${extract{n}{seps}{string}}`, json forms.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::ItemNode;

pub fn eval(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
