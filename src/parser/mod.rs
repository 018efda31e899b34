//! Source text to a spanned syntax tree.
//!
//! The parser follows Exim's lexical rules (see `grammar.ebnf`).  It never
//! fails outright: a syntax error is recorded in the tree at the point where
//! Exim would have noticed it (see [`ast`]), so that evaluation reports
//! errors in Exim's order.  `Template::first_error` finds the first one for
//! callers that only want to check syntax.

pub mod ast;
mod dump;
mod grammar;
pub(crate) mod lex;
mod visit;

pub use ast::*;
pub use dump::dump;
pub use grammar::*;
pub use visit::{Visit, walk, walk_cond};

use crate::eval::ExpandError;
use lex::{is_space, read_cnumber};

/// Nesting deeper than this is refused with a clean error instead of risking
/// the stack (Exim has no limit; real configurations nest a few levels).
pub const MAX_NESTING: u32 = 200;

/// Parses an expansion string with the signatures of `grammar`.
pub fn parse<G: Grammar + ?Sized>(source: &[u8], grammar: &G) -> Seq {
    Parser::new(source, grammar).seq(false, true)
}

pub(crate) struct Parser<'s, 'g, G: Grammar + ?Sized> {
    g: &'g G,
    src: &'s [u8],
    pos: usize,
    depth: u32,
    /// Set once a hard syntax error has been recorded: every enclosing
    /// construct then stops reading.
    failed: bool,
    /// A `$h_` name containing `}` was read: Exim then words the
    /// missing-brace message differently.
    malformed_header: bool,
}

/// A message that quotes (part of) `raw` as lossy text, with the bytes of
/// `raw` put back: Exim prints the bytes as they are.  The part is the
/// whole of `raw` or what follows its first `-` (`partial-TYPE`), either
/// of them possibly cut at a `*` or `,` (`TYPE*`, `TYPE,opts`).
fn raw_quote(msg: String, raw: &[u8]) -> Vec<u8> {
    if raw.is_ascii() {
        return msg.into_bytes();
    }
    let after_dash = raw.iter().position(|&c| c == b'-').map(|i| &raw[i + 1..]);
    let bases: Vec<&[u8]> = std::iter::once(raw).chain(after_dash).collect();
    let parts: Vec<&[u8]> = bases
        .iter()
        .copied()
        .chain(bases.iter().filter_map(|b| cut_at_suffix(b)))
        .collect();
    for part in parts {
        let lossy = String::from_utf8_lossy(part);
        if let Some(i) = msg.find(lossy.as_ref()) {
            let m = msg.as_bytes();
            return [&m[..i], part, &m[i + lossy.len()..]].concat();
        }
    }
    msg.into_bytes()
}

/// Exim's brace-error message once a header name ran on without its colon
/// (its `malformed_header`), whatever the error was.
pub(crate) const CURLY_AFTER_MALFORMED_HEADER: &str =
    "missing or misplaced { or } - could be header name not terminated by colon";

/// `TYPE` of `TYPE*...` or `TYPE,...`.
fn cut_at_suffix(p: &[u8]) -> Option<&[u8]> {
    p.iter()
        .position(|&c| c == b'*' || c == b',')
        .map(|i| &p[..i])
}

impl<'s, 'g, G: Grammar + ?Sized> Parser<'s, 'g, G> {
    fn new(src: &'s [u8], g: &'g G) -> Parser<'s, 'g, G> {
        Parser {
            g,
            src,
            pos: 0,
            depth: 0,
            failed: false,
            malformed_header: false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, off: usize) -> Option<u8> {
        self.src.get(self.pos + off).copied()
    }

    fn rest(&self) -> &'s [u8] {
        &self.src[self.pos.min(self.src.len())..]
    }

    fn skip_space(&mut self) -> Option<u8> {
        let (rest, _) = lex::space(self.rest()).unwrap_or((self.rest(), &[]));
        self.pos = self.src.len() - rest.len();
        self.peek()
    }

