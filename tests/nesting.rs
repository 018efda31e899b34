//! Hostile input through the library: deep nesting is refused cleanly,
//! huge flat input works (no recursion per byte).

use exim_expand::{Context, Evaluator, parse};

fn expand(src: &[u8]) -> Result<Vec<u8>, String> {
    let t = parse(src);
    let mut ctx = Context::new();
    Evaluator::new(&mut ctx)
        .run(&t)
        .map(|v| v.bytes)
        .map_err(|e| e.message_str())
}

#[test]
fn hundred_thousand_levels_of_operators() {
    let depth = 100_000;
    let src = format!("{}x{}", "${lc:".repeat(depth), "}".repeat(depth));
    let err = expand(src.as_bytes()).unwrap_err();
    assert!(err.contains("nested more than"), "{err}");
}

#[test]
fn hundred_thousand_levels_of_conditions() {
    let depth = 100_000;
    let src = format!(
        "${{if {}eq{{a}}{{a}}{}{{y}}}}",
        "and{{".repeat(depth),
        "}}".repeat(depth)
    );
    let err = expand(src.as_bytes()).unwrap_err();
    assert!(err.contains("nested more than"), "{err}");
}

#[test]
fn hundred_thousand_levels_of_if() {
    let depth = 100_000;
    let src = format!("{}{}", "${if eq{a}{a}{".repeat(depth), "}}".repeat(depth));
    let err = expand(src.as_bytes()).unwrap_err();
    assert!(err.contains("nested more than"), "{err}");
}

#[test]
fn nesting_within_the_limit_works() {
    let depth = 50;
    let src = format!("{}X{}", "${lc:".repeat(depth), "}".repeat(depth));
    assert_eq!(expand(src.as_bytes()).unwrap(), b"x");
}

#[test]
fn a_megabyte_of_flat_input() {
    let src = "x\\n".repeat(500_000) + "$-";
    let err = expand(src.as_bytes()).unwrap_err();
    assert_eq!(err, "$ not followed by letter, digit, or {");
    let flat = "abc\\t".repeat(250_000);
    assert_eq!(expand(flat.as_bytes()).unwrap().len(), 1_000_000);
}
