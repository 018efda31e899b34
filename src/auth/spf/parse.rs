//! SPF records and macro strings as libspf2's compiler reads them
//! (`SPF_record_compile`, `SPF_c_parse_macro`, `SPF_c_parse_var`), with
//! its quirks: a space in a macro string acts as `%`, an unknown `%x`
//! escape is a literal `%`, mechanisms may follow `redirect=` (which is
//! evaluated where it stands), unknown modifiers are ignored.

use std::net::{Ipv4Addr, Ipv6Addr};

/// libspf2's longest string literal in a compiled macro.
const MAX_STR_LEN: usize = 255;
/// libspf2's largest subdomain-truncation count.
const MAX_RHS: u32 = 128;

/// libspf2's error codes, as far as SPF results show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrCode {
    Success,
    NotSpf,
    Syntax,
    ModWithPrefix,
    InvalidChar,
    UnknownMech,
    InvalidOpt,
    InvalidCidr,
    MissingOpt,
    InvalidVar,
    BigSubdom,
    InvalidDelim,
    BigString,
    BigDns,
    InvalidIp4,
    InvalidIp6,
    InvalidPrefix,
    UninitVar,
    DnsError,
    IncludeReturnedNone,
    Recursive,
    MultipleRecords,
}

impl ErrCode {
    /// `SPF_strerror`.
    pub fn message(self) -> &'static str {
        match self {
            ErrCode::Success => "No errors",
            ErrCode::NotSpf => "Could not find a valid SPF record",
            ErrCode::Syntax => "Syntax error",
            ErrCode::ModWithPrefix => "Modifiers can not have prefixes",
            ErrCode::InvalidChar => "Invalid character found",
            ErrCode::UnknownMech => "Unknown mechanism found",
            ErrCode::InvalidOpt => "Invalid option found",
            ErrCode::InvalidCidr => "Invalid CIDR length",
            ErrCode::MissingOpt => "Required option is missing",
            ErrCode::InvalidVar => "Invalid macro variable",
            ErrCode::BigSubdom => "Subdomain truncation depth too large",
            ErrCode::InvalidDelim => "Invalid delimiter character",
            ErrCode::BigString => "Option string too long",
            ErrCode::BigDns => "Mechanisms used too many DNS lookups",
            ErrCode::InvalidIp4 => "Invalid IPv4 address literal",
            ErrCode::InvalidIp6 => "Invalid IPv6 address literal",
            ErrCode::InvalidPrefix => "Invalid mechanism prefix",
            ErrCode::UninitVar => "Uninitialized variable",
            ErrCode::DnsError => "DNS lookup failure",
            ErrCode::IncludeReturnedNone => "include: mechanism returned 'none'",
            ErrCode::Recursive => "include: or redirect= caused unlimited recursion",
            ErrCode::MultipleRecords => "Multiple SPF or TXT records for domain.",
        }
    }
}

/// A mechanism's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

/// A `%{...}` variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    /// The letter, in lower case.
    pub letter: u8,
    /// Upper case: URL-encode the value.
    pub url: bool,
    /// Keep this many labels from the right (0: all).
    pub rhs: u32,
    pub reverse: bool,
    /// The delimiters that split the value (`.` when none were given).
    pub delimiters: Vec<u8>,
}

/// A piece of a macro string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Literal(Vec<u8>),
    Var(Var),
}

/// A macro string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Macro(pub Vec<Piece>);

/// A mechanism with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    All,
    Ip4 {
        addr: Ipv4Addr,
        cidr: u8,
    },
    Ip6 {
        addr: Ipv6Addr,
        cidr: u8,
    },
    A {
        domain: Option<Macro>,
        cidr4: u8,
        cidr6: u8,
    },
    Mx {
        domain: Option<Macro>,
        cidr4: u8,
        cidr6: u8,
    },
    Ptr(Option<Macro>),
    Include(Macro),
    Exists(Macro),
    Redirect(Macro),
}

/// A mechanism and its prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mech {
    pub qualifier: Qualifier,
    pub kind: Mechanism,
}

/// A compiled record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub mechanisms: Vec<Mech>,
    modifiers: Vec<(Vec<u8>, Macro)>,
}

impl Record {
    /// The first modifier called `name` (any case).
    pub fn modifier(&self, name: &[u8]) -> Option<&Macro> {
        self.modifiers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, m)| m)
    }
}

/// What a mechanism name allows after it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spec {
    None,
    Optional,
    Required,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    A,
    Mx,
    Ptr,
    Include,
    Ip4,
    Ip6,
    Exists,
    All,
    Redirect,
}

