//! DNS as Exim 4.96's `dns.c` asks it, over the engine's [`Resolver`]:
//! the name checks before a query (`dns_check_names_pattern`, the A-label
//! form of a UTF-8 name, no A query for an IP address), the CNAME links
//! Exim follows itself (`dns_cname_loops`), the invented types (`mxh`,
//! `zns`, `csa`, the walk up the tree for `soa`) and the reversed names
//! of PTR queries.  Used by `dnsdb`, `@mx_*` in host lists and `dnslists`.

use crate::eval::{Answer, DnsError, Evaluator, QueryFlags, RData, Record, RrType};
use pcre2::bytes::{Regex, RegexBuilder};
use std::sync::{Arc, LazyLock};

/// Exim 4.96's default `dns_check_names_pattern`: dot-separated labels of
/// word characters, with `-` and `/` allowed inside, and a final dot.
pub const DEFAULT_CHECK_NAMES_PATTERN: &str =
    r"(?i)^(?>(?(1)\.|())[^\W](?>[a-z0-9/_-]*[^\W])?)+(\.?)$";

/// How many CNAMEs Exim follows by itself when the answer has only the
/// alias (`dns_cname_loops`, default 1).
const DEFAULT_CNAME_LOOPS: u32 = 1;

/// The upper bound on `dns_cname_loops` we accept from a configuration.
const MAX_CNAME_LOOPS: u32 = 32;

/// Exim's `dns_csa_search_limit` default.
const DEFAULT_CSA_SEARCH_LIMIT: u32 = 5;

static DEFAULT_CHECK_NAMES: LazyLock<Arc<Regex>> =
    LazyLock::new(|| Arc::new(compile(DEFAULT_CHECK_NAMES_PATTERN).unwrap()));

thread_local! {
    /// The last configured `dns_check_names_pattern`, compiled once.
    static CONFIGURED_CHECK: std::cell::RefCell<Option<(String, Arc<Regex>)>> =
        const { std::cell::RefCell::new(None) };
}

/// A configured pattern, compiled (once per pattern and thread); `None`
/// when it does not compile.
fn configured_check(pattern: &str) -> Option<Arc<Regex>> {
    if pattern == DEFAULT_CHECK_NAMES_PATTERN {
        return Some(DEFAULT_CHECK_NAMES.clone());
    }
    CONFIGURED_CHECK.with(|c| {
        let mut c = c.borrow_mut();
        if let Some((p, r)) = c.as_ref()
            && p == pattern
        {
            return Some(r.clone());
        }
        let r = Arc::new(compile(pattern)?);
        *c = Some((pattern.to_string(), r.clone()));
        Some(r)
    })
}

fn compile(pattern: &str) -> Option<Regex> {
    RegexBuilder::new().utf(false).build(pattern).ok()
}

/// What a query found: the answer (CNAMEs included) and, when the
/// records' owner differs from the name asked, that owner (Exim's
/// `fully_qualified_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The records, CNAMEs included.
    pub answer: Answer,
    /// The owner of the first record when it is not the name asked.
    pub owner: Option<Vec<u8>>,
}

impl Found {
    /// The records of `rr`, in the order the server gave them.
    pub fn records(&self, rr: RrType) -> impl Iterator<Item = &Record> {
        self.answer
            .records
            .iter()
            .filter(move |r| is_of(&r.data, rr))
    }
}

/// Whether a record's data answers a query for `rr` (SPF records carry
/// TXT data).
pub fn is_of(d: &RData, rr: RrType) -> bool {
    rr_of(d) == Some(rr) || (rr == RrType::Spf && matches!(d, RData::Txt(_)))
}

