//! DKIM verification as Debian's Exim 4.96 does it with its built-in
//! pdkim (over GnuTLS): every DKIM-Signature header of a received
//! message, with the values of the `$dkim_*` variables, `$dkim_signers`,
//! the `DKIM:` log lines and the dkim part of `${authresults}`.
//!
//! The verifier follows pdkim rather than RFC 6376 where the two differ,
//! because the goal is Exim's answers byte for byte: signatures whose
//! `a=` names an unknown algorithm are dropped without a word, and so are
//! those whose hash is not in `dkim_verify_hashes` (by default SHA-1
//! ones); the rest are sorted by that list and then by
//! `dkim_verify_keytypes`; tag names are lower-case letters and all white
//! space in tag values is dropped; a missing or undecodable `bh=` is a
//! body hash mismatch, not a syntax error; an empty body hashes as
//! nothing under simple canonicalization (RFC 6376 says CRLF); the key
//! record's `k=` is ignored (the signature's `a=` decides the key's
//! type), an Ed25519 `p=` longer than 32 bytes is cut to its last 32;
//! `x=` is not checked; the key size minimum applies only to a signature
//! that verified; twenty DKIM-Signature headers stop verification
//! altogether.  tests/data/dkim/cases.jsonl holds the oracle's answers
//! (written by scripts/oracle-dkim).
//!
//! mail-auth's DKIM code was not used: it resolves keys only through its
//! own hickory resolver (its cache hooks can be prefilled but not asked
//! through our [`Resolver`]), verifies only with its own RSA and Ed25519
//! code rather than the [`Crypto`] provider, reports none of pdkim's
//! failure reasons (`pubkey_dns_syntax` against `pubkey_der_syntax`,
//! `pubkey_too_short`, ...), and parses and canonicalizes by the RFC, so
//! it keeps signatures pdkim drops and hashes empty bodies differently;
//! what would remain usable (canonicalization alone) is a few dozen
//! lines here.
//!
//! DNS goes only through the engine's [`Resolver`] (TXT queries, CNAMEs
//! followed as Exim's `dns_lookup` follows them), signatures and digests
//! only through its [`Crypto`] provider; key DER is read here only for
//! what GnuTLS's import decides (the key's type and size).
//!
//! For the SMTP session, as Exim does it after the data (before the MIME
//! and DATA ACLs): log [`Verification::log`]; then, with
//! `acl_smtp_dkim` set, expand `dkim_verify_signers` (default
//! `$dkim_signers`) and for each distinct item (exact comparison) run the
//! ACL once per signature of [`Verification::matching`] (once with no
//! signature when none matches: `$dkim_verify_status` `none`, the other
//! per-signature variables at [`default_variable`], `$dkim_domain`,
//! `$dkim_selector` and `$dkim_key_length` left as the previous run set
//! them), each run followed by [`after_acl_run`] (its line logged with
//! `+dkim_verbose`), stopping at a run that does not accept; afterwards
//! `$dkim_verify_status` is the colon list of the runs' statuses.
//! Without the ACL, [`after_acl_run`] with no variables for each
//! signature in turn.  tests/dkim.rs replays it so.

pub(crate) mod canon;
pub(crate) mod dns;
pub(crate) mod key;
pub(crate) mod parse;

pub use parse::KeyRecord;

use crate::eval::{Crypto, Digest, Resolver, SignatureAlg, SignatureError};
use crate::lists::ListIter;
use std::collections::HashMap;

/// Exim's `DKIM_MAX_SIGNATURES`: the twentieth DKIM-Signature header
/// stops verification of the message.
pub const MAX_SIGNATURES: usize = 20;

/// The options Exim 4.96 applies to DKIM verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// `dkim_verify_hashes`: the hashes whose signatures are verified, in
    /// order of preference (signatures with others are dropped).
    pub hashes: Vec<u8>,
    /// `dkim_verify_keytypes`: likewise for key types.
    pub keytypes: Vec<u8>,
    /// `dkim_verify_min_keysizes`: `type=bits` pairs; a verified signature
    /// with a smaller key fails (`pubkey_too_short`).  Empty: no check.
    pub min_keysizes: Vec<u8>,
    /// `dkim_verify_minimal`: stop at the first signature that passes
    /// (the rest stay `none`).
    pub minimal: bool,
    /// The DKIM-Signature header that stops verification (Exim's fixed
    /// [`MAX_SIGNATURES`]); 0 for no bound.
    pub max_signatures: usize,
}

impl Default for VerifyOptions {
    fn default() -> VerifyOptions {
        VerifyOptions {
            hashes: b"sha256:sha512".to_vec(),
            keytypes: b"ed25519:rsa".to_vec(),
            min_keysizes: b"rsa=1024 ed25519=250".to_vec(),
            minimal: false,
            max_signatures: MAX_SIGNATURES,
        }
    }
}

