//! Numeric operators: `eval`, `eval10`, `randint`, `time_eval`,
//! `time_interval` (the number handling lives in [`crate::numeric`]).

use super::OpResult;
use crate::eval::{Evaluator, Value};
use crate::numeric as num;

/// `${eval:}`: arithmetic with C-style (hex, octal) numbers.
pub fn eval(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(num::eval_expression(&input.bytes, false)?
        .to_string()
        .into())
}

/// `${eval10:}`: arithmetic with decimal numbers only.
pub fn eval10(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(num::eval_expression(&input.bytes, true)?.to_string().into())
}

/// A random number in `0..max` (0 when `max` <= 1), as Exim's GnuTLS-based
/// `vaguely_random_number`.
fn random_below(max: i32) -> i32 {
    if max <= 1 {
        return 0;
    }
    let mut buf = [0u8; 4];
    // SAFETY: getrandom writes at most buf.len() bytes into buf.
    let got = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    let r = if got == 4 {
        u32::from_ne_bytes(buf)
    } else {
        // Practically unreachable; fall back on the clock.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
            .unwrap_or(0)
    };
    (r % max.unsigned_abs()) as i32
}

/// `${randint:N}`: a random number from 0 to N-1.  N is read like the
/// numeric conditions read numbers (non-negative); Exim then narrows it to
/// a C `int`.
pub fn randint(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let max = num::parse_integer(&input.bytes, true)?;
    Ok(random_below(max as i32).to_string().into_bytes().into())
}

/// `${time_eval:}`: `1w2d3h4m5s` to seconds.
pub fn time_eval(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(num::time_eval(&input.bytes)?.to_string().into())
}

/// `${time_interval:}`: seconds to `1w2d3h4m5s`.
pub fn time_interval(_ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    Ok(num::time_interval(&input.bytes)?.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    type Op = fn(&mut Evaluator, Option<&str>, &Value) -> OpResult;

    fn run(f: Op, input: &str) -> Result<String, String> {
        let mut ctx = Context::new();
        let mut ev = Evaluator::new(&mut ctx);
        f(&mut ev, None, &Value::from(input))
            .map(|v| v.to_string_lossy())
            .map_err(|e| e.to_string())
    }

    // Expected values from Exim 4.96 (operators.jsonl, numeric.jsonl).
    #[test]
    fn numeric_operators() {
        let cases: &[(Op, &str, Result<&str, &str>)] = &[
            (eval, "1+1", Ok("2")),
            (eval, "010", Ok("8")),
            (eval10, "010", Ok("10")),
            (
                eval,
                "08",
                Err("error in expression evaluation: expecting operator (after processing \"0\")"),
            ),
            (randint, "0", Ok("0")),
            (randint, "1", Ok("0")),
            (randint, "4294967296", Ok("0")),
            (randint, "", Err("integer expected but \"\" found")),
            (randint, "x", Err("integer expected but \"x\" found")),
            (
                randint,
                "-1",
                Err("non-negative integer expected but \"-1\" found"),
            ),
            (time_eval, "1w2d3h4m5s", Ok("788645")),
            (
                time_eval,
                "1x",
                Err("string \"1x\" is not an Exim time interval in \"time_eval\" operator"),
            ),
            (time_interval, "31536000", Ok("52w1d")),
            (time_interval, "", Ok("0s")),
            (
                time_interval,
                "x",
                Err("string \"x\" is not a positive number in \"time_interval\" operator"),
            ),
        ];
        for (f, input, want) in cases {
            let want = want.map(str::to_string).map_err(str::to_string);
            assert_eq!(run(*f, input), want, "input {input:?}");
        }
    }

    #[test]
    fn randint_stays_in_range() {
        for _ in 0..200 {
            let n: i32 = run(randint, "7").unwrap().parse().unwrap();
            assert!((0..7).contains(&n));
        }
        let n: i32 = run(randint, "2k").unwrap().parse().unwrap();
        assert!((0..2048).contains(&n));
    }
}
