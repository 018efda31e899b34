//! The client's host name from its address, as Exim 4.96's
//! `host_name_lookup` finds it for `$sender_host_name` and for host-list
//! items that name hosts: the PTR records of the reversed address (the
//! first name, then the others as aliases, in lower case), each kept only
//! if its A or AAAA records give the address back.  Done once per session;
//! `$host_lookup_failed` and `$host_lookup_deferred` tell how it went.
//!
//! `host_lookup_order` (default `bydns:byaddr`) says where the names come
//! from: the PTR records, or the resolver's host table (/etc/hosts for the
//! system's resolver, as `gethostbyaddr` reads it).

use super::exim::{Dns, reverse_name};
use crate::eval::{DnsError, Evaluator, HostNameLookup, QueryFlags, RData, RrType};

/// The session's lookup for the client's address, done now if it was not
/// (or if it deferred).
/// `None` without a client address.
pub fn lookup(ev: &Evaluator) -> Option<HostNameLookup> {
    // A lookup that deferred is tried again when next needed, as Exim
    // does (only a name or a failure is kept).
    match ev.ctx.host_name.get() {
        Some(HostNameLookup::Deferred) | None => {}
        Some(done) => return Some(done),
    }
    let address = crate::vars::lookup(ev, "sender_host_address", false)?
        .into_owned()
        .bytes;
    if address.is_empty() {
        return None;
    }
    let outcome = match names(ev, &address) {
        Names::Found(names, dnssec) => verify(ev, &address, names, dnssec),
        Names::Deferred => HostNameLookup::Deferred,
        Names::None => {
            crate::acl::log_line(
                ev,
                &[&b"no host name found for IP address "[..], &address].concat(),
            );
            ev.ctx
                .host_name
                .set_failure_message(b" (failed to find host name from IP address)".to_vec());
            HostNameLookup::Failed
        }
    };
    ev.ctx.host_name.set(outcome.clone());
    Some(outcome)
}

fn flags(ev: &Evaluator) -> QueryFlags {
    crate::dns::exim::session_flags(ev)
}

/// The client's names, before they are verified.
enum Names {
    /// The names, and whether the answer was authenticated.
    Found(Vec<Vec<u8>>, bool),
    Deferred,
    None,
}

/// The names of `host_lookup_order` (default `bydns:byaddr`): the PTR
/// records, then the host table (`gethostbyaddr`).
fn names(ev: &Evaluator, address: &[u8]) -> Names {
    let order = ev
        .ctx
        .option("host_lookup_order")
        .unwrap_or("bydns:byaddr")
        .to_owned();
    for how in crate::lists::ListIter::new(order.as_bytes()) {
        if how.eq_ignore_ascii_case(b"bydns") {
            let dns = Dns::new(ev, flags(ev));
            match dns.lookup(&reverse_name(address), RrType::Ptr) {
                Ok(found) => {
                    let names: Vec<Vec<u8>> = found
                        .records(RrType::Ptr)
                        .filter_map(|r| match &r.data {
                            RData::Ptr(n) if !n.is_empty() => Some(n.to_ascii_lowercase()),
                            _ => None,
                        })
                        .collect();
                    if !names.is_empty() {
                        return Names::Found(names, found.answer.authenticated);
                    }
                }
                Err(DnsError::Again(_)) => return Names::Deferred,
                Err(_) => {}
            }
        } else if how.eq_ignore_ascii_case(b"byaddr") {
            let Some(ip) = crate::ip::parse_ip(address) else {
                continue;
            };
            let names: Vec<Vec<u8>> = ev
                .ctx
                .resolver
                .host_table_names(ip)
                .into_iter()
                .map(|n| n.to_ascii_lowercase())
                .collect();
            if !names.is_empty() {
                return Names::Found(names, false);
            }
        }
    }
    Names::None
}

