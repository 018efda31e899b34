//! ARC signing as Exim 4.96's `arc_sign` makes a set for the smtp
//! transport's `arc_sign` option.

use super::chain::{AAR, AMS, AS, Chain, Kind, Line, Set};
use super::header_fields;
use crate::auth::dkim::canon;
use crate::eval::{Crypto, Digest, SignatureAlg};
use crate::lists::ListIter;

/// `ARC_SIGN_DEFAULT_EXPIRE_DELTA`: one month.
const DEFAULT_EXPIRE_DELTA: i64 = 60 * 60 * 24 * 30;

/// The headers an AMS signs (`"DKIM-Signature:" PDKIM_DEFAULT_SIGN_HEADERS`).
const SIGNED_HEADERS: &[u8] = b"DKIM-Signature:From:Sender:Reply-To:Subject:Date:\
Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:Content-ID:\
Content-Description:Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:\
Resent-Message-ID:In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:\
List-Subscribe:List-Post:List-Owner:List-Archive";

/// What one `arc_sign` setting asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    /// The ADMD identifier: the seal's and AMS's `d=`, and the
    /// Authentication-Results identity looked for.
    pub admd: Vec<u8>,
    /// The selector (`s=`).
    pub selector: Vec<u8>,
    /// The private key text (PEM, or DER PKCS#8 / PKCS#1).
    pub key: Vec<u8>,
    /// `timestamps`: a `t=` on the AMS and the seal.
    pub timestamps: bool,
    /// `expire`: the AMS's `x=` value (absolute seconds).
    pub expire: Option<u64>,
    /// The time for `t=`.
    pub now: i64,
}

/// Reads an expanded `arc_sign` value, `admd : selector : privkey [:
/// options]`, with `now` for `timestamps` and relative expiries; the
/// error is the line Exim logs before sending unsigned.  A key beginning
/// `/` is a file name, which the caller reads (Exim's
/// `expand_file_big_buffer`) into [`SignOptions::key`].
pub fn parse_sign_spec(spec: &[u8], now: i64) -> Result<SignOptions, String> {
    let bad = |what: &str| format!("ARC: bad signing-specification ({what})");
    let mut items = ListIter::new(spec);
    let mut next = |what: &str| {
        items
            .next()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad(what))
    };
    let admd = next("identity")?;
    let selector = next("selector")?;
    let key = next("privkey")?;
    let opts = items.next();
    if !valid_id(&admd) {
        return Err(bad("identity"));
    }
    if !valid_id(&selector) {
        return Err(bad("selector"));
    }
    let mut o = SignOptions {
        admd,
        selector,
        key,
        timestamps: false,
        expire: None,
        now,
    };
    for opt in ListIter::with_sep(opts.as_deref().unwrap_or_default(), b',') {
        if opt == b"timestamps" {
            o.timestamps = true;
        } else if let Some(rest) = opt.strip_prefix(b"expire") {
            o.expire = Some(expiry(rest, now) as u64);
        }
    }
    Ok(o)
}

/// The `x=` of `expire`, `expire=+DELTA` or `expire=TIME`.
fn expiry(rest: &[u8], now: i64) -> i64 {
    match rest.strip_prefix(b"=") {
        Some(v) => match v.strip_prefix(b"+") {
            Some(delta) => match crate::cnum::atoi(delta) {
                0 => now + DEFAULT_EXPIRE_DELTA,
                d => now + i64::from(d),
            },
            None => crate::cnum::strtol(v).0,
        },
        None => now + DEFAULT_EXPIRE_DELTA,
    }
}

/// `arc_valid_id`: letters, digits, `-` and `.` only.
fn valid_id(s: &[u8]) -> bool {
    s.iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
}

/// `arc_sign_find_ar`: the content of the first `Authentication-Results:`
/// field (name case as written) whose value begins with `admd`, after
/// the identity, its `;` and white space, with its final newline;
/// `None` when there is none, and Exim logs `ARC: no
/// Authentication-Results header for signing` and sends unsigned.
pub fn authentication_results_for(message: &[u8], admd: &[u8]) -> Option<Vec<u8>> {
    const AR: &[u8] = b"Authentication-Results:";
    let fws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    header_fields(message).into_iter().find_map(|h| {
        let v = h.strip_prefix(AR)?;
        let v = &v[v.iter().take_while(|c| fws(c)).count()..];
        let v = v.strip_prefix(admd)?;
        if v.is_empty() {
            return None;
        }
        let v = v.strip_prefix(b";").unwrap_or(v);
        let v = &v[v.iter().take_while(|c| fws(c)).count()..];
        (!v.is_empty()).then(|| v.to_vec())
    })
}

