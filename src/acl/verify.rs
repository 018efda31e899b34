//! `verify = ...`: the checks Exim's `acl_verify` makes, each allowed in
//! some ACLs only.  Checks that route addresses (sender, recipient,
//! callouts) need routers, which this build does not have: they fail the
//! ACL with a message that says so.

use super::{AclRc, unsupported};
use crate::eval::{Evaluator, HostNameLookup, SmtpPhase, Value};

/// `(name, no options allowed, where allowed (None: everywhere))`.
fn verify_types() -> [(&'static str, bool, Option<u32>); 10] {
    let bits = |ps: &[SmtpPhase]| ps.iter().fold(0, |b, p| b | p.bit());
    let have_data = bits(&[
        SmtpPhase::Data,
        SmtpPhase::Prdr,
        SmtpPhase::NotSmtp,
        SmtpPhase::Mime,
        SmtpPhase::Dkim,
    ]);
    [
        ("reverse_host_lookup", false, None),
        ("certificate", true, None),
        ("helo", true, None),
        ("csa", false, None),
        ("header_syntax", true, Some(have_data)),
        ("not_blind", false, Some(have_data)),
        ("header_sender", false, Some(have_data)),
        (
            "sender",
            false,
            Some(bits(&[
                SmtpPhase::Mail,
                SmtpPhase::Rcpt,
                SmtpPhase::Predata,
                SmtpPhase::Data,
                SmtpPhase::NotSmtp,
            ])),
        ),
        ("recipient", false, Some(SmtpPhase::Rcpt.bit())),
        ("header_names_ascii", true, Some(have_data)),
    ]
}

fn error(log_msgp: &mut Option<Value>, m: String) -> Result<AclRc, AclRc> {
    *log_msgp = Some(Value::from(m));
    Err(AclRc::Error)
}

/// The `verify` condition.
pub fn verify(
    ev: &mut Evaluator,
    arg: &[u8],
    log_msgp: &mut Option<Value>,
) -> Result<AclRc, AclRc> {
    let text = String::from_utf8_lossy(arg).into_owned();
    let mut items = crate::lists::ListIter::with_sep(arg, b'/');
    let Some(first) = items.next() else {
        return error(log_msgp, bad_verify(&text));
    };
    let word = String::from_utf8_lossy(&first).into_owned();
    let name = if word.len() >= 6 && word[..6].eq_ignore_ascii_case("sender") {
        "sender"
    } else {
        word.as_str()
    };
    let Some(&(name, no_options, allowed)) = verify_types()
        .iter()
        .find(|(n, ..)| n.eq_ignore_ascii_case(name))
    else {
        if word.eq_ignore_ascii_case("arc") && ev.ctx.profile.features.arc {
            if ev.ctx.phase != SmtpPhase::Data {
                return error(
                    log_msgp,
                    format!("cannot verify arc in ACL for {}", ev.ctx.phase.name()),
                );
            }
            let list: Vec<Vec<u8>> = items.collect();
            return Ok(verify_arc(ev, list.first().map(Vec::as_slice)));
        }
        return error(log_msgp, bad_verify(&text));
    };
    if no_options && arg.contains(&b'/') {
        return error(
            log_msgp,
            format!("unexpected '/' found in \"{text}\" (this verify item has no options)"),
        );
    }
    let phase = ev.ctx.phase;
    if allowed.is_some_and(|bits| bits & phase.bit() == 0) {
        return error(
            log_msgp,
            format!("cannot verify {name} in ACL for {}", phase.name()),
        );
    }
    let options: Vec<Vec<u8>> = items.collect();
    match name {
        "reverse_host_lookup" => Ok(reverse_host_lookup(ev, &options, log_msgp)),
        "certificate" => Ok(if var(ev, "tls_in_certificate_verified").bytes == b"1" {
            AclRc::Ok
        } else {
            AclRc::Fail
        }),
        "helo" => Ok(if helo_verified(ev) {
            AclRc::Ok
        } else {
            AclRc::Fail
        }),
        "header_syntax" => Ok(header_syntax(ev, log_msgp)),
        _ => Err(unsupported(&format!("verify = {name}"), log_msgp)),
    }
}

/// The ARC chain of the message being received, once `verify = arc` ran
/// (for `${authresults}` and the `<=` line).
#[derive(Debug, Clone)]
pub struct ArcState(pub crate::auth::arc::ArcVerification);

/// `verify = arc[/LIST]` (Exim's `acl_verify_arc`, DATA ACL): the chain
/// verified over the message as received so far, `$arc_*` set, the state
/// matched against LIST (default `none:pass`).  Without DKIM
/// verification (`control = dkim_disable_verify`) Exim has no context and
/// defers.
fn verify_arc(ev: &mut Evaluator, list: Option<&[u8]>) -> AclRc {
    if ev
        .ctx
        .acl_controls
        .iter()
        .any(|c| c == b"dkim_disable_verify")
    {
        return AclRc::Defer;
    }
    let Some(m) = ev.ctx.message.clone() else {
        return AclRc::Defer;
    };
    let mut stored = Vec::new();
    for h in m.visible_headers() {
        stored.extend_from_slice(&h.text);
    }
    stored.push(b'\n');
    stored.extend_from_slice(&m.body);
    let resolver = ev.ctx.resolver.clone();
    let crypto = ev.ctx.crypto.clone();
    let v = crate::auth::arc::verify(&stored, resolver.as_ref(), crypto.as_ref());
    let set = |ev: &mut Evaluator, n: &str, v: Vec<u8>| {
        ev.ctx.vars.insert(n.to_string(), Value::tainted(v));
    };
    set(ev, "arc_state", v.state.as_bytes().to_vec());
    set(ev, "arc_state_reason", v.state_reason.clone());
    set(ev, "arc_domains", v.domains.clone());
    // Exim's global keeps the last value when a chain sets none.
    if v.oldest_pass > 0 {
        set(
            ev,
            "arc_oldest_pass",
            v.oldest_pass.to_string().into_bytes(),
        );
    }
    let matched = v.matches(list);
    ev.ctx.extensions.insert(ArcState(v));
    if matched { AclRc::Ok } else { AclRc::Fail }
}

/// Which unqualified addresses the client may send (Exim's
/// `sender_unqualified_hosts` and `recipient_unqualified_hosts`), as the
/// SMTP session found them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unqualified {
    /// In From: and Sender:.
    pub sender: bool,
    /// In the other address headers.
    pub recipient: bool,
}

