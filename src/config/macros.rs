//! Configuration macros, as implemented by Exim 4.96 (readconf.c `macro_create`,
//! `macro_read_assignment`, `macros_expand`; exim.c `-D` handling).
//!
//! # Ordering
//!
//! Exim keeps every macro on one singly linked list and only ever *appends* to it:
//!
//! 1. the built-in macros (`_HAVE_*`, `_OPT_*`, `_DRIVER_*`, …), compiled in;
//! 2. the `-D` macros, in command-line order;
//! 3. the macros defined in the configuration file (and later in `-be` input),
//!    in definition order.
//!
//! A redefinition with `==` replaces the value in place, so a macro keeps the
//! position of its first definition.  Substitution walks this list *in order*,
//! replacing every occurrence of each macro before moving on to the next one,
//! so earlier macros win, and the replacement text of an earlier macro is
//! rescanned for later macros (but not for itself or earlier ones).  Because a new
//! macro may not contain the name of an earlier one ("… cannot be defined as a
//! macro because previously defined macro … is a substring"), while the reverse
//! is allowed, a longer name defined first is replaced before a shorter name that
//! is contained in it.
//!
//! Built-in macros take part in a substitution only when the *first* position
//! where a macro name could start is an underscore followed by an upper-case
//! letter (`x _HAVE_SRS y` → `x y y`, but `FOO _HAVE_SRS` leaves `_HAVE_SRS`
//! alone because the scan starts at `F`).

pub(crate) use crate::sys::is_space;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Maximum length of a macro name in a definition line (`EXIM_DRIVERNAME_MAX - 1`).
pub const MAX_MACRO_NAME: usize = 63;

/// Length at which Exim truncates a `-D` macro name (`uschar name[24]`).
pub const MAX_DEFINE_NAME: usize = 23;

/// Maximum number of `-D` options (`MAX_CLMACROS`).
pub const MAX_DEFINES: usize = 10;

/// Longest line macro substitution may produce.  Exim has no limit: a macro that
/// doubles itself (`A == A A`, forty times) makes it allocate until it dies.  We
/// stop with a configuration error instead; real configurations stay far below.
pub const MAX_EXPANDED_LINE: usize = 1 << 20;

/// Most bytes all macro values may take together (each is at most
/// [`MAX_EXPANDED_LINE`]; without this, many large macros would still be unbounded).
pub const MAX_MACRO_BYTES: usize = 16 << 20;

/// One macro.
///
/// ```
/// use exim_expand::config::{Config, Macro};
/// let c = Config::from_str("GREETING = hello\n", &[]).unwrap();
/// assert_eq!(c.user_macros(), &[Macro::new("GREETING", "hello")]);
/// assert!(c.macros().iter().any(|m| m.builtin && m.name == "_HAVE_SRS"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Macro {
    /// The macro name (ASCII letters, digits, underscores).
    pub name: String,
    /// The replacement text, byte-exact.
    pub replacement: Vec<u8>,
    /// Defined with `-D` on the command line: a definition in the file is then ignored.
    pub command_line: bool,
    /// A built-in macro (`_HAVE_…`): only used when the scan starts at `_`.
    pub builtin: bool,
}

impl Macro {
    /// An ordinary (configuration-file) macro.
    pub fn new(name: impl Into<String>, replacement: impl Into<Vec<u8>>) -> Macro {
        Macro {
            name: name.into(),
            replacement: replacement.into(),
            command_line: false,
            builtin: false,
        }
    }

    /// A built-in macro.  Its name should start with `_` and an upper-case letter.
    pub fn builtin(name: impl Into<String>, replacement: impl Into<Vec<u8>>) -> Macro {
        Macro {
            builtin: true,
            ..Macro::new(name, replacement)
        }
    }

    /// The replacement as text (lossy for non-UTF-8 bytes).
    pub fn replacement_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.replacement)
    }
}

/// The built-in macros of the reference binary (Debian exim4-daemon-heavy 4.96),
/// in Exim's list order, as printed by `exim -bP macros`.
pub fn exim_builtin_macros() -> &'static [Macro] {
    static LIST: OnceLock<Vec<Macro>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("builtin_macros.txt")
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(n, v)| Macro::builtin(n, v.as_bytes()))
            .collect()
    })
}

