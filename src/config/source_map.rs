//! Where the bytes of a logical line came from.
//!
//! Exim joins continuation lines, drops the leading white space of each and
//! substitutes macros before it parses a line, so an offset into the text it
//! parses (and into an option's value) is not a column of the file.  The
//! reader records, for each physical line that went into a logical line, the
//! piece of the logical line it became; [`LineMap::locate`] turns an offset
//! back into the physical line and column.  Where a macro changed the line,
//! the bytes before and after the change map exactly and the bytes of the
//! replacement map to the macro's name, which [`Place::macro_name`] gives.

use std::sync::Arc;

use crate::sys::trim_end;

/// One physical line's part of a logical line.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Piece {
    /// Offset in the logical line of the piece's first byte.
    start: usize,
    /// Its length in the logical line.
    len: usize,
    /// The physical line's number in its file.
    line: usize,
    /// The physical line, without its newline.
    text: Vec<u8>,
    /// Where in `text` the piece starts (after the leading white space).
    col: usize,
    /// How many bytes at the start of the piece are the file's own bytes
    /// (all of them when no macro changed the line).
    head: usize,
    /// How many bytes at its end are.
    tail: usize,
    /// The macro whose name starts where the piece first differs from the
    /// file, if it differs.
    macro_name: Option<String>,
}

/// The map of one logical line: its file and a piece per physical line.
///
/// ```
/// use exim_expand::config::Config;
/// let text = "# comment\nsmtp_banner = ${if eq{a}{b}\\\n     {x}{y}}\n";
/// let c = Config::from_str(text, &[]).unwrap();
/// let o = c.option_setting("smtp_banner").unwrap();
/// // The `x` of `{x}` is on the file's third line, at the seventh character.
/// let at = o.value_bytes.iter().position(|&c| c == b'x').unwrap();
/// let place = o.origin.locate(at);
/// assert_eq!((place.line, place.column), (3, 7));
/// assert_eq!(place.text, b"     {x}{y}}");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineMap {
    file: Arc<str>,
    pieces: Vec<Piece>,
}

/// A position in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place<'m> {
    /// The file.
    pub file: &'m str,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 0-based column, in bytes, into [`Place::text`].
    pub byte_column: usize,
    /// The whole physical line (for an excerpt).
    pub text: &'m [u8],
    /// Set when the byte came from a macro's replacement: the macro's name
    /// (the position is then that of the name in the line).
    pub macro_name: Option<&'m str>,
}

impl LineMap {
    pub(crate) fn new(file: Arc<str>) -> LineMap {
        LineMap {
            file,
            pieces: Vec::new(),
        }
    }

    /// Records that `expanded` (a physical line after macro substitution,
    /// from its first non-blank byte on) was appended at `start` of the
    /// logical line; `physical` is the line as the file has it and
    /// `macros` names the macros that may have changed it.
    pub(crate) fn push(
        &mut self,
        start: usize,
        line: usize,
        physical: &[u8],
        expanded: &[u8],
        macros: &super::MacroTable,
    ) {
        let physical = trim_end(physical);
        let col = physical
            .iter()
            .position(|&c| !super::macros::is_space(c))
            .unwrap_or(physical.len());
        let own = &physical[col..];
        let expanded = trim_end(expanded);
        let (head, tail, macro_name) = if own == expanded {
            (own.len(), 0, None)
        } else {
            let head = common_prefix(own, expanded);
            let most = own.len().min(expanded.len()) - head;
            let tail = common_prefix_rev(own, expanded).min(most);
            (head, tail, macro_at(&own[head..], macros))
        };
        self.pieces.push(Piece {
            start,
            len: expanded.len(),
            line,
            text: physical.to_vec(),
            col,
            head,
            tail,
            macro_name,
        });
    }

