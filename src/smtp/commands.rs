//! The commands of a session: HELO/EHLO, MAIL, RCPT, DATA, VRFY, EXPN,
//! ETRN, STARTTLS and AUTH, as Exim's `smtp_setup_msg` handles them.

use super::reply::Code;
use super::session::{Had, SmtpSession, Step};
use crate::acl::AclRc;
use crate::eval::{SmtpPhase, Value};

/// An option after the address of MAIL or RCPT, taken off the end of the
/// command's data (Exim's `extract_option`): `(name, value)`, value empty
/// for a bare word.  `data` keeps what is left.
fn extract_option(data: &mut Vec<u8>) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let saved = data.clone();
    while data.last().is_some_and(u8::is_ascii_whitespace) {
        data.pop();
    }
    if data.is_empty() {
        return None;
    }
    let mut v = data.len() - 1;
    while v > 0 && data[v] != b'=' && !data[v].is_ascii_whitespace() {
        if data[v] == b'"' {
            loop {
                v -= 1;
                if v == 0 || data[v] == b'"' {
                    break;
                }
            }
            if v == 0 {
                *data = saved;
                return None;
            }
        }
        v -= 1;
    }
    if v == 0 {
        return None;
    }
    let (name_start, name_end, value_start);
    if data[v] == b'=' {
        let mut n = v;
        while n > 0 && data[n - 1].is_ascii_alphabetic() {
            n -= 1;
        }
        if n == 0 || !data[n - 1].is_ascii_whitespace() {
            return None;
        }
        name_start = n;
        name_end = v;
        value_start = v + 1;
    } else {
        name_start = v + 1;
        name_end = data.len();
        value_start = data.len();
    }
    let name = data[name_start..name_end].to_vec();
    let value = data[value_start.min(data.len())..].to_vec();
    let cut = if data[v] == b'=' { name_start - 1 } else { v };
    let original = data[cut..].to_vec();
    data.truncate(cut);
    Some((name, value, original))
}

/// Exim's `check_helo`: a HELO argument that is a domain-like name (with
/// `helo_allow_chars`) or an IP literal.
fn helo_is_valid(s: &[u8], allow_chars: &[u8]) -> bool {
    if s.first() == Some(&b'[') {
        let Some(inner) = s[1..].strip_suffix(b"]") else {
            return false;
        };
        let prefixed = |p: &[u8]| inner.len() >= 5 && inner[..5].eq_ignore_ascii_case(p);
        return if prefixed(b"IPv6:") {
            crate::ip::is_ip_address(&inner[5..]) == 6
        } else if prefixed(b"IPv4:") {
            crate::ip::is_ip_address(&inner[5..]) == 4
        } else {
            crate::ip::is_ip_address(inner) != 0
        };
    }
    !s.is_empty()
        && s.iter().all(|&c| {
            c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || allow_chars.contains(&c)
        })
}

