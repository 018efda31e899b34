//! The SMTP server side of a session, as Exim's `smtp_in.c` runs it for
//! `exim -bh`: commands in, responses and log lines out, the configured
//! ACLs at every step.  Nothing is delivered: an accepted message is
//! logged and dropped, as in Exim's host-checking mode.

use super::command::{self, Command, Verb};
use super::log_selector::LogSelector;
use super::reply::{self, Code};
use crate::acl::{AclOutcome, AclRc};
use crate::eval::{Context, Evaluator, ListKind, SmtpPhase, Value};

/// Exim's names of the commands in its connection history (`smtp_names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Had {
    Auth,
    Data,
    Bdat,
    Ehlo,
    Etrn,
    Expn,
    Helo,
    Help,
    Mail,
    Noop,
    Quit,
    Rcpt,
    Rset,
    StartTls,
    Vrfy,
}

impl Had {
    fn name(self) -> &'static str {
        match self {
            Had::Auth => "AUTH",
            Had::Data => "DATA",
            Had::Bdat => "BDAT",
            Had::Ehlo => "EHLO",
            Had::Etrn => "ETRN",
            Had::Expn => "EXPN",
            Had::Helo => "HELO",
            Had::Help => "HELP",
            Had::Mail => "MAIL",
            Had::Noop => "NOOP",
            Had::Quit => "QUIT",
            Had::Rcpt => "RCPT",
            Had::Rset => "RSET",
            Had::StartTls => "STARTTLS",
            Had::Vrfy => "VRFY",
        }
    }
}

/// Exim keeps the last 20 commands for its "dropped" log lines.
const HISTORY_SIZE: usize = 20;

/// What the caller does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Read the next command.
    Command,
    /// Read a message (up to the line with a single dot) and give it to
    /// [`SmtpSession::message`].
    Message,
    /// Read the `size` bytes of a BDAT chunk and give them to
    /// [`SmtpSession::chunk`] (`discard`: the command was refused, the
    /// bytes are thrown away).
    Chunk {
        /// The chunk's size.
        size: u32,
        /// It is the message's last.
        last: bool,
        /// Read and drop it.
        discard: bool,
    },
    /// The session is over.
    Closed,
}

/// The client of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its IP address, as text.
    pub address: String,
    /// Its port, if known.
    pub port: Option<u16>,
}

/// The state of one SMTP session.
#[derive(Debug, Default)]
pub(super) struct State {
    pub helo_seen: bool,
    pub esmtp: bool,
    pub sender: Option<Value>,
    pub recipients: Vec<Value>,
    pub rcpt_count: i64,
    pub rcpt_fail_count: i64,
    pub rcpt_defer_count: i64,
    pub recipients_discarded: bool,
    pub discarded: bool,
    pub toomany: bool,
    pub pipelining_advertised: bool,
    pub auth_advertised: bool,
    pub dsn_advertised: bool,
    pub smtputf8_advertised: bool,
    pub tls_advertised: bool,
    pub chunking_offered: bool,
    pub pipe_connect_acceptable: bool,
    pub was_rej_mail: bool,
    pub last_was_rej_mail: bool,
    pub was_rcpt: bool,
    pub last_was_rcpt: bool,
    pub rcpt_in_progress: bool,
    pub rcpt_smtp_response: Option<Vec<u8>>,
    pub rcpt_smtp_response_same: bool,
    pub synprot_errors: u32,
    pub unknown_commands: u32,
    pub nonmail_commands: u32,
    pub message_size: i64,
    pub body_8bitmime: u8,
    pub history: Vec<Had>,
    pub free_rset: bool,
    pub free_helo: bool,
    pub free_starttls: bool,
    pub allow_unqualified_sender: bool,
    pub allow_unqualified_recipient: bool,
    pub helo_accept_junk: bool,
    pub closed: bool,
    /// The time of the last message id, in seconds and 5 ms ticks.
    pub last_id_time: Option<(i64, u64)>,
    /// The server authenticators of the configuration, and which the
    /// last EHLO advertised.
    pub authenticators: Vec<super::auth::Authenticator>,
    pub advertised: Vec<bool>,
    /// An AUTH dialogue waiting for the answer to a prompt.
    pub pending_auth: Option<super::auth::PendingAuth>,
    /// A BDAT transfer: where it is, what came so far, the size of the
    /// current chunk, and whether the message being received was chunked.
    pub chunking: super::bdat::Chunking,
    pub chunk_data: Vec<u8>,
    pub chunk_size: u32,
    pub chunked: bool,
}

