//! Lint an Exim configuration: every string Exim may expand (main options,
//! named lists, ACL conditions and modifiers, router, transport and
//! authenticator options) is parsed and checked as `exim-expand check`
//! checks one expression, so syntax errors and unknown variables are found
//! before Exim meets them at run time.
//!
//! Only options that Exim expands are looked at (those the specification
//! marks with a dagger, see [`is_expanded`]), and only values that contain `$`
//! or a backslash: anything else expands to itself.  Besides, under
//! Debian's profile a main option its build lacks is reported (Exim refuses
//! to start), and so is an `acl_smtp_*` option naming an ACL that is not
//! defined.

pub mod codes;
mod constant;
mod driver_values;
mod equals;
mod expanded;
mod named_lists;
pub mod report;
mod suggest;
mod taint;
pub mod target;
mod undefined_macros;
pub mod warnings;

pub use codes::{Rule, Severity};
pub use expanded::is_expanded;

use crate::check::{Problem, check_kinds};
use crate::config::{Config, OptionKind, Origin};
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
/// let f = &found[0];
/// assert_eq!((f.place.as_str(), f.line, f.column), ("option smtp_banner", 2, 20));
/// assert_eq!((f.rule.code, f.error.message_str().as_str()), ("E002", "unknown variable name \"nosuch\""));
/// ```
#[derive(Debug, Clone)]
pub struct Finding {
    /// What rule it breaks (its code and severity).
    pub rule: &'static Rule,
    /// The file the offending byte is in (an included file, if so).
    pub file: String,
    /// Its physical line (1-based).
    pub line: usize,
    /// Its column (1-based, in characters).
    pub column: usize,
    /// Where the offending text ends: line and column (exclusive).
    pub end: (usize, usize),
    /// Where the string is: `option primary_hostname`, `acl acl_smtp_rcpt`, ...
    pub place: String,
    /// The expansion string (its spans are offsets into it).
    pub source: Vec<u8>,
    /// The problem, with its span in [`Finding::source`].
    pub error: ExpandError,
    /// The physical line holding the offending byte, and the byte's column
    /// in it (0-based): the excerpt shown under the message.
    pub excerpt: (Vec<u8>, usize),
    /// Set when the offending text came from a macro: which, and where it
    /// was defined (`macro DOM, defined at exim.conf:3`).
    pub macro_note: Option<String>,
    /// Further problems in the same string that are not listed (only the first
    /// [`MAX_ERRORS_PER_SOURCE`] of a string are; this is set on the last).
    pub omitted: usize,
}

impl Finding {
    fn new(
        config: &Config,
        rule: &'static Rule,
        origin: &Origin,
        place: String,
        value: &[u8],
        error: ExpandError,
    ) -> Finding {
        let at = origin.locate(error.span.start as usize);
        let to = origin.locate(error.span.end.max(error.span.start) as usize);
        // Text from a macro is shown as the macro's name.
        let end = match at.macro_name {
            Some(m) if to.macro_name == Some(m) || (to.line, to.column) <= (at.line, at.column) => {
                (at.line, at.column + m.chars().count())
            }
            _ => (to.line, to.column),
        };
        let macro_note = at.macro_name.map(|m| match config.macro_defined_at(m) {
            Some((file, line)) => format!("macro {m}, defined at {file}:{line}"),
            None => format!("macro {m}"),
        });
        Finding {
            rule,
            file: at.file.to_string(),
            line: at.line,
            column: at.column,
            end,
            place,
            source: value.to_vec(),
            excerpt: (at.text.to_vec(), at.byte_column),
            macro_note,
            error,
            omitted: 0,
        }
    }
}

