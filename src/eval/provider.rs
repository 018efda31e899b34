//! What the engine asks the outside world for, as traits an embedder can
//! replace: each has a default that does what Debian's Exim does on a
//! machine without the service.

use std::fmt::Debug;

/// `Ok(true)`: authenticated; `Ok(false)`: refused; `Err(msg)`: the
/// expansion fails with `msg` (Exim's ERROR/DEFER).
///
/// ```
/// use exim_expand::{Context, expand};
/// let mut ctx = Context::new(); // the default provider: no PAM service for Exim
/// assert_eq!(expand(b"${if pam{user:pw}{y}{n}}", &mut ctx).unwrap().bytes, b"n");
/// ```
pub type AuthResult = Result<bool, String>;

/// Answers the authentication conditions `pam`, `saslauthd` and
/// `ldapauth`.  The default behaves as Debian's Exim does on a machine
/// without PAM service, saslauthd daemon or LDAP server.
///
/// ```
/// use exim_expand::eval::{AuthProvider, AuthResult};
/// #[derive(Debug)]
/// struct OneUser;
/// impl AuthProvider for OneUser {
///     fn pam(&self, data: &[u8]) -> AuthResult {
///         Ok(data == b"alice:secret")
///     }
///     fn saslauthd(&self, _: &[u8], _: &[u8], _: Option<&[u8]>, _: Option<&[u8]>) -> AuthResult {
///         Ok(false)
///     }
///     fn ldapauth(&self, _: &[u8]) -> AuthResult {
///         Err("no LDAP here".into())
///     }
/// }
/// let engine = exim_expand::Engine::builder()
///     .auth(std::sync::Arc::new(OneUser))
///     .build()
///     .unwrap();
/// let t = engine.compile("${if pam{alice:secret}{yes}{no}}").unwrap();
/// assert_eq!(engine.expand(&t, &[]).unwrap().bytes, b"yes");
/// ```
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
///
/// ```
/// use exim_expand::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
/// use exim_expand::parser::LookupStyle;
/// #[derive(Debug)]
/// struct Down;
/// impl Lookup for Down {
///     fn style(&self) -> LookupStyle {
///         LookupStyle::Query
///     }
///     fn find(&self, _: &mut Evaluator, _: &LookupHandle, _: &LookupQuery)
///         -> Result<Option<Vec<u8>>, LookupFailure> {
///         Err(LookupFailure::Defer("server down".into()))
///     }
/// }
/// let mut ctx = exim_expand::Context::new();
/// ctx.register_lookup("down", std::sync::Arc::new(Down));
/// let e = exim_expand::expand(b"${lookup down{k}}", &mut ctx).unwrap_err();
/// assert_eq!(e.to_string(), "lookup of \"k\" gave DEFER: server down");
/// ```
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
///
/// ```
/// use exim_expand::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
/// use exim_expand::parser::LookupStyle;
/// /// A "file" is `/key=value/key=value...`, read once by `open`.
/// #[derive(Debug)]
/// struct Pairs;
/// impl Lookup for Pairs {
///     fn style(&self) -> LookupStyle {
///         LookupStyle::SingleKey
///     }
///     fn open(&self, _: &mut Evaluator, file: Option<&[u8]>)
///         -> Result<LookupHandle, LookupFailure> {
///         let file = file.unwrap_or_default();
///         let pairs: Vec<Vec<u8>> = file.split(|&c| c == b'/').map(Vec::from).collect();
///         Ok(Box::new(pairs))
///     }
///     fn find(&self, _: &mut Evaluator, h: &LookupHandle, q: &LookupQuery)
///         -> Result<Option<Vec<u8>>, LookupFailure> {
///         let pairs = h.downcast_ref::<Vec<Vec<u8>>>().expect("made by open");
///         Ok(pairs.iter().find_map(|p| p.strip_prefix(q.key)?.strip_prefix(b"=").map(Vec::from)))
///     }
/// }
/// let mut ctx = exim_expand::Context::new();
/// ctx.register_lookup("pairs", std::sync::Arc::new(Pairs));
/// let v = exim_expand::expand(b"${lookup{b}pairs{/a=1/b=2}}", &mut ctx).unwrap();
/// assert_eq!(v.bytes, b"2");
/// ```
pub type LookupHandle = Box<dyn std::any::Any + Send>;