/// An SMTP session over a context: give it command lines and messages,
/// read back the responses ([`SmtpSession::take_output`]) and the log
/// lines ([`SmtpSession::take_log`]).
///
/// ```
/// use exim_expand::Context;
/// use exim_expand::smtp::{Client, SmtpSession, Step};
/// let mut ctx = Context::new();
/// ctx.options.insert("acl_smtp_rcpt".into(), "accept".into());
/// let client = Client { address: "192.0.2.1".into(), port: None };
/// let mut s = SmtpSession::new(&mut ctx, client);
/// assert_eq!(s.start(), Step::Command);
/// s.command(b"HELO client.example");
/// s.command(b"MAIL FROM:<a@b.example>");
/// s.command(b"RCPT TO:<x@test.ex>");
/// let out = String::from_utf8(s.take_output()).unwrap();
/// assert!(out.ends_with("250 OK\r\n250 Accepted\r\n"), "{out}");
/// ```
pub struct SmtpSession<'c> {
    pub(super) ctx: &'c mut Context,
    pub(super) client: Client,
    pub(super) out: Vec<u8>,
    pub(super) st: State,
    pub(super) log_selector: LogSelector,
    pub(super) cmd: Command,
    /// The command's data: its argument, then what is left when MAIL and
    /// RCPT options are taken off (Exim's `smtp_cmd_data`).
    pub(super) data: Vec<u8>,
}

/// A session between commands, without its context: for embedders whose
/// context cannot stay borrowed (the Python binding holds it only while
/// a command runs).  [`SmtpSession::resume`] takes up where
/// [`SmtpSession::suspend`] left off.
pub struct SuspendedSession {
    client: Client,
    out: Vec<u8>,
    st: State,
    log_selector: LogSelector,
    cmd: Command,
    data: Vec<u8>,
}

impl std::fmt::Debug for SuspendedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuspendedSession")
            .field("client", &self.client)
            .field("closed", &self.st.closed)
            .finish_non_exhaustive()
    }
}

impl SuspendedSession {
    /// True once the session has ended (QUIT, a dropped connection).
    pub fn is_closed(&self) -> bool {
        self.st.closed
    }
}

impl<'c> SmtpSession<'c> {
    /// Lets go of the context, keeping the session's state.
    pub fn suspend(self) -> SuspendedSession {
        SuspendedSession {
            client: self.client,
            out: self.out,
            st: self.st,
            log_selector: self.log_selector,
            cmd: self.cmd,
            data: self.data,
        }
    }

