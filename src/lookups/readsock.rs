//! The `readsock` lookup type.  In Exim 4.96 it is the machinery behind
//! `${readsocket}` (which passes it the socket as the "file" name), and it is
//! registered as a query-style type.  Used directly, `${lookup readsock{...}}`
//! names no socket, and Exim's lookup simply fails; a single-key use is
//! Exim's usual "not a single-key lookup type" error.

use crate::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;

/// The `readsock` lookup as `${lookup}` sees it.
#[derive(Debug)]
pub struct ReadsockLookup;

impl Lookup for ReadsockLookup {
    fn style(&self) -> LookupStyle {
        LookupStyle::Query
    }

    fn find(
        &self,
        _ev: &mut Evaluator,
        _h: &LookupHandle,
        _q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    /// Exim 4.96 `-be`.
    #[test]
    fn readsock_as_a_lookup() {
        let bad = crate::testutil::mismatches_in(
            crate::testutil::permissive,
            &[
                ("${lookup readsock{ping}}", Ok("")),
                ("${lookup readsock{ping}{y}{n}}", Ok("n")),
                (
                    "${lookup{x}readsock{/tmp/t.sock}}",
                    Err(
                        "a single key was given for lookup type \"readsock\", which is not a single-key lookup type",
                    ),
                ),
            ],
        );
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