/// A key type of the `a=` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// `rsa`.
    Rsa,
    /// `ed25519` (RFC 8463).
    Ed25519,
}

impl KeyType {
    /// The name in `a=` and the option lists.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa => "rsa",
            KeyType::Ed25519 => "ed25519",
        }
    }

    fn from_name(s: &[u8]) -> Option<KeyType> {
        [KeyType::Rsa, KeyType::Ed25519]
            .into_iter()
            .find(|k| k.name().as_bytes() == s)
    }
}

/// A hash of the `a=` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// `sha1`.
    Sha1,
    /// `sha256`.
    Sha256,
    /// `sha512` (pdkim knows it, the RFCs do not).
    Sha512,
}

impl HashAlg {
    const ALL: [HashAlg; 3] = [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha512];

    /// The name in `a=` and the option lists.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "sha1",
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha512 => "sha512",
        }
    }

    fn from_name(s: &[u8]) -> Option<HashAlg> {
        HashAlg::ALL.into_iter().find(|h| h.name().as_bytes() == s)
    }

    /// `dkim_verify_hashes` names a hash by a prefix of its name (the
    /// first in pdkim's table that the element begins).
    fn from_option(s: &[u8]) -> Option<HashAlg> {
        HashAlg::ALL
            .into_iter()
            .find(|h| h.name().as_bytes().starts_with(s))
    }

    pub(crate) fn digest(self) -> Digest {
        match self {
            HashAlg::Sha1 => Digest::Sha1,
            HashAlg::Sha256 => Digest::Sha256,
            HashAlg::Sha512 => Digest::Sha512,
        }
    }
}

/// A canonicalization (`c=`), `simple` by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Canon {
    /// `simple`.
    #[default]
    Simple,
    /// `relaxed`.
    Relaxed,
}

impl Canon {
    /// The name, as `$dkim_canon_body` shows it.
    pub fn name(self) -> &'static str {
        match self {
            Canon::Simple => "simple",
            Canon::Relaxed => "relaxed",
        }
    }
}

/// A signature's verification status (`$dkim_verify_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not verified (`dkim_verify_minimal` stopped first).
    None,
    /// The signature or its key could not be used.
    Invalid,
    /// The signature does not verify.
    Fail,
    /// It verifies.
    Pass,
}

impl Status {
    /// `none`, `invalid`, `fail` or `pass`.
    pub fn word(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Invalid => "invalid",
            Status::Fail => "fail",
            Status::Pass => "pass",
        }
    }

    fn from_word(w: &[u8]) -> Option<Status> {
        [Status::None, Status::Invalid, Status::Fail, Status::Pass]
            .into_iter()
            .find(|s| s.word().as_bytes() == w)
    }
}

/// Why a signature is invalid or fails (pdkim's extended status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No key record (no such name, no TXT record that may be one, a
    /// temporary DNS failure, an empty record).
    PubkeyUnavailable,
    /// The key record is not one (`v=` other than DKIM1, no usable
    /// `p=`, `s=` neither `*` nor `email`).
    PubkeyDnsSyntax,
    /// The key does not import (not DER of the signature's key type, an
    /// empty `p=` of a revoked key).
    PubkeyDerSyntax,
    /// The signature verified, but the key is under the minimum size.
    PubkeyTooShort,
    /// The body hash differs (or `bh=` is missing or not base64).
    BodyhashMismatch,
    /// The header signature does not verify.
    SignatureIncorrect,
    /// The key record's `h=` does not allow the signature's hash.
    AlgoMismatch,
    /// A required tag is missing or invalid.
    SignatureTagMissing,
    /// `v=` is not 1.
    UnsupportedVersion,
}

impl Reason {
    /// `$dkim_verify_reason` (empty for the reasons Exim has no word for).
    pub fn word(self) -> &'static str {
        match self {
            Reason::PubkeyUnavailable => "pubkey_unavailable",
            Reason::PubkeyDnsSyntax => "pubkey_dns_syntax",
            Reason::PubkeyDerSyntax => "pubkey_der_syntax",
            Reason::PubkeyTooShort => "pubkey_too_short",
            Reason::BodyhashMismatch => "bodyhash_mismatch",
            Reason::SignatureIncorrect => "signature_incorrect",
            Reason::AlgoMismatch | Reason::SignatureTagMissing | Reason::UnsupportedVersion => "",
        }
    }
}

