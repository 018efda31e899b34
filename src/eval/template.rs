//! A compiled expansion string: its source, its tree and the registry
//! whose ids the tree holds.

use super::{ExpandError, Registry};
use crate::parser::{self, Node, Seq, Visit};
use std::sync::Arc;

/// A parsed expansion string: parse once, evaluate many times (from any
/// number of threads: a template is `Send + Sync`).
///
/// ```
/// let t = exim_expand::parse(b"${uc:$x}");
/// assert!(t.first_error().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Template {
    /// Shared, so that evaluating does not copy it.
    pub source: Arc<[u8]>,
    /// The syntax tree (see [`crate::parser::ast`]).
    pub root: Seq,
    /// The builtins the tree's ids refer to.
    pub(crate) registry: Arc<Registry>,
}

impl Template {
    /// Parses `source` with the builtins of `registry`.  Syntax errors are
    /// recorded in the tree (see [`Template::first_error`]).
    pub fn parse(source: &[u8], registry: &Arc<Registry>) -> Template {
        Template {
            source: source.into(),
            root: parser::parse(source, &**registry),
            registry: registry.clone(),
        }
    }

    /// The registry the template was parsed with.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The first syntax error in the tree, if any (in source order).
    pub fn first_error(&self) -> Option<&ExpandError> {
        self.errors().into_iter().next()
    }

    /// Every error recorded in the tree, in source order.
    pub fn errors(&self) -> Vec<&ExpandError> {
        let mut all = Vec::new();
        self.walk(&mut |v| match v {
            Visit::Node(Node::Error(e)) => all.push(&**e),
            Visit::Error(e) => all.push(e),
            _ => {}
        });
        all.sort_by_key(|e| e.span.start);
        all
    }

    /// Calls `f` for every node, condition and recorded error, in source
    /// order, untaken branches included.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(Visit<'a>)) {
        parser::walk(&self.root, f);
    }

    /// A readable rendering of the tree, one node per line with its span.
    pub fn dump(&self) -> String {
        parser::dump(&self.root)
    }
}
