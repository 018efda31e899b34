//! Explain mode: a record of the evaluation as a tree — every item,
//! operator, condition and variable with its result, untaken branches
//! marked as skipped and tainted values marked — in the spirit of
//! `exim -d+expand`, but readable.

use super::{Evaluator, ExpandError};
use crate::parser::{Cond, CondKind, DefTarget, Node, OpRef, Span};
use std::fmt::Write;

/// What a traced construct gave.
///
/// ```
/// use exim_expand::{Context, Evaluator};
/// use exim_expand::eval::trace::{Outcome, Tracer};
/// let t = exim_expand::parse(b"${if eq{a}{b}{y}{n}}");
/// let mut ctx = Context::new();
/// let mut ev = Evaluator::new(&mut ctx);
/// ev.tracer = Some(Tracer::default());
/// ev.run(&t).unwrap();
/// let roots = ev.tracer.unwrap().roots;
/// let item = &roots[0];
/// assert!(matches!(&item.outcome, Some(Outcome::Value(v)) if v == b"n"));
/// assert!(matches!(item.children[0].outcome, Some(Outcome::Bool(false))));
/// ```
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The bytes an item, operator or variable produced.
    Value(Vec<u8>),
    /// A condition's result (negation applied).
    Bool(bool),
    /// The error it failed with.
    Error(ExpandError),
}

/// One construct of the explain-mode tree (an item, operator, condition
/// or variable) with its result and the constructs evaluated inside it.
///
/// ```
/// use exim_expand::{Context, Evaluator};
/// use exim_expand::eval::trace::Tracer;
/// let t = exim_expand::parse(b"${lc:${uc:x}}");
/// let mut ctx = Context::new();
/// let mut ev = Evaluator::new(&mut ctx);
/// ev.tracer = Some(Tracer::default());
/// ev.run(&t).unwrap();
/// let roots = ev.tracer.unwrap().roots;
/// let lc = &roots[0];
/// assert_eq!((lc.label.as_str(), lc.children[0].label.as_str()), ("${lc:...}", "${uc:...}"));
/// assert_eq!(lc.children[0].span.range(), 5..12);
/// ```
#[derive(Debug, Clone)]
pub struct TraceNode {
    /// What was evaluated: `${lc:...}`, `${if ...}`, `$name`, `condition eq`.
    pub label: String,
    /// Where it is in the source.
    pub span: Span,
    /// It was in an untaken branch: walked, not computed.
    pub skipped: bool,
    /// Its result (`None` only while it is being evaluated).
    pub outcome: Option<Outcome>,
    /// The result is tainted.
    pub tainted: bool,
    /// The constructs evaluated inside it, in order.
    pub children: Vec<TraceNode>,
}

/// Collects trace nodes while an [`Evaluator`] runs.
///
/// ```
/// use exim_expand::{Context, Evaluator};
/// use exim_expand::eval::trace::{Tracer, render};
/// let src = b"${if eq{a}{b}{${uc:y}}{${lc:N}}}";
/// let t = exim_expand::parse(src);
/// let mut ctx = Context::new();
/// let mut ev = Evaluator::new(&mut ctx);
/// ev.tracer = Some(Tracer::default());
/// assert_eq!(ev.run(&t).unwrap().bytes, b"n");
/// let roots = ev.tracer.take().unwrap().roots;
/// let kids = &roots[0].children; // condition eq, ${uc:...}, ${lc:...}
/// assert!(kids[1].skipped && !kids[2].skipped);
/// assert!(render(src, &roots).contains("skipped"));
/// ```
#[derive(Debug, Default)]
pub struct Tracer {
    stack: Vec<TraceNode>,
    /// The top-level constructs recorded so far.
    pub roots: Vec<TraceNode>,
}

/// Nodes worth a line of their own (literal text is not).
pub fn traced(node: &Node) -> bool {
    !matches!(node, Node::Text { .. })
}

/// The label of a node's trace line: `$name`, `${lc:...}`, `${if ...}`.
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

/// The label of a condition's trace line: `condition !eq`,
/// `condition def:x`.
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
