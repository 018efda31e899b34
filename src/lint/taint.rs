//! W006: tainted data in a file name; W007: in a command.  Exim 4.94 and later refuse to open
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
pub fn first_taint(s: &Seq) -> Option<(Span, String)> {
    s.nodes.iter().find_map(node_taint)
}

/// The tainted variable or header `n` is or holds (through operators).
fn node_taint(n: &Node) -> Option<(Span, String)> {
    match n {
        Node::Var { name, span, .. } if tainted(name) => Some((*span, format!("${name}"))),
        Node::Header { name, span, .. } => Some((
            *span,
            format!("the header {}", String::from_utf8_lossy(name)),
        )),
        Node::Op(op) => first_taint(&op.operand),
        _ => None,
    }
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

/// The first tainted variable or header in the first word of `s`: the
/// program of a command that is split at white space before its parts
/// are expanded.
fn program_taint(s: &Seq) -> Option<(Span, String)> {
    let mut started = false;
    for n in &s.nodes {
        match n {
            Node::Text { bytes, .. } => {
                let lead = bytes.iter().take_while(|c| c.is_ascii_whitespace()).count();
                let rest = &bytes[if started { 0 } else { lead }..];
                if !rest.is_empty() {
                    started = true;
                }
                if rest.iter().any(|c| c.is_ascii_whitespace()) {
                    return None;
                }
            }
            _ => {
                started = true;
                if let Some(found) = node_taint(n) {
                    return Some(found);
                }
            }
        }
    }
    None
}

/// W007 for a node: `${run{..}}` whose program (the command's first
/// word) is made from tainted data, or, with `preexpand`, any of whose
/// command is.  Exim 4.96 splits `${run}`'s command before expanding
/// the parts, lets the arguments be tainted and refuses a tainted
/// program ("Attempt to exec tainted path"); `preexpand` expands the
/// whole command first, so any taint reaches the program.
pub fn tainted_command(_source: &[u8], node: &Node) -> Option<(Span, String)> {
    let Node::Item(it) = node else {
        return None;
    };
    if it.name != "run" {
        return None;
    }
    let Some(Arg::Seq(command)) = it.args.first() else {
        return None;
    };
    let preexpand = it.word.as_deref().is_some_and(|w| w.contains("preexpand"));
    let (span, name) = if preexpand {
        first_taint(command)?
    } else {
        program_taint(command)?
    };
    let part = if preexpand {
        "the preexpanded command"
    } else {
        "the program"
    };
    Some((
        span,
        format!(
            "{name} is tainted (it comes from outside) and makes {part} of ${{run}}: Exim refuses to run it"
        ),
    ))
}

/// W007 for one part of a pipe transport's or queryprogram router's
/// `command` (`arg` counting from 0): Exim 4.96 refuses any tainted part
/// ("Tainted arg N for ... command").
pub fn tainted_command_part(part: &Seq, arg: usize) -> Option<(Span, String)> {
    let (span, name) = first_taint(part)?;
    Some((
        span,
        format!(
            "{name} is tainted (it comes from outside) and makes argument {arg} of the command: Exim refuses to run it"
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

    fn found_command(src: &str) -> Option<String> {
        let t = crate::parse(src.as_bytes());
        let mut out = None;
        t.walk(&mut |v| {
            if let crate::parser::Visit::Node(n) = v
                && out.is_none()
            {
                out = tainted_command(src.as_bytes(), n).map(|(s, _)| src[s.range()].to_string());
            }
        });
        out
    }

    #[test]
    fn programs_made_from_outside_data() {
        // Exim 4.96 -bem, Subject: /bin/echo and X-Arg: hello:
        // ${run{/bin/echo $h_x-arg:}} gives "hello"; ${run{$h_subject: hi}}
        // and ${run,preexpand{/bin/echo $h_x-arg:}} log "Attempt to exec
        // tainted path" and fail.
        let cases: &[(&str, Option<&str>)] = &[
            ("${run{/bin/echo $h_x-arg:}}", None),
            ("${run{$h_subject: hi}}", Some("$h_subject:")),
            ("${run{ /usr/bin/$local_part x}}", Some("$local_part")),
            ("${run{/bin/${lc:$domain} x}}", Some("$domain")),
            ("${run,preexpand{/bin/echo $h_x-arg:}}", Some("$h_x-arg:")),
            ("${run{/bin/echo ${lookup{$domain}lsearch{/etc/d}}}}", None),
            ("${run{/bin/prog-$primary_hostname $domain}}", None),
        ];
        for (src, want) in cases {
            assert_eq!(found_command(src).as_deref(), *want, "{src}");
        }
        assert!(TAINTED.windows(2).all(|w| w[0] < w[1]));
    }
}
