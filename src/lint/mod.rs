//! Lint an Exim configuration: every string Exim may expand (main options,
//! named lists, ACL conditions and modifiers, router, transport and
//! authenticator options) is parsed and checked as `exim-expand check`
//! checks one expression, so syntax errors and unknown variables are found
//! before Exim meets them at run time.
//!
//! Only options that Exim expands are looked at (those the specification
//! marks with a dagger, see [`is_expanded`]), and only values that contain `$`
//! or a backslash: anything else expands to itself.

mod expanded;

pub use expanded::is_expanded;

use crate::check::check;
use crate::config::{Config, OptionKind};
use crate::diagnostic::MAX_ERRORS_PER_SOURCE;
use crate::eval::{Context, ExpandError};

/// A problem in one expansion string of a configuration.
///
/// ```
/// use exim_expand::{Context, config::Config, lint::lint_config};
/// let text = "qualify_domain = example.org\nsmtp_banner = ${lc:$nosuch}\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// let found = lint_config(&c, &Context::new());
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].place.as_str(), found[0].line), ("option smtp_banner", 2));
/// assert_eq!(found[0].error.message_str(), "unknown variable name \"nosuch\"");
/// ```
#[derive(Debug, Clone)]
pub struct Finding {
    /// The configuration file the string is in (an included file, if so).
    pub file: String,
    /// The line number of the string.
    pub line: usize,
    /// Where the string is: `option primary_hostname`, `acl acl_smtp_rcpt`, ...
    pub place: String,
    /// The expansion string (its spans are offsets into it).
    pub source: Vec<u8>,
    /// The problem, with its span in [`Finding::source`].
    pub error: ExpandError,
    /// Further problems in the same string that are not listed (only the first
    /// [`MAX_ERRORS_PER_SOURCE`] of a string are; this is set on the last).
    pub omitted: usize,
}

fn expandable(v: &[u8]) -> bool {
    v.contains(&b'$') || v.contains(&b'\\')
}

/// Checks every expandable string of `config`; `ctx` decides which
/// variables exist (its profile, its own settings).
pub fn lint_config(config: &Config, ctx: &Context) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut look = |file: &str, line: usize, place: String, value: &[u8]| {
        if !expandable(value) {
            return;
        }
        let t = crate::parse(value);
        let errors = check(&t, ctx);
        let omitted = errors.len().saturating_sub(MAX_ERRORS_PER_SOURCE);
        let shown = errors.len() - omitted;
        for (i, error) in errors.into_iter().take(shown).enumerate() {
            found.push(Finding {
                file: file.to_string(),
                line,
                place: place.clone(),
                source: value.to_vec(),
                error,
                omitted: if i + 1 == shown { omitted } else { 0 },
            });
        }
    };
    for o in config.options() {
        if o.kind != OptionKind::Bool && is_expanded(&o.name) {
            look(
                &o.file,
                o.line,
                format!("option {}", o.name),
                &o.value_bytes,
            );
        }
    }
    for l in config.named_lists() {
        look(
            &l.file,
            l.line,
            format!("named list {}", l.name),
            &l.value_bytes,
        );
    }
    for acl in config.acls() {
        for st in &acl.statements {
            for c in &st.conditions {
                if let Some(v) = &c.value {
                    let place = format!("acl {} ({} {})", acl.name, st.verb.as_str(), c.name);
                    look(&st.file, c.line, place, v.as_bytes());
                }
            }
        }
    }
    for section in config.sections() {
        if !matches!(section.name, "routers" | "transports" | "authenticators") {
            continue;
        }
        for l in &section.lines {
            // `option = value` lines of the drivers (not `name:` headers).
            let Some(eq) = l.text.iter().position(|&c| c == b'=') else {
                continue;
            };
            let name = String::from_utf8_lossy(&l.text[..eq]).trim().to_string();
            if !is_expanded(&name) {
                continue;
            }
            let value = l.text[eq + 1..].trim_ascii();
            let place = format!("{} option {name}", section.name);
            look(&l.file, l.line, place, value);
        }
    }
    found.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use expanded::EXPANDED_OPTIONS as EXPANDED;

    #[test]
    fn expanded_option_table() {
        assert!(EXPANDED.windows(2).all(|w| w[0] < w[1]));
        assert!(
            is_expanded("condition") && is_expanded("smtp_banner") && is_expanded("headers_add")
        );
        // Not expanded (no dagger in the 4.96 specification).
        assert!(!is_expanded("dns_check_names_pattern") && !is_expanded("route_list"));
    }

    /// The operator and `extract` checks of `check` reach every expanded
    /// option (messages as Exim 4.96 gives them when it evaluates these).
    #[test]
    fn finds_unknown_operators_and_bad_literal_arguments() {
        let text = "smtp_banner = ${lcase:$primary_hostname}\n\
                    begin acl\n\
                    check_rcpt:\n  deny condition = ${if eq{${extract{1}{:}}}{x}}\n\
                    \x20       message = ${quote_nosuch:$local_part}\n\
                    begin routers\n\
                    r1:\n  driver = accept\n  condition = ${substr_x:$local_part}\n";
        let config = Config::from_str(text, &[]).unwrap();
        let found = lint_config(&config, &Context::new());
        let got: Vec<String> = found
            .iter()
            .map(|f| format!("{} {}: {}", f.line, f.place, f.error.message_str()))
            .collect();
        assert_eq!(
            got,
            [
                "1 option smtp_banner: unknown expansion operator \"lcase\"",
                "4 acl check_rcpt (deny condition): missing '{' for arg 3 of extract",
                "5 acl check_rcpt (deny message): unknown lookup type \"nosuch\"",
                "9 routers option condition: non-digit after underscore in \"substr_x\"",
            ]
        );
    }

    #[test]
    fn finds_problems_where_they_are() {
        let text = "primary_hostname = mail.example\n\
                    qualify_domain = ${lc:$primary_hostname}\n\
                    smtp_banner = ${if eq{a}{b}{x}\n\
                    dns_check_names_pattern = ^.*$\n\
                    domainlist local = ${lookup{$nosuch}lsearch{/etc/x}}\n\
                    begin acl\n\
                    check_rcpt:\n  accept condition = ${if def:nosuchvar{yes}{no}}\n\
                    \x20       message = ok $acl_m_x\n\
                    begin routers\n\
                    r1:\n  driver = accept\n  condition = ${uc:$local_part\n\
                    r2:\n  driver = manualroute\n  route_list = ^a$ b.example\n";
        let config = Config::from_str(text, &[]).unwrap();
        let found = lint_config(&config, &Context::new());
        let got: Vec<String> = found
            .iter()
            .map(|f| format!("{} {}: {}", f.line, f.place, f.error.message_str()))
            .collect();
        assert_eq!(
            got,
            [
                "3 option smtp_banner: syntax error in \"if\" item - \"fail\" expected",
                "5 named list local: unknown variable name \"nosuch\"",
                "8 acl check_rcpt (accept condition): unknown variable \"nosuchvar\" after \"def:\"",
                "13 routers option condition: missing } at end of string",
            ]
        );
    }
}
