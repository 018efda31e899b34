//! Receiving a message after DATA (Exim's `receive_msg` in SMTP mode):
//! the message id, the Received: header, the header lines ACLs added,
//! the DATA ACL, the response and the `<=` log line.  In a test session
//! the message is then dropped.

use super::session::{SmtpSession, Step};
use crate::acl::AclRc;
use crate::eval::{HeaderPlace, SmtpPhase, Value};
use crate::message::{Header, Message, ReadOptions, htype};

/// The default `received_header_text` of Exim 4.96 (built with TLS).
const RECEIVED_HEADER_TEXT: &str = "Received: \
${if def:sender_rcvhost {from $sender_rcvhost\n\t}\
{${if def:sender_ident {from ${quote_local_part:$sender_ident} }}\
${if def:sender_helo_name {(helo=$sender_helo_name)\n\t}}}}\
by $primary_hostname \
${if def:received_protocol {with $received_protocol }}\
${if def:tls_in_ver        { ($tls_in_ver)}}\
${if def:tls_in_cipher_std { tls $tls_in_cipher_std\n\t}}\
(Exim $version_number)\n\t\
${if def:sender_address {(envelope-from <$sender_address>)\n\t}}\
id $message_exim_id\
${if def:received_for {\n\tfor $received_for}}";

/// Where the input ended when a DATA section had no final dot (the words
/// Exim adds to its "lost while reading message data" log line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LostAt {
    /// In the middle of a header line.
    Header,
    /// After a complete header line.
    AfterHeader,
    /// In the body.
    Body,
}

impl LostAt {
    fn words(self) -> &'static [u8] {
        match self {
            LostAt::Header => b" (header)",
            LostAt::AfterHeader => b" (after header)",
            LostAt::Body => b"",
        }
    }
}

