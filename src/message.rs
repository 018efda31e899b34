//! A message as `exim -bem FILE` reads it: the header lines with Exim's
//! type letters, the body, and the counts Exim keeps while reading
//! (`$message_size`, `$message_linecount`, `$body_linecount`, ...).
//!
//! A library user can supply a message in three ways:
//!
//! * [`Message::parse`] reads the bytes of an RFC 5322 message exactly as
//!   Exim's `receive_msg` + `read_message_body` do for `-bem`, without any
//!   local fix-ups (no `Message-Id:`/`From:`/`Date:` added);
//! * [`Message::from_parts`] builds one from header lines and a body;
//! * [`load_bem`] does what `exim -bem` does, including the fix-ups for a
//!   locally submitted message, using the context for the host name, the
//!   clock and the sender.
//!
//! Attach the result to a context with
//! `ctx.message = Some(std::sync::Arc::new(msg))`; the header variables
//! (`$h_subject:` ...) and the message variables then see it.
//!
//! ```
//! use exim_expand::{expand, Context, message::Message};
//! let mut ctx = Context::new();
//! let msg = Message::parse(b"Subject: hello\n\nbody\n", &Default::default());
//! ctx.message = Some(std::sync::Arc::new(msg));
//! assert_eq!(expand(b"$h_subject: / $body_linecount", &mut ctx).unwrap().bytes,
//!            b"hello / 1");
//! ```

use crate::eval::Context;
use crate::sys::is_space;

/// Exim's header type letters (`htype_*`).
pub mod htype {
    /// A header without a type of its own.
    pub const OTHER: u8 = b' ';
    /// `From:` (and `Resent-From:`).
    pub const FROM: u8 = b'F';
    /// `To:` (and `Resent-To:`).
    pub const TO: u8 = b'T';
    /// `Cc:` (and `Resent-Cc:`).
    pub const CC: u8 = b'C';
    /// `Bcc:` (and `Resent-Bcc:`).
    pub const BCC: u8 = b'B';
    /// `Message-ID:` (and `Resent-Message-ID:`).
    pub const ID: u8 = b'I';
    /// `Reply-To:`.
    pub const REPLY_TO: u8 = b'R';
    /// `Received:`.
    pub const RECEIVED: u8 = b'P';
    /// `Sender:` (and `Resent-Sender:`).
    pub const SENDER: u8 = b'S';
    /// Removed or replaced: invisible to expansions.
    pub const OLD: u8 = b'*';
    /// `Date:` (and `Resent-Date:`) to Exim's name check; the header is
    /// typed [`OTHER`].
    pub const DATE: u8 = b'd';
    /// `Return-Path:` to Exim's name check; reading a message removes the
    /// header ([`OLD`]) and keeps its address as the return path.
    pub const RETURN_PATH: u8 = b'p';
    /// `Delivery-Date:` to Exim's name check; reading a message removes
    /// the header ([`OLD`]).
    pub const DELIVERY_DATE: u8 = b'x';
    /// `Envelope-To:` to Exim's name check; reading a message removes the
    /// header ([`OLD`]).
    pub const ENVELOPE_TO: u8 = b'e';
    /// `Subject:` to Exim's name check; the header is typed [`OTHER`].
    pub const SUBJECT: u8 = b's';
}

/// One header line: the whole text (`Name: value\n`, continuation lines
/// included) and its type letter.
///
/// ```
/// use exim_expand::message::{Header, htype};
/// let h = Header::new("Subject: hi");
/// assert_eq!((&h.text[..], h.htype), (&b"Subject: hi\n"[..], htype::OTHER));
/// assert_eq!(Header::new("Resent-From: a@example.com").htype, htype::FROM);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header line as it is in the message, name to final newline.
    pub text: Vec<u8>,
    /// Its type letter (see [`htype`]); [`htype::OLD`] hides it.
    pub htype: u8,
}

impl Header {
    /// A header from its full text; a missing final newline is added and
    /// the type is worked out from the name.
    pub fn new(text: impl Into<Vec<u8>>) -> Header {
        let mut text = text.into();
        if text.last() != Some(&b'\n') {
            text.push(b'\n');
        }
        let htype = classify(&text);
        Header { text, htype }
    }
}