impl Finding {
    /// A configuration error as a finding at its line: the column is
    /// that of the line's first non-blank byte.  `text` is the file's
    /// content when the caller has it (an editor's unsaved buffer);
    /// otherwise the file is read again for the excerpt.
    pub fn config_error(e: &crate::config::ConfigError, text: Option<&[u8]>) -> Finding {
        let error = ExpandError::syntax(e.message.clone(), crate::parser::Span::new(0, 0));
        let read;
        let data = match text {
            Some(t) => Some(t),
            None if e.line > 0 => {
                read = std::fs::read(&e.file).ok();
                read.as_deref()
            }
            None => None,
        };
        let line = data
            .filter(|_| e.line > 0)
            .and_then(|d| d.split(|&c| c == b'\n').nth(e.line - 1))
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
            .unwrap_or_default();
        let start = line
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .unwrap_or(0);
        let column = String::from_utf8_lossy(&line[..start]).chars().count() + 1;
        Finding {
            rule: &codes::CONFIG,
            file: e.file.clone(),
            line: e.line,
            column,
            end: (e.line, column),
            place: "the configuration".to_string(),
            source: Vec::new(),
            error,
            excerpt: (line, start),
            macro_note: None,
            omitted: 0,
        }
    }
}

pub(crate) fn rule_of(p: Problem) -> &'static Rule {
    match p {
        Problem::Syntax => &codes::SYNTAX,
        Problem::UnknownVariable => &codes::UNKNOWN_VARIABLE,
        Problem::UnknownOperator => &codes::UNKNOWN_OPERATOR,
        Problem::OperatorArgument => &codes::OPERATOR_ARGUMENT,
        Problem::ItemArgument => &codes::ITEM_ARGUMENT,
    }
}

/// An `acl_smtp_*` or `acl_not_smtp*` option naming, as one plain word, an
/// ACL the configuration does not define: Exim then reads the word as the
/// text of an ACL and fails every time (`unknown ACL verb "typo" in
/// "typo"`), deferring each command the ACL guards.
fn undefined_acl(config: &Config, option: &str, value: &[u8]) -> Option<String> {
    if !(option.starts_with("acl_smtp_") || option.starts_with("acl_not_smtp")) {
        return None;
    }
    let word = value.trim_ascii();
    let plain = !word.is_empty()
        && !expandable(word)
        && !word.starts_with(b"/")
        && !word.iter().any(|c| c.is_ascii_whitespace());
    let name = String::from_utf8_lossy(word);
    // A word that is a verb is an ACL written inline (`acl_smtp_rcpt = accept`).
    let verb = crate::config::AclVerb::from_name(&name).is_some();
    (plain && !verb && config.acl(&name).is_none()).then(|| {
        format!(
            "ACL \"{name}\" is not defined (Exim reads the word as an ACL's text and fails: unknown ACL verb \"{name}\")"
        )
    })
}

/// The driver problems of a section (the reference build's drivers and
/// options), each at the start of its line.
fn driver_findings(config: &Config, section: &crate::config::Section) -> Vec<Finding> {
    use crate::config::drivers::{Problem, check_section};
    check_section(section)
        .into_iter()
        .map(|p| {
            let l = &section.lines[p.line];
            let rule = match p.rule {
                Problem::UnknownDriver => &codes::UNKNOWN_DRIVER,
                Problem::UnknownOption => &codes::UNKNOWN_DRIVER_OPTION,
                Problem::Definition => &codes::DRIVER_DEFINITION,
                Problem::Value => &codes::DRIVER_OPTION_VALUE,
            };
            let span = crate::parser::Span::new(p.span.start, p.span.end);
            let e = ExpandError::syntax(p.message, span);
            Finding::new(config, rule, &l.origin, p.instance, &l.text, e)
        })
        .collect()
}

/// The text where an expanded string was found: its origin, the place
/// findings name, the string, and for a part of a command whose every
/// part must be untainted (a pipe transport's, a queryprogram router's)
/// the part's position.
type Visitor<'a> = dyn FnMut(&Origin, String, &[u8], Option<usize>) + 'a;

