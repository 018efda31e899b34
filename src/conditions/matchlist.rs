//! Match lists: the conditions `match_domain`, `match_local_part`,
//! `match_address` and `match_ip`, following Exim 4.96's `match.c`
//! (`match_check_list`, `check_string`, `check_address`) and the IP-only
//! part of `verify.c`'s `check_host`.
//!
//! Model of Exim's state: `$value` is Exim's `lookup_value`, written through
//! a "value pointer" that the item checks set or clear; `$0`..`$20` are the
//! numeric strings (`expand_nstring`) of which the first `nmax + 1` are
//! visible.  Both are copied in from the evaluator at the start and written
//! back at the end, so the exact Exim side effects (also of failed matches)
//! are reproduced.
//!
//! Where Exim logs a panic and dies (an unknown lookup type, an unopenable
//! list file, a bad regular expression in a list) the condition fails with
//! Exim's log message instead.
//!
//! `@mx_any`/`@mx_primary`/`@mx_secondary` ask the engine's resolver for
//! the domain's mail hosts ([`crate::dns::hosts`]).  Approximations: `@[]` uses
//! the addresses of the running interfaces (`getifaddrs`), restricted to the
//! `local_interfaces` option when that names explicit addresses; lookups in
//! list items are not implemented yet (see [`list_lookup`]).

use crate::eval::{Evaluator, ListKind, Value};
pub use crate::ip::is_ip_address;
use crate::ip::{host_aton, host_is_in_net, host_mask, ip_with_mask, parse_ip};
use crate::lists::{ListIter, is_space};
use crate::regex::Compiled;
use std::rc::Rc;

/// Exim's `EXPAND_MAXN`: `$0`..`$20`.
const EXPAND_MAXN: usize = 20;

/// Exim's `BIG_BUFFER_SIZE`, the limit on a subject address.
const BIG_BUFFER_SIZE: usize = 16384;

/// Nesting bound for named lists that refer to each other.
const MAX_NAMED_DEPTH: u32 = 50;

/// The outcome of one item check or of a list scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchRc {
    Ok,
    Fail,
    Defer,
    /// A host item that cannot be checked (`1.2.3`, a name in `match_ip`).
    Error,
}
use MatchRc as R;

/// A fatal error: the message Exim logs before dying.
type Fatal = crate::eval::Failure;

/// Exim's `check_string_block`.
#[derive(Debug, Clone)]
struct StrBlock {
    /// Original casing (used for regular expressions).
    orig: Vec<u8>,
    /// Lower-cased when caseless.
    subject: Vec<u8>,
    expand_setup: i32,
    use_partial: bool,
    caseless: bool,
    at_is_special: bool,
}

impl StrBlock {
    fn new(s: &[u8], expand_setup: i32, caseless: bool, at_is_special: bool) -> StrBlock {
        StrBlock {
            orig: s.to_vec(),
            subject: if caseless {
                s.to_ascii_lowercase()
            } else {
                s.to_vec()
            },
            expand_setup,
            use_partial: true,
            caseless,
            at_is_special,
        }
    }
}

/// Exim's `check_address_block`.
#[derive(Debug, Clone)]
struct AddrBlock {
    orig: Vec<u8>,
    address: Vec<u8>,
    expand_setup: i32,
    caseless: bool,
}

/// The subject of a list scan and the function that checks one item.
#[derive(Debug, Clone)]
enum Block {
    Str(StrBlock),
    Addr(AddrBlock),
    /// `check_host`.
    Host(HostBlock),
}

/// Exim's `check_host_block`.
#[derive(Debug, Clone)]
struct HostBlock {
    /// The host's IP address (empty for a local caller).
    address: Vec<u8>,
    /// `match_ip`: names are errors, every lookup is an IP lookup.
    ip_only: bool,
    /// The host's name when it is known (`ignore_target_hosts`); `None`
    /// means the client's, looked up from its address when needed.
    name: Option<Vec<u8>>,
}

/// How a list is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// `:` or a `<X` prefix.
    Auto,
    /// The whole string is one item (Exim's `UCHAR_MAX+1` separator).
    Single,
}

/// What a lookup in a list item found: the data, and `$1`/`$2` (wild and
/// fixed part of the key) when a partial or default lookup matched.
enum LookupOutcome {
    Found(Vec<u8>, Option<(Vec<u8>, Vec<u8>)>),
    NotFound,
    Defer(String),
}

struct Matcher<'e, 'a> {
    ev: &'e mut Evaluator<'a>,
    /// Exim's `expand_nstring` (all slots) and `expand_nmax`.
    nstring: Vec<Vec<u8>>,
    nmax: i32,
    /// Exim's `search_error_message`.
    search_error: Option<String>,
    depth: u32,
    /// The list being checked came out of an expansion with tainted data:
    /// its file names are refused, as Exim's open wrapper refuses them.
    list_tainted: bool,
}

impl<'e, 'a> Matcher<'e, 'a> {
    fn new(ev: &'e mut Evaluator<'a>) -> Matcher<'e, 'a> {
        let mut nstring: Vec<Vec<u8>> = ev.captures.iter().map(|v| v.bytes.clone()).collect();
        let nmax = nstring.len() as i32 - 1;
        nstring.resize(EXPAND_MAXN + 1, Vec::new());
        Matcher {
            ev,
            nstring,
            nmax,
            search_error: None,
            depth: 0,
            list_tainted: false,
        }
    }

    /// Writes the numeric variables back to the evaluator.
    fn finish(self, tainted: bool) {
        let n = (self.nmax + 1).clamp(0, EXPAND_MAXN as i32 + 1) as usize;
        let old = std::mem::take(&mut self.ev.captures);
        self.ev.captures = self.nstring[..n]
            .iter()
            .enumerate()
            .map(|(i, b)| match old.get(i) {
                Some(v) if v.bytes == *b => v.clone(),
                _ => Value {
                    bytes: b.clone(),
                    tainted,
                },
            })
            .collect();
    }

    /// A lookup in a list item, through the evaluator (its policy, cache
    /// and variables).
    fn list_lookup(
        &mut self,
        spec: &str,
        rest: &[u8],
        key: &[u8],
        use_partial: bool,
    ) -> Result<LookupOutcome, Fatal> {
        let tainted = self.list_tainted;
        Ok(
            match crate::lookups::list_find(self.ev, spec, rest, key, use_partial, tainted)? {
                Ok(Some(found)) => LookupOutcome::Found(found.data, found.wild),
                Ok(None) => LookupOutcome::NotFound,
                Err(m) => LookupOutcome::Defer(m),
            },
        )
    }

    fn set_n(&mut self, i: i32, b: &[u8]) {
        if let Ok(i) = usize::try_from(i)
            && i <= EXPAND_MAXN
        {
            self.nstring[i] = b.to_vec();
        }
    }

    /// Exim's `match_check_list`.
    fn check_list(
        &mut self,
        list_raw: &[u8],
        sep: Sep,
        block: &mut Block,
        kind: ListKind,
        expand: bool,
        val: &mut Option<Vec<u8>>,
    ) -> Result<R, Fatal> {
        let (list, tainted) = if expand {
            match self.expand_list(list_raw, kind, block) {
                Ok(Some(l)) => (l.bytes, l.tainted),
                Ok(None) => return Ok(R::Fail),
                Err(()) => return Ok(R::Defer),
            }
        } else {
            (list_raw.to_vec(), false)
        };
        let outer = std::mem::replace(&mut self.list_tainted, tainted);
        let r = self.check_items(&list, list_raw, sep, block, kind, val);
        self.list_tainted = outer;
        r
    }

    /// The items of one (expanded) list, for [`Matcher::check_list`].
    fn check_items(
        &mut self,
        list: &[u8],
        list_raw: &[u8],
        sep: Sep,
        block: &mut Block,
        kind: ListKind,
        val: &mut Option<Vec<u8>>,
    ) -> Result<R, Fatal> {
        let items: Vec<Vec<u8>> = match sep {
            Sep::Auto => ListIter::new(list).collect(),
            Sep::Single => single_item(list).into_iter().collect(),
        };
        let mut yield_ = R::Ok;
        let mut fl = Flags::default();
        for sss in items {
            match (kind, &mut *block) {
                (ListKind::Address, Block::Addr(cb)) if sss == b"+caseful" => {
                    if let Some(at) = cb.orig.iter().rposition(|&c| c == b'@') {
                        let n = at.min(cb.address.len());
                        cb.address[..n].copy_from_slice(&cb.orig[..n]);
                    }
                    cb.caseless = false;
                    continue;
                }
                (ListKind::LocalPart, Block::Str(cb)) if sss == b"+caseful" => {
                    cb.subject = cb.orig.clone();
                    cb.caseless = false;
                    continue;
                }
                (ListKind::Host, _) if sss.first() == Some(&b'+') => match sss.as_slice() {
                    b"+include_unknown" => {
                        (fl.include_unknown, fl.ignore_unknown) = (true, false);
                        continue;
                    }
                    b"+ignore_unknown" => {
                        (fl.include_unknown, fl.ignore_unknown) = (false, true);
                        continue;
                    }
                    b"+include_defer" => {
                        (fl.include_defer, fl.ignore_defer) = (true, false);
                        continue;
                    }
                    b"+ignore_defer" => {
                        (fl.include_defer, fl.ignore_defer) = (false, true);
                        continue;
                    }
                    _ => {}
                },
                _ => {}
            }
            let mut ss: &[u8] = &sss;
            if ss.first() == Some(&b'!') {
                yield_ = R::Fail;
                ss = &ss[1..];
                while ss.first().is_some_and(|&c| is_space(c)) {
                    ss = &ss[1..];
                }
            } else {
                yield_ = R::Ok;
            }

            if ss.first() == Some(&b'+') {
                let name = String::from_utf8_lossy(&ss[1..]).into_owned();
                let Some(sub) = self
                    .ev
                    .ctx
                    .named_list(kind, &name)
                    .map(|s| s.as_bytes().to_vec())
                else {
                    let kind_name = match kind {
                        ListKind::Domain => "domain",
                        ListKind::Host => "host",
                        ListKind::Address => "address",
                        ListKind::LocalPart => "local part",
                    };
                    let m = format!("unknown named {kind_name} list \"+{name}\"");
                    crate::acl::log_line(self.ev, m.as_bytes());
                    return Ok(R::Defer);
                };
                if self.depth >= MAX_NAMED_DEPTH {
                    return Err(format!(
                        "named lists nested more than {MAX_NAMED_DEPTH} deep at \"+{name}\""
                    )
                    .into());
                }
                self.depth += 1;
                let r = self.check_list(&sub, Sep::Auto, block, kind, true, val);
                self.depth -= 1;
                match r? {
                    R::Ok => return Ok(yield_),
                    R::Defer => return Ok(R::Defer),
                    _ => {}
                }
            } else if ss.first() != Some(&b'/') {
                let (rc, error) = self.check_item(block, ss, val)?;
                match rc {
                    R::Ok => return Ok(yield_),
                    R::Defer => {
                        if fl.ignore_defer {
                            continue;
                        }
                        if fl.include_defer {
                            return Ok(R::Ok);
                        }
                        if self.search_error.is_none() {
                            self.search_error = Some(error.unwrap_or_else(|| {
                                format!("DNS lookup of \"{}\" deferred", lossy(ss))
                            }));
                        }
                        return Ok(R::Defer);
                    }
                    R::Error => {
                        if !fl.ignore_unknown {
                            return Ok(if fl.include_unknown { R::Ok } else { R::Fail });
                        }
                    }
                    R::Fail => {}
                }
            } else {
                match self.check_file(ss, list_raw, yield_, fl, block, kind, val)? {
                    FileOutcome::Done(r) => return Ok(r),
                    FileOutcome::Continue(y) => yield_ = y,
                }
            }
        }
        Ok(if yield_ == R::Ok { R::Fail } else { R::Ok })
    }

