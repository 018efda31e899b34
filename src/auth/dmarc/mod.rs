//! DMARC as Exim 4.96 (experimental, `SUPPORT_DMARC`, built with
//! libopendmarc 1.3.2) evaluates it for the `dmarc_status` ACL condition:
//! the domain of the From: header, the SPF result of an earlier `spf`
//! condition, every DKIM signature's result and the `_dmarc` record of
//! the From: domain give `$dmarc_status` (`accept reject quarantine none
//! norecord nofrom temperror off`), `$dmarc_status_text`,
//! `$dmarc_used_domain`, `$dmarc_domain_policy`, the `DMARC results:` log
//! line, the history file's lines and the `dmarc=` part of
//! `${authresults}`.
//!
//! Debian's Exim has no DMARC, so the behaviour follows the sources:
//! Exim 4.96's dmarc.c (`dmarc_init`, `dmarc_process`, `authres_dmarc`,
//! `dmarc_write_history_file`) and libopendmarc 1.3.2's
//! opendmarc_policy.c (`opendmarc_get_policy_to_enforce`,
//! `opendmarc_policy_store_dkim`, `opendmarc_policy_check_alignment`),
//! opendmarc_tld.c and opendmarc_util.c.  Two of their properties show:
//! Exim looks up `_dmarc.` of the From: domain only (no fallback to the
//! organizational domain, so `sp=` never applies), and it hands the
//! record's raw TXT data (with its length bytes) to the parser, whose
//! first tag is then never `v`.

mod psl;
mod record;

pub use psl::PublicSuffixList;
pub use record::{Alignment, ParseError, Policy, Record};

/// A DKIM signature's result as DMARC takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimResult {
    /// The signature's `d=` domain.
    pub domain: Vec<u8>,
    /// `$dkim_verify_status`: `none`, `invalid`, `fail` or `pass`.
    pub status: String,
    /// `$dkim_verify_reason` (for an invalid signature).
    pub reason: String,
}

/// An SPF result as DMARC takes it (`None`: no `spf` condition ran).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfFinding {
    /// `pass`.
    Pass,
    /// `fail`.
    Fail,
    /// `softfail`.
    SoftFail,
    /// `neutral`.
    Neutral,
    /// `none`.
    None,
    /// `temperror`.
    TempError,
    /// `permerror`.
    PermError,
    /// libspf2's `(invalid)`.
    Invalid,
}

impl SpfFinding {
    /// From `$spf_result`.
    pub fn from_name(name: &[u8]) -> Option<SpfFinding> {
        Some(match name {
            b"pass" => SpfFinding::Pass,
            b"fail" => SpfFinding::Fail,
            b"softfail" => SpfFinding::SoftFail,
            b"neutral" => SpfFinding::Neutral,
            b"none" => SpfFinding::None,
            b"temperror" => SpfFinding::TempError,
            b"permerror" => SpfFinding::PermError,
            b"(invalid)" => SpfFinding::Invalid,
            _ => return None,
        })
    }

    /// The Authentication-Results code opendmarc's history file shows.
    fn ares(self) -> i32 {
        match self {
            SpfFinding::Pass => 0,
            SpfFinding::SoftFail => 2,
            SpfFinding::Neutral => 3,
            SpfFinding::TempError => 4,
            SpfFinding::PermError => 5,
            SpfFinding::None => 6,
            SpfFinding::Fail => 7,
            SpfFinding::Invalid => 11,
        }
    }
}