/// Calls `look` for each string of `config` that Exim expands: expanded
/// main options, named lists, ACL conditions and modifiers, and driver
/// options (split as the driver splits them).
fn each_expanded(config: &Config, look: &mut Visitor) {
    for o in config.options() {
        if o.kind != OptionKind::Bool && is_expanded(&o.name) {
            look(
                &o.origin,
                format!("option {}", o.name),
                &o.value_bytes,
                None,
            );
        }
    }
    for l in config.named_lists() {
        look(
            &l.origin,
            format!("named list {}", l.name),
            &l.value_bytes,
            None,
        );
    }
    for acl in config.acls() {
        for st in &acl.statements {
            for c in &st.conditions {
                if let Some(v) = &c.value {
                    let place = format!("acl {} ({} {})", acl.name, st.verb.as_str(), c.name);
                    look(&c.origin, place, v.as_bytes(), None);
                }
            }
        }
    }
    for section in config.sections() {
        if !matches!(section.name, "routers" | "transports" | "authenticators") {
            continue;
        }
        // The current instance's driver decides how some options are split.
        let mut driver: Option<String> = None;
        for l in &section.lines {
            let text = l.text.trim_ascii();
            if text.ends_with(b":") && !text.contains(&b'=') {
                driver = None;
                continue;
            }
            // `option = value` lines of the drivers (not `name:` headers).
            let Some(eq) = l.text.iter().position(|&c| c == b'=') else {
                continue;
            };
            let name = String::from_utf8_lossy(&l.text[..eq]).trim().to_string();
            let value = l.text[eq + 1..].trim_ascii();
            if name == "driver" {
                driver = Some(String::from_utf8_lossy(value).into_owned());
            }
            if !is_expanded(&name) && !driver_values::expands_parts(driver.as_deref(), &name) {
                continue;
            }
            let place = format!("{} option {name}", section.name);
            let command =
                name == "command" && matches!(driver.as_deref(), Some("pipe" | "queryprogram"));
            let parts = driver_values::expanded_parts(driver.as_deref(), &name, value);
            for (i, part) in parts.iter().enumerate() {
                let origin = Origin::of(&l.origin.map, &l.text, part);
                look(&origin, place.clone(), part, command.then_some(i));
            }
        }
    }
}

/// Is the text of `span` (in `value`) written so in the file at its
/// place, not made or changed by a macro (an empty macro leaves no byte
/// of its own, `PORT = PORT_N` makes a longer name)?  The text is
/// compared with the file's line from the span's start to the line's
/// end.
fn written_in_file(origin: &Origin, value: &[u8], span: crate::parser::Span) -> bool {
    let at = origin.locate(span.start as usize);
    if at.macro_name.is_some() {
        return false;
    }
    let file = at.text.get(at.byte_column..).unwrap_or_default();
    let text = value.get(span.range()).unwrap_or_default();
    let n = file.len().min(text.len());
    let name_byte = |c: &u8| crate::config::macros::is_name_char(*c);
    // Where one ends inside a name the other goes on with, they differ.
    let name_goes_on = n > 0
        && name_byte(&text[n - 1])
        && (text.get(n).is_some_and(name_byte) || file.get(n).is_some_and(name_byte));
    file[..n] == text[..n] && !name_goes_on
}

/// Calls `look` for every value the configuration sets, expanded or
/// not: main options, named lists, ACL conditions and modifiers, and the
/// `name = value` lines of the driver sections (as written).
fn each_value(config: &Config, look: &mut dyn FnMut(&Origin, String, &[u8])) {
    for o in config.options() {
        look(&o.origin, format!("option {}", o.name), &o.value_bytes);
    }
    for l in config.named_lists() {
        look(&l.origin, format!("named list {}", l.name), &l.value_bytes);
    }
    for acl in config.acls() {
        for st in &acl.statements {
            for c in &st.conditions {
                if let Some(v) = &c.value {
                    let place = format!("acl {} ({} {})", acl.name, st.verb.as_str(), c.name);
                    look(&c.origin, place, v.as_bytes());
                }
            }
        }
    }
    for section in config.sections() {
        if !matches!(section.name, "routers" | "transports" | "authenticators") {
            continue;
        }
        for l in &section.lines {
            let Some(eq) = l.text.iter().position(|&c| c == b'=') else {
                continue;
            };
            let name = String::from_utf8_lossy(&l.text[..eq]).trim().to_string();
            let value = l.text[eq + 1..].trim_ascii();
            let origin = Origin::of(&l.origin.map, &l.text, value);
            look(&origin, format!("{} option {name}", section.name), value);
        }
    }
}

