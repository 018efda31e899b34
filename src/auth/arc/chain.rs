//! The ARC header fields read as Exim's arc.c reads them
//! (`arc_parse_line`, `arc_insert_hdr`, `arc_try_header`): the tags it
//! knows noted, duplicates refused, each field put into the set of its
//! `i=` instance.

/// The three ARC header names, as `arc_try_header` compares them (case
/// ignored, the colon included).
pub(super) const AAR: &[u8] = b"ARC-Authentication-Results:";
pub(super) const AMS: &[u8] = b"ARC-Message-Signature:";
pub(super) const AS: &[u8] = b"ARC-Seal:";

/// The highest instance accepted (`arc_insert_hdr`).
pub(super) const MAX_INSTANCE: u32 = 50;

/// One ARC header field and the tags found in it.  A tag that is
/// present but empty is `Some` of nothing, as Exim's blobs tell them
/// apart.
#[derive(Debug, Clone, Default)]
pub(super) struct Line {
    /// The field as the message holds it, name to final newline.
    pub complete: Vec<u8>,
    pub i: Option<Vec<u8>>,
    pub cv: Option<Vec<u8>>,
    pub a: Option<Vec<u8>>,
    pub b: Option<Vec<u8>>,
    pub bh: Option<Vec<u8>>,
    pub d: Option<Vec<u8>>,
    pub h: Option<Vec<u8>>,
    pub s: Option<Vec<u8>>,
    pub c: Option<Vec<u8>>,
    pub l: Option<Vec<u8>>,
    /// What follows the `-` of `a=`.
    pub a_hash: Option<Vec<u8>>,
    /// The header canonicalization part of `c=` as Exim measures it.
    pub c_head: Vec<u8>,
    /// The field with the value of `b=` left out.
    pub no_b: Vec<u8>,
}

impl Line {
    /// The `i=` value as `atoi` reads it (0 when absent or empty).
    pub fn instance(&self) -> u32 {
        match &self.i {
            Some(v) if !v.is_empty() => crate::cnum::atoi(v) as u32,
            _ => 0,
        }
    }

    /// Whether `cv=` matches `word` as `arc_cv_match` compares (the
    /// value a prefix of the word, so an absent `cv=` matches any).
    pub fn cv_is(&self, word: &[u8]) -> bool {
        let cv = self.cv.as_deref().unwrap_or_default();
        word.starts_with(cv)
    }

    /// Whether the header canonicalization is `relaxed` (`c=` absent
    /// means `simple`).
    pub fn relaxed_headers(&self) -> bool {
        b"relaxed".starts_with(&self.c_head)
    }
}

/// The three fields of one instance.
#[derive(Debug, Clone, Default)]
pub(super) struct Set {
    pub instance: u32,
    pub aar: Option<Line>,
    pub ams: Option<Line>,
    pub seal: Option<Line>,
}

/// Which of the three a header field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Aar,
    Ams,
    Seal,
}

impl Kind {
    /// The kind of the field `h`, by its name.
    pub fn of(h: &[u8]) -> Option<Kind> {
        let is = |name: &[u8]| h.len() >= name.len() && h[..name.len()].eq_ignore_ascii_case(name);
        if is(AAR) {
            Some(Kind::Aar)
        } else if is(AMS) {
            Some(Kind::Ams)
        } else if is(AS) {
            Some(Kind::Seal)
        } else {
            None
        }
    }

    fn name_len(self) -> usize {
        match self {
            Kind::Aar => AAR.len(),
            Kind::Ams => AMS.len(),
            Kind::Seal => AS.len(),
        }
    }

    /// Exim's word for the kind in `inserting ...` reasons.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Aar => "AAR",
            Kind::Ams => "AMS",
            Kind::Seal => "AS",
        }
    }

    fn slot(self, set: &mut Set) -> &mut Option<Line> {
        match self {
            Kind::Aar => &mut set.aar,
            Kind::Ams => &mut set.ams,
            Kind::Seal => &mut set.seal,
        }
    }
}

