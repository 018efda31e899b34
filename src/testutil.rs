//! Helpers shared by the unit tests beside each builtin: tables of
//! `(input, Ok(output) | Err(message))` cases checked in one go.

use crate::eval::OpFn;
use crate::eval::{Context, Evaluator, Value};

/// A whole expansion with a fresh context, as text.
pub fn expand_str(expr: &str) -> Result<String, String> {
    expand_in(&mut Context::new(), expr)
}

/// A whole expansion in `ctx`, as text (or the error's message).
pub fn expand_in(ctx: &mut Context, expr: &str) -> Result<String, String> {
    crate::expand(expr.as_bytes(), ctx)
        .map(|v| v.to_string_lossy())
        .map_err(|e| e.message_str())
}

/// The cases whose expansion differs from the expectation, described.
pub fn mismatches(cases: &[(&str, Result<&str, &str>)]) -> Vec<String> {
    mismatches_in(Context::new, cases)
}

/// Like [`mismatches`], each case in a fresh context from `make`.
pub fn mismatches_in(
    make: impl Fn() -> Context,
    cases: &[(&str, Result<&str, &str>)],
) -> Vec<String> {
    let mut bad = Vec::new();
    for (expr, want) in cases {
        let got = expand_in(&mut make(), expr);
        let want = want.map(str::to_string).map_err(str::to_string);
        if got != want {
            bad.push(format!("{expr}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    bad
}

/// Calls one operator directly; the output is cut at a NUL as Exim prints it.
/// A context whose policy grants every capability and keeps log lines
/// off standard error, for tests of items that reach outside.
pub fn permissive() -> Context {
    let mut c = Context::new();
    c.policy = crate::eval::Policy::permissive();
    c.policy.log_to_stderr = false;
    c
}

pub fn run_op(f: OpFn, arg: Option<&str>, input: &str) -> Result<String, String> {
    let mut ctx = Context::new();
    let mut ev = Evaluator::new(&mut ctx);
    f(&mut ev, arg, &Value::from(input))
        .map(|v| String::from_utf8_lossy(v.c_str()).into_owned())
        .map_err(|e| e.to_string())
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

/// A file of the shared material beside the repository (`../shared`, or
/// the parent of `EXIM_CONFORMANCE_DIR`).
pub fn shared(rel: &str) -> std::path::PathBuf {
    match std::env::var_os("EXIM_CONFORMANCE_DIR") {
        Some(d) => std::path::Path::new(&d).join("..").join(rel),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared")
            .join(rel),
    }
}

/// Says that a check needing `what` (the oracle, one of its tools) was
/// skipped because it is not installed; fails instead when the environment
/// requires the oracle (`EXIM_ORACLE=required`, set by `.ci/run`).
pub fn skip_without(what: &str, check: &str) {
    assert!(
        std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
        "EXIM_ORACLE=required but {what} is not installed (needed by {check})"
    );
    eprintln!("SKIPPED {check}: {what} is not installed");
}

/// A path of the shared material that `check` needs; `None` (said on
/// stderr as SKIPPED) when a clone has no `../shared`, and a failure when
/// the environment requires it (`EXIM_SHARED=required`, set by `.ci/run`).
pub fn shared_or_skip(rel: &str, check: &str) -> Option<std::path::PathBuf> {
    let p = shared(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("EXIM_SHARED").as_deref() != Ok("required"),
        "EXIM_SHARED=required but {} is absent (needed by {check})",
        p.display()
    );
    eprintln!("SKIPPED {check}: {} is absent", p.display());
    None
}

/// The installed Exim (the oracle), if any.
pub fn oracle_binary() -> Option<&'static str> {
    ["/usr/sbin/exim4", "/usr/sbin/exim"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

/// Runs one expression through `exim -be` with a minimal configuration:
/// `Ok(output)` or `Err(message)`; `None` (said on stderr) when Exim is
/// not installed.
pub fn run_oracle(expr: &str) -> Option<Result<String, String>> {
    use std::io::Write;
    let Some(exim) = oracle_binary() else {
        skip_without("Exim", "oracle check");
        return None;
    };
    let conf = std::env::temp_dir().join(format!("exim-expand-oracle-{}.conf", std::process::id()));
    if !conf.exists() {
        std::fs::write(&conf, "primary_hostname = myhost.test.ex\n").ok()?;
    }
    let mut child = std::process::Command::new(exim)
        .arg("-C")
        .arg(&conf)
        .arg("-be")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()?
        .write_all(format!("{expr}\n").as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let text = text
        .strip_prefix("> ")
        .and_then(|t| t.strip_suffix("\n> \n"))
        .unwrap_or_else(|| panic!("unexpected exim output {text:?}"));
    Some(match text.strip_prefix("Failed: ") {
        Some(m) => Err(m.to_string()),
        None => Ok(text.to_string()),
    })
}
