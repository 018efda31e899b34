//! ARC end to end: a message signed with `exim-expand arc-sign` (a
//! transport's `arc_sign` option) verifies in a `-bh` session with
//! `verify = arc/pass:none` ($arc_state pass), and a message changed
//! after signing is refused.  Debian's Exim 4.96 has no ARC: the module's
//! own test (tests/arc.rs) checks the signatures against what Exim's test
//! suite records; here the parts are put together.

mod common;

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], input: &[u8]) -> (i32, Vec<u8>, String) {
    let out = common::run_with_stdin(
        Command::new(env!("CARGO_BIN_EXE_exim-expand")).args(args),
        input,
    );
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn conf() -> String {
    root()
        .join("tests/sessions/conf/arc.conf")
        .display()
        .to_string()
}

fn key_define() -> String {
    format!(
        "ARC_KEY={}",
        root().join("tests/data/arc/keys/d1.pem").display()
    )
}

fn signed_message() -> Vec<u8> {
    let message = std::fs::read(root().join("tests/data/arc/messages/plain.eml")).expect("message");
    let (rc, out, err) = run(
        &[
            "arc-sign",
            "-C",
            &conf(),
            "-D",
            &key_define(),
            "--now",
            "2024-01-15T12:00:00Z",
        ],
        &message,
    );
    assert_eq!(rc, 0, "{err}");
    out
}

/// A -bh session delivering `message`; the LOG: lines and stdout.
fn session(message: &[u8]) -> (String, Vec<String>) {
    let mut input =
        b"EHLO client.example\r\nMAIL FROM:<list@d1.test>\r\nRCPT TO:<x@test.ex>\r\nDATA\r\n"
            .to_vec();
    for line in message.split(|&c| c == b'\n') {
        if line.starts_with(b".") {
            input.push(b'.');
        }
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n");
    }
    input.extend_from_slice(b".\r\nQUIT\r\n");
    let zones = root().join("tests/data/arc/zones").display().to_string();
    let (_, out, err) = run(
        &[
            "-C",
            &conf(),
            "-D",
            &key_define(),
            "--profile",
            "exim-4.96-full",
            "--now",
            "2024-01-15T12:00:00Z",
            "--pid",
            "1",
            "--dns-zones",
            &zones,
            "-bh",
            "192.0.2.7",
        ],
        &input,
    );
    (
        String::from_utf8_lossy(&out).into_owned(),
        common::log_lines(err.as_bytes()),
    )
}

#[test]
fn arc_sign_output_has_the_three_fields_in_front() {
    let signed = signed_message();
    let text = String::from_utf8_lossy(&signed);
    // The order and first lines Exim 4.96 writes (its test 4560).
    assert!(
        text.starts_with("ARC-Seal: i=1; cv=none; a=rsa-sha256; d=d1.test; s=sel; t=1705320000;\n"),
        "{text}"
    );
    assert!(
        text.contains("\nARC-Authentication-Results: i=1; d1.test;\n"),
        "{text}"
    );
    assert!(text.contains("\nARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed; d=d1.test; s=sel; t=1705320000;\n"), "{text}");
    assert!(text.contains("\nReceived: from client.example"), "{text}");
    assert!(text.ends_with("Hello.\nThis is the body.\n"), "{text}");
}

#[test]
fn round_trip_passes_and_tampering_fails() {
    let signed = signed_message();
    let (out, log) = session(&signed);
    assert!(out.contains("250 OK id="), "{out}\n{log:?}");
    assert!(
        log.iter()
            .any(|l| l.ends_with("ARC state=pass reason= domains=d1.test oldest=1")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l
            .contains("arc=pass (i=1) header.s=sel arc.oldest-pass=1 smtp.remote-ip=192.0.2.7")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.contains(" ARC id=rt1@origin.example")),
        "{log:?}"
    );
    let tampered =
        String::from_utf8_lossy(&signed).replace("This is the body.", "This is not the body.");
    let (out, log) = session(tampered.as_bytes());
    assert!(
        out.contains("550 ARC chain fail: AMS body hash miscompare"),
        "{out}\n{log:?}"
    );
    // Without ARC fields: none, which the list accepts.
    let plain = std::fs::read(root().join("tests/data/arc/messages/plain.eml")).expect("message");
    let (out, log) = session(&plain);
    assert!(out.contains("250 OK id="), "{out}");
    assert!(log.iter().any(|l| l.contains("ARC state=none")), "{log:?}");
}

#[test]
fn arc_sign_refusals() {
    let message = std::fs::read(root().join("tests/data/arc/messages/plain.eml")).expect("message");
    let (rc, _, err) = run(&["arc-sign", "--spec", "d1.test : sel"], &message);
    assert_eq!(rc, 1);
    assert!(
        err.contains("ARC: bad signing-specification (privkey)"),
        "{err}"
    );
    let (rc, _, err) = run(
        &[
            "arc-sign",
            "--spec",
            &format!(
                "other.test : sel : {}",
                root().join("tests/data/arc/keys/d1.pem").display()
            ),
        ],
        &message,
    );
    assert_eq!(rc, 1);
    assert!(
        err.contains("no Authentication-Results header for signing"),
        "{err}"
    );
    let (rc, _, _) = run(&["arc-sign", "--spec", ""], &message);
    assert_eq!(rc, 2);
}
