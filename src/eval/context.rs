//! The evaluation context: configuration, variable values, the clock and
//! the state that persists between expansions of one session (`$runrc`,
//! ACL connection variables, ...).

use super::Value;
use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

/// The variables a context sets, by name.  Hashed with foldhash: the
/// map is read for every `$name` evaluated, and SipHash cost more than
/// the rest of a short expansion.
pub type VarMap = HashMap<String, Value, foldhash::fast::RandomState>;

/// Optional features a profile may have compiled in.
///
/// ```
/// use exim_expand::eval::{Context, Features, Profile};
/// let features = Features { dcc: true, ..Features::NONE };
/// let profile = Profile { features, ..Profile::DEBIAN_4_96 };
/// let mut ctx = Context::for_profile(profile);
/// assert!(exim_expand::expand(b"$dcc_result", &mut ctx).is_ok());
/// // Debian's build has no DCC: "unknown variable name "dcc_result"".
/// assert!(exim_expand::expand(b"$dcc_result", &mut Context::new()).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    /// EXPERIMENTAL_ARC: `$arc_state`, `$arc_domains` and the other `$arc_*`.
    pub arc: bool,
    /// SUPPORT_DMARC: `$dmarc_status`, `$dmarc_domain_policy` and the other
    /// `$dmarc_*`.
    pub dmarc: bool,
    /// EXPERIMENTAL_BRIGHTMAIL: `$bmi_deliver`, `$bmi_alt_location` and the
    /// other `$bmi_*`.
    pub brightmail: bool,
    /// EXPERIMENTAL_DCC: `$dcc_header` and `$dcc_result`.
    pub dcc: bool,
    /// Names from earlier documentation: `$proxy_host_address` & co.
    /// (renamed in 4.87, Exim commit d223e9344 "Doc: change in proxy
    /// variable names. Bug 1813") and `$dmarc_ar_header` (DMARC's first
    /// release, commit 4840604e4).
    pub legacy_names: bool,
    /// EXPERIMENTAL_SRS (libsrs_alt, Exim up to 4.94): `$srs_db_address`,
    /// `$srs_db_key`, `$srs_orig_recipient`, `$srs_orig_sender`,
    /// `$srs_status` (4.94's expand.c variable table).
    pub srs_alt: bool,
    /// `$utf8_downconvert`: the SMTPUTF8 downconversion setting (1, 0 or
    /// -1; the spec's default for the smtp transport option is -1) shown
    /// to embedders as a variable.  Not an Exim variable.
    pub utf8_downconvert: bool,
}

impl Features {
    /// No optional feature, as in Debian's build.
    pub const NONE: Features = Features {
        arc: false,
        dmarc: false,
        brightmail: false,
        dcc: false,
        legacy_names: false,
        srs_alt: false,
        utf8_downconvert: false,
    };
    /// Every optional feature (the `exim-4.96-full` profile).
    pub const ALL: Features = Features {
        arc: true,
        dmarc: true,
        brightmail: true,
        dcc: true,
        legacy_names: true,
        srs_alt: true,
        utf8_downconvert: true,
    };
}

/// Which Exim build the defaults imitate.
///
/// ```
/// use exim_expand::eval::{Context, Profile};
/// assert_eq!(Profile::by_name("exim-4.96-full"), Some(Profile::UPSTREAM_4_96_FULL));
/// let mut ctx = Context::for_profile(Profile::DEBIAN_4_96);
/// let v = exim_expand::expand(b"$version_number $spool_directory", &mut ctx).unwrap();
/// assert_eq!(v.bytes, b"4.96 /var/spool/exim4");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name, as `--profile` takes it (`debian-4.96`).
    pub name: &'static str,
    /// `$version_number` and `$exim_version`.
    pub version: &'static str,
    /// `$compile_number`.
    pub compile_number: &'static str,
    /// `$compile_date`.
    pub compile_date: &'static str,
    /// `$exim_path` unless the `exim_path` option is set.
    pub exim_path: &'static str,
    /// `$spool_directory` unless the `spool_directory` option is set.
    pub spool_directory: &'static str,
    /// The charset `$h_` decodes headers into unless the `headers_charset`
    /// option is set.
    pub headers_charset: &'static str,
    /// The user Exim runs as (the build's `EXIM_USER`).
    pub exim_user: &'static str,
    /// `$exim_uid` when the system has no [`Profile::exim_user`] account.
    pub exim_uid: u32,
    /// `$exim_gid` when the system has no [`Profile::exim_user`] account.
    pub exim_gid: u32,
    /// Optional features compiled in (their variables exist only then).
    pub features: Features,
}

