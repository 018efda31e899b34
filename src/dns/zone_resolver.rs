//! A [`Resolver`] that answers from BIND zone files, as the system
//! resolver sees an authoritative nsd serving them (what
//! `shared/tools/hermetic-dns` gives the real Exim).

use std::collections::HashSet;
use std::path::Path;

use super::error::ZoneError;
use super::name::{Key, Name};
use super::rrtype::Kind;
use super::spelling;
use super::tree::{Tree, ZoneId};
use super::zone::{self, Source};
use crate::eval::{Answer, DnsError, QueryFlags, RData, Record, Resolver, RrType};

/// The longest CNAME chain followed.
const MAX_CNAME_CHAIN: usize = 32;
/// The most zone files [`ZoneResolver::from_dir`] reads.
const MAX_ZONE_FILES: usize = 10_000;

/// Answers DNS queries from zones in BIND master-file format, for tests
/// (the engine's and users' own): what a program using the system's
/// resolver would see if an authoritative nsd served these zones and
/// nothing else.
///
/// - A name that does not exist is [`DnsError::NoSuchName`]; one that
///   exists without records of the type (an empty non-terminal too) is
///   [`DnsError::NoData`].
/// - A name at or below a delegation (NS records below a zone's apex)
///   to a zone that is not loaded gets nsd's referral, which glibc takes
///   for [`DnsError::NoData`] when it has glue (addresses of the name
///   servers in the zone) and for a lame server,
///   [`DnsError::Again`], when it has none, unless the query is asked
///   with EDNS0 ([`QueryFlags::dnssec_ok`]): the referral then carries an
///   OPT record and is taken for no data as well.
/// - Names are compared case-insensitively, and spelled as nsd writes
///   them: in lower case, but for the part that matches the question,
///   spelled as asked (`mx.EXAMPLE.test` for a question `EXAMPLE.test`).
/// - A CNAME at the name comes first and is followed through the loaded
///   zones (at most 32 links; a loop ends the chain); a chain ending at
///   a name that does not exist is `NoSuchName`, as nsd says NXDOMAIN.
/// - `*.` wildcards apply as RFC 4592 says: to names that do not exist,
///   whose closest existing ancestor has the wildcard as its child.
/// - Names outside every zone do not exist (an empty root zone is
///   assumed unless one is loaded).
/// - Answers are never [`Answer::authenticated`].
///
/// ```
/// use exim_expand::dns::ZoneResolver;
/// use exim_expand::eval::{DnsError, RData, Resolver, RrType};
///
/// let zone = r#"
/// $TTL 300
/// @       SOA  ns hostmaster 1 3600 600 86400 300
///         NS   ns
///         MX   10 mx1
///         MX   20 mx2.other.test.
/// ns      A    192.0.2.53
/// mx1     A    192.0.2.25
/// www     CNAME mx1
/// *.users TXT  "v=spf1 -all" "second string"
/// "#;
/// let dns = ZoneResolver::from_zone_text("example.test", zone).unwrap();
///
/// let mx = dns.query(b"example.test", RrType::Mx).unwrap();
/// assert_eq!(mx.records.len(), 2);
///
/// let a = dns.query(b"WWW.example.test", RrType::A).unwrap();
/// assert_eq!(a.records[0].data, RData::Cname(b"mx1.example.test".to_vec()));
/// assert_eq!(a.records[1].name, b"mx1.example.test");
/// assert_eq!(a.records[1].data, RData::A([192, 0, 2, 25].into()));
///
/// let txt = dns.query(b"bob.users.example.test", RrType::Txt).unwrap();
/// assert_eq!(txt.records[0].name, b"bob.users.example.test");
///
/// // An alias whose target has no records of the type: just the CNAME.
/// assert_eq!(dns.query(b"www.example.test", RrType::Aaaa).unwrap().records.len(), 1);
/// assert_eq!(dns.query(b"mx1.example.test", RrType::Aaaa), Err(DnsError::NoData));
/// assert_eq!(dns.query(b"users.example.test", RrType::A), Err(DnsError::NoData));
/// assert_eq!(dns.query(b"nope.example.test", RrType::A), Err(DnsError::NoSuchName));
/// assert_eq!(dns.query(b"example.org", RrType::A), Err(DnsError::NoSuchName));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ZoneResolver {
    tree: Tree,
    /// The host table `gethostbyaddr` and `gethostbyname` would read
    /// (none unless one is given).
    hosts: super::HostsFile,
}

/// One step of a lookup: at one name, before any CNAME is followed.
enum Step {
    /// The records of the type.
    Found(Vec<Record>),
    /// A CNAME: the record, its target and the record set it came from.
    Alias(Record, Name, (Option<ZoneId>, Key)),
    NoData,
    NoSuchName,
    /// A delegation to a zone not loaded: the system resolver takes
    /// nsd's referral for no data when it carries glue, and for a lame
    /// server (`TRY_AGAIN`) when not.
    Referral {
        glue: bool,
    },
}

