//! Reads a zone from a BIND master file (RFC 1035 5, RFC 2308 4):
//! `$ORIGIN`, `$TTL`, `$INCLUDE`, `@`, relative names, a blank owner for
//! the previous one, TTL and class in either order (class `IN` only,
//! optional), and the data of the record types the engine asks for.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::ZoneError;
use super::lexer::{self, Entry, Token};
use super::name::Name;
use super::rrtype::{self, Kind};
use crate::eval::RData;

/// The largest zone file read, in bytes.
pub(crate) const MAX_FILE_BYTES: u64 = 16 << 20;
/// How deep `$INCLUDE` may nest.
pub(crate) const MAX_INCLUDE_DEPTH: usize = 8;
/// The most records one zone may hold.
pub(crate) const MAX_RECORDS: usize = 1_000_000;
/// The TTL of a record with none before any `$TTL` (nsd 4.6's; it does
/// not use the last TTL given, as RFC 1035 would).
const DEFAULT_TTL: u32 = 3600;

/// One record read from a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZoneRecord {
    /// The owner name.
    pub(crate) owner: Name,
    pub(crate) ttl: u32,
    pub(crate) kind: Kind,
    /// The data, for the types the engine asks for.
    pub(crate) data: Option<RData>,
    /// The file it was read from, for error messages.
    pub(crate) file: Arc<str>,
    /// Its line there.
    pub(crate) line: usize,
}

/// Where a zone's text comes from.
pub(crate) struct Source {
    /// How errors name it: the file's path, or `<text of zone NAME>`.
    pub(crate) label: String,
    /// The file, when it is one: `$INCLUDE` is relative to it.
    pub(crate) path: Option<PathBuf>,
    pub(crate) text: Vec<u8>,
}

impl Source {
    /// Reads `path`, within the size limit.
    pub(crate) fn file(path: &Path) -> Result<Source, ZoneError> {
        let label = path.display().to_string();
        let text = read_bounded(path).map_err(|e| ZoneError::file(&label, e))?;
        Ok(Source {
            label,
            path: Some(path.to_path_buf()),
            text,
        })
    }
}

/// Reads a file of at most [`MAX_FILE_BYTES`].
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut text = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| format!("cannot read: {e}"))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
    }
    Ok(text)
}

/// Reads zone `apex` from `source` and checks it as nsd does: every
/// owner within the zone, one SOA at the apex, a CNAME alone at its name.
/// `$INCLUDE` may name files in `source`'s directory or below it only.
pub(crate) fn parse_zone(apex: &Name, source: Source) -> Result<Vec<ZoneRecord>, ZoneError> {
    let jail = match &source.path {
        Some(p) => Some(jail_of(p).map_err(|e| ZoneError::file(&source.label, e))?),
        None => None,
    };
    let mut parser = Parser {
        jail,
        records: Vec::new(),
        default_ttl: DEFAULT_TTL,
    };
    let state = FileState::new(&source, apex.clone(), 0);
    parser.parse_text(&source.text, state)?;
    super::zone_check::check(apex, &source.label, parser.records)
}

fn jail_of(path: &Path) -> Result<PathBuf, String> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    dir.canonicalize()
        .map_err(|e| format!("cannot resolve its directory: {e}"))
}

struct Parser {
    /// The directory `$INCLUDE` may not leave (`None`: no includes).
    jail: Option<PathBuf>,
    records: Vec<ZoneRecord>,
    /// `$TTL`: as in nsd, it holds from where it is set on, in included
    /// files and after them.
    default_ttl: u32,
}

/// What holds within one file: an included file starts with its own
/// origin and no previous owner, and the includer's come back after it.
struct FileState {
    label: Arc<str>,
    dir: Option<PathBuf>,
    origin: Name,
    prev_owner: Option<Name>,
    depth: usize,
}

impl FileState {
    fn new(source: &Source, origin: Name, depth: usize) -> FileState {
        FileState {
            label: source.label.as_str().into(),
            dir: source
                .path
                .as_ref()
                .map(|p| p.parent().unwrap_or(Path::new(".")).to_path_buf()),
            origin,
            prev_owner: None,
            depth,
        }
    }

    fn err(&self, line: usize, message: impl Into<String>) -> ZoneError {
        ZoneError::at(&self.label, line, message)
    }
}