/// How to read the message (`-i`/`-oi` turn `dot_ends` off, `-t` extracts
/// recipients).
///
/// ```
/// use exim_expand::message::{Message, ReadOptions};
/// let data = b"Subject: x\n\nbody\n.\nafter\n";
/// // As `exim -bem`: the `.` line ends the message, $message_body_size is 5.
/// assert_eq!(Message::parse(data, &ReadOptions::default()).body_size, 5);
/// // As `exim -oi -bem`: it does not, $message_body_size is 13.
/// let opts = ReadOptions { dot_ends: false, ..ReadOptions::default() };
/// assert_eq!(Message::parse(data, &opts).body_size, 13);
/// ```
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// A line containing only `.` ends the message (Exim's default for
    /// non-SMTP input).
    pub dot_ends: bool,
    /// `-t`: take recipients from To:, Cc: and Bcc: (Bcc: then removed).
    pub extract_recipients: bool,
    /// A line that is not a header ends the headers and is the first line
    /// of the body (SMTP reception); `-bem` drops it.
    pub keep_first_body_line: bool,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            dot_ends: true,
            extract_recipients: false,
            keep_first_body_line: false,
        }
    }
}

/// A message and the counters Exim derives from reading it.
///
/// ```
/// use exim_expand::message::Message;
/// let m = Message::from_parts(&["Subject: hi", "To: a@example.com"], b"line 1\nline 2\n");
/// // What `exim -bem` gives for the same file: 2 5 45.
/// assert_eq!((m.body_linecount, m.linecount, m.size), (2, 5, 45));
/// assert_eq!(m.headers.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// Header lines in order, including removed (`*`) ones.
    pub headers: Vec<Header>,
    /// The body as read (up to a terminating `.` line in `dot_ends` mode).
    pub body: Vec<u8>,
    /// `$message_size`: bytes read, headers and body (added headers are
    /// not counted).
    pub size: i64,
    /// `$message_body_size`.
    pub body_size: i64,
    /// `$message_linecount` (headers, the blank line and the body).
    pub linecount: i64,
    /// `$body_linecount`.
    pub body_linecount: i64,
    /// `$body_zerocount`.
    pub body_zerocount: i64,
    /// `$max_received_linelength` (header lines only, as in `-bem`).
    pub max_received_linelength: i64,
    /// `$received_count`: Received: headers plus the one Exim adds.
    pub received_count: i64,
    /// `$message_id` / `$message_exim_id` (empty: not set).
    pub id: Vec<u8>,
    /// Envelope recipients (`$recipients`).
    pub recipients: Vec<Vec<u8>>,
    /// `$return_path` taken from a Return-Path: header (filter test rule).
    pub return_path: Option<Vec<u8>>,
    /// The sender named by a leading "From " line.
    pub from_line_sender: Option<Vec<u8>>,
    /// What `exim -bem` prints on standard output while reading the
    /// message ("Sender taken from ..." and the like).
    pub notices: Vec<u8>,
}

/// Header names Exim knows, sorted, with whether a `Resent-` form counts.
const NAMES: &[(&[u8], bool, u8)] = &[
    (b"bcc", true, htype::BCC),
    (b"cc", true, htype::CC),
    (b"date", true, htype::DATE),
    (b"delivery-date", false, htype::DELIVERY_DATE),
    (b"envelope-to", false, htype::ENVELOPE_TO),
    (b"from", true, htype::FROM),
    (b"message-id", true, htype::ID),
    (b"received", false, htype::RECEIVED),
    (b"reply-to", false, htype::REPLY_TO),
    (b"return-path", false, htype::RETURN_PATH),
    (b"sender", true, htype::SENDER),
    (b"subject", false, htype::SUBJECT),
    (b"to", true, htype::TO),
];

fn is_resent(text: &[u8]) -> bool {
    text.len() >= 7 && text[..7].eq_ignore_ascii_case(b"resent-")
}