/// The record type of a record's data.
pub fn rr_of(d: &RData) -> Option<RrType> {
    Some(match d {
        RData::A(_) => RrType::A,
        RData::Aaaa(_) => RrType::Aaaa,
        RData::Cname(_) => RrType::Cname,
        RData::Mx { .. } => RrType::Mx,
        RData::Ns(_) => RrType::Ns,
        RData::Ptr(_) => RrType::Ptr,
        RData::Soa { .. } => RrType::Soa,
        RData::Srv { .. } => RrType::Srv,
        RData::Tlsa { .. } => RrType::Tlsa,
        RData::Txt(_) => RrType::Txt,
    })
}

/// The resolver options of the session's next query: the DNSSEC OK bit
/// and `retrans`/`retry` as earlier `dnsdb` lookups left them, else
/// `dns_retrans` and `dns_retry` from the configuration (set only when
/// positive, as Exim's `dns_init` does).
pub fn session_flags(ev: &Evaluator) -> QueryFlags {
    let ctx = &ev.ctx;
    let option_time = |name: &str| {
        ctx.option(name)
            .and_then(|v| crate::numeric::time_eval(v.trim().as_bytes()).ok())
            .and_then(|t| u32::try_from(t).ok())
            .filter(|&t| t > 0)
    };
    let option_int = |name: &str| {
        ctx.option(name)
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|&n| n > 0)
    };
    QueryFlags {
        dnssec_ok: ctx.dns_dnssec_ok,
        retrans: ctx.dns_retrans.or_else(|| option_time("dns_retrans")),
        retry: ctx.dns_retry.or_else(|| option_int("dns_retry")),
    }
}

/// Exim's DNS functions for one evaluation: the resolver, the options
/// of the configuration, and the flags of the queries.
pub struct Dns<'e, 'a> {
    ev: &'e Evaluator<'a>,
    flags: QueryFlags,
}

impl<'e, 'a> Dns<'e, 'a> {
    /// Queries asked as `flags` say.
    pub fn new(ev: &'e Evaluator<'a>, flags: QueryFlags) -> Dns<'e, 'a> {
        Dns { ev, flags }
    }

    /// Exim's `dns_basic_lookup`: one query, after the checks that answer
    /// "no such name" without asking.
    pub fn basic(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError> {
        let alabel;
        let mut name = name;
        if !name.is_ascii() {
            alabel =
                crate::operators::idna::domain_to_alabel(name).map_err(|_| DnsError::NoSuchName)?;
            name = &alabel;
        }
        if !matches!(rr, RrType::Ptr | RrType::Txt) && !self.name_passes_check(name) {
            return Err(DnsError::NoSuchName);
        }
        if matches!(rr, RrType::A | RrType::Aaaa) && crate::ip::is_ip_address(name) != 0 {
            return Err(DnsError::NoSuchName);
        }
        match self.ev.ctx.resolver.query_with(name, rr, self.flags) {
            Err(DnsError::Again(_)) if self.again_means_nonexist(name) => Err(DnsError::NoSuchName),
            r => r,
        }
    }

    /// `dns_again_means_nonexist`: a domain list (with `$domain` the name)
    /// of names whose temporary failures count as "no such name".
    fn again_means_nonexist(&self, name: &[u8]) -> bool {
        let Some(list) = self.ev.ctx.option("dns_again_means_nonexist") else {
            return false;
        };
        let list = list.as_bytes().to_vec();
        // The match runs on a copy of the session: it may expand, look up
        // and set variables, and this query's caller holds the original.
        let mut ctx = self.ev.ctx.clone();
        ctx.set_var("domain", name.to_vec());
        let mut ev = Evaluator::new(&mut ctx);
        crate::conditions::matchlist::acl_check(&mut ev, crate::eval::ListKind::Domain, name, &list)
            .unwrap_or(false)
    }

    fn name_passes_check(&self, name: &[u8]) -> bool {
        let regex = match self.ev.ctx.option("dns_check_names_pattern") {
            None => DEFAULT_CHECK_NAMES.clone(),
            Some("") => return true,
            Some(p) => match configured_check(p) {
                Some(r) => r,
                None => return true,
            },
        };
        regex.is_match(name).unwrap_or(false)
    }

    fn cname_loops(&self) -> u32 {
        self.ev
            .ctx
            .option("dns_cname_loops")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_CNAME_LOOPS)
            .min(MAX_CNAME_LOOPS)
    }

