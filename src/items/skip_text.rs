//! What Exim 4.96's expansion of a string *in skipping mode* yields.
//!
//! Skipping is not silent in 4.96: literal text and `$1`-style captures are
//! still copied to the result, and several items append something before
//! noticing that they are skipped.  Most callers discard that result, but
//! some items look at it: `listextract` checks that its skipped first
//! argument is numeric, and `sg` compiles and runs its skipped arguments
//! (so `${if eq{a}{b}{${sg{a}{x[}{b}}}}` fails with a regex error).
//!
//! Modelled here: literal text, captures, the "no" string of items with a
//! yes/no tail (`process_yesno` appends it when skipping), `tr`,
//! `listquote` and `sg`.  Not modelled: `hash`, `length`, `nhash` and
//! `substr` (which also append their result when skipping).

use crate::eval::Evaluator;
use crate::parser::{Arg, NoBranch, Node, Seq};

pub(crate) fn skip_text(ev: &mut Evaluator, s: &Seq) -> Vec<u8> {
    let mut out = Vec::new();
    push(ev, s, &mut out);
    if let Some(i) = out.iter().position(|&c| c == 0) {
        out.truncate(i);
    }
    out
}

fn arg_text(ev: &mut Evaluator, args: &[Arg], i: usize) -> Vec<u8> {
    match args.get(i) {
        Some(Arg::Seq(s)) => skip_text(ev, s),
        _ => Vec::new(),
    }
}

fn push(ev: &mut Evaluator, s: &Seq, out: &mut Vec<u8>) {
    for n in &s.nodes {
        match n {
            Node::Text { bytes, .. } => out.extend_from_slice(bytes),
            Node::Capture { n, .. } => {
                if let Some(v) = usize::try_from(*n).ok().and_then(|i| ev.captures.get(i)) {
                    out.extend_from_slice(&v.bytes);
                }
            }
            Node::Item(item) if item.error.is_none() => match item.def.name {
                "if" | "listextract" | "lookup" | "env" | "run" | "certextract" => {
                    if let Some(NoBranch::Seq(no)) = item.yesno.as_ref().map(|y| &y.no) {
                        push(ev, no, out);
                    }
                }
                "tr" => {
                    let subject = arg_text(ev, &item.args, 0);
                    let from = arg_text(ev, &item.args, 1);
                    let to = arg_text(ev, &item.args, 2);
                    out.extend_from_slice(&super::substitute::translate(&subject, &from, &to));
                }
                "listquote" => {
                    let sep = arg_text(ev, &item.args, 0);
                    let text = arg_text(ev, &item.args, 1);
                    out.extend_from_slice(&super::lists::quote(sep.first().copied(), &text));
                }
                "sg" => {
                    let subject = arg_text(ev, &item.args, 0);
                    let pattern = arg_text(ev, &item.args, 1);
                    let repl = arg_text(ev, &item.args, 2);
                    // Errors were already raised when the item itself was
                    // walked in skipping mode.
                    if let Ok(r) = super::substitute::substitute(
                        ev, &subject, &pattern, &repl, false, item.span,
                    ) {
                        out.extend_from_slice(&r);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
}
