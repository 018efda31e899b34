//! The `exim -be` input reader (exim.c 4.96 `get_stdinput` and
//! `expansion_test_line`), without readline.
//!
//! Reading a logical line:
//!
//! * physical lines are read with `fgets()` into a 1024-byte buffer, so a longer
//!   line arrives as several pieces of at most 1023 bytes, each handled like a
//!   line of its own; a NUL byte ends a piece (the rest of it is lost);
//! * trailing white space (including CR/LF) is removed;
//! * a piece that then ends in `\` continues: the `\` is dropped, the next piece
//!   has its leading white space removed and is appended; a piece that is empty
//!   after stripping ends the logical line; leading white space of the first
//!   piece is kept.
//!
//! Handling a logical line:
//!
//! * it is copied into the 16384-byte `big_buffer` (so cut to 16383 bytes);
//! * macros are substituted ([`expand_macros`]);
//! * if the result starts with an upper-case letter it is a macro definition:
//!   Exim prints `Defined macro 'NAME'` where NAME is the most recently *created*
//!   macro, or writes a configuration error to stderr and nothing to stdout;
//! * anything else is expanded and printed by the caller (`> result`, or
//!   `> Failed: message`).
//!
//! Output framing, for the caller: Exim writes the prompt `> ` (no newline)
//! before reading each logical line, and a lone `\n` when input ends.  An error
//! goes to stderr as `YYYY-MM-DD HH:MM:SS ` followed by the error's `Display`
//! text and a newline.

use std::io::{BufRead, ErrorKind};

use super::macros::{MacroError, MacroTable, expand_macros_cow, is_space};
use super::{Config, ConfigError, ErrorStyle};
use std::borrow::Cow;

/// `fgets()` buffer size in `get_stdinput`.
pub const STDIN_BUFFER_SIZE: usize = 1024;

/// Exim's `big_buffer` size (`BIG_BUFFER_SIZE`).
pub const BIG_BUFFER_SIZE: usize = 16384;

/// What one logical `-be` input line amounts to.
///
/// ```
/// use exim_expand::config::{BeLine, BeReader, MacroTable};
/// let mut r = BeReader::new(&b"FOO\n"[..], MacroTable::with_exim_builtins());
/// let line = r.read_logical_line().unwrap();
/// let BeLine::Error(e) = r.process(&line) else { panic!("not an error") };
/// assert_eq!(e.message, "malformed macro definition");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BeLine {
    /// Expand this (already macro-substituted) text and print the result.
    Expand(Vec<u8>),
    /// A macro was defined; print `Defined macro 'NAME'`.
    Defined(String),
    /// A bad macro definition; Exim prints the error on stderr and nothing on stdout.
    Error(ConfigError),
}

/// Reads `-be` input and tracks the macro table.
///
/// ```
/// use exim_expand::config::{BeLine, BeReader, MacroTable};
/// // What `exim -be` reads: "Defined macro 'GREETING'", then "> hello world".
/// let input = &b"GREETING = hello\nGREETING \\\n   world\n"[..];
/// let mut r = BeReader::new(input, MacroTable::with_exim_builtins());
/// let line = r.read_logical_line().unwrap();
/// assert_eq!(r.process(&line), BeLine::Defined("GREETING".into()));
/// let line = r.read_logical_line().unwrap();
/// assert_eq!(r.process(&line), BeLine::Expand(b"hello world".to_vec()));
/// assert!(r.read_logical_line().is_none());
/// ```
pub struct BeReader<R: BufRead> {
    input: R,
    /// The `fgets()` buffer, reused from piece to piece.
    piece: Vec<u8>,
    macros: MacroTable,
    location: Option<(String, usize)>,
    eof: bool,
}

impl<R: BufRead> BeReader<R> {
    /// A reader with this macro table (normally the configuration's, which
    /// includes the built-ins and `-D` macros).
    pub fn new(input: R, macros: MacroTable) -> BeReader<R> {
        BeReader {
            input,
            piece: Vec::with_capacity(STDIN_BUFFER_SIZE),
            macros,
            location: None,
            eof: false,
        }
    }

    /// A reader using a configuration's macros; errors are located where Exim
    /// locates them (the end of the main configuration file).
    pub fn with_config(input: R, config: &Config) -> BeReader<R> {
        let mut r = BeReader::new(input, config.macro_table().clone());
        let (file, line) = config.end_location();
        r.set_error_location(file, line);
        r
    }

    /// Set the "in line N of FILE" used for `malformed macro definition` errors.
    pub fn set_error_location(&mut self, file: &str, line: usize) {
        self.location = Some((file.to_string(), line));
    }

    /// The current macro table.
    pub fn macros(&self) -> &MacroTable {
        &self.macros
    }

    /// The current macro table, mutable.
    pub fn macros_mut(&mut self) -> &mut MacroTable {
        &mut self.macros
    }

    /// Give back the input.
    pub fn into_inner(self) -> R {
        self.input
    }

