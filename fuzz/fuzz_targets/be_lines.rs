//! Feed any bytes to the `exim -be` line reader (continuations, macro
//! definitions and substitution) and evaluate each line it yields under the
//! sandbox, as the drop-in does.
#![no_main]

#[path = "common.rs"]
mod common;

use exim_expand::config::{BeLine, BeReader, MacroTable};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut ctx = common::sandbox();
    let reader = BeReader::new(data, MacroTable::with_exim_builtins());
    for line in reader.take(64) {
        if let BeLine::Expand(src) = line {
            let t = exim_expand::parse(&src);
            let mut ev = exim_expand::Evaluator::new(&mut ctx);
            let _ = ev.run(&t);
        }
    }
});
