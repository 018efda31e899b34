//! Items whose implementation belongs to later work (lookups, ACLs, Perl,
//! sockets, ...): they parse fully, are walked while skipping, and fail
//! with a message naming the item when evaluated.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::{Arg, ItemNode, NoBranch};

pub fn eval(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    _out: &mut Value,
) -> Result<(), ExpandError> {
    for a in &item.args {
        match a {
            Arg::Seq(s) => {
                ev.seq(s, skip)?;
            }
            Arg::Cond(c) => {
                ev.cond(c, skip)?;
            }
            Arg::Raw { .. } => {}
        }
    }
    if skip {
        if let Some(yn) = &item.yesno {
            if let Some(y) = &yn.yes {
                ev.seq(y, true)?;
            }
            if let NoBranch::Seq(n) = &yn.no {
                ev.seq(n, true)?;
            }
        }
        return Ok(());
    }
    Err(ExpandError::failed(
        format!(
            "the \"{}\" item is not supported by exim-expand yet",
            item.def.name
        ),
        item.span,
    ))
}
