//! Domain names: parsed from presentation form (zone files, queries),
//! compared case-insensitively, and printed as the C library's
//! `dn_expand` prints them (what Exim sees).

use std::fmt;

/// The longest label, in bytes (RFC 1035 2.3.4).
const MAX_LABEL: usize = 63;
/// The longest name in wire form, root label included.
const MAX_WIRE: usize = 255;

/// An absolute domain name: its labels from the leftmost, without the
/// root's empty label, spelled as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Name {
    labels: Vec<Vec<u8>>,
}

/// A name with its labels folded to lower case: equal for names that DNS
/// treats as the same.
pub(crate) type Key = Vec<Vec<u8>>;

impl Name {
    /// The root.
    pub(crate) fn root() -> Name {
        Name { labels: Vec::new() }
    }

    /// A name from labels (leftmost first); an error when a label is
    /// empty or too long, or the name is too long.
    pub(crate) fn from_labels(labels: Vec<Vec<u8>>) -> Result<Name, String> {
        let name = Name { labels };
        name.check()?;
        Ok(name)
    }

    /// Parses `text` (escapes `\X` and `\DDD` allowed); a name without
    /// its final dot is relative to `origin`, or absolute when `origin` is
    /// `None`.  `.` alone is the root.
    pub(crate) fn parse(text: &[u8], origin: Option<&Name>) -> Result<Name, String> {
        if text.is_empty() {
            return Err("empty name".into());
        }
        if text == b"." {
            return Ok(Name::root());
        }
        let (labels, absolute) = split_labels(text)?;
        let mut name = Name { labels };
        if let (false, Some(origin)) = (absolute, origin) {
            name.labels.extend(origin.labels.iter().cloned());
        }
        name.check()
            .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(text)))?;
        Ok(name)
    }

    /// Parses a name as asked in a query: absolute, final dot optional,
    /// the empty name is the root.
    pub(crate) fn parse_query(text: &[u8]) -> Result<Name, String> {
        if text.is_empty() {
            return Ok(Name::root());
        }
        Name::parse(text, None)
    }

    fn check(&self) -> Result<(), String> {
        let mut wire = 1;
        for label in &self.labels {
            if label.is_empty() {
                return Err("empty label".into());
            }
            if label.len() > MAX_LABEL {
                return Err(format!("label longer than {MAX_LABEL} bytes"));
            }
            wire += label.len() + 1;
        }
        if wire > MAX_WIRE {
            return Err(format!("name longer than {MAX_WIRE} bytes"));
        }
        Ok(())
    }

    /// The labels, leftmost first.
    pub(crate) fn labels(&self) -> &[Vec<u8>] {
        &self.labels
    }

    /// The name folded to lower case, for comparing.
    pub(crate) fn key(&self) -> Key {
        self.labels.iter().map(|l| l.to_ascii_lowercase()).collect()
    }

    /// Whether this name is `other` or below it (case-insensitively).
    pub(crate) fn is_within(&self, other: &Name) -> bool {
        let (n, o) = (self.labels.len(), other.labels.len());
        n >= o
            && self.labels[n - o..]
                .iter()
                .zip(&other.labels)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// The name in presentation form without the final dot, as glibc's
    /// `dn_expand` writes it: `.` for the root, `\X` for the specials
    /// `."();\@$`, `\DDD` for bytes outside `!`..`~`.
    pub(crate) fn to_presentation(&self) -> Vec<u8> {
        if self.labels.is_empty() {
            return b".".to_vec();
        }
        let mut out = Vec::new();
        for (i, label) in self.labels.iter().enumerate() {
            if i > 0 {
                out.push(b'.');
            }
            for &b in label {
                escape_into(&mut out, b);
            }
        }
        out
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_presentation()))
    }
}

fn escape_into(out: &mut Vec<u8>, b: u8) {
    match b {
        b'.' | b'"' | b'(' | b')' | b';' | b'\\' | b'@' | b'$' => out.extend([b'\\', b]),
        0x21..=0x7e => out.push(b),
        _ => out.extend(format!("\\{b:03}").bytes()),
    }
}

/// Splits presentation text into unescaped labels; `true` when the text
/// ended with an unescaped dot (an absolute name).
fn split_labels(text: &[u8]) -> Result<(Vec<Vec<u8>>, bool), String> {
    let mut labels = Vec::new();
    let mut label = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\\' => {
                let (byte, used) = unescape(&text[i + 1..])?;
                label.push(byte);
                i += 1 + used;
                continue;
            }
            b'.' => {
                if label.is_empty() {
                    return Err(format!("empty label in {}", String::from_utf8_lossy(text)));
                }
                labels.push(std::mem::take(&mut label));
            }
            b => label.push(b),
        }
        i += 1;
    }
    let absolute = label.is_empty();
    if !absolute {
        labels.push(label);
    }
    Ok((labels, absolute))
}

/// The byte an escape stands for, given the text after its backslash:
/// `\DDD` (decimal, at most 255) or `\X`; with how many bytes it used.
pub(crate) fn unescape(after: &[u8]) -> Result<(u8, usize), String> {
    match after {
        [] => Err("backslash at the end".into()),
        [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            let v = u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0');
            u8::try_from(v)
                .map(|v| (v, 3))
                .map_err(|_| format!("escape \\{v} is above 255"))
        }
        [d, ..] if d.is_ascii_digit() => Err("\\DDD escape needs three digits".into()),
        [x, ..] => Ok((*x, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Name {
        Name::parse(text.as_bytes(), None).unwrap()
    }

    #[test]
    fn relative_and_absolute() {
        let origin = n("example.test.");
        let rel = Name::parse(b"www", Some(&origin)).unwrap();
        assert_eq!(rel.to_string(), "www.example.test");
        let abs = Name::parse(b"mx.other.test.", Some(&origin)).unwrap();
        assert_eq!(abs.to_string(), "mx.other.test");
        assert_eq!(Name::parse(b".", Some(&origin)).unwrap(), Name::root());
        assert_eq!(Name::root().to_string(), ".");
    }

    #[test]
    fn escapes_round_trip() {
        let name = n("a\\.b.c\\032d\\\\.test");
        assert_eq!(name.labels()[0], b"a.b");
        assert_eq!(name.labels()[1], b"c d\\");
        assert_eq!(name.to_string(), "a\\.b.c\\032d\\\\.test");
        assert!(Name::parse(b"a\\256", None).is_err());
        assert!(Name::parse(b"a\\25", None).is_err());
    }

    #[test]
    fn limits() {
        assert!(Name::parse(b"a..b", None).is_err());
        assert!(Name::parse("x".repeat(64).as_bytes(), None).is_err());
        assert!(Name::parse("x".repeat(63).as_bytes(), None).is_ok());
        let long = vec!["abcdefghi"; 26].join(".");
        assert!(Name::parse(long.as_bytes(), None).is_err());
    }

    #[test]
    fn case_insensitive_comparisons() {
        assert_eq!(n("WWW.Example.TEST").key(), n("www.example.test").key());
        assert!(n("a.B.example.test").is_within(&n("b.EXAMPLE.test")));
        assert!(!n("example.test").is_within(&n("a.example.test")));
        assert!(n("x.test").is_within(&Name::root()));
    }
}