/// The sets in increasing instance order.
#[derive(Debug, Clone, Default)]
pub(super) struct Chain {
    pub sets: Vec<Set>,
}

impl Chain {
    /// Puts the field `h` of `kind` in its set (`arc_insert_hdr`); the
    /// error is Exim's debug word.  `instance_only` reads only `i=`, as
    /// the AAR always and every field when signing.
    pub fn insert(
        &mut self,
        kind: Kind,
        h: &[u8],
        instance_only: bool,
    ) -> Result<(), &'static str> {
        let mut line = parse_line(h, kind.name_len(), instance_only).map_err(|_| "line parse")?;
        if kind == Kind::Ams && line.c.is_none() {
            line.c_head = b"simple".to_vec();
        }
        let i = line.instance();
        if i == 0 {
            return Err("instance find");
        }
        if i > MAX_INSTANCE {
            return Err("overlarge instance number");
        }
        let set = self.find_set(i);
        let slot = kind.slot(set);
        if slot.is_some() {
            return Err("dup hdr");
        }
        *slot = Some(line);
        Ok(())
    }

    /// The set of instance `i`, made if new (`arc_find_set`).
    fn find_set(&mut self, i: u32) -> &mut Set {
        let at = self.sets.partition_point(|s| s.instance < i);
        if self.sets.get(at).is_none_or(|s| s.instance != i) {
            self.sets.insert(
                at,
                Set {
                    instance: i,
                    ..Set::default()
                },
            );
        }
        &mut self.sets[at]
    }
}

/// Exim's FWS for skipping: space, tab, CR, LF.
fn is_fws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The reading position in a field, Exim's NUL standing for the end.
struct Cursor<'a> {
    t: &'a [u8],
    p: usize,
}

impl Cursor<'_> {
    fn at(&self, p: usize) -> u8 {
        self.t.get(p).copied().unwrap_or(0)
    }
    fn cur(&self) -> u8 {
        self.at(self.p)
    }
    fn skip_fws(&mut self) {
        while is_fws(self.cur()) {
            self.p += 1;
        }
    }
    /// From the `=` at the cursor: the value up to `;` with FWS around it
    /// dropped; the cursor left on the `;` or the end.
    fn tag_value(&mut self) -> Vec<u8> {
        self.p += 1;
        self.skip_fws();
        let start = self.p;
        while !matches!(self.cur(), 0 | b';') {
            self.p += 1;
        }
        let mut end = self.p;
        while end > start && is_fws(self.t[end - 1]) {
            end -= 1;
        }
        self.t[start..end].to_vec()
    }
    /// From the `=` at the cursor: the value up to `;` with all FWS
    /// taken out (`b=`, `bh=`).
    fn stripped_value(&mut self) -> Vec<u8> {
        let mut v = Vec::new();
        loop {
            self.p += 1;
            match self.cur() {
                0 | b';' => return v,
                c if is_fws(c) => {}
                c => v.push(c),
            }
        }
    }
}

/// Sets `slot` to the value at the cursor; a second one is an error.
fn take(
    slot: &mut Option<Vec<u8>>,
    cur: &mut Cursor,
    dup: &'static str,
) -> Result<(), &'static str> {
    if slot.is_some() {
        return Err(dup);
    }
    *slot = Some(cur.tag_value());
    Ok(())
}