impl SmtpSession<'_> {
    pub(super) fn helo(&mut self) {
        let ehlo = self.cmd.verb == super::command::Verb::Ehlo;
        self.had(if ehlo { Had::Ehlo } else { Had::Helo });
        let hello = if ehlo { "EHLO" } else { "HELO" };
        self.st.esmtp = ehlo;
        self.st.free_helo = false;
        let allow = self.option("helo_allow_chars").unwrap_or_default();
        let arg = self.data.clone();
        if !(self.st.helo_accept_junk || helo_is_valid(&arg, allow.as_bytes())) {
            self.unset("sender_helo_name");
            self.printf(format!("501 Syntactically invalid {hello} argument(s)\r\n").as_bytes());
            let mut l = format!("rejected {hello} from ").into_bytes();
            l.extend_from_slice(&self.host_and_ident(false));
            l.extend_from_slice(b": syntactically invalid argument(s): ");
            if self.cmd.argument.is_empty() {
                l.extend_from_slice(b"(no argument given)");
            } else {
                let a = self.printing(&self.cmd.argument.clone());
                l.extend_from_slice(&a);
            }
            self.log(&l);
            if self.count_synprot_error() {
                self.st.closed = true;
            }
            return;
        }
        self.set("sender_helo_name", Value::tainted(arg.clone()));
        self.ctx.helo_verified = None;
        // A HELO naming this host makes Exim look the client's name up, so
        // that the log shows who it is.
        if self.known_host_name().is_none() {
            let list = self
                .option("helo_lookup_domains")
                .unwrap_or_else(|| "@ : @[]".into());
            let mut ev = crate::eval::Evaluator::new(self.ctx);
            if crate::conditions::matchlist::acl_check(
                &mut ev,
                crate::eval::ListKind::Domain,
                &arg,
                list.as_bytes(),
            )
            .unwrap_or(false)
            {
                self.var("sender_host_name");
            }
        }
        if self.option("acl_smtp_helo").is_some() {
            let r = self.acl(SmtpPhase::Helo, "acl_smtp_helo", None);
            if r.rc != AclRc::Ok {
                self.acl_fail(SmtpPhase::Helo, &r);
                self.unset("sender_helo_name");
                return;
            }
            if let Some(m) = r.user_msg {
                self.helo_response(ehlo, Some(m.bytes));
                return;
            }
        }
        self.helo_response(ehlo, None);
    }

    /// The 250 response to HELO, or EHLO's list of extensions.
    fn helo_response(&mut self, ehlo: bool, user_msg: Option<Vec<u8>>) {
        self.st.auth_advertised = false;
        self.st.pipelining_advertised = false;
        self.st.tls_advertised = false;
        self.st.dsn_advertised = false;
        self.st.smtputf8_advertised = false;
        let mut code = Code::new("250");
        let mut first = match user_msg {
            None => {
                let host = self.var("smtp_active_hostname").bytes;
                let mut g = b"250 ".to_vec();
                g.extend_from_slice(&host);
                g.extend_from_slice(b" Hello ");
                match self.known_host_name() {
                    Some(name) => g.extend_from_slice(&name),
                    None => g.extend_from_slice(&self.var("sender_helo_name").bytes),
                }
                g.extend_from_slice(b" [");
                g.extend_from_slice(self.client.address.as_bytes());
                g.push(b']');
                g
            }
            Some(m) => {
                let (rest, _) = super::reply::message_code(&mut code, &m, true);
                let mut g = code.0.clone();
                g.extend_from_slice(rest);
                if let Some(i) = g.iter().position(|&c| c == b'\r' || c == b'\n') {
                    let mut l =
                        b"EHLO/HELO response must not contain newlines: message truncated: "
                            .to_vec();
                    l.extend_from_slice(&self.printing(&g));
                    self.log(&l);
                    g.truncate(i);
                }
                g
            }
        };
        first.extend_from_slice(b"\r\n");
        let digits = String::from_utf8_lossy(&code.0[..3]).into_owned();
        let mut g = first;
        if ehlo {
            g[3] = b'-';
            let limit = self.int_option("message_size_limit", 50 * 1024 * 1024);
            if limit > 0 {
                g.extend_from_slice(format!("{digits}-SIZE {limit}\r\n").as_bytes());
            } else {
                g.extend_from_slice(format!("{digits}-SIZE\r\n").as_bytes());
            }
            let ext = |g: &mut Vec<u8>, word: &str| {
                g.extend_from_slice(format!("{digits}-{word}\r\n").as_bytes());
            };
            let eightbit = self.bool_option("accept_8bitmime", true);
            if eightbit {
                ext(&mut g, "8BITMIME");
            }
            if self.host_in("dsn_advertise_hosts", "") {
                ext(&mut g, "DSN");
                self.st.dsn_advertised = true;
            }
            for (opt, word) in [
                ("acl_smtp_etrn", "ETRN"),
                ("acl_smtp_vrfy", "VRFY"),
                ("acl_smtp_expn", "EXPN"),
            ] {
                if self.option(opt).is_some() {
                    ext(&mut g, word);
                }
            }
            let no_pipelining = self.ctx.acl_controls.iter().any(|c| c == b"no_pipelining");
            if !no_pipelining && self.host_in("pipelining_advertise_hosts", "*") {
                ext(&mut g, "PIPELINING");
                self.st.pipelining_advertised = true;
                if self.st.pipe_connect_acceptable {
                    ext(&mut g, "PIPECONNECT");
                }
            }
            if let Some(names) = self.advertised_auth() {
                g.extend_from_slice(format!("{digits}-AUTH {names}\r\n").as_bytes());
                self.st.auth_advertised = true;
            }
            if self.host_in("chunking_advertise_hosts", "*") {
                ext(&mut g, "CHUNKING");
                self.st.chunking_offered = true;
            }
            if self.host_in("tls_advertise_hosts", "*") {
                ext(&mut g, "STARTTLS");
                self.st.tls_advertised = true;
            }
            if self.bool_option("prdr_enable", false) {
                ext(&mut g, "PRDR");
            }
            if eightbit && self.host_in("smtputf8_advertise_hosts", "*") {
                ext(&mut g, "SMTPUTF8");
                self.st.smtputf8_advertised = true;
            }
            g.extend_from_slice(format!("{digits} HELP\r\n").as_bytes());
        }
        self.printf(&g);
        self.st.helo_seen = true;
        let proto = if ehlo { "esmtp" } else { "smtp" };
        self.set("received_protocol", Value::from(proto));
        self.reset_transaction();
    }

    /// An address without a domain, qualified (`$qualify_domain` for a
    /// sender, `$qualify_recipient` for a recipient) when `allowed`, else
    /// refused with Exim's 501 and log line (`None`).
    fn qualified(
        &mut self,
        mut address: Vec<u8>,
        data: &[u8],
        who: &str,
        allowed: bool,
    ) -> Option<Vec<u8>> {
        if allowed {
            let q = self
                .var(if who == "sender" {
                    "qualify_domain"
                } else {
                    "qualify_recipient"
                })
                .bytes;
            address.push(b'@');
            address.extend_from_slice(&q);
            return Some(address);
        }
        let mut r = b"501 ".to_vec();
        r.extend_from_slice(data);
        r.extend_from_slice(format!(": {who} address must contain a domain\r\n").as_bytes());
        self.printf(&r);
        let mut l = format!("unqualified {who} rejected: <").into_bytes();
        l.extend_from_slice(&address);
        l.extend_from_slice(b"> ");
        l.extend_from_slice(&self.host_and_ident(true));
        l.extend_from_slice(&self.ctx.host_name.failure_message());
        self.log_if("smtp_syntax_error", &l);
        None
    }

    pub(super) fn mail(&mut self) {
        self.had(Had::Mail);
        self.st.was_rej_mail = true;
        if !self.st.helo_seen && self.host_in("hosts_require_helo", "*") {
            self.printf(b"503 HELO or EHLO required\r\n");
            let mut l = b"rejected MAIL from ".to_vec();
            l.extend_from_slice(&self.host_and_ident(false));
            l.extend_from_slice(b": no HELO/EHLO given");
            self.log(&l);
            return;
        }
        if self.st.sender.is_some() {
            self.synprot_error(false, 503, None, b"sender already given");
            return;
        }
        if self.data.is_empty() {
            self.synprot_error(false, 501, None, b"MAIL must have an address operand");
            return;
        }
        self.reset_transaction();
        if self.st.esmtp && !self.mail_options() {
            return;
        }
        let data = self.data.clone();
        let sender = match parse_address(&data, true) {
            Ok(s) => s,
            Err(e) => {
                self.synprot_error(true, 501, Some(&data), &e);
                return;
            }
        };
        let limit = self.int_option("message_size_limit", 50 * 1024 * 1024);
        if limit > 0 && self.st.message_size > limit {
            self.printf(b"552 Message size exceeds maximum permitted\r\n");
            let size = self.st.message_size;
            let mut l = b"rejected MAIL FROM:<".to_vec();
            l.extend_from_slice(&sender.0);
            l.extend_from_slice(b"> ");
            l.extend_from_slice(&self.host_and_ident(true));
            l.extend_from_slice(
                format!(
                    ": message too big: size{}={size} max={limit}",
                    if size == i64::from(i32::MAX) { ">" } else { "" }
                )
                .as_bytes(),
            );
            self.log_if("size_reject", &l);
            return;
        }
        let mut address = sender.0;
        if !sender.1 && !address.is_empty() {
            let allowed = self.st.allow_unqualified_sender;
            match self.qualified(address, &data, "sender", allowed) {
                Some(a) => address = a,
                None => return,
            }
        }
        let sender = Value::tainted(address);
        self.st.sender = Some(sender.clone());
        self.set("sender_address", sender);
        let r = if self.option("acl_smtp_mail").is_some() {
            self.acl(SmtpPhase::Mail, "acl_smtp_mail", None)
        } else {
            crate::acl::AclOutcome::accepted()
        };
        if matches!(r.rc, AclRc::Ok | AclRc::Discard) {
            match r.user_msg {
                Some(m) => self.user_msg("250", &m.bytes),
                None => self.printf(b"250 OK\r\n"),
            }
            self.st.recipients_discarded = r.rc == AclRc::Discard;
            self.st.was_rej_mail = false;
        } else {
            self.acl_fail(SmtpPhase::Mail, &r);
            self.st.sender = None;
            self.unset("sender_address");
        }
    }

    /// The ESMTP options of MAIL; false when one was refused (the
    /// response is written).
    fn mail_options(&mut self) -> bool {
        loop {
            let mut data = self.data.clone();
            let Some((name, value, _)) = extract_option(&mut data) else {
                return true;
            };
            let upper = name.to_ascii_uppercase();
            let needs_value = matches!(&upper[..], b"SIZE" | b"BODY" | b"AUTH" | b"RET" | b"ENVID");
            let known = needs_value || matches!(&upper[..], b"PRDR" | b"SMTPUTF8");
            if !known || (needs_value && value.is_empty()) {
                return true;
            }
            self.data = data;
            match &upper[..] {
                b"SIZE" => match std::str::from_utf8(&value)
                    .ok()
                    .and_then(|v| v.parse::<u128>().ok())
                {
                    Some(n) => self.st.message_size = n.min(i32::MAX as u128) as i64,
                    None => return true,
                },
                b"BODY" => {
                    if !self.bool_option("accept_8bitmime", true) {
                        return true;
                    }
                    if value.eq_ignore_ascii_case(b"8BITMIME") {
                        self.st.body_8bitmime = 8;
                    } else if value.eq_ignore_ascii_case(b"7BIT") {
                        self.st.body_8bitmime = 7;
                    } else {
                        self.st.body_8bitmime = 0;
                        self.synprot_error(true, 501, None, b"invalid data for BODY");
                        return false;
                    }
                }
                b"SMTPUTF8" => {
                    if !self.st.smtputf8_advertised {
                        self.synprot_error(true, 501, None, b"SMTPUTF8 used when not advertised");
                        return false;
                    }
                    self.set("message_smtputf8", Value::from("1"));
                    let p = self.var("received_protocol").bytes;
                    if !p.starts_with(b"utf8") {
                        let mut n = b"utf8".to_vec();
                        n.extend_from_slice(&p);
                        self.set("received_protocol", Value::new(n));
                    }
                }
                b"AUTH" if value != b"<>" => {
                    let mut l = b"ignoring AUTH=".to_vec();
                    l.extend_from_slice(&value);
                    l.extend_from_slice(b" from ");
                    l.extend_from_slice(&self.host_and_ident(true));
                    l.extend_from_slice(b" (client not authenticated)");
                    self.log(&l);
                }
                _ => {}
            }
        }
    }

    pub(super) fn rcpt(&mut self) {
        self.had(Had::Rcpt);
        self.st.rcpt_count += 1;
        self.st.was_rcpt = true;
        self.st.rcpt_in_progress = true;
        if self.st.sender.is_none() {
            if self.st.pipelining_advertised && self.st.last_was_rej_mail {
                self.printf(b"503 sender not yet given\r\n");
                self.st.was_rej_mail = true;
            } else {
                self.synprot_error(false, 503, None, b"sender not yet given");
                self.st.was_rcpt = false;
            }
            self.st.rcpt_fail_count += 1;
            self.set_counts();
            return;
        }
        if self.data.is_empty() {
            self.synprot_error(true, 501, None, b"RCPT must have an address operand");
            self.st.rcpt_fail_count += 1;
            self.set_counts();
            return;
        }
        if self.st.esmtp {
            // Only DSN's ORCPT and NOTIFY are known, and only when DSN
            // was advertised.
            loop {
                let mut data = self.data.clone();
                let Some((name, _, _)) = extract_option(&mut data) else {
                    break;
                };
                let dsn = self.st.dsn_advertised
                    && (name.eq_ignore_ascii_case(b"ORCPT")
                        || name.eq_ignore_ascii_case(b"NOTIFY"));
                if !dsn {
                    break;
                }
                self.data = data;
            }
        }
        let data = self.data.clone();
        let (mut address, qualified) = match parse_address(&data, false) {
            Ok(a) => a,
            Err(e) => {
                self.synprot_error(true, 501, Some(&data), &e);
                self.st.rcpt_fail_count += 1;
                self.set_counts();
                return;
            }
        };
        if !qualified {
            let allowed =
                self.st.allow_unqualified_recipient || address.eq_ignore_ascii_case(b"postmaster");
            match self.qualified(address, &data, "recipient", allowed) {
                Some(a) => address = a,
                None => {
                    self.st.rcpt_fail_count += 1;
                    self.set_counts();
                    return;
                }
            }
        }
        let max = self.int_option("recipients_max", 50000);
        if max > 0 && self.st.rcpt_count > max {
            let sender = self.st.sender.clone().map(|s| s.bytes).unwrap_or_default();
            let reject = self.bool_option("recipients_max_reject", false);
            let (resp, what): (&[u8], &[u8]) = if reject {
                self.st.rcpt_fail_count += 1;
                (b"552 too many recipients\r\n", b"message rejected")
            } else {
                self.st.rcpt_defer_count += 1;
                (
                    b"452 too many recipients\r\n",
                    b"excess temporarily rejected",
                )
            };
            self.printf(resp);
            if !self.st.toomany {
                let mut l = b"too many recipients: ".to_vec();
                l.extend_from_slice(what);
                l.extend_from_slice(b": sender=<");
                l.extend_from_slice(&sender);
                l.extend_from_slice(b"> ");
                l.extend_from_slice(&self.host_and_ident(true));
                self.log(&l);
            }
            self.st.toomany = true;
            self.set_counts();
            return;
        }
        self.set_counts();
        let recipient = Value::tainted(address);
        let r = if self.st.recipients_discarded {
            crate::acl::AclOutcome {
                rc: AclRc::Discard,
                ..crate::acl::AclOutcome::accepted()
            }
        } else {
            self.acl(SmtpPhase::Rcpt, "acl_smtp_rcpt", Some(&recipient))
        };
        match r.rc {
            AclRc::Ok => {
                match &r.user_msg {
                    Some(m) => self.user_msg("250", &m.bytes.clone()),
                    None => self.printf(b"250 Accepted\r\n"),
                }
                self.st.recipients.push(recipient);
            }
            AclRc::Discard => {
                match &r.user_msg {
                    Some(m) => self.user_msg("250", &m.bytes.clone()),
                    None => self.printf(b"250 Accepted\r\n"),
                }
                self.st.rcpt_fail_count += 1;
                self.st.discarded = true;
                let sender = self.st.sender.clone().map(|s| s.bytes).unwrap_or_default();
                let mut l = self.host_and_ident(true);
                l.extend_from_slice(b" F=<");
                l.extend_from_slice(&sender);
                l.extend_from_slice(b"> RCPT ");
                l.extend_from_slice(&self.cmd.argument.clone());
                l.extend_from_slice(b": discarded by ");
                l.extend_from_slice(if self.st.recipients_discarded {
                    b"MAIL"
                } else {
                    b"RCPT"
                });
                l.extend_from_slice(b" ACL");
                if let Some(m) = &r.log_msg {
                    l.extend_from_slice(b": ");
                    l.extend_from_slice(&m.bytes);
                }
                self.log(&l);
            }
            rc => {
                if rc == AclRc::Fail || rc == AclRc::FailDrop {
                    self.st.rcpt_fail_count += 1;
                } else {
                    self.st.rcpt_defer_count += 1;
                }
                self.acl_fail(SmtpPhase::Rcpt, &r);
            }
        }
        self.st.rcpt_in_progress = false;
        self.set_counts();
    }

    pub(super) fn data_command(&mut self) -> Step {
        self.had(Had::Data);
        if self.refuse_message_start(b"DATA").is_some() {
            return Step::Command;
        }
        let recipients = self.recipients_list();
        self.set("recipients", Value::tainted(recipients));
        let r = if self.option("acl_smtp_predata").is_some() {
            self.acl(SmtpPhase::Predata, "acl_smtp_predata", None)
        } else {
            crate::acl::AclOutcome::accepted()
        };
        self.unset("recipients");
        if r.rc != AclRc::Ok {
            self.acl_fail(SmtpPhase::Predata, &r);
            return Step::Command;
        }
        match r.user_msg {
            Some(m) => self.user_msg("354", &m.bytes),
            None => self.printf(b"354 Enter message, ending with \".\" on a line by itself\r\n"),
        }
        Step::Message
    }

    /// The checks DATA and BDAT share: a valid recipient, not too many.
    /// `Some` when the command was refused (the response is written).
    pub(super) fn refuse_message_start(&mut self, what: &[u8]) -> Option<()> {
        self.st.pipe_connect_acceptable = false;
        let verb = String::from_utf8_lossy(what).into_owned();
        if !self.st.discarded && self.st.recipients.is_empty() {
            if self.st.rcpt_smtp_response_same
                && let Some(r) = self.st.rcpt_smtp_response.clone()
            {
                let code = Code::new("503");
                self.respond(
                    &code,
                    false,
                    b"All RCPT commands were rejected with this error:",
                );
                let r = r.strip_suffix(b"\r\n").unwrap_or(&r).to_vec();
                self.respond(&code, false, &r);
            }
            if self.st.pipelining_advertised && self.st.last_was_rcpt {
                self.printf(format!("503 Valid RCPT command must precede {verb}\r\n").as_bytes());
            } else {
                self.synprot_error(
                    false,
                    503,
                    None,
                    format!("valid RCPT command must precede {verb}").as_bytes(),
                );
            }
            return Some(());
        }
        if self.st.toomany && self.bool_option("recipients_max_reject", false) {
            self.st.sender = None;
            self.unset("sender_address");
            self.printf(b"554 Too many recipients\r\n");
            return Some(());
        }
        None
    }

    /// `$recipients`: the accepted recipients, comma-separated.
    pub(super) fn recipients_list(&self) -> Vec<u8> {
        let r: Vec<&[u8]> = self.st.recipients.iter().map(|v| &v.bytes[..]).collect();
        r.join(&b", "[..])
    }

    pub(super) fn vrfy(&mut self) {
        self.had(Had::Vrfy);
        let data = self.data.clone();
        let (mut address, qualified) = match parse_address(&data, false) {
            Ok(a) => a,
            Err(e) => {
                let mut r = b"501 ".to_vec();
                r.extend_from_slice(&e);
                r.extend_from_slice(b"\r\n");
                self.printf(&r);
                return;
            }
        };
        if !qualified {
            if self.st.allow_unqualified_recipient || address.eq_ignore_ascii_case(b"postmaster") {
                let q = self.var("qualify_recipient").bytes;
                address.push(b'@');
                address.extend_from_slice(&q);
            } else {
                let mut r = b"501 ".to_vec();
                r.extend_from_slice(&data);
                r.extend_from_slice(b": recipient address must contain a domain\r\n");
                self.printf(&r);
                return;
            }
        }
        let addr = Value::tainted(address.clone());
        let r = self.acl(SmtpPhase::Vrfy, "acl_smtp_vrfy", Some(&addr));
        if r.rc != AclRc::Ok {
            self.acl_fail(SmtpPhase::Vrfy, &r);
            return;
        }
        // Verifying an address runs the routers, which this build does not
        // have: say so rather than guess.
        let mut s = b"252 <".to_vec();
        s.extend_from_slice(&address);
        s.extend_from_slice(b"> cannot be verified: exim-expand has no routers\r\n");
        self.printf(&s);
    }

    pub(super) fn expn(&mut self) {
        self.had(Had::Expn);
        let r = self.acl(SmtpPhase::Expn, "acl_smtp_expn", None);
        if r.rc != AclRc::Ok {
            self.acl_fail(SmtpPhase::Expn, &r);
            return;
        }
        self.printf(b"550 EXPN is not supported by exim-expand: no routers\r\n");
    }

    pub(super) fn etrn(&mut self) {
        self.had(Had::Etrn);
        if self.st.sender.is_some() {
            self.synprot_error(
                false,
                503,
                None,
                b"ETRN is not permitted inside a transaction",
            );
            return;
        }
        let mut l = b"ETRN ".to_vec();
        l.extend_from_slice(&self.cmd.argument.clone());
        l.extend_from_slice(b" received from ");
        l.extend_from_slice(&self.host_and_ident(false));
        self.log_if("etrn", &l);
        let r = self.acl(SmtpPhase::Etrn, "acl_smtp_etrn", None);
        if r.rc != AclRc::Ok {
            self.acl_fail(SmtpPhase::Etrn, &r);
            return;
        }
        if self.option("smtp_etrn_command").is_none() && self.data.first() != Some(&b'#') {
            self.synprot_error(true, 501, None, b"argument must begin with #");
            return;
        }
        // -bh runs no ETRN command.
        match r.user_msg {
            Some(m) => self.user_msg("250", &m.bytes),
            None => self.printf(b"250 OK\r\n"),
        }
    }

    pub(super) fn starttls(&mut self) {
        self.had(Had::StartTls);
        if !self.st.tls_advertised {
            self.synprot_error(
                false,
                503,
                None,
                b"STARTTLS command used when not advertised",
            );
            return;
        }
        if self.option("acl_smtp_starttls").is_some() {
            let r = self.acl(SmtpPhase::StartTls, "acl_smtp_starttls", None);
            if r.rc != AclRc::Ok {
                self.acl_fail(SmtpPhase::StartTls, &r);
                return;
            }
        }
        self.reset_transaction();
        self.st.free_starttls = false;
        // A test session has no TLS: Exim's -bh cannot start it either.
        self.printf(b"454 TLS currently unavailable\r\n");
    }
}

