//! Logical-line reader for configuration files, after readconf.c `get_config_line()`.
//!
//! Per *physical* line, in this order:
//!
//! 1. macro substitution (a definition's own name is protected on the first
//!    physical line of a logical line only);
//! 2. a line whose first non-blank character is `#` is a comment and is dropped,
//!    even in the middle of a continuation;
//! 3. `.ifdef`/`.ifndef`/`.elifdef`/`.elifndef`/`.else`/`.endif`: "defined" means
//!    that step 1 replaced at least one macro anywhere on the line.  The directive
//!    word must be followed by a space, the end of the line, or (an Exim quirk) the
//!    letter `t`; any other character (including a TAB) makes Exim drop the line
//!    silently;
//! 4. lines inside a false conditional are dropped;
//! 5. `.include PATH` / `.include_if_exists /PATH` (quotes around the path are
//!    removed; relative paths are relative to the including file's directory, and
//!    are an error for `.include_if_exists`);
//! 6. otherwise leading white space is removed, the line is appended, and trailing
//!    white space is removed.  A line ending in `\` continues on the next physical
//!    line (the backslash is dropped, white space before it is kept).  An empty
//!    line ends a continuation; empty logical lines are skipped.
//!
//! A logical line `begin NAME` (case-insensitive `begin` + one space) starts a new
//! section.  When the file ends inside a continuation, Exim's buffer still holds
//! the last physical line that was dropped after step 1 (a comment, a directive,
//! …); Exim then returns the logical line *including* that residue, and so do we.

use std::sync::Arc;

use super::macros::{MAX_EXPANDED_LINE, MacroTable, is_space, skip_space};
use super::source_map::LineMap;
use super::{ConfigError, ErrorStyle};

/// Maximum nesting of `.ifdef` (`CSTATE_STACK_SIZE`).
const CSTATE_STACK_SIZE: usize = 10;

/// Exim has no limit on `.include` nesting; a file that includes itself runs
/// until `fopen()` fails for lack of file descriptors (about 1024), giving
/// "failed to open included configuration file".  We stop at this depth with
/// the same message.
const MAX_INCLUDE_DEPTH: usize = 1000;

/// At most this many bytes are read from the configuration file and the files
/// it includes, together.  Exim has no limit (it reads `/dev/zero` until memory
/// runs out); real configurations are a few hundred kilobytes.
pub(crate) const MAX_CONFIG_BYTES: usize = 64 << 20;

/// What reading a configuration file can run into.
pub(crate) enum ReadFailure {
    Io(std::io::Error),
    /// More than the bytes allowed.
    TooLarge,
}

/// Read at most `allowed` bytes of a file; more is [`ReadFailure::TooLarge`].
pub(crate) fn read_bounded(path: &str, allowed: usize) -> Result<Vec<u8>, ReadFailure> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadFailure::Io)?;
    let mut data = Vec::new();
    file.take(allowed as u64 + 1)
        .read_to_end(&mut data)
        .map_err(ReadFailure::Io)?;
    if data.len() > allowed {
        return Err(ReadFailure::TooLarge);
    }
    Ok(data)
}

/// Where the files named by `.include` and `.include_if_exists` come from.
///
/// ```
/// use exim_expand::config::{Config, Includes, ReadOptions};
/// use std::collections::HashMap;
/// let files = HashMap::from([("/etc/exim/local.conf".to_string(), b"qualify_domain = q.example\n".to_vec())]);
/// let opts = ReadOptions { includes: Includes::Map(files.into()), ..ReadOptions::default() };
/// let c = Config::from_bytes_with(b".include /etc/exim/local.conf\n", &opts).unwrap();
/// assert_eq!(c.option("qualify_domain"), Some("q.example"));
///
/// let opts = ReadOptions { includes: Includes::Refused, ..ReadOptions::default() };
/// let e = Config::from_bytes_with(b".include /etc/passwd\n", &opts).unwrap_err();
/// assert_eq!(e.message, "reading an included file (/etc/passwd) is not permitted by the \
///     expansion policy (capability \"files\" not granted)");
/// ```
#[derive(Clone, Debug, Default)]
pub enum Includes {
    /// Read them from the file system, as Exim does (the default).
    #[default]
    Files,
    /// Refuse them (what an engine whose policy does not grant
    /// [`Capability::Files`](crate::Capability::Files) uses).
    Refused,
    /// A fixed set of files by absolute path, nothing else (tests, fuzzing,
    /// editors checking a configuration that is not on this machine).
    Map(std::sync::Arc<std::collections::HashMap<String, Vec<u8>>>),
}

