//! The `ldap`, `ldapdn` and `ldapm` lookups against a real LDAP server,
//! with the `ldap3` crate's synchronous client.
//!
//! Exim 4.96 behaviour reproduced here (`src/lookups/ldap.c` built with
//! OpenLDAP 2.5, as Debian builds it; spec chapter "LDAP lookups"):
//! * settings before the URL (`user=`, `pass=`, `size=`, `time=`,
//!   `connect=`, `nettime=`, `dereference=`, `referrals=`, `servers=`),
//!   read by [`ldap_params`](super::ldap_params);
//! * the URL is taken apart as OpenLDAP's `ldap_url_parse` does (hex
//!   escapes, default scope `base`, the library's error numbers);
//! * a URL without a host (`ldap:///...`) is tried against each server of
//!   `servers=` or `ldap_default_servers` (`host:port`, a colon list, so
//!   `<;` or a doubled colon), in order, while the attempt DEFERs; a path
//!   as the host means a Unix socket (ldapi);
//! * `ldap` and `ldapdn` want exactly one entry, `ldapm` joins entries
//!   with newlines; one requested attribute gives its values joined by
//!   `,` (commas in values doubled), several (or none, meaning all) give
//!   `attr="value"` pairs with `"`, `\` escaped, newlines as `\n` and
//!   commas doubled; `ldapdn` gives the DN; `$ldap_dn` is the last DN;
//! * a missing base entry, no entry, or no attribute is "not found"; other
//!   problems DEFER with Exim's messages.
//!
//! Differences: TLS (`ldaps://`, `ldap_start_tls`) is not built in;
//! referrals are never chased; Exim waits as long as the system lets it
//! when no `connect=`/`nettime=` is given, where this lookup gives up after
//! [`LdapLookup::with_timeouts`]' limits (5 seconds to connect, 10 for each
//! answer by default), with the message Exim gives for a timeout.
//! Connections are kept, by host and port, for the session, with their
//! bind state, as Exim keeps them.

use super::ldap_params::{self, LdapParams};
use crate::eval::{Capability, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery, Value};
use crate::lists::ListIter;
use crate::parser::LookupStyle;
use ldap3::asn1::StructureTag;
use ldap3::{DerefAliases, LdapConn, LdapConnSettings, LdapError, Scope, SearchOptions, StdStream};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which of the three lookup types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `ldap`: attributes of exactly one entry.
    Single,
    /// `ldapm`: attributes of any number of entries.
    Multiple,
    /// `ldapdn`: the DN of exactly one entry.
    Dn,
}

/// One kept connection.
struct Connection {
    /// `None`: the library's default host.
    host: Option<Vec<u8>>,
    port: i64,
    conn: Option<LdapConn>,
    bound: bool,
    user: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
}

/// The connections the three types share, as Exim's are shared.
#[derive(Default)]
pub struct Connections(Mutex<Vec<Connection>>);

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connections")
    }
}

/// The `ldap`, `ldapdn` or `ldapm` lookup type.
#[derive(Debug, Clone)]
pub struct LdapLookup {
    kind: Kind,
    connect_timeout: Duration,
    io_timeout: Duration,
    connections: Arc<Connections>,
}

