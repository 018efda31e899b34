//! SPF as Debian's Exim 4.96 checks it with libspf2 1.2.10: the result of
//! the ACL `spf` and `spf_guess` conditions and the texts of
//! `$spf_header_comment`, `$spf_received` and `$spf_smtp_comment`.
//!
//! The evaluation follows libspf2 rather than RFC 7208 where the two
//! differ, because the goal is Exim's answers byte for byte: a record
//! that does not compile gives `(invalid)`, `include:` and `exp=` lookups
//! pass through Exim's DNS layer (which drops TXT records not starting
//! `v=spf1`, so most `exp=` texts fall back to the default), the
//! ten-lookup limit is counted per `include:` level, macro strings treat
//! a space like `%`, and so on; tests/data/spf/cases.jsonl holds the
//! oracle's answers.  mail-auth's SPF verifier was not used: its output
//! carries no error reason (libspf2 writes it into the comments) and no
//! `(invalid)` result, and its DNS cache hooks cannot express a
//! temporary failure for A, MX or PTR lookups.
//!
//! DNS goes only through the engine's [`Resolver`], with the name checks
//! of Exim's `dns_basic_lookup` in front.

mod dns;
mod parse;

use crate::eval::Resolver;
use parse::{ErrCode, Macro, Mechanism, Qualifier, Record, Var};
use std::net::IpAddr;

/// Exim's default `spf_smtp_comment_template`: the explanation when a
/// record names none that can be used.
pub const DEFAULT_SMTP_COMMENT_TEMPLATE: &[u8] = b"Please%_see%_http://www.open-spf.org/Why";

/// Exim's default `spf_guess`: the record `spf_guess` uses for a domain
/// without one.
pub const DEFAULT_GUESS: &[u8] = b"v=spf1 a/24 mx/24 ptr ?all";

/// libspf2's limit on DNS mechanisms in one record (and its includes'
/// own counts), on MX names and on PTR names looked at.
const MAX_DNS_MECH: u32 = 10;
const MAX_DNS_MX: usize = 10;
const MAX_DNS_PTR: usize = 10;
/// libspf2's bound on include/redirect nesting.
const MAX_DEPTH: u32 = 20;
/// Our own bound on the DNS queries of one check: libspf2 has none (its
/// limit of ten is per include level), so a tree of includes could ask
/// ten to the twentieth; past this many the check is a permerror.
const MAX_QUERIES: u32 = 1000;
/// libspf2's buffer sizes: the SMTP comment and Received-SPF line are
/// cut to one byte less.
const SMTP_COMMENT_SIZE: usize = 4 * 80;
const RECEIVED_SPF_SIZE: usize = 6 * 80;

/// One SPF check: the SMTP client and what it said.
#[derive(Debug, Clone, Copy)]
pub struct SpfRequest<'a> {
    /// The client's address.
    pub ip: IpAddr,
    /// The HELO/EHLO name; empty when the client gave none, which Exim
    /// answers with a permerror without comments (it sets SPF up at HELO).
    pub helo: &'a [u8],
    /// The envelope sender, empty for `<>` (then the HELO name is checked
    /// as `postmaster@HELO`).
    pub sender: &'a [u8],
    /// The receiving host's name: Exim's `primary_hostname`.
    pub receiver: &'a [u8],
    /// For the `spf_guess` condition: the record to evaluate when the
    /// domain has none (Exim's `spf_guess` option, [`DEFAULT_GUESS`]).
    pub guess: Option<&'a [u8]>,
    /// Exim's `spf_smtp_comment_template`, already expanded; `None` for
    /// [`DEFAULT_SMTP_COMMENT_TEMPLATE`].
    pub smtp_comment_template: Option<&'a [u8]>,
}

/// An SPF result as libspf2 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpfResult {
    /// libspf2's "no result": the domain's record did not compile, or
    /// its TXT lookup failed temporarily.  No condition word matches it.
    Invalid,
    /// `?` matched, or nothing did.
    Neutral,
    /// The client is permitted.
    Pass,
    /// The client is not permitted.
    Fail,
    /// `~` matched.
    SoftFail,
    /// The domain has no SPF record.
    None,
    /// A DNS lookup failed temporarily.
    TempError,
    /// The record is in error.
    PermError,
}