impl Profile {
    /// Debian's `exim4-daemon-heavy` 4.96 (the default oracle).
    pub const DEBIAN_4_96: Profile = Profile {
        name: "debian-4.96",
        version: "4.96",
        compile_number: "2",
        compile_date: "24-Jun-2025 13:09:28",
        exim_path: "/usr/sbin/exim4",
        spool_directory: "/var/spool/exim4",
        headers_charset: "UTF-8",
        exim_user: "Debian-exim",
        exim_uid: 101,
        exim_gid: 103,
        features: Features::NONE,
    };

    /// Upstream 4.96 built with every optional feature (EXPERIMENTAL_ARC,
    /// SUPPORT_DMARC, EXPERIMENTAL_BRIGHTMAIL, EXPERIMENTAL_DCC) and the
    /// documented legacy variable names; otherwise as Debian's.
    pub const UPSTREAM_4_96_FULL: Profile = Profile {
        name: "exim-4.96-full",
        features: Features::ALL,
        ..Profile::DEBIAN_4_96
    };

    /// The named profiles.
    pub const ALL: &'static [Profile] = &[Profile::DEBIAN_4_96, Profile::UPSTREAM_4_96_FULL];

    /// The profile of that name among [`Profile::ALL`].
    pub fn by_name(name: &str) -> Option<Profile> {
        Profile::ALL.iter().find(|p| p.name == name).cloned()
    }
}

use crate::config::Config;
pub use crate::config::ListKind;

/// Where time comes from: the system clock ([`SystemClock`]), a pinned
/// instant ([`FixedClock`]) for deterministic tests, or an embedder's own.
///
/// ```
/// use exim_expand::eval::Clock;
/// #[derive(Debug)]
/// struct Noon; // 2024-01-15 12:00:00 UTC, forever
/// impl Clock for Noon {
///     fn now(&self) -> (i64, u32) {
///         (1_705_320_000, 0)
///     }
/// }
/// let mut ctx = exim_expand::Context::new();
/// ctx.clock = std::sync::Arc::new(Noon);
/// assert_eq!(exim_expand::expand(b"$tod_epoch", &mut ctx).unwrap().bytes, b"1705320000");
/// ```
pub trait Clock: std::fmt::Debug + Send + Sync {
    /// Seconds and microseconds since the epoch.
    fn now(&self) -> (i64, u32);

    /// The instant, when the clock stands still.
    fn fixed(&self) -> Option<(i64, u32)> {
        None
    }
}

/// The system's clock.
///
/// ```
/// use exim_expand::eval::{Clock, SystemClock};
/// let (secs, micros) = SystemClock.now();
/// assert!(secs > 1_700_000_000 && micros < 1_000_000);
/// assert_eq!(SystemClock.fixed(), None);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> (i64, u32) {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        (d.as_secs() as i64, d.subsec_micros())
    }
}

/// A clock pinned at one instant.
///
/// ```
/// use exim_expand::eval::FixedClock;
/// let mut ctx = exim_expand::Context::new();
/// ctx.clock = std::sync::Arc::new(FixedClock { secs: 1705320000, micros: 0 });
/// let v = exim_expand::expand(b"$tod_epoch", &mut ctx).unwrap();
/// assert_eq!(v.bytes, b"1705320000");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock {
    /// Seconds since the epoch (`$tod_epoch`).
    pub secs: i64,
    /// Microseconds into that second.
    pub micros: u32,
}

impl Clock for FixedClock {
    fn now(&self) -> (i64, u32) {
        (self.secs, self.micros)
    }

    fn fixed(&self) -> Option<(i64, u32)> {
        Some((self.secs, self.micros))
    }
}