/// What opening an included file found.
enum Opened {
    Missing,
    Data(Vec<u8>),
}

impl Includes {
    /// What an expansion policy allows: the file system when it grants
    /// [`Capability::Files`](crate::Capability::Files), else nothing.
    pub fn for_policy(policy: &crate::eval::Policy) -> Includes {
        if policy.allows(crate::Capability::Files) {
            Includes::Files
        } else {
            Includes::Refused
        }
    }

    fn open(&self, path: &str, allowed: usize) -> Result<Opened, String> {
        let open_failed = || format!("failed to open included configuration file {path}");
        match self {
            Includes::Refused => Err(format!(
                "reading an included file ({path}) is not permitted by the expansion policy \
                 (capability \"files\" not granted)"
            )),
            Includes::Map(files) => match files.get(path) {
                None => Ok(Opened::Missing),
                Some(data) if data.len() > allowed => Err(too_large_message()),
                Some(data) => Ok(Opened::Data(data.clone())),
            },
            Includes::Files => match std::fs::metadata(path) {
                Err(_) => Ok(Opened::Missing),
                // fopen() of a directory succeeds and fgets() then fails: an empty file.
                Ok(m) if m.is_dir() => Ok(Opened::Data(Vec::new())),
                Ok(_) => match read_bounded(path, allowed) {
                    Ok(data) => Ok(Opened::Data(data)),
                    Err(ReadFailure::Io(_)) => Err(open_failed()),
                    Err(ReadFailure::TooLarge) => Err(too_large_message()),
                },
            },
        }
    }
}

/// The message for a configuration over [`MAX_CONFIG_BYTES`].
pub(crate) fn too_large_message() -> String {
    format!("configuration larger than {MAX_CONFIG_BYTES} bytes (with its included files)")
}

/// Section names are kept in a 24-byte buffer: 22 characters plus room for an `s`.
const MAX_SECTION_NAME: usize = 22;

struct OpenFile {
    name: Arc<str>,
    directory: String,
    data: Vec<u8>,
    pos: usize,
    lineno: usize,
}

impl OpenFile {
    /// Next physical line (with its newline), truncated at a NUL byte as `Ustrlen` would.
    fn next_physical(&mut self) -> Option<Vec<u8>> {
        if self.pos >= self.data.len() {
            return None;
        }
        let rest = &self.data[self.pos..];
        let end = rest
            .iter()
            .position(|&c| c == b'\n')
            .map_or(rest.len(), |p| p + 1);
        let mut line = rest[..end].to_vec();
        self.pos += end;
        self.lineno += 1;
        if let Some(nul) = line.iter().position(|&c| c == 0) {
            line.truncate(nul);
        }
        Some(line)
    }
}

/// What the reader produced.
#[derive(Debug)]
pub(crate) enum Logical {
    /// A logical line: first non-blank character onwards, trailing space
    /// removed; with the map of where its bytes are in the file.
    Line(Vec<u8>, LineMap),
    /// `begin NAME`: the (possibly truncated) section name.
    Begin(Vec<u8>),
    /// End of the configuration.
    Eof,
}

