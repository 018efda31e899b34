//! Helpers shared by the unit tests beside each builtin: tables of
//! `(input, Ok(output) | Err(message))` cases checked in one go.

use crate::eval::{Context, Evaluator, Value};
use crate::operators::OpFn;

/// A whole expansion with a fresh context, as text.
pub fn expand_str(expr: &str) -> Result<String, String> {
    match crate::expand(expr.as_bytes(), &mut Context::new()) {
        Ok(v) => Ok(String::from_utf8_lossy(&v.bytes).into_owned()),
        Err(e) => Err(e.message_str()),
    }
}

/// The cases whose expansion differs from the expectation, described.
pub fn mismatches(cases: &[(&str, Result<&str, &str>)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (expr, want) in cases {
        let got = expand_str(expr);
        let want = want.map(str::to_string).map_err(str::to_string);
        if got != want {
            bad.push(format!("{expr}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    bad
}

/// Calls one operator directly; the output is cut at a NUL as Exim prints it.
pub fn run_op(f: OpFn, arg: Option<&str>, input: &str) -> Result<String, String> {
    let mut ctx = Context::new();
    let mut ev = Evaluator::new(&mut ctx);
    f(&mut ev, arg, &Value::from(input))
        .map(|v| {
            let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
            String::from_utf8_lossy(&v[..end]).into_owned()
        })
        .map_err(|e| String::from_utf8_lossy(&e).into_owned())
}

/// `(operator, argument, operand, expected)`.
pub type OpCase<'a> = (OpFn, Option<&'a str>, &'a str, Result<&'a str, &'a str>);

/// Asserts that every operator case matches.
pub fn check_ops(cases: &[OpCase]) {
    for (f, arg, input, want) in cases {
        let want = want.map(str::to_string).map_err(str::to_string);
        assert_eq!(run_op(*f, *arg, input), want, "arg {arg:?} input {input:?}");
    }
}
