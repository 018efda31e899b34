//! The message as pdkim takes it in: header fields split off (CR put
//! before a bare LF), DKIM-Signature fields read as they complete, and
//! the body canonicalized both ways, with pdkim's limits and its
//! handling of empty lines and empty bodies.

use super::Canon;

/// pdkim's bounds: bytes kept of one header field, header fields looked
/// at, bytes in one body line.
const MAX_HEADER_LEN: usize = 65536;
const MAX_HEADERS: usize = 512;
const MAX_BODY_LINE_LEN: usize = 16384;

/// Why pdkim gave up on the message (its error names, as logged).
pub(crate) type FeedError = &'static str;

/// The message split as pdkim splits it.
#[derive(Debug, Default)]
pub(crate) struct Fed {
    /// Every header field kept, in order, each with its final CRLF.
    pub headers: Vec<Vec<u8>>,
    /// The DKIM-Signature fields among them, in order.
    pub signature_fields: Vec<Vec<u8>>,
    /// The body as `c=.../simple` and `c=.../relaxed` hash it (before any
    /// `l=` limit).
    pub simple_body: Vec<u8>,
    pub relaxed_body: Vec<u8>,
}

impl Fed {
    /// The canonical body for `canon`.
    pub fn body(&self, canon: Canon) -> &[u8] {
        match canon {
            Canon::Simple => &self.simple_body,
            Canon::Relaxed => &self.relaxed_body,
        }
    }
}

/// The feeding state between bytes.
struct Feeder {
    fed: Fed,
    header: Vec<u8>,
    header_count: usize,
    seen_cr: bool,
    seen_lf: bool,
    past_headers: bool,
    line: Vec<u8>,
    simple_blank: usize,
    relaxed_blank: usize,
    signatures_left: usize,
}

/// Feeds the whole message; `max_signatures` is Exim's
/// `DKIM_MAX_SIGNATURES` (the that many-th DKIM-Signature field stops
/// verification; 0 for no bound).
pub(crate) fn feed(message: &[u8], max_signatures: usize) -> Result<Fed, FeedError> {
    let mut f = Feeder {
        fed: Fed::default(),
        header: Vec::new(),
        header_count: 0,
        seen_cr: false,
        seen_lf: false,
        past_headers: false,
        line: Vec::new(),
        simple_blank: 0,
        relaxed_blank: 0,
        signatures_left: max_signatures,
    };
    for &c in message {
        if f.past_headers {
            f.body_byte(c)?;
        } else {
            f.header_byte(c)?;
        }
    }
    // SMTP always ends the data with a line end; a stored message
    // without one is taken as if it had it.
    if f.past_headers && !f.line.is_empty() {
        f.body_byte(b'\n')?;
    }
    f.finish()
}

impl Feeder {
    fn header_byte(&mut self, c: u8) -> Result<(), FeedError> {
        if c == b'\r' {
            self.seen_cr = true;
        } else if c == b'\n' {
            if !self.seen_cr {
                // pdkim adds this CR past its length bound too.
                self.header.push(b'\r');
            }
            if self.seen_lf {
                self.header_complete()?;
                self.seen_lf = false;
                self.seen_cr = false;
                self.past_headers = true;
                return Ok(());
            }
            self.seen_cr = false;
            self.seen_lf = true;
        } else if self.seen_lf {
            if c != b'\t' && c != b' ' {
                self.header_complete()?;
            }
            self.seen_lf = false;
        }
        self.push_header(c);
        Ok(())
    }

    fn push_header(&mut self, c: u8) {
        if self.header.len() < MAX_HEADER_LEN {
            self.header.push(c);
        }
    }

