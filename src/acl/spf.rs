//! The `spf` and `spf_guess` ACL conditions (Exim's `spf_process`): the
//! client's SPF result against a list of result words, `!` negating one,
//! with `$spf_result` and the comment variables set for what follows.

use super::AclRc;
use crate::auth::spf::{self, SpfRequest};
use crate::eval::{Evaluator, Value};

/// Runs the check and matches its result against `list`; `guess` is the
/// `spf_guess` condition (a domain without a record is tried with the
/// `spf_guess` option's record).
pub fn condition(ev: &mut Evaluator, list: &[u8], guess: bool) -> AclRc {
    let var = |ev: &Evaluator, n: &str| crate::vars::value(ev, n);
    let helo = ev.ctx.vars.get("sender_helo_name").map(|v| v.bytes.clone());
    let ip = std::str::from_utf8(&var(ev, "sender_host_address").bytes)
        .ok()
        .and_then(|s| s.parse::<std::net::IpAddr>().ok());
    // Exim sets SPF up when HELO or EHLO is accepted; without that (or an
    // IP address) the result is a permerror and the variables stay unset.
    let word = match (helo, ip) {
        (Some(helo), Some(ip)) if !helo.is_empty() => {
            let sender = var(ev, "sender_address").bytes;
            let receiver = ev.ctx.primary_hostname().into_bytes();
            let guess_record = ev
                .ctx
                .option("spf_guess")
                .map(|g| g.as_bytes().to_vec())
                .unwrap_or_else(|| spf::DEFAULT_GUESS.to_vec());
            let template = match ev.ctx.option("spf_smtp_comment_template") {
                Some(t) => {
                    let t = t.to_string();
                    ev.expand_nested(t.as_bytes()).ok().map(|v| v.bytes)
                }
                None => None,
            };
            let req = SpfRequest {
                ip,
                helo: &helo,
                sender: &sender,
                receiver: &receiver,
                guess: guess.then_some(&guess_record[..]),
                smtp_comment_template: template.as_deref(),
            };
            let resolver = ev.ctx.resolver.clone();
            let out = spf::check(resolver.as_ref(), &req);
            let set = |ev: &mut Evaluator, n: &str, v: Vec<u8>| {
                ev.ctx.vars.insert(n.to_string(), Value::new(v));
            };
            set(ev, "spf_header_comment", out.header_comment);
            set(ev, "spf_received", out.received);
            set(ev, "spf_result", out.result.name().as_bytes().to_vec());
            set(ev, "spf_smtp_comment", out.smtp_comment);
            // Exim sets the flag when a guess was used and never clears it.
            if out.guessed {
                set(ev, "spf_result_guessed", b"yes".to_vec());
            }
            out.result.condition_word()
        }
        _ => "permerror",
    };
    for item in crate::lists::ListIter::new(list) {
        let (negate, name) = match item.strip_prefix(b"!") {
            Some(rest) => (true, rest),
            None => (false, &item[..]),
        };
        if negate != (name == word.as_bytes()) {
            return AclRc::Ok;
        }
    }
    AclRc::Fail
}
