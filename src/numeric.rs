//! Number handling of Exim 4.96 string expansions.
//!
//! * [`eval_expression`] — the arithmetic of `${eval:…}` and `${eval10:…}`;
//! * [`parse_integer`] — how the numeric conditions (`<`, `<=`, `=`, `==`,
//!   `>`, `>=`), numeric sorting and `${randint:…}` read an integer;
//! * [`time_eval`] — `${time_eval:…}` (`1w2d3h4m5s` to seconds);
//! * [`time_interval`] — `${time_interval:…}` (seconds to `1w2d3h4m5s`).
//!
//! Everything works on bytes and reproduces the behaviour of the real
//! Exim 4.96 binary on 64-bit Linux, including the places where the C code
//! relies on wrapping integer arithmetic.  Nothing here panics: all
//! arithmetic is wrapping or checked.
//!
//! Exim hands these routines NUL-terminated C strings, so a NUL byte ends
//! the input here too: anything after the first NUL is ignored, exactly as
//! the C code would never see it.
//!
//! Error values are Exim's message texts without the `Failed: ` prefix.
//! Bytes that are not valid UTF-8 appear in messages as U+FFFD.

use crate::sys::is_space;

/// How deeply parentheses may nest in [`eval_expression`].  Exim itself has
/// no limit (it recurses until the stack runs out); this implementation does
/// not recurse at all, but still refuses absurdly deep nesting.
pub const MAX_PAREN_DEPTH: usize = 1000;

/// Index of the first byte at or after `pos` that is not white space.
fn skip_space(s: &[u8], mut pos: usize) -> usize {
    while s.get(pos).is_some_and(|&b| is_space(b)) {
        pos += 1;
    }
    pos
}

/// `PRE` + the bytes of `s` + `POST`: messages quote input as the bytes it
/// is (Exim prints them raw, not as UTF-8).
fn quoted(pre: &str, s: &[u8], post: &str) -> Vec<u8> {
    [pre.as_bytes(), s, post.as_bytes()].concat()
}

/// Reads the longest run of digits of `radix` starting at `pos`, the way
/// `strtoll()` does for a number without sign: the magnitude saturates at
/// `u64::MAX` (callers clamp it further).  Returns the magnitude, the index
/// after the digits, and whether any digit was read.
fn scan_digits(s: &[u8], mut pos: usize, radix: u32) -> (u64, usize, bool) {
    let start = pos;
    let mut magnitude: u64 = 0;
    while let Some(digit) = s.get(pos).and_then(|&b| char::from(b).to_digit(radix)) {
        magnitude = magnitude
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(digit));
        pos += 1;
    }
    (magnitude, pos, pos > start)
}

/// Clamps an unsigned magnitude to `i64::MAX`, as `strtoll()` does for
/// positive overflow.
fn clamp_positive(magnitude: u64) -> i64 {
    i64::try_from(magnitude).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------
// ${eval:} and ${eval10:}
// ---------------------------------------------------------------------------

/// What went wrong while evaluating an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Operand,
    Operator,
    CloseParen,
    DivideByZero,
    ModuloByZero,
    Sum,
    Difference,
    TooDeep,
}

impl Fault {
    fn message(self) -> &'static str {
        match self {
            Fault::Operand => "expecting number or opening parenthesis",
            Fault::Operator => "expecting operator",
            Fault::CloseParen => "expecting closing parenthesis",
            Fault::DivideByZero => "divide by zero",
            Fault::ModuloByZero => "modulo by zero",
            Fault::Sum => "overflow in sum",
            Fault::Difference => "overflow in difference",
            Fault::TooDeep => "too many nested parentheses",
        }
    }
}

/// Binary operators.  All are left-associative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BinOp {
    Or,
    Xor,
    And,
    ShiftLeft,
    ShiftRight,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

impl BinOp {
    /// Binding strength; higher binds tighter.
    fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::Xor => 2,
            BinOp::And => 3,
            BinOp::ShiftLeft | BinOp::ShiftRight => 4,
            BinOp::Add | BinOp::Subtract => 5,
            BinOp::Multiply | BinOp::Divide | BinOp::Modulo => 6,
        }
    }

    /// The operator spelled at `pos`, with its length in bytes.  Operators
    /// are recognised exactly where the previous operand ended; operands
    /// already swallow the white space that follows them.
    fn at(s: &[u8], pos: usize) -> Option<(BinOp, usize)> {
        let op = match s.get(pos)? {
            b'|' => BinOp::Or,
            b'^' => BinOp::Xor,
            b'&' => BinOp::And,
            b'<' if s.get(pos + 1) == Some(&b'<') => return Some((BinOp::ShiftLeft, 2)),
            b'>' if s.get(pos + 1) == Some(&b'>') => return Some((BinOp::ShiftRight, 2)),
            b'+' => BinOp::Add,
            b'-' => BinOp::Subtract,
            b'*' => BinOp::Multiply,
            b'/' => BinOp::Divide,
            b'%' => BinOp::Modulo,
            _ => return None,
        };
        Some((op, 1))
    }

    fn apply(self, x: i64, y: i64) -> Result<i64, Fault> {
        // Exim's guard against overflow in + and -: it looks only at the
        // left operand when that is large and positive, whatever the
        // operator and the right operand, and otherwise only at two
        // large negative operands.  It both rejects harmless sums
        // (4611686018427387903+0) and lets real overflow through
        // (1+9223372036854775807 wraps to the minimum).
        const HALF: i64 = i64::MAX / 2;
        let sum_overflows = x >= HALF || (x <= -HALF && y <= -HALF);
        Ok(match self {
            BinOp::Or => x | y,
            BinOp::Xor => x ^ y,
            BinOp::And => x & y,
            // x86-64 shift instructions use the count modulo 64, and so does
            // wrapping_shl/shr; the truncating cast keeps the low six bits.
            BinOp::ShiftLeft => x.wrapping_shl(y as u32),
            BinOp::ShiftRight => x.wrapping_shr(y as u32),
            BinOp::Add if sum_overflows => return Err(Fault::Sum),
            BinOp::Add => x.wrapping_add(y),
            BinOp::Subtract if sum_overflows => return Err(Fault::Difference),
            BinOp::Subtract => x.wrapping_sub(y),
            BinOp::Multiply => x.wrapping_mul(y),
            // Exim turns the trapping MIN / -1 and MIN % -1 into MAX.
            BinOp::Divide | BinOp::Modulo if x == i64::MIN && y == -1 => i64::MAX,
            BinOp::Divide if y == 0 => return Err(Fault::DivideByZero),
            BinOp::Divide => x.wrapping_div(y),
            BinOp::Modulo if y == 0 => return Err(Fault::ModuloByZero),
            BinOp::Modulo => x.wrapping_rem(y),
        })
    }
}

