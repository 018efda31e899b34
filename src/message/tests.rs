//! Counts and header types; expected values from Debian's Exim 4.96
//! (`exim -bem FILE -be '$message_size/...'`) on tests/data/messages.

use super::*;

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/messages/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

fn counts(m: &Message) -> String {
    format!(
        "{}/{}/{}/{}/{}/{}/{}",
        m.size,
        m.body_size,
        m.linecount,
        m.body_linecount,
        m.body_zerocount,
        m.max_received_linelength,
        m.received_count
    )
}

/// `$message_size/$message_body_size/$message_linecount/$body_linecount/
/// $body_zerocount/$max_received_linelength/$received_count`.
const COUNTS: &[(&str, &str)] = &[
    ("crlf.eml", "54/12/7/2/0/13/1"),
    ("dot.eml", "48/14/6/2/0/12/1"),
    ("dothdr.eml", "11/0/1/0/0/10/1"),
    ("empty.eml", "1/0/1/0/0/0/1"),
    ("fromline.eml", "103/17/5/2/0/49/1"),
    ("long.eml", "1775/1440/45/40/0/305/1"),
    ("noblank.eml", "11/0/1/0/0/10/1"),
    ("rcpt.eml", "85/5/6/1/0/30/1"),
    ("types.eml", "233/15/13/1/0/49/3"),
    ("zero.eml", "27/7/3/1/2/18/1"),
];

#[test]
fn counts_match_exim() {
    let mut bad = Vec::new();
    for (file, want) in COUNTS {
        let m = Message::parse(&data(file), &ReadOptions::default());
        if counts(&m) != *want {
            bad.push(format!("{file}: got {} want {want}", counts(&m)));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn body_visible_parts() {
    let m = Message::parse(&data("dot.eml"), &ReadOptions::default());
    assert_eq!(m.body_start(500), b"line1   line4 ");
    let m = Message::parse(&data("long.eml"), &ReadOptions::default());
    assert_eq!(m.body_start(20), b"line 000 abcdefghijk");
    assert_eq!(m.body_end(20), b"hijklmnopqrstuvwxyz ");
    let m = Message::parse(&data("zero.eml"), &ReadOptions::default());
    assert_eq!(m.body_start(500), b"bo dy  ");
    assert_eq!(m.headers[0].text, b"Subject: zero?here\n");
}

#[test]
fn header_types() {
    let m = Message::parse(&data("types.eml"), &ReadOptions::default());
    let types: String = m.headers.iter().map(|h| h.htype as char).collect();
    // Return-Path, Received x2, Delivery-Date, Envelope-To, Sender,
    // Resent-To, Subject, X-Trail, Bcc.
    assert_eq!(types, "*PP**ST  B");
    assert_eq!(m.return_path.as_deref(), Some(&b"rp@example.org"[..]));
    // The white-space-only continuation line is dropped.
    assert_eq!(m.headers[8].text, b"X-Trail: value   \n");
    assert_eq!(
        checkname(b"Resent-Reply-To: x\n", true),
        htype::OTHER,
        "no Resent- form"
    );
    assert_eq!(checkname(b"To : x\n", false), htype::TO);
    assert_eq!(checkname(b"Tox: x\n", false), htype::OTHER);
}

#[test]
fn dot_ends_and_dash_i() {
    let d = data("dot.eml");
    let m = Message::parse(&d, &ReadOptions::default());
    assert_eq!(m.body, b"line1\n\n\nline4\n");
    let m = Message::parse(
        &d,
        &ReadOptions {
            dot_ends: false,
            extract_recipients: false,
            ..ReadOptions::default()
        },
    );
    assert_eq!(m.body, b"line1\n\n\nline4\n.\nafter dot\n");
    assert_eq!(m.body_linecount, 6);
}

#[test]
fn extract_recipients_dash_t() {
    let m = Message::parse(
        &data("rcpt.eml"),
        &ReadOptions {
            dot_ends: true,
            extract_recipients: true,
            ..ReadOptions::default()
        },
    );
    let r: Vec<String> = m
        .recipients
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    // load_bem qualifies "bare" afterwards.
    assert_eq!(r, ["a@b.c", "x@y.z", "bare", "g1@h", "g2@h", "hidden@b.c"]);
    assert_eq!(m.headers[2].htype, htype::OLD);
}

#[test]
fn from_line_names_sender() {
    let m = Message::parse(&data("fromline.eml"), &ReadOptions::default());
    assert_eq!(
        m.from_line_sender.as_deref(),
        Some(&b"someone@example.com"[..])
    );
    // "not a header line" ends the headers; it is not part of the body.
    assert_eq!(m.headers.len(), 1);
    assert_eq!(m.body, b"X-After: y\n\nbody\n");
}

#[test]
fn message_ids() {
    // 2024-01-15 12:00:00 UTC (Exim 4.96 under faketime: 1rPLdI-…-00),
    // pid 4242, 123456 µs.
    assert_eq!(
        make_message_id(1705320000, 123456, 4242),
        b"1rPLdI-00016Q-3y"
    );
    assert_eq!(base62(0), *b"000000");
}

#[test]
fn from_parts_and_odd_input() {
    let m = Message::from_parts(&["Subject: hi", "To: a@b"], b"x\n");
    assert_eq!(m.headers.len(), 2);
    assert_eq!(m.headers[1].htype, htype::TO);
    assert_eq!(m.body, b"x\n");
    // No panics on arbitrary bytes.
    for input in [
        &b"\r"[..],
        b"\r\r\n",
        b".",
        b"\n.",
        b":",
        b" x: y\n",
        b"a:\r\n b\n\x00",
        b"From x\n",
        b"X: \n \n\t\n",
    ] {
        for dot_ends in [true, false] {
            let _ = Message::parse(
                input,
                &ReadOptions {
                    dot_ends,
                    extract_recipients: true,
                    ..ReadOptions::default()
                },
            );
        }
    }
}
