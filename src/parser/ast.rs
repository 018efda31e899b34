//! The syntax tree of an expansion string.
//!
//! Every node carries the byte span of the source text it came from, so that
//! errors, lint findings and the explain mode can point into the source.
//!
//! A tree may be *incomplete*: Exim parses and evaluates in one left-to-right
//! pass, so an error found while parsing is only reported once everything
//! before it has been evaluated (an evaluation error earlier in the string
//! wins).  The parser therefore keeps what it could read and records the
//! error where it stopped: in an [`Node::Error`] at the end of a sequence, or
//! in the `error` field of an item or condition whose arguments were read in
//! part.

use super::grammar::{CondId, ItemId, IterJson, OpId};
use crate::eval::ExpandError;

/// A byte range `start..end` in the source text.
///
/// ```
/// use exim_expand::parser::Span;
/// let t = exim_expand::parse(b"ab${lc:X}");
/// let span = t.root.nodes[1].span();
/// assert_eq!(span, Span::new(2, 9));
/// assert_eq!(&t.source[span.range()], b"${lc:X}");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// The span `start..end` (offsets are stored as `u32`).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span as a range, to slice the source with.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The parts of a [`Seq`]: one is kept without a heap allocation.
pub type Nodes = smallvec::SmallVec<[Node; 1]>;

/// The bytes of a literal text: short ones (most are) are kept inline.
pub type TextBytes = smallvec::SmallVec<[u8; 16]>;

/// A sequence of nodes whose values are concatenated.
///
/// The whole expansion string is one (`Template::root`), and so is every
/// braced argument and operand.
///
/// ```
/// let t = exim_expand::parse(b"a$b${lc:C}");
/// assert_eq!(t.root.nodes.len(), 3);
/// assert_eq!(t.root.span.range(), 0..10);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Seq {
    /// The parts in source order: text, variables, operators, items.  Most
    /// arguments and operands are one part, kept inline.
    pub nodes: Nodes,
    /// Where the sequence is in the source (for a braced argument: inside
    /// the braces).
    pub span: Span,
}

/// One part of a [`Seq`]: literal text, a variable, a header, a regex
/// capture, an operator, an item, or a syntax error found there.
///
/// ```
/// use exim_expand::parser::Node;
/// let t = exim_expand::parse(b"x$y${lc:Z}");
/// assert!(matches!(
///     &t.root.nodes[..],
///     [Node::Text { .. }, Node::Var { braced: false, .. }, Node::Op(_)]
/// ));
/// ```
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal bytes, after escape processing.
    Text {
        /// The text, with backslash escapes such as `\n` already applied
        /// (up to 16 bytes kept inline).
        bytes: TextBytes,
        /// The source it was read from (escapes as written).
        span: Span,
    },
    /// `$name` (braced = false) or `${name}` (braced = true).
    Var {
        /// The name without `$` and braces (`sender_address`).
        name: Box<str>,
        /// Written `${name}` rather than `$name`.
        braced: bool,
        /// The `$name` or `${name}` in the source.
        span: Span,
    },
    /// `$h_name:` and friends.
    Header {
        /// Which prefix was used (`$h_`, `$rh_`, `$bh_`, `$lh_`).
        kind: HeaderKind,
        /// The header name as written, without prefix and colon (`subject` in
        /// `$h_subject:`).
        name: Vec<u8>,
        /// The whole variable, prefix to colon.
        span: Span,
    },
    /// `$1`, `${1}`: a regex capture.
    Capture {
        /// The number (`$0` is the whole match).
        n: i64,
        /// The `$n` or `${n}` in the source.
        span: Span,
    },
    /// `${op:operand}` or `${op_args:operand}`.
    Op(Box<OpNode>),
    /// `${item{...}...}`.
    Item(Box<ItemNode>),
    /// A parse error, raised when evaluation reaches it (skipping or not).
    Error(Box<ExpandError>),
}

impl Node {
    /// Where the node is in the source (for an item or operator: the whole
    /// `${...}`).
    pub fn span(&self) -> Span {
        match self {
            Node::Text { span, .. }
            | Node::Var { span, .. }
            | Node::Header { span, .. }
            | Node::Capture { span, .. } => *span,
            Node::Op(op) => op.span,
            Node::Item(item) => item.span,
            Node::Error(e) => e.span,
        }
    }
}

/// Which form of header variable a [`Node::Header`] or a
/// `def:h_name:` condition names.
///
/// ```
/// use exim_expand::parser::{HeaderKind, Node};
/// let t = exim_expand::parse(b"$rh_subject:");
/// assert!(matches!(
///     &t.root.nodes[0],
///     Node::Header { kind: HeaderKind::Raw, name, .. } if name == b"subject"
/// ));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderKind {
    /// `$h_`, `$header_`: trimmed, decoded into `headers_charset`.
    Decoded,
    /// `$rh_`, `$rheader_`: raw.
    Raw,
    /// `$bh_`, `$bheader_`: RFC 2047 decoded, no charset translation.
    Basic,
    /// `$lh_`, `$lheader_`: raw values as a colon list.
    List,
}

