//! Header and message variables; expected values from Debian's Exim 4.96
//! (`exim -bem FILE -be`), on messages in tests/data/messages and the
//! conformance corpus's msg1.

use crate::eval::Context;
use crate::message::{Message, ReadOptions};
use std::sync::Arc;

const MSG1: &[u8] = b"From: \"Sender, Name\" <sender@example.com>\nTo: first@example.com,\n  second@example.com\nTo: third@example.org\nCc: cc@example.net\nReply-To:\nSubject: =?utf-8?Q?caf=C3=A9?= test\n  continued subject\nX-Multi: one\nX-Multi: two:with:colons\nX-Empty:\nx-lower: lower case name\nMessage-ID: <abc@example.com>\n\nBody line 1\nBody line 2 with tab\there\n\nBody line 4\n";

fn ctx_with(data: &[u8]) -> Context {
    let mut ctx = Context::new();
    ctx.message = Some(Arc::new(Message::parse(data, &ReadOptions::default())));
    ctx
}

fn check(data: &[u8], cases: &[(&str, &str)]) {
    let mut ctx = ctx_with(data);
    let mut bad = Vec::new();
    for (expr, want) in cases {
        let got = crate::expand(expr.as_bytes(), &mut ctx)
            .map(|v| String::from_utf8_lossy(&v.bytes).into_owned())
            .unwrap_or_else(|e| format!("Failed: {}", e.message_str()));
        if got != *want {
            bad.push(format!("{expr}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn msg1_headers() {
    check(
        MSG1,
        &[
            ("[$h_subject:]", "[café test\n  continued subject]"),
            ("[$h_subject]", "["),
            (
                "[$rh_subject:]",
                "[ =?utf-8?Q?caf=C3=A9?= test\n  continued subject\n]",
            ),
            ("[$bh_subject:]", "[café test\n  continued subject]"),
            ("[$header_SUBJECT:]", "[café test\n  continued subject]"),
            (
                "[$rh_to:]",
                "[ first@example.com,\n  second@example.com\n third@example.org\n]",
            ),
            (
                "[$h_to:]",
                "[first@example.com,\n  second@example.com,\nthird@example.org]",
            ),
            ("[$h_x-multi:]", "[one\ntwo:with:colons]"),
            ("[$lh_x-multi:]", "[ one: two::with::colons]"),
            ("[$h_nosuch:]", "[]"),
            ("${if def:h_x-empty:{y}{n}}", "y"),
            ("${if def:h_nosuch:{y}{n}}", "n"),
            ("[$h_reply-to:]", "[]"),
            (
                "[$reply_address]",
                "[\"Sender, Name\" <sender@example.com>]",
            ),
            (
                "$message_linecount/$body_linecount/$message_body_size",
                "17/3/51",
            ),
            (
                "[$message_body]",
                "[Body line 1 Body line 2 with tab\there  Body line 4 ]",
            ),
            ("[$recipients]/$recipients_count", "[]/0"),
            ("${length_4:$h_subject:}", "caf\u{FFFD}"),
        ],
    );
}

#[test]
fn message_headers_all() {
    check(
        b"From: a@b.c\nReply-To: r@b.c\nSubject: =?utf-8?Q?caf=C3=A9?=\n\nbody\n",
        &[
            (
                "[$message_headers]",
                "[From: a@b.c\nReply-To: r@b.c\nSubject: café]",
            ),
            (
                "[$message_headers_raw]",
                "[From: a@b.c\nReply-To: r@b.c\nSubject: =?utf-8?Q?caf=C3=A9?=\n]",
            ),
            ("[$reply_address]", "[r@b.c]"),
            ("$message_size", "65"),
        ],
    );
}

#[test]
fn removed_and_special_headers() {
    let data = std::fs::read(format!(
        "{}/tests/data/messages/types.eml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    check(
        &data,
        &[
            ("[$return_path]", "[rp@example.org]"),
            ("[$h_received:]", "[from a by b\nfrom c by d]"),
            ("[$lh_received:]", "[ from a by b: from c by d]"),
            ("[$h_x-trail:]", "[value]"),
            ("[$rh_x-trail:]", "[ value   \n]"),
            ("[$h_sender:]", "[s@t]"),
            ("${if def:h_delivery-date:{y}{n}}", "n"),
            ("[$h_return-path:]", "[]"),
            ("[$h_bcc:]", "[hidden@h]"),
            ("$received_count", "3"),
        ],
    );
}

#[test]
fn taint_and_no_message() {
    let mut ctx = ctx_with(MSG1);
    let v = crate::expand(b"$h_subject:", &mut ctx).unwrap();
    assert!(v.tainted);
    let v = crate::expand(b"$message_body", &mut ctx).unwrap();
    assert!(v.tainted);
    let mut ctx = Context::new();
    let v = crate::expand(
        b"[$h_subject:][$message_headers][$message_size][$body_linecount][$recipients_count]",
        &mut ctx,
    )
    .unwrap();
    assert_eq!(v.bytes, b"[][][0][0][0]");
}

#[test]
fn mixed_charsets_in_one_header() {
    // `exim -bem` of this message prints `[caf\351caf\303\251]` for $bh_
    // (no translation) and `[caf\303\251caf\303\251]` for $h_ (UTF-8).
    let msg = b"Subject: =?iso-8859-1?q?caf=E9?= =?utf-8?q?caf=C3=A9?=\nX: y\n\nbody\n";
    let mut ctx = ctx_with(msg);
    let bh = crate::expand(b"[$bh_subject:]", &mut ctx).unwrap();
    assert_eq!(bh.bytes, b"[caf\xe9caf\xc3\xa9]");
    let h = crate::expand(b"[$h_subject:]", &mut ctx).unwrap();
    assert_eq!(h.bytes, "[cafécafé]".as_bytes());
    assert!(h.tainted, "message data is tainted");
}
