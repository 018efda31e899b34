//! What the integration tests share: running the binary with input on
//! stdin, the `LOG:` lines of a `-bh` run, skipping or failing without a
//! server, free ports, temporary directories, and (tests/lookups_pgsql.rs,
//! tests/lookups_mysql.rs) a corpus
//! of expansions (one JSON object a line: `{"expr": ..., "ok": ..., "out":
//! ...}`, with `@NAME@` placeholders for what varies between runs: ports,
//! socket paths) run through the `-be` drop-in and, when it is installed,
//! the oracle (`exim4 -C conf -be`), both against the server the test
//! started, and compared with the recorded values.
//!
//! Re-recording: `EXIM_RECORD=1 cargo test --release --test lookups_pgsql`
//! (or `lookups_mysql`), as root with Debian's exim4 installed, rewrites
//! the corpus's `ok`/`out` from the oracle; review the diff before
//! committing it.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const ORACLE: &str = "/usr/sbin/exim4";
const SEP: &str = "@@SEP@@";

/// The test fails (in CI, EXIM_ORACLE=required) or says SKIPPED.
pub fn skip_or_fail(why: &str) {
    assert!(
        std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
        "{why}"
    );
    eprintln!("SKIPPED: {why}");
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exim-expand-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub expr: String,
    pub ok: bool,
    pub out: String,
}

pub fn load(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Case {
                expr: v["expr"].as_str().unwrap().to_string(),
                ok: v["ok"].as_bool().unwrap_or(true),
                out: v["out"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

fn save(path: &Path, cases: &[Case]) {
    let mut text = String::new();
    for c in cases {
        let v = serde_json::json!({"expr": c.expr, "ok": c.ok, "out": c.out});
        text.push_str(&serde_json::to_string(&v).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

pub fn substitute(s: &str, subs: &[(&str, String)]) -> String {
    let mut s = s.to_string();
    for (k, v) in subs {
        s = s.replace(k, v);
    }
    s
}

fn unsubstitute(s: &str, subs: &[(&str, String)]) -> String {
    let mut s = s.to_string();
    // Longest values first, so a path is replaced before a port in it.
    let mut subs: Vec<_> = subs.iter().collect();
    subs.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    for (k, v) in subs {
        s = s.replace(v.as_str(), k);
    }
    s
}

/// Runs `cmd` with `input` on its stdin and returns what it wrote.  The
/// input goes in from a thread, so a child that writes a lot before it has
/// read everything cannot deadlock against the test.
pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{:?}: {e}", cmd.get_program()));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    out
}

/// The lines a `-bh` run logged (`LOG: ` on stderr), without the prefix.
pub fn log_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("LOG: ").map(str::to_string))
        .collect()
}

/// Runs `exprs` through `PROGRAM -C conf -be` in one session; the result
/// of each: (not failed, text).
pub fn run_be(program: &str, args: &[&str], conf: &Path, exprs: &[String]) -> Vec<(bool, String)> {
    let mut input = String::new();
    for e in exprs {
        input.push_str(e);
        input.push('\n');
        input.push_str(SEP);
        input.push('\n');
    }
    let out = run_with_stdin(
        Command::new(program)
            .args(args)
            .arg("-C")
            .arg(conf)
            .arg("-be"),
        input.as_bytes(),
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut results = Vec::new();
    let mut rest = text.as_str();
    let marker = format!("> {SEP}\n");
    while let Some(i) = rest.find(&marker) {
        let chunk = &rest[..i];
        rest = &rest[i + marker.len()..];
        let chunk = chunk.strip_prefix("> ").unwrap_or(chunk);
        let chunk = chunk.strip_suffix('\n').unwrap_or(chunk);
        results.push(match chunk.strip_prefix("Failed: ") {
            Some(m) => (false, m.to_string()),
            None => (true, chunk.to_string()),
        });
    }
    assert_eq!(
        results.len(),
        exprs.len(),
        "{program}: could not split the output:\n{text}"
    );
    results
}

/// Runs the corpus at `corpus` with the configuration `conf_text`
/// (placeholders substituted), calling `reset` (reload the fixture)
/// before each run; see the module comment.
pub fn check_corpus(
    corpus: &Path,
    dir: &Path,
    conf_text: &str,
    subs: &[(&str, String)],
    mut reset: impl FnMut(),
) {
    let cases = load(corpus);
    let conf = dir.join("exim.conf");
    std::fs::write(&conf, substitute(conf_text, subs)).unwrap();
    let exprs: Vec<String> = cases.iter().map(|c| substitute(&c.expr, subs)).collect();
    let oracle = Path::new(ORACLE).exists() && is_root();
    if std::env::var("EXIM_RECORD").as_deref() == Ok("1") {
        assert!(oracle, "EXIM_RECORD=1 needs {ORACLE}, run as root");
        reset();
        let got = run_be(ORACLE, &[], &conf, &exprs);
        let recorded: Vec<Case> = cases
            .iter()
            .zip(got)
            .map(|(c, (ok, out))| Case {
                expr: c.expr.clone(),
                ok,
                out: unsubstitute(&out, subs),
            })
            .collect();
        save(corpus, &recorded);
        eprintln!(
            "recorded {} cases into {}",
            recorded.len(),
            corpus.display()
        );
        return;
    }
    let want: Vec<(bool, String)> = cases
        .iter()
        .map(|c| (c.ok, substitute(&c.out, subs)))
        .collect();
    let mut runs = vec![("exim-expand", env!("CARGO_BIN_EXE_exim-expand"))];
    if oracle {
        runs.push(("oracle", ORACLE));
    } else {
        skip_or_fail(&format!(
            "oracle {ORACLE} not run (missing or not root): recorded values not re-checked"
        ));
    }
    for (label, program) in runs {
        reset();
        let got = run_be(program, &[], &conf, &exprs);
        let mut bad = Vec::new();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            if g != w {
                bad.push(format!(
                    "case {} {:?}\n   want {:?}\n    got {:?}",
                    i + 1,
                    exprs[i],
                    w,
                    g
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{label}: {} of {} cases differ from {}:\n{}",
            bad.len(),
            cases.len(),
            corpus.display(),
            bad.join("\n")
        );
        eprintln!("{label}: {} cases identical to the corpus", cases.len());
    }
}
