//! What the parser must know about the builtins, and nothing more.
//!
//! Exim's grammar depends on its builtins: how an item's arguments are
//! read, the two operator tables and the underscore rule, the shape of a
//! condition, whether a lookup type takes a key.  The parser asks a
//! [`Grammar`] for these *signatures*; the tree it builds stores ids and
//! names, never functions.  The evaluator's registry (see
//! `eval::Registry`) implements `Grammar` for a compatibility profile.

/// Index of an item in the grammar that parsed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemId(pub u16);

/// Index of an operator in the grammar that parsed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpId(pub u16);

/// Index of a condition in the grammar that parsed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CondId(pub u16);

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
    /// `map{list}{string}`.
    Map,
    /// `filter{list}{condition}`.
    Filter,
    /// `reduce{list}{start}{string}`.
    Reduce,
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

impl ItemShape {
    /// Items whose own checks come before a syntax error found later in
    /// their text (Exim reads and checks them step by step): their
    /// functions raise the recorded error themselves at the right point.
    pub fn reports_own_errors(self) -> bool {
        matches!(
            self,
            ItemShape::If
                | ItemShape::Extract
                | ItemShape::ListExtract
                | ItemShape::Map
                | ItemShape::Filter
                | ItemShape::Reduce
                | ItemShape::Sort
        )
    }
}

/// How an item's `{yes}{no}` tail treats `$value` and a missing `{yes}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tail {
    /// The word Exim uses in messages (`"if" failed and "fail" requested`).
    pub word: &'static str,
    /// Without a `{yes}` string the result is `true` (`if`) rather than
    /// `$value`.
    pub bare_gives_true: bool,
    /// `$value` is restored after the bare form (all but `if`).
    pub restores_value_bare: bool,
    /// `$value` is restored after the `{yes}{no}` strings (all but `if`
    /// and `run`, whose `$value` stays visible afterwards).
    pub restores_value: bool,
}

impl Tail {
    /// The usual tail: `$value` is the bare result and is restored.
    pub const fn value(word: &'static str) -> Tail {
        Tail {
            word,
            bare_gives_true: false,
            restores_value_bare: true,
            restores_value: true,
        }
    }
}

/// An item's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemSig {
    pub name: &'static str,
    pub shape: ItemShape,
    pub tail: Tail,
}

/// An operator's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpSig {
    pub name: &'static str,
    /// md5, sha1, sha256, base64: an operand that is exactly a certificate
    /// variable is used unexpanded.
    pub cert_aware: bool,
}

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
    /// `and{{c}{c}...}` (`is_and`), `or{...}`.
    AndOr { is_and: bool },
    /// `forall{list}{cond}` (`any` false), `forany` and their JSON forms.
    Iterate { any: bool, json: IterJson },
}

/// How `forall`/`forany` read their list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterJson {
    /// An Exim list.
    No,
    /// `_json`: a JSON array; `$item` is each element as written.
    Values,
    /// `_jsons`: a JSON array of strings; `$item` is each string's content.
    Strings,
}

/// A condition's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CondSig {
    pub name: &'static str,
    pub shape: CondShape,
}

/// Whether a lookup type takes a key (`${lookup{key}lsearch{file}}`) or a
/// query (`${lookup sqlite{file query}}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupStyle {
    SingleKey,
    Query,
    /// A query whose first word is an absolute file name (sqlite).
    AbsFileQuery,
}

/// The signatures the parser reads an expansion string with.
pub trait Grammar {
    /// An item by its exact name.
    fn item(&self, name: &[u8]) -> Option<(ItemId, &ItemSig)>;
    /// The signature of an item this grammar returned.
    fn item_sig(&self, id: ItemId) -> &ItemSig;
    /// An operator name resolved as Exim does: first among the names that
    /// contain `_`, then cut at the first `_` (the rest is the argument,
    /// returned as the third member).
    fn operator<'n>(&self, name: &'n [u8]) -> Option<(OpId, &OpSig, Option<&'n [u8]>)>;
    /// A condition by its exact name.
    fn condition(&self, name: &[u8]) -> Option<(CondId, &CondSig)>;
    /// The style of a lookup type specification such as
    /// `partial-lsearch*@`, or Exim's message for a bad one.
    fn lookup_style(&self, spec: &str) -> Result<LookupStyle, String>;
    /// A variable that holds a certificate (`$tls_in_peercert`).
    fn is_certificate_var(&self, name: &[u8]) -> bool;
}
