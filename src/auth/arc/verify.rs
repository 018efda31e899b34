//! The chain checks of Exim's `acl_verify_arc`: `arc_headers_check`
//! (sequence, completeness, `cv=fail`, the AMS of each set from the
//! newest down, for the oldest pass), `arc_ams_verify`, then
//! `arc_verify_seals` / `arc_seal_verify` from the newest seal down.

use super::chain::{Chain, Line, Set};
use crate::auth::dkim::{Canon, HashAlg, KeyRecord, canon, email_key_record, key};
use crate::eval::{Crypto, Resolver, SignatureAlg};
use crate::lists::ListIter;

/// The message as the checks see it: its header fields (LF line ends,
/// as Exim's `header_list`) and pdkim's canonical bodies.
pub(super) struct Input<'a> {
    pub headers: &'a [Vec<u8>],
    pub fed: Option<&'a canon::Fed>,
    pub resolver: &'a dyn Resolver,
    pub crypto: &'a dyn Crypto,
}

/// What the checks leave behind (Exim's globals).
#[derive(Debug, Default)]
pub(super) struct Outcome {
    pub reason: Option<Vec<u8>>,
    pub oldest_pass: u32,
    pub received_instance: u32,
}

/// A hash named by a prefix of its name, the first of pdkim's table
/// (`pdkim_hashname_to_hashtype` with a length).
fn hash_named(name: Option<&[u8]>) -> Option<HashAlg> {
    let name = name?;
    [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha512]
        .into_iter()
        .find(|h| h.name().as_bytes().starts_with(name))
}

/// The RSA signature algorithm of a hash: all Exim's ARC verifies.
fn rsa_with(hash: HashAlg) -> SignatureAlg {
    match hash {
        HashAlg::Sha1 => SignatureAlg::RsaSha1,
        HashAlg::Sha256 => SignatureAlg::RsaSha256,
        HashAlg::Sha512 => SignatureAlg::RsaSha512,
    }
}

/// The body canonicalization of a whole `c=` value
/// (`pdkim_cstring_to_canons`: exact names only; a lone name is the
/// header one, the body `simple`).
fn body_canon(c: Option<&[u8]>) -> Option<Canon> {
    match c.unwrap_or(b"simple") {
        b"simple" | b"relaxed" | b"simple/simple" | b"relaxed/simple" => Some(Canon::Simple),
        b"simple/relaxed" | b"relaxed/relaxed" => Some(Canon::Relaxed),
        _ => None,
    }
}