impl Parser {
    fn parse_text(&mut self, text: &[u8], mut st: FileState) -> Result<(), ZoneError> {
        let entries = lexer::entries(text).map_err(|(line, m)| st.err(line, m))?;
        for entry in entries {
            let first = &entry.tokens[0];
            if !entry.blank_owner && !first.quoted && first.text.starts_with(b"$") {
                self.directive(&entry, &mut st)?;
            } else {
                let record =
                    record(&entry, &mut st, self.default_ttl).map_err(|m| st.err(entry.line, m))?;
                if self.records.len() >= MAX_RECORDS {
                    return Err(st.err(entry.line, format!("more than {MAX_RECORDS} records")));
                }
                self.records.push(record);
            }
        }
        Ok(())
    }

    fn directive(&mut self, entry: &Entry, st: &mut FileState) -> Result<(), ZoneError> {
        let line = entry.line;
        let args = &entry.tokens[1..];
        let word = entry.tokens[0].text.to_ascii_uppercase();
        match (word.as_slice(), args) {
            (b"$ORIGIN", [name]) => {
                st.origin = parse_name(name, &st.origin).map_err(|m| st.err(line, m))?;
            }
            (b"$TTL", [ttl]) => {
                self.default_ttl = parse_ttl(&ttl.text).map_err(|m| st.err(line, m))?;
            }
            (b"$INCLUDE", [file]) => self.include(line, file, None, st)?,
            (b"$INCLUDE", [file, origin]) => self.include(line, file, Some(origin), st)?,
            (b"$ORIGIN" | b"$TTL", _) => {
                return Err(st.err(line, format!("{} takes one argument", show(&word))));
            }
            (b"$INCLUDE", _) => {
                return Err(st.err(line, "$INCLUDE takes a file name and an optional origin"));
            }
            _ => return Err(st.err(line, format!("unknown directive {}", show(&word)))),
        }
        Ok(())
    }

    fn include(
        &mut self,
        line: usize,
        file: &Token,
        origin: Option<&Token>,
        st: &FileState,
    ) -> Result<(), ZoneError> {
        let (Some(jail), Some(dir)) = (&self.jail, &st.dir) else {
            return Err(st.err(line, "$INCLUDE needs the zone to be read from a file"));
        };
        if st.depth >= MAX_INCLUDE_DEPTH {
            return Err(st.err(
                line,
                format!("$INCLUDE nested deeper than {MAX_INCLUDE_DEPTH}"),
            ));
        }
        let origin = match origin {
            Some(o) if !o.text.ends_with(b".") || o.text.ends_with(b"\\.") => {
                return Err(st.err(
                    line,
                    "$INCLUDE's origin must be absolute (end in a dot), as nsd wants",
                ));
            }
            Some(o) => parse_name(o, &st.origin).map_err(|m| st.err(line, m))?,
            None => st.origin.clone(),
        };
        let path = resolve_include(jail, dir, &file.text).map_err(|m| st.err(line, m))?;
        let source = Source::file(&path)?;
        let inner = FileState::new(&source, origin, st.depth + 1);
        self.parse_text(&source.text, inner)
    }
}

/// The file an `$INCLUDE` names, relative to the including file's
/// directory, if it is within `jail`.
fn resolve_include(jail: &Path, dir: &Path, name: &[u8]) -> Result<PathBuf, String> {
    let name = std::str::from_utf8(name).map_err(|_| "$INCLUDE file name is not UTF-8")?;
    let path = dir.join(name);
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot read $INCLUDE file {}: {e}", path.display()))?;
    if !real.starts_with(jail) {
        return Err(format!(
            "$INCLUDE file {} is outside the zone's directory {}",
            path.display(),
            jail.display()
        ));
    }
    Ok(real)
}

/// Reads one record.
fn record(entry: &Entry, st: &mut FileState, default_ttl: u32) -> Result<ZoneRecord, String> {
    let mut tokens = entry.tokens.as_slice();
    let owner = if entry.blank_owner {
        st.prev_owner
            .clone()
            .ok_or("no owner name, and no previous record to take it from")?
    } else {
        let owner = parse_name(&tokens[0], &st.origin)?;
        tokens = &tokens[1..];
        owner
    };
    let (ttl, rest) = ttl_and_class(tokens)?;
    let [kind_token, rdata @ ..] = rest else {
        return Err("no record type".into());
    };
    let kind = parse_type(kind_token)?;
    let ttl = ttl.unwrap_or(default_ttl);
    let data = match kind {
        Kind::Known(rr) => Some(
            super::rdata::parse(rr, rdata, &st.origin)
                .map_err(|m| format!("{} record: {m}", rrtype::mnemonic(rr)))?,
        ),
        Kind::Other(_) => None,
    };
    st.prev_owner = Some(owner.clone());
    Ok(ZoneRecord {
        owner,
        ttl,
        kind,
        data,
        file: st.label.clone(),
        line: entry.line,
    })
}