/// Exim's `header_checkname`: a binary search on a case-insensitive prefix
/// compare, the name followed by optional white space and a colon.
fn checkname(text: &[u8], resent: bool) -> u8 {
    let text = if resent { &text[7..] } else { text };
    let (mut bot, mut top) = (0usize, NAMES.len());
    while bot < top {
        let mid = bot + (top - bot) / 2;
        let (name, allow_resent, t) = NAMES[mid];
        let mut c = strncmpic(text, name);
        if c == 0 {
            let mut s = name.len();
            while text.get(s).is_some_and(|&b| is_space(b)) {
                s += 1;
            }
            if text.get(s) == Some(&b':') {
                return if !resent || allow_resent {
                    t
                } else {
                    htype::OTHER
                };
            }
            c = 1;
        }
        if c > 0 {
            bot = mid + 1;
        } else {
            top = mid;
        }
    }
    htype::OTHER
}

/// `strncmpic(text, name, name.len())` on C strings.
fn strncmpic(text: &[u8], name: &[u8]) -> i32 {
    for (i, &n) in name.iter().enumerate() {
        let t = text.get(i).copied().unwrap_or(0).to_ascii_lowercase();
        let n = n.to_ascii_lowercase();
        if t != n {
            return i32::from(t) - i32::from(n);
        }
    }
    0
}

/// The type a header gets from its name alone (before the receive-time
/// adjustments such as removing Return-Path:).
fn classify(text: &[u8]) -> u8 {
    let t = checkname(text, is_resent(text));
    match t {
        htype::BCC
        | htype::CC
        | htype::FROM
        | htype::ID
        | htype::RECEIVED
        | htype::REPLY_TO
        | htype::SENDER
        | htype::TO => t,
        _ => htype::OTHER,
    }
}

/// Reads bytes like Exim's `receive_getc` with one character of push-back.
struct Input<'a> {
    data: &'a [u8],
    pos: usize,
    pushed: Option<u8>,
}

impl Input<'_> {
    fn getc(&mut self) -> Option<u8> {
        if let Some(c) = self.pushed.take() {
            return Some(c);
        }
        let c = self.data.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn ungetc(&mut self, c: u8) {
        self.pushed = Some(c);
    }

    fn at_eof(&self) -> bool {
        self.pushed.is_none() && self.pos >= self.data.len()
    }
}

/// Exim's default `uucp_from_pattern`: a leading "From " envelope line.
const FROM_LINE: &[u8] = br"^From\s+(\S+)\s+(?:[a-zA-Z]{3},?\s+)?(?:[a-zA-Z]{3}\s+\d?\d|\d?\d\s+[a-zA-Z]{3}\s+\d\d(?:\d\d)?)\s+\d\d?:\d\d?";

/// The sender named by a leading "From " line, if the line is one.
fn from_line_sender(line: &[u8]) -> Option<Vec<u8>> {
    let re = crate::regex::compile(FROM_LINE).ok()?;
    let caps = re.regex().captures(line).ok()??;
    Some(caps.get(1)?.as_bytes().to_vec())
}

impl Message {
    /// Builds a message from header lines (each `Name: value`, with or
    /// without the final newline; continuation lines inside) and a body.
    /// Sizes and counts are computed as if the message had been read from
    /// a file with a blank line between the two parts.
    pub fn from_parts<H: AsRef<[u8]>>(headers: &[H], body: &[u8]) -> Message {
        let mut text = Vec::new();
        for h in headers {
            text.extend_from_slice(h.as_ref());
            if text.last() != Some(&b'\n') {
                text.push(b'\n');
            }
        }
        text.push(b'\n');
        text.extend_from_slice(body);
        Message::parse(
            &text,
            &ReadOptions {
                dot_ends: false,
                ..ReadOptions::default()
            },
        )
    }