impl ZoneResolver {
    /// A resolver with no zones: every name is [`DnsError::NoSuchName`].
    pub fn new() -> ZoneResolver {
        ZoneResolver::default()
    }

    /// Loads every `NAME.zone` file in `dir` as zone `NAME` (`root.zone`
    /// is the root), in the order of their names: the convention of
    /// `shared/tools/hermetic-dns`.  Other files (those `$INCLUDE`d, say)
    /// are left alone.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<ZoneResolver, ZoneError> {
        let mut z = ZoneResolver::new();
        z.add_dir(dir)?;
        Ok(z)
    }

    /// A resolver serving one zone, `origin` (`example.com`, `.` for the
    /// root), from master-file text.  The text may not `$INCLUDE`.
    pub fn from_zone_text(origin: &str, text: impl AsRef<[u8]>) -> Result<ZoneResolver, ZoneError> {
        let mut z = ZoneResolver::new();
        z.add_zone_text(origin, text)?;
        Ok(z)
    }

    /// Adds the `NAME.zone` files of `dir`, as [`ZoneResolver::from_dir`].
    pub fn add_dir(&mut self, dir: impl AsRef<Path>) -> Result<(), ZoneError> {
        for (origin, path) in zone_files(dir.as_ref())? {
            self.add_zone_file(&origin, path)?;
        }
        Ok(())
    }

    /// Gives the resolver a host table in /etc/hosts format, for what
    /// Exim asks `gethostbyaddr` and `gethostbyname` (host names of
    /// clients, host names in host lists): without one, only the zones
    /// answer.
    pub fn set_hosts_text(&mut self, text: impl AsRef<[u8]>) {
        self.hosts = super::HostsFile::parse(text.as_ref());
    }

    /// Adds zone `origin` from master-file text.
    pub fn add_zone_text(&mut self, origin: &str, text: impl AsRef<[u8]>) -> Result<(), ZoneError> {
        let source = Source {
            label: format!("<text of zone {origin}>"),
            path: None,
            text: text.as_ref().to_vec(),
        };
        self.add_source(origin, source)
    }

    /// Adds zone `origin` from the master file at `path`; `$INCLUDE`
    /// there may name files in the same directory or below it.
    pub fn add_zone_file(&mut self, origin: &str, path: impl AsRef<Path>) -> Result<(), ZoneError> {
        self.add_source(origin, Source::file(path.as_ref())?)
    }

    fn add_source(&mut self, origin: &str, source: Source) -> Result<(), ZoneError> {
        let apex = Name::parse_query(origin.as_bytes()).map_err(|e| {
            ZoneError::file(&source.label, format!("bad zone name '{origin}': {e}"))
        })?;
        let label = source.label.clone();
        let records = zone::parse_zone(&apex, source)?;
        self.tree
            .add_zone(&apex, records)
            .map_err(|e| ZoneError::file(&label, e))
    }

    /// The loaded zones' names (`.` for the root), in the order added.
    pub fn zones(&self) -> Vec<String> {
        self.tree.zones().iter().map(Name::to_string).collect()
    }

    /// Looks `name` up at one name, as nsd does before following a CNAME,
    /// for a query that asked for `question`.
    fn step(&self, name: &Name, rr: RrType, question: &Name) -> Step {
        let tree = &self.tree;
        let zone = tree.zone_of(name);
        let key = name.key();
        let Some(depth) = tree.closest_encloser(&key) else {
            return Step::NoSuchName;
        };
        if let Some(cut) = self.delegation(zone, &key, depth) {
            return Step::Referral {
                glue: self.has_glue(zone, &cut),
            };
        }
        let Some(source) = self.source(&key, depth) else {
            return Step::NoSuchName;
        };
        let Some(zone_id) = zone else {
            return Step::NoData;
        };
        let node = tree.node(&source).expect("the closest encloser exists");
        let owner = spelling::render(name, question);
        let record = |ttl: u32, data: &RData| Record {
            name: owner.clone(),
            ttl,
            data: spelling::render_data(data, question),
        };
        if let Some(set) = node.rrset(zone_id, Kind::Known(rr)) {
            let found = set.records.iter();
            return Step::Found(
                found
                    .filter_map(|(t, d)| Some(record(*t, d.as_ref()?)))
                    .collect(),
            );
        }
        let cname = node.rrset(zone_id, Kind::Known(RrType::Cname));
        match cname.and_then(|set| set.records.first()) {
            Some((ttl, Some(data @ RData::Cname(target)))) => match Name::parse_query(target) {
                Ok(target) => Step::Alias(record(*ttl, data), target, (zone, source)),
                Err(_) => Step::NoData,
            },
            _ => Step::NoData,
        }
    }

    /// The node whose records answer for `key`, `depth` of whose labels
    /// exist: itself, or the wildcard below its closest encloser.
    fn source(&self, key: &Key, depth: usize) -> Option<Key> {
        if depth == key.len() {
            return Some(key.clone());
        }
        let mut wild = vec![b"*".to_vec()];
        wild.extend_from_slice(&key[key.len() - depth..]);
        self.tree.node(&wild).map(|_| wild)
    }

    /// The zone cut (a name below its zone's apex with NS records) at or
    /// above the name, `depth` of whose labels exist.
    fn delegation(&self, zone: Option<ZoneId>, key: &[Vec<u8>], depth: usize) -> Option<Key> {
        let zone = zone?;
        let apex_depth = self.tree.apex(zone).labels().len();
        (apex_depth + 1..=depth)
            .map(|d| key[key.len() - d..].to_vec())
            .find(|cut| {
                self.tree
                    .node(cut)
                    .and_then(|n| n.rrset(zone, Kind::Known(RrType::Ns)))
                    .is_some()
            })
    }

    /// Whether nsd's referral from `cut` carries addresses of its name
    /// servers (from the zone, wildcards applied) in its additional
    /// section.
    fn has_glue(&self, zone: Option<ZoneId>, cut: &Key) -> bool {
        let Some(zone) = zone else { return false };
        let Some(ns) = self
            .tree
            .node(cut)
            .and_then(|n| n.rrset(zone, Kind::Known(RrType::Ns)))
        else {
            return false;
        };
        ns.records.iter().any(|(_, data)| {
            let Some(RData::Ns(target)) = data else {
                return false;
            };
            let Ok(target) = Name::parse_query(target) else {
                return false;
            };
            let key = target.key();
            let Some(depth) = self.tree.closest_encloser(&key) else {
                return false;
            };
            self.source(&key, depth)
                .and_then(|src| self.tree.node(&src))
                .is_some_and(|n| {
                    n.rrset(zone, Kind::Known(RrType::A)).is_some()
                        || n.rrset(zone, Kind::Known(RrType::Aaaa)).is_some()
                })
        })
    }
}

