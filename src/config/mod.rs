//! Reading an Exim 4.96 run time configuration file (readconf.c), and the
//! `exim -be` input reader (exim.c).
//!
//! * [`Config`]: macros, main options, named lists, the raw text of every
//!   `begin` section and the parsed ACLs.
//! * `reader` (internal): logical lines, comments, continuations, `.include`,
//!   `.ifdef` & co.
//! * [`macros`]: macro table, definition and substitution rules.
//! * [`be_input`]: the `-be` stdin reader.
//!
//! Option values are not validated beyond what reading them needs: the main
//! options of the reference build are known with their value kind (boolean,
//! string, other); unknown names are accepted by default (see
//! [`ReadOptions::strict_options`]).  Driver sections (routers, transports,
//! authenticators) and the retry and rewrite sections are kept as raw logical
//! lines; a `local_scan` section is an error, as in the reference build.

pub mod acl;
pub mod be_input;
pub mod drivers;
pub mod macros;
pub(crate) mod option_table;
pub mod options;
mod reader;
pub mod source_map;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use acl::{Acl, AclCondition, AclStatement, AclVerb};
pub use be_input::{BeLine, BeReader};
pub use macros::{Macro, MacroTable, exim_builtin_macros, expand_macros};
pub use options::{ListKind, NamedList, OptionKind, OptionSetting, main_option_kind};

use acl::{AclLine, AclParser};
use options::{lossy, parse_named_list, parse_option};
pub use reader::Includes;
use reader::{LineReader, Logical, read_name};
pub use source_map::{LineMap, Origin, Place};
use std::sync::Arc;

/// How Exim would print an error.
///
/// ```
/// use exim_expand::config::{Config, ErrorStyle};
/// let e = Config::from_str("FOO\n", &[]).unwrap_err();
/// assert_eq!(e.style, ErrorStyle::InLine);
/// assert_eq!(
///     e.to_string(),
///     "Exim configuration error in line 1 of <string>:\n  malformed macro definition"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorStyle {
    /// `Exim configuration error in line N of FILE:\n  MESSAGE` (`LOG_CONFIG_IN`).
    InLine,
    /// `Exim configuration error:\n  MESSAGE` (`LOG_CONFIG`): Exim does not show
    /// the location, but [`ConfigError`] still records it.
    NoLocation,
    /// Just the message (command-line and file-opening errors).
    Plain,
}

/// A configuration error: where, and Exim's message text.
///
/// ```
/// use exim_expand::config::Config;
/// let e = Config::from_str("primary_hostname = a.example\nbegin nonsense\n", &[]).unwrap_err();
/// assert_eq!((e.file.as_str(), e.line), ("<string>", 2));
/// assert_eq!(e.message, "\"nonsense\" is not a known configuration section name");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// File being read when the error was found (an included file, if so).
    pub file: String,
    /// Physical line number in that file (the last line of a continued line);
    /// 0 when no line had been read yet.
    pub line: usize,
    /// Exim's message, e.g. `malformed macro definition`.
    pub message: String,
    /// How Exim prints it (what [`Display`](fmt::Display) gives).
    pub style: ErrorStyle,
}

