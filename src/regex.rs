//! PCRE2 regular expressions, compiled as Exim compiles them (no UTF mode,
//! so `.` matches a byte) and cached per pattern.

use pcre2::bytes::{CaptureLocations, Regex, RegexBuilder};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// A compiled pattern, with the match data its searches reuse and, once
/// it has been used often enough to pay for it, a JIT-compiled copy.
///
pub struct Compiled {
    regex: Regex,
    /// Match data kept from the last search (`None` while one runs).
    spare: RefCell<Option<CaptureLocations>>,
    /// The JIT-compiled pattern, tried first; the interpreter answers
    /// whenever the JIT fails (its stack is smaller than the
    /// interpreter's heap, so a deep match can fail there).
    jit: Option<(Regex, RefCell<Option<CaptureLocations>>)>,
    /// Uses through the cache, to decide when to compile for the JIT.
    uses: Cell<u32>,
}

/// Capture groups Exim keeps: `$0` to `$20` (`EXPAND_MAXN`).
pub const MAX_GROUPS: usize = 21;

/// The group spans of one match: `[0]` is the whole match, an unset group
/// is `None`.
pub type Groups = Vec<Option<(usize, usize)>>;

impl Compiled {
    fn new(regex: Regex, jit: Option<Regex>) -> Compiled {
        Compiled {
            regex,
            spare: RefCell::new(None),
            jit: jit.map(|j| (j, RefCell::new(None))),
            uses: Cell::new(0),
        }
    }

    /// The interpreted pattern, for what the methods here do not cover.
    pub fn regex(&self) -> &Regex {
        &self.regex
    }

    /// Does the pattern match anywhere in `subject`?
    pub fn is_match(&self, subject: &[u8]) -> Result<bool, pcre2::Error> {
        if let Some((j, _)) = &self.jit
            && let Ok(m) = j.is_match(subject)
        {
            return Ok(m);
        }
        self.regex.is_match(subject)
    }

    /// The first match at or after `from`, with at most `max` groups
    /// (`$0` included), or `None`.
    pub fn captures_at(
        &self,
        subject: &[u8],
        from: usize,
        max: usize,
    ) -> Result<Option<Groups>, pcre2::Error> {
        if let Some((j, spare)) = &self.jit
            && let Ok(found) = search(j, spare, subject, from, max)
        {
            return Ok(found);
        }
        search(&self.regex, &self.spare, subject, from, max)
    }
}

/// One search with `re`, reusing the match data in `spare` (a nested
/// search of the same pattern, from a replacement string, makes its own).
fn search(
    re: &Regex,
    spare: &RefCell<Option<CaptureLocations>>,
    subject: &[u8],
    from: usize,
    max: usize,
) -> Result<Option<Groups>, pcre2::Error> {
    let mut locs = spare.take().unwrap_or_else(|| re.capture_locations());
    let found = re.captures_read_at(&mut locs, subject, from);
    let groups = match found {
        Ok(Some(_)) => Ok(Some(
            (0..locs.len().min(max)).map(|i| locs.get(i)).collect(),
        )),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    };
    *spare.borrow_mut() = Some(locs);
    groups
}

/// Compiled patterns by pattern, one map per flag set (caseless or not),
/// so that a lookup borrows the pattern instead of building a key.
type Cache = [HashMap<Vec<u8>, Rc<Compiled>, foldhash::fast::RandomState>; 2];

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::default();
}

/// How many patterns of one flag set are kept; past it the cache starts
/// afresh (a configuration has far fewer; expanded patterns could have
/// any number).
const CACHE_LIMIT: usize = 1000;

/// After this many uses a pattern is compiled again for PCRE2's JIT: that
/// compilation costs several interpreted matches, so a pattern used once
/// (an expanded one, say) never pays it.
pub const JIT_AFTER: u32 = 50;

fn build(pattern: &[u8], caseless: bool, jit: bool) -> Result<Regex, pcre2::Error> {
    RegexBuilder::new()
        .caseless(caseless)
        .jit(jit)
        .build(&byte_pattern(pattern))
}

/// `pattern` compiled as Exim compiles it, `caseless` or not, from the
/// cache when it was compiled before: a repeated `match`, `sg` or list
/// regex costs what matching costs.
pub fn compiled(pattern: &[u8], caseless: bool) -> Result<Rc<Compiled>, pcre2::Error> {
    let flags = usize::from(caseless);
    if let Some(r) = CACHE.with(|c| c.borrow()[flags].get(pattern).cloned()) {
        let uses = r.uses.get() + 1;
        r.uses.set(uses);
        if uses != JIT_AFTER || r.jit.is_some() {
            return Ok(r);
        }
        // Used often: from now on the JIT-compiled pattern is tried first
        // (when the JIT is unavailable the entry stays as it is).
        let Ok(j) = build(pattern, caseless, true) else {
            return Ok(r);
        };
        let fast = Rc::new(Compiled::new(r.regex.clone(), Some(j)));
        fast.uses.set(uses);
        CACHE.with(|c| c.borrow_mut()[flags].insert(pattern.to_vec(), fast.clone()));
        return Ok(fast);
    }
    let re = Rc::new(Compiled::new(build(pattern, caseless, false)?, None));
    CACHE.with(|c| {
        let map = &mut c.borrow_mut()[flags];
        if map.len() >= CACHE_LIMIT {
            map.clear();
        }
        map.insert(pattern.to_vec(), re.clone());
    });
    Ok(re)
}