    /// A list item that names a file: each line is an item.
    #[allow(clippy::too_many_arguments)]
    fn check_file(
        &mut self,
        filename: &[u8],
        list_raw: &[u8],
        yield_: R,
        fl: Flags,
        block: &mut Block,
        kind: ListKind,
        val: &mut Option<Vec<u8>>,
    ) -> Result<FileOutcome, Fatal> {
        use std::os::unix::ffi::OsStrExt;
        self.ev
            .ctx
            .policy
            .check(crate::eval::Capability::Files, "reading a list file")?;
        if self.list_tainted {
            crate::acl::log_tainted_filename(self.ev, filename, false);
            let why = format!(
                "{}{}",
                crate::sys::strerror(libc::EACCES),
                crate::sys::permission_ids()
            );
            return Err(open_list_failed(filename, list_raw, &why).into());
        }
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(filename));
        let mut file = std::fs::File::open(path)
            .map_err(|e| open_list_failed(filename, list_raw, &crate::sys::io_error_text(&e)))?;
        // A directory opens but reads nothing, as in Exim; other read errors
        // are reported (Exim's fgets() loop would end there: "no match").
        let max = self.ev.ctx.limits.max_read;
        let data = crate::sys::read_bounded(&mut file, filename, max)?;
        let mut file_yield = yield_;
        for chunk in fgets_chunks(&data, 1024) {
            let mut line: &[u8] = chunk;
            if let Some(z) = line.iter().position(|&c| c == 0) {
                line = &line[..z];
            }
            // Comments: in address and local-part lists `#` must follow
            // white space or start the line.
            let mut from = 0;
            while let Some(p) = line[from..].iter().position(|&c| c == b'#') {
                let p = from + p;
                if !matches!(kind, ListKind::Address | ListKind::LocalPart)
                    || p == 0
                    || is_space(line[p - 1])
                {
                    line = &line[..p];
                    break;
                }
                from = p + 1;
            }
            let line = crate::sys::trim(line);
            if line.is_empty() {
                continue;
            }
            file_yield = yield_;
            let mut ss = line;
            if ss[0] == b'!' {
                file_yield = if file_yield == R::Ok { R::Fail } else { R::Ok };
                ss = &ss[1..];
                while ss.first().is_some_and(|&c| is_space(c)) {
                    ss = &ss[1..];
                }
            }
            let (rc, _error) = self.check_item(block, ss, val)?;
            match rc {
                R::Ok => {
                    *val = Some(ss.to_vec());
                    return Ok(FileOutcome::Done(file_yield));
                }
                R::Defer if fl.ignore_defer => {}
                R::Defer if fl.include_defer => return Ok(FileOutcome::Done(R::Ok)),
                R::Defer => return Ok(FileOutcome::Done(R::Defer)),
                R::Error if fl.ignore_unknown => {}
                R::Error if fl.include_unknown => return Ok(FileOutcome::Done(R::Ok)),
                R::Error => return Ok(FileOutcome::Done(R::Fail)),
                R::Fail => {}
            }
        }
        Ok(FileOutcome::Continue(file_yield))
    }

    /// Expands a (named) list before it is scanned.  `Ok(None)` is a
    /// forced failure, `Err` any other expansion failure.
    fn expand_list(
        &mut self,
        raw: &[u8],
        kind: ListKind,
        block: &Block,
    ) -> Result<Option<Value>, ()> {
        let set_domain = match (kind, block) {
            (ListKind::Domain, Block::Str(cb)) if !self.ev.ctx.vars.contains_key("domain") => {
                Some(cb.subject.clone())
            }
            _ => None,
        };
        if let Some(d) = &set_domain {
            self.ev.ctx.set_var("domain", Value::new(d.clone()));
        }
        let r = self.ev.scoped(|ev| ev.expand_nested(raw));
        if set_domain.is_some() {
            self.ev.ctx.vars.remove("domain");
        }
        match r {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_forced() => Ok(None),
            Err(e) => {
                let mut m = b"failed to expand \"".to_vec();
                m.extend_from_slice(raw);
                m.extend_from_slice(b"\" while checking a list: ");
                m.extend_from_slice(&e.message);
                crate::acl::log_line(self.ev, &m);
                Err(())
            }
        }
    }

    /// Runs the check function of the block on one pattern.
    fn check_item(
        &mut self,
        block: &mut Block,
        pattern: &[u8],
        val: &mut Option<Vec<u8>>,
    ) -> Result<(R, Option<String>), Fatal> {
        match block {
            Block::Str(cb) => {
                let cb = cb.clone();
                Ok((self.check_string(&cb, pattern, val)?, None))
            }
            Block::Addr(cb) => {
                let cb = cb.clone();
                Ok((self.check_address(&cb, pattern, val)?, None))
            }
            Block::Host(hb) => {
                let hb = hb.clone();
                self.check_host(&hb, pattern, val)
            }
        }
    }

    /// Exim's `check_string`: one pattern against a string.
    fn check_string(
        &mut self,
        cb: &StrBlock,
        pattern: &[u8],
        val: &mut Option<Vec<u8>>,
    ) -> Result<R, Fatal> {
        *val = None;
        let s: &[u8] = if pattern.first() == Some(&b'^') {
            &cb.orig
        } else {
            &cb.subject
        };
        let mut setup = cb.expand_setup;
        self.nmax = -1;
        if setup == 0 {
            self.set_n(0, s);
        } else if setup > 0 {
            setup -= 1;
        }

        if pattern.first() == Some(&b'^') {
            let re = compile_list_regex(pattern, cb.caseless)?;
            if setup < 0 {
                if !matches!(re.is_match(s), Ok(true)) {
                    return Ok(R::Fail);
                }
            } else if !self.regex_match_and_setup(&re, s, setup) {
                return Ok(R::Fail);
            }
            *val = Some(pattern.to_vec());
            return Ok(R::Ok);
        }

        if pattern.first() == Some(&b'*') {
            let tail = &pattern[1..];
            if tail.len() > s.len() {
                return Ok(R::Fail);
            }
            let st = &s[s.len() - tail.len()..];
            let same = if cb.caseless {
                st.eq_ignore_ascii_case(tail)
            } else {
                st == tail
            };
            if !same {
                return Ok(R::Fail);
            }
            if setup >= 0 {
                setup += 1;
                let head = s[..s.len() - tail.len()].to_vec();
                self.set_n(setup, &head);
                self.nmax = setup;
            }
            *val = Some(pattern.to_vec());
            return Ok(R::Ok);
        }

        let mut literal: Vec<u8> = pattern.to_vec();
        if cb.at_is_special && pattern.first() == Some(&b'@') {
            if pattern.len() == 1 {
                literal = self.ev.ctx.primary_hostname().into_bytes();
            } else if pattern == b"@[]" {
                let n = s.len();
                if n < 2 || (s[0] != b'[' && s[n - 1] != b']') {
                    return Ok(R::Fail);
                }
                let inner = &s[1..n - 1];
                if local_interface_addresses(self.ev)
                    .iter()
                    .any(|a| a.as_bytes() == inner)
                {
                    if setup >= 0 {
                        self.nmax = setup;
                    }
                    *val = Some(pattern.to_vec());
                    return Ok(R::Ok);
                }
                return Ok(R::Fail);
            } else if pattern.len() >= 4 && pattern[..4].eq_ignore_ascii_case(b"@mx_") {
                let rest = &pattern[4..];
                let after = [&b"any"[..], b"primary", b"secondary"]
                    .iter()
                    .find(|w| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w))
                    .map(|w| &rest[w.len()..]);
                if let Some(after) = after {
                    let ignore = (after.len() >= 8 && after[..8].eq_ignore_ascii_case(b"/ignore="))
                        .then(|| after[8..].to_vec());
                    if after.is_empty() || ignore.is_some() {
                        let which = rest[..rest.len() - after.len()].to_ascii_lowercase();
                        return Ok(self.mx_item(s, pattern, &which, ignore.as_deref(), setup, val));
                    }
                }
            }
        }

        let Some(semi) = literal.iter().position(|&c| c == b';') else {
            let same = if cb.caseless {
                s.eq_ignore_ascii_case(&literal)
            } else {
                *s == *literal
            };
            if !same {
                return Ok(R::Fail);
            }
            if setup >= 0 {
                self.nmax = setup;
            }
            *val = Some(literal);
            return Ok(R::Ok);
        };

        let spec = lossy(&literal[..semi]);
        let rest = literal[semi + 1..].to_vec();
        let key = s.to_vec();
        match self.list_lookup(&spec, &rest, &key, cb.use_partial)? {
            LookupOutcome::Found(data, wild) => {
                *val = Some(data);
                self.nmax = setup;
                if let Some((wild_part, fixed_part)) = wild
                    && setup >= 0
                {
                    self.set_n(setup + 1, &wild_part);
                    self.set_n(setup + 2, &fixed_part);
                    self.nmax = setup + 2;
                }
                Ok(R::Ok)
            }
            LookupOutcome::NotFound => Ok(R::Fail),
            LookupOutcome::Defer(m) => {
                self.search_error = Some(m);
                Ok(R::Defer)
            }
        }
    }

    /// Exim's `regex_match_and_setup` with a non-negative `setup`.
    fn regex_match_and_setup(&mut self, re: &Compiled, s: &[u8], setup: i32) -> bool {
        let Ok(Some(groups)) = re.captures_at(s, 0, usize::MAX) else {
            return false;
        };
        let mut nmax = setup + 1;
        for g in &groups[1..] {
            let g = g.map_or(&[][..], |(start, end)| &s[start..end]);
            self.set_n(nmax, g);
            nmax += 1;
        }
        self.nmax = (nmax - 1).min(EXPAND_MAXN as i32);
        true
    }

    /// Exim's `check_address`: one pattern against a whole address.
    fn check_address(
        &mut self,
        cb: &AddrBlock,
        pattern: &[u8],
        val: &mut Option<Vec<u8>>,
    ) -> Result<R, Fatal> {
        let subject = &cb.address;
        let sdomain = subject.iter().rposition(|&c| c == b'@');
        if sdomain.is_none() && !subject.is_empty() {
            // Exim logs "no @ found in the subject of an address list match".
            return Ok(R::Fail);
        }

        if pattern.first() == Some(&b'^') {
            let sb = StrBlock::new(subject, cb.expand_setup, cb.caseless, false);
            let mut dummy = None;
            return self.check_string(&sb, pattern, &mut dummy);
        }

        let mut p = 0;
        while p < pattern.len() && (pattern[p].is_ascii_alphanumeric() || pattern[p] == b'-') {
            p += 1;
        }
        if pattern.get(p) == Some(&b'*') {
            p += 1;
        }
        if pattern.get(p) == Some(&b'@') {
            p += 1;
        }
        if pattern.get(p) == Some(&b';') {
            let mut sb = StrBlock::new(subject, -1, cb.caseless, false);
            sb.use_partial = false;
            return self.check_string(&sb, pattern, val);
        }

        if subject.is_empty() {
            return Ok(if pattern.is_empty() { R::Ok } else { R::Fail });
        }
        let sdomain = sdomain.unwrap_or(0);

        if pattern.starts_with(b"@@") {
            return self.split_lookup(cb, sdomain, &pattern[2..], val);
        }

        let mut expand_inc = 0;
        let mut value: Option<Vec<u8>> = None;
        let mut pdomain = pattern.iter().rposition(|&c| c == b'@');
        if let Some(pd) = pdomain {
            let dom = &pattern[pd + 1..];
            if pd > 0
                && pattern[pd - 1] == b'@'
                && matches!(
                    dom,
                    b"" | b"[]" | b"mx_any" | b"mx_primary" | b"mx_secondary"
                )
            {
                pdomain = Some(pd - 1);
            }
        }
        if let Some(pd) = pdomain {
            let pllen = pd;
            let sllen = sdomain;
            if pattern[0] == b'*' {
                let cllen = pllen - 1;
                if sllen < cllen {
                    return Ok(R::Fail);
                }
                let a = &subject[sllen - cllen..sllen];
                let b = &pattern[1..1 + cllen];
                let same = if cb.caseless {
                    a.eq_ignore_ascii_case(b)
                } else {
                    a == b
                };
                if !same {
                    return Ok(R::Fail);
                }
                if cb.expand_setup > 0 {
                    self.set_n(cb.expand_setup, &subject[..sllen - cllen]);
                    expand_inc = 1;
                }
            } else {
                if sllen != pllen {
                    return Ok(R::Fail);
                }
                let same = if cb.caseless {
                    subject[..sllen].eq_ignore_ascii_case(&pattern[..sllen])
                } else {
                    subject[..sllen] == pattern[..sllen]
                };
                if !same {
                    return Ok(R::Fail);
                }
            }
            // Exim copies as many bytes of the pattern as the subject's
            // local part has (stopping at the pattern's end).
            value = Some(pattern[..sllen.min(pattern.len())].to_vec());
        }

        let dsub = &subject[sdomain + 1..];
        let mut csb = StrBlock::new(dsub, cb.expand_setup + expand_inc, cb.caseless, true);
        csb.orig = dsub.to_vec();
        let dlist: Vec<u8> = match pdomain {
            Some(pd) => pattern[pd + 1..].to_vec(),
            None => pattern.to_vec(),
        };
        *val = None;
        let mut dvalue = None;
        let mut blk = Block::Str(csb);
        let rc = self.check_list(
            &dlist,
            Sep::Single,
            &mut blk,
            ListKind::Domain,
            false,
            &mut dvalue,
        )?;
        if value.is_some() || dvalue.is_some() {
            let mut v = value.unwrap_or_default();
            v.push(b'@');
            v.extend_from_slice(&dvalue.unwrap_or_default());
            *val = Some(v);
        }
        Ok(rc)
    }

    /// `@@lookup;file`: the domain is looked up to get a list of local
    /// parts; the last item `>key` chains to another key.
    fn split_lookup(
        &mut self,
        cb: &AddrBlock,
        sdomain: usize,
        pattern: &[u8],
        val: &mut Option<Vec<u8>>,
    ) -> Result<R, Fatal> {
        let subject = &cb.address;
        if sdomain == 1 && subject[0] == b'*' {
            return Ok(R::Fail);
        }
        let local = &subject[..sdomain];
        let mut key = Some(subject[sdomain + 1..].to_vec());
        let mut watchdog: i32 = 50;
        while let Some(k) = key.take() {
            let go = watchdog > 0;
            watchdog -= 1;
            if !go {
                break;
            }
            let mut kb = StrBlock::new(&k, -1, false, false);
            kb.use_partial = true;
            let mut got = None;
            let rc = self.check_string(&kb, pattern, &mut got)?;
            if rc != R::Ok {
                return Ok(rc);
            }
            let mut list = got.unwrap_or_default();
            let last = list.iter().rposition(|&c| c == b':').map_or(0, |i| i + 1);
            let mut p = last;
            while p < list.len() && is_space(list[p]) {
                p += 1;
            }
            if list.get(p) == Some(&b'>') {
                let mut q = p + 1;
                while q < list.len() && is_space(list[q]) {
                    q += 1;
                }
                key = Some(list[q..].to_vec());
                list.truncate(p);
            }
            for item in ListIter::new(&list) {
                let mut ss: &[u8] = &item;
                let mut local_yield = R::Ok;
                if ss.first() == Some(&b'!') {
                    local_yield = R::Fail;
                    ss = &ss[1..];
                    while ss.first().is_some_and(|&c| is_space(c)) {
                        ss = &ss[1..];
                    }
                }
                let lb = StrBlock::new(local, -1, cb.caseless, false);
                match self.check_string(&lb, ss, val)? {
                    R::Ok => return Ok(local_yield),
                    R::Defer => return Ok(R::Defer),
                    _ => {}
                }
            }
        }
        if watchdog <= 0 {
            return Err(format!(
                "Loop detected in lookup of local part of {} in @@{}",
                lossy(subject),
                lossy(pattern)
            )
            .into());
        }
        Ok(R::Fail)
    }

    /// The part of `check_host` for items that are not addresses: a host
    /// name (its addresses compared with the host's), or a pattern or a
    /// lookup on the host's name (the client's looked up from its address,
    /// its aliases too).  `semi` is where a lookup type ends.
    fn check_host_name(
        &mut self,
        hb: &HostBlock,
        ss: &[u8],
        semi: Option<usize>,
        val: &mut Option<Vec<u8>>,
    ) -> Result<(R, Option<String>), Fatal> {
        let utf8 = self.ev.ctx.option_flag("allow_utf8_domains", false);
        let plain_name = ss.iter().all(|&c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_') || (utf8 && c >= 128)
        });
        if plain_name {
            return Ok(match crate::dns::host_name::addresses_of(self.ev, ss) {
                crate::dns::host_name::Addresses::Found(list) => {
                    let want = crate::ip::parse_ip(&hb.address);
                    let hit = list.iter().any(|a| Some(*a) == want);
                    (if hit { R::Ok } else { R::Fail }, None)
                }
                crate::dns::host_name::Addresses::Again => (R::Defer, None),
                crate::dns::host_name::Addresses::None => (
                    R::Error,
                    Some(format!("failed to find IP address for {}", lossy(ss))),
                ),
            });
        }
        let name_match = |m: &mut Matcher, subject: &[u8], val: &mut Option<Vec<u8>>| {
            let cb = StrBlock::new(subject, -1, true, true);
            m.check_string(&cb, ss, val)
        };
        if let Some(name) = &hb.name {
            return Ok((name_match(self, name, val)?, None));
        }
        if let Some(semi) = semi {
            let spec = lossy(&ss[..semi]);
            let spec = spec.split(',').next().unwrap_or("");
            match crate::lookups::find_type(&self.ev.ctx.registry, spec) {
                Err(m) => {
                    let line = format!("{m} in host list item \"{}\"", lossy(ss));
                    crate::acl::log_line(self.ev, line.as_bytes());
                    return Ok((R::Defer, None));
                }
                Ok(crate::lookups::Style::SingleKey) => {}
                Ok(_) => {
                    let r = match name_match(self, b"", val)? {
                        R::Ok => R::Ok,
                        R::Defer => R::Defer,
                        _ => R::Fail,
                    };
                    return Ok((r, None));
                }
            }
        }
        let Some(crate::eval::HostNameLookup::Found { name, aliases, .. }) =
            crate::dns::host_name::lookup(self.ev)
        else {
            let address = lossy(&hb.address);
            return Ok((
                R::Error,
                Some(format!("failed to find host name for {address}")),
            ));
        };
        for subject in std::iter::once(&name).chain(&aliases) {
            match name_match(self, subject, val)? {
                R::Ok => return Ok((R::Ok, None)),
                R::Defer => return Ok((R::Defer, None)),
                _ => {}
            }
        }
        Ok((R::Fail, None))
    }

    /// `@mx_any`, `@mx_primary`, `@mx_secondary` (`which`), with an
    /// optional `/ignore=` host list: the domain's MX hosts compared with
    /// this host, as Exim's `check_string` does.
    fn mx_item(
        &mut self,
        domain: &[u8],
        pattern: &[u8],
        which: &[u8],
        ignore: Option<&[u8]>,
        setup: i32,
        val: &mut Option<Vec<u8>>,
    ) -> R {
        use crate::dns::hosts::{MxRc, find_by_mx};
        let found = find_by_mx(self.ev, domain, ignore);
        if found.rc == MxRc::Again {
            self.search_error = Some(format!("DNS lookup of \"{}\" deferred", lossy(domain)));
            return R::Defer;
        }
        let (primary, secondary) = (which == b"primary", which == b"secondary");
        if (found.rc != MxRc::FoundLocal || secondary) && (primary || !found.removed) {
            return R::Fail;
        }
        if setup >= 0 {
            self.nmax = setup;
        }
        *val = Some(pattern.to_vec());
        R::Ok
    }

    /// Exim's `check_host`: one item of a host list.
    fn check_host(
        &mut self,
        hb: &HostBlock,
        ss: &[u8],
        val: &mut Option<Vec<u8>>,
    ) -> Result<(R, Option<String>), Fatal> {
        let host_address = &hb.address[..];
        let primary;
        let mut ss = ss;
        if ss == b"*" {
            return Ok((R::Ok, None));
        }
        if host_address.is_empty() {
            return Ok((if ss.is_empty() { R::Ok } else { R::Fail }, None));
        }
        if ss.is_empty() {
            return Ok((R::Fail, None));
        }
        if ss == b"@" {
            if hb.ip_only {
                return Ok((R::Error, None));
            }
            primary = self.ev.ctx.primary_hostname().into_bytes();
            ss = &primary;
        }
        if ss == b"@[]" {
            let hit = local_interface_addresses(self.ev)
                .iter()
                .any(|a| a.as_bytes() == host_address);
            return Ok((if hit { R::Ok } else { R::Fail }, None));
        }
        if let Some((_, maskoffset)) = ip_with_mask(ss) {
            let hit = host_is_in_net(host_address, ss, maskoffset);
            return Ok((if hit { R::Ok } else { R::Fail }, None));
        }
        let t = ss
            .iter()
            .position(|&c| !(c.is_ascii_digit() || c == b'.'))
            .unwrap_or(ss.len());
        if t == ss.len() || (ss[t] == b'/' && t != 0) {
            return Ok((
                R::Error,
                Some("malformed IPv4 address or address mask".into()),
            ));
        }
        let Some(semi) = ss.iter().position(|&c| c == b';') else {
            if !hb.ip_only {
                return self.check_host_name(hb, ss, None, val);
            }
            return Ok((
                R::Error,
                Some("cannot match host name in match_ip list".into()),
            ));
        };
        if !hb.ip_only && !ss.starts_with(b"net") {
            return self.check_host_name(hb, ss, Some(semi), val);
        }
        let endname = match ss.iter().position(|&c| c == b',') {
            Some(c) if c < semi => c,
            _ => semi,
        };
        let mut t = 0;
        let mut mlen: i32 = -1;
        if ss.starts_with(b"net") {
            let mut m: i32 = 0;
            t = 3;
            while t < ss.len() && ss[t].is_ascii_digit() {
                m = m.wrapping_mul(10).wrapping_add((ss[t] - b'0') as i32);
                t += 1;
            }
            mlen = if m == 0 && t == 3 { -1 } else { m };
            // In a match_ip list every lookup is an IP lookup, but a
            // `netN` prefix must be followed by `-`.
            let dash = ss.get(t) == Some(&b'-');
            t += 1;
            if !dash && !hb.ip_only {
                return self.check_host_name(hb, ss, Some(semi), val);
            }
            if !dash {
                return Ok((
                    R::Error,
                    Some("cannot match host name in match_ip list".into()),
                ));
            }
        }
        let spec = lossy(&ss[t.min(endname)..endname]);
        let style = crate::lookups::find_type(&self.ev.ctx.registry, &spec)?;
        let rest = ss[semi + 1..].to_vec();
        let key = match style {
            crate::lookups::Style::SingleKey => masked_key(host_address, mlen, &spec),
            _ => Vec::new(),
        };
        match self.list_lookup(&lossy(&ss[t.min(semi)..semi]), &rest, &key, false)? {
            LookupOutcome::Found(data, _) => {
                *val = Some(data);
                Ok((R::Ok, None))
            }
            LookupOutcome::NotFound => {
                *val = None;
                Ok((R::Fail, None))
            }
            LookupOutcome::Defer(m) => {
                *val = None;
                self.search_error = Some(m);
                Ok((R::Defer, None))
            }
        }
    }
}