    /// One `fgets()` into a 1024-byte buffer: up to 1023 bytes, stopping after a
    /// newline; cut at the first NUL, into `self.piece`.  False at end of
    /// input (read errors count as end of input, as for `fgets`).
    fn fgets(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let piece = &mut self.piece;
        piece.clear();
        while piece.len() < STDIN_BUFFER_SIZE - 1 {
            let avail = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.eof = true;
                    break;
                }
            };
            if avail.is_empty() {
                self.eof = true;
                break;
            }
            let room = STDIN_BUFFER_SIZE - 1 - piece.len();
            let take = avail.len().min(room);
            let (n, newline) = match memchr::memchr(b'\n', &avail[..take]) {
                Some(p) => (p + 1, true),
                None => (take, false),
            };
            piece.extend_from_slice(&avail[..n]);
            self.input.consume(n);
            if newline {
                break;
            }
        }
        if piece.is_empty() {
            return false;
        }
        if let Some(nul) = memchr::memchr(0, piece) {
            piece.truncate(nul);
        }
        true
    }

    /// Read one logical line (`get_stdinput`).  `None` at end of input.
    pub fn read_logical_line(&mut self) -> Option<Vec<u8>> {
        let mut line: Vec<u8> = Vec::new();
        let mut had_input = false;
        let mut first = true;
        while self.fgets() {
            let piece = &self.piece;
            had_input = true;
            let mut end = piece.len();
            while end > 0 && is_space(piece[end - 1]) {
                end -= 1;
            }
            let mut start = 0;
            if !first {
                while start < end && is_space(piece[start]) {
                    start += 1;
                }
            }
            first = false;
            let continued = start < end && piece[end - 1] == b'\\';
            // `process` keeps only the first BIG_BUFFER_SIZE - 1 bytes: an endless
            // continuation must not grow the line without bound.
            if line.len() < BIG_BUFFER_SIZE {
                line.extend_from_slice(&piece[start..end]);
                if continued {
                    line.pop();
                }
            }
            if !continued {
                break;
            }
        }
        had_input.then_some(line)
    }

    /// Handle one logical line (`expansion_test_line` up to the expansion).
    pub fn process(&mut self, line: &[u8]) -> BeLine {
        self.process_owned(line.to_vec())
    }

    /// [`BeReader::process`] of a line the reader may keep: one that no
    /// macro changes becomes the result without a copy.
    fn process_owned(&mut self, mut line: Vec<u8>) -> BeLine {
        line.truncate(BIG_BUFFER_SIZE - 1);
        let buf = match expand_macros_cow(&line, self.macros.as_slice(), true) {
            Ok((Cow::Borrowed(kept), _)) => {
                let n = kept.len();
                line.truncate(n);
                line
            }
            Ok((Cow::Owned(changed), _)) => changed,
            Err(e) => return BeLine::Error(self.macro_error(e)),
        };
        if !buf.first().is_some_and(u8::is_ascii_uppercase) {
            return BeLine::Expand(buf);
        }
        match self.macros.read_assignment(&buf) {
            Ok(_) => BeLine::Defined(self.macros.last_created().unwrap_or_default().to_string()),
            Err(e) => BeLine::Error(self.macro_error(e)),
        }
    }

    fn macro_error(&self, e: MacroError) -> ConfigError {
        let (file, line) = self.location.clone().unwrap_or_default();
        let style = match (&self.location, e.with_location) {
            (Some(_), true) => ErrorStyle::InLine,
            _ => ErrorStyle::NoLocation,
        };
        ConfigError {
            file,
            line,
            message: e.message,
            style,
        }
    }
}

impl<R: BufRead> Iterator for BeReader<R> {
    type Item = BeLine;

