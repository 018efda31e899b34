//! Live differential test: the same `-be` input through the real Exim (the
//! oracle, Debian's exim4-daemon-heavy 4.96) and through our binary; the
//! outputs must be byte-identical.  Without Exim installed the test says so
//! on stderr and checks nothing (CI installs it: see .ci/run).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const EXIM: &str = "/usr/sbin/exim4";

fn run(bin: &str, conf: &Path, input: &[u8]) -> Vec<u8> {
    let mut c = Command::new(bin)
        .arg("-C")
        .arg(conf)
        .arg("-be")
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/bin")
        .env("TZ", "UTC")
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut i = c.stdin.take().unwrap();
    let data = input.to_vec();
    let w = std::thread::spawn(move || {
        let _ = i.write_all(&data);
    });
    let o = c.wait_with_output().unwrap();
    w.join().unwrap();
    o.stdout
}

/// Expansions whose result does not depend on the clock or the machine.
fn inputs() -> Vec<String> {
    let mut v: Vec<String> = include_str!("../benches/typical.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    v.extend(
        include_str!("oracle_inputs.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string),
    );
    v
}

#[test]
fn same_output_as_exim() {
    if !Path::new(EXIM).exists() {
        assert!(
            std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
            "EXIM_ORACLE=required but {EXIM} is not installed"
        );
        eprintln!(
            "SKIPPED same_output_as_exim: {EXIM} not installed (apt-get install exim4-daemon-heavy)"
        );
        return;
    }
    let conf = std::env::temp_dir().join(format!("exim-expand-oracle-{}.conf", std::process::id()));
    std::fs::write(&conf, "primary_hostname = myhost.test.ex\n").unwrap();
    // Small lookup files for the inputs that name @TMP@.
    let tmp = std::env::temp_dir().join(format!("exim-expand-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(
        tmp.join("pl.lsearch"),
        "a.b.example.net: data1\n*.example.org: wild\nexample.com: plain\n",
    )
    .unwrap();
    let tmp_text = tmp.to_string_lossy().into_owned();
    let lines: Vec<String> = inputs()
        .iter()
        .map(|l| l.replace("@TMP@", &tmp_text))
        .collect();
    let mut stdin = Vec::new();
    for l in &lines {
        stdin.extend_from_slice(l.as_bytes());
        stdin.push(b'\n');
    }
    let theirs = run(EXIM, &conf, &stdin);
    let ours = run(env!("CARGO_BIN_EXE_exim-expand"), &conf, &stdin);
    let _ = std::fs::remove_file(&conf);
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        !theirs.is_empty(),
        "Exim printed nothing: is it runnable as this user?"
    );
    let t = String::from_utf8_lossy(&theirs);
    let o = String::from_utf8_lossy(&ours);
    let tl: Vec<&str> = t.split("\n> ").collect();
    let ol: Vec<&str> = o.split("\n> ").collect();
    let mut diffs = Vec::new();
    for (i, (a, b)) in tl.iter().zip(&ol).enumerate() {
        if a != b {
            diffs.push(format!(
                "{}\n  exim: {a:?}\n  ours: {b:?}",
                lines.get(i).map(String::as_str).unwrap_or("?")
            ));
        }
    }
    assert!(
        diffs.is_empty() && tl.len() == ol.len(),
        "differences from Exim:\n{}",
        diffs.join("\n")
    );
}
