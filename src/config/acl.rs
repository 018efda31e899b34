//! ACL definitions from `begin acl` (readconf.c `readconf_acl`, acl.c `acl_read`).
//!
//! Each statement is a verb followed by conditions/modifiers; the first one may
//! be on the verb's line, each further one is a logical line of its own.  The
//! argument of a condition is kept verbatim (no quote processing, as Exim does);
//! it is interpreted at evaluation time.

use std::fmt;

use super::macros::skip_space;
use super::reader::read_name;

/// ACL verbs.
///
/// ```
/// use exim_expand::config::AclVerb;
/// assert_eq!(AclVerb::from_name("deny"), Some(AclVerb::Deny));
/// assert_eq!(AclVerb::from_name("Deny"), None);
/// assert_eq!(AclVerb::Warn.to_string(), "warn");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AclVerb {
    /// `accept`: when the conditions are true, the ACL accepts.
    Accept,
    /// `defer`: when the conditions are true, the ACL defers (a temporary
    /// error).
    Defer,
    /// `deny`: when the conditions are true, the ACL denies.
    Deny,
    /// `discard`: like `accept`, but the message or recipient is then
    /// thrown away.
    Discard,
    /// `drop`: like `deny`, and the SMTP connection is then closed.
    Drop,
    /// `require`: when the conditions are true, go on to the next
    /// statement; otherwise the ACL denies.
    Require,
    /// `warn`: when the conditions are true, its modifiers take effect
    /// (`message` adds a header, `log_message` logs); the ACL goes on either
    /// way.
    Warn,
}

impl AclVerb {
    /// All verbs.
    pub const ALL: [AclVerb; 7] = [
        AclVerb::Accept,
        AclVerb::Defer,
        AclVerb::Deny,
        AclVerb::Discard,
        AclVerb::Drop,
        AclVerb::Require,
        AclVerb::Warn,
    ];

    /// The verb as written in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            AclVerb::Accept => "accept",
            AclVerb::Defer => "defer",
            AclVerb::Deny => "deny",
            AclVerb::Discard => "discard",
            AclVerb::Drop => "drop",
            AclVerb::Require => "require",
            AclVerb::Warn => "warn",
        }
    }

    /// Look a verb up (case-sensitive, as Exim).
    pub fn from_name(name: &str) -> Option<AclVerb> {
        AclVerb::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

impl fmt::Display for AclVerb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Conditions and modifiers known to the reference build (Debian 4.96; this is
/// the set of `_ACL_COND_*` / `_ACL_MOD_*` built-in macros), with `true` for
/// modifiers.
pub const ACL_CONDITIONS: &[(&str, bool)] = &[
    ("acl", false),
    ("add_header", true),
    ("authenticated", false),
    ("condition", false),
    ("continue", true),
    ("control", true),
    ("decode", false),
    ("delay", true),
    ("dkim_signers", false),
    ("dkim_status", false),
    ("dnslists", false),
    ("domains", false),
    ("encrypted", false),
    ("endpass", true),
    ("hosts", false),
    ("local_parts", false),
    ("log_message", true),
    ("log_reject_target", true),
    ("logwrite", true),
    ("malware", false),
    ("message", true),
    ("mime_regex", false),
    ("queue", true),
    ("ratelimit", false),
    ("recipients", false),
    ("regex", false),
    ("remove_header", true),
    ("seen", false),
    ("sender_domains", false),
    ("senders", false),
    ("set", true),
    ("spam", false),
    ("spf", false),
    ("spf_guess", false),
    ("udpsend", true),
    ("verify", false),
];

pub(crate) fn condition_is_modifier(name: &str) -> Option<bool> {
    ACL_CONDITIONS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| ACL_CONDITIONS[i].1)
}

/// One condition or modifier of an ACL statement.
///
/// ```
/// use exim_expand::config::Config;
/// let text = "begin acl\ncheck_rcpt:\n  deny !hosts = 192.0.2.0/24\n       message = go away\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// let conds = &c.acl("check_rcpt").unwrap().statements[0].conditions;
/// assert_eq!((conds[0].name.as_str(), conds[0].negated, conds[0].line), ("hosts", true, 3));
/// assert!(conds[1].is_modifier);
/// assert_eq!(conds[1].to_config_text(), "message = go away");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclCondition {
    /// Condition/modifier name, e.g. `hosts`, `message`, `set`.
    pub name: String,
    /// True for modifiers (`message`, `set`, `control`, …).
    pub is_modifier: bool,
    /// Preceded by `!`.
    pub negated: bool,
    /// For `set`: the full variable name (`acl_m_x`, `acl_c0`, `dkim_verify_status`).
    pub variable: Option<String>,
    /// The text after `=` (leading white space removed), verbatim; `None` for `endpass`.
    pub value: Option<String>,
    /// Line number (of the last physical line of the logical line).
    pub line: usize,
    /// Where the value is in the file.
    pub origin: super::Origin,
}

