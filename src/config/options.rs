//! Main-section settings: options (readconf.c `readconf_handle_option`), named
//! lists (`read_named_list`) and quoted-string reading (`read_string`,
//! string.c `string_dequote` / `string_interpret_escape`).

use std::fmt;

use super::macros::{is_space, skip_space};
use super::option_table::MAIN_OPTIONS;
use super::reader::read_name;

/// Kind of value an option takes, which decides how its line is read.
///
/// ```
/// use exim_expand::config::{OptionKind, main_option_kind};
/// assert_eq!(main_option_kind("primary_hostname"), Some(OptionKind::Str));
/// assert_eq!(main_option_kind("split_spool_directory"), Some(OptionKind::Bool));
/// assert_eq!(main_option_kind("no_such_option"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionKind {
    /// Boolean: `name`, `no_name`, `not_name`, `name = true|false|yes|no`.
    /// The stored value is `true` or `false`.
    Bool,
    /// String-like (strings, user/group names and lists): `"…"` is dequoted with
    /// backslash escapes, anything else is the rest of the line verbatim.
    Str,
    /// Numbers, times, …: the rest of the line, verbatim.
    Other,
    /// Not an option of the reference build; read leniently (see [`super::ReadOptions`]).
    Unknown,
}

/// Kind of a main-section option of the reference build, `None` if unknown.
pub fn main_option_kind(name: &str) -> Option<OptionKind> {
    MAIN_OPTIONS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| MAIN_OPTIONS[i].1)
}

/// One main-section option setting.
///
/// ```
/// use exim_expand::config::{Config, OptionKind};
/// let text = "hide mysql_servers = db/user/pw\nno_split_spool_directory\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// let s = c.option_setting("split_spool_directory").unwrap();
/// assert_eq!((s.value.as_str(), s.kind, s.line), ("false", OptionKind::Bool, 2));
/// assert!(c.option_setting("mysql_servers").unwrap().hidden);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionSetting {
    /// Option name without any `no_`/`not_` prefix.
    pub name: String,
    /// The value bytes (dequoted for string options).
    pub value_bytes: Vec<u8>,
    /// The value as text (lossy for non-UTF-8 bytes).
    pub value: String,
    /// The kind of value, which decided how the line was read.
    pub kind: OptionKind,
    /// Set with `hide`.
    pub hidden: bool,
    /// Where the value is in the file.
    pub origin: super::Origin,
    /// The file of the setting (an included file, if so).
    pub file: String,
    /// Its line number.
    pub line: usize,
}

/// Kinds of named list.
///
/// ```
/// use exim_expand::config::ListKind;
/// assert_eq!(ListKind::Host.keyword(), "hostlist");
/// assert_eq!(ListKind::LocalPart.description(), "local part list");
/// assert_eq!(ListKind::Domain.letter(), 'd'); // ${listnamed_d:NAME}
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListKind {
    /// `domainlist`, referred to as `+name` in domain lists.
    Domain,
    /// `hostlist`, referred to as `+name` in host lists.
    Host,
    /// `addresslist`, referred to as `+name` in address lists.
    Address,
    /// `localpartlist`, referred to as `+name` in local part lists.
    LocalPart,
}

impl ListKind {
    /// The order in which Exim searches the kinds when only a name is given
    /// (`-bP +name`): address, domain, host, local part.
    pub const SEARCH_ORDER: [ListKind; 4] = [
        ListKind::Address,
        ListKind::Domain,
        ListKind::Host,
        ListKind::LocalPart,
    ];

    /// Configuration keyword, e.g. `domainlist`.
    pub fn keyword(self) -> &'static str {
        match self {
            ListKind::Domain => "domainlist",
            ListKind::Host => "hostlist",
            ListKind::Address => "addresslist",
            ListKind::LocalPart => "localpartlist",
        }
    }

    /// Name used in Exim's messages, e.g. `domain list`.
    pub fn description(self) -> &'static str {
        match self {
            ListKind::Domain => "domain list",
            ListKind::Host => "host list",
            ListKind::Address => "address list",
            ListKind::LocalPart => "local part list",
        }
    }

    /// The single-letter suffix of `${listnamed_X:…}`.
    pub fn letter(self) -> char {
        match self {
            ListKind::Domain => 'd',
            ListKind::Host => 'h',
            ListKind::Address => 'a',
            ListKind::LocalPart => 'l',
        }
    }
}

