//! List items: `map`, `filter`, `reduce`, `sort`, `listextract`, `listquote`.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::ItemNode;

pub fn map_like(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}

pub fn sort(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}

pub fn listextract(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}

pub fn listquote(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    super::unsupported::eval(ev, item, skip, out)
}
