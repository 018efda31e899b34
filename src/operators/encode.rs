//! Number and byte encodings: `base32`, `base32d`, `base62`, `base62d`,
//! `base64`/`str2b64`, `base64d`, `hex2b64`, `hexquote`.

use super::{OpResult, msg};
use crate::eval::{Evaluator, Value};

const BASE32_CHARS: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const BASE62_CHARS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
use crate::cnum::strtoul;

/// Base 32 (`a-z2-7`), most significant digit first, no padding; 0 gives
/// the empty string.
pub(crate) fn base32_encode(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while n != 0 {
        out.push(BASE32_CHARS[(n & 0x1f) as usize]);
        n >>= 5;
    }
    out.reverse();
    out
}

/// Exactly six base-62 digits of `n` (Exim's `string_base62`).
pub(crate) fn base62_encode(mut n: u64) -> Vec<u8> {
    let mut out = [0u8; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62_CHARS[(n % 62) as usize];
        n /= 62;
    }
    out.to_vec()
}

/// Decodes digits of `alphabet` as an unsigned long (wrapping); `None` if a
/// byte is not in the alphabet.
fn decode_digits(s: &[u8], alphabet: &[u8]) -> Option<u64> {
    let base = alphabet.len() as u64;
    let mut n: u64 = 0;
    for &c in s {
        let d = alphabet.iter().position(|&a| a == c)? as u64;
        n = n.wrapping_mul(base).wrapping_add(d);
    }
    Some(n)
}

/// `${base32:}`: a decimal number in base 32.
pub fn base32(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let s = &input.bytes;
    let (n, end) = strtoul(s);
    if end != s.len() {
        return Err(msg(&[
            b"argument for base32 operator is \"",
            s,
            b"\", which is not a decimal number",
        ])
        .into());
    }
    Ok(base32_encode(n).into())
}

/// `${base32d:}`: base 32 back to decimal (printed as a signed long).
pub fn base32d(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let s = &input.bytes;
    match decode_digits(s, BASE32_CHARS) {
        Some(n) => Ok((n as i64).to_string().into_bytes().into()),
        None => Err(msg(&[
            b"argument for base32d operator is \"",
            s,
            b"\", which is not a base 32 number",
        ])
        .into()),
    }
}

/// `${base62:}`: a decimal number as six base-62 digits.
pub fn base62(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let s = &input.bytes;
    let (n, end) = strtoul(s);
    if end != s.len() {
        return Err(msg(&[
            b"argument for base62 operator is \"",
            s,
            b"\", which is not a decimal number",
        ])
        .into());
    }
    Ok(base62_encode(n).into())
}

/// `${base62d:}`: base 62 back to decimal (printed as a signed long).
pub fn base62d(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let s = &input.bytes;
    match decode_digits(s, BASE62_CHARS) {
        Some(n) => Ok((n as i64).to_string().into_bytes().into()),
        None => Err(msg(&[
            b"argument for base62d operator is \"",
            s,
            b"\", which is not a base 62 number",
        ])
        .into()),
    }
}

/// `${base64:}` and `${str2b64:}`.
pub fn base64(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(crate::base64::encode(&input.bytes).into())
}

/// `${base64:$cert}`: a certificate's DER in base64 (tlscert-gnu.c
/// `tls_cert_der_b64`).
pub(crate) fn cert_base64(der: &[u8]) -> Vec<u8> {
    crate::base64::encode(der)
}

/// `${base64d:}`: the decoded bytes, up to the first NUL.
pub fn base64d(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let s = &input.bytes;
    match crate::base64::decode(s) {
        Some(mut d) => {
            if let Some(i) = d.iter().position(|&b| b == 0) {
                d.truncate(i);
            }
            Ok(d.into())
        }
        None => Err(msg(&[
            b"string \"",
            s,
            b"\" is not well-formed for \"base64d\" operator",
        ])
        .into()),
    }
}

/// `${hex2b64:}`: hex digits (either case, even count) to base 64.
pub fn hex2b64(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let s = &input.bytes;
    if !s.iter().all(u8::is_ascii_hexdigit) {
        return Err(msg(&[b"\"", s, b"\" is not a hex string"]).into());
    }
    if !s.len().is_multiple_of(2) {
        return Err(msg(&[b"\"", s, b"\" contains an odd number of characters"]).into());
    }
    let nibble = |c: u8| -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            _ => c.to_ascii_uppercase() - b'A' + 10,
        }
    };
    let bytes: Vec<u8> = s
        .chunks(2)
        .map(|p| (nibble(p[0]) << 4) | nibble(p[1]))
        .collect();
    Ok(crate::base64::encode(&bytes).into())
}