/// Budgets that bound every evaluation, so that hostile or mistaken input
/// (a huge `${map}`, runaway nesting of `${expand}`) ends with an error
/// instead of exhausting the machine.  Exim has no such limits; the
/// defaults are far above what configurations produce.
///
/// ```
/// use exim_expand::{Context, ErrorKind, expand};
/// let mut ctx = Context::new();
/// ctx.limits.max_output = 10;
/// let e = expand(b"${lc:0123456789ABC}", &mut ctx).unwrap_err();
/// assert_eq!(e.kind, ErrorKind::Limit);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes any one string under evaluation may grow to.
    pub max_output: usize,
    /// Longest one top-level evaluation may run (`None`: unbounded).
    pub max_time: Option<std::time::Duration>,
    /// Most bytes read from one file or socket (list files, lsearch files,
    /// `${readfile}`, `${readsocket}`): `/dev/zero` ends in an error.
    pub max_read: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_output: 64 << 20,
            max_time: Some(std::time::Duration::from_secs(30)),
            max_read: 64 << 20,
        }
    }
}

/// One kind of access to the world outside the expansion.  Every item,
/// condition, lookup and ACL that reads a file, opens a socket, starts a
/// process or reaches the network asks the [`Policy`] for its capability
/// first, in one place ([`Policy::require`]).
///
/// ```
/// use exim_expand::{Capability, Context, ErrorKind, expand};
/// let mut ctx = Context::new(); // grants nothing
/// assert_eq!(expand(b"${env{HOME}}", &mut ctx).unwrap_err().kind, ErrorKind::Refused);
/// ctx.policy.allowed.insert(Capability::Env);
/// assert!(expand(b"${env{HOME}}", &mut ctx).is_ok());
/// assert_eq!(Capability::from_name("readfile"), Some(Capability::ReadFile));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// `${env{}}`: read the process environment.
    Env,
    /// Read files: lookups on files, list files in match lists, `exists`,
    /// `${stat:}`, the `passwd` lookup.
    Files,
    /// `${run}`: start processes.
    Run,
    /// `${readfile}`: read a whole file into the result.
    ReadFile,
    /// `${readsocket}`: connect to sockets.
    ReadSocket,
    /// `${perl}`: run the Perl interpreter.
    Perl,
    /// `${dlfunc}`: load shared objects and call into them.
    Dlfunc,
    /// `${acl}` and the `acl` condition: run ACLs (their side effects:
    /// `set acl_c*`, `logwrite`, nested expansions).
    Acl,
    /// DNS and network lookups (dnsdb, ldap, sql and redis servers).
    Network,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 9] = [
        Capability::Env,
        Capability::Files,
        Capability::Run,
        Capability::ReadFile,
        Capability::ReadSocket,
        Capability::Perl,
        Capability::Dlfunc,
        Capability::Acl,
        Capability::Network,
    ];

    /// The capability's name (`run`, `readfile`, ...), as the command line
    /// and the Python API spell it.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Env => "env",
            Capability::Files => "files",
            Capability::Run => "run",
            Capability::ReadFile => "readfile",
            Capability::ReadSocket => "readsocket",
            Capability::Perl => "perl",
            Capability::Dlfunc => "dlfunc",
            Capability::Acl => "acl",
            Capability::Network => "network",
        }
    }

    /// The capability with a given name.
    pub fn from_name(name: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.name() == name)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of [`Capability`]s.
///
/// ```
/// use exim_expand::eval::{Capabilities, Capability};
/// let c = Capabilities::NONE.with(Capability::Env);
/// assert!(c.contains(Capability::Env) && !c.contains(Capability::Run));
/// assert_eq!(Capabilities::ALL.without(Capability::Run).iter().count(), 8);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities(u16);

impl Capabilities {
    /// The empty set.
    pub const NONE: Capabilities = Capabilities(0);
    /// Every capability.
    pub const ALL: Capabilities = Capabilities((1 << Capability::ALL.len()) - 1);

    /// Whether `c` is in the set.
    pub fn contains(self, c: Capability) -> bool {
        self.0 & c.bit() != 0
    }

    /// The set with `c` added.
    pub fn with(self, c: Capability) -> Capabilities {
        Capabilities(self.0 | c.bit())
    }

