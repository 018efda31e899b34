//! List operators: `listcount`, `listnamed[_d|_h|_a|_l]`.

use super::{OpResult, msg};
use crate::eval::{Evaluator, ListKind, Value};
use crate::lists::{ListIter, is_space};

/// `${listcount:}`: the number of elements.
pub fn listcount(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(ListIter::new(&input.bytes)
        .count()
        .to_string()
        .into_bytes()
        .into())
}

/// Exim reads named-list elements into a 256-byte buffer: longer elements
/// are cut to 255 bytes, then all trailing white space is removed.
fn buffered_element(mut e: Vec<u8>) -> Vec<u8> {
    e.truncate(255);
    while e.last().is_some_and(|&c| is_space(c)) {
        e.pop();
    }
    e
}

/// How deeply `+name` references inside named lists are followed (Exim
/// recurses without limit and overflows its stack on a cycle).
const MAX_NESTING: usize = 50;

/// Appends the named list `name` (a leading `+` ignored), re-quoted as a
/// ` : `-separated list, to `out`.
fn expand_listnamed(
    ev: &Evaluator,
    out: &mut Vec<u8>,
    name: &[u8],
    kind: Option<ListKind>,
    depth: usize,
) -> Result<(), Vec<u8>> {
    let name = name.strip_prefix(b"+").unwrap_or(name);
    let key = String::from_utf8_lossy(name).into_owned();
    let list = match kind {
        Some(k) => ev.ctx.named_list(k, &key),
        None => [
            ListKind::Address,
            ListKind::Domain,
            ListKind::Host,
            ListKind::LocalPart,
        ]
        .iter()
        .find_map(|&k| ev.ctx.named_list(k, &key)),
    };
    let Some(list) = list else {
        let what: &[u8] = match kind {
            None => b"",
            Some(ListKind::Address) => b"address ",
            Some(ListKind::Domain) => b"domain ",
            Some(ListKind::Host) => b"host ",
            Some(ListKind::LocalPart) => b"localpart ",
        };
        return Err(msg(&[b"\"", name, b"\" is not a ", what, b"named list"]));
    };
    if depth >= MAX_NESTING {
        return Err(msg(&[b"named list \"", name, b"\" is nested too deeply"]));
    }
    let list = list.as_bytes().to_vec();
    let mut iter = ListIter::new(&list);
    let sep = iter.separator();
    let mut first = true;
    for item in iter.by_ref() {
        let item = buffered_element(item);
        if !first {
            out.extend_from_slice(b" : ");
        }
        first = false;
        if item.first() == Some(&b'+') {
            expand_listnamed(ev, out, &item, kind, depth + 1)?;
        } else if sep != b':' {
            // Re-quote for a colon-separated list: double colons; a
            // (literal) separator character is written once.
            let mut i = 0;
            while i < item.len() {
                let c = item[i];
                i += 1;
                if c == b':' {
                    out.extend_from_slice(b"::");
                } else if c == sep {
                    out.push(sep);
                    if item.get(i) == Some(&sep) {
                        i += 1;
                    }
                } else {
                    out.push(c);
                }
            }
        } else {
            out.extend_from_slice(&item);
        }
    }
    Ok(())
}