/// `arc_ar_cv_status`: the result of the `arc=` method of the A-R
/// content, `none` without one; the new seal's `cv=`.
fn chain_status(ar: &[u8]) -> Vec<u8> {
    for spec in ListIter::with_sep(ar, b';') {
        if let Some(v) = spec.strip_prefix(b"arc=") {
            let end = v
                .iter()
                .position(|c| matches!(c, b' ' | b'\r' | b'\n'))
                .unwrap_or(v.len());
            return v[..end].to_vec();
        }
    }
    b"none".to_vec()
}

/// Makes the ARC set for `message` (the message as the transport sends
/// it, any new DKIM-Signature fields included, LF line ends) as Exim's
/// `arc_sign` does: the three fields to prepend, seal first, then the
/// AAR, then the AMS, each line ending LF (Exim writes CRLF on the
/// wire; every signature covers relaxed forms, so the two are the same).
///
/// `ar` is the Authentication-Results content to carry in the AAR (see
/// [`authentication_results_for`]); its `arc=` result is the new seal's
/// `cv=`.  The instance is one above the highest ARC field of the
/// message.  The AMS is always `a=rsa-sha256; c=relaxed` (relaxed
/// headers, simple body, as pdkim reads a lone `relaxed`) and signs every
/// field named in pdkim's default list (and DKIM-Signature), newest
/// first; the seal covers every set when `cv` is not `fail`, only the
/// new one when it is.  An error is what Exim logs (`ARC: AMS signing:
/// ...`) or, for a chain missing a field, its debug text; Exim then
/// sends the message without an ARC set.
pub fn sign(
    message: &[u8],
    ar: &[u8],
    opts: &SignOptions,
    crypto: &dyn Crypto,
) -> Result<Vec<u8>, String> {
    let headers = header_fields(message);
    let mut chain = signing_chain(&headers);
    let instance = chain.sets.last().map_or(1, |s| s.instance + 1);
    let aar = aar_field(instance, &opts.admd, ar);
    let ams = ams_field(message, &headers, instance, opts, crypto)?;
    chain.sets.push(Set {
        instance,
        aar: Some(line_of(aar.clone())),
        ams: Some(line_of(ams.clone())),
        seal: None,
    });
    let status = chain_status(ar);
    let mut out = seal_field(&mut chain, instance, &status, opts, crypto)?;
    out.extend_from_slice(&aar);
    out.extend_from_slice(&ams);
    Ok(out)
}

/// The existing chain as `arc_header_sign_feed` builds it: every ARC
/// field read for `i=` only, those Exim refuses left out.
fn signing_chain(headers: &[Vec<u8>]) -> Chain {
    let mut chain = Chain::default();
    for h in headers {
        if let Some(kind) = Kind::of(h) {
            let _ = chain.insert(kind, h, true);
        }
    }
    chain
}

fn line_of(complete: Vec<u8>) -> Line {
    Line {
        complete,
        ..Line::default()
    }
}

/// `arc_sign_append_aar`.
fn aar_field(instance: u32, admd: &[u8], ar: &[u8]) -> Vec<u8> {
    let mut g = AAR.to_vec();
    g.extend_from_slice(format!(" i={instance}; ").as_bytes());
    g.extend_from_slice(admd);
    g.extend_from_slice(b";\n\t");
    g.extend_from_slice(ar);
    if g.last() != Some(&b'\n') {
        g.push(b'\n');
    }
    g
}

