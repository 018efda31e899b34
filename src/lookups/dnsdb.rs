//! The `dnsdb` lookup type, as Exim 4.96's `lookups/dnsdb.c` reads its
//! query and writes its answer:
//!
//! ```text
//! [>S[,T | ;]] [defer_X,] [dnssec_X,] [retrans_T,] [retry_N,] [type=] domain-list
//! ```
//!
//! `>S` sets the separator between records (default newline), `,T` the
//! one between a TXT record's strings (default: the first string only)
//! and between the fields of MX, SRV, TLSA and SOA records (default
//! space), `;` joins strings with nothing.  The type defaults to TXT.
//! Each domain of the list is asked in turn; what any of them finds is
//! joined.  `defer_lax` (the default) defers only when no domain found
//! anything and one deferred, `defer_strict` on the first deferral,
//! `defer_never` never.  `dnssec_strict` takes an unauthenticated answer
//! for a deferral; `dnssec_never` asks without the DNSSEC OK bit.

use crate::dns::exim::{Dns, Found, Kind, reverse_name};
use crate::eval::{
    Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery, QueryFlags, RData, RrType, Value,
};
use crate::parser::LookupStyle;

/// The `dnsdb` lookup.
#[derive(Debug)]
pub struct DnsdbLookup;

impl Lookup for DnsdbLookup {
    fn style(&self) -> LookupStyle {
        LookupStyle::Query
    }

    /// The resolver's own: the network for the system's, nothing for
    /// zone files.
    fn open(
        &self,
        ev: &mut Evaluator,
        _file: Option<&[u8]>,
    ) -> Result<LookupHandle, LookupFailure> {
        super::open_resolver(ev, "a \"dnsdb\" lookup")
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        _h: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        let query = parse(q.key).map_err(|m| LookupFailure::Defer(m.into()))?;
        run(ev, &query)
    }
}

/// What to do when a query defers (or, under `dnssec_strict`, is not
/// authenticated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Strict,
    Lax,
    Never,
}

/// A parsed `dnsdb` query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query<'q> {
    /// Between records.
    record_sep: u8,
    /// Between a record's strings or fields: `None` for "the first TXT
    /// string only", `Some(None)` for "nothing" (`;`).
    field_sep: Option<Option<u8>>,
    defer: Mode,
    dnssec: Mode,
    /// `retrans_T`: seconds.
    retrans: Option<u32>,
    /// `retry_N`.
    retry: Option<u32>,
    kind: Kind,
    /// The record type as written (`mx`), for the output rules.
    name: &'static str,
    /// The list of domains (an Exim list, colon-separated by default).
    domains: &'q [u8],
}

/// The type names of Exim 4.96's `dnsdb`, in its table's order.
const TYPES: &[(&str, Kind)] = &[
    ("a", Kind::Plain(RrType::A)),
    ("a+", Kind::Addresses(RrType::Aaaa)),
    ("aaaa", Kind::Plain(RrType::Aaaa)),
    ("cname", Kind::Plain(RrType::Cname)),
    ("csa", Kind::Csa),
    ("mx", Kind::Plain(RrType::Mx)),
    ("mxh", Kind::MxHosts),
    ("ns", Kind::Plain(RrType::Ns)),
    ("ptr", Kind::Plain(RrType::Ptr)),
    ("soa", Kind::Soa),
    ("spf", Kind::Plain(RrType::Spf)),
    ("srv", Kind::Plain(RrType::Srv)),
    ("tlsa", Kind::Plain(RrType::Tlsa)),
    ("txt", Kind::Plain(RrType::Txt)),
    ("zns", Kind::ZoneNs),
];