    /// The set with `c` taken out.
    pub fn without(self, c: Capability) -> Capabilities {
        Capabilities(self.0 & !c.bit())
    }

    /// Adds `c`.
    pub fn insert(&mut self, c: Capability) {
        *self = self.with(c);
    }

    /// Takes `c` out.
    pub fn remove(&mut self, c: Capability) {
        *self = self.without(c);
    }

    /// Whether no capability is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The capabilities in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |&c| self.contains(c))
    }
}

impl std::fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Capability::name))
            .finish()
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(it: I) -> Capabilities {
        it.into_iter().fold(Capabilities::NONE, Capabilities::with)
    }
}

/// What the expansion may touch: files, processes, the network.
///
/// The default (for library use) grants no capability: what needs one
/// fails with a message naming it (see [`Policy::refusal`]).  The
/// `exim -be` drop-in uses [`Policy::permissive`], as Exim itself allows
/// all of it.
///
/// ```
/// use exim_expand::eval::{Capability, Policy};
/// let p = Policy::default();
/// assert!(!p.allows(Capability::Run));
/// let refused = p.check(Capability::Run, "running a command").unwrap_err();
/// assert_eq!(refused.kind, exim_expand::ErrorKind::Refused);
/// assert_eq!(
///     refused.to_string(),
///     "running a command is not permitted by the expansion policy (capability \"run\" not granted)"
/// );
/// assert!(Policy::permissive().allows(Capability::Run));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The capabilities granted.
    pub allowed: Capabilities,
    /// Write Exim's log lines (ACL `logwrite`, warnings Exim logs while
    /// expanding) to standard error, as `exim -be` does.
    pub log_to_stderr: bool,
}

impl Policy {
    /// Everything allowed, as `exim -be` does.
    pub fn permissive() -> Policy {
        Policy {
            allowed: Capabilities::ALL,
            log_to_stderr: true,
        }
    }

    /// Whether `c` is granted.
    pub fn allows(&self, c: Capability) -> bool {
        self.allowed.contains(c)
    }

    /// The message for `what` refused for want of `c`.
    pub fn refusal(what: &str, c: Capability) -> String {
        format!(
            "{what} is not permitted by the expansion policy (capability \"{}\" not granted)",
            c.name()
        )
    }

    /// `Ok` when `c` is granted; else the refusal, a [`super::Failure`]
    /// of kind [`super::ErrorKind::Refused`].
    pub fn check(&self, c: Capability, what: &str) -> Result<(), super::Failure> {
        if self.allows(c) {
            Ok(())
        } else {
            Err(super::Failure::refused(Policy::refusal(what, c)))
        }
    }

    /// `Ok` when `c` is granted; else the refusal as an expansion error of
    /// kind [`super::ErrorKind::Refused`] at `span`.
    pub fn require(
        &self,
        c: Capability,
        what: &str,
        span: crate::parser::Span,
    ) -> Result<(), super::ExpandError> {
        self.check(c, what).map_err(|f| f.at(span))
    }
}

/// What every evaluation of an engine shares: the profile and its
/// builtins, the configuration, the providers, the policy and the limits.
/// Immutable once an engine is built; a [`Context`] holds it behind an
/// `Arc` and copies it only when it is changed (copy on write).
///
/// ```
/// use exim_expand::{Capability, Engine};
/// let engine = Engine::builder().option("qualify_domain", "example.org").build().unwrap();
/// let settings = engine.settings();
/// assert_eq!(settings.option("qualify_domain"), Some("example.org"));
/// assert_eq!(settings.profile.name, "debian-4.96");
/// assert!(!settings.policy.allows(Capability::Run));
/// ```
#[derive(Debug, Clone)]
pub struct Settings {
    /// The Exim build being imitated: version, paths, optional features.
    pub profile: Profile,
    /// The builtins new templates are parsed with (the profile's), and the
    /// lookup types.
    pub registry: std::sync::Arc<super::Registry>,
    /// Main-section options from the configuration (raw text).
    pub options: BTreeMap<String, String>,
    /// Named lists from the configuration.
    pub named_lists: BTreeMap<(ListKind, String), String>,
    /// The process environment as Exim sees it after `keep_environment`.
    pub environment: BTreeMap<String, String>,
    /// Where the time comes from: `$tod_*`, the id of a message loaded
    /// as `-bem` does, the SRS and prvs time stamps.
    pub clock: std::sync::Arc<dyn Clock>,
    /// What expansions may touch: files, processes, the network.
    pub policy: Policy,
    /// Answers the `pam`, `saslauthd` and `ldapauth` conditions.
    pub auth: std::sync::Arc<dyn super::AuthProvider>,
    /// Answers DNS queries (`dnsdb`, `@mx_*`, `dnslists`, SPF, DKIM).
    pub resolver: std::sync::Arc<dyn super::Resolver>,
    /// Digests and MACs.
    pub crypto: std::sync::Arc<dyn super::Crypto>,
    /// The configuration file name (`$config_file`).
    pub config_file: String,
    /// Output-size and time budgets for each evaluation.
    pub limits: Limits,
    /// The whole configuration (ACL definitions for `${acl}`).
    pub config: Option<std::sync::Arc<crate::config::Config>>,
}

