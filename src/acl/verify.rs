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
            return Err(unsupported("verify = arc", log_msgp));
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
        _ => Err(unsupported(&format!("verify = {name}"), log_msgp)),
    }
}

fn bad_verify(text: &str) -> String {
    format!(
        "expected \"sender[=address]\", \"recipient\", \"helo\", \"header_syntax\", \"header_sender\", \"header_names_ascii\" or \"reverse_host_lookup\" at start of ACL condition \"verify {text}\""
    )
}

fn var(ev: &Evaluator, n: &str) -> Value {
    crate::vars::lookup(ev, n, false).unwrap_or_default()
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