/// Exim's `parse_extract_address` for MAIL (`<>` allowed) and RCPT: the
/// address and whether it has a domain, or the error message.
fn parse_address(data: &[u8], allow_null: bool) -> Result<(Vec<u8>, bool), Vec<u8>> {
    let opts = crate::address::AddressOptions::default();
    let mut p = crate::address::AddressParser::new(opts);
    p.allow_null = allow_null;
    let e = p.extract(data)?;
    let qualified = e.domain > 0 || e.address.is_empty();
    Ok((e.address, qualified))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_come_off_the_end() {
        let mut d = b"<a@b> SIZE=100 BODY=8BITMIME".to_vec();
        let (n, v, _) = extract_option(&mut d).unwrap();
        assert_eq!(
            (n.as_slice(), v.as_slice()),
            (&b"BODY"[..], &b"8BITMIME"[..])
        );
        let (n, v, _) = extract_option(&mut d).unwrap();
        assert_eq!((n.as_slice(), v.as_slice()), (&b"SIZE"[..], &b"100"[..]));
        assert_eq!(d, b"<a@b>");
        assert!(extract_option(&mut d).is_none());
        let mut d = b"<a@b> SMTPUTF8".to_vec();
        assert_eq!(extract_option(&mut d).unwrap().0, b"SMTPUTF8");
        assert_eq!(d, b"<a@b>");
    }

    #[test]
    fn helo_names() {
        assert!(helo_is_valid(b"client.example", b""));
        assert!(!helo_is_valid(b"under_score", b""));
        assert!(helo_is_valid(b"under_score", b"_"));
        assert!(helo_is_valid(b"[192.0.2.1]", b""));
        assert!(helo_is_valid(b"[IPv6:2001:db8::1]", b""));
        assert!(!helo_is_valid(b"[IPv4:2001:db8::1]", b""));
        assert!(!helo_is_valid(b"two words", b""));
        assert!(!helo_is_valid(b"", b""));
    }
}
