//! W010: a condition that cannot change.  Two shapes of it:
//! - a test of literal text only (`${if eq{domain}{example.com}..}`, the
//!   `$` forgotten): it is always true or always false, so one branch or
//!   the rule it guards is never used;
//! - `${if cond}` closed before its branches, `${if eq{$a}{b}}{yes}{no}`:
//!   the branches are literal text after the item, so the string is
//!   never empty whatever the condition says.
//!
//! Only conditions that depend on nothing but their arguments are judged
//! (comparisons, `match`, `inlist`, `isip`, `bool`, `crypteq`, and `and`
//! / `or` of them); `def:`, `exists`, `acl`, the `match_*` conditions
//! (named lists, `@`), authentication and queue conditions read more than
//! their text.

use crate::parser::{Arg, Cond, CondKind, Node, Seq, Span};

/// Conditions whose result is a function of their arguments alone.
fn depends_only_on_arguments(name: &str) -> bool {
    matches!(
        name,
        "<" | "<="
            | "="
            | "=="
            | ">"
            | ">="
            | "eq"
            | "eqi"
            | "ge"
            | "gei"
            | "gt"
            | "gti"
            | "le"
            | "lei"
            | "lt"
            | "lti"
            | "match"
            | "inlist"
            | "inlisti"
            | "isip"
            | "isip4"
            | "isip6"
            | "bool"
            | "bool_lax"
            | "crypteq"
    )
}

/// Does `s` read anything but its own text (a variable, a header, an
/// item, `$1`, ...)?  Literal text and operators over literal text do
/// not, unless an upper-case letter may be a macro that a `-D` or the
/// harness defines (`eq {SERVER}{server}` is a switch, not a typo).
fn varies(s: &Seq) -> bool {
    s.nodes.iter().any(|n| match n {
        Node::Text { bytes, .. } => bytes.iter().any(u8::is_ascii_uppercase),
        // `${expand:..}` evaluates its operand as an expansion of its own
        // (and the probe below must never run what that names).
        Node::Op(op) => op.name == "expand" || varies(&op.operand),
        _ => true,
    })
}

/// Is `c` made of literal text only, with conditions that read nothing
/// else?
fn is_constant(c: &Cond) -> bool {
    match &c.kind {
        CondKind::Call { name, args, .. } => {
            depends_only_on_arguments(name) && !args.iter().any(varies)
        }
        CondKind::AndOr { conds, .. } => !conds.is_empty() && conds.iter().all(is_constant),
        _ => false,
    }
}

/// The value of a constant condition, by evaluating it.
fn value_of(source: &[u8], c: &Cond) -> Option<bool> {
    let text = source.get(c.span.range())?;
    let mut probe = b"${if ".to_vec();
    probe.extend_from_slice(text);
    probe.extend_from_slice(b" {1}{0}}");
    let mut ctx = crate::Context::new();
    match &crate::expand(&probe, &mut ctx).ok()?.bytes[..] {
        b"1" => Some(true),
        b"0" => Some(false),
        _ => None,
    }
}

/// W010 for a node: `${if}` whose condition is literal text only.
pub fn constant_condition(source: &[u8], node: &Node) -> Option<(Span, String)> {
    let Node::Item(it) = node else {
        return None;
    };
    if it.name != "if" {
        return None;
    }
    let Some(Arg::Cond(c)) = it.args.first() else {
        return None;
    };
    if it.error.is_some() || c.error.is_some() || !is_constant(c) {
        return None;
    }
    let always = match value_of(source, c)? {
        true => "true",
        false => "false",
    };
    Some((
        c.span,
        format!("the condition tests literal text only, so it is always {always} (a `$` missing?)"),
    ))
}

/// W010 within a sequence: `${if cond}` without branches, followed by
/// `{`: the braces meant as its branches are literal text.
pub fn branches_after_if(s: &Seq) -> Option<(Span, String)> {
    s.nodes.windows(2).find_map(|w| {
        let (Node::Item(it), Node::Text { bytes, span }) = (&w[0], &w[1]) else {
            return None;
        };
        let bare = it.yesno.as_ref().is_none_or(|y| y.yes.is_none());
        (it.name == "if" && bare && it.error.is_none() && bytes.first() == Some(&b'{')).then(|| {
            (
                Span::new(span.start as usize, span.start as usize + 1),
                "`{` right after `${if ...}`: the item was closed before its branches, which are now literal text (the result is never empty)".to_string(),
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(src: &str) -> Vec<String> {
        let t = crate::parse(src.as_bytes());
        let mut out = Vec::new();
        t.walk(&mut |v| match v {
            crate::parser::Visit::Node(n) => {
                if let Some((s, m)) = constant_condition(src.as_bytes(), n) {
                    out.push(format!("{}: {m}", &src[s.range()]));
                }
            }
            crate::parser::Visit::Seq(s) => {
                if let Some((sp, _)) = branches_after_if(s) {
                    out.push(format!("stray {}", &src[sp.range()]));
                }
            }
            _ => {}
        });
        out
    }

    #[test]
    fn conditions_that_cannot_change() {
        let always = |src: &str, v: &str| {
            let f = found(src);
            assert!(
                f.len() == 1 && f[0].ends_with(&format!("always {v} (a `$` missing?)")),
                "{src}: {f:?}"
            );
        };
        always("${if eq{domain}{example.com}{a}{b}}", "false");
        always("${if eqi{b}{b}{a}{b}}", "true");
        always("${if and{{eq{a}{a}}{>{2}{1}}}{a}{b}}", "true");
        always("${if match{local_part}{^post}{a}}", "false");
        always("${if inlist{x}{${lc:y}:x}{a}}", "true");
        let none = |src: &str| assert_eq!(found(src), Vec::<String>::new(), "{src}");
        none("${if eq{$domain}{example.com}{a}{b}}");
        none("${if and{{eq{a}{a}}{eq{$x}{1}}}{a}{b}}");
        none("${if def:h_subject: {a}{b}}");
        none("${if exists{/etc/passwd}{a}{b}}");
        none("${if match_domain{x}{+local_domains}{a}}");
        none("${if eq{${lookup{a}lsearch{/f}}}{b}{a}}");
        none("${if eq{$1}{b}{a}}");
        none("${if eq {SERVER}{server}{a}{b}}");
        none("${if eq{${expand:\\${run{/bin/true}}}}{}{a}}");
        assert_eq!(found("${if eq{$a}{b}}{yes}{no}"), ["stray {"]);
        none("${if eq{$a}{b}} {yes}");
        none("${if eq{$a}{b}{yes}{no}}");
    }
}
