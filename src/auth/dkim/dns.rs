//! The key record lookup as Exim's `dkim_exim_query_dns_txt` makes it
//! over `dns_lookup`: CNAMEs followed, the first TXT record that does
//! not start `v=` (or that starts `v=DKIM`, any case) taken, its strings
//! joined, nothing past 64 KiB.

use crate::eval::{RData, Resolver, RrType};

/// pdkim's bound on the joined record.
const MAX_RECORD_LEN: usize = 1 << 16;
/// `dns_lookup`'s bound on CNAME chains.
const MAX_CNAMES: usize = 10;
/// The longest name the resolver library takes.
const MAX_NAME_LEN: usize = 255;

/// The key record text for `name` (no final dot), or `None` when Exim
/// has none to give (no such name, no data, a temporary failure, only
/// records of other kinds, a record too long).
pub(crate) fn key_text(resolver: &dyn Resolver, name: &[u8]) -> Option<Vec<u8>> {
    if name.len() > MAX_NAME_LEN
        || name.is_empty()
        || name.split(|&c| c == b'.').any(<[u8]>::is_empty)
    {
        return None;
    }
    let mut name = name.to_vec();
    for _ in 0..=MAX_CNAMES {
        let answer = resolver.query(&name, RrType::Txt).ok()?;
        let data: Vec<RData> = answer.records.into_iter().map(|r| r.data).collect();
        if data.iter().any(|d| matches!(d, RData::Txt(_))) {
            return first_key_text(&data);
        }
        let target = data.iter().rev().find_map(|d| match d {
            RData::Cname(t) => Some(t.clone()),
            _ => None,
        })?;
        name = target;
        if name.ends_with(b".") {
            name.pop();
        }
    }
    None
}

/// The first TXT record that may be a DKIM key, its strings joined.
fn first_key_text(data: &[RData]) -> Option<Vec<u8>> {
    for d in data {
        let RData::Txt(strings) = d else { continue };
        let mut text = Vec::new();
        for s in strings {
            text.extend_from_slice(s);
            if text.len() >= MAX_RECORD_LEN {
                return None;
            }
        }
        let looks_dkim = !text.starts_with(b"v=")
            || (text.len() >= 6 && text[..6].eq_ignore_ascii_case(b"v=dkim"));
        if looks_dkim {
            return Some(text);
        }
    }
    None
}
