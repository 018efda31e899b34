//! The linear-search lookups over `key: data` files: `lsearch`,
//! `wildlsearch` (keys are expanded, then matched as one-item lists),
//! `nwildlsearch` (the same without expansion) and `iplsearch` (keys are
//! IP addresses or networks).

use crate::eval::Evaluator;
use crate::lists::is_space;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Plain,
    Wild,
    NWild,
    Ip,
}

/// The physical lines as `fgets` with a 4096-byte buffer returns them,
/// each cut at its first NUL (the C string it is).
fn fgets_chunks(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let max = rest.len().min(4095);
        let n = rest[..max]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(max, |i| i + 1);
        let chunk = &rest[..n];
        rest = &rest[n..];
        let len = chunk.iter().position(|&c| c == 0).unwrap_or(chunk.len());
        out.push(&chunk[..len]);
    }
    out
}

fn trim_end_slice(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., last] = b
        && is_space(*last)
    {
        b = rest;
    }
    b
}

fn trim_end(b: &mut Vec<u8>) {
    while b.last().is_some_and(|&c| is_space(c)) {
        b.pop();
    }
}

/// Exim's `string_interpret_escape` (`s` starts after the backslash; at
/// least one byte).  Returns the byte and the number of bytes used.
fn escape(s: &[u8]) -> (u8, usize) {
    let c = s[0];
    match c {
        b'0'..=b'7' => {
            let mut v: u32 = 0;
            let mut n = 0;
            while n < 3 && s.get(n).is_some_and(|d| (b'0'..=b'7').contains(d)) {
                v = v * 8 + u32::from(s[n] - b'0');
                n += 1;
            }
            (v as u8, n)
        }
        b'x' => {
            let mut v: u32 = 0;
            let mut n = 1;
            while n < 3 && s.get(n).is_some_and(u8::is_ascii_hexdigit) {
                v = v * 16 + (s[n] as char).to_digit(16).unwrap_or(0);
                n += 1;
            }
            (v as u8, n)
        }
        b'n' => (b'\n', 1),
        b'r' => (b'\r', 1),
        b't' => (b'\t', 1),
        b'b' => (0x08, 1),
        b'f' => (0x0c, 1),
        b'v' => (0x0b, 1),
        other => (other, 1),
    }
}

/// Exim's `internal_lsearch_find`.  `Err` is a DEFER with its message.
pub fn find(
    ev: &mut Evaluator,
    kind: Kind,
    data: &[u8],
    key: &[u8],
    opts: Option<&str>,
) -> Result<Option<Vec<u8>>, String> {
    if kind == Kind::Ip && key != b"*" && crate::ip::is_ip_address(key) == 0 {
        return Err(format!(
            "\"{}\" is not a valid iplsearch key (an IP address, with optional CIDR mask, is \
             wanted): in a host list, use net-iplsearch as the search type",
            String::from_utf8_lossy(key)
        ));
    }
    let ret_full = opts.is_some_and(|o| {
        crate::lists::ListIter::with_sep(o.as_bytes(), b',').any(|e| e == b"ret=full")
    });
    let chunks = fgets_chunks(data);
    let mut i = 0;
    let mut last_was_eol = true;
    while i < chunks.len() {
        let raw = chunks[i];
        i += 1;
        let this_is_eol = raw.last() == Some(&b'\n');
        let prev = last_was_eol;
        last_was_eol = this_is_eol;
        if !prev {
            continue;
        }
        let line = if this_is_eol {
            trim_end_slice(raw)
        } else {
            raw
        };
        if line.is_empty() || line[0] == b'#' || is_space(line[0]) {
            continue;
        }
        // The key: a quoted string with escapes, or up to `:` or space.
        let mut s;
        let quoted: Vec<u8>;
        let full: Vec<u8>;
        let (linekey, buf): (&[u8], &[u8]) = if line[0] == b'"' {
            let mut k = Vec::new();
            s = 1;
            while s < line.len() && line[s] != b'"' {
                if line[s] == b'\\' && s + 1 < line.len() {
                    let (c, n) = escape(&line[s + 1..]);
                    k.push(c);
                    s += n + 1;
                } else {
                    k.push(line[s]);
                    s += 1;
                }
            }
            if s < line.len() {
                s += 1;
            }
            quoted = k;
            if ret_full {
                full = [&quoted[..], &line[s..]].concat();
                (&quoted, &full)
            } else {
                (&quoted, line)
            }
        } else {
            s = 0;
            while s < line.len() && line[s] != b':' && !is_space(line[s]) {
                s += 1;
            }
            (&line[..s], line)
        };
        // A NUL from an escape ends the key as the C string.
        let ckey = match linekey.iter().position(|&c| c == 0) {
            Some(n) => &linekey[..n],
            None => linekey,
        };
        let matched = match kind {
            Kind::Plain => linekey.eq_ignore_ascii_case(key),
            Kind::Wild | Kind::NWild => {
                let m = wild_match(ev, key, ckey, kind == Kind::Wild)?;
                if m {
                    // Exim drops the numeric variables a regex key set.
                    ev.captures.clear();
                }
                m
            }
            Kind::Ip => {
                if ckey == b"*" {
                    key == b"*"
                } else if key == b"*" {
                    false
                } else {
                    host_in_net(key, ckey)
                }
            }
        };
        if !matched {
            continue;
        }
        let rest: &[u8] = if ret_full {
            buf
        } else {
            let mut t = s;
            while t < buf.len() && is_space(buf[t]) {
                t += 1;
            }
            if buf.get(t) == Some(&b':') {
                t += 1;
                while t < buf.len() && is_space(buf[t]) {
                    t += 1;
                }
            }
            &buf[t.min(buf.len())..]
        };
        // The data ends at a NUL (it was a C string).
        let mut out = match rest.iter().position(|&c| c == 0) {
            Some(n) => rest[..n].to_vec(),
            None => rest.to_vec(),
        };
        // Continuation lines.
        let mut last_eol = this_is_eol;
        let mut this_is_comment = false;
        while i < chunks.len() {
            let raw = chunks[i];
            i += 1;
            let eol = raw.last() == Some(&b'\n');
            let mut b = raw.to_vec();
            if eol {
                trim_end(&mut b);
            }
            let mut piece: &[u8] = &b;
            let mut lead_space = false;
            if last_eol {
                this_is_comment = this_is_comment || b.is_empty() || b[0] == b'#';
                if this_is_comment {
                    last_eol = eol;
                    continue;
                }
                if !is_space(b[0]) {
                    break;
                }
                let n = b.iter().position(|&c| !is_space(c)).unwrap_or(b.len());
                piece = &b[n..];
                lead_space = true;
            }
            last_eol = eol;
            if this_is_comment {
                continue;
            }
            if lead_space {
                out.push(b' ');
            }
            out.extend_from_slice(piece);
        }
        return Ok(Some(out));
    }
    Ok(None)
}

