//! The rules of `exim-expand lint`: each finding has one, with a stable
//! code (what `--select`, `--ignore` and SARIF's `ruleId` use), a name, a
//! severity and a one-line explanation (what `lint --explain CODE` prints).
//!
//! Codes are never reused: a rule that goes away leaves its code unused.
//! `E0xx` are problems in an expansion string, `E1xx` problems of the
//! configuration itself (as Exim reports them when it reads the file or
//! runs the ACL), `W` codes warnings (legal text that is probably not what
//! was meant).

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Exim fails on it (refuses the configuration, or fails the expansion
    /// every time it is evaluated).
    Error,
    /// Legal, but probably a mistake.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as the text and JSON outputs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One rule.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// The stable code, `E001`.
    pub code: &'static str,
    /// A readable name, `expansion-syntax` (also accepted by `--select`).
    pub name: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What it finds and why it matters, in one line.
    pub summary: &'static str,
}

macro_rules! rules {
    ($($id:ident = $code:literal $name:literal $sev:ident $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub static $id: Rule = Rule {
                code: $code,
                name: $name,
                severity: Severity::$sev,
                summary: $summary,
            };
        )*
        /// Every rule, by code.
        pub static RULES: &[&Rule] = &[$(&$id),*];
    };
}

rules! {
    SYNTAX = "E001" "expansion-syntax" Error
        "The string does not parse as an expansion: Exim fails it wherever it is expanded.";
    UNKNOWN_VARIABLE = "E002" "unknown-variable" Error
        "A variable the build (profile) does not have: Exim fails the expansion, even in a branch not taken.";
    UNKNOWN_OPERATOR = "E003" "unknown-operator" Error
        "An operator name Exim does not know (`${lcase:...}`): the expansion fails.";
    OPERATOR_ARGUMENT = "E004" "operator-argument" Error
        "An operator's suffix or option that is wrong as written (`${substr_x:...}`, `${quote_nosuch:...}`).";
    ITEM_ARGUMENT = "E005" "item-argument" Error
        "An item's argument that is wrong as written (`${extract{1}{:}}` lacks its string).";
    CONFIG = "E100" "config-error" Error
        "Exim cannot read the configuration: it refuses to start (the message is Exim's).";
    UNKNOWN_MAIN_OPTION = "E101" "unknown-main-option" Error
        "A main option the build does not have: Exim refuses to start.";
    UNDEFINED_ACL = "E102" "undefined-acl" Error
        "An acl_smtp_* option names an ACL that is not defined: Exim reads the word as ACL text and defers every command.";
    UNKNOWN_DRIVER = "E103" "unknown-driver" Error
        "A router, transport or authenticator whose `driver =` names a driver the build lacks: Exim refuses to start.";
    UNKNOWN_DRIVER_OPTION = "E104" "unknown-driver-option" Error
        "An option neither generic to the driver kind nor the driver's own (or a private one before `driver =`): Exim refuses to start.";
    DRIVER_DEFINITION = "E105" "driver-definition" Error
        "A driver instance without a driver, with text after its name, or with a name used twice: Exim refuses to start.";
    UNDEFINED_NAMED_LIST = "E106" "undefined-named-list" Error
        "A `+name` list item naming no named list: Exim fails the match (unknown named domain list \"+name\").";
    DRIVER_OPTION_VALUE = "E107" "driver-option-value" Error
        "A driver option written as its type does not allow (`no_domains`, `no_verify = yes`, `transport` without a value): Exim refuses to start.";
    HEADER_WITHOUT_COLON = "W001" "header-without-colon" Warning
        "`$h_subject` without its colon: Exim reads the name up to white space, so `[$h_subject]` asks for the header `subject]`.";
    DOUBLED_COLON = "W002" "doubled-colon" Warning
        "`${lc::$domain}`: the second colon is part of the operand and of the result.";
    REGEX_BACKSLASH = "W003" "regex-backslash" Warning
        "`\\d`, `\\.` in a regex outside `\\N...\\N`: the expansion removes the backslash, so `${sg{a.b}{\\.}{-}}` gives `---`.";
    UNUSED_NAMED_LIST = "W004" "unused-named-list" Warning
        "A named list that no `+name` refers to: a leftover, or a reference misspelt elsewhere.";
    UNUSED_MACRO = "W005" "unused-macro" Warning
        "A macro that no later line uses (nor tests with `.ifdef`): a leftover, or a use misspelt elsewhere.";
    TAINTED_FILE_NAME = "W006" "tainted-file-name" Warning
        "A lookup's file or a readfile path made from data from outside (`$domain`, `$local_part`, headers): Exim refuses to open it.";
    TAINTED_COMMAND = "W007" "tainted-command" Warning
        "A command's program (`${run{$h_x: ..}}`) or a pipe transport's argument made from data from outside: Exim refuses to run it.";
    DOUBLED_EQUALS = "W008" "doubled-equals" Warning
        "`name = = value`: Exim keeps the second `=` as the start of the value (a macro is redefined with `==`, no space).";
    NOT_IN_TARGET = "W009" "not-in-target" Warning
        "With `--target 4.NN`: an item, operator, condition, lookup type, variable or main option that release lacks, or that a later release changed.";
    CONSTANT_CONDITION = "W010" "constant-condition" Warning
        "A condition of literal text only (`eq{domain}{x}`, a `$` forgotten), or `${if ..}` closed before its `{yes}{no}`: the result cannot change.";
    UNDEFINED_MACRO = "W011" "undefined-macro" Warning
        "A word in capitals that no line defines as a macro, one or two letters from one that is (`TLS_CERTFILE` for `TLS_CERT_FILE`) or tested with `.ifdef`: Exim leaves it as text.";
}

