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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A sequence of nodes whose values are concatenated.
#[derive(Debug, Clone, Default)]
pub struct Seq {
    pub nodes: Vec<Node>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Node {
    /// Literal bytes, after escape processing.
    Text { bytes: Vec<u8>, span: Span },
    /// `$name` (braced = false) or `${name}` (braced = true).
    Var {
        name: Box<str>,
        braced: bool,
        span: Span,
    },
    /// `$h_name:` and friends.
    Header {
        kind: HeaderKind,
        name: Vec<u8>,
        span: Span,
    },
    /// `$1`, `${1}`: a regex capture.
    Capture { n: i64, span: Span },
    /// `${op:operand}` or `${op_args:operand}`.
    Op(Box<OpNode>),
    /// `${item{...}...}`.
    Item(Box<ItemNode>),
    /// A parse error, raised when evaluation reaches it (skipping or not).
    Error(Box<ExpandError>),
}

impl Node {
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
#[derive(Debug, Clone)]
pub enum OpRef {
    Known {
        id: OpId,
        /// The operator's name in the table (`substr` for `substr_1_3`).
        name: &'static str,
    },
    /// Unknown: the error is raised after the operand is evaluated, as Exim does.
    Unknown,
}

#[derive(Debug, Clone)]
pub struct OpNode {
    /// The full name as written, e.g. `substr_1_3`.
    pub name: Box<str>,
    pub op: OpRef,
    /// The text after the first `_` for operators that take arguments.
    pub arg: Option<Box<str>>,
    pub operand: Seq,
    /// The operand is `$name` naming a certificate variable (md5, sha1,
    /// sha256, base64 special case): the variable name, not expanded.
    pub cert_var: Option<Box<str>>,
    pub span: Span,
}

/// One argument of an item.
#[derive(Debug, Clone)]
pub enum Arg {
    /// A braced, expanded string.
    Seq(Seq),
    /// A condition (`filter`'s second argument).
    Cond(Cond),
    /// Raw text that is not expanded (`sort`'s comparator).
    Raw { bytes: Vec<u8>, span: Span },
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Seq(s) => s.span,
            Arg::Cond(c) => c.span,
            Arg::Raw { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone)]
pub enum NoBranch {
    None,
    Seq(Seq),
    /// The keyword `fail`.
    Fail(Span),
}

/// The `{yes}{no}` / `{yes}fail` tail shared by if, lookup, extract, ...
#[derive(Debug, Clone)]
pub struct YesNo {
    pub yes: Option<Seq>,
    pub no: NoBranch,
    /// `fail` followed by something other than `}`: the message Exim gives
    /// when the failure is wanted (the item's `error` is the one it gives
    /// otherwise).
    pub fail_unclosed: Option<Box<ExpandError>>,
}

#[derive(Debug, Clone)]
pub struct ItemNode {
    /// The item, in the grammar that parsed the tree.
    pub item: ItemId,
    pub name: &'static str,
    /// Text between the item name and the first brace (`extract json`'s
    /// format word, `run,preexpand` options, a lookup's type).
    pub word: Option<Box<str>>,
    pub args: Vec<Arg>,
    pub yesno: Option<YesNo>,
    /// Set when the item could only be read in part.
    pub error: Option<Box<ExpandError>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Cond {
    /// An odd number of `!`.
    pub negated: bool,
    pub kind: CondKind,
    /// Set when the condition could only be read in part.
    pub error: Option<Box<ExpandError>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum CondKind {
    /// A condition with string arguments.
    Call {
        /// The condition, in the grammar that parsed the tree.
        id: CondId,
        name: &'static str,
        args: Vec<Seq>,
    },
    /// `def:name`.
    Def(DefTarget),
    /// `and{{c1}{c2}...}` (`is_and`) or `or{...}`.
    AndOr { is_and: bool, conds: Vec<Cond> },
    /// `forall{list}{cond}` and friends.
    Iterate {
        name: &'static str,
        /// `forany` rather than `forall`.
        any: bool,
        json: IterJson,
        list: Seq,
        cond: Box<Cond>,
    },
    /// Nothing could be read (the error says why).
    Invalid,
}

#[derive(Debug, Clone)]
pub enum DefTarget {
    Var(Box<str>),
    Header(HeaderKind, Vec<u8>),
}
