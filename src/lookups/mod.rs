//! Lookups: the type specifications of `${lookup}` and list items
//! (`partial2(.)lsearch*@,ret=key`), Exim's `search_find` (exact key, then
//! partial keys, then `*@`, then `*`), the per-process result cache, and
//! the dispatch to the individual lookup types.

pub mod cdb;
pub mod dbm;
pub mod dnsdb;
pub mod dsearch;
#[cfg(feature = "ldap")]
pub mod ldap;
pub mod ldap_params;
#[cfg(feature = "lmdb")]
pub mod lmdb;
pub mod lsearch;
pub mod mock;
#[cfg(feature = "mysql")]
pub mod mysql;
pub mod passwd;
#[cfg(feature = "pgsql")]
pub mod pgsql;
pub mod readsock;
#[cfg(feature = "redis")]
pub mod redis;
pub mod spf;
#[cfg(any(feature = "pgsql", feature = "mysql", feature = "redis"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod unsupported;

pub use crate::eval::LookupFailure;
use crate::eval::{CacheEntry, Evaluator, Lookup, LookupHandle, LookupQuery, Registry};
pub use crate::parser::LookupStyle as Style;
pub use mock::MockLookup;
use std::sync::Arc;
use unsupported::Unsupported;

/// The `open` of a lookup that asks the DNS resolver (dnsdb, spf): the
/// resolver's own capability (the network for the system's, nothing for
/// zone files) is checked; there is nothing to keep open.
pub(crate) fn open_resolver(ev: &mut Evaluator, what: &str) -> Result<LookupHandle, LookupFailure> {
    if let Some(c) = ev.ctx.resolver.capability() {
        ev.ctx
            .policy
            .check(c, what)
            .map_err(|f| LookupFailure::Refused(f.to_string()))?;
    }
    Ok(Box::new(()))
}

/// A lookup type that reads files and has no open step of its own: one
/// function answers each key.
#[derive(Debug)]
struct FileLookup {
    style: Style,
    query: QueryFn,
}

type QueryFn = fn(&LookupQuery) -> Result<Option<Vec<u8>>, LookupFailure>;

fn file_lookup(style: Style, query: QueryFn) -> Arc<dyn Lookup> {
    Arc::new(FileLookup { style, query })
}

impl Lookup for FileLookup {
    fn style(&self) -> Style {
        self.style
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<crate::eval::Capability> {
        Some(crate::eval::Capability::Files)
    }

    fn find(
        &self,
        _ev: &mut Evaluator,
        _h: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        (self.query)(q)
    }
}

/// The lookup types of upstream Exim 4.96 built with every lookup this
/// crate has: Debian's, and `lmdb` and `redis` (as `Unsupported` entries
/// when their Cargo features are left out).
pub fn exim_4_96_full() -> Vec<(&'static str, Arc<dyn Lookup>)> {
    let mut all = exim_4_96();
    all.push(("lmdb", lmdb_lookup()));
    all.push(("redis", redis_lookup()));
    all.sort_by_key(|(name, _)| *name);
    all
}

/// A lookup type this build was made without (its Cargo feature left out).
#[cfg(not(all(
    feature = "lmdb",
    feature = "redis",
    feature = "sqlite",
    feature = "ldap",
    feature = "pgsql",
    feature = "mysql"
)))]
fn not_built(name: &'static str, style: Style) -> Arc<dyn Lookup> {
    Arc::new(Unsupported {
        not_built: Some(name),
        ..Unsupported::new(name, style)
    })
}

#[cfg(feature = "lmdb")]
fn lmdb_lookup() -> Arc<dyn Lookup> {
    Arc::new(lmdb::LmdbLookup)
}

#[cfg(not(feature = "lmdb"))]
fn lmdb_lookup() -> Arc<dyn Lookup> {
    not_built("lmdb", Style::SingleKey)
}

#[cfg(feature = "redis")]
fn redis_lookup() -> Arc<dyn Lookup> {
    Arc::new(redis::RedisLookup::default())
}

