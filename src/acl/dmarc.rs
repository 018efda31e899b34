//! The `dmarc_status` ACL condition (`exim-4.96-full` profile): the first
//! use in a message runs the DMARC check (Exim's `dmarc_process`) over
//! the session's SPF and DKIM results; the condition matches the status
//! against a list of words, `!` negating one.

use super::AclRc;
use crate::auth::dmarc::{
    self, DkimResult, DmarcInput, DmarcOutcome, PublicSuffixList, SpfFinding,
};
use crate::eval::{Evaluator, Value};
use std::sync::Arc;

/// The DMARC state of the message being received (Exim's `dmarc_init`
/// sets it up at DATA).
#[derive(Debug, Clone)]
pub struct DmarcState {
    /// The check ran (`f.dmarc_has_been_checked`).
    pub checked: bool,
    /// What it found (or the initial state).
    pub outcome: DmarcOutcome,
}

/// `dmarc_tld_file` as read once (path and list).
#[derive(Debug, Clone)]
struct TldFile(String, Option<Arc<PublicSuffixList>>);

fn var(ev: &Evaluator, n: &str) -> Value {
    crate::vars::value(ev, n)
}

fn disabled(ev: &Evaluator) -> bool {
    ev.ctx
        .acl_controls
        .iter()
        .any(|c| c == b"dmarc_disable_verify")
}

/// Exim's `dmarc_init` at the start of a message: `$dmarc_status` is
/// `none` again and the other variables empty.
pub fn init(ev: &mut Evaluator) {
    if !ev.ctx.profile.features.dmarc {
        return;
    }
    let outcome = DmarcOutcome::initial();
    set_vars(ev, &outcome);
    ev.ctx.extensions.insert(DmarcState {
        checked: false,
        outcome,
    });
}

fn set_vars(ev: &mut Evaluator, o: &DmarcOutcome) {
    let mut set = |n: &str, v: Vec<u8>, tainted: bool| {
        ev.ctx
            .vars
            .insert(n.to_string(), Value { bytes: v, tainted });
    };
    set("dmarc_status", o.status.as_bytes().to_vec(), false);
    set(
        "dmarc_status_text",
        o.status_text.as_bytes().to_vec(),
        false,
    );
    set("dmarc_used_domain", o.used_domain.clone(), true);
    set(
        "dmarc_domain_policy",
        o.domain_policy.as_bytes().to_vec(),
        false,
    );
}

/// The list of `dmarc_tld_file`, read once per session.
fn public_suffixes(ev: &mut Evaluator) -> Option<Arc<PublicSuffixList>> {
    let path = ev.ctx.option("dmarc_tld_file")?.trim().to_string();
    if path.is_empty() {
        return None;
    }
    if let Some(TldFile(p, list)) = ev.ctx.extensions.get::<TldFile>()
        && *p == path
    {
        return list.clone();
    }
    let list = match ev
        .ctx
        .policy
        .check(crate::eval::Capability::Files, "reading dmarc_tld_file")
    {
        Ok(()) => match PublicSuffixList::read(std::path::Path::new(&path)) {
            Ok(l) => Some(Arc::new(l)),
            Err(e) => {
                super::log_line(
                    ev,
                    format!(
                        "DMARC failure to load tld list '{path}': {}",
                        crate::sys::strerror(e.raw_os_error().unwrap_or(0))
                    )
                    .as_bytes(),
                );
                None
            }
        },
        Err(f) => {
            super::log_line(ev, &f.message);
            None
        }
    };
    ev.ctx.extensions.insert(TldFile(path, list.clone()));
    list
}

/// The raw TXT data of the first record of `_dmarc.DOMAIN` longer than
/// three bytes (length bytes included, as Exim passes it on).
fn dmarc_record(ev: &Evaluator, domain: &[u8]) -> Option<Vec<u8>> {
    let name = [&b"_dmarc."[..], domain].concat();
    let dns = crate::dns::exim::Dns::new(ev, crate::dns::exim::session_flags(ev));
    let found = dns.lookup(&name, crate::eval::RrType::Txt).ok()?;
    found
        .records(crate::eval::RrType::Txt)
        .find_map(|r| match &r.data {
            crate::eval::RData::Txt(strings) => {
                let mut raw = Vec::new();
                for s in strings {
                    raw.push(s.len().min(255) as u8);
                    raw.extend_from_slice(s);
                }
                (raw.len() > 3).then_some(raw)
            }
            _ => None,
        })
}