/// One verified DKIM-Signature header: what Exim's `$dkim_*` variables
/// show while the DKIM ACL runs for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `d=` (`$dkim_domain`).
    pub domain: Option<Vec<u8>>,
    /// `s=` (`$dkim_selector`).
    pub selector: Option<Vec<u8>>,
    /// `i=`, decoded; no default (`$dkim_identity`).
    pub identity: Option<Vec<u8>>,
    /// The key type of `a=`.
    pub key_type: KeyType,
    /// The hash of `a=`.
    pub hash: HashAlg,
    /// `c=`, header part.
    pub canon_headers: Canon,
    /// `c=`, body part.
    pub canon_body: Canon,
    /// `z=`, decoded (`$dkim_copiedheaders`).
    pub copied_headers: Option<Vec<u8>>,
    /// `l=` (`$dkim_bodylength`; a negative one counts as none).
    pub body_length: Option<u64>,
    /// `t=`, 0 when absent (`$dkim_created`).
    pub created: u64,
    /// `x=`, 0 when absent (`$dkim_expires`).
    pub expires: u64,
    /// `h=`, white space removed (`$dkim_headernames`).
    pub header_names: Option<Vec<u8>>,
    /// The size of the `b=` signature in bits (0 if missing or not base64).
    pub signature_bits: usize,
    /// The key record, when it was found and its key imported.
    pub key: Option<KeyRecord>,
    /// The key's size in bits, once imported (`$dkim_key_length`).
    pub key_bits: u32,
    /// The outcome.
    pub status: Status,
    /// Why it is not a pass (`None` for pass and none).
    pub reason: Option<Reason>,
    /// The status the DKIM ACL set (`$dkim_verify_status` changed in the
    /// ACL), once logged: `Some(None)` for a word Exim does not know.
    pub policy: Option<Option<Status>>,
}

impl Signature {
    /// `a=` as `$dkim_algo` shows it: `rsa-sha256`, ...
    pub fn algo(&self) -> String {
        format!("{}-{}", self.key_type.name(), self.hash.name())
    }

    /// `$dkim_verify_reason`.
    pub fn reason_word(&self) -> &'static str {
        self.reason.map_or("", Reason::word)
    }

    /// The value of `$dkim_NAME` (`NAME` without the prefix) while the
    /// DKIM ACL runs for this signature; `None` for a name that is not a
    /// per-signature DKIM variable.
    pub fn variable(&self, name: &str) -> Option<Vec<u8>> {
        let text = |v: &Option<Vec<u8>>| v.clone().unwrap_or_default();
        let key = |f: fn(&KeyRecord) -> Option<Vec<u8>>| {
            self.key
                .as_ref()
                .and_then(f)
                .or_else(|| default_variable(name))
        };
        let flag = |b: bool| Some(if b { b"1".to_vec() } else { b"0".to_vec() });
        match name {
            "domain" => Some(text(&self.domain)),
            "selector" => Some(text(&self.selector)),
            "key_length" => Some(self.key_bits.to_string().into_bytes()),
            "verify_status" => Some(self.status.word().into()),
            "verify_reason" => Some(self.reason_word().into()),
            "algo" => Some(self.algo().into_bytes()),
            "bodylength" => self
                .body_length
                .map(|l| l.to_string().into_bytes())
                .or_else(|| default_variable(name)),
            "canon_body" => Some(self.canon_body.name().into()),
            "canon_headers" => Some(self.canon_headers.name().into()),
            "copiedheaders" => Some(text(&self.copied_headers)),
            "created" => positive(self.created).or_else(|| default_variable(name)),
            "expires" => positive(self.expires).or_else(|| default_variable(name)),
            "headernames" => Some(text(&self.header_names)),
            "identity" => Some(text(&self.identity)),
            "key_granularity" => key(|k| Some(k.granularity.clone())),
            "key_srvtype" => key(|k| Some(k.srvtype.clone())),
            "key_notes" => key(|k| k.notes.clone()),
            "key_testing" => flag(self.key.as_ref().is_some_and(|k| k.testing)),
            "key_nosubdomains" => flag(self.key.as_ref().is_some_and(|k| k.no_subdomains)),
            _ => None,
        }
    }
}

fn positive(n: u64) -> Option<Vec<u8>> {
    (n > 0).then(|| n.to_string().into_bytes())
}

/// The value of `$dkim_NAME` when no signature is current (in the DKIM
/// ACL run for a signer no signature has, and outside the ACL).
/// `$dkim_domain`, `$dkim_selector` and `$dkim_key_length` are not here:
/// they keep what the last run set.
pub fn default_variable(name: &str) -> Option<Vec<u8>> {
    let v: &[u8] = match name {
        "bodylength" | "expires" => b"9999999999999",
        "created" | "key_testing" | "key_nosubdomains" => b"0",
        "key_granularity" | "key_srvtype" => b"*",
        "verify_status" => b"none",
        "algo" | "canon_body" | "canon_headers" | "copiedheaders" | "headernames" | "identity"
        | "key_notes" | "verify_reason" => b"",
        _ => return None,
    };
    Some(v.to_vec())
}

