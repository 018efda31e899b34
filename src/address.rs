//! RFC 2822 addresses as Exim reads them, shared by the address
//! operators, SRS and message reading.
//!
//! [`AddressParser`] follows Exim's `parse_extract_address` (and its
//! helpers for comments, local parts, domains and source routes) closely,
//! including its leniencies: phrases with dots, quoted pairs in unquoted
//! local parts, source routes that are accepted and dropped, and the group
//! syntax `name: a, b;` when scanning header-style lists.

use crate::sys::{is_space, msg};

/// Configuration that changes how addresses are read (Exim main options).
#[derive(Debug, Clone, Copy, Default)]
pub struct AddressOptions {
    pub allow_domain_literals: bool,
    pub allow_utf8_domains: bool,
    pub strip_trailing_dot: bool,
    pub strip_excess_angle_brackets: bool,
}

/// A successfully extracted address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The operative address (comments and phrase removed).
    pub address: Vec<u8>,
    /// Offset of the domain in `address` (after the `@`), 0 if none.
    pub domain: usize,
}

/// Longest address Exim accepts (`EXIM_EMAILADDR_MAX`).
const EMAILADDR_MAX: usize = 256;

/// Exim's `mac_iscntrl_or_special`.
fn is_cntrl_or_special(c: u8) -> bool {
    c < 32 || b" ()<>@,;:\\\".[]\x7f".contains(&c)
}

/// The parser state: the input (a C string: reads past the end give 0),
/// the output buffer, and Exim's globals for comments and groups.
pub struct AddressParser<'a> {
    src: &'a [u8],
    out: Vec<u8>,
    last_comment: usize,
    pub allow_group: bool,
    pub found_group: bool,
    /// Accept `<>` (the null address of MAIL FROM).
    pub allow_null: bool,
    opts: AddressOptions,
}

