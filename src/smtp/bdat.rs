//! BDAT (RFC 3030 CHUNKING) as Exim's `bdat_getc` reads it: the chunks of
//! one message, each `BDAT size`, the last `BDAT size LAST`; between two
//! chunks only BDAT (or NOOP, RSET, QUIT) may come, and after anything
//! else only RSET until the client gives up.

use super::session::{Had, SmtpSession, Step};
use crate::eval::Value;

/// Where a chunked transfer is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum Chunking {
    /// No BDAT in progress.
    #[default]
    Idle,
    /// A chunk was received; the next command must be BDAT.
    BetweenChunks,
    /// A wrong command came between chunks: only RSET now.
    OnlyRset,
}

/// `BDAT size [LAST]` as Exim's `sscanf("%u %n")` and `strcmpic` read
/// it: the size and whether it is the last chunk, or `None` without a
/// size.
fn parse_bdat(data: &[u8]) -> Option<(u32, bool)> {
    let s = data.trim_ascii_start();
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let n: u64 = std::str::from_utf8(&s[..digits]).ok()?.parse().ok()?;
    let rest = s[digits..].trim_ascii_start();
    Some((
        n.min(u64::from(u32::MAX)) as u32,
        rest.eq_ignore_ascii_case(b"LAST"),
    ))
}

impl SmtpSession<'_> {
    /// What the chunks of the transfer in progress have brought so far.
    pub fn pending_chunk_data(&self) -> &[u8] {
        &self.st.chunk_data
    }

    /// A BDAT command outside a transfer (the DATA checks apply).
    pub(super) fn bdat_command(&mut self) -> Step {
        self.had(Had::Bdat);
        if !self.st.chunking_offered {
            self.synprot_error(
                false,
                503,
                None,
                b"BDAT command used when CHUNKING not advertised",
            );
            return Step::Command;
        }
        let Some((size, last)) = parse_bdat(&self.data.clone()) else {
            self.synprot_error(false, 501, None, b"missing size for BDAT command");
            return Step::Command;
        };
        if self.refuse_message_start(b"BDAT").is_some() {
            // Exim throws the chunk away.
            return Step::Chunk {
                size,
                last,
                discard: true,
            };
        }
        self.st.chunk_data.clear();
        self.st.chunk_size = size;
        Step::Chunk {
            size,
            last,
            discard: false,
        }
    }

    /// A command after a chunk that was not the last.
    pub(super) fn between_chunks(&mut self) -> Step {
        use super::command::Verb;
        let only_rset = self.st.chunking == Chunking::OnlyRset;
        match self.cmd.verb {
            Verb::Quit => {
                // Exim answers QUIT, then takes the end of the chunks for
                // the end of the message: it is received (as if sent with
                // DATA) and the session reads on.
                self.st.chunking = Chunking::Idle;
                self.quit();
                self.st.closed = false;
                let data = crate::message::stored_form(&std::mem::take(&mut self.st.chunk_data));
                self.message(&data)
            }
            Verb::Rset => {
                self.st.chunking = Chunking::Idle;
                self.had(Had::Rset);
                self.printf(b"250 Reset OK\r\n");
                self.reset_transaction();
                Step::Command
            }
            Verb::Noop if !only_rset => {
                self.had(Had::Noop);
                self.printf(b"250 OK\r\n");
                Step::Command
            }
            Verb::Bdat if !only_rset => {
                let Some((size, last)) = parse_bdat(&self.data.clone()) else {
                    self.synprot_error(false, 501, None, b"missing size for BDAT command");
                    self.st.chunking = Chunking::Idle;
                    return Step::Command;
                };
                if size == 0 {
                    if last {
                        self.st.chunk_size = 0;
                        return self.last_chunk_received();
                    }
                    self.synprot_error(false, 504, None, b"zero size for BDAT command");
                    self.st.chunking = Chunking::OnlyRset;
                    return Step::Command;
                }
                self.st.chunk_size = size;
                Step::Chunk {
                    size,
                    last,
                    discard: false,
                }
            }
            _ => {
                let msg: &[u8] = if only_rset {
                    b"only RSET accepted now"
                } else {
                    b"only BDAT permissible after non-LAST BDAT"
                };
                self.st.chunking = Chunking::OnlyRset;
                self.synprot_error(false, 503, None, msg);
                Step::Command
            }
        }
    }

    /// The bytes of a chunk (all `size` of them).
    pub fn chunk(&mut self, data: &[u8], last: bool) -> Step {
        self.st.chunk_data.extend_from_slice(data);
        if last {
            return self.last_chunk_received();
        }
        self.st.chunking = Chunking::BetweenChunks;
        self.printf(format!("250 {} byte chunk received\r\n", self.st.chunk_size).as_bytes());
        Step::Command
    }

    fn last_chunk_received(&mut self) -> Step {
        self.st.chunking = Chunking::Idle;
        let data = crate::message::stored_form(&std::mem::take(&mut self.st.chunk_data));
        if data.is_empty() {
            self.lost_during_data(super::receive::LostAt::AfterHeader);
            return Step::Closed;
        }
        self.st.chunked = true;
        let step = self.message(&data);
        self.st.chunked = false;
        step
    }

    /// The response to a chunked message: the last chunk's size and the
    /// total (Exim counts the line ends it removed).
    pub(super) fn chunked_ok(&mut self, id: &[u8], size: i64, lines: i64) {
        let mut l = format!(
            "250- {} byte chunk, total {}\r\n250 OK id=",
            self.st.chunk_size,
            size + lines
        )
        .into_bytes();
        l.extend_from_slice(id);
        l.extend_from_slice(b"\r\n");
        self.printf(&l);
        self.set("message_size", Value::from(size.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdat_arguments_and_data() {
        assert_eq!(parse_bdat(b"100"), Some((100, false)));
        assert_eq!(parse_bdat(b"  12   LAST"), Some((12, true)));
        assert_eq!(parse_bdat(b"5 last"), Some((5, true)));
        assert_eq!(parse_bdat(b"5 LASTX"), Some((5, false)));
        assert_eq!(parse_bdat(b"x"), None);
        assert_eq!(crate::message::stored_form(b"a\r\nb\r\n"), b"a\nb\n");
        assert_eq!(crate::message::stored_form(b"a\r\nb"), b"a\nb\n");
        assert_eq!(crate::message::stored_form(b""), b"");
    }
}