/// An error from a macro definition, with Exim's message text.
///
/// ```
/// use exim_expand::config::MacroTable;
/// let mut t = MacroTable::with_exim_builtins();
/// assert_eq!(t.read_assignment(b"FOO = a"), Ok(true));
/// let e = t.read_assignment(b"FOO = b").unwrap_err();
/// assert_eq!(e.message, "macro \"FOO\" is already defined (use \"==\" if you want to redefine it)");
/// assert!(!e.with_location); // Exim: "Exim configuration error:" without a line
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroError {
    /// Exim's message, e.g. `malformed macro definition`.
    pub message: String,
    /// Exim logs this one with `LOG_CONFIG_IN` ("in line N of FILE").
    pub with_location: bool,
}

impl MacroError {
    fn located(message: String) -> MacroError {
        MacroError {
            message,
            with_location: true,
        }
    }
    fn plain(message: String) -> MacroError {
        MacroError {
            message,
            with_location: false,
        }
    }
}

/// C-locale `isalnum(c) || c == '_'`.
pub(crate) fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Index of the first non-white-space byte at or after `i`.
pub(crate) fn skip_space(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

/// The first position at or after `from` where a macro name can start
/// (the length of `s` if none): a scan for the two bytes that can begin
/// one, then the check.
fn next_macro_start(s: &[u8], mut from: usize, upper_too: bool) -> usize {
    if !upper_too {
        // Only `_` + upper-case letter can start one of the built-ins.
        let Some(rest) = s.get(from..) else {
            return s.len();
        };
        return memchr::memchr_iter(b'_', rest)
            .map(|i| from + i)
            .find(|&i| s.get(i + 1).is_some_and(u8::is_ascii_uppercase))
            .unwrap_or(s.len());
    }
    while let Some(i) = s
        .get(from..)
        .and_then(|t| t.iter().position(|&c| c.is_ascii_uppercase() || c == b'_'))
    {
        if can_start_macro(s, from + i) {
            return from + i;
        }
        from += i + 1;
    }
    s.len()
}

/// Can a macro name start at `i`?  (upper-case letter, or `_` + upper-case letter)
fn can_start_macro(s: &[u8], i: usize) -> bool {
    s[i].is_ascii_uppercase() || (s[i] == b'_' && s.get(i + 1).is_some_and(u8::is_ascii_uppercase))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() || hay.len() - from < needle.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| p + from)
}

/// Macro-substitute one line the way `macros_expand()` does for the start of a
/// logical line (this is also what `exim -be` does to every input line).
///
/// If the line (after leading white space) is a macro definition `NAME =`/`NAME ==`,
/// the name is not substituted; substitution starts after it.
/// Fails when the result would exceed [`MAX_EXPANDED_LINE`].
pub fn expand_macros(line: &[u8], macros: &[Macro]) -> Result<Vec<u8>, MacroError> {
    Ok(expand_macros_ext(line, macros, true)?.0)
}

/// Like [`expand_macros`]; `line_start` says whether this is the first physical
/// line of a logical line (only then is a definition's name protected).  Also
/// returns whether any substitution happened (what `.ifdef` tests).
pub fn expand_macros_ext(
    line: &[u8],
    macros: &[Macro],
    line_start: bool,
) -> Result<(Vec<u8>, bool), MacroError> {
    expand_macros_cow(line, macros, line_start).map(|(b, found)| (b.into_owned(), found))
}