/// Appends a physical line (`rest`: from its first non-blank byte, macros
/// substituted; `phys`: as the file has it, at `at`) to the logical line
/// `buf` and its map, trailing white space dropped.  True when it ends
/// with a continuation `\\`, which is dropped too.
fn append_physical(
    buf: &mut Vec<u8>,
    map: &mut LineMap,
    lineno: usize,
    phys: &[u8],
    rest: &[u8],
    macros: &MacroTable,
) -> bool {
    map.push(buf.len(), lineno, phys, rest, macros);
    buf.extend_from_slice(rest);
    while buf.last().is_some_and(|&c| is_space(c)) {
        buf.pop();
    }
    let continued = buf.last() == Some(&b'\\');
    if continued {
        buf.pop();
    }
    map.truncate(buf.len());
    continued
}

/// Conditional states (readconf.c `next_cstate`).
const ACTIVE: u8 = 0;
const SKIP_TO_ELSE: u8 = 1;
const SKIP_TO_ENDIF: u8 = 2;

fn next_cstate(state: u8, action: usize) -> u8 {
    const TABLE: [[u8; 4]; 3] = [
        [ACTIVE, SKIP_TO_ELSE, SKIP_TO_ENDIF, SKIP_TO_ENDIF],
        [SKIP_TO_ENDIF, SKIP_TO_ENDIF, ACTIVE, SKIP_TO_ELSE],
        [SKIP_TO_ENDIF; 4],
    ];
    TABLE[state as usize][action]
}

/// (name, action if a macro was found, action if not, stack effect)
const COND_LIST: [(&str, usize, usize, i8); 6] = [
    ("ifdef", 0, 1, 1),
    ("ifndef", 1, 0, 1),
    ("elifdef", 2, 3, 0),
    ("elifndef", 3, 2, 0),
    ("else", 2, 2, 0),
    ("endif", 0, 0, -1),
];

/// Most lines of left-out branches kept for lint (the file's size bounds
/// them anyway; this bounds the copies).
const MAX_INACTIVE_LINES: usize = 100_000;

pub(crate) struct LineReader {
    stack: Vec<OpenFile>,
    cstate: u8,
    cstate_stack: Vec<u8>,
    /// Bytes of all files read so far.
    bytes_read: usize,
    includes: Includes,
    /// Logical lines of the branches that conditionals left out (what
    /// `lint --all-branches` checks), and the one being joined.
    /// Each with whether a built-in macro (`_HAVE_DMARC`) decided its
    /// branch: then its text is for a build with another feature set.
    pub(crate) inactive: Vec<(Vec<u8>, LineMap, bool)>,
    inactive_open: Option<(Vec<u8>, LineMap)>,
    /// For each open conditional, whether its line names a built-in macro.
    guards: Vec<bool>,
    /// The configuration's own macros that some line used (substituted,
    /// or tested by `.ifdef`), in taken branches or not.
    pub(crate) used_macros: std::collections::HashSet<String>,
    /// The words of macro shape that `.ifdef`-family lines test (as
    /// written), defined or not.
    pub(crate) tested_macros: std::collections::HashSet<String>,
}

impl LineReader {
    pub(crate) fn new(
        name: &str,
        directory: String,
        data: Vec<u8>,
        includes: Includes,
    ) -> LineReader {
        LineReader {
            includes,
            bytes_read: data.len(),
            stack: vec![OpenFile {
                name: Arc::from(name),
                directory,
                data,
                pos: 0,
                lineno: 0,
            }],
            cstate: ACTIVE,
            cstate_stack: Vec::new(),
            inactive: Vec::new(),
            inactive_open: None,
            guards: Vec::new(),
            used_macros: std::collections::HashSet::new(),
            tested_macros: std::collections::HashSet::new(),
        }
    }

