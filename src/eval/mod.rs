//! The evaluator: walks a parsed [`Template`] with a [`Context`].
//!
//! Untaken branches are walked in *skipping* mode, as Exim does: nothing is
//! computed, but unknown variables and syntax errors there still fail.

mod captures;
mod clock_parse;
mod context;
mod control;
mod error;
mod extensions;
mod log;
mod name_index;
mod phase;
mod provider;
mod registry;
pub(crate) mod session;
mod template;
pub mod trace;
mod value;

pub use captures::Captures;
pub use context::{
    Capabilities, Capability, Clock, Context, Features, FixedClock, HostNameLookup, HostNameState,
    Limits, ListKind, Policy, Profile, Settings, SystemClock, VarMap,
};
pub use error::{ErrorKind, ExpandError, Failure, NestedSource};
pub use extensions::Extensions;
pub use log::LogBuffer;
pub use name_index::NameIndex;
pub use phase::{AddedHeader, HeaderPlace, SmtpPhase};
pub use provider::{
    Answer, AuthProvider, AuthResult, Crypto, Digest, DnsError, Lookup, LookupFailure,
    LookupHandle, LookupQuery, QueryFlags, RData, Record, Resolver, RrType, SignatureAlg,
    SignatureError,
};
pub use registry::{
    CertFn, CondDef, CondFn, ItemCheckFn, ItemDef, ItemEval, NodeFn, NumberFn, OpCheckFn, OpDef,
    OpFn, OpResult, Registry, RegistryParts, StringsFn, Variables, WhenSkipping,
};
pub(crate) use session::CacheEntry;
pub use session::LookupCache;
pub use template::Template;
pub use value::{Value, c_str};

use crate::parser::{Arg, Cond, CondKind, ItemNode, NoBranch, Node, OpRef, Seq, Span};
use std::sync::Arc;

/// How many nodes are evaluated between two readings of the clock for
/// [`Limits::max_time`].
const CLOCK_EVERY: u32 = 16;

/// Evaluation nesting bound (`${expand:}` re-enters the evaluator).
pub const MAX_EVAL_DEPTH: u32 = 400;

/// The source of an evaluator that has not run a template yet: shared, so
/// that making an evaluator allocates nothing.
fn empty_source() -> Arc<[u8]> {
    static EMPTY: std::sync::LazyLock<Arc<[u8]>> = std::sync::LazyLock::new(|| Arc::from(&b""[..]));
    EMPTY.clone()
}

/// Expands `source` with `ctx`: parse, then evaluate.
pub fn expand(source: &[u8], ctx: &mut Context) -> Result<Value, ExpandError> {
    let t = Template::parse(source, &ctx.registry);
    Evaluator::new(ctx).run(&t)
}

/// One evaluation's state: `$value`, `$item`, the regex captures.
///
/// ```
/// use exim_expand::{Context, Evaluator};
/// let t = exim_expand::parse(b"${if match{abc}{^a(b)}{$1}}");
/// let mut ctx = Context::new();
/// let mut ev = Evaluator::new(&mut ctx);
/// assert_eq!(ev.run(&t).unwrap().bytes, b"b");
/// assert_eq!(ev.variable_value("version_number").unwrap().bytes, b"4.96");
/// assert!(ev.variable_value("nosuch").is_none());
/// ```
pub struct Evaluator<'a> {
    /// The session's context: variables, settings, what persists between
    /// expansions.
    pub ctx: &'a mut Context,
    /// `$value` (Exim's `lookup_value`); `None` is "unset".
    pub(crate) value: Option<Value>,
    /// `$item` (Exim's `iterate_item`).
    pub(crate) item: Option<Value>,
    /// `$0`..`$n` from the last successful regex match.
    pub(crate) captures: Captures,
    /// The source text of the template being evaluated (for messages that
    /// quote "the remaining string").
    pub(crate) source: std::sync::Arc<[u8]>,
    /// Set for explain mode: records every item, operator, condition and
    /// variable evaluated (see [`trace`]).
    pub tracer: Option<trace::Tracer>,
    /// The builtins of the template being evaluated.
    reg: Arc<Registry>,
    /// The current top-level evaluation's time budget, and when it runs
    /// out: the clock is first read at the first check, so that a short
    /// expansion never reads it.
    deadline: Option<(Option<std::time::Instant>, std::time::Duration)>,
    /// Nodes evaluated since the clock was last read (it is read every
    /// [`CLOCK_EVERY`] nodes: reading it per node cost more than the node).
    ticks: u32,
    depth: u32,
    /// A header name containing `}` was evaluated (Exim's
    /// `malformed_header`): brace errors found while evaluating then carry
    /// Exim's hint.
    pub(crate) malformed_header: bool,
}