/// Like [`expand_macros_ext`], without copying a line that no macro can
/// change (the common case): then the result borrows `line`, cut at its
/// first NUL.
pub fn expand_macros_cow<'l>(
    line: &'l [u8],
    macros: &[Macro],
    line_start: bool,
) -> Result<(Cow<'l, [u8]>, bool), MacroError> {
    // Exim works on C strings.
    let line = crate::eval::c_str(line);
    let ss = skip_space(line, 0);
    let mut s = ss;
    if line_start && s < line.len() && line[s].is_ascii_uppercase() {
        while s < line.len() && is_name_char(line[s]) {
            s += 1;
        }
        s = skip_space(line, s);
        if line.get(s) != Some(&b'=') {
            s = ss;
        }
    }
    // Without macros of the configuration's own only built-ins (`_NAME`)
    // can match, which makes the scan a search for `_`.
    let user_macros = macros.last().is_some_and(|m| !m.builtin);
    s = next_macro_start(line, s, user_macros);
    if s >= line.len() {
        return Ok((Cow::Borrowed(line), false));
    }
    let use_builtins = line[s] == b'_';
    // Built-in macros come first in the list; without them only the rest
    // need trying (this keeps ordinary lines cheap with ~800 built-ins).
    debug_assert!(
        macros.windows(2).all(|w| w[0].builtin || !w[1].builtin),
        "built-in macros must come first"
    );
    let candidates = if use_builtins {
        macros
    } else {
        &macros[macros.partition_point(|m| m.builtin)..]
    };
    if candidates.is_empty() {
        return Ok((Cow::Borrowed(line), false));
    }
    let mut buf = line.to_vec();
    let mut found = false;
    for m in candidates.iter().filter(|m| use_builtins || !m.builtin) {
        s = next_macro_start(&buf, s, user_macros);
        if s >= buf.len() {
            break;
        }
        let name = m.name.as_bytes();
        let mut t = s;
        while let Some(p) = find(&buf, name, t) {
            if buf.len() - name.len() + m.replacement.len() > MAX_EXPANDED_LINE {
                return Err(MacroError::located(format!(
                    "line longer than {MAX_EXPANDED_LINE} bytes after substituting macro \"{}\"",
                    m.name
                )));
            }
            buf.splice(p..p + name.len(), m.replacement.iter().copied());
            t = p + m.replacement.len();
            found = true;
        }
    }
    Ok((Cow::Owned(buf), found))
}

/// The ordered macro list of one Exim process.
///
/// ```
/// use exim_expand::config::MacroTable;
/// let mut t = MacroTable::with_exim_builtins();
/// t.read_assignment(b"DOMAIN = example.com").unwrap();
/// assert_eq!(t.expand(b"x DOMAIN y", true).unwrap().0, b"x example.com y");
/// assert_eq!((t.last_created(), t.user().len()), (Some("DOMAIN"), 1));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MacroTable {
    list: Vec<Macro>,
    /// Sum of the replacement lengths of the non-built-in macros.
    bytes: usize,
}

impl MacroTable {
    /// A table holding only the given built-in macros (their `builtin` flag is forced).
    pub fn new(builtins: &[Macro]) -> MacroTable {
        MacroTable {
            list: builtins
                .iter()
                .cloned()
                .map(|mut m| {
                    m.builtin = true;
                    m.command_line = false;
                    m
                })
                .collect(),
            bytes: 0,
        }
    }

    /// A table holding the built-in macros of the reference Exim build.
    pub fn with_exim_builtins() -> MacroTable {
        MacroTable::new(exim_builtin_macros())
    }

    /// All macros in Exim's list order (built-ins, then `-D`, then definitions).
    pub fn as_slice(&self) -> &[Macro] {
        &self.list
    }

    /// The non-built-in macros (`macros_user` in Exim), in list order.
    pub fn user(&self) -> &[Macro] {
        let first = self
            .list
            .iter()
            .position(|m| !m.builtin)
            .unwrap_or(self.list.len());
        &self.list[first..]
    }

    /// Look a macro up by exact name.
    pub fn get(&self, name: &str) -> Option<&Macro> {
        self.list.iter().find(|m| m.name == name)
    }

    /// Name of the most recently *created* macro (Exim's `mlast`), which is what
    /// `exim -be` prints after a successful definition, even after a `==`
    /// redefinition of an older macro.
    pub fn last_created(&self) -> Option<&str> {
        self.list.last().map(|m| m.name.as_str())
    }

    /// Append a built-in macro (the caller may extend the built-in list).
    /// It is placed after the existing built-ins.
    pub fn add_builtin(&mut self, name: &str, replacement: &[u8]) {
        let at = self
            .list
            .iter()
            .position(|m| !m.builtin)
            .unwrap_or(self.list.len());
        self.list.insert(at, Macro::builtin(name, replacement));
    }