    /// Cuts the map at `len`, the logical line's final length (trailing
    /// white space and a continuation backslash are dropped after a piece
    /// was recorded).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.pieces.retain(|p| p.start < len || p.start == 0);
        for p in &mut self.pieces {
            if p.start + p.len > len {
                let cut = p.start + p.len - len.max(p.start);
                p.len -= cut;
                p.head = p.head.min(p.len);
                p.tail = p.tail.saturating_sub(cut);
            }
        }
    }

    /// The file of the line.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The number of its last physical line (0 for an empty map).
    pub fn last_line(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.line)
    }

    /// Where the byte at `offset` of the logical line is in the file.  An
    /// offset at or past the end is placed just after the last byte.
    pub fn locate(&self, offset: usize) -> Place<'_> {
        let Some(last) = self.pieces.last() else {
            return Place {
                file: &self.file,
                line: 0,
                column: 1,
                byte_column: 0,
                text: b"",
                macro_name: None,
            };
        };
        let p = self
            .pieces
            .iter()
            .rev()
            .find(|p| p.start <= offset && (offset < p.start + p.len || p.len == 0))
            .unwrap_or(last);
        let rel = offset.saturating_sub(p.start);
        let own_len = p.text.len() - p.col;
        let (byte, macro_name) = if rel < p.head {
            (p.col + rel, None)
        } else if rel >= p.len {
            (p.text.len(), None)
        } else if p.len - rel <= p.tail {
            (p.col + own_len - (p.len - rel), None)
        } else {
            (p.col + p.head, p.macro_name.as_deref())
        };
        let byte = byte.min(p.text.len());
        let column = String::from_utf8_lossy(&p.text[..byte]).chars().count() + 1;
        Place {
            file: &self.file,
            line: p.line,
            column,
            byte_column: byte,
            text: &p.text,
            macro_name,
        }
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_prefix_rev(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The longest macro name that `text` starts with.
fn macro_at(text: &[u8], macros: &super::MacroTable) -> Option<String> {
    macros
        .as_slice()
        .iter()
        .filter(|m| text.starts_with(m.name.as_bytes()))
        .max_by_key(|m| m.name.len())
        .map(|m| m.name.clone())
}

/// Where a value of the configuration starts: its logical line's map and
/// the offset of its first byte in that line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The map of the logical line.
    pub map: Arc<LineMap>,
    /// The offset of the value in the logical line.
    pub offset: usize,
}

impl Origin {
    /// The origin of `value`, a part of `line` (the logical line `map`
    /// maps): found as the line's tail, else searched for, else (a value
    /// the reader rewrote, as a dequoted string) placed at the line's end
    /// minus the value's length.
    pub(crate) fn of(map: &Arc<LineMap>, line: &[u8], value: &[u8]) -> Origin {
        let offset = if line.ends_with(value) {
            line.len() - value.len()
        } else {
            memchr::memmem::find(line, value).unwrap_or(line.len().saturating_sub(value.len()))
        };
        Origin {
            map: map.clone(),
            offset,
        }
    }

    /// Where byte `at` of the value is in the file.
    pub fn locate(&self, at: usize) -> Place<'_> {
        self.map.locate(self.offset + at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MacroTable;

    /// (line, column, macro) of each offset of the logical line that the
    /// physical `lines` make, each given with its expanded form.
    fn places(lines: &[(&str, &str)], offsets: &[usize]) -> Vec<(usize, usize, Option<String>)> {
        let mut macros = MacroTable::with_exim_builtins();
        macros.read_assignment(b"DOM = example.org").unwrap();
        let mut map = LineMap::new(Arc::from("f"));
        let mut len = 0;
        for (i, (phys, exp)) in lines.iter().enumerate() {
            map.push(len, i + 1, phys.as_bytes(), exp.as_bytes(), &macros);
            len += exp.len();
        }
        offsets
            .iter()
            .map(|&o| {
                let p = map.locate(o);
                (p.line, p.column, p.macro_name.map(str::to_string))
            })
            .collect()
    }

    #[test]
    fn plain_and_continued_lines() {
        // "a = $x" then "  $y" joined: "a = $x$y".
        let got = places(
            &[("a = $x\n", "a = $x"), ("  $y\n", "$y")],
            &[0, 4, 6, 7, 8],
        );
        assert_eq!(
            got,
            [
                (1, 1, None),
                (1, 5, None),
                (2, 3, None),
                (2, 4, None),
                (2, 5, None)
            ]
        );
    }

    #[test]
    fn macro_replacements_map_to_the_macro_name() {
        // "x = DOM $y" became "x = example.org $y".
        let got = places(&[("x = DOM $y", "x = example.org $y")], &[2, 4, 10, 16, 17]);
        assert_eq!(
            got,
            [
                (1, 3, None),
                (1, 5, Some("DOM".to_string())),
                (1, 5, Some("DOM".to_string())),
                (1, 9, None),
                (1, 10, None),
            ]
        );
    }

    #[test]
    fn columns_count_characters() {
        let got = places(&[("é = ${x", "é = ${x")], &[6]);
        assert_eq!(got, [(1, 6, None)]);
    }
}
