//! DNS as Exim's SPF layer (`SPF_dns_exim_lookup` over `dns_lookup`)
//! gives it to libspf2: Exim's name checks, one CNAME followed, TXT
//! records other than `v=spf1 ...` dropped and the strings of the rest
//! joined.

use crate::eval::{DnsError, RData, Resolver, RrType};
use pcre2::bytes::{Regex, RegexBuilder};
use std::cell::Cell;
use std::net::IpAddr;
use std::sync::LazyLock;

static CHECK_NAMES: LazyLock<Option<Regex>> = LazyLock::new(|| {
    RegexBuilder::new()
        .utf(false)
        .build(crate::dns::exim::DEFAULT_CHECK_NAMES_PATTERN)
        .ok()
});

/// The record types SPF asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    A,
    Aaaa,
    Mx,
    Ptr,
    Txt,
}

impl Type {
    fn rr(self) -> RrType {
        match self {
            Type::A => RrType::A,
            Type::Aaaa => RrType::Aaaa,
            Type::Mx => RrType::Mx,
            Type::Ptr => RrType::Ptr,
            Type::Txt => RrType::Txt,
        }
    }
}

/// Why a lookup found nothing: libspf2's `h_errno` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `HOST_NOT_FOUND`.
    NoSuchName,
    /// `NO_DATA`.
    NoData,
    /// `TRY_AGAIN`.
    Again,
    /// `NO_RECOVERY`.
    Fail,
}

/// One record's data as libspf2 sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Ip(IpAddr),
    Name(Vec<u8>),
    Txt(Vec<u8>),
}

impl Found {
    pub fn into_ip(self) -> Option<IpAddr> {
        match self {
            Found::Ip(a) => Some(a),
            _ => None,
        }
    }
    pub fn into_name(self) -> Option<Vec<u8>> {
        match self {
            Found::Name(n) => Some(n),
            _ => None,
        }
    }
    pub fn into_txt(self) -> Option<Vec<u8>> {
        match self {
            Found::Txt(t) => Some(t),
            _ => None,
        }
    }
}

/// The resolver with a budget of queries, so that no record can make a
/// check ask without end.
pub struct EximDns<'r> {
    resolver: &'r dyn Resolver,
    budget: Cell<u32>,
}

impl<'r> EximDns<'r> {
    pub fn new(resolver: &'r dyn Resolver, budget: u32) -> EximDns<'r> {
        EximDns {
            resolver,
            budget: Cell::new(budget),
        }
    }

    /// One lookup; `Ok` holds at least one record.
    pub fn lookup(&self, name: &[u8], ty: Type) -> Result<Vec<Found>, Failure> {
        let alabel;
        let mut name = name;
        if !name.is_ascii() {
            alabel =
                crate::operators::idna::domain_to_alabel(name).map_err(|_| Failure::NoSuchName)?;
            name = &alabel;
        }
        if !matches!(ty, Type::Ptr | Type::Txt) && !passes_name_check(name) {
            return Err(Failure::NoSuchName);
        }
        if matches!(ty, Type::A | Type::Aaaa) && crate::ip::is_ip_address(name) != 0 {
            return Err(Failure::NoSuchName);
        }
        let mut records = self.query(name, ty)?;
        if !records.iter().any(|d| of_type(d, ty)) {
            let Some(RData::Cname(target)) =
                records.iter().rev().find(|d| matches!(d, RData::Cname(_)))
            else {
                return Err(Failure::Fail);
            };
            let target = target.clone();
            records = self.query(&target, ty)?;
            if !records.iter().any(|d| of_type(d, ty)) {
                return Err(Failure::Fail);
            }
        }
        let found: Vec<Found> = records.into_iter().filter_map(|d| convert(d, ty)).collect();
        if found.is_empty() {
            Err(Failure::NoData)
        } else {
            Ok(found)
        }
    }

    fn query(&self, name: &[u8], ty: Type) -> Result<Vec<RData>, Failure> {
        let left = self.budget.get();
        if left == 0 {
            return Err(Failure::Fail);
        }
        self.budget.set(left - 1);
        match self.resolver.query(name, ty.rr()) {
            Ok(answer) => Ok(answer.records.into_iter().map(|r| r.data).collect()),
            Err(DnsError::NoSuchName) => Err(Failure::NoSuchName),
            Err(DnsError::NoData) => Err(Failure::NoData),
            Err(DnsError::Again(_)) => Err(Failure::Again),
            Err(DnsError::Fail(_)) => Err(Failure::Fail),
        }
    }
}

fn passes_name_check(name: &[u8]) -> bool {
    CHECK_NAMES
        .as_ref()
        .is_none_or(|r| r.is_match(name).unwrap_or(false))
}

fn of_type(d: &RData, ty: Type) -> bool {
    matches!(
        (d, ty),
        (RData::A(_), Type::A)
            | (RData::Aaaa(_), Type::Aaaa)
            | (RData::Mx { .. }, Type::Mx)
            | (RData::Ptr(_), Type::Ptr)
            | (RData::Txt(_), Type::Txt)
    )
}

fn convert(d: RData, ty: Type) -> Option<Found> {
    match (d, ty) {
        (RData::A(a), Type::A) => Some(Found::Ip(IpAddr::V4(a))),
        (RData::Aaaa(a), Type::Aaaa) => Some(Found::Ip(IpAddr::V6(a))),
        (RData::Mx { exchange, .. }, Type::Mx) => Some(Found::Name(without_final_dot(exchange))),
        (RData::Ptr(n), Type::Ptr) => Some(Found::Name(without_final_dot(n))),
        (RData::Txt(strings), Type::Txt) => spf_text(&strings).map(Found::Txt),
        _ => None,
    }
}

fn without_final_dot(mut n: Vec<u8>) -> Vec<u8> {
    if n.len() > 1 && n.ends_with(b".") {
        n.pop();
    }
    n
}

/// Exim keeps a TXT record only when its first string starts `v=spf1`
/// (any case), and joins its strings up to the first empty one.
fn spf_text(strings: &[Vec<u8>]) -> Option<Vec<u8>> {
    let first = strings.first()?;
    if first.len() < 6 || !first[..6].eq_ignore_ascii_case(b"v=spf1") {
        return None;
    }
    Some(
        strings
            .iter()
            .take_while(|s| !s.is_empty())
            .flatten()
            .copied()
            .collect(),
    )
}

/// The name a PTR query for `ip` asks.
pub fn reverse_name(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0]).into_bytes()
        }
        IpAddr::V6(a) => {
            let mut s = String::new();
            for b in a.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", b & 15, b >> 4));
            }
            s.push_str("ip6.arpa");
            s.into_bytes()
        }
    }
}
