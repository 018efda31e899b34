//! Snapshots of the syntax tree for the lexical rules Exim has (spans
//! included), and of rendered diagnostics.

use exim_expand::diagnostic::render;
use exim_expand::{Context, expand, parse};

const AST_CASES: &[&str] = &[
    "plain text } with { braces",
    "$primary_hostname:${primary_hostname}$1${12}",
    "[$h_subject:][$rh_x-y: z][$lheader_to:]",
    "\\N${not}$parsed\\N\\x41\\101\\n",
    "${lc:A{B}C}",
    "${substr_1_3:abcdef}${l_2:xyz}${local_part:a@b}",
    "${if eq {a} {b} {yes} fail}",
    "${if and{{def:h_x:}{!match{$1}{\\N^a.c$\\N}}}{y}}",
    "${if forany{a:b}{eq{$item}{b}}{y}{n}}",
    "${map{a:b}{<$item>}}${filter{a:b}{!eq{$item}{a}}}",
    "${reduce{1:2}{0}{${eval:$value+$item}}}",
    "${sort{3:1:2}{<}{$item}}",
    "${extract json{a}{\\{\"a\":1\\}}}",
    "${lookup{k}partial-lsearch{/etc/x}{$value}fail}",
    "${if match_domain{a.b}{*.b : $x}}",
    "${md5:$tls_in_peercert}",
];

#[test]
fn ast_dumps() {
    let mut all = String::new();
    for src in AST_CASES {
        all.push_str(&format!("=== {src}\n"));
        all.push_str(&parse(src.as_bytes()).dump());
    }
    insta::assert_snapshot!(all);
}

const BAD: &[&str] = &[
    "${if eq{a}{b}{x}",
    "${lc:abc",
    "text ${nosuch{x}} more",
    "${if eq{a}{b}c}",
    "${if nosuch{a}{y}}",
    "first line\\\n${if and{{eq{a}{a}}{bogus}}}",
    "${if eq{a}{b}{x}{y}",
    "$",
    // Errors inside text expanded at run time: the caret is on the item,
    // and a note shows the place in the expanded text.
    "xxxxxxxxxxxxxxxxxxxx ${sg{abc}{b}{\\$nosuch}}",
    "ok ${expand:\\${lc:\\$nosuch\\}}",
];

#[test]
fn diagnostics_render_with_caret() {
    let mut all = String::new();
    for src in BAD {
        let mut ctx = Context::new();
        let e = expand(src.as_bytes(), &mut ctx).expect_err("an error");
        all.push_str(&render(src.as_bytes(), &e, "<expr>", false));
        all.push('\n');
    }
    insta::assert_snapshot!(all);
}
