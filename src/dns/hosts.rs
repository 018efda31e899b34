//! Finding a domain's mail hosts as Exim 4.96's `host_find_bydns` does
//! for `HOST_FIND_BY_MX` (the `@mx_any`, `@mx_primary` and
//! `@mx_secondary` items of domain lists): the MX records sorted by
//! preference, each host's AAAA and A records, the hosts and addresses of
//! an `ignore=` host list dropped, duplicate addresses removed, and then
//! Exim's scan for the local host (`host_scan_for_local_hosts`): a host
//! whose address is one of this host's interfaces, `0.0.0.0`, or whose
//! name is in `hosts_treat_as_local`.

use super::exim::Dns;
use crate::eval::{DnsError, Evaluator, ListKind, QueryFlags, RData, RrType};

/// One mail host with one of its addresses (a host with several
/// addresses is several of these, as in Exim's host chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxHost {
    /// The host's name (as the address records spell it).
    pub name: Vec<u8>,
    /// The MX preference.
    pub mx: u16,
    /// The address, when one was found and not ignored.
    pub address: Option<String>,
}

/// What the search for a domain's mail hosts found (Exim's
/// `HOST_FIND_FAILED`, `HOST_FOUND`, `HOST_FOUND_LOCAL`,
/// `HOST_FIND_AGAIN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MxRc {
    /// No MX records, or no host with a usable address.
    Failed,
    /// Mail hosts with addresses, none of them this host.
    Found,
    /// This host is among the most preferred mail hosts.
    FoundLocal,
    /// A DNS query deferred.
    Again,
}

/// The outcome and whether hosts were dropped because this host has a
/// lower preference than they (or the same): Exim's `removed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MxOutcome {
    /// What was found.
    pub rc: MxRc,
    /// This host is one of the mail hosts, but not of the most preferred.
    pub removed: bool,
}

impl MxOutcome {
    fn only(rc: MxRc) -> MxOutcome {
        MxOutcome { rc, removed: false }
    }
}

/// Exim's `host_find_bydns(..., HOST_FIND_BY_MX, ...)` with the local-host
/// scan: `ignore` is the `/ignore=` host list of an `@mx_*` item.
pub fn find_by_mx(ev: &mut Evaluator, domain: &[u8], ignore: Option<&[u8]>) -> MxOutcome {
    let flags = crate::dns::exim::session_flags(ev);
    let found = match Dns::new(ev, flags).lookup(domain, RrType::Mx) {
        Ok(f) => f,
        Err(DnsError::NoSuchName | DnsError::NoData) => return MxOutcome::only(MxRc::Failed),
        Err(_) => return MxOutcome::only(MxRc::Again),
    };
    let mut exchangers: Vec<(Vec<u8>, u16)> = Vec::new();
    for r in found.records(RrType::Mx) {
        let RData::Mx {
            preference,
            exchange,
        } = &r.data
        else {
            continue;
        };
        match exchangers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(exchange))
        {
            Some(e) => e.1 = e.1.min(*preference),
            None => exchangers.push((exchange.clone(), *preference)),
        }
    }
    if exchangers.is_empty() {
        return MxOutcome::only(MxRc::Failed);
    }
    // Equal preferences are in random order in Exim; nothing below
    // depends on their order.
    exchangers.sort_by_key(|e| e.1);
    let mut hosts = Vec::new();
    let mut again = false;
    for (name, mx) in exchangers {
        match addresses(ev, &name, ignore, flags) {
            Addresses::Found(list) => hosts.extend(list.into_iter().map(|(name, a)| MxHost {
                name,
                mx,
                address: Some(a),
            })),
            Addresses::Ignored => {}
            Addresses::Again => {
                again = true;
                hosts.push(MxHost {
                    name,
                    mx,
                    address: None,
                });
            }
            Addresses::Failed => hosts.push(MxHost {
                name,
                mx,
                address: None,
            }),
        }
    }
    remove_duplicate_addresses(&mut hosts);
    let mut outcome = scan_for_local_hosts(ev, &hosts);
    if outcome.rc == MxRc::Failed && again {
        outcome.rc = MxRc::Again;
    }
    outcome
}

/// What `set_address_from_dns` found for one host.
enum Addresses {
    /// Its addresses (AAAA first), each with the name the records have.
    Found(Vec<(Vec<u8>, String)>),
    /// It had addresses, all of them in the ignore list.
    Ignored,
    Failed,
    Again,
}