    /// Exim's `dns_lookup`: a query whose answer holds only an alias is
    /// asked again for the alias's target, at most `dns_cname_loops`
    /// times; after that, or for an answer with neither, it fails.
    pub fn lookup(&self, name: &[u8], rr: RrType) -> Result<Found, DnsError> {
        let mut current = name.to_vec();
        let mut owner = None;
        for round in 0..=self.cname_loops() {
            let answer = self.basic(&current, rr)?;
            let first = answer.records.iter().find(|r| is_of(&r.data, rr));
            let cname = answer
                .records
                .iter()
                .rev()
                .find(|r| matches!(r.data, RData::Cname(_)));
            if round == 0 {
                let named = cname.or(first).map(|r| &r.name);
                owner = named
                    .filter(|n| n.as_slice() != name && !n.starts_with(b"*"))
                    .cloned();
            }
            if first.is_some() {
                return Ok(Found { answer, owner });
            }
            match cname.map(|r| &r.data) {
                Some(RData::Cname(target)) => current = target.clone(),
                _ => return Err(DnsError::Fail(String::new())),
            }
        }
        crate::acl::log_line(
            self.ev,
            &[b"CNAME loop for ", name, b" encountered"].concat(),
        );
        Err(DnsError::Fail(String::new()))
    }

    /// Exim's `dns_special_lookup`: the invented types and the plain ones.
    pub fn special(&self, name: &[u8], kind: Kind) -> Result<Found, DnsError> {
        match kind {
            Kind::Plain(rr) | Kind::Addresses(rr) => self.lookup(name, rr),
            Kind::MxHosts => self.lookup(name, RrType::Mx),
            Kind::ZoneNs => self.up_the_tree(name, RrType::Ns),
            Kind::Soa => self.up_the_tree(name, RrType::Soa),
            Kind::Csa => self.csa(name),
        }
    }

    /// `zns` and `soa`: the name, then each parent but the root, until one
    /// has the records.
    fn up_the_tree(&self, name: &[u8], rr: RrType) -> Result<Found, DnsError> {
        let mut d = name;
        loop {
            match self.lookup(d, rr) {
                Err(DnsError::NoSuchName | DnsError::NoData) => {}
                r => return r,
            }
            match d.iter().position(|&c| c == b'.') {
                Some(i) => d = &d[i + 1..],
                None => return Err(DnsError::NoSuchName),
            }
        }
    }

    /// Client SMTP Authorization: the name's own `_client._smtp` SRV
    /// record, else one of a parent that makes assertions about its
    /// subdomains (searched from the second level down).
    fn csa(&self, name: &[u8]) -> Result<Found, DnsError> {
        let srv = |d: &[u8]| self.lookup(&[b"_client._smtp.", d].concat(), RrType::Srv);
        let first = srv(name);
        match first {
            Ok(mut f) => {
                f.owner = Some(name.to_vec());
                return Ok(f);
            }
            Err(DnsError::Again(m)) => return Err(DnsError::Again(m)),
            Err(DnsError::NoSuchName) => return Err(DnsError::NoSuchName),
            Err(_) => {}
        }
        let Some(mut suffix) = name.iter().rposition(|&c| c == b'.') else {
            return Err(DnsError::NoSuchName);
        };
        let mut limit = self
            .ev
            .ctx
            .option("dns_csa_search_limit")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_CSA_SEARCH_LIMIT);
        let lower = name.to_ascii_lowercase();
        let mut ipv6 = false;
        if lower[suffix..] == *b".arpa" {
            if suffix > 8 && lower[suffix - 8..] == *b".in-addr.arpa" {
                suffix -= 8;
                limit = 3;
            } else if suffix > 4 && lower[suffix - 4..] == *b".ip6.arpa" {
                suffix -= 4;
                ipv6 = true;
                limit = 3;
            }
        }
        for _ in 0..limit {
            if ipv6 {
                if suffix <= 8 {
                    return Err(DnsError::NoSuchName);
                }
                suffix -= 8;
            } else {
                loop {
                    if suffix <= 1 {
                        return Err(DnsError::NoSuchName);
                    }
                    suffix -= 1;
                    if name[suffix] == b'.' {
                        break;
                    }
                }
            }
            let parent = &name[suffix + 1..];
            match srv(parent) {
                Err(DnsError::Again(m)) => return Err(DnsError::Again(m)),
                Err(_) => continue,
                Ok(mut f) => {
                    let asserts = f.records(RrType::Srv).any(
                        |r| matches!(r.data, RData::Srv { priority: 1, port, .. } if port & 1 == 1),
                    );
                    if asserts {
                        f.owner = Some(parent.to_vec());
                        return Ok(f);
                    }
                }
            }
        }
        Err(DnsError::NoSuchName)
    }
}

