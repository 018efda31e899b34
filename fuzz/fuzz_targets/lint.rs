//! Lint any bytes as a configuration (includes refused): reading, checking
//! every expandable string and rendering the findings never panics and
//! stays bounded.
#![no_main]

#[path = "common.rs"]
mod common;

use exim_expand::config::{Config, Includes, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        includes: Includes::Refused,
        ..ReadOptions::default()
    };
    let Ok(config) = Config::from_bytes_with(data, &opts) else {
        return;
    };
    let ctx = common::sandbox();
    for f in exim_expand::lint::lint_config(&config, &ctx) {
        let _ = exim_expand::diagnostic::render(&f.source, &f.error, "<fuzz>", false);
    }
});