impl SpfResult {
    /// The name as `$spf_result` shows it (and the ACL condition's word).
    pub fn name(self) -> &'static str {
        match self {
            SpfResult::Invalid => "(invalid)",
            SpfResult::Neutral => "neutral",
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::None => "none",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }

    /// The word of the `spf` condition's list that matches this result
    /// (Exim's table: `invalid` for [`SpfResult::Invalid`]).
    pub fn condition_word(self) -> &'static str {
        match self {
            SpfResult::Invalid => "invalid",
            other => other.name(),
        }
    }
}

/// What a check found, as Exim's variables show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfOutcome {
    /// `$spf_result`.
    pub result: SpfResult,
    /// `$spf_result_guessed`: the `spf_guess` record was used.
    pub guessed: bool,
    /// `$spf_header_comment`.
    pub header_comment: Vec<u8>,
    /// `$spf_received`: a whole `Received-SPF:` header line.
    pub received: Vec<u8>,
    /// `$spf_smtp_comment`: explanation and reason, for fail, softfail
    /// and neutral.
    pub smtp_comment: Vec<u8>,
    /// The domain checked: the sender's, or the HELO name for `<>`.
    pub used_domain: Vec<u8>,
}

/// Checks SPF for `req`, asking `resolver` for every record.
pub fn check(resolver: &dyn Resolver, req: &SpfRequest) -> SpfOutcome {
    check_with(resolver, req)
}

/// The `spf` lookup's answer (Exim's lookups/spf.c): the mail-from check
/// of `sender` from `ip` alone, with no HELO name and no comments.  An
/// empty sender is refused (`None`), as libspf2 refuses it.
pub fn mailfrom_result(
    resolver: &dyn Resolver,
    ip: IpAddr,
    sender: &[u8],
    receiver: &[u8],
) -> Option<SpfResult> {
    if sender.is_empty() {
        return None;
    }
    let req = SpfRequest {
        ip,
        helo: b"",
        sender,
        receiver,
        guess: None,
        smtp_comment_template: None,
    };
    Some(match Session::new(resolver, &req).query_mailfrom() {
        Finished::Done(d) => d.result,
        Finished::Bare(r) => r,
    })
}

fn check_with(resolver: &dyn Resolver, req: &SpfRequest) -> SpfOutcome {
    let session = Session::new(resolver, req);
    if req.helo.is_empty() {
        return session.outcome_without_comments(SpfResult::PermError, false);
    }
    let first = session.query_mailfrom();
    match (req.guess, first) {
        (Some(guess), Finished::Done(done)) if done.result == SpfResult::None => {
            session.finish(session.query_fallback(guess), true)
        }
        (_, first) => session.finish(first, false),
    }
}

/// Why a result came: libspf2's reason, shown in the SMTP comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    None,
    Localhost,
    Mechanism,
    Default,
    Failure,
}

impl Reason {
    fn name(self) -> &'static str {
        match self {
            Reason::None => "none",
            Reason::Localhost => "localhost",
            Reason::Mechanism => "mechanism",
            Reason::Default => "default",
            Reason::Failure => "(invalid reason)",
        }
    }
}

/// A result with what the comments need: the record whose `exp=` gives
/// the explanation and the domain current when it was reached.
#[derive(Debug, Clone)]
struct Done {
    result: SpfResult,
    reason: Reason,
    err: ErrCode,
    exp: Option<(std::rc::Rc<Record>, Vec<u8>)>,
}

/// How a query ended: with a result and its comments, or (libspf2 not
/// calling its "done" step) with a bare result and no comments.
enum Finished {
    Done(Done),
    Bare(SpfResult),
}

/// What the current record lookup found.
enum Fetched {
    Record(Record),
    /// No record (libspf2's `SPF_E_NOT_SPF` path).
    NoRecord,
    /// The record did not compile.
    Broken,
    Multiple,
    /// A temporary or unrecoverable DNS failure.
    DnsFailure,
}

