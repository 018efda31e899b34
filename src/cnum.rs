//! C's decimal number readers, as Exim's C code calls them (`strtol`,
//! `strtoul`, `atoi`): one copy for every builtin that needs them.

use crate::sys::is_space;

/// What C's number readers skip first: white space, then an optional sign.
/// Whether the sign was `-`, and where the digits start.
pub fn sign(s: &[u8]) -> (bool, usize) {
    let mut p = 0;
    while p < s.len() && is_space(s[p]) {
        p += 1;
    }
    let negative = s.get(p) == Some(&b'-');
    if matches!(s.get(p), Some(b'+' | b'-')) {
        p += 1;
    }
    (negative, p)
}

/// C `strtol(s, &end, 10)`: leading white space, an optional sign, decimal
/// digits; the value saturates at the `i64` range.  Returns the value and
/// the index where reading stopped (0 when no digits were read).
pub fn strtol(s: &[u8]) -> (i64, usize) {
    let (negative, mut p) = sign(s);
    let start = p;
    let mut v: i64 = 0;
    while let Some(d) = s.get(p).filter(|c| c.is_ascii_digit()) {
        let d = i64::from(d - b'0');
        v = if negative {
            v.saturating_mul(10).saturating_sub(d)
        } else {
            v.saturating_mul(10).saturating_add(d)
        };
        p += 1;
    }
    if p == start { (0, 0) } else { (v, p) }
}

/// C `strtol(s, &end, 0)`: like [`strtol`], but `0x` starts hexadecimal
/// digits and a leading `0` octal ones (`0x` without a hex digit reads as
/// the number 0, ending after the `0`).
pub fn strtol_base0(s: &[u8]) -> (i64, usize) {
    let (negative, p) = sign(s);
    let (radix, start) = match (s.get(p), s.get(p + 1)) {
        (Some(b'0'), Some(b'x' | b'X')) if s.get(p + 2).is_some_and(u8::is_ascii_hexdigit) => {
            (16, p + 2)
        }
        (Some(b'0'), Some(b'x' | b'X')) => return (0, p + 1),
        (Some(b'0'), _) => (8, p),
        _ => (10, p),
    };
    let mut v: i64 = 0;
    let mut q = start;
    while let Some(d) = s.get(q).and_then(|&c| char::from(c).to_digit(radix)) {
        let d = i64::from(d);
        v = if negative {
            v.saturating_mul(i64::from(radix)).saturating_sub(d)
        } else {
            v.saturating_mul(i64::from(radix)).saturating_add(d)
        };
        q += 1;
    }
    if q == start { (0, 0) } else { (v, q) }
}

/// C `strtoul(s, &end, 10)`: leading white space, an optional sign, decimal
/// digits.  Out-of-range values give `u64::MAX`; a minus sign negates
/// modulo 2^64.  Returns the value and the index where reading stopped
/// (0 when there were no digits at all).
pub fn strtoul(s: &[u8]) -> (u64, usize) {
    let (negative, mut p) = sign(s);
    let start = p;
    let mut value: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(p).filter(|c| c.is_ascii_digit()) {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        p += 1;
    }
    if p == start {
        return (0, 0);
    }
    if overflow {
        (u64::MAX, p)
    } else if negative {
        (value.wrapping_neg(), p)
    } else {
        (value, p)
    }
}

/// `strtol` over the whole of `s`: `None` when there are no digits or
/// characters follow them (the empty string counts as 0, all consumed).
pub fn strtol_all(s: &[u8]) -> Option<i64> {
    match strtol(s) {
        (_, 0) if s.is_empty() => Some(0),
        (_, 0) => None,
        (v, n) if n == s.len() => Some(v),
        _ => None,
    }
}

/// glibc `atoi`: `strtol`, truncated to `int`.
pub fn atoi(s: &[u8]) -> i32 {
    strtol(s).0 as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_with_base_0() {
        assert_eq!(strtol_base0(b"0x2,"), (2, 3));
        assert_eq!(strtol_base0(b"010"), (8, 3));
        assert_eq!(strtol_base0(b" 7 a"), (7, 2));
        assert_eq!(strtol_base0(b"-1"), (-1, 2));
        assert_eq!(strtol_base0(b"0x,"), (0, 1));
        assert_eq!(strtol_base0(b"x"), (0, 0));
    }

    #[test]
    fn c_readers() {
        assert_eq!(strtol(b"  -12x"), (-12, 5));
        assert_eq!(strtol(b"x"), (0, 0));
        assert_eq!(strtol(b"99999999999999999999"), (i64::MAX, 20));
        assert_eq!(strtol(b"-99999999999999999999").0, i64::MIN);
        assert_eq!(strtoul(b"-1"), (u64::MAX, 2));
        assert_eq!(strtol_all(b" +7"), Some(7));
        assert_eq!(strtol_all(b"7 "), None);
        assert_eq!(strtol_all(b""), Some(0));
        assert_eq!(strtol_all(b" "), None);
        // glibc: (int) 99999999999 and (int) LONG_MAX.
        assert_eq!(atoi(b"99999999999"), 1215752191);
        assert_eq!(atoi(b"99999999999999999999"), -1);
        assert_eq!(atoi(b" +42abc"), 42);
    }
}