/// One key (or query) to look up.
///
/// ```
/// use exim_expand::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
/// use exim_expand::parser::LookupStyle;
/// #[derive(Debug)]
/// struct Echo;
/// impl Lookup for Echo {
///     fn style(&self) -> LookupStyle {
///         LookupStyle::SingleKey
///     }
///     fn find(&self, _: &mut Evaluator, _: &LookupHandle, q: &LookupQuery)
///         -> Result<Option<Vec<u8>>, LookupFailure> {
///         Ok(Some([q.file.unwrap_or_default(), b" ", q.key].concat()))
///     }
/// }
/// let mut ctx = exim_expand::Context::new();
/// ctx.register_lookup("echo", std::sync::Arc::new(Echo));
/// let v = exim_expand::expand(b"${lookup{key}echo{/file}}", &mut ctx).unwrap();
/// assert_eq!(v.bytes, b"/file key");
/// ```
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
    /// The key or query was made from tainted data: it may not name a
    /// server to connect to (Exim: `server "X" is tainted`).
    pub tainted: bool,
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
///
/// ```
/// use exim_expand::eval::{Answer, DnsError, RData, Record, Resolver, RrType};
/// #[derive(Debug)]
/// struct Zone;
/// impl Resolver for Zone {
///     fn query(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError> {
///         match (name, rr) {
///             (b"example.com", RrType::Mx) => Ok(Answer {
///                 records: vec![Record {
///                     name: name.to_vec(),
///                     ttl: 3600,
///                     data: RData::Mx { preference: 10, exchange: b"mx.example.com".to_vec() },
///                 }],
///                 authenticated: false,
///             }),
///             (b"example.com", _) => Err(DnsError::NoData),
///             _ => Err(DnsError::NoSuchName),
///         }
///     }
/// }
/// let engine = exim_expand::Engine::builder()
///     .resolver(std::sync::Arc::new(Zone))
///     .build()
///     .unwrap();
/// let answer = engine.settings().resolver.query(b"example.com", RrType::Mx).unwrap();
/// assert!(matches!(&answer.records[0].data, RData::Mx { preference: 10, .. }));
/// assert_eq!(engine.settings().resolver.query(b"example.com", RrType::A), Err(DnsError::NoData));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RrType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Canonical name of an alias.
    Cname,
    /// Mail exchanger.
    Mx,
    /// Name server.
    Ns,
    /// Pointer, for reverse lookups in `in-addr.arpa` and `ip6.arpa`.
    Ptr,
    /// Start of a zone of authority.
    Soa,
    /// The obsolete SPF type (99); SPF policies are TXT records now.
    Spf,
    /// Service location.
    Srv,
    /// DANE certificate association.
    Tlsa,
    /// Text: SPF policies, DKIM keys, DNS list explanations.
    Txt,
}

/// The data of one DNS record; names are in presentation form without
/// the final dot (`mx.example.com`).
///
/// ```
/// use exim_expand::eval::RData;
/// let a = RData::A("192.0.2.1".parse().unwrap());
/// assert_eq!(a, RData::A(std::net::Ipv4Addr::new(192, 0, 2, 1)));
/// let txt = RData::Txt(vec![b"v=spf1 ".to_vec(), b"-all".to_vec()]);
/// assert!(matches!(txt, RData::Txt(parts) if parts.concat() == b"v=spf1 -all"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RData {
    /// An A record's address.
    A(std::net::Ipv4Addr),
    /// An AAAA record's address.
    Aaaa(std::net::Ipv6Addr),
    /// The name an alias stands for.
    Cname(Vec<u8>),
    /// A mail exchanger.
    Mx {
        /// Lower values are tried first.
        preference: u16,
        /// The mail exchanger's host name.
        exchange: Vec<u8>,
    },
    /// A name server's host name.
    Ns(Vec<u8>),
    /// The name a reverse lookup found.
    Ptr(Vec<u8>),
    /// A zone's start of authority.
    Soa {
        /// The zone's primary name server.
        mname: Vec<u8>,
        /// The responsible person's mailbox in name form
        /// (`hostmaster.example.com`).
        rname: Vec<u8>,
        /// The zone's serial number.
        serial: u32,
        /// Seconds between refreshes of a secondary server.
        refresh: u32,
        /// Seconds before a failed refresh is retried.
        retry: u32,
        /// Seconds after which a secondary that cannot refresh stops answering.
        expire: u32,
        /// TTL of negative answers, in seconds (RFC 2308).
        minimum: u32,
    },
    /// A service location.
    Srv {
        /// Lower values are tried first.
        priority: u16,
        /// Relative share among targets of equal priority.
        weight: u16,
        /// The service's port.
        port: u16,
        /// The host that provides the service.
        target: Vec<u8>,
    },
    /// A DANE certificate association (RFC 6698).
    Tlsa {
        /// Certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.
        usage: u8,
        /// 0: the whole certificate; 1: its public key.
        selector: u8,
        /// 0: `data` is the selected content; 1: its SHA-256; 2: its SHA-512.
        matching_type: u8,
        /// The association data, binary.
        data: Vec<u8>,
    },
    /// TXT and SPF records: their character strings, unjoined.
    Txt(Vec<Vec<u8>>),
}