impl<'a> Evaluator<'a> {
    /// An evaluator over `ctx`, with `$value`, `$item` and the captures
    /// unset.
    pub fn new(ctx: &'a mut Context) -> Evaluator<'a> {
        let reg = ctx.registry.clone();
        Evaluator {
            reg,
            ctx,
            value: None,
            item: None,
            captures: Captures::default(),
            source: empty_source(),
            tracer: None,
            deadline: None,
            ticks: 0,
            depth: 0,
            malformed_header: false,
        }
    }

    /// Evaluates a whole template.
    pub fn run(&mut self, t: &Template) -> Result<Value, ExpandError> {
        let saved = std::mem::replace(&mut self.source, t.source.clone());
        let saved_reg = if Arc::ptr_eq(&self.reg, &t.registry) {
            None
        } else {
            Some(std::mem::replace(&mut self.reg, t.registry.clone()))
        };
        let outermost = self.deadline.is_none();
        if outermost {
            self.deadline = self.ctx.limits.max_time.map(|d| (None, d));
            self.malformed_header = false;
        }
        let r = self.seq(&t.root, false);
        if outermost {
            self.deadline = None;
        }
        self.source = saved;
        if let Some(reg) = saved_reg {
            self.reg = reg;
        }
        r
    }

    /// A brace error raised while evaluating, as Exim's
    /// `EXPAND_FAILED_CURLY` words it: after a header name that ran on, the
    /// message is replaced by Exim's hint.
    pub(crate) fn curly_failure(&self, message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        if self.malformed_header {
            ExpandError::failed(crate::parser::CURLY_AFTER_MALFORMED_HEADER, span)
        } else {
            ExpandError::failed(message, span)
        }
    }

    /// The builtins being evaluated with.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.reg
    }

    /// Fails when a budget of [`Limits`] is exhausted.
    fn check_budgets(&mut self, out: &Value, span: Span) -> Result<(), ExpandError> {
        let max = self.ctx.limits.max_output;
        if out.bytes.len() > max {
            return Err(ExpandError::new(
                ErrorKind::Limit,
                format!("expansion result longer than {max} bytes (Limits::max_output)"),
                span,
            ));
        }
        self.check_time(span)
    }

    /// Fails when [`Limits::max_time`] has run out (the clock is read every
    /// few calls).  Builtins that loop without evaluating nodes call it.
    pub(crate) fn check_time(&mut self, span: Span) -> Result<(), ExpandError> {
        self.ticks = self.ticks.wrapping_add(1);
        if !self.ticks.is_multiple_of(CLOCK_EVERY) {
            return Ok(());
        }
        let Some((at, budget)) = &mut self.deadline else {
            return Ok(());
        };
        let now = std::time::Instant::now();
        let at = *at.get_or_insert(now + *budget);
        if now > at {
            let budget = *budget;
            return Err(ExpandError::new(
                ErrorKind::Limit,
                format!(
                    "expansion took longer than {} ms (Limits::max_time)",
                    budget.as_millis()
                ),
                span,
            ));
        }
        Ok(())
    }

