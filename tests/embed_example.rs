//! The embedding example (`examples/embed.rs`) is part of the test suite:
//! it asserts its own results.

#[path = "../examples/embed.rs"]
mod embed;

#[test]
fn embed_example_runs() {
    embed::main();
}