    /// Macro-substitute a line (see [`expand_macros_ext`]).
    pub fn expand(&self, line: &[u8], line_start: bool) -> Result<(Vec<u8>, bool), MacroError> {
        expand_macros_ext(line, &self.list, line_start)
    }

    /// Define a macro from a `-D` argument (the text after `-D`), as exim.c does:
    /// leading white space skipped, the name must start with `A`-`Z`, is made of
    /// letters, digits and `_` and is truncated to 23 characters, then optional
    /// `= value` (white space after `=` skipped, trailing white space kept).
    /// A bare `-DNAME` defines an empty macro; at most ten `-D` are allowed.
    /// Returns exim's stderr message on error.
    pub fn define_command_line(&mut self, arg: &[u8]) -> Result<&Macro, String> {
        let (name, value) = parse_define(arg)?;
        if self.user().iter().any(|m| m.name == name) {
            return Err("exim: duplicated -D in command line".to_string());
        }
        if self.list.iter().filter(|m| m.command_line).count() >= MAX_DEFINES {
            return Err("exim: too many -D options on command line".to_string());
        }
        self.list.push(Macro {
            name,
            replacement: value,
            command_line: true,
            builtin: false,
        });
        Ok(self.list.last().expect("just pushed"))
    }

    /// Process a macro definition line (`macro_read_assignment`).  `line` starts at
    /// the first character of the name.  On success returns `true` if a new macro
    /// was created, `false` if an existing one was redefined or the definition was
    /// ignored because a `-D` macro of that name exists.
    pub fn read_assignment(&mut self, line: &[u8]) -> Result<bool, MacroError> {
        let mut i = 0;
        while i < line.len() && is_name_char(line[i]) {
            if i >= MAX_MACRO_NAME {
                return Err(MacroError::located(format!(
                    "macro name too long (maximum is {MAX_MACRO_NAME} characters)"
                )));
            }
            i += 1;
        }
        let name = String::from_utf8_lossy(&line[..i]).into_owned();
        i = skip_space(line, i);
        if line.get(i) != Some(&b'=') {
            return Err(MacroError::located(
                "malformed macro definition".to_string(),
            ));
        }
        i += 1;
        let redef = line.get(i) == Some(&b'=');
        if redef {
            i += 1;
        }
        i = skip_space(line, i);
        let mut value = line[i..].to_vec();
        if let Some(nul) = value.iter().position(|&c| c == 0) {
            value.truncate(nul);
        }

        if self.bytes + value.len() > MAX_MACRO_BYTES {
            return Err(MacroError::located(format!(
                "macro values larger than {MAX_MACRO_BYTES} bytes in total"
            )));
        }
        let mut existing = None;
        for (idx, m) in self.list.iter().enumerate() {
            if m.name == name {
                if !m.command_line && !redef {
                    return Err(MacroError::plain(format!(
                        "macro \"{name}\" is already defined (use \"==\" if you want to redefine it)"
                    )));
                }
                existing = Some(idx);
                break;
            }
            if m.name.len() < name.len() && name.contains(m.name.as_str()) {
                return Err(MacroError::plain(format!(
                    "\"{name}\" cannot be defined as a macro because previously defined macro \"{}\" is a substring",
                    m.name
                )));
            }
        }
        match existing {
            Some(idx) if self.list[idx].command_line => Ok(false),
            Some(idx) => {
                // Only reachable with redef.
                self.bytes += value.len();
                self.bytes -= self.list[idx].replacement.len().min(self.bytes);
                self.list[idx].replacement = value;
                Ok(false)
            }
            None if redef => Err(MacroError::plain(format!(
                "can't redefine an undefined macro \"{name}\""
            ))),
            None => {
                self.bytes += value.len();
                self.list.push(Macro::new(name, value));
                Ok(true)
            }
        }
    }
}