/// `${listnamed[_type]:name}`.
pub fn listnamed(ev: &mut Evaluator, arg: Option<&str>, input: &Value) -> OpResult {
    let kind = match arg {
        None => None,
        Some(a) => match a.as_bytes().first() {
            Some(b'a') => Some(ListKind::Address),
            Some(b'd') => Some(ListKind::Domain),
            Some(b'h') => Some(ListKind::Host),
            Some(b'l') => Some(ListKind::LocalPart),
            _ => return Err(b"bad suffix on \"list\" operator".to_vec().into()),
        },
    };
    let mut out = Vec::new();
    expand_listnamed(ev, &mut out, &input.bytes, kind, 0)?;
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    type Op = fn(&mut Evaluator, Option<&str>, &Value) -> OpResult;

    fn run(ctx: &mut Context, f: Op, arg: Option<&str>, input: &str) -> Result<String, String> {
        let mut ev = Evaluator::new(ctx);
        f(&mut ev, arg, &Value::from(input))
            .map(|v| v.to_string_lossy())
            .map_err(|e| e.to_string())
    }

    // Expected values from Exim 4.96 (operators.jsonl and `exim -be`).
    #[test]
    fn listcount_cases() {
        let cases = [
            ("a", "1"),
            ("a:b", "2"),
            ("a::b", "1"),
            ("a: :b", "3"),
            (":", "1"),
            ("::", "1"),
            ("", "0"),
            ("<;a;b;c", "3"),
            ("<; a ; ; c", "3"),
            ("a:b:", "2"),
            ("<;", "0"),
            ("<:a:b", "2"),
        ];
        for (input, want) in cases {
            assert_eq!(
                run(&mut Context::new(), listcount, None, input),
                Ok(want.to_string()),
                "{input:?}"
            );
        }
    }

    /// The named lists of the corpus's t0002 configuration.
    fn t0002() -> Context {
        let mut ctx = Context::new();
        let mut add = |k, n: &str, v: &str| {
            ctx.named_lists.insert((k, n.to_string()), v.to_string());
        };
        add(ListKind::Domain, "dlist", "*.aa.bb : ^\\Nxxx(.*)");
        add(ListKind::Domain, "elist", "+dlist : ^\\Nxxx(.*)");
        add(ListKind::Domain, "flist", "<; a ; b;;c ; d:e");
        add(ListKind::Domain, "cycle", "+cycle");
        add(
            ListKind::Host,
            "hlist",
            "224.11.12.13 : iplsearch;/fix/0002.iplsearch",
        );
        add(ListKind::Address, "alist", "a@b.c : *@x.y");
        add(ListKind::LocalPart, "llist", "postmaster : abuse : ^ab.*");
        ctx
    }

    #[test]
    fn listnamed_cases() {
        let cases: &[(Option<&str>, &str, Result<&str, &str>)] = &[
            (None, "dlist", Ok("*.aa.bb : ^\\Nxxx(.*)")),
            (None, "+dlist", Ok("*.aa.bb : ^\\Nxxx(.*)")),
            (None, "elist", Ok("*.aa.bb : ^\\Nxxx(.*) : ^\\Nxxx(.*)")),
            (None, "flist", Ok("a : b;c : d::e")),
            (None, "nolist", Err("\"nolist\" is not a named list")),
            (None, "alist", Ok("a@b.c : *@x.y")),
            (None, "llist", Ok("postmaster : abuse : ^ab.*")),
            (Some("d"), "dlist", Ok("*.aa.bb : ^\\Nxxx(.*)")),
            (
                Some("d"),
                "hlist",
                Err("\"hlist\" is not a domain named list"),
            ),
            (
                Some("h"),
                "hlist",
                Ok("224.11.12.13 : iplsearch;/fix/0002.iplsearch"),
            ),
            (
                Some("h"),
                "dlist",
                Err("\"dlist\" is not a host named list"),
            ),
            (
                Some("a"),
                "dlist",
                Err("\"dlist\" is not a address named list"),
            ),
            (Some("l"), "llist", Ok("postmaster : abuse : ^ab.*")),
            (
                Some("l"),
                "dlist",
                Err("\"dlist\" is not a localpart named list"),
            ),
            (Some("z"), "dlist", Err("bad suffix on \"list\" operator")),
        ];
        for (arg, input, want) in cases {
            let want = want.map(str::to_string).map_err(str::to_string);
            assert_eq!(
                run(&mut t0002(), listnamed, *arg, input),
                want,
                "{arg:?} {input:?}"
            );
        }
        assert!(run(&mut t0002(), listnamed, None, "cycle").is_err());
    }
}
