//! ARC (RFC 8617, Exim 4.96's `EXPERIMENTAL_ARC`): verifying an
//! Authenticated Received Chain as the `verify = arc` ACL condition does
//! and signing as the smtp transport's `arc_sign` option does, following
//! Exim's `src/src/arc.c` rather than the RFC where the two differ.
//!
//! DNS goes through the [`Resolver`] (the selector's DKIM key record,
//! through DKIM's own lookup and record parser) and every digest,
//! signature and check through the [`Crypto`] provider; the clock is the
//! caller's (`t=`, `x=` when signing; verification looks at neither).
//!
//! # Exim 4.96 behaviours followed
//!
//! Verification (`acl_verify_arc`):
//! - `arc_vfy_collect_hdrs` / `arc_try_header` / `arc_insert_hdr`: each
//!   field named `ARC-Authentication-Results:`, `ARC-Message-Signature:`
//!   or `ARC-Seal:` (any case) is parsed by `arc_parse_line` (only the
//!   tags `a b bh c cv d h i l s`; an unknown tag beginning `b` or `c`, a
//!   duplicate, an `a=` without `-`, an empty `b=`/`bh=` are errors; the
//!   AAR is read for `i=` only) and put in its instance's set; `i=` is
//!   read by `atoi`, 0 and above 50 refused, a second field of a kind in
//!   a set refused.  The first error stops collection: state `fail`,
//!   reason `collecting headers: inserting AAR|AMS|AS`.  No ARC field:
//!   `none`.
//! - `arc_headers_check`: from the newest set down, `i=N (sequence;
//!   expected M)`, `i=N (missing header)`, `i=N (cv)` (a seal whose `cv=`
//!   is a prefix of `fail`, so also an absent `cv=`); each set's AMS is
//!   checked while they pass, the lowest passing instance becoming
//!   `$arc_oldest_pass`; a chain not reaching 1 fails `(sequence;
//!   expected i=N)`; then the highest instance is recorded and its AMS
//!   must have passed (its reason kept).
//! - `arc_ams_verify`: `required tag missing` (a b bh d h s), the body
//!   hash over pdkim's canonical body for the whole `c=` value (exact
//!   names, a lone `relaxed` being relaxed/simple; `l=` by `strtol`)
//!   `AMS body hash miscompare`, the key
//!   (`arc_line_to_pubkey`: `s._domainkey.d`, `srvtype` `*` or `email`,
//!   the record's `h=` list against the `a=` hash by prefix) `pubkey
//!   problem`, a key that is not DER SubjectPublicKeyInfo `internal
//!   sigverify init error`, the signature `AMS sig nonverify`.  Headers
//!   by `arc_get_verify_hhash`: each `h=` name (an Exim list) takes the
//!   newest unused field whose name *begins* with it (no colon check),
//!   relaxed when the head of `c=` is a prefix of `relaxed` (measured
//!   with arc.c's bound of one more than the `a=` length seen before
//!   `c=`), otherwise the stored text with its LF line ends.
//! - `arc_seal_verify`, newest first: `seal cv state` (i=1 without
//!   `cv=none`, or `cv=none` above 1), `seal hash setup error`, the key
//!   (a key problem fails with no reason, as Exim sets none), `seal
//!   sigverify error`; the data are every set's AAR, AMS and seal
//!   relaxed up to this one, its `b=` value left out.
//! - `fn_arc_domains`: `$arc_domains` from whatever sets were collected,
//!   also for a failed chain, empty elements for sets without a seal or
//!   a seal without `d=`.
//! - `authres_arc`: [`ArcVerification::authres`].
//!
//! Signing (`arc_sign`, [`sign`]): `arc_sign_append_aar`,
//! `arc_sign_append_ams` (always `a=rsa-sha256; c=relaxed`, the simple
//! body hashed, `h=` every field of `"DKIM-Signature:"
//! PDKIM_DEFAULT_SIGN_HEADERS` newest first, folded before column 78,
//! `t=`/`x=` by the options), `arc_sign_prepend_as` (`cv=` from the
//! `arc=` result of the A-R content, `arc_ar_cv_status`; `t=` only; the
//! seal covers the whole chain, or only the new set when `cv=fail`),
//! `arc_sign_append_sig` (base64 in 74-character lines); the options by
//! [`parse_sign_spec`] (`arc_valid_id`, `timestamps`, `expire`,
//! `expire=+N`, `expire=N`); the A-R by [`authentication_results_for`]
//! (`arc_sign_find_ar`).  Checked against Exim's test 4560: the six sets
//! its forwarders wrote are remade byte for byte (tests/arc.rs).
//!
//! # Wiring
//! - `verify = arc[/LIST]` (DATA ACL only): run [`verify`] over the
//!   message as `header_list` holds it then (Exim's own `Received:` on
//!   top), set `$arc_state`, `$arc_state_reason`, `$arc_domains`,
//!   `$arc_oldest_pass` from the result and match with
//!   [`ArcVerification::matches`].  Exim DEFERs instead when DKIM
//!   verification is off (`control = dkim_disable_verify`: no pdkim
//!   context).
//! - `${authresults{ADMD}}` appends [`ArcVerification::authres`] once
//!   `verify = arc` has run; the `<=` line gets ` ARC` (with the `dkim`
//!   log selector, the default) when the state is `pass`.
//! - The smtp transport's `arc_sign`: expand, [`parse_sign_spec`], read a
//!   `/file` key, [`authentication_results_for`], [`sign`] over the
//!   message as sent (new DKIM-Signature fields on top), and prepend the
//!   result (before those DKIM-Signature fields); any error: log it and
//!   send unsigned.
//!
//! # Differences left
//! - Only RSA is verified (Exim imports `p=` as DER SubjectPublicKeyInfo;
//!   an Ed25519 SPKI key, which OpenSSL builds would try, is not tried).
//! - Where Exim would dereference a missing tag (a seal without `a=` or
//!   `b=`, an AMS `a=` hash pdkim does not know) the chain fails with
//!   `seal hash setup error`, `seal sigverify error` or `internal hash
//!   setup error`.
//! - Exim's body hash comes from the DKIM verifier fed during reception;
//!   here the body is canonicalized from the message given (a pdkim
//!   feed error fails every AMS with `AMS body hash miscompare`).
//! - Exim signs an instance 51 over a chain of 50; so does [`sign`].
//! - `$arc_oldest_pass` is never carried over from a previous message of
//!   the SMTP session as Exim's (unreset) global is: the caller keeps
//!   the old value if it wants Exim's exact behaviour.

