//! Reads a DNS response (the answer the C library's resolver returns)
//! into an [`Answer`], with NLnet Labs' `domain` crate.

use domain::base::iana::Class;
use domain::base::name::ParsedName;
use domain::base::{Message, ParseRecordData, ParsedRecord, UnknownRecordData};
use domain::rdata::{A, Aaaa, AllRecordData, Cname, Mx, Ns, Ptr, Soa, Srv, Txt};

use super::name::Name;
use super::rrtype;
use crate::eval::{Answer, RData, Record, RrType};

/// A response's answer section: its records of the types the engine
/// asks for, in the server's order (others, such as RRSIGs, are left
/// out), and whether the header's AD bit is set.
pub(crate) fn decode(wire: Vec<u8>) -> Result<Answer, String> {
    let msg = Message::from_octets(wire).map_err(|_| "DNS response shorter than its header")?;
    let authenticated = msg.header().ad();
    let section = msg
        .answer()
        .map_err(|e| format!("malformed DNS response: {e}"))?;
    let mut records = Vec::new();
    for rr in section {
        let rr = rr.map_err(|e| format!("malformed DNS response: {e}"))?;
        if rr.class() != Class::IN {
            continue;
        }
        let Some(rt) = rrtype::from_code(rr.rtype().to_int()) else {
            continue;
        };
        let data = rdata(&rr, rt)
            .map_err(|e| format!("malformed {} record: {e}", rrtype::mnemonic(rt)))?;
        records.push(Record {
            name: name(&rr.owner()),
            ttl: rr.ttl().as_secs(),
            data,
        });
    }
    Ok(Answer {
        records,
        authenticated,
    })
}

/// A name as `dn_expand` prints it.
fn name<O: AsRef<[u8]>>(n: &ParsedName<O>) -> Vec<u8> {
    let labels = n
        .iter()
        .filter(|l| !l.is_root())
        .map(|l| l.as_slice().to_vec())
        .collect();
    Name::from_labels(labels)
        .map(|n| n.to_presentation())
        .unwrap_or_default()
}

/// The record's data parsed as `D`.
fn data<'a, D>(rr: &ParsedRecord<'a, Vec<u8>>) -> Result<D, String>
where
    D: ParseRecordData<'a, Vec<u8>>,
{
    match rr.to_record::<D>() {
        Ok(Some(record)) => Ok(record.into_data()),
        Ok(None) => Err("unexpected type".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn rdata(rr: &ParsedRecord<'_, Vec<u8>>, rt: RrType) -> Result<RData, String> {
    Ok(match rt {
        RrType::A => RData::A(data::<A>(rr)?.addr()),
        RrType::Aaaa => RData::Aaaa(data::<Aaaa>(rr)?.addr()),
        RrType::Cname => RData::Cname(name(data::<Cname<_>>(rr)?.cname())),
        RrType::Ns => RData::Ns(name(data::<Ns<_>>(rr)?.nsdname())),
        RrType::Ptr => RData::Ptr(name(data::<Ptr<_>>(rr)?.ptrdname())),
        RrType::Mx => {
            let mx = data::<Mx<_>>(rr)?;
            RData::Mx {
                preference: mx.preference(),
                exchange: name(mx.exchange()),
            }
        }
        RrType::Soa => soa(&data::<Soa<_>>(rr)?),
        RrType::Srv => {
            let srv = data::<Srv<_>>(rr)?;
            RData::Srv {
                priority: srv.priority(),
                weight: srv.weight(),
                port: srv.port(),
                target: name(srv.target()),
            }
        }
        RrType::Tlsa => {
            let AllRecordData::Tlsa(t) = data::<AllRecordData<_, _>>(rr)? else {
                return Err("unexpected type".into());
            };
            RData::Tlsa {
                usage: t.usage().to_int(),
                selector: t.selector().to_int(),
                matching_type: t.matching_type().to_int(),
                data: t.data().to_vec(),
            }
        }
        RrType::Txt => RData::Txt(strings(&data::<Txt<_>>(rr)?)),
        RrType::Spf => {
            let raw = data::<UnknownRecordData<_>>(rr)?;
            let bytes: &[u8] = raw.data();
            let txt = Txt::from_octets(bytes).map_err(|e| e.to_string())?;
            RData::Txt(strings(&txt))
        }
    })
}

fn soa<O: AsRef<[u8]>>(soa: &Soa<ParsedName<O>>) -> RData {
    RData::Soa {
        mname: name(soa.mname()),
        rname: name(soa.rname()),
        serial: soa.serial().into_int(),
        refresh: soa.refresh().as_secs(),
        retry: soa.retry().as_secs(),
        expire: soa.expire().as_secs(),
        minimum: soa.minimum().as_secs(),
    }
}

fn strings<O: AsRef<[u8]>>(txt: &Txt<O>) -> Vec<Vec<u8>> {
    txt.iter().map(<[u8]>::to_vec).collect()
}
