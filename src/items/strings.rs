//! String items: `hash`, `length`, `nhash`, `substr`, `tr`, `sg`, `hmac`.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::ItemNode;

pub fn hash(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
pub fn length(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
pub fn nhash(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
pub fn substr(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
pub fn tr(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
pub fn sg(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
pub fn hmac(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
