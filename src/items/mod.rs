//! Expansion items `${name{arg}...}`: one table entry per item, in Exim's
//! (alphabetical) order, saying how its arguments are read and which
//! function evaluates it.

mod acl;
pub(crate) mod certextract;
mod env;
mod extract;
mod files;
mod if_;
mod imapfolder;
mod lists;
mod lookup;
mod misc;
mod prvs;
mod run;
mod strings;
mod substitute;

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::{Arg, ItemNode};

/// How an item's arguments are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemShape {
    /// `min..=max` braced arguments, then `}` (Exim's `read_subs`).
    Subs { min: u8, max: u8 },
    /// Braced arguments, then the `{yes}{no}` tail.
    SubsYesNo { min: u8, max: u8 },
    /// A condition, then the `{yes}{no}` tail.
    If,
    /// `extract[json|jsons]`: up to five arguments, interpreted at run time.
    Extract,
    /// Two arguments with listextract's own messages, then the tail.
    ListExtract,
    /// `map`, `filter`, `reduce`.
    MapLike,
    /// `sort`: list, unexpanded comparator, extractor.
    Sort,
    /// `env`: one argument then the tail.
    Env,
    /// `lookup`: optional key, type word, query, then the tail.
    Lookup,
    /// `run[,options]`: the command, then the tail.
    Run,
    /// `certextract`: a field, an unexpanded certificate variable, the tail.
    CertExtract,
}

pub type ItemFn = fn(&mut Evaluator, &ItemNode, bool, &mut Value) -> Result<(), ExpandError>;

pub struct ItemDef {
    pub name: &'static str,
    pub shape: ItemShape,
    /// The word Exim uses in yes/no messages (`"if" failed and "fail" requested`).
    pub yesno_type: &'static str,
    pub eval: ItemFn,
}

impl ItemDef {
    /// Items whose own checks come before a syntax error found later in
    /// their text (Exim reads and checks them step by step); their
    /// functions raise `item.error` themselves at the right point.
    pub fn reports_own_errors(&self) -> bool {
        matches!(
            self.shape,
            ItemShape::If
                | ItemShape::Extract
                | ItemShape::ListExtract
                | ItemShape::MapLike
                | ItemShape::Sort
        )
    }
}

impl std::fmt::Debug for ItemDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "item {}", self.name)
    }
}

const fn item(name: &'static str, shape: ItemShape, eval: ItemFn) -> ItemDef {
    ItemDef {
        name,
        shape,
        yesno_type: name,
        eval,
    }
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
    item("filter", MapLike, lists::map_like),
    item("hash", Subs { min: 2, max: 3 }, strings::hash),
    item("hmac", Subs { min: 3, max: 3 }, strings::hmac),
    item("if", If, if_::eval),
    item("imapfolder", Subs { min: 1, max: 3 }, imapfolder::eval),
    item("length", Subs { min: 2, max: 2 }, strings::length),
    item("listextract", ListExtract, lists::listextract),
    item("listquote", Subs { min: 2, max: 2 }, lists::listquote),
    item("lookup", Lookup, lookup::eval),
    item("map", MapLike, lists::map_like),
    item("nhash", Subs { min: 2, max: 3 }, strings::nhash),
    item("perl", Subs { min: 1, max: 9 }, misc::perl),
    item("prvs", Subs { min: 2, max: 3 }, prvs::prvs),
    // Exim checks prvscheck's argument count in steps: prvs::prvscheck
    // does, so the parser reads any number.
    item("prvscheck", Subs { min: 1, max: 10 }, prvs::prvscheck),
    item("readfile", Subs { min: 1, max: 2 }, files::readfile),
    item("readsocket", Subs { min: 2, max: 5 }, misc::readsocket),
    item("reduce", MapLike, lists::map_like),
    item("run", Run, run::eval),
    item("sg", Subs { min: 3, max: 3 }, strings::sg),
    item("sort", Sort, lists::sort),
    item(
        "srs_encode",
        Subs { min: 3, max: 3 },
        crate::auth::srs::srs_encode_item,
    ),
    item("substr", Subs { min: 2, max: 3 }, strings::substr),
    item("tr", Subs { min: 3, max: 3 }, strings::tr),
];

/// Finds an item by its exact (case-sensitive) name.
pub fn find(name: &[u8]) -> Option<&'static ItemDef> {
    ITEMS
        .binary_search_by(|d| d.name.as_bytes().cmp(name))
        .ok()
        .map(|i| &ITEMS[i])
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
    fn table_is_sorted_for_binary_search() {
        for w in ITEMS.windows(2) {
            assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
        }
        assert_eq!(find(b"if").map(|d| d.name), Some("if"));
        assert!(find(b"IF").is_none());
    }
}