/// `verify = header_syntax` (Exim's `verify_check_headers`): every
/// address in From:, Reply-To:, Sender:, To:, Cc: and Bcc: must parse,
/// and have a domain unless the client may send unqualified ones.
fn header_syntax(ev: &mut Evaluator, log_msgp: &mut Option<Value>) -> AclRc {
    use crate::message::htype;
    let Some(message) = ev.ctx.message.clone() else {
        return AclRc::Ok;
    };
    let allowed = ev
        .ctx
        .extensions
        .get::<Unqualified>()
        .copied()
        .unwrap_or_default();
    for h in message.visible_headers() {
        let is_sender = matches!(h.htype, htype::FROM | htype::SENDER);
        if !is_sender
            && !matches!(
                h.htype,
                htype::REPLY_TO | htype::TO | htype::CC | htype::BCC
            )
        {
            continue;
        }
        let Some(colon) = h.text.iter().position(|&c| c == b':') else {
            continue;
        };
        if let Err(m) = header_addresses_ok(
            &h.text,
            colon,
            if is_sender {
                allowed.sender
            } else {
                allowed.recipient
            },
        ) {
            let topbit = ev.ctx.option_flag("print_topbitchars", false);
            let m = crate::operators::quote::string_printing(&m, topbit);
            ev.ctx
                .vars
                .insert("acl_verify_message".into(), Value::new(m.clone()));
            *log_msgp = Some(Value::new(m));
            return AclRc::Fail;
        }
    }
    AclRc::Ok
}

/// The addresses of one header line, checked; the error names the first
/// that fails.
fn header_addresses_ok(text: &[u8], colon: usize, unqualified_ok: bool) -> Result<(), Vec<u8>> {
    let mut s = colon + 1;
    while s < text.len() && text[s].is_ascii_whitespace() {
        s += 1;
    }
    let mut p = crate::address::AddressParser::new(crate::address::AddressOptions::default());
    p.allow_group = true;
    while s < text.len() {
        let end = s + crate::address::find_address_end(&text[s..]);
        let item = &text[s..end];
        let err = match p.extract(item) {
            Ok(e) if e.domain == 0 && !unqualified_ok => {
                Some(b"unqualified address not permitted".to_vec())
            }
            Ok(_) => None,
            Err(e) if e == b"empty address" => None,
            Err(e) => Some(e),
        };
        if let Some(e) = err {
            let mut t = end;
            while t > s && text[t - 1].is_ascii_whitespace() {
                t -= 1;
            }
            let mut name_end = colon;
            while name_end > 0 && text[name_end - 1].is_ascii_whitespace() {
                name_end -= 1;
            }
            let (len, verb): (usize, &[u8]) = if t - s > 1024 {
                (1024, b"begins")
            } else {
                (t - s, b"is")
            };
            let mut m = e;
            m.extend_from_slice(b": failing address in \"");
            m.extend_from_slice(&text[..name_end]);
            m.extend_from_slice(b":\" header ");
            m.extend_from_slice(verb);
            m.extend_from_slice(b": ");
            m.extend_from_slice(&text[s..s + len]);
            return Err(m);
        }
        s = end + usize::from(end < text.len());
        while s < text.len() && text[s].is_ascii_whitespace() {
            s += 1;
        }
    }
    Ok(())
}