#[cfg(not(feature = "redis"))]
fn redis_lookup() -> Arc<dyn Lookup> {
    not_built("redis", Style::Query)
}

/// `ldap`, `ldapdn` and `ldapm`, sharing their connections.
#[cfg(feature = "ldap")]
fn ldap_lookups() -> Vec<(&'static str, Arc<dyn Lookup>)> {
    ldap::LdapLookup::all()
        .into_iter()
        .map(|(name, l)| (name, Arc::new(l) as Arc<dyn Lookup>))
        .collect()
}

#[cfg(not(feature = "ldap"))]
fn ldap_lookups() -> Vec<(&'static str, Arc<dyn Lookup>)> {
    ["ldap", "ldapdn", "ldapm"]
        .into_iter()
        .map(|name| (name, not_built(name, Style::Query)))
        .collect()
}

#[cfg(feature = "pgsql")]
fn pgsql_lookup() -> Arc<dyn Lookup> {
    Arc::new(pgsql::PgsqlLookup::default())
}

#[cfg(not(feature = "pgsql"))]
fn pgsql_lookup() -> Arc<dyn Lookup> {
    not_built("pgsql", Style::Query)
}

#[cfg(feature = "mysql")]
fn mysql_lookup() -> Arc<dyn Lookup> {
    Arc::new(mysql::MysqlLookup::default())
}

#[cfg(not(feature = "mysql"))]
fn mysql_lookup() -> Arc<dyn Lookup> {
    not_built("mysql", Style::Query)
}

