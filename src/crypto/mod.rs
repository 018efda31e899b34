//! The default [`Crypto`] provider: the RustCrypto crates, and a
//! pure-Rust `crypt(3)` giving what Debian's libxcrypt gives.

pub(crate) mod crypt;
mod sign;

use crate::eval::{Crypto, Digest, SignatureAlg, SignatureError};
use hmac::{KeyInit, Mac};
use sha2::Digest as _;

/// Digests and HMACs with md-5, sha1, sha2, sha3 and hmac.
#[derive(Debug, Default, Clone, Copy)]
pub struct RustCrypto;

fn mac<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

impl Crypto for RustCrypto {
    fn digest(&self, alg: Digest, data: &[u8]) -> Vec<u8> {
        match alg {
            Digest::Md5 => md5::Md5::digest(data).to_vec(),
            Digest::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Digest::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Digest::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Digest::Sha512 => sha2::Sha512::digest(data).to_vec(),
            Digest::Sha3_224 => sha3::Sha3_224::digest(data).to_vec(),
            Digest::Sha3_256 => sha3::Sha3_256::digest(data).to_vec(),
            Digest::Sha3_384 => sha3::Sha3_384::digest(data).to_vec(),
            Digest::Sha3_512 => sha3::Sha3_512::digest(data).to_vec(),
        }
    }

    fn hmac(&self, alg: Digest, key: &[u8], data: &[u8]) -> Vec<u8> {
        match alg {
            Digest::Md5 => mac::<hmac::Hmac<md5::Md5>>(key, data),
            Digest::Sha1 => mac::<hmac::Hmac<sha1::Sha1>>(key, data),
            Digest::Sha256 => mac::<hmac::Hmac<sha2::Sha256>>(key, data),
            Digest::Sha384 => mac::<hmac::Hmac<sha2::Sha384>>(key, data),
            Digest::Sha512 => mac::<hmac::Hmac<sha2::Sha512>>(key, data),
            Digest::Sha3_224 => mac::<hmac::SimpleHmac<sha3::Sha3_224>>(key, data),
            Digest::Sha3_256 => mac::<hmac::SimpleHmac<sha3::Sha3_256>>(key, data),
            Digest::Sha3_384 => mac::<hmac::SimpleHmac<sha3::Sha3_384>>(key, data),
            Digest::Sha3_512 => mac::<hmac::SimpleHmac<sha3::Sha3_512>>(key, data),
        }
    }

    fn crypt(&self, phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
        crypt::crypt(phrase, setting)
    }

    fn sign(&self, alg: SignatureAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        sign::sign(alg, key, data)
    }

    fn verify(
        &self,
        alg: SignatureAlg,
        key: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<bool, SignatureError> {
        sign::verify(alg, key, data, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// RFC 2202 / RFC 4231 test vectors and the empty-string digests.
    #[test]
    fn known_answers() {
        let c = RustCrypto;
        assert_eq!(
            hex(&c.digest(Digest::Md5, b"")),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            hex(&c.digest(Digest::Sha1, b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&c.hmac(Digest::Md5, b"Jefe", b"what do ya want for nothing?")),
            "750c783e6ab0b503eaa86e310a5db738"
        );
        assert_eq!(
            hex(&c.hmac(Digest::Sha1, b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            hex(&c.hmac(Digest::Sha256, b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
