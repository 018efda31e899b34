//! The differential fuzzer (`tools/diff_fuzz.py`) on a fixed seed and
//! budget: every expression it generates must give Exim's output byte for
//! byte, unless Exim crashed or died on it, or its class is listed in
//! `tools/diff_fuzz_known.txt`.  Needs the oracle and python3.

use std::path::Path;
use std::process::Command;

const EXIM: &str = "/usr/sbin/exim4";

#[test]
fn differential_fuzz_finds_no_new_difference() {
    if !Path::new(EXIM).exists() {
        assert!(
            std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
            "EXIM_ORACLE=required but {EXIM} is not installed"
        );
        eprintln!("SKIPPED differential_fuzz: {EXIM} not installed");
        return;
    }
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/diff_fuzz.py"))
        .args(["--seed", "1", "--count", "1500", "--show", "50"])
        .args(["--ours", env!("CARGO_BIN_EXE_exim-expand")])
        .output()
        .expect("python3 runs tools/diff_fuzz.py");
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{}", text.lines().last().unwrap_or_default());
    assert!(
        out.status.success(),
        "new differences from Exim:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("identical"), "{text}");
}
