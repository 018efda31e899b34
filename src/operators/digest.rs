//! Message digests: `md5` (lower-case hex), `sha1`, `sha2[_N]`/`sha256[_N]`
//! and `sha3[_N]` (upper-case hex).
//!
//! Exim 4.96 ignores an `_arg` given to `md5` and `sha1`; for the SHA-2 and
//! SHA-3 families it selects the variant (`sha256_512` is SHA-512: both
//! names share one implementation).

use super::OpResult;
use crate::eval::{Context, Digest, Evaluator, Value};

pub(crate) fn hex(bytes: &[u8], upper: bool) -> Vec<u8> {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(digits[usize::from(b >> 4)]);
        out.push(digits[usize::from(b & 15)]);
    }
    out
}

/// `${md5:}`.
pub fn md5(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(hex(&ev.ctx.crypto.digest(Digest::Md5, &input.bytes), false).into())
}

/// `${sha1:}`.
pub fn sha1(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(hex(&ev.ctx.crypto.digest(Digest::Sha1, &input.bytes), true).into())
}

/// `${md5:$cert}`, `${sha1:$cert}`, `${sha256[_N]:$cert}`: a certificate's
/// fingerprint, the digest of its DER in upper-case hex for all three
/// (tlscert-gnu.c `fingerprint` prints `%02X`); `sha256` ignores `_N` here.
pub(crate) fn cert_fingerprint(ev: &Evaluator, op: &str, der: &[u8]) -> Option<Vec<u8>> {
    let alg = match op {
        "md5" => Digest::Md5,
        "sha1" => Digest::Sha1,
        "sha256" => Digest::Sha256,
        _ => return None,
    };
    Some(hex(&ev.ctx.crypto.digest(alg, der), true))
}

/// The digest `${sha2_N:}` (or `${sha256_N:}`) names.
fn sha2_variant(arg: Option<&str>) -> Result<Digest, Vec<u8>> {
    match arg {
        None | Some("256") => Ok(Digest::Sha256),
        Some("384") => Ok(Digest::Sha384),
        Some("512") => Ok(Digest::Sha512),
        Some(_) => Err(b"unrecognised sha2 variant".to_vec()),
    }
}

/// The digest `${sha3_N:}` names.
fn sha3_variant(arg: Option<&str>) -> Result<Digest, Vec<u8>> {
    match arg {
        Some("224") => Ok(Digest::Sha3_224),
        None | Some("256") => Ok(Digest::Sha3_256),
        Some("384") => Ok(Digest::Sha3_384),
        Some("512") => Ok(Digest::Sha3_512),
        Some(_) => Err(b"unrecognised sha3 variant".to_vec()),
    }
}

/// The static check of `${sha2_N:}`, `${sha256_N:}` and `${sha3_N:}`.
pub(crate) fn check_variant(_ctx: &Context, name: &str, arg: Option<&str>) -> Result<(), Vec<u8>> {
    match name {
        "sha3" => sha3_variant(arg).map(|_| ()),
        _ => sha2_variant(arg).map(|_| ()),
    }
}

/// `${sha2[_N]:}` and `${sha256[_N]:}`.
pub fn sha2(ev: &mut Evaluator, arg: Option<&str>, input: &Value) -> OpResult {
    let alg = sha2_variant(arg)?;
    Ok(hex(&ev.ctx.crypto.digest(alg, &input.bytes), true).into())
}

/// `${sha3[_N]:}`.
pub fn sha3(ev: &mut Evaluator, arg: Option<&str>, input: &Value) -> OpResult {
    let alg = sha3_variant(arg)?;
    Ok(hex(&ev.ctx.crypto.digest(alg, &input.bytes), true).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Op = fn(&mut Evaluator, Option<&str>, &Value) -> OpResult;

    use crate::testutil::run_op as run;

    // Expected values from Exim 4.96 (operators.jsonl and `exim -be`).
    #[test]
    fn digests_match_exim() {
        type Case<'a> = (Op, Option<&'a str>, &'a str, Result<&'a str, &'a str>);
        let cases: &[Case] = &[
            (md5, None, "", Ok("d41d8cd98f00b204e9800998ecf8427e")),
            (
                md5,
                None,
                "the quick brown fox",
                Ok("30f3c93e46436deb58ba70816a8ec124"),
            ),
            (
                md5,
                Some("x"),
                "abc",
                Ok("900150983cd24fb0d6963f7d28e17f72"),
            ),
            (
                sha1,
                None,
                "",
                Ok("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"),
            ),
            (
                sha1,
                None,
                "The quick brown fox jumps over the lazy dog",
                Ok("2FD4E1C67A2D28FCED849EE1BB76E7391B93EB12"),
            ),
            (
                sha2,
                Some("256"),
                "abc",
                Ok("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
            ),
            (
                sha2,
                None,
                "abc",
                Ok("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
            ),
            (
                sha2,
                Some("384"),
                "abc",
                Ok(
                    "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7",
                ),
            ),
            (
                sha2,
                Some("512"),
                "abc",
                Ok(
                    "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F",
                ),
            ),
            (sha2, Some("x"), "abc", Err("unrecognised sha2 variant")),
            (sha2, Some("224"), "abc", Err("unrecognised sha2 variant")),
            (
                sha3,
                None,
                "",
                Ok("A7FFC6F8BF1ED76651C14756A061D662F580FF4DE43B49FA82D80A4B80F8434A"),
            ),
            (
                sha3,
                None,
                "abc",
                Ok("3A985DA74FE225B2045C172D6BD390BD855F086E3E9D525B46BFE24511431532"),
            ),
            (
                sha3,
                Some("224"),
                "abc",
                Ok("E642824C3F8CF24AD09234EE7D3C766FC9A3A5168D0C94AD73B46FDF"),
            ),
            (
                sha3,
                Some("256"),
                "abc",
                Ok("3A985DA74FE225B2045C172D6BD390BD855F086E3E9D525B46BFE24511431532"),
            ),
            (
                sha3,
                Some("512"),
                "abc",
                Ok(
                    "B751850B1A57168A5693CD924B6B096E08F621827444F70D884F5D0240D2712E10E116E9192AF3C91A7EC57647E3934057340B4CF408D5A56592F8274EEC53F0",
                ),
            ),
            (
                sha3,
                Some("384"),
                "abc",
                Ok(
                    "EC01498288516FC926459F58E2C6AD8DF9B473CB0FC08C2596DA7CF0E49BE4B298D88CEA927AC7F539F1EDF228376D25",
                ),
            ),
            (sha3, Some("128"), "abc", Err("unrecognised sha3 variant")),
        ];
        for (f, arg, input, want) in cases {
            let want = want.map(str::to_string).map_err(str::to_string);
            assert_eq!(run(*f, *arg, input), want, "{arg:?} {input:?}");
        }
    }
}
