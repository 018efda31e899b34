//! Explain mode: a record of the evaluation as a tree — every item,
//! operator, condition and variable with its result, untaken branches
//! marked as skipped and tainted values marked — in the spirit of
//! `exim -d+expand`, but readable.

use super::{Evaluator, ExpandError};
use crate::parser::{Cond, CondKind, DefTarget, Node, OpRef, Span};
use std::fmt::Write;

#[derive(Debug, Clone)]
pub enum Outcome {
    Value(Vec<u8>),
    Bool(bool),
    Error(ExpandError),
}

#[derive(Debug, Clone)]
pub struct TraceNode {
    pub label: String,
    pub span: Span,
    pub skipped: bool,
    pub outcome: Option<Outcome>,
    pub tainted: bool,
    pub children: Vec<TraceNode>,
}

/// Collects trace nodes while an [`Evaluator`] runs.
#[derive(Debug, Default)]
pub struct Tracer {
    stack: Vec<TraceNode>,
    pub roots: Vec<TraceNode>,
}

/// Nodes worth a line of their own (literal text is not).
pub fn traced(node: &Node) -> bool {
    !matches!(node, Node::Text { .. })
}

pub fn label(node: &Node) -> String {
    match node {
        Node::Text { .. } => "text".into(),
        Node::Var { name, .. } => format!("${name}"),
        Node::Header { name, .. } => format!("$h_{}:", String::from_utf8_lossy(name)),
        Node::Capture { n, .. } => format!("${n}"),
        Node::Op(op) => match &op.op {
            OpRef::Known { .. } => format!("${{{}:...}}", op.name),
            OpRef::Unknown => format!("${{{}:...}} (unknown operator)", op.name),
        },
        Node::Item(item) => format!("${{{} ...}}", item.name),
        Node::Error(_) => "syntax error".into(),
    }
}

pub fn cond_label(c: &Cond) -> String {
    let neg = if c.negated { "!" } else { "" };
    let name = match &c.kind {
        CondKind::Call { name, .. } | CondKind::Iterate { name, .. } => name.to_string(),
        CondKind::Def(DefTarget::Var(v)) => format!("def:{v}"),
        CondKind::Def(DefTarget::Header(_, h)) => format!("def:h_{}:", String::from_utf8_lossy(h)),
        CondKind::AndOr { is_and, .. } => (if *is_and { "and" } else { "or" }).to_string(),
        CondKind::Invalid => "(invalid)".to_string(),
    };
    format!("condition {neg}{name}")
}

impl Evaluator<'_> {
    pub(crate) fn trace_enter(&mut self, label: String, span: Span, skipped: bool) {
        if let Some(t) = &mut self.tracer {
            t.stack.push(TraceNode {
                label,
                span,
                skipped,
                outcome: None,
                tainted: false,
                children: Vec::new(),
            });
        }
    }

    pub(crate) fn trace_leave(&mut self, outcome: Outcome, tainted: bool) {
        let Some(t) = &mut self.tracer else { return };
        let Some(mut n) = t.stack.pop() else { return };
        n.outcome = Some(outcome);
        n.tainted = tainted;
        match t.stack.last_mut() {
            Some(parent) => parent.children.push(n),
            None => t.roots.push(n),
        }
    }
}

fn quoted(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// Renders the tree, one node per line, with the source text of each node.
pub fn render(source: &[u8], roots: &[TraceNode]) -> String {
    let mut out = String::new();
    for (i, n) in roots.iter().enumerate() {
        render_node(&mut out, source, n, "", i + 1 == roots.len());
    }
    out
}

fn render_node(out: &mut String, source: &[u8], n: &TraceNode, prefix: &str, last: bool) {
    let branch = if last { "└─ " } else { "├─ " };
    let text = source.get(n.span.range()).unwrap_or_default();
    let mut snippet = String::from_utf8_lossy(text).replace('\n', "\\n");
    if snippet.chars().count() > 60 {
        snippet = snippet.chars().take(57).collect::<String>() + "...";
    }
    let result = if n.skipped {
        "skipped".to_string()
    } else {
        match &n.outcome {
            Some(Outcome::Value(v)) => format!("→ {}", quoted(v)),
            Some(Outcome::Bool(b)) => format!("→ {b}"),
            Some(Outcome::Error(e)) => format!("✗ {}", e.message_str()),
            None => String::new(),
        }
    };
    let taint = if n.tainted && !n.skipped {
        " [tainted]"
    } else {
        ""
    };
    let source_text = if snippet == n.label {
        String::new()
    } else {
        format!("  {snippet}")
    };
    let _ = writeln!(
        out,
        "{prefix}{branch}{}{source_text}  {result}{taint}",
        n.label
    );
    let child_prefix = format!("{prefix}{}", if last { "   " } else { "│  " });
    for (i, c) in n.children.iter().enumerate() {
        render_node(out, source, c, &child_prefix, i + 1 == n.children.len());
    }
}