/// The request as libspf2 holds it, with the state of one check.
struct Session<'r> {
    dns: dns::EximDns<'r>,
    ip: IpAddr,
    helo: Option<Vec<u8>>,
    env_from: Vec<u8>,
    env_from_lp: Vec<u8>,
    env_from_dp: Vec<u8>,
    rec_dom: Vec<u8>,
    template: Vec<u8>,
    cur_dom: std::cell::RefCell<Vec<u8>>,
    client_dom: std::cell::RefCell<Option<Vec<u8>>>,
}

/// The envelope sender split as libspf2's `SPF_request_set_env_from`
/// does: no `@` (or only a leading one) means `postmaster@`.
fn split_sender(sender: &[u8], helo: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let from = if sender.is_empty() { helo } else { sender };
    match from.iter().rposition(|&b| b == b'@') {
        Some(at) if at > 0 => (from.to_vec(), from[..at].to_vec(), from[at + 1..].to_vec()),
        at => {
            let dom = if at == Some(0) { &from[1..] } else { from };
            (
                [b"postmaster@", dom].concat(),
                b"postmaster".to_vec(),
                dom.to_vec(),
            )
        }
    }
}

/// libspf2's sanitising of comments: unprintable bytes become `?`.
fn sanitize(mut s: Vec<u8>) -> Vec<u8> {
    for b in s.iter_mut() {
        if !(0x20..0x7f).contains(b) {
            *b = b'?';
        }
    }
    s
}

/// C's `snprintf` into a buffer of `size` bytes: at most `size - 1`.
fn cut(mut s: Vec<u8>, size: usize) -> Vec<u8> {
    s.truncate(size.saturating_sub(1));
    s
}

