//! Static checks of an expansion string without evaluating it: every
//! syntax error, and every reference to a variable the context does not
//! know (Exim fails on those even in untaken branches).  This is what
//! `exim-expand check` reports.

use crate::Template;
use crate::eval::{Context, ExpandError};
use crate::parser::{CondKind, DefTarget, Node, Visit};
use crate::vars;

/// All problems found, in source order.
pub fn check(t: &Template, ctx: &Context) -> Vec<ExpandError> {
    let mut found = Vec::new();
    t.walk(&mut |v| match v {
        Visit::Node(Node::Error(e)) => found.push((**e).clone()),
        Visit::Error(e) => found.push(e.clone()),
        Visit::Node(Node::Var { name, braced, span }) if !vars::is_known(ctx, name) => {
            let mut msg = if *braced {
                format!("unknown variable in \"${{{name}}}\"")
            } else {
                format!("unknown variable name \"{name}\"")
            };
            msg.push_str(&vars::acl_hint(name));
            found.push(ExpandError::syntax(msg, *span));
        }
        Visit::Cond(c) => {
            if let CondKind::Def(DefTarget::Var(name)) = &c.kind
                && !name.is_empty()
                && !vars::is_known(ctx, name)
            {
                let mut msg = format!("unknown variable \"{name}\" after \"def:\"");
                msg.push_str(&vars::acl_hint(name));
                found.push(ExpandError::syntax(msg, c.span));
            }
        }
        _ => {}
    });
    found.sort_by_key(|e| e.span.start);
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
