//! What the engine asks the outside world for, as traits an embedder can
//! replace: each has a default that does what Debian's Exim does on a
//! machine without the service.

use std::fmt::Debug;

/// `Ok(true)`: authenticated; `Ok(false)`: refused; `Err(msg)`: the
/// expansion fails with `msg` (Exim's ERROR/DEFER).
pub type AuthResult = Result<bool, String>;

pub trait AuthProvider: Debug + Send + Sync {
    /// `${if pam{user:password:...}}`: the colon list, unsplit.
    fn pam(&self, data: &[u8]) -> AuthResult;
    /// `${if saslauthd{{user}{password}{service}{realm}}}`.
    fn saslauthd(
        &self,
        user: &[u8],
        password: &[u8],
        service: Option<&[u8]>,
        realm: Option<&[u8]>,
    ) -> AuthResult;
    /// `${if ldapauth{user="..." pass="..." ldap://...}}`.
    fn ldapauth(&self, query: &[u8]) -> AuthResult;
}

/// Why a lookup gave no answer, other than "not found".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupFailure {
    /// The database could not be opened (Exim's `search_open` failing):
    /// the message.  The expansion fails.
    Open(String),
    /// The lookup deferred (Exim's `search_error_message`, may be empty):
    /// `${lookup}` fails, a match list defers.
    Defer(String),
    /// The embedder's policy does not grant what the lookup needs.
    Refused(String),
}

/// What a lookup type's [`Lookup::open`] hands to its [`Lookup::find`]
/// (the contents of an lsearch file, ...).
pub type LookupHandle = Box<dyn std::any::Any + Send>;

/// One key (or query) to look up.
#[derive(Debug, Clone, Copy)]
pub struct LookupQuery<'a> {
    /// The file of a single-key lookup (`${lookup{k}lsearch{FILE}}`), or
    /// of a query-style type given one (`sqlite`); `None` otherwise.
    pub file: Option<&'a [u8]>,
    /// The key, or the query of a query-style type.
    pub key: &'a [u8],
    /// The options after the type's name (`ret=full,filter=file`), less
    /// those the engine handles itself (`ret=key`, `cache=no_rd`).
    pub opts: Option<&'a str>,
}

/// One lookup type (`lsearch`, `cdb`, `sqlite`, an embedder's own, ...).
///
/// The engine applies Exim's rules around it: `partial-`, `*` and `*@`
/// defaults, the `ret=key` and `cache=` options, the per-session result
/// cache, taint and policy checks of the file name, and mock answers.
/// `find` sees one key at a time.
///
/// ```
/// use exim_expand::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
/// use exim_expand::parser::LookupStyle;
///
/// /// Answers every key with itself upper-cased.
/// #[derive(Debug)]
/// struct Upper;
///
/// impl Lookup for Upper {
///     fn style(&self) -> LookupStyle {
///         LookupStyle::Query
///     }
///     fn find(
///         &self,
///         _ev: &mut Evaluator,
///         _h: &LookupHandle,
///         q: &LookupQuery,
///     ) -> Result<Option<Vec<u8>>, LookupFailure> {
///         Ok(Some(q.key.to_ascii_uppercase()))
///     }
/// }
///
/// let mut ctx = exim_expand::Context::new();
/// ctx.register_lookup("upper", std::sync::Arc::new(Upper));
/// let v = exim_expand::expand(b"${lookup upper{abc}}", &mut ctx).unwrap();
/// assert_eq!(v.bytes, b"ABC");
/// ```
pub trait Lookup: std::any::Any + Debug + Send + Sync {
    /// Whether the type takes a key and a file, or a query.
    fn style(&self) -> crate::parser::LookupStyle;

    /// What the policy must grant before `file` (`None` for queries) is
    /// opened: reading files for the file-based types, the network for
    /// servers, nothing for an embedder's in-memory table.
    fn capability(&self, _file: Option<&[u8]>) -> Option<super::Capability> {
        None
    }

    /// Exim's open step, before any key is looked up: check and read what
    /// `find` needs.
    fn open(
        &self,
        _ev: &mut super::Evaluator,
        _file: Option<&[u8]>,
    ) -> Result<LookupHandle, LookupFailure> {
        Ok(Box::new(()))
    }

    /// Looks one key up: `Ok(None)` when it is not found.
    fn find(
        &self,
        ev: &mut super::Evaluator,
        handle: &LookupHandle,
        query: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure>;
}

/// A DNS record type the engine asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RrType {
    A,
    Aaaa,
    Cname,
    Mx,
    Ns,
    Ptr,
    Soa,
    Spf,
    Srv,
    Tlsa,
    Txt,
}

/// The data of one DNS record; names are in presentation form without
/// the final dot (`mx.example.com`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RData {
    A(std::net::Ipv4Addr),
    Aaaa(std::net::Ipv6Addr),
    Cname(Vec<u8>),
    Mx {
        preference: u16,
        exchange: Vec<u8>,
    },
    Ns(Vec<u8>),
    Ptr(Vec<u8>),
    Soa {
        mname: Vec<u8>,
        rname: Vec<u8>,
        serial: u32,
        refresh: u32,
        retry: u32,
        expire: u32,
        minimum: u32,
    },
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: Vec<u8>,
    },
    Tlsa {
        usage: u8,
        selector: u8,
        matching_type: u8,
        data: Vec<u8>,
    },
    /// TXT and SPF records: their character strings, unjoined.
    Txt(Vec<Vec<u8>>),
}

/// One record of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The owner name (after CNAMEs were followed, the target's).
    pub name: Vec<u8>,
    pub ttl: u32,
    pub data: RData,
}

/// The records that answer a query, in the order the server gave them
/// (CNAMEs first when a name was an alias).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub records: Vec<Record>,
    /// The resolver validated the answer with DNSSEC (the AD bit).
    pub authenticated: bool,
}

/// Why a DNS query gave no records: Exim's `DNS_NOMATCH`, `DNS_NODATA`,
/// `DNS_AGAIN` and `DNS_FAIL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    /// The name does not exist (NXDOMAIN).
    NoSuchName,
    /// The name exists but has no records of the type.
    NoData,
    /// A temporary failure (timeout, SERVFAIL): try again later.
    Again(String),
    /// A permanent failure of the query itself.
    Fail(String),
}

/// DNS as the engine sees it: `dnsdb`, `@mx_*` in host lists, `dnslists`,
/// SPF, DKIM and iprev ask a `Resolver`.  Ships with the system's resolver
/// and a resolver that answers from BIND zone files (for tests and for
/// users' own test suites).
pub trait Resolver: Debug + Send + Sync {
    /// Looks `name` (presentation form, no final dot) up for `rr`.
    fn query(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError>;
}

/// A message digest the engine asks [`Crypto`] for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Digest {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
}

/// Digests and MACs for `md5`, `sha1`, `sha2`, `sha3`, `hmac`, `prvs`, SRS
/// and `crypteq`'s `{md5}`/`{sha1}`; the default is the RustCrypto crates.
/// An embedder may route them elsewhere (a FIPS module, an HSM).
pub trait Crypto: Debug + Send + Sync {
    /// The digest of `data`.
    fn digest(&self, alg: Digest, data: &[u8]) -> Vec<u8>;
    /// HMAC of `data` with `key`.
    fn hmac(&self, alg: Digest, key: &[u8], data: &[u8]) -> Vec<u8>;
}