/// Parse the text of a `-D` option the way exim.c does.  Errors are the text exim
/// writes to stderr.
pub fn parse_define(arg: &[u8]) -> Result<(String, Vec<u8>), String> {
    let mut i = skip_space(arg, 0);
    if !arg.get(i).is_some_and(u8::is_ascii_uppercase) {
        return Err("exim: macro name set by -D must start with an upper case letter".to_string());
    }
    let start = i;
    while i < arg.len() && is_name_char(arg[i]) {
        i += 1;
    }
    let name_end = i.min(start + MAX_DEFINE_NAME);
    let name = String::from_utf8_lossy(&arg[start..name_end]).into_owned();
    i = skip_space(arg, i);
    let mut value: &[u8] = b"";
    if i < arg.len() {
        if arg[i] != b'=' {
            return Err(format!(
                "exim abandoned: unknown, malformed, or incomplete option -D{}",
                String::from_utf8_lossy(arg)
            ));
        }
        i = skip_space(arg, i + 1);
        value = &arg[i..];
    }
    Ok((name, value.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(defs: &[&str]) -> MacroTable {
        let mut t = MacroTable::with_exim_builtins();
        for d in defs {
            // As `exim -be` does: substitute, then define.
            let line = expand_macros(d.as_bytes(), t.as_slice()).unwrap();
            t.read_assignment(&line).unwrap();
        }
        t
    }

    fn exp(t: &MacroTable, line: &str) -> String {
        String::from_utf8(expand_macros(line.as_bytes(), t.as_slice()).unwrap()).unwrap()
    }

    /// (definitions, input line, expected) — checked with `exim -be`.
    #[test]
    fn substitution_table() {
        let cases: &[(&[&str], &str, &str)] = &[
            (&["FOO = bar"], "xFOOx", "xbarx"),
            (&["FOO = bar"], "x FOO baz", "x bar baz"),
            (&["FOO = bar"], "x FOO_2", "x bar_2"),
            (&["FOO = bar"], "foo", "foo"),
            (&[], "_HAVE_TLS", "y"),
            (&[], "x _HAVE_SRS y", "x y y"),
            (&[], "x_HAVE_SRS", "xy"),
            (&[], "_NOSUCH_MACRO", "_NOSUCH_MACRO"),
            // Longer macro defined first wins over a contained shorter one.
            (&["FOObar = a", "FOO = b"], "FOObar FOO", "a b"),
            // Built-ins are only considered when the scan starts at `_`.
            (&["X = y", "Y = 1"], "X Y _HAVE_SRS", "y 1 _HAVE_SRS"),
            (&["X = y", "Y = 1"], "_HAVE_SRS Y X", "y 1 y"),
            // Replacement text of an earlier macro is rescanned by later ones.
            (&["A1 = B2", "B2 = zz"], "A1", "zz"),
            // ... but not by earlier ones.
            (&["B2 = zz", "A1 = xB2"], "A1", "xzz"),
            // A definition line's name is protected.
            (&["FOO = bar"], "FOO = FOO", "FOO = bar"),
            (&["FOO = bar"], " FOO = x", " FOO = x"),
            (&["FOO = bar"], "FOO x", "bar x"),
            (&["FOO = bar"], "FOO == FOO", "FOO == bar"),
        ];
        for (defs, input, want) in cases {
            let t = table(defs);
            assert_eq!(exp(&t, input), *want, "defs {defs:?} input {input:?}");
        }
    }

    #[test]
    fn ifdef_found_flag() {
        let t = table(&["FOO = "]);
        assert_eq!(
            t.expand(b".ifdef FOO", false).unwrap(),
            (b".ifdef ".to_vec(), true)
        );
        assert_eq!(
            t.expand(b".ifdef BAR", false).unwrap(),
            (b".ifdef BAR".to_vec(), false)
        );
        assert!(t.expand(b".ifdef _HAVE_TLS", false).unwrap().1);
    }

    /// Messages checked with `exim -be` (stderr).
    #[test]
    fn assignment_errors() {
        let cases: &[(&[&str], &str, &str, bool)] = &[
            (
                &["FOO = a"],
                "FOO = b",
                "macro \"FOO\" is already defined (use \"==\" if you want to redefine it)",
                false,
            ),
            (
                &["FOO = a"],
                "FOObar = b",
                "\"FOObar\" cannot be defined as a macro because previously defined macro \"FOO\" is a substring",
                false,
            ),
            (
                &[],
                "A_HAVE_SRS = 1",
                "\"A_HAVE_SRS\" cannot be defined as a macro because previously defined macro \"_HAVE_SRS\" is a substring",
                false,
            ),
            (&[], "FOO x", "malformed macro definition", true),
            (&[], "FOO", "malformed macro definition", true),
            (
                &[],
                "BAR == x",
                "can't redefine an undefined macro \"BAR\"",
                false,
            ),
            (
                &[],
                "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCD = 1",
                "macro name too long (maximum is 63 characters)",
                true,
            ),
        ];
        for (defs, line, msg, located) in cases {
            let mut t = table(defs);
            let e = t.read_assignment(line.as_bytes()).unwrap_err();
            assert_eq!(e.message, *msg, "{line}");
            assert_eq!(e.with_location, *located, "{line}");
        }
        // 63 characters is fine.
        let mut t = table(&[]);
        let name = "A".repeat(63);
        assert!(t.read_assignment(format!("{name}=1").as_bytes()).unwrap());
    }

    #[test]
    fn redefinition_and_last_created() {
        let mut t = table(&["FOO = a", "BAR = b"]);
        assert!(!t.read_assignment(b"FOO == c").unwrap());
        assert_eq!(t.last_created(), Some("BAR"));
        assert_eq!(exp(&t, "FOO BAR"), "c b");
        let names: Vec<_> = t.user().iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["FOO", "BAR"]);
    }

    #[test]
    fn command_line_defines() {
        // (-D argument, expected name/value or stderr)
        type Case<'a> = (&'a str, Result<(&'a str, &'a str), &'a str>);
        let cases: &[Case] = &[
            ("FOO=x", Ok(("FOO", "x"))),
            ("FOO", Ok(("FOO", ""))),
            ("FOO=", Ok(("FOO", ""))),
            (" FOO = a b ", Ok(("FOO", "a b "))),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ=1",
                Ok(("ABCDEFGHIJKLMNOPQRSTUVW", "1")),
            ),
            (
                "foo=1",
                Err("exim: macro name set by -D must start with an upper case letter"),
            ),
            (
                "",
                Err("exim: macro name set by -D must start with an upper case letter"),
            ),
            (
                "FOO BAR",
                Err("exim abandoned: unknown, malformed, or incomplete option -DFOO BAR"),
            ),
        ];
        for (arg, want) in cases {
            let got = parse_define(arg.as_bytes());
            match want {
                Ok((n, v)) => {
                    let (gn, gv) = got.unwrap();
                    assert_eq!((gn.as_str(), gv.as_slice()), (*n, v.as_bytes()), "{arg}");
                }
                Err(e) => assert_eq!(got.unwrap_err(), *e, "{arg}"),
            }
        }
        let mut t = MacroTable::with_exim_builtins();
        t.define_command_line(b"FOO=x").unwrap();
        assert_eq!(
            t.define_command_line(b"FOO=y").unwrap_err(),
            "exim: duplicated -D in command line"
        );
        // -D macros may contain each other; a file definition is silently ignored.
        t.define_command_line(b"FOOBAR=2").unwrap();
        assert!(!t.read_assignment(b"FOO = file").unwrap());
        assert_eq!(exp(&t, "FOOBAR FOO"), "xBAR x");
        assert_eq!(t.get("FOO").unwrap().replacement, b"x");
        for i in 3..=10 {
            t.define_command_line(format!("M{i}=1").as_bytes()).unwrap();
        }
        assert_eq!(
            t.define_command_line(b"M11=1").unwrap_err(),
            "exim: too many -D options on command line"
        );
    }

    #[test]
    fn builtins_loaded() {
        let b = exim_builtin_macros();
        assert!(b.len() > 500);
        assert!(b.iter().all(|m| m.builtin && m.name.starts_with('_')));
        assert!(b.iter().any(|m| m.name == "_HAVE_TLS"));
    }
}
