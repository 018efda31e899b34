//! The data of a record in a zone file, for the types the engine asks
//! for: addresses, names (relative to the origin), numbers, TXT strings
//! with their escapes, TLSA's hex.

use super::lexer::Token;
use super::name::{Name, unescape};
use super::zone::{parse_name, parse_ttl, show};
use crate::eval::{RData, RrType};

/// The longest character string of a TXT record.
const MAX_STRING: usize = 255;

/// The rest of an entry, read one field at a time.
struct Fields<'a> {
    tokens: &'a [Token],
    origin: &'a Name,
}

impl<'a> Fields<'a> {
    fn next(&mut self, what: &str) -> Result<&'a Token, String> {
        let (first, rest) = self
            .tokens
            .split_first()
            .ok_or_else(|| format!("missing {what}"))?;
        self.tokens = rest;
        Ok(first)
    }

    fn name(&mut self, what: &str) -> Result<Vec<u8>, String> {
        let t = self.next(what)?;
        Ok(parse_name(t, self.origin)?.to_presentation())
    }

    fn number<T: std::str::FromStr>(&mut self, what: &str, range: &str) -> Result<T, String> {
        let t = self.next(what)?;
        std::str::from_utf8(&t.text)
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad {what} '{}' ({range})", show(&t.text)))
    }

    fn u8(&mut self, what: &str) -> Result<u8, String> {
        self.number(what, "0-255")
    }

    fn u16(&mut self, what: &str) -> Result<u16, String> {
        self.number(what, "0-65535")
    }

    fn time(&mut self, what: &str) -> Result<u32, String> {
        let t = self.next(what)?;
        parse_ttl(&t.text).map_err(|_| format!("bad {what} '{}'", show(&t.text)))
    }

    fn address<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, String> {
        let t = self.next(what)?;
        std::str::from_utf8(&t.text)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad {what} '{}'", show(&t.text)))
    }

    fn end(self) -> Result<(), String> {
        match self.tokens.first() {
            None => Ok(()),
            Some(t) => Err(format!("unexpected '{}' after the data", show(&t.text))),
        }
    }
}

/// The data of a record of type `rr`.
pub(crate) fn parse(rr: RrType, tokens: &[Token], origin: &Name) -> Result<RData, String> {
    if tokens
        .first()
        .is_some_and(|t| !t.quoted && t.text == b"\\#")
    {
        return Err("generic data (\\#, RFC 3597) is not supported".into());
    }
    let mut f = Fields { tokens, origin };
    let data = match rr {
        RrType::A => RData::A(f.address("IPv4 address")?),
        RrType::Aaaa => RData::Aaaa(f.address("IPv6 address")?),
        RrType::Cname => RData::Cname(f.name("target name")?),
        RrType::Ns => RData::Ns(f.name("name server")?),
        RrType::Ptr => RData::Ptr(f.name("target name")?),
        RrType::Mx => RData::Mx {
            preference: f.u16("preference")?,
            exchange: f.name("exchange")?,
        },
        RrType::Soa => soa(&mut f)?,
        RrType::Srv => RData::Srv {
            priority: f.u16("priority")?,
            weight: f.u16("weight")?,
            port: f.u16("port")?,
            target: f.name("target")?,
        },
        RrType::Tlsa => return tlsa(f),
        RrType::Txt | RrType::Spf => return txt(tokens),
    };
    f.end()?;
    Ok(data)
}

fn soa(f: &mut Fields) -> Result<RData, String> {
    Ok(RData::Soa {
        mname: f.name("primary server")?,
        rname: f.name("mailbox")?,
        serial: f.number("serial", "0-4294967295")?,
        refresh: f.time("refresh")?,
        retry: f.time("retry")?,
        expire: f.time("expire")?,
        minimum: f.time("minimum")?,
    })
}

fn tlsa(mut f: Fields) -> Result<RData, String> {
    let usage = f.u8("usage")?;
    let selector = f.u8("selector")?;
    let matching_type = f.u8("matching type")?;
    let hex: Vec<u8> = f
        .tokens
        .iter()
        .flat_map(|t| t.text.iter().copied())
        .collect();
    if hex.is_empty() {
        return Err("missing certificate association data".into());
    }
    Ok(RData::Tlsa {
        usage,
        selector,
        matching_type,
        data: decode_hex(&hex)?,
    })
}

fn decode_hex(hex: &[u8]) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) {
        return Err("odd number of hex digits".into());
    }
    hex.chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| format!("bad hex digits '{}'", show(pair)))
        })
        .collect()
}

fn txt(tokens: &[Token]) -> Result<RData, String> {
    if tokens.is_empty() {
        return Err("missing text".into());
    }
    let strings = tokens
        .iter()
        .map(|t| {
            let s = unescape_string(&t.text)?;
            if s.len() > MAX_STRING {
                return Err(format!("string longer than {MAX_STRING} bytes"));
            }
            Ok(s)
        })
        .collect::<Result<_, String>>()?;
    Ok(RData::Txt(strings))
}

/// A character string with its `\X` and `\DDD` escapes read.
fn unescape_string(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' {
            let (b, used) = unescape(&text[i + 1..])?;
            out.push(b);
            i += 1 + used;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    Ok(out)
}