/// `arc_sign_append_ams`.
fn ams_field(
    message: &[u8],
    headers: &[Vec<u8>],
    instance: u32,
    opts: &SignOptions,
    crypto: &dyn Crypto,
) -> Result<Vec<u8>, String> {
    let fed = canon::feed(message, 0).map_err(|e| format!("ARC: AMS body: {e}"))?;
    // `c=relaxed` is relaxed/simple: pdkim's simple body.
    let bh = crate::base64::encode(&crypto.digest(Digest::Sha256, &fed.simple_body));
    let mut g = AMS.to_vec();
    g.extend_from_slice(format!(" i={instance}; a=rsa-sha256; c=relaxed; d=").as_bytes());
    g.extend_from_slice(&opts.admd);
    g.extend_from_slice(b"; s=");
    g.extend_from_slice(&opts.selector);
    g.extend_from_slice(&timestamp_tags(opts, true));
    g.extend_from_slice(b";\n\tbh=");
    g.extend_from_slice(&bh);
    g.extend_from_slice(b";\n\th=");
    let mut data = signed_headers(headers, &mut g);
    g.extend_from_slice(b";\n\tb=;");
    data.extend(canon::relax_header(&g, false));
    finish_with_signature(g, &data, opts, crypto, "AMS")
}

/// `; t=NOW` when asked, and for the AMS `; x=EXPIRY`.
fn timestamp_tags(opts: &SignOptions, ams: bool) -> Vec<u8> {
    let mut t = Vec::new();
    if opts.timestamps {
        t.extend_from_slice(format!("; t={}", opts.now as u64).as_bytes());
    }
    if let (true, Some(x)) = (ams, opts.expire) {
        t.extend_from_slice(format!("; x={x}").as_bytes());
    }
    t
}

/// The `h=` list written into `g` (folded before passing column 78) and
/// the relaxed fields it names, newest first.
fn signed_headers(headers: &[Vec<u8>], g: &mut Vec<u8>) -> Vec<u8> {
    let mut data = Vec::new();
    let mut col = 3;
    for h in headers.iter().rev() {
        let Some(name) = ListIter::with_sep(SIGNED_HEADERS, b':')
            .find(|n| h.len() >= n.len() && h[..n.len()].eq_ignore_ascii_case(n))
        else {
            continue;
        };
        if col + name.len() > 78 {
            g.extend_from_slice(b"\n\t  ");
            col = 3;
        }
        g.extend_from_slice(&name);
        g.push(b':');
        col += name.len() + 1;
        data.extend(canon::relax_header(h, true));
    }
    if g.last() == Some(&b':') {
        g.pop();
    }
    data
}

/// `arc_sign_prepend_as`: the seal over the chain, the new set's AAR
/// and AMS already in it.
fn seal_field(
    chain: &mut Chain,
    instance: u32,
    status: &[u8],
    opts: &SignOptions,
    crypto: &dyn Crypto,
) -> Result<Vec<u8>, String> {
    let mut g = AS.to_vec();
    g.extend_from_slice(format!(" i={instance}; cv=").as_bytes());
    g.extend_from_slice(status);
    g.extend_from_slice(b"; a=rsa-sha256; d=");
    g.extend_from_slice(&opts.admd);
    g.extend_from_slice(b"; s=");
    g.extend_from_slice(&opts.selector);
    g.extend_from_slice(&timestamp_tags(opts, false));
    g.extend_from_slice(b";\n\t b=;");
    let new = chain.sets.len() - 1;
    chain.sets[new].seal = Some(Line {
        no_b: g.clone(),
        ..Line::default()
    });
    let sets = if status == b"fail" {
        &chain.sets[new..]
    } else {
        &chain.sets[..]
    };
    if let Some((set, what)) = sets.iter().find_map(|s| missing_field(s).map(|w| (s, w))) {
        return Err(format!(
            "ARC: while building AS, missing {what} in chain (i={})",
            set.instance
        ));
    }
    let data = super::verify::seal_data(sets);
    finish_with_signature(g, &data, opts, crypto, "AS")
}

/// The first field a set lacks, by Exim's name for it.
fn missing_field(set: &Set) -> Option<&'static str> {
    [(&set.aar, "aar"), (&set.ams, "ams"), (&set.seal, "as")]
        .into_iter()
        .find_map(|(l, w)| l.is_none().then_some(w))
}

/// The field `g` (ending `b=;`) completed with the signature over
/// `data`, folded at 74 characters (`arc_sign_append_sig`).
fn finish_with_signature(
    mut g: Vec<u8>,
    data: &[u8],
    opts: &SignOptions,
    crypto: &dyn Crypto,
    why: &str,
) -> Result<Vec<u8>, String> {
    let sig = crypto
        .sign(SignatureAlg::RsaSha256, &opts.key, data)
        .map_err(|e| format!("ARC: {why} signing: {e}"))?;
    g.pop();
    let b64 = crate::base64::encode(&sig);
    for (n, chunk) in b64.chunks(74).enumerate() {
        if n > 0 {
            g.extend_from_slice(b"\n\t  ");
        }
        g.extend_from_slice(chunk);
    }
    g.extend_from_slice(b";\n");
    Ok(g)
}

