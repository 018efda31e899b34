//! `${extract{key}{string}}`, `${extract{n}{seps}{string}}`, json forms.
//!
//! Exim reads this item's arguments in two different ways.  While skipping
//! it cannot tell a numbered extraction from a keyed one, so it accepts up
//! to five braced strings and an optional `fail` without interpreting them.
//! When evaluating, the first argument decides whether two or three
//! arguments follow, and whatever comes after them is the usual yes/no tail.
//! The parser keeps every braced string (and a `fail`), so both readings,
//! with their error messages, are reproduced here from the tree and the
//! source text.

use crate::eval::{Evaluator, ExpandError, Value};
use crate::lists::{dewrap, is_space, json_next};
use crate::parser::{Arg, ItemNode, NoBranch, Node, Seq, Span};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Basic,
    Json,
    Jsons,
}

const CLOSING: &str = "missing '}' closing extract";

pub fn eval(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let args: Vec<&Seq> = item
        .args
        .iter()
        .filter_map(|a| match a {
            Arg::Seq(s) => Some(s),
            _ => None,
        })
        .collect();
    let fmt = match item.word.as_deref() {
        Some("json") => Format::Json,
        Some("jsons") => Format::Jsons,
        _ => Format::Basic,
    };
    if skip {
        skipping(ev, item, &args)
    } else {
        ev.scoped(|ev| evaluate(ev, item, &args, fmt, out))
    }
}

/// The skipping reading: at most five braced strings, an optional `fail`,
/// then `}`.
fn skipping(ev: &mut Evaluator, item: &ItemNode, args: &[&Seq]) -> Result<(), ExpandError> {
    // After a format word Exim does not skip white space before the first
    // brace when skipping, so `extract json {...}` cannot be read then.
    if item.word.is_some() && space_after_word(&ev.source, item.span) {
        return Err(ExpandError::failed(CLOSING, item.span));
    }
    for a in args.iter().take(5) {
        ev.seq(a, true)?;
    }
    if args.len() > 5 {
        let at = args[5].span.start.saturating_sub(1) as usize;
        return Err(ExpandError::failed(CLOSING, Span::new(at, at)));
    }
    if let Some(e) = &item.error {
        return Err(ExpandError::failed(CLOSING, e.span));
    }
    Ok(())
}

/// Whether the format word of `${extract json...` is followed by white
/// space in the source.
fn space_after_word(src: &[u8], span: Span) -> bool {
    let mut p = span.start as usize + "${extract".len();
    while src.get(p).is_some_and(|&c| is_space(c)) {
        p += 1;
    }
    if src.get(p..p + 4) != Some(b"json") {
        return false;
    }
    p += 4;
    if src.get(p) == Some(&b's') {
        p += 1;
    }
    src.get(p).is_some_and(|&c| is_space(c))
}

fn curly(ev: &Evaluator, what: &str, pos: usize) -> ExpandError {
    if ev.malformed_header {
        return ev.curly_failure(Vec::new(), Span::new(pos, ev.source.len().max(pos)));
    }
    let mut msg = format!(
        "curly-bracket problem in conditional yes/no parsing: {what}\n remaining string is '"
    )
    .into_bytes();
    if let Some(rest) = ev.source.get(pos..) {
        let end = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
        msg.extend_from_slice(&rest[..end]);
    }
    msg.push(b'\'');
    ExpandError::failed(msg, Span::new(pos, ev.source.len().max(pos)))
}

/// The static check of `extract`: a literal numeric field needs three
/// arguments (field, separators, string), and the field must not be empty.
pub(crate) fn check(item: &ItemNode) -> Option<ExpandError> {
    if item.word.is_some() {
        return None;
    }
    let [Arg::Seq(first), rest @ ..] = &item.args[..] else {
        return None;
    };
    let key = match &first.nodes[..] {
        [] => &[][..],
        [Node::Text { bytes, .. }] => crate::sys::trim(bytes),
        _ => return None,
    };
    if key.is_empty() {
        return Some(ExpandError::failed(
            "first argument of \"extract\" must not be empty",
            item.span,
        ));
    }
    (field_number(key).is_some() && rest.len() == 1)
        .then(|| ExpandError::failed("missing '{' for arg 3 of extract", item.span))
}