fn skip_space(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

fn starts_with_ci(s: &[u8], i: usize, word: &str) -> bool {
    s.get(i..i + word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
}

/// `strict`, `lax` or `never` after `defer_` / `dnssec_`.
fn mode_at(s: &[u8], i: usize) -> Option<(Mode, usize)> {
    [
        ("strict", Mode::Strict),
        ("lax", Mode::Lax),
        ("never", Mode::Never),
    ]
    .into_iter()
    .find(|(w, _)| starts_with_ci(s, i, w))
    .map(|(w, m)| (m, i + w.len()))
}

/// Exim's `readconf_readtime` with `,` after the value: digits and a unit
/// (`w`, `d`, `h`, `m`, `s`), repeated, then the comma.
fn time_until_comma(s: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let mut total: u64 = 0;
    loop {
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let n: u64 = std::str::from_utf8(&s[start..i]).ok()?.parse().ok()?;
        let scale = match s.get(i)? {
            b'w' => 7 * 24 * 3600,
            b'd' => 24 * 3600,
            b'h' => 3600,
            b'm' => 60,
            b's' => 1,
            _ => return None,
        };
        i += 1;
        total = total.saturating_add(n.saturating_mul(scale));
        if s.get(i) == Some(&b',') {
            return Some((total, i));
        }
    }
}

fn parse(key: &[u8]) -> Result<Query<'_>, &'static str> {
    let s = key;
    let mut i = skip_space(s, 0);
    let mut record_sep = b'\n';
    let mut field_sep = None;
    if s.get(i) == Some(&b'>') {
        record_sep = s.get(i + 1).copied().unwrap_or(0);
        i += 2;
        match s.get(i) {
            Some(b',') => {
                field_sep = Some(Some(s.get(i + 1).copied().unwrap_or(0)));
                i += 2;
            }
            Some(b';') => {
                field_sep = Some(None);
                i += 1;
            }
            _ => {}
        }
        i = skip_space(s, i.min(s.len()));
    }
    let mut defer = Mode::Lax;
    let mut dnssec = Mode::Lax;
    let mut retrans = None;
    let mut retry = None;
    loop {
        if starts_with_ci(s, i, "defer_") {
            let (m, j) = mode_at(s, i + 6).ok_or("unsupported dnsdb defer behaviour")?;
            defer = m;
            i = j;
        } else if starts_with_ci(s, i, "dnssec_") {
            let (m, j) = mode_at(s, i + 7).ok_or("unsupported dnsdb dnssec behaviour")?;
            dnssec = m;
            i = j;
        } else if starts_with_ci(s, i, "retrans_") {
            let (secs, j) = time_until_comma(s, i + 8)
                .filter(|&(t, _)| t > 0)
                .ok_or("unsupported dnsdb timeout value")?;
            retrans = Some(u32::try_from(secs).unwrap_or(u32::MAX));
            i = j;
        } else if starts_with_ci(s, i, "retry_") {
            let (n, len) = crate::cnum::strtol_base0(&s[i + 6..]);
            if n < 0 {
                return Err("unsupported dnsdb retry count");
            }
            retry = Some(u32::try_from(n).unwrap_or(u32::MAX));
            i += 6 + len;
        } else {
            break;
        }
        i = skip_space(s, i);
        if s.get(i) != Some(&b',') {
            return Err("dnsdb modifier syntax error");
        }
        i = skip_space(s, i + 1);
    }
    let mut kind = Kind::Plain(RrType::Txt);
    let mut name = "txt";
    if let Some(eq) = s[i..].iter().position(|&c| c == b'=').map(|p| i + p) {
        let mut end = eq;
        while end > i && s[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let written = &s[i..end];
        let &(n, k) = TYPES
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(written))
            .ok_or("unsupported DNS record type")?;
        kind = k;
        name = n;
        i = skip_space(s, eq + 1);
    }
    Ok(Query {
        record_sep,
        field_sep,
        defer,
        dnssec,
        retrans,
        retry,
        kind,
        name,
        domains: &s[i..],
    })
}

/// The DNSSEC OK bit, once a `dnsdb` lookup set it, stays set for the
/// process: Exim's `dns_init` only ever adds `RES_USE_DNSSEC`.
/// So do `retrans_` and `retry_` (when positive): the resolver keeps them.
fn query_flags(ev: &mut Evaluator, q: &Query) -> QueryFlags {
    if q.dnssec != Mode::Never {
        ev.ctx.dns_dnssec_ok = true;
    }
    if let Some(t) = q.retrans.filter(|&t| t > 0) {
        ev.ctx.dns_retrans = Some(t);
    }
    if let Some(n) = q.retry.filter(|&n| n > 0) {
        ev.ctx.dns_retry = Some(n);
    }
    crate::dns::exim::session_flags(ev)
}

fn run(ev: &mut Evaluator, q: &Query) -> Result<Option<Vec<u8>>, LookupFailure> {
    let flags = query_flags(ev, q);
    let mut out = Vec::new();
    let mut deferred = false;
    let mut authenticated = None;
    // A PTR query for one IPv6 address: its colons are no separators.
    let whole = matches!(q.kind, Kind::Plain(RrType::Ptr))
        && !q.domains.starts_with(b"<")
        && crate::ip::is_ip_address(q.domains) != 0;
    let domains: Vec<Vec<u8>> = if whole {
        vec![q.domains.to_vec()]
    } else {
        crate::lists::ListIter::new(q.domains)
            .map(|d| d.to_vec())
            .collect()
    };
    for domain in domains {
        let domain = match q.kind {
            Kind::Plain(RrType::Ptr) | Kind::Csa if crate::ip::is_ip_address(&domain) != 0 => {
                reverse_name(&domain)
            }
            _ => domain,
        };
        let kinds: &[Kind] = match q.kind {
            Kind::Addresses(_) => &[Kind::Addresses(RrType::Aaaa), Kind::Addresses(RrType::A)],
            _ => std::slice::from_ref(&q.kind),
        };
        for &kind in kinds {
            let dns = Dns::new(ev, flags);
            let r = dns.special(&domain, kind);
            authenticated =
                (q.dnssec != Mode::Never).then_some(matches!(&r, Ok(f) if f.answer.authenticated));
            let found = match r {
                Err(crate::eval::DnsError::NoSuchName | crate::eval::DnsError::NoData) => continue,
                Ok(f) if q.dnssec != Mode::Strict || f.answer.authenticated => f,
                _ => {
                    if q.defer == Mode::Strict {
                        set_authenticated(ev, authenticated);
                        return Err(LookupFailure::Defer(String::new()));
                    }
                    deferred |= q.defer == Mode::Lax;
                    continue;
                }
            };
            write_records(&mut out, q, kind, &domain, &found);
        }
    }
    set_authenticated(ev, authenticated);
    if out.is_empty() {
        return if deferred {
            Err(LookupFailure::Defer(String::new()))
        } else {
            Ok(None)
        };
    }
    Ok(Some(out))
}

/// `$lookup_dnssec_authenticated`: `yes`, `no`, or unset under
/// `dnssec_never`, as the last query left it.
fn set_authenticated(ev: &mut Evaluator, v: Option<bool>) {
    let name = "lookup_dnssec_authenticated".to_string();
    match v {
        Some(yes) => {
            ev.ctx
                .vars
                .insert(name, Value::from(if yes { "yes" } else { "no" }));
        }
        None => {
            ev.ctx.vars.remove(&name);
        }
    }
}

/// Appends `s` up to its first NUL, as C's `string_cat` does with a
/// `sprintf` buffer that holds a NUL separator.
fn cat_c(out: &mut Vec<u8>, s: &[u8]) -> bool {
    match s.iter().position(|&c| c == 0) {
        Some(n) => {
            out.extend_from_slice(&s[..n]);
            false
        }
        None => {
            out.extend_from_slice(s);
            true
        }
    }
}

/// Numbers in decimal, each followed (`after`) or preceded by `sep`, as
/// the `sprintf` of a record's fields writes them.
fn fields(numbers: &[u32], sep: u8, after: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for n in numbers {
        if !after {
            out.push(sep);
        }
        out.extend_from_slice(n.to_string().as_bytes());
        if after {
            out.push(sep);
        }
    }
    out
}

fn write_records(out: &mut Vec<u8>, q: &Query, kind: Kind, domain: &[u8], found: &Found) {
    let rr = match kind {
        Kind::Plain(rr) | Kind::Addresses(rr) => rr,
        Kind::MxHosts => RrType::Mx,
        Kind::ZoneNs => RrType::Ns,
        Kind::Soa => RrType::Soa,
        Kind::Csa => RrType::Srv,
    };
    // SPF strings join with nothing; MX, SRV and TLSA fields with a space.
    let field_sep: Option<u8> = match q.field_sep {
        Some(sep) => Some(sep.unwrap_or(0)),
        None => match rr {
            RrType::Spf => Some(0),
            RrType::Srv | RrType::Mx | RrType::Tlsa if kind != Kind::MxHosts => Some(b' '),
            _ => None,
        },
    };
    // What a C string of the separator gives: NUL is "nothing".
    let sep = field_sep.unwrap_or(0);
    for r in found.records(rr) {
        let start = out.len();
        if !out.is_empty() {
            out.push(q.record_sep);
        }
        match (&r.data, kind) {
            (RData::A(a), _) => out.extend_from_slice(a.to_string().as_bytes()),
            (RData::Aaaa(a), _) => out.extend_from_slice(a.to_string().as_bytes()),
            (RData::Txt(strings), _) => match field_sep {
                None => out.extend_from_slice(strings.first().map_or(&[][..], |s| s)),
                Some(sep) => {
                    for (n, part) in strings.iter().enumerate() {
                        if sep != 0 && n > 0 {
                            out.push(sep);
                        }
                        out.extend_from_slice(part);
                    }
                }
            },
            (
                RData::Tlsa {
                    usage,
                    selector,
                    matching_type,
                    data,
                },
                _,
            ) => {
                let head = fields(
                    &[(*usage).into(), (*selector).into(), (*matching_type).into()],
                    sep,
                    true,
                );
                if cat_c(out, &head) {
                    for b in data {
                        out.extend_from_slice(format!("{b:02x}").as_bytes());
                    }
                }
            }
            (RData::Mx { exchange, .. }, Kind::MxHosts) => out.extend_from_slice(exchange),
            (
                RData::Mx {
                    preference,
                    exchange,
                },
                _,
            ) => {
                cat_c(out, &[preference.to_string().as_bytes(), &[sep]].concat());
                out.extend_from_slice(exchange);
            }
            (
                RData::Srv {
                    priority,
                    weight,
                    port,
                    target,
                },
                Kind::Csa,
            ) => {
                if *priority != 1 {
                    out.truncate(start);
                    continue;
                }
                let asked_directly = found.owner.as_deref() == Some(domain);
                let letter = if !asked_directly {
                    if port & 1 == 1 { b'X' } else { b'?' }
                } else {
                    match weight {
                        0 | 1 => b'N',
                        2 => b'Y',
                        3 => b'?',
                        _ => {
                            out.truncate(start);
                            continue;
                        }
                    }
                };
                out.extend_from_slice(&[letter, b' ']);
                out.extend_from_slice(target);
            }
            (
                RData::Srv {
                    priority,
                    weight,
                    port,
                    target,
                },
                _,
            ) => {
                let head = fields(
                    &[(*priority).into(), (*weight).into(), (*port).into()],
                    sep,
                    true,
                );
                cat_c(out, &head);
                out.extend_from_slice(target);
            }
            (
                RData::Soa {
                    mname,
                    rname,
                    serial,
                    refresh,
                    retry,
                    expire,
                    minimum,
                },
                _,
            ) => {
                out.extend_from_slice(mname);
                if field_sep.is_some() {
                    out.push(sep);
                    out.extend_from_slice(rname);
                    let tail = fields(&[*serial, *refresh, *retry, *expire, *minimum], sep, false);
                    cat_c(out, &tail);
                }
            }
            (RData::Cname(n) | RData::Ns(n) | RData::Ptr(n), _) => out.extend_from_slice(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_syntax() {
        let q = parse(b" >:, mx = a.example:b.example").unwrap();
        assert_eq!(q.record_sep, b':');
        assert_eq!(q.field_sep, Some(Some(b' ')));
        assert_eq!(q.kind, Kind::Plain(RrType::Mx));
        assert_eq!(q.domains, b"a.example:b.example");
        let q = parse(b">|; defer_never, DNSSEC_strict ,a+=x").unwrap();
        assert_eq!((q.record_sep, q.field_sep), (b'|', Some(None)));
        assert_eq!((q.defer, q.dnssec), (Mode::Never, Mode::Strict));
        assert_eq!(q.kind, Kind::Addresses(RrType::Aaaa));
        let q = parse(b"example.com").unwrap();
        assert_eq!(
            (q.kind, q.domains),
            (Kind::Plain(RrType::Txt), &b"example.com"[..])
        );
        let q = parse(b"retrans_1m5s,retry_0x2,ptr=192.0.2.1").unwrap();
        assert_eq!(q.kind, Kind::Plain(RrType::Ptr));
        assert_eq!((q.retrans, q.retry), (Some(65), Some(2)));
        let q = parse(b"retry_010,retry_7,a=x").unwrap();
        assert_eq!(q.retry, Some(7));
    }

    /// The messages of Exim 4.96's `dnsdb_find`.
    #[test]
    fn query_errors() {
        for (key, want) in [
            ("defer_maybe,a=x", "unsupported dnsdb defer behaviour"),
            ("dnssec_sometimes,a=x", "unsupported dnsdb dnssec behaviour"),
            ("retrans_5,a=x", "unsupported dnsdb timeout value"),
            ("retrans_0s,a=x", "unsupported dnsdb timeout value"),
            ("retry_-1,a=x", "unsupported dnsdb retry count"),
            ("defer_lax a=x", "dnsdb modifier syntax error"),
            ("foo=x", "unsupported DNS record type"),
        ] {
            assert_eq!(parse(key.as_bytes()), Err(want), "{key}");
        }
    }
}
