//! The `NAME=VALUE` settings that may precede an LDAP URL in an `ldap`
//! lookup query or an `ldapauth` condition (`user="cn=x" pass=y
//! ldap://host/...`), read the way Exim 4.96's `control_ldap_search` does,
//! with its messages.

/// The settings read before the URL, and the URL.
#[derive(Debug, PartialEq, Eq)]
pub struct LdapParams {
    /// `user=`, with `%XX` escapes decoded.
    pub user: Option<Vec<u8>>,
    /// `pass=`.
    pub password: Option<Vec<u8>>,
    /// `servers=`.
    pub servers: Option<Vec<u8>>,
    /// `size=`: the most entries the server is to return (0: no limit).
    pub size: i32,
    /// `time=`: the server's time limit for the search, in seconds.
    pub time: i32,
    /// `connect=` or `nettime=` (the last one given): seconds allowed for
    /// connecting and for each result (0: the library's default).
    pub tcplimit: i32,
    /// `dereference=`: 0 never, 1 searching, 2 finding, 3 always.
    pub dereference: i32,
    /// `referrals=`: `follow` (the default) or `nofollow`.
    pub referrals: bool,
    /// The rest of the query, from `ldap`.
    pub url: Vec<u8>,
}

impl Default for LdapParams {
    fn default() -> LdapParams {
        LdapParams {
            user: None,
            password: None,
            servers: None,
            size: 0,
            time: 0,
            tcplimit: 0,
            dereference: 0,
            referrals: true,
            url: Vec::new(),
        }
    }
}

/// C's `atoi`: optional white space and sign, then the leading digits.
pub fn atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while s.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut n: i64 = 0;
    while let Some(d) = s.get(i).filter(|c| c.is_ascii_digit()) {
        n = (n * 10 + i64::from(d - b'0')).min(i64::from(u32::MAX));
        i += 1;
    }
    // Wraps as the C library's conversion to int does.
    (if neg { -n } else { n }) as i32
}

/// Exim's `string_dequote`: a double-quoted value (backslash escapes the
/// next byte) or the bytes up to white space.
fn dequote(s: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    if s.get(i) != Some(&b'"') {
        while i < s.len() && !s[i].is_ascii_whitespace() {
            out.push(s[i]);
            i += 1;
        }
        return (out, i);
    }
    i += 1;
    while i < s.len() && s[i] != b'"' {
        if s[i] == b'\\' && i + 1 < s.len() {
            i += 1;
        }
        out.push(s[i]);
        i += 1;
    }
    if i < s.len() {
        i += 1;
    }
    (out, i)
}

/// `%XX` escapes of the user name decoded, as Exim does before binding.
fn url_unquote(s: &[u8]) -> Vec<u8> {
    percent_encoding::percent_decode(s).collect()
}

/// Reads the settings before the URL.  Errors are Exim's messages.
pub fn parse(query: &[u8]) -> Result<LdapParams, Vec<u8>> {
    let q = crate::eval::c_str(query);
    let mut i = 0;
    while i < q.len() && q[i].is_ascii_whitespace() {
        i += 1;
    }
    let mut p = LdapParams::default();
    while !q[i..]
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"ldap"))
    {
        let name_start = i;
        while i < q.len() && q[i] != b'=' {
            i += 1;
        }
        if i >= q.len() {
            return Err(b"malformed parameter setting precedes LDAP URL".to_vec());
        }
        i += 1;
        let name = &q[name_start..i];
        let (value, next) = dequote(q, i);
        i = next;
        if !q.get(i).is_some_and(u8::is_ascii_whitespace) {
            return Err(b"malformed parameter setting precedes LDAP URL".to_vec());
        }
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if is("USER=") {
            p.user = Some(url_unquote(&value));
        } else if is("PASS=") {
            p.password = Some(value);
        } else if is("SERVERS=") {
            p.servers = Some(value);
        } else if is("SIZE=") {
            p.size = atoi(&value);
        } else if is("TIME=") {
            p.time = atoi(&value);
        } else if is("CONNECT=") || is("NETTIME=") {
            p.tcplimit = atoi(&value);
        } else if is("DEREFERENCE=") {
            // An unknown value leaves the setting as it was.
            let v = |w: &str| value.eq_ignore_ascii_case(w.as_bytes());
            if v("never") {
                p.dereference = 0;
            } else if v("searching") {
                p.dereference = 1;
            } else if v("finding") {
                p.dereference = 2;
            } else if v("always") {
                p.dereference = 3;
            }
        } else if is("REFERRALS=") {
            if value.eq_ignore_ascii_case(b"follow") {
                p.referrals = true;
            } else if value.eq_ignore_ascii_case(b"nofollow") {
                p.referrals = false;
            } else {
                return Err(b"LDAP option REFERRALS is not \"follow\" or \"nofollow\"".to_vec());
            }
        } else {
            return Err([&b"unknown parameter \""[..], name, b"\" precedes LDAP URL"].concat());
        }
        while i < q.len() && q[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    p.url = q[i..].to_vec();
    Ok(p)
}

/// Exim's check of the URL's start (`ldap://`, `ldaps://` or `ldapi://`).
pub fn check_url(url: &[u8]) -> Result<(), Vec<u8>> {
    let mut j = 4;
    if url
        .get(4)
        .is_some_and(|c| matches!(c.to_ascii_lowercase(), b's' | b'i'))
    {
        j += 1;
    }
    if url.get(j..j + 3) == Some(b"://") {
        return Ok(());
    }
    let shown = &url[..url.len().min(16)];
    Err([
        &b"LDAP URL does not start with \"ldap://\", \"ldaps://\", or \"ldapi://\" (it starts with \""[..],
        shown,
        b"...\")",
    ]
    .concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_before_the_url() {
        let p = parse(b"  user=\"cn=a%20b\" PASS=secret servers=h1:h2 ldap:///o=x").unwrap();
        assert_eq!(p.user.as_deref(), Some(&b"cn=a b"[..]));
        assert_eq!(p.password.as_deref(), Some(&b"secret"[..]));
        assert_eq!(p.servers.as_deref(), Some(&b"h1:h2"[..]));
        assert_eq!(p.url, b"ldap:///o=x");
        let p = parse(
            b"size=3 TIME=x7 connect=2 nettime=5 dereference=Always referrals=nofollow ldap:///",
        )
        .unwrap();
        assert_eq!(
            (p.size, p.time, p.tcplimit, p.dereference, p.referrals),
            (3, 0, 5, 3, false)
        );
        assert_eq!(
            parse(b"dereference=sometimes ldap:///")
                .unwrap()
                .dereference,
            0
        );
        let err = |q: &[u8]| String::from_utf8(parse(q).unwrap_err()).unwrap();
        assert_eq!(err(b"::"), "malformed parameter setting precedes LDAP URL");
        assert_eq!(
            err(b"user=x"),
            "malformed parameter setting precedes LDAP URL"
        );
        assert_eq!(
            err(b"who=x ldap:///"),
            "unknown parameter \"who=\" precedes LDAP URL"
        );
        assert_eq!(
            err(b"referrals=maybe ldap:///"),
            "LDAP option REFERRALS is not \"follow\" or \"nofollow\""
        );
        assert_eq!(
            String::from_utf8(check_url(b"ldapx://host/o=x,dc=example").unwrap_err()).unwrap(),
            "LDAP URL does not start with \"ldap://\", \"ldaps://\", or \"ldapi://\" (it starts with \"ldapx://host/o=x...\")"
        );
        assert!(check_url(b"LDAPS://h/").is_ok());
    }
}