fn expandable(v: &[u8]) -> bool {
    v.contains(&b'$') || v.contains(&b'\\')
}

/// Checks every expandable string of `config`; `ctx` decides which
/// variables exist (its profile, its own settings).
pub fn lint_config(config: &Config, ctx: &Context) -> Vec<Finding> {
    let mut found = Vec::new();
    let debian = ctx.profile.name == crate::eval::Profile::DEBIAN_4_96.name;
    let whole = |value: &[u8], message: String| {
        ExpandError::syntax(message, crate::parser::Span::new(0, value.len()))
    };
    for o in config.options() {
        let place = format!("option {}", o.name);
        // Exim refuses to start with an option its build does not have
        // (we hold the table of Debian's build; the reading was lenient).
        // The name is where the logical line starts.
        if debian && crate::config::main_option_kind(&o.name).is_none() {
            let message = format!("main option \"{}\" unknown", o.name);
            let start = Origin {
                map: o.origin.map.clone(),
                offset: 0,
            };
            let e = ExpandError::syntax(message, crate::parser::Span::new(0, 0));
            let rule = &codes::UNKNOWN_MAIN_OPTION;
            found.push(Finding::new(config, rule, &start, place.clone(), b"", e));
        }
        if let Some(message) = undefined_acl(config, &o.name, &o.value_bytes) {
            let e = whole(&o.value_bytes, message);
            let rule = &codes::UNDEFINED_ACL;
            found.push(Finding::new(
                config,
                rule,
                &o.origin,
                place,
                &o.value_bytes,
                e,
            ));
        }
    }
    // `command_arg`: the part's place in a command whose every part must
    // be untainted (a pipe transport's, a queryprogram router's).
    let mut look = |origin: &Origin, place: String, value: &[u8], command_arg: Option<usize>| {
        if !expandable(value) {
            return;
        }
        let t = crate::parse(value);
        if let Some(arg) = command_arg
            && let Some((span, message)) = taint::tainted_command_part(&t.root, arg)
        {
            let e = ExpandError::syntax(message, span);
            let rule = &codes::TAINTED_COMMAND;
            found.push(Finding::new(config, rule, origin, place.clone(), value, e));
        }
        let errors = check_kinds(&t, ctx);
        let omitted = errors.len().saturating_sub(MAX_ERRORS_PER_SOURCE);
        let shown = errors.len() - omitted;
        for (i, (problem, error)) in errors.into_iter().take(shown).enumerate() {
            let mut f = Finding::new(
                config,
                rule_of(problem),
                origin,
                place.clone(),
                value,
                error,
            );
            f.omitted = if i + 1 == shown { omitted } else { 0 };
            found.push(f);
        }
        for (rule, span, message) in warnings::warnings(&t, value) {
            // A condition made constant by a macro is the macro's purpose.
            if rule == &codes::CONSTANT_CONDITION && !written_in_file(origin, value, span) {
                continue;
            }
            let e = ExpandError::syntax(message, span);
            found.push(Finding::new(config, rule, origin, place.clone(), value, e));
        }
    };
    each_expanded(config, &mut look);
    if debian {
        for section in config.sections() {
            found.extend(driver_findings(config, section));
        }
    }
    found.extend(named_lists::findings(config));
    found.extend(unused_macros(config));
    found.extend(equals::findings(config));
    found.extend(equals::macro_findings(config));
    found.extend(undefined_macros::findings(config));
    suggest::add_suggestions(&mut found, ctx);
    sort(&mut found);
    found
}

