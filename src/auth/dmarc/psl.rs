//! The public suffix list as libopendmarc 1.3 reads `dmarc_tld_file`
//! and finds a domain's organizational domain (`opendmarc_get_tld`).
//!
//! libopendmarc takes each line that is not a `//` comment literally:
//! the wildcard (`*.ck`) and exception (`!www.ck`) rules of the list are
//! kept as they are written, so they never match a real name.  A
//! domain's organizational domain is the longest suffix in the list plus
//! one label; a domain under no suffix in the list is its own.

use std::collections::HashSet;

/// The suffixes of a `dmarc_tld_file`.
///
/// ```
/// use exim_expand::auth::dmarc::PublicSuffixList;
/// let psl = PublicSuffixList::parse(b"// comment\ncom\nco.uk\nuk\n");
/// assert_eq!(psl.organizational_domain(b"a.b.example.co.uk"), b"example.co.uk");
/// assert_eq!(psl.organizational_domain(b"mail.example.com"), b"example.com");
/// assert_eq!(psl.organizational_domain(b"example.test"), b"example.test");
/// ```
#[derive(Debug, Clone, Default)]
pub struct PublicSuffixList {
    suffixes: HashSet<Vec<u8>>,
}

/// Exim reads the file itself: a list longer than this is refused.
const MAX_FILE: usize = 64 << 20;

impl PublicSuffixList {
    /// Reads the list's text.
    pub fn parse(text: &[u8]) -> PublicSuffixList {
        let mut suffixes = HashSet::new();
        for raw in text.split(|&c| c == b'\n') {
            let line = raw.split(|&c| c == b'\r').next().unwrap_or_default();
            if line.is_empty() {
                continue;
            }
            let entry = if line.starts_with(b"//") {
                // libopendmarc takes an xn-- name out of a comment line.
                match find(line, b"xn-") {
                    Some(i) => {
                        let rest = &line[i..];
                        let end = rest
                            .iter()
                            .position(u8::is_ascii_whitespace)
                            .unwrap_or(rest.len());
                        &rest[..end]
                    }
                    None => continue,
                }
            } else {
                line
            };
            if let Some(name) = normalize(entry) {
                suffixes.insert(name.to_vec());
            }
        }
        PublicSuffixList { suffixes }
    }

    /// Reads `dmarc_tld_file`.
    pub fn read(path: &std::path::Path) -> std::io::Result<PublicSuffixList> {
        let meta = std::fs::metadata(path)?;
        if meta.len() > MAX_FILE as u64 {
            return Err(std::io::Error::other("file too large"));
        }
        Ok(PublicSuffixList::parse(&std::fs::read(path)?))
    }

    /// The organizational domain of `domain`: the longest listed suffix
    /// and the label before it (or the domain itself).
    pub fn organizational_domain(&self, domain: &[u8]) -> Vec<u8> {
        let Some(name) = normalize(domain) else {
            return domain.to_vec();
        };
        let labels: Vec<&[u8]> = name.split(|&c| c == b'.').collect();
        // From the longest proper suffix to the shortest.
        for start in 1..labels.len() {
            if self.suffixes.contains(&labels[start..].join(&b'.')) {
                return labels[start - 1..].join(&b'.');
            }
        }
        // A listed single-label domain names itself.
        name.to_vec()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A name without the leading and trailing dots libopendmarc strips.
fn normalize(name: &[u8]) -> Option<&[u8]> {
    let start = name.iter().position(|&c| c != b'.')?;
    let end = name.iter().rposition(|&c| c != b'.')? + 1;
    Some(&name[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizational_domains() {
        let psl =
            PublicSuffixList::parse(b"com\nuk\nco.uk\n*.ck\n!www.ck\n// xn--p1ai some comment\n\n");
        let rows: &[(&str, &str)] = &[
            ("example.com", "example.com"),
            ("a.b.example.com", "example.com"),
            ("MAIL.Example.COM", "MAIL.Example.COM"),
            ("x.example.co.uk", "example.co.uk"),
            ("co.uk", "co.uk"),
            ("com", "com"),
            ("www.ck", "www.ck"),
            ("a.b.ck", "a.b.ck"),
            ("test.xn--p1ai", "test.xn--p1ai"),
            ("sub.test.xn--p1ai", "test.xn--p1ai"),
            ("unlisted.test", "unlisted.test"),
            ("example.com.", "example.com"),
        ];
        for &(d, want) in rows {
            assert_eq!(
                String::from_utf8_lossy(&psl.organizational_domain(d.as_bytes())),
                want,
                "{d}"
            );
        }
    }
}
