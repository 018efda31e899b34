//! String and numeric comparisons: `eq eqi lt lti le lei gt gti ge gei`
//! (byte order, ASCII-caseless for the `i` forms) and `< <= = == > >=`
//! (64-bit integers with K/M/G suffixes).

use crate::eval::{Evaluator, Value};
use std::cmp::Ordering;

fn cmp_bytes(a: &Value, b: &Value) -> Ordering {
    a.bytes.cmp(&b.bytes)
}

fn cmp_caseless(a: &Value, b: &Value) -> Ordering {
    strcmpic(&a.bytes, &b.bytes)
}

/// Exim's `strcmpic`, including its quirk: a string that is a proper
/// prefix of the other compares *greater* (it returns the other string's
/// next character).
pub fn strcmpic(s: &[u8], t: &[u8]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    for (i, &c) in s.iter().enumerate() {
        let d = t.get(i).copied().unwrap_or(0);
        match c.to_ascii_lowercase().cmp(&d.to_ascii_lowercase()) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    if t.len() > s.len() {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

macro_rules! string_cmp {
    ($name:ident, $cmp:ident, $($ord:pat_param)|+) => {
        pub fn $name(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
            Ok(matches!($cmp(&a[0], &a[1]), $($ord)|+))
        }
    };
}

string_cmp!(str_eq, cmp_bytes, Ordering::Equal);
string_cmp!(str_eqi, cmp_caseless, Ordering::Equal);
string_cmp!(str_lt, cmp_bytes, Ordering::Less);
string_cmp!(str_lti, cmp_caseless, Ordering::Less);
string_cmp!(str_le, cmp_bytes, Ordering::Less | Ordering::Equal);
string_cmp!(str_lei, cmp_caseless, Ordering::Less | Ordering::Equal);
string_cmp!(str_gt, cmp_bytes, Ordering::Greater);
string_cmp!(str_gti, cmp_caseless, Ordering::Greater);
string_cmp!(str_ge, cmp_bytes, Ordering::Greater | Ordering::Equal);
string_cmp!(str_gei, cmp_caseless, Ordering::Greater | Ordering::Equal);

/// An operand of a numeric comparison: empty counts as 0.
pub(crate) fn number(v: &Value) -> Result<i64, Vec<u8>> {
    if v.bytes.is_empty() {
        return Ok(0);
    }
    crate::numeric::parse_integer(&v.bytes, false)
}

fn numbers(a: &[Value]) -> Result<(i64, i64), Vec<u8>> {
    Ok((number(&a[0])?, number(&a[1])?))
}

macro_rules! num_cmp {
    ($name:ident, $op:tt) => {
        pub fn $name(_ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
            let (x, y) = numbers(a)?;
            Ok(x $op y)
        }
    };
}

num_cmp!(num_lt, <);
num_cmp!(num_le, <=);
num_cmp!(num_eq, ==);
num_cmp!(num_gt, >);
num_cmp!(num_ge, >=);
