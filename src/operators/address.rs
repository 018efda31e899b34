//! RFC 2822 addresses: `address`, `addresses`, `domain`, `local_part`,
//! over the shared address reader ([`crate::address`]).

use super::{OpResult, msg, option_flag};
use crate::address::header_addresses;
pub(crate) use crate::address::{AddressOptions, AddressParser};
use crate::eval::{Evaluator, Value};
use crate::lists::is_space;

/// The address options of the configuration.
pub(crate) fn address_options(ev: &Evaluator) -> AddressOptions {
    AddressOptions {
        allow_domain_literals: option_flag(ev, "allow_domain_literals", false),
        allow_utf8_domains: option_flag(ev, "allow_utf8_domains", false),
        strip_trailing_dot: option_flag(ev, "strip_trailing_dot", false),
        strip_excess_angle_brackets: option_flag(ev, "strip_excess_angle_brackets", false),
    }
}

fn extract_one(ev: &Evaluator, s: &[u8]) -> Option<crate::address::Extracted> {
    AddressParser::new(address_options(ev)).extract(s).ok()
}

/// `${address:}`: the operative address, empty if it does not parse.
pub fn address(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(extract_one(ev, &input.bytes)
        .map(|e| e.address)
        .unwrap_or_default()
        .into())
}

/// `${local_part:}`: the part before the domain's `@` (all of an
/// unqualified address).
pub fn local_part(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(match extract_one(ev, &input.bytes) {
        Some(e) if e.domain > 0 => e.address[..e.domain - 1].to_vec().into(),
        Some(e) => e.address.into(),
        None => Value::empty(),
    })
}

/// `${domain:}`: the domain, empty when there is none.
pub fn domain(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(match extract_one(ev, &input.bytes) {
        Some(e) if e.domain > 0 => e.address[e.domain..].to_vec().into(),
        _ => Value::empty(),
    })
}

