//! Named lists referred to and defined: E106, a `+name` item naming no
//! list (Exim fails the match: `unknown named domain list "+name"`), and
//! W004, a list defined and never referred to.
//!
//! A reference is a list item starting with `+` (after `!` and white
//! space): at the start of a value, after a `:` (or the list's own
//! separator, `<;`), after `{` (a list given to `match_domain` and its
//! kind inside an expansion), or after the `=` of a raw `option = value`
//! line.  `+caseful` and the host list's
//! `+include_unknown`, `+ignore_unknown`, `+include_defer`,
//! `+ignore_defer` are Exim's own items, not references.

use super::codes;
use super::{Finding, Origin};
use crate::config::Config;
use crate::eval::ExpandError;
use crate::parser::Span;

/// The options whose type is a host, domain, address or local-part list
/// (Exim 4.96's specification, `.option` lines), where `+name` items are
/// references.  Elsewhere (`log_selector = +smtp_no_mail`, `dnslists =
/// +defer_unknown : ...`) a `+` means something else.
const LIST_OPTIONS: &[&str] = &[
    "auth_advertise_hosts",
    "chunking_advertise_hosts",
    "dkim_verify_signers",
    "dns_again_means_nonexist",
    "dns_ipv4_lookup",
    "dns_trust_aa",
    "dnssec_request_domains",
    "dnssec_require_domains",
    "domains",
    "dsn_advertise_hosts",
    "fail_defer_domains",
    "helo_accept_junk_hosts",
    "helo_lookup_domains",
    "helo_try_verify_hosts",
    "helo_verify_hosts",
    "hold_domains",
    "host_lookup",
    "host_reject_connection",
    "hosts_avoid_esmtp",
    "hosts_avoid_pipelining",
    "hosts_avoid_tls",
    "hosts_connection_nolog",
    "hosts_nopass_tls",
    "hosts_noproxy_tls",
    "hosts_pipe_connect",
    "hosts_proxy",
    "hosts_request_ocsp",
    "hosts_require_alpn",
    "hosts_require_auth",
    "hosts_require_dane",
    "hosts_require_helo",
    "hosts_require_ocsp",
    "hosts_require_tls",
    "hosts_treat_as_local",
    "hosts_try_auth",
    "hosts_try_chunking",
    "hosts_try_dane",
    "hosts_try_fastopen",
    "hosts_try_prdr",
    "hosts_verify_avoid_tls",
    "ignore_fromline_hosts",
    "ignore_target_hosts",
    "local_parts",
    "mx_domains",
    "mx_fail_domains",
    "never_mail",
    "percent_hack_domains",
    "pipelining_advertise_hosts",
    "pipelining_connect_advertise_hosts",
    "queue_domains",
    "queue_smtp_domains",
    "recipient_unqualified_hosts",
    "remote_sort_domains",
    "rfc1413_hosts",
    "sender_unqualified_hosts",
    "senders",
    "serialize_hosts",
    "smtp_accept_max_nonmail_hosts",
    "smtp_ratelimit_hosts",
    "smtp_reserve_hosts",
    "smtputf8_advertise_hosts",
    "srv_fail_domains",
    "tls_advertise_hosts",
    "tls_resumption_hosts",
    "tls_try_verify_hosts",
    "tls_verify_cert_hostnames",
    "tls_verify_hosts",
    "untrusted_set_sender",
];

/// The ACL conditions that take such lists.
const LIST_CONDITIONS: &[&str] = &["domains", "hosts", "local_parts", "recipients", "senders"];

/// Exim's special items that look like references.
const SPECIAL: &[&[u8]] = &[
    b"caseful",
    b"include_unknown",
    b"ignore_unknown",
    b"include_defer",
    b"ignore_defer",
];

/// The `+name` references in `value`: each name's byte range.  Outside a
/// list context (`in_list` false) only those inside an expansion's
/// braces (`{+name}`) count.
pub fn references(value: &[u8], in_list: bool) -> Vec<std::ops::Range<usize>> {
    let sep = match value.trim_ascii_start() {
        [b'<', c, ..] if !c.is_ascii_alphanumeric() && !c.is_ascii_whitespace() => *c,
        _ => b':',
    };
    let mut out = Vec::new();
    for (i, &c) in value.iter().enumerate() {
        if c != b'+' {
            continue;
        }
        let before = value[..i]
            .iter()
            .rposition(|&b| !(b.is_ascii_whitespace() || b == b'!'));
        let at_item_start = match before {
            None => in_list,
            Some(j) if value[j] == b'{' => true,
            Some(j) => in_list && (matches!(value[j], b'=' | b':') || value[j] == sep),
        };
        if !at_item_start {
            continue;
        }
        let end = i
            + 1
            + value[i + 1..]
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
                .count();
        let name = &value[i + 1..end];
        if !name.is_empty() && !SPECIAL.contains(&name) {
            out.push(i + 1..end);
        }
    }
    out
}

