//! `inlist{s}{list}` and `inlisti{s}{list}`: whether a list element
//! equals the string (`$value` is set to it).

use crate::eval::{Evaluator, Failure, Value};
use crate::lists;

fn inlist_with(ev: &mut Evaluator, a: &[Value], caseless: bool) -> Result<bool, Failure> {
    for it in lists::split(&a[1].bytes) {
        let hit = if caseless {
            it.eq_ignore_ascii_case(&a[0].bytes)
        } else {
            it == a[0].bytes
        };
        if hit {
            ev.value = Some(Value {
                bytes: it,
                tainted: a[1].tainted,
            });
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn inlist(ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    inlist_with(ev, a, false)
}

pub fn inlisti(ev: &mut Evaluator, a: &[Value]) -> Result<bool, Failure> {
    inlist_with(ev, a, true)
}
