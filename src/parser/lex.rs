//! Token-level readers built with nom: names, numbers, white space and
//! backslash escapes.  They work on bytes: Exim is byte oriented and uses the
//! C locale's `isalnum`/`isspace`.

pub use crate::sys::is_space;
use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{take_while, take_while_m_n};

/// The length of the literal text at the start of `s`: up to the first
/// `$`, `}` or `\\` (or all of it).  Most runs are short, so a few bytes
/// are looked at one by one before handing over to memchr.
pub fn text_run(s: &[u8]) -> usize {
    let stop = |c: u8| c == b'$' || c == b'}' || c == b'\\';
    let head = s.len().min(16);
    match s[..head].iter().position(|&c| stop(c)) {
        Some(i) => i,
        None => head + memchr::memchr3(b'$', b'}', b'\\', &s[head..]).unwrap_or(s.len() - head),
    }
}

/// ASCII letters, digits and `_`: the bytes of most names.
const NAME_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_';
        c += 1;
    }
    t
};

/// Is `c` a letter, a digit or `_`?
#[inline]
pub fn is_name_byte(c: u8) -> bool {
    NAME_BYTES[c as usize]
}

/// White space, possibly none.
pub fn space(input: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(is_space).parse(input)
}

/// A run of ASCII digits (possibly empty).
pub fn digits(input: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|c: u8| c.is_ascii_digit()).parse(input)
}

/// Reads the digits of `$123`: Exim accumulates them in a C `int`, wrapping
/// on overflow, so the value can come out negative.
pub fn read_cnumber(d: &[u8]) -> i64 {
    let mut n: i32 = 0;
    for &c in d {
        n = n.wrapping_mul(10).wrapping_add((c - b'0') as i32);
    }
    n as i64
}

fn octal_digits(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while_m_n(1, 3, |c: u8| (b'0'..=b'7').contains(&c)).parse(i)
}

fn hex_digits(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while_m_n(0, 2, |c: u8| c.is_ascii_hexdigit()).parse(i)
}

/// Interprets the escape after a backslash (`input` starts just after the
/// `\`, which must be followed by at least one byte).  Returns the byte
/// produced and the number of input bytes consumed.
pub fn escape(input: &[u8]) -> (u8, usize) {
    let c = input[0];
    match c {
        b'0'..=b'7' => {
            let (_, ds) = octal_digits(input).unwrap_or((input, &input[..1]));
            let mut v: u32 = 0;
            for &d in ds {
                v = v * 8 + (d - b'0') as u32;
            }
            (v as u8, ds.len())
        }
        b'x' => {
            let (_, hs) = hex_digits(&input[1..]).unwrap_or((input, &[]));
            let mut v: u32 = 0;
            for &h in hs {
                v = v * 16 + (h as char).to_digit(16).unwrap_or(0);
            }
            (v as u8, 1 + hs.len())
        }
        b'n' => (b'\n', 1),
        b'r' => (b'\r', 1),
        b't' => (b'\t', 1),
        b'b' => (0x08, 1),
        b'f' => (0x0c, 1),
        b'v' => (0x0b, 1),
        other => (other, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_exim() {
        let cases: &[(&[u8], u8, usize)] = &[
            (b"n", b'\n', 1),
            (b"x41", b'A', 3),
            (b"x4g", 4, 2),
            (b"xg", 0, 1),
            (b"1011", b'A', 3),
            (b"777", 0xff, 3),
            (b"77", b'?', 2),
            (b"8", b'8', 1),
            (b"q", b'q', 1),
            (b"X41", b'X', 1),
        ];
        for &(input, byte, used) in cases {
            assert_eq!(
                escape(input),
                (byte, used),
                "\\{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn cnumber_wraps_like_a_c_int() {
        assert_eq!(read_cnumber(b"12"), 12);
        assert_eq!(read_cnumber(b"2147483648"), -2147483648);
    }
}
