//! `${certextract{field}{$certvar}{yes}{no}}` and the certificate forms of
//! the `md5`, `sha1`, `sha256` and `base64` operators.
//!
//! A certificate variable (`$tls_in_peercert`, `$tls_in_ourcert`,
//! `$tls_out_peercert`, `$tls_out_ourcert`) holds a certificate only in a
//! TLS session; an embedder supplies one by setting the variable to the
//! certificate's PEM text.  Unset (or not holding a readable PEM
//! certificate, as Exim's own import would leave it) the variable behaves as
//! in `exim -be`: `certextract` takes its failure branch.
//!
//! The field formats are those of Debian's Exim 4.96, built with GnuTLS
//! 3.7 (`src/src/tlscert-gnu.c`, `tls.c` `tls_field_from_dn`, `expand.c`
//! `expand_getcertele` and the cert branches of the operators; the spec's
//! `certextract` entry in `doc/doc-docbook/spec.xfpt`); they
//! were checked against that build through a real STARTTLS session (see the
//! tests).  Parsing uses the `x509-parser` crate; each certificate is parsed
//! once and its fields kept, keyed by the PEM text.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::parser::ItemNode;
use std::cell::RefCell;
use std::rc::Rc;

/// A GeneralName kept from the subjectAltName or CRL distribution points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "certs"), allow(dead_code))]
enum NameKind {
    Dns,
    Uri,
    Mail,
    Other,
}

/// One accessDescription of the authorityInfoAccess extension, as GnuTLS
/// answers for "the OCSP URI at this index".
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "certs"), allow(dead_code))]
enum Access {
    Ocsp(Vec<u8>),
    /// Not an OCSP method: GNUTLS_E_UNKNOWN_ALGORITHM.
    OtherMethod,
    /// OCSP, but the location is not a URI: GNUTLS_E_ILLEGAL_PARAMETER.
    NotUri,
}

/// The fields of a certificate, taken out once.
#[derive(Debug)]
pub(crate) struct CertInfo {
    der: Vec<u8>,
    version: u32,
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    signature: Vec<u8>,
    sig_algorithm: Option<&'static str>,
    /// `None` when there is no subjectAltName extension.
    alt_names: Option<Vec<(NameKind, Vec<u8>)>>,
    /// `None` when there is no authorityInfoAccess extension.
    access: Option<Vec<Access>>,
    /// `None` when there is no cRLDistributionPoints extension.
    crl_points: Option<Vec<Vec<u8>>>,
    /// Every extension: dotted OID and the DER of its value, in order.
    extensions: Vec<(String, Vec<u8>)>,
}

/// Recently read PEM texts and what they held.
type Cache = Vec<(Vec<u8>, Option<Rc<CertInfo>>)>;

thread_local! {
    static CACHE: RefCell<Cache> = const { RefCell::new(Vec::new()) };
}

const CACHE_SIZE: usize = 8;

/// The certificate a PEM text holds (the first one), or `None` when it
/// holds none that can be read.  Results are cached by content.
pub(crate) fn parse_pem(pem: &[u8]) -> Option<Rc<CertInfo>> {
    if let Some(hit) = CACHE.with(|c| {
        c.borrow()
            .iter()
            .find(|(k, _)| k == pem)
            .map(|(_, v)| v.clone())
    }) {
        return hit;
    }
    let info = read_pem(pem).map(Rc::new);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.remove(0);
        }
        c.push((pem.to_vec(), info.clone()));
    });
    info
}

#[cfg(feature = "certs")]
mod x509;
#[cfg(feature = "certs")]
use x509::read_pem;

/// Without the `certs` feature no certificate can be read.
#[cfg(not(feature = "certs"))]
fn read_pem(_pem: &[u8]) -> Option<CertInfo> {
    None
}

/// The message when a certificate is there but this build cannot read it.
pub(crate) const NOT_BUILT: &str =
    "certificate support is not compiled into this build (feature \"certs\")";

