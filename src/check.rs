//! Static checks of an expansion string without evaluating it: every
//! syntax error, every reference to a variable the context does not know
//! and every unknown operator (Exim fails on those even in untaken
//! branches), and what the builtins' own static checks find in what is
//! written literally (an operator's `_arg` suffix, `extract`'s field):
//! errors Exim gives whenever that part is evaluated.  This is what
//! `exim-expand check` reports.

use crate::Template;
use crate::eval::{Context, ExpandError};
use crate::parser::{CondKind, DefTarget, Node, OpRef, Visit};
use crate::vars;

/// What kind of problem [`check_kinds`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The text does not parse.
    Syntax,
    /// A variable the context does not know.
    UnknownVariable,
    /// An operator name no builtin has.
    UnknownOperator,
    /// An operator's suffix or option, wrong as written.
    OperatorArgument,
    /// An item's literal argument, wrong as written.
    ItemArgument,
}

/// All problems found, in source order.
pub fn check(t: &Template, ctx: &Context) -> Vec<ExpandError> {
    check_kinds(t, ctx).into_iter().map(|(_, e)| e).collect()
}

/// Like [`check`], each problem with its kind (what lint's codes follow).
///
/// ```
/// use exim_expand::check::{check_kinds, Problem};
/// let t = exim_expand::parse(b"${lcase:$nosuch}");
/// let kinds: Vec<Problem> = check_kinds(&t, &exim_expand::Context::new())
///     .into_iter().map(|(k, _)| k).collect();
/// assert_eq!(kinds, [Problem::UnknownOperator, Problem::UnknownVariable]);
/// ```
pub fn check_kinds(t: &Template, ctx: &Context) -> Vec<(Problem, ExpandError)> {
    let mut found = Vec::new();
    let reg = t.registry();
    t.walk(&mut |v| match v {
        Visit::Node(Node::Op(op)) => match op.op {
            OpRef::Unknown => found.push((
                Problem::UnknownOperator,
                ExpandError::syntax(
                    format!("unknown expansion operator \"{}\"", op.name),
                    op.span,
                ),
            )),
            OpRef::Known { id, name } => {
                if let Some(f) = reg.op_def(id).check
                    && let Err(m) = f(ctx, name, op.arg.as_deref())
                {
                    found.push((Problem::OperatorArgument, ExpandError::syntax(m, op.span)));
                }
            }
        },
        Visit::Node(Node::Item(item)) => {
            if let Some(f) = reg.item_def(item.item).check
                && let Some(e) = f(item)
            {
                found.push((
                    Problem::ItemArgument,
                    ExpandError::syntax(e.message, e.span),
                ));
            }
        }
        Visit::Node(Node::Error(e)) => found.push((Problem::Syntax, (**e).clone())),
        Visit::Error(e) => found.push((Problem::Syntax, e.clone())),
        Visit::Node(Node::Var { name, braced, span }) if !vars::is_known(ctx, name) => {
            let mut msg = if *braced {
                format!("unknown variable in \"${{{name}}}\"")
            } else {
                format!("unknown variable name \"{name}\"")
            };
            msg.push_str(&vars::acl_hint(name));
            found.push((Problem::UnknownVariable, ExpandError::syntax(msg, *span)));
        }
        Visit::Cond(c) => {
            if let CondKind::Def(DefTarget::Var(name)) = &c.kind
                && !name.is_empty()
                && !vars::is_known(ctx, name)
            {
                let mut msg = format!("unknown variable \"{name}\" after \"def:\"");
                msg.push_str(&vars::acl_hint(name));
                found.push((Problem::UnknownVariable, ExpandError::syntax(msg, c.span)));
            }
        }
        _ => {}
    });
    found.sort_by_key(|(_, e)| e.span.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(src: &str) -> Vec<String> {
        check(&crate::parse(src.as_bytes()), &Context::new())
            .iter()
            .map(|e| e.message_str())
            .collect()
    }

    #[test]
    fn finds_unknown_variables_in_every_branch() {
        // Exim 4.96 fails on each of these (conformance corpus, core area).
        assert_eq!(
            problems("${if eq{a}{b}{$nosuch}{${nosuch2}}} ${if def:nosuch3{y}}"),
            [
                "unknown variable name \"nosuch\"",
                "unknown variable in \"${nosuch2}\"",
                "unknown variable \"nosuch3\" after \"def:\"",
            ]
        );
        assert_eq!(
            problems("$acl_cx"),
            [
                "unknown variable name \"acl_cx\" (6th character of a user-defined ACL variable must be a digit or underscore)"
            ]
        );
        assert!(problems("$primary_hostname $acl_c0 $r_x $auth1 $h_subject: $value").is_empty());
    }

    /// (expression, what check reports): each message is the one Exim
    /// 4.96 gives when it evaluates the expression (`exim -be`); an
    /// unknown operator fails in untaken branches too.
    #[test]
    fn operators_and_literal_arguments() {
        let cases: &[(&str, &[&str])] = &[
            ("${lcase:ABC}", &["unknown expansion operator \"lcase\""]),
            (
                "${if eq{a}{b}{${md5x:x}}{no}}",
                &["unknown expansion operator \"md5x\""],
            ),
            ("${quote_nosuch:abc}", &["unknown lookup type \"nosuch\""]),
            // Debian's build has no redis lookup (see the_context_decides).
            ("${quote_redis:abc}", &["unknown lookup type \"redis\""]),
            (
                "${quote_lsearch_x:abc}",
                &["\"x\" unrecognized after \"${quote_lsearch\""],
            ),
            (
                "${substr_x:abc}",
                &["non-digit after underscore in \"substr_x\""],
            ),
            (
                "${hash_1x:abc}",
                &["non-digit after underscore in \"hash_1x\""],
            ),
            ("${sha2_999:x}", &["unrecognised sha2 variant"]),
            ("${sha3_1:x}", &["unrecognised sha3 variant"]),
            ("${extract{1}{:}}", &["missing '{' for arg 3 of extract"]),
            ("${extract{-2}{:}}", &["missing '{' for arg 3 of extract"]),
            (
                "${extract{ }{a=1}}",
                &["first argument of \"extract\" must not be empty"],
            ),
            // Exim accepts all of these.
            (
                "${quote_ldap_dn:x} ${quote_lsearch:x} ${quote:x} ${l_:abc}",
                &[],
            ),
            (
                "${sha256:x} ${sha2_512:x} ${sha3_224:x} ${substr_1_2:abc} ${nh_3:x}",
                &[],
            ),
            (
                "${extract{1}{:}{a:b}} ${extract{2x}{a=1}} ${extract json{1}{[1]}}",
                &[],
            ),
            // Not literal: only evaluation can tell.
            ("${extract{$primary_hostname}{:}}", &[]),
        ];
        for (expr, want) in cases {
            assert_eq!(problems(expr), *want, "{expr}");
        }
    }

    #[test]
    fn reports_syntax_and_variables_together_in_order() {
        assert_eq!(
            problems("$nosuch ${if eq{a}{b}{x}"),
            [
                "unknown variable name \"nosuch\"",
                "syntax error in \"if\" item - \"fail\" expected"
            ]
        );
    }

    #[test]
    fn the_context_decides_what_is_known() {
        let mut ctx = Context::new();
        let t = crate::parse(b"$dmarc_status $mine");
        assert_eq!(check(&t, &ctx).len(), 2);
        ctx.set_profile(crate::eval::Profile::UPSTREAM_4_96_FULL);
        ctx.set_var("mine", "x");
        assert!(check(&t, &ctx).is_empty());
    }
}