/// `${addresses:[>X]list}`: the addresses of a header-style list (groups
/// allowed) as a list separated by X (default `:`), with X doubled inside
/// addresses; unparsable items are dropped.
pub fn addresses(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let bytes = &input.bytes;
    let mut s = bytes
        .iter()
        .position(|&c| !is_space(c))
        .unwrap_or(bytes.len());
    let mut outsep = b':';
    if bytes.get(s) == Some(&b'>') {
        match bytes.get(s + 1) {
            Some(&c) => {
                outsep = c;
                s += 2;
            }
            None => {
                return Err(msg(&[
                    b"output separator missing in expanding ${addresses:",
                    &bytes[s..],
                    b"}",
                ])
                .into());
            }
        }
    }
    let mut out: Vec<u8> = Vec::new();
    for address in header_addresses(&bytes[s..], address_options(ev)) {
        if !out.is_empty() && address.first() == Some(&outsep) {
            out.push(b' ');
        }
        for &c in &address {
            out.push(c);
            if c == outsep {
                out.push(outsep);
            }
        }
        out.push(outsep);
    }
    out.pop();
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::find_address_end;
    use crate::eval::Context;

    type Op = fn(&mut Evaluator, Option<&str>, &Value) -> OpResult;

    fn run_ctx(ctx: &mut Context, f: Op, input: &[u8]) -> Result<String, String> {
        let mut ev = Evaluator::new(ctx);
        f(&mut ev, None, &Value::new(input))
            .map(|v| v.to_string_lossy())
            .map_err(|e| e.to_string())
    }

    fn check(f: Op, cases: &[(&str, Result<&str, &str>)]) {
        for (input, want) in cases {
            let want = want.map(str::to_string).map_err(str::to_string);
            let got = run_ctx(&mut Context::new(), f, input.as_bytes());
            assert_eq!(got, want, "input {input:?}");
        }
    }

    // Expected values from Exim 4.96 (operators.jsonl and `exim -be`).
    #[test]
    fn address_cases() {
        check(
            address,
            &[
                ("user@example.com", Ok("user@example.com")),
                ("User Name <user@example.com>", Ok("user@example.com")),
                ("<user@example.com>", Ok("user@example.com")),
                ("user@", Ok("")),
                (
                    "\"quoted user\"@example.com",
                    Ok("\"quoted user\"@example.com"),
                ),
                ("user@[192.0.2.1]", Ok("user@[192.0.2.1]")),
                ("", Ok("")),
                ("(comment) user@x.y", Ok("user@x.y")),
                ("a@b, c@d", Ok("")),
                ("<>", Ok("")),
                ("user", Ok("user")),
                ("local-part.(c)dot-atom@dom", Ok("local-part.dot-atom@dom")),
                ("a@b.", Ok("")),
                ("a.n.other <ano@somewhere>", Ok("ano@somewhere")),
                ("<@route,@r2:a@b>", Ok("a@b")),
                ("@route:a@b", Ok("a@b")),
                ("a..b@c", Ok("a..b@c")),
                ("a\\ b@c", Ok("a\\ b@c")),
                ("x <a@b> y", Ok("")),
                ("<a@b", Ok("")),
                ("User <a@B.Example> (c)", Ok("a@B.Example")),
            ],
        );
    }

    #[test]
    fn parts() {
        check(
            domain,
            &[
                ("user@example.com", Ok("example.com")),
                ("nodomain", Ok("")),
                ("a@b@c", Ok("")),
                ("", Ok("")),
                ("<a@b>", Ok("b")),
            ],
        );
        check(
            local_part,
            &[
                ("User <Mixed.Case@x>", Ok("Mixed.Case")),
                ("nodomain", Ok("nodomain")),
                ("\"quoted part\"@x", Ok("\"quoted part\"")),
                ("a.b@c", Ok("a.b")),
                ("a@", Ok("")),
            ],
        );
    }

    #[test]
    fn address_lists() {
        check(
            addresses,
            &[
                ("a@b.c, d@e.f", Ok("a@b.c:d@e.f")),
                ("A <a@b.c>, \"B, C\" <d@e.f>", Ok("a@b.c:d@e.f")),
                (">::a@b.c, d@e.f", Ok("a@b.c:d@e.f")),
                (">;a@b;c, d@e", Ok("d@e")),
                ("group: a@b, c@d;, e@f", Ok("a@b:c@d:e@f")),
                ("\"a:b\"@c, d@e", Ok("\"a::b\"@c:d@e")),
                (">\"a\"@b, c@d", Ok("")),
                ("", Ok("")),
                ("junk, a@b", Ok("junk:a@b")),
                ("a@b,,c@d", Ok("a@b:c@d")),
                (
                    ">",
                    Err("output separator missing in expanding ${addresses:>}"),
                ),
                (
                    "  >",
                    Err("output separator missing in expanding ${addresses:>}"),
                ),
            ],
        );
    }

    #[test]
    fn parser_messages() {
        let parse = |s: &str| {
            AddressParser::new(AddressOptions::default())
                .extract(s.as_bytes())
                .map(|e| String::from_utf8_lossy(&e.address).into_owned())
                .map_err(|e| String::from_utf8_lossy(&e).into_owned())
        };
        assert_eq!(parse(""), Err("empty address".into()));
        assert_eq!(
            parse("a@b c"),
            Err("malformed address: c may not follow a@b ".into())
        );
        assert_eq!(parse("a@"), Err("domain missing or malformed".into()));
        assert_eq!(
            parse("<a"),
            Err("\"@\" or \".\" expected after \"a\"".into())
        );
        assert_eq!(parse("<a@b"), Err("'>' missing at end of address".into()));
        assert_eq!(
            parse("\"a"),
            Err("unmatched doublequote in local part".into())
        );
        let long = format!("{}@x", "a".repeat(300));
        assert!(
            parse(&long)
                .unwrap_err()
                .starts_with("address is ridiculously long: aaaa")
        );
    }

    #[test]
    fn address_ends() {
        assert_eq!(find_address_end(b"a@b, c@d"), 3);
        assert_eq!(find_address_end(b"\"a,b\"@c, d"), 7);
        assert_eq!(find_address_end(b"(x,y) a@b, c"), 9);
        assert_eq!(find_address_end(b"<@a,@b:c@d>, e"), 11);
        assert_eq!(find_address_end(b"abc"), 3);
    }
}
