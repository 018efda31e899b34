//! The `-bh` session corpus: every session in tests/sessions/*.jsonl is
//! run through the drop-in (`exim-expand -C CONF --now .. --pid 1
//! --dns-zones ZONES -bh CLIENT`) and its standard output and `LOG:`
//! lines must be byte for byte what Debian's Exim 4.96 wrote for the same
//! session (scripts/oracle-sessions recorded them).  Exim's `>>>`
//! debugging lines are not compared: the drop-in does not write them.
//!
//! The test prints identical/total per file and fails on any difference.
//! A second test runs the same sessions through the library's
//! `smtp::SmtpSession` (the Python binding's test does it through
//! `exim_expand.SmtpSession`), with the same results.

mod common;

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;

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
        .env("TZ", "UTC");
    let out = common::run_with_stdin(&mut cmd, s("input").as_bytes());
    let log = common::log_lines(&out.stderr);
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

/// The LOG: lines Exim wrote for a session.
fn expected_log(case: &Json) -> Vec<String> {
    case["log"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| l.as_str().unwrap_or("").to_string())
        .collect()
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
            let want_log = expected_log(&case);
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

/// One session through the library: the responses and log lines, and the
/// context it ran in (for its variables).
fn run_library(case: &Json, zones: &Path) -> (String, Vec<String>) {
    use exim_expand::smtp::{Client, SmtpSession, Step};
    let s = |k: &str| case.get(k).and_then(Json::as_str).unwrap_or("");
    let defines: Vec<(String, String)> = case
        .get("argv")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str()?.strip_prefix("-D"))
        .map(|d| match d.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (d.to_string(), String::new()),
        })
        .collect();
    let conf = root().join(format!("tests/sessions/conf/{}.conf", s("config")));
    let config = exim_expand::config::Config::from_file(&conf, &defines).expect("config");
    let mut ctx = exim_expand::Context::new();
    ctx.apply_config(&config);
    ctx.policy = exim_expand::eval::Policy::permissive();
    ctx.policy.log_to_stderr = false;
    ctx.clock = std::sync::Arc::new(
        exim_expand::eval::FixedClock::parse("2024-01-15T12:00:00Z").expect("clock"),
    );
    ctx.resolver =
        std::sync::Arc::new(exim_expand::dns::ZoneResolver::from_dir(zones).expect("zones"));
    ctx.pid = Some(1);
    // As exim -bh reads its argument: a port after a fifth dot, IPv6 in full.
    let mut address = s("client").to_string();
    let mut port = None;
    if address.matches('.').count() == 4 {
        let (a, p) = address.rsplit_once('.').expect("dot");
        port = p.parse().ok();
        address = a.to_string();
    }
    if let Ok(v6) = address.parse::<std::net::Ipv6Addr>() {
        address = v6
            .segments()
            .iter()
            .map(|g| format!("{g:04x}"))
            .collect::<Vec<_>>()
            .join(":");
    }
    let mut session = SmtpSession::new(&mut ctx, Client { address, port });
    let mut out = Vec::new();
    if session.start() == Step::Command {
        exim_expand::smtp::run_script(&mut session, s("input").as_bytes(), |_| {});
    }
    out.extend_from_slice(&session.take_output());
    let log = session
        .take_log()
        .into_iter()
        .map(|l| String::from_utf8_lossy(&l).into_owned())
        .collect();
    (String::from_utf8_lossy(&out).into_owned(), log)
}

#[test]
fn sessions_through_the_library() {
    let mut failures = Vec::new();
    for file in files() {
        let text = std::fs::read_to_string(&file).expect("read");
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header: Json = serde_json::from_str(lines.next().unwrap_or("{}")).expect("json");
        let zones = root().join(header["dns_zones"].as_str().expect("dns_zones"));
        for line in lines {
            let case: Json = serde_json::from_str(line).expect("json");
            let (out, log) = run_library(&case, &zones);
            // What -bh adds for the person at the terminal is not part of
            // the session.
            let stdout = case["stdout"].as_str().unwrap_or("");
            let want_out = stdout
                .split_once("This is not for real!\n\n")
                .map_or(stdout, |(_, rest)| rest)
                .replace(
                    "\n**** SMTP testing: that is not a real message id!\n\n",
                    "",
                );
            let want_log = expected_log(&case);
            if out != want_out || log != want_log {
                failures.push(format!("{}: {:?}", case["name"], (out, log)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