    /// Evaluates a sequence.  While skipping, nothing is computed, but
    /// literal text and captures are still collected (Exim's skipping
    /// expansions return them too).
    pub(crate) fn seq(&mut self, s: &Seq, skip: bool) -> Result<Value, ExpandError> {
        // Most arguments are literal text: their value is the text.
        if let [Node::Text { bytes, .. }] = &s.nodes[..]
            && self.tracer.is_none()
            && self.depth < MAX_EVAL_DEPTH
        {
            let mut out = Value::new(&bytes[..]);
            out.truncate_at_nul();
            return Ok(out);
        }
        // The source length is a fair first guess at the result's; an
        // operator alone gives its result's own buffer (see node_into).
        let capacity = match &s.nodes[..] {
            [Node::Op(_)] => 0,
            _ => s.span.range().len(),
        };
        let mut out = Value {
            bytes: Vec::with_capacity(capacity),
            tainted: false,
        };
        self.seq_into(s, skip, &mut out)?;
        out.truncate_at_nul();
        Ok(out)
    }

    /// Evaluates a sequence onto the end of `out`, as [`Evaluator::seq`]
    /// would and then [`Value::push`], without a buffer of its own.  On an
    /// error `out` is as it was.
    pub(crate) fn seq_append(
        &mut self,
        s: &Seq,
        skip: bool,
        out: &mut Value,
    ) -> Result<(), ExpandError> {
        let (start, tainted) = (out.bytes.len(), out.tainted);
        match self.seq_into(s, skip, out) {
            Ok(()) => {
                out.truncate_at_nul_from(start);
                Ok(())
            }
            Err(e) => {
                out.bytes.truncate(start);
                out.tainted = tainted;
                Err(e)
            }
        }
    }

    /// Sets `$item` to a list element, reusing the buffer of the one
    /// before (map, filter, reduce and sort set it for every element).
    pub(crate) fn set_item(&mut self, elem: &[u8], tainted: bool) {
        match &mut self.item {
            Some(v) => {
                v.bytes.clear();
                v.bytes.extend_from_slice(elem);
                v.tainted = tainted;
            }
            None => {
                self.item = Some(Value {
                    bytes: elem.to_vec(),
                    tainted,
                })
            }
        }
    }

    /// Evaluates a sequence for what it checks, keeping nothing of it.
    fn seq_discarded(&mut self, s: &Seq, skip: bool, out: &mut Value) -> Result<(), ExpandError> {
        let (start, tainted) = (out.bytes.len(), out.tainted);
        let r = self.seq_into(s, skip, out);
        out.bytes.truncate(start);
        out.tainted = tainted;
        r
    }

    fn seq_into(&mut self, s: &Seq, skip: bool, out: &mut Value) -> Result<(), ExpandError> {
        if self.depth >= MAX_EVAL_DEPTH {
            return Err(ExpandError::new(
                ErrorKind::Limit,
                format!("expansion nested more than {MAX_EVAL_DEPTH} levels deep"),
                s.span,
            ));
        }
        self.depth += 1;
        let r = self.nodes_into(&s.nodes, skip, out);
        self.depth -= 1;
        r
    }

    fn nodes_into(
        &mut self,
        nodes: &[Node],
        skip: bool,
        out: &mut Value,
    ) -> Result<(), ExpandError> {
        for node in nodes {
            if self.tracer.is_some() && trace::traced(node) {
                self.trace_node(node, skip, out)?;
            } else {
                self.node_into(node, skip, out)?;
            }
            if !matches!(node, Node::Text { .. }) {
                self.check_budgets(out, node.span())?;
            }
        }
        Ok(())
    }

    /// Evaluates one node under the explain-mode tracer.
    fn trace_node(&mut self, node: &Node, skip: bool, out: &mut Value) -> Result<(), ExpandError> {
        self.trace_enter(trace::label(node), node.span(), skip);
        let mut own = Value::empty();
        let r = self.node_into(node, skip, &mut own);
        let outcome = match &r {
            Ok(()) => trace::Outcome::Value(own.bytes.clone()),
            Err(e) => trace::Outcome::Error(e.clone()),
        };
        self.trace_leave(outcome, own.tainted);
        out.push(&own);
        r
    }