fn evaluate(
    ev: &mut Evaluator,
    item: &ItemNode,
    args: &[&Seq],
    fmt: Format,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let saved = ev.value.clone();
    let span = item.span;
    let Some(first) = args.first() else {
        return Err(ev.curly_failure("missing '{' for arg 1 of extract", span));
    };
    let a0 = ev.seq(first, false)?;
    let key = crate::sys::trim(&a0.bytes);
    if key.is_empty() {
        return Err(ExpandError::failed(
            "first argument of \"extract\" must not be empty",
            span,
        ));
    }
    let field = field_number(key);
    let needed = if field.is_some() && fmt == Format::Basic {
        3
    } else {
        2
    };
    let mut vals = vec![a0.clone()];
    for i in 1..needed {
        let Some(s) = args.get(i) else {
            let msg = format!("missing '{{' for arg {} of extract", i + 1);
            return Err(ev.curly_failure(msg, span));
        };
        vals.push(ev.seq(s, false)?);
    }
    let tainted = vals.iter().any(|v| v.tainted);

    let found: Option<Vec<u8>> = match fmt {
        Format::Basic => match field {
            Some(n) => gettokened(n, &vals[1].bytes, &vals[2].bytes),
            None => getkeyed(key, &vals[1].bytes),
        },
        Format::Json | Format::Jsons => {
            let v = json(key, field, &vals[1].bytes).map_err(|m| ExpandError::failed(m, span))?;
            match (fmt, v) {
                (Format::Jsons, Some(v)) => match dewrap(&v, b'"', b'"') {
                    Ok(inner) => Some(inner.to_vec()),
                    Err(c) => {
                        return Err(ExpandError::failed(
                            format!(
                                "missing '{}' wrapping string result for extract jsons",
                                c as char
                            ),
                            span,
                        ));
                    }
                },
                (_, v) => v,
            }
        }
    };

    yes_no(ev, item, &args[needed..], found, tainted, saved, out)
}

/// Exim's `process_yesno` for what follows the arguments.
fn yes_no(
    ev: &mut Evaluator,
    item: &ItemNode,
    rest: &[&Seq],
    found: Option<Vec<u8>>,
    tainted: bool,
    saved: Option<Value>,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let yes = found.is_some();
    ev.value = found.map(|b| Value { bytes: b, tainted });
    let fail = match item.yesno.as_ref().map(|y| &y.no) {
        Some(NoBranch::Fail(s)) => Some(s.start as usize),
        _ => None,
    };
    let err = item.error.as_ref().map(|e| e.span.start as usize);
    let brace_of = |s: &Seq| (s.span.start as usize).saturating_sub(1);

    let Some(yes_seq) = rest.first() else {
        if let Some(p) = fail.or(err) {
            return Err(curly(ev, "'yes' part did not start with '{'", p));
        }
        if let (true, Some(v)) = (yes, ev.value.clone()) {
            out.push(&v);
        }
        ev.value = saved;
        return Ok(());
    };

    let v = ev.seq(yes_seq, !yes)?;
    if yes {
        out.push(&v);
    }
    ev.value = saved;

    if let Some(no_seq) = rest.get(1) {
        let v = ev.seq(no_seq, yes)?;
        if !yes {
            out.push(&v);
        }
        let junk = rest.get(2).map(|s| brace_of(s)).or(fail).or(err);
        return match junk {
            Some(p) => Err(curly(ev, "did not close with '}'", p)),
            None => Ok(()),
        };
    }

    if fail.is_some() {
        return match (yes, err) {
            (false, Some(p)) => Err(curly(ev, "did not close with '}' after forcedfail", p)),
            (false, None) => Err(ExpandError::forced(
                "\"extract\" failed and \"fail\" requested",
                item.span,
            )),
            (true, Some(p)) => Err(curly(ev, "did not close with '}'", p)),
            (true, None) => Ok(()),
        };
    }
    let Some(p) = err else {
        return Ok(());
    };
    // Something that is neither a brace nor a `fail` the parser accepted:
    // Exim reads a name there.
    let src = &ev.source;
    let mut q = p;
    while src
        .get(q)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    {
        q += 1;
    }
    if src.get(p..q) != Some(b"fail") {
        return Err(ExpandError::failed(
            "syntax error in \"extract\" item - \"fail\" expected",
            item.span,
        ));
    }
    while src.get(q).is_some_and(|&c| is_space(c)) {
        q += 1;
    }
    if src.get(q) == Some(&b'}') && !yes {
        // `fail` followed by a newline or other white space the parser
        // does not accept there.
        return Err(ExpandError::forced(
            "\"extract\" failed and \"fail\" requested",
            item.span,
        ));
    }
    if src.get(q) == Some(&b'}') {
        return Err(item
            .error
            .as_deref()
            .cloned()
            .unwrap_or_else(|| ExpandError::failed(CLOSING, item.span)));
    }
    if yes {
        Err(curly(ev, "did not close with '}'", q))
    } else {
        Err(curly(ev, "did not close with '}' after forcedfail", q))
    }
}

