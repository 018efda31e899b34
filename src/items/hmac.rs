//! `${hmac{md5|sha1}{secret}{text}}`: HMAC-MD5 or HMAC-SHA1 in lower-case
//! hex, through the engine's [`crate::eval::Crypto`] provider.

use crate::eval::{Digest, Evaluator, Failure, Value};

pub fn hmac(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let [algo, key, text] = vals else {
        return Err(super::unread());
    };
    let alg = match algo.bytes.as_slice() {
        b"md5" => Digest::Md5,
        b"sha1" => Digest::Sha1,
        other => {
            let msg = crate::sys::msg(&[b"hmac algorithm \"", other, b"\" is not recognised"]);
            return Err(Failure::new(msg));
        }
    };
    let digest = ev.ctx.crypto.hmac(alg, &key.bytes, &text.bytes);
    Ok(Value::new(crate::operators::digest::hex(&digest, false)))
}

#[cfg(test)]
mod tests {
    use crate::testutil::expand_in;

    /// Expected values from Exim 4.96 (`exim -be`).
    #[test]
    fn hmac_cases() {
        let mut ctx = crate::eval::Context::new();
        let cases = [
            (
                "${hmac{md5}{Jefe}{what do ya want for nothing?}}",
                "750c783e6ab0b503eaa86e310a5db738",
            ),
            (
                "${hmac{sha1}{Jefe}{what do ya want for nothing?}}",
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(expand_in(&mut ctx, src), Ok(want.to_string()), "{src}");
        }
    }
}
