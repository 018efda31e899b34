//! Splits a master file (RFC 1035 5.1) into entries: one per line, or
//! per parenthesised group of lines, without comments.

/// One word of an entry: escapes are kept (names and strings read them
/// differently); a quoted word is without its quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The bytes, backslash escapes included.
    pub(crate) text: Vec<u8>,
    /// Whether it was written in double quotes.
    pub(crate) quoted: bool,
}

/// One record or directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The line it starts on (from 1).
    pub(crate) line: usize,
    /// The line starts with white space: the owner is the previous one.
    pub(crate) blank_owner: bool,
    /// Its words.
    pub(crate) tokens: Vec<Token>,
}

/// A syntax error: its line and what is wrong.
pub(crate) type LexError = (usize, String);

/// The entries of `text`, or the first syntax error.
pub(crate) fn entries(text: &[u8]) -> Result<Vec<Entry>, LexError> {
    let mut lexer = Lexer {
        text,
        pos: 0,
        line: 1,
    };
    let mut out = Vec::new();
    while lexer.pos < text.len() {
        if let Some(entry) = lexer.entry()? {
            out.push(entry);
        }
    }
    Ok(out)
}

struct Lexer<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Reads up to the end of the entry that starts here (`None` for a
    /// line with nothing but blanks and comments).
    fn entry(&mut self) -> Result<Option<Entry>, LexError> {
        let line = self.line;
        let blank_owner = matches!(self.peek(), Some(b' ' | b'\t'));
        let mut tokens = Vec::new();
        let mut open: Option<usize> = None;
        loop {
            match self.peek() {
                None => {
                    if let Some(at) = open {
                        return Err((at, "'(' is never closed".into()));
                    }
                    break;
                }
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    if open.is_none() {
                        break;
                    }
                }
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b';') => self.skip_comment(),
                Some(b'(') => {
                    if open.is_some() {
                        return Err((self.line, "nested '('".into()));
                    }
                    open = Some(self.line);
                    self.pos += 1;
                }
                Some(b')') => {
                    if open.take().is_none() {
                        return Err((self.line, "')' without '('".into()));
                    }
                    self.pos += 1;
                }
                Some(b'"') => tokens.push(self.quoted()?),
                Some(_) => tokens.push(self.word()?),
            }
        }
        Ok((!tokens.is_empty()).then_some(Entry {
            line,
            blank_owner,
            tokens,
        }))
    }

    fn skip_comment(&mut self) {
        while self.peek().is_some_and(|b| b != b'\n') {
            self.pos += 1;
        }
    }

    /// A backslash and the byte after it (its escape is read later).
    fn escape(&mut self, into: &mut Vec<u8>) -> Result<(), LexError> {
        match self.text.get(self.pos + 1) {
            None | Some(b'\n') => Err((self.line, "backslash at the end of a line".into())),
            Some(&b) => {
                into.extend([b'\\', b]);
                self.pos += 2;
                Ok(())
            }
        }
    }

    fn quoted(&mut self) -> Result<Token, LexError> {
        let start = self.line;
        self.pos += 1;
        let mut text = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => {
                    return Err((start, "quoted string is not closed on its line".into()));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Token { text, quoted: true });
                }
                Some(b'\\') => self.escape(&mut text)?,
                Some(b) => {
                    text.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    fn word(&mut self) -> Result<Token, LexError> {
        let mut text = Vec::new();
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
                b'\\' => self.escape(&mut text)?,
                _ => {
                    text.push(b);
                    self.pos += 1;
                }
            }
        }
        Ok(Token {
            text,
            quoted: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(e: &Entry) -> Vec<String> {
        e.tokens
            .iter()
            .map(|t| String::from_utf8_lossy(&t.text).into_owned())
            .collect()
    }

    #[test]
    fn lines_groups_and_comments() {
        let text = b"; header\n\n@ IN SOA ns host ( 1 ; serial\n  2 3\n 4 5 )\n  A 1.2.3.4 ; x\n";
        let e = entries(text).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].line, 3);
        assert!(!e[0].blank_owner);
        assert_eq!(
            words(&e[0]),
            ["@", "IN", "SOA", "ns", "host", "1", "2", "3", "4", "5"]
        );
        assert_eq!(e[1].line, 6);
        assert!(e[1].blank_owner);
    }

    #[test]
    fn quotes_and_escapes() {
        let e = entries(b"t TXT \"a; (b)\" \"q\\\"x\" c\\ d\n").unwrap();
        assert_eq!(words(&e[0]), ["t", "TXT", "a; (b)", "q\\\"x", "c\\ d"]);
        assert!(e[0].tokens[2].quoted);
        assert!(!e[0].tokens[4].quoted);
        assert_eq!(entries(b"t TXT \"\"\n").unwrap()[0].tokens[2].text, b"");
    }

    #[test]
    fn errors_have_lines() {
        assert_eq!(entries(b"a A 1\nb TXT \"x\n").unwrap_err().0, 2);
        assert_eq!(
            entries(b"\n\na SOA (\n1 2\n").unwrap_err(),
            (3, "'(' is never closed".into())
        );
        assert_eq!(entries(b"a A 1 )\n").unwrap_err().0, 1);
        assert_eq!(entries(b"a ( ( 1 ) )\n").unwrap_err().0, 1);
    }
}
