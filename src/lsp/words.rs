//! The name under or before the cursor and what the text around it makes
//! of it: `$name` is a variable, `${name` an item or an operator (or a
//! braced variable), `+name` a named list, a word at the start of a line
//! followed by `=` an option, and so on.

/// A name in a line and its surroundings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'l> {
    /// The name.
    pub text: &'l str,
    /// Its byte range in the line.
    pub start: usize,
    pub end: usize,
    /// The line before it and after it.
    pub before: &'l str,
    pub after: &'l str,
}

/// What the surroundings say a name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `$name`
    Variable,
    /// `${name`: an item, an operator or a braced variable.
    Braced,
    /// `+name`
    NamedList,
    /// `name =` at the start of a line (after `hide`, if any).
    Option,
    /// Anything else: a condition, a lookup type, a macro, an ACL name.
    Plain,
}

use crate::config::macros::is_name_char as is_name_byte;

/// Where the name that ends at `byte` (kept inside the line) starts, and
/// `byte` so kept.
fn name_start(b: &[u8], byte: usize) -> (usize, usize) {
    let byte = byte.min(b.len());
    let start = b[..byte]
        .iter()
        .rposition(|&c| !is_name_byte(c))
        .map_or(0, |i| i + 1);
    (start, byte)
}

/// The name that `byte` is in or just after.
pub fn word_at(line: &str, byte: usize) -> Option<Word<'_>> {
    let b = line.as_bytes();
    let (start, byte) = name_start(b, byte);
    let end = byte + b[byte..].iter().take_while(|&&c| is_name_byte(c)).count();
    (start < end).then(|| Word {
        text: &line[start..end],
        start,
        end,
        before: &line[..start],
        after: &line[end..],
    })
}

/// The name being typed: from the last non-name byte before `byte` up
/// to `byte` (possibly empty).
pub fn word_before(line: &str, byte: usize) -> Word<'_> {
    let (start, byte) = name_start(line.as_bytes(), byte);
    Word {
        text: &line[start..byte],
        start,
        end: byte,
        before: &line[..start],
        after: &line[byte..],
    }
}

impl Word<'_> {
    /// What the text around the name makes it.
    pub fn role(&self) -> Role {
        if self.before.ends_with("${") {
            Role::Braced
        } else if self.before.ends_with('$') {
            Role::Variable
        } else if self.before.ends_with('+') {
            Role::NamedList
        } else if is_option_position(self.before) && self.after.trim_start().starts_with('=') {
            Role::Option
        } else {
            Role::Plain
        }
    }

    /// `${name:`, `${name_3:`, `${name_2_3:`: the name is an operator's.
    pub fn is_operator_like(&self) -> bool {
        self.after.starts_with(':')
    }
}

/// Is this what may come before an option's name on its line: white space,
/// and `hide` or `no_`/`not_` handled by the caller?
pub fn is_option_position(before: &str) -> bool {
    let t = before.trim();
    t.is_empty() || t == "hide"
}

/// The longest prefix of `name`, ending before a `_`, that `known`
/// accepts: `substr_2_3` is `substr`, `sha2_256` is `sha2`.
pub fn known_prefix(name: &str, known: impl Fn(&str) -> bool) -> Option<&str> {
    if known(name) {
        return Some(name);
    }
    name.rmatch_indices('_')
        .map(|(i, _)| &name[..i])
        .find(|p| known(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_text_around() {
        let cases = [
            (
                "x $primary_hostname y",
                5,
                "primary_hostname",
                Role::Variable,
            ),
            ("${lc:$x}", 3, "lc", Role::Braced),
            ("${primary_hostname}", 4, "primary_hostname", Role::Braced),
            (
                "domains = +local_domains",
                14,
                "local_domains",
                Role::NamedList,
            ),
            ("  qualify_domain = x", 4, "qualify_domain", Role::Option),
            ("hide mysql_servers = x", 7, "mysql_servers", Role::Option),
            ("${if eq{a}{b}}", 6, "eq", Role::Plain),
        ];
        for (line, at, text, role) in cases {
            let w = word_at(line, at).unwrap_or_else(|| panic!("{line}"));
            assert_eq!((w.text, w.role()), (text, role), "{line}");
        }
        assert_eq!(word_at("a = b", 2), None, "between words");
        assert_eq!(word_at("${lc", 4).unwrap().text, "lc", "just after");
    }

    #[test]
    fn typing_and_prefixes() {
        let w = word_before("x ${sub", 7);
        assert_eq!((w.text, w.role()), ("sub", Role::Braced));
        assert_eq!(word_before("x $", 3).text, "");
        let ops = ["substr", "sha2", "quote"];
        let known = |n: &str| ops.contains(&n);
        assert_eq!(known_prefix("substr_2_3", known), Some("substr"));
        assert_eq!(known_prefix("sha2_256", known), Some("sha2"));
        assert_eq!(
            known_prefix("quote_local_part", |n| n == "quote_local_part"),
            Some("quote_local_part")
        );
        assert_eq!(known_prefix("nosuch_1", known), None);
    }
}