impl AclCondition {
    /// `name = value` / `!name = value` / `set var = value` / `endpass`, as text.
    pub fn to_config_text(&self) -> String {
        let mut s = String::new();
        if self.negated {
            s.push('!');
        }
        s.push_str(&self.name);
        if let Some(v) = &self.variable {
            s.push(' ');
            s.push_str(v);
        }
        if let Some(v) = &self.value {
            s.push_str(" = ");
            s.push_str(v);
        }
        s
    }
}

/// One ACL statement: a verb and its conditions/modifiers, in order.
///
/// ```
/// use exim_expand::config::{AclVerb, Config};
/// let text = "begin acl\ncheck_rcpt:\n  deny hosts = 192.0.2.0/24\n  accept\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// let st = &c.acl("check_rcpt").unwrap().statements;
/// assert_eq!((st[0].verb, st[0].line, st[0].conditions.len()), (AclVerb::Deny, 3, 1));
/// assert_eq!((st[1].verb, st[1].conditions.len()), (AclVerb::Accept, 0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclStatement {
    /// What the statement does when its conditions are true.
    pub verb: AclVerb,
    /// Its conditions and modifiers, in order.
    pub conditions: Vec<AclCondition>,
    /// File and line of the verb.
    pub file: String,
    /// The verb's line number.
    pub line: usize,
}

/// A named ACL.
///
/// ```
/// use exim_expand::config::Config;
/// let c = Config::from_str("begin acl\n\nacl_check_rcpt:\n  accept\n", &[]).unwrap();
/// let acl = c.acl("acl_check_rcpt").unwrap();
/// assert_eq!((acl.name.as_str(), acl.line, acl.statements.len()), ("acl_check_rcpt", 3, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acl {
    /// The name options refer to it by (`acl_smtp_rcpt = NAME`, `${acl{NAME}}`).
    pub name: String,
    /// Empty for an ACL with no statements (legal).
    pub statements: Vec<AclStatement>,
    /// The file the name is in.
    pub file: String,
    /// The line of the name.
    pub line: usize,
}

/// Result of feeding one logical line to [`AclParser::line`].
pub(crate) enum AclLine {
    /// The line belongs to the current ACL.
    Consumed,
    /// The line starts a new ACL or is a macro definition: the caller handles it.
    EndOfAcl,
}

/// Incremental `acl_read()`: statements of one ACL.
pub(crate) struct AclParser {
    pub(crate) statements: Vec<AclStatement>,
    /// Conditions beyond Debian's build (a profile's).
    extra: Vec<(String, bool)>,
}

impl AclParser {
    pub(crate) fn new() -> AclParser {
        AclParser::with_extra(&[])
    }

    /// A parser that also knows `extra` conditions (name, is a modifier).
    pub(crate) fn with_extra(extra: &[(String, bool)]) -> AclParser {
        AclParser {
            statements: Vec::new(),
            extra: extra.to_vec(),
        }
    }

