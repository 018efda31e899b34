//! IP addresses as Exim reads them (`string_is_ip_address`, `host_aton`),
//! shared by `isip`, match lists, `iplsearch` and the ACLs.

use crate::cnum::{atoi, strtol_all};

/// Parses an address as `inet_pton` does; `%scope` is not part of it.
pub fn parse_ip(s: &[u8]) -> Option<std::net::IpAddr> {
    let t = std::str::from_utf8(s).ok()?;
    if t.contains(':') {
        t.parse::<std::net::Ipv6Addr>()
            .ok()
            .map(std::net::IpAddr::V6)
    } else {
        t.parse::<std::net::Ipv4Addr>()
            .ok()
            .map(std::net::IpAddr::V4)
    }
}

fn scope_ok(scope: &[u8]) -> bool {
    scope
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || c.is_ascii_punctuation())
}

/// Debian 4.96's `string_is_ip_address` without a mask: 4, 6 or 0.
pub fn is_ip_address(s: &[u8]) -> u8 {
    if s.contains(&b'/') {
        return 0;
    }
    let (addr, scope) = match s.iter().position(|&c| c == b'%') {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    };
    if scope.is_some_and(|sc| !scope_ok(sc)) {
        return 0;
    }
    match parse_ip(addr) {
        Some(std::net::IpAddr::V6(_)) => 6,
        Some(std::net::IpAddr::V4(_)) if scope.is_none() => 4,
        _ => 0,
    }
}

/// `string_is_ip_address` with a mask allowed: the version and the offset
/// of the `/` (0 when there is none).
pub fn ip_with_mask(s: &[u8]) -> Option<(u8, usize)> {
    let slash = s.iter().position(|&c| c == b'/');
    let mut maskoffset = 0;
    let mut end = s.len();
    if let Some(sl) = slash {
        let mask = strtol_all(&s[sl + 1..])?;
        if mask < 0 {
            return None;
        }
        maskoffset = sl;
        end = sl;
    }
    let percent = s.iter().position(|&c| c == b'%');
    if let Some(pc) = percent {
        if slash.is_some() || !scope_ok(&s[pc + 1..]) {
            return None;
        }
        end = pc;
    }
    match parse_ip(&s[..end])? {
        std::net::IpAddr::V6(_) => Some((6, maskoffset)),
        std::net::IpAddr::V4(_) if percent.is_none() => Some((4, maskoffset)),
        _ => None,
    }
}

/// Exim's `host_aton` for a syntactically valid address: one word for
/// IPv4, four for IPv6 (a `%scope` or `/mask` is ignored).
pub fn host_aton(s: &[u8]) -> Option<Vec<u32>> {
    let end = s
        .iter()
        .position(|&c| c == b'%' || c == b'/')
        .unwrap_or(s.len());
    match parse_ip(&s[..end])? {
        std::net::IpAddr::V4(a) => Some(vec![u32::from(a)]),
        std::net::IpAddr::V6(a) => {
            let o = a.octets();
            Some(
                (0..4)
                    .map(|i| {
                        u32::from_be_bytes([o[4 * i], o[4 * i + 1], o[4 * i + 2], o[4 * i + 3]])
                    })
                    .collect(),
            )
        }
    }
}

/// The mask word for the next 32 bits of a prefix of `mlen` bits, as
/// Exim's loops compute it (including x86 shift-count wrapping for
/// nonsensical lengths).
fn next_mask(mlen: &mut i32) -> u32 {
    if *mlen == 0 {
        0
    } else if *mlen < 32 {
        let shift = (32i32.wrapping_sub(*mlen) as u32) & 31;
        *mlen = 0;
        u32::MAX << shift
    } else {
        *mlen -= 32;
        u32::MAX
    }
}

pub fn host_mask(words: &mut [u32], mask: i32) {
    let mut m = if mask < 0 { 99999 } else { mask };
    for w in words.iter_mut() {
        *w &= next_mask(&mut m);
    }
}

/// Exim's `host_is_in_net`.
pub fn host_is_in_net(host: &[u8], net: &[u8], maskoffset: usize) -> bool {
    let Some(address) = host_aton(net) else {
        return false;
    };
    let mut mlen: i32 = if maskoffset == 0 {
        99999
    } else {
        atoi(&net[maskoffset + 1..])
    };
    let Some(mut incoming) = host_aton(host) else {
        return false;
    };
    if incoming.len() == 4 && incoming[0] == 0 && incoming[1] == 0 && incoming[2] == 0xffff {
        incoming = vec![incoming[3]];
    }
    if incoming.len() != address.len() {
        return false;
    }
    for (i, a) in incoming.iter().zip(&address) {
        let mask = next_mask(&mut mlen);
        if i & mask != a & mask {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `${if isip{X}}` as Exim 4.96 answers (checked with `exim -be`):
    /// a scope must be printable ASCII without white space, and no mask.
    #[test]
    fn string_is_ip_address_as_exim() {
        let cases: &[(&[u8], u8)] = &[
            (b"1.2.3.4", 4),
            (b"01.2.3.4", 0),
            (b"1.2.3", 0),
            (b"::1", 6),
            (b"fe80::1%eth0", 6),
            (b"fe80::1%", 6),
            (b"fe80::1%eth 0", 0),
            (b"fe80::1%eth/0", 0),
            (b"fe80::1%\xc3\xa4", 0),
            (b"fe80::1%%", 6),
            (b"1.2.3.4%x", 0),
            (b"1.2.3.4/24", 0),
            (b"[::1]", 0),
            (b" 1.2.3.4", 0),
            (b"::ffff:1.2.3.4", 6),
        ];
        for &(s, v) in cases {
            assert_eq!(is_ip_address(s), v, "{}", String::from_utf8_lossy(s));
        }
    }
}