/// Keeps the names whose addresses include the client's; the first left
/// is the host name, the others its aliases.
fn verify(ev: &Evaluator, address: &[u8], names: Vec<Vec<u8>>, mut dnssec: bool) -> HostNameLookup {
    let first = names.first().cloned().unwrap_or_default();
    let mut verified = Vec::new();
    for name in names {
        match resolves_to(ev, &name, address) {
            Forward::Yes(secure) => {
                dnssec &= secure;
                verified.push(name);
            }
            Forward::No => {}
            Forward::Again => return HostNameLookup::Deferred,
        }
    }
    if verified.is_empty() {
        let msg = [
            &b" ("[..],
            address,
            b" does not match any IP address for ",
            &first,
            b")",
        ]
        .concat();
        ev.ctx.host_name.set_failure_message(msg);
        return HostNameLookup::Failed;
    }
    let name = verified.remove(0);
    HostNameLookup::Found {
        name,
        aliases: verified,
        dnssec,
    }
}

enum Forward {
    /// The name's addresses include the client's (all answers
    /// authenticated, or not).
    Yes(bool),
    No,
    Again,
}

/// A name's AAAA and A records, as Exim asks for both.
struct DnsAddresses {
    addresses: Vec<std::net::IpAddr>,
    /// Some query answered.
    answered: bool,
    /// Some query deferred or failed.
    again: bool,
    /// Every answer was authenticated.
    secure: bool,
}

fn dns_addresses(ev: &Evaluator, name: &[u8]) -> DnsAddresses {
    let dns = Dns::new(ev, flags(ev));
    let mut d = DnsAddresses {
        addresses: Vec::new(),
        answered: false,
        again: false,
        secure: true,
    };
    for rr in [RrType::Aaaa, RrType::A] {
        match dns.lookup(name, rr) {
            Ok(f) => {
                d.answered = true;
                d.secure &= f.answer.authenticated;
                d.addresses
                    .extend(f.records(rr).filter_map(|r| match r.data {
                        RData::A(a) => Some(std::net::IpAddr::V4(a)),
                        RData::Aaaa(a) => Some(std::net::IpAddr::V6(a)),
                        _ => None,
                    }));
            }
            Err(DnsError::Again(_) | DnsError::Fail(_)) => d.again = true,
            Err(_) => {}
        }
    }
    d
}

/// The addresses of a name from its AAAA and A records (the forward check
/// of `verify = helo`), or `None` when no query answered.
pub fn dns_addresses_of(ev: &Evaluator, name: &[u8]) -> Option<Vec<std::net::IpAddr>> {
    let d = dns_addresses(ev, name);
    d.answered.then_some(d.addresses)
}

/// `host_find_bydns(HOST_FIND_BY_A | HOST_FIND_BY_AAAA)` for a PTR name,
/// then the comparison with the client's address.
fn resolves_to(ev: &Evaluator, name: &[u8], address: &[u8]) -> Forward {
    let d = dns_addresses(ev, name);
    match crate::ip::parse_ip(address) {
        Some(want) if d.addresses.contains(&want) => Forward::Yes(d.secure),
        _ if d.again && !d.answered => Forward::Again,
        _ => Forward::No,
    }
}

/// The addresses of a host name (`host_find_byname` for a host-list item
/// that names a host), from its AAAA and A records.
pub enum Addresses {
    /// Its addresses.
    Found(Vec<std::net::IpAddr>),
    /// A query deferred and nothing was found.
    Again,
    /// It has none.
    None,
}

/// The addresses of `name`, as the C library's `gethostbyname` finds them
/// for Exim: the host table first, then the DNS.
pub fn addresses_of(ev: &Evaluator, name: &[u8]) -> Addresses {
    let table = ev.ctx.resolver.host_table_addresses(name);
    if !table.is_empty() {
        return Addresses::Found(table);
    }
    let d = dns_addresses(ev, name);
    match (d.addresses.is_empty(), d.again) {
        (false, _) => Addresses::Found(d.addresses),
        (true, true) => Addresses::Again,
        (true, false) => Addresses::None,
    }
}
