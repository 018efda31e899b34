//! ARC (src/auth/arc) end to end, over tests/data/arc: signing and
//! re-verifying hop by hop, tampering, chains made by an independent
//! implementation (scripts/make-arc-messages), the layout Exim 4.96's
//! test 4560 shows for the fields it writes, and malformed chains.

use exim_expand::auth::arc::{self, ArcVerification, SignOptions};
use exim_expand::dns::ZoneResolver;
use exim_expand::eval::Crypto;
use std::path::Path;

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/arc")
            .join(rel),
    )
    .unwrap()
}

struct World {
    resolver: ZoneResolver,
    engine: exim_expand::Engine,
}

impl World {
    fn new() -> World {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/arc/zones");
        World {
            resolver: ZoneResolver::from_dir(dir).unwrap(),
            engine: exim_expand::Engine::new(),
        }
    }

    fn crypto(&self) -> &dyn Crypto {
        self.engine.settings().crypto.as_ref()
    }

    fn verify(&self, m: &[u8]) -> ArcVerification {
        arc::verify(m, &self.resolver, self.crypto())
    }

    /// One ADMD hop: verify on entry, add `Authentication-Results:
    /// ${authresults{admd}}` at the top as 4560's ACL does, ARC-sign
    /// on exit.  The message as the next hop stores it.
    fn hop(&self, m: &[u8], admd: &str, spec_extra: &str) -> Vec<u8> {
        let v = self.verify(m);
        let mut ar = format!("Authentication-Results: {admd}").into_bytes();
        ar.extend(v.authres(Some(b"192.0.2.9")));
        ar.push(b'\n');
        ar.extend_from_slice(m);
        self.sign(&ar, admd, spec_extra)
    }

    fn sign(&self, m: &[u8], admd: &str, spec_extra: &str) -> Vec<u8> {
        let key = format!("{}.pem", &admd[..2]);
        let spec = format!("{admd} : sel : KEY{spec_extra}");
        let mut opts = arc::parse_sign_spec(spec.as_bytes(), 1_700_000_000).unwrap();
        opts.key = data(&format!("keys/{key}"));
        let ar = arc::authentication_results_for(m, admd.as_bytes()).expect("A-R header");
        let mut out = arc::sign(m, &ar, &opts, self.crypto()).unwrap();
        out.extend_from_slice(m);
        out
    }
}

/// `(state, reason, domains, oldest_pass, received_instance)`.
type Summary<'a> = (&'a str, &'a str, &'a str, u32, u32);

fn summary(v: &ArcVerification) -> (String, String, String, u32, u32) {
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        v.state.into(),
        s(&v.state_reason),
        s(&v.domains),
        v.oldest_pass,
        v.received_instance,
    )
}

fn check(w: &World, name: &str, m: &[u8], want: Summary) {
    let (st, r, d, o, i) = want;
    assert_eq!(
        summary(&w.verify(m)),
        (st.into(), r.into(), d.into(), o, i),
        "{name}"
    );
}

