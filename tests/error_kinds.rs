//! Errors tell an embedder why without reading the message: each case is
//! an expansion, the kind it fails with, and the message (Exim's words,
//! checked against Exim 4.96 where Exim has the failure; the budget and
//! policy messages are ours, as Exim has no such limits).

use exim_expand::eval::Limits;
use exim_expand::{Context, ErrorKind, expand};

const CASES: &[(&str, ErrorKind, &str)] = &[
    (
        "${if eq{a}{b}{x}",
        ErrorKind::Syntax,
        "syntax error in \"if\" item - \"fail\" expected",
    ),
    (
        "${lc:$nosuch}",
        ErrorKind::UnknownVariable,
        "unknown variable name \"nosuch\"",
    ),
    (
        "${if def:nosuch{y}}",
        ErrorKind::UnknownVariable,
        "unknown variable \"nosuch\" after \"def:\"",
    ),
    (
        "${if eq{a}{b}{x}fail}",
        ErrorKind::ForcedFail,
        "\"if\" failed and \"fail\" requested",
    ),
    (
        "${lookup{k}lsearch{/nonexistent}{$value}fail}",
        ErrorKind::Refused,
        "",
    ),
    ("${run{/bin/true}}", ErrorKind::Refused, ""),
    (
        "${map{<, 1,2,3,4,5,6,7,8,9}{0123456789}}",
        ErrorKind::Limit,
        "expansion result longer than 32 bytes (Limits::max_output)",
    ),
    (
        "${uc:${expand:\\$nosuch}}",
        ErrorKind::Failed,
        "internal expansion of \"$nosuch\" failed: unknown variable name \"nosuch\"",
    ),
];

#[test]
fn each_failure_has_its_kind() {
    let mut bad = Vec::new();
    for &(src, kind, msg) in CASES {
        let mut ctx = Context::new();
        ctx.limits = Limits {
            max_output: 32,
            ..Limits::default()
        };
        match expand(src.as_bytes(), &mut ctx) {
            Ok(v) => bad.push(format!("{src}: expanded to {:?}", v.to_string_lossy())),
            Err(e) => {
                if e.kind != kind {
                    bad.push(format!("{src}: kind {:?}, want {kind:?}", e.kind));
                }
                if !msg.is_empty() && e.message_str() != msg {
                    bad.push(format!(
                        "{src}: message {:?}, want {msg:?}",
                        e.message_str()
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// An error inside text expanded at run time keeps its position there,
/// and its span points at the construct that expanded it.
#[test]
fn nested_errors_name_their_source() {
    let src = "xxxx ${sg{abc}{b}{\\$nosuch}}";
    let e = expand(src.as_bytes(), &mut Context::new()).unwrap_err();
    assert_eq!(&src[e.span.range()], "${sg{abc}{b}{\\$nosuch}}");
    let n = e.nested.expect("the nested source");
    assert_eq!(&*n.source, b"$nosuch");
    assert_eq!(n.span.range(), 0..7);
}
