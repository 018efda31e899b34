//! A DMARC record as libopendmarc 1.3.2 parses it
//! (`opendmarc_policy_parse_dmarc`): `tag=value` pairs separated by `;`,
//! white space removed, values matched as prefixes of the words they
//! stand for (`p=r` is `reject`), the first error ending the parse.

/// A policy (`p=`, `sp=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `none`.
    None,
    /// `quarantine`.
    Quarantine,
    /// `reject`.
    Reject,
}

impl Policy {
    /// The name `$dmarc_domain_policy` shows.
    pub fn name(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }

    /// libopendmarc's code for it (a letter), as the history file shows it.
    pub fn code(self) -> u8 {
        match self {
            Policy::None => b'n',
            Policy::Quarantine => b'q',
            Policy::Reject => b'r',
        }
    }
}

/// Identifier alignment (`adkim=`, `aspf=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// `r`.
    Relaxed,
    /// `s`.
    Strict,
}

impl Alignment {
    /// libopendmarc's code for it.
    pub fn code(self) -> u8 {
        match self {
            Alignment::Relaxed => b'r',
            Alignment::Strict => b's',
        }
    }
}

/// What parsing found; fields stay as far as the parse got when it failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// `p=`.
    pub p: Option<Policy>,
    /// `sp=`.
    pub sp: Option<Policy>,
    /// `adkim=` (default relaxed).
    pub adkim: Option<Alignment>,
    /// `aspf=` (default relaxed).
    pub aspf: Option<Alignment>,
    /// `pct=` (default 100).
    pub pct: Option<i64>,
    /// `rua=` addresses.
    pub rua: Vec<Vec<u8>>,
    /// `ruf=` addresses.
    pub ruf: Vec<Vec<u8>>,
}

/// Why a record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// A `v=` other than `DMARC1`.
    BadVersion,
    /// A value that is not one of the tag's words.
    BadValue,
    /// No `p=`.
    NoRequiredP,
}

fn without_space(s: &[u8]) -> Vec<u8> {
    s.iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect()
}

/// `value` is a prefix of `word`, case aside.
fn abbreviates(value: &[u8], word: &str) -> bool {
    value.len() <= word.len() && value.eq_ignore_ascii_case(&word.as_bytes()[..value.len()])
}

fn policy(v: &[u8]) -> Result<Policy, ParseError> {
    if abbreviates(v, "reject") {
        Ok(Policy::Reject)
    } else if abbreviates(v, "none") {
        Ok(Policy::None)
    } else if abbreviates(v, "quarantine") {
        Ok(Policy::Quarantine)
    } else {
        Err(ParseError::BadValue)
    }
}

fn alignment(v: &[u8]) -> Result<Alignment, ParseError> {
    if abbreviates(v, "strict") {
        Ok(Alignment::Strict)
    } else if abbreviates(v, "relaxed") {
        Ok(Alignment::Relaxed)
    } else {
        Err(ParseError::BadValue)
    }
}

/// C's `strtoul(v, NULL, 10)` as libopendmarc checks it.
fn strtoul(v: &[u8]) -> Result<i64, ParseError> {
    let digits: &[u8] = {
        let s = v.strip_prefix(b"+").unwrap_or(v);
        let end = s
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(s.len());
        &s[..end]
    };
    if digits.len() > 18 {
        return Err(ParseError::BadValue);
    }
    Ok(std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0))
}

fn uri_list(v: &[u8]) -> Vec<Vec<u8>> {
    v.split(|&c| c == b',')
        .filter(|u| !u.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Parses `text`; on an error, the record as far as it got comes back
/// with it (libopendmarc keeps what it set).
pub fn parse(text: &[u8]) -> (Record, Result<(), ParseError>) {
    let mut r = Record::default();
    let result = parse_into(&mut r, text);
    (r, result)
}

fn parse_into(r: &mut Record, text: &[u8]) -> Result<(), ParseError> {
    for part in text.split(|&c| c == b';') {
        let Some(eq) = part.iter().position(|&c| c == b'=') else {
            continue;
        };
        let tag = without_space(&part[..eq]);
        let value = without_space(&part[eq + 1..]);
        if tag.is_empty() || value.is_empty() {
            continue;
        }
        match tag.to_ascii_lowercase().as_slice() {
            b"v" if !value.eq_ignore_ascii_case(b"DMARC1") => {
                return Err(ParseError::BadVersion);
            }
            b"p" => r.p = Some(policy(&value)?),
            b"sp" => r.sp = Some(policy(&value)?),
            b"adkim" => r.adkim = Some(alignment(&value)?),
            b"aspf" => r.aspf = Some(alignment(&value)?),
            b"pct" => {
                let n = strtoul(&value)?;
                if !(0..=100).contains(&n) {
                    return Err(ParseError::BadValue);
                }
                r.pct = Some(n);
            }
            b"ri" if !value.iter().all(u8::is_ascii_digit) => {
                return Err(ParseError::BadValue);
            }
            b"rf" => {
                for f in value.split(|&c| c == b',').filter(|f| !f.is_empty()) {
                    if !(abbreviates(f, "afrf") || abbreviates(f, "iodef")) {
                        return Err(ParseError::BadValue);
                    }
                }
            }
            b"rua" => r.rua.extend(uri_list(&value)),
            b"ruf" => r.ruf.extend(uri_list(&value)),
            b"fo" => {
                for f in value.split(|&c| c == b':').filter(|f| !f.is_empty()) {
                    if !matches!(f[0], b'0' | b'1' | b'd' | b'D' | b's' | b'S') {
                        return Err(ParseError::BadValue);
                    }
                }
            }
            _ => {}
        }
    }
    if r.p.is_none() {
        return Err(ParseError::NoRequiredP);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        let ok = |t: &str| {
            let (r, e) = parse(t.as_bytes());
            assert_eq!(e, Ok(()), "{t}");
            r
        };
        let r = ok("v=DMARC1; p=reject; sp=none; adkim=s; pct=50; rua=mailto:a@x,mailto:b@x");
        assert_eq!(
            (r.p, r.sp, r.adkim, r.aspf, r.pct),
            (
                Some(Policy::Reject),
                Some(Policy::None),
                Some(Alignment::Strict),
                None,
                Some(50)
            )
        );
        assert_eq!(r.rua.len(), 2);
        assert_eq!(ok("p = q").p, Some(Policy::Quarantine));
        assert_eq!(ok("v=dmarc1;P=R").p, Some(Policy::Reject));
        assert_eq!(ok("junk; p=none; what").p, Some(Policy::None));
        let err = |t: &str| parse(t.as_bytes()).1.unwrap_err();
        assert_eq!(err("v=DMARC2; p=none"), ParseError::BadVersion);
        assert_eq!(err("p=maybe"), ParseError::BadValue);
        assert_eq!(err("v=DMARC1"), ParseError::NoRequiredP);
        assert_eq!(err("p=none; pct=101"), ParseError::BadValue);
        assert_eq!(err("p=none; ri=1h"), ParseError::BadValue);
        // The policy set before the error stays.
        assert_eq!(parse(b"p=reject; adkim=x").0.p, Some(Policy::Reject));
    }
}