/// A wildlsearch key as a one-item match list (Exim's `match_isinlist`
/// with a single-item list, string matching, caseless).
fn wild_match(ev: &mut Evaluator, key: &[u8], item: &[u8], expand: bool) -> Result<bool, String> {
    let expanded;
    let mut list: &[u8] = item;
    if expand {
        match ev.expand_nested(item) {
            Ok(v) => {
                expanded = v.bytes;
                list = &expanded;
            }
            Err(e) if e.is_forced() => return Ok(false),
            Err(e) => {
                let mut m = b"failed to expand \"".to_vec();
                m.extend_from_slice(item);
                m.extend_from_slice(b"\" while checking a list: ");
                m.extend_from_slice(&e.message);
                crate::acl::log_line(ev, &m);
                return Err(String::new());
            }
        }
    }
    // The single item, trimmed; no item at all never matches.
    let Some(start) = list.iter().position(|&c| !is_space(c)) else {
        return Ok(false);
    };
    let mut end = list.len();
    while end > start && is_space(list[end - 1]) && !(end >= 2 && list[end - 2] == b'\\') {
        end -= 1;
    }
    let mut pat = &list[start..end];
    let mut negated = false;
    if pat.first() == Some(&b'!') {
        negated = true;
        pat = &pat[1..];
        let n = pat.iter().position(|&c| !is_space(c)).unwrap_or(pat.len());
        pat = &pat[n..];
    }
    let hit = check_string(ev, key, pat)?;
    Ok(hit != negated)
}

/// Exim's `check_string` for a caseless string subject without `@`
/// specials: regex, `*suffix`, `type;file` lookups, literal.
fn check_string(ev: &mut Evaluator, key: &[u8], pat: &[u8]) -> Result<bool, String> {
    // Exim's check_string drops the numeric variables and makes the
    // subject `$0`-to-be.
    ev.captures.clear();
    ev.ctx.lookup_cache.wild_subject = Some(if pat.first() == Some(&b'^') {
        key.to_vec()
    } else {
        key.to_ascii_lowercase()
    });
    if pat.first() == Some(&b'^') {
        let re = compile_caseless(pat)?;
        return Ok(matches!(re.is_match(key), Ok(true)));
    }
    let lower = key.to_ascii_lowercase();
    if let Some(suffix) = pat.strip_prefix(b"*") {
        return Ok(suffix.len() <= lower.len()
            && lower[lower.len() - suffix.len()..].eq_ignore_ascii_case(suffix));
    }
    if let Some(semi) = pat.iter().position(|&c| c == b';') {
        let spec_text = String::from_utf8_lossy(&pat[..semi]).into_owned();
        let spec = super::parse_spec(&ev.ctx.registry, &spec_text)?;
        let (k, file) = super::search_args(&spec, &lower, &pat[semi + 1..]);
        return match super::search(ev, &spec, file.as_deref(), false, &k, false) {
            Ok(found) => Ok(found.is_some()),
            Err(
                super::LookupFailure::Open(m)
                | super::LookupFailure::Defer(m)
                | super::LookupFailure::Refused(m),
            ) => Err(m),
        };
    }
    Ok(lower.eq_ignore_ascii_case(pat))
}

