//! Short reference texts for every builtin name: items, operators,
//! conditions, lookup types, variables and main options, each with how it
//! is written and the Exim release it appeared in.  The language server's
//! hover, the REPL's `:doc` and Python's `exim_expand.describe` show them.
//!
//! The texts are this project's own, kept as tables beside this file
//! (`builtins.tsv`, `variables.tsv`, `main_options.tsv`, one line per name,
//! tab-separated); the versions come from Exim's NewStuff and ChangeLog
//! files, as the tables' headers say.
//!
//! ```
//! use exim_expand::docs::{self, Kind};
//! let lc = docs::find(Kind::Operator, "lc").unwrap();
//! assert_eq!((lc.since, lc.synopsis.as_str()), ("4.00", "${lc:<string>}"));
//! assert!(docs::find(Kind::Variable, "primary_hostname").is_some());
//! assert!(docs::find(Kind::Item, "nosuch").is_none());
//! ```

use std::sync::OnceLock;

/// What kind of name a text describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `${name{..}..}`
    Item,
    /// `${name:..}`
    Operator,
    /// A condition of `${if ..}` and of ACL `condition =`.
    Condition,
    /// A lookup type: `${lookup{key}name{file}}`.
    Lookup,
    /// `$name`
    Variable,
    /// An option of the main section.
    MainOption,
    /// An option of routers: generic, or one driver's (`Doc::driver`).
    RouterOption,
    /// An option of transports, generic or one driver's.
    TransportOption,
    /// An option of authenticators, generic or one driver's.
    AuthenticatorOption,
    /// An ACL verb: `accept`, `deny`, ...
    AclVerb,
    /// An ACL condition: `hosts =`, `verify =`, ...
    AclCondition,
    /// An ACL modifier: `message =`, `set`, `control =`, ...
    AclModifier,
}

impl Kind {
    /// The kind as the tables and the hover text name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Item => "item",
            Kind::Operator => "operator",
            Kind::Condition => "condition",
            Kind::Lookup => "lookup type",
            Kind::Variable => "variable",
            Kind::MainOption => "main option",
            Kind::RouterOption => "router option",
            Kind::TransportOption => "transport option",
            Kind::AuthenticatorOption => "authenticator option",
            Kind::AclVerb => "ACL verb",
            Kind::AclCondition => "ACL condition",
            Kind::AclModifier => "ACL modifier",
        }
    }

    /// The kind of the options of a configuration section (`routers`,
    /// `transports`, `authenticators`).
    pub fn of_section(section: &str) -> Option<Kind> {
        Some(match section {
            "routers" => Kind::RouterOption,
            "transports" => Kind::TransportOption,
            "authenticators" => Kind::AuthenticatorOption,
            _ => return None,
        })
    }

    fn from_table(s: &str) -> Option<Kind> {
        Some(match s {
            "item" => Kind::Item,
            "operator" => Kind::Operator,
            "condition" => Kind::Condition,
            "lookup" => Kind::Lookup,
            "router" => Kind::RouterOption,
            "transport" => Kind::TransportOption,
            "authenticator" => Kind::AuthenticatorOption,
            "verb" => Kind::AclVerb,
            "acl-condition" => Kind::AclCondition,
            "modifier" => Kind::AclModifier,
            _ => return None,
        })
    }
}

/// The reference text of one name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    /// What the name is.
    pub kind: Kind,
    /// The name (`sg`, `primary_hostname`, `acl_smtp_rcpt`).
    pub name: &'static str,
    /// The Exim release that introduced it (`4.00` for what Exim 4 had
    /// from its first release).
    pub since: &'static str,
    /// How it is written: `${sg{subject}{regex}{replacement}}`, `$name`,
    /// `name = <type>`.
    pub synopsis: String,
    /// What it does, in a sentence or two.
    pub text: &'static str,
    /// For an option: its default value as the specification gives it.
    pub default: Option<&'static str>,
    /// For a driver option: the driver it belongs to (`redirect`,
    /// `smtp`), or `generic` for what every driver of its kind has.
    pub driver: Option<&'static str>,
    /// For an option: its type as the specification gives it
    /// (`boolean`, `string`, `host list`).
    pub value_type: Option<&'static str>,
}

impl Doc {
    /// The text as Markdown: the synopsis as code, what it is and since
    /// when, then the description.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "```\n{}\n```\n{}{} `{}`, since Exim {}",
            self.synopsis,
            self.driver_words(),
            self.kind.as_str(),
            self.name,
            self.since
        );
        if let Some(d) = self.default {
            s.push_str(&format!("; default `{d}`"));
        }
        s.push_str("\n\n");
        s.push_str(self.text);
        s
    }

    /// The text as plain lines: synopsis, then kind, version and
    /// description.
    pub fn plain(&self) -> String {
        let default = self
            .default
            .map(|d| format!(", default {d}"))
            .unwrap_or_default();
        format!(
            "{}\n  {}{}, since Exim {}{}: {}",
            self.synopsis,
            self.driver_words(),
            self.kind.as_str(),
            self.since,
            default,
            self.text
        )
    }
}

impl Doc {
    /// `generic ` or `smtp ` before a driver option's kind.
    fn driver_words(&self) -> String {
        self.driver.map(|d| format!("{d} ")).unwrap_or_default()
    }
}