/// Bytes as hex digits, optionally separated.
fn hex(bytes: &[u8], upper: bool, sep: Option<u8>) -> Vec<u8> {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = Vec::with_capacity(bytes.len() * 3);
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(s) = sep.filter(|_| i > 0) {
            out.push(s);
        }
        out.push(digits[usize::from(b >> 4)]);
        out.push(digits[usize::from(b & 15)]);
    }
    out
}

/// Exim's `string_append_listele`: a separator before every element but
/// the first (none while the list is still empty), separators inside the
/// element doubled.
fn append_listele(list: &mut Option<Vec<u8>>, sep: u8, elem: &[u8]) {
    let l = list.get_or_insert_with(Vec::new);
    if !l.is_empty() {
        l.push(sep);
    }
    for &c in elem {
        if c == sep {
            l.push(sep);
        }
        l.push(c);
    }
}

/// What a field extractor yields: a value, no value (the failure branch),
/// or an error message.
type Extracted = Result<Option<Value>, String>;

/// GnuTLS error texts (`gnutls_strerror`) for the failures that reach a
/// message; Exim words them `function: tag fail: text` plus a newline.
const NOT_AVAILABLE: &str = "The requested data were not available.";

fn gnutls_error(function: &str, tag: &str, text: &str) -> String {
    format!("{function}: {tag} fail: {text}\n")
}

fn tainted(bytes: Vec<u8>) -> Value {
    let mut v = Value::new(bytes);
    v.tainted = true;
    v
}

/// A time as Exim prints certificate dates: `%b %e %T %Y %Z` in local time
/// (UTC, as "GMT", with `timestamps_utc`), or the epoch number with the
/// modifier `int`.
fn cert_time(ev: &Evaluator, t: i64, modifier: Option<&[u8]>) -> Extracted {
    if modifier == Some(b"int") {
        return Ok(Some(Value::new((t as u32).to_string().into_bytes())));
    }
    let utc = crate::operators::option_flag(ev, "timestamps_utc", false);
    let tt = t as libc::time_t;
    // SAFETY: an all-zero tm is a valid value to be overwritten.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: tt and tm are valid for the calls, which are thread-safe.
    let ok = unsafe {
        if utc {
            !libc::gmtime_r(&tt, &mut tm).is_null()
        } else {
            !libc::localtime_r(&tt, &mut tm).is_null()
        }
    };
    if !ok {
        return Ok(None);
    }
    let mut buf = [0u8; 32];
    // SAFETY: buf is writable for its length, the format is NUL-terminated
    // and tm was filled in above.
    let n = unsafe {
        libc::strftime(
            buf.as_mut_ptr().cast(),
            buf.len(),
            c"%b %e %T %Y %Z".as_ptr(),
            &tm,
        )
    };
    Ok((n > 0).then(|| Value::new(buf[..n].to_vec())))
}

/// `subject,...`/`issuer,...`: the modifier is a comma list of an optional
/// attribute type to select and `>X` for the output separator; the DN's
/// RDNs are read as a comma list (an escaped comma becomes a doubled one).
fn dn_fields(dn: &[u8], modifier: &[u8]) -> Option<Vec<u8>> {
    let mut outsep = b'\n';
    let mut wanted: Option<Vec<u8>> = None;
    for ele in crate::lists::ListIter::with_sep(modifier, b',') {
        if ele.first() != Some(&b'>') {
            wanted = Some(ele);
        } else if let Some(&c) = ele.get(1) {
            outsep = c;
        }
    }
    let mut listed = Vec::with_capacity(dn.len());
    let mut i = 0;
    while i < dn.len() {
        if dn[i] == b'\\' && dn.get(i + 1) == Some(&b',') {
            listed.extend_from_slice(b",,");
            i += 2;
        } else {
            listed.push(dn[i]);
            i += 1;
        }
    }
    let mut out = None;
    for ele in crate::lists::ListIter::with_sep(&listed, b',') {
        match &wanted {
            None => append_listele(&mut out, outsep, &ele),
            Some(w) => {
                if ele.starts_with(w) && ele.get(w.len()) == Some(&b'=') {
                    append_listele(&mut out, outsep, &ele[w.len() + 1..]);
                }
            }
        }
    }
    out
}

