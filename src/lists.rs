//! Exim lists: `a:b:c`, `<; a;b`, doubled separators, empty elements.
//! Follows `string_nextinlist`: a list may start with `<X` (X punctuation
//! or a control character) to change the separator; a doubled separator is
//! a literal one (not for control characters); elements are trimmed.

pub use crate::sys::is_space;
use std::borrow::Cow;

fn is_sep_char(c: u8) -> bool {
    c.is_ascii_punctuation() || c.is_ascii_control()
}

/// Iterates over the elements of a list.
pub struct ListIter<'a> {
    s: &'a [u8],
    pos: usize,
    sep: u8,
}

impl<'a> ListIter<'a> {
    /// A list with a separator chosen by its text (`<X` or `:`).
    pub fn new(s: &'a [u8]) -> ListIter<'a> {
        ListIter::with_default_sep(s, b':')
    }

    /// A list whose separator is `default` unless its text starts `<X`
    /// (as manualroute's `route_list`, `;` by default).
    pub fn with_default_sep(s: &'a [u8], default: u8) -> ListIter<'a> {
        let mut pos = 0;
        while pos < s.len() && is_space(s[pos]) && s[pos] != default {
            pos += 1;
        }
        let mut sep = default;
        if s.get(pos) == Some(&b'<') && pos + 1 == s.len() {
            // `<` at the very end: Exim takes the terminating NUL as the
            // separator, and the list is empty.
            return ListIter {
                s,
                pos: s.len(),
                sep: 0,
            };
        }
        if s.get(pos) == Some(&b'<') && s.get(pos + 1).is_some_and(|&c| is_sep_char(c)) {
            sep = s[pos + 1];
            pos += 2;
            while pos < s.len() && is_space(s[pos]) && s[pos] != sep {
                pos += 1;
            }
        }
        ListIter { s, pos, sep }
    }

    /// A list with a fixed separator.
    pub fn with_sep(s: &'a [u8], sep: u8) -> ListIter<'a> {
        ListIter { s, pos: 0, sep }
    }

    pub fn separator(&self) -> u8 {
        self.sep
    }
}

impl<'a> ListIter<'a> {
    /// The next element, borrowed from the list unless a doubled separator
    /// had to be undone (then the element is built).
    pub fn next_cow(&mut self) -> Option<Cow<'a, [u8]>> {
        let s = self.s;
        let sep = self.sep;
        let special = sep.is_ascii_control();
        let mut p = self.pos;
        while p < s.len() && is_space(s[p]) && s[p] != sep {
            p += 1;
        }
        if p >= s.len() {
            self.pos = p;
            return None;
        }
        if s[p] == sep {
            p += 1;
            if s.get(p) != Some(&sep) || special {
                self.pos = p;
                return Some(Cow::Borrowed(&[]));
            }
        }
        // The element is one run of the list, or (after a doubled
        // separator) several runs joined.
        let mut out: Cow<'a, [u8]> = Cow::Borrowed(&[]);
        loop {
            let start = p;
            p += 1;
            while p < s.len() && s[p] != sep {
                p += 1;
            }
            let run = &s[start..p];
            match &mut out {
                Cow::Borrowed([]) => out = Cow::Borrowed(run),
                _ => out.to_mut().extend_from_slice(run),
            }
            if p >= s.len() {
                break;
            }
            p += 1;
            if s.get(p) != Some(&sep) || special {
                break;
            }
        }
        let mut n = out.len();
        while n > 0 && is_space(out[n - 1]) && (n == 1 || out[n - 2] != b'\\') {
            n -= 1;
        }
        match &mut out {
            Cow::Borrowed(b) => *b = &b[..n],
            Cow::Owned(v) => v.truncate(n),
        }
        self.pos = p;
        Some(out)
    }
}

impl Iterator for ListIter<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        self.next_cow().map(Cow::into_owned)
    }
}

/// All elements of a list.
pub fn split(s: &[u8]) -> Vec<Vec<u8>> {
    ListIter::new(s).collect()
}

/// 4 or 6 for an IP address (Exim's `string_is_ip_address`), else 0.
pub fn ip_version(s: &[u8]) -> u8 {
    crate::ip::is_ip_address(s)
}

/// Exim's `dewrap`: after white space, `open`,
/// then everything up to the matching `close` (nesting counted unless both
/// are the same character, a backslash skips the next character); what
/// follows is ignored.  On failure, the character that was missing.
pub fn dewrap(s: &[u8], open: u8, close: u8) -> Result<&[u8], u8> {
    let quotes = open == close;
    let mut p = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    if s.get(p) != Some(&open) {
        return Err(open);
    }
    p += 1;
    let start = p;
    let mut depth = 0u32;
    while p < s.len() {
        let c = s[p];
        if c == b'\\' {
            p += 1;
        } else if !quotes && c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return Ok(&s[start..p]);
            }
            depth -= 1;
        }
        p += 1;
    }
    Err(close)
}

/// Exim 4.96's `json_nextinlist`: the next element up to a comma outside
/// brackets and braces (quotes are not respected); `None` at the end or at
/// an empty element.
pub fn json_next<'a>(list: &mut &'a [u8]) -> Option<&'a [u8]> {
    let s = *list;
    let mut p = s.iter().position(|&c| !is_space(c)).unwrap_or(s.len());
    let start = p;
    let (mut arrays, mut objects) = (0u32, 0u32);
    while p < s.len() && (s[p] != b',' || arrays != 0 || objects != 0) {
        match s[p] {
            b'[' => arrays = arrays.wrapping_add(1),
            b']' => arrays = arrays.wrapping_sub(1),
            b'{' => objects = objects.wrapping_add(1),
            b'}' => objects = objects.wrapping_sub(1),
            _ => {}
        }
        p += 1;
    }
    *list = if p < s.len() { &s[p + 1..] } else { &s[p..] };
    if p == start { None } else { Some(&s[start..p]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        split(s.as_bytes())
            .iter()
            .map(|e| format!("[{}]", String::from_utf8_lossy(e)))
            .collect()
    }

    #[test]
    fn elements_follow_string_nextinlist() {
        let cases = [
            ("", ""),
            ("a:b:c", "[a][b][c]"),
            ("a::b", "[a:b]"),
            ("a: :b", "[a][][b]"),
            ("a:b:", "[a][b]"),
            (":a", "[][a]"),
            ("::", "[:]"),
            (":", "[]"),
            ("<;a;b", "[a][b]"),
            ("<, a,b", "[a][b]"),
            ("< ,a,b", "[< ,a,b]"),
            ("<\ta\tb", "[a][b]"),
            ("<;", ""),
            ("  a  :  b  ", "[a][b]"),
        ];
        for (input, want) in cases {
            assert_eq!(show(input), want, "list {input:?}");
        }
    }

    #[test]
    fn ip_versions() {
        assert_eq!(ip_version(b"1.2.3.4"), 4);
        assert_eq!(ip_version(b"01.2.3.4"), 0);
        assert_eq!(ip_version(b"::ffff:1.2.3.4"), 6);
        assert_eq!(ip_version(b"fe80::1%eth0"), 6);
        assert_eq!(ip_version(b"[::1]"), 0);
    }
}
