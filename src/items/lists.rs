//! List items: `map`, `filter`, `reduce`, `sort`, `listextract`, `listquote`.

use crate::eval::{ErrorKind, Evaluator, ExpandError, Failure, Value};
use crate::lists::{ListIter, is_space};
use crate::numeric::parse_integer;
use crate::parser::Grammar;
use crate::parser::{Arg, ItemNode, Seq, Span};

fn arg_seq(item: &ItemNode, i: usize) -> Option<&Seq> {
    match item.args.get(i) {
        Some(Arg::Seq(s)) => Some(s),
        _ => None,
    }
}

/// The parse error recorded for an item read in part (or a generic one).
fn parse_error(ev: &mut Evaluator, item: &ItemNode) -> Result<(), ExpandError> {
    match &item.error {
        Some(e) => Err((**e).clone()),
        None => ev.incomplete_item(item, false),
    }
}

/// Appends one element to a list being built by `map`/`filter`: the
/// separator is doubled inside it, and an empty element or one starting
/// with the separator gets a leading space unless it is the first.
fn push_element(list: &mut Vec<u8>, elem: &[u8], sep: u8, first: bool) {
    if !first {
        list.push(sep);
        if elem.first().is_none_or(|&c| c == sep) {
            list.push(b' ');
        }
    }
    for &c in elem {
        if c == sep {
            list.push(sep);
        }
        list.push(c);
    }
}

/// `map{list}{expr}`, `filter{list}{cond}`, `reduce{list}{init}{expr}`.
pub fn map_like(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let name = item.name;
    let is_reduce = name == "reduce";
    let saved_item = ev.item.clone();
    let saved_value = ev.value.clone();

    let Some(list_seq) = arg_seq(item, 0) else {
        return parse_error(ev, item);
    };
    let list = ev.seq(list_seq, skip)?;
    let mut next = 1;
    if is_reduce {
        let Some(init) = arg_seq(item, 1) else {
            return parse_error(ev, item);
        };
        let value = ev.seq(init, skip)?;
        // 4.96 sets $value even when skipping (to what the skipped text
        // expands to) and leaves it set: `${reduce{}{x}{${reduce{a}{i}{}}}}`
        // gives `i`.
        ev.value = Some(value);
        next = 2;
    }
    let body = item.args.get(next);
    // Built only when it is needed: an error is rare, a format costs.
    let inside_item = |e: ExpandError| e.with_suffix(&format!(" inside \"{name}\" item"));
    // First pass: walk the body without computing, to check its syntax
    // even when the list is empty.
    match body {
        Some(Arg::Seq(s)) => {
            ev.seq(s, true).map_err(inside_item)?;
        }
        Some(Arg::Cond(c)) => {
            ev.cond(c, true).map_err(inside_item)?;
        }
        _ => return parse_error(ev, item),
    }
    if let Some(e) = &item.error {
        return Err((**e).clone());
    }
    if skip {
        return Ok(());
    }

    let mut iter = ListIter::new(&list.bytes);
    let sep = iter.separator();
    let mut built: Vec<u8> = Vec::new();
    let mut tainted = list.tainted;
    let mut count = 0usize;
    while let Some(elem) = iter.next_cow() {
        ev.set_item(&elem, list.tainted);
        match body {
            Some(Arg::Cond(c)) => match ev.cond(c, false) {
                Ok(true) => {
                    push_element(&mut built, &elem, sep, count == 0);
                    count += 1;
                }
                Ok(false) => {}
                Err(e) => {
                    ev.item = saved_item;
                    ev.value = saved_value;
                    return Err(e.with_suffix(&format!(" inside \"{name}\" condition")));
                }
            },
            Some(Arg::Seq(s)) => match ev.seq(s, false) {
                Ok(v) => {
                    if is_reduce {
                        ev.value = Some(v);
                    } else {
                        tainted |= v.tainted;
                        push_element(&mut built, &v.bytes, sep, count == 0);
                        count += 1;
                    }
                }
                Err(e) => {
                    ev.item = saved_item;
                    return Err(inside_item(e));
                }
            },
            _ => {}
        }
    }
    if is_reduce {
        if let Some(v) = ev.value.take() {
            out.push(&v);
        }
        ev.value = saved_value;
    } else {
        out.push(&Value {
            bytes: built,
            tainted,
        });
    }
    ev.item = saved_item;
    Ok(())
}

/// Sort comparators.
#[derive(Clone, Copy, Debug)]
enum SortCmp {
    NumLt,
    NumLe,
    NumGt,
    NumGe,
    /// String comparison: the ordering that sorts before, caseless, and
    /// whether equality counts.
    Str {
        less: bool,
        caseless: bool,
        or_equal: bool,
    },
}