#![warn(missing_docs)]

mod chain;
mod sign;
mod verify;

pub use sign::{
    ReadKey, SignOptions, authentication_results_for, parse_sign_spec, sign, sign_message,
};

use crate::auth::dkim::canon;
use crate::eval::{Crypto, Resolver};
use crate::message::{Message, ReadOptions};
use chain::{Chain, Kind};

/// The outcome of `verify = arc` and what Exim's `$arc_*` variables and
/// `${authresults}` take from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcVerification {
    /// `$arc_state`: `none`, `pass` or `fail`.
    pub state: &'static str,
    /// `$arc_state_reason` (empty when Exim has none).
    pub state_reason: Vec<u8>,
    /// `$arc_domains`: the `d=` of each seal, in instance order.
    pub domains: Vec<u8>,
    /// `$arc_oldest_pass`: the lowest instance of the unbroken run of
    /// passing AMSes from the newest down (0 for none).
    pub oldest_pass: u32,
    /// The highest instance, once the chain's numbering was found sound
    /// (Exim's `arc_received_instance`; 0 otherwise).
    pub received_instance: u32,
    /// The `s=` of that instance's AMS (for `${authresults}`).
    pub received_selector: Vec<u8>,
}

impl ArcVerification {
    fn from_state(state: &'static str) -> ArcVerification {
        ArcVerification {
            state,
            state_reason: Vec::new(),
            domains: Vec::new(),
            oldest_pass: 0,
            received_instance: 0,
            received_selector: Vec::new(),
        }
    }

    /// The `arc` part of `${authresults}` (Exim's `authres_arc`):
    /// `;\n\tarc=STATE`, then for a chain with a sound numbering
    /// ` (i=N)`, `(REASON)`, ` header.s=SEL arc.oldest-pass=N` and
    /// ` smtp.remote-ip=IP` for a message from a remote host; otherwise
    /// ` (REASON)` when there is one.
    pub fn authres(&self, sender_host_address: Option<&[u8]>) -> Vec<u8> {
        let mut g = b";\n\tarc=".to_vec();
        g.extend_from_slice(self.state.as_bytes());
        if self.received_instance > 0 {
            g.extend_from_slice(format!(" (i={})", self.received_instance).as_bytes());
            if !self.state_reason.is_empty() {
                g.push(b'(');
                g.extend_from_slice(&self.state_reason);
                g.push(b')');
            }
            g.extend_from_slice(b" header.s=");
            g.extend_from_slice(&self.received_selector);
            g.extend_from_slice(format!(" arc.oldest-pass={}", self.oldest_pass).as_bytes());
            if let Some(ip) = sender_host_address.filter(|ip| !ip.is_empty()) {
                g.extend_from_slice(b" smtp.remote-ip=");
                g.extend_from_slice(ip);
            }
        } else if !self.state_reason.is_empty() {
            g.extend_from_slice(b" (");
            g.extend_from_slice(&self.state_reason);
            g.push(b')');
        }
        g
    }

    /// Whether `verify = arc/LIST` succeeds: the state is one of the
    /// colon-separated words of `list` (`none:pass` when absent).
    pub fn matches(&self, list: Option<&[u8]>) -> bool {
        crate::lists::ListIter::new(list.unwrap_or(b"none:pass"))
            .any(|w| w == self.state.as_bytes())
    }
}