/// One record of an answer.
///
/// ```
/// use exim_expand::eval::{RData, Record};
/// let data = RData::Ns(b"ns1.example.com".to_vec());
/// let r = Record { name: b"example.com".to_vec(), ttl: 300, data };
/// assert_eq!(r.clone(), r);
/// assert!(matches!(&r.data, RData::Ns(host) if host == b"ns1.example.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The owner name (after CNAMEs were followed, the target's).
    pub name: Vec<u8>,
    /// Seconds the record may be cached.
    pub ttl: u32,
    /// The record's type and data.
    pub data: RData,
}

/// The records that answer a query, in the order the server gave them
/// (CNAMEs first when a name was an alias).
///
/// ```
/// use exim_expand::eval::Answer;
/// let a = Answer::default();
/// assert!(a.records.is_empty() && !a.authenticated);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The records, in the order the server gave them.
    pub records: Vec<Record>,
    /// The resolver validated the answer with DNSSEC (the AD bit).
    pub authenticated: bool,
}

/// Why a DNS query gave no records: Exim's `DNS_NOMATCH`, `DNS_NODATA`,
/// `DNS_AGAIN` and `DNS_FAIL`.
///
/// ```
/// use exim_expand::dns::ZoneResolver;
/// use exim_expand::eval::{DnsError, Resolver, RrType};
/// let r = ZoneResolver::from_zone_text(
///     "example.test",
///     "$TTL 300\n@ SOA ns hm 1 3600 600 86400 300\n  NS ns\nns A 192.0.2.1\n",
/// )
/// .unwrap();
/// assert_eq!(r.query(b"nosuch.example.test", RrType::A), Err(DnsError::NoSuchName));
/// assert_eq!(r.query(b"ns.example.test", RrType::Mx), Err(DnsError::NoData));
/// ```
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
///
/// ```
/// use exim_expand::eval::{Answer, DnsError, Resolver, RrType};
/// #[derive(Debug)]
/// struct Nothing;
/// impl Resolver for Nothing {
///     fn query(&self, _: &[u8], _: RrType) -> Result<Answer, DnsError> {
///         Err(DnsError::NoSuchName)
///     }
/// }
/// let engine = exim_expand::Engine::builder()
///     .resolver(std::sync::Arc::new(Nothing))
///     .build()
///     .unwrap();
/// let r = engine.settings().resolver.query(b"nowhere.example", RrType::Txt);
/// assert_eq!(r, Err(DnsError::NoSuchName));
/// ```
pub trait Resolver: Debug + Send + Sync {
    /// Looks `name` (presentation form, no final dot) up for `rr`.
    fn query(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError>;

    /// Looks `name` up as Exim's resolver options at the time ask for it
    /// (the default ignores them and calls [`Resolver::query`]).
    fn query_with(&self, name: &[u8], rr: RrType, flags: QueryFlags) -> Result<Answer, DnsError> {
        let _ = flags;
        self.query(name, rr)
    }

    /// The names the host table (/etc/hosts for the system's resolver)
    /// gives an address, as `gethostbyaddr` finds them; none by default.
    fn host_table_names(&self, address: std::net::IpAddr) -> Vec<Vec<u8>> {
        let _ = address;
        Vec::new()
    }

    /// The addresses the host table gives a name, as `gethostbyname`
    /// finds them before it asks the DNS; none by default.
    fn host_table_addresses(&self, name: &[u8]) -> Vec<std::net::IpAddr> {
        let _ = name;
        Vec::new()
    }

    /// What the policy must grant before this resolver is asked: the
    /// network (the default), or nothing for one that answers from
    /// memory or files the embedder chose (zone files, a mock).
    fn capability(&self) -> Option<super::Capability> {
        Some(super::Capability::Network)
    }
}

/// The resolver options of one query, as Exim sets them before asking.
///
/// ```
/// use exim_expand::eval::QueryFlags;
/// assert!(!QueryFlags::default().dnssec_ok);
/// assert!(QueryFlags::dnssec().dnssec_ok);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct QueryFlags {
    /// Ask with the DNSSEC OK bit (and so with EDNS0): Exim's
    /// `RES_USE_DNSSEC`, set by `dnsdb` unless `dnssec_never` is given and
    /// by `dns_dnssec_ok = 1`.  It changes more than the AD bit: a server's
    /// referral then carries an OPT record, and glibc takes it for an
    /// answer without data instead of a lame server.
    pub dnssec_ok: bool,
    /// Seconds before a query is sent again (the resolver's `retrans`):
    /// Exim's `dns_retrans`, or a `dnsdb` lookup's `retrans_`; `None`
    /// leaves the resolver's own.
    pub retrans: Option<u32>,
    /// How many times a query is sent (the resolver's `retry`): Exim's
    /// `dns_retry`, or a `dnsdb` lookup's `retry_`.
    pub retry: Option<u32>,
}

