//! gost-yescrypt `$gy$`, as libxcrypt 4.4.33's `crypt_gost_yescrypt_rn`:
//! yescrypt of the same setting as `$y$`, then two HMACs with GOST R
//! 34.11-2012 (Streebog, 256 bits; RustCrypto's `streebog`):
//! `HMAC(HMAC(Streebog(phrase), "$gy$params$salt"), yescrypt)`.

use super::yescrypt::{encode64, yescrypt_raw};
use hmac::{KeyInit, Mac, SimpleHmac};
use streebog::{Digest, Streebog256};

/// libxcrypt's `CRYPT_OUTPUT_SIZE` (room for the setting, `$`, the hash
/// and a NUL).
const CRYPT_OUTPUT_SIZE: usize = 384;

fn hmac_streebog(key: &[u8], msg: &[u8]) -> Option<[u8; 32]> {
    let mut m = <SimpleHmac<Streebog256> as KeyInit>::new_from_slice(key).ok()?;
    m.update(msg);
    Some(m.finalize().into_bytes().into())
}

/// `crypt_gost_yescrypt_rn` (`setting` starts with `$gy$`).
pub(super) fn gost_yescrypt(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    if setting.len() + 1 + 43 + 1 > CRYPT_OUTPUT_SIZE {
        return None;
    }
    let mut y_setting = b"$y$".to_vec();
    y_setting.extend_from_slice(setting.strip_prefix(b"$gy$")?);
    // `prefix` is "$y$params$salt"; its length is that of "$gy$params$salt"
    // less one, and libxcrypt's message is that many bytes and one more.
    let (prefix, y) = yescrypt_raw(phrase, &y_setting)?;
    let hk: [u8; 32] = Streebog256::digest(phrase).into();
    let interm = hmac_streebog(&hk, &setting[..prefix.len() + 1])?;
    let hash = hmac_streebog(&interm, &y)?;
    let mut out = b"$g".to_vec();
    out.extend_from_slice(&prefix[1..]);
    out.push(b'$');
    encode64(&mut out, &hash);
    Some(out)
}