impl fmt::Display for ConfigError {
    /// Exim's rendering of the error, without the timestamp that its log lines start with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.style {
            ErrorStyle::InLine => write!(
                f,
                "Exim configuration error in line {} of {}:\n  {}",
                self.line, self.file, self.message
            ),
            ErrorStyle::NoLocation => write!(f, "Exim configuration error:\n  {}", self.message),
            ErrorStyle::Plain => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Settings for reading a configuration.
///
/// ```
/// use exim_expand::config::{Config, ReadOptions};
/// let opts = ReadOptions {
///     strict_options: true,
///     ..ReadOptions::with_defines(&[("HOST".into(), "mx.example".into())])
/// };
/// let c = Config::from_bytes_with(b"primary_hostname = HOST\n", &opts).unwrap();
/// assert_eq!(c.option("primary_hostname"), Some("mx.example"));
/// let e = Config::from_bytes_with(b"nosuch_option = 1\n", &opts).unwrap_err();
/// assert_eq!(e.message, "main option \"nosuch_option\" unknown");
/// ```
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// `-D` macros, in command-line order (name, value).
    pub defines: Vec<(String, String)>,
    /// Built-in macros (default: those of the reference build, [`exim_builtin_macros`]).
    pub builtin_macros: Vec<Macro>,
    /// Reject unknown main options with Exim's `main option "X" unknown`
    /// (default false: accept `name`, `no_name` and `name = value`).
    pub strict_options: bool,
    /// Name used for text read with [`Config::from_str`] (default `<string>`).
    pub name: Option<String>,
    /// Directory for relative `.include`s of text read with [`Config::from_str`]
    /// (default: the current directory).
    pub base_dir: Option<PathBuf>,
    /// Where `.include` files come from (default: the file system).
    pub includes: Includes,
    /// ACL conditions the build has beyond Debian's (name, is a
    /// modifier): `dmarc_status` for the `exim-4.96-full` profile.
    pub extra_acl_conditions: Vec<(String, bool)>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            defines: Vec::new(),
            builtin_macros: exim_builtin_macros().to_vec(),
            strict_options: false,
            name: None,
            base_dir: None,
            includes: Includes::Files,
            extra_acl_conditions: Vec::new(),
        }
    }
}

impl ReadOptions {
    /// The ACL conditions `profile`'s build has beyond Debian's.
    pub fn for_profile(mut self, profile: &crate::eval::Profile) -> ReadOptions {
        if profile.features.dmarc {
            self.extra_acl_conditions
                .push(("dmarc_status".to_string(), false));
        }
        self
    }

    /// Default options with these `-D` definitions.
    pub fn with_defines(defines: &[(String, String)]) -> ReadOptions {
        ReadOptions {
            defines: defines.to_vec(),
            ..ReadOptions::default()
        }
    }
}

/// One logical line of a section, after macro substitution.
///
/// ```
/// use exim_expand::config::Config;
/// let text = "qualify_domain = example.org\n\nprimary_hostname = \\\n  mx.example\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// let l = &c.main_lines()[1];
/// assert_eq!((l.text().as_str(), l.line), ("primary_hostname = mx.example", 4));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigLine {
    /// The line's bytes: continuations joined, leading white space removed.
    pub text: Vec<u8>,
    /// The file it is in (an included file, if so).
    pub file: String,
    /// The number of its last physical line.
    pub line: usize,
    /// Where its bytes are in the file.
    pub origin: Origin,
}

impl ConfigLine {
    /// The text, lossily decoded as UTF-8.
    pub fn text(&self) -> String {
        lossy(&self.text)
    }
}

/// The section names Exim accepts after `begin` (with an optional final `s`).
pub const SECTION_NAMES: [&str; 7] = [
    "acls",
    "authenticators",
    "local_scans",
    "retrys",
    "rewrites",
    "routers",
    "transports",
];

/// A `begin NAME` section.
///
/// ```
/// use exim_expand::config::Config;
/// let c = Config::from_str("begin routers\nr1:\n  driver = accept\n", &[]).unwrap();
/// let s = c.section("router").unwrap();
/// assert_eq!((s.name, s.written.as_str(), s.line), ("routers", "routers", 1));
/// assert_eq!(s.text(), "r1:\ndriver = accept\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Canonical name: `acl`, `authenticators`, `local_scan`, `retry`, `rewrite`,
    /// `routers` or `transports` (as in Exim's documentation).
    pub name: &'static str,
    /// The name as written after `begin`.
    pub written: String,
    /// Logical lines, excluding macro definitions that Exim processed.
    pub lines: Vec<ConfigLine>,
    /// The file of the `begin` line.
    pub file: String,
    /// The number of the `begin` line.
    pub line: usize,
}

impl Section {
    /// The lines joined with newlines.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text());
            s.push('\n');
        }
        s
    }
}

fn canonical_section(index: usize) -> &'static str {
    [
        "acl",
        "authenticators",
        "local_scan",
        "retry",
        "rewrite",
        "routers",
        "transports",
    ][index]
}

