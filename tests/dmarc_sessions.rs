//! DMARC in SMTP sessions with the example ACL of Exim's specification
//! (tests/sessions/conf/dmarc.conf), through the `-bh` drop-in with the
//! `exim-4.96-full` profile.  Debian's Exim 4.96 has no DMARC, so the
//! expected results are reasoned from the sources, as each case says:
//! Exim 4.96 dmarc.c and libopendmarc 1.3.2 (see src/auth/dmarc), RFC
//! 7489 section 6.6.2 for alignment.  The signed messages and keys are
//! those of tests/data/dkim (alice@example.test; example.test publishes
//! `p=reject` and `v=spf1 ip4:192.0.2.1 -all` in the same zones).

mod common;

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A session sending `message` (tests/data/dkim/messages) from `client`
/// to `rcpt`; returns standard output and the LOG: lines.
fn session(client: &str, rcpt: &str, message: &str, tld: bool) -> (String, Vec<String>) {
    let data = std::fs::read_to_string(root().join("tests/data/dkim/messages").join(message))
        .expect("message");
    let mut input = String::from("EHLO client.example\r\nMAIL FROM:<alice@example.test>\r\n");
    input.push_str(&format!("RCPT TO:<{rcpt}>\r\nDATA\r\n"));
    for line in data.lines() {
        if line.starts_with('.') {
            input.push('.');
        }
        input.push_str(line);
        input.push_str("\r\n");
    }
    input.push_str(".\r\nQUIT\r\n");
    let tld_file = if tld {
        root()
            .join("tests/data/dmarc/public_suffix_list.dat")
            .display()
            .to_string()
    } else {
        String::new()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exim-expand"));
    cmd.arg("-C")
        .arg(root().join("tests/sessions/conf/dmarc.conf"))
        .arg(format!("-DDMARC_TLD_FILE={tld_file}"))
        .args([
            "--profile",
            "exim-4.96-full",
            "--now",
            "2024-01-15T12:00:00Z",
            "--pid",
            "1",
        ])
        .arg("--dns-zones")
        .arg(root().join("tests/data/dkim/zones"))
        .args(["-bh", client]);
    let out = common::run_with_stdin(&mut cmd, input.as_bytes());
    let log = common::log_lines(&out.stderr);
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

fn has(log: &[String], text: &str) -> bool {
    log.iter().any(|l| l.contains(text))
}

#[test]
fn aligned_dkim_pass_is_accepted() {
    // rr-pass.eml has a passing signature of example.test, the From:
    // domain: aligned (RFC 7489 3.1.1), so the policy passes even though
    // SPF fails for 198.51.100.9.
    let (out, log) = session("198.51.100.9", "x@test.ex", "rr-pass.eml", true);
    assert!(out.contains("250 OK id="), "{out}");
    assert!(
        has(
            &log,
            "DMARC results: spf_domain=example.test dmarc_domain=example.test spf_align=no dkim_align=yes enforcement='Accept'"
        ),
        "{log:?}"
    );
    assert!(
        has(&log, "Warning: DMARC DEBUG: accept example.test"),
        "{log:?}"
    );
    assert!(
        has(
            &log,
            "spf=fail smtp.mailfrom=example.test;\\n\tdkim=pass header.d=example.test"
        ),
        "{log:?}"
    );
    assert!(has(&log, "dmarc=pass header.from=example.test"), "{log:?}");
}

#[test]
fn aligned_spf_pass_is_accepted() {
    // A tampered body fails DKIM, but SPF passes for 192.0.2.1 and the
    // envelope domain is the From: domain.
    let (out, log) = session("192.0.2.1", "x@test.ex", "body-tampered.eml", true);
    assert!(out.contains("250 OK id="), "{out}");
    assert!(
        has(&log, "spf_align=yes dkim_align=no enforcement='Accept'"),
        "{log:?}"
    );
}

#[test]
fn the_specifications_reject() {
    // Neither aligned: p=reject applies; the specification's deny rejects
    // with its message.
    let (out, log) = session("198.51.100.9", "x@test.ex", "body-tampered.eml", true);
    assert!(
        out.contains("550 Message from example.test failed sender's DMARC policy, REJECT\r\n"),
        "{out}"
    );
    assert!(has(&log, "enforcement='Reject'"), "{log:?}");
    assert!(
        has(&log, "Warning: DMARC DEBUG: 'reject' for example.test"),
        "{log:?}"
    );
    assert!(
        has(
            &log,
            "rejected after DATA: Message from example.test failed sender's DMARC policy, REJECT"
        ),
        "{log:?}"
    );
}

#[test]
fn disabled_and_unconfigured() {
    // control = dmarc_disable_verify: the condition sees "off".
    let (out, log) = session("198.51.100.9", "nodmarc@test.ex", "body-tampered.eml", true);
    assert!(out.contains("250 OK id="), "{out}");
    assert!(has(&log, "DMARC DEBUG: none"), "{log:?}");
    assert!(!has(&log, "DMARC results"), "{log:?}");
    // No dmarc_tld_file: Exim's dmarc_init gives up, $dmarc_status stays
    // none and authresults says skipped.
    let (out, log) = session("198.51.100.9", "x@test.ex", "body-tampered.eml", false);
    assert!(out.contains("250 OK id="), "{out}");
    assert!(has(&log, "DMARC DEBUG: none"), "{log:?}");
    assert!(has(&log, "dmarc=skipped"), "{log:?}");
}