    fn node_into(&mut self, node: &Node, skip: bool, out: &mut Value) -> Result<(), ExpandError> {
        match node {
            // Literal text is kept even while skipping, as Exim does:
            // checks made in untaken branches see it.
            Node::Text { bytes, .. } => out.push_bytes(bytes),
            Node::Var { name, braced, span } => {
                let v = self.variable(name, *braced, *span, skip)?;
                if !skip {
                    out.push(&v);
                }
            }
            Node::Header { kind, name, .. } => {
                if name.contains(&b'}') {
                    self.malformed_header = true;
                }
                if let Some(v) = (self.reg.vars.header)(self, *kind, name) {
                    out.push(&v);
                }
            }
            Node::Capture { n, .. } => {
                if let Some(v) = usize::try_from(*n).ok().and_then(|i| self.captures.get(i)) {
                    out.bytes.extend_from_slice(&v.bytes);
                    out.tainted |= v.tainted;
                }
            }
            Node::Op(op) => {
                let operand = match &op.cert_var {
                    Some(name) => Value::new(name.as_bytes()),
                    None => self.seq(&op.operand, skip)?,
                };
                match &op.op {
                    OpRef::Unknown => {
                        return Err(ExpandError::failed(
                            format!("unknown expansion operator \"{}\"", op.name),
                            op.span,
                        ));
                    }
                    _ if skip => {}
                    OpRef::Known { id, .. } => {
                        let def = *self.reg.op_def(*id);
                        // A certificate variable holding a certificate: the
                        // operator works on the certificate itself.
                        let pem = op
                            .cert_var
                            .as_ref()
                            .and_then(|n| self.ctx.vars.get(n.as_ref()))
                            .filter(|v| !v.bytes.is_empty())
                            .cloned();
                        let cert = match (def.cert, pem) {
                            (Some(f), Some(pem)) => f(self, def.sig.name, &pem),
                            _ => None,
                        };
                        let r = match cert {
                            Some(r) => r,
                            None => (def.func)(self, op.arg.as_deref(), &operand),
                        };
                        let r = r.map_err(|f| f.at(op.span))?;
                        if out.bytes.is_empty() {
                            out.bytes = r.bytes;
                        } else {
                            out.bytes.extend_from_slice(&r.bytes);
                        }
                        out.tainted |= operand.tainted || r.tainted;
                    }
                }
            }
            Node::Item(item) => {
                if self.depth >= MAX_EVAL_DEPTH {
                    return Err(ExpandError::new(
                        ErrorKind::Limit,
                        format!("expansion nested more than {MAX_EVAL_DEPTH} levels deep"),
                        item.span,
                    ));
                }
                self.depth += 1;
                let def = *self.reg.item_def(item.item);
                let r = if item.error.is_some() && !def.sig.shape.reports_own_errors() {
                    self.incomplete_item(item, skip)
                } else {
                    match def.eval {
                        ItemEval::Node(eval) => eval(self, item, skip, out),
                        ItemEval::Strings(eval) => self.strings_item(&def, eval, item, skip, out),
                    }
                };
                self.depth -= 1;
                r.map_err(|e| e.anchored_at(item.span))?;
            }
            Node::Error(e) => return Err((**e).clone()),
        }
        Ok(())
    }

    /// An item of strings: its arguments expanded in order (as Exim's
    /// `read_subs` does), their number checked, the policy asked, the
    /// failure placed at the item.
    fn strings_item(
        &mut self,
        def: &ItemDef,
        eval: StringsFn,
        item: &ItemNode,
        skip: bool,
        out: &mut Value,
    ) -> Result<(), ExpandError> {
        let mut vals = Vec::with_capacity(item.args.len());
        for a in &item.args {
            if let Arg::Seq(s) = a {
                vals.push(self.seq(s, skip)?);
            }
        }
        if let crate::parser::ItemShape::Subs { min, max } = def.sig.shape
            && !(usize::from(min)..=usize::from(max)).contains(&vals.len())
        {
            return self.incomplete_item(item, skip);
        }
        if skip {
            match def.skipping {
                WhenSkipping::Ignored => return Ok(()),
                WhenSkipping::Checked(check) => return check(&vals).map_err(|f| f.at(item.span)),
                WhenSkipping::Computed => {}
            }
        } else if let Some((c, what)) = def.capability {
            self.ctx.policy.require(c, what, item.span)?;
        }
        let v = eval(self, &vals).map_err(|f| f.at(item.span))?;
        out.push(&v);
        Ok(())
    }

