//! Running an ACL at a point of an SMTP session (Exim's `acl_check`): the
//! option's text is expanded first, `$local_part` and `$domain` hold the
//! recipient of a RCPT or VRFY check, and a long user message is split
//! into lines for the response.

use super::{AclOutcome, AclRc, check_internal, outcome};
use crate::eval::{Evaluator, SmtpPhase, Value};

/// Runs the ACL an option names (`acl_smtp_rcpt` and the like: `text` is
/// its unexpanded value, `None` when unset) in `phase`.  An unset option
/// denies, as in Exim.
pub fn acl_check(
    ev: &mut Evaluator,
    phase: SmtpPhase,
    recipient: Option<&Value>,
    text: Option<&str>,
) -> AclOutcome {
    let old = std::mem::replace(&mut ev.ctx.phase, phase);
    if let Some(r) = recipient {
        set_recipient_parts(ev, r);
    }
    let mut r = match text {
        None => outcome(AclRc::Fail, None, None),
        Some(text) => match ev.expand_nested(text.as_bytes()) {
            Ok(v) => {
                let trimmed = Value {
                    bytes: v.bytes.trim_ascii_start().to_vec(),
                    tainted: v.tainted,
                };
                check_internal(ev, &trimmed)
            }
            Err(e) if e.is_forced() => outcome(AclRc::Ok, None, None),
            Err(e) => {
                let mut m = format!("failed to expand ACL string \"{text}\": ").into_bytes();
                m.extend_from_slice(&e.message);
                outcome(AclRc::Error, None, Some(Value::new(m)))
            }
        },
    };
    for name in [
        "domain",
        "local_part",
        "address_data",
        "domain_data",
        "sender_address_data",
    ] {
        ev.ctx.vars.remove(name);
    }
    ev.ctx.phase = old;
    if r.rc == AclRc::Discard && (!phase.is_message() || phase == SmtpPhase::Predata) {
        super::log_line(
            ev,
            format!("\"discard\" verb not allowed in {} ACL", phase.name()).as_bytes(),
        );
        return outcome(AclRc::Error, None, None);
    }
    if let Some(m) = r.user_msg.as_mut() {
        m.bytes = split_message(&m.bytes);
    }
    r
}

/// `$local_part` and `$domain` of a recipient (Exim's
/// `deliver_split_address`: the domain is lower-cased).
fn set_recipient_parts(ev: &mut Evaluator, recipient: &Value) {
    let r = &recipient.bytes;
    let (local, domain) = match r.iter().rposition(|&c| c == b'@') {
        Some(at) => (&r[..at], r[at + 1..].to_ascii_lowercase()),
        None => (&r[..], Vec::new()),
    };
    let tainted = recipient.tainted;
    ev.ctx.vars.insert(
        "local_part".into(),
        Value {
            bytes: local.to_vec(),
            tainted,
        },
    );
    ev.ctx.vars.insert(
        "domain".into(),
        Value {
            bytes: domain,
            tainted,
        },
    );
}

/// Exim's `string_split_message`: a message longer than 75 characters is
/// broken into lines of at most about 75, at a space after a colon when
/// there is one in the second half of the line, else at the last space
/// there, else at the next space.
pub fn split_message(msg: &[u8]) -> Vec<u8> {
    let mut m = msg.to_vec();
    if m.len() <= 75 {
        return m;
    }
    let mut s = 0;
    let mut ss = 0;
    loop {
        let mut i = 0;
        while i < 75 && ss < m.len() && m[ss] != b'\n' {
            ss += 1;
            i += 1;
        }
        if ss >= m.len() {
            break;
        }
        if m[ss] == b'\n' {
            ss += 1;
            s = ss;
            continue;
        }
        let mut split = None;
        let mut t = ss + 1;
        while t > s + 36 {
            t -= 1;
            if m[t] == b' ' {
                if m[t - 1] == b':' {
                    split = Some(t);
                    break;
                }
                split.get_or_insert(t);
            }
        }
        if split.is_none() {
            split = (ss + 1..m.len()).find(|&t| m[t] == b' ' || m[t] == b'\n');
        }
        let Some(tt) = split else { break };
        m[tt] = b'\n';
        s = tt + 1;
        ss = tt + 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_split() {
        let short = "short message";
        assert_eq!(split_message(short.as_bytes()), short.as_bytes());
        let long = "word ".repeat(30);
        let split = String::from_utf8(split_message(long.trim_end().as_bytes())).unwrap();
        assert!(split.lines().all(|l| l.len() <= 75), "{split}");
        assert_eq!(split.replace('\n', " "), long.trim_end());
        let colon = format!("{}: {}", "a".repeat(50), "b ".repeat(40));
        let split = String::from_utf8(split_message(colon.as_bytes())).unwrap();
        assert!(
            split.starts_with(&format!("{}:\n", "a".repeat(50))),
            "{split}"
        );
    }
}