/// The TTL, if given, and what follows the TTL and class (in either
/// order, each optional).
fn ttl_and_class(mut tokens: &[Token]) -> Result<(Option<u32>, &[Token]), String> {
    let (mut ttl, mut class) = (None, false);
    while let Some(t) = tokens.first() {
        if t.quoted {
            break;
        }
        if t.text.first().is_some_and(u8::is_ascii_digit) && ttl.is_none() {
            ttl = Some(parse_ttl(&t.text)?);
        } else if is_class(&t.text) && !class {
            if !t.text.eq_ignore_ascii_case(b"IN") && !t.text.eq_ignore_ascii_case(b"CLASS1") {
                return Err(format!(
                    "class {} is not supported (only IN)",
                    show(&t.text)
                ));
            }
            class = true;
        } else {
            break;
        }
        tokens = &tokens[1..];
    }
    Ok((ttl, tokens))
}

fn is_class(word: &[u8]) -> bool {
    ["IN", "CH", "CS", "HS", "NONE", "ANY"]
        .iter()
        .any(|c| word.eq_ignore_ascii_case(c.as_bytes()))
        || (word.len() > 5 && word[..5].eq_ignore_ascii_case(b"CLASS"))
}

fn parse_type(token: &Token) -> Result<Kind, String> {
    if rrtype::is_refused(&token.text) {
        return Err("DNAME records are not supported".into());
    }
    if token.quoted {
        return Err(format!(
            "expected a record type, found \"{}\"",
            show(&token.text)
        ));
    }
    rrtype::parse_kind(&token.text).ok_or_else(|| {
        format!(
            "unknown record type (or bad TTL or class) '{}'",
            show(&token.text)
        )
    })
}

/// A TTL: seconds, or BIND's units (`1h30m`, `2d`, `1w`).
pub(crate) fn parse_ttl(text: &[u8]) -> Result<u32, String> {
    let bad = || format!("bad TTL '{}'", show(text));
    if text.is_empty() {
        return Err(bad());
    }
    if text.iter().all(u8::is_ascii_digit) {
        return std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
            .ok_or_else(bad);
    }
    let (mut total, mut number) = (0u64, None::<u64>);
    for &b in text {
        if b.is_ascii_digit() {
            let n = number.unwrap_or(0) * 10 + u64::from(b - b'0');
            number = Some(n.min(u64::from(u32::MAX) + 1));
            continue;
        }
        let unit = match b.to_ascii_lowercase() {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86400,
            b'w' => 604_800,
            _ => return Err(bad()),
        };
        total += number.take().ok_or_else(bad)? * unit;
        if total > u64::from(u32::MAX) {
            return Err(bad());
        }
    }
    if number.is_some() {
        return Err(bad());
    }
    u32::try_from(total).map_err(|_| bad())
}

/// A name in a zone file: `@` is the origin, others are relative to it
/// unless they end in a dot.
pub(crate) fn parse_name(token: &Token, origin: &Name) -> Result<Name, String> {
    if token.quoted {
        return Err(format!(
            "a name cannot be quoted: \"{}\"",
            show(&token.text)
        ));
    }
    if token.text == b"@" {
        return Ok(origin.clone());
    }
    Name::parse(&token.text, Some(origin))
        .map_err(|e| format!("bad name '{}': {e}", show(&token.text)))
}