/// Exim's `identify_operator` restricted to what `sort` accepts.
fn sort_comparator(ev: &Evaluator, cmp: &[u8]) -> Result<SortCmp, Vec<u8>> {
    let cmp = &cmp[..cmp.iter().position(|&c| c == 0).unwrap_or(cmp.len())];
    let name: &[u8] = match cmp.first() {
        Some(b'=' | b'<' | b'>') => {
            if cmp.get(1) == Some(&b'=') {
                &cmp[..2]
            } else {
                &cmp[..1]
            }
        }
        _ => {
            let n = cmp
                .iter()
                .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
                .unwrap_or(cmp.len());
            &cmp[..n]
        }
    };
    if name.is_empty() {
        let mut m = b"condition name expected, but found \"".to_vec();
        m.extend_from_slice(&cmp[..cmp.len().min(16)]);
        m.push(b'"');
        return Err(m);
    }
    let s = |less, caseless, or_equal| SortCmp::Str {
        less,
        caseless,
        or_equal,
    };
    Ok(match name {
        b"<" => SortCmp::NumLt,
        b"<=" => SortCmp::NumLe,
        b">" => SortCmp::NumGt,
        b">=" => SortCmp::NumGe,
        b"lt" => s(true, false, false),
        b"lti" => s(true, true, false),
        b"le" => s(true, false, true),
        b"lei" => s(true, true, true),
        b"gt" => s(false, false, false),
        b"gti" => s(false, true, false),
        b"ge" => s(false, false, true),
        b"gei" => s(false, true, true),
        _ if ev.registry().condition(name).is_some() => {
            return Err(b"comparator not handled for sort".to_vec());
        }
        // Exim leaves its (empty) message as it was.
        _ => return Err(Vec::new()),
    })
}

/// Exim's `sortsbefore`: whether the new key sorts before a list key.
/// Numbers that do not parse never sort before anything.
fn sorts_before(cmp: SortCmp, left: &[u8], right: &[u8]) -> bool {
    let num =
        |f: fn(i64, i64) -> bool| match (parse_integer(left, false), parse_integer(right, false)) {
            (Ok(l), Ok(r)) => f(l, r),
            _ => false,
        };
    match cmp {
        SortCmp::NumLt => num(|l, r| l < r),
        SortCmp::NumLe => num(|l, r| l <= r),
        SortCmp::NumGt => num(|l, r| l > r),
        SortCmp::NumGe => num(|l, r| l >= r),
        SortCmp::Str {
            less,
            caseless,
            or_equal,
        } => {
            let ord = if caseless {
                crate::conditions::strcmpic(left, right)
            } else {
                left.cmp(right)
            };
            match ord {
                std::cmp::Ordering::Equal => or_equal,
                std::cmp::Ordering::Less => less,
                std::cmp::Ordering::Greater => !less,
            }
        }
    }
}

/// Exim's `string_append_listele`: separator between elements (none while
/// the list is still empty), separators inside the element doubled.
fn append_listele(list: &mut Vec<u8>, sep: u8, elem: &[u8]) {
    if !list.is_empty() {
        list.push(sep);
    }
    for &c in elem {
        if c == sep {
            list.push(sep);
        }
        list.push(c);
    }
}

/// `sort{list}{comparator}{extractor}`.
pub fn sort(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let Some(list_seq) = arg_seq(item, 0) else {
        return parse_error(ev, item);
    };
    let list = ev.seq(list_seq, skip)?;
    let cmp = match item.args.get(1) {
        Some(Arg::Raw { bytes, .. }) => {
            sort_comparator(ev, bytes).map_err(|m| ExpandError::failed(m, item.span))?
        }
        Some(Arg::Seq(s)) => {
            ev.seq(s, skip)?;
            return parse_error(ev, item);
        }
        _ => return parse_error(ev, item),
    };
    let Some(extractor) = arg_seq(item, 2) else {
        return parse_error(ev, item);
    };
    ev.seq(extractor, true)?;
    if let Some(e) = &item.error {
        return Err((**e).clone());
    }
    if skip {
        return Ok(());
    }
    let field_error = |ev: &Evaluator| {
        let mut m = b"field-extract in sort: \"".to_vec();
        if let Some(src) = ev.source.get(extractor.span.range()) {
            m.extend_from_slice(src);
        }
        m.push(b'"');
        ExpandError::failed(m, extractor.span)
    };

    let saved_item = ev.item.clone();
    let iter = ListIter::new(&list.bytes);
    let sep = iter.separator();
    let mut entries: Vec<Entry> = Vec::new();
    for src in iter {
        ev.set_item(&src, list.tainted);
        let key = match ev.seq(extractor, false) {
            Ok(v) if !v.bytes.is_empty() => v.bytes,
            // A budget or the policy stopped the extractor: say so.
            Err(e) if matches!(e.kind, ErrorKind::Limit | ErrorKind::Refused) => return Err(e),
            _ => return Err(field_error(ev)),
        };
        entries.push((src, key));
    }
    ev.item = saved_item;
    let sorted = if survives_relisting(&entries, sep, cmp) {
        sort_ordered(&entries, cmp, sep)
    } else {
        sort_as_exim(&entries, cmp, sep, item.span, &mut || {
            ev.check_time(item.span)
        })?
    };
    out.push(&Value {
        bytes: sorted,
        tainted: list.tainted,
    });
    Ok(())
}

/// A list element and its sort key.
type Entry = (Vec<u8>, Vec<u8>);

/// Exim keeps the sorted elements and their keys as list strings, re-read at
/// every insertion.  When every element and key reads back unchanged (also
/// after another element) and the comparator is a total order on the keys,
/// that insertion sort is an ordinary sort, and [`sort_ordered`] gives the
/// same list in O(n log n).
fn survives_relisting(entries: &[Entry], sep: u8, cmp: SortCmp) -> bool {
    let relisted = |s: &[u8]| {
        // After another element, a leading separator joins up with the one
        // between them (`b` then `:0` is `b:::0`, read back as `b:` and `0`).
        if s.first() == Some(&sep) {
            return false;
        }
        let mut one = Vec::new();
        append_listele(&mut one, sep, s);
        let mut it = ListIter::with_sep(&one, sep);
        it.next().is_some_and(|e| e == s) && it.next().is_none()
    };
    let numeric = !matches!(cmp, SortCmp::Str { .. });
    let all_relisted = entries
        .iter()
        .all(|(e, k)| relisted(e) && relisted(k) && (!numeric || parse_integer(k, false).is_ok()));
    let caseless = matches!(cmp, SortCmp::Str { caseless: true, .. });
    all_relisted && (!caseless || !any_caseless_prefix(entries.iter().map(|(_, k)| &k[..])))
}