/// At most this many configuration errors are reported for one file.
const MAX_CONFIG_ERRORS: usize = 20;

/// Reads a configuration for lint, past its errors: when Exim would refuse
/// the file at a line of it, that error is kept (as an `E100` finding, or
/// the code of its kind) and the file is read again without that line, so
/// that one mistake does not hide the rest.  Returns the configuration as
/// read without the offending lines (`None` when even that fails, or the
/// error names no line of this file) and the errors in file order.
///
/// ```
/// use exim_expand::lint::read_past_errors;
/// let text = b"qualify_domain = a.example\nbegin nonsense\nbegin acl\na1:\n  accept nosuch = x\n";
/// let (config, errors) = read_past_errors("x.conf", text, &Default::default());
/// let lines: Vec<usize> = errors.iter().map(|f| f.line).collect();
/// assert_eq!(lines, [2, 5]);
/// assert_eq!(config.unwrap().option("qualify_domain"), Some("a.example"));
/// ```
pub fn read_past_errors(
    name: &str,
    data: &[u8],
    opts: &crate::config::ReadOptions,
) -> (Option<Config>, Vec<Finding>) {
    let mut opts = opts.clone();
    opts.name = Some(name.to_string());
    if opts.base_dir.is_none() {
        opts.base_dir = std::path::Path::new(name).parent().map(|p| p.to_path_buf());
    }
    let mut text = data.to_vec();
    let mut errors = Vec::new();
    loop {
        match Config::from_bytes_with(&text, &opts) {
            Ok(c) => return (Some(c), errors),
            Err(e) => {
                let own = e.file == name && e.line > 0;
                errors.push(Finding::config_error(&e, own.then_some(data)));
                if !own || errors.len() >= MAX_CONFIG_ERRORS || !blank_line(&mut text, e.line) {
                    return (None, errors);
                }
            }
        }
    }
}

/// Lints the configuration file at `path` as `exim-expand lint` does: read
/// past its errors ([`read_past_errors`]), then every string checked
/// ([`lint_all`]).  Returns the findings in file order and whether Exim
/// would refuse the file (some finding is a configuration error).
pub fn lint_file(
    path: &std::path::Path,
    opts: &crate::config::ReadOptions,
    ctx: &Context,
    how: &LintOptions,
) -> (Vec<Finding>, bool) {
    let name = path.to_string_lossy();
    let (config, mut found) = match Config::from_file_with(path, opts) {
        Ok(c) => (Some(c), Vec::new()),
        Err(e) if e.file == name && e.line > 0 => match std::fs::read(path) {
            Ok(data) => read_past_errors(&name, &data, opts),
            Err(_) => (None, vec![Finding::config_error(&e, None)]),
        },
        Err(e) => (None, vec![Finding::config_error(&e, None)]),
    };
    let refused = !found.is_empty();
    if let Some(c) = config {
        found.extend(lint_all(&c, ctx, how));
        sort(&mut found);
    }
    (found, refused)
}

/// Empties line `n` (1-based) of `text`, keeping its line ending so that
/// the lines after it keep their numbers.  False when there is no such
/// line or it is empty already.
fn blank_line(text: &mut Vec<u8>, n: usize) -> bool {
    let mut start = 0;
    for _ in 1..n {
        match memchr::memchr(b'\n', &text[start..]) {
            Some(i) => start += i + 1,
            None => return false,
        }
    }
    let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
    if start >= end {
        return false;
    }
    text.drain(start..end);
    true
}

/// What a whole-configuration lint looks at beyond the active text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// Also check the `.ifdef` branches the macros leave out
    /// ([`lint_inactive`]).
    pub all_branches: bool,
    /// Report what this release lacks or treats differently (W009,
    /// [`target`]).
    pub target: Option<target::Release>,
}

