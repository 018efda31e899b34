//! Where each ACL condition and modifier may not be used (the third
//! column of Exim's `conditions[]` table in acl.c, 4.96).

use crate::eval::SmtpPhase::{self, *};

fn bits(phases: &[SmtpPhase]) -> u32 {
    phases.iter().fold(0, |b, p| b | p.bit())
}

/// The phases where `name` is forbidden, as a set of [`SmtpPhase::bit`]s.
pub fn forbidden_phases(name: &str) -> u32 {
    let message_acls = || bits(&[Mail, Rcpt, Predata, Data, Prdr, Mime, NotSmtp, NotSmtpStart]);
    let not_in_session = || {
        bits(&[
            Auth,
            Connect,
            Helo,
            MailAuth,
            Etrn,
            Expn,
            StartTls,
            Vrfy,
            NotSmtp,
            NotSmtpStart,
        ])
    };
    let before_sender = || {
        bits(&[
            Auth, Connect, Helo, MailAuth, Quit, Etrn, Expn, StartTls, Vrfy,
        ])
    };
    match name {
        "add_header" => !(message_acls() | Dkim.bit()),
        "remove_header" => !message_acls(),
        "authenticated" => bits(&[NotSmtp, NotSmtpStart, Connect, Helo]),
        "decode" | "mime_regex" => !Mime.bit(),
        "delay" => NotQuit.bit(),
        "dkim_signers" | "dkim_status" => !Dkim.bit(),
        "dmarc_status" => !Data.bit(),
        "domains" | "local_parts" => !bits(&[Rcpt, Vrfy, Prdr]),
        "encrypted" => bits(&[NotSmtp, NotSmtpStart, Helo]),
        "hosts" => bits(&[NotSmtp, NotSmtpStart]),
        "malware" | "spam" => !bits(&[Data, Prdr, NotSmtp]),
        "queue" => bits(&[NotSmtp, Prdr, Data]),
        "recipients" => !Rcpt.bit(),
        "regex" => !bits(&[Data, Prdr, NotSmtp, Mime]),
        "senders" | "sender_domains" => before_sender(),
        "spf" | "spf_guess" => not_in_session(),
        _ => 0,
    }
}

/// True when `name` may not be used in `phase`.
pub fn is_forbidden(name: &str, phase: SmtpPhase) -> bool {
    forbidden_phases(name) & phase.bit() != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exim_table_rows() {
        let rows: &[(&str, SmtpPhase, bool)] = &[
            ("domains", Rcpt, false),
            ("domains", Mail, true),
            ("domains", Unknown, true),
            ("hosts", Unknown, false),
            ("hosts", Connect, false),
            ("add_header", Dkim, false),
            ("add_header", Connect, true),
            ("senders", Helo, true),
            ("senders", Rcpt, false),
            ("spf", Rcpt, false),
            ("spf", Helo, true),
            ("spf", Unknown, false),
            ("delay", NotQuit, true),
            ("recipients", Unknown, true),
            ("condition", Connect, false),
        ];
        for &(name, phase, forbidden) in rows {
            assert_eq!(is_forbidden(name, phase), forbidden, "{name} in {phase:?}");
        }
    }
}