const BUILTINS: &str = include_str!("builtins.tsv");
const DRIVER_OPTIONS: &str = include_str!("driver_options.tsv");
const ACL: &str = include_str!("acl.tsv");
const VARIABLES: &str = include_str!("variables.tsv");
const MAIN_OPTIONS: &str = include_str!("main_options.tsv");

/// The lines of a table that are not comments or blank, split at tabs.
fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    table
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

fn read_all() -> Vec<Doc> {
    let mut docs = Vec::new();
    for f in rows(BUILTINS).chain(rows(ACL)) {
        if let [kind, name, since, synopsis, text] = f[..]
            && let Some(kind) = Kind::from_table(kind)
        {
            docs.push(Doc {
                kind,
                name,
                since,
                synopsis: synopsis.to_string(),
                text,
                default: None,
                driver: None,
                value_type: None,
            });
        }
    }
    for f in rows(VARIABLES) {
        if let [name, since, text] = f[..] {
            docs.push(Doc {
                kind: Kind::Variable,
                name,
                since,
                synopsis: format!("${name}"),
                text,
                default: None,
                driver: None,
                value_type: None,
            });
        }
    }
    for f in rows(MAIN_OPTIONS) {
        if let [name, since, ty, default, text] = f[..] {
            docs.push(Doc {
                kind: Kind::MainOption,
                name,
                since,
                synopsis: format!("{name} = <{ty}>"),
                text,
                default: Some(default),
                driver: None,
                value_type: Some(ty),
            });
        }
    }
    for f in rows(DRIVER_OPTIONS) {
        if let [kind, driver, name, since, ty, default, text] = f[..]
            && let Some(kind) = Kind::from_table(kind)
        {
            docs.push(Doc {
                kind,
                name,
                since,
                synopsis: format!("{name} = <{ty}>"),
                text,
                default: Some(default),
                driver: Some(driver),
                value_type: Some(ty),
            });
        }
    }
    docs
}

/// The texts, and where each name's are among them.
struct Tables {
    docs: Vec<Doc>,
    by_name: std::collections::HashMap<&'static str, Vec<usize>>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let docs = read_all();
        let mut by_name: std::collections::HashMap<&'static str, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            by_name.entry(d.name).or_default().push(i);
        }
        Tables { docs, by_name }
    })
}

/// Every text, items first, then operators, conditions, lookup types,
/// ACL names, variables, main options and driver options, each kind
/// sorted by name (driver options by kind, then driver).
pub fn all() -> &'static [Doc] {
    &tables().docs
}

/// The texts of `name`, in [`all`]'s order.
fn named(name: &str) -> impl Iterator<Item = &'static Doc> {
    let t = tables();
    t.by_name
        .get(name)
        .into_iter()
        .flatten()
        .map(|&i| &t.docs[i])
}

/// The text of one name of one kind.
pub fn find(kind: Kind, name: &str) -> Option<&'static Doc> {
    named(name).find(|d| d.kind == kind)
}

/// The texts of a name, whatever its kind (`substr` is only an operator;
/// `acl` is an item and a condition).
pub fn find_any(name: &str) -> impl Iterator<Item = &'static Doc> {
    named(name)
}

/// The text of a variable, families included: `$acl_c0`, `$acl_m_name`,
/// `$auth3` and the like are described by their family.
pub fn variable(name: &str) -> Option<Doc> {
    if let Some(d) = find(Kind::Variable, name) {
        return Some(d.clone());
    }
    let family = |family: &'static str, text: &'static str| Doc {
        kind: Kind::Variable,
        name: family,
        since: "4.00",
        synopsis: format!("${name}"),
        text,
        default: None,
        driver: None,
        value_type: None,
    };
    let rest = |p: &str| name.strip_prefix(p).filter(|r| !r.is_empty());
    if rest("acl_c").is_some() {
        return Some(family(
            "acl_c*",
            "A connection ACL variable: set by `set acl_c...` in an ACL, kept for the whole SMTP connection.",
        ));
    }
    if rest("acl_m").is_some() {
        return Some(family(
            "acl_m*",
            "A message ACL variable: set by `set acl_m...` in an ACL, kept for one message and reset after it.",
        ));
    }
    if rest("auth").is_some_and(|r| r.bytes().all(|c| c.is_ascii_digit())) {
        return Some(family(
            "auth<n>",
            "A value an authenticator extracted from the client's credentials ($auth1 is usually the user name).",
        ));
    }
    None
}

/// The text of an option of a driver section (`kind` from
/// [`Kind::of_section`]): the driver's own option if `driver` has one of
/// that name, else the generic option of the kind.
pub fn driver_option(kind: Kind, driver: Option<&str>, name: &str) -> Option<&'static Doc> {
    let of = |d: &str| named(name).find(|x| x.kind == kind && x.driver == Some(d));
    driver.and_then(of).or_else(|| of("generic"))
}

/// Every text of a name, as `doc`, `:doc` and Python's `describe` look
/// it up: each kind the name is (`acl` is an item and a condition),
/// else the variable family it belongs to (`acl_c_total`); a leading `$`
/// is allowed.  Empty when nothing has that name.
pub fn describe(name: &str) -> Vec<Doc> {
    let name = name.strip_prefix('$').unwrap_or(name);
    let found: Vec<Doc> = find_any(name).cloned().collect();
    if found.is_empty() {
        return variable(name).into_iter().collect();
    }
    found
}

#[cfg(test)]
mod tests;