    /// Parse one logical line.  Errors are Exim's message (without the
    /// "error in ACL: " prefix that readconf adds).
    pub(crate) fn line(
        &mut self,
        saveline: &[u8],
        file: &str,
        line: usize,
        map: &std::sync::Arc<super::LineMap>,
    ) -> Result<AclLine, String> {
        let save = String::from_utf8_lossy(saveline);
        let mut negated = false;
        let mut s = skip_space(saveline, 0);
        if saveline.get(s) == Some(&b'!') {
            negated = true;
            s += 1;
        }
        let (mut name, mut i) = read_name(saveline, s)?;
        let at = saveline.get(i).copied();
        if at == Some(b':')
            || (name.as_bytes().first().is_some_and(u8::is_ascii_uppercase) && at == Some(b'='))
        {
            return Ok(AclLine::EndOfAcl);
        }

        match AclVerb::from_name(&name) {
            None => {
                if self.statements.is_empty() {
                    return Err(format!("unknown ACL verb \"{name}\" in \"{save}\""));
                }
            }
            Some(verb) => {
                if negated {
                    return Err(format!("malformed ACL line \"{save}\""));
                }
                self.statements.push(AclStatement {
                    verb,
                    conditions: Vec::new(),
                    file: file.to_string(),
                    line,
                });
                if i >= saveline.len() {
                    return Ok(AclLine::Consumed);
                }
                if saveline[i] == b'!' {
                    negated = true;
                    i += 1;
                }
                (name, i) = read_name(saveline, i)?;
            }
        }

        let extra = self.extra.iter().find(|(n, _)| *n == name).map(|(_, m)| *m);
        let Some(is_modifier) = condition_is_modifier(&name).or(extra) else {
            return Err(format!("unknown ACL condition/modifier in \"{save}\""));
        };
        if negated && is_modifier {
            return Err(format!(
                "ACL error: negation is not allowed with \"{name}\""
            ));
        }
        let stmt = self.statements.last_mut().expect("a statement exists");
        if name == "endpass" && !matches!(stmt.verb, AclVerb::Accept | AclVerb::Discard) {
            return Err(format!(
                "ACL error: \"endpass\" is not allowed with \"{}\"",
                stmt.verb
            ));
        }

        let mut variable = None;
        if name == "set" {
            let rest = &saveline[i..];
            let rest_s = String::from_utf8_lossy(rest);
            let end = if rest.starts_with(b"dkim_verify_status")
                || rest.starts_with(b"dkim_verify_reason")
            {
                if rest.get(18).is_some_and(u8::is_ascii_alphanumeric) {
                    return Err(format!(
                        "invalid variable name after \"set\" in ACL modifier \"set {rest_s}\" (only \"dkim_verify_status\" or \"dkim_verify_reason\" permitted)"
                    ));
                }
                18
            } else {
                if !rest.starts_with(b"acl_c") && !rest.starts_with(b"acl_m") {
                    return Err(format!(
                        "invalid variable name after \"set\" in ACL modifier \"set {rest_s}\" (must start \"acl_c\" or \"acl_m\")"
                    ));
                }
                if !rest
                    .get(5)
                    .is_some_and(|&c| c.is_ascii_digit() || c == b'_')
                {
                    return Err(format!(
                        "invalid variable name after \"set\" in ACL modifier \"set {rest_s}\" (digit or underscore must follow acl_c or acl_m)"
                    ));
                }
                let mut e = 5;
                while e < rest.len() && rest[e] != b'=' && !super::macros::is_space(rest[e]) {
                    if !rest[e].is_ascii_alphanumeric() && rest[e] != b'_' {
                        return Err(format!(
                            "invalid character \"{}\" in variable name in ACL modifier \"set {rest_s}\"",
                            char::from(rest[e])
                        ));
                    }
                    e += 1;
                }
                e
            };
            variable = Some(String::from_utf8_lossy(&rest[..end]).into_owned());
            i = skip_space(saveline, i + end);
        }

        let mut value = None;
        let mut origin = super::Origin {
            map: map.clone(),
            offset: saveline.len(),
        };
        if name != "endpass" {
            if saveline.get(i) != Some(&b'=') {
                return Err(format!(
                    "\"=\" missing after ACL \"{name}\" {}",
                    if is_modifier { "modifier" } else { "condition" }
                ));
            }
            let v = skip_space(saveline, i + 1);
            value = Some(String::from_utf8_lossy(&saveline[v..]).into_owned());
            origin.offset = v;
        }
        stmt.conditions.push(AclCondition {
            name,
            is_modifier,
            negated,
            variable,
            value,
            line,
            origin,
        });
        Ok(AclLine::Consumed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(lines: &[&str]) -> Result<Vec<AclStatement>, String> {
        let mut p = AclParser::new();
        for (n, l) in lines.iter().enumerate() {
            match p.line(l.as_bytes(), "f", n + 1, &Default::default())? {
                AclLine::Consumed => {}
                AclLine::EndOfAcl => break,
            }
        }
        Ok(p.statements)
    }

    #[test]
    fn table_sorted() {
        assert!(ACL_CONDITIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn statements() {
        let st = parse(&[
            "accept hosts = 1.2.3.4 : cmd",
            "! condition = ${if eq{1}{2}}",
            "accept message = x y",
            "endpass",
            "warn set acl_m_x = 1",
            "set acl_c0=2",
            "deny",
            "!verify = sender",
            "next:",
            "accept",
        ])
        .unwrap();
        assert_eq!(st.len(), 4);
        assert_eq!(st[0].verb, AclVerb::Accept);
        let texts: Vec<Vec<String>> = st
            .iter()
            .map(|s| {
                s.conditions
                    .iter()
                    .map(AclCondition::to_config_text)
                    .collect()
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                vec![
                    "hosts = 1.2.3.4 : cmd".to_string(),
                    "!condition = ${if eq{1}{2}}".into()
                ],
                vec!["message = x y".into(), "endpass".into()],
                vec!["set acl_m_x = 1".into(), "set acl_c0 = 2".into()],
                vec!["!verify = sender".into()],
            ]
        );
        assert_eq!(st[2].conditions[0].variable.as_deref(), Some("acl_m_x"));
        assert_eq!(st[2].conditions[1].value.as_deref(), Some("2"));
    }

    /// Messages as printed by exim 4.96 (after "error in ACL: ").
    #[test]
    fn errors() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["hosts = x"],
                "unknown ACL verb \"hosts\" in \"hosts = x\"",
            ),
            (&["accept", "!deny"], "malformed ACL line \"!deny\""),
            (
                &["accept foo = 1"],
                "unknown ACL condition/modifier in \"accept foo = 1\"",
            ),
            (
                &["accept !message = x"],
                "ACL error: negation is not allowed with \"message\"",
            ),
            (
                &["deny endpass"],
                "ACL error: \"endpass\" is not allowed with \"deny\"",
            ),
            (
                &["accept hosts"],
                "\"=\" missing after ACL \"hosts\" condition",
            ),
            (
                &["accept message x"],
                "\"=\" missing after ACL \"message\" modifier",
            ),
            (
                &["warn set foo = 1"],
                "invalid variable name after \"set\" in ACL modifier \"set foo = 1\" (must start \"acl_c\" or \"acl_m\")",
            ),
            (
                &["warn set acl_mx = 1"],
                "invalid variable name after \"set\" in ACL modifier \"set acl_mx = 1\" (digit or underscore must follow acl_c or acl_m)",
            ),
            (
                &["warn set acl_m_a-b = 1"],
                "invalid character \"-\" in variable name in ACL modifier \"set acl_m_a-b = 1\"",
            ),
            (
                &["warn set dkim_verify_statusx = 1"],
                "invalid variable name after \"set\" in ACL modifier \"set dkim_verify_statusx = 1\" (only \"dkim_verify_status\" or \"dkim_verify_reason\" permitted)",
            ),
        ];
        for (lines, msg) in cases {
            assert_eq!(parse(lines).unwrap_err(), *msg, "{lines:?}");
        }
    }
}