/// The `$dkim_*` variables of one signature (without the prefix), as the
/// DKIM ACL sees them ([`Signature::variable`]).
pub const SIGNATURE_VARIABLES: [&str; 19] = [
    "verify_status",
    "verify_reason",
    "domain",
    "identity",
    "selector",
    "algo",
    "canon_body",
    "canon_headers",
    "copiedheaders",
    "bodylength",
    "created",
    "expires",
    "headernames",
    "key_testing",
    "key_nosubdomains",
    "key_srvtype",
    "key_granularity",
    "key_notes",
    "key_length",
];

/// The verification of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// The signatures kept, in pdkim's order (by `dkim_verify_hashes`,
    /// then `dkim_verify_keytypes`, then as they come in the message).
    pub signatures: Vec<Signature>,
    /// The lines Exim logs while verifying, before any DKIM ACL runs:
    /// `DKIM: d=... s=... [failed key import]` for each key not had, and
    /// `DKIM: validation error: ...` when nothing passed, or the two
    /// lines saying verification was given up.
    pub log: Vec<Vec<u8>>,
    /// Verification was given up (too many signatures, a body line too
    /// long): Exim then has no signatures and no signers.
    pub disabled: bool,
}

impl Verification {
    /// `$dkim_signers`: each signature's domain and identity (when it has
    /// them), a colon list.
    pub fn signers(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for s in &self.signatures {
            for item in [&s.domain, &s.identity].into_iter().flatten() {
                append_list_element(&mut out, item);
            }
        }
        out
    }

    /// The signatures the DKIM ACL runs for, for one signer of
    /// `dkim_verify_signers`: those whose identity (for a signer with an
    /// `@`) or domain is the signer, caselessly.
    pub fn matching(&self, signer: &[u8]) -> Vec<usize> {
        let by_identity = signer.contains(&b'@');
        (0..self.signatures.len())
            .filter(|&i| {
                let s = &self.signatures[i];
                let v = if by_identity { &s.identity } else { &s.domain };
                v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(signer))
            })
            .collect()
    }
}

/// Exim's `string_append_listele` with `:`: separators in the element
/// doubled.
pub(crate) fn append_list_element(out: &mut Vec<u8>, item: &[u8]) {
    if !out.is_empty() {
        out.push(b':');
    }
    for &c in item {
        out.push(c);
        if c == b':' {
            out.push(b':');
        }
    }
}

/// Verifies every DKIM-Signature header of `message` (headers and body
/// as Exim stores a received message: LF line ends, dots unstuffed).
pub fn verify(
    message: &[u8],
    resolver: &dyn Resolver,
    crypto: &dyn Crypto,
    opts: &VerifyOptions,
) -> Verification {
    let fed = match canon::feed(message, opts.max_signatures) {
        Ok(f) => f,
        Err(e) => return given_up(e),
    };
    let mut sigs: Vec<(Signature, parse::SigTags)> = fed
        .signature_fields
        .iter()
        .filter_map(|h| parse::signature_header(h))
        .map(|t| (new_signature(&t), t))
        .collect();
    check_body_hashes(&fed, crypto, &mut sigs);
    let sigs = sort_signatures(sigs, opts);
    let mut v = Verification::default();
    let mut last_error: Option<&'static str> = None;
    let mut passed = false;
    let mut out = Vec::with_capacity(sigs.len());
    let mut stop = false;
    for (mut sig, tags) in sigs {
        if !stop && sig.status != Status::Fail {
            let mut check = Check {
                resolver,
                crypto,
                opts,
                last_error: &mut last_error,
                log: &mut v.log,
            };
            check.signature(&fed, &mut sig, &tags);
            if sig.status == Status::Pass {
                passed = true;
                stop = opts.minimal;
            }
        }
        out.push(sig);
    }
    if let (false, Some(e)) = (passed, last_error) {
        v.log
            .push(format!("DKIM: validation error: {e}").into_bytes());
    }
    v.signatures = out;
    v
}

/// What Exim has when pdkim gave up on the message.
fn given_up(error: &str) -> Verification {
    Verification {
        signatures: Vec::new(),
        log: vec![
            format!("DKIM: validation error: {error}").into_bytes(),
            format!("DKIM: Error during validation, disabling signature verification: {error}")
                .into_bytes(),
        ],
        disabled: true,
    }
}

fn new_signature(t: &parse::SigTags) -> Signature {
    Signature {
        domain: t.domain.clone(),
        selector: t.selector.clone(),
        identity: t.identity.clone(),
        key_type: t.key_type.unwrap_or(KeyType::Rsa),
        hash: t.hash.unwrap_or(HashAlg::Sha256),
        canon_headers: t.canon_headers,
        canon_body: t.canon_body,
        copied_headers: t.copied_headers.clone(),
        body_length: u64::try_from(t.body_length).ok(),
        created: t.created,
        expires: t.expires,
        header_names: t.header_names.clone(),
        signature_bits: t.signature.as_ref().map_or(0, |b| b.len() * 8),
        key: None,
        key_bits: 0,
        status: Status::None,
        reason: None,
        policy: None,
    }
}