/// The lookup types of Debian's `exim4-daemon-heavy` 4.96.
pub fn exim_4_96() -> Vec<(&'static str, Arc<dyn Lookup>)> {
    use lsearch::{Kind, LsearchLookup};
    let keyed = |name| Arc::new(Unsupported::new(name, Style::SingleKey)) as Arc<dyn Lookup>;
    let mut all = vec![
        ("cdb", Arc::new(cdb::CdbLookup) as Arc<dyn Lookup>),
        ("dbm", file_lookup(Style::SingleKey, dbm::query)),
        ("dbmjz", file_lookup(Style::SingleKey, dbm::query_jz)),
        ("dbmnz", file_lookup(Style::SingleKey, dbm::query_nz)),
        ("dnsdb", Arc::new(dnsdb::DnsdbLookup)),
        ("dsearch", file_lookup(Style::SingleKey, dsearch::query)),
        ("iplsearch", Arc::new(LsearchLookup(Kind::Ip))),
        ("lsearch", Arc::new(LsearchLookup(Kind::Plain))),
        ("mysql", mysql_lookup()),
        ("nis", keyed("nis")),
        ("nis0", keyed("nis0")),
        ("nwildlsearch", Arc::new(LsearchLookup(Kind::NWild))),
        ("passwd", file_lookup(Style::Query, passwd::query)),
        ("pgsql", pgsql_lookup()),
        ("readsock", Arc::new(readsock::ReadsockLookup)),
        ("spf", Arc::new(spf::SpfLookup)),
        #[cfg(feature = "sqlite")]
        ("sqlite", Arc::new(sqlite::SqliteLookup)),
        #[cfg(not(feature = "sqlite"))]
        ("sqlite", not_built("sqlite", Style::AbsFileQuery)),
        ("wildlsearch", Arc::new(LsearchLookup(Kind::Wild))),
    ];
    all.extend(ldap_lookups());
    all.sort_by_key(|(name, _)| *name);
    all
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

/// A parsed type specification (Exim's `search_findtype_partial`).
#[derive(Debug, Clone)]
pub struct Spec {
    /// The lookup type's name (`lsearch`).
    pub name: Arc<str>,
    pub lookup: Arc<dyn Lookup>,
    pub style: Style,
    /// `partial[N]`: the minimum number of key components kept.
    pub partial: Option<u32>,
    /// The partial affix (`*.` for `partial-`).
    pub affix: Vec<u8>,
    /// `*` (try `*` last).
    pub star: bool,
    /// `*@` (try `*@domain`, then `*`).
    pub starat: bool,
    /// The text after the first `,` of the name part (`ret=key,cache=no_rd`).
    pub opts: Option<String>,
}

/// Parses a type specification such as `partial2(.)lsearch*@,ret=key`;
/// the error is Exim's message.
pub fn parse_spec(reg: &Registry, spec: &str) -> Result<Spec, String> {
    let b = spec.as_bytes();
    let mut pos = 0;
    let mut partial = None;
    let mut affix = Vec::new();
    let format_error = || format!("format error in lookup type \"{spec}\"");
    if b.starts_with(b"partial") {
        pos = 7;
        let mut pv: u32 = 2;
        if b.get(pos).is_some_and(u8::is_ascii_digit) {
            pv = 0;
            while let Some(d) = b.get(pos).filter(|c| c.is_ascii_digit()) {
                pv = pv.wrapping_mul(10).wrapping_add(u32::from(d - b'0'));
                pos += 1;
            }
        }
        match b.get(pos) {
            Some(b'(') => {
                pos += 1;
                let start = pos;
                while b
                    .get(pos)
                    .is_some_and(|&c| c.is_ascii_punctuation() && c != b')')
                {
                    pos += 1;
                }
                if b.get(pos) != Some(&b')') {
                    return Err(format_error());
                }
                affix = b[start..pos].to_vec();
                pos += 1;
            }
            Some(b'-') => {
                pos += 1;
                affix = b"*.".to_vec();
            }
            _ => return Err(format_error()),
        }
        partial = Some(pv);
    }
    let ss = &spec[pos..];
    let sb = ss.as_bytes();
    let mut len = sb.len();
    let mut star = false;
    let mut starat = false;
    let mut from = 0;
    if let Some(t) = sb.iter().position(|&c| c == b'*') {
        len = t;
        from = t;
        if sb.get(t + 1) == Some(&b'@') {
            starat = true;
        } else {
            star = true;
        }
    }
    let mut opts = None;
    if let Some(c) = sb[from..].iter().position(|&c| c == b',') {
        let c = from + c;
        len = len.min(c);
        opts = Some(ss[c + 1..].to_string());
    }
    let wanted = &ss[..len];
    let Some((name, lookup)) = reg.lookup(wanted) else {
        return Err(format!("unknown lookup type \"{wanted}\""));
    };
    let (name, lookup) = (name.clone(), lookup.clone());
    let style = lookup.style();
    if style == Style::Query {
        if partial.is_some() {
            return Err(format!(
                "\"partial\" is not permitted for lookup type \"{ss}\""
            ));
        }
        if star || starat {
            return Err(format!(
                "defaults using \"*\" or \"*@\" are not permitted for lookup type \"{ss}\""
            ));
        }
    }
    Ok(Spec {
        name,
        lookup,
        style,
        partial,
        affix,
        star,
        starat,
        opts,
    })
}

/// Checks a type specification; the error is Exim's message.
pub fn find_type(reg: &Registry, spec: &str) -> Result<Style, String> {
    parse_spec(reg, spec).map(|s| s.style)
}

/// A successful lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub data: Vec<u8>,
    /// `$1` and `$2` (the wild and the fixed part of the key) when a
    /// partial or default (`*`, `*@`) lookup set them.
    pub wild: Option<(Vec<u8>, Vec<u8>)>,
}