/// The rule whose code or name is `id` (codes in any case).
///
/// ```
/// use exim_expand::lint::codes::{rule, UNKNOWN_VARIABLE};
/// assert_eq!(rule("e002"), Some(&UNKNOWN_VARIABLE));
/// assert_eq!(rule("unknown-variable"), Some(&UNKNOWN_VARIABLE));
/// assert_eq!(rule("E999"), None);
/// ```
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(id) || r.name == id)
}

/// Does the selector `sel` (a code, a code prefix such as `E1` or `W`, or a
/// rule's name) take in `rule`?
pub fn matches(sel: &str, rule: &Rule) -> bool {
    rule.name == sel
        || (!sel.is_empty()
            && rule.code.len() >= sel.len()
            && rule.code[..sel.len()].eq_ignore_ascii_case(sel))
}

/// What `--select` and `--ignore` leave in.
///
/// ```
/// use exim_expand::lint::codes::{Selection, SYNTAX, UNKNOWN_VARIABLE};
/// let s = Selection::new(vec!["E0".into()], vec!["unknown-variable".into()]).unwrap();
/// assert!(s.wants(&SYNTAX) && !s.wants(&UNKNOWN_VARIABLE));
/// assert!(Selection::new(vec!["X".into()], vec![]).is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
}

impl Selection {
    /// The rules `select` takes in (all when empty) less those of
    /// `ignore`; an error names a selector that takes in no rule.
    pub fn new(select: Vec<String>, ignore: Vec<String>) -> Result<Selection, String> {
        for sel in select.iter().chain(&ignore) {
            check_selector(sel)?;
        }
        Ok(Selection { select, ignore })
    }

    /// Is `rule` reported?
    pub fn wants(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| matches(s, rule)))
            && !self.ignore.iter().any(|s| matches(s, rule))
    }
}

/// Checks a selector of `--select`/`--ignore`: it must take in some rule.
pub fn check_selector(sel: &str) -> Result<(), String> {
    if RULES.iter().any(|r| matches(sel, r)) {
        Ok(())
    } else {
        Err(format!(
            "\"{sel}\" is no lint code, code prefix or rule name (lint --explain lists them)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_ordered() {
        assert!(RULES.windows(2).all(|w| w[0].code < w[1].code));
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
        for r in RULES {
            let first = r.code.as_bytes()[0];
            assert_eq!(first == b'E', r.severity == Severity::Error, "{}", r.code);
        }
    }

    #[test]
    fn selectors() {
        let cases: &[(&str, &Rule, bool)] = &[
            ("E002", &UNKNOWN_VARIABLE, true),
            ("e0", &UNKNOWN_VARIABLE, true),
            ("E1", &UNKNOWN_VARIABLE, false),
            ("E", &UNDEFINED_ACL, true),
            ("undefined-acl", &UNDEFINED_ACL, true),
            ("undefined", &UNDEFINED_ACL, false),
            ("", &SYNTAX, false),
        ];
        for &(sel, rule, want) in cases {
            assert_eq!(matches(sel, rule), want, "{sel} {}", rule.code);
        }
        assert!(check_selector("E10").is_ok());
        assert!(check_selector("X1").is_err());
    }
}
