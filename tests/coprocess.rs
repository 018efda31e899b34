//! `-be` as a co-process: a program writes one line and waits for its
//! answer before it sends the next.  The drop-in buffers its output, so
//! this shows that every answer still arrives without more input, as from
//! Exim (which is driven through the same exchange when it is installed).

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long an answer may take before the test calls it lost.
const PATIENCE: Duration = Duration::from_secs(20);

/// Each line sent, and what `exim -C min.conf -be` answers to it (the
/// result, then the prompt for the next line).
const EXCHANGE: &[(&str, &str)] = &[
    ("${lc:ABC}", "abc\n> "),
    ("FOO = bar", "Defined macro 'FOO'\n> "),
    (
        "${if eq{a}{b}",
        "Failed: curly-bracket problem in conditional yes/no parsing: 'yes' part did not start with '{'\n remaining string is ''\n> ",
    ),
    ("xFOOx", "xbarx\n> "),
    (
        "${sha1:abc}",
        "A9993E364706816ABA3E25717850C26C9CD0D89D\n> ",
    ),
];

/// Runs `program -C conf -be` and holds the exchange, failing if an
/// answer does not come.
fn converse(name: &str, program: &str) {
    let dir = common::temp_dir(&format!("coprocess-{name}"));
    let conf = dir.join("min.conf");
    std::fs::write(&conf, "primary_hostname = myhost.test.ex\n").unwrap();
    let mut child = Command::new(program)
        .arg("-C")
        .arg(&conf)
        .arg("-be")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut heard = Vec::new();
    let expect = |want: &str, heard: &mut Vec<u8>| {
        let deadline = Instant::now() + PATIENCE;
        while heard.len() < want.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(chunk) => heard.extend_from_slice(&chunk),
                Err(_) => break,
            }
        }
        assert_eq!(
            String::from_utf8_lossy(heard),
            want,
            "{program}: the answer did not come (or differs)"
        );
        heard.clear();
    };
    expect("> ", &mut heard);
    for (line, answer) in EXCHANGE {
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
        expect(answer, &mut heard);
    }
    drop(stdin);
    expect("\n", &mut heard);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn each_answer_arrives_before_the_next_line_is_sent() {
    converse("ours", env!("CARGO_BIN_EXE_exim-expand"));
}

#[test]
fn exim_answers_the_same_exchange() {
    if !std::path::Path::new(common::ORACLE).exists() {
        common::skip_or_fail("the oracle (exim4) is not installed");
        return;
    }
    converse("exim", common::ORACLE);
}