/// `-?digits` is a field number (computed in C `int` arithmetic, so huge
/// numbers wrap); anything else is a key.
fn field_number(key: &[u8]) -> Option<i32> {
    let (sign, digits) = match key.split_first() {
        Some((b'-', rest)) => (-1i32, rest),
        _ => (1, key),
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let x = digits.iter().fold(0i32, |x, &d| {
        x.wrapping_mul(10).wrapping_add(i32::from(d - b'0'))
    });
    Some(sign.wrapping_mul(x))
}

/// Exim's `expand_gettokened`: fields separated by any one of `seps`;
/// 0 is the whole string, negative numbers count from the end.
fn gettokened(field: i32, seps: &[u8], s: &[u8]) -> Option<Vec<u8>> {
    if field == 0 {
        return Some(s.to_vec());
    }
    let fields: Vec<&[u8]> = s.split(|c| seps.contains(c)).collect();
    let n = fields.len() as i64;
    let f = i64::from(field);
    let idx = if f > 0 { f - 1 } else { n + f };
    if idx < 0 || idx >= n {
        return None;
    }
    Some(fields[idx as usize].to_vec())
}

/// Exim's `expand_getkeyed`: `key=value` or `key value` pairs, values
/// possibly quoted; keys compare caselessly, the first match wins.
pub(crate) fn getkeyed(key: &[u8], s: &[u8]) -> Option<Vec<u8>> {
    let mut p = 0;
    let skip_ws = |p: &mut usize| {
        while s.get(*p).is_some_and(|&c| is_space(c)) {
            *p += 1;
        }
    };
    skip_ws(&mut p);
    while p < s.len() {
        let kstart = p;
        while p < s.len() && s[p] != b'=' && !is_space(s[p]) {
            p += 1;
        }
        let dkey = &s[kstart..p];
        skip_ws(&mut p);
        if s.get(p) == Some(&b'=') {
            p += 1;
            skip_ws(&mut p);
        }
        let data = dequote(s, &mut p);
        if dkey.eq_ignore_ascii_case(key) {
            return Some(data);
        }
        skip_ws(&mut p);
    }
    None
}

/// Exim's `string_dequote`: a `"`-quoted string with backslash escapes, or
/// a run of non-space characters.  The value ends at a NUL an escape made.
fn dequote(s: &[u8], p: &mut usize) -> Vec<u8> {
    let mut out = Vec::new();
    if s.get(*p) != Some(&b'"') {
        while *p < s.len() && !is_space(s[*p]) {
            out.push(s[*p]);
            *p += 1;
        }
    } else {
        *p += 1;
        while *p < s.len() && s[*p] != b'"' {
            if s[*p] == b'\\' {
                let (c, used) = interpret_escape(&s[*p..]);
                out.push(c);
                *p += used;
            } else {
                out.push(s[*p]);
                *p += 1;
            }
        }
        if *p < s.len() {
            *p += 1;
        }
    }
    if let Some(i) = out.iter().position(|&c| c == 0) {
        out.truncate(i);
    }
    out
}

/// Exim's `string_interpret_escape` at a backslash: the byte and how many
/// input bytes it used (a lone trailing backslash stands for itself).
fn interpret_escape(s: &[u8]) -> (u8, usize) {
    let Some(&c) = s.get(1) else {
        return (b'\\', 1);
    };
    let is_oct = |c: Option<&u8>| c.is_some_and(|c| (b'0'..=b'7').contains(c));
    if is_oct(Some(&c)) {
        let mut v = u32::from(c - b'0');
        let mut used = 2;
        for _ in 0..2 {
            if is_oct(s.get(used)) {
                v = v * 8 + u32::from(s[used] - b'0');
                used += 1;
            } else {
                break;
            }
        }
        return (v as u8, used);
    }
    let b = match c {
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        b'x' => {
            let mut v = 0u32;
            let mut used = 2;
            for _ in 0..2 {
                match s.get(used).and_then(|c| (*c as char).to_digit(16)) {
                    Some(d) => {
                        v = v * 16 + d;
                        used += 1;
                    }
                    None => break,
                }
            }
            return (v as u8, used);
        }
        other => other,
    };
    (b, 2)
}

/// `extract json`: an array element (1-based) or an object member's raw
/// JSON text.
fn json(key: &[u8], field: Option<i32>, doc: &[u8]) -> Result<Option<Vec<u8>>, Vec<u8>> {
    let (open, close, what) = if field.is_some() {
        (b'[', b']', "array")
    } else {
        (b'{', b'}', "object")
    };
    let inner = dewrap(doc, open, close).map_err(|c| {
        format!("missing '{}' wrapping {what} for extract json", c as char).into_bytes()
    })?;
    let mut list = inner;
    if let Some(mut n) = field {
        if n <= 0 {
            return Err(b"first argument of \"extract\" must be greater than zero".to_vec());
        }
        let mut item = None;
        while n > 0 {
            item = json_next(&mut list);
            if item.is_none() {
                break;
            }
            n -= 1;
        }
        return Ok(item.map(|v| {
            let end = v.iter().rposition(|&c| !is_space(c)).map_or(0, |i| i + 1);
            v[..end].to_vec()
        }));
    }
    while let Some(member) = json_next(&mut list) {
        let name = dewrap(member, b'"', b'"').map_err(|c| {
            format!(
                "missing '{}' wrapping string key for extract json",
                c as char
            )
            .into_bytes()
        })?;
        if name == key {
            // The member text after the closing quote of the name.
            let off = name.as_ptr() as usize - member.as_ptr() as usize + name.len() + 1;
            let mut rest = member.get(off..).unwrap_or(&[]);
            let ws = rest
                .iter()
                .position(|&c| !is_space(c))
                .unwrap_or(rest.len());
            rest = &rest[ws..];
            if rest.first() != Some(&b':') {
                return Err(b"missing object value-separator for extract json".to_vec());
            }
            rest = &rest[1..];
            let ws = rest
                .iter()
                .position(|&c| !is_space(c))
                .unwrap_or(rest.len());
            return Ok(Some(rest[ws..].to_vec()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {

    /// (expression, Ok(output) | Err(message)) from Debian Exim 4.96.
    const CASES: &[(&str, Result<&str, &str>)] = &[
        ("${extract{b}{A=1 B=2 C=3}}", Ok("2")),
        ("${extract{B}{A=1 B = 2 C=3}}", Ok("2")),
        ("${extract{B}{A=1 B=\"two words\" C=3}}", Ok("two words")),
        ("${extract{B}{A=1 B C=3}}", Ok("C=3")),
        ("${extract{D}{A=1 B=2}}", Ok("")),
        ("${extract{A}{A=1 B=2}{<$value>}{n}}", Ok("<1>")),
        ("${extract{A}{  A=1}}", Ok("1")),
        ("${extract{A}{A=1 A=2}}", Ok("1")),
        ("${extract{ A }{A=1}}", Ok("1")),
        (
            "${extract{ }{A=1}}",
            Err("first argument of \"extract\" must not be empty"),
        ),
        ("${extract{A=}{A==1}}", Ok("")),
        ("${extract{A}{A==1}}", Ok("=1")),
        ("${extract{key}{key=\"a b\" other=x}}", Ok("a b")),
        ("${extract{A}{=1 A=2}}", Ok("2")),
        ("${extract{A}{}}", Ok("")),
        (
            "${extract{A}{A=1}fail}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: 'yes' part did not start with '{'\n remaining string is 'fail}'",
            ),
        ),
        (
            "${extract{a-b}{X = \"one two\" a-b \"three four\" 5=99}}",
            Ok("three four"),
        ),
        (
            "${extract{5}{5=99}}",
            Err("missing '{' for arg 3 of extract"),
        ),
        ("${extract {A} {A=1}}", Ok("1")),
        ("${extract{0}{:}{a:b:c}}", Ok("a:b:c")),
        ("${extract{4}{:}{a:b:c}}", Ok("")),
        ("${extract{-1}{:}{a:b:c}}", Ok("c")),
        ("${extract{-3}{:}{a:b:c}}", Ok("a")),
        ("${extract{2}{:,}{a,b:c}}", Ok("b")),
        ("${extract{2}{:}{a::c}}", Ok("")),
        ("${extract{2}{}{abc}}", Ok("")),
        ("${extract{1}{}{abc}}", Ok("abc")),
        ("${extract{2}{ }{a  b}}", Ok("")),
        ("${extract{2}{:}}", Err("missing '{' for arg 3 of extract")),
        ("${extract{+2}{:}{a:b:c}}", Ok("")),
        ("${extract{-0}{:}{a:b:c}}", Ok("a:b:c")),
        ("${extract{1}{\\n}{line1\\nline2}}", Ok("line1")),
        ("${extract{1}{:}{}}", Ok("")),
        ("${extract{99999999999}{:}{a}}", Ok("")),
        ("${extract json{a}{\\{\"a\":1,\"b\":2\\}}}", Ok("1")),
        (
            "${extract json{b}{\\{\"a\":1,\"b\":\"two\"\\}}}",
            Ok("\"two\""),
        ),
        ("${extract json{c}{\\{\"a\":1\\}}{y}{n}}", Ok("n")),
        ("${extract json{4}{[10,20,30]}}", Ok("")),
        ("${extract json{2}{[\"a\", \"b\"]}}", Ok("\"b\"")),
        ("${extract json{1}{[[1,2],[3]]}}", Ok("[1,2]")),
        (
            "${extract json{a}{\\{\"a\" : \"x, y\", \"b\":0\\}}}",
            Ok("\"x"),
        ),
        (
            "${extract json{1}{not json}}",
            Err("missing '[' wrapping array for extract json"),
        ),
        ("${extract json {a}{\\{\"a\":true\\}}}", Ok("true")),
        (
            "${extract json{a}{  \\{ \"a\" :  null  \\}  }}",
            Ok("null  "),
        ),
        ("${extract json{a}{\\{\"a\":\"\\}\"\\} junk}}", Ok("\"")),
        ("${extract json{2}{[1,,2]}}", Ok("")),
        (
            "${extract json{1}{[1,2}}",
            Err("missing ']' wrapping array for extract json"),
        ),
        (
            "${extract json{a}{\\{a:1\\}}}",
            Err("missing '\"' wrapping string key for extract json"),
        ),
        ("${extract json{b}{\\{\"a\" 1, \"b\":2\\}}}", Ok("2")),
        (
            "${extract json{a}{\\{\"a\" 1, \"b\":2\\}}}",
            Err("missing object value-separator for extract json"),
        ),
        (
            "${extract json{-}{[1]}}",
            Err("first argument of \"extract\" must be greater than zero"),
        ),
        ("${extract{-}{:}{a:b}}", Ok("a:b")),
        (
            "${extract jsons{a}{\\{\"a\":1\\}}}",
            Err("missing '\"' wrapping string result for extract jsons"),
        ),
        ("${extract json{1}{ [ 1 , 2 ] }}", Ok("1")),
        (
            "${extract json{a}{\\{\"a\":[1,2], \"b\":2\\}}}",
            Ok("[1,2]"),
        ),
        ("${extract{x}{x=\"a\\tb\\x41\\101\"}}", Ok("a\tbAA")),
        ("${extract{x}{x=\"ab}}", Ok("ab")),
        ("${extract jsons{a}{\\{\"a\":\"x\" y\\}}}", Ok("x")),
        ("${extract}", Err("missing '{' for arg 1 of extract")),
        (
            "${extract{a}{b}{c}{d}{e}{f}}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is '{e}{f}}'",
            ),
        ),
        (
            "${extract{1}{:}{a}{b}{c}{d}}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is '{d}}'",
            ),
        ),
        (
            "${if eq{a}{b}{${extract{1}{:}{a}{b}{c}{d}}}{n}}",
            Err("missing '}' closing extract"),
        ),
        (
            "${if eq{a}{b}{${extract json {a}{\\{\"a\":1\\}}}}{n}}",
            Err("missing '}' closing extract"),
        ),
        (
            "${if eq{a}{b}{${extract json{a}{\\{\"a\":1\\}}}}{n}}",
            Ok("n"),
        ),
        ("${if eq{a}{b}{${extract json}}{n}}", Ok("n")),
        (
            "${if eq{a}{b}{${extract json }}{n}}",
            Err("missing '}' closing extract"),
        ),
        (
            "${extract{Z}{A=1 B=2 C=3}{<$value>}fail}",
            Err("\"extract\" failed and \"fail\" requested"),
        ),
        ("${extract{Z}{A=1 B=2 C=3}{<$value>}{no Z}}", Ok("no Z")),
        ("${extract{-6}{:}{a:b:c:d:e}{$value}{FAIL}}", Ok("FAIL")),
        ("${extract{-5}{:}{a:b:c:d:e}{$value}{FAIL}}", Ok("a")),
        ("${extract{-3}{:,}{a,,b::c}}", Ok("b")),
        ("${extract{3}{:,}{a,,b::c}}", Ok("b")),
        ("${extract{ 2 }{ }{a b c}}", Ok("b")),
        (
            "${map{a,1:b,2:c,3}{${extract{1}{,}{$item}{$value}fail}}}",
            Ok("a:b:c"),
        ),
        (
            "${map{a,1:b,2:c,3}{${extract{1}{,}{$item}{$value}{failcase}{bogus_argument}}}}",
            Err("missing '}' closing extract inside \"map\" item"),
        ),
        (
            "${extract json {2} {${extract json{IDs} {\\{\"other\":\"foo\", \"IDs\": [116, 943, 234]\\} }}} }",
            Ok("943"),
        ),
        (
            "${extract jsons{2} {[\"red\", \"green\", \"blue\", \"black\"]} }",
            Ok("green"),
        ),
        (
            "<${extract jsons{name}{ \\{ \"id\":\"1\",\"name\":\"word1 \\\\\\\" word2\",\"age\":\"unknown\" \\}}}>",
            Ok("<word1 \\\" word2>"),
        ),
        (
            "${extract json{IDs}{ \\{\"id\": \\{\"a\":101, \"b\":102\\}, \"IDs\": \\{\"1\":116, \"2\":943, \"3\":234\\}\\} }}",
            Ok("{\"1\":116, \"2\":943, \"3\":234}"),
        ),
        ("${extract{2}{:}{ü:ä}}", Ok("ä")),
        ("${extract{a}{a=1} }", Ok("1")),
        ("${extract{a}{a=1}  {y} }", Ok("y")),
        ("[${extract{a}{a=1}{$value}}$value]", Ok("[1]")),
    ];

    /// Cases whose junk after the arguments is only seen by this item when
    /// the evaluator hands it items with a parse error.
    const TAIL_CASES: &[(&str, Result<&str, &str>)] = &[
        (
            "${extract{a}{b}{c}{d}{e}}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is '{e}}'",
            ),
        ),
        (
            "${extract{a}{a=1}{y}fail-}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is '-}'",
            ),
        ),
        (
            "${extract{b}{a=1}{y}fail-}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}' after forcedfail\n remaining string is '-}'",
            ),
        ),
        (
            "${extract{b}{a=1}{y}failx}",
            Err("syntax error in \"extract\" item - \"fail\" expected"),
        ),
        (
            "${extract{b}{a=1}{y}-}",
            Err("syntax error in \"extract\" item - \"fail\" expected"),
        ),
        (
            "${extract{a}{a=1}{y}{n}x}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is 'x}'",
            ),
        ),
        (
            "${extract{a}{a=1}x}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: 'yes' part did not start with '{'\n remaining string is 'x}'",
            ),
        ),
        (
            "${extract{a}{a=1}{y}fail x}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is 'x}'",
            ),
        ),
        (
            "${extract{b}{a=1}{y}fail x}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}' after forcedfail\n remaining string is 'x}'",
            ),
        ),
        (
            "${extract{a}{a=1}fail x}",
            Err(
                "curly-bracket problem in conditional yes/no parsing: 'yes' part did not start with '{'\n remaining string is 'fail x}'",
            ),
        ),
        (
            "${extract{a}{a=1}{y}fail",
            Err(
                "curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is ''",
            ),
        ),
    ];

    use crate::testutil::mismatches as check;

    #[test]
    fn extract_matches_exim() {
        let bad = check(CASES);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn extract_tail_errors_match_exim() {
        let bad = check(TAIL_CASES);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(super::field_number(b"-"), Some(0));
        assert_eq!(super::field_number(b"+2"), None);
        assert_eq!(super::field_number(b"99999999999"), Some(1215752191));
        assert_eq!(
            crate::lists::dewrap(b" [1,[2]] x", b'[', b']'),
            Ok(&b"1,[2]"[..])
        );
        assert_eq!(crate::lists::dewrap(b"x", b'[', b']'), Err(b'['));
        assert_eq!(crate::lists::dewrap(b"\"a\\", b'"', b'"'), Err(b'"'));
        assert_eq!(super::gettokened(i32::MIN, b":", b"a"), None);
    }
}
