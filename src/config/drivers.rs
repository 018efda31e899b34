//! The driver sections (routers, transports, authenticators) checked as
//! Exim 4.96 checks them when it reads them: instance names, the `driver`
//! option naming a driver of the build, and every option known either to
//! all drivers of the kind (generic) or to the instance's driver
//! (private, allowed only after `driver =`).
//!
//! The names come from the reference build's built-in macros:
//! `_DRIVER_ROUTER_ACCEPT`, `_OPT_ROUTERS_DOMAINS` (generic),
//! `_OPT_ROUTER_REDIRECT_DATA` (private), and the like.
//!
//! ```
//! use exim_expand::config::{Config, drivers};
//! let c = Config::from_str("begin routers\nr1:\n  driver = redirect\n  dta = x\n", &[]).unwrap();
//! let p = drivers::check_section(&c.sections()[0]);
//! assert_eq!(p[0].message, "option \"dta\" unknown");
//! assert_eq!((p[0].line, p[0].rule), (2, drivers::Problem::UnknownOption));
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::Section;

/// What kind of mistake a problem is (lint gives each its own code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `driver = nosuch`.
    UnknownDriver,
    /// An option neither generic nor the driver's (or a private one
    /// before `driver =`).
    UnknownOption,
    /// A malformed or doubled instance name, or an instance without a
    /// driver.
    Definition,
    /// An option written as its type does not allow: `no_` before a
    /// non-boolean, a value after a negated boolean, no value for a
    /// non-boolean.
    Value,
}

/// One problem in a driver section, with Exim's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriverProblem {
    /// Which kind.
    pub rule: Problem,
    /// The index in [`Section::lines`] of the line it concerns (for a
    /// missing driver or a doubled name, the instance's name).
    pub line: usize,
    /// Whether Exim's message names that line (it does not for a missing
    /// driver or a doubled name).
    pub located: bool,
    /// The instance (`router dnslookup`).
    pub instance: String,
    /// The bytes of the line's text the problem is about: the option's
    /// name, the driver's, the instance's.
    pub span: std::ops::Range<usize>,
    /// Exim's message.
    pub message: String,
}

/// The kinds of driver: section name, singular, the macro words.
const KINDS: &[(&str, &str, &str, &str)] = &[
    ("routers", "router", "ROUTER", "ROUTERS"),
    ("transports", "transport", "TRANSPORT", "TRANSPORTS"),
    (
        "authenticators",
        "authenticator",
        "AUTHENTICATOR",
        "AUTHENTICATORS",
    ),
];

/// The drivers and options of one kind.
#[derive(Default)]
struct KindTable {
    drivers: HashSet<String>,
    generic: HashSet<String>,
    private: HashMap<String, HashSet<String>>,
}

fn tables() -> &'static HashMap<&'static str, KindTable> {
    static T: OnceLock<HashMap<&'static str, KindTable>> = OnceLock::new();
    T.get_or_init(|| {
        let names: Vec<&str> = super::macros::exim_builtin_macros()
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        let mut out = HashMap::new();
        for &(section, _, one, many) in KINDS {
            let mut t = KindTable::default();
            let driver_prefix = format!("_DRIVER_{one}_");
            t.drivers = names
                .iter()
                .filter_map(|n| n.strip_prefix(driver_prefix.as_str()))
                .map(str::to_ascii_lowercase)
                .collect();
            let generic_prefix = format!("_OPT_{many}_");
            t.generic = names
                .iter()
                .filter_map(|n| n.strip_prefix(generic_prefix.as_str()))
                .map(str::to_ascii_lowercase)
                .collect();
            // `_OPT_ROUTER_<DRIVER>_<OPTION>`: the driver is the longest
            // known name the rest starts with (`cram_md5` has a `_`).
            let private_prefix = format!("_OPT_{one}_");
            for rest in names
                .iter()
                .filter_map(|n| n.strip_prefix(private_prefix.as_str()))
            {
                let rest = rest.to_ascii_lowercase();
                let driver = t
                    .drivers
                    .iter()
                    .filter(|d| {
                        rest.starts_with(d.as_str()) && rest.as_bytes().get(d.len()) == Some(&b'_')
                    })
                    .max_by_key(|d| d.len());
                if let Some(d) = driver {
                    let option = rest[d.len() + 1..].to_string();
                    t.private.entry(d.clone()).or_default().insert(option);
                }
            }
            out.insert(section, t);
        }
        out
    })
}

/// Every option of the reference build's drivers: the section's word
/// (`router`, `transport`, `authenticator`), the driver (`generic` for
/// the options every driver of the kind has) and the option, sorted (the
/// docs tables are checked against it).
#[cfg(test)]
pub(crate) fn option_names() -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for &(section, one, _, _) in KINDS {
        let t = &tables()[section];
        out.extend(
            t.generic
                .iter()
                .map(|o| (one, "generic".to_string(), o.clone())),
        );
        for (d, opts) in &t.private {
            out.extend(opts.iter().map(|o| (one, d.clone(), o.clone())));
        }
    }
    out.sort();
    out
}

