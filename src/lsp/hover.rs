//! Hover: the reference text of the name under the cursor (see
//! [`crate::docs`]), or what the configuration says of its own names:
//! a macro's value, a named list's items, where an ACL is.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::document::{Document, range_in_line};
use super::words::{Role, Word, known_prefix, word_at};
use crate::config::Config;
use crate::docs::{self, Doc, Kind};

/// The hover of `pos` in `doc`, if there is a name there that we know.
pub fn at(doc: &Document, config: Option<&Config>, pos: Position) -> Option<Hover> {
    let line = doc.line(pos.line as usize);
    let w = word_at(line, doc.byte_in_line(pos))?;
    let (section, driver) = doc.section_at(pos.line as usize);
    let value = match (w.role(), section.as_deref()) {
        (Role::Option | Role::Plain, Some("acl")) => {
            acl_word(&w).or_else(|| describe(&w, config))?
        }
        (Role::Option, Some(section)) => driver_option(&w, section, driver.as_deref())?,
        _ => describe(&w, config)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range_in_line(pos.line as usize, line, w.start, w.end)),
    })
}

/// The Markdown text for a name in its place.
pub fn describe(w: &Word, config: Option<&Config>) -> Option<String> {
    let doc_of = |kind| move |n: &str| docs::find(kind, n).is_some();
    match w.role() {
        Role::Variable => variable(w.text),
        Role::Braced => {
            let op = known_prefix(w.text, doc_of(Kind::Operator))
                .and_then(|n| docs::find(Kind::Operator, n));
            let item = docs::find(Kind::Item, w.text);
            let found = if w.is_operator_like() {
                op.or(item)
            } else {
                item.or(op)
            };
            match found {
                Some(d) => Some(d.markdown()),
                None => variable(w.text),
            }
        }
        Role::NamedList => named_list(w.text, config?),
        Role::Option => docs::find(Kind::MainOption, w.text)
            .or_else(|| {
                // `no_NAME` and `not_NAME` turn a boolean option off.
                let base = w.text.strip_prefix("no_").or(w.text.strip_prefix("not_"))?;
                docs::find(Kind::MainOption, base)
            })
            .map(Doc::markdown),
        Role::Plain => plain(w, config),
    }
}

/// An option of a driver section: the instance's driver's own, else the
/// kind's generic one (`no_`/`not_` before a boolean taken off).
fn driver_option(w: &Word, section: &str, driver: Option<&str>) -> Option<String> {
    let kind = Kind::of_section(section)?;
    docs::driver_option(kind, driver, w.text)
        .or_else(|| {
            let base = w.text.strip_prefix("no_").or(w.text.strip_prefix("not_"))?;
            docs::driver_option(kind, driver, base)
        })
        .map(Doc::markdown)
}

/// A word of an ACL statement: a verb at the start of its line, a
/// condition or modifier before its `=` (or `endpass`, which has none).
fn acl_word(w: &Word) -> Option<String> {
    let before = w.before.trim_end().trim_end_matches('!').trim();
    let kinds: &[Kind] = if before.is_empty() {
        &[Kind::AclVerb, Kind::AclCondition, Kind::AclModifier]
    } else {
        &[Kind::AclCondition, Kind::AclModifier]
    };
    let names_a_value = w.after.trim_start().starts_with('=') || w.text == "endpass";
    kinds
        .iter()
        .filter(|k| **k == Kind::AclVerb || names_a_value)
        .find_map(|&k| docs::find(k, w.text))
        .map(Doc::markdown)
}

fn variable(name: &str) -> Option<String> {
    if let Some(d) = docs::variable(name) {
        return Some(d.markdown());
    }
    // The parser's own reading of the prefixes.
    let (_, skip) = crate::parser::header_prefix(name.as_bytes())?;
    let header = &name[skip..];
    Some(format!(
        "```\n${name}:\n```\nheader variable, since Exim 4.00\n\n\
         The `{header}:` header of the message (its lines joined; `rh_` raw, `bh_` \
         decoded to bytes, `lh_` as a list). The name ends at the colon, which \
         must be there."
    ))
}

