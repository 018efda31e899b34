//! The `-bh` session corpus: every session in tests/sessions/*.jsonl is
//! run through the drop-in (`exim-expand -C CONF --now .. --pid 1
//! --dns-zones ZONES -bh CLIENT`) and its standard output and `LOG:`
//! lines must be byte for byte what Debian's Exim 4.96 wrote for the same
//! session (scripts/oracle-sessions recorded them).  Exim's `>>>`
//! debugging lines are not compared: the drop-in does not write them.
//!
//! The test prints identical/total per file and fails on any difference.

use serde_json::Value as Json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/sessions"))
        .expect("tests/sessions")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    v.sort();
    v
}

/// What our drop-in writes for `case`: standard output and the LOG:
/// lines of standard error.
fn run(case: &Json, zones: &Path) -> (String, Vec<String>) {
    let s = |k: &str| case.get(k).and_then(Json::as_str).unwrap_or("");
    let conf = root().join(format!("tests/sessions/conf/{}.conf", s("config")));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exim-expand"));
    cmd.arg("-C").arg(&conf);
    for a in case
        .get("argv")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        cmd.arg(a.as_str().unwrap_or(""));
    }
    cmd.args(["--now", "2024-01-15T12:00:00Z", "--pid", "1", "--dns-zones"])
        .arg(zones)
        .args(["-bh", s("client")])
        .current_dir(root().join("tests/sessions"))
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run exim-expand");
    let input = s("input").as_bytes().to_vec();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    let log = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("LOG: ").map(str::to_string))
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

/// The lines that differ, as `  what N: want .. / got ..`.
fn differences(what: &str, want: &[&str], got: &[&str]) -> Vec<String> {
    (0..want.len().max(got.len()))
        .filter(|&i| want.get(i) != got.get(i))
        .map(|i| {
            format!(
                "  {what} {i}: want {:?}\n  {what} {i}:  got {:?}",
                want.get(i),
                got.get(i)
            )
        })
        .collect()
}

#[test]
fn sessions_match_exim() {
    let mut failures = Vec::new();
    let mut total = 0;
    for file in files() {
        let text = std::fs::read_to_string(&file).expect("read");
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Json = serde_json::from_str(lines.next().unwrap_or("{}")).expect("json");
        let zones = root().join(header["dns_zones"].as_str().expect("dns_zones"));
        let (mut same, mut n) = (0, 0);
        for line in lines {
            let case: Json = serde_json::from_str(line).expect("json");
            n += 1;
            let (out, log) = run(&case, &zones);
            let want_out = case["stdout"].as_str().unwrap_or("");
            let want_log: Vec<String> = case["log"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| l.as_str().unwrap_or("").to_string())
                .collect();
            if out == want_out && log == want_log {
                same += 1;
            } else {
                let want_lines: Vec<&str> = want_out.split_inclusive('\n').collect();
                let got_lines: Vec<&str> = out.split_inclusive('\n').collect();
                let mut d = differences("stdout", &want_lines, &got_lines);
                let want_log: Vec<&str> = want_log.iter().map(String::as_str).collect();
                let log: Vec<&str> = log.iter().map(String::as_str).collect();
                d.extend(differences("log", &want_log, &log));
                failures.push(format!(
                    "{} {}:\n{}",
                    file.file_name().unwrap_or_default().to_string_lossy(),
                    case["name"].as_str().unwrap_or("?"),
                    d.join("\n")
                ));
            }
        }
        total += n;
        println!(
            "{}: {same}/{n} sessions identical",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    assert!(total > 0, "no sessions in tests/sessions");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