/// The state of one session (one `exim -be` run, one SMTP connection, one
/// embedder's evaluation): the variables, the message, what Exim keeps
/// between expansions (`$value`, `$runrc`, `acl_c*`, the lookup cache),
/// and the shared [`Settings`], which it dereferences to (`ctx.policy`,
/// `ctx.option(..)`); changing a setting copies the settings first.
///
/// ```
/// use exim_expand::{Context, expand};
/// let mut ctx = Context::new();
/// ctx.set_var("local_part", "Postmaster");
/// assert_eq!(expand(b"${lc:$local_part}", &mut ctx).unwrap().bytes, b"postmaster");
/// assert_eq!(ctx.profile.name, "debian-4.96"); // a setting, through Deref
/// ```
#[derive(Debug, Clone)]
pub struct Context {
    /// Shared with the engine and its other sessions.
    pub settings: std::sync::Arc<Settings>,
    /// Variable values set by the embedder, the command line or earlier
    /// expansions; they override the built-in defaults.
    pub vars: VarMap,
    /// `$value` as one evaluation left it, for a session that carries it
    /// to the next (the `-be` drop-in, as Exim's process-wide variable).
    pub session_value: Option<super::Value>,
    /// `$0`..`$n` likewise (Exim's numeric variables are process-wide too).
    pub session_captures: super::Captures,
    /// The message whose headers and body the expansion sees (`-bem`).
    pub message: Option<std::sync::Arc<crate::message::Message>>,
    /// Lookup results of this process (Exim's per-file lookup cache).
    pub lookup_cache: super::LookupCache,
    /// The reverse lookup of the client's host name (`$sender_host_name`),
    /// done once when first needed.
    pub host_name: HostNameState,
    /// The resolver's DNSSEC OK bit: once a `dnsdb` lookup set it, later
    /// queries of the process ask with it too (Exim's `dns_init` never
    /// clears it).
    pub dns_dnssec_ok: bool,
    /// The resolver's `retrans` and `retry` as a `dnsdb` lookup's
    /// `retrans_`/`retry_` left them (Exim's `dns_init` sets them and never
    /// puts the resolver's own back).
    pub dns_retrans: Option<u32>,
    /// See [`Context::dns_retrans`].
    pub dns_retry: Option<u32>,
    /// Log lines kept for the owner (an SMTP session) instead of echoed.
    pub log: super::LogBuffer,
    /// Where the ACL being run sits in an SMTP session.
    pub phase: super::SmtpPhase,
    /// Header lines that ACLs added to the message being received
    /// (`warn` with `message`, `add_header`), as Exim's `acl_added_headers`.
    pub added_headers: Vec<super::AddedHeader>,
    /// The `warn` log lines written for the current message (each is
    /// written once, as Exim's `acl_warn_logged`).
    pub warnings_logged: Vec<Vec<u8>>,
    /// `remove_header` lists of ACLs, for the message being received.
    pub removed_headers: Vec<Vec<u8>>,
    /// The controls ACLs obeyed (`name[/options]`), for the session.
    pub acl_controls: Vec<Vec<u8>>,
    /// The process id that `$pid` and message ids show (`None`: this
    /// process's); pinned for reproducible sessions.
    pub pid: Option<u32>,
    /// The context belongs to an SMTP session: `$sender_fullhost` and
    /// `$sender_rcvhost` are built from what the client said and from its
    /// looked-up name, as Exim's `host_build_sender_fullhost` does.
    pub smtp_session: bool,
    /// Those two show the client's port (the `incoming_port` log selector).
    pub show_incoming_port: bool,
    /// The HELO name was checked against the client (`verify = helo`):
    /// `None` until then, reset by each HELO.
    pub helo_verified: Option<bool>,
    /// Session state of builtins (a message's DKIM verification, its
    /// DMARC outcome), by type.
    pub extensions: super::Extensions,
    /// An `exim -bh` test session: files Exim would write (the DMARC
    /// history) are not written, and the person at the terminal is told
    /// that message ids are not real.
    pub host_checking: bool,
}