/// Exim's message for an option written as its type does not allow
/// (`negated`: the option `name` names after its `no_`/`not_`).  The
/// types are the specification's, from the docs tables; an option they
/// do not describe is not judged.
fn value_problem(
    section: &str,
    driver: Option<&str>,
    name: &str,
    negated: Option<&str>,
    value: Option<&[u8]>,
) -> Option<String> {
    let kind = crate::docs::Kind::of_section(section)?;
    let boolean = |n: &str| {
        crate::docs::driver_option(kind, driver, n).map(|d| d.value_type == Some("boolean"))
    };
    match negated {
        Some(base) if boolean(base) == Some(false) => {
            Some("negation prefix applied to a non-boolean option".to_string())
        }
        Some(_) if value.is_some() => {
            Some(format!("extra characters follow boolean option {name}"))
        }
        None if value.is_none() && boolean(name) == Some(false) => Some(format!(
            "unexpected end of line (data missing) after {name}"
        )),
        _ => None,
    }
}

/// The option a line sets: its name (after `hide`), and the value after
/// `=`, if any.
fn option_of(text: &[u8]) -> (&str, Option<&[u8]>) {
    let text = crate::sys::trim(text);
    let text = text
        .strip_prefix(b"hide")
        .filter(|r| r.first().is_some_and(u8::is_ascii_whitespace))
        .map_or(text, crate::sys::trim);
    let end = text
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        .unwrap_or(text.len());
    let name = std::str::from_utf8(&text[..end]).unwrap_or("");
    let rest = crate::sys::trim(&text[end..]);
    (name, rest.strip_prefix(b"=").map(crate::sys::trim))
}

/// Where `part`, a piece of `whole`, starts in it.
fn offset_in(whole: &[u8], part: &[u8]) -> std::ops::Range<usize> {
    let start = (part.as_ptr() as usize)
        .saturating_sub(whole.as_ptr() as usize)
        .min(whole.len());
    start..(start + part.len()).min(whole.len())
}