fn named_list(name: &str, config: &Config) -> Option<String> {
    let l = config.named_lists().iter().find(|l| l.name == name)?;
    Some(format!(
        "```\n{} {} = {}\n```\nnamed list, defined at {}:{}",
        l.kind.keyword(),
        l.name,
        l.value,
        l.file,
        l.line
    ))
}

fn plain(w: &Word, config: Option<&Config>) -> Option<String> {
    if let Some(c) = config {
        if let Some(m) = c.user_macros().iter().find(|m| m.name == w.text) {
            let at = c
                .macro_defined_at(&m.name)
                .map(|(f, l)| format!(", defined at {f}:{l}"))
                .unwrap_or_else(|| " (defined with -D)".to_string());
            return Some(format!(
                "```\n{} = {}\n```\nmacro{at}",
                m.name,
                String::from_utf8_lossy(&m.replacement)
            ));
        }
        if let Some(a) = c.acl(w.text) {
            return Some(format!(
                "ACL `{}`, defined at {}:{} ({} statements)",
                a.name,
                a.file,
                a.line,
                a.statements.len()
            ));
        }
    }
    let texts: Vec<String> = [Kind::Condition, Kind::Lookup]
        .into_iter()
        .filter_map(|k| docs::find(k, w.text))
        .map(Doc::markdown)
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n\n---\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover(line: &str, at: usize, config: Option<&Config>) -> Option<String> {
        describe(&word_at(line, at).unwrap(), config)
    }

    #[test]
    fn builtins_by_their_place() {
        let lc = hover("${lc:$x}", 2, None).unwrap();
        assert!(
            lc.contains("operator `lc`") && lc.contains("since Exim"),
            "{lc}"
        );
        let substr = hover("${substr_2_3:$x}", 4, None).unwrap();
        assert!(substr.contains("operator `substr`"), "{substr}");
        let sg = hover("${sg{a}{b}{c}}", 2, None).unwrap();
        assert!(sg.contains("item `sg`"), "{sg}");
        let v = hover("x $primary_hostname", 6, None).unwrap();
        assert!(v.contains("variable `primary_hostname`"), "{v}");
        let h = hover("$h_subject:", 4, None).unwrap();
        assert!(h.contains("`subject:` header"), "{h}");
        let eq = hover("${if eq{a}{b}}", 6, None).unwrap();
        assert!(eq.contains("condition `eq`"), "{eq}");
        let o = hover("qualify_domain = x", 3, None).unwrap();
        assert!(o.contains("main option `qualify_domain`"), "{o}");
        assert_eq!(hover("${nosuch:x}", 3, None), None);
    }

    #[test]
    fn acl_words() {
        let doc = Document::new(
            "x.conf".into(),
            "begin acl\nrcpt:\n  deny !hosts = a\n       message = no\n  require verify = sender\n"
                .into(),
        );
        let at = |line: u32, ch: u32| match at(&doc, None, Position::new(line, ch)) {
            Some(Hover {
                contents: HoverContents::Markup(m),
                ..
            }) => m.value,
            other => panic!("{other:?}"),
        };
        assert!(at(2, 3).contains("ACL verb `deny`"));
        assert!(at(2, 9).contains("ACL condition `hosts`"));
        assert!(at(3, 9).contains("ACL modifier `message`"));
        assert!(at(4, 12).contains("ACL condition `verify`"));
    }

    #[test]
    fn names_of_the_configuration() {
        let c = Config::from_str(
            "DOM = example.org\ndomainlist local = a : DOM\nbegin acl\nrcpt_acl:\n  accept\n",
            &[],
        )
        .unwrap();
        let m = hover("x DOM y", 3, Some(&c)).unwrap();
        assert!(m.contains("DOM = example.org") && m.contains(":1"), "{m}");
        let l = hover("domains = +local", 12, Some(&c)).unwrap();
        assert!(l.contains("domainlist local = a : example.org"), "{l}");
        let a = hover("acl_smtp_rcpt = rcpt_acl", 18, Some(&c)).unwrap();
        assert!(a.contains("ACL `rcpt_acl`") && a.contains(":4"), "{a}");
    }
}