    /// Reads a message as `exim -bem` does (headers, then the body), with
    /// no local fix-ups.
    pub fn parse(data: &[u8], opts: &ReadOptions) -> Message {
        let mut m = Message {
            // The Received: header Exim is about to add counts.
            received_count: 1,
            ..Message::default()
        };
        let mut input = Input {
            data,
            pos: 0,
            pushed: None,
        };
        let mut first_crlf: Option<bool> = None;
        let mut resents_exist = false;
        // true when the headers ended with a "." line or end of file: no
        // body is read then.
        let mut dot_ended = false;
        let mut first_body_line: Option<Vec<u8>> = None;
        'headers: loop {
            let mut text: Vec<u8> = Vec::new();
            let mut prevlines = 0usize;
            let mut had_zero = false;
            let mut eof = false;
            loop {
                let mut ch = input.getc();
                if ch == Some(0) {
                    had_zero = true;
                }
                let Some(mut c) = ch else {
                    eof = true;
                    // End of file ends the line.
                    if !Self::end_of_line(&mut m, &mut text, &mut prevlines) {
                        break 'headers;
                    }
                    break;
                };
                if c == b'\n' {
                    match first_crlf {
                        None => first_crlf = Some(false),
                        Some(true) => input.ungetc(b' '),
                        Some(false) => {}
                    }
                    if !Self::end_of_line(&mut m, &mut text, &mut prevlines) {
                        break 'headers;
                    }
                    if Self::continuation(&mut input, &mut text, &mut m, &mut eof) {
                        continue;
                    }
                    break;
                }
                if opts.dot_ends && text.is_empty() && c == b'.' {
                    ch = input.getc();
                    if ch == Some(b'\r') {
                        ch = input.getc();
                        if ch != Some(b'\n') {
                            if let Some(x) = ch {
                                input.ungetc(x);
                            }
                            ch = Some(b'\r');
                        }
                    }
                    if ch == Some(b'\n') {
                        dot_ended = true;
                        break 'headers;
                    }
                    text.push(b'.');
                    m.size += 1;
                    // At end of file C stores EOF (-1) as a byte.
                    c = ch.unwrap_or(0xff);
                }
                if c == b'\r' {
                    let n = input.getc();
                    if n == Some(b'\n') {
                        if first_crlf.is_none() {
                            first_crlf = Some(true);
                        }
                        if !Self::end_of_line(&mut m, &mut text, &mut prevlines) {
                            break 'headers;
                        }
                        if Self::continuation(&mut input, &mut text, &mut m, &mut eof) {
                            continue;
                        }
                        break;
                    }
                    if let Some(x) = n {
                        input.ungetc(x);
                    }
                    text.push(b'\n');
                    m.size += 1;
                    c = b' ';
                }
                text.push(c);
                m.size += 1;
            }
            // A complete (possibly continued) line is in `text`.
            let from_line = if m.headers.is_empty() {
                from_line_sender(&text)
            } else {
                None
            };
            if let Some(sender) = from_line {
                // A leading "From " line: not a header; it names the sender.
                m.from_line_sender = Some(sender);
            } else {
                let p0 = text.first().copied().unwrap_or(0);
                let mut p = 0;
                while p < text.len() && text[p].is_ascii_graphic() && text[p] != b':' {
                    p += 1;
                }
                while p < text.len() && is_space(text[p]) {
                    p += 1;
                }
                if is_space(p0) || text.get(p) != Some(&b':') {
                    // Not a header: the first line of the body (dropped by
                    // -bem, but counted).
                    if !is_space(p0) && had_zero {
                        m.body_zerocount = text.iter().filter(|&&b| b == 0).count() as i64;
                    }
                    if opts.keep_first_body_line {
                        first_body_line = Some(text);
                    }
                    break 'headers;
                }
                for b in text.iter_mut() {
                    if *b == 0 {
                        *b = b'?';
                    }
                }
                // Remove trailing white space-only continuation lines.
                loop {
                    let mut q = text.len().saturating_sub(2);
                    while q > 0 && (text[q] == b' ' || text[q] == b'\t') {
                        q -= 1;
                    }
                    if text[q] != b'\n' {
                        break;
                    }
                    let newlen = q + 1;
                    m.size -= (text.len() - newlen) as i64;
                    text.truncate(newlen);
                }
                if !resents_exist && is_resent(&text) {
                    resents_exist = true;
                }
                m.headers.push(Header {
                    text,
                    htype: htype::OTHER,
                });
            }
            if eof {
                dot_ended = true;
                break;
            }
        }
        m.classify_headers(resents_exist);
        if opts.extract_recipients {
            m.extract_recipients(resents_exist);
        }
        let header_size = m.size;
        if !dot_ended && !input.at_eof() {
            let rest = &input.data[input.pos..];
            m.read_body(rest, opts.dot_ends, input.pushed);
        }
        if let Some(mut line) = first_body_line {
            let counted = line.len() as i64;
            line.extend_from_slice(&m.body);
            m.body = line;
            m.body_linecount += 1;
            m.linecount -= 1;
            m.body_size = m.size - header_size + counted;
        } else {
            m.body_size = m.size - header_size;
        }
        m.linecount += m.body_linecount;
        m
    }

    /// Called at each line end while reading headers; counts the line and
    /// adds the newline.  Returns false for the blank line that ends the
    /// headers.
    fn end_of_line(m: &mut Message, text: &mut Vec<u8>, prevlines: &mut usize) -> bool {
        m.linecount += 1;
        let len = text.len() as i64 - *prevlines as i64;
        if len > m.max_received_linelength {
            m.max_received_linelength = len;
        }
        *prevlines = text.len() + 1;
        text.push(b'\n');
        m.size += 1;
        text.len() != 1
    }

    /// After a line end: a following space or tab continues the header.
    fn continuation(
        input: &mut Input,
        text: &mut Vec<u8>,
        m: &mut Message,
        eof: &mut bool,
    ) -> bool {
        match input.getc() {
            Some(c @ (b' ' | b'\t')) => {
                text.push(c);
                m.size += 1;
                true
            }
            Some(c) => {
                input.ungetc(c);
                false
            }
            None => {
                *eof = true;
                false
            }
        }
    }

    /// The receive-time classification of header lines.
    fn classify_headers(&mut self, resents_exist: bool) {
        let mut have_id = false;
        for h in &mut self.headers {
            let resent = is_resent(&h.text);
            let t = checkname(&h.text, resent);
            h.htype = match t {
                htype::BCC | htype::CC | htype::FROM | htype::REPLY_TO | htype::TO => t,
                htype::SENDER => t,
                htype::ID if !have_id && (!resents_exist || resent) => {
                    have_id = true;
                    t
                }
                htype::RECEIVED => {
                    self.received_count += 1;
                    t
                }
                // return_path_remove, delivery_date_remove and
                // envelope_to_remove default to true.
                htype::DELIVERY_DATE | htype::ENVELOPE_TO => htype::OLD,
                htype::RETURN_PATH => {
                    let start = 12.min(h.text.len());
                    let v = crate::sys::trim(&h.text[start..]);
                    let v = if v.len() >= 2 && v[0] == b'<' && v[v.len() - 1] == b'>' {
                        &v[1..v.len() - 1]
                    } else {
                        v
                    };
                    self.return_path = Some(v.to_vec());
                    htype::OLD
                }
                _ => htype::OTHER,
            };
        }
    }

    /// `-t`: recipients from To:, Cc: and Bcc: (the Resent- ones if any
    /// exist); Bcc: headers are then removed.
    fn extract_recipients(&mut self, resents_exist: bool) {
        let mut found = Vec::new();
        for h in &mut self.headers {
            if !matches!(h.htype, htype::TO | htype::CC | htype::BCC)
                || (resents_exist && !is_resent(&h.text))
            {
                continue;
            }
            let colon = h.text.iter().position(|&c| c == b':').unwrap_or(0);
            let value: Vec<u8> = h.text[colon + 1..]
                .iter()
                .copied()
                .filter(|&c| c != b'\n')
                .collect();
            found.extend(crate::address::header_addresses(
                &value,
                crate::address::AddressOptions::default(),
            ));
            if h.htype == htype::BCC {
                h.htype = htype::OLD;
            }
        }
        self.recipients.extend(found);
    }

    /// The body after the headers, as `read_message_body` counts it.
    fn read_body(&mut self, rest: &[u8], dot_ends: bool, pushed: Option<u8>) {
        let mut bytes: Vec<u8> = Vec::with_capacity(rest.len() + 1);
        if let Some(c) = pushed {
            bytes.push(c);
        }
        bytes.extend_from_slice(rest);
        let mut body = Vec::with_capacity(bytes.len());
        if !dot_ends {
            for &c in &bytes {
                if c == 0 {
                    self.body_zerocount += 1;
                }
                if c == b'\n' {
                    self.body_linecount += 1;
                }
                body.push(c);
            }
        } else {
            // Exim's state machine: an empty line is not counted.
            let mut state = 1;
            for &c in &bytes {
                if c == 0 {
                    self.body_zerocount += 1;
                }
                match state {
                    0 => {
                        if c == b'\n' {
                            self.body_linecount += 1;
                            state = 1;
                        }
                    }
                    1 => {
                        if c == b'.' {
                            state = 2;
                            continue;
                        }
                        if c != b'\n' {
                            state = 0;
                        }
                    }
                    _ => {
                        if c == b'\n' {
                            break;
                        }
                        body.push(b'.');
                        state = 0;
                    }
                }
                body.push(c);
            }
        }
        if body.last() != Some(&b'\n') {
            self.body_linecount += 1;
        }
        self.size += body.len() as i64;
        self.body = body;
    }

    /// The first `n` bytes of the body with newlines and NULs as spaces
    /// (`$message_body`).
    pub fn body_start(&self, n: usize) -> Vec<u8> {
        visible(&self.body[..n.min(self.body.len())])
    }

    /// The last `n` bytes of the body, likewise (`$message_body_end`).
    pub fn body_end(&self, n: usize) -> Vec<u8> {
        visible(&self.body[self.body.len().saturating_sub(n)..])
    }

    /// Headers visible to expansions (not removed ones).
    pub fn visible_headers(&self) -> impl Iterator<Item = &Header> {
        self.headers.iter().filter(|h| h.htype != htype::OLD)
    }

    /// Is there a visible header of this type?
    fn has(&self, t: u8, resents_exist: bool) -> bool {
        self.headers
            .iter()
            .any(|h| h.htype == t && (!resents_exist || is_resent(&h.text)))
    }
}