/// Bytes for an error message.
pub(crate) fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(text: &str) -> Result<Vec<ZoneRecord>, ZoneError> {
        let apex = Name::parse(b"example.test", None).unwrap();
        let source = Source {
            label: "t.zone".into(),
            path: None,
            text: text.as_bytes().to_vec(),
        };
        parse_zone(&apex, source)
    }

    const SOA: &str = "@ 300 IN SOA ns.example.test. host.example.test. 1 2 3 4 5\n";

    fn one(text: &str) -> ZoneRecord {
        let recs = zone(&format!("{SOA}{text}")).unwrap();
        assert_eq!(recs.len(), 2, "{recs:?}");
        recs[1].clone()
    }

    fn err(text: &str) -> String {
        zone(&format!("{SOA}{text}")).unwrap_err().to_string()
    }

    #[test]
    fn ttl_forms() {
        assert_eq!(parse_ttl(b"300"), Ok(300));
        assert_eq!(parse_ttl(b"1h30m"), Ok(5400));
        assert_eq!(parse_ttl(b"1W2d"), Ok(777_600));
        assert!(parse_ttl(b"1x").is_err());
        assert!(parse_ttl(b"h").is_err());
        assert!(parse_ttl(b"4294967296").is_err());
        assert!(parse_ttl(b"1h5").is_err());
    }

    #[test]
    fn ttl_and_class_in_either_order() {
        for line in [
            "www 60 IN A 192.0.2.1",
            "www IN 60 A 192.0.2.1",
            "www 60 A 192.0.2.1",
        ] {
            let r = one(line);
            assert_eq!(
                (r.ttl, r.owner.to_string()),
                (60, "www.example.test".into()),
                "{line}"
            );
            assert_eq!(r.data, Some(RData::A([192, 0, 2, 1].into())));
        }
        assert_eq!(
            one("www IN A 192.0.2.1").ttl,
            3600,
            "nsd's default, not the last TTL"
        );
        assert_eq!(one("$TTL 1d\nwww A 192.0.2.1").ttl, 86400);
    }

    #[test]
    fn owners() {
        let recs = zone(&format!(
            "{SOA}$ORIGIN sub\nx A 192.0.2.1\n  AAAA 2001:db8::1\n@ MX 10 mx\n$ORIGIN other.test.\ny.example.test. NS z\n"
        ))
        .unwrap();
        let owners: Vec<String> = recs.iter().map(|r| r.owner.to_string()).collect();
        assert_eq!(
            owners,
            [
                "example.test",
                "x.sub.example.test",
                "x.sub.example.test",
                "sub.example.test",
                "y.example.test"
            ]
        );
        assert_eq!(
            recs[3].data,
            Some(RData::Mx {
                preference: 10,
                exchange: b"mx.sub.example.test".to_vec()
            })
        );
        assert_eq!(recs[4].data, Some(RData::Ns(b"z.other.test".to_vec())));
    }

    #[test]
    fn txt_strings() {
        let r = one(r#"t TXT "a \"b\" c" plain "\\" "\065\066" """#);
        let want: Vec<Vec<u8>> = vec![
            b"a \"b\" c".to_vec(),
            b"plain".to_vec(),
            b"\\".to_vec(),
            b"AB".to_vec(),
            b"".to_vec(),
        ];
        assert_eq!(r.data, Some(RData::Txt(want)));
        assert!(err(&format!("t TXT \"{}\"", "x".repeat(256))).contains("longer than 255"));
    }

    #[test]
    fn other_types() {
        let r = one("s SRV 1 2 25 mail");
        assert_eq!(
            r.data,
            Some(RData::Srv {
                priority: 1,
                weight: 2,
                port: 25,
                target: b"mail.example.test".to_vec()
            })
        );
        let r = one("_25._tcp.mail TLSA 3 1 1 ( 0123456789abcdef\n ABCD )");
        let Some(RData::Tlsa { usage, data, .. }) = r.data else {
            panic!()
        };
        assert_eq!((usage, data.len()), (3, 10));
        let r = one("c CAA 0 issue \"ca.example\"");
        assert_eq!((r.kind, r.data), (Kind::Other(257), None));
    }

    #[test]
    fn errors_say_where_and_what() {
        assert_eq!(
            err("www A 192.0.2"),
            "t.zone:2: A record: bad IPv4 address '192.0.2'"
        );
        assert_eq!(err("www A"), "t.zone:2: A record: missing IPv4 address");
        assert_eq!(
            err("www A 1.2.3.4 5"),
            "t.zone:2: A record: unexpected '5' after the data"
        );
        assert_eq!(
            err("www FOO x"),
            "t.zone:2: unknown record type (or bad TTL or class) 'FOO'"
        );
        assert_eq!(
            err("www CH A 1.2.3.4"),
            "t.zone:2: class CH is not supported (only IN)"
        );
        assert_eq!(
            err("www MX 70000 a"),
            "t.zone:2: MX record: bad preference '70000' (0-65535)"
        );
        assert_eq!(
            err("d DNAME x"),
            "t.zone:2: DNAME records are not supported"
        );
        assert_eq!(
            err("$GENERATE 1-2 a$ A 1.2.3.4"),
            "t.zone:2: unknown directive $GENERATE"
        );
        assert_eq!(
            err("$INCLUDE x"),
            "t.zone:2: $INCLUDE needs the zone to be read from a file"
        );
        assert_eq!(
            err("t TLSA 3 1 1 abc"),
            "t.zone:2: TLSA record: odd number of hex digits"
        );
        assert_eq!(
            err("x.a..b A 1.2.3.4").split(": ").nth(1),
            Some("bad name 'x.a..b'")
        );
        let e = zone("  A 1.2.3.4\n").unwrap_err().to_string();
        assert_eq!(
            e,
            "t.zone:1: no owner name, and no previous record to take it from"
        );
    }
}