    /// Takes up a suspended session with its context (the one it ran in).
    pub fn resume(ctx: &'c mut Context, s: SuspendedSession) -> SmtpSession<'c> {
        SmtpSession {
            ctx,
            client: s.client,
            out: s.out,
            st: s.st,
            log_selector: s.log_selector,
            cmd: s.cmd,
            data: s.data,
        }
    }

    /// True once the session has ended (QUIT, a dropped connection).
    pub fn is_closed(&self) -> bool {
        self.st.closed
    }

    /// A session with `client`.  Log lines are kept in `ctx.log`.
    pub fn new(ctx: &'c mut Context, client: Client) -> SmtpSession<'c> {
        if !ctx.log.is_collecting() {
            ctx.log = crate::eval::LogBuffer::collecting();
        }
        let log_selector = LogSelector::parse(ctx.option("log_selector")).unwrap_or_else(|_| {
            LogSelector::parse(None).unwrap_or_else(|_| unreachable!("defaults parse"))
        });
        SmtpSession {
            ctx,
            client,
            out: Vec::new(),
            st: State {
                rcpt_smtp_response_same: true,
                ..State::default()
            },
            log_selector,
            cmd: command::parse(b""),
            data: Vec::new(),
        }
    }

    /// The responses written since the last call.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// The log lines written since the last call.
    pub fn take_log(&mut self) -> Vec<Vec<u8>> {
        self.ctx.log.take()
    }

    /// The context the session runs in.
    pub fn context(&mut self) -> &mut Context {
        self.ctx
    }

    // ---- output and logging ------------------------------------------

    /// A response line from Exim's `smtp_printf` (with its `\r\n`).
    pub(super) fn printf(&mut self, line: &[u8]) {
        if self.st.rcpt_in_progress {
            self.note_rcpt_response(line.to_vec());
        }
        self.out.extend_from_slice(line);
    }

    /// `smtp_respond`: a response made of a message's lines.
    pub(super) fn respond(&mut self, code: &Code, last: bool, msg: &[u8]) {
        if !last && self.no_multiline() {
            return;
        }
        if self.st.rcpt_in_progress {
            self.note_rcpt_response(msg.to_vec());
        }
        if self.no_multiline() {
            let first = msg.split(|&c| c == b'\n').next().unwrap_or_default();
            reply::respond(&mut self.out, code, last, first);
        } else {
            reply::respond(&mut self.out, code, last, msg);
        }
    }

    fn no_multiline(&self) -> bool {
        self.ctx
            .acl_controls
            .iter()
            .any(|c| c == b"no_multiline_responses")
    }

    fn note_rcpt_response(&mut self, r: Vec<u8>) {
        match &self.st.rcpt_smtp_response {
            None => self.st.rcpt_smtp_response = Some(r),
            Some(old) if *old != r => self.st.rcpt_smtp_response_same = false,
            Some(_) => {}
        }
        self.st.rcpt_in_progress = false;
    }

    /// `smtp_user_msg`: a response with the code a message may start with.
    pub(super) fn user_msg(&mut self, code: &str, msg: &[u8]) {
        let mut code = Code::new(code);
        let (msg, bad) = reply::message_code(&mut code, msg, true);
        let msg = msg.to_vec();
        if let Some(l) = bad {
            self.log(&l);
        }
        self.respond(&code, true, &msg);
    }

    /// Writes a log line.
    pub(super) fn log(&self, line: &[u8]) {
        self.ctx.log.write(line);
    }

    /// Writes a log line when `selector` is on.
    pub(super) fn log_if(&self, selector: &str, line: &[u8]) {
        if self.log_selector.has(selector) {
            self.log(line);
        }
    }

    pub(super) fn had(&mut self, h: Had) {
        self.st.history.push(h);
        if self.st.history.len() > HISTORY_SIZE {
            self.st.history.remove(0);
        }
    }

    /// Exim's `s_connhad_log`: ` C=EHLO,MAIL,...`.
    pub(super) fn history_log(&self) -> String {
        let mut s = String::from(if self.st.history.len() >= HISTORY_SIZE {
            " C=..."
        } else {
            " C="
        });
        let names: Vec<&str> = self.st.history.iter().map(|h| h.name()).collect();
        s.push_str(&names.join(","));
        s
    }

    // ---- variables and options ---------------------------------------

    pub(super) fn var(&mut self, name: &str) -> Value {
        let ev = Evaluator::new(self.ctx);
        crate::vars::value(&ev, name)
    }

    pub(super) fn set(&mut self, name: &str, v: Value) {
        self.ctx.vars.insert(name.to_string(), v);
    }

    pub(super) fn unset(&mut self, name: &str) {
        self.ctx.vars.remove(name);
    }

    pub(super) fn option(&self, name: &str) -> Option<String> {
        self.ctx.option(name).map(str::to_string)
    }

    /// An expanded option (`None` when unset or when the expansion fails).
    pub(super) fn expanded_option(&mut self, name: &str, default: &str) -> Option<Vec<u8>> {
        let text = self.option(name).unwrap_or_else(|| default.to_string());
        let mut ev = Evaluator::new(self.ctx);
        ev.expand_nested(text.as_bytes()).ok().map(|v| v.bytes)
    }

    /// `verify_check_host`: the client is in the host list an option
    /// holds (`default` when unset).  A list that cannot be checked counts
    /// as a match, as Exim's DEFER does for most of these options.
    pub(super) fn host_in(&mut self, name: &str, default: &str) -> bool {
        let list = self.option(name).unwrap_or_else(|| default.to_string());
        if list.is_empty() {
            return false;
        }
        let addr = self.client.address.clone();
        let mut ev = Evaluator::new(self.ctx);
        crate::conditions::matchlist::acl_check(
            &mut ev,
            ListKind::Host,
            addr.as_bytes(),
            list.as_bytes(),
        )
        .unwrap_or(true)
    }

    /// An integer option (Exim's K/M/G suffixes).
    pub(super) fn int_option(&mut self, name: &str, default: i64) -> i64 {
        match self.option(name) {
            None => default,
            Some(_) => match self.expanded_option(name, "") {
                Some(v) => crate::numeric::parse_integer(&v, false).unwrap_or(default),
                None => default,
            },
        }
    }

    pub(super) fn bool_option(&self, name: &str, default: bool) -> bool {
        self.ctx.option_flag(name, default)
    }

    /// `smtp_get_connection_info` in a test session.
    pub(super) fn connection_info(&mut self) -> Vec<u8> {
        let mut host = self.var("sender_fullhost").bytes;
        if host.is_empty() {
            host = self.client.address.clone().into_bytes();
        }
        [&b"SMTP connection from "[..], &host].concat()
    }

    /// `host_and_ident(flag)`.
    pub(super) fn host_and_ident(&mut self, flag: bool) -> Vec<u8> {
        let ev = Evaluator::new(self.ctx);
        crate::acl::host_and_ident(&ev, flag)
    }

    /// The client's host name when it is known (no lookup is started).
    pub(super) fn known_host_name(&self) -> Option<Vec<u8>> {
        super::known_host_name(self.ctx)
    }

    // ---- ACLs ----------------------------------------------------------

    /// Runs the ACL of `option` in `phase` (for RCPT, with `recipient`).
    pub(super) fn acl(
        &mut self,
        phase: SmtpPhase,
        option: &str,
        recipient: Option<&Value>,
    ) -> AclOutcome {
        let text = self.option(option);
        let mut ev = Evaluator::new(self.ctx);
        crate::acl::acl_check(&mut ev, phase, recipient, text.as_deref())
    }

    /// Exim's `smtp_handle_acl_fail`: the response and the log line of an
    /// ACL that did not accept.  True when the connection is to be dropped.
    pub(super) fn acl_fail(&mut self, phase: SmtpPhase, r: &AclOutcome) -> bool {
        let drop = r.rc == AclRc::FailDrop;
        let fail = matches!(r.rc, AclRc::Fail | AclRc::FailDrop);
        let mut code = Code::new(if fail { phase.reject_code() } else { "451" });
        let user_bytes = r.user_msg.as_ref().map(|m| m.bytes.clone());
        let mut log_msg = r.log_msg.as_ref().map(|m| m.bytes.clone());
        let user_msg = match &user_bytes {
            Some(m) => {
                let (rest, bad) = reply::message_code(&mut code, m, phase != SmtpPhase::Vrfy);
                let rest = rest.to_vec();
                // The log message keeps the code, unless it was a wrong one
                // (then it gets the default code instead).
                if let Some(l) = bad {
                    self.log(&l);
                    if log_msg.as_ref() == Some(m) {
                        let mut lm = code.0[..3].to_vec();
                        lm.push(b' ');
                        lm.extend_from_slice(&rest);
                        log_msg = Some(lm);
                    }
                }
                Some(rest)
            }
            None => None,
        };
        let what = self.acl_fail_what(phase);
        let sender_info = match phase {
            SmtpPhase::Rcpt | SmtpPhase::Data | SmtpPhase::Mime => {
                let sender = self
                    .st
                    .sender
                    .as_ref()
                    .map(|s| s.bytes.clone())
                    .unwrap_or_default();
                let mut s = b"F=<".to_vec();
                s.extend_from_slice(&sender);
                s.extend_from_slice(b">");
                let auth = self.var("sender_host_authenticated");
                if !auth.is_empty() {
                    s.extend_from_slice(b" A=");
                    s.extend_from_slice(&auth.bytes);
                    let id = self.var("authenticated_id");
                    if !id.is_empty() {
                        s.push(b':');
                        s.extend_from_slice(&id.bytes);
                    }
                }
                s.push(b' ');
                s
            }
            _ => Vec::new(),
        };
        if fail {
            let msg = user_msg.unwrap_or_else(|| b"Administrative prohibition".to_vec());
            self.respond(&code, true, &msg);
        } else if r.temp_details && user_msg.is_some() {
            self.respond(&code, true, &user_msg.unwrap_or_default());
        } else {
            self.respond(&code, true, b"Temporary local problem - please try later");
        }
        let mut line = Vec::new();
        if self.log_selector.has("dnssec") && self.var("sender_host_dnssec").bytes == b"yes" {
            line.extend_from_slice(b" DS");
        }
        line.extend_from_slice(&self.host_and_ident(true));
        line.push(b' ');
        line.extend_from_slice(&sender_info);
        if !fail {
            line.extend_from_slice(b"temporarily ");
        }
        line.extend_from_slice(b"rejected ");
        line.extend_from_slice(&what);
        if let Some(lm) = log_msg {
            line.extend_from_slice(b": ");
            let end = lm.iter().position(|&c| c == b'\n').unwrap_or(lm.len());
            line.extend_from_slice(&lm[..end]);
        }
        if phase == SmtpPhase::Connect {
            self.log_if("connection_reject", &line);
        } else {
            self.log(&line);
        }
        if drop {
            let l = [&self.connection_info()[..], b" closed by DROP in ACL"].concat();
            self.log_if("smtp_connection", &l);
            self.notquit_exit(Some("acl-drop"), None);
        }
        drop
    }

    /// The words naming what was rejected in an ACL failure's log line.
    fn acl_fail_what(&self, phase: SmtpPhase) -> Vec<u8> {
        match phase {
            SmtpPhase::Mime => b"during MIME ACL checks".to_vec(),
            SmtpPhase::Predata => b"DATA".to_vec(),
            SmtpPhase::Data => b"after DATA".to_vec(),
            SmtpPhase::Prdr => b"after DATA PRDR".to_vec(),
            SmtpPhase::Connect => b"connection in \"connect\" ACL".to_vec(),
            _ => {
                let mut w = phase.name().as_bytes().to_vec();
                w.push(b' ');
                let data = &self.data;
                let lim = if phase == SmtpPhase::Auth {
                    data.iter()
                        .position(u8::is_ascii_whitespace)
                        .unwrap_or(data.len())
                } else {
                    100
                };
                w.extend_from_slice(&data[..data.len().min(lim)]);
                w
            }
        }
    }

    /// Exim's `smtp_notquit_exit`: the not-QUIT ACL (for a `reason`) and
    /// the response (when `response` is given: code and text).
    pub(super) fn notquit_exit(&mut self, reason: Option<&str>, response: Option<(&str, Vec<u8>)>) {
        let mut user_msg = None;
        if let Some(reason) = reason
            && self.option("acl_smtp_notquit").is_some()
        {
            self.set("smtp_notquit_reason", Value::from(reason));
            let r = self.acl(SmtpPhase::NotQuit, "acl_smtp_notquit", None);
            if r.rc == AclRc::Error {
                let mut l = b"ACL for not-QUIT returned ERROR: ".to_vec();
                l.extend_from_slice(&r.log_msg.map(|m| m.bytes).unwrap_or_default());
                self.log(&l);
            }
            user_msg = r.user_msg;
        }
        if let Some((code, text)) = response {
            match user_msg {
                Some(m) => self.respond(&Code::new(code), true, &m.bytes),
                None => {
                    let mut l = format!("{code} ").into_bytes();
                    l.extend_from_slice(&text);
                    l.extend_from_slice(b"\r\n");
                    self.printf(&l);
                }
            }
        }
        self.st.closed = true;
    }

    /// `synprot_error`: a syntax or protocol error's log line and
    /// response; true when there were too many and the call is dropped.
    pub(super) fn synprot_error(
        &mut self,
        syntax: bool,
        code: u16,
        data: Option<&[u8]>,
        msg: &[u8],
    ) -> bool {
        let buffer = self.printing(&self.cmd.buffer.clone());
        let mut l = format!(
            "SMTP {} error in \"",
            if syntax { "syntax" } else { "protocol" }
        )
        .into_bytes();
        l.extend_from_slice(&buffer);
        l.extend_from_slice(b"\" ");
        l.extend_from_slice(&self.host_and_ident(true));
        l.push(b' ');
        l.extend_from_slice(msg);
        self.log_if(
            if syntax {
                "smtp_syntax_error"
            } else {
                "smtp_protocol_error"
            },
            &l,
        );
        let dropped = self.count_synprot_error();
        if code > 0 {
            let mut r = format!("{code}{}", if dropped { '-' } else { ' ' }).into_bytes();
            if let Some(d) = data {
                r.extend_from_slice(d);
                r.extend_from_slice(b": ");
            }
            r.extend_from_slice(msg);
            r.extend_from_slice(b"\r\n");
            self.printf(&r);
            if dropped {
                self.printf(format!("{code} Too many syntax or protocol errors\r\n").as_bytes());
            }
        }
        if dropped {
            self.st.closed = true;
        }
        dropped
    }

    /// Counts a syntax or protocol error; past `smtp_max_synprot_errors`
    /// logs that the call is dropped and returns true.
    pub(super) fn count_synprot_error(&mut self) -> bool {
        self.st.synprot_errors += 1;
        let max = self.int_option("smtp_max_synprot_errors", 3);
        if i64::from(self.st.synprot_errors) <= max {
            return false;
        }
        let buffer = self.printing(&self.cmd.buffer.clone());
        let mut l = b"SMTP call from ".to_vec();
        l.extend_from_slice(&self.host_and_ident(false));
        l.extend_from_slice(b" dropped: too many syntax or protocol errors (last command was \"");
        l.extend_from_slice(&buffer);
        l.extend_from_slice(b"\", ");
        l.extend_from_slice(self.history_log().as_bytes());
        l.push(b')');
        self.log(&l);
        true
    }

    /// Exim's `string_printing`.
    pub(super) fn printing(&self, s: &[u8]) -> Vec<u8> {
        crate::operators::quote::string_printing(
            s,
            self.ctx.option_flag("print_topbitchars", false),
        )
    }

    /// `smtp_reset`: forget the transaction (sender, recipients, message
    /// variables, what ACLs added).
    pub(super) fn reset_transaction(&mut self) {
        self.st.sender = None;
        self.st.recipients.clear();
        self.st.rcpt_count = 0;
        self.st.rcpt_fail_count = 0;
        self.st.rcpt_defer_count = 0;
        self.st.recipients_discarded = false;
        self.st.discarded = false;
        self.st.rcpt_smtp_response = None;
        self.st.rcpt_smtp_response_same = true;
        self.st.message_size = -1;
        self.st.body_8bitmime = 0;
        self.ctx.added_headers.clear();
        self.ctx.removed_headers.clear();
        self.ctx.warnings_logged.clear();
        self.ctx.message = None;
        let acl_m: Vec<String> = self
            .ctx
            .vars
            .keys()
            .filter(|k| k.starts_with("acl_m"))
            .cloned()
            .collect();
        for k in acl_m {
            self.ctx.vars.remove(&k);
        }
        for v in [
            "sender_address",
            "sender_data",
            "recipient_data",
            "authenticated_sender",
        ] {
            self.unset(v);
        }
        self.forget_message_results();
        self.set_counts();
    }

    /// What Exim's `smtp_reset` forgets of the last message's checks: the
    /// SPF, DKIM, DMARC and ARC results and the controls that apply to
    /// one message (those that apply to the connection stay).
    fn forget_message_results(&mut self) {
        const CONNECTION_CONTROLS: &[&[u8]] = &[
            b"allow_auth_unadvertised",
            b"debug",
            b"dscp",
            b"enforce_sync",
            b"no_callout_flush",
            b"no_delay_flush",
            b"no_enforce_sync",
            b"no_multiline_responses",
            b"no_pipelining",
        ];
        self.ctx.acl_controls.retain(|c| {
            let name = c.split(|&b| b == b'/').next().unwrap_or_default();
            CONNECTION_CONTROLS.contains(&name)
        });
        let results: Vec<String> = self
            .ctx
            .vars
            .keys()
            .filter(|k| {
                k.starts_with("spf_")
                    || k.starts_with("dkim_")
                    || k.starts_with("dmarc_")
                    || k.starts_with("arc_")
            })
            .cloned()
            .collect();
        for k in results {
            self.ctx.vars.remove(&k);
        }
        self.ctx.extensions.remove::<super::dkim::DkimState>();
        self.ctx
            .extensions
            .remove::<crate::acl::dmarc::DmarcState>();
    }

    /// `$rcpt_count` and friends as the transaction has them.
    pub(super) fn set_counts(&mut self) {
        let counts = [
            ("rcpt_count", self.st.rcpt_count),
            ("rcpt_fail_count", self.st.rcpt_fail_count),
            ("rcpt_defer_count", self.st.rcpt_defer_count),
            ("recipients_count", self.st.recipients.len() as i64),
        ];
        for (n, v) in counts {
            self.set(n, Value::from(v.to_string()));
        }
    }

    /// What Exim resets at the start of each message (`smtp_setup_msg`):
    /// one RSET, HELO/EHLO and STARTTLS are then free of the non-mail
    /// command limit.
    pub(super) fn setup_message(&mut self) {
        self.st.free_rset = true;
        self.st.free_helo = true;
        self.st.free_starttls = true;
        self.reset_transaction();
    }

    // ---- the session -----------------------------------------------------

    /// Starts the session: the client's variables, the connect ACL and the
    /// greeting.  `Step::Closed` when the connect ACL refused the client.
    pub fn start(&mut self) -> Step {
        let addr = self.client.address.clone();
        self.set("sender_host_address", Value::tainted(addr.into_bytes()));
        if let Some(p) = self.client.port {
            self.set("sender_host_port", Value::from(p.to_string()));
        }
        self.set("received_protocol", Value::from("smtp"));
        self.set("smtp_command_history", Value::from(""));
        self.ctx.smtp_session = true;
        self.ctx.show_incoming_port = self.log_selector.has("incoming_port");
        let l = self.connection_info();
        self.log_if("smtp_connection", &l);
        if self.host_in("host_lookup", "") {
            // The variable's lookup records its outcome in the context.
            self.var("sender_host_name");
        }
        self.st.allow_unqualified_sender = self.host_in("sender_unqualified_hosts", "");
        self.st.allow_unqualified_recipient = self.host_in("recipient_unqualified_hosts", "");
        self.st.helo_accept_junk = self.host_in("helo_accept_junk_hosts", "");
        self.st.authenticators = super::auth::server_authenticators(self.ctx.config.as_deref());
        self.st.advertised = vec![false; self.st.authenticators.len()];
        self.ctx.extensions.insert(crate::acl::Unqualified {
            sender: self.st.allow_unqualified_sender,
            recipient: self.st.allow_unqualified_recipient,
        });
        self.setup_message();
        let mut user_msg = None;
        if self.option("acl_smtp_connect").is_some() {
            let r = self.acl(SmtpPhase::Connect, "acl_smtp_connect", None);
            if r.rc != AclRc::Ok {
                self.acl_fail(SmtpPhase::Connect, &r);
                self.st.closed = true;
                return Step::Closed;
            }
            user_msg = r.user_msg;
        }
        self.greeting(user_msg.map(|m| m.bytes));
        self.st.pipe_connect_acceptable = self.host_in("pipelining_connect_advertise_hosts", "*");
        Step::Command
    }

    /// The 220 greeting: `smtp_banner`, or the connect ACL's message.
    fn greeting(&mut self, user_msg: Option<Vec<u8>>) {
        let mut code = Code::new("220");
        let text = match user_msg {
            Some(m) => {
                let (rest, _) = reply::message_code(&mut code, &m, true);
                rest.to_vec()
            }
            None => self
                .expanded_option(
                    "smtp_banner",
                    "$smtp_active_hostname ESMTP Exim $version_number $tod_full",
                )
                .unwrap_or_default(),
        };
        let mut text = text;
        while text.last().is_some_and(u8::is_ascii_whitespace) {
            text.pop();
        }
        let (digits, esc) = code.0.split_at(3);
        let esc = esc.get(1..).unwrap_or_default().to_vec();
        let mut rest = &text[..];
        loop {
            let nl = rest.iter().position(|&c| c == b'\n');
            self.out.extend_from_slice(digits);
            self.out.push(if nl.is_some() { b'-' } else { b' ' });
            self.out.extend_from_slice(&esc);
            self.out
                .extend_from_slice(&rest[..nl.unwrap_or(rest.len())]);
            self.out.extend_from_slice(b"\r\n");
            match nl {
                Some(i) if i + 1 < rest.len() => rest = &rest[i + 1..],
                _ => break,
            }
        }
    }

    /// Handles one command line (without its line ending).
    pub fn command(&mut self, line: &[u8]) -> Step {
        if self.st.closed {
            return Step::Closed;
        }
        if self.st.pending_auth.is_some() {
            self.auth_answer(line);
            return if self.st.closed {
                Step::Closed
            } else {
                Step::Command
            };
        }
        self.cmd = command::parse(line);
        self.data = self.cmd.argument.clone();
        self.set("smtp_command", Value::tainted(self.cmd.buffer.clone()));
        self.set(
            "smtp_command_argument",
            Value::tainted(self.cmd.argument.clone()),
        );
        self.st.was_rej_mail = false;
        self.st.was_rcpt = false;
        if self.cmd.nonmail && self.counts_as_nonmail() {
            self.st.nonmail_commands += 1;
            let max = self.int_option("smtp_accept_max_nonmail", 10);
            if i64::from(self.st.nonmail_commands) > max
                && self.host_in("smtp_accept_max_nonmail_hosts", "*")
            {
                self.too_many_nonmail();
                return Step::Closed;
            }
        }
        let step = match self.cmd.verb {
            _ if self.st.chunking != super::bdat::Chunking::Idle => self.between_chunks(),
            Verb::Helo | Verb::Ehlo => {
                self.helo();
                Step::Command
            }
            Verb::Mail => {
                self.mail();
                Step::Command
            }
            Verb::Rcpt => {
                self.rcpt();
                Step::Command
            }
            Verb::Data => self.data_command(),
            Verb::Bdat => self.bdat_command(),
            Verb::Quit => {
                self.quit();
                Step::Closed
            }
            Verb::Rset => {
                self.had(Had::Rset);
                self.printf(b"250 Reset OK\r\n");
                self.st.free_rset = false;
                self.reset_transaction();
                Step::Command
            }
            Verb::Noop => {
                self.had(Had::Noop);
                self.printf(b"250 OK\r\n");
                Step::Command
            }
            Verb::Help => {
                self.help();
                Step::Command
            }
            Verb::Vrfy => {
                self.vrfy();
                Step::Command
            }
            Verb::Expn => {
                self.expn();
                Step::Command
            }
            Verb::Etrn => {
                self.etrn();
                Step::Command
            }
            Verb::StartTls => {
                self.starttls();
                Step::Command
            }
            Verb::Auth => {
                self.auth();
                Step::Command
            }
            Verb::BadArg => {
                self.synprot_error(true, 501, None, b"unexpected argument data");
                Step::Command
            }
            Verb::BadChar => {
                self.synprot_error(true, 0, None, b"NUL character(s) present (shown as '?')");
                self.printf(b"501 NUL characters are not allowed in SMTP commands\r\n");
                Step::Command
            }
            Verb::Other => {
                self.unknown();
                Step::Command
            }
        };
        self.st.last_was_rej_mail = self.st.was_rej_mail;
        self.st.last_was_rcpt = self.st.was_rcpt;
        if self.st.closed { Step::Closed } else { step }
    }

    /// Whether this non-mail command counts (the first RSET, HELO/EHLO and
    /// STARTTLS of each message do not).
    fn counts_as_nonmail(&self) -> bool {
        match self.cmd.verb {
            Verb::Rset => !self.st.free_rset,
            Verb::Helo | Verb::Ehlo => !self.st.free_helo,
            Verb::StartTls => !self.st.free_starttls,
            _ => true,
        }
    }

    fn too_many_nonmail(&mut self) {
        let buf = &self.cmd.buffer;
        let word_end = buf
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(buf.len());
        let word = buf[..word_end].to_vec();
        let mut l = b"SMTP call from ".to_vec();
        l.extend_from_slice(&self.host_and_ident(false));
        l.extend_from_slice(b" dropped: too many nonmail commands (last was \"");
        l.extend_from_slice(&word);
        l.extend_from_slice(b"\")");
        self.log(&l);
        self.notquit_exit(
            Some("bad-commands"),
            Some(("554", b"Too many nonmail commands".to_vec())),
        );
    }

    fn unknown(&mut self) {
        let max = self.int_option("smtp_max_unknown_commands", 3);
        let n = self.st.unknown_commands;
        self.st.unknown_commands += 1;
        if i64::from(n) >= max {
            let buffer = self.printing(&self.cmd.buffer.clone());
            let mut l = b"SMTP syntax error in \"".to_vec();
            l.extend_from_slice(&buffer);
            l.extend_from_slice(b"\" ");
            l.extend_from_slice(&self.host_and_ident(true));
            l.extend_from_slice(b" unrecognized command");
            self.log_if("smtp_syntax_error", &l);
            self.notquit_exit(
                Some("bad-commands"),
                Some(("500", b"Too many unrecognized commands".to_vec())),
            );
            let mut l = b"SMTP call from ".to_vec();
            l.extend_from_slice(&self.host_and_ident(false));
            l.extend_from_slice(b" dropped: too many unrecognized commands (last was \"");
            l.extend_from_slice(&buffer);
            l.extend_from_slice(b"\")");
            self.log(&l);
        } else {
            self.synprot_error(true, 500, None, b"unrecognized command");
        }
    }

    fn help(&mut self) {
        self.had(Had::Help);
        let mut s = String::from(" AUTH");
        if self.host_in("tls_advertise_hosts", "*") {
            s.push_str(" STARTTLS");
        }
        s.push_str(" HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP");
        for (opt, word) in [
            ("acl_smtp_etrn", " ETRN"),
            ("acl_smtp_expn", " EXPN"),
            ("acl_smtp_vrfy", " VRFY"),
        ] {
            if self.option(opt).is_some() {
                s.push_str(word);
            }
        }
        self.printf(b"214-Commands supported:\r\n");
        self.printf(format!("214{s}\r\n").as_bytes());
    }

    /// Ends the session at the end of the input (Exim's EOF command).
    pub fn eof(&mut self) {
        if self.st.closed {
            return;
        }
        // In an AUTH dialogue the end of the input reads as an empty
        // answer, as Exim's auth_get_data finds it.
        if self.st.pending_auth.is_some() {
            self.auth_answer(b"");
        }
        let in_transaction = self.st.sender.is_some() || !self.st.recipients.is_empty();
        let host = self.var("smtp_active_hostname").bytes;
        let mut text = host;
        text.extend_from_slice(b" lost input connection");
        self.notquit_exit(Some("connection-lost"), Some(("421", text)));
        if in_transaction {
            let mut l = b"unexpected disconnection while reading SMTP command from ".to_vec();
            l.extend_from_slice(&self.host_and_ident(false));
            l.extend_from_slice(b" D=0s");
            self.log_if("lost_incoming_connection", &l);
        } else {
            let mut l = self.connection_info();
            l.extend_from_slice(b" lost D=0s");
            self.log_if("smtp_connection", &l);
        }
        self.st.closed = true;
    }

    pub(super) fn quit(&mut self) {
        self.had(Had::Quit);
        let mut user_msg = None;
        if self.option("acl_smtp_quit").is_some() {
            let r = self.acl(SmtpPhase::Quit, "acl_smtp_quit", None);
            if r.rc == AclRc::Error {
                let mut l = b"ACL for QUIT returned ERROR: ".to_vec();
                l.extend_from_slice(&r.log_msg.clone().map(|m| m.bytes).unwrap_or_default());
                self.log(&l);
            }
            user_msg = r.user_msg;
        }
        match user_msg {
            Some(m) => self.respond(&Code::new("221"), true, &m.bytes),
            None => {
                let host = self.var("smtp_active_hostname").bytes;
                let mut l = b"221 ".to_vec();
                l.extend_from_slice(&host);
                l.extend_from_slice(b" closing connection\r\n");
                self.printf(&l);
            }
        }
        let l = [&self.connection_info()[..], b" closed by QUIT"].concat();
        self.log_if("smtp_connection", &l);
        self.st.closed = true;
    }
}
