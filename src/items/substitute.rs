//! `${tr{subject}{from}{to}}`, `${sg{subject}{regex}{replacement}}` and
//! `${hmac{algorithm}{key}{text}}` (called from `strings.rs`).

use crate::eval::{Evaluator, Failure, Value};

fn three(vals: &[Value]) -> Option<(&Value, &Value, &Value)> {
    match vals {
        [a, b, c] => Some((a, b, c)),
        _ => None,
    }
}

/// `tr`: each subject byte found in `from` (its *last* occurrence decides)
/// becomes the byte at the same index in `to`, or `to`'s last byte when
/// `to` is shorter; an empty `to` leaves the subject alone.
pub fn tr(_ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    // Exim 4.96 translates even while skipping (what the skipped
    // arguments expand to), and code in untaken branches can see it.
    let Some((subject, from, to)) = three(vals) else {
        return Err(super::unread());
    };
    out.push(&Value {
        bytes: translate(&subject.bytes, &from.bytes, &to.bytes),
        tainted: subject.tainted,
    });
    Ok(out)
}

/// `tr`'s work on bytes.
pub(crate) fn translate(subject: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut r = subject.to_vec();
    if let Some(last) = to.len().checked_sub(1) {
        let mut map: [Option<usize>; 256] = [None; 256];
        for (i, &c) in from.iter().enumerate() {
            map[c as usize] = Some(i);
        }
        for c in r.iter_mut() {
            if let Some(o) = map[*c as usize] {
                *c = to[o.min(last)];
            }
        }
    }
    r
}

/// One match: the overall span and the capture groups `$0..$20` (unset
/// groups below the highest set one are empty).
#[derive(Clone)]
struct Found {
    start: usize,
    end: usize,
    groups: Vec<(usize, usize)>,
}

fn search(re: &crate::regex::Compiled, subject: &[u8], from: usize) -> Option<Found> {
    let locs = re
        .captures_at(subject, from, crate::regex::MAX_GROUPS)
        .ok()??;
    let (start, end) = locs[0]?;
    let n = locs.iter().rposition(Option::is_some).map_or(1, |i| i + 1);
    let groups = locs[..n]
        .iter()
        .map(|g| g.unwrap_or((start, start)))
        .map(|(s, e)| (s, e.max(s)))
        .collect();
    Some(Found { start, end, groups })
}

/// `sg`: Perl-style global substitution; the replacement is expanded again
/// for every match with `$0`..`$9` set.
///
/// Exim 4.96 does this even when skipping, on what the skipped arguments
/// expand to (their literal text), so regex errors and errors in the
/// replacement's second expansion show there too.
pub fn sg(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let tainted = vals.iter().any(|v| v.tainted);
    let Some((subject, pattern, repl)) = three(vals) else {
        return Err(super::unread());
    };
    let result = substitute(ev, &subject.bytes, &pattern.bytes, &repl.bytes, tainted)?;
    out.push(&Value {
        bytes: result,
        tainted,
    });
    Ok(out)
}

/// `sg`'s work: compile, then replace every match (Perl's `/g` rules for
/// empty matches) by the replacement expanded with `$0`.. set; the
/// captures are restored afterwards.
pub(crate) fn substitute(
    ev: &mut Evaluator,
    subject: &[u8],
    pattern: &[u8],
    repl: &[u8],
    tainted: bool,
) -> Result<Vec<u8>, Failure> {
    let re = crate::regex::compile(pattern)?;
    // For the retry after an empty match: the first non-empty match
    // (compiled when first needed).
    let mut re_notempty = None;
    // A non-empty search from `p` that found its match at `q` (or none)
    // answers every later search from `p..=q` too, unless `\G` makes the
    // start offset matter.
    let cacheable = !pattern.windows(2).any(|w| w == b"\\G");
    let mut cache: Option<(usize, Option<Found>)> = None;

    let saved_caps = std::mem::take(&mut ev.captures);
    let slen = subject.len();
    let mut result: Vec<u8> = Vec::new();
    let mut moffset = 0usize;
    let mut extra = 0usize;
    let mut notempty = false;
    let outcome = loop {
        let from = moffset + extra;
        let found = if notempty {
            let rn = re_notempty.get_or_insert_with(|| {
                let mut p = b"(*NOTEMPTY)".to_vec();
                p.extend_from_slice(pattern);
                crate::regex::compile(&p).ok()
            });
            match rn {
                None => None,
                Some(rn) => {
                    let hit = match &cache {
                        Some((p, r))
                            if cacheable
                                && *p <= from
                                && r.as_ref().is_none_or(|f| from <= f.start) =>
                        {
                            r.clone()
                        }
                        _ => {
                            let r = search(rn, subject, from);
                            cache = Some((from, r.clone()));
                            r
                        }
                    };
                    hit.filter(|f| f.start == from)
                }
            }
        } else if from <= slen {
            search(&re, subject, from)
        } else {
            None
        };
        let Some(m) = found else {
            if notempty {
                extra = 1;
                notempty = false;
                continue;
            }
            result.extend_from_slice(&subject[moffset.min(slen)..]);
            break Ok(());
        };
        ev.captures = m
            .groups
            .iter()
            .map(|&(s, e)| Value {
                bytes: subject[s..e].to_vec(),
                tainted,
            })
            .collect();
        if m.start > moffset {
            result.extend_from_slice(&subject[moffset..m.start]);
        }
        match ev.expand_nested(repl) {
            Ok(v) => result.extend_from_slice(&v.bytes),
            Err(e) => break Err(e.into()),
        }
        moffset = m.end;
        extra = 0;
        notempty = false;
        if m.start == m.end {
            if m.start >= slen {
                break Ok(());
            }
            notempty = true;
        }
    };
    ev.captures = saved_caps;
    outcome.map(|()| result)
}

