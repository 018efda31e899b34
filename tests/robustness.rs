//! Hostile input never panics: random expansions built from the
//! language's pieces (and raw bytes) are parsed and evaluated with the
//! library's refusing policy and small budgets; every one must end in a
//! value or an error.

use exim_expand::eval::Limits;
use exim_expand::{Context, Evaluator, Value, parse};
use std::time::Duration;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "lc",
    "uc",
    "length_2",
    "substr_1_3",
    "hash_3",
    "nhash_5",
    "md5",
    "sha1",
    "sha256",
    "sha3",
    "base32",
    "base32d",
    "base62",
    "base62d",
    "base64",
    "base64d",
    "eval",
    "eval10",
    "expand",
    "escape",
    "escape8bit",
    "hexquote",
    "quote",
    "quote_local_part",
    "rxquote",
    "address",
    "addresses",
    "domain",
    "local_part",
    "mask",
    "ipv6norm",
    "ipv6denorm",
    "reverse_ip",
    "listcount",
    "listnamed",
    "time_eval",
    "time_interval",
    "rfc2047",
    "rfc2047d",
    "from_utf8",
    "utf8clean",
    "utf8_domain_to_alabel",
    "utf8_domain_from_alabel",
    "strlen",
    "randint",
    "str2b64",
    "hex2b64",
    "quote_lsearch",
    "stat",
];
const CONDS: &[&str] = &[
    "eq{A}{B}",
    "eqi{A}{B}",
    "<{A}{B}",
    ">={A}{B}",
    "match{A}{B}",
    "inlist{A}{B}",
    "isip{A}",
    "bool{A}",
    "bool_lax{A}",
    "def:primary_hostname",
    "def:h_x:",
    "and{{eq{A}{B}}{eq{B}{A}}}",
    "or{{eq{A}{B}}}",
    "forany{A}{eq{$item}{B}}",
    "forall_json{A}{eq{$item}{B}}",
    "match_domain{A}{B}",
    "match_ip{A}{B}",
    "match_address{A}{B}",
    "crypteq{A}{B}",
    "exists{A}",
    "!eq{A}{B}",
    "acl{{A}}",
    "inbound_srs{A}{B}",
];
const ATOMS: &[&str] = &[
    "",
    "a",
    "ABC",
    "1",
    "-5",
    "0x10",
    "999999999999999999999",
    "a:b:c",
    "<;a;b",
    "::",
    " ",
    "\\N{}\\N",
    "\\x",
    "\\0",
    "\\",
    "$",
    "${",
    "}",
    "{",
    "$1",
    "${2}",
    "$primary_hostname",
    "$h_subject:",
    "$value",
    "$item",
    "$nosuch",
    "user@example.com",
    "192.0.2.1/24",
    "::1",
    "[1,[2],\"x\"]",
    "{\"a\":1}",
    "=?utf-8?q?x?=",
    "(a)(b)",
    "[",
    "\\}",
    "ü",
    "\u{2603}",
    "fail",
];

fn expression(r: &mut Rng, depth: u32) -> String {
    if depth == 0 {
        return r.pick(ATOMS).to_string();
    }
    let a = expression(r, depth - 1);
    let b = expression(r, depth - 1);
    match r.next() % 14 {
        0 => format!("${{{}:{a}}}", r.pick(NAMES)),
        1 => {
            let c = r.pick(CONDS).replace('A', &a).replace('B', &b);
            format!("${{if {c}{{{a}}}{{{b}}}}}")
        }
        2 => format!("${{map{{{a}}}{{<$item>{b}}}}}"),
        3 => format!("${{filter{{{a}}}{{eq{{$item}}{{{b}}}}}}}"),
        4 => format!("${{reduce{{{a}}}{{}}{{$value{b}}}}}"),
        5 => format!(
            "${{sort{{{a}}}{{{}}}{{$item}}}}",
            r.pick(&["<", "lt", "gei", "bogus"])
        ),
        6 => format!("${{extract{{{a}}}{{{b}}}}}"),
        7 => format!("${{extract json{{{a}}}{{{b}}}}}"),
        8 => format!("${{sg{{{a}}}{{{b}}}{{x}}}}"),
        9 => format!("${{tr{{{a}}}{{{b}}}{{xy}}}}"),
        10 => format!("${{listextract{{{a}}}{{{b}}}}}"),
        11 => format!("${{lookup{{{a}}}lsearch{{{b}}}{{$value}}fail}}"),
        12 => format!("${{hmac{{md5}}{{{a}}}{{{b}}}}}"),
        _ => format!("{a}{b}"),
    }
}

/// Ok(()) if the expansion produced a value, Err(()) if it failed.
fn run_one(src: &[u8]) -> Result<(), ()> {
    let t = parse(src);
    let _ = t.dump();
    let _ = t.errors();
    let mut ctx = Context::new();
    ctx.limits = Limits {
        max_output: 1 << 20,
        max_time: Some(Duration::from_secs(2)),
        max_read: 1 << 20,
    };
    ctx.set_var("x", Value::tainted(&b"tainted@example.com"[..]));
    let mut ev = Evaluator::new(&mut ctx);
    match ev.run(&t) {
        Ok(_) => Ok(()),
        Err(e) => {
            let _ = exim_expand::diagnostic::render(src, &e, "<fuzz>", false);
            Err(())
        }
    }
}

#[test]
fn random_expansions_never_panic() {
    let mut r = Rng(0x5eed_1234_abcd_0001);
    let (mut values, mut errors) = (0, 0);
    for i in 0..40000 {
        let depth = (i % 6) as u32;
        let src = expression(&mut r, depth);
        match std::panic::catch_unwind(|| run_one(src.as_bytes())) {
            Ok(Ok(())) => values += 1,
            Ok(Err(())) => errors += 1,
            Err(_) => panic!("panic on {src:?}"),
        }
    }
    // The generator must exercise both outcomes to mean anything.
    assert!(
        values > 500 && errors > 500,
        "{values} values, {errors} errors"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut r = Rng(0x0bad_cafe_0000_0007);
    let alphabet = b"${}:\\N_xa1 <;>!=@.[]\"\x00\xff\xc3ifeqlcmapfail";
    for _ in 0..40000 {
        let len = (r.next() % 40) as usize;
        let src: Vec<u8> = (0..len)
            .map(|_| alphabet[(r.next() % alphabet.len() as u64) as usize])
            .collect();
        let ok = std::panic::catch_unwind(|| run_one(&src));
        assert!(ok.is_ok(), "panic on {:?}", String::from_utf8_lossy(&src));
    }
}