/// Checks one section of the reference build's drivers; other sections
/// have no problems.
pub fn check_section(section: &Section) -> Vec<DriverProblem> {
    let Some(&(_, kind, _, _)) = KINDS.iter().find(|k| k.0 == section.name) else {
        return Vec::new();
    };
    let Some(table) = tables().get(section.name) else {
        return Vec::new();
    };
    let mut found: Vec<DriverProblem> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // The current instance: its name and driver (once `driver =` is read).
    let mut current: Option<(String, Option<String>)> = None;
    let mut header = 0;
    let name_span = |i: usize| {
        let t = crate::sys::trim(&section.lines[i].text);
        let end = t.iter().position(|&c| c == b':').unwrap_or(t.len());
        offset_in(&section.lines[i].text, &t[..end])
    };
    let finish = |current: &mut Option<(String, Option<String>)>,
                  header: usize,
                  found: &mut Vec<DriverProblem>| {
        if let Some((name, None)) = current.take() {
            found.push(DriverProblem {
                span: name_span(header),
                rule: Problem::Definition,
                line: header,
                located: false,
                instance: format!("{kind} {name}"),
                message: format!("no driver defined for {kind} \"{name}\""),
            });
        }
    };
    for (i, l) in section.lines.iter().enumerate() {
        let text = crate::sys::trim(&l.text);
        let end = text
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
            .unwrap_or(text.len());
        if text.get(end) == Some(&b':') {
            finish(&mut current, header, &mut found);
            header = i;
            let name = String::from_utf8_lossy(&text[..end]).into_owned();
            let extra = !crate::sys::trim(&text[end + 1..]).is_empty();
            if extra {
                found.push(DriverProblem {
                    span: name_span(i),
                    rule: Problem::Definition,
                    line: i,
                    located: true,
                    instance: format!("{kind} {name}"),
                    message: format!("extra characters follow driver name {name}"),
                });
            }
            if !seen.insert(name.clone()) {
                found.push(DriverProblem {
                    span: name_span(i),
                    rule: Problem::Definition,
                    line: i,
                    located: false,
                    instance: format!("{kind} {name}"),
                    message: format!("there are two {kind}s called \"{name}\""),
                });
            }
            // After a malformed name Exim stops; no more is said of it here
            // (an empty driver name is not judged).
            current = Some((name, extra.then(String::new)));
            continue;
        }
        let Some((instance, driver)) = current.as_mut() else {
            continue;
        };
        let (name, value) = option_of(text);
        // An upper-case name is a macro definition (those of the branches
        // the macros leave out reach here as lines).
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        if name == "driver" {
            let d = String::from_utf8_lossy(value.unwrap_or_default()).into_owned();
            if !table.drivers.contains(&d) {
                found.push(DriverProblem {
                    span: offset_in(&l.text, value.unwrap_or_default()),
                    rule: Problem::UnknownDriver,
                    line: i,
                    located: true,
                    instance: format!("{kind} {instance}"),
                    message: format!("{kind} {instance}: cannot find {kind} driver \"{d}\""),
                });
            }
            *driver = Some(d);
            continue;
        }
        let known = |n: &str| {
            table.generic.contains(n)
                || driver
                    .as_ref()
                    .and_then(|d| table.private.get(d))
                    .is_some_and(|p| p.contains(n))
        };
        let negated = ["no_", "not_"]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .filter(|base| !known(name) && known(base));
        // A problem with the option's name, at the name.
        let at_name = |rule: Problem, message: String| DriverProblem {
            span: offset_in(&l.text, name.as_bytes()),
            instance: format!("{kind} {instance}"),
            rule,
            line: i,
            located: true,
            message,
        };
        if let Some(message) = value_problem(section.name, driver.as_deref(), name, negated, value)
        {
            found.push(at_name(Problem::Value, message));
            continue;
        }
        if known(name) || negated.is_some() {
            continue;
        }
        // A driver that is not in the build: its options cannot be judged.
        if driver.as_ref().is_some_and(|d| !table.drivers.contains(d)) {
            continue;
        }
        let message = if driver.is_none() {
            format!(
                "option \"{name}\" unknown (\"driver\" must be specified before any private options)"
            )
        } else {
            format!("option \"{name}\" unknown")
        };
        found.push(at_name(Problem::UnknownOption, message));
    }
    finish(&mut current, header, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The problems of a driver section: (line in the section, message).
    fn problems(text: &str) -> Vec<(Option<usize>, String)> {
        let c = Config::from_str(text, &[]).unwrap();
        c.sections()
            .iter()
            .flat_map(check_section)
            .map(|p| (p.located.then_some(p.line), p.message))
            .collect()
    }

    #[test]
    fn like_exim_reading_its_drivers() {
        // Each message is what Exim 4.96 (Debian) says of the same text:
        // the configuration, then each problem's line and message.
        type Case<'a> = (&'a str, &'a [(Option<usize>, &'a str)]);
        let cases: &[Case] = &[
            (
                "begin routers\nr1:\n  driver = accept\n  transport = t\n",
                &[],
            ),
            (
                "begin routers\nr1:\n  driver = nosuch\n  domains = a\n",
                &[(Some(1), "router r1: cannot find router driver \"nosuch\"")],
            ),
            (
                "begin routers\nr1:\n  domains = a\n",
                &[(None, "no driver defined for router \"r1\"")],
            ),
            (
                "begin routers\nr1:\n  driver = redirect\n  no_verify\n  not_allow_defer\n  hide data = x\n  server_secret = x\n",
                &[(Some(5), "option \"server_secret\" unknown")],
            ),
            (
                "begin routers\nr1:\n  data = x\n  driver = redirect\n",
                &[(
                    Some(1),
                    "option \"data\" unknown (\"driver\" must be specified before any private options)",
                )],
            ),
            (
                // Exim stops at the first; each message checked alone.
                "begin routers\nr1:\n  driver = accept\n  no_domains\n  no_verify = true\n  transport\n",
                &[
                    (Some(2), "negation prefix applied to a non-boolean option"),
                    (Some(3), "extra characters follow boolean option no_verify"),
                    (
                        Some(4),
                        "unexpected end of line (data missing) after transport",
                    ),
                ],
            ),
            (
                "begin routers\nr1: driver = accept\n",
                &[(Some(0), "extra characters follow driver name r1")],
            ),
            (
                "begin routers\nr1:\n  driver = accept\nr1:\n  driver = accept\n",
                &[(None, "there are two routers called \"r1\"")],
            ),
            (
                "begin transports\nt1:\n  driver = smtp\n  no_hosts_randomize\n  headers_add = x\n  hosts_try_dane = x\n  dkim_domain = x\n",
                &[],
            ),
            (
                "begin transports\nt1:\n  driver = smtpx\n",
                &[(
                    Some(1),
                    "transport t1: cannot find transport driver \"smtpx\"",
                )],
            ),
            (
                "begin authenticators\na1:\n  driver = plaintext\n  public_name = PLAIN\n  server_condition = x\n  client_send = x\n  server_secret = y\n",
                &[(Some(5), "option \"server_secret\" unknown")],
            ),
            (
                "begin authenticators\na1:\n  driver = cram_md5\n  server_secret = y\n  client_name = n\n",
                &[],
            ),
        ];
        for (text, want) in cases {
            let want: Vec<(Option<usize>, String)> =
                want.iter().map(|(l, m)| (*l, m.to_string())).collect();
            assert_eq!(problems(text), want, "{text}");
        }
    }
}
