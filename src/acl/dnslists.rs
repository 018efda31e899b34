//! The `dnslists` ACL condition, as Exim 4.96's `dnsbl.c` checks it: a
//! list of DNS lists, each
//!
//! ```text
//! [txtdomain,]domain[=ips | ==ips | !=ips | !==ips | &mask | =&mask | !&mask | !=&mask][/keys]
//! ```
//!
//! Without keys the client's address, inverted, is looked up under the
//! domain; with keys each key (an address is inverted).  An A record in
//! 127.0.0.0/8 (or one the address list accepts) lists it: the condition
//! is true and `$dnslist_domain`, `$dnslist_matched`, `$dnslist_value`
//! and `$dnslist_text` (the first TXT string) are set.
//! `+include_unknown`, `+exclude_unknown` (the default) and
//! `+defer_unknown` say what a deferred query means.

use super::AclRc;
use crate::dns::exim::Dns;
use crate::eval::{DnsError, Evaluator, RData, RrType, Value};
use crate::lists::ListIter;

/// Exim's bound on a DNS list query name.
const MAX_QUERY: usize = 255;

/// How the addresses of an A record are compared with the list's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct MatchType {
    /// `!`: listed when the addresses do not match.
    not: bool,
    /// `==` / `=&`: every address must match (instead of any).
    all: bool,
    /// `&`: the list holds bit masks.
    bitmask: bool,
}

/// One item of the condition's list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListItem<'a> {
    domain: &'a [u8],
    /// The domain the TXT record is looked up in (`txtdomain,domain`).
    txt_domain: &'a [u8],
    ips: Option<&'a [u8]>,
    match_type: MatchType,
    keys: Option<&'a [u8]>,
}

fn parse_item(item: &[u8]) -> ListItem<'_> {
    let (mut head, keys) = match item.iter().position(|&c| c == b'/') {
        Some(i) => (&item[..i], Some(&item[i + 1..])),
        None => (item, None),
    };
    let mut match_type = MatchType::default();
    let mut ips = None;
    let at = match head.iter().position(|&c| c == b'=') {
        Some(i) => Some(i),
        None => {
            match_type.bitmask = true;
            head.iter().position(|&c| c == b'&')
        }
    };
    if let Some(i) = at {
        let mut end = i;
        if i > 0 && head[i - 1] == b'!' {
            match_type.not = true;
            end = i - 1;
        }
        let mut list = &head[i + 1..];
        if !match_type.bitmask && matches!(list.first(), Some(b'=' | b'&')) {
            match_type.bitmask = list[0] == b'&';
            match_type.all = true;
            list = &list[1..];
        }
        ips = Some(list);
        head = &head[..end];
    }
    let (txt_domain, domain) = match head.iter().position(|&c| c == b',') {
        Some(i) => (&head[..i], &head[i + 1..]),
        None => (head, head),
    };
    ListItem {
        domain,
        txt_domain,
        ips,
        match_type,
        keys,
    }
}

/// Exim's `invert_address`: `d.c.b.a` for IPv4 (an IPv4-mapped IPv6
/// address too), the 32 nibbles in reverse for IPv6; no trailing dot.
fn invert_address(address: &[u8]) -> Vec<u8> {
    let address = address.strip_prefix(b"::ffff:").unwrap_or(address);
    let words = crate::ip::host_aton(address).unwrap_or_default();
    let mut out = Vec::with_capacity(72);
    if words.len() == 1 {
        let x = words[0];
        for i in 0..4 {
            out.extend_from_slice(format!("{}.", (x >> (8 * i)) & 255).as_bytes());
        }
    } else {
        for j in (0..4).rev() {
            let x = words.get(j).copied().unwrap_or(0);
            for i in 0..8 {
                out.extend_from_slice(format!("{:x}.", (x >> (4 * i)) & 15).as_bytes());
            }
        }
    }
    out.pop();
    out
}

/// What one lookup in one list gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum One {
    Listed,
    NotListed,
    Deferred,
}

/// What a deferred query counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unknown {
    Include,
    Exclude,
    Defer,
}

struct Check<'e, 'a> {
    ev: &'e mut Evaluator<'a>,
    /// For the log lines: the key (client address or key domain).
    key: Vec<u8>,
    /// The log line of a deferred query, finished by the caller.
    deferred_log: Option<Vec<u8>>,
}

impl Check<'_, '_> {
    fn dns(&self) -> Dns<'_, '_> {
        let flags = crate::dns::exim::session_flags(self.ev);
        Dns::new(self.ev, flags)
    }

