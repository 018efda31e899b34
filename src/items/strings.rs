//! String items that share the operators' implementation: `hash`,
//! `length`, `nhash`, `substr` (each picks its kind).

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::ItemNode;

pub fn hash(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    use crate::operators::text::{ItemKind, eval_item};
    eval_item(ev, item, skip, out, ItemKind::Hash)
}
pub fn length(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    use crate::operators::text::{ItemKind, eval_item};
    eval_item(ev, item, skip, out, ItemKind::Length)
}
pub fn nhash(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    use crate::operators::text::{ItemKind, eval_item};
    eval_item(ev, item, skip, out, ItemKind::Nhash)
}
pub fn substr(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    use crate::operators::text::{ItemKind, eval_item};
    eval_item(ev, item, skip, out, ItemKind::Substr)
}