    fn header_complete(&mut self) -> Result<(), FeedError> {
        let mut h = std::mem::take(&mut self.header);
        if h.len() > 1 && h.last() == Some(&b'\r') {
            h.pop();
        }
        self.header_count += 1;
        if self.header_count > MAX_HEADERS {
            return Ok(());
        }
        if h.len() >= 15 && h[..15].eq_ignore_ascii_case(b"DKIM-Signature:") {
            self.fed.signature_fields.push(h.clone());
            if self.signatures_left > 0 {
                self.signatures_left -= 1;
                if self.signatures_left == 0 {
                    return Err("EXCESS_SIGS");
                }
            }
        }
        self.fed.headers.push(h);
        Ok(())
    }

    fn body_byte(&mut self, c: u8) -> Result<(), FeedError> {
        if c == b'\n' && !self.seen_cr {
            self.line.push(b'\r');
            if self.line.len() == MAX_BODY_LINE_LEN - 1 {
                return Err("LONG_LINE");
            }
        }
        self.line.push(c);
        if c == b'\r' {
            self.seen_cr = true;
        } else if c == b'\n' {
            self.seen_cr = false;
            self.body_line();
        }
        if self.line.len() == MAX_BODY_LINE_LEN - 1 {
            return Err("LONG_LINE");
        }
        Ok(())
    }

    /// One complete body line (with its CRLF): empty lines, and for
    /// relaxed lines of white space only, wait until a line with text.
    fn body_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        if line.starts_with(b"\r\n") {
            self.simple_blank += 1;
            self.relaxed_blank += 1;
            return;
        }
        release_blank(&mut self.fed.simple_body, &mut self.simple_blank);
        self.fed.simple_body.extend_from_slice(&line);
        if blank_when_relaxed(&line) {
            self.relaxed_blank += 1;
        } else {
            release_blank(&mut self.fed.relaxed_body, &mut self.relaxed_blank);
            relax_body_line(&line, &mut self.fed.relaxed_body);
        }
    }

    fn finish(mut self) -> Result<Fed, FeedError> {
        if !self.past_headers {
            if !self.header.is_empty() {
                self.header_complete()?;
                self.fed.simple_body.extend_from_slice(b"\r\n");
                self.fed.relaxed_body.extend_from_slice(b"\r\n");
            }
        } else if self.fed.simple_body.is_empty() && self.simple_blank > 0 {
            self.fed.simple_body.extend_from_slice(b"\r\n");
        }
        Ok(self.fed)
    }
}

fn release_blank(body: &mut Vec<u8>, blank: &mut usize) {
    for _ in 0..*blank {
        body.extend_from_slice(b"\r\n");
    }
    *blank = 0;
}

/// Whether relaxed canonicalization takes `line` for an empty one: white
/// space up to the CRLF (or up to a NUL, where pdkim's C string ends).
fn blank_when_relaxed(line: &[u8]) -> bool {
    for (i, &c) in line.iter().enumerate() {
        if c == 0 || (c == b'\r' && line.get(i + 1) == Some(&b'\n')) {
            return true;
        }
        if c != b' ' && c != b'\t' {
            return false;
        }
    }
    true
}

/// A body line relaxed: runs of white space one space, none before a CR.
fn relax_body_line(line: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let mut seen_wsp = false;
    for &c in line {
        let mut c = c;
        if c == b'\r' {
            if out.len() > start && out.last() == Some(&b' ') {
                out.pop();
            }
        } else if c == b'\t' || c == b' ' {
            c = b' ';
            if seen_wsp {
                continue;
            }
            seen_wsp = true;
        } else {
            seen_wsp = false;
        }
        out.push(c);
    }
}

