//! `${lookup{key}type{file}{yes}{no}}` and `${lookup type{query}...}`.
//!
//! The key and the file (or query) are expanded, the type's key style is
//! checked (also while skipping), then the lookup runs (not while
//! skipping).  `$value` is the data during the yes string; partial and
//! default (`*`, `*@`) lookups set `$1`/`$2` there.  `$value` and the
//! numeric variables are restored afterwards.

use crate::eval::{ErrorKind, Evaluator, ExpandError, Value};
use crate::lookups::{self, LookupFailure, Style};
use crate::parser::{Arg, ItemNode};

/// Exim's `string_printing` for a message: non-printing bytes escaped.
fn printing(s: &[u8]) -> String {
    let mut out = String::new();
    for &c in s {
        match c {
            0x20..=0x7e => out.push(c as char),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x08 => out.push_str("\\b"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\t' => out.push_str("\\t"),
            _ => out.push_str(&format!("\\{c:03o}")),
        }
    }
    out
}

pub fn eval(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    ev.scoped(|ev| eval_inner(ev, item, skip, out))
}

fn eval_inner(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    // Without its type word the item was cut short before the query: what
    // was read (the key) is evaluated, then the syntax error reported.
    if item.word.is_none() {
        return ev.incomplete_item(item, skip);
    }
    let (key_seq, query_seq) = match &item.args[..] {
        [Arg::Seq(k), Arg::Seq(q)] => (Some(k), q),
        [Arg::Seq(q)] => (None, q),
        _ => return ev.incomplete_item(item, skip),
    };
    let key = match key_seq {
        Some(k) => Some(ev.seq(k, skip)?),
        None => None,
    };
    let word = item.word.as_deref().unwrap_or_default();
    let spec = lookups::parse_spec(&ev.ctx.registry, word)
        .map_err(|m| ExpandError::failed(m, item.span))?;
    // Whether a key was given suits the type: the parser checked it.
    let query = ev.seq(query_seq, skip)?;
    let saved = ev.value.clone();
    let key_bytes = key.as_ref().map(|k| k.bytes.clone()).unwrap_or_default();
    let (keyquery, file) = match spec.style {
        // Exim arranges only query-style arguments (`search_args`): a
        // file name is used as it is, white space included.
        Style::SingleKey => (key_bytes, Some(query.bytes.clone())),
        _ => lookups::search_args(&spec, &key_bytes, &query.bytes),
    };
    let mut found = None;
    ev.ctx.lookup_cache.wild_subject = None;
    if !skip {
        // The key's taint: the key's for a single-key type, else the query's.
        let key_tainted = match spec.style {
            Style::SingleKey => key.as_ref().is_some_and(|k| k.tainted),
            _ => query.tainted,
        };
        match lookups::search(
            ev,
            &spec,
            file.as_deref(),
            query.tainted,
            &keyquery,
            key_tainted,
        ) {
            Ok(f) => found = f,
            Err(LookupFailure::Open(m)) => return Err(ExpandError::failed(m, item.span)),
            Err(LookupFailure::Refused(m)) => {
                return Err(ExpandError::new(ErrorKind::Refused, m, item.span));
            }
            Err(LookupFailure::Defer(m)) => {
                return Err(ExpandError::failed(
                    format!("lookup of \"{}\" gave DEFER: {m}", printing(&keyquery)),
                    item.span,
                ));
            }
        }
    }
    let yes = found.is_some();
    if let Some(f) = found {
        if let Some((w1, w2)) = f.wild {
            let zero = match ev.ctx.lookup_cache.wild_subject.take() {
                Some(s) => Value::new(s),
                None => ev.captures.first().cloned().unwrap_or_default(),
            };
            // `$1` and `$2` are parts of the key, tainted as it is.
            let key_tainted = match &key {
                Some(k) => k.tainted,
                None => query.tainted,
            };
            let part = |b: Vec<u8>| Value {
                bytes: b,
                tainted: key_tainted,
            };
            ev.captures = vec![zero, part(w1), part(w2)].into();
        }
        ev.value = Some(Value::new(f.data));
    } else {
        ev.value = None;
    }
    ev.yes_no(item, yes, skip, saved, out)
}

#[cfg(test)]
mod tests {
    use crate::eval::{Context, Policy, Value};

    fn data_dir() -> String {
        format!("{}/tests/data/lookups", env!("CARGO_MANIFEST_DIR"))
    }

    fn ctx() -> Context {
        let mut ctx = Context::new();
        ctx.policy = Policy::permissive();
        ctx.policy.log_to_stderr = false;
        ctx
    }

    use crate::testutil::expand_in as run;

    /// Expected values from Debian's Exim 4.96 (`exim -be`), with `@D@`
    /// standing for tests/data/lookups.
    #[test]
    fn oracle_cases() {
        let d = data_dir();
        let cases: &[(&str, Result<&str, &str>)] = &[
            (
                "${lookup{a.b.c.d}partial(*)lsearch{@D@/aliases.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("NO"),
            ),
            (
                "${lookup{foo}partial0(*)lsearch*{@D@/starat.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[fo][][star]"),
            ),
            (
                "${lookup{x.example.net}partial-lsearch{@D@/aliases.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[x][example.net][partial wildcard entry for example.net]"),
            ),
            (
                "${lookup{a.b.example.net}partial-lsearch{@D@/aliases.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[a.b][example.net][partial wildcard entry for example.net]"),
            ),
            (
                "${lookup{example.net}partial-lsearch{@D@/aliases.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[][example.net][exact entry for example.net]"),
            ),
            (
                "${lookup{q.r.s}partial0-lsearch{@D@/aliases.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[q.r.][][star default]"),
            ),
            (
                "${lookup{q.r.s}partial1-lsearch{@D@/aliases.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("NO"),
            ),
            (
                "${lookup{x.sub.example.org}partial()lsearch{@D@/aliases.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("NO"),
            ),
            (
                "${lookup{z@y}lsearch*@{@D@/starat.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[z][][star-at y]"),
            ),
            (
                "${lookup{z@q}lsearch*@,ret=key{@D@/starat.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[z@q][][z@q]"),
            ),
            (
                "${lookup{multi}lsearch{@D@/aliases.lsearch}}",
                Ok("first line continued line one continued line two (tab)"),
            ),
            (
                "${lookup{spaced key}lsearch,ret=full{@D@/aliases.lsearch}}",
                Ok("spaced key: quoted key with a space"),
            ),
            (
                "${lookup{postmaster}lsearch,ret=full{@D@/aliases.lsearch}}",
                Ok("postmaster:   root"),
            ),
            (
                "${lookup{trailing}lsearch{@D@/aliases.lsearch}{<$value>}}",
                Ok("<value with trailing spaces>"),
            ),
            (
                "${lookup{nocolon}lsearch{@D@/aliases.lsearch}}",
                Ok("value after white space only"),
            ),
            (
                "${lookup{emptyval}lsearch{@D@/aliases.lsearch}{[$value]}{NO}}",
                Ok("[]"),
            ),
            (
                "${lookup{dup}lsearch{@D@/aliases.lsearch}}",
                Ok("first dup"),
            ),
            (
                "${lookup{re123}wildlsearch{@D@/wild.lsearch}{[$value]}{NO}}",
                Ok("[regex with digits (protected by \\N)]"),
            ),
            (
                "${lookup{RE123}nwildlsearch{@D@/wild.lsearch}{[$value]}{NO}}",
                Ok("[fallback star]"),
            ),
            (
                "${lookup{x.wild.example}wildlsearch{@D@/wild.lsearch}{[$value]}{NO}}",
                Ok("[star-dot wildcard]"),
            ),
            (
                "${lookup{casesens}wildlsearch{@D@/wild.lsearch}{[$value]}{NO}}",
                Ok("[fallback star]"),
            ),
            (
                "${lookup{a.b}wildlsearch{@D@/wild.lsearch}{[$value]}{NO}}",
                Ok("[quoted key: backslashes doubled inside quotes]"),
            ),
            (
                "${lookup{anything}wildlsearch{@D@/wildtrap.lsearch}{[$value]}{NO}}",
                Err("lookup of \"anything\" gave DEFER: "),
            ),
            (
                "${lookup{negated.key}nwildlsearch{@D@/wildtrap.lsearch}{[$value]}{NO}}",
                Ok("[fallback star]"),
            ),
            (
                "${lookup{5.6.7.8}iplsearch{@D@/ip.iplsearch}{[$value]}{NO}}",
                Ok("[ipv4 default]"),
            ),
            (
                "${lookup{::ffff:192.168.1.1}iplsearch{@D@/ip.iplsearch}{[$value]}{NO}}",
                Ok("[exact host]"),
            ),
            (
                "${lookup{2001:db8::5}iplsearch{@D@/ip.iplsearch}{[$value]}{NO}}",
                Ok("[ipv6 doc net]"),
            ),
            (
                "${lookup{1.2.3.0/24}iplsearch{@D@/ip.iplsearch}{[$value]}{NO}}",
                Err(
                    "lookup of \"1.2.3.0/24\" gave DEFER: \"1.2.3.0/24\" is not a valid iplsearch key (an IP address, with optional CIDR mask, is wanted): in a host list, use net-iplsearch as the search type",
                ),
            ),
            (
                "${lookup{x}lsearch{@D@}}",
                Err("@D@ is not a regular file (lsearch lookup)"),
            ),
            (
                "${lookup{x}lsearch{@D@/nonexist}}",
                Err("failed to open @D@/nonexist for linear search: No such file or directory"),
            ),
            (
                "${lookup nis{x}{y}{n}}",
                Err("missing {key} for single-key \"nis\" lookup"),
            ),
            (
                "${lookup{x}passwd{x}{y}{n}}",
                Err(
                    "a single key was given for lookup type \"passwd\", which is not a single-key lookup type",
                ),
            ),
            (
                "${lookup{x}partial-passwd{x}{y}{n}}",
                Err("\"partial\" is not permitted for lookup type \"passwd\""),
            ),
            (
                "${lookup passwd*{x}{y}{n}}",
                Err("defaults using \"*\" or \"*@\" are not permitted for lookup type \"passwd*\""),
            ),
            (
                "${lookup{x}partialx-lsearch{x}}",
                Err("format error in lookup type \"partialx-lsearch\""),
            ),
            ("${lookup{x}lsearch*x{@D@/starat.lsearch}}", Ok("star")),
            (
                "${if match{abc}{(b)}{${lookup{postmaster}lsearch{@D@/aliases.lsearch}{[$1]}}[$1]}}",
                Ok("[b][b]"),
            ),
            (
                "${if match{abc}{(b)}{${lookup{re1}wildlsearch{@D@/wild.lsearch}{[$0$1]}}[$1]}}",
                Ok("[][b]"),
            ),
            (
                "${if eq{a}{b}{${lookup{x}lsearch{/nonexist}}}{skipped}}",
                Ok("skipped"),
            ),
            (
                "${if match_domain{x.wild.example}{wildlsearch;@D@/wild.lsearch}{[$value]}{no}}",
                Ok("[star-dot wildcard]"),
            ),
            (
                "${if match_ip{5.6.7.9}{net24-lsearch;@D@/net.lsearch}{[$value]}{no}}",
                Ok("[net 5.6.7.0/24]"),
            ),
            (
                "${if match_ip{5.6.7.9}{iplsearch;@D@/ip.iplsearch}{[$value]}{no}}",
                Ok("[ipv4 default]"),
            ),
            (
                "${if match_ip{5.6.7.9}{net-iplsearch;@D@/ip.iplsearch}{[$value]}{no}}",
                Ok("[ipv4 default]"),
            ),
            (
                "${if match_address{x@y}{lsearch*@;@D@/starat.lsearch}{[$value]}{no}}",
                Ok("[exact x@y]"),
            ),
            (
                "${if match_address{q@y}{lsearch*@;@D@/starat.lsearch}{[$value]}{no}}",
                Ok("[star-at y]"),
            ),
            (
                "${lookup{Postmaster}lsearch,ret=key{@D@/aliases.lsearch}}",
                Ok("Postmaster"),
            ),
            (
                "${lookup{a}lsearch,cache=no_rd,foo{@D@/aliases.lsearch}{y}{n}}",
                Ok("n"),
            ),
            (
                "${if eq{a}{b}{${lookup nis{x}}}{skipped}}",
                Err("missing {key} for single-key \"nis\" lookup"),
            ),
            (
                "${if eq{a}{b}{${lookup{x}passwd{x}}}{skipped}}",
                Err(
                    "a single key was given for lookup type \"passwd\", which is not a single-key lookup type",
                ),
            ),
            (
                "${lookup{*}iplsearch{@D@/ip.iplsearch}{[$value]}{n}}",
                Ok("n"),
            ),
            (
                "${lookup{a\tb}iplsearch{@D@/ip.iplsearch}{[$value]}{n}}",
                Err(
                    "lookup of \"a\\tb\" gave DEFER: \"a\tb\" is not a valid iplsearch key (an IP address, with optional CIDR mask, is wanted): in a host list, use net-iplsearch as the search type",
                ),
            ),
            (
                "${lookup{x@y.z}wildlsearch{@D@/starat.lsearch}{[$value]}{n}}",
                Ok("[star]"),
            ),
            (
                "${lookup{x}lsearch{ @D@/starat.lsearch}{[$value]}{n}}",
                Err(
                    "failed to open  @D@/starat.lsearch for linear search: No such file or directory",
                ),
            ),
            (
                "${lookup{1.2.3.4%eth0}iplsearch{@D@/ip.iplsearch}{[$value]}{n}}",
                Err(
                    "lookup of \"1.2.3.4%eth0\" gave DEFER: \"1.2.3.4%eth0\" is not a valid iplsearch key (an IP address, with optional CIDR mask, is wanted): in a host list, use net-iplsearch as the search type",
                ),
            ),
            (
                "${lookup{fe80::1%eth0}iplsearch{@D@/ip.iplsearch}{[$value]}{n}}",
                Ok("n"),
            ),
            (
                "${lookup{x}lsearch{@D@/aliases.lsearch}{$value}{[$value]}}",
                Ok("[]"),
            ),
            (
                "${lookup{postmaster}lsearch{@D@/aliases.lsearch}{${lookup{$value}lsearch{@D@/aliases.lsearch}}}}",
                Ok("admin@example.com"),
            ),
            (
                "${lookup{a.b}partial0()lsearch*{@D@/starat.lsearch}{[$1][$2][$value]}{NO}}",
                Ok("[a.b][][star]"),
            ),
            (
                "${lookup{y.wild.example}partial-wildlsearch{@D@/wild.lsearch}{[$0][$1][$2][$value]}{NO}}",
                Ok("[y.wild.example][][y.wild.example][star-dot wildcard]"),
            ),
            (
                "${if match{abc}{(b)}{${lookup{abc.wild.example}wildlsearch{@D@/wild.lsearch}{[$0][$1]}}}}",
                Ok("[][]"),
            ),
            (
                "${if match{abc}{(b)}{${lookup{x.y}partial-lsearch{@D@/aliases.lsearch}{[$0][$1][$2][$3]}{n[$1]}}}}",
                Ok("n[b]"),
            ),
            (
                "${if match{abc}{(b)}{${lookup{zzz}nwildlsearch{@D@/net.lsearch}{y}{[$0][$1]}}}}",
                Ok("[][]"),
            ),
            (
                "${if match{abc}{(b)}{${lookup{Y.wild.example}partial-nwildlsearch{@D@/wild.lsearch}{[$0][$1][$2]}}}}",
                Ok("[y.wild.example][][Y.wild.example]"),
            ),
            (
                "${if match{abc}{(b)}{${lookup{Re1}partial-nwildlsearch{@D@/wildtrap.lsearch}{[$0][$1][$2]}}}}",
                Ok("[Re1][][Re1]"),
            ),
            // From lookups.jsonl: the types with modules of their own.
            (
                "${lookup{Mixed}cdb{@D@/test.cdb}{[$value]}{NOTFOUND}}",
                Ok("[mixed-case key (cdb is case-sensitive)]"),
            ),
            (
                "${lookup{mixed}cdb{@D@/test.cdb}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
            (
                "${lookup{empty}cdb{@D@/test.cdb}{[$value]}{NOTFOUND}}",
                Ok("[]"),
            ),
            (
                "${lookup{spaced key}cdb{@D@/test.cdb}{[$value]}{NOTFOUND}}",
                Ok("[value for spaced key]"),
            ),
            (
                "${lookup{nosuch}cdb{@D@/test.cdb}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
            (
                "${lookup{}cdb{@D@/test.cdb}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
            ("${extract{B}{${lookup{second}cdb{@D@/test.cdb}}}}", Ok("2")),
            (
                "${lookup{postmaster}dbmnz{@D@/aliases.dbm}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
            (
                "${lookup{postmaster}dbmjz{@D@/aliases.dbm}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
            (
                "${lookup{Postmaster}dbm{@D@/aliases.dbm}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
            (
                "${lookup{Postmaster}dbmnz{@D@/aliases.dbm}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
            (
                "${lookup{multi}dbmjz{@D@/aliases.dbm}{[$value]}{NOTFOUND}}",
                Ok("NOTFOUND"),
            ),
        ];
        let mut c = ctx();
        for (e, want) in cases {
            let e = e.replace("@D@", &d);
            let want = want
                .map(|w| w.replace("@D@", &d))
                .map_err(|w| w.replace("@D@", &d));
            assert_eq!(run(&mut c, &e), want, "{e}");
        }
    }

    /// `exim -f a@b -be '${lookup{x}lsearch{$sender_address}}'` logs
    /// `Tainted filename for search: 'a@b'` and fails with `(null)`.
    #[test]
    fn tainted_file_name_refused() {
        let mut c = ctx();
        c.vars
            .insert("sender_address".into(), Value::tainted(&b"a@b"[..]));
        let e = "${lookup{x}lsearch{/etc/$sender_address}{y}{n}}";
        assert_eq!(run(&mut c, e), Err("(null)".into()));
    }

    #[test]
    fn library_default_refuses_files() {
        let e = format!(
            "${{lookup{{postmaster}}lsearch{{{}/aliases.lsearch}}}}",
            data_dir()
        );
        let got = run(&mut Context::new(), &e).unwrap_err();
        assert!(got.contains("capability \"files\""), "{got}");
        // Skipped lookups are not run, so not refused.
        let e = format!("${{if eq{{a}}{{b}}{{{e}}}{{ok}}}}");
        assert_eq!(run(&mut Context::new(), &e), Ok("ok".into()));
    }

    #[test]
    fn cache_survives_file_change_unless_no_rd() {
        let dir = std::env::temp_dir().join(format!("ee-lookup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("t.lsearch");
        std::fs::write(&f, "k: one\n").unwrap();
        let mut c = ctx();
        let e = format!("${{lookup{{k}}lsearch{{{}}}}}", f.display());
        let e2 = format!("${{lookup{{k}}lsearch,cache=no_rd{{{}}}}}", f.display());
        assert_eq!(run(&mut c, &e), Ok("one".into()));
        std::fs::write(&f, "k: two\n").unwrap();
        assert_eq!(run(&mut c, &e), Ok("one".into()));
        assert_eq!(run(&mut c, &e2), Ok("two".into()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn no_panics() {
        let d = data_dir();
        let mut c = ctx();
        for spec in [
            "partial",
            "partial(",
            "partial()",
            "partial0()lsearch",
            "partial9999999999-lsearch",
            "partial(*.)lsearch*@",
            "lsearch,",
            "lsearch*,",
            "lsearch,ret=*",
            "partial-1-lsearch",
        ] {
            for key in ["", ".", "..", "a.", ".a", "@", "a@", "@a", "*", "a.b.c.d.e"] {
                let e = format!(
                    "${{lookup{{{key}}}{spec}{{{d}/aliases.lsearch}}{{[$1][$2][$value]}}}}"
                );
                let _ = run(&mut c, &e);
            }
        }
    }
}
