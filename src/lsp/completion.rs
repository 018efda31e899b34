//! Completion of the name being typed, by what precedes it: after `${`
//! items and operators, after `$` variables, after `+` named lists, at the
//! start of a main-section line options, in a condition's place condition
//! names, after a lookup's key lookup types, after `acl_smtp_* =` ACL
//! names; an upper-case start offers the configuration's macros.

use lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind, Position,
};

use super::document::{DocKind, Document};
use super::words::{is_option_position, word_before};
use crate::config::Config;
use crate::docs::{self, Doc, Kind};
use crate::eval::Context;

/// The candidates at `pos`, filtered by the part of the name typed.
pub fn at(
    doc: &Document,
    config: Option<&Config>,
    ctx: &Context,
    pos: Position,
) -> Vec<CompletionItem> {
    let line = doc.line(pos.line as usize);
    let w = word_before(line, doc.byte_in_line(pos));
    let typed = w.text;
    let mut out = Vec::new();
    let add_docs = |kind: Kind, out: &mut Vec<CompletionItem>| {
        out.extend(
            docs::all()
                .iter()
                .filter(|d| d.kind == kind && d.name.starts_with(typed))
                .filter(|d| exists(ctx, d))
                .map(item_of_doc),
        )
    };
    let before = w.before;
    if before.ends_with("${") {
        add_docs(Kind::Item, &mut out);
        add_docs(Kind::Operator, &mut out);
    } else if before.ends_with('$') {
        add_docs(Kind::Variable, &mut out);
        out.extend(
            ctx.vars
                .keys()
                .filter(|n| n.starts_with(typed) && docs::find(Kind::Variable, n).is_none())
                .map(|n| {
                    plain(
                        n,
                        CompletionItemKind::VARIABLE,
                        "variable set by the embedder",
                    )
                }),
        );
    } else if before.ends_with('+') {
        if let Some(c) = config {
            out.extend(
                c.named_lists()
                    .iter()
                    .filter(|l| l.name.starts_with(typed))
                    .map(|l| plain(&l.name, CompletionItemKind::ENUM, l.kind.keyword())),
            );
        }
    } else if names_an_acl(before) {
        if let Some(c) = config {
            out.extend(
                c.acls()
                    .iter()
                    .filter(|a| a.name.starts_with(typed))
                    .map(|a| plain(&a.name, CompletionItemKind::FUNCTION, "ACL")),
            );
        }
    } else if is_condition_place(before) {
        add_docs(Kind::Condition, &mut out);
    } else if is_lookup_place(before) {
        add_docs(Kind::Lookup, &mut out);
    } else if doc.kind == DocKind::Config && in_acl_statement(doc, pos.line as usize, before) {
        // A verb starts a statement; conditions and modifiers follow it.
        if before.trim().is_empty() {
            add_docs(Kind::AclVerb, &mut out);
        }
        add_docs(Kind::AclCondition, &mut out);
        add_docs(Kind::AclModifier, &mut out);
    } else if doc.kind == DocKind::Config && is_option_position(before) {
        match doc.section_at(pos.line as usize) {
            (None, _) => add_docs(Kind::MainOption, &mut out),
            (Some(section), driver) => {
                // The kind's generic options and the instance's driver's own.
                if let Some(kind) = Kind::of_section(&section) {
                    out.extend(
                        docs::all()
                            .iter()
                            .filter(|d| d.kind == kind && d.name.starts_with(typed))
                            .filter(|d| {
                                d.driver == Some("generic") || d.driver == driver.as_deref()
                            })
                            .map(item_of_doc),
                    );
                }
            }
        }
    }
    if typed.starts_with(|c: char| c.is_ascii_uppercase())
        && let Some(c) = config
    {
        out.extend(
            c.user_macros()
                .iter()
                .filter(|m| m.name.starts_with(typed))
                .map(|m| {
                    let value = String::from_utf8_lossy(&m.replacement).into_owned();
                    plain(&m.name, CompletionItemKind::CONSTANT, &value)
                }),
        );
    }
    out
}

/// Whether the profile has the builtin (the tables list the full build's).
fn exists(ctx: &Context, d: &Doc) -> bool {
    let reg = &ctx.registry;
    match d.kind {
        Kind::Item => reg.items().iter().any(|i| i.sig.name == d.name),
        Kind::Operator => reg.operators().any(|o| o.sig.name == d.name),
        Kind::Condition => reg.conditions().iter().any(|c| c.sig.name == d.name),
        Kind::Lookup => reg.lookup(d.name).is_some(),
        Kind::Variable => crate::vars::is_known(ctx, d.name),
        Kind::MainOption
        | Kind::RouterOption
        | Kind::TransportOption
        | Kind::AuthenticatorOption
        | Kind::AclVerb
        | Kind::AclModifier => true,
        // The full profile's dmarc_status only where it exists.
        Kind::AclCondition => d.name != "dmarc_status" || ctx.profile.features.dmarc,
    }
}