/// [`lint_config`], with `all_branches` [`lint_inactive`], with a target
/// [`target::findings`]: the findings in file order.
pub fn lint_all(config: &Config, ctx: &Context, how: &LintOptions) -> Vec<Finding> {
    let mut found = lint_config(config, ctx);
    if how.all_branches {
        let mut inactive = lint_inactive(config, ctx);
        suggest::add_suggestions(&mut inactive, ctx);
        found.extend(inactive);
    }
    if let Some(t) = how.target {
        found.extend(target::findings(config, t));
    }
    // lint_config's own are in order already.
    if how.all_branches || how.target.is_some() {
        sort(&mut found);
    }
    found
}

fn sort(found: &mut [Finding]) {
    found.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
}

/// Checks the lines of the branches that `.ifdef` and its kind left out
/// (`lint --all-branches`): each `NAME = VALUE` line whose NAME is an
/// expanded option, an ACL condition or modifier, or a named list, as
/// the active lines are checked.  The places say "inactive branch".
///
/// ```
/// use exim_expand::{Context, config::Config, lint::lint_inactive};
/// let text = ".ifdef TLS\ntls_certificate = ${lc:$nosuch}\n.endif\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// let found = lint_inactive(&c, &Context::new());
/// assert_eq!((found[0].line, found[0].column), (2, 24));
/// assert_eq!(found[0].place, "inactive branch: tls_certificate");
/// ```
pub fn lint_inactive(config: &Config, ctx: &Context) -> Vec<Finding> {
    let mut found = inactive_options(config, ctx);
    for l in config.inactive_lines() {
        let Some(eq) = l.text.iter().position(|&c| c == b'=') else {
            continue;
        };
        let head = String::from_utf8_lossy(&l.text[..eq]);
        let words: Vec<&str> = head.split_ascii_whitespace().collect();
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            continue;
        };
        let list = ["domainlist", "hostlist", "addresslist", "localpartlist"]
            .iter()
            .any(|k| first.starts_with(k) || words.get(1).is_some_and(|w| w.starts_with(k)));
        let name = last.trim_start_matches("no_");
        let checked =
            list || is_expanded(name) || crate::config::acl::condition_is_modifier(name).is_some();
        let value = l.text[eq + 1..].trim_ascii();
        if !checked || !expandable(value) {
            continue;
        }
        let origin = Origin::of(&l.origin.map, &l.text, value);
        let place = format!("inactive branch: {}", words.join(" "));
        let t = crate::parse(value);
        for (problem, error) in check_kinds(&t, ctx).into_iter().take(MAX_ERRORS_PER_SOURCE) {
            found.push(Finding::new(
                config,
                rule_of(problem),
                &origin,
                place.clone(),
                value,
                error,
            ));
        }
        for (rule, span, message) in warnings::warnings(&t, value) {
            let e = ExpandError::syntax(message, span);
            found.push(Finding::new(config, rule, &origin, place.clone(), value, e));
        }
    }
    found
}

/// W005: the configuration's own macros that no later line uses (those
/// given with `-D` are the caller's business).
fn unused_macros(config: &Config) -> Vec<Finding> {
    config
        .user_macros()
        .iter()
        .filter(|m| !m.command_line && !config.macro_used(&m.name))
        .filter_map(|m| {
            let message = format!("macro {} is defined but never used", m.name);
            macro_finding(config, m, &codes::UNUSED_MACRO, message, m.name.as_bytes())
        })
        .collect()
}