    /// Exim's `one_check_dnsbl`.
    fn one(&mut self, item: &ListItem, txt_domain: &[u8], prepend: &[u8]) -> One {
        let query = [prepend, b".", item.domain].concat();
        if query.len() > MAX_QUERY {
            let shown = [&query[..], b"..."].concat();
            super::log_line(
                self.ev,
                &[&b"dnslist query is too long (ignored): "[..], &shown].concat(),
            );
            return One::NotListed;
        }
        let answer = match self.dns().basic(&query, RrType::A) {
            Ok(a) => a,
            Err(DnsError::NoSuchName | DnsError::NoData) => return One::NotListed,
            Err(_) => {
                let what = b"DNS list lookup defer (probably timeout) for ";
                self.deferred_log = Some([&what[..], &query].concat());
                return One::Deferred;
            }
        };
        let addresses: Vec<std::net::Ipv4Addr> = answer
            .records
            .iter()
            .filter_map(|r| match r.data {
                RData::A(a) => Some(a),
                _ => None,
            })
            .collect();
        if addresses.is_empty() {
            return One::NotListed;
        }
        if !self.addresses_accepted(item, &addresses) {
            return One::NotListed;
        }
        if txt_domain != item.domain {
            let alternate = ListItem {
                domain: txt_domain,
                txt_domain,
                ips: None,
                match_type: item.match_type,
                keys: None,
            };
            return self.one(&alternate, txt_domain, prepend);
        }
        let text = match self.dns().basic(&query, RrType::Txt) {
            Ok(a) => a.records.iter().find_map(|r| match &r.data {
                RData::Txt(strings) => Some(strings.first().cloned().unwrap_or_default()),
                _ => None,
            }),
            Err(_) => None,
        };
        let value = addresses
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        self.ev
            .ctx
            .vars
            .insert("dnslist_value".into(), Value::from(value));
        match text {
            Some(t) => {
                self.ev.ctx.vars.insert(
                    "dnslist_text".into(),
                    Value {
                        bytes: t,
                        tainted: true,
                    },
                );
            }
            None => {
                self.ev.ctx.vars.remove("dnslist_text");
            }
        }
        One::Listed
    }

    /// The address list check of `=`, `==`, `&`, ... (or, without one,
    /// that some address is in 127.0.0.0/8); discarded addresses are logged.
    fn addresses_accepted(&mut self, item: &ListItem, addresses: &[std::net::Ipv4Addr]) -> bool {
        let loopback = |a: &std::net::Ipv4Addr| a.octets()[0] == 127;
        let Some(ips) = item.ips else {
            let mut ok = false;
            for a in addresses {
                if loopback(a) {
                    ok = true;
                } else {
                    self.log_discarded(item.domain, a);
                }
            }
            return ok;
        };
        let mt = item.match_type;
        let mut stopped = false;
        for a in addresses {
            let matched = if !mt.bitmask {
                ListIter::with_sep(ips, b',').any(|ip| ip == a.to_string().as_bytes())
            } else {
                let mask = if loopback(a) {
                    u32::from(*a)
                } else {
                    self.log_discarded(item.domain, a);
                    0
                };
                ListIter::with_sep(ips, b',').any(|ip| {
                    crate::ip::host_aton(&ip)
                        .filter(|w| w.len() == 1)
                        .is_some_and(|w| w[0] & mask == w[0])
                })
            };
            if mt.all != matched {
                stopped = true;
                break;
            }
        }
        // Exim: listed unless ((not xor all) differs from "ran to the end").
        (mt.not != mt.all) != stopped
    }

    fn log_discarded(&mut self, domain: &[u8], a: &std::net::Ipv4Addr) {
        let line = [
            &b"DNS list lookup for "[..],
            &self.key,
            b" at ",
            domain,
            b" returned ",
            a.to_string().as_bytes(),
            b"; not in 127.0/8 and discarded",
        ]
        .concat();
        super::log_line(self.ev, &line);
    }
}

