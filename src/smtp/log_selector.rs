//! Which optional log lines and fields are written: Exim's `log_selector`
//! (`+name` / `-name` words over the 4.96 defaults).

use std::collections::BTreeSet;

/// Every selector name of Exim 4.96.
const NAMES: &[&str] = &[
    "8bitmime",
    "acl_warn_skipped",
    "address_rewrite",
    "all_parents",
    "arguments",
    "connection_reject",
    "delay_delivery",
    "deliver_time",
    "delivery_size",
    "dkim",
    "dkim_verbose",
    "dnslist_defer",
    "dnssec",
    "etrn",
    "host_lookup_failed",
    "ident_timeout",
    "incoming_interface",
    "incoming_port",
    "lost_incoming_connection",
    "millisec",
    "msg_id",
    "msg_id_created",
    "outgoing_interface",
    "outgoing_port",
    "pid",
    "pipelining",
    "protocol_detail",
    "proxy",
    "queue_run",
    "queue_time",
    "queue_time_exclusive",
    "queue_time_overall",
    "receive_time",
    "received_recipients",
    "received_sender",
    "rejected_header",
    "retry_defer",
    "return_path_on_delivery",
    "sender_on_delivery",
    "sender_verify_fail",
    "size_reject",
    "skip_delivery",
    "smtp_confirmation",
    "smtp_connection",
    "smtp_incomplete_transaction",
    "smtp_mailauth",
    "smtp_no_mail",
    "smtp_protocol_error",
    "smtp_syntax_error",
    "subject",
    "tls_certificate_verified",
    "tls_cipher",
    "tls_peerdn",
    "tls_resumption",
    "tls_sni",
    "unknown_in_list",
];

/// What is logged by default (`log_default` in globals.c).
const DEFAULTS: &[&str] = &[
    "acl_warn_skipped",
    "connection_reject",
    "delay_delivery",
    "dkim",
    "dnslist_defer",
    "etrn",
    "host_lookup_failed",
    "lost_incoming_connection",
    "outgoing_interface",
    "msg_id",
    "queue_run",
    "queue_time_exclusive",
    "rejected_header",
    "retry_defer",
    "sender_verify_fail",
    "size_reject",
    "skip_delivery",
    "smtp_confirmation",
    "tls_certificate_verified",
    "tls_cipher",
];

/// The selectors in force.
///
/// ```
/// use exim_expand::smtp::LogSelector;
/// let s = LogSelector::parse(Some("+smtp_connection -msg_id")).unwrap();
/// assert!(s.has("smtp_connection") && !s.has("msg_id") && s.has("size_reject"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSelector(BTreeSet<&'static str>);

impl LogSelector {
    /// The selectors a `log_selector` setting gives (`None`: unset).
    pub fn parse(setting: Option<&str>) -> Result<LogSelector, String> {
        let mut set: BTreeSet<&'static str> = DEFAULTS.iter().copied().collect();
        for word in setting.unwrap_or("").split_ascii_whitespace() {
            let (on, name) = match word.as_bytes()[0] {
                b'+' => (true, &word[1..]),
                b'-' => (false, &word[1..]),
                _ => return Err(format!("missing + or - in log selector \"{word}\"")),
            };
            let names: Vec<&'static str> = if name == "all" {
                NAMES.to_vec()
            } else {
                match NAMES.iter().find(|n| **n == name) {
                    Some(n) => vec![*n],
                    None => return Err(format!("unknown log name in \"{word}\"")),
                }
            };
            for n in names {
                if on {
                    set.insert(n);
                } else {
                    set.remove(n);
                }
            }
        }
        Ok(LogSelector(set))
    }

    /// True when `name` is selected.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains(name)
    }
}
