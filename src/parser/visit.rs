//! Walking a tree: every node, condition and recorded error in source
//! order, untaken branches included (for checks, lint and error lists).

use super::ast::*;
use crate::eval::ExpandError;

/// Calls `f` for every sequence, node, condition and recorded error under
/// `root`.
pub fn walk<'a>(root: &'a Seq, f: &mut impl FnMut(Visit<'a>)) {
    walk_seq(root, f);
}

/// What [`walk`] visits.
///
/// ```
/// use exim_expand::parser::{Node, Visit, walk};
/// let t = exim_expand::parse(b"${if eq{$x}{a}{$y}{$z}}");
/// let mut vars = Vec::new();
/// walk(&t.root, &mut |v| {
///     if let Visit::Node(Node::Var { name, .. }) = v {
///         vars.push(name.to_string());
///     }
/// });
/// assert_eq!(vars, ["x", "y", "z"]); // the untaken branch too
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Visit<'a> {
    /// A node, before the nodes inside it.
    Node(&'a Node),
    /// A condition, before its arguments and sub-conditions.
    Cond(&'a Cond),
    /// The syntax error of an item or condition read in part.
    Error(&'a ExpandError),
    /// A sequence (the root, an argument, an operand, a branch), before
    /// its nodes.
    Seq(&'a Seq),
}

fn walk_seq<'a>(s: &'a Seq, f: &mut impl FnMut(Visit<'a>)) {
    f(Visit::Seq(s));
    for n in &s.nodes {
        f(Visit::Node(n));
        match n {
            Node::Op(op) => walk_seq(&op.operand, f),
            Node::Item(it) => {
                for a in &it.args {
                    match a {
                        Arg::Seq(s) => walk_seq(s, f),
                        Arg::Cond(c) => walk_cond(c, f),
                        Arg::Raw { .. } => {}
                    }
                }
                if let Some(yn) = &it.yesno {
                    if let Some(y) = &yn.yes {
                        walk_seq(y, f);
                    }
                    if let NoBranch::Seq(n) = &yn.no {
                        walk_seq(n, f);
                    }
                }
                if let Some(e) = &it.error {
                    f(Visit::Error(e));
                }
            }
            _ => {}
        }
    }
}

/// Visits a condition, its arguments and its sub-conditions.
pub fn walk_cond<'a>(c: &'a Cond, f: &mut impl FnMut(Visit<'a>)) {
    f(Visit::Cond(c));
    match &c.kind {
        CondKind::Call { args, .. } => args.iter().for_each(|s| walk_seq(s, f)),
        CondKind::AndOr { conds, .. } => conds.iter().for_each(|c| walk_cond(c, f)),
        CondKind::Iterate { list, cond, .. } => {
            walk_seq(list, f);
            walk_cond(cond, f);
        }
        CondKind::Def(_) | CondKind::Invalid => {}
    }
    if let Some(e) = &c.error {
        f(Visit::Error(e));
    }
}