impl fmt::Display for ListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A named list.
///
/// ```
/// use exim_expand::config::{Config, ListKind};
/// let c = Config::from_str("domainlist_cache local = \"a.example : b.example\"\n", &[]).unwrap();
/// let l = c.named_list_entry(ListKind::Domain, "local").unwrap();
/// assert_eq!((l.name.as_str(), l.value.as_str()), ("local", "a.example : b.example"));
/// assert!(l.force_cache && !l.hidden);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedList {
    /// Which keyword defined it.
    pub kind: ListKind,
    /// The name, as `+name` refers to it.
    pub name: String,
    /// The list text (dequoted if it was quoted).
    pub value_bytes: Vec<u8>,
    /// The list text, lossily decoded as UTF-8.
    pub value: String,
    /// Defined with `hide`.
    pub hidden: bool,
    /// `domainlist_cache` etc.: caching forced even with `$` in the list.
    pub force_cache: bool,
    /// Where the list text is in the file.
    pub origin: super::Origin,
    /// The file of the definition.
    pub file: String,
    /// Its line number.
    pub line: usize,
}

pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `string_interpret_escape`: `s[i]` is a backslash.  Returns the byte and the
/// index of the last byte consumed.
fn interpret_escape(s: &[u8], i: usize) -> (u8, usize) {
    let is_oct = |c: Option<&u8>| c.is_some_and(|&c| (b'0'..=b'7').contains(&c));
    let mut p = i + 1;
    let Some(&ch) = s.get(p) else {
        return (b'\\', i);
    };
    if is_oct(Some(&ch)) {
        let mut v = u32::from(ch - b'0');
        for _ in 0..2 {
            if is_oct(s.get(p + 1)) {
                p += 1;
                v = v * 8 + u32::from(s[p] - b'0');
            } else {
                break;
            }
        }
        return ((v & 0xff) as u8, p);
    }
    let c = match ch {
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        b'x' => {
            let mut v = 0u8;
            for _ in 0..2 {
                match s.get(p + 1).and_then(|&c| char::from(c).to_digit(16)) {
                    Some(d) => {
                        p += 1;
                        v = v.wrapping_mul(16).wrapping_add(d as u8);
                    }
                    None => break,
                }
            }
            v
        }
        other => other,
    };
    (c, p)
}