fn compile_caseless(pat: &[u8]) -> Result<pcre2::bytes::Regex, String> {
    let mut text = String::with_capacity(pat.len());
    for &b in pat {
        if b < 0x80 {
            text.push(b as char);
        } else {
            text.push_str(&format!("\\x{{{b:02x}}}"));
        }
    }
    pcre2::bytes::RegexBuilder::new()
        .caseless(true)
        .build(&text)
        .map_err(|e| {
            format!(
                "regular expression error: {} while compiling {}",
                e,
                String::from_utf8_lossy(pat)
            )
        })
}

/// Exim's `host_is_in_net` for an iplsearch line key (`ip` or `net/N`,
/// with the mask read as `atoi` reads it).
fn host_in_net(host: &[u8], net: &[u8]) -> bool {
    match crate::ip::ip_with_mask(net) {
        Some((_, maskoffset)) => crate::ip::host_is_in_net(host, net, maskoffset),
        None => false,
    }
}

/// The lsearch family: the file is read when the lookup opens it, then
/// searched for each key.
#[derive(Debug, Clone, Copy)]
pub struct LsearchLookup(pub Kind);

impl crate::eval::Lookup for LsearchLookup {
    fn style(&self) -> crate::parser::LookupStyle {
        crate::parser::LookupStyle::SingleKey
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<crate::eval::Capability> {
        Some(crate::eval::Capability::Files)
    }

    /// Exim's `lsearch_open`: a regular file, read whole.
    fn open(
        &self,
        ev: &mut Evaluator,
        file: Option<&[u8]>,
    ) -> Result<crate::eval::LookupHandle, crate::eval::LookupFailure> {
        use crate::eval::LookupFailure::Open;
        use std::os::unix::ffi::OsStrExt;
        let name = crate::eval::c_str(file.unwrap_or_default());
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(name));
        let mut what = name.to_vec();
        what.extend_from_slice(b" for linear search");
        let mut f = std::fs::File::open(path).map_err(|e| {
            Open(super::open_failed(
                &what,
                e.raw_os_error().unwrap_or(libc::ENOENT),
            ))
        })?;
        match f.metadata().map(|m| m.is_file()) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Open(format!(
                    "{} is not a regular file (lsearch lookup)",
                    String::from_utf8_lossy(name)
                )));
            }
            Err(_) => {
                return Err(Open(format!(
                    "{}: stat failed",
                    String::from_utf8_lossy(name)
                )));
            }
        }
        let data = crate::sys::read_bounded(&mut f, name, ev.ctx.limits.max_read).map_err(Open)?;
        Ok(Box::new(data))
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        handle: &crate::eval::LookupHandle,
        q: &crate::eval::LookupQuery,
    ) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
        let lines = handle
            .downcast_ref::<Vec<u8>>()
            .map_or(&[][..], Vec::as_slice);
        if q.key.is_empty() {
            return Ok(None);
        }
        find(ev, self.0, lines, q.key, q.opts).map_err(crate::eval::LookupFailure::Defer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_and_ip() {
        assert_eq!(fgets_chunks(b"a\nb\0c\n"), vec![&b"a\n"[..], b"b"]);
        assert!(host_in_net(b"5.6.7.8", b"5.6.7.0/24"));
        assert!(!host_in_net(b"5.6.8.8", b"5.6.7.0/24"));
        assert!(host_in_net(b"::ffff:1.2.3.4", b"1.2.3.4"));
        assert!(host_in_net(b"2001:db8::1", b"2001:db8::/32"));
        assert_eq!(crate::ip::is_ip_address(b"1.2.3.4/8"), 0);
    }

    /// iplsearch line keys with odd masks, as Exim 4.96 answers
    /// `${lookup{1.2.3.4}iplsearch{FILE}{$value}{none}}` (checked with
    /// `exim -be`): the mask is read as `atoi` reads it.
    #[test]
    fn iplsearch_masks_as_exim() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("1.2.3.0/+24: plus\n", b"1.2.3.4", "plus"),
            ("1.2.3.0/: empty\n", b"1.2.3.4", "empty"),
            ("1.2.3.0/ 24: sp\n", b"1.2.3.4", "24: sp"),
            ("\"1.2.3.0/-1\": neg\n", b"1.2.3.4", "none"),
            ("\"fe80::1%eth0\": scoped\n", b"fe80::1%eth0", "scoped"),
            ("\"fe80::1%eth0\": scoped\n", b"fe80::1", "scoped"),
        ];
        for &(file, key, want) in cases {
            let mut ctx = crate::eval::Context::new();
            let mut ev = Evaluator::new(&mut ctx);
            let got = find(&mut ev, Kind::Ip, file.as_bytes(), key, None).unwrap();
            let got = got.map_or("none".to_string(), |v| {
                String::from_utf8_lossy(&v).into_owned()
            });
            assert_eq!(got, want, "{file:?}");
        }
    }
}