/// What a DMARC check is given.
#[derive(Debug, Clone, Default)]
pub struct DmarcInput {
    /// The From: header line (`From: ...`), if the message has one.
    pub from_header: Option<Vec<u8>>,
    /// The client's address (`$sender_host_address`); DMARC is skipped
    /// without one.
    pub client_address: Option<Vec<u8>>,
    /// The client authenticated (`$sender_host_authenticated`): skipped.
    pub authenticated: bool,
    /// `$sender_address_domain`.
    pub sender_domain: Vec<u8>,
    /// The HELO name.
    pub helo: Vec<u8>,
    /// The SPF result, if an `spf` condition ran.
    pub spf: Option<SpfFinding>,
    /// Every DKIM signature's result.
    pub dkim: Vec<DkimResult>,
    /// `dmarc_tld_file`'s list; `None` when unset or unreadable (DMARC is
    /// then skipped).
    pub psl: Option<std::sync::Arc<PublicSuffixList>>,
    /// The raw TXT data of `_dmarc.FROM-DOMAIN` (first record longer than
    /// three bytes), if the lookup succeeded.
    pub record: Option<Vec<u8>>,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmarcOutcome {
    /// `$dmarc_status`.
    pub status: &'static str,
    /// `$dmarc_status_text`.
    pub status_text: &'static str,
    /// The `dmarc=` word of `${authresults}`.
    pub pass_fail: &'static str,
    /// `$dmarc_used_domain`.
    pub used_domain: Vec<u8>,
    /// `$dmarc_domain_policy`.
    pub domain_policy: &'static str,
    /// The From: header's domain (`header.from=` of `${authresults}`).
    pub header_from: Option<Vec<u8>>,
    /// The log lines Exim writes (the `DMARC results:` line and the like).
    pub log: Vec<Vec<u8>>,
    /// When a record was found: what Exim writes to `dmarc_history_file`
    /// (after the `job`, `reporter`, `received`, `ipaddr` lines it adds).
    pub history: Option<HistoryFacts>,
}

/// The facts of a history-file entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryFacts {
    /// `from`.
    pub from: Vec<u8>,
    /// `mfrom`.
    pub mfrom: Vec<u8>,
    /// `spf` (absent without an SPF result).
    pub spf: Option<i32>,
    /// `dkim DOMAIN RESULT` lines.
    pub dkim: Vec<(Vec<u8>, i32)>,
    /// `pdomain`.
    pub pdomain: Vec<u8>,
    /// `policy` (libopendmarc's code for the policy to enforce).
    pub policy: i32,
    /// `rua` lines (`-` when none).
    pub rua: Vec<Vec<u8>>,
    /// `pct`, `adkim`, `aspf`, `p`, `sp` as libopendmarc stores them.
    pub pct: i64,
    /// `adkim`.
    pub adkim: i32,
    /// `aspf`.
    pub aspf: i32,
    /// `p`.
    pub p: i32,
    /// `sp`.
    pub sp: i32,
    /// `align_dkim`, `align_spf` (4 pass, 5 fail).
    pub align_dkim: i32,
    /// `align_spf`.
    pub align_spf: i32,
    /// `action` (0 reject, 2 accept, 3 tempfail, 4 quarantine).
    pub action: i32,
}

impl HistoryFacts {
    /// The entry, with the lines Exim puts first.
    pub fn render(&self, job: &[u8], reporter: &[u8], received: i64, ipaddr: &[u8]) -> Vec<u8> {
        let mut o = Vec::new();
        let mut line = |parts: &[&[u8]]| {
            for p in parts {
                o.extend_from_slice(p);
            }
            o.push(b'\n');
        };
        line(&[b"job ", job]);
        line(&[b"reporter ", reporter]);
        line(&[b"received ", received.to_string().as_bytes()]);
        line(&[b"ipaddr ", ipaddr]);
        line(&[b"from ", &self.from]);
        line(&[b"mfrom ", &self.mfrom]);
        if let Some(s) = self.spf {
            line(&[b"spf ", s.to_string().as_bytes()]);
        }
        for (d, r) in &self.dkim {
            line(&[b"dkim ", d, b" ", r.to_string().as_bytes()]);
        }
        line(&[b"pdomain ", &self.pdomain]);
        line(&[b"policy ", self.policy.to_string().as_bytes()]);
        if self.rua.is_empty() {
            line(&[b"rua -"]);
        }
        for r in &self.rua {
            line(&[b"rua ", r]);
        }
        for (k, v) in [
            ("pct", self.pct),
            ("adkim", i64::from(self.adkim)),
            ("aspf", i64::from(self.aspf)),
            ("p", i64::from(self.p)),
            ("sp", i64::from(self.sp)),
            ("align_dkim", i64::from(self.align_dkim)),
            ("align_spf", i64::from(self.align_spf)),
            ("action", i64::from(self.action)),
        ] {
            line(&[k.as_bytes(), b" ", v.to_string().as_bytes()]);
        }
        o
    }
}

impl DmarcOutcome {
    /// Before any check (Exim's `dmarc_init`): `none`, as
    /// `$dmarc_status` shows without a `dmarc_status` condition.
    pub fn initial() -> DmarcOutcome {
        DmarcOutcome {
            status: "none",
            status_text: "",
            pass_fail: "skipped",
            used_domain: Vec::new(),
            domain_policy: "",
            header_from: None,
            log: Vec::new(),
            history: None,
        }
    }
}