fn bad_verify(text: &str) -> String {
    format!(
        "expected \"sender[=address]\", \"recipient\", \"helo\", \"header_syntax\", \"header_sender\", \"header_names_ascii\" or \"reverse_host_lookup\" at start of ACL condition \"verify {text}\""
    )
}

fn var(ev: &Evaluator, n: &str) -> Value {
    crate::vars::value(ev, n)
}

/// `verify = reverse_host_lookup[/defer_ok]` (Exim's
/// `acl_verify_reverse`): the client's name must resolve back to it.
fn reverse_host_lookup(
    ev: &mut Evaluator,
    options: &[Vec<u8>],
    log_msgp: &mut Option<Value>,
) -> AclRc {
    if var(ev, "sender_host_address").is_empty() {
        return AclRc::Ok;
    }
    if crate::smtp::known_host_name(ev.ctx).is_some() {
        return AclRc::Ok;
    }
    let previous = ev.ctx.host_name.get();
    let rc = match previous {
        Some(HostNameLookup::Failed) => {
            let mut m = b"host lookup failed".to_vec();
            m.extend_from_slice(&ev.ctx.host_name.failure_message());
            *log_msgp = Some(Value::new(m));
            return AclRc::Fail;
        }
        _ => match crate::dns::host_name::lookup(ev) {
            Some(HostNameLookup::Found { .. }) => AclRc::Ok,
            Some(HostNameLookup::Deferred) => {
                *log_msgp = Some(Value::from("host lookup deferred for reverse lookup check"));
                AclRc::Defer
            }
            _ => {
                let mut m = b"host lookup failed for reverse lookup check".to_vec();
                m.extend_from_slice(&ev.ctx.host_name.failure_message());
                *log_msgp = Some(Value::new(m));
                AclRc::Fail
            }
        },
    };
    if rc == AclRc::Defer && options.iter().any(|o| o.eq_ignore_ascii_case(b"defer_ok")) {
        return AclRc::Ok;
    }
    rc
}

/// Exim's `smtp_verify_helo`: the HELO name is the client's address in
/// brackets, its looked-up name (or an alias), or a name whose A or AAAA
/// records include the client's address.  Done once per HELO.
fn helo_verified(ev: &mut Evaluator) -> bool {
    if let Some(v) = ev.ctx.helo_verified {
        return v;
    }
    let helo = ev.ctx.vars.get("sender_helo_name").map(|v| v.bytes.clone());
    let address = var(ev, "sender_host_address").bytes;
    let verified = match helo {
        None => false,
        Some(_) if address.is_empty() => true,
        Some(h) if h.first() == Some(&b'[') => {
            h[1..].starts_with(&address)
                || address.len() > 7
                    && address[..7].eq_ignore_ascii_case(b"::ffff:")
                    && h[1..].starts_with(&address[7..])
        }
        Some(h) => {
            let found = if crate::smtp::known_host_name(ev.ctx).is_none()
                && ev.ctx.host_name.get() != Some(HostNameLookup::Failed)
            {
                crate::dns::host_name::lookup(ev)
            } else {
                ev.ctx.host_name.get()
            };
            let by_name = match (crate::smtp::known_host_name(ev.ctx), found) {
                (Some(n), _) if n.eq_ignore_ascii_case(&h) => true,
                (_, Some(HostNameLookup::Found { aliases, .. })) => {
                    aliases.iter().any(|a| a.eq_ignore_ascii_case(&h))
                }
                _ => false,
            };
            by_name || forward_lookup_matches(ev, &h, &address)
        }
    };
    ev.ctx.helo_verified = Some(verified);
    verified
}

/// The forward check of `verify = helo`: Exim asks with the DNSSEC OK
/// bit (its `dnssec_domains` request `*`), which then stays set for the
/// rest of the process.
fn forward_lookup_matches(ev: &mut Evaluator, name: &[u8], address: &[u8]) -> bool {
    let Some(want) = crate::ip::parse_ip(address) else {
        return false;
    };
    ev.ctx.dns_dnssec_ok = true;
    match crate::dns::host_name::dns_addresses_of(ev, name) {
        Some(addrs) => addrs.contains(&want),
        None => false,
    }
}
