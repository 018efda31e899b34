//! `${expand:}`: the operand expanded once more.

use super::{OpResult, msg};
use crate::eval::{Evaluator, Failure, Value};

/// `${expand:}`: the operand is expanded once more; errors are wrapped as
/// `internal expansion of "X" failed: MSG`.  A tainted operand is refused.
pub fn expand(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    let s = &input.bytes;
    let wrap = |m: &[u8]| msg(&[b"internal expansion of \"", s, b"\" failed: ", m]);
    if input.tainted {
        return Err(wrap(&msg(&[b"attempt to expand tainted string '", s, b"'"])).into());
    }
    match ev.expand_nested(s) {
        Ok(v) => Ok(v),
        Err(e) => {
            let m = wrap(&e.message);
            Err(Failure::wrapping(e, m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    fn run(f: super::super::OpFn, input: Value) -> Result<String, String> {
        let mut ctx = Context::new();
        ctx.policy = crate::eval::Policy::permissive();
        let mut ev = Evaluator::new(&mut ctx);
        f(&mut ev, None, &input)
            .map(|v| v.to_string_lossy())
            .map_err(|e| e.to_string())
    }

    // Expected values from Exim 4.96 (core.jsonl, errors.jsonl,
    // testsuite.jsonl and `exim -be`).
    #[test]
    fn expand_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("${lc:ABC}", Ok("abc")),
            ("plain", Ok("plain")),
            ("$primary_hostname x", Ok("")),
            (
                "$nosuch",
                Err("internal expansion of \"$nosuch\" failed: unknown variable name \"nosuch\""),
            ),
            (
                "abc\\",
                Err("internal expansion of \"abc\\\" failed: \\ at end of string"),
            ),
        ];
        for (input, want) in cases {
            let got = run(expand, Value::from(*input));
            match want {
                Ok("") => assert!(got.is_ok(), "{input:?}: {got:?}"),
                _ => assert_eq!(got, want.map(str::to_string).map_err(str::to_string)),
            }
        }
        assert_eq!(
            run(expand, Value::tainted(&b"sndr@dom"[..])),
            Err("internal expansion of \"sndr@dom\" failed: attempt to expand tainted string 'sndr@dom'".to_string())
        );
    }
}
