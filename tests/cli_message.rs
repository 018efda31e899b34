//! `exim-expand -bem FILE -be`: golden outputs recorded from Debian's
//! Exim 4.96 (message ids and dates normalised, as they depend on the
//! clock and the process id).

use std::io::Write;
use std::process::{Command, Stdio};

fn data(name: &str) -> String {
    format!("{}/tests/data/messages/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn conf() -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let p = std::env::temp_dir().join(format!("cli_message_{}_{n}.conf", std::process::id()));
    std::fs::write(&p, "primary_hostname = myhost.test.ex\n").unwrap();
    p
}

fn run(args: &[&str], stdin: &str) -> (String, String, i32) {
    let conf = conf();
    let mut child = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
        .arg("-C")
        .arg(&conf)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(conf);
    (
        normalise(&String::from_utf8_lossy(&out.stdout)),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Dates and message ids vary from run to run.
fn normalise(s: &str) -> String {
    s.lines()
        .map(|l| {
            if let Some(i) = l.find("Date: ") {
                format!("{}Date: DATE", &l[..i])
            } else if let Some(i) = l.find("Message-Id: <E") {
                let at = l[i..].find('@').map_or(l.len(), |a| a + i);
                format!("{}Message-Id: <EID{}", &l[..i], &l[at..])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dash_t_recipients() {
    let (out, _, rc) = run(
        &["-bem", &data("rcpt.eml"), "-t", "-be"],
        "[$recipients]\n$recipients_count\n[$h_bcc:]\n",
    );
    assert_eq!(rc, 0);
    assert_eq!(
        out,
        "> [a@b.c, x@y.z, bare@myhost.test.ex, g1@h, g2@h, hidden@b.c]\n> 6\n> []\n> "
    );
}

#[test]
fn from_line() {
    let (out, _, _) = run(
        &["-bem", &data("fromline.eml"), "-be"],
        "$message_linecount/$body_linecount\n[$h_subject:]\n[$sender_address]\n[$message_headers_raw]\n",
    );
    assert_eq!(
        out,
        "Sender taken from \"From \" line\n> 5/2\n> [fromline]\n> [someone@example.com]\n\
         > [Subject: fromline\nMessage-Id: <EID@myhost.test.ex>\nFrom: someone@example.com\n\
         Date: DATE\n]\n> "
    );
}

#[test]
fn resent_and_removed_headers() {
    let (out, _, _) = run(
        &["-bem", &data("types.eml"), "-f", "x@y.z", "-be"],
        "$message_linecount/$body_linecount\n[$h_subject:]\n[$message_headers_raw]\n",
    );
    assert_eq!(
        out,
        "Return-path taken from \"Return-path:\" header line\n> 13/1\n> [caféé]\n\
         > [Resent-Date: DATE\nResent-Message-Id: <EID@myhost.test.ex>\n\
         Received: from a by b\nReceived: from c by d\nSender: s@t\nResent-To: r@t\n\
         Subject: =?iso-8859-1?q?caf=E9?= =?utf-8?b?w6k=?=\nX-Trail: value   \nBcc: hidden@h\n\
         Resent-From: x@y.z\n]\n> "
    );
}

#[test]
fn dash_i_keeps_dot_lines() {
    let (out, _, _) = run(
        &["-bem", &data("dot.eml"), "-i", "-be"],
        "$message_linecount/$body_linecount\n[$message_body_end]\n",
    );
    assert_eq!(out, "> 10/6\n> [line1   line4 . after dot ]\n> ");
    let (out, _, _) = run(
        &["-bem", &data("dot.eml"), "-be"],
        "$message_linecount/$body_linecount\n[$message_body_end]\n",
    );
    assert_eq!(out, "> 6/2\n> [line1   line4 ]\n> ");
}

#[test]
fn command_line_strings_and_remote() {
    let (out, _, _) = run(
        &[
            "-bem",
            &data("crlf.eml"),
            "-oMa",
            "192.0.2.1",
            "-be",
            "[$message_headers_raw]",
            "$message_size",
        ],
        "",
    );
    assert_eq!(out, "[From: a@b.c\nSubject: crlf\nX-A: 1\n X-B: 2\n]\n54");
}

#[test]
fn missing_file() {
    let (out, err, rc) = run(&["-bem", "/nonexistent/msg.eml", "-be", "x"], "");
    assert_eq!(out, "");
    assert_eq!(
        err,
        "exim: failed to open /nonexistent/msg.eml: No such file or directory\n"
    );
    assert_eq!(rc, 1);
}