/// Fails each signature whose `bh=` is not the hash of its body.
fn check_body_hashes(
    fed: &canon::Fed,
    crypto: &dyn Crypto,
    sigs: &mut [(Signature, parse::SigTags)],
) {
    let mut hashes: HashMap<(HashAlg, Canon, Option<u64>), Vec<u8>> = HashMap::new();
    for (sig, tags) in sigs.iter_mut() {
        let body = fed.body(sig.canon_body);
        let want = (sig.hash, sig.canon_body, sig.body_length);
        let got = hashes.entry(want).or_insert_with(|| {
            let limit = sig.body_length.map_or(body.len(), |l| {
                body.len().min(usize::try_from(l).unwrap_or(usize::MAX))
            });
            crypto.digest(sig.hash.digest(), &body[..limit])
        });
        if tags.body_hash.as_deref() != Some(got.as_slice()) {
            sig.status = Status::Fail;
            sig.reason = Some(Reason::BodyhashMismatch);
        }
    }
}

/// pdkim's order: by `dkim_verify_hashes`, then by
/// `dkim_verify_keytypes`; signatures neither names are dropped.
fn sort_signatures(
    sigs: Vec<(Signature, parse::SigTags)>,
    opts: &VerifyOptions,
) -> Vec<(Signature, parse::SigTags)> {
    let by_hash = pick_in_order(
        sigs,
        ListIter::new(&opts.hashes).map(|h| HashAlg::from_option(&h)),
        |s| Some(s.hash),
    );
    pick_in_order(
        by_hash,
        ListIter::new(&opts.keytypes).map(|k| KeyType::from_name(&k)),
        |s| Some(s.key_type),
    )
}

fn pick_in_order<T: PartialEq>(
    mut left: Vec<(Signature, parse::SigTags)>,
    prefs: impl Iterator<Item = Option<T>>,
    of: impl Fn(&Signature) -> Option<T>,
) -> Vec<(Signature, parse::SigTags)> {
    let mut out = Vec::with_capacity(left.len());
    for pref in prefs {
        let (take, keep): (Vec<_>, Vec<_>) = left
            .into_iter()
            .partition(|(s, _)| pref.is_some() && of(s) == pref);
        out.extend(take);
        left = keep;
    }
    out
}

/// The checks after the body hash, for one signature.
struct Check<'a> {
    resolver: &'a dyn Resolver,
    crypto: &'a dyn Crypto,
    opts: &'a VerifyOptions,
    /// The error text of the last key import or signature check (pdkim
    /// logs it when nothing passed).
    last_error: &'a mut Option<&'static str>,
    log: &'a mut Vec<Vec<u8>>,
}

impl Check<'_> {
    fn signature(&mut self, fed: &canon::Fed, sig: &mut Signature, tags: &parse::SigTags) {
        let data = signed_header_data(fed, sig, tags);
        if let Some(r) = missing_tags(sig, tags) {
            return set(sig, Status::Invalid, r);
        }
        let Some(key) = self.key(sig) else {
            self.log.push(failed_import_line(sig));
            return;
        };
        if let Some(hashes) = &key.hashes
            && !ListIter::with_sep(hashes, b':').any(|h| h == sig.hash.name().as_bytes())
        {
            return set(sig, Status::Fail, Reason::AlgoMismatch);
        }
        let raw_key = match sig.key_type {
            KeyType::Ed25519 => key::ed25519_raw(&key.key).unwrap_or_default(),
            KeyType::Rsa => &key.key[..],
        };
        let verified = match algorithm(sig) {
            Some(alg) => self.crypto.verify(
                alg,
                raw_key,
                &data,
                tags.signature.as_deref().unwrap_or_default(),
            ),
            None => Err(SignatureError::Failed(String::new())),
        };
        if verified != Ok(true) {
            *self.last_error = Some(key::VERIFY_ERROR);
            return set(sig, Status::Fail, Reason::SignatureIncorrect);
        }
        *self.last_error = None;
        if self.too_short(sig) {
            return set(sig, Status::Fail, Reason::PubkeyTooShort);
        }
        sig.status = Status::Pass;
    }

    /// The key record, found and imported; the signature made invalid
    /// when it is not.
    fn key(&mut self, sig: &mut Signature) -> Option<KeyRecord> {
        let selector = sig.selector.clone().unwrap_or_default();
        let domain = sig.domain.clone().unwrap_or_default();
        let rec = match email_key_record(self.resolver, &selector, &domain) {
            Ok(rec) => rec,
            Err(reason) => {
                set(sig, Status::Invalid, reason);
                return None;
            }
        };
        let bits = match sig.key_type {
            KeyType::Rsa => key::spki_bits(&rec.key),
            KeyType::Ed25519 => key::ed25519_raw(&rec.key).map(|_| 256),
        };
        match bits {
            Ok(b) => {
                *self.last_error = None;
                sig.key_bits = b;
                sig.key = Some(rec.clone());
                Some(rec)
            }
            Err(e) => {
                *self.last_error = Some(e);
                set(sig, Status::Invalid, Reason::PubkeyDerSyntax);
                None
            }
        }
    }

    /// Whether `dkim_verify_min_keysizes` wants a bigger key.
    fn too_short(&self, sig: &Signature) -> bool {
        if self.opts.min_keysizes.is_empty() {
            return false;
        }
        let Some(min) = crate::items::extract::getkeyed(
            sig.key_type.name().as_bytes(),
            &self.opts.min_keysizes,
        ) else {
            return false;
        };
        // C: an unsigned minimum from atoi().
        let min = crate::cnum::strtol(&min).0 as i32 as u32;
        min > sig.key_bits
    }
}