impl LdapLookup {
    /// The three types, sharing their connections, with the default limits.
    pub fn all() -> [(&'static str, LdapLookup); 3] {
        LdapLookup::all_with_timeouts(Duration::from_secs(5), Duration::from_secs(10))
    }

    /// The three types, giving up connecting after `connect` and waiting
    /// for an answer after `io` where the query sets no `connect=` or
    /// `nettime=`.
    pub fn all_with_timeouts(connect: Duration, io: Duration) -> [(&'static str, LdapLookup); 3] {
        let connections = Arc::new(Connections::default());
        let make = |kind| LdapLookup {
            kind,
            connect_timeout: connect,
            io_timeout: io,
            connections: connections.clone(),
        };
        [
            ("ldap", make(Kind::Single)),
            ("ldapdn", make(Kind::Dn)),
            ("ldapm", make(Kind::Multiple)),
        ]
    }
}

impl Lookup for LdapLookup {
    fn style(&self) -> LookupStyle {
        LookupStyle::Query
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<Capability> {
        Some(Capability::Network)
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        _h: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        let defaults = ev
            .ctx
            .option("ldap_default_servers")
            .map(|s| s.as_bytes().to_vec());
        let mut dn = None;
        let out = self.control(q.key, defaults.as_deref(), &mut dn);
        if let Some(dn) = dn {
            ev.ctx.vars.insert("ldap_dn".to_string(), Value::from(dn));
        }
        match out {
            Outcome::Found(data) => Ok(Some(data)),
            Outcome::Fail => Ok(None),
            Outcome::Defer { message, .. } => Err(LookupFailure::Defer(message)),
        }
    }
}

/// What one attempt gave.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Found(Vec<u8>),
    Fail,
    /// `stop`: do not try further servers.
    Defer {
        message: String,
        stop: bool,
    },
}

fn defer(message: impl Into<String>) -> Outcome {
    Outcome::Defer {
        message: message.into(),
        stop: false,
    }
}

fn defer_stop(message: impl Into<String>) -> Outcome {
    Outcome::Defer {
        message: message.into(),
        stop: true,
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl LdapLookup {
    /// Exim's `control_ldap_search`: the settings, then one attempt, or
    /// one per default server while they DEFER.
    fn control(&self, query: &[u8], defaults: Option<&[u8]>, dn: &mut Option<Vec<u8>>) -> Outcome {
        let p = match ldap_params::parse(query) {
            Ok(p) => p,
            Err(m) => return defer(lossy(&m)),
        };
        if let Err(m) = ldap_params::check_url(&p.url) {
            return defer(lossy(&m));
        }
        let after_scheme = if matches!(p.url.get(4).map(u8::to_ascii_lowercase), Some(b's' | b'i'))
        {
            8
        } else {
            7
        };
        let list = p.servers.as_deref().or(defaults);
        let Some(list) = list.filter(|_| p.url.get(after_scheme) == Some(&b'/')) else {
            return self.perform(&p, None, dn);
        };
        let mut last = defer("");
        for server in ListIter::new(list) {
            let (host, port) = match server.iter().position(|&c| c == b':') {
                Some(i) => (
                    server[..i].to_vec(),
                    i64::from(ldap_params::atoi(&server[i + 1..])),
                ),
                None => (server.to_vec(), 0),
            };
            last = self.perform(&p, Some((host, port)), dn);
            match &last {
                Outcome::Defer { stop: false, .. } => {}
                _ => return last,
            }
        }
        match last {
            Outcome::Defer { message, .. } => defer(message),
            other => other,
        }
    }

    /// Exim's `perform_ldap_search`: one server.
    fn perform(
        &self,
        p: &LdapParams,
        server: Option<(Vec<u8>, i64)>,
        last_dn: &mut Option<Vec<u8>>,
    ) -> Outcome {
        let url = &p.url;
        let ludp = match parse_url(url) {
            Ok(u) => u,
            Err(rc) => {
                return defer_stop(format!(
                    "ldap_url_parse: (error {rc}) parsing \"{}\"\n",
                    lossy(url)
                ));
            }
        };
        let (host, mut port) = match (&ludp.host, server) {
            (None, Some((h, port))) => (Some(h), port),
            (h, _) => (h.clone(), ludp.port),
        };
        if port == 0 {
            port = 389;
        }
        let mut porttext = format!(":{port}");
        let mut ldapi = false;
        if let Some(h) = &host {
            if h.first() == Some(&b'/') || h.starts_with(b"%2F") {
                ldapi = true;
                porttext.clear();
            } else if ludp.scheme == "ldapi" {
                return defer(format!(
                    "ldapi requires an absolute path (\"{}\" given)",
                    lossy(h)
                ));
            }
        }
        let shown = host.as_deref().map_or_else(|| "NULL".to_string(), lossy);
        let at = format!("{shown}{porttext}");
        let (connect_timeout, io_timeout) = if p.tcplimit > 0 {
            let d = Duration::from_secs(p.tcplimit as u64);
            (d, d)
        } else {
            (self.connect_timeout, self.io_timeout)
        };

        let mut all = self.connections.0.lock().unwrap_or_else(|e| e.into_inner());
        let found = all.iter().position(|c| {
            let same_host = match (&host, &c.host) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            };
            same_host && (ldapi || c.port == port)
        });
        let idx = match found {
            Some(i) => i,
            None => {
                all.insert(
                    0,
                    Connection {
                        host: host.clone(),
                        port,
                        conn: None,
                        bound: false,
                        user: None,
                        password: None,
                    },
                );
                0
            }
        };
        let lcp = &mut all[idx];

        if !lcp.bound || lcp.user != p.user || lcp.password != p.password {
            let bind_failed = |what: &str| {
                defer(format!(
                    "failed to bind the LDAP connection to server {at} - {what}"
                ))
            };
            if lcp.conn.is_none() {
                match open(host.as_deref(), port, ldapi, connect_timeout) {
                    Some(_) if ludp.scheme == "ldaps" && !ldapi => {
                        return bind_failed("TLS (ldaps) is not built into exim-expand");
                    }
                    Some(c) => lcp.conn = Some(c),
                    None => return bind_failed("ldap_bind() returned -1"),
                }
            }
            let conn = lcp.conn.as_mut().expect("connection");
            let user = lossy(p.user.as_deref().unwrap_or_default());
            let pass = lossy(p.password.as_deref().unwrap_or_default());
            match conn.with_timeout(io_timeout).simple_bind(&user, &pass) {
                Ok(r) if r.rc == 0 => {
                    lcp.bound = true;
                    lcp.user = p.user.clone();
                    lcp.password = p.password.clone();
                }
                Ok(r) => {
                    return bind_failed(&format!(
                        "LDAP error {}: {}",
                        r.rc,
                        err2string(r.rc as i32)
                    ));
                }
                Err(e) => {
                    lcp.conn = None;
                    lcp.bound = false;
                    return bind_failed(if matches!(e, LdapError::Timeout { .. }) {
                        "LDAP error: timeout"
                    } else {
                        "LDAP error: result retrieval failed"
                    });
                }
            }
        }
        let conn = lcp.conn.as_mut().expect("connection");

        let deref = match p.dereference {
            1 => DerefAliases::Searching,
            2 => DerefAliases::Finding,
            3 => DerefAliases::Always,
            _ => DerefAliases::Never,
        };
        let opts = SearchOptions::new()
            .deref(deref)
            .sizelimit(p.size)
            .timelimit(p.time);
        let scope = match ludp.scope {
            1 => Scope::OneLevel,
            0 => Scope::Base,
            _ => Scope::Subtree,
        };
        let base = lossy(ludp.dn.as_deref().unwrap_or_default());
        let filter = match &ludp.filter {
            None => "(objectclass=*)".to_string(),
            Some(f) if f.first() == Some(&b'(') => lossy(f),
            Some(f) => format!("({})", lossy(f)),
        };
        let attrs: Vec<String> = ludp.attrs.iter().flatten().map(|a| lossy(a)).collect();
        let attrs_requested = attrs.len();

        let mut stream = match conn
            .with_search_options(opts)
            .with_timeout(io_timeout)
            .streaming_search(&base, scope, &filter, attrs)
        {
            Ok(s) => s,
            Err(LdapError::FilterParsing) => {
                return defer("ldap_search failed: -7, Bad search filter");
            }
            Err(_) => {
                lcp.conn = None;
                lcp.bound = false;
                return defer("ldap_search failed: -1, Can't contact LDAP server");
            }
        };

        let mut data: Option<Vec<u8>> = None;
        let mut dn: Option<Vec<u8>> = None;
        let mut rescount = 0;
        let mut attribute_found = false;
        let mut failure = None;
        loop {
            let entry = match stream.next() {
                Ok(Some(e)) => e,
                Ok(None) => break,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            if entry.is_ref() || entry.is_intermediate() {
                continue;
            }
            let Some((edn, eattrs)) = parse_entry(entry.0) else {
                continue;
            };
            if ludp.scope == 3 && edn.eq_ignore_ascii_case(base.as_bytes()) {
                // subordinate scope: the base itself is not wanted.
                continue;
            }
            rescount += 1;
            // Entries are separated only once something has been written.
            if let Some(d) = &mut data {
                d.push(b'\n');
            }
            if self.kind == Kind::Dn {
                cat(&mut data, &edn);
                attribute_found = true;
            } else {
                attribute_found |= format_attrs(&mut data, &eattrs, attrs_requested);
            }
            dn = Some(edn);
        }
        let result = if failure.is_none() {
            Some(stream.result())
        } else {
            drop(stream);
            None
        };
        if dn.is_some() {
            last_dn.clone_from(&dn);
        }
        if let Some(e) = failure {
            lcp.conn = None;
            lcp.bound = false;
            return defer(if matches!(e, LdapError::Timeout { .. }) {
                "ldap_result timed out".to_string()
            } else {
                "ldap_result failed: -1, Can't contact LDAP server".to_string()
            });
        }
        let result = result.expect("result");
        let rc = result.rc as i32;
        if rc != 0 && rc != 4 {
            let mut m = format!("LDAP search failed - error {rc}: {}", err2string(rc));
            if !result.text.is_empty() {
                m.push('/');
                m.push_str(&result.text);
            }
            if !result.matched.is_empty() {
                m.push('/');
                m.push_str(&result.matched);
            }
            return if (32..=36).contains(&rc) {
                Outcome::Fail
            } else {
                defer(m)
            };
        }
        if self.kind != Kind::Multiple && rescount > 1 {
            return defer_stop(format!(
                "LDAP search: more than one entry ({rescount}) was returned (filter not specific enough?)"
            ));
        }
        if rescount < 1 || !attribute_found {
            return Outcome::Fail;
        }
        Outcome::Found(data.unwrap_or_default())
    }
}

/// Appends to the result, which exists from the first append on (even of
/// nothing), as Exim's growing strings do.
fn cat(data: &mut Option<Vec<u8>>, s: &[u8]) {
    data.get_or_insert_with(Vec::new).extend_from_slice(s);
}

/// Connects to the server (TCP, or the Unix socket of an ldapi host);
/// `None` when that fails, as `ldap_bind` fails to send.
fn open(host: Option<&[u8]>, port: i64, ldapi: bool, timeout: Duration) -> Option<LdapConn> {
    let settings = LdapConnSettings::new().set_conn_timeout(timeout);
    if ldapi {
        // Exim escapes the path's slashes and the library decodes it again.
        let path = hex_unescape(host.unwrap_or_default());
        let s = std::os::unix::net::UnixStream::connect(std::ffi::OsStr::new(
            &*String::from_utf8_lossy(&path),
        ))
        .ok()?;
        return LdapConn::with_settings(settings.set_std_stream(StdStream::Unix(s)), "ldapi:///")
            .ok();
    }
    let port = u16::try_from(port).ok()?;
    let host = match host {
        Some(h) => lossy(h),
        None => "localhost".to_string(),
    };
    let addrs = (host.as_str(), port).to_socket_addrs().ok()?;
    let stream = addrs
        .into_iter()
        .find_map(|a| TcpStream::connect_timeout(&a, timeout).ok())?;
    LdapConn::with_settings(
        settings.set_std_stream(StdStream::Tcp(stream)),
        "ldap://localhost/",
    )
    .ok()
}

/// An entry's DN and its attributes, in the order the server sent them.
type Entry = (Vec<u8>, Vec<(Vec<u8>, Vec<Vec<u8>>)>);

/// Takes apart a SearchResultEntry.
fn parse_entry(tag: StructureTag) -> Option<Entry> {
    let mut parts = tag.match_id(4)?.expect_constructed()?.into_iter();
    let dn = parts.next()?.expect_primitive()?;
    let mut attrs = Vec::new();
    for a in parts.next()?.expect_constructed()? {
        let mut pa = a.expect_constructed()?.into_iter();
        let name = pa.next()?.expect_primitive()?;
        let values = pa
            .next()?
            .expect_constructed()?
            .into_iter()
            .filter_map(StructureTag::expect_primitive)
            .collect();
        attrs.push((name, values));
    }
    Some((dn, attrs))
}

/// Appends one entry's attributes as ldap.c does; true when there was a
/// value.
fn format_attrs(
    data: &mut Option<Vec<u8>>,
    attrs: &[(Vec<u8>, Vec<Vec<u8>>)],
    attrs_requested: usize,
) -> bool {
    let mut found = false;
    let mut insert_space = false;
    // With one attribute requested, values are counted across the entry.
    let mut valuecount = 0;
    let named = attrs_requested != 1;
    for (name, values) in attrs {
        if named {
            valuecount = 0;
        }
        // C strings: an empty name is skipped, and values end at a NUL.
        let name = crate::eval::c_str(name);
        if name.is_empty() || values.is_empty() {
            continue;
        }
        if named {
            if insert_space {
                cat(data, b" ");
            } else {
                insert_space = true;
            }
            cat(data, name);
            cat(data, b"=\"");
        }
        for value in values {
            valuecount += 1;
            if valuecount > 1
                && let Some(d) = data
            {
                d.push(b',');
            }
            for &c in crate::eval::c_str(value) {
                match c {
                    b',' => cat(data, b",,"),
                    b'\n' if named => cat(data, b"\\n"),
                    b'"' | b'\\' if named => cat(data, &[b'\\', c]),
                    _ => cat(data, &[c]),
                }
            }
            found = true;
        }
        if named {
            cat(data, b"\"");
        }
    }
    found
}

/// The parts of an LDAP URL, as OpenLDAP's `ldap_url_parse` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UrlDesc {
    scheme: &'static str,
    host: Option<Vec<u8>>,
    port: i64,
    dn: Option<Vec<u8>>,
    attrs: Option<Vec<Vec<u8>>>,
    /// 0 base, 1 one, 2 sub, 3 subordinate.
    scope: i32,
    filter: Option<Vec<u8>>,
}

/// OpenLDAP's `%XX` decoding: a `%` without two hex digits after it
/// empties the whole string.
fn hex_unescape(s: &[u8]) -> Vec<u8> {
    let s = crate::eval::c_str(s);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            let hex = |c: Option<&u8>| c.and_then(|&c| (c as char).to_digit(16));
            match (hex(s.get(i + 1)), hex(s.get(i + 2))) {
                (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                _ => return Vec::new(),
            }
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `ldap_str2charray(s, ",")`: the non-empty pieces between commas.
fn split_list(s: &[u8]) -> Vec<Vec<u8>> {
    s.split(|&c| c == b',')
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// C's `strtol` over the whole of `s`: `None` unless it is all a number.
fn strtol_all(s: &[u8]) -> Option<i64> {
    let mut i = 0;
    while s.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let start = i;
    let mut n: i64 = 0;
    while let Some(d) = s.get(i).filter(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(i64::from(d - b'0'));
        i += 1;
    }
    (i > start && i == s.len()).then_some(if neg { -n } else { n })
}

/// `ldap_url_parse` with its historic flags (default scope `base`, an
/// empty host as none, the default port filled in); `Err` is its error
/// number.
fn parse_url(url: &[u8]) -> Result<UrlDesc, i32> {
    const BADSCHEME: i32 = 3;
    const BADURL: i32 = 5;
    const BADSCOPE: i32 = 8;
    const BADFILTER: i32 = 9;
    const BADEXTS: i32 = 10;
    let url = crate::eval::c_str(url);
    let mut rest = url;
    if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"URL:") {
        rest = &rest[4..];
    }
    let schemes: [(&str, &str); 5] = [
        ("ldap://", "ldap"),
        ("pldap://", "pldap"),
        ("ldaps://", "ldaps"),
        ("pldaps://", "pldaps"),
        ("ldapi://", "ldapi"),
    ];
    let (prefix, scheme) = schemes
        .iter()
        .find(|(p, _)| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        .ok_or(BADSCHEME)?;
    let rest = &rest[prefix.len()..];
    let ipc = *scheme == "ldapi";

    let (hostport, mut tail) = match rest.iter().position(|&c| c == b'/') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => match rest.iter().position(|&c| c == b'?') {
            Some(i) => (&rest[..i], None),
            None => (rest, None),
        },
    };
    let mut host = hostport;
    let mut port: i64 = 0;
    if !ipc {
        let colon = if host.first() == Some(&b'[') {
            let close = host.iter().position(|&c| c == b']').ok_or(BADURL)?;
            let after = &host[close + 1..];
            let c = after.iter().position(|&c| c == b':');
            if c.is_some_and(|c| c != 0) {
                return Err(BADURL);
            }
            let c = c.map(|c| close + 1 + c);
            host = &host[1..close];
            c.map(|c| (c, hostport))
        } else {
            host.iter().position(|&c| c == b':').map(|c| (c, hostport))
        };
        if let Some((c, whole)) = colon {
            let digits = hex_unescape(&whole[c + 1..]);
            if digits.is_empty() {
                return Err(BADURL);
            }
            port = strtol_all(&digits).ok_or(BADURL)?;
            if whole.first() != Some(&b'[') {
                host = &whole[..c];
            }
        }
        if port == 0 {
            port = if *scheme == "ldaps" { 636 } else { 389 };
        }
    }
    let host = hex_unescape(host);
    let mut desc = UrlDesc {
        scheme,
        host: (!host.is_empty()).then_some(host),
        port,
        dn: None,
        attrs: None,
        scope: 0,
        filter: None,
    };
    let Some(t) = tail.take() else {
        return Ok(desc);
    };
    let mut parts = t.splitn(5, |&c| c == b'?');
    desc.dn = Some(hex_unescape(parts.next().unwrap_or_default()));
    if let Some(a) = parts.next()
        && !a.is_empty()
    {
        desc.attrs = Some(split_list(&hex_unescape(a)));
    }
    if let Some(s) = parts.next()
        && !s.is_empty()
    {
        let s = hex_unescape(s);
        let is = |w: &str| s.eq_ignore_ascii_case(w.as_bytes());
        desc.scope = if is("one") || is("onelevel") {
            1
        } else if is("base") {
            0
        } else if is("sub") || is("subtree") {
            2
        } else if is("subord") || is("subordinate") || is("children") {
            3
        } else {
            return Err(BADSCOPE);
        };
    }
    if let Some(f) = parts.next()
        && !f.is_empty()
    {
        let f = hex_unescape(f);
        if f.is_empty() {
            return Err(BADFILTER);
        }
        desc.filter = Some(f);
    }
    if let Some(e) = parts.next() {
        if e.contains(&b'?') {
            return Err(BADURL);
        }
        if split_list(e).is_empty() {
            return Err(BADEXTS);
        }
    }
    Ok(desc)
}

/// OpenLDAP's `ldap_err2string`.
fn err2string(rc: i32) -> &'static str {
    match rc {
        0 => "Success",
        1 => "Operations error",
        2 => "Protocol error",
        3 => "Time limit exceeded",
        4 => "Size limit exceeded",
        5 => "Compare False",
        6 => "Compare True",
        7 => "Authentication method not supported",
        8 => "Strong(er) authentication required",
        10 => "Referral",
        11 => "Administrative limit exceeded",
        12 => "Critical extension is unavailable",
        13 => "Confidentiality required",
        14 => "SASL bind in progress",
        16 => "No such attribute",
        17 => "Undefined attribute type",
        18 => "Inappropriate matching",
        19 => "Constraint violation",
        20 => "Type or value exists",
        21 => "Invalid syntax",
        32 => "No such object",
        33 => "Alias problem",
        34 => "Invalid DN syntax",
        35 => "Entry is a leaf",
        36 => "Alias dereferencing problem",
        47 => "Proxy Authorization Failure",
        48 => "Inappropriate authentication",
        49 => "Invalid credentials",
        50 => "Insufficient access",
        51 => "Server is busy",
        52 => "Server is unavailable",
        53 => "Server is unwilling to perform",
        54 => "Loop detected",
        64 => "Naming violation",
        65 => "Object class violation",
        66 => "Operation not allowed on non-leaf",
        67 => "Operation not allowed on RDN",
        68 => "Already exists",
        69 => "Cannot modify object class",
        70 => "Results too large",
        71 => "Operation affects multiple DSAs",
        80 => "Internal (implementation specific) error",
        -1 => "Can't contact LDAP server",
        -2 => "Local error",
        -3 => "Encoding error",
        -4 => "Decoding error",
        -5 => "Timed out",
        -6 => "Unknown authentication method",
        -7 => "Bad search filter",
        _ => "Unknown error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_as_openldap_parses_them() {
        let u = parse_url(b"ldap://h:1234/o=a%20b?cn,,mail?SUB?(uid=x)").unwrap();
        assert_eq!(u.host.as_deref(), Some(&b"h"[..]));
        assert_eq!(u.port, 1234);
        assert_eq!(u.dn.as_deref(), Some(&b"o=a b"[..]));
        assert_eq!(u.attrs, Some(vec![b"cn".to_vec(), b"mail".to_vec()]));
        assert_eq!((u.scope, u.filter.as_deref()), (2, Some(&b"(uid=x)"[..])));
        let u = parse_url(b"ldap:///o=x").unwrap();
        assert_eq!((u.host, u.port, u.scope), (None, 389, 0));
        assert_eq!(parse_url(b"ldaps://h").unwrap().port, 636);
        let u = parse_url(b"ldapi://%2Ftmp%2Fs/o=x").unwrap();
        assert_eq!(u.host.as_deref(), Some(&b"/tmp/s"[..]));
        assert_eq!(parse_url(b"ldap://h:x/"), Err(5));
        assert_eq!(parse_url(b"ldap://h:/"), Err(5));
        assert_eq!(parse_url(b"ldap:///?a?two"), Err(8));
        assert_eq!(parse_url(b"ldap:///?a?sub?%zz"), Err(9));
        assert_eq!(parse_url(b"ldap:///?a?sub?(a=b)?"), Err(10));
        assert_eq!(parse_url(b"ldap:///?a?sub?(a=b)?x?y"), Err(5));
        assert_eq!(
            parse_url(b"ldap://[::1]:10/").unwrap().host.as_deref(),
            Some(&b"::1"[..])
        );
        assert_eq!(hex_unescape(b"a%4"), b"");
    }

    #[test]
    fn attributes_formatted_as_exim_does() {
        let attrs = vec![
            (b"cn".to_vec(), vec![b"A, B".to_vec(), b"C".to_vec()]),
            (b"d".to_vec(), vec![b"q\"b\\n\nx".to_vec()]),
        ];
        let mut d = None;
        assert!(format_attrs(&mut d, &attrs, 2));
        assert_eq!(d.unwrap(), b"cn=\"A,, B,C\" d=\"q\\\"b\\\\n\\nx\"");
        let mut d = None;
        assert!(format_attrs(&mut d, &attrs[..1], 1));
        assert_eq!(d.unwrap(), b"A,, B,C");
        // An empty first value leaves nothing, so no comma follows it.
        let mut d = None;
        assert!(format_attrs(
            &mut d,
            &[(b"a".to_vec(), vec![vec![], b"x".to_vec()])],
            1
        ));
        assert_eq!(d.unwrap(), b"x");
    }
}