/// How an operator name resolved.
///
/// ```
/// use exim_expand::parser::{Node, OpRef};
/// let t = exim_expand::parse(b"${substr_1_3:abcdef}${nosuch:x}");
/// let [Node::Op(known), Node::Op(unknown)] = &t.root.nodes[..] else { panic!() };
/// assert!(matches!(known.op, OpRef::Known { name: "substr", .. }));
/// assert!(matches!(unknown.op, OpRef::Unknown));
/// ```
#[derive(Debug, Clone)]
pub enum OpRef {
    /// An operator of the grammar's tables.
    Known {
        /// Its id in the grammar that parsed the tree (see
        /// [`Registry::op_def`](crate::eval::Registry::op_def)).
        id: OpId,
        /// The operator's name in the table (`substr` for `substr_1_3`).
        name: &'static str,
    },
    /// Unknown: the error is raised after the operand is evaluated, as Exim does.
    Unknown,
}

/// An operator: `${op:operand}` such as `${lc:ABC}`, or `${op_args:operand}`
/// such as `${substr_1_3:abcdef}`.
///
/// ```
/// use exim_expand::parser::Node;
/// let t = exim_expand::parse(b"${substr_1_3:abcdef}");
/// let Node::Op(op) = &t.root.nodes[0] else { panic!("not an operator") };
/// assert_eq!((&*op.name, op.arg.as_deref()), ("substr_1_3", Some("1_3")));
/// assert_eq!(&t.source[op.operand.span.range()], b"abcdef");
/// ```
#[derive(Debug, Clone)]
pub struct OpNode {
    /// The full name as written, e.g. `substr_1_3` (the table's own name,
    /// not a copy, when the operator has no argument).
    pub name: OpName,
    /// What the name resolved to.
    pub op: OpRef,
    /// The text after the first `_` for operators that take arguments.
    pub arg: Option<Box<str>>,
    /// The operand, after the colon.
    pub operand: Seq,
    /// The operand is `$name` naming a certificate variable (md5, sha1,
    /// sha256, base64 special case): the variable name, not expanded.
    pub cert_var: Option<Box<str>>,
    /// The whole `${...}`.
    pub span: Span,
}

/// An operator's name as written: most are exactly a table's name.
pub type OpName = std::borrow::Cow<'static, str>;

/// One argument of an item.
///
/// ```
/// use exim_expand::parser::{Arg, Node};
/// let t = exim_expand::parse(b"${sort{b:a}{lt}{$item}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// assert!(matches!(
///     &it.args[..],
///     [Arg::Seq(_), Arg::Raw { bytes, .. }, Arg::Seq(_)] if bytes == b"lt"
/// ));
/// ```
#[derive(Debug, Clone)]
pub enum Arg {
    /// A braced, expanded string.
    Seq(Seq),
    /// A condition (`filter`'s second argument).
    Cond(Cond),
    /// Raw text that is not expanded (`sort`'s comparator).
    Raw {
        /// The text as written.
        bytes: Vec<u8>,
        /// Where it is in the source (inside the braces).
        span: Span,
    },
}

impl Arg {
    /// Where the argument is in the source (inside its braces).
    pub fn span(&self) -> Span {
        match self {
            Arg::Seq(s) => s.span,
            Arg::Cond(c) => c.span,
            Arg::Raw { span, .. } => *span,
        }
    }
}

/// What follows the `{yes}` string of a [`YesNo`] tail.
///
/// ```
/// use exim_expand::parser::{NoBranch, Node};
/// let t = exim_expand::parse(b"${if eq{a}{b}{y}fail}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// assert!(matches!(it.yesno.as_ref().unwrap().no, NoBranch::Fail(_)));
/// ```
#[derive(Debug, Clone)]
pub enum NoBranch {
    /// Nothing: `${if eq{a}{b}{yes}}` gives the empty string when false.
    None,
    /// `{no}`: the string used when the condition is false or the lookup
    /// finds nothing.
    Seq(Seq),
    /// The keyword `fail`.
    Fail(Span),
}

/// The `{yes}{no}` / `{yes}fail` tail shared by if, lookup, extract, ...
///
/// ```
/// use exim_expand::parser::{NoBranch, Node};
/// let t = exim_expand::parse(b"${if eq{a}{a}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// let tail = it.yesno.as_ref().unwrap();
/// assert!(tail.yes.is_none() && matches!(tail.no, NoBranch::None));
/// // Exim: the bare form of `if` gives "true".
/// let v = exim_expand::expand(b"${if eq{a}{a}}", &mut exim_expand::Context::new());
/// assert_eq!(v.unwrap().bytes, b"true");
/// ```
#[derive(Debug, Clone)]
pub struct YesNo {
    /// `{yes}`: used when the condition is true or the lookup succeeds;
    /// `None` in the bare form (`if` then gives `true`, the others `$value`).
    pub yes: Option<Seq>,
    /// What follows `{yes}`.
    pub no: NoBranch,
    /// `fail` followed by something other than `}`: the message Exim gives
    /// when the failure is wanted (the item's `error` is the one it gives
    /// otherwise).
    pub fail_unclosed: Option<Box<ExpandError>>,
}