impl<'r> Session<'r> {
    fn new(resolver: &'r dyn Resolver, req: &SpfRequest) -> Session<'r> {
        let (env_from, env_from_lp, env_from_dp) = split_sender(req.sender, req.helo);
        Session {
            dns: dns::EximDns::new(resolver, MAX_QUERIES),
            ip: normalise_ip(req.ip),
            helo: (!req.helo.is_empty()).then(|| req.helo.to_vec()),
            cur_dom: std::cell::RefCell::new(env_from_dp.clone()),
            env_from,
            env_from_lp,
            env_from_dp,
            rec_dom: req.receiver.to_vec(),
            template: req
                .smtp_comment_template
                .unwrap_or(DEFAULT_SMTP_COMMENT_TEMPLATE)
                .to_vec(),
            client_dom: std::cell::RefCell::new(None),
        }
    }

    fn is_loopback(&self) -> bool {
        match self.ip {
            IpAddr::V4(a) => a.octets()[0] == 127,
            IpAddr::V6(a) => a.is_loopback(),
        }
    }

    fn localhost(&self) -> Finished {
        Finished::Done(Done {
            result: SpfResult::Pass,
            reason: Reason::Localhost,
            err: ErrCode::Success,
            exp: None,
        })
    }

    /// `SPF_request_query_mailfrom`: the domain's own record.
    fn query_mailfrom(&self) -> Finished {
        if self.is_loopback() {
            return self.localhost();
        }
        self.set_cur_dom(self.env_from_dp.clone());
        match self.fetch_record() {
            Fetched::Record(record) => Finished::Done(self.interpret_top(record)),
            Fetched::NoRecord => Finished::Done(Done {
                result: SpfResult::None,
                reason: Reason::Failure,
                err: ErrCode::Success,
                exp: None,
            }),
            Fetched::Multiple => Finished::Done(Done {
                result: SpfResult::PermError,
                reason: Reason::Failure,
                err: ErrCode::MultipleRecords,
                exp: None,
            }),
            Fetched::Broken | Fetched::DnsFailure => Finished::Bare(SpfResult::Invalid),
        }
    }

    /// `SPF_request_query_fallback`: the guess record for the domain.
    fn query_fallback(&self, guess: &[u8]) -> Finished {
        if self.is_loopback() {
            return self.localhost();
        }
        self.set_cur_dom(self.env_from_dp.clone());
        match parse::compile(guess) {
            Ok(record) => Finished::Done(self.interpret_top(record)),
            Err(_) => Finished::Bare(SpfResult::Invalid),
        }
    }

    fn interpret_top(&self, record: Record) -> Done {
        let record = std::rc::Rc::new(record);
        let mut count = 0;
        self.interpret(&record, &record, &mut count, 0)
    }

    fn set_cur_dom(&self, d: Vec<u8>) {
        *self.cur_dom.borrow_mut() = d;
    }

    fn cur_dom(&self) -> Vec<u8> {
        self.cur_dom.borrow().clone()
    }

    /// `SPF_server_get_record` for the current domain.
    fn fetch_record(&self) -> Fetched {
        let found = self.dns.lookup(&self.cur_dom(), dns::Type::Txt);
        let texts = match found {
            Ok(texts) => texts
                .into_iter()
                .filter_map(dns::Found::into_txt)
                .collect::<Vec<_>>(),
            Err(dns::Failure::NoSuchName | dns::Failure::NoData) => return Fetched::NoRecord,
            Err(_) => return Fetched::DnsFailure,
        };
        let mut spf = texts.iter().filter(|t| is_spf_version(t));
        let (Some(first), more) = (spf.next(), spf.next().is_some()) else {
            return Fetched::NoRecord;
        };
        if more {
            return Fetched::Multiple;
        }
        match parse::compile(first) {
            Ok(record) => Fetched::Record(record),
            Err(_) => Fetched::Broken,
        }
    }

    /// `SPF_record_interpret`: the mechanisms of `record` in order.
    /// `exp_record` is the record whose `exp=` explains the result.
    fn interpret(
        &self,
        record: &std::rc::Rc<Record>,
        exp_record: &std::rc::Rc<Record>,
        count: &mut u32,
        depth: u32,
    ) -> Done {
        let done = |result, reason, err| Done {
            result,
            reason,
            err,
            exp: Some((exp_record.clone(), self.cur_dom())),
        };
        if depth > MAX_DEPTH {
            return done(SpfResult::PermError, Reason::None, ErrCode::Recursive);
        }
        for mech in &record.mechanisms {
            if *count > MAX_DNS_MECH {
                return done(SpfResult::PermError, Reason::None, ErrCode::BigDns);
            }
            let matched = match &mech.kind {
                Mechanism::Include(target) | Mechanism::Redirect(target) => {
                    *count += 1;
                    let redirect = matches!(mech.kind, Mechanism::Redirect(_));
                    match self.include(target, redirect, record, exp_record, count, depth) {
                        Included::Finished(d) => return d,
                        Included::Matched => true,
                        Included::NoMatch => false,
                        Included::Error(result, err) => return done(result, Reason::None, err),
                    }
                }
                other => match self.mechanism_matches(other, count) {
                    Ok(m) => m,
                    Err((result, err)) => return done(result, Reason::None, err),
                },
            };
            if matched {
                return done(mech.qualifier.result(), Reason::Mechanism, ErrCode::Success);
            }
        }
        done(SpfResult::Neutral, Reason::Default, ErrCode::Success)
    }

    /// One mechanism other than include and redirect: does it match?
    fn mechanism_matches(
        &self,
        mech: &Mechanism,
        count: &mut u32,
    ) -> Result<bool, (SpfResult, ErrCode)> {
        let temp = |e| (SpfResult::TempError, e);
        let perm = |e| (SpfResult::PermError, e);
        match mech {
            Mechanism::All => Ok(true),
            Mechanism::Ip4 { addr, cidr } => Ok(ip_matches(self.ip, &IpAddr::V4(*addr), *cidr, 0)),
            Mechanism::Ip6 { addr, cidr } => Ok(ip_matches(self.ip, &IpAddr::V6(*addr), 0, *cidr)),
            Mechanism::A {
                domain,
                cidr4,
                cidr6,
            } => {
                *count += 1;
                let name = self.lookup_name(domain.as_ref()).map_err(perm)?;
                self.host_matches(&name, *cidr4, *cidr6).map_err(temp)
            }
            Mechanism::Mx {
                domain,
                cidr4,
                cidr6,
            } => {
                *count += 1;
                let name = self.lookup_name(domain.as_ref()).map_err(perm)?;
                self.mx_matches(&name, *cidr4, *cidr6)
            }
            Mechanism::Ptr(domain) => {
                *count += 1;
                let name = self.lookup_name(domain.as_ref()).map_err(perm)?;
                self.ptr_matches(&name)
            }
            Mechanism::Exists(m) => {
                *count += 1;
                let name = self.expand(m).map_err(temp)?;
                match self.dns.lookup(&name, dns::Type::A) {
                    Ok(found) => Ok(!found.is_empty()),
                    Err(dns::Failure::Again) => Err(temp(ErrCode::DnsError)),
                    Err(_) => Ok(false),
                }
            }
            Mechanism::Include(_) | Mechanism::Redirect(_) => Ok(false),
        }
    }

    /// The domain a mechanism names, or the current domain.
    fn lookup_name(&self, domain: Option<&Macro>) -> Result<Vec<u8>, ErrCode> {
        match domain {
            None => Ok(self.cur_dom()),
            Some(m) => self.expand(m),
        }
    }

    /// The client's address family's records of `name`.
    fn addresses(&self, name: &[u8]) -> Result<Vec<IpAddr>, ErrCode> {
        let rr = match self.ip {
            IpAddr::V4(_) => dns::Type::A,
            IpAddr::V6(_) => dns::Type::Aaaa,
        };
        match self.dns.lookup(name, rr) {
            Ok(found) => Ok(found.into_iter().filter_map(dns::Found::into_ip).collect()),
            Err(dns::Failure::Again) => Err(ErrCode::DnsError),
            Err(_) => Ok(Vec::new()),
        }
    }

    fn host_matches(&self, name: &[u8], cidr4: u8, cidr6: u8) -> Result<bool, ErrCode> {
        Ok(self
            .addresses(name)?
            .iter()
            .any(|a| ip_matches(self.ip, a, cidr4, cidr6)))
    }

    fn mx_matches(&self, name: &[u8], cidr4: u8, cidr6: u8) -> Result<bool, (SpfResult, ErrCode)> {
        let temp = (SpfResult::TempError, ErrCode::DnsError);
        let exchanges: Vec<Vec<u8>> = match self.dns.lookup(name, dns::Type::Mx) {
            Ok(found) => found
                .into_iter()
                .filter_map(dns::Found::into_name)
                .collect(),
            Err(dns::Failure::Again) => return Err(temp),
            Err(_) => Vec::new(),
        };
        for exchange in exchanges.iter().take(MAX_DNS_MX) {
            if self
                .host_matches(exchange, cidr4, cidr6)
                .map_err(|_| temp)?
            {
                return Ok(true);
            }
        }
        if exchanges.len() > MAX_DNS_MX {
            return Err((SpfResult::PermError, ErrCode::BigDns));
        }
        Ok(false)
    }

    /// The names a reverse lookup of the client gives.
    fn ptr_names(&self) -> Result<Vec<Vec<u8>>, ErrCode> {
        match self.dns.lookup(&dns::reverse_name(self.ip), dns::Type::Ptr) {
            Ok(found) => Ok(found
                .into_iter()
                .filter_map(dns::Found::into_name)
                .collect()),
            Err(dns::Failure::Again) => Err(ErrCode::DnsError),
            Err(_) => Ok(Vec::new()),
        }
    }

    fn ptr_matches(&self, domain: &[u8]) -> Result<bool, (SpfResult, ErrCode)> {
        let temp = |e| (SpfResult::TempError, e);
        let names = self.ptr_names().map_err(temp)?;
        for name in names.iter().take(MAX_DNS_PTR) {
            let confirmed = self.addresses(name).map_err(temp)?.contains(&self.ip);
            if confirmed && in_domain(name, domain) {
                return Ok(true);
            }
        }
        if names.len() > MAX_DNS_PTR {
            return Err((SpfResult::PermError, ErrCode::BigDns));
        }
        Ok(false)
    }

    /// `%{p}`: the first PTR name whose addresses include the client's.
    fn client_domain(&self) -> Vec<u8> {
        if let Some(d) = self.client_dom.borrow().as_ref() {
            return d.clone();
        }
        let names = self.ptr_names().unwrap_or_default();
        let found = names
            .iter()
            .take(MAX_DNS_PTR)
            .find(|n| {
                self.addresses(n)
                    .map(|a| a.contains(&self.ip))
                    .unwrap_or(false)
            })
            .cloned()
            .unwrap_or_else(|| b"unknown".to_vec());
        *self.client_dom.borrow_mut() = Some(found.clone());
        found
    }

    /// include: and redirect=: the target's record, evaluated.
    fn include(
        &self,
        target: &Macro,
        redirect: bool,
        record: &std::rc::Rc<Record>,
        exp_record: &std::rc::Rc<Record>,
        count: &mut u32,
        depth: u32,
    ) -> Included {
        let name = match self.expand(target) {
            Ok(n) => n,
            Err(e) => return Included::Error(SpfResult::PermError, e),
        };
        if name == self.cur_dom() {
            return Included::Error(SpfResult::PermError, ErrCode::Recursive);
        }
        let saved = self.cur_dom();
        self.set_cur_dom(name);
        let sub = match self.fetch_record() {
            Fetched::Record(r) => std::rc::Rc::new(r),
            other => {
                self.set_cur_dom(saved);
                return match other {
                    Fetched::DnsFailure => Included::Error(SpfResult::TempError, ErrCode::DnsError),
                    Fetched::Multiple => {
                        Included::Error(SpfResult::PermError, ErrCode::MultipleRecords)
                    }
                    _ => Included::Error(SpfResult::PermError, ErrCode::NotSpf),
                };
            }
        };
        if redirect {
            let exp = if std::rc::Rc::ptr_eq(exp_record, record) {
                &sub
            } else {
                exp_record
            };
            let done = self.interpret(&sub, exp, count, depth + 1);
            self.set_cur_dom(saved);
            return Included::Finished(done);
        }
        let mut own_count = 0;
        let done = self.interpret(&sub, record, &mut own_count, depth + 1);
        self.set_cur_dom(saved);
        match done.result {
            SpfResult::Pass => Included::Matched,
            SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Included::NoMatch,
            SpfResult::TempError => Included::Error(SpfResult::TempError, done.err),
            SpfResult::None => Included::Error(SpfResult::PermError, ErrCode::IncludeReturnedNone),
            SpfResult::PermError | SpfResult::Invalid => {
                Included::Error(SpfResult::PermError, done.err)
            }
        }
    }
}

/// How an include: or redirect= came out, for the record holding it.
enum Included {
    /// redirect=: the target's result is the record's.
    Finished(Done),
    /// include: the target passed.
    Matched,
    /// include: the target failed, softfailed or was neutral.
    NoMatch,
    Error(SpfResult, ErrCode),
}

impl Qualifier {
    fn result(self) -> SpfResult {
        match self {
            Qualifier::Pass => SpfResult::Pass,
            Qualifier::Fail => SpfResult::Fail,
            Qualifier::SoftFail => SpfResult::SoftFail,
            Qualifier::Neutral => SpfResult::Neutral,
        }
    }
}

/// A TXT record libspf2 takes for SPF: `v=spf1` then a space or the end.
fn is_spf_version(t: &[u8]) -> bool {
    t.len() >= 6 && t[..6].eq_ignore_ascii_case(b"v=spf1") && matches!(t.get(6), None | Some(b' '))
}

/// An IPv4-mapped IPv6 address is the IPv4 client it stands for, as
/// Exim hands libspf2 the address in text.
fn normalise_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(a) => a.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Whether `client` is in `net`'s network of `cidr4`/`cidr6` bits (0 for
/// the whole address); only an address of the client's family matches.
fn ip_matches(client: IpAddr, net: &IpAddr, cidr4: u8, cidr6: u8) -> bool {
    match (client, net) {
        (IpAddr::V4(c), IpAddr::V4(n)) => {
            let bits = if cidr4 == 0 {
                32
            } else {
                u32::from(cidr4.min(32))
            };
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(c) & mask == u32::from(*n) & mask
        }
        (IpAddr::V6(c), IpAddr::V6(n)) => {
            let bits = if cidr6 == 0 {
                128
            } else {
                u32::from(cidr6.min(128))
            };
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(c) & mask == u128::from(*n) & mask
        }
        _ => false,
    }
}

/// libspf2's `SPF_i_match_domain`: `host` is `domain` or ends `.domain`,
/// ignoring case.
fn in_domain(host: &[u8], domain: &[u8]) -> bool {
    if domain.len() > host.len() {
        return false;
    }
    let tail = host.len() - domain.len();
    host[tail..].eq_ignore_ascii_case(domain) && (tail == 0 || host[tail - 1] == b'.')
}

impl Session<'_> {
    /// The value of a macro variable, before its transformers.
    fn variable(&self, var: &Var) -> Result<Vec<u8>, ErrCode> {
        Ok(match var.letter {
            b'l' => self.env_from_lp.clone(),
            b's' => self.env_from.clone(),
            b'o' => self.env_from_dp.clone(),
            b'd' => self.cur_dom(),
            b'i' => dotted_ip(self.ip),
            b'c' => self.ip.to_string().into_bytes(),
            b't' => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
                .to_string()
                .into_bytes(),
            b'p' => self.client_domain(),
            b'v' => match self.ip {
                IpAddr::V4(_) => b"in-addr".to_vec(),
                IpAddr::V6(_) => b"ip6".to_vec(),
            },
            b'h' => self.helo.clone().ok_or(ErrCode::UninitVar)?,
            b'r' => self.rec_dom.clone(),
            _ => return Err(ErrCode::InvalidVar),
        })
    }

