//! Record types: their numbers on the wire and their names in zone files.

use crate::eval::RrType;

/// The record types the engine asks for, with their IANA numbers.
const SUPPORTED: [(RrType, u16, &str); 11] = [
    (RrType::A, 1, "A"),
    (RrType::Ns, 2, "NS"),
    (RrType::Cname, 5, "CNAME"),
    (RrType::Soa, 6, "SOA"),
    (RrType::Ptr, 12, "PTR"),
    (RrType::Mx, 15, "MX"),
    (RrType::Txt, 16, "TXT"),
    (RrType::Aaaa, 28, "AAAA"),
    (RrType::Srv, 33, "SRV"),
    (RrType::Tlsa, 52, "TLSA"),
    (RrType::Spf, 99, "SPF"),
];

/// Types a zone file may hold that the engine never asks for: accepted
/// (their owners exist) but their data is neither checked nor served.
const OTHER: [(&str, u16); 31] = [
    ("NULL", 10),
    ("WKS", 11),
    ("HINFO", 13),
    ("MINFO", 14),
    ("RP", 17),
    ("AFSDB", 18),
    ("LOC", 29),
    ("NAPTR", 35),
    ("KX", 36),
    ("CERT", 37),
    ("APL", 42),
    ("DS", 43),
    ("SSHFP", 44),
    ("IPSECKEY", 45),
    ("RRSIG", 46),
    ("NSEC", 47),
    ("DNSKEY", 48),
    ("DHCID", 49),
    ("NSEC3", 50),
    ("NSEC3PARAM", 51),
    ("SMIMEA", 53),
    ("HIP", 55),
    ("CDS", 59),
    ("CDNSKEY", 60),
    ("OPENPGPKEY", 61),
    ("CSYNC", 62),
    ("ZONEMD", 63),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("URI", 256),
    ("CAA", 257),
];

/// The type of a record in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// One the engine asks for.
    Known(RrType),
    /// Any other, by number.
    Other(u16),
}

/// The number of `rr` on the wire.
pub(crate) fn code(rr: RrType) -> u16 {
    SUPPORTED
        .iter()
        .find(|(t, _, _)| *t == rr)
        .map_or(0, |(_, c, _)| *c)
}

/// The type with number `code`, if the engine asks for it.
pub(crate) fn from_code(code: u16) -> Option<RrType> {
    SUPPORTED
        .iter()
        .find(|(_, c, _)| *c == code)
        .map(|(t, _, _)| *t)
}

/// The zone-file name of `rr` (`MX`).
pub(crate) fn mnemonic(rr: RrType) -> &'static str {
    SUPPORTED
        .iter()
        .find(|(t, _, _)| *t == rr)
        .map_or("?", |(_, _, m)| m)
}

/// The type a zone file names (case-insensitive, `TYPEnnn` too).
pub(crate) fn parse_kind(word: &[u8]) -> Option<Kind> {
    let upper = word.to_ascii_uppercase();
    if let Some((t, _, _)) = SUPPORTED.iter().find(|(_, _, m)| m.as_bytes() == upper) {
        return Some(Kind::Known(*t));
    }
    if let Some((_, c)) = OTHER.iter().find(|(m, _)| m.as_bytes() == upper) {
        return Some(Kind::Other(*c));
    }
    let digits = upper.strip_prefix(b"TYPE")?;
    let code: u16 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(from_code(code).map_or(Kind::Other(code), Kind::Known))
}

/// Whether `word` names a type that changes how names resolve and that
/// this implementation refuses rather than ignores.
pub(crate) fn is_refused(word: &[u8]) -> bool {
    word.eq_ignore_ascii_case(b"DNAME") || word.eq_ignore_ascii_case(b"TYPE39")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_agree() {
        for (t, c, m) in SUPPORTED {
            assert_eq!(code(t), c);
            assert_eq!(from_code(c), Some(t));
            assert_eq!(mnemonic(t), m);
            assert_eq!(
                parse_kind(m.to_lowercase().as_bytes()),
                Some(Kind::Known(t))
            );
        }
        assert_eq!(parse_kind(b"TYPE15"), Some(Kind::Known(RrType::Mx)));
        assert_eq!(parse_kind(b"caa"), Some(Kind::Other(257)));
        assert_eq!(parse_kind(b"TYPE65280"), Some(Kind::Other(65280)));
        assert_eq!(parse_kind(b"IN"), None);
        assert!(is_refused(b"dname"));
    }
}
