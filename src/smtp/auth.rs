//! SMTP AUTH with the configuration's `plaintext` authenticators (PLAIN,
//! LOGIN and the like): their `server_condition` decides, as Exim's
//! `smtp_in_auth` and `auth_plaintext_server` run them.  Other drivers
//! (cram_md5, dovecot, cyrus_sasl...) are not offered.

use super::session::{Had, SmtpSession};
use crate::acl::AclRc;
use crate::eval::{SmtpPhase, Value};

/// A server authenticator of the configuration.
#[derive(Debug, Clone, Default)]
pub(super) struct Authenticator {
    name: String,
    public_name: String,
    server_condition: Option<String>,
    server_prompts: Option<String>,
    server_set_id: Option<String>,
    advertise_condition: Option<String>,
}

/// The public name of the authenticator the client authenticated with
/// (Exim's `sender_host_auth_pubname`), for `${authresults}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedBy(pub String);

/// An AUTH dialogue waiting for the client's answer to a prompt.
#[derive(Debug, Clone)]
pub(super) struct PendingAuth {
    authenticator: usize,
    /// `$auth1`.. so far.
    items: Vec<Vec<u8>>,
    /// The prompts not yet sent.
    prompts: Vec<Vec<u8>>,
}

/// The `plaintext` authenticators of the `authenticators` section that
/// can serve (they have a `server_condition`).
pub(super) fn server_authenticators(config: Option<&crate::config::Config>) -> Vec<Authenticator> {
    let Some(section) = config.and_then(|c| c.section("authenticators")) else {
        return Vec::new();
    };
    let mut all: Vec<(Authenticator, Option<String>)> = Vec::new();
    for l in &section.lines {
        let text = l.text();
        let text = text.trim();
        if let Some(name) = text
            .strip_suffix(':')
            .filter(|n| !n.contains('=') && !n.contains(' '))
        {
            all.push((
                Authenticator {
                    name: name.to_string(),
                    public_name: name.to_string(),
                    ..Authenticator::default()
                },
                None,
            ));
            continue;
        }
        let Some((a, driver)) = all.last_mut() else {
            continue;
        };
        let (opt, value) = match text.split_once('=') {
            Some((o, v)) => (o.trim(), v.trim().to_string()),
            None => continue,
        };
        match opt {
            "driver" => *driver = Some(value),
            "public_name" => a.public_name = value,
            "server_condition" => a.server_condition = Some(value),
            "server_prompts" => a.server_prompts = Some(value),
            "server_set_id" => a.server_set_id = Some(value),
            "server_advertise_condition" => a.advertise_condition = Some(value),
            _ => {}
        }
    }
    all.into_iter()
        .filter(|(a, d)| d.as_deref() == Some("plaintext") && a.server_condition.is_some())
        .map(|(a, _)| a)
        .collect()
}

/// The items of base 64 `data` split at NULs (`=` is one empty item), or
/// `None` for bad base 64 (Exim's `auth_read_input`).
fn read_input(data: &[u8]) -> Option<Vec<Vec<u8>>> {
    if data == b"=" {
        return Some(vec![Vec::new()]);
    }
    let decoded = crate::base64::decode(data)?;
    Some(decoded.split(|&c| c == 0).map(<[u8]>::to_vec).collect())
}

