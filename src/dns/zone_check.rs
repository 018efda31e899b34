//! The checks nsd makes of a zone once it is read: data within the
//! zone, one SOA at the apex, a CNAME alone at its name; duplicate
//! records are dropped.

use std::collections::{HashMap, HashSet};

use super::error::ZoneError;
use super::name::{Key, Name};
use super::rrtype::Kind;
use super::zone::ZoneRecord;
use crate::eval::RrType;

/// Types that may stand beside a CNAME (DNSSEC's RRSIG and NSEC).
const BESIDE_CNAME: [Kind; 2] = [Kind::Other(46), Kind::Other(47)];

/// `records` of zone `apex` (read from `label`), checked, without
/// duplicates.
pub(crate) fn check(
    apex: &Name,
    label: &str,
    records: Vec<ZoneRecord>,
) -> Result<Vec<ZoneRecord>, ZoneError> {
    let records = dedup(records);
    for r in &records {
        if !r.owner.is_within(apex) {
            return Err(at(r, format!("{} is outside the zone {apex}", r.owner)));
        }
    }
    check_soa(apex, label, &records)?;
    check_cnames(&records)?;
    Ok(records)
}

fn at(r: &ZoneRecord, message: String) -> ZoneError {
    ZoneError::at(&r.file, r.line, message)
}

fn dedup(records: Vec<ZoneRecord>) -> Vec<ZoneRecord> {
    let mut seen = HashSet::new();
    records
        .into_iter()
        .filter(|r| seen.insert((r.owner.key(), r.kind, format!("{:?}", r.data))))
        .collect()
}

fn check_soa(apex: &Name, label: &str, records: &[ZoneRecord]) -> Result<(), ZoneError> {
    let mut soas = records
        .iter()
        .filter(|r| r.kind == Kind::Known(RrType::Soa));
    let Some(first) = soas.next() else {
        return Err(ZoneError::file(
            label,
            format!("zone {apex} has no SOA record at its apex"),
        ));
    };
    if first.owner.key() != apex.key() {
        return Err(at(
            first,
            format!("SOA record at {}, not at the apex {apex}", first.owner),
        ));
    }
    match soas.next() {
        Some(second) => Err(at(second, format!("a second SOA record in zone {apex}"))),
        None => Ok(()),
    }
}

fn check_cnames(records: &[ZoneRecord]) -> Result<(), ZoneError> {
    let mut kinds: HashMap<Key, Vec<&ZoneRecord>> = HashMap::new();
    for r in records {
        kinds.entry(r.owner.key()).or_default().push(r);
    }
    for r in records
        .iter()
        .filter(|r| r.kind == Kind::Known(RrType::Cname))
    {
        let at_name = &kinds[&r.owner.key()];
        if let Some(second) = at_name.iter().filter(|o| o.kind == r.kind).nth(1) {
            return Err(at(
                second,
                format!("more than one CNAME record at {}", r.owner),
            ));
        }
        if let Some(other) = at_name
            .iter()
            .find(|o| o.kind != r.kind && !BESIDE_CNAME.contains(&o.kind))
        {
            return Err(at(other, format!("CNAME and other data at {}", r.owner)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::dns::ZoneResolver;

    fn err(text: &str) -> String {
        ZoneResolver::from_zone_text("example.test", text)
            .unwrap_err()
            .to_string()
    }

    const SOA: &str = "@ SOA ns hostmaster 1 2 3 4 5\n";

    #[test]
    fn zone_level_errors() {
        assert_eq!(
            err("www A 192.0.2.1\n"),
            "<text of zone example.test>: zone example.test has no SOA record at its apex"
        );
        assert_eq!(
            err(&format!("{SOA}www.other.test. A 192.0.2.1\n")),
            "<text of zone example.test>:2: www.other.test is outside the zone example.test"
        );
        assert_eq!(
            err(&format!("{SOA}@ SOA ns hostmaster 2 2 3 4 5\n")),
            "<text of zone example.test>:2: a second SOA record in zone example.test"
        );
        assert_eq!(
            err(&format!("{SOA}a CNAME b\na A 192.0.2.1\n")),
            "<text of zone example.test>:3: CNAME and other data at a.example.test"
        );
        assert_eq!(
            err(&format!("{SOA}a CNAME b\na CNAME c\n")),
            "<text of zone example.test>:3: more than one CNAME record at a.example.test"
        );
    }

    #[test]
    fn duplicates_are_dropped() {
        let z = ZoneResolver::from_zone_text(
            "example.test",
            format!("{SOA}a A 192.0.2.1\na A 192.0.2.1\nA.example.test. A 192.0.2.1\n"),
        )
        .unwrap();
        use crate::eval::{Resolver, RrType};
        assert_eq!(
            z.query(b"a.example.test", RrType::A).unwrap().records.len(),
            1
        );
    }
}