/// Exim's `strcmpic` says a string is greater than any longer string that
/// starts with it, whichever comes first, so it is no order on such keys.
/// Sorted, a key that is a proper prefix of another is followed by one.
fn any_caseless_prefix<'a>(keys: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut lower: Vec<Vec<u8>> = keys.map(|k| k.to_ascii_lowercase()).collect();
    lower.sort_unstable();
    lower.dedup();
    lower.windows(2).any(|w| w[1].starts_with(&w[0]))
}

/// The order Exim's insertion produces: a new element goes before the first
/// one it sorts before, so for the strict comparators (`<`, `lt`, `>`, ...)
/// equal keys keep their order, and for the `or_equal` ones (`<=`, `le`, ...)
/// they end up reversed.
fn sort_ordered(entries: &[Entry], cmp: SortCmp, sep: u8) -> Vec<u8> {
    use std::cmp::Ordering;
    let (ascending, or_equal) = match cmp {
        SortCmp::NumLt => (true, false),
        SortCmp::NumLe => (true, true),
        SortCmp::NumGt => (false, false),
        SortCmp::NumGe => (false, true),
        SortCmp::Str { less, or_equal, .. } => (less, or_equal),
    };
    // Numeric keys are read once (survives_relisting checked they parse).
    let numbers: Vec<i64> = match cmp {
        SortCmp::Str { .. } => Vec::new(),
        _ => entries
            .iter()
            .map(|(_, k)| parse_integer(k, false).unwrap_or_default())
            .collect(),
    };
    let order = |a: usize, b: usize| -> Ordering {
        match cmp {
            SortCmp::Str { caseless: true, .. } => {
                crate::conditions::strcmpic(&entries[a].1, &entries[b].1)
            }
            SortCmp::Str { .. } => entries[a].1.cmp(&entries[b].1),
            _ => numbers[a].cmp(&numbers[b]),
        }
    };
    let mut indexes: Vec<usize> = (0..entries.len()).collect();
    indexes.sort_by(|&a, &b| {
        let by_key = if ascending { order(a, b) } else { order(b, a) };
        by_key.then(if or_equal { b.cmp(&a) } else { a.cmp(&b) })
    });
    let mut dst = Vec::new();
    for e in indexes.iter().map(|&i| &entries[i].0) {
        append_listele(&mut dst, sep, e);
    }
    dst
}

/// Exim's own insertion sort over list strings, for the lists whose elements
/// or keys change when re-read (empty ones, white space) or whose keys are
/// not all numbers for a numeric comparator.  Quadratic, like Exim's; the
/// time budget bounds it.
fn sort_as_exim(
    entries: &[Entry],
    cmp: SortCmp,
    sep: u8,
    span: Span,
    check_time: &mut dyn FnMut() -> Result<(), ExpandError>,
) -> Result<Vec<u8>, ExpandError> {
    let mut dst: Vec<u8> = Vec::new();
    let mut dst_keys: Vec<u8> = Vec::new();
    for (src, key) in entries {
        check_time()?;
        let mut new_list = Vec::new();
        let mut new_keys = Vec::new();
        let mut pending = true;
        let mut keys = ListIter::with_sep(&dst_keys, sep);
        for d in ListIter::with_sep(&dst, sep) {
            let Some(k) = keys.next() else {
                return Err(ExpandError::failed(
                    "Internal error in sort (list mismatch)",
                    span,
                ));
            };
            if pending && sorts_before(cmp, key, &k) {
                append_listele(&mut new_list, sep, src);
                append_listele(&mut new_keys, sep, key);
                pending = false;
            }
            append_listele(&mut new_list, sep, &d);
            append_listele(&mut new_keys, sep, &k);
        }
        if pending {
            append_listele(&mut new_list, sep, src);
            append_listele(&mut new_keys, sep, key);
        }
        if new_list.is_empty() {
            // Exim 4.96 dereferences a null list here and dies.
            return Err(ExpandError::failed(
                "sort: an empty first element crashes Exim 4.96",
                span,
            ));
        }
        dst = new_list;
        dst_keys = new_keys;
    }
    Ok(dst)
}

/// Exim's `expand_getlistele`: 1-based, negative from the end.  The count
/// is done in C `int` arithmetic; a negative index beyond the start ends up
/// selecting the first element, as in Exim.
fn list_element(field: i32, list: &[u8]) -> Option<Vec<u8>> {
    let mut field = field;
    if field < 0 {
        field = field.wrapping_add(1);
        for _ in ListIter::new(list) {
            field = field.wrapping_add(1);
        }
    }
    if field == 0 {
        return None;
    }
    let mut it = ListIter::new(list);
    let mut first = true;
    loop {
        field = field.wrapping_sub(1);
        if field <= 0 {
            break;
        }
        if it.next().is_none() {
            // A list that is nothing but a separator change `<X` has no
            // elements, but Exim keeps the new separator without moving
            // past the `<`: its final read then sees `<` as an element.
            return match (first, separator_prefix(list)) {
                (true, Some(sep)) => ListIter::with_sep(list, sep).next(),
                _ => None,
            };
        }
        first = false;
    }
    it.next()
}