    /// `SPF_record_expand_data`: a macro string with its variables
    /// filled in.
    fn expand(&self, m: &Macro) -> Result<Vec<u8>, ErrCode> {
        let mut out = Vec::new();
        for piece in &m.0 {
            match piece {
                parse::Piece::Literal(s) => out.extend_from_slice(s),
                parse::Piece::Var(v) => {
                    let value = self.variable(v)?;
                    out.extend_from_slice(&parse::transform(v, &value));
                }
            }
        }
        Ok(out)
    }

    /// The explanation of a fail, softfail or neutral: `exp-text=` or
    /// `exp=` of the record, else the SMTP comment template.  An error
    /// expanding it is `None` (no SMTP comment at all).
    fn explanation(&self, record: &Record) -> Option<Vec<u8>> {
        if let Some(Ok(text)) = record.modifier(b"exp-text").map(|m| self.expand(m)) {
            return Some(text);
        }
        let name = match record.modifier(b"exp").map(|m| self.expand(m)) {
            Some(Ok(name)) if !name.is_empty() => name,
            _ => return self.default_explanation(),
        };
        let text = match self.dns.lookup(&name, dns::Type::Txt) {
            Ok(found) => found.into_iter().find_map(dns::Found::into_txt),
            Err(_) => None,
        };
        match text.map(|t| parse::compile_macro(&t)) {
            Some(Ok(m)) => self.expand(&m).ok(),
            _ => self.default_explanation(),
        }
    }

