//! `forall`, `forany` and their `_json`/`_jsons` forms.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::lists;
use crate::parser::{Cond, Seq};

use super::CondDef;

pub fn iterate(
    ev: &mut Evaluator,
    def: &CondDef,
    list: &Seq,
    body: &Cond,
    whole: &Cond,
    skip: bool,
) -> Result<bool, ExpandError> {
    let name = def.name;
    let is_forany = name.starts_with("forany");
    let is_json = name.ends_with("_json") || name.ends_with("_jsons");
    let is_jsons = name.ends_with("_jsons");
    let suffix = format!(" inside \"{name}\" condition");
    let list = ev.seq(list, skip)?;
    // Exim first scans the body once, to find its end.
    ev.cond(body, true).map_err(|e| e.with_suffix(&suffix))?;
    if let Some(e) = &whole.error {
        return Err((**e).clone());
    }
    if skip {
        return Ok(false);
    }
    let items: Vec<Vec<u8>> = if is_json {
        match lists::dewrap(&list.bytes, b'[', b']') {
            Ok(mut inner) => {
                std::iter::from_fn(|| lists::json_next(&mut inner).map(<[u8]>::to_vec)).collect()
            }
            // Exim 4.96 dereferences NULL here and dies; we fail cleanly.
            Err(_) => {
                return Err(ExpandError::failed(
                    format!("the list for \"{name}\" is not a JSON array"),
                    whole.span,
                ));
            }
        }
    } else {
        lists::split(&list.bytes)
    };
    let saved_item = ev.item.take();
    let mut result = false;
    for it in items {
        let it = if is_jsons {
            match lists::dewrap(&it, b'"', b'"') {
                Ok(s) => s.to_vec(),
                Err(_) => {
                    ev.item = saved_item;
                    return Err(ExpandError::failed(
                        "missing '\"' wrapping string result for extract jsons",
                        whole.span,
                    ));
                }
            }
        } else {
            it
        };
        ev.item = Some(Value {
            bytes: it,
            tainted: list.tainted,
        });
        let r = match ev.cond(body, false) {
            Ok(r) => r,
            Err(e) => {
                ev.item = saved_item;
                return Err(e.with_suffix(&suffix));
            }
        };
        // The value reported is the last tested one (Exim starts from
        // "not found", so an empty list gives false for both forms).
        result = r;
        if r == is_forany {
            break;
        }
    }
    ev.item = saved_item;
    Ok(result)
}
