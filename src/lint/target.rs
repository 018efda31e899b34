//! W009: what a target release lacks or treats differently
//! (`lint --target 4.90`).  An item, operator, condition, lookup type,
//! variable or main option newer than the target is reported where it is
//! used, with the release that brought it (the `since` of [`crate::docs`]);
//! for a target after 4.96, the changes listed in [`LATER`] (from Exim's
//! ChangeLog and NewStuff) are reported too.

use super::{Finding, Origin, codes, each_expanded};
use crate::config::Config;
use crate::docs::{self, Kind};
use crate::eval::ExpandError;
use crate::parser::{CondKind, Node, OpRef, Span, Visit};

/// An Exim 4 release: `4.90` is `Release(90)`, `4.100` is `Release(100)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release(pub u32);

impl Release {
    /// Reads `4.NN` (a point release such as `4.98.1` counts as `4.98`).
    ///
    /// ```
    /// use exim_expand::lint::target::Release;
    /// assert_eq!(Release::parse("4.93"), Ok(Release(93)));
    /// assert_eq!(Release::parse("4.98.2"), Ok(Release(98)));
    /// assert!(Release::parse("5.0").is_err() && Release::parse("4.x").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Release, String> {
        let minor = s
            .strip_prefix("4.")
            .map(|r| r.split('.').next().unwrap_or(r))
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|&m| m <= 200);
        minor
            .map(Release)
            .ok_or_else(|| format!("target \"{s}\" is not an Exim 4 release such as 4.96"))
    }

    fn of_since(since: &str) -> Release {
        Release::parse(since).unwrap_or(Release(0))
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "4.{}", self.0)
    }
}

/// What a release after 4.96 changed about a name.
pub struct Later {
    /// The first release with the change.
    pub release: Release,
    /// What the name is.
    pub kind: Kind,
    /// The name.
    pub name: &'static str,
    /// What the change means for a configuration that uses the name.
    pub change: &'static str,
}

/// Changes after 4.96 that make a 4.96 configuration fail or mean
/// something else (ChangeLog "Exim version 4.97" to "4.100").
pub const LATER: &[Later] = &[
    Later {
        release: Release(98),
        kind: Kind::MainOption,
        name: "recipients_max",
        change: "is expanded from Exim 4.98 on (NewStuff 4.98 #4): a `$` or `\\` in its value is read differently",
    },
    Later {
        release: Release(100),
        kind: Kind::MainOption,
        name: "drop_cr",
        change: "is no longer supported from Exim 4.100 on (ChangeLog JH/01): Exim refuses the configuration",
    },
    Later {
        release: Release(100),
        kind: Kind::Condition,
        name: "pwcheck",
        change: "is removed from Exim 4.100 on (ChangeLog JH/14): use saslauthd",
    },
];

/// The problem with `name` of `kind` for `target`, if any.
fn problem(kind: Kind, name: &str, target: Release) -> Option<String> {
    if let Some(l) = LATER
        .iter()
        .find(|l| l.kind == kind && l.name == name && target >= l.release)
    {
        return Some(format!("{} {} {}", kind.as_str(), name, l.change));
    }
    let d = docs::find(kind, name)?;
    let since = Release::of_since(d.since);
    (since > target).then(|| {
        format!(
            "{} {} appeared in Exim {}: the target release {target} lacks it",
            kind.as_str(),
            name,
            d.since
        )
    })
}