/// `subj_altname[,>X][,dns|,uri|,mail]...`.
fn alt_names(info: &CertInfo, modifier: Option<&[u8]>) -> Extracted {
    let mut sep = b'\n';
    let mut only: Option<NameKind> = None;
    if let Some(m) = modifier {
        let mut p = 0;
        while p < m.len() {
            if m[p] == b'>' {
                p += 1;
                match m.get(p) {
                    Some(&c) => {
                        sep = c;
                        p += 1;
                    }
                    None => break,
                }
            } else if m[p..].starts_with(b"dns") {
                only = Some(NameKind::Dns);
                p += 3;
            } else if m[p..].starts_with(b"uri") {
                only = Some(NameKind::Uri);
                p += 3;
            } else if m[p..].starts_with(b"mail") {
                only = Some(NameKind::Mail);
                p += 4;
            } else {
                break;
            }
            let comma = m.get(p) == Some(&b',');
            p += 1;
            if !comma {
                break;
            }
        }
    }
    let Some(names) = &info.alt_names else {
        return Ok(None);
    };
    let mut out = None;
    for (kind, v) in names {
        if only.is_some_and(|k| k != *kind) || v.contains(&0) {
            continue;
        }
        let tag: &[u8] = match kind {
            NameKind::Dns => b"DNS",
            NameKind::Uri => b"URI",
            NameKind::Mail => b"MAIL",
            NameKind::Other => continue,
        };
        if only.is_some() {
            append_listele(&mut out, sep, v);
        } else {
            append_listele(&mut out, sep, &[tag, b"=", v].concat());
        }
    }
    Ok(out.map(tainted))
}

/// The separator modifier of `ocsp_uri` and `crl_uri`: `>X`.
fn list_sep(modifier: Option<&[u8]>) -> u8 {
    match modifier {
        Some([b'>', c, ..]) => *c,
        _ => b'\n',
    }
}

fn ocsp_uris(info: &CertInfo, modifier: Option<&[u8]>) -> Extracted {
    let sep = list_sep(modifier);
    let mut out = None;
    for a in info.access.iter().flatten() {
        match a {
            Access::Ocsp(uri) => append_listele(&mut out, sep, uri),
            Access::OtherMethod => {
                return Err(gnutls_error(
                    "tls_cert_ocsp_uri",
                    "gai",
                    "The specified algorithm or protocol is unknown.",
                ));
            }
            Access::NotUri => {
                return Err(gnutls_error(
                    "tls_cert_ocsp_uri",
                    "gai",
                    "An illegal parameter has been received.",
                ));
            }
        }
    }
    Ok(out.map(Value::new))
}

fn crl_uris(info: &CertInfo, modifier: Option<&[u8]>) -> Extracted {
    let sep = list_sep(modifier);
    let mut out = None;
    for uri in info.crl_points.iter().flatten() {
        append_listele(&mut out, sep, uri);
    }
    Ok(out.map(tainted))
}

/// A numeric field: the DER of the extension with that OID, as spaced hex.
fn extension_by_oid(info: &CertInfo, oid: &[u8]) -> Extracted {
    let Some((_, value)) = info.extensions.iter().find(|(o, _)| o.as_bytes() == oid) else {
        return Err(gnutls_error("tls_cert_ext_by_oid", "ge0", NOT_AVAILABLE));
    };
    if value.is_empty() {
        // GnuTLS reports success without asking for a buffer.
        return Err(gnutls_error("tls_cert_ext_by_oid", "ge0", "Success."));
    }
    Ok(Some(tainted(hex(value, false, Some(b' ')))))
}