/// The `NAME.zone` files of `dir` with their zones' names, sorted.
fn zone_files(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>, ZoneError> {
    let label = dir.display().to_string();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ZoneError::file(&label, format!("cannot read the directory: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|e| ZoneError::file(&label, format!("cannot read the directory: {e}")))?;
        let file_name = entry.file_name();
        let Some(stem) = file_name.to_str().and_then(|n| n.strip_suffix(".zone")) else {
            continue;
        };
        if stem.is_empty() || !entry.path().is_file() {
            continue;
        }
        let origin = if stem == "root" { "." } else { stem };
        files.push((origin.to_string(), entry.path()));
        if files.len() > MAX_ZONE_FILES {
            return Err(ZoneError::file(
                &label,
                format!("more than {MAX_ZONE_FILES} zone files"),
            ));
        }
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(files)
}

impl Resolver for ZoneResolver {
    fn query(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError> {
        self.query_with(name, rr, QueryFlags::default())
    }

    fn host_table_names(&self, address: std::net::IpAddr) -> Vec<Vec<u8>> {
        self.hosts.names_of(address)
    }

    fn host_table_addresses(&self, name: &[u8]) -> Vec<std::net::IpAddr> {
        self.hosts.addresses_of(name)
    }

    /// Zone files loaded by the embedder: no network, nothing to grant.
    fn capability(&self) -> Option<crate::eval::Capability> {
        None
    }

    fn query_with(&self, name: &[u8], rr: RrType, flags: QueryFlags) -> Result<Answer, DnsError> {
        let question =
            Name::parse_query(name).map_err(|e| DnsError::Fail(format!("bad name: {e}")))?;
        let mut current = question.clone();
        let mut records = Vec::new();
        let mut followed = HashSet::new();
        for _ in 0..=MAX_CNAME_CHAIN {
            match self.step(&current, rr, &question) {
                Step::Found(found) => {
                    records.extend(found);
                    break;
                }
                Step::Alias(record, target, source) => {
                    if !followed.insert(source) {
                        break;
                    }
                    records.push(record);
                    current = target;
                }
                // With EDNS0 the referral carries an OPT record, which
                // glibc takes for an answer without data.
                Step::Referral { glue: false } if records.is_empty() && !flags.dnssec_ok => {
                    return Err(DnsError::Again(format!(
                        "{current} is delegated to servers outside the loaded zones"
                    )));
                }
                Step::NoData | Step::Referral { .. } => break,
                Step::NoSuchName => return Err(DnsError::NoSuchName),
            }
        }
        if records.is_empty() {
            return Err(DnsError::NoData);
        }
        Ok(Answer {
            records,
            authenticated: false,
        })
    }
}
