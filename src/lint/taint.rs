//! W006: tainted data in a file name.  Exim 4.94 and later refuse to open
//! a file whose name was made from data that came from outside (the
//! message, the SMTP client, the envelope): `${lookup{x}lsearch{/etc/$domain}}`
//! fails with "Tainted filename for search", `${readfile{/var/$local_part}}`
//! with "Tainted filename".  The usual cure is a lookup whose result names
//! the file (`$domain_data`, `${lookup{$domain}...{$value}}`): lookup results
//! are not tainted.
//!
//! The variables listed here are those whose values Exim always takes
//! from outside; an operator keeps the taint of its operand, an item's
//! result is judged by the item (so a lookup inside the name cleans it).

use crate::parser::{Arg, Node, Seq, Span};

/// Variables whose value comes from outside (Exim marks it tainted).
const TAINTED: &[&str] = &[
    "authenticated_id",
    "authenticated_sender",
    "domain",
    "local_part",
    "local_part_prefix",
    "local_part_prefix_v",
    "local_part_suffix",
    "local_part_suffix_v",
    "message_body",
    "message_body_end",
    "message_headers",
    "message_headers_raw",
    "original_domain",
    "original_local_part",
    "parent_domain",
    "parent_local_part",
    "rcpt_domain",
    "received_for",
    "recipients",
    "return_path",
    "sender_address",
    "sender_address_domain",
    "sender_address_local_part",
    "sender_helo_name",
    "sender_host_name",
    "sender_ident",
    "smtp_command",
    "smtp_command_argument",
    "tls_in_peerdn",
    "tls_in_sni",
];

/// Is `$name` always tainted?
fn tainted(name: &str) -> bool {
    TAINTED.binary_search(&name).is_ok()
        || name
            .strip_prefix("auth")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

/// The first tainted variable or header in `s` (operators looked into,
/// items not), with its span and name.
fn first_taint(s: &Seq) -> Option<(Span, String)> {
    for n in &s.nodes {
        match n {
            Node::Var { name, span, .. } if tainted(name) => {
                return Some((*span, format!("${name}")));
            }
            Node::Header { name, span, .. } => {
                return Some((
                    *span,
                    format!("the header {}", String::from_utf8_lossy(name)),
                ));
            }
            Node::Op(op) => {
                if let Some(found) = first_taint(&op.operand) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// The lookup types whose "file" is a file (single-key types).
fn names_a_file(lookup_type: &str) -> bool {
    let base = crate::lookups::base_name(lookup_type);
    matches!(
        base,
        "lsearch"
            | "wildlsearch"
            | "nwildlsearch"
            | "iplsearch"
            | "cdb"
            | "dbm"
            | "dbmjz"
            | "dbmnz"
            | "dsearch"
            | "lmdb"
    )
}

/// W006 for a node: a lookup's file or `readfile`'s path made from tainted
/// data.
pub fn tainted_file_name(_source: &[u8], node: &Node) -> Option<(Span, String)> {
    let Node::Item(it) = node else {
        return None;
    };
    let (what, path) = match it.name {
        "lookup" if it.word.as_deref().is_some_and(names_a_file) => {
            ("a lookup's file name", it.args.get(1))
        }
        "readfile" => ("a readfile path", it.args.first()),
        _ => return None,
    };
    let Some(Arg::Seq(path)) = path else {
        return None;
    };
    let (span, name) = first_taint(path)?;
    Some((
        span,
        format!(
            "{name} is tainted (it comes from outside) and makes {what}: Exim refuses to open the file; name it by a lookup's result instead"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(src: &str) -> Option<String> {
        let t = crate::parse(src.as_bytes());
        let mut out = None;
        t.walk(&mut |v| {
            if let crate::parser::Visit::Node(n) = v
                && out.is_none()
            {
                out = tainted_file_name(src.as_bytes(), n).map(|(s, _)| src[s.range()].to_string());
            }
        });
        out
    }

    #[test]
    fn file_names_made_from_outside_data() {
        // Exim 4.96 -bem: ${lookup{x}lsearch{/tmp/$h_subject:}} logs
        // "Tainted filename for search" and fails; ${readfile{..}} too.
        assert_eq!(
            found("${lookup{x}lsearch{/etc/$domain}}").as_deref(),
            Some("$domain")
        );
        assert_eq!(
            found("${lookup{x}partial-lsearch*{/etc/${lc:$local_part}}}").as_deref(),
            Some("$local_part")
        );
        assert_eq!(
            found("${readfile{/tmp/$h_subject:}}").as_deref(),
            Some("$h_subject:")
        );
        assert_eq!(
            found("${lookup{$local_part}lsearch{/etc/aliases}}"),
            None,
            "the key may be tainted"
        );
        assert_eq!(
            found("${lookup{x}lsearch{/etc/$domain_data}}"),
            None,
            "a lookup's result is not"
        );
        assert_eq!(
            found("${lookup{x}lsearch{/etc/${lookup{$domain}lsearch{/etc/d}}}}"),
            None
        );
        assert_eq!(found("${lookup dnsdb{a=$domain}}"), None, "not a file");
        assert!(tainted("auth1") && !tainted("authx") && !tainted("primary_hostname"));
        assert!(TAINTED.windows(2).all(|w| w[0] < w[1]));
    }
}