/// The From: header DMARC uses: the last one (a Resent-From: one when
/// the message has Resent- headers).
fn from_header(ev: &Evaluator) -> Option<Vec<u8>> {
    let m = ev.ctx.message.as_ref()?;
    let resent = m
        .visible_headers()
        .any(|h| h.text.len() > 7 && h.text[..7].eq_ignore_ascii_case(b"Resent-"));
    m.visible_headers()
        .filter(|h| h.htype == crate::message::htype::FROM)
        .filter(|h| !resent || h.text[..7.min(h.text.len())].eq_ignore_ascii_case(b"Resent-"))
        .last()
        .map(|h| h.text.clone())
}

fn input(ev: &mut Evaluator) -> DmarcInput {
    let psl = public_suffixes(ev);
    let address = var(ev, "sender_host_address").bytes;
    let spf = ev
        .ctx
        .vars
        .get("spf_result")
        .and_then(|v| SpfFinding::from_name(&v.bytes));
    let dkim = ev
        .ctx
        .extensions
        .get::<crate::smtp::DkimState>()
        .map(|d| {
            d.verification
                .signatures
                .iter()
                .map(|s| DkimResult {
                    domain: s.domain.clone().unwrap_or_default(),
                    status: s.status.word().to_string(),
                    reason: s.reason_word().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut i = DmarcInput {
        from_header: from_header(ev),
        client_address: (!address.is_empty()).then_some(address),
        authenticated: !var(ev, "sender_host_authenticated").is_empty(),
        sender_domain: var(ev, "sender_address_domain").bytes,
        helo: var(ev, "sender_helo_name").bytes,
        spf,
        dkim,
        psl,
        record: None,
    };
    if i.psl.is_some()
        && !i.authenticated
        && let Some(d) = i.from_header.as_deref().and_then(dmarc::header_from_domain)
    {
        i.record = dmarc_record(ev, &d);
    }
    i
}

/// Runs the check once per message and records what it found.
fn process(ev: &mut Evaluator) -> DmarcOutcome {
    if let Some(s) = ev.ctx.extensions.get::<DmarcState>()
        && s.checked
    {
        return s.outcome.clone();
    }
    let outcome = if disabled(ev) {
        DmarcOutcome::initial()
    } else {
        let i = input(ev);
        dmarc::check(&i)
    };
    for l in &outcome.log {
        super::log_line(ev, l);
    }
    if let Some(h) = &outcome.history {
        write_history(ev, h);
    }
    set_vars(ev, &outcome);
    ev.ctx.extensions.insert(DmarcState {
        checked: true,
        outcome: outcome.clone(),
    });
    outcome
}

/// Appends the entry to `dmarc_history_file` (not in a test session:
/// Exim's `-bh` only shows it in its debug output).
fn write_history(ev: &Evaluator, h: &dmarc::HistoryFacts) {
    let Some(path) = ev.ctx.option("dmarc_history_file") else {
        return;
    };
    if ev.ctx.host_checking {
        return;
    }
    let id = var(ev, "message_exim_id").bytes;
    let host = ev.ctx.primary_hostname().into_bytes();
    let addr = var(ev, "sender_host_address").bytes;
    let (secs, _) = ev.ctx.clock.now();
    let text = h.render(&id, &host, secs, &addr);
    let written = ev
        .ctx
        .policy
        .check(crate::eval::Capability::Files, "writing dmarc_history_file")
        .map_err(|f| String::from_utf8_lossy(&f.message).into_owned())
        .and_then(|()| {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(&text))
                .map_err(|e| e.to_string())
        });
    if written.is_err() {
        super::log_line(
            ev,
            format!("failure to create DMARC history file: {path}").as_bytes(),
        );
    }
}

/// The `dmarc_status` condition.
pub fn condition(ev: &mut Evaluator, list: &[u8]) -> AclRc {
    let outcome = process(ev);
    let status: &str = if disabled(ev) { "off" } else { outcome.status };
    // A string list, as match_isinlist reads it (a final negative item
    // makes everything else match).
    match super::lists::match_string_list(status.as_bytes(), list) {
        Ok(true) => AclRc::Ok,
        _ => AclRc::Fail,
    }
}

/// The dmarc part of `${authresults}` (Exim's `authres_dmarc`): after a
/// `dmarc_status` condition ran.
pub fn authres(ev: &Evaluator) -> Vec<u8> {
    let Some(s) = ev.ctx.extensions.get::<DmarcState>().filter(|s| s.checked) else {
        return Vec::new();
    };
    let mut g = b";\n\tdmarc=".to_vec();
    g.extend_from_slice(s.outcome.pass_fail.as_bytes());
    if let Some(f) = &s.outcome.header_from {
        g.extend_from_slice(b" header.from=");
        g.extend_from_slice(f);
    }
    g
}