/// Reads the lines of a DATA section as Exim does: CR LF or LF ends a
/// line, a line of one dot ends the message, a leading dot is removed
/// from the others.  Returns the message in Exim's form (LF line ends)
/// and what follows the dot line, or where the input ended first.
pub fn read_data(input: &[u8]) -> Result<(Vec<u8>, &[u8]), LostAt> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    let mut in_headers = true;
    loop {
        let Some(nl) = rest.iter().position(|&c| c == b'\n') else {
            return Err(match (in_headers, rest.is_empty()) {
                (true, false) => LostAt::Header,
                (true, true) => LostAt::AfterHeader,
                (false, _) => LostAt::Body,
            });
        };
        let mut line = &rest[..nl];
        rest = &rest[nl + 1..];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if line == b"." {
            return Ok((out, rest));
        }
        if line.first() == Some(&b'.') {
            line = &line[1..];
        }
        if in_headers && !starts_header_line(line, out.is_empty()) {
            in_headers = false;
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
}

/// Where the input ended in a BDAT transfer, from the chunks so far and
/// the incomplete one.
pub(super) fn lost_at(so_far: &[u8], partial: &[u8]) -> LostAt {
    let mut all = so_far.to_vec();
    all.extend_from_slice(partial);
    let text: Vec<u8> = all.iter().copied().filter(|&c| c != b'\r').collect();
    let mut in_headers = true;
    let lines: Vec<&[u8]> = text.split(|&c| c == b'\n').collect();
    for (i, line) in lines.iter().enumerate() {
        if i + 1 == lines.len() {
            break;
        }
        if !starts_header_line(line, i == 0) {
            in_headers = false;
        }
    }
    match (in_headers, lines.last().is_some_and(|l| !l.is_empty())) {
        (true, true) => LostAt::Header,
        (true, false) => LostAt::AfterHeader,
        (false, _) => LostAt::Body,
    }
}

/// A line that continues the header section: a header (`name:`), or a
/// continuation of one.
fn starts_header_line(line: &[u8], first: bool) -> bool {
    if line.is_empty() {
        return false;
    }
    if !first && matches!(line[0], b' ' | b'\t') {
        return true;
    }
    let name_end = line
        .iter()
        .position(|&c| c == b':' || !c.is_ascii_graphic())
        .unwrap_or(line.len());
    let mut i = name_end;
    while i < line.len() && matches!(line[i], b' ' | b'\t') {
        i += 1;
    }
    name_end > 0 && line.get(i) == Some(&b':')
}

impl SmtpSession<'_> {
    /// Handles the message after DATA: `data` is what [`read_data`] gave
    /// (LF line ends, dots unstuffed).
    pub fn message(&mut self, data: &[u8]) -> Step {
        let id = self.next_message_id();
        {
            let mut ev = crate::eval::Evaluator::new(self.ctx);
            crate::acl::dmarc::init(&mut ev);
        }
        self.ctx.log.set_message_id(Some(&id));
        let opts = ReadOptions {
            dot_ends: false,
            extract_recipients: false,
            keep_first_body_line: true,
        };
        let mut m = Message::parse(data, &opts);
        let (received_size, received_lines) = (m.size, m.linecount);
        let limit = self.int_option("message_size_limit", 50 * 1024 * 1024);
        if limit > 0 && m.size > limit {
            return self.too_big(m.size, limit);
        }
        m.id = id.clone();
        m.recipients = self.st.recipients.iter().map(|r| r.bytes.clone()).collect();
        let body_bytes = m.body.len() as i64;
        self.ctx.message = Some(std::sync::Arc::new(m.clone()));
        self.set("message_exim_id", Value::from(id.clone()));
        self.set("message_id", Value::from(id.clone()));
        let received = self.received_header();
        m.headers.insert(
            0,
            Header {
                text: received,
                htype: htype::RECEIVED,
            },
        );
        m.received_count += 1;
        self.add_acl_headers(&mut m);
        self.ctx.message = Some(std::sync::Arc::new(m.clone()));
        let recipients = self.recipients_list();
        self.set("recipients", Value::tainted(recipients));
        // Recipients that ACLs discarded leave a message for the black hole
        // (and no DATA ACL to run).
        let mut blackholed_by = match (self.st.recipients.is_empty(), self.st.recipients_discarded)
        {
            (true, true) => Some("MAIL ACL"),
            (true, false) => Some("RCPT ACL"),
            _ => None,
        };
        let mut blackhole_log = Vec::new();
        self.ctx.extensions.remove::<super::dkim::DkimState>();
        if blackholed_by.is_none() {
            if let Err(r) = self.dkim_step(data) {
                if r.rc == AclRc::Discard {
                    self.st.recipients.clear();
                    blackholed_by = Some("DKIM ACL");
                    if let Some(m) = &r.log_msg {
                        blackhole_log = [&b": "[..], &m.bytes].concat();
                    }
                } else {
                    return self.refuse_message(SmtpPhase::Dkim, &r);
                }
            }
            self.headers_added_so_far();
        }
        let r = if blackholed_by.is_none() && self.option("acl_smtp_data").is_some() {
            Some(self.acl(SmtpPhase::Data, "acl_smtp_data", None))
        } else {
            None
        };
        self.unset("recipients");
        if let Some(r) = &r {
            if r.rc == AclRc::Discard {
                self.st.recipients.clear();
                blackholed_by = Some("DATA ACL");
                if let Some(m) = &r.log_msg {
                    blackhole_log = [&b": "[..], &m.bytes].concat();
                }
            } else if r.rc != AclRc::Ok {
                return self.refuse_message(SmtpPhase::Data, r);
            }
        }
        // What the DATA ACL added goes in too.
        self.headers_added_so_far();
        if let Some(msg) = self.ctx.message.clone() {
            m = (*msg).clone();
        }
        let size: i64 = m
            .headers
            .iter()
            .filter(|h| h.htype != htype::OLD)
            .map(|h| h.text.len() as i64)
            .sum::<i64>()
            + body_bytes
            + 1;
        self.log_arrival(&m, size);
        if let Some(by) = blackholed_by {
            let mut l = format!("=> blackhole ({by} discarded recipients)").into_bytes();
            l.extend_from_slice(&blackhole_log);
            self.log(&l);
            self.log(b"Completed");
            self.ctx.log.set_message_id(None);
        }
        match r.and_then(|r| r.user_msg) {
            Some(msg) => self.user_msg("250", &msg.bytes),
            None if self.st.chunked => self.chunked_ok(&id, received_size, received_lines),
            None => {
                let mut l = b"250 OK id=".to_vec();
                l.extend_from_slice(&id);
                l.extend_from_slice(b"\r\n");
                self.printf(&l);
            }
        }
        if self.ctx.host_checking {
            self.out
                .extend_from_slice(b"\n**** SMTP testing: that is not a real message id!\n\n");
        }
        self.end_message();
        Step::Command
    }

    /// A message over `message_size_limit`: Exim reads it all, then
    /// refuses it.
    fn too_big(&mut self, size: i64, limit: i64) -> Step {
        let sender = self.st.sender.clone().map(|s| s.bytes).unwrap_or_default();
        let mut l = b"rejected from <".to_vec();
        l.extend_from_slice(&sender);
        l.push(b'>');
        let full = self.var("sender_fullhost");
        if !full.is_empty() {
            l.extend_from_slice(b" H=");
            l.extend_from_slice(&full.bytes);
        }
        let ident = self.var("sender_ident");
        if !ident.is_empty() {
            l.extend_from_slice(b" U=");
            l.extend_from_slice(&ident.bytes);
        }
        l.extend_from_slice(format!(": message too big: read={size} max={limit}").as_bytes());
        self.log_if("size_reject", &l);
        self.printf(b"552 Message size exceeds maximum permitted\r\n");
        self.ctx.log.set_message_id(None);
        self.end_message();
        Step::Command
    }

    /// A message the DKIM or DATA ACL did not accept: the rejection, and
    /// a new transaction.
    fn refuse_message(&mut self, phase: SmtpPhase, r: &crate::acl::AclOutcome) -> Step {
        let dropped = self.acl_fail(phase, r);
        self.unset("recipients");
        self.ctx.log.set_message_id(None);
        self.end_message();
        if dropped { Step::Closed } else { Step::Command }
    }

    /// Puts the header lines ACLs added into the message being received.
    fn headers_added_so_far(&mut self) {
        if let Some(msg) = self.ctx.message.clone() {
            let mut m = (*msg).clone();
            self.add_acl_headers(&mut m);
            self.ctx.message = Some(std::sync::Arc::new(m));
        }
    }

    /// After a message: a new transaction starts.
    fn end_message(&mut self) {
        self.setup_message();
    }

    /// The client went away in the middle of the DATA section.
    pub fn lost_during_data(&mut self, at: LostAt) {
        let mut l = self.connection_info();
        l.extend_from_slice(b" lost while reading message data");
        l.extend_from_slice(at.words());
        if self.log_selector.has("lost_incoming_connection")
            || self.log_selector.has("smtp_connection")
        {
            self.log(&l);
        }
        self.notquit_exit(Some("connection-lost"), None);
        self.printf(b"421 Lost incoming connection\r\n");
    }

    /// A message id for a message starting now: Exim waits for the clock
    /// to pass the previous id's time at its resolution (5 ms), so ids in
    /// one process differ; a fixed clock gets the next tick instead.
    fn next_message_id(&mut self) -> Vec<u8> {
        const TICKS: u64 = 1_000_000 / 5000;
        let (secs, micros) = self.ctx.clock.now();
        let mut t = (secs, u64::from(micros) / 5000);
        if let Some(last) = self.st.last_id_time
            && t <= last
        {
            t = if last.1 + 1 >= TICKS {
                (last.0 + 1, 0)
            } else {
                (last.0, last.1 + 1)
            };
        }
        self.st.last_id_time = Some(t);
        let pid = self.ctx.pid.unwrap_or_else(std::process::id);
        crate::message::message_id_at(t.0, t.1, pid)
    }

    /// The Received: header (`received_header_text`, then `;`, a newline,
    /// a tab and the time).
    fn received_header(&mut self) -> Vec<u8> {
        if self.st.recipients.len() == 1 {
            let r = self.st.recipients[0].clone();
            self.set("received_for", r);
        }
        let text = self
            .option("received_header_text")
            .unwrap_or_else(|| RECEIVED_HEADER_TEXT.to_string());
        let mut ev = crate::eval::Evaluator::new(self.ctx);
        let received = ev.expand_nested(text.as_bytes()).map(|v| v.bytes);
        let stamp = crate::vars::value(&ev, "tod_full").bytes;
        self.unset("received_for");
        let mut h = match received {
            Ok(r) if r.is_empty() => b"Received: ; ".to_vec(),
            Ok(mut r) => {
                r.extend_from_slice(b";\n\t");
                r
            }
            Err(_) => b"Received: ; ".to_vec(),
        };
        h.extend_from_slice(&stamp);
        h.push(b'\n');
        h
    }

    /// Puts the header lines ACLs added so far into the message, where
    /// each asked to go, and forgets them.
    fn add_acl_headers(&mut self, m: &mut Message) {
        for added in std::mem::take(&mut self.ctx.added_headers) {
            let h = Header::new(added.text);
            match added.place {
                HeaderPlace::End => m.headers.push(h),
                HeaderPlace::Start => m.headers.insert(0, h),
                HeaderPlace::AfterReceived => {
                    let i = m
                        .headers
                        .iter()
                        .rposition(|h| h.htype == htype::RECEIVED)
                        .map_or(0, |i| i + 1);
                    m.headers.insert(i, h);
                }
                HeaderPlace::StartRfc => {
                    let i = m
                        .headers
                        .iter()
                        .position(|h| {
                            h.htype != htype::RECEIVED
                                && !h.text[..h.text.len().min(7)].eq_ignore_ascii_case(b"Resent-")
                        })
                        .unwrap_or(m.headers.len());
                    m.headers.insert(i, h);
                }
            }
        }
    }

    /// The `<=` line of an accepted message.
    fn log_arrival(&mut self, m: &Message, size: i64) {
        let sender = self.st.sender.clone().map(|s| s.bytes).unwrap_or_default();
        let mut l = b"<= ".to_vec();
        if sender.is_empty() {
            l.extend_from_slice(b"<>");
        } else {
            l.extend_from_slice(&sender);
        }
        let full = self.var("sender_fullhost");
        if !full.is_empty() {
            if self.log_selector.has("dnssec") && self.var("sender_host_dnssec").bytes == b"yes" {
                l.extend_from_slice(b" DS");
            }
            l.extend_from_slice(b" H=");
            l.extend_from_slice(&full.bytes);
        }
        let proto = self.var("received_protocol");
        if !proto.is_empty() {
            l.extend_from_slice(b" P=");
            l.extend_from_slice(&proto.bytes);
        }
        let auth = self.var("sender_host_authenticated");
        if !auth.is_empty() {
            l.extend_from_slice(b" A=");
            l.extend_from_slice(&auth.bytes);
            let id = self.var("authenticated_id");
            if !id.is_empty() {
                l.push(b':');
                l.extend_from_slice(&id.bytes);
            }
        }
        if self.st.chunked {
            l.extend_from_slice(b" K");
        }
        l.extend_from_slice(format!(" S={size}").as_bytes());
        if self.log_selector.has("8bitmime") {
            l.extend_from_slice(format!(" M8S={}", self.st.body_8bitmime).as_bytes());
        }
        if self.log_selector.has("dkim") {
            let overall = self
                .ctx
                .extensions
                .get::<super::dkim::DkimState>()
                .and_then(|d| d.overall.clone());
            if let Some(d) = overall {
                l.extend_from_slice(b" DKIM=");
                l.extend_from_slice(&d);
            }
            let arc_pass = self
                .ctx
                .extensions
                .get::<crate::acl::ArcState>()
                .is_some_and(|a| a.0.state == "pass");
            if arc_pass {
                l.extend_from_slice(b" ARC");
            }
        }
        if self.log_selector.has("msg_id")
            && let Some(h) = m.visible_headers().find(|h| h.htype == htype::ID)
        {
            let colon = h.text.iter().position(|&c| c == b':').map_or(0, |i| i + 1);
            let opts = crate::address::AddressOptions {
                allow_domain_literals: true,
                ..Default::default()
            };
            let mut p = crate::address::AddressParser::new(opts);
            if let Ok(e) = p.extract(&h.text[colon..]) {
                l.extend_from_slice(b" id=");
                l.extend_from_slice(&self.printing(&e.address));
            }
        }
        if self.log_selector.has("subject")
            && m.visible_headers()
                .any(|h| h.text[..h.text.len().min(8)].eq_ignore_ascii_case(b"subject:"))
        {
            let mut ev = crate::eval::Evaluator::new(self.ctx);
            let s = ev
                .expand_nested(b"$h_subject:")
                .map(|v| v.bytes)
                .unwrap_or_default();
            let mut q = b"\"".to_vec();
            for &c in s.iter().take(100) {
                if c == b'"' || c == b'\\' {
                    q.push(b'\\');
                }
                q.push(c);
            }
            q.push(b'"');
            l.extend_from_slice(b" T=");
            l.extend_from_slice(&self.printing(&q));
        }
        if self.log_selector.has("received_recipients") {
            l.extend_from_slice(b" for");
            for r in &self.st.recipients {
                l.push(b' ');
                l.extend_from_slice(&r.bytes);
            }
        }
        self.log(&l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_sections() {
        let (m, rest) = read_data(b"Subject: x\r\n\r\n..dot\r\nline\n.\r\nQUIT\r\n").unwrap();
        assert_eq!(m, b"Subject: x\n\n.dot\nline\n");
        assert_eq!(rest, b"QUIT\r\n");
        assert_eq!(read_data(b"Subject: x\r\nno end\r\n"), Err(LostAt::Body));
        assert_eq!(read_data(b"Subject: x\r\n"), Err(LostAt::AfterHeader));
        assert_eq!(read_data(b"Subject: x\r\n  more"), Err(LostAt::Header));
        assert_eq!(read_data(b"Subject: x\r\n\r\nbody"), Err(LostAt::Body));
    }
}