/// Every string of the configuration that may hold list references, with
/// where it is: options, named lists, ACL conditions, driver lines and the
/// lines of left-out branches (`inactive` true).
fn texts(config: &Config) -> Vec<(Origin, Vec<u8>, String, bool)> {
    let mut out = Vec::new();
    let is_list = |name: &str| LIST_OPTIONS.binary_search(&name).is_ok();
    // The option a raw `name = value` line sets.
    let line_option = |text: &[u8]| {
        let t = String::from_utf8_lossy(text);
        let name = t
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches("hide ")
            .trim()
            .to_string();
        is_list(&name)
    };
    for o in config.options() {
        out.push((
            o.origin.clone(),
            o.value_bytes.clone(),
            format!("option {}", o.name),
            is_list(&o.name),
        ));
    }
    for l in config.named_lists() {
        out.push((
            l.origin.clone(),
            l.value_bytes.clone(),
            format!("named list {}", l.name),
            true,
        ));
    }
    for acl in config.acls() {
        for st in &acl.statements {
            for c in &st.conditions {
                if let Some(v) = &c.value {
                    let place = format!("acl {} ({} {})", acl.name, st.verb.as_str(), c.name);
                    let in_list = LIST_CONDITIONS.contains(&c.name.as_str());
                    out.push((c.origin.clone(), v.as_bytes().to_vec(), place, in_list));
                }
            }
        }
    }
    for s in config.sections() {
        if matches!(s.name, "routers" | "transports" | "authenticators") {
            for l in &s.lines {
                let in_list = line_option(&l.text);
                out.push((
                    l.origin.clone(),
                    l.text.clone(),
                    format!("{} section", s.name),
                    in_list,
                ));
            }
        }
    }
    for l in config.inactive_lines() {
        let t = String::from_utf8_lossy(&l.text);
        let named = ["domainlist", "hostlist", "addresslist", "localpartlist"]
            .iter()
            .any(|k| {
                t.trim_start()
                    .trim_start_matches("hide ")
                    .trim_start()
                    .starts_with(k)
            });
        let acl = t.split_whitespace().any(|w| LIST_CONDITIONS.contains(&w));
        let in_list = named || acl || line_option(&l.text);
        out.push((
            l.origin.clone(),
            l.text.clone(),
            "inactive branch".to_string(),
            in_list,
        ));
    }
    out
}

/// The name a left-out `domainlist NAME = ...` line defines.
fn inactive_definition(text: &[u8]) -> Option<String> {
    let t = String::from_utf8_lossy(text);
    let mut words = t.split_whitespace();
    let mut w = words.next()?;
    if w == "hide" {
        w = words.next()?;
    }
    let keyword = ["domainlist", "hostlist", "addresslist", "localpartlist"]
        .iter()
        .find(|k| w.starts_with(**k))?;
    let rest = w[keyword.len()..].trim_start_matches("_cache");
    if !rest.is_empty() {
        return None;
    }
    let name = words.next()?;
    Some(name.trim_end_matches('=').to_string())
}

/// E106 for each reference to an undefined list, W004 for each list never
/// referred to.
pub fn findings(config: &Config) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut used: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    // Lists defined in the branches the macros leave out answer the
    // references there.
    let defined_inactive: Vec<String> = config
        .inactive_lines()
        .iter()
        .filter_map(|l| inactive_definition(&l.text))
        .collect();
    for (origin, value, place, in_list) in texts(config) {
        let inactive = place == "inactive branch";
        for r in references(&value, in_list) {
            let name = &value[r.clone()];
            used.insert(name.to_vec());
            let shown = String::from_utf8_lossy(name);
            let elsewhere = inactive && defined_inactive.iter().any(|d| *d == shown);
            if config.named_list_any(&shown).is_none() && !elsewhere {
                let e = ExpandError::syntax(
                    format!(
                        "named list \"+{shown}\" is not defined (Exim fails the match: unknown named list)"
                    ),
                    Span::new(r.start - 1, r.end),
                );
                found.push(Finding::new(
                    config,
                    &codes::UNDEFINED_NAMED_LIST,
                    &origin,
                    place.clone(),
                    &value,
                    e,
                ));
            }
        }
    }
    for l in config.named_lists() {
        if !used.contains(l.name.as_bytes()) {
            // The definition's line: the list's name in it.
            let e = ExpandError::syntax(
                format!(
                    "{} \"{}\" is defined but never used (+{} appears nowhere)",
                    l.kind.keyword(),
                    l.name,
                    l.name
                ),
                Span::new(0, 0),
            );
            let start = Origin {
                map: l.origin.map.clone(),
                offset: 0,
            };
            found.push(Finding::new(
                config,
                &codes::UNUSED_NAMED_LIST,
                &start,
                format!("named list {}", l.name),
                b"",
                e,
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &str) -> Vec<&str> {
        references(v.as_bytes(), true)
            .into_iter()
            .map(|r| &v[r])
            .collect()
    }

    #[test]
    fn references_are_list_items() {
        assert_eq!(names("+local_domains"), ["local_domains"]);
        assert_eq!(names("a : !+relay : +other"), ["relay", "other"]);
        assert_eq!(names("<; 1.2.3.4 ; +nets"), ["nets"]);
        assert_eq!(names("${if match_domain{$domain}{+local}}"), ["local"]);
        assert_eq!(
            names("user+tag@example.com : ${eval:1+2}"),
            Vec::<&str>::new()
        );
        assert_eq!(names("+caseful : +include_unknown : +x"), ["x"]);
        let outside = |v: &str| references(v.as_bytes(), false).len();
        assert_eq!(outside("+smtp_no_mail +all"), 0, "log_selector");
        assert_eq!(outside("${if match_domain{$d}{+local}}"), 1);
    }

    #[test]
    fn undefined_and_unused() {
        let text = "domainlist used = a\ndomainlist spare = b\nhostlist relay = +nets\nbegin acl\nrcpt:\n  accept domains = +used : +typo\n";
        let c = Config::from_str(text, &[]).unwrap();
        let got: Vec<(String, usize, usize)> = findings(&c)
            .iter()
            .map(|f| (f.rule.code.to_string(), f.line, f.column))
            .collect();
        let want = [
            ("E106".to_string(), 3, 18),
            ("E106".to_string(), 6, 28),
            ("W004".to_string(), 2, 1),
            ("W004".to_string(), 3, 1),
        ];
        assert_eq!(got, want);
    }
}
