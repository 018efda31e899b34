//! `control = name[/options]`: which controls exist and where each may be
//! used (Exim's `controls_list` in acl.c, 4.96).

use crate::eval::SmtpPhase::{self, *};

fn bits(phases: &[SmtpPhase]) -> u32 {
    phases.iter().fold(0, |b, p| b | p.bit())
}

/// The phases where the control `name` is forbidden, or `None` for a
/// control Exim does not know.
pub fn forbidden_phases(name: &str) -> Option<u32> {
    let not_smtp = || bits(&[NotSmtp, NotSmtpStart]);
    let message = || bits(&[Mail, Rcpt, Predata, Data, Prdr, Mime]);
    Some(match name {
        "allow_auth_unadvertised" => !bits(&[Connect, Helo]),
        "caseful_local_part" | "caselower_local_part" => !Rcpt.bit(),
        "cutthrough_delivery" | "debug" | "error" => 0,
        "dkim_disable_verify" => bits(&[Data, NotSmtp, Prdr, NotSmtpStart]),
        "dmarc_disable_verify" | "dmarc_enable_forensic" => bits(&[Data, NotSmtp, NotSmtpStart]),
        "dscp" => not_smtp() | NotQuit.bit(),
        "enforce_sync"
        | "no_callout_flush"
        | "no_delay_flush"
        | "no_enforce_sync"
        | "no_multiline_responses"
        | "no_pipelining" => not_smtp(),
        "fakedefer" | "fakereject" => !message(),
        "freeze" | "queue" => !bits(&[Mail, Rcpt, Predata, Data, NotSmtp, Mime]),
        "no_mbox_unspool" => !bits(&[Mail, Rcpt, Predata, Data, Mime]),
        "submission" => !bits(&[Mail, Rcpt, Predata]),
        "suppress_local_fixups" => !bits(&[Mail, Rcpt, Predata, NotSmtpStart]),
        "utf8_downconvert" => !bits(&[Rcpt, Vrfy]),
        _ => return None,
    })
}

/// The controls, with whether each takes options (`/...`, or `_only`
/// after `queue`).
const CONTROLS: &[(&str, bool)] = &[
    ("allow_auth_unadvertised", false),
    ("caseful_local_part", false),
    ("caselower_local_part", false),
    ("cutthrough_delivery", true),
    ("debug", true),
    ("dkim_disable_verify", false),
    ("dscp", true),
    ("enforce_sync", false),
    ("fakedefer", true),
    ("fakereject", true),
    ("freeze", true),
    ("no_callout_flush", false),
    ("no_delay_flush", false),
    ("no_enforce_sync", false),
    ("no_mbox_unspool", false),
    ("no_multiline_responses", false),
    ("no_pipelining", false),
    ("queue", true),
    ("submission", true),
    ("suppress_local_fixups", false),
    ("utf8_downconvert", true),
];

/// The controls of a build with DMARC.
const DMARC_CONTROLS: &[(&str, bool)] = &[
    ("dmarc_disable_verify", false),
    ("dmarc_enable_forensic", false),
];

/// Exim's `decode_control`: the control `arg` names and the rest of
/// `arg` (its options), or the log message of a syntax error.  `dmarc`:
/// the build has DMARC's controls.
pub fn decode(arg: &[u8], dmarc: bool) -> Result<(&'static str, &[u8]), String> {
    let extra: &[(&str, bool)] = if dmarc { DMARC_CONTROLS } else { &[] };
    for &(name, has_option) in CONTROLS.iter().chain(extra) {
        let Some(rest) = arg.strip_prefix(name.as_bytes()) else {
            continue;
        };
        match rest.first() {
            None => return Ok((name, rest)),
            Some(b'/' | b'_') if has_option => return Ok((name, rest)),
            _ => {}
        }
    }
    Err(format!(
        "syntax error in \"control={}\"",
        String::from_utf8_lossy(arg)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_controls_may_be_used() {
        let allowed = |name: &str, p: SmtpPhase| forbidden_phases(name).map(|f| f & p.bit() == 0);
        assert_eq!(allowed("submission", Mail), Some(true));
        assert_eq!(allowed("submission", Data), Some(false));
        assert_eq!(allowed("submission", Unknown), Some(false));
        assert_eq!(allowed("debug", Unknown), Some(true));
        assert_eq!(allowed("no_pipelining", Connect), Some(true));
        assert_eq!(allowed("caseful_local_part", Rcpt), Some(true));
        assert_eq!(allowed("nosuch", Rcpt), None);
        assert_eq!(decode(b"queue_only", false).unwrap().0, "queue");
        assert_eq!(
            decode(b"submission/domain=x", false).unwrap(),
            ("submission", &b"/domain=x"[..])
        );
        assert!(decode(b"no_pipelining/x", false).is_err());
        assert!(decode(b"nosuch", false).is_err());
        assert!(decode(b"dmarc_disable_verify", false).is_err());
        assert_eq!(
            decode(b"dmarc_disable_verify", true).unwrap().0,
            "dmarc_disable_verify"
        );
    }
}
