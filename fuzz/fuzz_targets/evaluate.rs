//! Parse and evaluate any bytes under the sandbox policy and small
//! budgets: a value or an error, never a panic, a hang or a blow-up; the
//! static checker runs too.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut ctx = common::sandbox();
    let t = exim_expand::parse(data);
    let _ = exim_expand::check::check(&t, &ctx);
    let mut ev = exim_expand::Evaluator::new(&mut ctx);
    if let Err(e) = ev.run(&t) {
        let _ = exim_expand::diagnostic::render(data, &e, "<fuzz>", false);
    }
});
