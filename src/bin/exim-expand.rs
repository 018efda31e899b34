//! The `exim-expand` binary: see `exim_expand::cli`.

/// The binary allocates and frees a few small strings for every `-be`
/// line; mimalloc does that in a fraction of the time of glibc's malloc.
/// (The library leaves the choice of allocator to its embedder.)  It is
/// built without transparent huge pages, which doubled a `-be` run's peak
/// memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    std::process::exit(exim_expand::cli::main_with(args));
}