impl QueryFlags {
    /// With the DNSSEC OK bit.
    pub fn dnssec() -> QueryFlags {
        QueryFlags {
            dnssec_ok: true,
            ..QueryFlags::default()
        }
    }
}

/// A message digest the engine asks [`Crypto`] for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Digest {
    /// MD5 (`${md5:}`, `hmac{md5}`, SRS, `crypteq{...}{\{md5\}...}`).
    Md5,
    /// SHA-1 (`${sha1:}`, `hmac{sha1}`, `prvs`).
    Sha1,
    /// SHA-256 (`${sha256:}`, `${sha2:}`).
    Sha256,
    /// SHA-384 (`${sha2_384:}`).
    Sha384,
    /// SHA-512 (`${sha2_512:}`).
    Sha512,
    /// SHA3-224 (`${sha3_224:}`).
    Sha3_224,
    /// SHA3-256 (`${sha3:}`).
    Sha3_256,
    /// SHA3-384 (`${sha3_384:}`).
    Sha3_384,
    /// SHA3-512 (`${sha3_512:}`).
    Sha3_512,
}

/// Digests and MACs for `md5`, `sha1`, `sha2`, `sha3`, `hmac`, `prvs`, SRS
/// and `crypteq`'s `{md5}`/`{sha1}`, and `crypt(3)` for `crypteq`'s other
/// hashes; the default is the RustCrypto crates and a pure-Rust `crypt`
/// giving libxcrypt's answers.  An embedder may route them elsewhere (a
/// FIPS module, an HSM, the system's `crypt`).
///
/// ```
/// use exim_expand::eval::{Crypto, Digest};
/// use std::sync::Arc;
///
/// /// Counts digests, then leaves them to the default.
/// #[derive(Debug, Default)]
/// struct Counting(std::sync::atomic::AtomicUsize);
/// impl Crypto for Counting {
///     fn digest(&self, alg: Digest, data: &[u8]) -> Vec<u8> {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         exim_expand::Engine::new().settings().crypto.digest(alg, data)
///     }
///     fn hmac(&self, alg: Digest, key: &[u8], data: &[u8]) -> Vec<u8> {
///         exim_expand::Engine::new().settings().crypto.hmac(alg, key, data)
///     }
///     fn crypt(&self, phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
///         exim_expand::Engine::new().settings().crypto.crypt(phrase, setting)
///     }
/// }
/// let counting = Arc::new(Counting::default());
/// let engine = exim_expand::Engine::builder().crypto(counting.clone()).build().unwrap();
/// let t = engine.compile("${md5:abc}").unwrap();
/// assert_eq!(engine.expand(&t, &[]).unwrap().bytes, b"900150983cd24fb0d6963f7d28e17f72");
/// assert_eq!(counting.0.load(std::sync::atomic::Ordering::Relaxed), 1);
/// ```
pub trait Crypto: Debug + Send + Sync {
    /// The digest of `data`.
    fn digest(&self, alg: Digest, data: &[u8]) -> Vec<u8>;
    /// HMAC of `data` with `key`.
    fn hmac(&self, alg: Digest, key: &[u8], data: &[u8]) -> Vec<u8>;
    /// `crypt(3)`: the hash string `setting` (its scheme, salt and cost)
    /// says to make of `phrase`, as `crypteq` compares it; `None` for a
    /// setting the provider cannot or will not compute (it never
    /// matches).
    fn crypt(&self, phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>>;
    /// Signs `data` with the private `key` (PEM or DER, PKCS#8 or PKCS#1
    /// for RSA; PKCS#8 or the 32-byte seed for Ed25519), as DKIM and ARC
    /// sign.  The default refuses: a provider that only digests need not
    /// sign.
    fn sign(&self, alg: SignatureAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let _ = (key, data);
        Err(SignatureError::Unsupported(alg))
    }
    /// Whether `signature` is the public `key`'s over `data` (the key as
    /// DKIM's `p=` tag holds it, decoded: DER SubjectPublicKeyInfo or
    /// PKCS#1 for RSA, the raw 32 bytes for Ed25519; PEM also accepted).
    /// The default refuses.
    fn verify(
        &self,
        alg: SignatureAlg,
        key: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<bool, SignatureError> {
        let _ = (key, data, signature);
        Err(SignatureError::Unsupported(alg))
    }
}

/// A signature algorithm of DKIM and ARC (RFC 6376 `a=` tag, RFC 8463).
///
/// ```
/// use exim_expand::eval::SignatureAlg;
/// let engine = exim_expand::Engine::new();
/// let crypto = &engine.settings().crypto;
/// let seed = [7u8; 32];
/// let sig = crypto.sign(SignatureAlg::Ed25519Sha256, &seed, b"data").unwrap();
/// assert_eq!(sig.len(), 64);
/// assert_eq!(SignatureAlg::from_dkim("ed25519-sha256"), Some(SignatureAlg::Ed25519Sha256));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlg {
    /// `rsa-sha1`: RSASSA-PKCS1-v1_5 over SHA-1 (verification of old
    /// signatures; RFC 8301 forbids signing with it).
    RsaSha1,
    /// `rsa-sha256`: RSASSA-PKCS1-v1_5 over SHA-256.
    RsaSha256,
    /// `rsa-sha512`: RSASSA-PKCS1-v1_5 over SHA-512 (not in the RFCs, but
    /// Exim's pdkim verifies it).
    RsaSha512,
    /// `ed25519-sha256`: Ed25519 over the SHA-256 digest of the data
    /// (RFC 8463 section 3).
    Ed25519Sha256,
}

impl SignatureAlg {
    /// The algorithm a DKIM `a=` tag names.
    pub fn from_dkim(name: &str) -> Option<SignatureAlg> {
        match name.to_ascii_lowercase().as_str() {
            "rsa-sha1" => Some(SignatureAlg::RsaSha1),
            "rsa-sha256" => Some(SignatureAlg::RsaSha256),
            "rsa-sha512" => Some(SignatureAlg::RsaSha512),
            "ed25519-sha256" => Some(SignatureAlg::Ed25519Sha256),
            _ => None,
        }
    }

    /// The `a=` tag's name.
    pub fn dkim_name(self) -> &'static str {
        match self {
            SignatureAlg::RsaSha1 => "rsa-sha1",
            SignatureAlg::RsaSha256 => "rsa-sha256",
            SignatureAlg::RsaSha512 => "rsa-sha512",
            SignatureAlg::Ed25519Sha256 => "ed25519-sha256",
        }
    }
}

/// Why a signature could not be made or checked (a signature that does
/// not verify is `Ok(false)`, not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The provider does not do this algorithm.
    Unsupported(SignatureAlg),
    /// The key could not be read.
    BadKey(String),
    /// Signing failed (a key too small for the digest, ...).
    Failed(String),
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureError::Unsupported(a) => {
                write!(f, "the crypto provider does not do {}", a.dkim_name())
            }
            SignatureError::BadKey(m) | SignatureError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SignatureError {}