    /// Keeps a line that a conditional leaves out, joined with its
    /// continuations as an active line would be.
    fn keep_inactive(&mut self, phys: &[u8], expanded: &[u8], macros: &MacroTable) {
        let (file, lineno) = self.location();
        let rest = &expanded[skip_space(expanded, 0)..];
        let (buf, map) = self
            .inactive_open
            .get_or_insert_with(|| (Vec::new(), LineMap::new(file)));
        if append_physical(buf, map, lineno, phys, rest, macros) {
            return;
        }
        let (buf, mut map) = self.inactive_open.take().expect("just filled");
        map.truncate(buf.len());
        if !buf.is_empty() {
            let guarded = self.guards.iter().any(|&g| g);
            self.inactive.push((buf, map, guarded));
        }
    }

    /// Records which of the configuration's macros `phys` names (a
    /// definition's own name at the start of a logical line aside).
    fn note_used_macros(&mut self, phys: &[u8], line_start: bool, macros: &MacroTable) {
        let start = skip_space(phys, 0);
        for m in macros.user() {
            let name = m.name.as_bytes();
            let mut from = 0;
            while let Some(i) = memchr::memmem::find(&phys[from..], name).map(|i| i + from) {
                let after = skip_space(phys, i + name.len());
                let defining = line_start && i == start && phys.get(after) == Some(&b'=');
                if !defining {
                    self.used_macros.insert(m.name.clone());
                    break;
                }
                from = i + name.len();
            }
        }
    }

    /// Current file name and line number (Exim's `config_filename`, `config_lineno`).
    pub(crate) fn location(&self) -> (Arc<str>, usize) {
        let f = self.stack.last().expect("reader always has a file");
        (f.name.clone(), f.lineno)
    }

    /// An error located at the current position, Exim style "in line N of FILE".
    pub(crate) fn error(&self, message: impl Into<String>) -> ConfigError {
        self.error_styled(message, ErrorStyle::InLine)
    }

    pub(crate) fn error_styled(
        &self,
        message: impl Into<String>,
        style: ErrorStyle,
    ) -> ConfigError {
        let (file, line) = self.location();
        ConfigError {
            file: file.to_string(),
            line,
            message: message.into(),
            style,
        }
    }

    /// Read the next logical line.
    pub(crate) fn next_line(&mut self, macros: &MacroTable) -> Result<Logical, ConfigError> {
        let mut buf: Vec<u8> = Vec::new();
        // The last physical line dropped after macro substitution (see module docs).
        let mut residue: Vec<u8> = Vec::new();
        let mut map: Option<LineMap> = None;

        loop {
            let phys = match self.stack.last_mut().and_then(OpenFile::next_physical) {
                Some(p) => p,
                None => {
                    if self.stack.len() > 1 {
                        self.stack.pop();
                        continue;
                    }
                    if !self.cstate_stack.is_empty() {
                        return Err(
                            self.error("Unexpected end of configuration file: .endif missing")
                        );
                    }
                    if !buf.is_empty() {
                        buf.extend_from_slice(&residue);
                        break;
                    }
                    return Ok(Logical::Eof);
                }
            };

            let (line, found) = macros
                .expand(&phys, buf.is_empty())
                .map_err(|e| self.error(e.message))?;
            if found {
                self.note_used_macros(&phys, buf.is_empty(), macros);
            }
            let ss = skip_space(&line, 0);
            let rest = &line[ss..];

            if rest.first() == Some(&b'#') {
                residue = line.clone();
                continue;
            }

            if rest.first() == Some(&b'.') && self.directive(rest, found, &phys)? {
                residue = line.clone();
                continue;
            }

            if self.cstate != ACTIVE {
                if self.inactive.len() < MAX_INACTIVE_LINES {
                    self.keep_inactive(&phys, &line, macros);
                }
                residue = line.clone();
                continue;
            }

            if let Some(res) = self.include(&line, ss)? {
                residue = res;
                continue;
            }

            if buf.len() + rest.len() > MAX_EXPANDED_LINE {
                return Err(self.error(format!(
                    "logical line longer than {MAX_EXPANDED_LINE} bytes"
                )));
            }
            let (file, lineno) = self.location();
            let map = map.get_or_insert_with(|| LineMap::new(file));
            residue.clear();
            if !append_physical(&mut buf, map, lineno, &phys, rest, macros) && !buf.is_empty() {
                break;
            }
        }

        if buf.len() >= 6 && buf[..6].eq_ignore_ascii_case(b"begin ") {
            let s = skip_space(&buf, 6);
            let mut name = buf[s..].to_vec();
            name.truncate(MAX_SECTION_NAME);
            return Ok(Logical::Begin(name));
        }
        let mut map = map.unwrap_or_else(|| LineMap::new(self.location().0));
        map.truncate(buf.len());
        Ok(Logical::Line(buf, map))
    }