/// Exim's `verify_check_dnsbl`.
pub fn dnslists(ev: &mut Evaluator, list: &[u8]) -> AclRc {
    let mut unknown = Unknown::Exclude;
    for item in ListIter::new(list) {
        if item.first() == Some(&b'+') {
            match item.to_ascii_lowercase().as_slice() {
                b"+include_unknown" => unknown = Unknown::Include,
                b"+exclude_unknown" => unknown = Unknown::Exclude,
                b"+defer_unknown" => unknown = Unknown::Defer,
                _ => super::log_line(
                    ev,
                    &[&b"unknown item in dnslist (ignored): "[..], &item].concat(),
                ),
            }
            continue;
        }
        let it = parse_item(&item);
        for d in [it.domain, it.txt_domain] {
            if d.iter()
                .any(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_')))
            {
                let line = [
                    &b"dnslists domain \""[..],
                    d,
                    b"\" contains strange characters - is this right?",
                ]
                .concat();
                super::log_line(ev, &line);
            }
            if it.domain == it.txt_domain {
                break;
            }
        }
        let rc = match it.keys {
            None => {
                let client = crate::vars::value(ev, "sender_host_address");
                if client.bytes.is_empty() {
                    return AclRc::Fail;
                }
                let prepend = invert_address(&client.bytes);
                check_key(ev, &it, &client.bytes, &prepend, unknown)
            }
            Some(keys) => {
                let mut deferred = false;
                let mut listed = None;
                for key in ListIter::new(keys) {
                    let prepend = if crate::ip::is_ip_address(&key) != 0 {
                        invert_address(&key)
                    } else {
                        key.to_vec()
                    };
                    match check_key(ev, &it, &key, &prepend, unknown) {
                        AclRc::Ok => {
                            listed = Some(AclRc::Ok);
                            break;
                        }
                        AclRc::Defer => deferred = true,
                        _ => {}
                    }
                }
                listed.unwrap_or(if deferred { AclRc::Defer } else { AclRc::Fail })
            }
        };
        if rc != AclRc::Fail {
            return rc;
        }
    }
    AclRc::Fail
}

/// One key in one list; on a listing, `$dnslist_domain` and
/// `$dnslist_matched` are set.
fn check_key(
    ev: &mut Evaluator,
    it: &ListItem,
    key: &[u8],
    prepend: &[u8],
    unknown: Unknown,
) -> AclRc {
    let mut c = Check {
        ev,
        key: key.to_vec(),
        deferred_log: None,
    };
    let one = c.one(it, it.txt_domain, prepend);
    let listed = match one {
        One::Listed => true,
        One::NotListed => false,
        // A deferred query counts as the `+..._unknown` item says.
        One::Deferred => unknown == Unknown::Include,
    };
    if listed {
        let vars = &mut c.ev.ctx.vars;
        vars.insert("dnslist_domain".into(), Value::from(it.txt_domain.to_vec()));
        vars.insert(
            "dnslist_matched".into(),
            Value {
                bytes: key.to_vec(),
                tainted: true,
            },
        );
    }
    match one {
        One::Listed => AclRc::Ok,
        One::NotListed => AclRc::Fail,
        One::Deferred => {
            let (rc, what): (AclRc, &[u8]) = match unknown {
                Unknown::Include => (AclRc::Ok, b"assumed in list"),
                Unknown::Exclude => (AclRc::Fail, b"assumed not in list"),
                Unknown::Defer => (AclRc::Defer, b"returned DEFER"),
            };
            if let Some(line) = c.deferred_log.take() {
                super::log_line(c.ev, &[&line[..], b": ", what].concat());
            }
            rc
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverted_addresses() {
        assert_eq!(invert_address(b"192.0.2.5"), b"5.2.0.192");
        assert_eq!(invert_address(b"::ffff:192.0.2.5"), b"5.2.0.192");
        assert_eq!(
            invert_address(b"2001:db8::1"),
            b"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2".as_slice()
        );
    }

    #[test]
    fn list_items() {
        let it = parse_item(b"txt.lists.test,lists.test!==127.0.0.2,127.0.0.3/a.example");
        assert_eq!(it.domain, b"lists.test");
        assert_eq!(it.txt_domain, b"txt.lists.test");
        assert_eq!(it.ips, Some(&b"127.0.0.2,127.0.0.3"[..]));
        assert_eq!(
            it.match_type,
            MatchType {
                not: true,
                all: true,
                bitmask: false
            }
        );
        assert_eq!(it.keys, Some(&b"a.example"[..]));
        let it = parse_item(b"lists.test&0.0.0.2");
        assert!(it.match_type.bitmask && !it.match_type.all);
        let it = parse_item(b"lists.test=&0.0.0.2");
        assert!(it.match_type.bitmask && it.match_type.all);
        let it = parse_item(b"lists.test");
        assert_eq!(
            (it.domain, it.ips, it.keys),
            (&b"lists.test"[..], None, None)
        );
    }
}