fn set(sig: &mut Signature, status: Status, reason: Reason) {
    sig.status = status;
    sig.reason = Some(reason);
}

/// The signature algorithm the provider checks (Ed25519 with a hash
/// other than SHA-256 it cannot do).
fn algorithm(sig: &Signature) -> Option<SignatureAlg> {
    Some(match (sig.key_type, sig.hash) {
        (KeyType::Rsa, HashAlg::Sha1) => SignatureAlg::RsaSha1,
        (KeyType::Rsa, HashAlg::Sha256) => SignatureAlg::RsaSha256,
        (KeyType::Rsa, HashAlg::Sha512) => SignatureAlg::RsaSha512,
        (KeyType::Ed25519, HashAlg::Sha256) => SignatureAlg::Ed25519Sha256,
        (KeyType::Ed25519, _) => return None,
    })
}

/// The tags a signature cannot do without.
fn missing_tags(sig: &Signature, tags: &parse::SigTags) -> Option<Reason> {
    let has = |v: &Option<Vec<u8>>| v.as_ref().is_some_and(|v| !v.is_empty());
    if !(has(&sig.domain)
        && has(&sig.selector)
        && has(&sig.header_names)
        && tags.body_hash.is_some()
        && tags.signature.is_some()
        && tags.version != 0)
    {
        return Some(Reason::SignatureTagMissing);
    }
    (tags.version != 1).then_some(Reason::UnsupportedVersion)
}

/// The header data the signature covers: the fields `h=` names (each
/// name taking the last field of that name not yet taken), then the
/// DKIM-Signature field without its `b=` value, canonicalized.
fn signed_header_data(fed: &canon::Fed, sig: &Signature, tags: &parse::SigTags) -> Vec<u8> {
    let Some(names) = &sig.header_names else {
        return Vec::new();
    };
    canon::signed_fields(
        &fed.headers,
        names.split(|&c| c == b':').map(<[u8]>::to_vec),
        |h, name| h.len() > name.len() && h[name.len()] == b':',
        sig.canon_headers == Canon::Relaxed,
        &tags.unsigned_header,
    )
}

/// The key record for `selector` and `domain` (pdkim's
/// `pdkim_key_from_dns` over `dkim_exim_query_dns_txt`): none found, or
/// not usable for email, is a failure with its reason.  ARC's
/// `arc_line_to_pubkey` takes the same.
pub(crate) fn email_key_record(
    resolver: &dyn Resolver,
    selector: &[u8],
    domain: &[u8],
) -> Result<KeyRecord, Reason> {
    let mut name = selector.to_vec();
    name.extend_from_slice(b"._domainkey.");
    name.extend_from_slice(domain);
    let text = dns::key_text(resolver, &name)
        .filter(|t| !t.is_empty() && t[0] != 0)
        .ok_or(Reason::PubkeyUnavailable)?;
    parse::key_record(&text)
        .filter(|r| r.srvtype == b"*" || r.srvtype == b"email")
        .ok_or(Reason::PubkeyDnsSyntax)
}

/// `DKIM: d=... s=... [failed key import]`, logged as the key lookup or
/// import fails.
fn failed_import_line(sig: &Signature) -> Vec<u8> {
    let mut l = b"DKIM: ".to_vec();
    if let Some(d) = &sig.domain {
        l.extend_from_slice(b"d=");
        l.extend_from_slice(d);
    }
    l.push(b' ');
    if let Some(s) = &sig.selector {
        l.extend_from_slice(b"s=");
        l.extend_from_slice(s);
    }
    l.extend_from_slice(b" [failed key import]");
    l
}