/// A finding at a macro's definition, at the first `what` of its line
/// (the line is read from the file again).
fn macro_finding(
    config: &Config,
    m: &crate::config::macros::Macro,
    rule: &'static Rule,
    message: String,
    what: &[u8],
) -> Option<Finding> {
    let (file, line) = config.macro_defined_at(&m.name)?;
    let text = std::fs::read(file)
        .ok()
        .and_then(|d| {
            d.split(|&c| c == b'\n')
                .nth(line.saturating_sub(1))
                .map(<[u8]>::to_vec)
        })
        .unwrap_or_default();
    let after_name = memchr::memmem::find(&text, m.name.as_bytes()).unwrap_or(0);
    let at = if what == m.name.as_bytes() {
        after_name
    } else {
        let from = after_name + m.name.len();
        // The first `=` is the definition's own; `what` is looked for after it.
        let eq = text[from.min(text.len())..]
            .iter()
            .position(|&c| c == b'=')
            .map_or(from, |i| from + i + 1);
        memchr::memmem::find(&text[eq.min(text.len())..], what).map_or(after_name, |i| eq + i)
    };
    let column = String::from_utf8_lossy(&text[..at]).chars().count() + 1;
    let width = String::from_utf8_lossy(what).chars().count();
    Some(Finding {
        rule,
        file: file.to_string(),
        line,
        column,
        end: (line, column + width),
        place: format!("macro {}", m.name),
        source: Vec::new(),
        error: ExpandError::syntax(message, crate::parser::Span::new(0, 0)),
        excerpt: (text, at),
        macro_note: None,
        omitted: 0,
    })
}

/// The section an inactive line is in: the last whose `begin` comes
/// before it in the same file (`None`: the main section).
fn section_of<'c>(
    config: &'c Config,
    l: &crate::config::ConfigLine,
) -> Option<&'c crate::config::Section> {
    config
        .sections()
        .iter()
        .filter(|s| s.file == l.file && s.line < l.line)
        .max_by_key(|s| s.line)
}

