//! The command-line front end: the `exim -be` drop-in and the subcommands
//! (`repl`, `eval`, `check`).

pub mod arc_sign;
pub mod bh;
pub mod color;
pub mod commands;
pub mod coprocess;
pub mod dropin;
pub mod lint;
pub mod repl;

use std::ffi::OsString;

/// Runs the program with `args` (without `argv[0]`); returns the exit status.
pub fn main_with(args: Vec<OsString>) -> i32 {
    if dropin::wants_dropin(&args) {
        return dropin::run(&args);
    }
    commands::run(args)
}
