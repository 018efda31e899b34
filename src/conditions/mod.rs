//! Conditions of `${if}`, `filter`, `forall`/`forany` and `and`/`or`: one
//! table entry per condition, in Exim's (sorted) order.

pub mod auth;
mod compare;
mod crypteq;
mod iterate;
mod matchlist;
mod misc;

pub(crate) use compare::number;
pub use compare::strcmpic;
pub use iterate::iterate;
pub use misc::def;

use crate::eval::{Evaluator, Value};

/// How a condition's arguments are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondShape {
    /// No arguments (`first_delivery`, `queue_running`).
    NoArgs,
    /// `def:name`.
    Def,
    /// `n` braced strings; `dollar_in_2nd` false for the `match_*` lists,
    /// whose second string is not `$`-expanded.
    Args { n: u8, dollar_in_2nd: bool },
    /// Exim's `read_subs` inside the condition: `acl{{name}{arg}...}` has an
    /// outer brace (`outer`), `inbound_srs{a}{b}` has none.
    Subs {
        outer: bool,
        min: u8,
        max: u8,
        check_end: bool,
    },
    /// `and{{c}{c}...}`, `or{...}`.
    AndOr,
    /// `forall{list}{cond}` and friends.
    Iterate,
}

/// A condition with string arguments; errors are Exim's message text.
pub type CondFn = fn(&mut Evaluator, &[Value]) -> Result<bool, String>;

pub struct CondDef {
    pub name: &'static str,
    pub shape: CondShape,
    pub func: CondFn,
    /// The numeric comparisons: each operand is converted to an integer as
    /// soon as it is expanded (so a bad first operand is reported before
    /// the second is expanded).
    pub numeric: bool,
    /// Run even in untaken branches (4.96 checks `bool{}` values there).
    pub checked_when_skipping: bool,
}

impl std::fmt::Debug for CondDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "condition {}", self.name)
    }
}

const fn args(name: &'static str, n: u8, func: CondFn) -> CondDef {
    CondDef {
        name,
        shape: CondShape::Args {
            n,
            dollar_in_2nd: true,
        },
        func,
        numeric: false,
        checked_when_skipping: false,
    }
}

const fn list_match(name: &'static str, func: CondFn) -> CondDef {
    CondDef {
        name,
        shape: CondShape::Args {
            n: 2,
            dollar_in_2nd: false,
        },
        func,
        numeric: false,
        checked_when_skipping: false,
    }
}

const fn subs(name: &'static str, outer: bool, min: u8, max: u8, func: CondFn) -> CondDef {
    CondDef {
        name,
        shape: CondShape::Subs {
            outer,
            min,
            max,
            check_end: outer,
        },
        func,
        numeric: false,
        checked_when_skipping: false,
    }
}

const fn numeric(name: &'static str, func: CondFn) -> CondDef {
    CondDef {
        numeric: true,
        ..args(name, 2, func)
    }
}

const fn special(name: &'static str, shape: CondShape) -> CondDef {
    CondDef {
        name,
        shape,
        func: misc::never,
        numeric: false,
        checked_when_skipping: false,
    }
}

use compare::*;
use misc::*;

/// Exim 4.96's condition table, sorted by name (symbols first).
pub static CONDITIONS: &[CondDef] = &[
    numeric("<", num_lt),
    numeric("<=", num_le),
    numeric("=", num_eq),
    numeric("==", num_eq),
    numeric(">", num_gt),
    numeric(">=", num_ge),
    subs("acl", true, 1, 10, crate::acl::condition),
    special("and", CondShape::AndOr),
    CondDef {
        checked_when_skipping: true,
        ..args("bool", 1, bool_strict)
    },
    args("bool_lax", 1, bool_lax),
    args("crypteq", 2, crypteq::crypteq),
    special("def", CondShape::Def),
    args("eq", 2, str_eq),
    args("eqi", 2, str_eqi),
    args("exists", 1, exists),
    CondDef {
        name: "first_delivery",
        shape: CondShape::NoArgs,
        func: misc::never,
        numeric: false,
        checked_when_skipping: false,
    },
    special("forall", CondShape::Iterate),
    special("forall_json", CondShape::Iterate),
    special("forall_jsons", CondShape::Iterate),
    special("forany", CondShape::Iterate),
    special("forany_json", CondShape::Iterate),
    special("forany_jsons", CondShape::Iterate),
    args("ge", 2, str_ge),
    args("gei", 2, str_gei),
    args("gt", 2, str_gt),
    args("gti", 2, str_gti),
    subs(
        "inbound_srs",
        false,
        2,
        2,
        crate::auth::srs::inbound_srs_cond,
    ),
    args("inlist", 2, inlist),
    args("inlisti", 2, inlisti),
    args("isip", 1, isip),
    args("isip4", 1, isip4),
    args("isip6", 1, isip6),
    args("ldapauth", 1, auth::ldapauth),
    args("le", 2, str_le),
    args("lei", 2, str_lei),
    args("lt", 2, str_lt),
    args("lti", 2, str_lti),
    args("match", 2, regex_match),
    list_match("match_address", matchlist::match_address),
    list_match("match_domain", matchlist::match_domain),
    list_match("match_ip", matchlist::match_ip),
    list_match("match_local_part", matchlist::match_local_part),
    special("or", CondShape::AndOr),
    args("pam", 1, auth::pam),
    args("pwcheck", 1, pwcheck_not_compiled),
    CondDef {
        name: "queue_running",
        shape: CondShape::NoArgs,
        func: misc::never,
        numeric: false,
        checked_when_skipping: false,
    },
    args("radius", 1, radius_not_compiled),
    subs("saslauthd", true, 2, 4, auth::saslauthd),
];

/// Finds a condition by its exact name.
pub fn find(name: &[u8]) -> Option<&'static CondDef> {
    CONDITIONS
        .binary_search_by(|d| d.name.as_bytes().cmp(name))
        .ok()
        .map(|i| &CONDITIONS[i])
}

#[cfg(test)]
mod every;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted() {
        for w in CONDITIONS.windows(2) {
            assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
        }
    }
}