/// Options in the branches the macros leave out that Exim's build does
/// not have (under Debian's profile, whose tables we hold): main options
/// by name; driver options and drivers as if the branch were taken (the
/// section's active lines and the branch's, in file order; only the
/// branch's lines are reported).
fn inactive_options(config: &Config, ctx: &Context) -> Vec<Finding> {
    if ctx.profile.name != crate::eval::Profile::DEBIAN_4_96.name {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut by_section: Vec<(&crate::config::Section, Vec<&crate::config::ConfigLine>)> =
        Vec::new();
    for (i, l) in config.inactive_lines().iter().enumerate() {
        // A branch for a build with other features may use their options.
        if config.inactive_line_guarded(i) {
            continue;
        }
        match section_of(config, l) {
            None => {
                if let Some(name) = main_option_name(&l.text)
                    && crate::config::main_option_kind(name).is_none()
                {
                    let at = memchr::memmem::find(&l.text, name.as_bytes()).unwrap_or(0);
                    let span = crate::parser::Span::new(at, at + name.len());
                    let e = ExpandError::syntax(format!("main option \"{name}\" unknown"), span);
                    let place = "inactive branch: main section".to_string();
                    found.push(Finding::new(
                        config,
                        &codes::UNKNOWN_MAIN_OPTION,
                        &l.origin,
                        place,
                        &l.text,
                        e,
                    ));
                }
            }
            Some(s) if matches!(s.name, "routers" | "transports" | "authenticators") => {
                match by_section.iter_mut().find(|(t, _)| std::ptr::eq(*t, s)) {
                    Some((_, v)) => v.push(l),
                    None => by_section.push((s, vec![l])),
                }
            }
            Some(_) => {}
        }
    }
    for (section, inactive) in by_section {
        let mut merged = section.clone();
        merged.lines.extend(inactive.iter().map(|l| (*l).clone()));
        merged.lines.sort_by_key(|l| l.line);
        let is_inactive = |l: &crate::config::ConfigLine| {
            inactive
                .iter()
                .any(|i| i.line == l.line && i.file == l.file)
        };
        for f in driver_findings(config, &merged) {
            let l = merged
                .lines
                .iter()
                .find(|l| l.line == f.line && l.file == f.file);
            if f.rule.code != codes::DRIVER_DEFINITION.code && l.is_some_and(is_inactive) {
                found.push(Finding {
                    place: format!("inactive branch: {}", f.place),
                    ..f
                });
            }
        }
    }
    found
}

/// The option a main-section line sets (`hide`, `no_` and `not_`
/// removed), unless it is a macro definition or a named list.
fn main_option_name(text: &[u8]) -> Option<&str> {
    let t = std::str::from_utf8(text).ok()?.trim_start();
    let t = t.strip_prefix("hide ").map_or(t, str::trim_start);
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    let name = &t[..end];
    let list = ["domainlist", "hostlist", "addresslist", "localpartlist"]
        .iter()
        .any(|k| name.starts_with(k));
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_uppercase()) || list {
        return None;
    }
    let base = ["no_", "not_"].iter().find_map(|p| name.strip_prefix(p));
    match base {
        Some(b) if crate::config::main_option_kind(name).is_none() => Some(b),
        _ => Some(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expanded::EXPANDED_OPTIONS as EXPANDED;

    /// `LINE PLACE: MESSAGE` for each finding in the configuration `text`.
    fn findings(text: &str, ctx: &Context) -> Vec<String> {
        let config = Config::from_str(text, &[]).unwrap();
        lint_config(&config, ctx)
            .iter()
            .map(|f| format!("{} {}: {}", f.line, f.place, f.error.message_str()))
            .collect()
    }

    #[test]
    fn expanded_option_table() {
        assert!(EXPANDED.windows(2).all(|w| w[0] < w[1]));
        assert!(
            is_expanded("condition") && is_expanded("smtp_banner") && is_expanded("headers_add")
        );
        // Not expanded (no dagger in the 4.96 specification).
        assert!(!is_expanded("dns_check_names_pattern") && !is_expanded("route_list"));
    }

    /// Exim 4.96 refuses to start on `nosuch2 = 3` ("main option
    /// \"nosuch2\" unknown"), and with `acl_smtp_rcpt = typo` defers every
    /// RCPT (`exim -bh`: unknown ACL verb "typo" in "typo").
    #[test]
    fn finds_unknown_options_and_undefined_acls() {
        let text = "acl_smtp_rcpt = typo\n\
                    acl_smtp_mail = check_rcpt\n\
                    acl_smtp_data = accept\n\
                    acl_smtp_helo = /etc/exim4/helo.acl\n\
                    acl_smtp_vrfy = ${if eq{$domain}{b}{x}{y}}\n\
                    no_nosuch\n\
                    nosuch2 = 3\n\
                    begin acl\n\
                    check_rcpt:\n  accept\n";
        let got = |ctx: &Context| findings(text, ctx);
        let acl = "1 option acl_smtp_rcpt: ACL \"typo\" is not defined (Exim reads the word as an ACL's text and fails: unknown ACL verb \"typo\")";
        assert_eq!(
            got(&Context::new()),
            [
                acl,
                "6 option nosuch: main option \"nosuch\" unknown",
                "7 option nosuch2: main option \"nosuch2\" unknown",
            ]
        );
        // Other builds have options of their own: not judged there.
        let mut full = Context::new();
        full.set_profile(crate::eval::Profile::UPSTREAM_4_96_FULL);
        assert_eq!(got(&full), [acl]);
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
        assert_eq!(
            findings(text, &Context::new()),
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
        assert_eq!(
            findings(text, &Context::new()),
            [
                "3 option smtp_banner: syntax error in \"if\" item - \"fail\" expected",
                "5 named list local: domainlist \"local\" is defined but never used (+local appears nowhere)",
                "5 named list local: unknown variable name \"nosuch\"",
                "8 acl check_rcpt (accept condition): unknown variable \"nosuchvar\" after \"def:\"",
                "13 routers option condition: missing } at end of string",
            ]
        );
    }
}
