//! The list matching the ACL conditions need (`hosts`, `senders`,
//! `sender_domains`, `authenticated`, `encrypted`), for the kinds of items
//! that need neither DNS nor lookups.  `Err(())` means the list holds an
//! item this implementation cannot test (host names, lookups, named
//! lists, ...).
//!
//! As in Exim, the first item that matches decides (a `!` item makes it a
//! non-match); at the end of the list the subject is a match only when the
//! last item was negated.

use crate::lists::ListIter;
use std::net::IpAddr;

type Match = Result<bool, ()>;

fn walk(list: &[u8], mut item_matches: impl FnMut(&[u8]) -> Match) -> Match {
    let mut last_negated = false;
    for item in ListIter::new(list) {
        let (negated, pat) = match item.strip_prefix(b"!") {
            Some(rest) => {
                let n = rest
                    .iter()
                    .position(|&c| !crate::lists::is_space(c))
                    .unwrap_or(rest.len());
                (true, &rest[n..])
            }
            None => (false, &item[..]),
        };
        last_negated = negated;
        if pat.starts_with(b"+") || pat.contains(&b';') {
            return Err(());
        }
        if item_matches(pat)? {
            return Ok(!negated);
        }
    }
    Ok(last_negated)
}

fn regex_match(pattern: &[u8], subject: &[u8]) -> Match {
    let mut p = b"(?i)".to_vec();
    p.extend_from_slice(pattern);
    let re = crate::regex::compile(&p).map_err(|_| ())?;
    re.is_match(subject).map_err(|_| ())
}

fn ends_with_caseless(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// A plain string list, caseless (`authenticated`, `encrypted`).
pub fn match_string_list(subject: &[u8], list: &[u8]) -> Match {
    walk(list, |pat| {
        if pat.first() == Some(&b'^') {
            return regex_match(pat, subject);
        }
        if let Some(suffix) = pat.strip_prefix(b"*") {
            return Ok(ends_with_caseless(subject, suffix));
        }
        Ok(pat.eq_ignore_ascii_case(subject))
    })
}

fn parse_ip(s: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(s).ok()?.parse().ok()
}

fn in_network(addr: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A host list for the calling host's address (empty for a local caller).
pub fn match_host_list(address: &[u8], list: &[u8]) -> Match {
    let addr = parse_ip(address);
    walk(list, |pat| {
        if pat.is_empty() {
            return Ok(address.is_empty());
        }
        if pat == b"*" {
            return Ok(true);
        }
        let (net, bits) = match pat.iter().rposition(|&c| c == b'/') {
            Some(i) => (&pat[..i], std::str::from_utf8(&pat[i + 1..]).ok()),
            None => (pat, None),
        };
        if let Some(net) = parse_ip(net) {
            let Some(a) = addr else {
                return Ok(false);
            };
            let full = if net.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => full,
                Some(b) => b.parse::<u32>().map_err(|_| ())?,
            };
            return Ok(in_network(a, net, bits));
        }
        if address.is_empty() {
            // A local caller matches no host name or pattern.
            return Ok(false);
        }
        Err(())
    })
}

/// One domain against one domain pattern.
fn domain_matches(domain: &[u8], pat: &[u8]) -> Match {
    if pat.first() == Some(&b'^') {
        return regex_match(pat, domain);
    }
    if let Some(suffix) = pat.strip_prefix(b"*") {
        return Ok(ends_with_caseless(domain, suffix));
    }
    if pat.first() == Some(&b'@') {
        return Err(());
    }
    Ok(pat.eq_ignore_ascii_case(domain))
}

/// A domain list (`sender_domains`).
pub fn match_domain_list(domain: &[u8], list: &[u8]) -> Match {
    walk(list, |pat| {
        if pat.is_empty() {
            return Ok(domain.is_empty());
        }
        domain_matches(domain, pat)
    })
}

/// An address list (`senders`), caseless.
pub fn match_address_list(address: &[u8], list: &[u8]) -> Match {
    let at = address.iter().rposition(|&c| c == b'@');
    let (local, domain) = match at {
        Some(i) => (&address[..i], &address[i + 1..]),
        None => (address, &b""[..]),
    };
    walk(list, |pat| {
        if pat.is_empty() || address.is_empty() {
            return Ok(pat.is_empty() && address.is_empty());
        }
        if pat.first() == Some(&b'^') {
            return regex_match(pat, address);
        }
        match pat.iter().rposition(|&c| c == b'@') {
            None => domain_matches(domain, pat),
            Some(i) => {
                let (lp, dp) = (&pat[..i], &pat[i + 1..]);
                let local_ok = match lp.strip_prefix(b"*") {
                    Some(suffix) => ends_with_caseless(local, suffix),
                    None => lp.eq_ignore_ascii_case(local),
                };
                Ok(local_ok && domain_matches(domain, dp)?)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results of the real Exim 4.96 (`accept hosts = ...` etc. in an ACL
    /// run by `${acl}` in `-be`).
    #[test]
    fn oracle_lists() {
        assert_eq!(match_host_list(b"", b":"), Ok(true));
        assert_eq!(match_host_list(b"", b"*"), Ok(true));
        assert_eq!(match_host_list(b"", b"1.2.3.0/24"), Ok(false));
        assert_eq!(match_host_list(b"", b"!1.2.3.4"), Ok(true));
        assert_eq!(match_host_list(b"", b"localhost"), Ok(false));
        assert_eq!(match_host_list(b"1.2.3.4", b":"), Ok(false));
        assert_eq!(match_host_list(b"1.2.3.4", b"*"), Ok(true));
        assert_eq!(match_host_list(b"1.2.3.4", b"1.2.3.0/24"), Ok(true));
        assert_eq!(match_host_list(b"1.2.3.4", b"!1.2.3.4"), Ok(false));
        assert_eq!(match_host_list(b"1.2.3.4", b"localhost"), Err(()));
        assert_eq!(match_address_list(b"root@myhost.test.ex", b":"), Ok(false));
        assert_eq!(
            match_address_list(b"root@myhost.test.ex", b"root@myhost.test.ex"),
            Ok(true)
        );
        assert_eq!(
            match_domain_list(b"myhost.test.ex", b"myhost.test.ex"),
            Ok(true)
        );
    }
}