/// The arguments of a lookup, as Exim's `search_args` arranges them: the
/// key (single-key types) or query, and the file name (`None` for
/// query-style lookups and for `sqlite` without a file).
pub fn search_args(spec: &Spec, key: &[u8], query: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    use crate::lists::is_space;
    let start = query
        .iter()
        .position(|&c| !is_space(c))
        .unwrap_or(query.len());
    let q = &query[start..];
    match spec.style {
        Style::SingleKey => (key.to_vec(), Some(q.to_vec())),
        Style::Query => (q.to_vec(), None),
        Style::AbsFileQuery => {
            if let Some(o) = &spec.opts {
                for e in crate::lists::ListIter::with_sep(o.as_bytes(), b',') {
                    if let Some(f) = e.strip_prefix(b"file=") {
                        return (q.to_vec(), Some(f.to_vec()));
                    }
                }
            }
            if q.first() == Some(&b'/') {
                let end = q.iter().position(|&c| is_space(c)).unwrap_or(q.len());
                let rest = &q[end..];
                let rs = rest
                    .iter()
                    .position(|&c| !is_space(c))
                    .unwrap_or(rest.len());
                (rest[rs..].to_vec(), Some(q[..end].to_vec()))
            } else {
                (q.to_vec(), None)
            }
        }
    }
}

/// Exim's `string_open_failed`, as text.
pub(crate) fn open_failed(what: &[u8], errno: i32) -> String {
    String::from_utf8_lossy(&crate::sys::open_failed(what, errno)).into_owned()
}

/// The checks of Exim's `search_open`: a tainted file name, and what the
/// policy must grant.  The type's own open step waits for a key that is
/// not in the cache.
fn check_open(
    ev: &mut Evaluator,
    spec: &Spec,
    file: Option<&[u8]>,
    file_tainted: bool,
) -> Result<(), LookupFailure> {
    if let Some(f) = file
        && file_tainted
    {
        crate::acl::log_tainted_filename(ev, f, true);
        // Exim fails with an unset message.
        return Err(LookupFailure::Open("(null)".into()));
    }
    if let Some(c) = spec.lookup.capability(file) {
        let what = format!("a \"{}\" lookup", spec.name);
        ev.ctx
            .policy
            .check(c, &what)
            .map_err(|f| LookupFailure::Refused(f.to_string()))?;
    }
    Ok(())
}

type SharedHandle = std::sync::Arc<std::sync::Mutex<LookupHandle>>;

/// The type's open step, or the session's open handle for the same file
/// when the file has not changed since.
fn open_shared(
    ev: &mut Evaluator,
    spec: &Spec,
    file: Option<&[u8]>,
) -> Result<SharedHandle, LookupFailure> {
    use crate::eval::session::{FileStamp, LOOKUP_OPEN_MAX, OpenHandle};
    let stamp = file.and_then(FileStamp::of);
    let ckey = (spec.name.clone(), file.unwrap_or_default().to_vec());
    if let Some(stamp) = stamp
        && let Some(open) = ev.ctx.lookup_cache.handles.get(&ckey)
        && open.stamp == stamp
    {
        return Ok(open.handle.clone());
    }
    let handle = std::sync::Arc::new(std::sync::Mutex::new(spec.lookup.open(ev, file)?));
    if let Some(stamp) = stamp {
        let handles = &mut ev.ctx.lookup_cache.handles;
        if handles.len() >= LOOKUP_OPEN_MAX && !handles.contains_key(&ckey) {
            handles.clear();
        }
        handles.insert(
            ckey,
            OpenHandle {
                stamp,
                handle: handle.clone(),
            },
        );
    }
    Ok(handle)
}

