//! Parse any bytes: the parser never panics, its AST dump and error list
//! can be produced, and every error renders with its caret.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let t = exim_expand::parse(data);
    let _ = t.dump();
    for e in t.errors() {
        let _ = exim_expand::diagnostic::render(data, e, "<fuzz>", false);
    }
});