    /// Handle a conditional directive.  `rest` starts at the `.`.  Returns true if
    /// the line was consumed (handled, or dropped because of a bad terminator).
    fn directive(&mut self, rest: &[u8], found: bool, phys: &[u8]) -> Result<bool, ConfigError> {
        // Does the directive (as written, before substitution) name a
        // built-in macro: `_` and an upper-case letter after a word break?
        let builtin = phys.windows(2).enumerate().any(|(i, w)| {
            w[0] == b'_'
                && w[1].is_ascii_uppercase()
                && (i == 0 || !phys[i - 1].is_ascii_alphanumeric() && phys[i - 1] != b'_')
        });
        for (name, act_found, act_not, pushpop) in COND_LIST {
            let n = name.len();
            if rest.len() < 1 + n || &rest[1..1 + n] != name.as_bytes() {
                continue;
            }
            match rest.get(1 + n) {
                None | Some(b' ') | Some(b't') | Some(b'\n') => {}
                // Exim leaves the directive loop without acting but still
                // discards the line.
                Some(_) => return Ok(true),
            }
            // The names as written (`rest` has had the macros replaced).
            let written = &phys[skip_space(phys, 0)..];
            for w in written
                .get(1 + n..)
                .unwrap_or_default()
                .split(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                .filter(|w| w.first().is_some_and(u8::is_ascii_uppercase))
            {
                self.tested_macros
                    .insert(String::from_utf8_lossy(w).into_owned());
            }
            let action = if found { act_found } else { act_not };
            if pushpop > 0 {
                if self.cstate_stack.len() >= CSTATE_STACK_SIZE {
                    return Err(self.error(format!(".{name} nested too deeply")));
                }
                self.cstate_stack.push(self.cstate);
                self.guards.push(builtin);
                self.cstate = next_cstate(self.cstate, action);
            } else {
                let Some(&top) = self.cstate_stack.last() else {
                    return Err(self.error(format!(".{name} without matching .ifdef")));
                };
                if pushpop < 0 {
                    self.cstate = top;
                    self.cstate_stack.pop();
                    self.guards.pop();
                } else {
                    // `.elifdef NAME` is decided by its own name; `.else`
                    // by the conditional's.
                    if name != "else"
                        && let Some(g) = self.guards.last_mut()
                    {
                        *g = builtin;
                    }
                    self.cstate = next_cstate(self.cstate, action);
                }
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Handle `.include` / `.include_if_exists`.  `line` is the substituted physical
    /// line, `ss` the index of its first non-blank.  Returns the buffer residue if
    /// the line was an include directive.
    fn include(&mut self, line: &[u8], ss: usize) -> Result<Option<Vec<u8>>, ConfigError> {
        let rest = &line[ss..];
        if !rest.starts_with(b".include") {
            return Ok(None);
        }
        let if_exists = if rest.get(8).is_some_and(|&c| is_space(c)) {
            false
        } else if rest[8..].starts_with(b"_if_exists") && rest.get(18).is_some_and(|&c| is_space(c))
        {
            true
        } else {
            return Ok(None);
        };
        let mut start = ss + if if_exists { 19 } else { 9 };
        start = skip_space(line, start);
        let mut end = line.len();
        while end > start && is_space(line[end - 1]) {
            end -= 1;
        }
        if end > start && line[start] == b'"' && line[end - 1] == b'"' {
            start += 1;
            end = (end - 1).max(start);
        }
        let residue = line[..end].to_vec();
        let given = String::from_utf8_lossy(&line[start..end]).into_owned();

        let path = if given.starts_with('/') {
            given
        } else if if_exists {
            return Err(self.error(format!(
                ".include specifies a non-absolute path \"{given}\""
            )));
        } else {
            let dir = &self.stack.last().expect("file").directory;
            format!("{dir}/{given}")
        };

        let open_failed = || format!("failed to open included configuration file {path}");
        let allowed = MAX_CONFIG_BYTES.saturating_sub(self.bytes_read);
        let data = match self
            .includes
            .open(&path, allowed)
            .map_err(|m| self.error(m))?
        {
            Opened::Missing if if_exists => return Ok(Some(residue)),
            Opened::Missing => return Err(self.error(open_failed())),
            _ if self.stack.len() >= MAX_INCLUDE_DEPTH => return Err(self.error(open_failed())),
            Opened::Data(data) => data,
        };
        self.bytes_read += data.len();
        let directory = path
            .rfind('/')
            .map_or(String::new(), |i| path[..i].to_string());
        self.stack.push(OpenFile {
            name: Arc::from(path.as_str()),
            directory,
            data,
            pos: 0,
            lineno: 0,
        });
        Ok(Some(residue))
    }
}

/// Exim's `readconf_readname`: skip white space; if a letter follows, read a name
/// of letters, digits and `_`; skip white space.  Returns (name, index after).
/// Names of 64 characters or more are an error in Exim.
pub(crate) fn read_name(s: &[u8], from: usize) -> Result<(String, usize), String> {
    const MAX: usize = 64;
    let mut i = skip_space(s, from);
    let start = i;
    if s.get(i).is_some_and(u8::is_ascii_alphabetic) {
        while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
            if i - start >= MAX - 1 {
                return Err(format!(
                    "exim item name too long (>{MAX}), unable to use \"{}\" (truncated)",
                    String::from_utf8_lossy(&s[start..i])
                ));
            }
            i += 1;
        }
    }
    let name = String::from_utf8_lossy(&s[start..i]).into_owned();
    Ok((name, skip_space(s, i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, macros: &mut MacroTable) -> Result<Vec<String>, ConfigError> {
        let mut r = LineReader::new(
            "test.conf",
            "/nonexistent".into(),
            text.as_bytes().to_vec(),
            Includes::Files,
        );
        let mut out = Vec::new();
        loop {
            match r.next_line(macros)? {
                Logical::Eof => return Ok(out),
                Logical::Begin(n) => out.push(format!("begin<{}>", String::from_utf8_lossy(&n))),
                Logical::Line(l, _) => {
                    if l.first().is_some_and(u8::is_ascii_uppercase) {
                        macros.read_assignment(&l).map_err(|e| r.error(e.message))?;
                    }
                    out.push(String::from_utf8_lossy(&l).into_owned());
                }
            }
        }
    }

    /// Expectations from `exim -bP config` / `-bP OPTION` on the same text.
    #[test]
    fn logical_lines_table() {
        let cases: &[(&str, &[&str])] = &[
            ("# c\n  # indented\n\na = b\n", &["a = b"]),
            (
                "BAZ = x\\\n    y \\\n  z\nq = BAZ\n",
                &["BAZ = xy z", "q = xy z"],
            ),
            ("a = x\\\n\n  b\n", &["a = x", "b"]),
            ("a = x \\\n# comment\n  y\n", &["a = x y"]),
            // EOF in a continuation keeps the residue of the last dropped line.
            ("q = a\\\n  # comment", &["q = a  # comment"]),
            (
                "q = a\\\n  .ifdef NOPE\n  b\n  .endif\n",
                &["q = a  .endif\n"],
            ),
            ("q = a\\\n", &["q = a"]),
            (
                "A1 = one\n.ifdef A1\nL1 = yes\n.ifndef A1\nL2 = no\n.elifdef NOPE\nL3 = no\n.else\nL4 = yes\n.endif\n.elifdef A1\nL5 = no\n.endif\n",
                &["A1 = one", "L1 = yes", "L4 = yes"],
            ),
            // `t` terminates a directive word (readconf.c tests 't', not '\t').
            (".ifdeft\nL7 = t\n.endif\nx = 1\n", &["x = 1"]),
            // Other terminators make Exim drop the line.
            (".endifx\n.elsewhere\nx = 1\n", &["x = 1"]),
            (
                "A1 = 1\n.ifdef NOPE A1\nL8 = multi\n.endif\n",
                &["A1 = 1", "L8 = multi"],
            ),
            (
                ".ifdef _HAVE_TLS\nL9 = builtin\n.endif\n",
                &["L9 = builtin"],
            ),
            (
                "a = 1\nbegin ACL\nfoo:\nBEGIN  routers \n",
                &["a = 1", "begin<ACL>", "foo:", "begin<routers>"],
            ),
            ("begin\tacl\n", &["begin\tacl"]),
            ("FOO = #x\nFOO y\n", &["FOO = #x"]),
            ("a = 1\r\nb = 2\r\n", &["a = 1", "b = 2"]),
        ];
        for (text, want) in cases {
            let mut m = MacroTable::with_exim_builtins();
            let got = lines(text, &mut m).unwrap();
            assert_eq!(got, *want, "{text:?}");
        }
    }

    #[test]
    fn conditional_errors() {
        let cases: &[(&str, &str, usize)] = &[
            (".endif\n", ".endif without matching .ifdef", 1),
            ("x = 1\n.else\n", ".else without matching .ifdef", 2),
            (
                ".ifdef A\nx=1\n",
                "Unexpected end of configuration file: .endif missing",
                2,
            ),
            (&".ifdef A\n".repeat(11), ".ifdef nested too deeply", 11),
            (
                ".include_if_exists nonexist\n",
                ".include specifies a non-absolute path \"nonexist\"",
                1,
            ),
            (
                ".include /nonexist/x\n",
                "failed to open included configuration file /nonexist/x",
                1,
            ),
        ];
        for (text, msg, line) in cases {
            let mut m = MacroTable::with_exim_builtins();
            let e = lines(text, &mut m).unwrap_err();
            assert_eq!((e.message.as_str(), e.line), (*msg, *line), "{text:?}");
        }
        // Ten levels are allowed.
        let text = ".ifdef A\n".repeat(10) + &".endif\n".repeat(10) + "x = 1\n";
        let mut m = MacroTable::with_exim_builtins();
        assert_eq!(lines(&text, &mut m).unwrap(), ["x = 1"]);
    }

    #[test]
    fn include_directories_and_missing_if_exists() {
        let mut m = MacroTable::with_exim_builtins();
        let got = lines(
            ".include_if_exists /nonexistent/x\n.include /\nx = 1\n",
            &mut m,
        )
        .unwrap();
        assert_eq!(got, ["x = 1"]);
    }

    #[test]
    fn readname() {
        assert_eq!(read_name(b"  abc_1 : x", 0).unwrap(), ("abc_1".into(), 8));
        assert_eq!(read_name(b"1abc", 0).unwrap(), ("".into(), 0));
        assert_eq!(read_name(b"!x", 1).unwrap(), ("x".into(), 2));
        let long = "a".repeat(64);
        assert!(read_name(long.as_bytes(), 0).is_err());
        assert!(read_name(&long.as_bytes()[1..], 0).is_ok());
    }
}