/// `string_dequote` on a string starting with `"`: returns the dequoted bytes
/// (cut at a NUL, as the C string would be) and the index after the closing quote
/// (or the end).
fn dequote(s: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut i = 1;
    while i < s.len() && s[i] != b'"' {
        if s[i] == b'\\' {
            let (c, last) = interpret_escape(s, i);
            out.push(c);
            i = last + 1;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    if i < s.len() {
        i += 1;
    }
    if let Some(nul) = out.iter().position(|&c| c == 0) {
        out.truncate(nul);
    }
    (out, i)
}

fn extra_chars(rest: &[u8], what: &str) -> String {
    let comment = if rest.first() == Some(&b'#') {
        " (# is comment only at line start)"
    } else {
        ""
    };
    format!("extra characters follow {what}{comment}")
}

/// `read_string`: unquoted → the text as is; quoted → dequoted, and the closing
/// quote must end the value.
pub(crate) fn read_string(s: &[u8], name: &str) -> Result<Vec<u8>, String> {
    if s.first() != Some(&b'"') {
        return Ok(s.to_vec());
    }
    let (v, end) = dequote(s);
    if end == 1 || s[end - 1] != b'"' {
        return Err(format!("missing quote at end of string value for {name}"));
    }
    if end < s.len() {
        return Err(extra_chars(&s[end..], &format!("string value for {name}")));
    }
    Ok(v)
}

/// A parsed option line.
pub(crate) struct ParsedOption {
    pub name: String,
    /// The name as written (with `no_`/`not_`), for messages.
    pub written: String,
    pub kind: OptionKind,
    pub value: Vec<u8>,
    pub hidden: bool,
}

/// Parse a main-section option line (`readconf_handle_option` for the main option
/// list).  Unknown names are an error when `strict`; otherwise they are accepted
/// when the line has the shape `name`, `no_name`, or `name = value`.
pub(crate) fn parse_option(line: &[u8], strict: bool) -> Result<ParsedOption, String> {
    const MAX_NAME: usize = 63;
    let mut s = skip_space(line, 0);
    if !line.get(s).is_some_and(u8::is_ascii_alphabetic) {
        return Err(format!("option setting expected: {}", lossy(&line[s..])));
    }
    let mut hidden = false;
    let mut name = String::new();
    for _ in 0..2 {
        let start = s;
        while s < line.len() && (line[s].is_ascii_alphanumeric() || line[s] == b'_') {
            s += 1;
        }
        name = lossy(&line[start..s.min(start + MAX_NAME)]);
        s = skip_space(line, s);
        if name != "hide" {
            break;
        }
        hidden = true;
    }
    let offset = if name.starts_with("no_") {
        3
    } else if name.starts_with("not_") {
        4
    } else {
        0
    };
    let base = name[offset..].to_string();
    let rest = &line[s..];
    let unknown = || format!("main option \"{name}\" unknown");

    let kind = match main_option_kind(&base) {
        Some(k) => k,
        None if strict => return Err(unknown()),
        None => {
            // Lenient: a bare word is a boolean, `name = value` a string.
            if rest.is_empty() {
                OptionKind::Bool
            } else if rest[0] == b'=' && offset == 0 {
                OptionKind::Unknown
            } else {
                return Err(unknown());
            }
        }
    };

    if kind != OptionKind::Bool {
        if offset != 0 {
            return Err("negation prefix applied to a non-boolean option".to_string());
        }
        if rest.is_empty() {
            return Err(format!(
                "unexpected end of line (data missing) after {name}"
            ));
        }
        if rest[0] != b'=' {
            return Err(format!("missing \"=\" after {name}"));
        }
    } else if !rest.is_empty() && (offset != 0 || rest[0] != b'=') {
        return Err(extra_chars(rest, &format!("boolean option {name}")));
    }

    let mut v = 0;
    if rest.first() == Some(&b'=') {
        v = skip_space(rest, 1);
    }
    let data = &rest[v..];

    let value = match kind {
        OptionKind::Str | OptionKind::Unknown => read_string(data, &name)?,
        OptionKind::Other => data.to_vec(),
        OptionKind::Bool => {
            let mut b = offset == 0;
            if !data.is_empty() {
                let (word, after) = read_name(data, 0)?;
                b = if word.eq_ignore_ascii_case("true") || word.eq_ignore_ascii_case("yes") {
                    true
                } else if word.eq_ignore_ascii_case("false") || word.eq_ignore_ascii_case("no") {
                    false
                } else {
                    return Err(format!(
                        "\"{word}\" is not a valid value for the \"{name}\" option"
                    ));
                };
                if after < data.len() {
                    return Err(extra_chars(
                        &data[after..],
                        &format!("\"{word}\" for boolean option {name}"),
                    ));
                }
            }
            if b {
                b"true".to_vec()
            } else {
                b"false".to_vec()
            }
        }
    };
    Ok(ParsedOption {
        name: base,
        written: name,
        kind,
        value,
        hidden,
    })
}

/// A parsed named-list line.
pub(crate) struct ParsedList {
    pub name: String,
    pub value: Vec<u8>,
    pub force_cache: bool,
}

/// Most named lists of one kind (`MAX_NAMED_LIST` of Debian's build; the
/// upstream default is 16).
pub const MAX_NAMED_LIST: usize = 32;

/// `read_named_list`: `s` starts right after the keyword (`domainlist` …).
/// `defined` is the number of lists of this kind so far; `exists` reports
/// whether a list of this kind and name is already defined.
pub(crate) fn parse_named_list(
    s: &[u8],
    kind: ListKind,
    defined: usize,
    exists: impl Fn(&str) -> bool,
) -> Result<ParsedList, String> {
    let mut i = 0;
    let force_cache = s.starts_with(b"_cache");
    if force_cache {
        i = 6;
    }
    if !s.get(i).is_some_and(|&c| is_space(c)) {
        return Err("unrecognized configuration line".to_string());
    }
    if defined >= MAX_NAMED_LIST {
        return Err(format!(
            "too many named {}s (max is {MAX_NAMED_LIST})",
            kind.description()
        ));
    }
    i = skip_space(s, i);
    let start = i;
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    let name = lossy(&s[start..i]);
    i = skip_space(s, i);
    if exists(&name) {
        return Err(format!(
            "duplicate name \"{name}\" for a named {}",
            kind.description()
        ));
    }
    if s.get(i) != Some(&b'=') {
        return Err(format!("missing '=' after \"{name}\""));
    }
    i = skip_space(s, i + 1);
    let value = read_string(&s[i..], &name)?;
    Ok(ParsedList {
        name,
        value,
        force_cache,
    })
}

/// Text of a value (lossy).
#[cfg(test)]
pub(crate) fn text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sorted_and_known() {
        assert!(MAIN_OPTIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(main_option_kind("primary_hostname"), Some(OptionKind::Str));
        assert_eq!(main_option_kind("accept_8bitmime"), Some(OptionKind::Bool));
        assert_eq!(main_option_kind("auto_thaw"), Some(OptionKind::Other));
        assert_eq!(main_option_kind("nonesuch"), None);
    }

    /// Values as shown by `exim -bP +NAME` for the same list definitions.
    #[test]
    fn read_string_table() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"a : bar", b"a : bar"),
            (b"\"quoted\\tstring\"", b"quoted\tstring"),
            (b"\"a\\x41\\101\\q\\ \"", b"aAAq "),
            (b"\"a\\x4g\\x\\777\\\"b\\tc\"", b"a\x04g"),
            (b"\"ab\\0cd\"", b"ab"),
            (b"\"\"", b""),
            (b"\"\\\"\"", b"\""),
            (b"\"\\377\\xff\"", b"\xff\xff"),
            (b"x \"y\"", b"x \"y\""),
        ];
        for (input, want) in cases {
            assert_eq!(read_string(input, "n").unwrap(), *want, "{}", text(input));
        }
        let errors: &[(&[u8], &str)] = &[
            (b"\"abc", "missing quote at end of string value for n"),
            (b"\"", "missing quote at end of string value for n"),
            (b"\"a\\", "missing quote at end of string value for n"),
            (b"\"a\"b", "extra characters follow string value for n"),
            (b"\"a\" #c", "extra characters follow string value for n"),
        ];
        for (input, msg) in errors {
            assert_eq!(
                read_string(input, "n").unwrap_err(),
                *msg,
                "{}",
                text(input)
            );
        }
    }

    fn opt(line: &str) -> Result<(String, String, OptionKind, bool), String> {
        parse_option(line.as_bytes(), false).map(|p| (p.name, lossy(&p.value), p.kind, p.hidden))
    }

    /// Values and messages checked with `exim -bP OPTION` on one-line configs.
    #[test]
    fn option_lines() {
        use OptionKind::*;
        type Want<'a> = (&'a str, &'a str, OptionKind, bool);
        let ok: &[(&str, Want)] = &[
            (
                "primary_hostname = myhost.test.ex",
                ("primary_hostname", "myhost.test.ex", Str, false),
            ),
            ("gecos_pattern = \"\"", ("gecos_pattern", "", Str, false)),
            ("gecos_name = \"a\\tb\"", ("gecos_name", "a\tb", Str, false)),
            (
                "hide  mysql_servers = x/y",
                ("mysql_servers", "x/y", Str, true),
            ),
            (
                "tls_advertise_hosts =",
                ("tls_advertise_hosts", "", Str, false),
            ),
            (
                "no_accept_8bitmime",
                ("accept_8bitmime", "false", Bool, false),
            ),
            (
                "not_accept_8bitmime",
                ("accept_8bitmime", "false", Bool, false),
            ),
            ("accept_8bitmime", ("accept_8bitmime", "true", Bool, false)),
            (
                "accept_8bitmime = No",
                ("accept_8bitmime", "false", Bool, false),
            ),
            (
                "accept_8bitmime = yes",
                ("accept_8bitmime", "true", Bool, false),
            ),
            ("auto_thaw = \"1d\"", ("auto_thaw", "\"1d\"", Other, false)),
            (
                "brand_new_option = \"x\"",
                ("brand_new_option", "x", Unknown, false),
            ),
            ("brand_new_flag", ("brand_new_flag", "true", Bool, false)),
            (
                "no_brand_new_flag",
                ("brand_new_flag", "false", Bool, false),
            ),
        ];
        for (line, want) in ok {
            let got = opt(line).unwrap();
            assert_eq!(
                (got.0.as_str(), got.1.as_str(), got.2, got.3),
                *want,
                "{line}"
            );
        }
        let errors: &[(&str, &str)] = &[
            ("1abc = x", "option setting expected: 1abc = x"),
            (
                "no_primary_hostname = x",
                "negation prefix applied to a non-boolean option",
            ),
            (
                "primary_hostname",
                "unexpected end of line (data missing) after primary_hostname",
            ),
            ("primary_hostname x", "missing \"=\" after primary_hostname"),
            (
                "accept_8bitmime x",
                "extra characters follow boolean option accept_8bitmime",
            ),
            (
                "no_accept_8bitmime = true",
                "extra characters follow boolean option no_accept_8bitmime",
            ),
            (
                "accept_8bitmime # c",
                "extra characters follow boolean option accept_8bitmime (# is comment only at line start)",
            ),
            (
                "accept_8bitmime = maybe",
                "\"maybe\" is not a valid value for the \"accept_8bitmime\" option",
            ),
            (
                "accept_8bitmime = yes no",
                "extra characters follow \"yes\" for boolean option accept_8bitmime",
            ),
            (
                "primary_hostname = \"abc",
                "missing quote at end of string value for primary_hostname",
            ),
            ("brand_new x", "main option \"brand_new\" unknown"),
            ("no_brand_new = x", "main option \"no_brand_new\" unknown"),
        ];
        for (line, msg) in errors {
            assert_eq!(opt(line).unwrap_err(), *msg, "{line}");
        }
        assert_eq!(
            parse_option(b"brand_new = x", true).err().unwrap(),
            "main option \"brand_new\" unknown"
        );
    }

    #[test]
    fn named_list_lines() {
        let none = |_: &str| false;
        let p = parse_named_list(b" dl = a : b", ListKind::Domain, 0, none).unwrap();
        assert_eq!(
            (p.name.as_str(), p.value.as_slice(), p.force_cache),
            ("dl", &b"a : b"[..], false)
        );
        let p = parse_named_list(b"_cache  = y", ListKind::Domain, 0, none).unwrap();
        assert_eq!(
            (p.name.as_str(), p.value.as_slice(), p.force_cache),
            ("", &b"y"[..], true)
        );
        let p = parse_named_list(b" h= \"q\\tx\"", ListKind::Host, 0, none).unwrap();
        assert_eq!(p.value, b"q\tx");
        let errs: &[(&[u8], &str)] = &[
            (b"foo = 1", "unrecognized configuration line"),
            (b"", "unrecognized configuration line"),
            (b" d1 x", "missing '=' after \"d1\""),
            (
                b" h2 = \"a\"b",
                "extra characters follow string value for h2",
            ),
        ];
        for (line, msg) in errs {
            assert_eq!(
                parse_named_list(line, ListKind::Domain, 0, none)
                    .err()
                    .unwrap(),
                *msg,
                "{}",
                text(line)
            );
        }
        assert_eq!(
            parse_named_list(b" d1 = z", ListKind::Domain, 0, |n| n == "d1")
                .err()
                .unwrap(),
            "duplicate name \"d1\" for a named domain list"
        );
    }
}