/// `${hexquote:}`: bytes outside 0x21..=0x7e become `\xNN`.
pub fn hexquote(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let mut out = Vec::with_capacity(input.bytes.len());
    for &c in &input.bytes {
        if (0x21..=0x7e).contains(&c) {
            out.push(c);
        } else {
            out.extend_from_slice(format!("\\x{c:02x}").as_bytes());
        }
    }
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    type Op = fn(&mut Evaluator, Option<&str>, &Value) -> OpResult;

    fn run(f: Op, input: &[u8]) -> Result<Vec<u8>, String> {
        let mut ctx = Context::new();
        let mut ev = Evaluator::new(&mut ctx);
        f(&mut ev, None, &Value::new(input))
            .map(|v| v.bytes)
            .map_err(|e| e.to_string())
    }

    type Case<'a> = (&'a [u8], Result<&'a [u8], &'a str>);

    fn check(f: Op, cases: &[Case]) {
        for (input, want) in cases {
            let want = want.map(<[u8]>::to_vec).map_err(str::to_string);
            assert_eq!(
                run(f, input),
                want,
                "input {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    // Expected values from Exim 4.96 (operators.jsonl and `exim -be`).
    #[test]
    fn base32_cases() {
        check(
            base32,
            &[
                (b"1", Ok(b"b")),
                (b"32", Ok(b"ba")),
                (b"0", Ok(b"")),
                (b"", Ok(b"")),
                (b"4294967295", Ok(b"d777777")),
                (b"18446744073709551615", Ok(b"p777777777777")),
                (b"99999999999999999999", Ok(b"p777777777777")),
                (b"-1", Ok(b"p777777777777")),
                (b" 5", Ok(b"f")),
                (b"+5", Ok(b"f")),
                (b"123456789", Ok(b"dvxtiv")),
                (
                    b" ",
                    Err("argument for base32 operator is \" \", which is not a decimal number"),
                ),
                (
                    b"5 ",
                    Err("argument for base32 operator is \"5 \", which is not a decimal number"),
                ),
                (
                    b"x",
                    Err("argument for base32 operator is \"x\", which is not a decimal number"),
                ),
            ],
        );
    }

    #[test]
    fn base32d_cases() {
        check(
            base32d,
            &[
                (b"a", Ok(b"0")),
                (b"b", Ok(b"1")),
                (b"ba", Ok(b"32")),
                (b"aaab", Ok(b"1")),
                (b"77", Ok(b"1023")),
                (b"", Ok(b"0")),
                (b"dvxtiv", Ok(b"123456789")),
                (b"dw3f2v", Ok(b"124622677")),
                (b"p777777777777", Ok(b"-1")),
                (
                    b"A",
                    Err("argument for base32d operator is \"A\", which is not a base 32 number"),
                ),
                (
                    b"8",
                    Err("argument for base32d operator is \"8\", which is not a base 32 number"),
                ),
                (
                    b"a b",
                    Err("argument for base32d operator is \"a b\", which is not a base 32 number"),
                ),
            ],
        );
    }

    #[test]
    fn base62_cases() {
        check(
            base62,
            &[
                (b"0", Ok(b"000000")),
                (b"", Ok(b"000000")),
                (b"1", Ok(b"000001")),
                (b"62", Ok(b"000010")),
                (b"12345", Ok(b"0003D7")),
                (b"4294967295", Ok(b"4gfFC3")),
                (b"-1", Ok(b"16AHYF")),
                (
                    b"x",
                    Err("argument for base62 operator is \"x\", which is not a decimal number"),
                ),
            ],
        );
        check(
            base62d,
            &[
                (b"0", Ok(b"0")),
                (b"Z", Ok(b"35")),
                (b"z", Ok(b"61")),
                (b"", Ok(b"0")),
                (b"0003D7", Ok(b"12345")),
                (b"zzzzzzzzzzzz", Ok(b"-1913450501271711745")),
                (
                    b"a-b",
                    Err("argument for base62d operator is \"a-b\", which is not a base 62 number"),
                ),
            ],
        );
    }

    #[test]
    fn base64_cases() {
        check(
            base64,
            &[
                (b"", Ok(b"")),
                (b"abc", Ok(b"YWJj")),
                (b"abcd", Ok(b"YWJjZA==")),
                (b"abcde", Ok(b"YWJjZGU=")),
                (b"Hello, World!", Ok(b"SGVsbG8sIFdvcmxkIQ==")),
                (b"\xff\xfe", Ok(b"//4=")),
            ],
        );
        let bad = |s: &str| format!("string \"{s}\" is not well-formed for \"base64d\" operator");
        type Owned<'a> = (&'a [u8], Result<&'a [u8], String>);
        let cases: Vec<Owned> = vec![
            (b"YQ==", Ok(b"a")),
            (b"YWI=", Ok(b"ab")),
            (b"YW Jj", Ok(b"abc")),
            (b" YWJj \n", Ok(b"abc")),
            (b"Y W J j Z A = =", Ok(b"abcd")),
            (b"4pyT", Ok("✓".as_bytes())),
            (b"", Ok(b"")),
            (b"YQBi", Ok(b"a")),
            (b"YWJjZA", Err(bad("YWJjZA"))),
            (b"Y", Err(bad("Y"))),
            (b"YW", Err(bad("YW"))),
            (b"YWJ", Err(bad("YWJ"))),
            (b"YQ=", Err(bad("YQ="))),
            (b"!!!!", Err(bad("!!!!"))),
            (b"YWJjZA==YWJj", Err(bad("YWJjZA==YWJj"))),
            (b"YWI=x", Err(bad("YWI=x"))),
        ];
        for (input, want) in cases {
            let want = want.map(<[u8]>::to_vec);
            assert_eq!(run(base64d, input), want, "{input:?}");
        }
    }

    #[test]
    fn hex_cases() {
        check(
            hex2b64,
            &[
                (b"0a0b", Ok(b"Cgs=")),
                (b"abcdef", Ok(b"q83v")),
                (b"ABCDEF", Ok(b"q83v")),
                (b"", Ok(b"")),
                (b"00", Ok(b"AA==")),
                (b"abc", Err("\"abc\" contains an odd number of characters")),
                (b"xy", Err("\"xy\" is not a hex string")),
            ],
        );
        check(
            hexquote,
            &[
                (b"a b", Ok(b"a\\x20b")),
                (b"a\tb", Ok(b"a\\x09b")),
                (b"\x7f\x80\xff", Ok(b"\\x7f\\x80\\xff")),
                (b"\x20\x21\x7e", Ok(b"\\x20!~")),
            ],
        );
    }
}