/// An item: `${name{arg}...}` such as `${sg{abc}{b}{x}}`, or `${if ...}`,
/// `${lookup ...}`, `${extract ...}`.
///
/// ```
/// use exim_expand::parser::{Arg, Node};
/// let t = exim_expand::parse(b"${sg{abc}{b}{x}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!("not an item") };
/// assert_eq!((it.name, it.args.len()), ("sg", 3));
/// assert!(it.yesno.is_none() && it.error.is_none());
/// let Arg::Seq(s) = &it.args[0] else { panic!() };
/// assert_eq!(&t.source[s.span.range()], b"abc");
/// ```
#[derive(Debug, Clone)]
pub struct ItemNode {
    /// The item, in the grammar that parsed the tree.
    pub item: ItemId,
    /// The item's name (`sg`, `lookup`).
    pub name: &'static str,
    /// Text between the item name and the first brace (`extract json`'s
    /// format word, `run,preexpand` options, a lookup's type).
    pub word: Option<Box<str>>,
    /// The arguments in source order (for `if`, its condition; for
    /// `lookup`, the key and the file or query).
    pub args: Vec<Arg>,
    /// The `{yes}{no}` tail, for the items that have one (`if`, `lookup`,
    /// `extract`, `run`, ...).
    pub yesno: Option<YesNo>,
    /// Set when the item could only be read in part.
    pub error: Option<Box<ExpandError>>,
    /// The whole `${...}`.
    pub span: Span,
}

/// A condition of `${if ...}`, `filter`, `forall`/`forany` or `and`/`or`,
/// such as `eq{$x}{a}` or `!def:h_subject:`.
///
/// ```
/// use exim_expand::parser::{Arg, CondKind, Node};
/// let t = exim_expand::parse(b"${if !eq{$x}{a}{y}{n}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// let Arg::Cond(c) = &it.args[0] else { panic!("not a condition") };
/// assert!(c.negated);
/// assert!(matches!(&c.kind, CondKind::Call { name: "eq", args, .. } if args.len() == 2));
/// ```
#[derive(Debug, Clone)]
pub struct Cond {
    /// An odd number of `!`.
    pub negated: bool,
    /// Which condition, with its arguments.
    pub kind: CondKind,
    /// Set when the condition could only be read in part.
    pub error: Option<Box<ExpandError>>,
    /// The condition's text in the source, `!` included.
    pub span: Span,
}

/// What a [`Cond`] tests.
///
/// ```
/// use exim_expand::parser::{Arg, CondKind, Node};
/// let t = exim_expand::parse(b"${if and{{eq{a}{a}}{forany{x:y}{eq{$item}{y}}}}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// let Arg::Cond(c) = &it.args[0] else { panic!() };
/// let CondKind::AndOr { is_and: true, conds } = &c.kind else { panic!("not and") };
/// assert!(matches!(conds[0].kind, CondKind::Call { name: "eq", .. }));
/// assert!(matches!(conds[1].kind, CondKind::Iterate { name: "forany", any: true, .. }));
/// ```
#[derive(Debug, Clone)]
pub enum CondKind {
    /// A condition with string arguments.
    Call {
        /// The condition, in the grammar that parsed the tree.
        id: CondId,
        /// The condition's name (`eq`, `match_domain`, `<=`).
        name: &'static str,
        /// Its braced arguments in order.
        args: Vec<Seq>,
    },
    /// `def:name`.
    Def(DefTarget),
    /// `and{{c1}{c2}...}` (`is_and`) or `or{...}`.
    AndOr {
        /// `and` rather than `or`.
        is_and: bool,
        /// The sub-conditions in order.
        conds: Vec<Cond>,
    },
    /// `forall{list}{cond}` and friends.
    Iterate {
        /// The name as written (`forall`, `forany_jsons`, ...).
        name: &'static str,
        /// `forany` rather than `forall`.
        any: bool,
        /// How the list is read: an Exim list or a JSON array.
        json: IterJson,
        /// The list argument.
        list: Seq,
        /// The condition tested for each element, with `$item` set to it.
        cond: Box<Cond>,
    },
    /// Nothing could be read (the error says why).
    Invalid,
}

/// What `def:` tests.
///
/// ```
/// use exim_expand::parser::{Arg, CondKind, DefTarget, Node};
/// let t = exim_expand::parse(b"${if def:sender_address{y}{n}}");
/// let Node::Item(it) = &t.root.nodes[0] else { panic!() };
/// let Arg::Cond(c) = &it.args[0] else { panic!() };
/// assert!(matches!(&c.kind, CondKind::Def(DefTarget::Var(v)) if &**v == "sender_address"));
/// ```
#[derive(Debug, Clone)]
pub enum DefTarget {
    /// `def:name`: the variable is not empty (the name, without `$`).
    Var(Box<str>),
    /// `def:h_name:`: the message has the header (the form and the name).
    Header(HeaderKind, Vec<u8>),
}
