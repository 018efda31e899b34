//! Conditions of `${if}`, `filter`, `forall`/`forany` and `and`/`or`: one
//! table entry per condition, in Exim's (sorted) order.

pub mod auth;
mod bool;
mod compare;
mod crypteq;
mod exists;
mod inlist;
mod isip;
mod match_;
pub(crate) mod matchlist;
mod not_built;

pub(crate) use compare::number;
pub use compare::strcmpic;

use crate::eval::{CondDef, CondFn, Evaluator, Failure, Value};
use crate::parser::{CondShape, IterJson};

const fn args(name: &'static str, n: u8, func: CondFn) -> CondDef {
    let shape = CondShape::Args {
        n,
        dollar_in_2nd: true,
    };
    CondDef::new(name, shape, func)
}

const fn list_match(name: &'static str, func: CondFn) -> CondDef {
    let shape = CondShape::Args {
        n: 2,
        dollar_in_2nd: false,
    };
    CondDef::new(name, shape, func)
}

const fn subs(name: &'static str, outer: bool, min: u8, max: u8, func: CondFn) -> CondDef {
    let shape = CondShape::Subs {
        outer,
        min,
        max,
        check_end: outer,
    };
    CondDef::new(name, shape, func)
}

const fn numeric(name: &'static str, func: CondFn) -> CondDef {
    CondDef {
        numeric: true,
        ..args(name, 2, func)
    }
}

/// A condition the evaluator itself carries out (`def:`, `and`, `or`,
/// `forall`, ...): the table gives only its shape.
const fn special(name: &'static str, shape: CondShape) -> CondDef {
    CondDef::new(name, shape, never)
}

/// The function of a special condition (never called).
fn never(_ev: &mut Evaluator, _a: &[Value]) -> Result<bool, Failure> {
    Ok(false)
}

const fn iterate(name: &'static str, any: bool, json: IterJson) -> CondDef {
    special(name, CondShape::Iterate { any, json })
}

use bool::{bool_lax, bool_strict};
use compare::*;
use exists::exists;
use inlist::{inlist, inlisti};
use isip::{isip, isip4, isip6};
use match_::regex_match;
use not_built::{pwcheck_not_compiled, radius_not_compiled};

/// Exim 4.96's condition table, sorted by name (symbols first).
pub static CONDITIONS: &[CondDef] = &[
    numeric("<", num_lt),
    numeric("<=", num_le),
    numeric("=", num_eq),
    numeric("==", num_eq),
    numeric(">", num_gt),
    numeric(">=", num_ge),
    subs("acl", true, 1, 10, crate::acl::condition),
    special("and", CondShape::AndOr { is_and: true }),
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
    special("first_delivery", CondShape::NoArgs),
    iterate("forall", false, IterJson::No),
    iterate("forall_json", false, IterJson::Values),
    iterate("forall_jsons", false, IterJson::Strings),
    iterate("forany", true, IterJson::No),
    iterate("forany_json", true, IterJson::Values),
    iterate("forany_jsons", true, IterJson::Strings),
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
    special("or", CondShape::AndOr { is_and: false }),
    args("pam", 1, auth::pam),
    args("pwcheck", 1, pwcheck_not_compiled),
    special("queue_running", CondShape::NoArgs),
    args("radius", 1, radius_not_compiled),
    subs("saslauthd", true, 2, 4, auth::saslauthd),
];

#[cfg(test)]
mod every;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted() {
        for w in CONDITIONS.windows(2) {
            assert!(
                w[0].sig.name < w[1].sig.name,
                "{} before {}",
                w[0].sig.name,
                w[1].sig.name
            );
        }
    }
}