/// The separator set by a leading `<X` (after white space), if any.
fn separator_prefix(list: &[u8]) -> Option<u8> {
    let p = list.iter().position(|&c| !is_space(c))?;
    match (list.get(p), list.get(p + 1)) {
        (Some(b'<'), Some(&c)) if c.is_ascii_punctuation() || c.is_ascii_control() => Some(c),
        _ => None,
    }
}

/// `listextract{n}{list}` with the yes/no tail.
pub fn listextract(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    ev.scoped(|ev| {
        let saved = ev.value.clone();
        let Some(a0) = arg_seq(item, 0) else {
            return parse_error(ev, item);
        };
        let v0 = ev.seq(a0, skip)?;
        // While skipping, v0 holds what 4.96's skipping expansion yields.
        let text = v0.bytes;
        let s = text
            .iter()
            .position(|&c| !is_space(c))
            .unwrap_or(text.len());
        let e = text
            .iter()
            .rposition(|&c| !is_space(c))
            .map_or(s, |i| i + 1);
        let p = &text[s..e.max(s)];
        if p.is_empty() && !skip {
            return Err(ExpandError::failed(
                "first argument of \"listextract\" must not be empty",
                item.span,
            ));
        }
        let (sign, digits) = match p.split_first() {
            Some((b'-', rest)) => (-1i32, rest),
            _ => (1, p),
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(ExpandError::failed(
                "first argument of \"listextract\" must be numeric",
                item.span,
            ));
        }
        let x = digits.iter().fold(0i32, |x, &d| {
            x.wrapping_mul(10).wrapping_add(i32::from(d - b'0'))
        });
        let field = sign.wrapping_mul(x);
        let Some(a1) = arg_seq(item, 1) else {
            return parse_error(ev, item);
        };
        let list = ev.seq(a1, skip)?;
        if item.yesno.is_none() {
            return parse_error(ev, item);
        }
        let found = if skip {
            None
        } else {
            list_element(field, &list.bytes)
        };
        let yes = found.is_some();
        ev.value = found.map(|b| Value {
            bytes: b,
            tainted: list.tainted,
        });
        ev.yes_no(item, yes, skip, saved, out)
    })
}

/// `listquote{sep}{string}`: doubles the separator; an empty string
/// becomes a single space.
pub fn listquote(_ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    // Exim 4.96 quotes even while skipping (see `tr`).
    let (Some(sep), Some(text)) = (vals.first(), vals.get(1)) else {
        return Err(super::unread());
    };
    out.push(&Value {
        bytes: quote(sep.bytes.first().copied(), &text.bytes),
        tainted: text.tainted,
    });
    Ok(out)
}

/// `listquote`'s work: `sep` doubled, an empty string becomes a space.
pub(crate) fn quote(sep: Option<u8>, text: &[u8]) -> Vec<u8> {
    if text.is_empty() {
        return b" ".to_vec();
    }
    let mut r = Vec::with_capacity(text.len() + 1);
    for &c in text {
        if Some(c) == sep {
            r.push(c);
        }
        r.push(c);
    }
    r
}

#[cfg(test)]
mod tests {

    use crate::testutil::mismatches as check;