impl Input<'_> {
    /// `arc_headers_check`: `Err(state)` when the chain fails here.
    pub fn check_headers(&self, chain: &Chain, out: &mut Outcome) -> Result<(), &'static str> {
        let Some(last) = chain.sets.last() else {
            return Err("none");
        };
        let mut inst = last.instance as i64;
        let mut ams_failed = false;
        let mut top_result: Option<Result<(), Vec<u8>>> = None;
        for set in chain.sets.iter().rev() {
            let why = if set.instance as i64 != inst {
                Some(format!(
                    "i={} (sequence; expected {})",
                    set.instance as i32, inst
                ))
            } else if set.aar.is_none() || set.ams.is_none() || set.seal.is_none() {
                Some(format!("i={} (missing header)", set.instance as i32))
            } else if set.seal.as_ref().is_some_and(|s| s.cv_is(b"fail")) {
                Some(format!("i={} (cv)", set.instance as i32))
            } else {
                None
            };
            if let Some(why) = why {
                out.reason = Some(why.into_bytes());
                return Err("fail");
            }
            if !ams_failed {
                let r = self.verify_ams(set);
                if top_result.is_none() {
                    top_result = Some(r.clone());
                }
                match r {
                    Ok(()) => out.oldest_pass = inst as u32,
                    Err(_) => ams_failed = true,
                }
            }
            out.reason = None;
            inst -= 1;
        }
        if inst != 0 {
            out.reason = Some(format!("(sequence; expected i={inst})").into_bytes());
            return Err("fail");
        }
        out.received_instance = last.instance;
        match top_result {
            Some(Err(why)) => {
                out.reason = Some(why);
                Err("fail")
            }
            _ => Ok(()),
        }
    }

    /// `arc_ams_verify`: the reason when the AMS does not verify.
    fn verify_ams(&self, set: &Set) -> Result<(), Vec<u8>> {
        let fail = |s: &str| Err(s.as_bytes().to_vec());
        let Some(ams) = &set.ams else {
            return fail("required tag missing");
        };
        if [&ams.a, &ams.b, &ams.bh, &ams.d, &ams.h, &ams.s]
            .iter()
            .any(|t| t.is_none())
        {
            return fail("required tag missing");
        }
        let Some(hash) = hash_named(ams.a_hash.as_deref()) else {
            return fail("internal hash setup error");
        };
        if !self.body_hash_matches(ams, hash) {
            return fail("AMS body hash miscompare");
        }
        let Some(rec) = self.public_key(ams) else {
            return fail("pubkey problem");
        };
        if key::spki_bits(&rec.key).is_err() {
            return fail("internal sigverify init error");
        }
        let data = self.ams_header_data(ams);
        if self.signature_verifies(&rec, hash, &data, ams.b.as_deref()) {
            Ok(())
        } else {
            fail("AMS sig nonverify")
        }
    }

    /// Whether `bh=` is the hash of the body as `c=` and `l=` want it.
    fn body_hash_matches(&self, ams: &Line, hash: HashAlg) -> bool {
        let (Some(fed), Some(canon)) = (self.fed, body_canon(ams.c.as_deref())) else {
            return false;
        };
        let body = fed.body(canon);
        let limit = match &ams.l {
            Some(l) => match crate::cnum::strtol(l).0 {
                n if n < 0 => body.len(),
                n => body.len().min(usize::try_from(n).unwrap_or(usize::MAX)),
            },
            None => body.len(),
        };
        let computed = self.crypto.digest(hash.digest(), &body[..limit]);
        let claimed = ams.bh.as_deref().and_then(crate::base64::decode);
        claimed.as_deref() == Some(&computed[..])
    }

    /// `arc_line_to_pubkey`: the key record of `s=` and `d=`, usable
    /// for email and for the `a=` hash.
    fn public_key(&self, line: &Line) -> Option<KeyRecord> {
        let (s, d) = (line.s.as_deref(), line.d.as_deref());
        let rec =
            email_key_record(self.resolver, s.unwrap_or_default(), d.unwrap_or_default()).ok()?;
        if let Some(hashes) = &rec.hashes {
            let want = line.a_hash.as_deref().unwrap_or_default();
            if !ListIter::with_sep(hashes, b':').any(|h| h.starts_with(want)) {
                return None;
            }
        }
        Some(rec)
    }

    /// Whether the base64 `b` is the key's signature over `data`.
    fn signature_verifies(
        &self,
        rec: &KeyRecord,
        hash: HashAlg,
        data: &[u8],
        b: Option<&[u8]>,
    ) -> bool {
        let sig = b.and_then(crate::base64::decode).unwrap_or_default();
        self.crypto.verify(rsa_with(hash), &rec.key, data, &sig) == Ok(true)
    }

    /// `arc_get_verify_hhash`: for each `h=` name (an Exim list), the
    /// newest field not yet taken whose name *begins* with it, then the
    /// AMS without its `b=` value (relaxed: canonicalized; simple: as
    /// stored, LF line ends).
    fn ams_header_data(&self, ams: &Line) -> Vec<u8> {
        canon::signed_fields(
            self.headers,
            ListIter::with_sep(ams.h.as_deref().unwrap_or_default(), b':'),
            |_, _| true,
            ams.relaxed_headers(),
            &ams.no_b,
        )
    }

    /// `arc_verify_seals`: every seal from the newest down.
    pub fn check_seals(&self, chain: &Chain, out: &mut Outcome) -> Result<(), &'static str> {
        for (n, set) in chain.sets.iter().enumerate().rev() {
            if let Err(why) = self.verify_seal(&chain.sets[..=n], set) {
                out.reason = why.map(|w| w.as_bytes().to_vec());
                return Err("fail");
            }
        }
        Ok(())
    }

    /// `arc_seal_verify` for the last of `sets`: the reason (or none,
    /// where Exim sets none) when it fails.
    fn verify_seal(&self, sets: &[Set], set: &Set) -> Result<(), Option<&'static str>> {
        let Some(seal) = &set.seal else {
            return Err(Some("seal cv state"));
        };
        let none = seal.cv_is(b"none");
        if (set.instance == 1 && !none) || (none && set.instance != 1) {
            return Err(Some("seal cv state"));
        }
        let Some(hash) = hash_named(seal.a_hash.as_deref()) else {
            return Err(Some("seal hash setup error"));
        };
        let data = seal_data(sets);
        let Some(rec) = self.public_key(seal) else {
            return Err(None);
        };
        if key::spki_bits(&rec.key).is_err() {
            return Err(None);
        }
        if self.signature_verifies(&rec, hash, &data, seal.b.as_deref()) {
            Ok(())
        } else {
            Err(Some("seal sigverify error"))
        }
    }
}

/// The data a seal signs: each set's AAR, AMS and seal relaxed, in
/// instance order, the last seal without its `b=` value or final CRLF.
pub(super) fn seal_data(sets: &[Set]) -> Vec<u8> {
    let mut data = Vec::new();
    let last = sets.len().saturating_sub(1);
    for (n, set) in sets.iter().enumerate() {
        for line in [&set.aar, &set.ams].into_iter().flatten() {
            data.extend(canon::relax_header(&line.complete, true));
        }
        if let Some(seal) = &set.seal {
            if n == last {
                data.extend(canon::relax_header(&seal.no_b, false));
            } else {
                data.extend(canon::relax_header(&seal.complete, true));
            }
        }
    }
    data
}
