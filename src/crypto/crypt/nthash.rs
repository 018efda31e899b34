//! The NT hash `$3$`, as libxcrypt 4.4.33's `crypt_nt_rn`: MD4 (RustCrypto's
//! `md4`) of the phrase widened to UTF-16LE byte by byte (ISO 8859-1),
//! written as `$3$$` and lower-case hex.  Whatever follows `$3$` in the
//! setting is ignored.

use md4::{Digest, Md4};

/// `crypt_nt_rn` (`setting` starts with `$3$`).
pub(super) fn nthash(phrase: &[u8]) -> Vec<u8> {
    let wide: Vec<u8> = phrase.iter().flat_map(|&c| [c, 0]).collect();
    let digest = Md4::digest(&wide);
    let mut out = b"$3$$".to_vec();
    for b in digest {
        out.extend_from_slice(format!("{b:02x}").as_bytes());
    }
    out
}