fn visible(b: &[u8]) -> Vec<u8> {
    b.iter()
        .map(|&c| if c == b'\n' || c == 0 { b' ' } else { c })
        .collect()
}

fn base62(mut n: u64) -> [u8; 6] {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    out
}

impl Message {
    /// What `exim -bem` printed while reading this message.
    pub fn bem_notices(&self) -> Vec<u8> {
        self.notices.clone()
    }
}

/// A message in Exim's stored form: CR LF line ends become LF, and a
/// missing final line end is added (what BDAT reception and the ARC
/// signer need from a message as sent).
///
/// ```
/// assert_eq!(exim_expand::message::stored_form(b"a\r\nb"), b"a\nb\n");
/// ```
pub fn stored_form(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 1);
    let mut i = 0;
    while i < data.len() {
        if !(data[i] == b'\r' && data.get(i + 1) == Some(&b'\n')) {
            out.push(data[i]);
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out
}

/// A message id of SMTP reception in Exim 4.96's form `tttttt-pppppp-ff`:
/// `tick` is the fraction of the second in 5 ms steps.
pub fn message_id_at(secs: i64, tick: u64, pid: u32) -> Vec<u8> {
    let mut id = Vec::with_capacity(16);
    id.extend_from_slice(&base62(secs.max(0) as u64));
    id.push(b'-');
    id.extend_from_slice(&base62(u64::from(pid)));
    id.push(b'-');
    id.extend_from_slice(&base62(tick)[4..]);
    id
}

/// A message id in Exim 4.96's form `tttttt-pppppp-ff`.
pub fn make_message_id(secs: i64, micros: u32, pid: u32) -> Vec<u8> {
    let mut id = Vec::with_capacity(16);
    id.extend_from_slice(&base62(secs.max(0) as u64));
    id.push(b'-');
    id.extend_from_slice(&base62(u64::from(pid)));
    id.push(b'-');
    id.extend_from_slice(&base62(u64::from(micros / 500))[4..]);
    id
}

/// Reads a message as `exim -bem FILE` does and applies the fix-ups Exim
/// makes for a locally submitted message: a message id, and `Message-Id:`,
/// `From:` and `Date:` headers when missing.  Recipients are extracted
/// when `opts.extract_recipients` (`-t`).  Unqualified addresses get
/// `$qualify_recipient`.
pub fn load_bem(ctx: &mut Context, data: &[u8], opts: &ReadOptions) -> Message {
    let mut m = Message::parse(data, opts);
    let forced = ctx.vars.contains_key("sender_address");
    if let (Some(sender), false) = (&m.from_line_sender, forced) {
        let mut sender = sender.clone();
        if !sender.is_empty() && !sender.contains(&b'@') {
            sender.push(b'@');
            sender.extend_from_slice(
                &crate::eval::expand(b"$qualify_domain", ctx)
                    .map(|v| v.bytes)
                    .unwrap_or_default(),
            );
        }
        ctx.vars
            .insert("sender_address".into(), crate::eval::Value::tainted(sender));
        m.notices
            .extend_from_slice(b"Sender taken from \"From \" line\n");
    }
    if m.headers.is_empty() {
        m.notices
            .extend_from_slice(b"Warning: no message headers read\n");
    }
    if m.return_path.is_some() {
        m.notices
            .extend_from_slice(b"Return-path taken from \"Return-path:\" header line\n");
    }
    let get = |ctx: &mut Context, e: &[u8]| {
        crate::eval::expand(e, ctx)
            .map(|v| v.bytes)
            .unwrap_or_default()
    };
    let (secs, micros) = ctx.clock.now();
    m.id = make_message_id(secs, micros, ctx.pid.unwrap_or_else(std::process::id));
    let qualify_recipient = get(ctx, b"$qualify_recipient");
    for r in &mut m.recipients {
        if !r.contains(&b'@') {
            r.push(b'@');
            r.extend_from_slice(&qualify_recipient);
        }
    }
    // Remote messages (-oMa) get no fix-ups.
    let local = get(ctx, b"$sender_host_address").is_empty()
        && ctx.option("suppress_local_fixups").is_none();
    if !local {
        return m;
    }
    let resents_exist = m.headers.iter().any(|h| is_resent(&h.text));
    let prefix: &[u8] = if resents_exist { b"Resent-" } else { b"" };
    let add = |m: &mut Message, h: Header| {
        if resents_exist {
            m.headers.insert(0, h);
        } else {
            m.headers.push(h);
        }
    };
    if !m.has(htype::ID, resents_exist) {
        let host = get(ctx, b"$primary_hostname");
        let mut t = prefix.to_vec();
        t.extend_from_slice(b"Message-Id: <E");
        t.extend_from_slice(&m.id);
        t.push(b'@');
        t.extend_from_slice(&host);
        t.extend_from_slice(b">\n");
        add(
            &mut m,
            Header {
                text: t,
                htype: htype::ID,
            },
        );
    }
    if !m.has(htype::FROM, resents_exist) {
        let sender = get(ctx, b"$sender_address");
        let name = if forced || m.from_line_sender.is_some() {
            Vec::new()
        } else {
            crate::sys::caller_name().as_bytes().to_vec()
        };
        let mut t = prefix.to_vec();
        t.extend_from_slice(b"From: ");
        if sender.is_empty() {
            t.extend_from_slice(&name);
            if !name.is_empty() {
                t.extend_from_slice(b" <");
            }
            t.extend_from_slice(crate::sys::caller_name().as_bytes());
            t.push(b'@');
            t.extend_from_slice(&get(ctx, b"$qualify_domain"));
        } else {
            t.extend_from_slice(&name);
            if !name.is_empty() {
                t.extend_from_slice(b" <");
            }
            t.extend_from_slice(&sender);
        }
        if !name.is_empty() {
            t.push(b'>');
        }
        t.push(b'\n');
        m.headers.push(Header {
            text: t,
            htype: htype::FROM,
        });
    }
    let has_date = m.headers.iter().any(|h| {
        let r = is_resent(&h.text);
        checkname(&h.text, r) == htype::DATE && (!resents_exist || r)
    });
    if !has_date {
        let mut t = prefix.to_vec();
        t.extend_from_slice(b"Date: ");
        t.extend_from_slice(&get(ctx, b"$tod_full"));
        t.push(b'\n');
        add(
            &mut m,
            Header {
                text: t,
                htype: htype::OTHER,
            },
        );
    }
    m
}

#[cfg(test)]
mod tests;