/// `+include_unknown` and friends of host lists.
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    include_unknown: bool,
    ignore_unknown: bool,
    include_defer: bool,
    ignore_defer: bool,
}

enum FileOutcome {
    Done(R),
    Continue(R),
}

/// The single item of a list read with an impossible separator.
fn single_item(s: &[u8]) -> Option<Vec<u8>> {
    let start = s.iter().position(|&c| !is_space(c))?;
    let mut out = s[start..].to_vec();
    while let Some(&last) = out.last() {
        let n = out.len();
        if is_space(last) && (n == 1 || out[n - 2] != b'\\') {
            out.pop();
        } else {
            break;
        }
    }
    Some(out)
}

/// Splits file contents as `fgets` with a buffer of `size` bytes does.
fn fgets_chunks(data: &[u8], size: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut p = 0;
    while p < data.len() {
        let limit = (p + size - 1).min(data.len());
        let end = data[p..limit]
            .iter()
            .position(|&c| c == b'\n')
            .map(|i| p + i + 1)
            .unwrap_or(limit);
        out.push(&data[p..end]);
        p = end;
    }
    out
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Compiles a list regex (caseless unless the list turned that off); a
/// bad pattern is fatal in Exim.
fn compile_list_regex(pattern: &[u8], caseless: bool) -> Result<Rc<Compiled>, Fatal> {
    crate::regex::compiled(pattern, caseless).map_err(|e| {
        format!(
            "regular expression error: {} at offset {} while compiling {}",
            crate::regex::pcre2_message(&e),
            e.offset().unwrap_or(0),
            lossy(pattern)
        )
        .into()
    })
}

/// The key of a single-key lookup in a host list: the masked address with
/// its mask length, IPv6 with `.` separators except for `iplsearch`.
fn masked_key(addr: &[u8], mlen: i32, spec: &str) -> Vec<u8> {
    let sep = if crate::lookups::base_name(spec) == "iplsearch" {
        ':'
    } else {
        '.'
    };
    let Some(mut words) = host_aton(addr) else {
        return Vec::new();
    };
    host_mask(&mut words, mlen);
    let mut out = String::new();
    if words.len() == 1 {
        let w = words[0];
        out.push_str(&format!(
            "{}.{}.{}.{}",
            w >> 24,
            (w >> 16) & 255,
            (w >> 8) & 255,
            w & 255
        ));
    } else {
        let mut parts = Vec::new();
        for w in &words {
            parts.push(format!("{:04x}", w >> 16));
            parts.push(format!("{:04x}", w & 0xffff));
        }
        out = parts.join(&sep.to_string());
    }
    if mlen >= 0 {
        out.push_str(&format!("/{mlen}"));
    }
    out.into_bytes()
}

/// The addresses Exim's `host_find_interfaces` reports: those of the
/// running interfaces, or the explicit addresses of `local_interfaces`.
pub(crate) fn local_interface_addresses(ev: &Evaluator) -> Vec<String> {
    let running = running_interfaces();
    let Some(li) = ev.ctx.option("local_interfaces") else {
        return running;
    };
    let mut out = Vec::new();
    for item in ListIter::new(li.as_bytes()) {
        let item = lossy(&item);
        let item = item.trim_start_matches('[');
        let addr = match item.find(']') {
            Some(i) => &item[..i],
            None => item,
        };
        match addr {
            "0.0.0.0" => out.extend(running.iter().filter(|a| !a.contains(':')).cloned()),
            "::0" | "::" => out.extend(running.iter().filter(|a| a.contains(':')).cloned()),
            a => {
                if let Some(ip) = parse_ip(a.as_bytes()) {
                    out.push(ip.to_string());
                } else if let Some((a, _port)) = a.rsplit_once('.')
                    && let Some(ip) = parse_ip(a.as_bytes())
                {
                    out.push(ip.to_string());
                }
            }
        }
    }
    out
}

/// The IPv4 and IPv6 addresses of the host's interfaces.
fn running_interfaces() -> Vec<String> {
    let mut out = Vec::new();
    let mut ifap: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills ifap with a list that we free below.
    if unsafe { libc::getifaddrs(&mut ifap) } != 0 {
        return out;
    }
    let mut p = ifap;
    while !p.is_null() {
        // SAFETY: p is a node of the list returned by getifaddrs.
        let ifa = unsafe { &*p };
        if !ifa.ifa_addr.is_null() {
            // SAFETY: ifa_addr points to a sockaddr of the family it names.
            let fam = unsafe { (*ifa.ifa_addr).sa_family } as i32;
            if fam == libc::AF_INET {
                // SAFETY: the family says this is a sockaddr_in.
                let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
                let a = std::net::Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
                out.push(a.to_string());
            } else if fam == libc::AF_INET6 {
                // SAFETY: the family says this is a sockaddr_in6.
                let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
                let a = std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                out.push(a.to_string());
            }
        }
        p = ifa.ifa_next;
    }
    // SAFETY: ifap came from getifaddrs.
    unsafe { libc::freeifaddrs(ifap) };
    out
}

/// Exim's "failed to open FILE when checking \"LIST\": WHY", with the bytes
/// of the file name and the list.
fn open_list_failed(filename: &[u8], list: &[u8], why: &str) -> Vec<u8> {
    let why = [b": ", why.as_bytes()].concat();
    crate::sys::msg(&[
        b"failed to open ",
        filename,
        b" when checking \"",
        list,
        b"\"",
        &why,
    ])
}

/// The message of a deferred match.
fn defer_message(list: &[u8], m: &Matcher) -> Vec<u8> {
    let error = m.search_error.as_deref().unwrap_or("NULL");
    crate::sys::msg(&[
        b"unable to complete match against \"",
        list,
        b"\": ",
        error.as_bytes(),
    ])
}

fn to_value(v: Option<Vec<u8>>, tainted: bool) -> Option<Value> {
    v.map(|bytes| Value { bytes, tainted })
}

/// `match_domain` and `match_local_part` (Exim's `match_isinlist`).
fn isinlist(ev: &mut Evaluator, a: &[Value], kind: ListKind) -> Result<bool, Fatal> {
    let subject = crate::eval::c_str(&a[0].bytes);
    let list = crate::eval::c_str(&a[1].bytes);
    let tainted = a[0].tainted || a[1].tainted;
    let mut m = Matcher::new(ev);
    let cb = StrBlock::new(subject, 0, true, kind == ListKind::Domain);
    let mut block = Block::Str(cb);
    let mut val = None;
    let r = m.check_list(list, Sep::Auto, &mut block, kind, false, &mut val);
    conclude(m, r, val, list, tainted)
}

fn conclude(
    m: Matcher,
    r: Result<R, Fatal>,
    val: Option<Vec<u8>>,
    list: &[u8],
    tainted: bool,
) -> Result<bool, Fatal> {
    let rc = r?;
    let msg = (rc == R::Defer).then(|| defer_message(list, &m));
    m.ev.value = to_value(val, tainted);
    m.finish(tainted);
    match msg {
        Some(msg) => Err(msg.into()),
        None => Ok(rc == R::Ok),
    }
}

pub fn match_domain(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    isinlist(ev, a, ListKind::Domain)
}

pub fn match_local_part(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    isinlist(ev, a, ListKind::LocalPart)
}

/// `match_address` (Exim's `match_address_list`, caseless, no expansion).
pub fn match_address(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    let subject = crate::eval::c_str(&a[0].bytes);
    let subject = &subject[..subject.len().min(BIG_BUFFER_SIZE)];
    let list = crate::eval::c_str(&a[1].bytes);
    let tainted = a[0].tainted || a[1].tainted;
    let val = ev.value.as_ref().map(|v| v.bytes.clone());
    let mut m = Matcher::new(ev);
    let mut block = Block::Addr(AddrBlock {
        orig: subject.to_vec(),
        address: subject.to_ascii_lowercase(),
        expand_setup: -1,
        caseless: true,
    });
    let mut val = val;
    let r = m.check_list(
        list,
        Sep::Auto,
        &mut block,
        ListKind::Address,
        false,
        &mut val,
    );
    conclude(m, r, val, list, tainted)
}

/// The list checks of the ACL conditions (`senders`, `sender_domains`,
/// `hosts`, ...): the ACL hands the list over unexpanded and it is
/// expanded here once, as Exim's `match_check_list` does ("failed to
/// expand ... while checking a list" is a DEFER); `$value` is left alone.
/// `Err` is a DEFER (or an error) with its message.
pub(crate) fn acl_check(
    ev: &mut Evaluator,
    kind: ListKind,
    subject: &[u8],
    list: &[u8],
) -> Result<bool, Fatal> {
    acl_check_data(ev, kind, subject, list).map(|(hit, _)| hit)
}

/// [`acl_check`], with the data of the item that matched (a lookup's
/// value: `$host_data` for the `hosts` condition).
pub(crate) fn acl_check_data(
    ev: &mut Evaluator,
    kind: ListKind,
    subject: &[u8],
    list: &[u8],
) -> Result<(bool, Option<Vec<u8>>), Fatal> {
    let saved = ev.value.clone();
    let subject = crate::eval::c_str(subject);
    let list = crate::eval::c_str(list);
    let mut m = Matcher::new(ev);
    let mut block = match kind {
        ListKind::Address => Block::Addr(AddrBlock {
            orig: subject.to_vec(),
            address: subject.to_ascii_lowercase(),
            expand_setup: -1,
            caseless: true,
        }),
        ListKind::Host => Block::Host(HostBlock {
            address: subject.to_vec(),
            ip_only: false,
            name: None,
        }),
        ListKind::Domain | ListKind::LocalPart => {
            Block::Str(StrBlock::new(subject, 0, true, kind == ListKind::Domain))
        }
    };
    let mut val = None;
    let r = m.check_list(list, Sep::Auto, &mut block, kind, true, &mut val);
    let data = val.clone();
    let r = conclude(m, r, val, list, false);
    ev.value = saved;
    r.map(|hit| (hit, data.filter(|_| hit)))
}

/// Exim's `verify_check_this_host` for a host whose name is known (an MX
/// host against an `ignore=` list): the list expanded once, `$value` left
/// alone; a deferral or an error is no match.
pub(crate) fn this_host_in_list(
    ev: &mut Evaluator,
    list: &[u8],
    name: &[u8],
    address: &[u8],
) -> bool {
    let saved = ev.value.clone();
    let list = crate::eval::c_str(list);
    let mut m = Matcher::new(ev);
    let mut block = Block::Host(HostBlock {
        address: address.to_vec(),
        ip_only: false,
        name: Some(name.to_vec()),
    });
    let mut val = None;
    let r = m.check_list(list, Sep::Auto, &mut block, ListKind::Host, true, &mut val);
    let r = conclude(m, r, val, list, false);
    ev.value = saved;
    matches!(r, Ok(true))
}

/// `match_ip`: a host list restricted to IP addresses.  Exim expands the
/// list (again) before scanning it.
pub fn match_ip(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    let subject = crate::eval::c_str(&a[0].bytes);
    if !subject.is_empty() && is_ip_address(subject) == 0 {
        return Err(crate::sys::msg(&[b"\"", subject, b"\" is not an IP address"]).into());
    }
    let list = crate::eval::c_str(&a[1].bytes);
    let tainted = a[0].tainted || a[1].tainted;
    let val = ev.value.as_ref().map(|v| v.bytes.clone());
    let mut m = Matcher::new(ev);
    let mut block = Block::Host(HostBlock {
        address: subject.to_vec(),
        ip_only: true,
        name: None,
    });
    let mut val = val;
    let r = m.check_list(list, Sep::Auto, &mut block, ListKind::Host, true, &mut val);
    conclude(m, r, val, list, tainted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    /// A context like the corpus's t0002 configuration.
    /// As `exim -C t0002.conf -be` runs: files may be read.
    fn t0002() -> Context {
        let mut ctx = Context::new();
        ctx.policy = crate::eval::Policy::permissive();
        ctx.policy.log_to_stderr = false;
        ctx.options
            .insert("primary_hostname".into(), "myhost.test.ex".into());
        let lists = [
            (ListKind::Domain, "dlist", r"*.aa.bb : ^\Nxxx(.*)"),
            (ListKind::Domain, "elist", "+dlist : ;;"),
            (
                ListKind::Domain,
                "flist",
                "<; a ; b;;c ; +elist ; 2001:630:212:8:204::b664 ;",
            ),
            (ListKind::Host, "hlist", "224.11.12.13 : 192.168.0.0/16"),
            (ListKind::Address, "alist", "a@b.c : *@x.y"),
            (ListKind::LocalPart, "llist", "postmaster : abuse : ^ab.*"),
        ];
        for (k, n, v) in lists {
            ctx.named_lists.insert((k, n.into()), v.into());
        }
        // The names these cases look up do not exist (as for the oracle).
        ctx.resolver = std::sync::Arc::new(crate::dns::ZoneResolver::new());
        ctx
    }

    fn run(cases: &[(&str, Result<&str, &str>)]) {
        let mut bad = Vec::new();
        for (expr, want) in cases {
            let got = match crate::expand(expr.as_bytes(), &mut t0002()) {
                Ok(v) => Ok(String::from_utf8_lossy(&v.bytes).into_owned()),
                Err(e) => Err(e.message_str()),
            };
            let want = want.map(str::to_string).map_err(str::to_string);
            if got != want {
                bad.push(format!("{expr}\n   got  {got:?}\n   want {want:?}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn list_lookups_obey_the_policy() {
        // The library's default policy refuses file reads, in lists too.
        let mut ctx = Context::new();
        let e = crate::expand(
            b"${if match_domain{a}{lsearch;/etc/hostname}{y}{n}}",
            &mut ctx,
        )
        .unwrap_err();
        assert!(
            e.message_str().contains("capability \"files\" not granted"),
            "{}",
            e.message_str()
        );
    }

    /// Expected values from Exim 4.96 with the t0002 configuration.
    #[test]
    fn oracle_cases() {
        run(&[
            (
                r#"${if match{ab}{(a)}{${if match_domain{x}{y}{}{[$1]}}}}"#,
                Ok("[]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_domain{x}{x}{[$0|$1]}{[$1]}}}}"#,
                Ok("[x|]"),
            ),
            (
                r#"${if match_domain{a.b.c}{*.c}{[$0|$1|$2]}}"#,
                Ok("[a.b.c|a.b|]"),
            ),
            (
                r#"${if match_domain{a.b.c}{^(a)\\.(b)}{[$0|$1|$2|$value]}}"#,
                Ok("[a.b.c|a|b|^(a)\\.(b)]"),
            ),
            (r#"${if match_domain{a.b.c}{*.c}{[$value]}}"#, Ok("[*.c]")),
            (
                r#"${if match_domain{a.b.c}{A.B.C}{[$value]}}"#,
                Ok("[A.B.C]"),
            ),
            (
                r#"${if match_domain{myhost.test.ex}{@}{[$value]}}"#,
                Ok("[myhost.test.ex]"),
            ),
            (r#"${if match_domain{x}{@mx_any}{y}{n}}"#, Ok("n")),
            (r#"${if match_domain{x}{@mx_primary}{y}{n}}"#, Ok("n")),
            (
                r#"${if match_domain{x}{@mx_secondary/ignore=1.2.3.4}{y}{n}}"#,
                Ok("n"),
            ),
            (r#"${if match_domain{x}{@mx_foo}{y}{n}}"#, Ok("n")),
            (r#"${if match_domain{@mx_foo}{@mx_foo}{y}{n}}"#, Ok("y")),
            (
                r#"${if match_domain{[127.0.0.1]}{@[]}{y:$value}{n}}"#,
                Ok("y:@[]"),
            ),
            (
                r#"${if match_domain{[::1]}{@[]}{y:$value}{n}}"#,
                Ok("y:@[]"),
            ),
            (r#"${if match_domain{[::1}{@[]}{y}{n}}"#, Ok("n")),
            (r#"${if match_domain{::1]}{@[]}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{::1}{<;@[]}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{<;@}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{!1.2.3.5}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{!1.2.3.4}{y}{n}}"#, Ok("n")),
            (
                r#"${if match_ip{ 1.2.3.4}{1.2.3.4}{y}{n}}"#,
                Err("\" 1.2.3.4\" is not an IP address"),
            ),
            (
                r#"${if match_ip{1.2.3.4%eth0}{1.2.3.4}{y}{n}}"#,
                Err("\"1.2.3.4%eth0\" is not an IP address"),
            ),
            (r#"${if match_ip{1.2.3.4}{1.2.3.4%x}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{1.2.3.4/-1}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{1.2.3.0/+24}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{01.2.3.4}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{1.2.3.4/24/}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{<; 1.2.3.4/24/8}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{::}{<; ::/0}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{<; ::/0}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{0.0.0.0/0}{y}{n}}"#, Ok("y")),
            (
                r#"${if match_ip{1.2.3.4}{1.2.3.4/99999999999999999999}{y}{n}}"#,
                Ok("y"),
            ),
            (
                r#"${if match_ip{1.2.3.4}{1.2.0.0/18446744073709551632}{y}{n}}"#,
                Ok("n"),
            ),
            (r#"${if match_ip{1.2.3.4}{9.9.9.9/}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{9.9.9.9/ 0}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{1.2.3.4/33}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{1.2.3:1.2.3.4}{y}{n}}"#, Ok("n")),
            (
                r#"${if match_ip{1.2.3.4}{+ignore_unknown:1.2.3:1.2.3.4}{y}{n}}"#,
                Ok("y"),
            ),
            (r#"${if match_ip{1.2.3.4}{!1.2.3}{y}{n}}"#, Ok("n")),
            (
                r#"${if match_ip{::ffff:1.2.3.4}{<; ::ffff:1.2.3.4}{y}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_ip{1.2.3.4}{<; ::ffff:1.2.3.4}{y}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_ip{1.2.3.4}{${if eq{a}{a}{1.2.3.4}}}{y}{n}}"#,
                Err("unable to complete match against \"${if eq{a\": NULL"),
            ),
            (r#"${if match_ip{1.2.3.4}{\\N1.2\\N.3.4}{y}{n}}"#, Ok("y")),
            (
                r#"${if match_ip{1.2.3.4}{${bogus}}{y}{n}}"#,
                Err("unable to complete match against \"${bogus\": NULL"),
            ),
            (
                r#"${if match_domain{a}{a}{${if match_ip{1.2.3.4}{1.2.3.4}{[$value]}}}}"#,
                Ok("[a]"),
            ),
            (
                r#"${if match_domain{a}{a}{${if match_ip{1.2.3.4}{5.2.3.4}{}{[$value]}}}}"#,
                Ok("[a]"),
            ),
            (
                r#"${if match_domain{a}{a}{${if match_domain{b}{c}{}{[$value]}}}}"#,
                Ok("[]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_ip{1.2.3.4}{1.2.3.4}{[$1]}}}}"#,
                Ok("[a]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{x@y}{x@y}{[$0|$1|$value]}}}}"#,
                Ok("[||x@y]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{x@y}{*@y}{[$0|$1|$value]}}}}"#,
                Ok("[||*@y]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{x@y}{z@y}{}{[$0|$1|$value]}}}}"#,
                Ok("[a|a|]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{x@y}{x@z}{}{[$0|$1|$value]}}}}"#,
                Ok("[||x@]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{x@a.y}{x@*.y}{[$0|$1|$value]}}}}"#,
                Ok("[||x@*.y]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{x@a.y}{x@^(.)\\.y}{[$0|$1|$value]}}}}"#,
                Ok("[||x@^(.)\\.y]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{xyz@a.y}{^(x)y}{[$0|$1|$value]}}}}"#,
                Ok("[||]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{xyz@a.y}{a.y}{[$0|$1|$value]}}}}"#,
                Ok("[||@a.y]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{xyz@a.y}{*yz@a.y}{[$0|$1|$value]}}}}"#,
                Ok("[||*yz@a.y]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{xyz@a.y}{+alist}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("n[||*@x@]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_address{xyz@x.y}{+alist}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("[||*@x@x.y]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_local_part{xyz}{*z}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("[xyz|xy|*z]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_local_part{xyz}{X(y)z}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("n[||]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_local_part{xYz}{^x(y)z}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("[xYz|Y|^x(y)z]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_local_part{xYz}{^(?-i)x(y)z}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("n[||]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_local_part{xYz}{+caseful:xyz}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("n[||]"),
            ),
            (
                r#"${if match{ab}{(a)}{${if match_local_part{xYz}{+caseful:xYz}{[$0|$1|$value]}{n[$0|$1|$value]}}}}"#,
                Ok("[xYz||xYz]"),
            ),
            (r#"${if match_local_part{xyz}{@}{y}{n}}"#, Ok("n")),
            (
                r#"${if match_local_part{myhost.test.ex}{@}{y}{n}}"#,
                Ok("n"),
            ),
            (r#"${if match_domain{MYhost.test.ex}{@}{y}{n}}"#, Ok("y")),
            (
                r#"${if match_address{x@myhost.test.ex}{x@@}{y:$value}{n}}"#,
                Ok("y:x@myhost.test.ex"),
            ),
            (
                r#"${if match_address{x@myhost.test.ex}{@}{y:$value}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_address{x@myhost.test.ex}{x@+dlist}{y:$value}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_address{x@a.aa.bb}{x@+dlist}{y:$value}{n}}"#,
                Ok("y:x@*.aa.bb"),
            ),
            (
                r#"${if match_address{x@a.aa.bb}{+dlist}{y:$value}{n}}"#,
                Err("unable to complete match against \"+dlist\": NULL"),
            ),
            (
                r#"${if match_address{x@a.aa.bb}{*@+dlist}{y:$value:$1}{n}}"#,
                Ok("y:*@*.aa.bb:"),
            ),
            (
                r#"${if match_domain{xxxabc}{+dlist}{y:$value:$1}{n}}"#,
                Ok("y:^xxx(.*):abc"),
            ),
            (
                r#"${if match_domain{xxxabc}{+elist}{y:$value:$1}{n}}"#,
                Ok("y:^xxx(.*):abc"),
            ),
            (
                r#"${if match_domain{a}{+nolist}{y:$value}{n}}"#,
                Err("unable to complete match against \"+nolist\": NULL"),
            ),
            (r#"${if match_domain{A.B.C}{*.c}{$0|$1}}"#, Ok("a.b.c|a.b")),
            (r#"${if match_domain{A.B.C}{^a(.)}{$0|$1}}"#, Ok("A.B.C|.")),
            (r#"${if match_domain{xyz}{^x}{$0|$1}}"#, Ok("xyz|")),
            (r#"${if match_domain{xyz}{^x(q)?}{$0|$1|$2}}"#, Ok("xyz||")),
            (
                r#"${if match_domain{xyz}{^x(q)?(y)}{$0|$1|$2}}"#,
                Ok("xyz||y"),
            ),
            (r#"${if match_address{}{}{y:$value}{n:$value}}"#, Ok("n:")),
            (r#"${if match_address{}{:}{y:$value}{n:$value}}"#, Ok("y:")),
            (
                r#"${if match_address{}{^\$}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{}{x@y}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{abc}{abc}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{abc}{^abc}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{ABC@X.Y}{+caseful:ABC@x.y}{y:$value}{n:$value}}"#,
                Ok("y:ABC@x.y"),
            ),
            (
                r#"${if match_address{ABC@X.Y}{+caseful:abc@x.y}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{ABC@X.Y}{+caseful:^ABC}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{ABC@X.Y}{^ABC@x}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{a@b@c}{a@b@c}{y:$value}{n:$value}}"#,
                Ok("y:a@b@c"),
            ),
            (
                r#"${if match_address{a@b@c}{*@c}{y:$value}{n:$value}}"#,
                Ok("y:*@c@c"),
            ),
            (
                r#"${if match_address{abcdef@x.y}{*f@x.y}{y:$value}{n:$value}}"#,
                Ok("y:*f@x.y@x.y"),
            ),
            (
                r#"${if match_address{abcdef@x.y}{*g@x.y}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{a@x.y}{*abc@x.y}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{a@x.y}{x@}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{a@x.y}{a@}{y:$value}{n:$value}}"#,
                Ok("n:a@"),
            ),
            (
                r#"${if match_address{a@x.y}{@@x.y}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{a@x.y}{@@a}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{a@myhost.test.ex}{*@@}{y:$value}{n:$value}}"#,
                Ok("y:*@myhost.test.ex"),
            ),
            (
                r#"${if match_address{a@[127.0.0.1]}{a@@[]}{y:$value}{n:$value}}"#,
                Ok("y:a@@[]"),
            ),
            (
                r#"${if match_address{a@x.y}{a@@mx_any}{y:$value}{n:$value}}"#,
                Ok("n:a@"),
            ),
            (
                r#"${if match_address{a@x.y}{!a@x.y}{y:$value}{n:$value}}"#,
                Ok("n:a@x.y"),
            ),
            (
                r#"${if match_address{a@x.y}{!b@x.y}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{a@x.y}{*@^x\\.}{y:$value}{n:$value}}"#,
                Ok("y:*@^x\\."),
            ),
            (
                r#"${if match_address{a@x.y}{*@*.y}{y:$value:$1}{n:$value}}"#,
                Ok("y:*@*.y:"),
            ),
            (
                r#"${if match_local_part{}{}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_local_part{}{:}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_domain{}{*}{y:$value:$0}{n:$value}}"#,
                Ok("y:*:"),
            ),
            (
                r#"${if match_domain{a}{ !a : b}{y:$value}{n:$value}}"#,
                Ok("n:a"),
            ),
            (
                r#"${if match_domain{c}{ !a : b}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_domain{c}{ !a : !b}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_domain{a}{<; a;b}{y:$value}{n:$value}}"#,
                Ok("y:a"),
            ),
            (
                r#"${if match_domain{a:b}{a::b}{y:$value}{n:$value}}"#,
                Ok("y:a:b"),
            ),
            (
                r#"${if match_ip{1.2.3.4}{<; 1.2.3.4 ; ::1}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_domain{a.aa.bb}{+dlist}{y:$value:$0:$1}{n:$value}}"#,
                Ok("y:*.aa.bb:a.aa.bb:a"),
            ),
            (
                r#"${if match_local_part{abuse}{+llist}{y:$value:$0:$1}{n:$value}}"#,
                Ok("y:abuse:abuse:"),
            ),
            (
                r#"${if match_local_part{ABx}{+llist}{y:$value:$0:$1}{n:$value}}"#,
                Ok("y:^ab.*:ABx:"),
            ),
            (
                r#"${if match_domain{a}{+llist}{y:$value:$0:$1}{n:$value}}"#,
                Err("unable to complete match against \"+llist\": NULL"),
            ),
            (
                r#"${if match_address{a@b.c}{+alist}{y:$value:$0:$1}{n:$value}}"#,
                Ok("y:a@b.c::"),
            ),
            (
                r#"${if match_address{A@B.C}{+alist}{y:$value:$0:$1}{n:$value}}"#,
                Ok("y:a@b.c::"),
            ),
            (
                r#"${if match_ip{1.2.3.4}{name.example}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (r#"${if match_ip{}{1.2.3.4}{y:$value}{n:$value}}"#, Ok("n:")),
            (r#"${if match_ip{}{*}{y:$value}{n:$value}}"#, Ok("y:")),
            (r#"${if match_ip{}{!*}{y:$value}{n:$value}}"#, Ok("n:")),
        ]);
    }

    /// More expected values from Exim 4.96 (t0002): case, empty items,
    /// negation, `+caseful`, odd masks.
    #[test]
    fn oracle_edge_cases() {
        run(&[
            (r#"${if match_domain{ÄB}{äb}{y}{n}}"#, Ok("n")),
            (r#"${if match_domain{AB}{^(?-i)ab}{y}{n}}"#, Ok("n")),
            (r#"${if match_domain{AB}{^(?-i)AB}{y:$0}{n}}"#, Ok("y:AB")),
            (
                r#"${if match_domain{abc}{^(a)(b)(c)(d)?(e)?(f)?(g)?(h)?(i)?(j)?(k)?(l)?(m)?(n)?(o)?(p)?(q)?(r)?(s)?(t)?(u)?(v)?}{y:$0:$1:$3:$20:$21}{n}}"#,
                Ok("y:abc:a:c::"),
            ),
            (
                r#"${if match_domain{abc}{*}{y:$0:$1:$value}{n}}"#,
                Ok("y:abc:abc:*"),
            ),
            (
                r#"${if match_domain{abc}{*ABC}{y:$0:$1:$value}{n}}"#,
                Ok("y:abc::*ABC"),
            ),
            (r#"${if match_domain{abc}{**}{y:$0:$1:$value}{n}}"#, Ok("n")),
            (r#"${if match_domain{}{}{y:$0:$1:$value}{n}}"#, Ok("n")),
            (r#"${if match_domain{}{:}{y:$0:$1:$value}{n}}"#, Ok("y:::")),
            (r#"${if match_domain{x}{ : }{y:$0:$1:$value}{n}}"#, Ok("n")),
            (
                r#"${if match_domain{x}{! }{y:$0:$1:$value}{n}}"#,
                Ok("y:::"),
            ),
            (r#"${if match_domain{x}{!}{y:$0:$1:$value}{n}}"#, Ok("y:::")),
            (
                r#"${if match_domain{x}{!:}{y:$0:$1:$value}{n}}"#,
                Ok("y:::"),
            ),
            (r#"${if match_domain{x}{<}{y:$0:$1:$value}{n}}"#, Ok("n")),
            (r#"${if match_domain{<}{<}{y:$0:$1:$value}{n}}"#, Ok("n")),
            (
                r#"${if match_domain{a b}{a b}{y:$0:$1:$value}{n}}"#,
                Ok("y:a b::a b"),
            ),
            (
                r#"${if match_local_part{A}{a}{y:$0:$1:$value}{n}}"#,
                Ok("y:a::a"),
            ),
            (
                r#"${if match_local_part{A}{+caseful:*a}{y:$0:$1:$value}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_local_part{A}{+caseful:*A}{y:$0:$1:$value}{n}}"#,
                Ok("y:A::*A"),
            ),
            (
                r#"${if match_local_part{aBc}{+caseful:^a(b)}{y:$0:$1:$value}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_local_part{aBc}{^a(b)}{y:$0:$1:$value}{n}}"#,
                Ok("y:aBc:B:^a(b)"),
            ),
            (
                r#"${if match_local_part{a}{+caseful}{y:$0:$1:$value}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_local_part{a}{!+caseful}{y:$0:$1:$value}{n}}"#,
                Err("unable to complete match against \"!+caseful\": NULL"),
            ),
            (
                r#"${if match_address{A@B}{+caseful:!A@b}{y:$value}{n:$value}}"#,
                Ok("n:A@b"),
            ),
            (
                r#"${if match_address{A@B}{+caseful:!a@b}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{a@b}{a@b:+caseful}{y:$value}{n:$value}}"#,
                Ok("y:a@b"),
            ),
            (
                r#"${if match_address{a@b}{^A@B}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{a@b}{^(?-i)A@B}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{A@B}{^(?-i)A@B}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{A@B}{+caseful:^(?-i)A@b}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{a@b}{@}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{a@b}{b}{y:$value}{n:$value}}"#,
                Ok("y:@b"),
            ),
            (
                r#"${if match_address{a@b}{*}{y:$value}{n:$value}}"#,
                Ok("y:@*"),
            ),
            (
                r#"${if match_address{a@b}{*@}{y:$value}{n:$value}}"#,
                Ok("n:*@"),
            ),
            (
                r#"${if match_address{a@b}{^}{y:$value}{n:$value}}"#,
                Ok("y:"),
            ),
            (
                r#"${if match_address{@b}{@b}{y:$value}{n:$value}}"#,
                Ok("y:@b"),
            ),
            (
                r#"${if match_address{a@}{a@}{y:$value}{n:$value}}"#,
                Ok("n:a@"),
            ),
            (
                r#"${if match_address{a@}{a@*}{y:$value}{n:$value}}"#,
                Ok("y:a@*"),
            ),
            (
                r#"${if match_address{a@b}{a@b@}{y:$value}{n:$value}}"#,
                Ok("n:"),
            ),
            (
                r#"${if match_address{a@b}{!a@c}{y:$value}{n:$value}}"#,
                Ok("y:a@"),
            ),
            (r#"${if match_ip{1.2.3.4}{ 1.2.3.4 }{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{1.2.3.4/32:!*}{y}{n}}"#, Ok("y")),
            (r#"${if match_ip{1.2.3.4}{!*}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{::ffff:1.2.3.4}{y}{n}}"#, Ok("n")),
            (
                r#"${if match_ip{::ffff:1.2.3.4}{1.2.3.0/24}{y}{n}}"#,
                Ok("y"),
            ),
            (
                r#"${if match_ip{::FFFF:1.2.3.4}{1.2.3.0/24}{y}{n}}"#,
                Ok("y"),
            ),
            (r#"${if match_ip{::1.2.3.4}{1.2.3.4}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{/}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{.}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{1.2.3.4/24%x}{y}{n}}"#, Ok("n")),
            (
                r#"${if match_ip{1:2:3:4:5:6:7:8}{<;1:2:3:4:5:6:7:8/127}{y}{n}}"#,
                Ok("y"),
            ),
            (
                r#"${if match_ip{1:2:3:4:5:6:7:9}{<;1:2:3:4:5:6:7:8/127}{y}{n}}"#,
                Ok("y"),
            ),
            (
                r#"${if match_ip{1:2:3:4:5:6:7:a}{<;1:2:3:4:5:6:7:8/127}{y}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_ip{1:2:3:4:5:6:7:8:9}{<;*}{y}{n}}"#,
                Err("\"1:2:3:4:5:6:7:8:9\" is not an IP address"),
            ),
            (r#"${if match_ip{1.2.3.4}{<;1.2.3.4;1.2.3}{y}{n}}"#, Ok("y")),
            (
                r#"${if match_ip{1.2.3.4}{+include_defer:1.2.3}{y}{n}}"#,
                Ok("n"),
            ),
            (
                r#"${if match_ip{1.2.3.4}{!+include_unknown:1.2.3}{y}{n}}"#,
                Err("unable to complete match against \"!+include_unknown:1.2.3\": NULL"),
            ),
            (
                r#"${if match_domain{a}{+}{y}{n}}"#,
                Err("unable to complete match against \"+\": NULL"),
            ),
            (
                r#"${if match_domain{a}{!+ nolist}{y}{n}}"#,
                Err("unable to complete match against \"!+ nolist\": NULL"),
            ),
            (r#"${if match_domain{a}{! a}{y}{n}}"#, Ok("n")),
            (r#"${if match_domain{a}{!!a}{y}{n}}"#, Ok("y")),
            (r#"${if match_domain{!a}{!!a}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{/}{y}{n}}"#, Ok("n")),
            (r#"${if match_ip{1.2.3.4}{!/}{y}{n}}"#, Ok("y")),
        ]);
    }

    /// Named host lists (the corpus's hlist has an iplsearch item instead
    /// of the network used here).
    #[test]
    fn named_host_lists() {
        run(&[
            (r"${if match_ip{224.11.12.13}{+hlist}{y}{n}}", Ok("y")),
            (r"${if match_ip{192.168.3.4}{+hlist}{y}{n}}", Ok("y")),
            (r"${if match_ip{224.11.12.14}{+hlist}{y}{n}}", Ok("n")),
            (r"${if match_ip{224.11.12.13}{!+hlist}{y}{n}}", Ok("n")),
            (
                r"${if match_ip{somename}{+hlist}}",
                Err("\"somename\" is not an IP address"),
            ),
        ]);
    }

    /// Issue 8.5: a list whose expansion used tainted data may not name a
    /// file (Exim 4.96 -be with `-f /tmp/t@y`: it logs "Tainted filename" and
    /// dies with this message).
    #[test]
    fn tainted_list_file_names_are_refused() {
        let dir = std::env::temp_dir().join(format!("ee-ml-taint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let list = dir.join("ip.list");
        std::fs::write(&list, "1.2.3.4\n").unwrap();
        let mut ctx = crate::testutil::permissive();
        let name = list.to_string_lossy().into_owned();
        ctx.vars
            .insert("t".into(), Value::tainted(name.clone().into_bytes()));
        ctx.vars
            .insert("u".into(), Value::new(name.clone().into_bytes()));
        let run = |ctx: &mut Context, src: &str| crate::testutil::expand_in(ctx, src);
        assert_eq!(
            run(&mut ctx, "${if match_ip{1.2.3.4}{$u}{y}{n}}"),
            Ok("y".into())
        );
        assert_eq!(
            run(&mut ctx, "${if match_ip{1.2.3.4}{$t}{y}{n}}"),
            Err(format!(
                "failed to open {name} when checking \"$t\": Permission denied{}",
                crate::sys::permission_ids()
            ))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Where Exim logs a panic and dies, the condition fails with the log
    /// message.
    #[test]
    fn fatal_errors() {
        run(&[
            (
                r"${if match_domain{zzz}{+flist}{y}{n}}",
                Err("unknown lookup type \"b\""),
            ),
            (
                r"${if match_domain{a}{foo;/x}{y}{n}}",
                Err("unknown lookup type \"foo\""),
            ),
            (
                r"${if match_ip{1.2.3.4}{net-foo;x}{y}{n}}",
                Err("unknown lookup type \"foo\""),
            ),
            (
                r"${if match_domain{a}{lsearch;/nonexistent/x}{y}{n}}",
                Err("failed to open /nonexistent/x for linear search: No such file or directory"),
            ),
            (
                r"${if match_domain{a}{/nonexistent/x}{y}{n}}",
                Err(
                    "failed to open /nonexistent/x when checking \"/nonexistent/x\": No such file or directory",
                ),
            ),
            (
                r"${if match_domain{xyz}{^x(}{y}{n}}",
                Err(
                    "regular expression error: missing closing parenthesis at offset 3 while compiling ^x(",
                ),
            ),
        ]);
    }

    /// Files named in lists (results checked against Exim with the same
    /// file contents).
    #[test]
    fn list_files() {
        let dir = std::env::temp_dir().join(format!("exim-expand-ml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dl = dir.join("dl");
        std::fs::write(&dl, "a.b.c # comment\n!x.y.z\n*.q\n").unwrap();
        let lp = dir.join("lp");
        std::fs::write(&lp, "foo#bar\n  jo # c\n!bad\n").unwrap();
        let ips = dir.join("ips");
        std::fs::write(&ips, "1.2.3.4\n!5.6.7.8\n").unwrap();
        let (dl, lp, ips) = (dl.display(), lp.display(), ips.display());
        let cases = [
            (
                format!("${{if match_domain{{A.B.C}}{{{dl}}}{{y:$value}}{{n:$value}}}}"),
                Ok("y:a.b.c"),
            ),
            (
                format!("${{if match_domain{{x.y.z}}{{{dl}}}{{y:$value}}{{n:$value}}}}"),
                Ok("n:x.y.z"),
            ),
            (
                format!("${{if match_domain{{p.q}}{{{dl}}}{{y:$value:$1}}{{n:$value}}}}"),
                Ok("y:*.q:p"),
            ),
            (
                format!("${{if match_domain{{zz}}{{{dl}}}{{y:$value}}{{n:$value}}}}"),
                Ok("n:"),
            ),
            (
                format!("${{if match_local_part{{foo#bar}}{{{lp}}}{{y:$value}}{{n:$value}}}}"),
                Ok("y:foo#bar"),
            ),
            (
                format!("${{if match_local_part{{jo}}{{{lp}}}{{y:$value}}{{n:$value}}}}"),
                Ok("y:jo"),
            ),
            (
                format!("${{if match_local_part{{other}}{{{lp}}}{{y:$value}}{{n:$value}}}}"),
                Ok("y:"),
            ),
            (
                format!("${{if match_ip{{5.6.7.8}}{{{ips}}}{{y:$value}}{{n:$value}}}}"),
                Ok("n:5.6.7.8"),
            ),
            (
                format!("${{if match_ip{{9.9.9.9}}{{{ips}}}{{y:$value}}{{n:$value}}}}"),
                Ok("y:"),
            ),
        ];
        let owned: Vec<(String, Result<&str, &str>)> = cases.into_iter().collect();
        let refs: Vec<(&str, Result<&str, &str>)> =
            owned.iter().map(|(e, w)| (e.as_str(), *w)).collect();
        run(&refs);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ip_syntax() {
        assert_eq!(is_ip_address(b"1.2.3.4"), 4);
        assert_eq!(is_ip_address(b"1.2.3.4%x"), 0);
        assert_eq!(is_ip_address(b"fe80::1%eth0"), 6);
        assert_eq!(is_ip_address(b"fe80::1%eth 0"), 0);
        assert_eq!(is_ip_address(b"1.2.3.4/24"), 0);
        assert_eq!(ip_with_mask(b"1.2.3.4/24"), Some((4, 7)));
        assert_eq!(ip_with_mask(b"1.2.3.4/"), Some((4, 7)));
        assert_eq!(ip_with_mask(b"1.2.3.4/-1"), None);
        assert_eq!(ip_with_mask(b"1.2.3.4/abc"), None);
        assert_eq!(ip_with_mask(b"::1/64"), Some((6, 3)));
        assert_eq!(masked_key(b"5.6.7.8", 24, "lsearch"), b"5.6.7.0/24");
        assert_eq!(
            masked_key(b"abcd::dcba", -1, "iplsearch"),
            b"abcd:0000:0000:0000:0000:0000:0000:dcba"
        );
    }

    /// Arbitrary input never panics.
    #[test]
    fn no_panics() {
        let subjects = [
            "", "a", "@", "a@", "@b", "a@b@c", "1.2.3.4", "::1", "[", "]", "*",
        ];
        let patterns = [
            "", "!", "*", "@", "@@", "@@x", "*@", "@[]", "@mx_any", "^", "x;", "/", "+", "!+",
            "a@@", "<;", "1.2.3.4/", "net-;", "net", "**@@",
        ];
        for cond in [
            "match_domain",
            "match_local_part",
            "match_address",
            "match_ip",
        ] {
            for s in subjects {
                for p in patterns {
                    let e = format!("${{if {cond}{{{s}}}{{{p}}}{{y}}{{n}}}}");
                    let _ = crate::expand(e.as_bytes(), &mut t0002());
                }
            }
        }
    }
}
