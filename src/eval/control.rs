//! The conditions that are the language itself rather than builtins:
//! `def:` and the `forall`/`forany` iterations (`and`, `or` and `!` are in
//! the evaluator's condition walk).

use super::{ErrorKind, Evaluator, ExpandError};
use crate::lists;
use crate::parser::{Cond, DefTarget, IterJson, Seq, Span};

impl Evaluator<'_> {
    /// `def:name` / `def:h_name:`.
    pub(crate) fn def(
        &mut self,
        target: &DefTarget,
        span: Span,
        skip: bool,
    ) -> Result<bool, ExpandError> {
        match target {
            DefTarget::Header(kind, name) => {
                if skip {
                    return Ok(false);
                }
                Ok((self.reg.vars.header)(self, *kind, name).is_some())
            }
            DefTarget::Var(name) => match (self.reg.vars.lookup)(self, name, skip) {
                Some(v) => Ok(!v.bytes.is_empty()),
                None => {
                    let mut msg = if name.is_empty() {
                        "variable name omitted after \"def:\"".to_string()
                    } else {
                        format!("unknown variable \"{name}\" after \"def:\"")
                    };
                    msg.push_str(&(self.reg.vars.unknown_hint)(name));
                    Err(ExpandError::new(ErrorKind::UnknownVariable, msg, span))
                }
            },
        }
    }

    /// `forall{list}{cond}` and friends: `any` for `forany`, `json` for the
    /// `_json`/`_jsons` forms.
    pub(crate) fn iterate(
        &mut self,
        (name, any, json): (&str, bool, IterJson),
        list: &Seq,
        body: &Cond,
        whole: &Cond,
        skip: bool,
    ) -> Result<bool, ExpandError> {
        let is_json = json != IterJson::No;
        let is_jsons = json == IterJson::Strings;
        let inside = |e: ExpandError| e.with_suffix(&format!(" inside \"{name}\" condition"));
        let list = self.seq(list, skip)?;
        // Exim first scans the body once, to find its end.
        self.cond(body, true).map_err(inside)?;
        if let Some(e) = &whole.error {
            return Err((**e).clone());
        }
        // Also while skipping, Exim walks the list (what a skipped expansion
        // leaves of it: its literal text) and evaluates the body for each
        // item, for real: its checks (integers, JSON) can fail.  Only the
        // result is dropped.
        // The elements are read one at a time, borrowed from the list
        // where they can be.
        let mut elements = if is_json {
            match lists::dewrap(&list.bytes, b'[', b']') {
                Ok(inner) => Elements::Json(inner),
                // Exim 4.96 dereferences NULL here and dies; we fail cleanly.
                Err(_) => {
                    return Err(ExpandError::failed(
                        format!("the list for \"{name}\" is not a JSON array"),
                        whole.span,
                    ));
                }
            }
        } else {
            Elements::List(lists::ListIter::new(&list.bytes))
        };
        let saved_item = self.item.take();
        let mut result = false;
        while let Some(it) = elements.next() {
            let it = if is_jsons {
                match lists::dewrap(&it, b'"', b'"') {
                    Ok(s) => s,
                    Err(_) => {
                        self.item = saved_item;
                        return Err(ExpandError::failed(
                            "missing '\"' wrapping string result for extract jsons",
                            whole.span,
                        ));
                    }
                }
            } else {
                &it
            };
            self.set_item(it, list.tainted);
            let r = match self.cond(body, false) {
                Ok(r) => r,
                Err(e) => {
                    self.item = saved_item;
                    return Err(inside(e));
                }
            };
            // The value reported is the last tested one (Exim starts from
            // "not found", so an empty list gives false for both forms).
            result = r;
            if r == any {
                break;
            }
        }
        self.item = saved_item;
        Ok(result && !skip)
    }
}

/// The elements `forall` and `forany` walk: of an Exim list or a JSON array.
enum Elements<'a> {
    List(lists::ListIter<'a>),
    Json(&'a [u8]),
}

impl<'a> Elements<'a> {
    fn next(&mut self) -> Option<std::borrow::Cow<'a, [u8]>> {
        match self {
            Elements::List(it) => it.next_cow(),
            Elements::Json(inner) => lists::json_next(inner).map(std::borrow::Cow::Borrowed),
        }
    }
}