/// Compiles a pattern (case matters); errors use Exim's wording.
pub fn compile(pattern: &[u8]) -> Result<Rc<Compiled>, Vec<u8>> {
    compiled(pattern, false).map_err(|e| {
        let offset = original_offset(pattern, e.offset().unwrap_or(0));
        let mut m = b"regular expression error in \"".to_vec();
        m.extend_from_slice(pattern);
        m.extend_from_slice(format!("\": {} at offset {offset}", pcre2_message(&e)).as_bytes());
        m
    })
}

/// An offset in [`byte_pattern`]'s text as an offset in the original bytes
/// (each byte >= 0x80 took six characters there).
fn original_offset(p: &[u8], offset: usize) -> usize {
    let mut escaped = 0;
    for (i, &b) in p.iter().enumerate() {
        escaped += if b < 0x80 { 1 } else { 6 };
        if escaped > offset {
            return i;
        }
    }
    p.len()
}

/// The pattern as text for the PCRE2 binding: bytes >= 0x80 become
/// `\x{..}` escapes, which (outside UTF mode) match those bytes, so 8-bit
/// patterns behave as in Exim.
fn byte_pattern(p: &[u8]) -> String {
    let mut out = String::with_capacity(p.len());
    for &b in p {
        if b < 0x80 {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{{{b:02x}}}"));
        }
    }
    out
}

/// PCRE2's own message for a compile error, without the crate's prefix.
pub(crate) fn pcre2_message(e: &pcre2::Error) -> String {
    // The crate renders "PCRE2: error compiling pattern at offset N: MSG".
    let s = e.to_string();
    match s.rfind(": ") {
        Some(i) => s[i + 2..].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    /// Exim 4.96 `-be`: the pattern is quoted as its bytes and the offset
    /// counts bytes of the pattern.
    #[test]
    fn errors_quote_bytes_and_count_their_offsets() {
        let cases: &[(&[u8], &[u8])] = &[
            (
                b"\xe9\xe9(",
                b"regular expression error in \"\xe9\xe9(\": missing closing parenthesis at offset 3",
            ),
            (
                b"\xe9(\xe9",
                b"regular expression error in \"\xe9(\xe9\": missing closing parenthesis at offset 3",
            ),
            (
                b"\xff[",
                b"regular expression error in \"\xff[\": missing terminating ] for character class at offset 2",
            ),
        ];
        for (pattern, want) in cases {
            let got = super::compile(pattern).err();
            assert_eq!(got.as_deref(), Some(*want), "{pattern:?}");
        }
    }
}

#[cfg(test)]
mod jit_tests {
    use super::*;

    /// A pattern the cache has handed out [`JIT_AFTER`] times is matched
    /// by its JIT-compiled copy from then on, with the same answers.
    #[test]
    fn often_used_patterns_move_to_the_jit() {
        let pattern = b"^(a+)(x)?-(\\d+)$";
        let first = compiled(pattern, false).unwrap();
        assert!(first.jit.is_none());
        let want = first.captures_at(b"aa-42", 0, MAX_GROUPS).unwrap();
        assert_eq!(
            want,
            Some(vec![Some((0, 5)), Some((0, 2)), None, Some((3, 5))])
        );
        for _ in 1..JIT_AFTER {
            compiled(pattern, false).unwrap();
        }
        let later = compiled(pattern, false).unwrap();
        if !pcre2::is_jit_available() {
            return;
        }
        assert!(
            later.jit.is_some(),
            "not JIT-compiled after {JIT_AFTER} uses"
        );
        assert_eq!(later.captures_at(b"aa-42", 0, MAX_GROUPS).unwrap(), want);
        assert_eq!(later.captures_at(b"b-1", 0, MAX_GROUPS).unwrap(), None);
        assert!(later.is_match(b"a-1").unwrap());
    }

    /// The JIT's stack is far smaller than the interpreter's heap: a match
    /// that exhausts it is answered by the interpreter instead of failing.
    #[test]
    fn a_match_too_deep_for_the_jit_stack_falls_back() {
        if !pcre2::is_jit_available() {
            return;
        }
        let pattern = br"^(a|b)*$";
        let subject = vec![b'a'; 200_000];
        let jit = build(pattern, false, true).unwrap();
        let deep = jit.is_match(&subject);
        assert!(deep.is_err(), "the JIT stack held: {deep:?}");
        let re = Compiled::new(build(pattern, false, false).unwrap(), Some(jit));
        assert!(re.is_match(&subject).unwrap());
        let groups = re.captures_at(&subject, 0, MAX_GROUPS).unwrap().unwrap();
        assert_eq!(groups[0], Some((0, subject.len())));
    }
}