    fn default_explanation(&self) -> Option<Vec<u8>> {
        let m = parse::compile_macro(&self.template).ok()?;
        self.expand(&m).ok()
    }

    fn ip_text(&self) -> Vec<u8> {
        self.ip.to_string().into_bytes()
    }

    /// libspf2's `SPF_i_set_header_comment`.
    fn header_comment(&self, done: &Done) -> Vec<u8> {
        let source = [b"domain of ".as_slice(), &self.env_from_dp].concat();
        let ip = self.ip_text();
        let size = self.rec_dom.len() + source.len() + ip.len() + 80;
        let body: Vec<u8> = match done.result {
            SpfResult::Pass if done.reason == Reason::Localhost => {
                b"localhost is always allowed.".to_vec()
            }
            SpfResult::Pass => {
                [&source[..], b" designates ", &ip, b" as permitted sender"].concat()
            }
            SpfResult::Fail => [
                &source[..],
                b" does not designate ",
                &ip,
                b" as permitted sender",
            ]
            .concat(),
            SpfResult::SoftFail => [
                b"transitioning ".as_slice(),
                &source,
                b" does not designate ",
                &ip,
                b" as permitted sender",
            ]
            .concat(),
            SpfResult::PermError => [
                b"error in processing during lookup of ".as_slice(),
                &source,
                b": ",
                done.err.message().as_bytes(),
            ]
            .concat(),
            SpfResult::Neutral => {
                [&ip[..], b" is neither permitted nor denied by ", &source].concat()
            }
            SpfResult::None => [&source[..], b" does not provide an SPF record"].concat(),
            SpfResult::TempError => [
                b"encountered temporary error during SPF processing of ".as_slice(),
                &source,
            ]
            .concat(),
            SpfResult::Invalid => format!(
                "error: unknown SPF result 0 encountered while checking {} for {}",
                self.ip,
                String::from_utf8_lossy(&source)
            )
            .into_bytes(),
        };
        sanitize(cut([&self.rec_dom[..], b": ", &body].concat(), size))
    }