#[cfg(test)]
mod tests {

    use crate::testutil::expand_str as run;

    /// (expression, Ok(output) | Err(message)) from Debian Exim 4.96.
    const CASES: &[(&str, Result<&str, &str>)] = &[
        ("${tr{abcdea}{a}{}}", Ok("abcdea")),
        ("${tr{abc}{}{xyz}}", Ok("abc")),
        ("${tr{}{abc}{xyz}}", Ok("")),
        ("${tr{abc}{abc}{ABC}}", Ok("ABC")),
        ("${tr{abcabc}{cba}{xyz}}", Ok("zyxzyx")),
        ("${tr{aaa}{a}{bc}}", Ok("bbb")),
        ("${tr{hello}{a-z}{A-Z}}", Ok("hello")),
        ("${tr{abcdea}{aaa}{xyz}}", Ok("zbcdez")),
        ("${tr{abcdea}{abc}{z}}", Ok("zzzdez")),
        ("${tr{abc}{aa}{xy}}", Ok("ybc")),
        ("${tr{a}}", Err("Not enough arguments for 'tr' (min is 3)")),
        (
            "${tr{a}{b}{c}{d}}",
            Err("Too many arguments for 'tr' (max is 3)"),
        ),
        ("${sg{abcdefabcdef}{abc}{xyz}}", Ok("xyzdefxyzdef")),
        ("${sg{abc}{}{-}}", Ok("-a-b-c-")),
        ("${sg{abc}{x*}{-}}", Ok("-a-b-c-")),
        ("${sg{abc}{\\$}{<}}", Ok("abc<")),
        ("${sg{abc}{.}{\\$0\\$0}}", Ok("aabbcc")),
        ("${sg{abc}{(.)}{<\\$1>}}", Ok("<a><b><c>")),
        ("${sg{a.b.c}{\\\\.}{-}}", Ok("a-b-c")),
        ("${sg{a.b.c}{\\N\\.\\N}{-}}", Ok("a-b-c")),
        ("${sg{ABC}{(?i)b}{x}}", Ok("AxC")),
        (
            "${sg{abc}{[}{x}}",
            Err(
                "regular expression error in \"[\": missing terminating ] for character class at offset 1",
            ),
        ),
        ("${sg{aaa}{a}{${if eq{x}{x}{1}}}}", Ok("111")),
        (
            "${sg{x}{y}{z}{w}}",
            Err("Too many arguments for 'sg' (max is 3)"),
        ),
        ("${sg{\\N\\N}{^}{x}}", Ok("x")),
        ("${sg{éa}{a}{b}}", Ok("éb")),
        ("${sg{ü}{.}{x}}", Ok("xx")),
        ("${sg{aaa}{a}{\\\\}}", Err("\\ at end of string")),
        ("${sg{abc}{(b)}{[$1]}}", Ok("a[]c")),
        ("${sg{abc}{(b)}{[\\$1]}}", Ok("a[b]c")),
        ("${sg{abc}{(b)}{[\\\\$1]}}", Ok("a[]c")),
        ("${sg{ab:xy::z}{:}{::}}", Ok("ab::xy::::z")),
        ("${sg{abcdefabcdef}{(..)[^c]}{>$1<}}", Ok("a><><><ef")),
        (
            "${sg{abcdefabcdef}{(..)[^c]}{>\\$1<}}",
            Ok("a>bc<>ef<>bc<ef"),
        ),
        (
            "${sg{abcdefabcdef}{(..)[^c]}{>\\N$1\\N<}}",
            Ok("a>bc<>ef<>bc<ef"),
        ),
        ("${sg{abbab}{a*}{+}}", Ok("++b+b++b+")),
        ("${sg{abc}{x*|b}{-}}", Ok("-a---c-")),
        ("${sg{abc}{x*?|b}{-}}", Ok("-a---c-")),
        ("${sg{abc}{\\\\G|b}{-}}", Ok("-a---c-")),
        ("${sg{aaa}{\\\\Ga}{-}}", Ok("---")),
        ("${sg{abab}{\\\\Gab|b}{-}}", Ok("--")),
        ("${sg{abc}{(?<=a)|\\\\w}{-}}", Ok("----")),
        ("${sg{aXbX}{(?=X)|X}{-}}", Ok("a--b--")),
        ("${sg{abc}{(a)|(b)}{[\\$1\\$2]}}", Ok("[a][b]c")),
        (
            "${if eq{a}{b}{${sg{a}{x[}{b}}}{n}}",
            Err(
                "regular expression error in \"x[\": missing terminating ] for character class at offset 2",
            ),
        ),
        ("${if eq{a}{b}{${sg{a}{b}{c}}}{n}}", Ok("n")),
        (
            "${if eq{a}{b}{${sg{a}{a}{\\$nosuch}}}{n}}",
            Err("unknown variable name \"nosuch\""),
        ),
        ("${if match{abc}{(b)}{${sg{x}{(x)}{}}$1}}", Ok("b")),
        (
            "${if eq{a}{b}{${sg{${sg{a}{a}{\\$0}}}{a}{\\$nosuch}}}{n}}",
            Err("unknown variable name \"nosuch\""),
        ),
        ("${map{a:b}{${sg{${tr{a}{a}{1}}}{a}{\\\\}}}}", Ok("1:1")),
        (
            "${sg{abcdefghijkl}{(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)}{\\$9\\$10\\$11}}",
            Ok("ijkl"),
        ),
        (
            "${sg{abcdefghijklmnopqrstuvwxyz}{(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)(m)(n)(o)(p)(q)(r)(s)(t)(u)(v)(w)}{\\$20\\$21\\$22}}",
            Ok("txyz"),
        ),
        ("${sg{abc}{(b)}{}}$1", Ok("ac")),
        (
            "${extract{K4}{${sg{1=A 4=D 3=C}{(\\\\d+)=}{K\\$1=}}}}",
            Ok("D"),
        ),
        (
            "${hmac{md5}{key}{message}}",
            Ok("4e4748e62b463521f6775fbf921234b5"),
        ),
        (
            "${hmac{sha1}{key}{message}}",
            Ok("2088df74d5f2146b48146caf4965377e9d0be3a4"),
        ),
        (
            "${hmac{sha256}{key}{m}}",
            Err("hmac algorithm \"sha256\" is not recognised"),
        ),
        (
            "${hmac{MD5}{key}{m}}",
            Err("hmac algorithm \"MD5\" is not recognised"),
        ),
        ("${hmac{md5}{}{}}", Ok("74e6f7298a9c2d168935f58c001bad88")),
        (
            "${hmac{md5}{somesecret}{mail.example.com 2002-10-17 11:30:59}}",
            Ok("dd97e3ba5d1a61b5006108f8c8252953"),
        ),
        (
            "${hmac{sha1}{somesecret}{mail.example.com 2002-10-17 11:30:59}}",
            Ok("0210cf9d274b53f1550f657c378b29e8bfed1064"),
        ),
        (
            "${hmac{xxx}{a}{b}}",
            Err("hmac algorithm \"xxx\" is not recognised"),
        ),
        ("${if eq{a}{b}{${hmac{sha256}{a}{b}}}{n}}", Ok("n")),
        (
            "${hmac{md5}{0123456789012345678901234567890123456789012345678901234567890123456789}{x}}",
            Ok("e9c5c6903693cc2448ef5d9b3a9288a5"),
        ),
        (
            "${hmac{sha1}{0123456789012345678901234567890123456789012345678901234567890123456789}{x}}",
            Ok("0059b1414cd3341e349a58e6064b4fcf559deb68"),
        ),
    ];

    #[test]
    fn sg_empty_matches_stay_linear() {
        let n = 200_000;
        let expr = format!("${{sg{{{}}}{{x*|b}}{{-}}}}", "a".repeat(n));
        let got = run(&expr).unwrap();
        assert_eq!(got.len(), 2 * n + 1);
        let expr = format!("${{sg{{{}}}{{a*?}}{{}}}}", "ab".repeat(n / 2));
        assert_eq!(run(&expr).unwrap(), "b".repeat(n / 2));
    }

    #[test]
    fn tr_sg_hmac_match_exim() {
        let bad = crate::testutil::mismatches(CASES);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }
}
