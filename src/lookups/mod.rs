//! Lookup types.  This build knows the names Debian's Exim 4.96 supports
//! and validates `${lookup}` type specifications the way Exim does at parse
//! time (also in untaken branches); running lookups is later work.

/// Lookup types of Debian's `exim4-daemon-heavy` 4.96, sorted.
pub static TYPES: &[(&str, Style)] = &[
    ("cdb", Style::SingleKey),
    ("dbm", Style::SingleKey),
    ("dbmjz", Style::SingleKey),
    ("dbmnz", Style::SingleKey),
    ("dnsdb", Style::Query),
    ("dsearch", Style::SingleKey),
    ("iplsearch", Style::SingleKey),
    ("ldap", Style::Query),
    ("ldapdn", Style::Query),
    ("ldapm", Style::Query),
    ("lsearch", Style::SingleKey),
    ("mysql", Style::Query),
    ("nis", Style::SingleKey),
    ("nis0", Style::SingleKey),
    ("nwildlsearch", Style::SingleKey),
    ("passwd", Style::Query),
    ("pgsql", Style::Query),
    ("readsock", Style::SingleKey),
    ("sqlite", Style::AbsFileQuery),
    ("wildlsearch", Style::SingleKey),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    SingleKey,
    Query,
    AbsFileQuery,
}

/// The base name of a type specification such as `partial2(.)lsearch*@,ret=key`.
pub fn base_name(spec: &str) -> &str {
    let mut s = spec;
    if let Some(rest) = s.strip_prefix("partial") {
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        s = if let Some(r) = rest.strip_prefix('-') {
            r
        } else if rest.starts_with('(') {
            rest.find(')').map(|i| &rest[i + 1..]).unwrap_or(rest)
        } else {
            rest
        };
    }
    let s = s.split(',').next().unwrap_or(s);
    s.strip_suffix("*@")
        .or_else(|| s.strip_suffix('*'))
        .unwrap_or(s)
}

/// Checks a type specification; the error is Exim's message.
pub fn find_type(spec: &str) -> Result<Style, String> {
    let name = base_name(spec);
    TYPES
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .map(|i| TYPES[i].1)
        .map_err(|_| format!("unknown lookup type \"{name}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_specifications() {
        assert_eq!(base_name("partial-lsearch"), "lsearch");
        assert_eq!(base_name("partial2(.)dbm*@,ret=key"), "dbm");
        assert_eq!(base_name("lsearch*,ret=full"), "lsearch");
        assert_eq!(
            find_type("lsearch}"),
            Err("unknown lookup type \"lsearch}\"".into())
        );
        assert_eq!(find_type("sqlite"), Ok(Style::AbsFileQuery));
        assert!(TYPES.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