    /// libspf2's `SPF_i_set_received_spf`.
    fn received(&self, result: SpfResult, header_comment: &[u8]) -> Vec<u8> {
        let mut line = [
            b"Received-SPF: ",
            result.name().as_bytes(),
            b" (",
            header_comment,
            b")",
        ]
        .concat();
        line.extend_from_slice(&[b" client-ip=".as_slice(), &self.ip_text(), b";"].concat());
        line.extend_from_slice(&[b" envelope-from=".as_slice(), &self.env_from, b";"].concat());
        if let Some(helo) = &self.helo {
            line.extend_from_slice(&[b" helo=".as_slice(), helo, b";"].concat());
        }
        sanitize(cut(line, RECEIVED_SPF_SIZE))
    }

    /// libspf2's `SPF_i_set_smtp_comment`.
    fn smtp_comment(&self, done: &Done) -> Vec<u8> {
        if !matches!(
            done.result,
            SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral
        ) {
            return Vec::new();
        }
        let explanation = match &done.exp {
            Some((record, dom)) => {
                let saved = self.cur_dom();
                self.set_cur_dom(dom.clone());
                let e = self.explanation(record);
                self.set_cur_dom(saved);
                e
            }
            None => self.default_explanation(),
        };
        match explanation {
            Some(e) => cut(
                [&e[..], b" : Reason: ", done.reason.name().as_bytes()].concat(),
                SMTP_COMMENT_SIZE,
            ),
            None => Vec::new(),
        }
    }