/// The line Exim logs for a signature (log_selector `+dkim_verbose`;
/// without it Exim logs none): `DKIM: d=... s=... c=.../... a=... b=...
/// [i=...] [t=...] [x=...] [l=...] [outcome]`.
pub fn log_line(sig: &Signature) -> Vec<u8> {
    log_line_with(sig, None)
}

/// [`log_line`] for a signature whose status the DKIM ACL set:
/// `status` and `reason` are `$dkim_verify_status` and
/// `$dkim_verify_reason` as the ACL left them.
pub fn log_line_with(sig: &Signature, acl: Option<(&[u8], &[u8])>) -> Vec<u8> {
    let mut l = b"DKIM: d=".to_vec();
    l.extend_from_slice(sig.domain.as_deref().unwrap_or(b"<UNSET>"));
    l.extend_from_slice(b" s=");
    l.extend_from_slice(sig.selector.as_deref().unwrap_or(b"<UNSET>"));
    l.extend_from_slice(
        format!(
            " c={}/{} a={} b={}",
            sig.canon_headers.name(),
            sig.canon_body.name(),
            sig.algo(),
            sig.signature_bits
        )
        .as_bytes(),
    );
    if let Some(i) = &sig.identity {
        l.extend_from_slice(b" i=");
        l.extend_from_slice(i);
    }
    if sig.created > 0 {
        l.extend_from_slice(format!(" t={}", sig.created).as_bytes());
    }
    if sig.expires > 0 {
        l.extend_from_slice(format!(" x={}", sig.expires).as_bytes());
    }
    if let Some(n) = sig.body_length {
        l.extend_from_slice(format!(" l={n}").as_bytes());
    }
    if let (Some(_), Some((status, reason))) = (sig.policy, acl) {
        l.extend_from_slice(b" [");
        l.extend_from_slice(status);
        l.extend_from_slice(b" - ");
        l.extend_from_slice(reason);
        l.push(b']');
        return l;
    }
    l.extend_from_slice(outcome(sig).as_bytes());
    l
}

/// The bracketed outcome of a log line.
fn outcome(sig: &Signature) -> &'static str {
    use Reason::*;
    match (sig.status, sig.reason) {
        (Status::None, _) => " [not verified]",
        (Status::Pass, _) => " [verification succeeded]",
        (Status::Invalid, Some(PubkeyUnavailable)) => {
            " [invalid - public key record (currently?) unavailable]"
        }
        (Status::Invalid, Some(PubkeyDnsSyntax | PubkeyDerSyntax)) => {
            " [invalid - syntax error in public key record]"
        }
        (Status::Invalid, Some(SignatureTagMissing)) => {
            " [invalid - signature tag missing or invalid]"
        }
        (Status::Invalid, Some(UnsupportedVersion)) => " [invalid - unsupported DKIM version]",
        (Status::Invalid, _) => " [invalid - unspecified problem]",
        (Status::Fail, Some(BodyhashMismatch)) => {
            " [verification failed - body hash mismatch (body probably modified in transit)]"
        }
        (Status::Fail, Some(SignatureIncorrect)) => {
            " [verification failed - signature did not verify (headers probably modified in transit)]"
        }
        (Status::Fail, Some(PubkeyTooShort)) => {
            " [verification failed - signature invalid (key too short)]"
        }
        (Status::Fail, _) => " [verification failed - unspecified reason]",
    }
}

/// What Exim does for a signature after each DKIM ACL run for it
/// (`dkim_exim_verify_log_sig`), given `$dkim_verify_status` and
/// `$dkim_verify_reason` as the run left them (`acl_set`: whether the
/// ACL assigned either; Exim compares the pointers, so setting the
/// same word counts) or `None` where no ACL ran: updates the domain the
/// `<=` line shows as `DKIM=` (`overall`), records an ACL's verdict on
/// the signature, and gives the `+dkim_verbose` log line.
pub fn after_acl_run(
    sig: &mut Signature,
    vars: Option<(&[u8], &[u8], bool)>,
    overall: &mut Option<Vec<u8>>,
) -> Vec<u8> {
    // C: `!overall && status ? status == "pass" : sig is pass`.
    let pass = match vars {
        Some((status, _, _)) if overall.is_none() => status == b"pass",
        _ => sig.policy.is_none() && sig.status == Status::Pass,
    };
    if pass {
        *overall = Some(sig.domain.clone().unwrap_or_default());
    }
    if let Some((status, _, true)) = vars {
        sig.policy = Some(Status::from_word(status));
    }
    log_line_with(sig, vars.map(|(s, r, _)| (s, r)))
}