/// A `dnsdb` record type: one of the DNS's, or one Exim invented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A type asked as it is.
    Plain(RrType),
    /// `a+`: AAAA, then A (the type being asked).
    Addresses(RrType),
    /// `mxh`: the MX records' host names only.
    MxHosts,
    /// `zns`: the name servers of the name's zone.
    ZoneNs,
    /// `soa`: the SOA of the name or the nearest parent that has one.
    Soa,
    /// `csa`: Client SMTP Authorization SRV records.
    Csa,
}

/// The name a PTR query asks for an address: `4.3.2.1.in-addr.arpa`, or
/// the 32 nibbles of an IPv6 address under `ip6.arpa.` (with Exim's final
/// dot).  The IPv4 form reverses the text's components as they are.
pub fn reverse_name(ip: &[u8]) -> Vec<u8> {
    if !ip.contains(&b':') {
        let mut out = Vec::with_capacity(ip.len() + 14);
        let mut parts: Vec<&[u8]> = ip.split(|&c| c == b'.').collect();
        parts.resize(parts.len().max(4), b"");
        for p in parts.iter().rev().take(4) {
            out.extend_from_slice(p);
            out.push(b'.');
        }
        out.extend_from_slice(b"in-addr.arpa");
        return out;
    }
    let words = crate::ip::host_aton(ip).unwrap_or_default();
    let mut out = Vec::with_capacity(73);
    for i in (0..4).rev() {
        let w = words.get(i).copied().unwrap_or(0);
        for j in (0..32).step_by(4) {
            out.extend_from_slice(format!("{:x}.", (w >> j) & 15).as_bytes());
        }
    }
    out.extend_from_slice(b"ip6.arpa.");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exim 4.96's `dns_build_reverse` (checked with `dnsdb{ptr=...}`).
    #[test]
    fn reverse_names() {
        for (ip, want) in [
            ("192.0.2.1", "1.2.0.192.in-addr.arpa"),
            ("10.0.0.25", "25.0.0.10.in-addr.arpa"),
            (
                "2001:db8::1",
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
            ),
        ] {
            assert_eq!(
                String::from_utf8(reverse_name(ip.as_bytes())).unwrap(),
                want,
                "{ip}"
            );
        }
    }

    #[test]
    fn default_name_check() {
        for (name, ok) in [
            ("example.com", true),
            ("_submission._tcp.example.com", true),
            ("a-b.c/d.example.", true),
            ("bad name.example", false),
            ("-lead.example", false),
            ("trail-.example", false),
            ("a..b", false),
            ("", false),
        ] {
            assert_eq!(
                DEFAULT_CHECK_NAMES.is_match(name.as_bytes()).unwrap(),
                ok,
                "{name}"
            );
        }
    }
}