impl std::ops::Deref for Context {
    type Target = Settings;

    fn deref(&self) -> &Settings {
        &self.settings
    }
}

impl std::ops::DerefMut for Context {
    /// Copies the settings first when other contexts share them.
    fn deref_mut(&mut self) -> &mut Settings {
        std::sync::Arc::make_mut(&mut self.settings)
    }
}

impl Context {
    /// A context for `profile`, evaluating with `registry` and asking
    /// `auth` for the authentication conditions.  (`Context::new()` gives
    /// the default profile with its builtins.)
    pub fn with_builtins(
        profile: Profile,
        registry: std::sync::Arc<super::Registry>,
        auth: std::sync::Arc<dyn super::AuthProvider>,
        resolver: std::sync::Arc<dyn super::Resolver>,
        crypto: std::sync::Arc<dyn super::Crypto>,
    ) -> Context {
        Context::with_settings(std::sync::Arc::new(Settings {
            profile,
            registry,
            options: BTreeMap::new(),
            named_lists: BTreeMap::new(),
            environment: BTreeMap::new(),
            clock: std::sync::Arc::new(SystemClock),
            policy: Policy::default(),
            auth,
            resolver,
            crypto,
            config_file: String::new(),
            limits: Limits::default(),
            config: None,
        }))
    }

    /// A fresh session over shared settings.
    pub fn with_settings(settings: std::sync::Arc<Settings>) -> Context {
        Context {
            settings,
            vars: VarMap::default(),
            session_value: None,
            session_captures: super::Captures::default(),
            message: None,
            lookup_cache: super::LookupCache::default(),
            dns_dnssec_ok: false,
            dns_retrans: None,
            dns_retry: None,
            host_name: HostNameState::default(),
            log: super::LogBuffer::default(),
            phase: super::SmtpPhase::Unknown,
            added_headers: Vec::new(),
            warnings_logged: Vec::new(),
            removed_headers: Vec::new(),
            acl_controls: Vec::new(),
            pid: None,
            smtp_session: false,
            show_incoming_port: false,
            helo_verified: None,
            extensions: super::Extensions::default(),
            host_checking: false,
        }
    }

    /// Sets a variable, overriding a built-in one of that name (tainted only
    /// if `value` is a tainted [`Value`]).
    pub fn set_var(&mut self, name: &str, value: impl Into<Value>) {
        self.vars.insert(name.to_string(), value.into());
    }
}

impl Settings {
    /// A main-section option's value as configured.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    /// A boolean main option: unset gives `default`; set by a bare name it
    /// is stored as "true"; "false"/"no" (any case) turn it off.
    pub fn option_flag(&self, name: &str, default: bool) -> bool {
        match self.option(name) {
            None => default,
            Some(v) => {
                let v = v.trim();
                !(v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("no"))
            }
        }
    }

    /// Takes main options, named lists and `keep_environment` from a
    /// configuration.
    pub fn apply_config(&mut self, c: &Config) {
        self.config = Some(std::sync::Arc::new(c.clone()));
        for o in c.options() {
            self.options.insert(o.name.clone(), o.value.clone());
        }
        for l in c.named_lists() {
            self.named_lists
                .insert((l.kind, l.name.clone()), l.value.clone());
        }
        self.environment.clear();
        if let Some(keep) = self.options.get("keep_environment").cloned() {
            for name in crate::lists::split(keep.as_bytes()) {
                let name = String::from_utf8_lossy(&name).into_owned();
                if let Ok(v) = std::env::var(&name) {
                    self.environment.insert(name, v);
                }
            }
        }
        self.apply_timezone();
    }