    /// (expression, Ok(output) | Err(message)) from Debian Exim 4.96.
    const MAP_FILTER_REDUCE: &[(&str, Result<&str, &str>)] = &[
        ("${map{}{<$item>}}", Ok("")),
        ("${map{a::b}{<$item>}}", Ok("<a::b>")),
        ("${map{a: :b}{<$item>}}", Ok("<a>:<>:<b>")),
        ("${map{a:b:}{<$item>}}", Ok("<a>:<b>")),
        ("${map{:a}{<$item>}}", Ok("<>:<a>")),
        ("${map{a:b}{}}", Ok(": ")),
        ("${map{a:b:c}{x:$item}}", Ok("x::a:x::b:x::c")),
        ("${map{a:b}{$item:}}", Ok("a:::b::")),
        ("${map{a:b}{:$item}}", Ok("::a: ::b")),
        ("${map{<;a;b}{$item;}}", Ok("a;;;b;;")),
        ("${map{<;a;b}{x:y}}", Ok("x:y;x:y")),
        ("${map{<, a,b}{$item}}", Ok("a,b")),
        ("${map{< ,a,b}{[$item]}}", Ok("[< ,a,b]")),
        ("${map{<\\ta\\tb}{[$item]}}", Ok("[a]\t[b]")),
        ("${map{<\\x01a\\x01b}{[$item]}}", Ok("[a]\x01[b]")),
        ("${map{<<a<b}{[$item]}}", Ok("[a]<[b]")),
        ("${map{${listquote{:}{a:b}}:c}{[$item]}}", Ok("[a::b]:[c]")),
        ("${map{a:b}{$value}}", Ok(": ")),
        ("${map{a:b}{${if eq{$item}{a}{A}{$item}}}}", Ok("A:b")),
        ("${map{a:b}{${map{1:2}{$item}}}}", Ok("1::2:1::2")),
        (
            "${map{a:b}{${nosuchop:$item}}}",
            Err("unknown expansion operator \"nosuchop\" inside \"map\" item"),
        ),
        ("${map{a:b}}", Err("missing '{' for last arg of map")),
        ("${map{a\\:b}{[$item]}}", Ok("[a]:[b]")),
        ("${map{\\N:\\N}{[$item]}}", Ok("[]")),
        ("${map{a:b}{${extract{1}{,}{$item}}}}", Ok("a:b")),
        (
            "${map{<\\n a\\n\\nb\\nc}{'$item'}}",
            Ok("'a'\n''\n'b'\n'c'"),
        ),
        ("${map{ :a}{[$item]}}", Ok("[]:[a]")),
        ("${map{a\\t:\\tb}{[$item]}}", Ok("[a]:[b]")),
        ("${map{a\\n:\\nb}{[$item]}}", Ok("[a]:[b]")),
        ("${map{a:b:c}{:$item:}}", Ok("::a::: ::b::: ::c::")),
        (
            "${if eq{1}{0}{${map{a:b:c}{:$item:}}}{fail string}}",
            Ok("fail string"),
        ),
        ("${map{:b:c}{[$item]}}", Ok("[]:[b]:[c]")),
        ("${map}", Err("missing '{' for first arg of map")),
        ("${map{a}}", Err("missing '{' for last arg of map")),
        ("${map{a}{b}{c}}", Err("missing } at end of \"map\"")),
        (
            "${map{a}{x",
            Err("missing } at end of string inside \"map\" item"),
        ),
        (
            "${map{a}{${if eq{a}{b}{${sort{a}{<}{${nosuch}}}}}}}",
            Err("unknown variable in \"${nosuch}\" inside \"map\" item"),
        ),
        ("[${map{a:b}{$item}}$item]", Ok("[a:b]")),
        (
            "${filter{a: :c}{true}}",
            Err("unknown condition \"true\" inside \"filter\" item"),
        ),
        ("${filter{a:b}{bool{yes}}}", Ok("a:b")),
        (
            "${filter{a:b}{bogus}}",
            Err("unknown condition \"bogus\" inside \"filter\" item"),
        ),
        (
            "${filter{a}{b}}",
            Err("unknown condition \"b\" inside \"filter\" item"),
        ),
        (
            "${filter{a:b}{eq{$item}{a}}{x}}",
            Err("missing } at end of \"filter\""),
        ),
        ("${filter{<;a;b;;c}{!eq{$item}{b}}}", Ok("a;b;;c")),
        ("${filter{<;a:1;b:2}{match{$item}{1}}}", Ok("a:1")),
        ("${filter{1:2:3:4}{>{$item}{2}}}", Ok("3:4")),
        ("${filter{a:b}{inlist{$item}{b:c}}}[$value]", Ok("b[b]")),
        ("${filter{a:b:c}{!eq{$item}{b}}}", Ok("a:c")),
        ("${filter{<' a'b'c}{!eq{$item}{b}}}", Ok("a'c")),
        ("${filter{<' ''a'b' ''c}{!eq{$item}{b}}}", Ok("''a' ''c")),
        ("\"${filter{}{!eq{$item}{b}}}\"", Ok("\"\"")),
        ("${filter {E} {inlisti{$item}{ e }}}", Ok("E")),
        ("${reduce{a:b:c}{+}{$value$item}}", Ok("+abc")),
        (
            "${reduce{}{x}{${reduce{<,c, a }{i}{${if eq{$item}{a}{}{$item}}}}}}",
            Ok("i"),
        ),
        (
            "${reduce{<,}{0}{${reduce{<||9|10|Ab}{i}{${tr{$item}{ab}{AB}}}}}}",
            Ok("i"),
        ),
        ("${reduce{}{init}{$value$item}}", Ok("init")),
        ("${reduce{a:b}{x}{$value}}", Ok("x")),
        (
            "${reduce{a:b}{x}}",
            Err("missing '{' for last arg of reduce"),
        ),
        ("${reduce{<;a;b}{}{$value;$item}}", Ok(";a;b")),
        ("${reduce{a:b}{x}{$value}}[$value]", Ok("x[]")),
        (
            "${reduce {3:0:9:4:6}{0}{${if >{$item}{$value}{$item}{$value}}}}",
            Ok("9"),
        ),
        (
            "${reduce {b}{a aaa}{${extract{1}{ }{$value}} , $item}}",
            Ok("a , b"),
        ),
        (
            "${map{a,1:b,2:c,3}{${extract{1}{,}{$item}{$value}{}}}}",
            Ok("a:b:c"),
        ),
    ];

