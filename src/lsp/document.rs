//! One open document: its text, what it holds (a configuration or a file
//! of expansions), and the conversion between the client's positions
//! (line and UTF-16 code unit, as LSP counts) and byte offsets.

use lsp_types::{Position, Range};

/// What a document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// An Exim configuration file.
    Config,
    /// One expansion string per line (`.exim`), as `check --file` reads.
    Expansions,
}

impl DocKind {
    /// A `.exim` file holds expansions; anything else is a configuration.
    pub fn of_path(path: &str) -> DocKind {
        if path.ends_with(".exim") {
            DocKind::Expansions
        } else {
            DocKind::Config
        }
    }
}

/// The text of an open document and where its lines start.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file the document is (from its `file:` URI).
    pub path: String,
    /// What it holds.
    pub kind: DocKind,
    /// Its text as the client last sent it.
    pub text: String,
    line_starts: Vec<usize>,
}

impl Document {
    /// A document of `text` at `path`.
    pub fn new(path: String, text: String) -> Document {
        let kind = DocKind::of_path(&path);
        let line_starts = line_starts(&text);
        Document {
            path,
            kind,
            text,
            line_starts,
        }
    }

    /// Line `n` (0-based) without its line ending; empty past the end.
    pub fn line(&self, n: usize) -> &str {
        line_of(&self.text, &self.line_starts, n)
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset, within its line, of a client position (clamped to
    /// the line).
    pub fn byte_in_line(&self, p: Position) -> usize {
        byte_of_utf16(self.line(p.line as usize), p.character as usize)
    }
}

/// Where each line of `text` starts.
impl Document {
    /// The section line `n` is in (`None`: the main section) and, in a
    /// driver section, the `driver =` of the instance holding the line,
    /// read from this document's text (an `.include`d section is not
    /// followed).
    pub fn section_at(&self, n: usize) -> (Option<String>, Option<String>) {
        let words = |l: &str| l.split_whitespace().map(String::from).collect::<Vec<_>>();
        let mut section = None;
        let mut instance_start = None;
        for i in (0..=n.min(self.line_count().saturating_sub(1))).rev() {
            let l = self.line(i).trim();
            if instance_start.is_none() && is_instance_header(l) {
                instance_start = Some(i);
            }
            let w = words(l);
            if w.len() == 2 && w[0] == "begin" {
                section = Some(w[1].clone());
                break;
            }
        }
        let Some(start) = instance_start.filter(|_| section.is_some()) else {
            return (section, None);
        };
        let driver = (start + 1..self.line_count())
            .map(|i| self.line(i).trim())
            .take_while(|l| !is_instance_header(l) && !l.starts_with("begin "))
            .find_map(|l| {
                let (name, value) = l.split_once('=')?;
                (name.trim() == "driver").then(|| value.trim().to_string())
            });
        (section, driver)
    }
}

/// `name:` on a line of its own: the start of a driver instance or ACL.
fn is_instance_header(l: &str) -> bool {
    l.strip_suffix(':').is_some_and(|n| {
        !n.is_empty()
            && n.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    })
}

pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

/// Line `n` of a text whose line starts are given, without `\n` or `\r\n`.
pub fn line_of<'t>(text: &'t str, starts: &[usize], n: usize) -> &'t str {
    let Some(&start) = starts.get(n) else {
        return "";
    };
    let end = starts.get(n + 1).map_or(text.len(), |&e| e - 1);
    let line = &text[start..end.max(start)];
    line.strip_suffix('\r').unwrap_or(line)
}

/// The UTF-16 length of the first `byte` bytes of `line` (clamped to a
/// character boundary).
pub fn utf16_of_byte(line: &str, byte: usize) -> u32 {
    let mut b = byte.min(line.len());
    while !line.is_char_boundary(b) {
        b -= 1;
    }
    line[..b].encode_utf16().count() as u32
}

/// The UTF-16 length of the first `chars` characters of `line`.
pub fn utf16_of_chars(line: &str, chars: usize) -> u32 {
    let extra = chars.saturating_sub(line.chars().count());
    line.chars()
        .take(chars)
        .map(|c| c.len_utf16() as u32)
        .sum::<u32>()
        + extra as u32
}

/// The byte offset in `line` of UTF-16 position `units` (the line's
/// length past its end).
pub fn byte_of_utf16(line: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in line.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    line.len()
}

/// A range on one line, from byte `start` to byte `end` of `line`.
pub fn range_in_line(line_no: usize, line: &str, start: usize, end: usize) -> Range {
    let n = line_no as u32;
    Range::new(
        Position::new(n, utf16_of_byte(line, start)),
        Position::new(n, utf16_of_byte(line, end.max(start))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let d = Document::new("x.conf".into(), "a = ñ𝄞b\r\nsecond\nthird".into());
        assert_eq!(d.line_count(), 3);
        assert_eq!(d.line(0), "a = ñ𝄞b");
        assert_eq!(d.line(2), "third");
        assert_eq!(d.line(9), "");
        // ñ is one unit and two bytes, 𝄞 two units and four bytes.
        assert_eq!(d.byte_in_line(Position::new(0, 5)), 6);
        assert_eq!(d.byte_in_line(Position::new(0, 7)), 10);
        assert_eq!(d.byte_in_line(Position::new(0, 99)), 11);
        assert_eq!(utf16_of_byte(d.line(0), 10), 7);
        assert_eq!(utf16_of_byte(d.line(0), 7), 5, "inside a character");
        assert_eq!(utf16_of_chars(d.line(0), 6), 7);
        assert_eq!(utf16_of_chars("ab", 4), 4, "past the end");
    }

    #[test]
    fn lines_know_their_section_and_driver() {
        let text = "qualify_domain = x\nbegin routers\nr1:\n  domains = a\n  driver = accept\n\
                    r2:\n  driver = redirect\n  data = b\nbegin transports\nt:\n  driver = smtp\n";
        let d = Document::new("x.conf".into(), text.into());
        let at = |n| {
            let (s, dr) = d.section_at(n);
            (s.unwrap_or_default(), dr.unwrap_or_default())
        };
        assert_eq!(at(0), (String::new(), String::new()));
        assert_eq!(
            at(3),
            ("routers".into(), "accept".into()),
            "driver = after the line"
        );
        assert_eq!(at(7), ("routers".into(), "redirect".into()));
        assert_eq!(at(10), ("transports".into(), "smtp".into()));
    }

    #[test]
    fn kinds_follow_the_file_name() {
        assert_eq!(DocKind::of_path("/x/tests.exim"), DocKind::Expansions);
        assert_eq!(DocKind::of_path("/etc/exim4/exim4.conf"), DocKind::Config);
    }
}
