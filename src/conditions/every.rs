//! Every condition (and the simplest operators) on a line of its own:
//! expected values printed by Debian's Exim 4.96 (`exim -be`) for exactly
//! these lines.

use crate::testutil::mismatches;

#[test]
fn conditions_match_exim() {
    let bad = mismatches(&[
        ("${if <={1}{1}{y}{n}} ${if <={2}{1}{y}{n}}", Ok("y n")),
        ("${if =={1K}{1024}{y}{n}} ${if =={}{0}{y}{n}}", Ok("y y")),
        ("${if >={1}{2}{y}{n}} ${if >={1M}{1K}{y}{n}}", Ok("n y")),
        (
            "${if bool_lax{}{y}{n}} ${if bool_lax{no}{y}{n}} ${if bool_lax{00}{y}{n}} ${if bool_lax{x}{y}{n}} ${if bool_lax{-}{y}{n}}",
            Ok("n n y y n"),
        ),
        ("${if eqi{AbC}{aBc}{y}{n}} ${if eqi{ä}{Ä}{y}{n}}", Ok("y n")),
        (
            "${if forall{a:b}{eq{$item}{a}}{y}{n}} ${if forall{a:a}{eq{$item}{a}}{y}{n}} ${if forall{}{eq{$item}{a}}{y}{n}}",
            Ok("n y n"),
        ),
        (
            "${if forall_json{[\"a\",\"a\"]}{eq{$item}{\"a\"}}{y}{n}} ${if forall_jsons{[\"a\",\"a\"]}{eq{$item}{a}}{y}{n}}",
            Ok("y y"),
        ),
        (
            "${if forany{a:b}{eq{$item}{b}}{y}{n}} ${if forany{}{eq{$item}{b}}{y}{n}}",
            Ok("y n"),
        ),
        (
            "${if forany_json{[1,2]}{eq{$item}{2}}{y}{n}} ${if forany_jsons{[\"x\",\"y\"]}{eq{$item}{y}}{y}{n}}",
            Ok("y y"),
        ),
        (
            "${if forany_jsons{[1]}{eq{$item}{1}}{y}{n}}",
            Err("missing '\"' wrapping string result for extract jsons"),
        ),
        (
            "${if ge{b}{a}{y}{n}} ${if ge{a}{a}{y}{n}} ${if gei{B}{a}{y}{n}} ${if gt{a}{b}{y}{n}} ${if gti{B}{a}{y}{n}}",
            Ok("y y y n y"),
        ),
        (
            "${if isip{1.2.3.4}{y}{n}} ${if isip{::1}{y}{n}} ${if isip{x}{y}{n}} ${if isip4{::1}{y}{n}} ${if isip4{1.2.3.4}{y}{n}} ${if isip6{::ffff:1.2.3.4}{y}{n}} ${if isip6{1.2.3.4}{y}{n}}",
            Ok("y y n n y y n"),
        ),
        (
            "${if lei{A}{b}{y}{n}} ${if lti{a}{ab}{y}{n}} ${if lti{B}{c}{y}{n}}",
            Ok("y n y"),
        ),
        (
            "${if or{{eq{a}{b}}{eq{b}{b}}}{y}{n}} ${if or{}{y}{n}} ${if and{}{y}{n}}",
            Ok("y n y"),
        ),
        (
            "${if pwcheck{a:b}{y}{n}}",
            Err("support for \"pwcheck\" not compiled"),
        ),
        (
            "${if radius{a:b}{y}{n}}",
            Err("support for \"radius\" not compiled"),
        ),
        (
            "${if first_delivery{y}{n}} ${if queue_running{y}{n}} ${if !first_delivery{y}{n}}",
            Ok("n n y"),
        ),
        (
            "${uc:abc ä} ${strlen:} ${strlen:ab\\x00cd} ${str2b64:hello} ${str2b64:}",
            Ok("ABC ä 0 2 aGVsbG8= "),
        ),
    ]);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