/// Exim's `internal_search_find`: one key, through the cache.
#[allow(clippy::too_many_arguments)]
fn internal_find(
    ev: &mut Evaluator,
    spec: &Spec,
    handle: &mut Option<SharedHandle>,
    file: Option<&[u8]>,
    key: &[u8],
    key_tainted: bool,
    cache_rd: bool,
    opts: Option<&str>,
) -> Result<Option<Vec<u8>>, LookupFailure> {
    let db = file.unwrap_or_default();
    if cache_rd
        && let Some(e) = ev.ctx.lookup_cache.cached(&spec.name, db, key)
        && e.opts.as_deref() == opts
    {
        return Ok(e.data.clone());
    }
    let shared = match handle {
        Some(h) => h.clone(),
        None => handle.insert(open_shared(ev, spec, file)?).clone(),
    };
    let query = LookupQuery {
        file,
        key,
        opts,
        tainted: key_tainted,
    };
    ev.ctx.lookup_cache.forget = false;
    // A find that comes back to the same file (through an expansion)
    // gets a handle of its own.
    let data = match shared.try_lock() {
        Ok(h) => spec.lookup.find(ev, &h, &query)?,
        Err(_) => {
            let own = spec.lookup.open(ev, file)?;
            spec.lookup.find(ev, &own, &query)?
        }
    };
    if std::mem::take(&mut ev.ctx.lookup_cache.forget) {
        ev.ctx.lookup_cache.forget_cached(&spec.name, db);
        return Ok(data);
    }
    if key.is_empty() {
        return Ok(data);
    }
    ev.ctx.lookup_cache.remember(
        &spec.name,
        db,
        key,
        CacheEntry {
            opts: opts.map(str::to_string),
            data: data.clone(),
        },
    );
    Ok(data)
}

/// Exim's `search_open` + `search_find`: the exact key, then (for
/// `partial`) the key with the affix and shorter keys, then `*@domain`,
/// then `*`.  `file` is `None` for query-style lookups.
pub fn search(
    ev: &mut Evaluator,
    spec: &Spec,
    file: Option<&[u8]>,
    file_tainted: bool,
    key: &[u8],
    key_tainted: bool,
) -> Result<Option<Found>, LookupFailure> {
    check_open(ev, spec, file, file_tainted)?;
    let mut handle = None;
    let mut ret_key = false;
    let mut cache_rd = true;
    let opts = spec.opts.as_ref().map(|o| {
        let mut kept: Vec<Vec<u8>> = Vec::new();
        for e in crate::lists::ListIter::with_sep(o.as_bytes(), b',') {
            match &e[..] {
                b"ret=key" => ret_key = true,
                b"cache=no_rd" => cache_rd = false,
                _ => {
                    let mut d = Vec::new();
                    for &c in &e {
                        d.push(c);
                        if c == b',' {
                            d.push(c);
                        }
                    }
                    kept.push(d);
                }
            }
        }
        String::from_utf8_lossy(&kept.join(&b","[..])).into_owned()
    });
    let opts = opts.filter(|o| !o.is_empty());
    let opts = opts.as_deref();
    let mut find = |ev: &mut Evaluator, k: &[u8]| {
        internal_find(ev, spec, &mut handle, file, k, key_tainted, cache_rd, opts)
    };

    let mut wild: Option<(Vec<u8>, Vec<u8>)> = None;
    let mut set_null_wild = false;
    let mut found = find(ev, key)?;
    if found.is_some() {
        set_null_wild = spec.partial.is_some();
    } else if let Some(partial) = spec.partial {
        let affix = &spec.affix;
        let mut affixlen = affix.len();
        let mut ks2: Vec<u8> = affix.clone();
        ks2.extend_from_slice(key);
        if affixlen > 0 {
            found = find(ev, &ks2)?;
        }
        if found.is_none() {
            let mut dotcount = key.iter().filter(|&&c| c == b'.').count() as i64;
            let mut p3 = affixlen;
            loop {
                let go = dotcount >= i64::from(partial);
                dotcount -= 1;
                if !go {
                    break;
                }
                while p3 < ks2.len() && ks2[p3] != b'.' {
                    p3 += 1;
                }
                if p3 >= ks2.len() {
                    if affixlen < 1 {
                        break;
                    }
                    if affixlen > 1 && affix[affixlen - 1] == b'.' {
                        affixlen -= 1;
                    }
                    ks2 = affix[..affixlen].to_vec();
                    p3 = 0;
                } else {
                    p3 = (p3 + 1).saturating_sub(affixlen);
                    let end = (p3 + affixlen).min(ks2.len());
                    ks2[p3..end].copy_from_slice(&affix[..end - p3]);
                }
                let probe = ks2[p3..].to_vec();
                found = find(ev, &probe)?;
                if found.is_some() {
                    let fixed = probe.len() as i64 - affixlen as i64;
                    let wl = (key.len() as i64 - fixed - 1).clamp(0, key.len() as i64) as usize;
                    let fs = (wl + 1).min(key.len());
                    let fe = (fs + fixed.max(0) as usize).min(key.len());
                    wild = Some((key[..wl].to_vec(), key[fs..fe].to_vec()));
                    break;
                }
                p3 += affixlen;
            }
        } else {
            set_null_wild = true;
        }
    }

    if found.is_none()
        && spec.starat
        && let Some(at) = key.iter().rposition(|&c| c == b'@')
        && at > 0
    {
        let mut probe = b"*".to_vec();
        probe.extend_from_slice(&key[at..]);
        found = find(ev, &probe)?;
        if found.is_some() {
            wild = Some((key[..at].to_vec(), Vec::new()));
        }
    }
    if found.is_none() && (spec.star || spec.starat) {
        found = find(ev, b"*")?;
        if found.is_some() {
            wild = Some((key.to_vec(), Vec::new()));
        }
    }
    if set_null_wild && found.is_some() {
        wild = Some((Vec::new(), key.to_vec()));
    }
    Ok(found.map(|data| Found {
        data: if ret_key { key.to_vec() } else { data },
        wild,
    }))
}