/// Exim's field table, searched in its order; a field matches when it
/// starts with a name (`subjectXX` is `subject`), and a comma after the
/// name starts the modifier.
const FIELDS: &[&str] = &[
    "version",
    "serial_number",
    "subject",
    "notbefore",
    "notafter",
    "issuer",
    "signature",
    "sig_algorithm",
    "subj_altname",
    "ocsp_uri",
    "crl_uri",
];

/// One field of a certificate.
fn extract(ev: &Evaluator, info: &CertInfo, field: &[u8]) -> Extracted {
    if field.first().is_some_and(u8::is_ascii_digit) {
        return extension_by_oid(info, field);
    }
    let Some(name) = FIELDS.iter().find(|n| field.starts_with(n.as_bytes())) else {
        return Err(format!(
            "bad field selector \"{}\" for certextract",
            String::from_utf8_lossy(field)
        ));
    };
    let rest = &field[name.len()..];
    let modifier = rest.strip_prefix(b",");
    match *name {
        "version" => Ok(Some(Value::new(info.version.to_string().into_bytes()))),
        "serial_number" => {
            if info.serial.len() > 50 {
                return Err(gnutls_error(
                    "tls_cert_serial_number",
                    "gs0",
                    "The given memory buffer is too short to hold parameters.",
                ));
            }
            let h = hex(&info.serial, false, None);
            let zeros = h.iter().take_while(|&&c| c == b'0').count();
            let start = zeros.min(h.len().saturating_sub(1));
            Ok(Some(Value::new(h[start..].to_vec())))
        }
        "subject" | "issuer" => {
            let dn = if *name == "subject" {
                &info.subject
            } else {
                &info.issuer
            };
            Ok(match modifier {
                None => Some(tainted(dn.clone())),
                Some(m) => dn_fields(dn, m).map(tainted),
            })
        }
        "notbefore" => cert_time(ev, info.not_before, modifier),
        "notafter" => cert_time(ev, info.not_after, modifier),
        "signature" => Ok(Some(tainted(hex(&info.signature, false, Some(b' '))))),
        "sig_algorithm" => Ok(info
            .sig_algorithm
            .map(|n| Value::new(n.as_bytes().to_vec()))),
        "subj_altname" => alt_names(info, modifier),
        "ocsp_uri" => ocsp_uris(info, modifier),
        _ => crl_uris(info, modifier),
    }
}

/// The certificate a variable holds, if it holds one.
fn cert_in(ev: &Evaluator, name: &str) -> Option<Rc<CertInfo>> {
    ev.ctx
        .vars
        .get(name)
        .filter(|v| !v.bytes.is_empty())
        .and_then(|v| parse_pem(&v.bytes))
}

/// The DER of the certificate a PEM text holds, for the certificate forms
/// of the `md5`, `sha1`, `sha256` and `base64` operators; `None` when it
/// holds no readable certificate.
pub(crate) fn cert_der(pem: &[u8]) -> Option<Rc<CertInfo>> {
    parse_pem(pem)
}

impl CertInfo {
    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }
}