/// The dkim part of `${authresults}` (`authres_dkim`): for each
/// signature `;\n\tdkim=RESULT [(comment)\n\t\t] header.d=... header.i=...
/// header.s=... header.a=...`.  `status` and `reason` are the current
/// `$dkim_verify_status` and `$dkim_verify_reason`, which Exim shows for
/// a signature whose status a DKIM ACL set.
pub fn authres(sigs: &[Signature], status: &[u8], reason: &[u8]) -> Vec<u8> {
    let mut g = Vec::new();
    for sig in sigs {
        g.extend_from_slice(b";\n\tdkim=");
        match sig.policy {
            Some(Some(_)) => {
                g.extend_from_slice(b"policy (");
                g.extend_from_slice(status);
                g.extend_from_slice(b" - ");
                g.extend_from_slice(reason);
                g.push(b')');
            }
            Some(None) => g.extend_from_slice(b"permerror"),
            None => g.extend_from_slice(authres_result(sig).as_bytes()),
        }
        for (tag, v) in [
            (" header.d=", &sig.domain),
            (" header.i=", &sig.identity),
            (" header.s=", &sig.selector),
        ] {
            if let Some(v) = v {
                g.extend_from_slice(tag.as_bytes());
                g.extend_from_slice(v);
            }
        }
        g.extend_from_slice(b" header.a=");
        g.extend_from_slice(sig.algo().as_bytes());
    }
    g
}

fn authres_result(sig: &Signature) -> String {
    use Reason::*;
    let s = match (sig.status, sig.reason) {
        (Status::None, _) => "none",
        (Status::Pass, _) => "pass",
        (Status::Invalid, Some(PubkeyUnavailable)) => "tmperror (pubkey unavailable)\n\t\t",
        (Status::Invalid, Some(PubkeyDnsSyntax | PubkeyDerSyntax)) => {
            "neutral (public key record import problem)\n\t\t"
        }
        (Status::Invalid, Some(SignatureTagMissing)) => {
            "neutral (signature tag missing or invalid)\n\t\t"
        }
        (Status::Invalid, Some(UnsupportedVersion)) => "neutral (unsupported DKIM version)\n\t\t",
        (Status::Invalid, _) => "permerror (unspecified problem)\n\t\t",
        (Status::Fail, Some(BodyhashMismatch)) => {
            "fail (body hash mismatch; body probably modified in transit)\n\t\t"
        }
        (Status::Fail, Some(SignatureIncorrect)) => {
            "fail (signature did not verify; headers probably modified in transit)\n\t\t"
        }
        (Status::Fail, Some(PubkeyTooShort)) => {
            return format!("fail (public key too short: {} bits)\n\t\t", sig.key_bits);
        }
        (Status::Fail, _) => "fail (unspecified reason)\n\t\t",
    };
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::ZoneResolver;

    fn messages() -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dkim/messages");
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect()
    }

    /// Cut and garbled messages give answers, never a panic.
    #[test]
    fn survives_damaged_messages() {
        let zones = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dkim/zones");
        let resolver = ZoneResolver::from_dir(zones).unwrap();
        let crypto = crate::crypto::RustCrypto;
        let opts = VerifyOptions::default();
        for m in messages().iter().take(12) {
            for cut in (0..m.len()).step_by(37) {
                verify(&m[..cut], &resolver, &crypto, &opts);
                let mut g = m.clone();
                g[cut] ^= [0x20, 0x0a, 0x3b, 0x3d, 0x00][cut % 5];
                verify(&g, &resolver, &crypto, &opts);
            }
        }
        let odd: [&[u8]; 6] = [
            b"",
            b"\n",
            b"DKIM-Signature:\n\n",
            b"DKIM-Signature: a=rsa-sha256; b; =; ;;; h=:::; d=.; s=..\n\nx",
            b"DKIM-Signature: a=ed25519-sha512; d=example.test; s=ed; h=a; bh=; b=QQ==\r\n\r\n",
            b"\r\r\r\n\n\t\t\n",
        ];
        for m in odd {
            verify(m, &resolver, &crypto, &opts);
        }
    }

    /// The signer list doubles colons and takes domains, then identities.
    #[test]
    fn lists_signers_as_exim() {
        let sig = |d: &[u8], i: Option<&[u8]>| {
            new_signature(&parse::SigTags {
                domain: Some(d.to_vec()),
                identity: i.map(<[u8]>::to_vec),
                ..parse::SigTags::default()
            })
        };
        let v = Verification {
            signatures: vec![sig(b"a.test", Some(b"u@a.test")), sig(b"b:c", None)],
            ..Verification::default()
        };
        assert_eq!(v.signers(), b"a.test:u@a.test:b::c");
        assert_eq!(v.matching(b"U@A.TEST"), [0]);
        assert_eq!(v.matching(b"A.test"), [0]);
    }
}