/// Reads a key file for [`sign_message`].
pub type ReadKey<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, String> + 'a;

/// What the smtp transport's `arc_sign` does with an expanded value
/// (Exim's `arc_sign` and its caller): the signing specification read,
/// a key naming a file (starting with `/`) read with `read_key`, the
/// Authentication-Results header of the ADMD found, and the message
/// returned with the new ARC set in front.  `Ok(None)` when Exim sends
/// the message unsigned without an error (an empty specification).
pub fn sign_message(
    message: &[u8],
    spec: &[u8],
    now: i64,
    crypto: &dyn Crypto,
    read_key: &ReadKey<'_>,
) -> Result<Option<Vec<u8>>, String> {
    if spec.trim_ascii().is_empty() {
        return Ok(None);
    }
    let mut opts = parse_sign_spec(spec, now)?;
    if opts.key.first() == Some(&b'/') {
        opts.key = read_key(&opts.key)?;
    }
    let Some(ar) = authentication_results_for(message, &opts.admd) else {
        return Err("ARC: no Authentication-Results header for signing".to_string());
    };
    let set = sign(message, &ar, &opts, crypto)?;
    let mut out = set;
    out.extend_from_slice(message);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(spec, Ok((timestamps, expire)) | Err(logged line))`.
    type SpecCase<'a> = (&'a str, Result<(bool, Option<u64>), &'a str>);

    #[test]
    fn reads_sign_specs_as_arc_sign() {
        let now = 1_000_000;
        let cases: &[SpecCase] = &[
            ("a.example : sel : KEY", Ok((false, None))),
            ("a.example:sel:KEY:timestamps", Ok((true, None))),
            (
                "a.example:sel:KEY:expire",
                Ok((false, Some(1_000_000 + 2_592_000))),
            ),
            (
                "a.example:sel:KEY:timestamps,expire=+60",
                Ok((true, Some(1_000_060))),
            ),
            (
                "a.example:sel:KEY:expire=+0",
                Ok((false, Some(1_000_000 + 2_592_000))),
            ),
            ("a.example:sel:KEY:expire=1234", Ok((false, Some(1234)))),
            ("a.example:sel:KEY:bogus", Ok((false, None))),
            ("", Err("ARC: bad signing-specification (identity)")),
            (
                "a.example::KEY",
                Err("ARC: bad signing-specification (selector)"),
            ),
            (
                "a.example:sel",
                Err("ARC: bad signing-specification (privkey)"),
            ),
            (
                "a_example:sel:KEY",
                Err("ARC: bad signing-specification (identity)"),
            ),
            (
                "a.example:s l:KEY",
                Err("ARC: bad signing-specification (selector)"),
            ),
        ];
        for (spec, want) in cases {
            let got = parse_sign_spec(spec.as_bytes(), now).map(|o| (o.timestamps, o.expire));
            assert_eq!(got, want.map_err(str::to_string), "{spec}");
        }
    }

    #[test]
    fn finds_the_chain_status_as_arc_c() {
        let cases: &[(&str, &str)] = &[
            ("arc=none", "none"),
            (
                "iprev=pass (localhost) smtp.remote-ip=127.0.0.1;\n\tarc=pass (i=1) header.s=sel",
                "pass",
            ),
            ("spf=pass; arc=fail (i=1)(AMS body hash miscompare)", "fail"),
            ("spf=pass", "none"),
        ];
        for (ar, want) in cases {
            assert_eq!(chain_status(ar.as_bytes()), want.as_bytes(), "{ar}");
        }
    }

    #[test]
    fn finds_authentication_results_as_arc_c() {
        let m = b"Authentication-Results: other.example; spf=pass\n\
Authentication-Results: test.ex;\n\tarc=none\nSubject: x\n\nbody\n";
        assert_eq!(
            authentication_results_for(m, b"test.ex").as_deref(),
            Some(&b"arc=none\n"[..])
        );
        assert_eq!(authentication_results_for(m, b"nowhere.example"), None);
        let lower = b"authentication-results: test.ex; arc=none\n\nbody\n";
        assert_eq!(authentication_results_for(lower, b"test.ex"), None);
    }
}