fn addresses(
    ev: &mut Evaluator,
    name: &[u8],
    ignore: Option<&[u8]>,
    flags: QueryFlags,
) -> Addresses {
    if ev.ctx.option_flag("allow_mx_to_ip", false) && crate::ip::is_ip_address(name) != 0 {
        let a = String::from_utf8_lossy(name).into_owned();
        if ignored(ev, ignore, name, &a) {
            return Addresses::Ignored;
        }
        return Addresses::Found(vec![(name.to_vec(), a)]);
    }
    let ipv4_list = ev.ctx.option("dns_ipv4_lookup").map(str::to_owned);
    let ipv4_only = ev.ctx.option_flag("disable_ipv6", false)
        || ipv4_list.is_some_and(|l| {
            crate::conditions::matchlist::acl_check(ev, ListKind::Domain, name, l.as_bytes())
                .unwrap_or(false)
        });
    let types: &[RrType] = if ipv4_only {
        &[RrType::A]
    } else {
        &[RrType::Aaaa, RrType::A]
    };
    let mut found = Vec::new();
    let mut v6_again = false;
    let mut any_answer = false;
    for &rr in types {
        let r = Dns::new(ev, flags).lookup(name, rr);
        let answer = match r {
            Ok(f) => f,
            Err(e) => {
                if rr == RrType::A {
                    return if !found.is_empty() {
                        Addresses::Found(found)
                    } else if v6_again || matches!(e, DnsError::Again(_) | DnsError::Fail(_)) {
                        Addresses::Again
                    } else {
                        Addresses::Failed
                    };
                }
                v6_again |= matches!(e, DnsError::Again(_) | DnsError::Fail(_));
                continue;
            }
        };
        any_answer = true;
        for r in answer.records(rr) {
            let a = match &r.data {
                RData::A(a) => a.to_string(),
                RData::Aaaa(a) => a.to_string(),
                _ => continue,
            };
            if ignored(ev, ignore, name, &a) || found.iter().any(|(_, x)| *x == a) {
                continue;
            }
            found.push((r.name.clone(), a));
        }
    }
    match (found.is_empty(), any_answer) {
        (false, _) => Addresses::Found(found),
        (true, true) => Addresses::Ignored,
        (true, false) => Addresses::Failed,
    }
}

fn ignored(ev: &mut Evaluator, ignore: Option<&[u8]>, name: &[u8], address: &str) -> bool {
    ignore.is_some_and(|list| {
        crate::conditions::matchlist::this_host_in_list(ev, list, name, address.as_bytes())
    })
}

/// Exim's `host_remove_duplicates`: a later item with an address already
/// seen goes.
fn remove_duplicate_addresses(hosts: &mut Vec<MxHost>) {
    let mut seen: Vec<String> = Vec::new();
    hosts.retain(|h| match &h.address {
        Some(a) if seen.contains(a) => false,
        Some(a) => {
            seen.push(a.clone());
            true
        }
        None => true,
    });
}

/// Exim's `host_scan_for_local_hosts` on a sorted host chain.
fn scan_for_local_hosts(ev: &mut Evaluator, hosts: &[MxHost]) -> MxOutcome {
    let interfaces = crate::conditions::matchlist::local_interface_addresses(ev);
    let treat_as_local = ev.ctx.option("hosts_treat_as_local").map(str::to_owned);
    let mut any_address = false;
    // Whether an earlier preference group was passed.
    let mut passed_group = false;
    for (i, h) in hosts.iter().enumerate() {
        let named_local = treat_as_local.as_deref().is_some_and(|list| {
            let name = h.name.to_ascii_lowercase();
            crate::conditions::matchlist::acl_check(ev, ListKind::Domain, &name, list.as_bytes())
                .unwrap_or(false)
        });
        let local = named_local
            || h.address
                .as_deref()
                .is_some_and(|a| a == "0.0.0.0" || interfaces.iter().any(|i| i == a));
        if local {
            if !passed_group {
                return MxOutcome::only(MxRc::FoundLocal);
            }
            let rc = if any_address {
                MxRc::Found
            } else {
                MxRc::Failed
            };
            return MxOutcome { rc, removed: true };
        }
        any_address |= h.address.is_some();
        if hosts.get(i + 1).is_none_or(|n| n.mx != h.mx) {
            passed_group = true;
        }
    }
    MxOutcome::only(if any_address {
        MxRc::Found
    } else {
        MxRc::Failed
    })
}