/// Reads the tags of the field `h`, whose name takes `off` bytes
/// (`arc_parse_line`); the error is Exim's debug text.
pub(super) fn parse_line(h: &[u8], off: usize, instance_only: bool) -> Result<Line, &'static str> {
    // Exim's fields are C strings.
    let text = &h[..h.iter().position(|&c| c == 0).unwrap_or(h.len())];
    let mut al = Line {
        complete: h.to_vec(),
        no_b: text[..off.min(text.len())].to_vec(),
        ..Line::default()
    };
    let mut cur = Cursor { t: text, p: off };
    while cur.cur() != 0 {
        let field_start = cur.p;
        cur.skip_fws();
        if cur.cur() == 0 {
            break;
        }
        let tag = cur.cur();
        cur.p += 1;
        cur.skip_fws();
        if cur.cur() == 0 {
            break;
        }
        let mut b_span = None;
        if !instance_only || tag == b'i' {
            match tag {
                b'i' if instance_only => {
                    if cur.cur() != b'=' {
                        return Err("i tag val");
                    }
                    take(&mut al.i, &mut cur, "i tag dup")?;
                    return Ok(al);
                }
                b'b' => b_span = b_tags(&mut al, &mut cur)?,
                b'c' => c_tags(&mut al, &mut cur)?,
                _ => simple_tag(&mut al, tag, &mut cur)?,
            }
        }
        while !matches!(cur.cur(), 0 | b';') {
            cur.p += 1;
        }
        if cur.cur() == b';' {
            cur.p += 1;
        }
        match b_span {
            _ if instance_only => {}
            Some((b_start, b_end)) => {
                al.no_b.extend_from_slice(&text[field_start..b_start]);
                al.no_b.extend_from_slice(&text[b_end..cur.p]);
            }
            None => al.no_b.extend_from_slice(&text[field_start..cur.p]),
        }
    }
    Ok(al)
}

/// `a=`, `d=`, `h=`, `i=`, `l=`, `s=`; other tags are passed over.
fn simple_tag(al: &mut Line, tag: u8, cur: &mut Cursor) -> Result<(), &'static str> {
    let (slot, val, dup) = match tag {
        b'a' => (&mut al.a, "no 'a' value", "a tag dup"),
        b'd' => (&mut al.d, "d tag val", "d tag dup"),
        b'h' => (&mut al.h, "h tag val", "h tag dup"),
        b'i' => (&mut al.i, "i tag val", "i tag dup"),
        b'l' => (&mut al.l, "l tag val", "l tag dup"),
        b's' => (&mut al.s, "s tag val", "s tag dup"),
        _ => return Ok(()),
    };
    if cur.cur() != b'=' {
        return Err(val);
    }
    take(slot, cur, dup)?;
    if tag == b'a' {
        let a = al.a.as_deref().unwrap_or_default();
        let dash = a
            .iter()
            .position(|&c| c == b'-')
            .ok_or("no '-' in 'a' value")?;
        al.a_hash = Some(a[dash + 1..].to_vec());
    }
    Ok(())
}

/// `b=` (its span returned, to be left out of the copy) or `bh=`.
fn b_tags(al: &mut Line, cur: &mut Cursor) -> Result<Option<(usize, usize)>, &'static str> {
    match cur.cur() {
        b'=' => {
            if al.b.is_some() {
                return Err("already b data");
            }
            let start = cur.p + 1;
            let v = cur.stripped_value();
            if v.is_empty() {
                return Err("no b= value");
            }
            al.b = Some(v);
            Ok(Some((start, cur.p)))
        }
        b'h' => {
            cur.p += 1;
            cur.skip_fws();
            if cur.cur() != b'=' {
                return Err("no bh value");
            }
            if al.bh.is_some() {
                return Err("already bh data");
            }
            let v = cur.stripped_value();
            if v.is_empty() {
                return Err("no bh= value");
            }
            al.bh = Some(v);
            Ok(None)
        }
        _ => Err("b? tag"),
    }
}

/// `c=` or `cv=`.
fn c_tags(al: &mut Line, cur: &mut Cursor) -> Result<(), &'static str> {
    match cur.cur() {
        b'=' => {
            take(&mut al.c, cur, "c tag dup")?;
            al.c_head = c_head(
                al.c.as_deref().unwrap_or_default(),
                al.a.as_ref().map_or(0, Vec::len),
            );
            Ok(())
        }
        b'v' => {
            cur.p += 1;
            if cur.cur() != b'=' {
                return Err("cv tag val");
            }
            take(&mut al.cv, cur, "cv tag dup")
        }
        _ => Err("c? tag"),
    }
}

