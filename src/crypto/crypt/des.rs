//! The DES-based `crypt()` hashes as libxcrypt 4.4 computes them:
//! traditional DES (2-character salt, 13 characters), bigcrypt (the same,
//! one 11-character block per 8 characters of the phrase) and BSDi's
//! extended DES (`_` + 4 characters of count + 4 of salt).
//!
//! No maintained crate offers crypt(3)'s DES: the salt perturbs the
//! E-expansion, which a plain DES block cipher cannot do.  This is the
//! textbook DES of FIPS 46-3 with that perturbation, written after
//! libxcrypt's `crypt-des.c` and `alg-des.c`.

/// The alphabet of the traditional hashes (and of libxcrypt's other ones).
pub(super) const ASCII64: &[u8; 64] =
    b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Value of a character of [`ASCII64`], as libxcrypt's `ascii_to_bin`.
fn ascii_to_bin(c: u8) -> Option<u32> {
    ASCII64.iter().position(|&a| a == c).map(|i| i as u32)
}

/// Whether `c` may start a traditional DES setting (libxcrypt's
/// `is_des_salt_char`).
pub(super) fn is_des_salt_char(c: u8) -> bool {
    ascii_to_bin(c).is_some()
}

// FIPS 46-3 tables; bits are numbered from 1, most significant first.
const IP: [u8; 64] = [
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6,
    64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61,
    53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP: [u8; 64] = [
    40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30,
    37, 5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
    34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const P: [u8; 32] = [
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19,
    13, 30, 6, 22, 11, 4, 25,
];
const PC1: [u8; 56] = [
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60,
    52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29,
    21, 13, 5, 28, 20, 12, 4,
];
const PC2: [u8; 48] = [
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
    31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS: [u32; 16] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S: [[u8; 64]; 8] = [
    [
        14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12,
        11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9,
        1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
    ],
    [
        15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1,
        10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15,
        4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
    ],
    [
        10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5,
        14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6,
        9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
    ],
    [
        7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2,
        12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1,
        13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
    ],
    [
        2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15,
        10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14,
        2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
    ],
    [
        12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13,
        14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5,
        15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
    ],
    [
        4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5,
        12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4,
        10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
    ],
    [
        13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6,
        11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10,
        8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
    ],
];

/// Output bit `i` is input bit `table[i]` (of `width` bits).
const fn permute(input: u64, width: u32, table: &[u8]) -> u64 {
    let mut out = 0;
    let mut i = 0;
    while i < table.len() {
        out = (out << 1) | ((input >> (width - table[i] as u32)) & 1);
        i += 1;
    }
    out
}

/// Each S-box followed by the P permutation, indexed by the 6 input bits.
const SP: [[u32; 64]; 8] = {
    let mut sp = [[0u32; 64]; 8];
    let mut b = 0;
    while b < 8 {
        let mut v = 0;
        while v < 64 {
            let row = ((v >> 4) & 2) | (v & 1);
            let col = (v >> 1) & 15;
            let s = S[b][row * 16 + col] as u64;
            sp[b][v] = permute(s << (28 - 4 * b), 32, &P) as u32;
            v += 1;
        }
        b += 1;
    }
    sp
};

/// A key schedule and a salt, as libxcrypt's `struct des_ctx`.
struct Des {
    keys: [u64; 16],
    /// Bit `23 - i` is set for salt bit `i`: those E-box output bits are
    /// swapped between the two 24-bit halves.
    saltbits: u32,
}

impl Des {
    fn new(key: [u8; 8], salt: u32) -> Des {
        let cd = permute(u64::from_be_bytes(key), 64, &PC1);
        let (mut c, mut d) = ((cd >> 28) as u32, (cd & 0x0fff_ffff) as u32);
        let mut keys = [0; 16];
        for (k, &s) in keys.iter_mut().zip(&SHIFTS) {
            c = ((c << s) | (c >> (28 - s))) & 0x0fff_ffff;
            d = ((d << s) | (d >> (28 - s))) & 0x0fff_ffff;
            *k = permute((u64::from(c) << 28) | u64::from(d), 56, &PC2);
        }
        let mut saltbits = 0;
        for i in 0..24 {
            if salt >> i & 1 == 1 {
                saltbits |= 1 << (23 - i);
            }
        }
        Des { keys, saltbits }
    }

    fn f(&self, r: u32, k: u64) -> u32 {
        // The E expansion: eight overlapping 6-bit groups of R.
        let ext = (u64::from(r & 1) << 33) | (u64::from(r) << 1) | u64::from(r >> 31);
        let mut e = 0u64;
        for j in 0..8 {
            e = (e << 6) | ((ext >> (28 - 4 * j)) & 63);
        }
        let (mut l, mut rr) = ((e >> 24) as u32, (e & 0xff_ffff) as u32);
        let swap = (l ^ rr) & self.saltbits;
        l ^= swap;
        rr ^= swap;
        let e = ((u64::from(l) << 24) | u64::from(rr)) ^ k;
        (0..8).fold(0, |acc, j| acc | SP[j][((e >> (42 - 6 * j)) & 63) as usize])
    }

    /// `count` successive encryptions of `block` (at least one).
    fn encrypt(&self, block: u64, count: u32) -> u64 {
        let b = permute(block, 64, &IP);
        let (mut l, mut r) = ((b >> 32) as u32, b as u32);
        for _ in 0..count.max(1) {
            for &k in &self.keys {
                (l, r) = (r, l ^ self.f(r, k));
            }
            (l, r) = (r, l);
        }
        permute((u64::from(l) << 32) | u64::from(r), 64, &FP)
    }

    /// The 11 characters of a hash: `count` encryptions of zeroes.
    fn hash(&self, count: u32, out: &mut Vec<u8>) {
        let v = self.encrypt(0, count);
        for k in 0..10 {
            out.push(ASCII64[((v >> (58 - 6 * k)) & 63) as usize]);
        }
        out.push(ASCII64[((v & 15) << 2) as usize]);
    }
}

/// The next 8 characters of `phrase`, each shifted left one bit, padded
/// with zeroes (a DES key ignores the low bit of each byte).
fn key_block(phrase: &mut &[u8]) -> [u8; 8] {
    let mut key = [0u8; 8];
    for (k, &c) in key.iter_mut().zip(phrase.iter()) {
        *k = c << 1;
    }
    *phrase = &phrase[phrase.len().min(8)..];
    key
}

/// The 12-bit salt of a traditional setting (its first two characters).
fn des_salt(setting: &[u8]) -> Option<u32> {
    let s0 = ascii_to_bin(*setting.first()?)?;
    let s1 = ascii_to_bin(*setting.get(1)?)?;
    Some(s0 | (s1 << 6))
}

/// libxcrypt's `crypt_bigcrypt_rn`, which also serves traditional DES
/// settings: a phrase of more than 8 characters with a setting of at most
/// 13 is traditional DES (the phrase cut at 8); otherwise one block of 11
/// characters per 8 characters of the phrase (at most 16 blocks), each
/// salted with the first two characters of the previous block.
pub(super) fn bigcrypt(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    let mut salt = des_salt(setting)?;
    let mut out = Vec::with_capacity(2 + 11 * 16);
    out.push(ASCII64[(salt & 63) as usize]);
    out.push(ASCII64[(salt >> 6 & 63) as usize]);
    let mut rest = phrase;
    if phrase.len() > 8 && setting.len() <= 13 {
        Des::new(key_block(&mut rest), salt).hash(25, &mut out);
        return Some(out);
    }
    for _ in 0..16 {
        let start = out.len();
        Des::new(key_block(&mut rest), salt).hash(25, &mut out);
        if rest.is_empty() {
            break;
        }
        salt = des_salt(&out[start..])?;
    }
    Some(out)
}

/// libxcrypt's `crypt_bsdicrypt_rn`: `_`, 4 characters of iteration count
/// and 4 of salt (least significant first); the whole phrase is folded
/// into one key.
pub(super) fn bsdicrypt(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    if setting.first() != Some(&b'_') || setting.len() < 9 {
        return None;
    }
    let field = |chars: &[u8]| {
        chars.iter().enumerate().try_fold(0u32, |acc, (i, &c)| {
            ascii_to_bin(c).map(|v| acc | (v << (6 * i)))
        })
    };
    let count = field(&setting[1..5])?;
    let salt = field(&setting[5..9])?;
    let mut rest = phrase;
    let mut folded = [0u8; 8];
    let des = loop {
        let block = key_block(&mut rest);
        let mut key = [0u8; 8];
        for i in 0..8 {
            key[i] = folded[i] ^ block[i];
        }
        if rest.is_empty() {
            break Des::new(key, salt);
        }
        folded = Des::new(key, 0)
            .encrypt(u64::from_be_bytes(key), 1)
            .to_be_bytes();
    };
    let mut out = setting[..9].to_vec();
    des.hash(count, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn des_block_known_answer() {
        // The worked example of FIPS 46 tutorials (no salt).
        let des = Des::new(0x1334_5779_9BBC_DFF1u64.to_be_bytes(), 0);
        assert_eq!(des.encrypt(0x0123_4567_89AB_CDEF, 1), 0x85E8_1354_0F0A_B405);
    }
}