    /// Exim then makes `TZ` agree with the `timezone` option (unless that
    /// is `utc`): a `TZ` that differs from it (or any `TZ`, when the option
    /// is unset) is removed, and the option's value put in.
    fn apply_timezone(&mut self) {
        let tz = self.options.get("timezone").cloned();
        if tz.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("utc")) {
            return;
        }
        if self.environment.get("TZ") != tz.as_ref() {
            self.environment.remove("TZ");
            if let Some(t) = tz {
                self.environment.insert("TZ".into(), t);
            }
        }
    }

    /// Adds a lookup type (or replaces one) for the expansions of this
    /// context; register before parsing templates that use it.
    pub fn register_lookup(&mut self, name: &str, lookup: std::sync::Arc<dyn super::Lookup>) {
        std::sync::Arc::make_mut(&mut self.registry).set_lookup(name, lookup);
    }

    /// The text of a named list from the configuration
    /// (`domainlist local_domains = ...`).
    pub fn named_list(&self, kind: ListKind, name: &str) -> Option<&str> {
        self.named_lists
            .get(&(kind, name.to_string()))
            .map(String::as_str)
    }

    /// The charset `$h_` headers are decoded into: the `headers_charset`
    /// option, else the profile's.
    pub fn headers_charset(&self) -> &str {
        self.option("headers_charset")
            .unwrap_or(self.profile.headers_charset)
    }

    /// `$primary_hostname`: the `primary_hostname` option, else the host
    /// name the system reports.
    pub fn primary_hostname(&self) -> String {
        if let Some(h) = self.option("primary_hostname") {
            return h.to_string();
        }
        let mut buf = [0u8; 256];
        // SAFETY: gethostname writes at most buf.len() bytes into buf.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
        if rc == 0 {
            let n = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            String::from_utf8_lossy(&buf[..n]).into_owned()
        } else {
            "localhost".to_string()
        }
    }
}

/// What Exim's `host_name_lookup` found for the client's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostNameLookup {
    /// A name whose forward lookup gives the address back, and the other
    /// verified names (`sender_host_aliases`).
    Found {
        /// `$sender_host_name`.
        name: Vec<u8>,
        /// The other names that were verified.
        aliases: Vec<Vec<u8>>,
        /// Every query was DNSSEC-authenticated (`$sender_host_dnssec`).
        dnssec: bool,
    },
    /// No name, or none that resolves back (`$host_lookup_failed`).
    Failed,
    /// A query deferred (`$host_lookup_deferred`).
    Deferred,
}

/// The session's host-name lookup, written once by the variable lookup
/// that needs it (through a shared reference, hence the lock).
#[derive(Debug, Default)]
pub struct HostNameState(std::sync::Mutex<(Option<HostNameLookup>, Vec<u8>)>);

impl HostNameState {
    /// The lookup's outcome, if it was done.
    pub fn get(&self) -> Option<HostNameLookup> {
        self.0.lock().map(|g| g.0.clone()).unwrap_or(None)
    }

    /// Records the outcome.
    pub fn set(&self, outcome: HostNameLookup) {
        if let Ok(mut g) = self.0.lock() {
            g.0 = Some(outcome);
        }
    }

    /// Why the lookup failed, as Exim adds it to log lines (its
    /// `host_lookup_msg`: ` (failed to find host name from IP address)`),
    /// or empty.
    pub fn failure_message(&self) -> Vec<u8> {
        self.0.lock().map(|g| g.1.clone()).unwrap_or_default()
    }

    /// Records why the lookup failed.
    pub fn set_failure_message(&self, msg: Vec<u8>) {
        if let Ok(mut g) = self.0.lock() {
            g.1 = msg;
        }
    }
}

impl Clone for HostNameState {
    fn clone(&self) -> HostNameState {
        HostNameState(std::sync::Mutex::new((self.get(), self.failure_message())))
    }
}