/// `${certextract{field}{$certvar}{yes}{no}}`.
pub fn certextract(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let args = super::arg_seqs(item);
    let (Some(field), Some(cert)) = (args.first(), args.get(1)) else {
        return ev.incomplete_item(item, skip);
    };
    let saved = ev.value.clone();
    let field = ev.seq(field, skip)?;
    // The variable argument is read, not expanded: a syntax error there
    // (the end of the text) comes first.
    if let Some(crate::parser::Node::Error(e)) = cert
        .nodes
        .iter()
        .find(|n| matches!(n, crate::parser::Node::Error(_)))
    {
        return Err((**e).clone());
    }
    let raw = ev
        .source
        .get(cert.span.range())
        .unwrap_or_default()
        .to_vec();
    if raw.first() != Some(&b'$') {
        return Err(ExpandError::failed(
            "second argument of \"certextract\" must be a certificate variable",
            item.span,
        ));
    }
    let name = String::from_utf8_lossy(&raw[1..]).into_owned();
    let mut found = None;
    if !skip {
        match crate::vars::find(&name) {
            None => {
                return Err(ExpandError::failed(
                    crate::sys::msg(&[b"no variable named \"", &raw[1..], b"\""]),
                    item.span,
                ));
            }
            Some(_) if !crate::vars::is_certificate(name.as_bytes()) => {
                return Err(ExpandError::failed(
                    crate::sys::msg(&[b"\"", &raw[1..], b"\" is not a certificate"]),
                    item.span,
                ));
            }
            Some(_) => {}
        }
        if !cfg!(feature = "certs") && ev.ctx.vars.get(&name).is_some_and(|v| !v.bytes.is_empty()) {
            return Err(ExpandError::failed(NOT_BUILT, item.span));
        }
        if let Some(info) = cert_in(ev, &name) {
            let f = crate::sys::trim(&field.bytes);
            found = extract(ev, &info, f).map_err(|m| ExpandError::failed(m, item.span))?;
        }
    }
    ev.scoped(|ev| {
        let yes = found.is_some();
        ev.value = found;
        ev.yes_no(item, yes, skip, saved.clone(), out)
    })
}

#[cfg(test)]
mod tests {
    use crate::eval::{Context, Policy};

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/certs/");

    fn pem(file: &str) -> Vec<u8> {
        std::fs::read(format!("{DATA}{file}")).expect("test certificate")
    }

    fn ctx() -> Context {
        let mut c = Context::new();
        c.policy = Policy::permissive();
        c.policy.log_to_stderr = false;
        c
    }

    use crate::testutil::expand_in as run;

    /// Whether this process's local time is UTC, as in the oracle run.
    fn local_zone_is_utc() -> bool {
        let ev_ctx = &mut ctx();
        let ev = crate::eval::Evaluator::new(ev_ctx);
        super::cert_time(&ev, 0, None)
            .ok()
            .flatten()
            .is_some_and(|v| v.bytes == b"Jan  1 00:00:00 1970 UTC")
    }