/// A parsed Exim configuration.
///
/// ```
/// use exim_expand::config::{Config, ListKind};
/// let text = "primary_hostname = mx.example\ndomainlist local_domains = example.com : example.org\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// assert_eq!(c.option("primary_hostname"), Some("mx.example"));
/// assert_eq!(c.named_list(ListKind::Domain, "local_domains"), Some("example.com : example.org"));
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    file: String,
    directory: String,
    last_line: usize,
    macros: MacroTable,
    options: Vec<OptionSetting>,
    option_index: HashMap<String, usize>,
    lists: Vec<NamedList>,
    list_index: HashMap<(ListKind, String), usize>,
    main_lines: Vec<ConfigLine>,
    sections: Vec<Section>,
    acls: Vec<Acl>,
    acl_index: HashMap<String, usize>,
    /// Where each macro of the configuration was (last) defined.
    macro_sites: HashMap<String, (String, usize)>,
    used_macros: std::collections::HashSet<String>,
    tested_macros: std::collections::HashSet<String>,
    /// Logical lines of the branches the conditionals left out.
    inactive: Vec<ConfigLine>,
    inactive_guarded: Vec<bool>,
}

impl Config {
    /// Read a configuration file, with `-D` macros and the reference build's built-ins.
    pub fn from_file(path: &Path, defines: &[(String, String)]) -> Result<Config, ConfigError> {
        Config::from_file_with(path, &ReadOptions::with_defines(defines))
    }