fn replace(m: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(m.to_vec()).unwrap();
    assert!(s.contains(from), "{from:?} not in message");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn round_trips_hop_by_hop() {
    let w = World::new();
    let plain = data("messages/plain.eml");
    check(&w, "bare", &plain, ("none", "", "", 0, 0));
    let one = w.sign(&plain, "d1.test", "");
    check(&w, "one hop", &one, ("pass", "", "d1.test", 1, 1));
    let two = w.hop(&one, "d2.test", ":timestamps,expire=+3600");
    check(&w, "two hops", &two, ("pass", "", "d1.test:d2.test", 1, 2));
    let v = w.verify(&two);
    assert_eq!(
        String::from_utf8_lossy(&v.authres(Some(b"192.0.2.9"))),
        ";\n\tarc=pass (i=2) header.s=sel arc.oldest-pass=1 smtp.remote-ip=192.0.2.9"
    );
    let three = w.hop(&two, "d1.test", "");
    check(
        &w,
        "three hops",
        &three,
        ("pass", "", "d1.test:d2.test:d1.test", 1, 3),
    );
}

#[test]
fn tampering_fails_with_exims_reasons() {
    let w = World::new();
    let one = w.sign(&data("messages/plain.eml"), "d1.test", "");
    let two = w.hop(&one, "d2.test", "");
    let cases: &[(&str, &str, &str, Summary)] = &[
        (
            "body",
            "This is the body.",
            "This is the b0dy.",
            ("fail", "AMS body hash miscompare", "d1.test:d2.test", 0, 2),
        ),
        (
            "signed header",
            "Subject: ARC round trip",
            "Subject: ARC round trap",
            ("fail", "AMS sig nonverify", "d1.test:d2.test", 0, 2),
        ),
        (
            "unsigned header",
            "with esmtp;",
            "with smtp;",
            ("pass", "", "d1.test:d2.test", 1, 2),
        ),
        (
            "sealed AAR",
            "i=1; d1.test;\n\tarc=none",
            "i=1; d1.test;\n\tarc=pass",
            ("fail", "seal sigverify error", "d1.test:d2.test", 1, 2),
        ),
        (
            "seal cv",
            "i=2; cv=pass",
            "i=2; cv=fail",
            ("fail", "i=2 (cv)", "d1.test:d2.test", 0, 0),
        ),
        (
            "seal d=",
            "i=2; cv=pass; a=rsa-sha256; d=d2.test",
            "i=2; cv=pass; a=rsa-sha256; d=d3.test",
            ("fail", "", "d1.test:d3.test", 1, 2),
        ),
    ];
    for (name, from, to, want) in cases {
        check(&w, name, &replace(&two, from, to), *want);
    }
}

#[test]
fn verifies_independently_made_chains() {
    let w = World::new();
    let cases: &[(&str, Summary)] = &[
        ("kat-one.eml", ("pass", "", "d1.test", 1, 1)),
        ("kat-two.eml", ("pass", "", "d1.test:d2.test", 1, 2)),
        // l= lets text be added after the signed part.
        ("kat-body-length.eml", ("pass", "", "d1.test", 1, 1)),
        // Exim hashes c=simple header fields as it stores them (LF line
        // ends), so a CRLF signer's simple AMS never verifies.
        (
            "kat-simple-headers.eml",
            ("fail", "AMS sig nonverify", "d1.test", 0, 1),
        ),
    ];
    for (name, want) in cases {
        check(&w, name, &data(&format!("messages/{name}")), *want);
    }
}

/// The signed fields with each signature and body hash replaced by `#`.
fn layout(fields: &[u8]) -> String {
    let s = String::from_utf8_lossy(fields);
    let mut out = String::new();
    let mut in_sig = false;
    for line in s.split_inclusive('\n') {
        let (keep, sig) = match line.find("b=") {
            Some(p) if !line.contains("bh=") || line.contains("\tb=") || line.contains(" b=") => {
                (&line[..p + 2], true)
            }
            _ if in_sig && line.starts_with("\t  ") => ("", true),
            _ => (line, false),
        };
        if sig {
            if !keep.is_empty() {
                out.push_str(keep);
                out.push_str("#\n");
            }
            in_sig = !line.trim_end().ends_with(';');
        } else {
            in_sig = false;
            out.push_str(&regex_bh(keep));
        }
    }
    out
}

fn regex_bh(line: &str) -> String {
    match line.find("bh=") {
        Some(p) => format!("{}#;\n", &line[..p + 3]),
        None => line.to_string(),
    }
}

#[test]
fn writes_fields_as_exim_4560_shows() {
    // Exim's own 4560 output for a bare message forwarded once:
    //   ARC-Seal: i=1; cv=none; a=rsa-sha256; d=test.ex; s=sel;
    //   \t b=<74 columns>\n\t  <74>...;
    //   ARC-Authentication-Results: i=1; test.ex;\n\tarc=none
    //   ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed; d=test.ex; s=sel;
    //   \tbh=...;\n\th=Subject;\n\tb=<74>\n\t  <74>...;
    let w = World::new();
    let m =
        b"Authentication-Results: d1.test;\n\tarc=none\nSubject: Test\n\nThis is a test body.\n";
    let out = w.sign(m, "d1.test", "");
    let fields = &out[..out.len() - m.len()];
    assert_eq!(
        layout(fields),
        "ARC-Seal: i=1; cv=none; a=rsa-sha256; d=d1.test; s=sel;\n\t b=#\n\
         ARC-Authentication-Results: i=1; d1.test;\n\tarc=none\n\
         ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed; d=d1.test; s=sel;\n\
         \tbh=#;\n\th=Subject;\n\tb=#\n"
    );
    // The same body hash as Exim's for that body.
    assert!(
        String::from_utf8_lossy(fields)
            .contains("bh=HUzfKKxIjPIa07lkj5uzDQ3q5YTRF/NwAUE7dhrrfvs=;")
    );
    // 2048-bit signatures: 344 base64 characters in lines of 74.
    let text = String::from_utf8_lossy(fields);
    let seal_sig: Vec<&str> = text.lines().skip(1).take(5).collect();
    assert_eq!(seal_sig[0].len(), "\t b=".len() + 74);
    assert!(seal_sig[1].starts_with("\t  ") && seal_sig[1].len() == 3 + 74);
    assert!(seal_sig[4].ends_with("=;"));
    // With timestamps and an expiry: t= on both, x= on the AMS only.
    let out = w.sign(m, "d1.test", ":timestamps,expire=+60");
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with(
        "ARC-Seal: i=1; cv=none; a=rsa-sha256; d=d1.test; s=sel; t=1700000000;\n\t b="
    ));
    assert!(text.contains(
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed; d=d1.test; s=sel; t=1700000000; x=1700000060;\n\tbh="
    ));
}