    /// An item that could only be read in part: evaluate what was read, in
    /// order, then report the syntax error.
    pub(crate) fn incomplete_item(
        &mut self,
        item: &ItemNode,
        skip: bool,
    ) -> Result<(), ExpandError> {
        for a in &item.args {
            match a {
                Arg::Seq(s) => {
                    self.seq(s, skip)?;
                }
                Arg::Cond(c) => {
                    self.cond(c, true)?;
                }
                Arg::Raw { .. } => {}
            }
        }
        if let Some(yn) = &item.yesno {
            if let Some(y) = &yn.yes {
                self.seq(y, true)?;
            }
            if let NoBranch::Seq(n) = &yn.no {
                self.seq(n, true)?;
            }
        }
        match &item.error {
            Some(e) => Err((**e).clone()),
            None => Err(ExpandError::failed(
                "missing or misplaced { or }",
                item.span,
            )),
        }
    }

    /// The value of a variable (built-in, set by the embedder or left by
    /// earlier expansions); `None` when the profile has no such variable.
    pub fn variable_value(&self, name: &str) -> Option<Value> {
        (self.reg.vars.lookup)(self, name, false).map(std::borrow::Cow::into_owned)
    }

    /// Resolves a variable; unknown names fail even when skipping.  A
    /// value held by the evaluator or the context is lent.
    pub(crate) fn variable(
        &self,
        name: &str,
        braced: bool,
        span: Span,
        skip: bool,
    ) -> Result<std::borrow::Cow<'_, Value>, ExpandError> {
        match (self.reg.vars.lookup)(self, name, skip) {
            Some(v) => Ok(v),
            None => {
                let mut msg = if braced {
                    format!("unknown variable in \"${{{name}}}\"")
                } else {
                    format!("unknown variable name \"{name}\"")
                };
                msg.push_str(&(self.reg.vars.unknown_hint)(name));
                Err(ExpandError::new(ErrorKind::UnknownVariable, msg, span))
            }
        }
    }

    /// Evaluates a condition; `skip` walks it without computing.
    pub(crate) fn cond(&mut self, c: &Cond, skip: bool) -> Result<bool, ExpandError> {
        if self.tracer.is_none() {
            return self.cond_untraced(c, skip);
        }
        self.trace_enter(trace::cond_label(c), c.span, skip);
        let r = self.cond_untraced(c, skip);
        let outcome = match &r {
            Ok(b) => trace::Outcome::Bool(*b),
            Err(e) => trace::Outcome::Error(e.clone()),
        };
        self.trace_leave(outcome, false);
        r
    }

    fn cond_untraced(&mut self, c: &Cond, skip: bool) -> Result<bool, ExpandError> {
        let r = self.cond_inner(c, skip)?;
        if let Some(e) = &c.error {
            return Err((**e).clone());
        }
        Ok(r != c.negated)
    }

    fn cond_inner(&mut self, c: &Cond, skip: bool) -> Result<bool, ExpandError> {
        match &c.kind {
            CondKind::Invalid => Ok(false),
            CondKind::Call { id, args, .. } => {
                let def = *self.reg.cond_def(*id);
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    let v = self.seq(a, skip)?;
                    if def.numeric && !skip {
                        (self.reg.number)(&v).map_err(|m| ExpandError::failed(m, a.span))?;
                    }
                    vals.push(v);
                }
                if c.error.is_some() {
                    return Ok(false);
                }
                if skip {
                    if def.checked_when_skipping {
                        (def.func)(self, &vals).map_err(|f| f.at(c.span))?;
                    }
                    return Ok(false);
                }
                (def.func)(self, &vals).map_err(|f| f.at(c.span))
            }
            CondKind::Def(target) => self.def(target, c.span, skip),
            CondKind::AndOr { is_and, conds } => {
                let inside = |e: ExpandError| {
                    let name = if *is_and { "and" } else { "or" };
                    e.with_suffix(&format!(" inside \"{name}{{...}}\" condition"))
                };
                let mut result = *is_and;
                let mut sub_skip = skip;
                for sub in conds {
                    let r = self.cond(sub, sub_skip).map_err(inside)?;
                    if !sub_skip {
                        if *is_and {
                            result &= r;
                            if !result {
                                sub_skip = true;
                            }
                        } else {
                            result |= r;
                            if result {
                                sub_skip = true;
                            }
                        }
                    }
                }
                Ok(result)
            }
            CondKind::Iterate {
                name,
                any,
                json,
                list,
                cond,
            } => self.iterate((name, *any, *json), list, cond, c, skip),
        }
    }

    /// The yes/no tail: picks the branch, honours `fail`.
    pub(crate) fn yes_no(
        &mut self,
        item: &ItemNode,
        yes: bool,
        skip: bool,
        saved_value: Option<Value>,
        out: &mut Value,
    ) -> Result<(), ExpandError> {
        let tail = self.reg.item_def(item.item).sig.tail;
        let ty = tail.word;
        let Some(yn) = &item.yesno else {
            return Ok(());
        };
        match &yn.yes {
            None => {
                if yes && !skip {
                    if tail.bare_gives_true {
                        out.push_bytes(b"true");
                    } else if let Some(v) = &self.value {
                        let v = v.clone();
                        out.push(&v);
                    }
                }
                if tail.restores_value_bare {
                    self.value = saved_value;
                }
            }
            Some(ys) => {
                // Exim appends the chosen string even while skipping (then it
                // holds only literal text); checks in untaken code see it.
                if yes {
                    self.seq_append(ys, skip, out)?;
                } else {
                    self.seq_discarded(ys, true, out)?;
                }
                if tail.restores_value {
                    self.value = saved_value;
                }
                match &yn.no {
                    NoBranch::None => {}
                    NoBranch::Seq(ns) => {
                        if yes {
                            self.seq_discarded(ns, true, out)?;
                        } else {
                            self.seq_append(ns, skip, out)?;
                        }
                    }
                    NoBranch::Fail(span) => {
                        if !yes && !skip {
                            if let Some(e) = &yn.fail_unclosed {
                                return Err((**e).clone());
                            }
                            return Err(ExpandError::forced(
                                format!("\"{ty}\" failed and \"fail\" requested"),
                                *span,
                            ));
                        }
                    }
                }
            }
        }
        if let Some(e) = &item.error {
            return Err((**e).clone());
        }
        Ok(())
    }

    /// Expands a string at run time (`${expand:}`, wildlsearch keys, ...).
    pub(crate) fn expand_nested(&mut self, source: &[u8]) -> Result<Value, ExpandError> {
        let t = Template::parse(source, &self.reg);
        let saved_src = std::mem::replace(&mut self.source, t.source.clone());
        self.depth += 1;
        let r = if self.depth >= MAX_EVAL_DEPTH {
            Err(ExpandError::new(
                ErrorKind::Limit,
                format!("expansion nested more than {MAX_EVAL_DEPTH} levels deep"),
                Span::default(),
            ))
        } else {
            self.seq(&t.root, false)
        };
        self.depth -= 1;
        self.source = saved_src;
        r.map_err(|mut e| {
            if e.nested.is_none() {
                e.nested = Some(Box::new(NestedSource {
                    source: t.source.clone(),
                    span: e.span,
                    anchored: false,
                }));
            }
            e
        })
    }

    /// Runs `f` with `$value` and the captures saved, restoring them when
    /// it succeeds, as the items `if`, `lookup`, `extract`, ... do.  On an
    /// error Exim leaves them as the item had set them (visible on the next
    /// line of a `-be` session), so they are not restored then.
    pub(crate) fn scoped<T, E>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, E>,
    ) -> Result<T, E> {
        let value = self.value.clone();
        let caps = self.captures.clone();
        let r = f(self);
        if r.is_ok() {
            self.value = value;
            self.captures = caps;
        }
        r
    }
}