    fn next(&mut self) -> Option<BeLine> {
        let line = self.read_logical_line()?;
        Some(self.process_owned(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<BeLine> {
        let mut r = BeReader::new(input, MacroTable::with_exim_builtins());
        r.set_error_location("/work/shared/conformance/fixtures/conf/min.conf", 1);
        r.collect()
    }

    fn show(lines: &[BeLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l {
                BeLine::Expand(b) => format!("E:{}", String::from_utf8_lossy(b)),
                BeLine::Defined(n) => format!("D:{n}"),
                BeLine::Error(e) => format!("X:{e}"),
            })
            .collect()
    }

    /// (stdin, lines as exim -be treats them); `E:` = expanded text that exim
    /// printed for these plain-text inputs, `D:` = "Defined macro", `X:` = stderr.
    #[test]
    fn be_sessions() {
        let cases: &[(&str, &[&str])] = &[
            ("FOO = bar\nxFOOx\n", &["D:FOO", "E:xbarx"]),
            ("FOO=BAR\n${lc:FOO}\n", &["D:FOO", "E:${lc:BAR}"]),
            (
                "FOO = a\nBAR = b\nFOO == c\nFOO BAR\n",
                &["D:FOO", "D:BAR", "D:BAR", "E:c b"],
            ),
            (
                "FOObar = a\nFOO = b\nFOObar FOO\n",
                &["D:FOObar", "D:FOO", "E:a b"],
            ),
            (
                "FOO = b\nFOObar = a\nFOObar FOO\n",
                &[
                    "D:FOO",
                    "X:Exim configuration error:\n  \"FOObar\" cannot be defined as a macro because previously defined macro \"FOO\" is a substring",
                    "E:bbar b",
                ],
            ),
            (
                "foo = x\n FOO = x\nFOO x\n",
                &[
                    "E:foo = x",
                    "E: FOO = x",
                    "X:Exim configuration error in line 1 of /work/shared/conformance/fixtures/conf/min.conf:\n  malformed macro definition",
                ],
            ),
            ("X = _HAVE_SRS\nX Y\n", &["D:X", "E:y Y"]),
            (
                "x _HAVE_SRS y\nx_HAVE_SRS\n_NOSUCH_MACRO\n",
                &["E:x y y", "E:xy", "E:_NOSUCH_MACRO"],
            ),
            // Continuations: leading space of the first line kept, of later ones removed.
            ("  a \\\n   b\\\n c  \n", &["E:  a bc"]),
            // An empty physical line ends a continuation.
            ("a\\\n\nb\n", &["E:a", "E:b"]),
            ("a\\\n   \nb\n", &["E:a", "E:b"]),
            // EOF inside a continuation.
            ("a\\", &["E:a"]),
            ("\n   \n", &["E:", "E:"]),
            ("a\r\n", &["E:a"]),
        ];
        for (input, want) in cases {
            assert_eq!(show(&run(input.as_bytes())), *want, "{input:?}");
        }
    }

    /// Lengths of the outputs exim printed for long lines (checked with exim -be).
    #[test]
    fn fgets_pieces() {
        let cases: &[(usize, &[usize])] = &[
            (1022, &[1022, 1]),
            (1023, &[1023, 0, 1]),
            (1024, &[1023, 1, 1]),
            (1025, &[1023, 2, 1]),
            (2046, &[1023, 1023, 0, 1]),
            (2047, &[1023, 1023, 1, 1]),
        ];
        for (n, want) in cases {
            let mut input = vec![b'a'; *n];
            input.extend_from_slice(b"\nb\n");
            let got: Vec<usize> = run(&input)
                .iter()
                .map(|l| match l {
                    BeLine::Expand(b) => b.len(),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(got, *want, "{n}");
        }
        // 20 continued pieces of 1000 bytes: cut to 16383.
        let mut input = Vec::new();
        for _ in 0..20 {
            input.extend(std::iter::repeat_n(b'x', 1000));
            input.extend_from_slice(b"\\\n");
        }
        input.extend_from_slice(b"END\n");
        match &run(&input)[..] {
            [BeLine::Expand(b)] => assert_eq!(b.len(), 16383),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn eight_bit_round_trip() {
        let input = b"caf\xe9 \xff\xfe FOO\n";
        let mut r = BeReader::new(&input[..], MacroTable::with_exim_builtins());
        r.macros_mut().read_assignment(b"FOO = \x80\x81").unwrap();
        assert_eq!(
            r.next(),
            Some(BeLine::Expand(b"caf\xe9 \xff\xfe \x80\x81".to_vec()))
        );
        assert_eq!(r.next(), None);
    }

    #[test]
    fn nul_ends_a_piece() {
        assert_eq!(show(&run(b"ab\0cd\nef\n")), ["E:ab", "E:ef"]);
    }

    /// The conformance corpus's REPL cases whose expression is plain text (no
    /// expansion needed): the printed output is the macro-substituted line.
    #[test]
    fn corpus_repl_plain_text_cases() {
        let Some(path) = crate::testutil::shared_or_skip(
            "conformance/repl.jsonl",
            "corpus_repl_plain_text_cases",
        ) else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let mut checked = 0;
        for line in text.lines() {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let expr = case["expr"].as_str().unwrap();
            if expr.contains(['$', '{', '\\']) || case["config"].is_string() {
                continue;
            }
            let mut macros = MacroTable::with_exim_builtins();
            for arg in case["argv"].as_array().into_iter().flatten() {
                let arg = arg.as_str().unwrap();
                if let Some(d) = arg.strip_prefix("-D") {
                    macros.define_command_line(d.as_bytes()).unwrap();
                }
            }
            let mut input = String::new();
            for l in case["setup"].as_array().into_iter().flatten() {
                input.push_str(l.as_str().unwrap());
                input.push('\n');
            }
            input.push_str(expr);
            input.push('\n');
            let r = BeReader::new(input.as_bytes(), macros);
            let last = r.last().unwrap();
            assert_eq!(
                last,
                BeLine::Expand(case["out"].as_str().unwrap().as_bytes().to_vec()),
                "{line}"
            );
            checked += 1;
        }
        assert!(checked >= 8, "only {checked} cases");
    }

    #[test]
    fn command_line_macros() {
        let mut t = MacroTable::with_exim_builtins();
        t.define_command_line(b"FOO=x").unwrap();
        t.define_command_line(b"BAR=y").unwrap();
        let r = BeReader::new(&b"FOO = y\nFOO\nFOO == z\nFOO BAR\nQ = 1\nFOO = 2\n"[..], t);
        assert_eq!(
            show(&r.collect::<Vec<_>>()),
            ["D:BAR", "E:x", "D:BAR", "E:x y", "D:Q", "D:Q"]
        );
    }
}