/// The domain part of the first address of a From: header line, as Exim
/// finds it (`parse_find_address_end`, then `parse_extract_address` with
/// groups allowed); the domain whose `_dmarc` record is asked for.
pub fn header_from_domain(header: &[u8]) -> Option<Vec<u8>> {
    from_domain(header).filter(|d| !d.is_empty())
}

fn from_domain(header: &[u8]) -> Option<Vec<u8>> {
    let colon = header.iter().position(|&c| c == b':')?;
    let value = &header[colon + 1..];
    let end = crate::address::find_address_end(value);
    let mut p = crate::address::AddressParser::new(crate::address::AddressOptions::default());
    p.allow_group = true;
    let e = p.extract(&value[..end]).ok()?;
    Some(e.address[e.domain.min(e.address.len())..].to_vec())
}

/// libopendmarc's `opendmarc_util_finddomain` for a bare domain: a final
/// dot dropped (no local part here).
fn find_domain(d: &[u8]) -> Vec<u8> {
    let d = match d.iter().rposition(|&c| c == b'@') {
        Some(i) => &d[i + 1..],
        None => d,
    };
    d.strip_suffix(b".").unwrap_or(d).to_vec()
}

/// Reversed labels with a final dot: `b.a.` for `a.b`.
fn reversed(d: &[u8]) -> Vec<u8> {
    let d = d.strip_suffix(b".").unwrap_or(d);
    let mut out: Vec<u8> = d
        .split(|&c| c == b'.')
        .rev()
        .collect::<Vec<_>>()
        .join(&b'.');
    out.push(b'.');
    out
}