#[test]
fn lists_signed_headers_newest_first_folded_as_exim() {
    let w = World::new();
    let mut m = b"Authentication-Results: d1.test; arc=none\n".to_vec();
    for n in 0..12 {
        m.extend_from_slice(format!("Resent-Message-ID: <{n}@x>\n").as_bytes());
    }
    m.extend_from_slice(b"From: a@x\nTo: b@y\nX-Other: z\nSubject: s\n\nbody\n");
    let out = w.sign(&m, "d1.test", "");
    let text = String::from_utf8_lossy(&out);
    let h = &text[text.find("\th=").unwrap()..text.find(";\n\tb=").unwrap()];
    assert_eq!(
        h,
        "\th=Subject:To:From:Resent-Message-ID:Resent-Message-ID:Resent-Message-ID:\n\t  \
         Resent-Message-ID:Resent-Message-ID:Resent-Message-ID:Resent-Message-ID:\n\t  \
         Resent-Message-ID:Resent-Message-ID:Resent-Message-ID:Resent-Message-ID:\n\t  \
         Resent-Message-ID"
    );
    out.ends_with(&m).then_some(()).unwrap();
    assert_eq!(w.verify(&out).state, "pass");
}

#[test]
fn seals_a_failed_chain_over_its_own_set_only() {
    let w = World::new();
    let one = w.sign(&data("messages/plain.eml"), "d1.test", "");
    let broken = replace(&one, "This is the body.", "Changed.");
    let v = w.verify(&broken);
    assert_eq!(v.state, "fail");
    let two = w.hop(&broken, "d2.test", "");
    assert!(String::from_utf8_lossy(&two).starts_with("ARC-Seal: i=2; cv=fail;"));
    // Exim stops at the seal's cv=fail.
    check(
        &w,
        "after a failed hop",
        &two,
        ("fail", "i=2 (cv)", "d1.test:d2.test", 0, 0),
    );
}

#[test]
fn signing_errors_are_exims() {
    let w = World::new();
    let m = data("messages/plain.eml");
    let mut opts: SignOptions = arc::parse_sign_spec(b"d1.test:sel:KEY", 0).unwrap();
    opts.key = b"not a key".to_vec();
    let ar = arc::authentication_results_for(&m, b"d1.test").unwrap();
    let e = arc::sign(&m, &ar, &opts, w.crypto()).unwrap_err();
    assert!(e.starts_with("ARC: AMS signing: "), "{e}");
    assert_eq!(arc::authentication_results_for(&m, b"d9.test"), None);
    // A chain missing a field in an earlier set: no ARC set made.
    let one = w.sign(&m, "d1.test", "");
    let no_aar = replace(&one, "ARC-Authentication-Results: i=1;", "X-Was-AAR: i=1;");
    opts.key = data("keys/d1.pem");
    let e = arc::sign(&no_aar, &ar, &opts, w.crypto()).unwrap_err();
    assert!(e.contains("missing aar in chain"), "{e}");
}

/// A set of three fields for instance `i` with the seal's tags `seal`.
fn fake_set(i: &str, seal: &str) -> String {
    format!(
        "ARC-Seal: i={i}; {seal}; a=rsa-sha256; d=d{i}.test; s=sel; b=AAAA\n\
         ARC-Message-Signature: i={i}; a=rsa-sha256; d=d1.test; s=sel; h=from; bh=AAAA; b=AAAA\n\
         ARC-Authentication-Results: i={i}; d1.test; arc=none\n"
    )
}