/// An entry of the evaluator's explicit stack.
enum Frame {
    /// `lhs op` waiting for its right operand.
    Pending { lhs: i64, op: BinOp },
    /// An open parenthesis; the unary operators written before it start at
    /// this index of the unary-operator stack.
    Open { unary_start: usize },
}

/// Applies every pending operator whose precedence is at least `min`,
/// innermost first, stopping at an open parenthesis.  `acc` is the right
/// operand on entry and the result on exit.
fn reduce(stack: &mut Vec<Frame>, acc: &mut i64, min: u8) -> Result<(), Fault> {
    while let Some(&Frame::Pending { lhs, op }) = stack.last() {
        if op.precedence() < min {
            break;
        }
        stack.pop();
        *acc = op.apply(lhs, *acc)?;
    }
    Ok(())
}

/// Applies the unary operators `unary[start..]` to `value`, the one nearest
/// the operand first, and removes them from the stack.
fn apply_unary(unary: &mut Vec<u8>, start: usize, mut value: i64) -> i64 {
    for &op in unary.get(start..).unwrap_or_default().iter().rev() {
        match op {
            b'-' => value = value.wrapping_neg(),
            b'~' => value = !value,
            _ => {}
        }
    }
    unary.truncate(start);
    value
}

/// Reads a number that starts with a digit at `pos`, followed by an
/// optional k/m/g multiplier and white space; returns the value and the
/// position after it.
///
/// Exim uses `sscanf("%lli")` (or `"%lld"` for eval10): a leading `0x`/`0X`
/// means hex and is consumed even when no hex digit follows, another leading
/// `0` means octal, and values beyond the 64-bit range saturate.  The
/// multiplier is applied without any overflow check.
fn scan_number(s: &[u8], pos: usize, decimal: bool) -> (i64, usize) {
    let hex_prefix =
        !decimal && s.get(pos) == Some(&b'0') && matches!(s.get(pos + 1), Some(b'x' | b'X'));
    let (magnitude, mut pos) = if hex_prefix {
        let (m, end, _) = scan_digits(s, pos + 2, 16);
        (m, end)
    } else if !decimal && s.get(pos) == Some(&b'0') {
        let (m, end, _) = scan_digits(s, pos, 8);
        (m, end)
    } else {
        let (m, end, _) = scan_digits(s, pos, 10);
        (m, end)
    };
    let mut value = clamp_positive(magnitude);
    let multiplier = match s.get(pos).map(u8::to_ascii_lowercase) {
        Some(b'k') => Some(1 << 10),
        Some(b'm') => Some(1 << 20),
        Some(b'g') => Some(1 << 30),
        _ => None,
    };
    if let Some(multiplier) = multiplier {
        value = value.wrapping_mul(multiplier);
        pos += 1;
    }
    (value, skip_space(s, pos))
}

/// Evaluates `s`; on failure also returns the position at which the error
/// was detected (the end of the "after processing" text).
///
/// This is an operator-precedence parser with an explicit stack, so that no
/// input can exhaust the native stack.  It applies each operator as soon as
/// its right operand is complete, which is the moment Exim's recursive
/// descent applies it, so errors (division by zero, sum overflow, syntax)
/// are detected in the same order and at the same place as in Exim.
fn evaluate(s: &[u8], decimal: bool) -> Result<i64, (Fault, usize)> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut unary: Vec<u8> = Vec::new();
    let mut depth = 0usize;
    let mut pos = 0usize;

    loop {
        // An operand: unary operators, then a number or a parenthesis.
        let unary_start = unary.len();
        loop {
            pos = skip_space(s, pos);
            match s.get(pos) {
                Some(&op @ (b'+' | b'-' | b'~')) => {
                    unary.push(op);
                    pos += 1;
                }
                _ => break,
            }
        }
        match s.get(pos) {
            Some(b'(') => {
                pos += 1;
                if depth >= MAX_PAREN_DEPTH {
                    return Err((Fault::TooDeep, pos));
                }
                depth += 1;
                stack.push(Frame::Open { unary_start });
                continue;
            }
            Some(b) if b.is_ascii_digit() => {}
            _ => return Err((Fault::Operand, pos)),
        }
        let (number, after) = scan_number(s, pos, decimal);
        pos = after;
        let mut acc = apply_unary(&mut unary, unary_start, number);

        // Operators and closing parentheses after a complete operand.
        loop {
            if let Some((op, len)) = BinOp::at(s, pos) {
                reduce(&mut stack, &mut acc, op.precedence()).map_err(|f| (f, pos))?;
                pos += len;
                stack.push(Frame::Pending { lhs: acc, op });
                break;
            }
            reduce(&mut stack, &mut acc, 0).map_err(|f| (f, pos))?;
            match stack.last() {
                Some(&Frame::Open { unary_start }) => {
                    if s.get(pos) != Some(&b')') {
                        return Err((Fault::CloseParen, pos));
                    }
                    stack.pop();
                    depth -= 1;
                    pos = skip_space(s, pos + 1);
                    acc = apply_unary(&mut unary, unary_start, acc);
                }
                _ if pos < s.len() => return Err((Fault::Operator, pos)),
                _ => return Ok(acc),
            }
        }
    }
}

/// Evaluates an arithmetic expression as `${eval:…}` (`decimal_only` false)
/// or `${eval10:…}` (`decimal_only` true) does.
///
/// Operators, loosest first: `|`, `^`, `&`, `<<` `>>`, binary `+` `-`,
/// `*` `/` `%`, unary `+` `-` `~`; parentheses group.  Numbers are decimal,
/// or for `${eval:}` also `0x` hex and `0` octal, optionally followed by
/// `k`, `m` or `g` (either case) for ×1024, ×1024², ×1024³.  Arithmetic is
/// 64-bit and wraps, except for Exim's (quirky) overflow check on `+`/`-`.
///
/// The error is `error in expression evaluation: MESSAGE (after processing
/// "TEXT")`, TEXT being the input up to where the problem was found.
pub fn eval_expression(expr: &[u8], decimal_only: bool) -> Result<i64, Vec<u8>> {
    let expr = crate::eval::c_str(expr);
    evaluate(expr, decimal_only).map_err(|(fault, pos)| {
        quoted(
            &format!(
                "error in expression evaluation: {} (after processing \"",
                fault.message()
            ),
            expr.get(..pos).unwrap_or(expr),
            "\")",
        )
    })
}

// ---------------------------------------------------------------------------
// Integers for numeric conditions, sorting and randint
// ---------------------------------------------------------------------------