/// The names a parsed string uses, each with the span of its name.
fn names_used(t: &crate::Template) -> Vec<(Kind, String, Span)> {
    let mut found = Vec::new();
    let at = |start: u32, len: usize| Span::new(start as usize, start as usize + len);
    t.walk(&mut |v| match v {
        Visit::Node(Node::Item(it)) => {
            found.push((
                Kind::Item,
                it.name.to_string(),
                at(it.span.start + 2, it.name.len()),
            ));
            if it.name == "lookup"
                && let Some(w) = it.word.as_deref()
            {
                let base = crate::lookups::base_name(w.trim()).to_string();
                found.push((Kind::Lookup, base, it.span));
            }
        }
        Visit::Node(Node::Op(op)) => {
            if let OpRef::Known { name, .. } = op.op {
                found.push((
                    Kind::Operator,
                    name.to_string(),
                    at(op.span.start + 2, op.name.len()),
                ));
            }
        }
        Visit::Node(Node::Var { name, span, .. }) => {
            found.push((Kind::Variable, name.to_string(), *span));
        }
        Visit::Cond(c) => {
            let name = match &c.kind {
                CondKind::Call { name, .. } | CondKind::Iterate { name, .. } => *name,
                CondKind::Def(_) => "def",
                CondKind::AndOr { is_and, .. } => {
                    if *is_and {
                        "and"
                    } else {
                        "or"
                    }
                }
                CondKind::Invalid => return,
            };
            let skip = usize::from(c.negated);
            found.push((
                Kind::Condition,
                name.to_string(),
                at(c.span.start + skip as u32, name.len()),
            ));
        }
        _ => {}
    });
    found
}

/// The W009 findings of `config` for `target`.
pub fn findings(config: &Config, target: Release) -> Vec<Finding> {
    let mut found = Vec::new();
    let rule = &codes::NOT_IN_TARGET;
    for o in config.options() {
        if let Some(message) = problem(Kind::MainOption, &o.name, target) {
            // At the start of the setting's line, as Exim names the option.
            let start = Origin {
                map: o.origin.map.clone(),
                offset: 0,
            };
            let e = ExpandError::syntax(message, Span::new(0, 0));
            found.push(Finding::new(
                config,
                rule,
                &start,
                format!("option {}", o.name),
                b"",
                e,
            ));
        }
    }
    let mut look = |origin: &Origin, place: String, value: &[u8], _: Option<usize>| {
        if !super::expandable(value) {
            return;
        }
        let t = crate::parse(value);
        for (kind, name, span) in names_used(&t) {
            if let Some(message) = problem(kind, &name, target) {
                let e = ExpandError::syntax(message, span);
                found.push(Finding::new(config, rule, origin, place.clone(), value, e));
            }
        }
    };
    each_expanded(config, &mut look);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str, target: &str) -> Vec<(usize, usize, String)> {
        let c = Config::from_str(text, &[]).unwrap();
        let mut f = findings(&c, Release::parse(target).unwrap());
        f.sort_by_key(|f| (f.line, f.column));
        f.into_iter()
            .map(|f| (f.line, f.column, f.error.message_str().to_string()))
            .collect()
    }

    #[test]
    fn what_an_older_release_lacks() {
        let text = "acl_smtp_rcpt = ${listquote{:}{$local_part}}\n";
        let at = |t| messages(text, t);
        assert_eq!(
            at("4.90"),
            [(
                1,
                19,
                "item listquote appeared in Exim 4.94: the target release 4.90 lacks it"
                    .to_string()
            )]
        );
        assert!(!at("4.93").is_empty() && at("4.94").is_empty() && at("4.96").is_empty());
        let text = "smtp_banner = ${if inbound_srs{$local_part}{k} {y}{n}} $tls_in_resumption ${base32d:x}\n";
        let names: Vec<String> = messages(text, "4.80")
            .into_iter()
            .map(|(_, c, m)| format!("{c} {}", m.split(" appeared").next().unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                "20 condition inbound_srs",
                "56 variable tls_in_resumption",
                "77 operator base32d"
            ]
        );
        assert!(messages("smtp_banner = ${lc:$primary_hostname}\n", "4.50").is_empty());
    }

    #[test]
    fn what_a_later_release_changes() {
        let text = "recipients_max = 100\n";
        assert!(messages(text, "4.97").is_empty());
        let later = messages(text, "4.98");
        assert!(later[0].2.contains("expanded from Exim 4.98"), "{later:?}");
        assert_eq!(later[0].0, 1);
        assert!(
            messages("drop_cr = true\n", "4.100")[0]
                .2
                .contains("no longer supported")
        );
    }
}