#[test]
fn malformed_chains_never_panic() {
    let w = World::new();
    let body = "From: a@x\n\nbody\n";
    let many: String = (1..=51)
        .map(|i| fake_set(&i.to_string(), "cv=pass"))
        .collect();
    let fifty: String = (1..=50)
        .map(|i| fake_set(&i.to_string(), "cv=pass"))
        .collect();
    let d50 = (1..=50)
        .map(|i| format!("d{i}.test"))
        .collect::<Vec<_>>()
        .join(":");
    let cases: Vec<(String, Summary)> = vec![
        (
            fake_set("1", "cv=none"),
            ("fail", "AMS body hash miscompare", "d1.test", 0, 1),
        ),
        // fn_arc_domains pads the gap, then adds a separator as well.
        (
            fake_set("2", "cv=pass"),
            ("fail", "(sequence; expected i=1)", "::d2.test", 0, 0),
        ),
        (
            fake_set("1", "cv=none") + &fake_set("3", "cv=pass"),
            (
                "fail",
                "i=1 (sequence; expected 2)",
                "d1.test::d3.test",
                0,
                0,
            ),
        ),
        (
            fake_set("1", "cv=none") + &fake_set("1", "cv=none"),
            ("fail", "collecting headers: inserting AS", "d1.test", 0, 0),
        ),
        (
            fake_set("0", "cv=none"),
            ("fail", "collecting headers: inserting AS", "", 0, 0),
        ),
        (
            fake_set("x", "cv=none"),
            ("fail", "collecting headers: inserting AS", "", 0, 0),
        ),
        // The 51st instance is refused, the fifty before it collected.
        (
            many,
            ("fail", "collecting headers: inserting AS", &d50, 0, 0),
        ),
        (
            fake_set("1", "cv=fail"),
            ("fail", "i=1 (cv)", "d1.test", 0, 0),
        ),
        (fake_set("1", "x=1"), ("fail", "i=1 (cv)", "d1.test", 0, 0)),
        (
            fake_set("1", "cv=none; bogus=1"),
            ("fail", "collecting headers: inserting AS", "", 0, 0),
        ),
        (
            fake_set("1", "cv=none; cv=none"),
            ("fail", "collecting headers: inserting AS", "", 0, 0),
        ),
        (
            "ARC-Seal: i=1; cv=none; d=d1.test\n".into(),
            ("fail", "i=1 (missing header)", "d1.test", 0, 0),
        ),
        (
            "ARC-Authentication-Results: d1.test; none\n".into(),
            ("fail", "collecting headers: inserting AAR", "", 0, 0),
        ),
        (
            "ARC-Message-Signature: i=1; a=rsa; b=x\n".into(),
            ("fail", "collecting headers: inserting AMS", "", 0, 0),
        ),
        // A seal without d= is an empty element.
        (
            "ARC-Seal: i=1; cv=none\n".into(),
            ("fail", "i=1 (missing header)", ":", 0, 0),
        ),
        (fifty, ("fail", "AMS body hash miscompare", &d50, 0, 50)),
    ];
    for (n, (head, want)) in cases.iter().enumerate() {
        let m = format!("{head}{body}");
        let (st, r, d, o, i) = *want;
        let want = (st.into(), r.into(), d.into(), o, i);
        assert_eq!(
            summary(&w.verify(m.as_bytes())),
            want,
            "case {n}: {head:.120}"
        );
    }
}

