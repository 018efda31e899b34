//! DNS for Python: zone files (`dns_zones=`), a Python function as the
//! resolver (`ctx.set_resolver(fn)`), and `ctx.dns_query()` to ask it.
//!
//! Records travel in presentation form, one string each: `"192.0.2.1"`,
//! `"10 mx.example.com"` (MX), `"mx.example.com"` (CNAME, NS, PTR), the
//! text of a TXT record (its strings joined), `"10 5 25 host"` (SRV).

use std::net::{Ipv4Addr, Ipv6Addr};

use ::exim_expand as ee;
use ee::eval::{Answer, DnsError, RData, Record, Resolver, RrType};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A record type by its name (`"mx"`, `"A"`, ...).
pub(crate) fn rr_from(name: &str) -> PyResult<RrType> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "a" => RrType::A,
        "aaaa" => RrType::Aaaa,
        "cname" => RrType::Cname,
        "mx" => RrType::Mx,
        "ns" => RrType::Ns,
        "ptr" => RrType::Ptr,
        "soa" => RrType::Soa,
        "spf" => RrType::Spf,
        "srv" => RrType::Srv,
        "tlsa" => RrType::Tlsa,
        "txt" => RrType::Txt,
        _ => {
            return Err(PyValueError::new_err(format!(
                "unknown DNS record type {name:?}"
            )));
        }
    })
}

fn rr_name(rr: RrType) -> &'static str {
    match rr {
        RrType::A => "a",
        RrType::Aaaa => "aaaa",
        RrType::Cname => "cname",
        RrType::Mx => "mx",
        RrType::Ns => "ns",
        RrType::Ptr => "ptr",
        RrType::Soa => "soa",
        RrType::Spf => "spf",
        RrType::Srv => "srv",
        RrType::Tlsa => "tlsa",
        _ => "txt",
    }
}

/// A record's data in presentation form.
pub(crate) fn present(d: &RData) -> String {
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match d {
        RData::A(a) => a.to_string(),
        RData::Aaaa(a) => a.to_string(),
        RData::Cname(n) | RData::Ns(n) | RData::Ptr(n) => s(n),
        RData::Mx {
            preference,
            exchange,
        } => format!("{preference} {}", s(exchange)),
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => format!("{priority} {weight} {port} {}", s(target)),
        RData::Soa {
            mname,
            rname,
            serial,
            refresh,
            retry,
            expire,
            minimum,
        } => format!(
            "{} {} {serial} {refresh} {retry} {expire} {minimum}",
            s(mname),
            s(rname)
        ),
        RData::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => {
            let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
            format!("{usage} {selector} {matching_type} {hex}")
        }
        RData::Txt(parts) => s(&parts.concat()),
        _ => String::new(),
    }
}

/// Reads a record's data from presentation form, for `rr`.
fn parse(rr: RrType, text: &str) -> Result<RData, String> {
    let bad = || format!("cannot read {text:?} as {} data", rr_name(rr));
    let words: Vec<&str> = text.split_whitespace().collect();
    let host = |w: &str| w.trim_end_matches('.').as_bytes().to_vec();
    Ok(match (rr, words.as_slice()) {
        (RrType::A, [a]) => RData::A(a.parse::<Ipv4Addr>().map_err(|_| bad())?),
        (RrType::Aaaa, [a]) => RData::Aaaa(a.parse::<Ipv6Addr>().map_err(|_| bad())?),
        (RrType::Cname, [n]) => RData::Cname(host(n)),
        (RrType::Ns, [n]) => RData::Ns(host(n)),
        (RrType::Ptr, [n]) => RData::Ptr(host(n)),
        (RrType::Mx, [p, n]) => RData::Mx {
            preference: p.parse().map_err(|_| bad())?,
            exchange: host(n),
        },
        (RrType::Srv, [p, w, port, t]) => RData::Srv {
            priority: p.parse().map_err(|_| bad())?,
            weight: w.parse().map_err(|_| bad())?,
            port: port.parse().map_err(|_| bad())?,
            target: host(t),
        },
        (RrType::Txt | RrType::Spf, _) => RData::Txt(vec![text.as_bytes().to_vec()]),
        _ => return Err(bad()),
    })
}

/// A resolver answered by a Python function `f(name, type)`: a list of
/// records in presentation form; `None` for a name that does not exist,
/// `[]` for no records of the type; an exception is a temporary failure.
#[derive(Debug)]
pub(crate) struct PyResolver {
    func: Py<PyAny>,
}

impl PyResolver {
    pub(crate) fn new(func: Py<PyAny>) -> PyResolver {
        PyResolver { func }
    }
}

impl Resolver for PyResolver {
    /// The embedder's own function: nothing for the policy to grant.
    fn capability(&self) -> Option<ee::eval::Capability> {
        None
    }

    fn query(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError> {
        Python::attach(|py| {
            let owner = String::from_utf8_lossy(name).into_owned();
            let r = self
                .func
                .call1(py, (owner.clone(), rr_name(rr)))
                .map_err(|e| DnsError::Again(e.value(py).to_string()))?;
            let r = r.bind(py);
            if r.is_none() {
                return Err(DnsError::NoSuchName);
            }
            let texts: Vec<String> = r
                .extract()
                .map_err(|e: PyErr| DnsError::Fail(e.to_string()))?;
            if texts.is_empty() {
                return Err(DnsError::NoData);
            }
            let records = texts
                .iter()
                .map(|t| {
                    Ok(Record {
                        name: name.to_vec(),
                        ttl: 300,
                        data: parse(rr, t)?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()
                .map_err(DnsError::Fail)?;
            Ok(Answer {
                records,
                authenticated: false,
            })
        })
    }
}
