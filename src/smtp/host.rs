//! How Exim names the client: `$sender_fullhost` for log lines and
//! `$sender_rcvhost` for the Received: header (Exim's
//! `host_build_sender_fullhost`).

/// The client as the two variables show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostNames {
    /// `$sender_fullhost`: `name (helo) [address]` and its shorter forms.
    pub fullhost: Vec<u8>,
    /// `$sender_rcvhost`: `name ([address] helo=helo)` and its shorter
    /// forms.
    pub rcvhost: Vec<u8>,
}

/// The names for a client at `address` (and `port` when the
/// `incoming_port` log selector shows it), with its verified host `name`
/// and its `helo` name when known.
pub fn build(
    address: &[u8],
    port: Option<u16>,
    name: Option<&[u8]>,
    helo: Option<&[u8]>,
) -> HostNames {
    let mut addr = [b"[", address, b"]"].concat();
    if let Some(p) = port {
        addr.extend_from_slice(format!(":{p}").as_bytes());
    }
    let show_helo = helo.is_some_and(|h| !helo_is_address(h, address));
    match name {
        None => {
            let fullhost = match helo {
                Some(h) => [b"(", h, b") ", &addr[..]].concat(),
                None => addr.clone(),
            };
            let bracketed = match port {
                Some(_) => addr[..addr.iter().position(|&c| c == b']').unwrap_or(0) + 1].to_vec(),
                None => addr.clone(),
            };
            let mut rcvhost = bracketed;
            let mut parts: Vec<Vec<u8>> = Vec::new();
            if let Some(p) = port {
                parts.push(format!("port={p}").into_bytes());
            }
            if show_helo {
                parts.push([b"helo=", helo.unwrap_or_default()].concat());
            }
            if !parts.is_empty() {
                rcvhost.extend_from_slice(b" (");
                rcvhost.extend_from_slice(&parts.join(&b' '));
                rcvhost.push(b')');
            }
            HostNames { fullhost, rcvhost }
        }
        Some(name) => {
            let show_helo = show_helo && !helo.is_some_and(|h| h.eq_ignore_ascii_case(name));
            if show_helo {
                let helo = helo.unwrap_or_default();
                HostNames {
                    fullhost: [name, b" (", helo, b") ", &addr[..]].concat(),
                    rcvhost: [name, b" (", &addr[..], b" helo=", helo, b")"].concat(),
                }
            } else {
                HostNames {
                    fullhost: [name, b" ", &addr[..]].concat(),
                    rcvhost: [name, b" (", &addr[..], b")"].concat(),
                }
            }
        }
    }
}

/// A HELO of `[address]` (or `[IPv6:address]`, `[IPv4:address]`) naming
/// the client's own address is not shown.
fn helo_is_address(helo: &[u8], address: &[u8]) -> bool {
    let Some(inner) = helo.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")) else {
        return false;
    };
    let inner = [&b"IPv6:"[..], b"IPv4:"]
        .iter()
        .find_map(|p| (inner.len() >= 5 && inner[..5].eq_ignore_ascii_case(p)).then(|| &inner[5..]))
        .unwrap_or(inner);
    let parse = |b: &[u8]| {
        std::str::from_utf8(b)
            .ok()?
            .parse::<std::net::IpAddr>()
            .ok()
    };
    matches!((parse(inner), parse(address)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(name: Option<&str>, helo: Option<&str>, port: Option<u16>) -> (String, String) {
        let h = build(
            b"192.0.2.1",
            port,
            name.map(str::as_bytes),
            helo.map(str::as_bytes),
        );
        (
            String::from_utf8(h.fullhost).unwrap(),
            String::from_utf8(h.rcvhost).unwrap(),
        )
    }

    #[test]
    fn fullhost_and_rcvhost() {
        /// (host name, HELO, port shown, fullhost, rcvhost)
        type Row<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<u16>,
            &'a str,
            &'a str,
        );
        let rows: &[Row] = &[
            (None, None, None, "[192.0.2.1]", "[192.0.2.1]"),
            (
                None,
                Some("c.example"),
                None,
                "(c.example) [192.0.2.1]",
                "[192.0.2.1] (helo=c.example)",
            ),
            (
                None,
                Some("[192.0.2.1]"),
                None,
                "([192.0.2.1]) [192.0.2.1]",
                "[192.0.2.1]",
            ),
            (
                Some("h.example"),
                Some("h.example"),
                None,
                "h.example [192.0.2.1]",
                "h.example ([192.0.2.1])",
            ),
            (
                Some("h.example"),
                Some("c"),
                None,
                "h.example (c) [192.0.2.1]",
                "h.example ([192.0.2.1] helo=c)",
            ),
            (
                None,
                Some("c"),
                Some(25),
                "(c) [192.0.2.1]:25",
                "[192.0.2.1] (port=25 helo=c)",
            ),
        ];
        for &(name, helo, port, full, rcv) in rows {
            assert_eq!(names(name, helo, port), (full.to_string(), rcv.to_string()));
        }
    }
}
