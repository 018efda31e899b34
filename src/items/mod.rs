//! Expansion items `${name{arg}...}`: one table entry per item, in Exim's
//! (alphabetical) order, saying how its arguments are read and which
//! function evaluates it.

mod acl;
mod authresults;
pub(crate) mod certextract;
mod dlfunc;
mod env;
pub(crate) mod extract;
mod files;
mod hmac;
mod if_;
mod imapfolder;
mod lists;
mod lookup;
mod perl;
mod prvs;
mod readsocket;
mod run;
mod substitute;

use crate::eval::ItemDef;
use crate::parser::{Arg, ItemNode, ItemShape, Tail};

use crate::eval::{Capability, Failure, WhenSkipping};
use crate::operators::text;

const fn node(name: &'static str, shape: ItemShape, eval: crate::eval::NodeFn) -> ItemDef {
    ItemDef::node(name, shape, eval)
}

const fn strings(name: &'static str, min: u8, max: u8, eval: crate::eval::StringsFn) -> ItemDef {
    ItemDef::strings(name, min, max, eval)
}

use ItemShape::*;

/// Exim 4.96's item table, sorted by name.
pub static ITEMS: &[ItemDef] = &[
    strings("acl", 1, 10, acl::eval).needs(Capability::Acl, "running an ACL"),
    strings("authresults", 1, 1, authresults::authresults),
    node("certextract", CertExtract, certextract::certextract),
    strings("dlfunc", 2, 10, dlfunc::dlfunc)
        .needs(Capability::Dlfunc, "calling a dynamically-loaded function"),
    node("env", Env, env::eval),
    node("extract", Extract, extract::eval).checked(extract::check),
    node("filter", Filter, lists::map_like),
    // 4.96 checks and computes hash, length, nhash and substr even in
    // untaken branches, on what the skipped arguments expand to.
    strings("hash", 2, 3, text::hash_item).when_skipping(WhenSkipping::Computed),
    strings("hmac", 3, 3, hmac::hmac),
    // `${if c}` alone gives "true"; `$value` is left as the condition set it.
    node("if", If, if_::eval).with_tail(Tail {
        word: "if",
        bare_gives_true: true,
        restores_value_bare: false,
        restores_value: false,
    }),
    strings("imapfolder", 1, 3, imapfolder::eval)
        .when_skipping(WhenSkipping::Checked(imapfolder::check)),
    strings("length", 2, 2, text::length_item).when_skipping(WhenSkipping::Computed),
    node("listextract", ListExtract, lists::listextract),
    strings("listquote", 2, 2, lists::listquote).when_skipping(WhenSkipping::Computed),
    node("lookup", Lookup, lookup::eval),
    node("map", Map, lists::map_like),
    strings("nhash", 2, 3, text::nhash_item).when_skipping(WhenSkipping::Computed),
    strings("perl", 1, 9, perl::perl).needs(Capability::Perl, "calling Perl"),
    strings("prvs", 2, 3, prvs::prvs),
    // Exim checks prvscheck's argument count in steps, reading the key
    // only for a prvs address: prvs::prvscheck does, so the parser reads
    // any number.
    node("prvscheck", Steps { min: 1, max: 10 }, prvs::prvscheck),
    strings("readfile", 1, 2, files::readfile).needs(Capability::ReadFile, "reading a file"),
    // The fail string is expanded only when the socket fails; Exim reads
    // up to four arguments, connects, then reads the rest.
    node(
        "readsocket",
        Steps { min: 2, max: 10 },
        readsocket::readsocket,
    ),
    node("reduce", Reduce, lists::map_like),
    // `$value` (the command's output) stays visible after `${run}`.
    node("run", Run, run::eval).with_tail(Tail {
        restores_value: false,
        ..Tail::value("run")
    }),
    // 4.96 substitutes even while skipping (regex errors show there).
    strings("sg", 3, 3, substitute::sg).when_skipping(WhenSkipping::Computed),
    node("sort", Sort, lists::sort),
    strings("srs_encode", 3, 3, crate::auth::srs::srs_encode_item),
    strings("substr", 2, 3, text::substr_item).when_skipping(WhenSkipping::Computed),
    // 4.96 translates even while skipping.
    strings("tr", 3, 3, substitute::tr).when_skipping(WhenSkipping::Computed),
];

/// What an item of strings says if the evaluator called it with fewer
/// arguments than its signature's minimum (it does not).
pub(crate) fn unread() -> Failure {
    Failure::new("missing or misplaced { or }")
}

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