impl Kind {
    fn from_name(name: &[u8]) -> Option<Kind> {
        let n = name.to_ascii_lowercase();
        Some(match n.as_slice() {
            b"a" => Kind::A,
            b"mx" => Kind::Mx,
            b"ptr" => Kind::Ptr,
            b"include" => Kind::Include,
            b"ip4" => Kind::Ip4,
            b"ip6" => Kind::Ip6,
            b"exists" => Kind::Exists,
            b"all" => Kind::All,
            b"redirect" => Kind::Redirect,
            _ => return None,
        })
    }

    fn domain_spec(self) -> Spec {
        match self {
            Kind::A | Kind::Mx | Kind::Ptr => Spec::Optional,
            Kind::All => Spec::None,
            _ => Spec::Required,
        }
    }

    fn takes_cidr(self) -> bool {
        matches!(self, Kind::A | Kind::Mx)
    }
}

/// Compiles a record; the first error found is the error.
pub fn compile(record: &[u8]) -> Result<Record, ErrCode> {
    if record.len() < 6 || !record[..6].eq_ignore_ascii_case(b"v=spf1") {
        return Err(ErrCode::NotSpf);
    }
    if !matches!(record.get(6), None | Some(b' ')) {
        return Err(ErrCode::NotSpf);
    }
    let mut out = Record::default();
    let mut first_error = None;
    let mut note = |e: ErrCode| {
        first_error.get_or_insert(e);
    };
    let mut p = 6;
    while p < record.len() {
        while record.get(p) == Some(&b' ') {
            p += 1;
        }
        if p >= record.len() {
            break;
        }
        let token_end = p + record[p..]
            .iter()
            .position(|&b| b == b' ')
            .unwrap_or(record.len() - p);
        compile_term(&record[p..token_end], &mut out, &mut note);
        p = token_end;
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// One space-separated term: a mechanism or a modifier.
fn compile_term(term: &[u8], out: &mut Record, note: &mut impl FnMut(ErrCode)) {
    let (mut qualifier, mut i) = match term[0] {
        b'+' => (Some(Qualifier::Pass), 1),
        b'-' => (Some(Qualifier::Fail), 1),
        b'~' => (Some(Qualifier::SoftFail), 1),
        b'?' => (Some(Qualifier::Neutral), 1),
        _ => (None, 0),
    };
    if qualifier.is_none() {
        while i < term.len() && term[i].is_ascii_punctuation() {
            note(ErrCode::InvalidPrefix);
            i += 1;
        }
    }
    if !term.get(i).is_some_and(u8::is_ascii_alphabetic) {
        note(ErrCode::InvalidChar);
        return;
    }
    let start = i;
    while i < term.len() && (term[i].is_ascii_alphanumeric() || term[i] == b'_' || term[i] == b'-')
    {
        i += 1;
    }
    let name = &term[start..i];
    let rest = &term[i..];
    match rest.first() {
        None | Some(b':') | Some(b'/') => {}
        Some(b'=') => {
            if qualifier.is_some() {
                note(ErrCode::ModWithPrefix);
            }
            if !name.eq_ignore_ascii_case(b"redirect") {
                match parse_macro(&rest[1..], true) {
                    Ok(m) => out.modifiers.push((name.to_vec(), m)),
                    Err(e) => note(e),
                }
                return;
            }
            qualifier = None;
        }
        Some(_) => {
            note(ErrCode::InvalidChar);
            return;
        }
    }
    let Some(kind) = Kind::from_name(name) else {
        note(ErrCode::UnknownMech);
        return;
    };
    match mechanism(kind, rest) {
        Ok(Some(m)) => out.mechanisms.push(Mech {
            qualifier: qualifier.unwrap_or(Qualifier::Pass),
            kind: m,
        }),
        Ok(None) => {}
        Err(e) => note(e),
    }
}

/// `SPF_c_mech_add`: the mechanism `kind` with what follows its name.
/// `Ok(None)` is a mechanism libspf2 drops without an error.
fn mechanism(kind: Kind, rest: &[u8]) -> Result<Option<Mechanism>, ErrCode> {
    if matches!(kind, Kind::Ip4 | Kind::Ip6) {
        if rest.first() != Some(&b':') {
            return Err(ErrCode::MissingOpt);
        }
        return ip_mechanism(kind, &rest[1..]);
    }
    let (domain, cidr4, cidr6) = match rest.first() {
        Some(b':') | Some(b'=') => {
            if kind.domain_spec() == Spec::None {
                return Err(ErrCode::InvalidOpt);
            }
            domain_spec(&rest[1..], kind.takes_cidr(), false)?
        }
        Some(b'/') => {
            if kind.domain_spec() == Spec::Required {
                return Err(ErrCode::MissingOpt);
            }
            if !kind.takes_cidr() {
                return Err(ErrCode::InvalidCidr);
            }
            domain_spec(rest, true, true)?
        }
        None => {
            if kind.domain_spec() == Spec::Required {
                return Err(ErrCode::MissingOpt);
            }
            (None, 0, 0)
        }
        Some(_) => return Err(ErrCode::Syntax),
    };
    let required = || domain.clone().unwrap_or_default();
    Ok(Some(match kind {
        Kind::A => Mechanism::A {
            domain,
            cidr4,
            cidr6,
        },
        Kind::Mx => Mechanism::Mx {
            domain,
            cidr4,
            cidr6,
        },
        Kind::Ptr => Mechanism::Ptr(domain),
        Kind::Include => Mechanism::Include(required()),
        Kind::Exists => Mechanism::Exists(required()),
        Kind::Redirect => Mechanism::Redirect(required()),
        Kind::All => Mechanism::All,
        Kind::Ip4 | Kind::Ip6 => return Ok(None),
    }))
}

/// `ip4:` and `ip6:`: an address literal and an optional prefix length.
fn ip_mechanism(kind: Kind, value: &[u8]) -> Result<Option<Mechanism>, ErrCode> {
    let (addr, cidr) = match trailing_cidr(value) {
        Some((head, digits)) => {
            let max = if kind == Kind::Ip4 { 32 } else { 128 };
            (head, cidr_length(digits, max)?)
        }
        None => (value, 0),
    };
    if addr.len() > 45 {
        return Ok(None);
    }
    let text = std::str::from_utf8(addr).unwrap_or("");
    Ok(Some(match kind {
        Kind::Ip4 => Mechanism::Ip4 {
            addr: text.parse().map_err(|_| ErrCode::InvalidIp4)?,
            cidr,
        },
        _ => Mechanism::Ip6 {
            addr: text.parse().map_err(|_| ErrCode::InvalidIp6)?,
            cidr,
        },
    }))
}

/// A final `/digits`: what precedes and the digits.
fn trailing_cidr(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let digits = s.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits == s.len() {
        return None;
    }
    let slash = s.len() - digits - 1;
    (s[slash] == b'/').then(|| (&s[..slash], &s[slash + 1..]))
}

/// A prefix length: 1 to `max` (`max` itself stored as 0, "whole").
fn cidr_length(digits: &[u8], max: u32) -> Result<u8, ErrCode> {
    let n = digits.iter().try_fold(0u32, |n, d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    });
    match n {
        Some(n) if n > 0 && n < max => Ok(n as u8),
        Some(n) if n == max => Ok(0),
        _ => Err(ErrCode::InvalidCidr),
    }
}

/// A domain-spec with the prefix lengths of `a` and `mx`
/// (`name/4//6`); `cidr_only` for a value starting with `/`.
fn domain_spec(
    src: &[u8],
    cidr: bool,
    cidr_only: bool,
) -> Result<(Option<Macro>, u8, u8), ErrCode> {
    let (mut end, mut cidr4, mut cidr6) = (src.len(), 0, 0);
    if cidr && let Some((head, digits)) = trailing_cidr(src) {
        if head.ends_with(b"/") {
            cidr6 = cidr_length(digits, 128)?;
            end = head.len() - 1;
            if let Some((head4, digits4)) = trailing_cidr(&src[..end]) {
                cidr4 = cidr_length(digits4, 32)?;
                end = head4.len();
            }
        } else {
            cidr4 = cidr_length(digits, 32)?;
            end = head.len();
        }
    }
    if cidr_only && end > 0 {
        return Err(ErrCode::InvalidCidr);
    }
    let m = parse_macro(&src[..end], false)?;
    Ok((if cidr_only { None } else { Some(m) }, cidr4, cidr6))
}

/// `SPF_record_compile_macro`: an explanation text.
pub fn compile_macro(text: &[u8]) -> Result<Macro, ErrCode> {
    parse_macro(text, true)
}

/// `SPF_c_parse_macro`.  libspf2 stops a literal at a space as at `%`
/// and then reads the byte after it as an escape.
fn parse_macro(src: &[u8], is_mod: bool) -> Result<Macro, ErrCode> {
    let mut pieces = Vec::new();
    let mut lit: Vec<u8> = Vec::new();
    let mut idx = 0;
    while idx < src.len() {
        let len = src[idx..]
            .iter()
            .position(|&b| b == b' ' || b == b'%')
            .unwrap_or(src.len() - idx);
        lit.extend_from_slice(&src[idx..idx + len]);
        idx += len;
        if idx == src.len() {
            break;
        }
        idx += 1;
        match src.get(idx) {
            Some(b'%') => {
                lit.push(b'%');
                idx += 1;
            }
            Some(b'_') => {
                lit.push(b' ');
                idx += 1;
            }
            Some(b'-') => {
                lit.extend_from_slice(b"%20");
                idx += 1;
            }
            Some(b'{') => {
                flush_literal(&mut pieces, &mut lit)?;
                let (var, used) = parse_var(&src[idx + 1..], is_mod)?;
                pieces.push(Piece::Var(var));
                idx += 1 + used;
            }
            _ => lit.push(b'%'),
        }
    }
    flush_literal(&mut pieces, &mut lit)?;
    Ok(Macro(pieces))
}

fn flush_literal(pieces: &mut Vec<Piece>, lit: &mut Vec<u8>) -> Result<(), ErrCode> {
    if lit.is_empty() {
        return Ok(());
    }
    if lit.len() > MAX_STR_LEN {
        return Err(ErrCode::BigString);
    }
    pieces.push(Piece::Literal(std::mem::take(lit)));
    Ok(())
}

/// `SPF_c_parse_var`: the inside of `%{...}` up to and with the `}`;
/// gives the variable and the bytes used.
fn parse_var(src: &[u8], is_mod: bool) -> Result<(Var, usize), ErrCode> {
    let c = *src.first().ok_or(ErrCode::InvalidVar)?;
    let letter = c.to_ascii_lowercase();
    match letter {
        b'l' | b's' | b'o' | b'd' | b'i' | b'p' | b'v' | b'h' => {}
        b'c' | b't' | b'r' if is_mod => {}
        _ => return Err(ErrCode::InvalidVar),
    }
    let mut p = 1;
    let digits = src[p..].iter().take_while(|b| b.is_ascii_digit()).count();
    let rhs = src[p..p + digits]
        .iter()
        .try_fold(0u32, |n, d| {
            n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
        .unwrap_or(u32::MAX);
    if rhs > MAX_RHS || (digits > 0 && rhs == 0) {
        return Err(ErrCode::BigSubdom);
    }
    p += digits;
    let reverse = src.get(p) == Some(&b'r');
    if reverse {
        p += 1;
    }
    let mut delimiters = Vec::new();
    loop {
        match src.get(p) {
            Some(b'}') => break,
            Some(&d @ (b'.' | b'-' | b'+' | b'=' | b'|' | b'_')) => delimiters.push(d),
            _ => return Err(ErrCode::InvalidDelim),
        }
        p += 1;
    }
    if delimiters.is_empty() {
        delimiters.push(b'.');
    }
    Ok((
        Var {
            letter,
            url: c.is_ascii_uppercase(),
            rhs,
            reverse,
            delimiters,
        },
        p + 1,
    ))
}

/// A variable's value through its transformers, as libspf2 does it.
pub fn transform(var: &Var, value: &[u8]) -> Vec<u8> {
    let is_delim = |b: &u8| var.delimiters.contains(b);
    let munged: Vec<u8> = if var.reverse {
        let labels: Vec<&[u8]> = value.split(is_delim).collect();
        labels.iter().rev().copied().collect::<Vec<_>>().join(&b'.')
    } else {
        value
            .iter()
            .map(|b| if is_delim(b) { b'.' } else { *b })
            .collect()
    };
    let len = munged.len();
    let kept = if var.rhs > 0 {
        keep_right(munged, len, var.rhs)
    } else {
        munged
    };
    if var.url { url_encode(&kept) } else { kept }
}

/// libspf2's right-hand truncation on a NUL-terminated buffer holding
/// `buf`, scanning back from `len`: keeps `n` labels, and (its slip)
/// drops the first byte when there are fewer.
fn keep_right(buf: Vec<u8>, len: usize, n: u32) -> Vec<u8> {
    let mut c = buf;
    c.push(0);
    let len = len.min(c.len() - 1);
    let mut w = len as isize - 1;
    let mut found = 0;
    while w > 0 {
        if c[w as usize] == b'.' {
            found += 1;
        }
        if found == n {
            break;
        }
        w -= 1;
    }
    let w = (w + 1) as usize;
    let moved = len.saturating_sub(w) + 1;
    let copy: Vec<u8> = c[w.min(c.len())..(w + moved).min(c.len())].to_vec();
    c[..copy.len()].copy_from_slice(&copy);
    let end = c.iter().position(|&b| b == 0).unwrap_or(c.len());
    c.truncate(end);
    c
}

/// URL-encoding of an upper-case macro letter: all but letters, digits
/// and `-_.!~*'()` as `%xx`.
fn url_encode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3);
    for &b in s {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02x}").as_bytes());
        }
    }
    out
}