    fn finish(&self, finished: Finished, guessed: bool) -> SpfOutcome {
        let done = match finished {
            Finished::Done(d) => d,
            Finished::Bare(result) => return self.outcome_without_comments(result, guessed),
        };
        let smtp_comment = self.smtp_comment(&done);
        let header_comment = self.header_comment(&done);
        SpfOutcome {
            result: done.result,
            guessed,
            received: self.received(done.result, &header_comment),
            header_comment,
            smtp_comment,
            used_domain: self.env_from_dp.clone(),
        }
    }

    fn outcome_without_comments(&self, result: SpfResult, guessed: bool) -> SpfOutcome {
        SpfOutcome {
            result,
            guessed,
            header_comment: Vec::new(),
            received: Vec::new(),
            smtp_comment: Vec::new(),
            used_domain: self.env_from_dp.clone(),
        }
    }
}

/// `%{i}`: dotted quad, or for IPv6 the 32 nibbles joined by dots.
fn dotted_ip(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(a) => a.to_string().into_bytes(),
        IpAddr::V6(a) => {
            let hex: Vec<String> = a
                .octets()
                .iter()
                .flat_map(|b| [b >> 4, b & 15])
                .map(|n| format!("{n:x}"))
                .collect();
            hex.join(".").into_bytes()
        }
    }
}