/// A header field relaxed (RFC 6376 3.4.2 as pdkim does it): line ends
/// dropped, white space runs one space and none around the first colon,
/// the name in lower case, no space at the end; CRLF appended if asked.
pub(crate) fn relax_header(h: &[u8], crlf: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(h.len() + 2);
    let mut past_name = false;
    let mut seen_wsp = false;
    for &c in h {
        let mut c = c;
        if c == b'\r' || c == b'\n' {
            continue;
        }
        if c == b'\t' || c == b' ' {
            if seen_wsp {
                continue;
            }
            c = b' ';
            seen_wsp = true;
        } else if !past_name && c == b':' {
            if seen_wsp {
                out.pop();
            }
            seen_wsp = true;
            past_name = true;
        } else {
            seen_wsp = false;
        }
        if !past_name {
            c = c.to_ascii_lowercase();
        }
        out.push(c);
    }
    if out.last() == Some(&b' ') {
        out.pop();
    }
    if crlf {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The header data of a signature: for each of `names`, the newest field
/// not yet taken that begins with the name (case ignored) and passes
/// `more` (given the field and the name), relaxed or as it is, then the
/// signature field without its `b=` value (relaxed without CRLF, or as
/// it is).  DKIM's `h=` and ARC's AMS both sign so.
pub(crate) fn signed_fields(
    headers: &[Vec<u8>],
    names: impl Iterator<Item = Vec<u8>>,
    more: impl Fn(&[u8], &[u8]) -> bool,
    relaxed: bool,
    unsigned_signature: &[u8],
) -> Vec<u8> {
    let mut used = vec![false; headers.len()];
    let mut data = Vec::new();
    for name in names {
        let found = (0..headers.len()).rev().find(|&i| {
            let h = &headers[i];
            !used[i]
                && h.len() >= name.len()
                && h[..name.len()].eq_ignore_ascii_case(&name)
                && more(h, &name)
        });
        if let Some(i) = found {
            used[i] = true;
            if relaxed {
                data.extend(relax_header(&headers[i], true));
            } else {
                data.extend_from_slice(&headers[i]);
            }
        }
    }
    if relaxed {
        data.extend(relax_header(unsigned_signature, false));
    } else {
        data.extend_from_slice(unsigned_signature);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(m: &str) -> (String, String) {
        let f = feed(m.as_bytes(), 20).unwrap();
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (s(&f.simple_body), s(&f.relaxed_body))
    }

    #[test]
    fn canonicalizes_bodies_as_pdkim() {
        let cases = [
            (
                "A: b\n\nx  y \t\n\n \n",
                ("x  y \t\r\n\r\n \r\n", "x y\r\n"),
            ),
            ("A: b\n\n\n\n", ("\r\n", "")),
            ("A: b\n\n", ("", "")),
            ("A: b\n", ("\r\n", "\r\n")),
            ("A: b\n\nend", ("end\r\n", "end\r\n")),
            ("A: b\n\n \nx\n", (" \r\nx\r\n", "\r\nx\r\n")),
        ];
        for (m, (s, r)) in cases {
            assert_eq!(bodies(m), (s.to_string(), r.to_string()), "{m:?}");
        }
    }

    #[test]
    fn splits_headers_as_pdkim() {
        let f = feed(b"A: b\n\tc\nDKIM-Signature: x\nB:d\n\nbody\n", 20).unwrap();
        assert_eq!(
            f.headers,
            [
                &b"A: b\r\n\tc\r\n"[..],
                b"DKIM-Signature: x\r\n",
                b"B:d\r\n"
            ]
        );
        assert_eq!(f.signature_fields.len(), 1);
        assert_eq!(feed(b"DKIM-Signature: x\n\n", 1).err(), Some("EXCESS_SIGS"));
        let long = format!("A: b\n\n{}\n", "x".repeat(20000));
        assert_eq!(feed(long.as_bytes(), 20).err(), Some("LONG_LINE"));
    }

    #[test]
    fn relaxes_headers_as_pdkim() {
        let cases: [(&[u8], &[u8]); 3] = [
            (b"SubJect \t:  A  b\r\n\t c \r\n", b"subject:A b c\r\n"),
            (b"X:y", b"x:y\r\n"),
            (b"To: a:b  \r\n", b"to:a:b\r\n"),
        ];
        for (h, want) in cases {
            assert_eq!(
                relax_header(h, true),
                want,
                "{}",
                String::from_utf8_lossy(h)
            );
        }
    }
}
