//! What the parser must know about the builtins, and nothing more.
//!
//! Exim's grammar depends on its builtins: how an item's arguments are
//! read, the two operator tables and the underscore rule, the shape of a
//! condition, whether a lookup type takes a key.  The parser asks a
//! [`Grammar`] for these *signatures*; the tree it builds stores ids and
//! names, never functions.  The evaluator's registry (see
//! `eval::Registry`) implements `Grammar` for a compatibility profile.

/// Index of an item in the grammar that parsed it.
///
/// ```
/// use exim_expand::parser::{Grammar, Node};
/// let t = exim_expand::parse(b"${sg{abc}{b}{x}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// assert_eq!(t.registry().item(b"sg").unwrap().0, it.item);
/// assert_eq!(t.registry().item_def(it.item).sig.name, "sg");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemId(pub u16);

/// Index of an operator in the grammar that parsed it.
///
/// ```
/// use exim_expand::parser::{Node, OpRef};
/// let t = exim_expand::parse(b"${lc:ABC}");
/// let Node::Op(op) = &t.root.nodes[0] else { panic!() };
/// let OpRef::Known { id, .. } = op.op else { panic!() };
/// assert_eq!(t.registry().op_def(id).sig.name, "lc");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpId(pub u16);

/// Index of a condition in the grammar that parsed it.
///
/// ```
/// use exim_expand::parser::{Arg, CondKind, Node};
/// let t = exim_expand::parse(b"${if eq{a}{b}{y}{n}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// let Arg::Cond(c) = &it.args[0] else { panic!() };
/// let CondKind::Call { id, .. } = c.kind else { panic!() };
/// assert_eq!(t.registry().cond_def(id).sig.name, "eq");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CondId(pub u16);

/// How an item's arguments are read.
///
/// ```
/// use exim_expand::parser::{Grammar, ItemShape};
/// let reg = exim_expand::builtins::debian_4_96();
/// assert_eq!(reg.item(b"sg").unwrap().1.shape, ItemShape::Subs { min: 3, max: 3 });
/// assert_eq!(reg.item(b"if").unwrap().1.shape, ItemShape::If);
/// assert!(ItemShape::If.reports_own_errors());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemShape {
    /// `min..=max` braced arguments, then `}` (Exim's `read_subs`).
    Subs {
        /// Fewest arguments (Exim: `Not enough arguments for 'sg' (min is 3)`).
        min: u8,
        /// Most arguments.
        max: u8,
    },
    /// Up to `max` braced arguments, then `}`, read as [`ItemShape::Subs`]
    /// but checked by the item itself, step by step (`prvscheck` reads its
    /// arguments in three steps and counts them at each).
    Steps {
        /// Fewest arguments the parser expects.
        min: u8,
        /// Most arguments the parser reads.
        max: u8,
    },
    /// Braced arguments, then the `{yes}{no}` tail.
    SubsYesNo {
        /// Fewest arguments.
        min: u8,
        /// Most arguments.
        max: u8,
    },
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
                | ItemShape::Run
                | ItemShape::CertExtract
                | ItemShape::Lookup
                | ItemShape::Steps { .. }
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
///
/// ```
/// use exim_expand::parser::{Grammar, Tail};
/// let reg = exim_expand::builtins::debian_4_96();
/// assert_eq!(reg.item(b"lookup").unwrap().1.tail, Tail::value("lookup"));
/// assert!(reg.item(b"if").unwrap().1.tail.bare_gives_true);
/// ```
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
///
/// ```
/// use exim_expand::parser::{Grammar, ItemShape};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (_, sig) = reg.item(b"substr").unwrap();
/// assert_eq!((sig.name, sig.shape), ("substr", ItemShape::Subs { min: 2, max: 3 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemSig {
    /// The item's name (`sg`, `lookup`).
    pub name: &'static str,
    /// How its arguments are read.
    pub shape: ItemShape,
    /// How its `{yes}{no}` tail behaves (unused by items without one).
    pub tail: Tail,
}

/// An operator's signature.
///
/// ```
/// use exim_expand::parser::Grammar;
/// let reg = exim_expand::builtins::debian_4_96();
/// assert!(reg.operator(b"sha256").unwrap().1.cert_aware);
/// assert!(!reg.operator(b"lc").unwrap().1.cert_aware);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpSig {
    /// The operator's name in its table (`lc`, `substr`, `from_utf8`).
    pub name: &'static str,
    /// md5, sha1, sha256, base64: an operand that is exactly a certificate
    /// variable is used unexpanded.
    pub cert_aware: bool,
}

