//! `${if condition {yes}{no}}`.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::{Arg, ItemNode};

pub fn eval(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let Some(Arg::Cond(c)) = item.args.first() else {
        return ev.incomplete_item(item, skip);
    };
    ev.scoped(|ev| {
        // While skipping, Exim leaves the condition false whatever its
        // negation, so the "no" string is the one (skip-)expanded.
        let yes = ev.cond(c, skip)? && !skip;
        let saved = ev.value.clone();
        ev.yes_no(item, yes, skip, saved, out)
    })
}