/// The leading letters of `c=`, counted as arc.c counts them: bounded
/// by one more than the length of the `a=` value seen so far.
fn c_head(c: &[u8], a_len: usize) -> Vec<u8> {
    let letters = c.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    c[..letters.min(a_len + 1)].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case<'a> = (&'a str, bool, Result<(&'a str, &'a str), &'a str>);

    /// `(field, instance_only, Ok((i=, value without b=)) | Err(why))`.
    const CASES: &[Case] = &[
        (
            "ARC-Seal: i=1; cv=none; a=rsa-sha256; d=x; s=y; b=ab c\n\td;\n",
            false,
            Ok(("1", "ARC-Seal: i=1; cv=none; a=rsa-sha256; d=x; s=y; b=;")),
        ),
        (
            "ARC-Seal: i=2; b=abc\n",
            false,
            Ok(("2", "ARC-Seal: i=2; b=")),
        ),
        ("ARC-Seal: i=1; i=2", false, Err("i tag dup")),
        ("ARC-Seal: i=1; b=", false, Err("no b= value")),
        ("ARC-Seal: i=1; bx=1", false, Err("b? tag")),
        ("ARC-Seal: i=1; cx=1", false, Err("c? tag")),
        (
            "ARC-Seal: i=1; c v=1",
            false,
            Ok(("1", "ARC-Seal: i=1; c v=1")),
        ),
        ("ARC-Seal: i=1; cv =1", false, Err("cv tag val")),
        ("ARC-Seal: i=1; a=rsa", false, Err("no '-' in 'a' value")),
        ("ARC-Seal: i=1; arc=pass", false, Err("no 'a' value")),
        (
            "ARC-Seal: i=1; x=whatever; t=1",
            false,
            Ok(("1", "ARC-Seal: i=1; x=whatever; t=1")),
        ),
        ("ARC-Seal: a=x; i=3; b b=", true, Ok(("3", "ARC-Seal:"))),
        ("ARC-Seal: i =  7 ;", false, Ok(("7", "ARC-Seal: i =  7 ;"))),
        // A C string: the NUL ends the field.
        ("ARC-Seal: i=4; \0d=x", false, Ok(("4", "ARC-Seal: i=4;"))),
    ];

    #[test]
    fn reads_fields_as_arc_c() {
        for (h, only, want) in CASES {
            let got = parse_line(h.as_bytes(), 9, *only).map(|l| {
                (
                    String::from_utf8_lossy(&l.i.unwrap_or_default()).into_owned(),
                    String::from_utf8_lossy(&l.no_b).into_owned(),
                )
            });
            let want = want.map(|(i, n)| (i.to_string(), n.to_string()));
            assert_eq!(got, want, "{h:?}");
        }
    }

    #[test]
    fn measures_c_as_arc_c() {
        let cases: &[(&str, &str, bool)] = &[
            ("ARC-Seal: a=rsa-sha256; c=relaxed/simple", "relaxed", true),
            ("ARC-Seal: a=rsa-sha256; c=simple", "simple", false),
            // c= before a=: one letter is all arc.c looks at.
            ("ARC-Seal: c=simple; a=rsa-sha256", "s", false),
            ("ARC-Seal: c=rxyz; a=rsa-sha256", "r", true),
        ];
        for (h, head, relaxed) in cases {
            let l = parse_line(h.as_bytes(), 9, false).unwrap();
            assert_eq!(
                (&l.c_head[..], l.relaxed_headers()),
                (head.as_bytes(), *relaxed),
                "{h}"
            );
        }
    }

    #[test]
    fn matches_cv_as_arc_c() {
        let l = |cv: &str| parse_line(format!("ARC-Seal: {cv}").as_bytes(), 9, false).unwrap();
        assert!(l("cv=none").cv_is(b"none"));
        assert!(l("cv=no").cv_is(b"none"));
        assert!(l("i=1").cv_is(b"fail"));
        assert!(!l("cv=nonesuch").cv_is(b"none"));
    }
}