/// How a condition's arguments are read.
///
/// ```
/// use exim_expand::parser::{CondShape, Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let shape = |name: &[u8]| reg.condition(name).unwrap().1.shape;
/// assert_eq!(shape(b"eq"), CondShape::Args { n: 2, dollar_in_2nd: true });
/// assert_eq!(shape(b"match_domain"), CondShape::Args { n: 2, dollar_in_2nd: false });
/// assert_eq!(shape(b"or"), CondShape::AndOr { is_and: false });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondShape {
    /// No arguments (`first_delivery`, `queue_running`).
    NoArgs,
    /// `def:name`.
    Def,
    /// `n` braced strings; `dollar_in_2nd` false for the `match_*` lists,
    /// whose second string is not `$`-expanded.
    Args {
        /// How many braced strings.
        n: u8,
        /// `$` in the second string starts a variable (else it is literal
        /// text, so that `${if match_domain{a.b}{^a\\.b$}}` works).
        dollar_in_2nd: bool,
    },
    /// Exim's `read_subs` inside the condition: `acl{{name}{arg}...}` has an
    /// outer brace (`outer`), `inbound_srs{a}{b}` has none.
    Subs {
        /// The arguments are inside a brace of their own: `acl{{name}{arg}}`.
        outer: bool,
        /// Fewest arguments.
        min: u8,
        /// Most arguments.
        max: u8,
        /// A closing brace must follow the arguments (else "Too many
        /// arguments" or a bracketing error).
        check_end: bool,
    },
    /// `and{{c}{c}...}` (`is_and`), `or{...}`.
    AndOr {
        /// `and` rather than `or`.
        is_and: bool,
    },
    /// `forall{list}{cond}` (`any` false), `forany` and their JSON forms.
    Iterate {
        /// `forany` rather than `forall`.
        any: bool,
        /// How the list is read.
        json: IterJson,
    },
}

/// How `forall`/`forany` read their list.
///
/// ```
/// use exim_expand::parser::{CondShape, Grammar, IterJson};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (_, sig) = reg.condition(b"forany_jsons").unwrap();
/// assert_eq!(sig.shape, CondShape::Iterate { any: true, json: IterJson::Strings });
/// let mut ctx = exim_expand::Context::new();
/// let v = exim_expand::expand(br#"${if forany_jsons{["a","b"]}{eq{$item}{b}}{y}{n}}"#, &mut ctx);
/// assert_eq!(v.unwrap().bytes, b"y");
/// ```
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
///
/// ```
/// use exim_expand::parser::{CondShape, Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// let (_, sig) = reg.condition(b"and").unwrap();
/// assert_eq!((sig.name, sig.shape), ("and", CondShape::AndOr { is_and: true }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CondSig {
    /// The condition's name (`eq`, `match_domain`, `<=`).
    pub name: &'static str,
    /// How its arguments are read.
    pub shape: CondShape,
}

/// Whether a lookup type takes a key (`${lookup{key}lsearch{file}}`) or a
/// query (`${lookup sqlite{file query}}`).
///
/// ```
/// use exim_expand::parser::{Grammar, LookupStyle};
/// let reg = exim_expand::builtins::debian_4_96();
/// assert_eq!(reg.lookup_style("partial-lsearch*@"), Ok(LookupStyle::SingleKey));
/// assert_eq!(reg.lookup_style("dnsdb"), Ok(LookupStyle::Query));
/// assert_eq!(reg.lookup_style("nosuch").unwrap_err(), "unknown lookup type \"nosuch\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupStyle {
    /// A key and a file: `lsearch`, `dbm`, `cdb`, `dsearch`, ...
    SingleKey,
    /// One query string: `dnsdb`, `ldap`, `mysql`, ...
    Query,
    /// A query whose first word is an absolute file name (sqlite).
    AbsFileQuery,
}

/// What a name after `${` resolves to (see [`Grammar::braced_name`]).
///
/// ```
/// use exim_expand::parser::{BracedName, Grammar};
/// let reg = exim_expand::builtins::debian_4_96();
/// assert!(matches!(reg.braced_name(b"sg"), BracedName::Item(_, sig) if sig.name == "sg"));
/// assert!(matches!(
///     reg.braced_name(b"substr_1_3"),
///     BracedName::Operator(_, sig, Some(b"1_3")) if sig.name == "substr"
/// ));
/// assert!(matches!(reg.braced_name(b"primary_hostname"), BracedName::Neither));
/// ```
#[derive(Debug, Clone, Copy)]
pub enum BracedName<'g, 'n> {
    /// An item (`${sg{..}..}`).
    Item(ItemId, &'g ItemSig),
    /// An operator, with the argument after its `_` (`${substr_1_3:..}`).
    Operator(OpId, &'g OpSig, Option<&'n [u8]>),
    /// Neither: `${name}` is a variable, anything else an error.
    Neither,
}

/// The signatures the parser reads an expansion string with.
///
/// ```
/// use exim_expand::parser::Grammar;
/// let reg = exim_expand::builtins::debian_4_96();
/// // Cut at the first `_`: the rest is the operator's argument.
/// let (_, sig, arg) = reg.operator(b"substr_1_3").unwrap();
/// assert_eq!((sig.name, arg), ("substr", Some(&b"1_3"[..])));
/// // Unless the whole name is an operator with `_` in it.
/// let (_, sig, arg) = reg.operator(b"from_utf8").unwrap();
/// assert_eq!((sig.name, arg), ("from_utf8", None));
/// assert!(reg.is_certificate_var(b"tls_in_peercert"));
/// ```
pub trait Grammar {
    /// An item by its exact name.
    fn item(&self, name: &[u8]) -> Option<(ItemId, &ItemSig)>;
    /// What the name after `${` is: an item, or else an operator (which
    /// the parser takes when a `:` follows).  A grammar whose tables allow
    /// it answers with one lookup; by default [`Grammar::item`] and
    /// [`Grammar::operator`] are asked in turn.
    fn braced_name<'n>(&self, name: &'n [u8]) -> BracedName<'_, 'n> {
        if let Some((id, sig)) = self.item(name) {
            return BracedName::Item(id, sig);
        }
        match self.operator(name) {
            Some((id, sig, arg)) => BracedName::Operator(id, sig, arg),
            None => BracedName::Neither,
        }
    }
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
