//! A readable, stable rendering of the syntax tree (for `check --ast`,
//! snapshot tests and the explain mode), one node per line with its span.

use super::ast::*;
use std::fmt::Write;

fn q(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

fn sp(s: Span) -> String {
    format!("{}..{}", s.start, s.end)
}

/// Renders a tree, one node per line with its span.
pub fn dump(root: &Seq) -> String {
    let mut out = String::new();
    seq(&mut out, 0, "", root);
    out
}

fn line(out: &mut String, depth: usize, text: &str) {
    let _ = writeln!(out, "{}{}", "  ".repeat(depth), text);
}

fn seq(out: &mut String, d: usize, label: &str, s: &Seq) {
    line(out, d, &format!("{label}seq {}", sp(s.span)));
    for n in &s.nodes {
        node(out, d + 1, n);
    }
}

fn node(out: &mut String, d: usize, n: &Node) {
    match n {
        Node::Text { bytes, span } => line(out, d, &format!("text {} {}", sp(*span), q(bytes))),
        Node::Var { name, braced, span } => {
            let form = if *braced { "${}" } else { "$" };
            line(out, d, &format!("var {} {form} {name}", sp(*span)))
        }
        Node::Header { kind, name, span } => line(
            out,
            d,
            &format!("header {} {kind:?} {}", sp(*span), q(name)),
        ),
        Node::Capture { n, span } => line(out, d, &format!("capture {} ${n}", sp(*span))),
        Node::Op(op) => {
            let resolved = match &op.op {
                OpRef::Known { name, .. } => name.to_string(),
                OpRef::Unknown => "?unknown".to_string(),
            };
            let arg = op
                .arg
                .as_deref()
                .map(|a| format!(" arg={a:?}"))
                .unwrap_or_default();
            line(
                out,
                d,
                &format!("op {} {} ({resolved}){arg}", sp(op.span), op.name),
            );
            if let Some(c) = &op.cert_var {
                line(out, d + 1, &format!("cert-var {c}"));
            } else {
                seq(out, d + 1, "", &op.operand);
            }
        }
        Node::Item(it) => {
            let word = it
                .word
                .as_deref()
                .map(|w| format!(" word={w:?}"))
                .unwrap_or_default();
            line(out, d, &format!("item {} {}{word}", sp(it.span), it.name));
            for a in &it.args {
                match a {
                    Arg::Seq(s) => seq(out, d + 1, "arg ", s),
                    Arg::Cond(c) => cond(out, d + 1, c),
                    Arg::Raw { bytes, span } => {
                        line(out, d + 1, &format!("raw {} {}", sp(*span), q(bytes)))
                    }
                }
            }
            if let Some(yn) = &it.yesno {
                if let Some(y) = &yn.yes {
                    seq(out, d + 1, "yes ", y);
                }
                match &yn.no {
                    NoBranch::None => {}
                    NoBranch::Seq(n) => seq(out, d + 1, "no ", n),
                    NoBranch::Fail(s) => line(out, d + 1, &format!("no fail {}", sp(*s))),
                }
            }
            if let Some(e) = &it.error {
                line(
                    out,
                    d + 1,
                    &format!("error {} {}", sp(e.span), q(&e.message)),
                );
            }
        }
        Node::Error(e) => line(out, d, &format!("error {} {}", sp(e.span), q(&e.message))),
    }
}

fn cond(out: &mut String, d: usize, c: &Cond) {
    let neg = if c.negated { "!" } else { "" };
    match &c.kind {
        CondKind::Call { name, args, .. } => {
            line(out, d, &format!("cond {} {neg}{name}", sp(c.span)));
            for a in args {
                seq(out, d + 1, "arg ", a);
            }
        }
        CondKind::Def(t) => {
            let what = match t {
                DefTarget::Var(n) => format!("var {n}"),
                DefTarget::Header(k, n) => format!("header {k:?} {}", q(n)),
            };
            line(out, d, &format!("cond {} {neg}def {what}", sp(c.span)));
        }
        CondKind::AndOr { is_and, conds } => {
            line(
                out,
                d,
                &format!(
                    "cond {} {neg}{}",
                    sp(c.span),
                    if *is_and { "and" } else { "or" }
                ),
            );
            for s in conds {
                cond(out, d + 1, s);
            }
        }
        CondKind::Iterate {
            name,
            list,
            cond: body,
            ..
        } => {
            line(out, d, &format!("cond {} {neg}{name}", sp(c.span)));
            seq(out, d + 1, "list ", list);
            cond(out, d + 1, body);
        }
        CondKind::Invalid => line(out, d, &format!("cond {} invalid", sp(c.span))),
    }
    if let Some(e) = &c.error {
        line(
            out,
            d + 1,
            &format!("error {} {}", sp(e.span), q(&e.message)),
        );
    }
}