impl SmtpSession<'_> {
    /// The authenticators advertised after EHLO (`AUTH PLAIN LOGIN`), in
    /// the configuration's order.
    pub(super) fn advertised_auth(&mut self) -> Option<String> {
        if self.st.authenticators.is_empty() || !self.host_in("auth_advertise_hosts", "*") {
            return None;
        }
        let mut names = Vec::new();
        for i in 0..self.st.authenticators.len() {
            let cond = self.st.authenticators[i].advertise_condition.clone();
            let ok = match cond {
                None => true,
                Some(c) => {
                    let mut ev = crate::eval::Evaluator::new(self.ctx);
                    matches!(ev.expand_nested(c.as_bytes()), Ok(v) if !matches!(&v.bytes.to_ascii_lowercase()[..], b"" | b"0" | b"no" | b"false"))
                }
            };
            self.st.advertised[i] = ok;
            if ok {
                names.push(self.st.authenticators[i].public_name.to_ascii_uppercase());
            }
        }
        (!names.is_empty()).then(|| names.join(" "))
    }

    pub(super) fn auth(&mut self) {
        self.had(Had::Auth);
        if !self.st.auth_advertised {
            self.synprot_error(false, 503, None, b"AUTH command used when not advertised");
            return;
        }
        if !self.var("sender_host_authenticated").is_empty() {
            self.synprot_error(false, 503, None, b"already authenticated");
            return;
        }
        if self.st.sender.is_some() {
            self.synprot_error(false, 503, None, b"not permitted in mail transaction");
            return;
        }
        if self.option("acl_smtp_auth").is_some() {
            let r = self.acl(SmtpPhase::Auth, "acl_smtp_auth", None);
            if r.rc != AclRc::Ok {
                self.acl_fail(SmtpPhase::Auth, &r);
                return;
            }
        }
        let data = self.data.clone();
        let mech_end = data
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(data.len());
        let mech = &data[..mech_end];
        if mech
            .iter()
            .any(|&c| !(c.is_ascii_alphanumeric() || c == b'-' || c == b'_'))
        {
            self.synprot_error(
                true,
                501,
                None,
                b"invalid character in authentication mechanism name",
            );
            return;
        }
        let rest = data[mech_end..].trim_ascii_start().to_vec();
        let found = (0..self.st.authenticators.len()).find(|&i| {
            self.st.advertised[i]
                && self.st.authenticators[i]
                    .public_name
                    .as_bytes()
                    .eq_ignore_ascii_case(mech)
        });
        let Some(i) = found else {
            let mut m = mech.to_vec();
            m.extend_from_slice(b" authentication mechanism not supported");
            self.synprot_error(false, 504, None, &m);
            return;
        };
        let mut items = Vec::new();
        if !rest.is_empty() {
            match read_input(&rest) {
                Some(v) => items = v,
                None => return self.auth_done(i, AuthEnd::Bad64, &[]),
            }
        }
        let prompts = match self.st.authenticators[i].server_prompts.clone() {
            Some(p) => match self.expanded_text(&p) {
                Some(p) => crate::lists::ListIter::new(&p)
                    .map(|x| x.to_vec())
                    .collect(),
                None => {
                    return self.auth_done(
                        i,
                        AuthEnd::Defer(b"expansion of server_prompts failed".to_vec()),
                        &[],
                    );
                }
            },
            None => Vec::new(),
        };
        let prompts: Vec<Vec<u8>> = prompts.into_iter().skip(items.len()).collect();
        self.auth_continue(PendingAuth {
            authenticator: i,
            items,
            prompts,
        });
    }

    fn expanded_text(&mut self, text: &str) -> Option<Vec<u8>> {
        let mut ev = crate::eval::Evaluator::new(self.ctx);
        ev.expand_nested(text.as_bytes()).ok().map(|v| v.bytes)
    }

    /// Sends the next prompt, or decides.
    fn auth_continue(&mut self, mut p: PendingAuth) {
        if !p.prompts.is_empty() {
            let prompt = p.prompts.remove(0);
            let mut l = b"334 ".to_vec();
            l.extend_from_slice(&crate::base64::encode(&prompt));
            l.extend_from_slice(b"\r\n");
            self.printf(&l);
            self.st.pending_auth = Some(p);
            return;
        }
        let i = p.authenticator;
        let end = self.check_server_condition(i, &p.items);
        self.auth_done(i, end, &p.items);
    }

    /// The client's answer to a 334 prompt.
    pub(super) fn auth_answer(&mut self, line: &[u8]) {
        let Some(mut p) = self.st.pending_auth.take() else {
            return;
        };
        let line = line.trim_ascii_end();
        if line == b"*" {
            return self.auth_done(p.authenticator, AuthEnd::Cancelled, &p.items);
        }
        match read_input(line) {
            Some(v) => p.items.extend(v),
            None => return self.auth_done(p.authenticator, AuthEnd::Bad64, &p.items),
        }
        self.auth_continue(p);
    }

    /// Exim's `auth_check_serv_cond` with `$auth1`.. set.
    fn check_server_condition(&mut self, i: usize, items: &[Vec<u8>]) -> AuthEnd {
        let cond = self.st.authenticators[i]
            .server_condition
            .clone()
            .unwrap_or_default();
        self.set_auth_vars(items);
        let mut ev = crate::eval::Evaluator::new(self.ctx);
        let r = ev.expand_nested(cond.as_bytes());
        match r {
            Err(e) if e.is_forced() => AuthEnd::Fail,
            Err(e) => AuthEnd::Defer(e.message),
            Ok(v) => match &v.bytes.to_ascii_lowercase()[..] {
                b"" | b"0" | b"no" | b"false" => AuthEnd::Fail,
                b"1" | b"yes" | b"true" => AuthEnd::Ok,
                _ => AuthEnd::Defer(v.bytes),
            },
        }
    }

    fn set_auth_vars(&mut self, items: &[Vec<u8>]) {
        for n in 1..=3 {
            match items.get(n - 1) {
                Some(v) => self.set(&format!("auth{n}"), Value::tainted(v.clone())),
                None => self.unset(&format!("auth{n}")),
            }
        }
    }

    /// The response and log line of an AUTH (Exim's `smtp_in_auth`).
    fn auth_done(&mut self, i: usize, end: AuthEnd, items: &[Vec<u8>]) {
        self.set_auth_vars(items);
        let set_id = match self.st.authenticators[i].server_set_id.clone() {
            Some(t) => self.expanded_text(&t).map(|v| self.printing(&v)),
            None => None,
        };
        for n in 1..=3 {
            self.unset(&format!("auth{n}"));
        }
        let id_note = |s: &Option<Vec<u8>>| match s {
            Some(v) if !v.is_empty() => [&b" (set_id="[..], v, b")"].concat(),
            _ => Vec::new(),
        };
        let (reply, log): (Vec<u8>, Option<Vec<u8>>) = match end {
            AuthEnd::Ok => {
                let a = self.st.authenticators[i].clone();
                if let Some(id) = &set_id {
                    self.set("authenticated_id", Value::tainted(id.clone()));
                }
                self.set("sender_host_authenticated", Value::from(a.name.as_str()));
                self.ctx
                    .extensions
                    .insert(AuthenticatedBy(a.public_name.clone()));
                self.set("received_protocol", Value::from("esmtpa"));
                (b"235 Authentication succeeded".to_vec(), None)
            }
            AuthEnd::Fail => {
                let mut l = b"535 Incorrect authentication data".to_vec();
                l.extend_from_slice(&id_note(&set_id));
                (b"535 Incorrect authentication data".to_vec(), Some(l))
            }
            AuthEnd::Defer(why) => {
                let mut l = b"435 Unable to authenticate at present".to_vec();
                l.extend_from_slice(&id_note(&set_id));
                l.extend_from_slice(b": ");
                l.extend_from_slice(&why);
                let mut r = b"435 Unable to authenticate at present: ".to_vec();
                r.extend_from_slice(&why);
                (r, Some(l))
            }
            AuthEnd::Bad64 => (
                b"501 Invalid base64 data".to_vec(),
                Some(b"501 Invalid base64 data".to_vec()),
            ),
            AuthEnd::Cancelled => (
                b"501 Authentication cancelled".to_vec(),
                Some(b"501 Authentication cancelled".to_vec()),
            ),
        };
        let mut r = reply;
        r.extend_from_slice(b"\r\n");
        self.printf(&r);
        if let Some(l) = log {
            let mut line = self.st.authenticators[i].name.as_bytes().to_vec();
            line.extend_from_slice(b" authenticator failed for ");
            line.extend_from_slice(&self.host_and_ident(false));
            line.extend_from_slice(b": ");
            line.extend_from_slice(&l);
            self.log(&line);
        }
    }
}

/// How an authentication ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AuthEnd {
    Ok,
    Fail,
    Defer(Vec<u8>),
    Bad64,
    Cancelled,
}
