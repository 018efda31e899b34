//! Expansion items `${name{arg}...}`: one table entry per item, in Exim's
//! (alphabetical) order, saying how its arguments are read and which
//! function evaluates it.

mod acl;
pub(crate) mod certextract;
mod env;
mod extract;
mod files;
mod hmac;
mod if_;
mod imapfolder;
mod lists;
mod lookup;
mod misc;
mod prvs;
mod run;
mod strings;
mod substitute;

use crate::eval::{Evaluator, ExpandError, ItemDef, Value};
use crate::parser::{Arg, ItemNode, ItemShape, Tail};

const fn item(name: &'static str, shape: ItemShape, eval: crate::eval::ItemFn) -> ItemDef {
    ItemDef::new(name, shape, eval)
}

use ItemShape::*;

/// Exim 4.96's item table, sorted by name.
pub static ITEMS: &[ItemDef] = &[
    item("acl", Subs { min: 1, max: 10 }, acl::eval),
    item("authresults", Subs { min: 1, max: 1 }, misc::authresults),
    item("certextract", CertExtract, certextract::certextract),
    item("dlfunc", Subs { min: 2, max: 10 }, misc::dlfunc),
    item("env", Env, env::eval),
    item("extract", Extract, extract::eval),
    item("filter", Filter, lists::map_like),
    item("hash", Subs { min: 2, max: 3 }, strings::hash),
    item("hmac", Subs { min: 3, max: 3 }, hmac::hmac),
    // `${if c}` alone gives "true"; `$value` is left as the condition set it.
    item("if", If, if_::eval).with_tail(Tail {
        word: "if",
        bare_gives_true: true,
        restores_value_bare: false,
        restores_value: false,
    }),
    item("imapfolder", Subs { min: 1, max: 3 }, imapfolder::eval),
    item("length", Subs { min: 2, max: 2 }, strings::length),
    item("listextract", ListExtract, lists::listextract),
    item("listquote", Subs { min: 2, max: 2 }, lists::listquote),
    item("lookup", Lookup, lookup::eval),
    item("map", Map, lists::map_like),
    item("nhash", Subs { min: 2, max: 3 }, strings::nhash),
    item("perl", Subs { min: 1, max: 9 }, misc::perl),
    item("prvs", Subs { min: 2, max: 3 }, prvs::prvs),
    // Exim checks prvscheck's argument count in steps: prvs::prvscheck
    // does, so the parser reads any number.
    item("prvscheck", Subs { min: 1, max: 10 }, prvs::prvscheck),
    item("readfile", Subs { min: 1, max: 2 }, files::readfile),
    item("readsocket", Subs { min: 2, max: 5 }, misc::readsocket),
    item("reduce", Reduce, lists::map_like),
    // `$value` (the command's output) stays visible after `${run}`.
    item("run", Run, run::eval).with_tail(Tail {
        restores_value: false,
        ..Tail::value("run")
    }),
    item("sg", Subs { min: 3, max: 3 }, substitute::sg),
    item("sort", Sort, lists::sort),
    item(
        "srs_encode",
        Subs { min: 3, max: 3 },
        crate::auth::srs::srs_encode_item,
    ),
    item("substr", Subs { min: 2, max: 3 }, strings::substr),
    item("tr", Subs { min: 3, max: 3 }, substitute::tr),
];

/// The braced-string arguments of an item, in order.
pub fn arg_seqs(item: &ItemNode) -> Vec<&crate::parser::Seq> {
    item.args
        .iter()
        .filter_map(|a| match a {
            Arg::Seq(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Evaluates the `Seq` arguments of an item in order (Exim's `read_subs`
/// expands each one as it reads it).
pub fn expand_args(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
) -> Result<Vec<Value>, ExpandError> {
    let mut out = Vec::with_capacity(item.args.len());
    for a in &item.args {
        if let Arg::Seq(s) = a {
            out.push(ev.seq(s, skip)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted() {
        for w in ITEMS.windows(2) {
            assert!(
                w[0].sig.name < w[1].sig.name,
                "{} before {}",
                w[0].sig.name,
                w[1].sig.name
            );
        }
    }
}