/// A lookup in a match-list item `TYPE;FILE-OR-QUERY` (Exim's
/// `check_string` lookup branch): `Err` is fatal in Exim (a bad type, a
/// file that cannot be opened); `Ok(Err)` is a DEFER with its message.
/// With `use_partial` false any `partial` in the type is ignored.  The
/// caller sets `$1`/`$2` from [`Found::wild`].
pub fn list_find(
    ev: &mut Evaluator,
    spec: &str,
    rest: &[u8],
    key: &[u8],
    use_partial: bool,
    tainted: bool,
) -> Result<Result<Option<Found>, String>, String> {
    let mut spec = parse_spec(&ev.ctx.registry, spec)?;
    if !use_partial {
        spec.partial = None;
    }
    let (keyquery, file) = search_args(&spec, key, rest);
    match search(ev, &spec, file.as_deref(), false, &keyquery, tainted) {
        Ok(found) => Ok(Ok(found)),
        Err(LookupFailure::Open(m) | LookupFailure::Refused(m)) => Err(m),
        Err(LookupFailure::Defer(m)) => Ok(Err(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Open files are kept for the session, and opened again when they
    /// change (Exim re-reads an lsearch file for every uncached key).
    #[test]
    fn open_files_are_kept_until_they_change() {
        let dir = std::env::temp_dir().join(format!("ee-open-handles.{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.lsearch");
        std::fs::write(&file, "k: one\n").unwrap();
        let mut ctx = crate::Context::new();
        ctx.policy = crate::eval::Policy::permissive();
        let expr = format!("${{lookup{{k}}lsearch,cache=no_rd{{{}}}}}", file.display());
        let mut x = || {
            crate::expand(expr.as_bytes(), &mut ctx)
                .unwrap()
                .to_string_lossy()
        };
        assert_eq!(x(), "one");
        assert_eq!(x(), "one");
        std::fs::write(&file, "k: a longer two\n").unwrap();
        assert_eq!(x(), "a longer two");
        assert_eq!(ctx.lookup_cache.handles.len(), 1);
        ctx.lookup_cache.clear();
        assert!(ctx.lookup_cache.handles.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn mock_tables_answer_instead_of_files() {
        let mut ctx = crate::Context::new();
        ctx.mock_lookup("lsearch", b"/etc/aliases", b"postmaster", b"root")
            .unwrap();
        ctx.mock_lookup("lsearch", b"/etc/aliases", b"*", b"catchall")
            .unwrap();
        ctx.mock_lookup("dnsdb", b"", b"mx=example.com", b"10 mx.example.com")
            .unwrap();
        assert!(ctx.mock_lookup("nosuch", b"", b"k", b"v").is_err());
        let x = |ctx: &mut crate::Context, s: &str| {
            crate::expand(s.as_bytes(), ctx).map(|v| v.to_string_lossy())
        };
        // No file is read, so the library's refusing policy does not matter.
        assert_eq!(
            x(&mut ctx, "${lookup{postmaster}lsearch{/etc/aliases}}").unwrap(),
            "root"
        );
        assert_eq!(
            x(
                &mut ctx,
                "${lookup{nobody}lsearch{/etc/aliases}{$value}{none}}"
            )
            .unwrap(),
            "none"
        );
        // The usual search order applies: `*` defaults.
        assert_eq!(
            x(&mut ctx, "${lookup{nobody}lsearch*{/etc/aliases}}").unwrap(),
            "catchall"
        );
        assert_eq!(
            x(&mut ctx, "${lookup dnsdb{mx=example.com}}").unwrap(),
            "10 mx.example.com"
        );
        assert_eq!(
            x(
                &mut ctx,
                "${if match_domain{a.b}{lsearch;/etc/aliases}{y}{n}}"
            )
            .unwrap(),
            "n"
        );
        // Unmocked files still go through the policy.
        assert!(
            x(&mut ctx, "${lookup{a}lsearch{/etc/other}}")
                .unwrap_err()
                .message_str()
                .contains("capability \"files\"")
        );
    }

    #[test]
    fn type_specifications() {
        assert_eq!(base_name("partial-lsearch"), "lsearch");
        assert_eq!(base_name("partial2(.)dbm*@,ret=key"), "dbm");
        assert_eq!(base_name("lsearch*,ret=full"), "lsearch");
        let reg = crate::builtins::debian_4_96();
        assert_eq!(
            find_type(&reg, "lsearch}"),
            Err("unknown lookup type \"lsearch}\"".into())
        );
        assert_eq!(find_type(&reg, "sqlite"), Ok(Style::AbsFileQuery));
    }

    /// Messages from Exim 4.96 (lookups.jsonl and `exim -be`).
    #[test]
    fn spec_parsing() {
        let reg = crate::builtins::debian_4_96();
        let parse_spec = |s| super::parse_spec(&reg, s);
        let s = parse_spec("partial2(.)lsearch*@,ret=key,cache=no_rd").unwrap();
        assert_eq!(
            (&*s.name, s.partial, &s.affix[..], s.star, s.starat),
            ("lsearch", Some(2), &b"."[..], false, true)
        );
        assert_eq!(s.opts.as_deref(), Some("ret=key,cache=no_rd"));
        let s = parse_spec("partial-lsearch*").unwrap();
        assert_eq!(
            (s.partial, &s.affix[..], s.star),
            (Some(2), &b"*."[..], true)
        );
        // Anything after the `*` that is not `@` or an option is ignored.
        assert!(parse_spec("lsearch*x").unwrap().star);
        let cases = [
            ("partial-1-lsearch", "unknown lookup type \"1-lsearch\""),
            (
                "partialx-lsearch",
                "format error in lookup type \"partialx-lsearch\"",
            ),
            (
                "partial(a)lsearch",
                "format error in lookup type \"partial(a)lsearch\"",
            ),
            (
                "partial-passwd",
                "\"partial\" is not permitted for lookup type \"passwd\"",
            ),
            (
                "passwd*",
                "defaults using \"*\" or \"*@\" are not permitted for lookup type \"passwd*\"",
            ),
            ("json", "unknown lookup type \"json\""),
            ("lsearch,ret=*", "unknown lookup type \"lsearch,ret=\""),
        ];
        for (spec, msg) in cases {
            assert_eq!(parse_spec(spec).err(), Some(msg.to_string()), "{spec}");
        }
    }
}