    /// A name of letters, digits, `_` and `extras` (every caller's names
    /// take `_`); one table test a byte for the common ones.
    fn read_name(&mut self, extras: &[u8]) -> &'s [u8] {
        let rest = self.rest();
        let len = rest
            .iter()
            .position(|&c| !(lex::is_name_byte(c) || extras.contains(&c)))
            .unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(start, self.pos.min(self.src.len()))
    }

    /// Records a hard syntax error at the current position.
    fn error(&mut self, message: impl Into<Vec<u8>>, start: usize) -> Box<ExpandError> {
        self.failed = true;
        let end = self.pos.min(self.src.len()).max(start);
        Box::new(ExpandError::syntax(message, Span::new(start, end)))
    }

    /// Exim's message for a braced argument that ran into the end of the text.
    fn missing_brace_message(&self) -> &'static str {
        if self.malformed_header {
            "missing } at end of string - could be header name not terminated by colon"
        } else {
            "missing } at end of string"
        }
    }

    /// An error Exim raises through its `EXPAND_FAILED_CURLY` exit, where a
    /// header name that ran on (no terminating colon) replaces the message.
    fn curly_error(&mut self, message: impl Into<Vec<u8>>, start: usize) -> Box<ExpandError> {
        if self.malformed_header {
            let m = self.curly_message();
            self.error(m, start)
        } else {
            self.error(message, start)
        }
    }

    fn curly_message(&self) -> &'static str {
        if self.malformed_header {
            CURLY_AFTER_MALFORMED_HEADER
        } else {
            "missing or misplaced { or }"
        }
    }

    /// Reads text up to the end (`ket_ends` false) or up to an unescaped `}`
    /// (left unconsumed).
    pub(crate) fn seq(&mut self, ket_ends: bool, honour_dollar: bool) -> Seq {
        let start = self.pos;
        let mut nodes = Nodes::new();
        let mut text = TextBytes::new();
        let mut text_start = self.pos;
        macro_rules! flush {
            () => {
                if !text.is_empty() {
                    nodes.push(Node::Text {
                        bytes: std::mem::take(&mut text),
                        span: Span::new(text_start, self.pos),
                    });
                }
            };
        }
        loop {
            let Some(c) = self.peek() else {
                if ket_ends {
                    flush!();
                    let msg = self.missing_brace_message();
                    let e = self.error(msg, self.pos);
                    nodes.push(Node::Error(e));
                }
                break;
            };
            if c == b'\\' {
                if text.is_empty() {
                    text_start = self.pos;
                }
                match self.peek_at(1) {
                    None => {
                        flush!();
                        let e = self.error("\\ at end of string", self.pos);
                        nodes.push(Node::Error(e));
                        break;
                    }
                    Some(b'N') => {
                        let body_start = self.pos + 2;
                        let rest = &self.src[body_start..];
                        let end = rest
                            .windows(2)
                            .position(|w| w == b"\\N")
                            .map(|i| body_start + i);
                        match end {
                            Some(e) => {
                                text.extend_from_slice(&self.src[body_start..e]);
                                self.pos = e + 2;
                            }
                            None => {
                                text.extend_from_slice(rest);
                                self.pos = self.src.len();
                            }
                        }
                    }
                    Some(_) => {
                        let (b, used) = lex::escape(&self.src[self.pos + 1..]);
                        text.push(b);
                        self.pos += 1 + used;
                    }
                }
                continue;
            }
            if ket_ends && c == b'}' {
                break;
            }
            if c != b'$' || !honour_dollar {
                if text.is_empty() {
                    text_start = self.pos;
                }
                let run_end = self.pos + 1 + lex::text_run(&self.src[self.pos + 1..]);
                text.extend_from_slice(&self.src[self.pos..run_end]);
                self.pos = run_end;
                continue;
            }
            flush!();
            let node = self.dollar();
            nodes.push(node);
            if self.failed {
                break;
            }
            text_start = self.pos;
        }
        flush!();
        Seq {
            nodes,
            span: self.span_from(start),
        }
    }

    /// Reads what follows a `$`.
    fn dollar(&mut self) -> Node {
        let start = self.pos;
        self.pos += 1;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() => self.plain_variable(start),
            Some(c) if c.is_ascii_digit() => {
                let (_, d) = lex::digits(self.rest()).unwrap_or((self.rest(), &[]));
                self.pos += d.len();
                Node::Capture {
                    n: read_cnumber(d),
                    span: self.span_from(start),
                }
            }
            Some(b'{') => {
                self.pos += 1;
                self.braced(start)
            }
            _ => Node::Error(self.error("$ not followed by letter, digit, or {", start)),
        }
    }

    fn plain_variable(&mut self, start: usize) -> Node {
        let name = self.read_name(b"_");
        let name = &name[..name.len().min(255)];
        if let Some((kind, prefix)) = header_prefix(name) {
            let hname = self.header_name(name, prefix);
            return Node::Header {
                kind,
                name: hname,
                span: self.span_from(start),
            };
        }
        Node::Var {
            name: String::from_utf8_lossy(name).into(),
            braced: false,
            span: self.span_from(start),
        }
    }

    /// Completes a header name: what `read_name` took after the prefix, then
    /// any graphic characters except `:` (Exim's `mac_isgraph`: every byte
    /// above space but DEL, so also bytes >= 0x80); a terminating `:` is
    /// consumed.
    fn header_name(&mut self, name: &[u8], prefix: usize) -> Vec<u8> {
        let mut h = name[prefix..].to_vec();
        while let Some(c) = self.peek() {
            if c > b' ' && c != 0x7f && c != b':' {
                h.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.peek() == Some(b':') {
            self.pos += 1;
        }
        if h.contains(&b'}') {
            self.malformed_header = true;
        }
        h
    }

    /// Reads what follows `${`.
    fn braced(&mut self, start: usize) -> Node {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                let (_, d) = lex::digits(self.rest()).unwrap_or((self.rest(), &[]));
                self.pos += d.len();
                if self.peek() != Some(b'}') {
                    if self.peek().is_some() {
                        self.pos += 1;
                    }
                    return Node::Error(self.error("} expected after number", start));
                }
                self.pos += 1;
                return Node::Capture {
                    n: read_cnumber(d),
                    span: self.span_from(start),
                };
            }
            Some(c) if c.is_ascii_alphabetic() => {}
            _ => return Node::Error(self.error("letter or digit expected after ${", start)),
        }
        let name_start = self.pos;
        let name = self.read_name(b"_-");
        let name = &name[..name.len().min(255)];
        let resolved = self.g.braced_name(name);
        if let BracedName::Item(id, sig) = resolved {
            let sig = *sig;
            if self.depth >= MAX_NESTING {
                return Node::Error(self.nesting_error(start));
            }
            self.depth += 1;
            let item = self.item(id, sig, start, name_start);
            self.depth -= 1;
            return Node::Item(Box::new(item));
        }
        match self.peek() {
            Some(b':') => {
                if self.depth >= MAX_NESTING {
                    return Node::Error(self.nesting_error(start));
                }
                self.depth += 1;
                let op = match resolved {
                    BracedName::Operator(id, sig, arg) => {
                        self.operator(name, Some((id, *sig, arg)), start)
                    }
                    _ => self.operator(name, None, start),
                };
                self.depth -= 1;
                Node::Op(Box::new(op))
            }
            Some(b'}') => {
                self.pos += 1;
                Node::Var {
                    name: String::from_utf8_lossy(name).into(),
                    braced: true,
                    span: self.span_from(start),
                }
            }
            _ => {
                let mut msg = b"\"${".to_vec();
                msg.extend_from_slice(name);
                msg.extend_from_slice(
                    b"\" is not a known operator (or a } is missing in a variable reference)",
                );
                Node::Error(self.error(msg, start))
            }
        }
    }

    fn nesting_error(&mut self, start: usize) -> Box<ExpandError> {
        let msg = format!("expansion nested more than {MAX_NESTING} levels deep");
        self.error(msg, start)
    }

    /// `${name:operand}`, the name resolved by the grammar; the position
    /// is at the `:`.
    fn operator(
        &mut self,
        name: &[u8],
        resolved: Option<(OpId, OpSig, Option<&[u8]>)>,
        start: usize,
    ) -> OpNode {
        // Names are ASCII (letters, digits, `_` and `-`).
        let full: OpName = match resolved {
            Some((_, sig, None)) => OpName::Borrowed(sig.name),
            _ => OpName::Owned(String::from_utf8_lossy(name).into_owned()),
        };
        let (op, cert_aware, arg) = match resolved {
            Some((id, sig, arg)) => (OpRef::Known { id, name: sig.name }, sig.cert_aware, arg),
            None => (OpRef::Unknown, false, None),
        };
        self.pos += 1; // ':'
        let mut cert_var = None;
        if cert_aware && self.peek() == Some(b'$') {
            // `${md5:$tls_in_peercert}`: if the operand is exactly a
            // certificate variable, it is used unexpanded.
            let save = self.pos;
            // Exim first reads the operand up to the next `}` without
            // expanding it: running into the end of the text there is its
            // error, before anything in the operand is looked at.
            if !self.rest()[1..]
                .iter()
                .enumerate()
                .any(|(i, &c)| c == b'}' && (i == 0 || self.rest()[i] != b'\\'))
            {
                self.pos = self.src.len();
                let msg = self.missing_brace_message();
                let e = self.error(msg, self.pos);
                return OpNode {
                    name: full,
                    op,
                    arg: arg.map(|a| String::from_utf8_lossy(a).into()),
                    operand: Seq {
                        nodes: smallvec::smallvec![Node::Error(e)],
                        span: Span::new(save, self.pos),
                    },
                    cert_var,
                    span: self.span_from(start),
                };
            }
            self.pos += 1;
            let n = self.read_name(b"_");
            if self.peek() == Some(b'}') && self.g.is_certificate_var(n) {
                cert_var = Some(String::from_utf8_lossy(n).into());
                self.pos += 1;
            } else {
                self.pos = save;
            }
        }
        let operand = if cert_var.is_some() {
            Seq::default()
        } else {
            let s = self.seq(true, true);
            if !self.failed {
                self.pos += 1; // '}'
            }
            s
        };
        OpNode {
            name: full,
            op,
            arg: arg.map(|a| String::from_utf8_lossy(a).into()),
            operand,
            cert_var,
            span: self.span_from(start),
        }
    }

    /// A braced argument `{...}`; the position is at the `{`.
    fn braced_seq(&mut self, honour_dollar: bool) -> Seq {
        self.pos += 1;
        let s = self.seq(true, honour_dollar);
        if !self.failed {
            self.pos += 1;
        }
        s
    }

    fn item(&mut self, item: ItemId, sig: ItemSig, start: usize, name_start: usize) -> ItemNode {
        let mut node = ItemNode {
            item,
            name: sig.name,
            word: None,
            args: Vec::new(),
            yesno: None,
            error: None,
            span: Span::new(start, name_start),
        };
        match sig.shape {
            ItemShape::Subs { min, max } | ItemShape::Steps { min, max } => {
                self.item_subs(&mut node, min, max, true)
            }
            ItemShape::SubsYesNo { min, max } => {
                self.item_subs(&mut node, min, max, false);
                if !self.failed {
                    self.yes_no(&mut node);
                }
            }
            ItemShape::If => {
                self.skip_space();
                let c = self.condition();
                node.args.push(Arg::Cond(c));
                if !self.failed {
                    self.yes_no(&mut node);
                }
            }
            ItemShape::Extract => self.item_extract(&mut node),
            ItemShape::ListExtract => self.item_listextract(&mut node),
            ItemShape::Map | ItemShape::Filter | ItemShape::Reduce => {
                self.item_maplike(&mut node, sig.shape)
            }
            ItemShape::Sort => self.item_sort(&mut node),
            ItemShape::Env => self.item_env(&mut node),
            ItemShape::Lookup => self.item_lookup(&mut node),
            ItemShape::Run => self.item_run(&mut node),
            ItemShape::CertExtract => self.item_certextract(&mut node),
        }
        node.span = self.span_from(start);
        node
    }

    /// Exim's `read_subs`: up to `max` braced arguments, at least `min`,
    /// then (with `check_end`) the closing brace.
    fn item_subs(&mut self, node: &mut ItemNode, min: u8, max: u8, check_end: bool) {
        let name = node.name;
        self.skip_space();
        for i in 0..max {
            if self.peek() != Some(b'{') {
                if i < min {
                    let msg = format!("Not enough arguments for '{name}' (min is {min})");
                    node.error = Some(self.curly_error(msg, self.pos));
                    return;
                }
                break;
            }
            let s = self.braced_seq(true);
            node.args.push(Arg::Seq(s));
            if self.failed {
                return;
            }
            self.skip_space();
        }
        if check_end {
            match self.peek() {
                Some(b'}') => self.pos += 1,
                Some(b'{') => {
                    let msg = format!("Too many arguments for '{name}' (max is {max})");
                    node.error = Some(self.error(msg, self.pos));
                }
                _ => {
                    let msg = format!("missing '}}' after '{name}'");
                    node.error = Some(self.curly_error(msg, self.pos));
                }
            }
        }
    }

    /// The `{yes}{no}` / `{yes}fail` tail and the closing brace.
    fn yes_no(&mut self, node: &mut ItemNode) {
        let ty = self.g.item_sig(node.item).tail.word;
        let mut yn = YesNo {
            yes: None,
            no: NoBranch::None,
            fail_unclosed: None,
        };
        if self.skip_space() == Some(b'}') {
            self.pos += 1;
            node.yesno = Some(yn);
            return;
        }
        if self.peek() != Some(b'{') {
            node.error = Some(self.curly_yesno("'yes' part did not start with '{'"));
            node.yesno = Some(yn);
            return;
        }
        let yes = self.braced_seq(true);
        yn.yes = Some(yes);
        if self.failed {
            node.yesno = Some(yn);
            return;
        }
        if self.skip_space() == Some(b'{') {
            let no = self.braced_seq(true);
            yn.no = NoBranch::Seq(no);
            if self.failed {
                node.yesno = Some(yn);
                return;
            }
        } else if self.peek() != Some(b'}') {
            let wstart = self.pos;
            let word = self.read_name(b"_");
            if word == b"fail" {
                yn.no = NoBranch::Fail(self.span_from(wstart));
            } else {
                let msg = format!("syntax error in \"{ty}\" item - \"fail\" expected");
                node.error = Some(self.error(msg, wstart));
                node.yesno = Some(yn);
                return;
            }
        }
        if self.skip_space() == Some(b'}') {
            self.pos += 1;
        } else {
            if matches!(yn.no, NoBranch::Fail(_)) {
                yn.fail_unclosed =
                    Some(self.curly_yesno("did not close with '}' after forcedfail"));
            }
            node.error = Some(self.curly_yesno("did not close with '}'"));
        }
        node.yesno = Some(yn);
    }

    fn curly_yesno(&mut self, what: &str) -> Box<ExpandError> {
        if self.malformed_header {
            let msg = self.curly_message();
            return self.error(msg, self.pos);
        }
        let mut msg = format!(
            "curly-bracket problem in conditional yes/no parsing: {what}\n remaining string is '"
        )
        .into_bytes();
        msg.extend_from_slice(self.rest());
        msg.push(b'\'');
        self.error(msg, self.pos)
    }

    /// `${extract[json|jsons]{...}...}`: whether the extraction is numbered
    /// or keyed is only known at evaluation time, so every braced argument
    /// and an optional `fail` are kept.
    fn item_extract(&mut self, node: &mut ItemNode) {
        if self.skip_space() != Some(b'{') {
            let rest = self.rest();
            if rest.starts_with(b"jsons") {
                node.word = Some("jsons".into());
                self.pos += 5;
            } else if rest.starts_with(b"json") {
                node.word = Some("json".into());
                self.pos += 4;
            }
        }
        let mut fail = None;
        loop {
            self.skip_space();
            if self.peek() != Some(b'{') {
                break;
            }
            let s = self.braced_seq(true);
            node.args.push(Arg::Seq(s));
            if self.failed {
                return;
            }
        }
        let rest = self.rest();
        if rest.starts_with(b"fail")
            && matches!(rest.get(4), None | Some(b'}') | Some(b' ') | Some(b'\t'))
        {
            fail = Some(Span::new(self.pos, self.pos + 4));
            self.pos += 4;
            self.skip_space();
        }
        node.yesno = Some(YesNo {
            yes: None,
            no: fail.map(NoBranch::Fail).unwrap_or(NoBranch::None),
            fail_unclosed: None,
        });
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            // Evaluation decides which message applies.
            node.error = Some(self.error("missing '}' closing extract", self.pos));
        }
    }

    fn item_listextract(&mut self, node: &mut ItemNode) {
        if self.named_args(node, &[("arg 1", true), ("arg 2", true)]) {
            self.yes_no(node);
        }
    }

    /// Braced arguments that Exim names in its messages (`missing '{' for
    /// WHAT of ITEM`); `honour_dollar` false leaves `$` unexpanded.  False
    /// when one is missing or failed to parse.
    fn named_args(&mut self, node: &mut ItemNode, args: &[(&str, bool)]) -> bool {
        let item = node.name;
        for &(what, honour_dollar) in args {
            if self.skip_space() != Some(b'{') {
                let msg = format!("missing '{{' for {what} of {item}");
                node.error = Some(self.curly_error(msg, self.pos));
                return false;
            }
            let s = self.braced_seq(honour_dollar);
            node.args.push(Arg::Seq(s));
            if self.failed {
                return false;
            }
        }
        true
    }

    /// `map`, `filter`, `reduce`.
    fn item_maplike(&mut self, node: &mut ItemNode, shape: ItemShape) {
        let name = node.name;
        if self.skip_space() != Some(b'{') {
            let msg = format!("missing '{{' for first arg of {name}");
            node.error = Some(self.curly_error(msg, self.pos));
            return;
        }
        let list = self.braced_seq(true);
        node.args.push(Arg::Seq(list));
        if self.failed {
            return;
        }
        if shape == ItemShape::Reduce {
            if self.skip_space() != Some(b'{') {
                let msg = "missing '{' for second arg of reduce";
                node.error = Some(self.curly_error(msg, self.pos));
                return;
            }
            let init = self.braced_seq(true);
            node.args.push(Arg::Seq(init));
            if self.failed {
                return;
            }
        }
        if self.skip_space() != Some(b'{') {
            let msg = format!("missing '{{' for last arg of {name}");
            node.error = Some(self.curly_error(msg, self.pos));
            return;
        }
        self.pos += 1;
        if shape == ItemShape::Filter {
            let c = self.condition();
            node.args.push(Arg::Cond(c));
        } else {
            let body = self.seq(true, true);
            node.args.push(Arg::Seq(body));
        }
        if self.failed {
            return;
        }
        if self.skip_space() != Some(b'}') {
            let msg = format!(
                "missing }} at end of condition or expression inside \"{name}\"; could be an unquoted }} in the content"
            );
            node.error = Some(self.error(msg, self.pos));
            return;
        }
        self.pos += 1;
        if self.skip_space() != Some(b'}') {
            let msg = format!("missing }} at end of \"{name}\"");
            node.error = Some(self.error(msg, self.pos));
            return;
        }
        self.pos += 1;
    }

    /// `${sort{list}{comparator}{extractor}}`: the comparator is not expanded.
    fn item_sort(&mut self, node: &mut ItemNode) {
        let which = ["list", "comparator", "extractor"];
        for (i, w) in which.iter().enumerate() {
            if self.skip_space() != Some(b'{') {
                let msg = format!("missing '{{' for {w} arg of sort");
                node.error = Some(self.curly_error(msg, self.pos));
                return;
            }
            if i == 1 {
                self.pos += 1;
                let s = self.seq(true, false);
                if self.failed {
                    node.args.push(Arg::Seq(s));
                    return;
                }
                self.pos += 1;
                let bytes = s
                    .nodes
                    .iter()
                    .filter_map(|n| match n {
                        Node::Text { bytes, .. } => Some(bytes.as_slice()),
                        _ => None,
                    })
                    .flat_map(|b| b.iter().copied())
                    .collect();
                node.args.push(Arg::Raw {
                    bytes,
                    span: s.span,
                });
                continue;
            }
            let s = self.braced_seq(true);
            node.args.push(Arg::Seq(s));
            if self.failed {
                return;
            }
        }
        // No white space is allowed before the closing brace here.
        if self.peek() != Some(b'}') {
            node.error = Some(self.error("missing } at end of \"sort\"", self.pos));
            return;
        }
        self.pos += 1;
    }

    /// `${env{name}...}`: no brace gives an error with an empty message.
    fn item_env(&mut self, node: &mut ItemNode) {
        if self.skip_space() != Some(b'{') {
            // Exim fails here with an empty message.
            node.error = Some(self.error("", self.pos));
            return;
        }
        let s = self.braced_seq(true);
        node.args.push(Arg::Seq(s));
        if self.failed {
            return;
        }
        self.yes_no(node);
    }

    /// `${lookup{key} type {query} ...}` or `${lookup type {query} ...}`.
    fn item_lookup(&mut self, node: &mut ItemNode) {
        if self.skip_space() == Some(b'{') {
            let key = self.braced_seq(true);
            node.args.push(Arg::Seq(key));
            if self.failed {
                return;
            }
            self.skip_space();
        }
        let wstart = self.pos;
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            node.error = Some(self.error("missing lookup type", wstart));
            return;
        }
        let len = self
            .rest()
            .iter()
            .position(|&c| is_space(c) || c == b'{')
            .unwrap_or(self.rest().len());
        let word = &self.src[self.pos..self.pos + len];
        self.pos += len;
        let word_text = String::from_utf8_lossy(word).into_owned();
        let style = match self.g.lookup_style(&word_text) {
            Ok(style) => style,
            Err(msg) => {
                let msg = raw_quote(msg, word);
                node.error = Some(self.error(msg, wstart));
                return;
            }
        };
        // Whether a key was given must suit the type (checked before the
        // query's brace, as Exim does).
        let has_key = !node.args.is_empty();
        let key_error = match (style, has_key) {
            (LookupStyle::SingleKey, false) => Some(format!(
                "missing {{key}} for single-key \"{word_text}\" lookup"
            )),
            (LookupStyle::Query | LookupStyle::AbsFileQuery, true) => Some(format!(
                "a single key was given for lookup type \"{word_text}\", which is not a single-key lookup type"
            )),
            _ => None,
        };
        if let Some(msg) = key_error {
            node.error = Some(self.error(msg, wstart));
            return;
        }
        if self.skip_space() != Some(b'{') {
            let msg = "missing '{' for lookup file-or-query arg";
            node.error = Some(self.curly_error(msg, self.pos));
            return;
        }
        let q = self.braced_seq(true);
        node.args.push(Arg::Seq(q));
        if self.failed {
            return;
        }
        // The type is recorded once the query is read: the evaluator then
        // runs the lookup before it reports a problem in the {yes}{no} tail.
        node.word = Some(word_text.into());
        self.yes_no(node);
    }

    /// `${certextract{field}{$variable}...}`: the variable is not expanded.
    fn item_certextract(&mut self, node: &mut ItemNode) {
        if self.named_args(node, &[("field arg", true), ("cert variable arg", false)]) {
            self.yes_no(node);
        }
    }

    /// `${run[,options]{command}...}`.
    fn item_run(&mut self, node: &mut ItemNode) {
        if self.peek() == Some(b',') {
            let ostart = self.pos;
            self.pos += 1;
            let o = self.read_name(b"_,");
            for opt in o.split(|&c| c == b',') {
                if opt != b"preexpand" {
                    let msg = format!("bad option '{}' for run", String::from_utf8_lossy(opt));
                    node.error = Some(self.error(msg, ostart));
                    return;
                }
            }
            node.word = Some(String::from_utf8_lossy(o).into());
        }
        if self.skip_space() != Some(b'{') {
            let msg = "missing '{' for command arg of run";
            node.error = Some(self.curly_error(msg, self.pos));
            return;
        }
        let s = self.braced_seq(true);
        node.args.push(Arg::Seq(s));
        if self.failed {
            return;
        }
        self.yes_no(node);
    }

    /// A condition, position at its first non-space character.
    pub(crate) fn condition(&mut self) -> Cond {
        let start = self.pos;
        let mut negated = false;
        while self.skip_space() == Some(b'!') {
            negated = !negated;
            self.pos += 1;
        }
        let mut cond = Cond {
            negated,
            kind: CondKind::Invalid,
            error: None,
            span: Span::new(start, start),
        };
        if self.depth >= MAX_NESTING {
            cond.error = Some(self.nesting_error(start));
            return cond;
        }
        self.depth += 1;
        self.condition_body(&mut cond);
        self.depth -= 1;
        cond.span = self.span_from(start);
        cond
    }

    fn condition_body(&mut self, cond: &mut Cond) {
        let name_start = self.pos;
        let name: Vec<u8> = match self.peek() {
            Some(c @ (b'=' | b'<' | b'>')) => {
                self.pos += 1;
                let mut n = vec![c];
                if self.peek() == Some(b'=') {
                    n.push(b'=');
                    self.pos += 1;
                }
                n
            }
            _ => self.read_name(b"_").to_vec(),
        };
        if name.is_empty() {
            let found = &self.rest()[..self.rest().len().min(16)];
            let mut msg = b"condition name expected, but found \"".to_vec();
            msg.extend_from_slice(found);
            msg.push(b'"');
            cond.error = Some(self.error(msg, name_start));
            return;
        }
        let Some((id, &sig)) = self.g.condition(&name) else {
            let mut msg = b"unknown condition \"".to_vec();
            msg.extend_from_slice(&name);
            msg.push(b'"');
            cond.error = Some(self.error(msg, name_start));
            return;
        };
        let opname = sig.name;
        match sig.shape {
            CondShape::NoArgs => {
                cond.kind = CondKind::Call {
                    id,
                    name: opname,
                    args: Vec::new(),
                }
            }
            CondShape::Def => self.cond_def(cond),
            CondShape::Args { n, dollar_in_2nd } => {
                let mut args = Vec::new();
                for i in 0..n {
                    if self.skip_space() != Some(b'{') {
                        let msg = if i == 0 {
                            format!("missing {{ after \"{opname}\"")
                        } else {
                            format!("missing 2nd string in {{}} after \"{opname}\"")
                        };
                        cond.error = Some(self.error(msg, self.pos));
                        break;
                    }
                    self.pos += 1;
                    let s = self.seq(true, i == 0 || dollar_in_2nd);
                    args.push(s);
                    if self.failed {
                        break;
                    }
                    self.pos += 1;
                }
                cond.kind = CondKind::Call {
                    id,
                    name: opname,
                    args,
                };
            }
            CondShape::Subs {
                outer,
                min,
                max,
                check_end,
            } => self.cond_subs(cond, (id, opname), outer, min, max, check_end),
            CondShape::AndOr { is_and } => self.cond_and_or(cond, opname, is_and),
            CondShape::Iterate { any, json } => self.cond_iterate(cond, opname, any, json),
        }
    }

    fn cond_subs(
        &mut self,
        cond: &mut Cond,
        (id, opname): (CondId, &'static str),
        outer: bool,
        min: u8,
        max: u8,
        check_end: bool,
    ) {
        let mut args = Vec::new();
        let bracketing = || format!("too few arguments or bracketing error for {opname}");
        if outer {
            if self.skip_space() != Some(b'{') {
                cond.error = Some(self.error(format!("missing {{ after \"{opname}\""), self.pos));
                cond.kind = CondKind::Call {
                    id,
                    name: opname,
                    args,
                };
                return;
            }
            self.pos += 1;
        }
        self.skip_space();
        for i in 0..max {
            if self.peek() != Some(b'{') {
                if i < min {
                    cond.error = Some(self.error(bracketing(), self.pos));
                }
                break;
            }
            args.push(self.braced_seq(true));
            if self.failed {
                break;
            }
            self.skip_space();
        }
        if check_end && !self.failed && cond.error.is_none() {
            match self.peek() {
                Some(b'}') => self.pos += 1,
                Some(b'{') => {
                    let msg = format!("Too many arguments for '{opname}' (max is {max})");
                    cond.error = Some(self.error(msg, self.pos));
                }
                _ => cond.error = Some(self.error(bracketing(), self.pos)),
            }
        }
        cond.kind = CondKind::Call {
            id,
            name: opname,
            args,
        };
    }

    fn cond_def(&mut self, cond: &mut Cond) {
        if self.peek() != Some(b':') {
            cond.error = Some(self.error("\":\" expected after \"def\"", self.pos));
            return;
        }
        self.pos += 1;
        let name = self.read_name(b"_");
        let name = &name[..name.len().min(255)];
        if let Some((kind, prefix)) = header_prefix(name) {
            let h = self.header_name(name, prefix);
            cond.kind = CondKind::Def(DefTarget::Header(kind, h));
        } else {
            cond.kind = CondKind::Def(DefTarget::Var(String::from_utf8_lossy(name).into()));
        }
    }

    fn cond_and_or(&mut self, cond: &mut Cond, opname: &'static str, is_and: bool) {
        let mut conds = Vec::new();
        if self.skip_space() != Some(b'{') {
            cond.error = Some(self.error(format!("missing {{ after \"{opname}\""), self.pos));
            cond.kind = CondKind::AndOr { is_and, conds };
            return;
        }
        self.pos += 1;
        loop {
            match self.skip_space() {
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b'{') => {}
                _ => {
                    let msg = format!(
                        "each subcondition inside an \"{opname}{{...}}\" condition must be in its own {{}}"
                    );
                    cond.error = Some(self.error(msg, self.pos));
                    break;
                }
            }
            self.pos += 1;
            let sub = self.condition();
            if self.failed {
                conds.push(sub);
                break;
            }
            conds.push(sub);
            if self.skip_space() != Some(b'}') {
                let msg = format!("missing }} at end of condition inside \"{opname}\" group");
                cond.error = Some(self.error(msg, self.pos));
                break;
            }
            self.pos += 1;
        }
        cond.kind = CondKind::AndOr { is_and, conds };
    }

    fn cond_iterate(&mut self, cond: &mut Cond, opname: &'static str, any: bool, json: IterJson) {
        if self.skip_space() != Some(b'{') {
            cond.error = Some(self.error(format!("missing {{ after \"{opname}\""), self.pos));
            return;
        }
        self.pos += 1;
        let list = self.seq(true, true);
        if self.failed {
            cond.kind = CondKind::Iterate {
                name: opname,
                any,
                json,
                list,
                cond: Box::new(Cond {
                    negated: false,
                    kind: CondKind::Invalid,
                    error: None,
                    span: Span::default(),
                }),
            };
            return;
        }
        self.pos += 1;
        let mut sub_err = None;
        let sub = if self.skip_space() != Some(b'{') {
            sub_err = Some(self.error(format!("missing {{ after \"{opname}\""), self.pos));
            Cond {
                negated: false,
                kind: CondKind::Invalid,
                error: None,
                span: Span::default(),
            }
        } else {
            self.pos += 1;
            let sub = self.condition();
            if !self.failed {
                if self.skip_space() != Some(b'}') {
                    let msg = format!("missing }} at end of condition inside \"{opname}\"");
                    sub_err = Some(self.error(msg, self.pos));
                } else {
                    self.pos += 1;
                }
            }
            sub
        };
        cond.error = sub_err;
        cond.kind = CondKind::Iterate {
            name: opname,
            any,
            json,
            list,
            cond: Box::new(sub),
        };
    }
}

/// Recognises `h_`, `header_`, `rh_`, `rheader_`, `bh_`, `bheader_`, `lh_`,
/// `lheader_`; returns the kind and the prefix length.
pub fn header_prefix(name: &[u8]) -> Option<(HeaderKind, usize)> {
    let (kind, rest, skip) = match name.first()? {
        b'h' => (HeaderKind::Decoded, &name[1..], 1),
        b'r' if name.get(1) == Some(&b'h') => (HeaderKind::Raw, &name[2..], 2),
        b'l' if name.get(1) == Some(&b'h') => (HeaderKind::List, &name[2..], 2),
        b'b' if name.get(1) == Some(&b'h') => (HeaderKind::Basic, &name[2..], 2),
        _ => return None,
    };
    if rest.first() == Some(&b'_') {
        Some((kind, skip + 1))
    } else if rest.starts_with(b"eader_") {
        Some((kind, skip + 6))
    } else {
        None
    }
}