    /// Debian's Exim 4.96 (GnuTLS 3.7.9) in a real STARTTLS session
    /// (`exim -bs`, client certificate from tests/data/certs, server
    /// certificate server.pem), each expression expanded by an ACL; see
    /// tests/data/certs/README.md.  Times are in the oracle's zone, UTC.
    #[test]
    fn matches_exim_with_certificates() {
        let utc = local_zone_is_utc();
        let ourcert = pem("server.pem");
        let data = std::fs::read_to_string(format!("{DATA}oracle.jsonl")).unwrap();
        let mut bad = Vec::new();
        let mut checked = 0;
        for line in data.lines() {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let expr = case["expr"].as_str().unwrap();
            if !utc
                && (expr.contains("{notbefore}")
                    || expr.contains("{notafter}")
                    || expr.contains("{notbefore,INT}")
                    || expr.contains("{notafter,}"))
            {
                continue;
            }
            let mut c = ctx();
            c.set_var("tls_in_peercert", pem(case["cert"].as_str().unwrap()));
            c.set_var("tls_in_ourcert", ourcert.clone());
            let want = match (case["ok"].as_str(), case["err"].as_str()) {
                (Some(v), _) => Ok(v.to_string()),
                (_, Some(e)) => Err(e.to_string()),
                _ => unreachable!(),
            };
            let got = run(&mut c, expr);
            checked += 1;
            if got != want {
                bad.push(format!(
                    "{} {expr}\n  got {got:?}\n want {want:?}",
                    case["cert"]
                ));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
        assert!(checked >= 300, "{checked}");
    }

    /// The same fields, written out from `openssl x509 -text -serial
    /// -dates -fingerprint` for test.pem and the formats of
    /// tlscert-gnu.c (Exim 4.96): serial as lower-case hex without leading
    /// zeros, fingerprints `%02X`, signature and extensions `%.2x `,
    /// subjectAltName as `TYPE=value` lines, version numbered from 1.
    #[test]
    fn test_pem_fields() {
        let mut c = ctx();
        c.set_var("tls_in_peercert", pem("test.pem"));
        let cases: &[(&str, &str)] = &[
            (
                "${certextract{subject}{$tls_in_peercert}}",
                "CN=test.example,O=Example",
            ),
            (
                "${certextract{issuer}{$tls_in_peercert}}",
                "CN=test.example,O=Example",
            ),
            ("${certextract{subject,O}{$tls_in_peercert}}", "Example"),
            ("${certextract{version}{$tls_in_peercert}}", "3"),
            (
                "${certextract{serial_number}{$tls_in_peercert}}",
                "166559ec9cbc40b1993c383f0ccbebaee347798a",
            ),
            // notBefore=Nov 25 18:04:48 2026 GMT, notAfter=Nov 22 18:04:48 2036 GMT
            // (`date -ud ... +%s`)
            (
                "${certextract{notbefore,int}{$tls_in_peercert}}",
                "1795629888",
            ),
            (
                "${certextract{notafter,int}{$tls_in_peercert}}",
                "2110989888",
            ),
            (
                "${certextract{sig_algorithm}{$tls_in_peercert}}",
                "RSA-SHA256",
            ),
            (
                "${certextract{subj_altname}{$tls_in_peercert}}",
                "DNS=a.example\nDNS=b.example\nURI=http://u.example/\nMAIL=x@example.com",
            ),
            (
                "${certextract{subj_altname,>:,dns}{$tls_in_peercert}}",
                "a.example:b.example",
            ),
            (
                "${certextract{subj_altname,uri}{$tls_in_peercert}}",
                "http://u.example/",
            ),
            (
                "${certextract{subj_altname,mail}{$tls_in_peercert}}",
                "x@example.com",
            ),
            ("${certextract{ocsp_uri}{$tls_in_peercert}{y}{n}}", "n"),
            ("${certextract{crl_uri}{$tls_in_peercert}{y}{n}}", "n"),
            (
                "${certextract{2.5.29.19}{$tls_in_peercert}}",
                "30 03 01 01 ff",
            ),
            (
                "${md5:$tls_in_peercert}",
                "242138CFF575FEF25D6263AE79FDEBF4",
            ),
            (
                "${sha1:$tls_in_peercert}",
                "FBB420ED44473B410E5EC7B33DD181978985B447",
            ),
            (
                "${sha256:$tls_in_peercert}",
                "9E4E3E22A5F6591D99E33E58E4B02BF0592FF248C5EBB9C5FC519BD5B0173C7E",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(run(&mut c, e).as_deref(), Ok(*want), "{e}");
        }
        let sig = run(&mut c, "${certextract{signature}{$tls_in_peercert}}").unwrap();
        assert!(sig.starts_with("87 2c 43 5b 5a b1 15 cb"), "{sig}");
        assert!(sig.ends_with("c2 3c 0b be 92 9c"), "{sig}");
        assert_eq!(sig.len(), 256 * 3 - 1);
        // base64 of the DER: the PEM body without its line breaks.
        let body: String = String::from_utf8(pem("test.pem"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert_eq!(run(&mut c, "${base64:$tls_in_peercert}"), Ok(body));
    }

    /// `exim -be` (no TLS session) and items.jsonl: unset certificate
    /// variables, and the variable checks.
    #[test]
    fn unset_matches_exim_be() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("${certextract{subject}{$tls_in_peercert}{y}{n}}", Ok("n")),
            ("${certextract{subject}{$tls_in_peercert}}", Ok("")),
            (
                "${certextract{subject}{$nosuch}{y}{n}}",
                Err("no variable named \"nosuch\""),
            ),
            ("${certextract{bogus}{$tls_in_peercert}{y}{n}}", Ok("n")),
            ("${certextract{2.5.29.17}{$tls_in_peercert}{y}{n}}", Ok("n")),
            (
                "${certextract {subject} {$tls_in_peercert} {y}{n}}",
                Ok("n"),
            ),
            ("${certextract{subject}{$tls_out_ourcert}}", Ok("")),
            (
                "${certextract{subject}{$primary_hostname}{y}{n}}",
                Err("\"primary_hostname\" is not a certificate"),
            ),
            (
                "${certextract{subject}{tls_in_peercert}{y}{n}}",
                Err("second argument of \"certextract\" must be a certificate variable"),
            ),
            // Unset, the operators see the variable's name.
            (
                "${md5:$tls_in_peercert}",
                Ok("788d96d479353504267a61f7a5c259d7"),
            ),
            (
                "${sha1:$tls_in_peercert}",
                Ok("6FF70B31F11F02376EF39FA88497D14B4D81B03D"),
            ),
            (
                "${sha256:$tls_in_peercert}",
                Ok("5AC531111CF1F39655189204360A8A214E0BD1F8F2A7B8A1BB6D29B627CB4E6C"),
            ),
            ("${base64:$tls_in_peercert}", Ok("dGxzX2luX3BlZXJjZXJ0")),
            (
                "${sha256_512:$tls_in_peercert}",
                Ok(
                    "45D2D27EEBD0375B5A7DD9644B9A86CFDB11A0A3955EADE7DC0CA6AA465CA6C1DAFB3FF45E0A04FA6987CF5271387E60CF5DC479C0359F5449DE766EB344BB6A",
                ),
            ),
        ];
        let mut bad = Vec::new();
        for (e, want) in cases {
            let got = run(&mut ctx(), e);
            if got != want.map(str::to_string).map_err(str::to_string) {
                bad.push(format!("{e}\n  got {got:?}\n want {want:?}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// A value that is not a PEM certificate leaves the variable without a
    /// certificate, as a failed import does in Exim.
    #[test]
    fn unreadable_pem_is_unset() {
        let mut c = ctx();
        c.set_var("tls_in_peercert", "not a certificate");
        assert_eq!(
            run(&mut c, "${certextract{subject}{$tls_in_peercert}{y}{n}}").as_deref(),
            Ok("n")
        );
        assert_eq!(
            run(&mut c, "${md5:$tls_in_peercert}").as_deref(),
            Ok("788d96d479353504267a61f7a5c259d7")
        );
    }

    #[test]
    fn skipped_certextract_checks_nothing() {
        let mut c = ctx();
        c.set_var("tls_in_peercert", pem("test.pem"));
        for e in [
            "${if eq{0}{1}{${certextract{bogus}{$tls_in_peercert}}}{skipped}}",
            "${if eq{0}{1}{${certextract{subject}{$nosuch}}}{skipped}}",
        ] {
            assert_eq!(run(&mut c, e).as_deref(), Ok("skipped"), "{e}");
        }
    }

    #[test]
    fn dn_escaping_and_field_lists() {
        let mut out = Vec::new();
        super::x509::escape_dn_value(b" a,b+c\"d\\e<f>g;h ", &mut out);
        assert_eq!(out, b"\\ a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\ ");
        let mut out = Vec::new();
        super::x509::escape_dn_value(b"#x#", &mut out);
        assert_eq!(out, b"\\#x#");
        assert_eq!(
            super::dn_fields(b"CN=a\\,b,O=c", b"CN").as_deref(),
            Some(&b"a,b"[..])
        );
        assert_eq!(
            super::dn_fields(b"CN=a,CN=b;c", b">;,CN").as_deref(),
            Some(&b"a;b;;c"[..])
        );
        assert_eq!(super::dn_fields(b"CN=a", b"O"), None);
    }
}