fn starts_with_caseless(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// `opendmarc_policy_check_alignment(sub, other, mode)`: equal names align;
/// in relaxed mode so do a name and its parent; then the same against
/// the organizational domain of `other` (where an equal name aligns even
/// in strict mode).
fn aligned(sub: &[u8], other: &[u8], mode: Alignment, psl: &PublicSuffixList) -> bool {
    let relaxed = mode == Alignment::Relaxed;
    let rev_sub = reversed(sub);
    let check = |rev_other: &[u8]| {
        rev_other.eq_ignore_ascii_case(&rev_sub)
            || relaxed
                && (starts_with_caseless(&rev_sub, rev_other)
                    || starts_with_caseless(rev_other, &rev_sub))
    };
    check(&reversed(other)) || check(&reversed(&psl.organizational_domain(other)))
}

/// opendmarc's DKIM outcome codes.
const DKIM_NONE: i32 = 0;
const DKIM_PASS: i32 = 1;
const DKIM_FAIL: i32 = 2;
const DKIM_TMPFAIL: i32 = 3;

/// The one DKIM result libopendmarc keeps (`opendmarc_policy_store_dkim`,
/// called once per signature in order, before the record is known, so
/// with relaxed alignment).
fn chosen_dkim(from: &[u8], sigs: &[DkimResult], psl: &PublicSuffixList) -> (Option<Vec<u8>>, i32) {
    let mut domain: Option<Vec<u8>> = None;
    let mut outcome = DKIM_NONE;
    let mut last = false;
    for s in sigs {
        if last || s.domain.is_empty() {
            continue;
        }
        let result = match s.status.as_str() {
            "pass" => DKIM_PASS,
            "fail" => DKIM_FAIL,
            "invalid" => DKIM_TMPFAIL,
            _ => DKIM_NONE,
        };
        let d = find_domain(&s.domain);
        if d.is_empty() {
            continue;
        }
        // The exact From: domain: the choice (final if it passed).  The
        // domain is dropped first, even when an earlier pass is kept.
        if d.eq_ignore_ascii_case(from) {
            domain = None;
            if result == DKIM_PASS {
                last = true;
            } else if outcome == DKIM_PASS {
                continue;
            }
            domain = Some(d);
            outcome = result;
            continue;
        }
        if aligned(&d, from, Alignment::Relaxed, psl) {
            domain = None;
            if result == DKIM_PASS {
                domain = Some(d);
                outcome = result;
                continue;
            }
        }
        if outcome == DKIM_PASS {
            continue;
        }
        // libopendmarc 1.3.2 keeps an earlier domain with the new outcome.
        if domain.is_none() {
            domain = Some(d);
        }
        outcome = result;
    }
    (domain, outcome)
}

/// The Authentication-Results code of a DKIM result for the history file.
fn dkim_ares(s: &DkimResult) -> i32 {
    match s.status.as_str() {
        "pass" => 0,
        "fail" => 7,
        "none" => 6,
        "invalid" => match s.reason.as_str() {
            "pubkey_unavailable" | "pubkey_dns_syntax" | "pubkey_der_syntax" => 5,
            _ => 11,
        },
        _ => 11,
    }
}

/// Exim's `dmarc_process` with libopendmarc's policy.
pub fn check(input: &DmarcInput) -> DmarcOutcome {
    let mut out = DmarcOutcome::initial();
    let Some(psl) = input.psl.as_deref() else {
        return out;
    };
    if input.client_address.is_none() {
        return out;
    }
    let Some(from) = input
        .from_header
        .as_deref()
        .and_then(from_domain)
        .filter(|d| !d.is_empty())
    else {
        return out;
    };
    out.header_from = Some(from.clone());
    if input.authenticated {
        return out;
    }
    let (spf_domain, spf_outcome) = match input.spf {
        None => {
            let mut d = input.sender_domain.clone();
            if d.is_empty() {
                d = input.helo.clone();
                let mut l = b"DMARC using synthesized SPF sender domain = ".to_vec();
                l.extend_from_slice(&d);
                l.push(b'\n');
                out.log.push(l);
            }
            (d, 0)
        }
        Some(s) => (
            input.sender_domain.clone(),
            match s {
                SpfFinding::Pass => 1,
                SpfFinding::Fail => 2,
                SpfFinding::SoftFail => 3,
                _ => 0,
            },
        ),
    };
    if spf_domain.is_empty() {
        return out;
    }
    let from_dom = find_domain(&from);
    let dkim = chosen_dkim(&from_dom, &input.dkim, psl);
    let (record, parsed) = match &input.record {
        Some(raw) => {
            let (r, e) = record::parse(raw);
            (r, Some(e))
        }
        None => (Record::default(), None),
    };
    let has_record = matches!(parsed, Some(Ok(())));
    out.domain_policy = record.p.map_or("", Policy::name);
    out.used_domain = from.clone();
    let adkim = record.adkim.unwrap_or(Alignment::Relaxed);
    let aspf = record.aspf.unwrap_or(Alignment::Relaxed);
    let (mut align_dkim, mut align_spf) = (5, 5);
    // opendmarc_get_policy_to_enforce
    let policy = match record.p {
        None => 14,
        Some(p) => {
            if let (Some(d), DKIM_PASS) = &dkim
                && aligned(&from, d, adkim, psl)
            {
                align_dkim = 4;
            }
            if spf_outcome == 1 && aligned(&from, &find_domain(&spf_domain), aspf, psl) {
                align_spf = 4;
            }
            if align_dkim == 4 || align_spf == 4 {
                15
            } else {
                match p {
                    Policy::Reject => 16,
                    Policy::Quarantine => 17,
                    Policy::None => 18,
                }
            }
        }
    };
    let (status, pass_fail, text, action) = match policy {
        14 => ("norecord", "none", "No DMARC record", 2),
        15 => ("accept", "pass", "Accept", 2),
        16 => ("reject", "fail", "Reject", 0),
        17 => ("quarantine", "fail", "Quarantine", 4),
        _ => ("none", "none", "None, Accept", 2),
    };
    out.status = status;
    out.pass_fail = pass_fail;
    out.status_text = text;
    if has_record {
        let mut l = b"DMARC results: spf_domain=".to_vec();
        l.extend_from_slice(&spf_domain);
        l.extend_from_slice(b" dmarc_domain=");
        l.extend_from_slice(&out.used_domain);
        l.extend_from_slice(
            format!(
                " spf_align={} dkim_align={} enforcement='{}'",
                if align_spf == 4 { "yes" } else { "no" },
                if align_dkim == 4 { "yes" } else { "no" },
                text
            )
            .as_bytes(),
        );
        out.log.push(l);
        out.history = Some(HistoryFacts {
            from: from.clone(),
            mfrom: input.sender_domain.clone(),
            spf: input.spf.map(SpfFinding::ares),
            dkim: input
                .dkim
                .iter()
                .map(|s| (s.domain.clone(), dkim_ares(s)))
                .collect(),
            pdomain: out.used_domain.clone(),
            policy,
            rua: record.rua.clone(),
            pct: record.pct.unwrap_or(100),
            adkim: i32::from(adkim.code()),
            aspf: i32::from(aspf.code()),
            p: record.p.map_or(0, |p| i32::from(p.code())),
            sp: record.sp.map_or(0, |p| i32::from(p.code())),
            align_dkim,
            align_spf,
            action,
        });
    }
    out
}

#[cfg(test)]
mod tests;