    /// Cases that need `${eval:}` (another helper's work).
    const WITH_EVAL: &[(&str, Result<&str, &str>)] = &[
        ("${reduce{1:2:3}{0}{${eval:$value+$item}}}", Ok("6")),
        ("${reduce {<, 1,2,3}{0}{${eval:$value+$item}}}", Ok("6")),
        (
            "${reduce {<n 1\\n2\\n3}{0}{${eval:$value+$item}}}",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"0+\") inside \"reduce\" item",
            ),
        ),
        (
            "${reduce {<\\n 1\\n2\\n3}{0}{${eval:$value+$item}}}",
            Ok("6"),
        ),
        (
            "${reduce {<\\x7f 1\\x7f2\\177 3}{0}{${eval:$value+$item}}}",
            Ok("6"),
        ),
    ];

    const SORT: &[(&str, Result<&str, &str>)] = &[
        // Duplicates and case variants under every kind of comparator: the
        // strict ones keep equal keys in order, the or-equal ones reverse them
        // (Exim 4.96 -be, checked for the O(n log n) sort).
        (r"${sort{b:a:B:A:b:a}{lt}{$item}}", Ok("A:B:a:a:b:b")),
        (r"${sort{b:a:B:A:b:a}{le}{$item}}", Ok("A:B:a:a:b:b")),
        (r"${sort{b:a:B:A:b:a}{lti}{$item}}", Ok("a:A:a:b:B:b")),
        (r"${sort{b:a:B:A:b:a}{lei}{$item}}", Ok("a:A:a:b:B:b")),
        (r"${sort{b:a:B:A:b:a}{gti}{$item}}", Ok("b:B:b:a:A:a")),
        (r"${sort{b:a:B:A:b:a}{gei}{$item}}", Ok("b:B:b:a:A:a")),
        (r"${sort{3:1:2:1:3}{<}{$item}}", Ok("1:1:2:3:3")),
        (r"${sort{3:1:2:01:3}{<=}{$item}}", Ok("01:1:2:3:3")),
        (r"${sort{3:1:2:01:3}{>=}{$item}}", Ok("3:3:2:01:1")),
        (r"${sort{3:1:2:01:3}{>}{$item}}", Ok("3:3:2:1:01")),
        (
            r"${sort{a1:b1:a2:b2:a3}{<}{${substr_1:$item}}}",
            Ok("a1:b1:a2:b2:a3"),
        ),
        (
            r"${sort{a1:b1:a2:b2:a3}{<=}{${substr_1:$item}}}",
            Ok("b1:a1:b2:a2:a3"),
        ),
        (r"${sort{ab:a:AB:A:abc}{lti}{$item}}", Ok("ab:a:AB:A:abc")),
        (r"${sort{ab:a:AB:A:abc}{gei}{$item}}", Ok("abc:A:AB:a:ab")),
        (r"${sort{1k:2:1m:-3}{<}{$item}}", Ok("-3:2:1k:1m")),
        (r"${sort{<; x;y ; z;a::b}{lt}{$item}}", Ok("a::b;x;y;z")),
        (r"${sort{b:a: c :d}{gt}{$item}}", Ok("d:c:b:a")),
        (r"${sort{x:y}{<}{$item}}", Ok("x:y")),
        (r"${sort{b:a:B:A:c}{lei}{$item}}", Ok("A:a:B:b:c")),
        (r"${sort{b:a:B:A:c}{lti}{$item}}", Ok("a:A:b:B:c")),
        (r"${sort{b:a:B:A:c}{gei}{$item}}", Ok("c:B:b:A:a")),
        (r"${sort{b:a:B:A:c}{gti}{$item}}", Ok("c:b:B:a:A")),
        ("${sort{c:a:b}{gt}{$item}}", Ok("c:b:a")),
        ("${sort{10:9:100}{<}{$item}}", Ok("9:10:100")),
        ("${sort{10:9:100}{lt}{$item}}", Ok("10:100:9")),
        ("${sort{a}{<}{$item}}", Ok("a")),
        (
            "${sort{a:b}{=}{$item}}",
            Err("comparator not handled for sort"),
        ),
        ("${sort{a:b}{bogus}{$item}}", Err("")),
        ("${if eq{a}{b}{${sort{a}{bogus}{$item}}}{n}}", Err("")),
        ("${sort{x:y}{<}{$item}}", Ok("x:y")),
        ("${sort{<, b,a}{lt}{$item}}", Ok("a,b")),
        ("${sort{b:a:}{lt}{$item}}", Ok("a:b")),
        (
            "${sort{a,2:b,1}{<}{${extract{2}{,}{$item}}}}",
            Ok("b,1:a,2"),
        ),
        (
            "${sort{a,2:b,1}{lt}{${extract{1}{,}{$item}}}}",
            Ok("a,2:b,1"),
        ),
        (
            "${sort{a:b}{lt}}",
            Err("missing '{' for extractor arg of sort"),
        ),
        ("${sort{a::b:c}{gt}{$item}}", Ok("c:a::b")),
        (
            "${sort{3:2:1}{<}{$item}{x}}",
            Err("missing } at end of \"sort\""),
        ),
        ("${sort{B:a:C}{gei}{$item}}", Ok("C:B:a")),
        ("${sort{ c : a : b }{lt}{$item}}", Ok("a:b:c")),
        ("${sort{c:a:b}{lt }{$item}}", Ok("a:b:c")),
        ("${sort}", Err("missing '{' for list arg of sort")),
        ("${sort{a}}", Err("missing '{' for comparator arg of sort")),
        ("${sort{a}{<}{}}", Err("field-extract in sort: \"\"")),
        ("${sort{3:2:1:4}{<}{$item}}", Ok("1:2:3:4")),
        ("${sort {<, 3,2,1,4}{>}{$item}}", Ok("4,3,2,1")),
        ("${sort{c:B:a:aa}{lti}{$item}}", Ok("a:aa:B:c")),
        (
            "${sort{666 r99.ex.com:10 smtp.ex.com:100 r2.ex.com}{<}{${sg {$item}{([0-9]*).*\\$}{\\$1}}}}",
            Ok("10 smtp.ex.com:100 r2.ex.com:666 r99.ex.com"),
        ),
        (
            "${sort{666,r99.ex.com:10,smtp.ex.com:100,r2.ex.com}{<}{${listextract{1}{<,$item}}}}",
            Ok("10,smtp.ex.com:100,r2.ex.com:666,r99.ex.com"),
        ),
        ("\"${sort{}{<}{$item}}\"", Ok("\"\"")),
        ("${sort{${sort{x:y}{<}{$item}}}{bogus}{$item}}", Err("")),
        (
            "${sort{a}{}{$item}}",
            Err("condition name expected, but found \"\""),
        ),
        (
            "${sort{a}{ lt}{$item}}",
            Err("condition name expected, but found \" lt\""),
        ),
        (
            "${sort{a}{!!!!!!!!!!!!!!!!!!!!!!!}{$item}}",
            Err("condition name expected, but found \"!!!!!!!!!!!!!!!!\""),
        ),
        (
            "${sort{a}{<}{${nosuch}}}",
            Err("unknown variable in \"${nosuch}\""),
        ),
        (
            "${sort{a}{<}{${if eq{a}{b}{}fail}}}",
            Err("field-extract in sort: \"${if eq{a}{b}{}fail}\""),
        ),
        ("${sort{a: :b}{<}{x}}", Ok("a:b")),
        ("${sort{a:b: }{<}{1}}", Ok("a:b")),
        (
            "${sort{b: :a}{lt}{$item}}",
            Err("field-extract in sort: \"$item\""),
        ),
        ("${sort{a:b}{<=}{1}}", Ok("b:a")),
        ("${sort{a:b}{<}{1}}", Ok("a:b")),
        ("${sort{b:a:c}{le}{$item}}", Ok("a:b:c")),
        ("[${sort{b:a}{lt}{$item}}$item]", Ok("[a:b]")),
        ("${sort{ab:a}{lti}{$item}}", Ok("ab:a")),
        ("${sort{ab:a}{lt}{$item}}", Ok("a:ab")),
        ("${sort{::0:b}{gti}{$item}}", Ok("b:::0")),
        ("${sort{::0:b:B}{gti}{$item}}", Ok("B:b:::0")),
        ("${sort{::0:b:B}{gti}{<$item>}}", Ok("b:::B:0")),
        ("${sort{::0:B}{gti}{$item}}", Ok("B:::0")),
        ("${sort{x::y:a}{lt}{$item}}", Ok("a:x::y")),
    ];

    const LISTEXTRACT_LISTQUOTE: &[(&str, Result<&str, &str>)] = &[
        ("${listextract{1}{a:b:c}}", Ok("a")),
        ("${listextract{2}{<;}{y}{n}}", Ok("y")),
        ("${listextract{2}{<|}{[$value]}}", Ok("[<]")),
        ("${listextract{2}{<, }{[$value]}}", Ok("[<]")),
        ("${listextract{5}{<|}{y}{n}}", Ok("y")),
        ("${listextract{1}{<|}{y}{n}}", Ok("n")),
        ("${listextract{-1}{<|}{y}{n}}", Ok("n")),
        ("${listextract{3}{a:b:c}}", Ok("c")),
        ("${listextract{4}{a:b:c}}", Ok("")),
        ("${listextract{-1}{a:b:c}}", Ok("c")),
        ("${listextract{-3}{a:b:c}}", Ok("a")),
        ("${listextract{-4}{a:b:c}}", Ok("")),
        ("${listextract{-5}{a:b:c}}", Ok("a")),
        ("${listextract{0}{a:b:c}}", Ok("")),
        ("${listextract{-}{a:b:c}}", Ok("")),
        ("${listextract{99999999999}{a:b:c}}", Ok("")),
        ("${listextract{ -1 }{a:b:c}}", Ok("c")),
        (
            "${listextract{1x}{a:b:c}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        ("${listextract{2}{<;a;b;c}}", Ok("b")),
        ("${listextract{2}{ a : b : c }}", Ok("b")),
        ("${listextract{5}{a:b}{[$value]}{none}}", Ok("none")),
        (
            "${listextract{5}{a:b}{y}fail}",
            Err("\"listextract\" failed and \"fail\" requested"),
        ),
        (
            "${listextract{}{a:b}}",
            Err("first argument of \"listextract\" must not be empty"),
        ),
        ("${listextract{2}{<, a,b,,c}}", Ok("b,c")),
        ("${listextract{3}{<, a,b,,c}}", Ok("")),
        ("${listextract{2}{<;a;b;c}{$value}{no}}", Ok("b")),
        ("${listextract{2}{a::b:c}}", Ok("c")),
        ("${listextract{-2}{<,a,b,c,d}{X${value}X}}", Ok("XcX")),
        ("${listextract{ 5}{a:b:c:d}{}{fail}}", Ok("fail")),
        (
            "${listextract{ 5}{a:b:c:d}{}fail}",
            Err("\"listextract\" failed and \"fail\" requested"),
        ),
        (
            "${listextract{1}}",
            Err("missing '{' for arg 2 of listextract"),
        ),
        (
            "${listextract{a}{b}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{x}{a}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        ("${if eq{a}{b}{${listextract{$tod_log}{a}}}{n}}", Ok("n")),
        ("${if eq{a}{b}{${listextract{${lc:x}}{a}}}{n}}", Ok("n")),
        (
            "${if eq{a}{b}{${listextract{${tr{x}{a}{b}}}{a}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{${if eq{a}{a}{x}}}{a}}}{n}}",
            Ok("n"),
        ),
        ("${if eq{a}{b}{${listextract{\\x}{a}}}{n}}", Ok("n")),
        (
            "${if eq{a}{b}{${listextract{\\N x\\N}{a}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        ("${if eq{a}{b}{${listextract{ }{a}}}{n}}", Ok("n")),
        ("[${listextract{1}{a}}$value]", Ok("[a]")),
        (
            "${if match{a}{(a)}{${if eq{a}{b}{${listextract{$1}{x}}}{n}}}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{${listquote{:}{a}}}{x}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{${env{HOME}{y}{z}}}{x}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{${extract{a}{b}{y}{z}}}{x}}}{n}}",
            Ok("n"),
        ),
        (
            "${if eq{a}{b}{${listextract{${if eq{a}{a}{y}{z}}}{x}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{\\$x}{x}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{${tr{a}{a}{1}}}{x}}}{n}}",
            Ok("n"),
        ),
        (
            "${if eq{a}{b}{${listextract{${sg{a}{a}{\\$0}}}{x}}}{n}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${if eq{a}{b}{${listextract{${sg{a}{a}{1}}}{x}}}{n}}",
            Ok("n"),
        ),
        (
            "${if eq{a}{b}{${listextract{${map{a}{b}}}{x}}}{n}}",
            Ok("n"),
        ),
        ("${listquote{:}{}}", Ok(" ")),
        ("${listquote{ab}{a:b}}", Ok("aa:b")),
        ("${listquote{:}{::}}", Ok("::::")),
        ("${listquote{,}{a,b,,c}}", Ok("a,,b,,,,c")),
        (
            "${listquote{:}}",
            Err("Not enough arguments for 'listquote' (min is 2)"),
        ),
        (
            "${listquote{:}{x}{y}}",
            Err("Too many arguments for 'listquote' (max is 2)"),
        ),
        ("${listquote{:}{abcd}}", Ok("abcd")),
        ("${listquote{:}{:a:b:c:d:}}", Ok("::a::b::c::d::")),
        ("${listquote{;}{ab:cd}}", Ok("ab:cd")),
        ("${listquote{ }{ ab cd}}", Ok("  ab  cd")),
        ("${listquote{}{a:b}}", Ok("a:b")),
        ("${if eq{a}{b}{${listquote{:}{a}}}{n}}", Ok("n")),
    ];

    /// Parse errors that Exim only reports after checks these items make
    /// first (the comparator, listextract's number, the skipped body).
    const AFTER_PARSE_ERROR: &[(&str, Result<&str, &str>)] = &[
        ("${sort{a:b}{bogus}}", Err("")),
        ("${sort{a:b}{bogus}{$item}x}", Err("")),
        (
            "${sort{a:b}{lt}{${if eq{$item}{a}{}fail}}x}",
            Err("missing } at end of \"sort\""),
        ),
        (
            "${listextract{a}}",
            Err("first argument of \"listextract\" must be numeric"),
        ),
        (
            "${map{a}{${if eq{$item}{a}{}fail}}{c}}",
            Err("missing } at end of \"map\""),
        ),
        (
            "${reduce{a}{x}{${if eq{$item}{a}{}fail}}{c}}",
            Err("missing } at end of \"reduce\""),
        ),
        (
            "${filter{a}{eq{$item}{a}}x}",
            Err("missing } at end of \"filter\""),
        ),
    ];

    #[test]
    fn checks_before_parse_errors_match_exim() {
        let bad = check(AFTER_PARSE_ERROR);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn map_filter_reduce_match_exim() {
        let bad = check(MAP_FILTER_REDUCE);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn reduce_with_eval_matches_exim() {
        let bad = check(WITH_EVAL);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn sort_matches_exim() {
        let bad = check(SORT);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    /// The O(n log n) sort gives what Exim's insertion sort over list strings
    /// gives, on random lists with duplicates, case variants, numbers, white
    /// space, empty elements and separators inside elements.
    #[test]
    fn fast_sort_agrees_with_exims_insertion_sort() {
        use super::{SortCmp, sort_as_exim, sort_ordered, survives_relisting};
        use crate::parser::Span;
        let atoms: &[&[u8]] = &[
            b"a",
            b"B",
            b"b",
            b"A",
            b"ab",
            b"1",
            b"-2",
            b"10",
            b"02",
            b" c",
            b"",
            b":x",
            b"x:",
            b"::",
            b"9999999999",
        ];
        let cmps = [
            SortCmp::NumLt,
            SortCmp::NumLe,
            SortCmp::NumGt,
            SortCmp::NumGe,
        ]
        .into_iter()
        .chain([false, true].into_iter().flat_map(|less| {
            [(false, false), (false, true), (true, false), (true, true)].map(
                |(caseless, or_equal)| SortCmp::Str {
                    less,
                    caseless,
                    or_equal,
                },
            )
        }));
        let cmps: Vec<SortCmp> = cmps.collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut fast, mut total) = (0, 0);
        for _ in 0..20_000 {
            let len = 1 + next(12);
            let entries: Vec<(Vec<u8>, Vec<u8>)> = (0..len)
                .map(|_| {
                    let e = atoms[next(atoms.len())].to_vec();
                    let k = if next(3) == 0 {
                        atoms[next(atoms.len())].to_vec()
                    } else {
                        e.clone()
                    };
                    (e, k)
                })
                .filter(|(_, k)| !k.is_empty())
                .collect();
            let cmp = cmps[next(cmps.len())];
            total += 1;
            if !survives_relisting(&entries, b':', cmp) {
                continue;
            }
            fast += 1;
            let want = sort_as_exim(&entries, cmp, b':', Span::default(), &mut || Ok(()));
            let got = sort_ordered(&entries, cmp, b':');
            assert_eq!(Ok(got), want, "{entries:?} {cmp:?}");
        }
        assert!(
            fast > total / 10,
            "only {fast} of {total} took the fast path"
        );
    }

    #[test]
    fn listextract_and_listquote_match_exim() {
        let bad = check(LISTEXTRACT_LISTQUOTE);
        assert!(
            bad.is_empty(),
            "{} failures:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn list_elements() {
        use super::list_element;
        let l = b"a:b:c";
        assert_eq!(list_element(1, l), Some(b"a".to_vec()));
        assert_eq!(list_element(-1, l), Some(b"c".to_vec()));
        assert_eq!(list_element(-4, l), None);
        assert_eq!(list_element(-5, l), Some(b"a".to_vec()));
        assert_eq!(list_element(i32::MIN, l), Some(b"a".to_vec()));
        assert_eq!(list_element(i32::MAX, l), None);
    }
}