fn item_of_doc(d: &Doc) -> CompletionItem {
    CompletionItem {
        label: d.name.to_string(),
        kind: Some(match d.kind {
            Kind::Item => CompletionItemKind::FUNCTION,
            Kind::Operator => CompletionItemKind::OPERATOR,
            Kind::Condition => CompletionItemKind::KEYWORD,
            Kind::Lookup => CompletionItemKind::MODULE,
            Kind::Variable => CompletionItemKind::VARIABLE,
            Kind::MainOption
            | Kind::RouterOption
            | Kind::TransportOption
            | Kind::AuthenticatorOption => CompletionItemKind::PROPERTY,
            Kind::AclVerb | Kind::AclCondition | Kind::AclModifier => CompletionItemKind::KEYWORD,
        }),
        detail: Some(d.synopsis.clone()),
        documentation: Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: d.markdown(),
        })),
        ..CompletionItem::default()
    }
}

fn plain(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    }
}

/// `acl_smtp_rcpt = `, `acl = ` (a verb's `acl =` modifier), `${acl{`.
fn names_an_acl(before: &str) -> bool {
    if before.ends_with("${acl{") {
        return true;
    }
    let Some(lhs) = before.trim_end().strip_suffix('=') else {
        return false;
    };
    let name = lhs
        .trim()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    name == "acl" || name.starts_with("acl_smtp_") || name.starts_with("acl_not_smtp")
}

/// `${if `, `${if !`, `and{{`, `or{{`, `{!`: where a condition's name goes.
fn is_condition_place(before: &str) -> bool {
    let t = before.trim_end_matches(['!', ' ', '\t']);
    t.ends_with("${if") || t.ends_with("{{") || (t.ends_with('{') && before.contains("${if"))
}

/// `${lookup{key}`, `${lookup `: where a lookup type goes.
fn is_lookup_place(before: &str) -> bool {
    let Some(i) = before.rfind("${lookup") else {
        return false;
    };
    let rest = &before[i + "${lookup".len()..];
    rest.trim().is_empty() || (rest.starts_with('{') && rest.trim_end().ends_with('}'))
}

/// Is `before` (the line up to the word) a place for an ACL verb,
/// condition or modifier: white space, a verb, or a `!`, in an ACL
/// section?
fn in_acl_statement(doc: &Document, line: usize, before: &str) -> bool {
    let t = before.trim().trim_end_matches('!').trim_end();
    let place = t.is_empty() || crate::config::acl::AclVerb::from_name(t).is_some();
    place && doc.section_at(line).0.as_deref() == Some("acl")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str, line: u32, ch: u32, config: Option<&Config>) -> Vec<String> {
        let doc = Document::new("/x/test.conf".into(), text.into());
        let ctx = Context::new();
        at(&doc, config, &ctx, Position::new(line, ch))
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn names_by_what_precedes_them() {
        let has = |v: &[String], n: &str| v.iter().any(|x| x == n);
        let v = labels("x = ${sha", 0, 9, None);
        assert!(
            has(&v, "sha1") && has(&v, "sha256") && !has(&v, "lc"),
            "{v:?}"
        );
        let v = labels("x = $primary_h", 0, 14, None);
        assert_eq!(v, ["primary_hostname"]);
        let v = labels("x = ${if match_d", 0, 16, None);
        assert_eq!(v, ["match_domain"]);
        let v = labels("x = ${lookup{k}lse", 0, 18, None);
        assert_eq!(v, ["lsearch"]);
        let v = labels("qualify_d", 0, 9, None);
        assert!(has(&v, "qualify_domain"), "{v:?}");
        let v = labels("begin routers\nqualify_d", 1, 9, None);
        assert!(v.is_empty(), "no main options after begin: {v:?}");
        // A driver section: the generic options and the driver's own.
        let text = "begin routers\nr:\n  driver = redirect\n  fil\n  dom\nbegin transports\nt:\n  driver = smtp\n  hosts_req\n";
        let v = labels(text, 3, 5, None);
        assert!(
            has(&v, "file") && has(&v, "file_transport") && !has(&v, "file_format"),
            "{v:?}"
        );
        assert_eq!(labels(text, 4, 5, None), ["domains"]);
        let v = labels(text, 8, 11, None);
        assert!(
            has(&v, "hosts_require_tls") && has(&v, "hosts_require_auth"),
            "{v:?}"
        );
    }

    #[test]
    fn names_of_the_configuration() {
        let text = "LOCAL = a\ndomainlist local_domains = a\nacl_smtp_rcpt = \nbegin acl\nrcpt_acl:\n  accept domains = +lo\n  accept condition = LO\n";
        let c = Config::from_str(text, &[]).unwrap();
        assert_eq!(labels(text, 5, 21, Some(&c)), ["local_domains"]);
        assert_eq!(labels(text, 6, 23, Some(&c)), ["LOCAL"]);
        assert_eq!(labels(text, 2, 16, Some(&c)), ["rcpt_acl"]);
    }
}