/// `strtoll(s, &end, 10)` for `s` not starting with white space: optional
/// sign, then decimal digits.  Returns the (clamped) value, the number of
/// bytes used (0 when there are no digits) and whether the value was out of
/// range.
fn strtoll_decimal(s: &[u8]) -> (i64, usize, bool) {
    let negative = s.first() == Some(&b'-');
    let sign_len = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let (magnitude, end, any) = scan_digits(s, sign_len, 10);
    if !any {
        return (0, 0, false);
    }
    let (value, out_of_range) = if negative {
        match 0i64.checked_sub_unsigned(magnitude) {
            Some(v) => (v, false),
            None => (i64::MIN, true),
        }
    } else {
        match i64::try_from(magnitude) {
            Ok(v) => (v, false),
            Err(_) => (i64::MAX, true),
        }
    };
    (value, end, out_of_range)
}

/// Interprets an (already expanded) string as an integer the way Exim's
/// numeric conditions, numeric sorting and `${randint:…}` do.
///
/// Leading white space is skipped and a string of nothing but white space
/// (at least one character of it) is 0; the empty string is an error here
/// (the numeric conditions themselves treat an empty operand as 0 before
/// calling this).  The number is decimal with an optional sign and one
/// optional `k`/`m`/`g` multiplier (either case), and may be followed only
/// by white space.  `non_negative` rejects negative values (randint).
///
/// Messages quote the string from its first non-space character.
pub fn parse_integer(s: &[u8], non_negative: bool) -> Result<i64, Vec<u8>> {
    let s = crate::eval::c_str(s);
    let start = skip_space(s, 0);
    if start > 0 && start == s.len() {
        return Ok(0);
    }
    let s = &s[start..];
    let (mut value, mut end, mut overflow) = strtoll_decimal(s);
    if end == 0 {
        return Err(quoted("integer expected but \"", s, "\" found"));
    }
    if value < 0 && non_negative {
        return Err(quoted(
            "non-negative integer expected but \"",
            s,
            "\" found",
        ));
    }
    let multiplier: Option<i64> = match s.get(end).map(u8::to_ascii_lowercase) {
        Some(b'k') => Some(1 << 10),
        Some(b'm') => Some(1 << 20),
        Some(b'g') => Some(1 << 30),
        _ => None,
    };
    if let Some(multiplier) = multiplier {
        // Exim's check (value beyond MAX/mult or MIN/mult) is exactly a
        // checked multiplication, the multipliers being powers of two.
        match value.checked_mul(multiplier) {
            Some(v) => value = v,
            None => overflow = true,
        }
        end += 1;
    }
    if overflow {
        return Err(quoted(
            "absolute value of integer \"",
            s,
            "\" is too large (overflow)",
        ));
    }
    if skip_space(s, end) == s.len() {
        Ok(value)
    } else {
        Err(quoted("invalid integer \"", s, "\""))
    }
}

// ---------------------------------------------------------------------------
// ${time_eval:} and ${time_interval:}
// ---------------------------------------------------------------------------

/// Exim's reading of a time interval such as `1w2d3h4m5s` (readconf's time
/// reader with seconds precision).  Each field is digits followed by one of
/// `w d h m s`; fields may repeat and come in any order.  The C code works
/// in `int`: each field's digits are read as a `long` (saturating) and
/// truncated to 32 bits, and the products and sum wrap.  `None` is a syntax
/// error.
fn read_time(s: &[u8]) -> Option<i32> {
    let mut total: i32 = 0;
    let mut pos = 0;
    loop {
        if !s.get(pos).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (magnitude, end, _) = scan_digits(s, pos, 10);
        // Truncation to the low 32 bits is what storing a long in an int does.
        let value = clamp_positive(magnitude) as i32;
        let unit: i32 = match s.get(end)? {
            b'w' => 7 * 24 * 60 * 60,
            b'd' => 24 * 60 * 60,
            b'h' => 60 * 60,
            b'm' => 60,
            b's' => 1,
            _ => return None,
        };
        total = total.wrapping_add(value.wrapping_mul(unit));
        pos = end + 1;
        if pos >= s.len() {
            return Some(total);
        }
    }
}

/// Converts an Exim time interval (`1w2d3h4m5s`, fields in any order,
/// repeats added up) to seconds, as `${time_eval:…}` does.  A bare number,
/// an empty string, a sign, a fraction or anything else, and a total that
/// comes out negative in 32-bit arithmetic, are errors.
pub fn time_eval(s: &[u8]) -> Result<i64, Vec<u8>> {
    let s = crate::eval::c_str(s);
    match read_time(s) {
        Some(seconds) if seconds >= 0 => Ok(i64::from(seconds)),
        _ => Err(quoted(
            "string \"",
            s,
            "\" is not an Exim time interval in \"time_eval\" operator",
        )),
    }
}

/// Formats seconds as Exim prints time intervals: `NwNdNhNmNs` without the
/// zero fields, `0s` for zero, a leading `-` for negative values.
fn format_time(seconds: i32) -> String {
    if seconds == i32::MIN {
        // Exim negates the value, which overflows for INT_MIN (undefined
        // behaviour in C); this is what the real 4.96 binary prints.
        return "-5d3h14m8s".to_owned();
    }
    let mut out = String::new();
    if seconds < 0 {
        out.push('-');
    }
    let t = seconds.unsigned_abs();
    let (s, t) = (t % 60, t / 60);
    let (m, t) = (t % 60, t / 60);
    let (h, t) = (t % 24, t / 24);
    let (d, w) = (t % 7, t / 7);
    for (amount, unit) in [(w, 'w'), (d, 'd'), (h, 'h'), (m, 'm')] {
        if amount > 0 {
            out.push_str(&amount.to_string());
            out.push(unit);
        }
    }
    if s > 0 || out.is_empty() {
        out.push_str(&s.to_string());
        out.push('s');
    }
    out
}