/// The header fields of a stored message (LF line ends).
fn header_fields(message: &[u8]) -> Vec<Vec<u8>> {
    let opts = ReadOptions {
        dot_ends: false,
        ..ReadOptions::default()
    };
    Message::parse(message, &opts)
        .headers
        .into_iter()
        .map(|h| h.text)
        .collect()
}

/// Verifies the ARC chain of `message` (headers and body as Exim stores
/// a received one: LF line ends, dots unstuffed), as `verify = arc` in
/// the DATA ACL does.
pub fn verify(message: &[u8], resolver: &dyn Resolver, crypto: &dyn Crypto) -> ArcVerification {
    let headers = header_fields(message);
    let (chain, collected) = collect(&headers);
    let mut v = match collected {
        Err(reason) => {
            let mut v = ArcVerification::from_state("fail");
            v.state_reason = reason.into_bytes();
            v
        }
        Ok(()) if chain.sets.is_empty() => ArcVerification::from_state("none"),
        Ok(()) => check_chain(message, &headers, &chain, resolver, crypto),
    };
    v.domains = domains(&chain);
    v
}

/// `arc_vfy_collect_hdrs`: the sets, and the reason when a field could
/// not be taken in.
fn collect(headers: &[Vec<u8>]) -> (Chain, Result<(), String>) {
    let mut chain = Chain::default();
    for h in headers {
        let Some(kind) = Kind::of(h) else { continue };
        if chain.insert(kind, h, kind == Kind::Aar).is_err() {
            let why = format!("collecting headers: inserting {}", kind.word());
            return (chain, Err(why));
        }
    }
    (chain, Ok(()))
}

/// The header checks then the seals, over a chain of at least one set.
fn check_chain(
    message: &[u8],
    headers: &[Vec<u8>],
    chain: &Chain,
    resolver: &dyn Resolver,
    crypto: &dyn Crypto,
) -> ArcVerification {
    let fed = canon::feed(message, 0).ok();
    let input = verify::Input {
        headers,
        fed: fed.as_ref(),
        resolver,
        crypto,
    };
    let mut out = verify::Outcome::default();
    let state = input
        .check_headers(chain, &mut out)
        .and_then(|()| input.check_seals(chain, &mut out))
        .map_or_else(|s| s, |()| "pass");
    let mut v = ArcVerification::from_state(state);
    v.state_reason = out.reason.unwrap_or_default();
    v.oldest_pass = out.oldest_pass;
    v.received_instance = out.received_instance;
    if out.received_instance > 0 {
        v.received_selector = chain
            .sets
            .last()
            .and_then(|s| s.ams.as_ref())
            .and_then(|a| a.s.clone())
            .unwrap_or_default();
    }
    v
}

/// `fn_arc_domains`: the seals' `d=` as a colon list, with an empty
/// element for each missing instance, seal or `d=`.
fn domains(chain: &Chain) -> Vec<u8> {
    let mut g = Vec::new();
    let mut inst = 1;
    for set in &chain.sets {
        match &set.seal {
            Some(seal) => {
                while inst < set.instance {
                    g.push(b':');
                    inst += 1;
                }
                match seal.d.as_deref().filter(|d| !d.is_empty()) {
                    Some(d) => crate::auth::dkim::append_list_element(&mut g, d),
                    None => g.push(b':'),
                }
            }
            None => g.push(b':'),
        }
        inst += 1;
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_authres_as_exim() {
        let mut v = ArcVerification::from_state("none");
        assert_eq!(v.authres(Some(b"192.0.2.1")), b";\n\tarc=none");
        v.state = "fail";
        v.state_reason = b"collecting headers: inserting AMS".to_vec();
        assert_eq!(
            v.authres(None),
            b";\n\tarc=fail (collecting headers: inserting AMS)"
        );
        v.received_instance = 1;
        v.received_selector = b"sel".to_vec();
        v.state_reason = b"AMS body hash miscompare".to_vec();
        assert_eq!(
            v.authres(Some(b"127.0.0.1")),
            &b";\n\tarc=fail (i=1)(AMS body hash miscompare) header.s=sel arc.oldest-pass=0 smtp.remote-ip=127.0.0.1"[..]
        );
    }

    #[test]
    fn matches_condition_lists_as_acl_c() {
        let cases: &[(&str, Option<&str>, bool)] = &[
            ("none", None, true),
            ("pass", None, true),
            ("fail", None, false),
            ("none", Some("pass"), false),
            ("fail", Some("none:fail"), true),
            ("pass", Some("<; fail; pass"), true),
        ];
        for (state, list, want) in cases {
            let v = ArcVerification::from_state(state);
            assert_eq!(
                v.matches(list.map(str::as_bytes)),
                *want,
                "{state} {list:?}"
            );
        }
    }
}