impl<'a> AddressParser<'a> {
    pub fn new(opts: AddressOptions) -> AddressParser<'a> {
        AddressParser {
            src: b"",
            out: Vec::new(),
            last_comment: 0,
            allow_group: false,
            found_group: false,
            allow_null: false,
            opts,
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    fn out_at(&self, i: usize) -> u8 {
        self.out.get(i).copied().unwrap_or(0)
    }

    fn put(&mut self, i: usize, c: u8) {
        if i >= self.out.len() {
            self.out.resize(i + 1, 0);
        }
        self.out[i] = c;
    }

    /// Copies one input byte to the output, advancing both positions.
    fn copy(&mut self, s: &mut usize, t: &mut usize) {
        let c = self.at(*s);
        self.put(*t, c);
        *s += 1;
        *t += 1;
    }

    /// The NUL-terminated output string starting at `t`.
    fn out_str(&self, t: usize) -> &[u8] {
        let tail = self.out.get(t..).unwrap_or(&[]);
        let n = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
        &tail[..n]
    }

    /// Skips white space and (nested) comments.
    fn skip_comment(&mut self, mut s: usize) -> usize {
        self.last_comment = s;
        while self.at(s) != 0 {
            while is_space(self.at(s)) {
                s += 1;
            }
            if self.at(s) != b'(' {
                break;
            }
            let mut level = 1;
            loop {
                s += 1;
                let c = self.at(s);
                if c == 0 {
                    break;
                }
                if c == b'(' {
                    level += 1;
                } else if c == b')' {
                    level -= 1;
                    if level <= 0 {
                        s += 1;
                        break;
                    }
                } else if c == b'\\' && self.at(s + 1) != 0 {
                    s += 1;
                }
            }
        }
        s
    }

    /// Reads a domain (or domain literal) into the output at `t`; on error
    /// the output there is empty.
    fn read_domain(
        &mut self,
        s: usize,
        mut t: usize,
        msg_id_literals: bool,
    ) -> (usize, Option<Vec<u8>>) {
        let tt = t;
        let mut s = self.skip_comment(s);
        let mut error = None;
        if self.at(s) == b'[' {
            self.copy(&mut s, &mut t);
            let prefix: Vec<u8> = (0..5).map(|i| self.at(s + i)).collect();
            if prefix.eq_ignore_ascii_case(b"IPv6:") || prefix.eq_ignore_ascii_case(b"IPv4:") {
                for _ in 0..5 {
                    self.copy(&mut s, &mut t);
                }
            }
            loop {
                let c = self.at(s);
                let ok = if msg_id_literals {
                    (33..=90).contains(&c) || (94..=126).contains(&c)
                } else {
                    c == b'.' || c == b':' || c.is_ascii_hexdigit()
                };
                if !ok {
                    break;
                }
                self.copy(&mut s, &mut t);
            }
            if self.at(s) == b']' {
                self.copy(&mut s, &mut t);
            } else {
                error = Some(b"malformed domain literal".to_vec());
                self.put(tt, 0);
            }
            if !self.opts.allow_domain_literals && !msg_id_literals {
                error = Some(b"domain literals not allowed".to_vec());
                self.put(tt, 0);
            }
            self.put(t, 0);
            return (self.skip_comment(s), error);
        }
        loop {
            let tsave = t;
            if self.at(s) != b'-' {
                if !self.opts.allow_utf8_domains {
                    while self.at(s).is_ascii_alphanumeric() || self.at(s) == b'-' {
                        self.copy(&mut s, &mut t);
                    }
                } else {
                    loop {
                        let c = self.at(s);
                        if c.is_ascii_alphanumeric() || c == b'-' {
                            self.copy(&mut s, &mut t);
                            continue;
                        }
                        if c & 0xc0 != 0xc0 {
                            break;
                        }
                        let mut d = u32::from(c) << 2;
                        let mut extra = 1;
                        while extra < 6 && d & 0x80 != 0 {
                            d <<= 1;
                            extra += 1;
                        }
                        let bad = |p: &mut Self| {
                            p.put(tt, 0);
                            Some(b"invalid UTF-8 byte sequence".to_vec())
                        };
                        if extra == 6 {
                            return (s, bad(self));
                        }
                        self.copy(&mut s, &mut t);
                        for _ in 0..extra {
                            if self.at(s) & 0xc0 != 0x80 {
                                return (s, bad(self));
                            }
                            self.copy(&mut s, &mut t);
                        }
                    }
                }
            }
            s = self.skip_comment(s);
            self.put(t, 0);
            if t == tsave {
                if self.opts.strip_trailing_dot && t > tt && self.at(s) != b'.' {
                    self.put(t - 1, 0);
                } else {
                    error = Some(b"domain missing or malformed".to_vec());
                    self.put(tt, 0);
                }
                return (s, error);
            }
            if self.at(s) != b'.' {
                break;
            }
            self.copy(&mut s, &mut t);
            s = self.skip_comment(s);
        }
        (s, None)
    }

    /// Reads a dot-separated local part (quoted strings and atoms with
    /// quoted pairs) into the output at `t`.
    fn read_local_part(
        &mut self,
        s: usize,
        mut t: usize,
        allow_null: bool,
    ) -> (usize, Option<Vec<u8>>) {
        let tt = t;
        let mut s = s;
        loop {
            let tsave = t;
            s = self.skip_comment(s);
            if self.at(s) == b'"' {
                self.put(t, b'"');
                t += 1;
                let mut c;
                loop {
                    s += 1;
                    c = self.at(s);
                    if c == 0 || c == b'"' {
                        break;
                    }
                    self.put(t, c);
                    t += 1;
                    if c == b'\\' && self.at(s + 1) != 0 {
                        s += 1;
                        let q = self.at(s);
                        self.put(t, q);
                        t += 1;
                    }
                }
                if c == b'"' {
                    s += 1;
                    self.put(t, b'"');
                    t += 1;
                } else {
                    return (s, Some(b"unmatched doublequote in local part".to_vec()));
                }
            } else {
                while !is_cntrl_or_special(self.at(s)) || self.at(s) == b'\\' {
                    let c = self.at(s);
                    self.copy(&mut s, &mut t);
                    if c == b'\\' && self.at(s) != 0 {
                        self.copy(&mut s, &mut t);
                    }
                }
            }
            self.put(t, 0);
            s = self.skip_comment(s);
            if t == tsave && self.at(s) != b'.' {
                let error =
                    (t == tt && !allow_null).then(|| b"missing or malformed local part".to_vec());
                return (s, error);
            }
            if self.at(s) != b'.' {
                break;
            }
            loop {
                self.copy(&mut s, &mut t);
                if self.at(s) != b'.' {
                    break;
                }
            }
        }
        (s, None)
    }

    /// Reads (and keeps in the output, for the caller to discard) a source
    /// route `@a,@b:`.
    fn read_route(&mut self, mut s: usize, mut t: usize) -> (usize, Option<Vec<u8>>) {
        let mut commas = false;
        let mut error = None;
        while self.at(s) == b'@' {
            self.put(t, b'@');
            t += 1;
            let (s2, e) = self.read_domain(s + 1, t, false);
            s = s2;
            if e.is_some() {
                error = e;
            }
            if self.out_at(t) == 0 {
                return (s, error);
            }
            t += self.out_str(t).len();
            if self.at(s) != b',' {
                break;
            }
            self.copy(&mut s, &mut t);
            commas = true;
            s = self.skip_comment(s);
        }
        if self.at(s) == b':' {
            self.copy(&mut s, &mut t);
        } else {
            error = Some(if commas {
                b"colon expected after route list".to_vec()
            } else {
                b"no local part".to_vec()
            });
        }
        self.put(t, 0);
        (self.skip_comment(s), error)
    }

    /// Reads `local-part[@domain]` up to `term`; returns the domain offset
    /// in the output when there is one.
    fn read_addr_spec(
        &mut self,
        s: usize,
        mut t: usize,
        term: u8,
    ) -> (usize, Option<Vec<u8>>, Option<usize>) {
        let (mut s, error) = self.read_local_part(s, t, false);
        if error.is_some() || self.at(s) == term {
            return (s, error, None);
        }
        if self.at(s) != b'@' {
            let e = msg(&[b"\"@\" or \".\" expected after \"", self.out_str(t), b"\""]);
            return (s, Some(e), None);
        }
        t += self.out_str(t).len();
        self.copy(&mut s, &mut t);
        let (s, error) = self.read_domain(s, t, false);
        (s, error, Some(t))
    }

    /// `malformed address: X may not follow Y` (X at most 32 bytes).
    fn malformed(&self, at: usize) -> Vec<u8> {
        let rest = self.src.get(at..).unwrap_or(&[]);
        let rest = &rest[..rest.len().min(32)];
        let before = &self.src[..at.min(self.src.len())];
        msg(&[b"malformed address: ", rest, b" may not follow ", before])
    }

    /// Exim's `parse_extract_address` (`allow_null` false): the operative
    /// address of a mailbox such as `Name <local@domain> (comment)`.
    pub fn extract(&mut self, mailbox: &'a [u8]) -> Result<Extracted, Vec<u8>> {
        self.src = mailbox;
        self.out = vec![0; mailbox.len() + 1];
        self.last_comment = 0;
        let mut s = 0;
        let r = self.extract_inner(&mut s);
        if r.is_err() && self.found_group && self.at(s) == b';' {
            self.found_group = false;
            self.allow_group = true;
        }
        r
    }

    fn extract_inner(&mut self, sp: &mut usize) -> Result<Extracted, Vec<u8>> {
        let domain;
        let mut startptr;
        let endptr;
        loop {
            let s = self.skip_comment(*sp);
            startptr = s;
            let (s, e) = self.read_local_part(s, 0, true);
            *sp = s;
            if let Some(e) = e {
                return Err(e);
            }
            let c = self.at(*sp);
            if c == b'@' || c == b'<' {
                break;
            }
            if c == 0 || c == b';' {
                if self.out_at(0) == 0 {
                    return Err(b"empty address".to_vec());
                }
                return self.finish(*sp, startptr, self.last_comment, 0);
            }
            while self.at(*sp) != b'<' && (!self.allow_group || self.at(*sp) != b':') {
                let (s, e) = self.read_local_part(*sp, 0, false);
                *sp = s;
                if let Some(e) = e {
                    return Err(msg(&[&e, b" (expected word or \"<\")"]));
                }
            }
            if self.at(*sp) == b':' {
                self.found_group = true;
                self.allow_group = false;
                *sp += 1;
                continue;
            }
            break;
        }
        if self.at(*sp) == b'<' {
            let mut source_routed = false;
            let mut bracket_count = 1;
            *sp += 1;
            if self.opts.strip_excess_angle_brackets {
                while self.at(*sp) == b'<' {
                    if bracket_count > 5 {
                        return Err(b"angle-brackets nested too deep".to_vec());
                    }
                    bracket_count += 1;
                    *sp += 1;
                }
            }
            startptr = *sp;
            *sp = self.skip_comment(*sp);
            if self.at(*sp) == b'@' {
                let (s, e) = self.read_route(*sp, 0);
                *sp = s;
                if let Some(e) = e {
                    return Err(e);
                }
                self.put(0, 0);
                source_routed = true;
            }
            if self.allow_null && !source_routed && self.at(*sp) == b'>' {
                self.put(0, 0);
                domain = 0;
            } else {
                let (s, e, dp) = self.read_addr_spec(*sp, 0, b'>');
                *sp = s;
                if let Some(e) = e {
                    return Err(e);
                }
                domain = dp.unwrap_or(0);
            }
            if source_routed && domain == 0 {
                return Err(b"domain missing in source-routed address".to_vec());
            }
            let end = *sp;
            for _ in 0..bracket_count {
                let c = self.at(*sp);
                *sp += 1;
                if c != b'>' {
                    return Err(if c == 0 {
                        b"'>' missing at end of address".to_vec()
                    } else {
                        self.malformed(*sp - 1)
                    });
                }
            }
            *sp = self.skip_comment(*sp);
            endptr = end;
        } else if self.out_at(0) == 0 {
            let (s, e) = self.read_route(*sp, 0);
            *sp = s;
            if let Some(e) = e {
                return Err(e);
            }
            self.put(0, 0);
            let (s, e, dp) = self.read_addr_spec(*sp, 0, 0);
            *sp = s;
            if let Some(e) = e {
                return Err(e);
            }
            domain = dp.unwrap_or(0);
            endptr = self.last_comment;
            if domain == 0 {
                return Err(b"domain missing in source-routed address".to_vec());
            }
        } else {
            let mut t = self.out_str(0).len();
            self.copy(sp, &mut t);
            domain = t;
            let (s, e) = self.read_domain(*sp, t, true);
            *sp = s;
            if self.out_at(t) == 0 {
                return Err(e.unwrap_or_default());
            }
            endptr = self.last_comment;
        }
        self.finish(*sp, startptr, endptr, domain)
    }

    /// The common success path: trailing text, the group terminator, the
    /// length limit.
    fn finish(
        &mut self,
        s: usize,
        startptr: usize,
        mut endptr: usize,
        domain: usize,
    ) -> Result<Extracted, Vec<u8>> {
        if self.at(s) != 0 {
            if self.found_group && self.at(s) == b';' {
                self.found_group = false;
                self.allow_group = true;
            } else {
                return Err(self.malformed(s));
            }
        }
        while endptr > 0 && is_space(self.at(endptr - 1)) {
            endptr -= 1;
        }
        let address = self.out_str(0).to_vec();
        if endptr.saturating_sub(startptr) > EMAILADDR_MAX {
            let head = &address[..address.len().min(64)];
            return Err(msg(&[b"address is ridiculously long: ", head, b"..."]));
        }
        Ok(Extracted { address, domain })
    }
}

/// Exim's `parse_find_address_end` (newlines not special): the index of
/// the comma (or end) that ends the address starting at `s[0]`.
pub fn find_address_end(s: &[u8]) -> usize {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut source_routing = at(0) == b'@';
    let mut no_term: i32 = i32::from(source_routing);
    let mut p = 0;
    while at(p) != 0 && (at(p) != b',' || no_term > 0) {
        let c = at(p);
        if c == b'\\' && at(p + 1) != 0 {
            p += 2;
        } else if c == b'"' {
            loop {
                p += 1;
                let c = at(p);
                if c == 0 {
                    break;
                }
                if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                } else if c == b'"' {
                    p += 1;
                    break;
                }
            }
        } else if c == b'(' {
            let mut level = 1;
            loop {
                p += 1;
                let c = at(p);
                if c == 0 {
                    break;
                }
                if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                } else if c == b'(' {
                    level += 1;
                } else if c == b')' {
                    level -= 1;
                    if level <= 0 {
                        p += 1;
                        break;
                    }
                }
            }
        } else {
            if c == b'<' {
                source_routing = at(p + 1) == b'@';
                no_term = if source_routing { 2 } else { 1 };
            } else if c == b'>' || (source_routing && c == b':') {
                no_term -= 1;
            }
            p += 1;
        }
    }
    p.min(s.len())
}

/// The addresses of a header-style list (groups allowed), in order;
/// items that do not parse are dropped.
pub fn header_addresses(list: &[u8], opts: AddressOptions) -> Vec<Vec<u8>> {
    let mut parser = AddressParser::new(opts);
    parser.allow_group = true;
    let mut out = Vec::new();
    let mut s = 0;
    loop {
        let rest = &list[s.min(list.len())..];
        let end = find_address_end(rest);
        if let Ok(e) = parser.extract(&rest[..end]) {
            out.push(e.address);
        }
        if end >= rest.len() {
            break;
        }
        s += end + 1;
    }
    out
}