/// A file of Exim 4.96's source tree, from the git repository named by
/// `EXIM_GIT` (default: the mirror beside the project), if there is one.
fn exim_file(path: &str) -> Option<String> {
    let repo = std::env::var("EXIM_GIT").unwrap_or_else(|_| "/work/.mirror/Exim+exim/repo".into());
    let out = std::process::Command::new("git")
        .args(["-C", &repo, "show", &format!("exim-4.96:{path}")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The newest ARC set at the top of `m` (seal, AAR, AMS as Exim writes
/// them) and the message under it.
fn split_newest_set(m: &str) -> Option<(&str, &str)> {
    let start = m.find("ARC-Seal: ")?;
    let ams = start + m[start..].find("ARC-Message-Signature: ")?;
    let b = ams + m[ams..].find("\n\tb=")?;
    let end = b + m[b..].find(";\n")? + 2;
    Some((&m[start..end], &m[end..]))
}

/// Exim's own test 4560 (read from Exim's repository at test time, not
/// copied): every message its final receiver stored verifies to the state
/// its log shows, and each ARC set Exim's forwarders made is remade here
/// byte for byte from the message under it, with Exim's test key.
#[test]
fn reproduces_exims_4560() {
    let (Some(mail), Some(zone), Some(key)) = (
        exim_file("test/mail/4560.a"),
        exim_file("test/dnszones-src/db.test.ex"),
        exim_file("test/aux-fixed/dkim/dkim.private"),
    ) else {
        eprintln!("SKIPPED: no Exim 4.96 repository (set EXIM_GIT)");
        return;
    };
    let record = zone
        .lines()
        .find(|l| l.starts_with("sel._domainkey"))
        .unwrap();
    let zone = format!("@ SOA ns h 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n{record}\n");
    let resolver = ZoneResolver::from_zone_text("test.ex", zone).unwrap();
    let engine = exim_expand::Engine::new();
    let crypto = engine.settings().crypto.as_ref();
    let opts = SignOptions {
        admd: b"test.ex".to_vec(),
        selector: b"sel".to_vec(),
        key: key.into_bytes(),
        timestamps: false,
        expire: None,
        now: 0,
    };
    // The final receptions' log lines: state, domains, oldest pass,
    // reason.  The first message's Date: was rewritten by the test
    // harness after it was signed, so it no longer verifies.
    let want: &[Summary] = &[
        ("fail", "AMS sig nonverify", "test.ex", 0, 1),
        ("pass", "", "test.ex", 1, 1),
        ("pass", "", "test.ex:test.ex", 1, 2),
        ("pass", "", "test.ex:test.ex:test.ex", 2, 3),
        ("fail", "i=3 (cv)", "test.ex:test.ex:test.ex", 0, 0),
        ("pass", "", "test.ex", 1, 1),
        ("fail", "i=2 (cv)", "convivian.com:test.ex", 0, 0),
        ("none", "", "", 0, 0),
    ];
    let msgs: Vec<&str> = mail
        .split("From CALLER@bloggs.com Tue Mar 02 09:44:33 1999\n")
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(msgs.len(), want.len());
    let mut remade = 0;
    for (n, (m, want)) in msgs.iter().zip(want).enumerate() {
        let m = m.strip_suffix('\n').unwrap_or(m);
        let (st, r, d, o, i) = *want;
        let got = summary(&arc::verify(m.as_bytes(), &resolver, crypto));
        assert_eq!(got, (st.into(), r.into(), d.into(), o, i), "message {n}");
        let Some((set, under)) =
            split_newest_set(m).filter(|(s, _)| s.contains("c=relaxed; d=test.ex"))
        else {
            continue;
        };
        // The harness rewrote this Date: too; the signer saw the original.
        let under = under.replace(
            "Date: Tue, 2 Mar 1999 09:44:33 +0000 (EST)",
            "Date: Thu, 1 Feb 2018 20:34:08 -0500 (EST)",
        );
        let ar = arc::authentication_results_for(under.as_bytes(), b"test.ex").unwrap();
        let made = arc::sign(under.as_bytes(), &ar, &opts, crypto).unwrap();
        assert_eq!(String::from_utf8_lossy(&made), set, "message {n}'s set");
        remade += 1;
    }
    assert_eq!(remade, 6);
    // The chain Mail::DKIM made for the test's first message passes on
    // reception, as the test's log shows.
    let script = exim_file("test/scripts/4560-ARC/4560").unwrap();
    let first = script.split("DATA\n??? 354\n").nth(1).unwrap();
    let first = format!("{}\n", first.split("\n.\n").next().unwrap());
    let got = summary(&arc::verify(first.as_bytes(), &resolver, crypto));
    assert_eq!(got, ("pass".into(), "".into(), "test.ex".into(), 1, 1));
}

#[test]
fn key_problems_fail_with_exims_reasons() {
    let w = World::new();
    let m = data("messages/plain.eml");
    // (selector signed with, reason): the AMS's key is looked at first.
    let cases: &[(&str, &str)] = &[
        // The record allows sha1 only.
        ("hashes", "pubkey problem"),
        // No record.
        ("nowhere", "pubkey problem"),
        // A p= that is not base64 DER.
        ("junk", "pubkey problem"),
        // Base64, but no SubjectPublicKeyInfo.
        ("notder", "internal sigverify init error"),
    ];
    for (selector, reason) in cases {
        let mut opts = arc::parse_sign_spec(format!("d1.test:{selector}:K").as_bytes(), 0).unwrap();
        opts.key = data("keys/d1.pem");
        let ar = arc::authentication_results_for(&m, b"d1.test").unwrap();
        let mut signed = arc::sign(&m, &ar, &opts, w.crypto()).unwrap();
        signed.extend_from_slice(&m);
        check(&w, selector, &signed, ("fail", reason, "d1.test", 0, 1));
    }
    // The seal's key alone wrong: the seal fails without a reason.
    let one = w.sign(&m, "d1.test", "");
    let other_seal_key = replace(
        &one,
        "d=d1.test; s=sel;\n\t b=",
        "d=d1.test; s=nowhere;\n\t b=",
    );
    check(
        &w,
        "seal key",
        &other_seal_key,
        ("fail", "", "d1.test", 1, 1),
    );
    let bad_seal = replace(&one, "\t b=", "\t b=AAAA");
    check(
        &w,
        "seal b=",
        &bad_seal,
        ("fail", "seal sigverify error", "d1.test", 1, 1),
    );
}