/// Formats a number of seconds as a time interval, as
/// `${time_interval:…}` does.  The argument must consist of decimal digits
/// only (the empty string is 0).  It is accumulated in a 32-bit C `int`,
/// so large values wrap and may print as negative intervals.
pub fn time_interval(s: &[u8]) -> Result<String, Vec<u8>> {
    let s = crate::eval::c_str(s);
    let mut value: i32 = 0;
    let mut pos = 0;
    while let Some(&b) = s.get(pos).filter(|b| b.is_ascii_digit()) {
        value = value.wrapping_mul(10).wrapping_add(i32::from(b - b'0'));
        pos += 1;
    }
    if pos != s.len() {
        return Err(quoted(
            "string \"",
            s,
            "\" is not a positive number in \"time_interval\" operator",
        ));
    }
    Ok(format_time(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected results come from the real Exim 4.96: the conformance corpus
    // (/work/shared/conformance: numeric, operators, testsuite, errors and
    // conditions cases that reach these functions with a literal argument)
    // and, for further edge cases, `exim -be` runs of the 4.96 binary.
    // `Err` holds the message without the "Failed: " prefix.

    const EVAL: &[(&str, Result<i64, &str>)] = &[
        ("0", Ok(0)),
        ("1", Ok(1)),
        ("-1", Ok(-1)),
        ("+1", Ok(1)),
        ("-+-1", Ok(1)),
        ("~~5", Ok(5)),
        ("1+1", Ok(2)),
        ("1 + 1", Ok(2)),
        (" 1+1 ", Ok(2)),
        ("1+2*3", Ok(7)),
        ("10-(2-3)", Ok(11)),
        ("7/2", Ok(3)),
        ("7%-3", Ok(1)),
        (
            "1%0",
            Err("error in expression evaluation: modulo by zero (after processing \"1%0\")"),
        ),
        (
            "5/(3-3)",
            Err("error in expression evaluation: divide by zero (after processing \"5/(3-3)\")"),
        ),
        (
            "2**3",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"2*\")",
            ),
        ),
        ("2^3", Ok(1)),
        ("6&3", Ok(2)),
        ("1<<4", Ok(16)),
        ("256>>4", Ok(16)),
        ("-256>>4", Ok(-16)),
        ("1<<63", Ok(-9223372036854775808)),
        ("1<<65", Ok(2)),
        ("-1>>1", Ok(-1)),
        (
            "1<2",
            Err("error in expression evaluation: expecting operator (after processing \"1\")"),
        ),
        ("6&3|8", Ok(10)),
        ("1|2^3&4", Ok(3)),
        ("~1+1", Ok(-1)),
        ("-(-3)", Ok(3)),
        ("((((1))))", Ok(1)),
        (
            "(1",
            Err(
                "error in expression evaluation: expecting closing parenthesis (after processing \"(1\")",
            ),
        ),
        (
            "1)",
            Err("error in expression evaluation: expecting operator (after processing \"1\")"),
        ),
        (
            "",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"\")",
            ),
        ),
        (
            " ",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \" \")",
            ),
        ),
        (
            "1 2",
            Err("error in expression evaluation: expecting operator (after processing \"1 \")"),
        ),
        (
            "+",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"+\")",
            ),
        ),
        (
            "abc",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"\")",
            ),
        ),
        (
            "1a",
            Err("error in expression evaluation: expecting operator (after processing \"1\")"),
        ),
        ("1k", Ok(1024)),
        ("2k+1", Ok(2049)),
        ("1M", Ok(1048576)),
        ("1g", Ok(1073741824)),
        ("1G", Ok(1073741824)),
        (
            "1t",
            Err("error in expression evaluation: expecting operator (after processing \"1\")"),
        ),
        (
            "1kk",
            Err("error in expression evaluation: expecting operator (after processing \"1k\")"),
        ),
        ("0X10", Ok(16)),
        ("0x", Ok(0)),
        ("0xg", Ok(0)),
        ("0777", Ok(511)),
        ("0x7fffffffffffffff", Ok(9223372036854775807)),
        ("9223372036854775808", Ok(9223372036854775807)),
        ("-9223372036854775807-1", Ok(-9223372036854775808)),
        ("0+4611686018427387904", Ok(4611686018427387904)),
        (
            "-4611686018427387903-4611686018427387903",
            Ok(-9223372036854775806),
        ),
        ("9223372036854775807*2", Ok(-2)),
        ("(-9223372036854775807-1)%-1", Ok(9223372036854775807)),
        ("3000000000*3", Ok(9000000000)),
        ("8G", Ok(8589934592)),
        ("8589934592G", Ok(-9223372036854775808)),
        (
            "1 1",
            Err("error in expression evaluation: expecting operator (after processing \"1 \")"),
        ),
        ("1\t+\t1", Ok(2)),
        ("- 1", Ok(-1)),
        ("( 1 + 2 ) * 3", Ok(9)),
        ("12 % 5 * 2", Ok(4)),
        ("2*-3", Ok(-6)),
        ("-2*-3", Ok(6)),
        ("10/3*3", Ok(9)),
        ("0x10+010+10", Ok(34)),
        (
            "1e3",
            Err("error in expression evaluation: expecting operator (after processing \"1\")"),
        ),
        (
            "1,5",
            Err("error in expression evaluation: expecting operator (after processing \"1\")"),
        ),
        (
            "2 > 1",
            Err("error in expression evaluation: expecting operator (after processing \"2 \")"),
        ),
        ("(1+2)*3", Ok(9)),
        ("3/2*4", Ok(4)),
        ("3*4/2", Ok(6)),
        ("42", Ok(42)),
        ("-2", Ok(-2)),
        ("-2 - -3", Ok(1)),
        ("-2 - (-3)", Ok(1)),
        (
            "-2 - (-3",
            Err(
                "error in expression evaluation: expecting closing parenthesis (after processing \"-2 - (-3\")",
            ),
        ),
        (
            "-2 - -3)",
            Err(
                "error in expression evaluation: expecting operator (after processing \"-2 - -3\")",
            ),
        ),
        ("-2 --3", Ok(1)),
        ("-2 -+3", Ok(-5)),
        ("-2 -+-3", Ok(1)),
        ("(2*(1+1))/2 + 40K", Ok(40962)),
        ("077", Ok(63)),
        (
            "08",
            Err("error in expression evaluation: expecting operator (after processing \"0\")"),
        ),
        ("2+42%5", Ok(4)),
        ("0xc&5", Ok(4)),
        ("0xc & 5 ", Ok(4)),
        ("0x0c|5", Ok(13)),
        ("0xc^5", Ok(9)),
        ("0xc>>1", Ok(6)),
        ("0xc >> 2", Ok(3)),
        ("0xc >> 4 ", Ok(0)),
        ("0xc<<1", Ok(24)),
        ("~255&0x1234", Ok(4608)),
        ("~ 255&0x1234", Ok(4608)),
        (" -(~255&0x1234)", Ok(-4608)),
        (
            "1+",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"1+\")",
            ),
        ),
        (
            "(",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"(\")",
            ),
        ),
        (
            ")",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"\")",
            ),
        ),
        ("99999999999999999999", Ok(9223372036854775807)),
        (
            "0xz",
            Err("error in expression evaluation: expecting operator (after processing \"0x\")"),
        ),
        ("0X", Ok(0)),
        ("0Xg", Ok(0)),
        ("0x1g", Ok(1073741824)),
        ("0x1k", Ok(1024)),
        ("0x10K", Ok(16384)),
        ("4611686018427387902+1", Ok(4611686018427387903)),
        (
            "4611686018427387903+0",
            Err(
                "error in expression evaluation: overflow in sum (after processing \"4611686018427387903+0\")",
            ),
        ),
        (
            "4611686018427387903-1",
            Err(
                "error in expression evaluation: overflow in difference (after processing \"4611686018427387903-1\")",
            ),
        ),
        (
            "-4611686018427387903 - -4611686018427387903",
            Err(
                "error in expression evaluation: overflow in difference (after processing \"-4611686018427387903 - -4611686018427387903\")",
            ),
        ),
        (
            "-4611686018427387903 + -4611686018427387903",
            Err(
                "error in expression evaluation: overflow in sum (after processing \"-4611686018427387903 + -4611686018427387903\")",
            ),
        ),
        (
            "-4611686018427387903 + -4611686018427387902",
            Ok(-9223372036854775805),
        ),
        (
            "-4611686018427387904+-4611686018427387904",
            Err(
                "error in expression evaluation: overflow in sum (after processing \"-4611686018427387904+-4611686018427387904\")",
            ),
        ),
        (
            "4611686018427387904+0",
            Err(
                "error in expression evaluation: overflow in sum (after processing \"4611686018427387904+0\")",
            ),
        ),
        ("-9223372036854775807-9223372036854775807", Ok(2)),
        ("1+9223372036854775807", Ok(-9223372036854775808)),
        (
            "9223372036854775807+1",
            Err(
                "error in expression evaluation: overflow in sum (after processing \"9223372036854775807+1\")",
            ),
        ),
        ("0xffffffffffffffff", Ok(9223372036854775807)),
        ("-0xffffffffffffffff", Ok(-9223372036854775807)),
        ("1<<-1", Ok(-9223372036854775808)),
        ("1<<64", Ok(1)),
        ("-1<<1", Ok(-2)),
        ("-9>>1", Ok(-5)),
        (
            "1 < < 2",
            Err("error in expression evaluation: expecting operator (after processing \"1 \")"),
        ),
        ("1 <<2", Ok(4)),
        ("1<< 2", Ok(4)),
        ("8 >>1", Ok(4)),
        (
            "1+2 x",
            Err("error in expression evaluation: expecting operator (after processing \"1+2 \")"),
        ),
        (
            "(1+2 x",
            Err(
                "error in expression evaluation: expecting closing parenthesis (after processing \"(1+2 \")",
            ),
        ),
        (
            "(1+2) x",
            Err("error in expression evaluation: expecting operator (after processing \"(1+2) \")"),
        ),
        (
            "1/0 + 2",
            Err("error in expression evaluation: divide by zero (after processing \"1/0 \")"),
        ),
        (
            " 1 / 0 ",
            Err("error in expression evaluation: divide by zero (after processing \" 1 / 0 \")"),
        ),
        (
            "1/0*(",
            Err("error in expression evaluation: divide by zero (after processing \"1/0\")"),
        ),
        (
            "(1/0",
            Err("error in expression evaluation: divide by zero (after processing \"(1/0\")"),
        ),
        (
            "4611686018427387903 + (",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"4611686018427387903 + (\")",
            ),
        ),
        (
            "  -  ( 2 ",
            Err(
                "error in expression evaluation: expecting closing parenthesis (after processing \"  -  ( 2 \")",
            ),
        ),
        ("(-9223372036854775807-1)/-1", Ok(9223372036854775807)),
        ("(-9223372036854775807-1)*-1", Ok(-9223372036854775808)),
        ("-(-9223372036854775807-1)", Ok(-9223372036854775808)),
        ("-7/2", Ok(-3)),
        ("-7%3", Ok(-1)),
        ("7/-2", Ok(-3)),
        (
            "((1)",
            Err(
                "error in expression evaluation: expecting closing parenthesis (after processing \"((1)\")",
            ),
        ),
        (
            "1+(2*(3",
            Err(
                "error in expression evaluation: expecting closing parenthesis (after processing \"1+(2*(3\")",
            ),
        ),
        (
            "-(1",
            Err(
                "error in expression evaluation: expecting closing parenthesis (after processing \"-(1\")",
            ),
        ),
        ("~0", Ok(-1)),
        ("~-1", Ok(0)),
        ("2^3^1", Ok(0)),
        ("1|2|4", Ok(7)),
        ("5&3&1", Ok(1)),
        (
            "1 & ",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"1 & \")",
            ),
        ),
        (
            "1 |",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"1 |\")",
            ),
        ),
        (
            "1 2 3",
            Err("error in expression evaluation: expecting operator (after processing \"1 \")"),
        ),
        (
            "1k 1",
            Err("error in expression evaluation: expecting operator (after processing \"1k \")"),
        ),
        (
            "1+ x",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"1+ \")",
            ),
        ),
        (
            "-",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"-\")",
            ),
        ),
        (
            "~",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"~\")",
            ),
        ),
        (
            "()",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"(\")",
            ),
        ),
        (
            "(())",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"((\")",
            ),
        ),
        ("1 + ( 2 ) * 3", Ok(7)),
        ("1 +- 2", Ok(-1)),
        ("2*3+4*5", Ok(26)),
        ("2+3*4-5", Ok(9)),
        ("100/10/5", Ok(2)),
        ("100%7%3", Ok(2)),
        ("1<<2<<3", Ok(32)),
        ("1|6&3", Ok(3)),
        ("3^6|1", Ok(5)),
        ("6&3^1", Ok(3)),
        ("1+1<<2", Ok(8)),
        ("1<<1+1", Ok(4)),
        ("-2*3", Ok(-6)),
        ("-(2+3)*2", Ok(-10)),
        ("0x7FFFFFFFFFFFFFFF*2", Ok(-2)),
        ("07777777777777777777777777", Ok(9223372036854775807)),
        ("1000000m", Ok(1048576000000)),
        ("8796093022208k", Ok(9007199254740992)),
        ("1g*1g*1g", Ok(0)),
        ("\u{b}1\u{c}+\u{b}2", Ok(3)),
        ("1\t<<\t3", Ok(8)),
        (" ( 1 ) ", Ok(1)),
        (
            "009",
            Err("error in expression evaluation: expecting operator (after processing \"00\")"),
        ),
        ("0k", Ok(0)),
        (
            "00x1",
            Err("error in expression evaluation: expecting operator (after processing \"00\")"),
        ),
    ];

    const EVAL10: &[(&str, Result<i64, &str>)] = &[
        ("0", Ok(0)),
        ("08", Ok(8)),
        ("0777", Ok(777)),
        ("099", Ok(99)),
        ("-010", Ok(-10)),
        ("1+1", Ok(2)),
        (
            "",
            Err(
                "error in expression evaluation: expecting number or opening parenthesis (after processing \"\")",
            ),
        ),
        ("007+1", Ok(8)),
        (
            "1e3",
            Err("error in expression evaluation: expecting operator (after processing \"1\")"),
        ),
        ("077", Ok(77)),
        (
            "0x1234",
            Err("error in expression evaluation: expecting operator (after processing \"0\")"),
        ),
        (
            "0x10",
            Err("error in expression evaluation: expecting operator (after processing \"0\")"),
        ),
        (
            "0x1",
            Err("error in expression evaluation: expecting operator (after processing \"0\")"),
        ),
        ("010k", Ok(10240)),
        ("9223372036854775808", Ok(9223372036854775807)),
        ("1g+1", Ok(1073741825)),
        ("007*007", Ok(49)),
        ("-08", Ok(-8)),
        ("(08)", Ok(8)),
        ("0777%10", Ok(7)),
    ];

    const TIME_EVAL: &[(&str, Result<i64, &str>)] = &[
        ("1s", Ok(1)),
        ("1m", Ok(60)),
        ("1h", Ok(3600)),
        ("1d", Ok(86400)),
        ("1w", Ok(604800)),
        ("1w2d3h4m5s", Ok(788645)),
        (
            "1x",
            Err("string \"1x\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "1.5h",
            Err("string \"1.5h\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "2147483647",
            Err("string \"2147483647\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        ("1d1d", Ok(172800)),
        ("10s", Ok(10)),
        ("2h", Ok(7200)),
        ("1d5m", Ok(86700)),
        (
            "14",
            Err("string \"14\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "rhubarb",
            Err("string \"rhubarb\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "x",
            Err("string \"x\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        ("5s1m", Ok(65)),
        ("0s", Ok(0)),
        (
            "0",
            Err("string \"0\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "",
            Err("string \"\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "-1s",
            Err("string \"-1s\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "1s ",
            Err("string \"1s \" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            " 1s",
            Err("string \" 1s\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        ("4294967297s", Ok(1)),
        (
            "2147483648s",
            Err("string \"2147483648s\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "99999999999999999999s",
            Err(
                "string \"99999999999999999999s\" is not an Exim time interval in \"time_eval\" operator",
            ),
        ),
        ("3550w", Ok(2147040000)),
        (
            "3551w",
            Err("string \"3551w\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "1m1",
            Err("string \"1m1\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "1S",
            Err("string \"1S\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "1.5s",
            Err("string \"1.5s\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        ("1w1w1w", Ok(1814400)),
        ("2147483647s", Ok(2147483647)),
        (
            "2147483647s1s",
            Err("string \"2147483647s1s\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        ("1h1m1s", Ok(3661)),
        ("24855d", Ok(2147472000)),
        (
            "24856d",
            Err("string \"24856d\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "s",
            Err("string \"s\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        (
            "1ss",
            Err("string \"1ss\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        ("01m", Ok(60)),
        (
            "1m 1s",
            Err("string \"1m 1s\" is not an Exim time interval in \"time_eval\" operator"),
        ),
        ("1w0s", Ok(604800)),
        (
            "7101w",
            Err("string \"7101w\" is not an Exim time interval in \"time_eval\" operator"),
        ),
    ];

    const TIME_INTERVAL: &[(&str, Result<&str, &str>)] = &[
        ("0", Ok("0s")),
        ("1", Ok("1s")),
        ("59", Ok("59s")),
        ("3600", Ok("1h")),
        ("604800", Ok("1w")),
        ("31536000", Ok("52w1d")),
        ("", Ok("0s")),
        ("2147483648", Ok("-5d3h14m8s")),
        ("44", Ok("44s")),
        ("999999", Ok("1w4d13h46m39s")),
        (
            "-1",
            Err("string \"-1\" is not a positive number in \"time_interval\" operator"),
        ),
        (
            "rhubarb",
            Err("string \"rhubarb\" is not a positive number in \"time_interval\" operator"),
        ),
        (
            "x",
            Err("string \"x\" is not a positive number in \"time_interval\" operator"),
        ),
        ("2147483647", Ok("3550w5d3h14m7s")),
        ("2147483649", Ok("-3550w5d3h14m7s")),
        ("3000000000", Ok("-2141w1d1h8m16s")),
        ("4294967295", Ok("-1s")),
        ("4294967296", Ok("0s")),
        ("6442450944", Ok("-5d3h14m8s")),
        ("99999999999999999999", Ok("2748w42m39s")),
        (
            " 1",
            Err("string \" 1\" is not a positive number in \"time_interval\" operator"),
        ),
        (
            "1 ",
            Err("string \"1 \" is not a positive number in \"time_interval\" operator"),
        ),
        (
            "+1",
            Err("string \"+1\" is not a positive number in \"time_interval\" operator"),
        ),
        ("86400", Ok("1d")),
        ("90061", Ok("1d1h1m1s")),
        ("60", Ok("1m")),
        ("61", Ok("1m1s")),
        ("1000000000", Ok("1653w3d1h46m40s")),
        ("00", Ok("0s")),
        (
            "1.0",
            Err("string \"1.0\" is not a positive number in \"time_interval\" operator"),
        ),
        (
            "1s",
            Err("string \"1s\" is not a positive number in \"time_interval\" operator"),
        ),
        (
            "-0",
            Err("string \"-0\" is not a positive number in \"time_interval\" operator"),
        ),
    ];

    const PARSE_INTEGER: &[(&str, bool, Result<i64, &str>)] = &[
        (
            "-5",
            true,
            Err("non-negative integer expected but \"-5\" found"),
        ),
        ("", true, Err("integer expected but \"\" found")),
        ("  42", false, Ok(42)),
        ("\t-7  ", false, Ok(-7)),
        ("+5", false, Ok(5)),
        ("-0", false, Ok(0)),
        ("1k", false, Ok(1024)),
        ("-1k", false, Ok(-1024)),
        ("1K ", false, Ok(1024)),
        ("1m", false, Ok(1048576)),
        ("1M", false, Ok(1048576)),
        ("2g", false, Ok(2147483648)),
        ("8589934591G", false, Ok(9223372035781033984)),
        (
            "8589934592G",
            false,
            Err("absolute value of integer \"8589934592G\" is too large (overflow)"),
        ),
        ("-8589934592G", false, Ok(-9223372036854775808)),
        (
            "-8589934593G",
            false,
            Err("absolute value of integer \"-8589934593G\" is too large (overflow)"),
        ),
        ("9223372036854775807", false, Ok(9223372036854775807)),
        ("-9223372036854775808", false, Ok(-9223372036854775808)),
        (
            "-9223372036854775809",
            false,
            Err("absolute value of integer \"-9223372036854775809\" is too large (overflow)"),
        ),
        (
            "9223372036854775808k",
            false,
            Err("absolute value of integer \"9223372036854775808k\" is too large (overflow)"),
        ),
        (
            "99999999999999999999999",
            false,
            Err("absolute value of integer \"99999999999999999999999\" is too large (overflow)"),
        ),
        ("1kk", false, Err("invalid integer \"1kk\"")),
        ("1 k", false, Err("invalid integer \"1 k\"")),
        ("  abc", false, Err("integer expected but \"abc\" found")),
        ("+", false, Err("integer expected but \"+\" found")),
        ("-", false, Err("integer expected but \"-\" found")),
        ("- 5", false, Err("integer expected but \"- 5\" found")),
        ("   ", false, Ok(0)),
        ("\t", false, Ok(0)),
        ("010", false, Ok(10)),
        ("1.5", false, Err("invalid integer \"1.5\"")),
        ("0x10", false, Err("invalid integer \"0x10\"")),
        ("5x", false, Err("invalid integer \"5x\"")),
        ("k", false, Err("integer expected but \"k\" found")),
        ("9007199254740991k", false, Ok(9223372036854774784)),
        (
            "9007199254740992k",
            false,
            Err("absolute value of integer \"9007199254740992k\" is too large (overflow)"),
        ),
        ("-9007199254740992k", false, Ok(-9223372036854775808)),
        (
            "-9007199254740993k",
            false,
            Err("absolute value of integer \"-9007199254740993k\" is too large (overflow)"),
        ),
        ("8796093022207m", false, Ok(9223372036853727232)),
        (
            "8796093022208m",
            false,
            Err("absolute value of integer \"8796093022208m\" is too large (overflow)"),
        ),
        ("+-1", false, Err("integer expected but \"+-1\" found")),
        ("1 2", false, Err("invalid integer \"1 2\"")),
        ("-0", true, Ok(0)),
        (
            "  -1k",
            true,
            Err("non-negative integer expected but \"-1k\" found"),
        ),
        (
            "-9223372036854775809",
            true,
            Err("non-negative integer expected but \"-9223372036854775809\" found"),
        ),
        ("1kk", true, Err("invalid integer \"1kk\"")),
        ("5", true, Ok(5)),
        (" 7 ", true, Ok(7)),
        (
            "8589934592G",
            true,
            Err("absolute value of integer \"8589934592G\" is too large (overflow)"),
        ),
        ("abc", true, Err("integer expected but \"abc\" found")),
        ("   ", true, Ok(0)),
    ];

    const COMPARISONS: &[(&str, &str, &str, Result<bool, &str>)] = &[
        ("<", "1", "2", Ok(true)),
        ("=", "1", "2", Ok(false)),
        (">=", "1", "2", Ok(false)),
        ("<", "2", "1", Ok(false)),
        ("=", "2", "2", Ok(true)),
        ("<", "-1", "1", Ok(true)),
        ("<", "", "0", Ok(false)),
        ("=", "", "0", Ok(true)),
        (">=", "", "0", Ok(true)),
        ("<", " ", "0", Ok(false)),
        ("=", " ", "0", Ok(true)),
        (">=", " ", "0", Ok(true)),
        ("<", "1k", "1024", Ok(false)),
        ("=", "1K", "1000", Ok(false)),
        ("=", "1m", "1048576", Ok(true)),
        ("<", "1g", "1073741824", Ok(false)),
        ("<", "010", "10", Ok(false)),
        ("=", "010", "10", Ok(true)),
        (">=", "010", "10", Ok(true)),
        ("<", "0x10", "16", Err("invalid integer \"0x10\"")),
        (">=", "0x10", "16", Err("invalid integer \"0x10\"")),
        ("<", "5 ", " 5", Ok(false)),
        ("=", "5 ", " 5", Ok(true)),
        ("=", "1", "abc", Err("integer expected but \"abc\" found")),
        (">=", "1", "abc", Err("integer expected but \"abc\" found")),
        ("<", "1z", "1", Err("invalid integer \"1z\"")),
        ("=", "1z", "1", Err("invalid integer \"1z\"")),
        ("=", "9223372036854775807", "9223372036854775806", Ok(false)),
        (
            "=",
            "9223372036854775808",
            "1",
            Err("absolute value of integer \"9223372036854775808\" is too large (overflow)"),
        ),
        (
            ">=",
            "9223372036854775808",
            "1",
            Err("absolute value of integer \"9223372036854775808\" is too large (overflow)"),
        ),
        (
            "=",
            "8589934592G",
            "1",
            Err("absolute value of integer \"8589934592G\" is too large (overflow)"),
        ),
        (
            ">=",
            "8589934592G",
            "1",
            Err("absolute value of integer \"8589934592G\" is too large (overflow)"),
        ),
        ("<", "-1k", "-1024", Ok(false)),
        ("=", "-1k", "-1024", Ok(true)),
        (">=", "-1k", "-1024", Ok(true)),
        ("=", "1.5", "1", Err("invalid integer \"1.5\"")),
        ("<", "\t7", "7", Ok(false)),
        (">=", "\t7", "7", Ok(true)),
        ("<", "3", "4", Ok(true)),
        ("!<", "3", "4", Ok(false)),
        ("<=", "3", "4", Ok(true)),
        ("!<=", "3", "4", Ok(false)),
        ("<=", "4", "3", Ok(false)),
        ("=", "3", "4", Ok(false)),
        ("!=", "3", "4", Ok(true)),
        ("=", "4", "3", Ok(false)),
        ("==", "3", "4", Ok(false)),
        ("!==", "3", "4", Ok(true)),
        (">", "3", "4", Ok(false)),
        (">", "4", "3", Ok(true)),
        ("!>=", "3", "4", Ok(true)),
        (">=", "4", "3", Ok(true)),
        ("==", "1", "1", Ok(true)),
        ("=", "1", "1", Ok(true)),
        ("!=", "1", "2", Ok(true)),
        ("==", "1", "y", Err("integer expected but \"y\" found")),
        ("<", "", "", Ok(false)),
    ];

    /// Whether a result is the expected one, both for values and messages.
    fn same<G: PartialEq<W>, W>(got: &Result<G, String>, want: &Result<W, &str>) -> bool {
        match (got, want) {
            (Ok(g), Ok(w)) => g == w,
            (Err(g), Err(w)) => g == w,
            _ => false,
        }
    }

    /// Runs a table through `f`, asserting every case and reporting all
    /// mismatches at once.
    fn run_table<G, W>(
        name: &str,
        cases: &[(&str, Result<W, &str>)],
        f: impl Fn(&[u8]) -> Result<G, Vec<u8>>,
    ) where
        G: PartialEq<W> + std::fmt::Debug,
        W: std::fmt::Debug,
    {
        assert!(cases.len() >= 10, "{name}: table unexpectedly small");
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|(input, want)| {
                let got = f(input.as_bytes()).map_err(|e| String::from_utf8_lossy(&e).into_owned());
                (!same(&got, want))
                    .then(|| format!("{name}({input:?}): got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn eval_matches_exim() {
        run_table("eval", EVAL, |s| eval_expression(s, false));
    }

    #[test]
    fn eval10_matches_exim() {
        run_table("eval10", EVAL10, |s| eval_expression(s, true));
    }

    #[test]
    fn time_eval_matches_exim() {
        run_table("time_eval", TIME_EVAL, time_eval);
    }

    #[test]
    fn time_interval_matches_exim() {
        run_table("time_interval", TIME_INTERVAL, time_interval);
    }

    #[test]
    fn parse_integer_matches_exim() {
        let failures: Vec<String> = PARSE_INTEGER
            .iter()
            .filter_map(|(input, non_negative, want)| {
                let got = parse_integer(input.as_bytes(), *non_negative)
                    .map_err(|e| String::from_utf8_lossy(&e).into_owned());
                (!same(&got, want)).then(|| {
                    format!("parse_integer({input:?}, {non_negative}): got {got:?}, want {want:?}")
                })
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// `${if OP{a}{b}}` as Exim evaluates it: an empty operand is 0 without
    /// being parsed, anything else goes through `parse_integer`, left first.
    fn numeric_condition(op: &str, a: &str, b: &str) -> Result<bool, String> {
        let (negated, op) = match op.strip_prefix('!') {
            Some(op) => (true, op),
            None => (false, op),
        };
        let number = |s: &str| {
            if s.is_empty() {
                Ok(0)
            } else {
                parse_integer(s.as_bytes(), false)
                    .map_err(|e| String::from_utf8_lossy(&e).into_owned())
            }
        };
        let x = number(a)?;
        let y = number(b)?;
        let result = match op {
            "<" => x < y,
            "<=" => x <= y,
            "=" | "==" => x == y,
            ">" => x > y,
            ">=" => x >= y,
            _ => panic!("unknown numeric condition {op}"),
        };
        Ok(result != negated)
    }

    #[test]
    fn numeric_conditions_match_exim() {
        let failures: Vec<String> = COMPARISONS
            .iter()
            .filter_map(|(op, a, b, want)| {
                let got = numeric_condition(op, a, b);
                (!same(&got, want))
                    .then(|| format!("{op}{{{a}}}{{{b}}}: got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(
            eval_expression(deep(MAX_PAREN_DEPTH).as_bytes(), false),
            Ok(1)
        );
        let want = format!(
            "error in expression evaluation: too many nested parentheses (after processing \"{}\")",
            "(".repeat(MAX_PAREN_DEPTH + 1)
        );
        assert_eq!(
            eval_expression(deep(MAX_PAREN_DEPTH + 1).as_bytes(), false),
            Err(want.clone().into_bytes())
        );
        assert_eq!(
            eval_expression(deep(100_000).as_bytes(), true),
            Err(want.into_bytes())
        );
        // Long chains of unary operators are fine.
        let minus = format!("{}7", "-".repeat(100_001));
        assert_eq!(eval_expression(minus.as_bytes(), false), Ok(-7));
        let tilde = format!("{}7", "~ ".repeat(100_000));
        assert_eq!(eval_expression(tilde.as_bytes(), false), Ok(7));
    }

    #[test]
    fn input_ends_at_nul_like_a_c_string() {
        assert_eq!(eval_expression(b"1+1\0+", false), Ok(2));
        assert_eq!(
            eval_expression(b"1+\0 2", false),
            Err(b"error in expression evaluation: expecting number or opening parenthesis (after processing \"1+\")".to_vec())
        );
        assert_eq!(parse_integer(b"5\0x", false), Ok(5));
        assert_eq!(
            parse_integer(b"x\0y", false),
            Err(b"integer expected but \"x\" found".to_vec())
        );
        assert_eq!(time_eval(b"1m\0x"), Ok(60));
        assert_eq!(time_interval(b"61\0x"), Ok("1m1s".to_owned()));
    }

    #[test]
    fn non_utf8_bytes_in_messages() {
        // Exim 4.96 quotes the bytes as they are.
        assert_eq!(
            parse_integer(b"\xff1", false),
            Err(b"integer expected but \"\xff1\" found".to_vec())
        );
        assert_eq!(
            parse_integer(b"0\xff\xfe", false),
            Err(b"invalid integer \"0\xff\xfe\"".to_vec())
        );
        assert_eq!(
            eval_expression(b"1\xff", false),
            Err(
                b"error in expression evaluation: expecting operator (after processing \"1\")"
                    .to_vec()
            )
        );
        assert_eq!(
            time_interval(b"1\xe9"),
            Err(
                b"string \"1\xe9\" is not a positive number in \"time_interval\" operator".to_vec()
            )
        );
        assert_eq!(
            time_eval(b"\xe9"),
            Err(b"string \"\xe9\" is not an Exim time interval in \"time_eval\" operator".to_vec())
        );
    }

    /// Arbitrary byte strings never panic, and eval's "after processing"
    /// text is always a prefix of the input.
    #[test]
    fn arbitrary_input_never_panics() {
        const ALPHABET: &[u8] = b"0123456789xXkKmMgGwdhs()+-*/%&|^<>~ \t.,\xff";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut errors = 0;
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            for decimal in [false, true] {
                if let Err(msg) = eval_expression(&input, decimal) {
                    let msg = String::from_utf8_lossy(&msg).into_owned();
                    errors += 1;
                    let rest = msg
                        .strip_prefix("error in expression evaluation: ")
                        .expect("message prefix");
                    let quoted = rest
                        .split_once(" (after processing \"")
                        .expect("after processing")
                        .1;
                    let quoted = quoted.strip_suffix("\")").expect("closing quote");
                    let prefix = String::from_utf8_lossy(&input).into_owned();
                    assert!(
                        prefix.starts_with(quoted),
                        "{quoted:?} is not a prefix of {prefix:?}"
                    );
                }
            }
            let _ = parse_integer(&input, false);
            let _ = parse_integer(&input, true);
            let _ = time_eval(&input);
            let _ = time_interval(&input);
        }
        assert!(
            errors > 1000,
            "the generator should produce many invalid expressions"
        );
    }
}