    /// Read a configuration file with explicit [`ReadOptions`].
    pub fn from_file_with(path: &Path, opts: &ReadOptions) -> Result<Config, ConfigError> {
        let name = path.to_string_lossy().into_owned();
        let plain = |message: String| ConfigError {
            file: name.clone(),
            line: 0,
            message,
            style: ErrorStyle::Plain,
        };
        let data = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Vec::new(),
            _ => match reader::read_bounded(&name, reader::MAX_CONFIG_BYTES) {
                Ok(data) => data,
                Err(reader::ReadFailure::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(plain(format!("non-existent configuration file(s): {name}")));
                }
                Err(reader::ReadFailure::Io(e)) => {
                    return Err(plain(format!(
                        "failed to open configuration file {name}: {e}"
                    )));
                }
                Err(reader::ReadFailure::TooLarge) => {
                    return Err(plain(reader::too_large_message()));
                }
            },
        };
        let directory = main_directory(&name);
        Config::parse(&name, directory, data, opts)
    }

    /// Read configuration text (with `-D` macros).  The name is `<string>` and
    /// relative `.include`s are relative to the current directory.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, defines: &[(String, String)]) -> Result<Config, ConfigError> {
        Config::from_bytes_with(text.as_bytes(), &ReadOptions::with_defines(defines))
    }

    /// Read configuration bytes with explicit [`ReadOptions`].
    pub fn from_bytes_with(data: &[u8], opts: &ReadOptions) -> Result<Config, ConfigError> {
        let name = opts.name.clone().unwrap_or_else(|| "<string>".to_string());
        let directory = match &opts.base_dir {
            Some(d) => d.to_string_lossy().into_owned(),
            None => std::env::current_dir()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_else(|_| ".".to_string()),
        };
        Config::parse(&name, directory, data.to_vec(), opts)
    }

    fn parse(
        name: &str,
        directory: String,
        data: Vec<u8>,
        opts: &ReadOptions,
    ) -> Result<Config, ConfigError> {
        if data.len() > reader::MAX_CONFIG_BYTES {
            return Err(ConfigError {
                file: name.to_string(),
                line: 0,
                message: reader::too_large_message(),
                style: ErrorStyle::Plain,
            });
        }
        let mut macros = MacroTable::new(&opts.builtin_macros);
        for (n, v) in &opts.defines {
            let mut arg = n.as_bytes().to_vec();
            arg.push(b'=');
            arg.extend_from_slice(v.as_bytes());
            macros
                .define_command_line(&arg)
                .map_err(|message| ConfigError {
                    file: name.to_string(),
                    line: 0,
                    message,
                    style: ErrorStyle::Plain,
                })?;
        }
        let mut cfg = Config {
            file: name.to_string(),
            directory: directory.clone(),
            last_line: 0,
            macros,
            options: Vec::new(),
            option_index: HashMap::new(),
            lists: Vec::new(),
            list_index: HashMap::new(),
            main_lines: Vec::new(),
            sections: Vec::new(),
            acls: Vec::new(),
            acl_index: HashMap::new(),
            macro_sites: HashMap::new(),
            used_macros: std::collections::HashSet::new(),
            tested_macros: std::collections::HashSet::new(),
            inactive: Vec::new(),
            inactive_guarded: Vec::new(),
        };
        let mut r = LineReader::new(name, directory, data, opts.includes.clone());
        let mut next = cfg.read_main(&mut r, opts)?;
        let mut seen = [false; 7];
        while let Some(written) = next {
            next = cfg.read_section(&mut r, written, &mut seen, opts)?;
        }
        cfg.last_line = r.location().1;
        cfg.used_macros = std::mem::take(&mut r.used_macros);
        cfg.tested_macros = std::mem::take(&mut r.tested_macros);
        let inactive = std::mem::take(&mut r.inactive);
        cfg.inactive_guarded = inactive.iter().map(|l| l.2).collect();
        cfg.inactive = inactive
            .into_iter()
            .map(|(text, map, _)| ConfigLine {
                file: map.file().to_string(),
                line: map.last_line(),
                origin: Origin {
                    map: Arc::new(map),
                    offset: 0,
                },
                text,
            })
            .collect();
        Ok(cfg)
    }

    fn macro_definition(&mut self, r: &LineReader, line: &[u8]) -> Result<(), ConfigError> {
        if let Ok((name, _)) = read_name(line, 0) {
            let (file, lineno) = r.location();
            self.macro_sites.insert(name, (file.to_string(), lineno));
        }
        self.macros.read_assignment(line).map(|_| ()).map_err(|e| {
            r.error_styled(
                e.message,
                if e.with_location {
                    ErrorStyle::InLine
                } else {
                    ErrorStyle::NoLocation
                },
            )
        })
    }

    /// The main section.  Returns the name of the next section, if any.
    fn read_main(
        &mut self,
        r: &mut LineReader,
        opts: &ReadOptions,
    ) -> Result<Option<Vec<u8>>, ConfigError> {
        loop {
            let (line, map) = match r.next_line(&self.macros)? {
                Logical::Eof => return Ok(None),
                Logical::Begin(n) => return Ok(Some(n)),
                Logical::Line(l, m) => (l, Arc::new(m)),
            };
            let (file, lineno) = r.location();
            if lineno == 1 && line.starts_with(b"\xef\xbb\xbf") {
                return Err(r.error("found unexpected BOM (Byte Order Mark)"));
            }
            if line[0].is_ascii_uppercase() {
                self.macro_definition(r, &line)?;
                continue;
            }
            self.main_lines.push(ConfigLine {
                text: line.clone(),
                file: file.to_string(),
                line: lineno,
                origin: Origin::of(&map, &line, &line),
            });

            let hidden =
                line.starts_with(b"hide") && line.get(4).is_some_and(|&c| macros::is_space(c));
            let t = if hidden { &line[5..] } else { &line[..] };
            let kind = [
                ListKind::Domain,
                ListKind::Host,
                ListKind::Address,
                ListKind::LocalPart,
            ]
            .into_iter()
            .find(|k| t.starts_with(k.keyword().as_bytes()));
            if let Some(kind) = kind {
                let defined = self.lists.iter().filter(|l| l.kind == kind).count();
                let p = parse_named_list(&t[kind.keyword().len()..], kind, defined, |n| {
                    self.list_index.contains_key(&(kind, n.to_string()))
                })
                .map_err(|m| r.error(m))?;
                self.list_index
                    .insert((kind, p.name.clone()), self.lists.len());
                let origin = Origin::of(&map, &line, &p.value);
                self.lists.push(NamedList {
                    kind,
                    name: p.name,
                    value: lossy(&p.value),
                    value_bytes: p.value,
                    hidden,
                    force_cache: p.force_cache,
                    origin,
                    file: file.to_string(),
                    line: lineno,
                });
                continue;
            }

            let p = parse_option(&line, opts.strict_options).map_err(|m| r.error(m))?;
            if let Some(&i) = self.option_index.get(&p.name) {
                if p.kind != OptionKind::Unknown || opts.strict_options {
                    return Err(
                        r.error(format!("\"{}\" option set for the second time", p.written))
                    );
                }
                self.options.remove(i);
                for v in self.option_index.values_mut() {
                    if *v > i {
                        *v -= 1;
                    }
                }
            }
            self.option_index.insert(p.name.clone(), self.options.len());
            let origin = Origin::of(&map, &line, &p.value);
            self.options.push(OptionSetting {
                name: p.name,
                value: lossy(&p.value),
                value_bytes: p.value,
                kind: p.kind,
                hidden: p.hidden,
                origin,
                file: file.to_string(),
                line: lineno,
            });
        }
    }

    /// One `begin` section.  Returns the name of the next section, if any.
    fn read_section(
        &mut self,
        r: &mut LineReader,
        written: Vec<u8>,
        seen: &mut [bool; 7],
        opts: &ReadOptions,
    ) -> Result<Option<Vec<u8>>, ConfigError> {
        // An empty name ends the configuration, as Exim's loop does.
        if written.is_empty() {
            return Ok(None);
        }
        let shown = lossy(&written);
        let mut lookup = written.to_ascii_lowercase();
        if lookup.last() != Some(&b's') {
            lookup.push(b's');
        }
        let Some(index) = SECTION_NAMES.iter().position(|n| n.as_bytes() == lookup) else {
            return Err(r.error(format!(
                "\"{shown}\" is not a known configuration section name"
            )));
        };
        if std::mem::replace(&mut seen[index], true) {
            return Err(r.error(format!(
                "\"{shown}\" section is repeated in the configuration file"
            )));
        }
        if index == 2 {
            // The reference build has no LOCAL_SCAN_HAS_OPTIONS.
            return Err(r.error(
                "local_scan() options not supported: (LOCAL_SCAN_HAS_OPTIONS not defined in Local/Makefile)",
            ));
        }
        let (file, line) = r.location();
        let mut section = Section {
            name: canonical_section(index),
            written: shown,
            lines: Vec::new(),
            file: file.to_string(),
            line,
        };
        let is_acl = index == 0;
        let is_driver = matches!(index, 1 | 5 | 6);
        let mut acl: Option<(Acl, AclParser)> = None;

        let next = loop {
            let (text, map) = match r.next_line(&self.macros)? {
                Logical::Eof => break None,
                Logical::Begin(n) => break Some(n),
                Logical::Line(l, m) => (l, Arc::new(m)),
            };
            let (file, lineno) = r.location();
            if is_acl || is_driver {
                let (name, after) = read_name(&text, 0).map_err(|m| r.error(m))?;
                let is_macro = name.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
                    && text.get(after) == Some(&b'=');
                if is_acl {
                    if let Some((_, parser)) = acl.as_mut() {
                        match parser.line(&text, &file, lineno, &map) {
                            Ok(AclLine::Consumed) => {
                                section.lines.push(ConfigLine {
                                    origin: Origin::of(&map, &text, &text),
                                    text,
                                    file: file.to_string(),
                                    line: lineno,
                                });
                                continue;
                            }
                            Ok(AclLine::EndOfAcl) => {
                                let (mut done, parser) = acl.take().expect("current ACL");
                                done.statements = parser.statements;
                                self.finish_acl(done);
                            }
                            Err(m) => return Err(r.error(format!("error in ACL: {m}"))),
                        }
                    }
                    if is_macro {
                        self.macro_definition(r, &text)?;
                        continue;
                    }
                    if text.get(after) != Some(&b':') || name.is_empty() {
                        return Err(r.error("missing or malformed ACL name"));
                    }
                    if self.acl_index.contains_key(&name) {
                        return Err(r.error(format!("there are two ACLs called \"{name}\"")));
                    }
                    acl = Some((
                        Acl {
                            name,
                            statements: Vec::new(),
                            file: file.to_string(),
                            line: lineno,
                        },
                        AclParser::with_extra(&opts.extra_acl_conditions),
                    ));
                } else if is_macro {
                    self.macro_definition(r, &text)?;
                    continue;
                }
            }
            section.lines.push(ConfigLine {
                origin: Origin::of(&map, &text, &text),
                text,
                file: file.to_string(),
                line: lineno,
            });
        };
        if let Some((mut done, parser)) = acl {
            done.statements = parser.statements;
            self.finish_acl(done);
        }
        // Exim refuses drivers and driver options its build lacks; the
        // first problem is its error.
        if is_driver
            && opts.strict_options
            && let Some(p) = drivers::check_section(&section).into_iter().next()
        {
            let at = &section.lines[p.line];
            return Err(ConfigError {
                file: at.file.clone(),
                line: at.line,
                message: p.message,
                style: if p.located {
                    ErrorStyle::InLine
                } else {
                    ErrorStyle::NoLocation
                },
            });
        }
        self.sections.push(section);
        Ok(next)
    }

    fn finish_acl(&mut self, acl: Acl) {
        self.acl_index.insert(acl.name.clone(), self.acls.len());
        self.acls.push(acl);
    }

    /// The configuration file name as given (Exim's `$config_file` for the main file).
    pub fn file_name(&self) -> &str {
        &self.file
    }

    /// Directory of the main file (`$config_dir`): for a relative file name this is
    /// the current directory joined with the name's directory part.
    pub fn directory(&self) -> &str {
        &self.directory
    }

    /// Where Exim's "in line N of FILE" points after reading the whole
    /// configuration: the main file and its number of lines.  `exim -be` reports
    /// a malformed macro definition there.
    pub fn end_location(&self) -> (&str, usize) {
        (&self.file, self.last_line)
    }

    /// Value of a main option: the last setting; `true`/`false` for booleans
    /// (`no_x` gives `false`); string options dequoted.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.option_setting(name).map(|o| o.value.as_str())
    }

    /// Raw bytes of a main option's value.
    pub fn option_bytes(&self, name: &str) -> Option<&[u8]> {
        self.option_setting(name).map(|o| o.value_bytes.as_slice())
    }

    /// The setting of a main option.
    pub fn option_setting(&self, name: &str) -> Option<&OptionSetting> {
        self.option_index.get(name).map(|&i| &self.options[i])
    }

    /// All main option settings in file order.
    pub fn options(&self) -> &[OptionSetting] {
        &self.options
    }

    /// The main section's logical lines other than macro definitions.
    pub fn main_lines(&self) -> &[ConfigLine] {
        &self.main_lines
    }

    /// The text of a named list.
    pub fn named_list(&self, kind: ListKind, name: &str) -> Option<&str> {
        self.named_list_entry(kind, name).map(|l| l.value.as_str())
    }

    /// A named list with its details.
    pub fn named_list_entry(&self, kind: ListKind, name: &str) -> Option<&NamedList> {
        self.list_index
            .get(&(kind, name.to_string()))
            .map(|&i| &self.lists[i])
    }

    /// Find a named list of any kind, searching address, domain, host and local
    /// part lists in that order (as `exim -bP +NAME` does).
    pub fn named_list_any(&self, name: &str) -> Option<(ListKind, &str)> {
        ListKind::SEARCH_ORDER
            .into_iter()
            .find_map(|k| self.named_list(k, name).map(|v| (k, v)))
    }

    /// All named lists in definition order.
    pub fn named_lists(&self) -> &[NamedList] {
        &self.lists
    }

    /// The logical lines of `.ifdef`/`.ifndef`/`.elifdef`/`.else` branches
    /// that the macros left out, joined with their continuations, macros
    /// substituted: what Exim would read with other macros.
    ///
    /// ```
    /// use exim_expand::config::Config;
    /// let text = ".ifdef TLS\ntls_certificate = ${if exists{/c}\\\n  {/c}}\n.endif\nX_Y = 1\n";
    /// let c = Config::from_str(text, &[]).unwrap();
    /// let l = &c.inactive_lines()[0];
    /// assert_eq!((l.text().as_str(), l.line), ("tls_certificate = ${if exists{/c}{/c}}", 3));
    /// ```
    pub fn inactive_lines(&self) -> &[ConfigLine] {
        &self.inactive
    }

    /// Whether the left-out line `i` of [`Config::inactive_lines`] is in a
    /// branch a built-in macro decided (`.ifdef _HAVE_DMARC`): written for
    /// a build with other features, so its options may be ones this
    /// build lacks.
    ///
    /// ```
    /// let text = ".ifdef _HAVE_NOSUCH\nnosuch_option = 1\n.endif\n.ifdef MINE\nother = 1\n.endif\n";
    /// let c = exim_expand::config::Config::from_str(text, &[]).unwrap();
    /// assert_eq!(c.inactive_lines().len(), 2);
    /// assert!(c.inactive_line_guarded(0) && !c.inactive_line_guarded(1));
    /// ```
    pub fn inactive_line_guarded(&self, i: usize) -> bool {
        self.inactive_guarded.get(i).copied().unwrap_or(false)
    }

    /// Where the configuration defined the macro `name` (last, if it was
    /// redefined): its file and line.  `None` for built-in and `-D` macros.
    pub fn macro_defined_at(&self, name: &str) -> Option<(&str, usize)> {
        self.macro_sites.get(name).map(|(f, l)| (f.as_str(), *l))
    }

    /// Whether a line after its definition used the macro: substituted it
    /// or tested it with `.ifdef`, in a taken branch or not.
    ///
    /// ```
    /// let text = "A = 1\nB = 2\nx = A\n.ifdef B\n.endif\nC = 3\n";
    /// let c = exim_expand::config::Config::from_str(text, &[]).unwrap();
    /// assert!(c.macro_used("A") && c.macro_used("B") && !c.macro_used("C"));
    /// ```
    pub fn macro_used(&self, name: &str) -> bool {
        self.used_macros.contains(name)
    }

    /// Whether an `.ifdef`, `.ifndef`, `.elifdef` or `.elifndef` line
    /// tests the name (defined or not: `-D` may define it).
    ///
    /// ```
    /// let text = ".ifdef TLS\n.endif\n";
    /// let c = exim_expand::config::Config::from_str(text, &[]).unwrap();
    /// assert!(c.macro_tested("TLS") && !c.macro_tested("SSL"));
    /// ```
    pub fn macro_tested(&self, name: &str) -> bool {
        self.tested_macros.contains(name)
    }

    /// All macros in Exim's list order: built-ins, `-D` macros (command-line
    /// order), then macros defined in the file (definition order; `==` keeps the
    /// original position).  Substitution applies them in this order.
    pub fn macros(&self) -> &[Macro] {
        self.macros.as_slice()
    }

    /// The macros without the built-ins (what `exim -bP macros` lists after them).
    pub fn user_macros(&self) -> &[Macro] {
        self.macros.user()
    }

    /// The macro table (to seed a [`BeReader`]).
    pub fn macro_table(&self) -> &MacroTable {
        &self.macros
    }

    /// An ACL by name.
    pub fn acl(&self, name: &str) -> Option<&Acl> {
        self.acl_index.get(name).map(|&i| &self.acls[i])
    }

    /// All ACLs in definition order.
    pub fn acls(&self) -> &[Acl] {
        &self.acls
    }

    /// A section by canonical name (`acl`, `routers`, …) or any spelling Exim accepts.
    pub fn section(&self, name: &str) -> Option<&Section> {
        let mut key = name.to_ascii_lowercase();
        if !key.ends_with('s') {
            key.push('s');
        }
        let index = SECTION_NAMES.iter().position(|n| *n == key)?;
        let canonical = canonical_section(index);
        self.sections.iter().find(|s| s.name == canonical)
    }

    /// All sections in file order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }
}

/// Exim's `config_main_directory` for a configuration file name.
fn main_directory(name: &str) -> String {
    let slash = name.rfind('/');
    if name.starts_with('/') {
        return match slash {
            Some(0) => "/".to_string(),
            Some(i) => name[..i].to_string(),
            None => "/".to_string(),
        };
    }
    let mut d = std::env::current_dir()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !d.ends_with('/') {
        d.push('/');
    }
    if let Some(i) = slash {
        d.push_str(&name[..i]);
    }
    d
}

#[cfg(test)]
mod tests;
