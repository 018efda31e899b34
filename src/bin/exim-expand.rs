//! The `exim-expand` binary: see `exim_expand::cli`.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    std::process::exit(exim_expand::cli::main_with(args));
}
