//! DMARC verdicts.  Debian's Exim has no DMARC, so the expected values
//! follow the sources named in the module documentation (Exim 4.96
//! dmarc.c, libopendmarc 1.3.2) and RFC 7489 where they agree with it;
//! each row says which rule it shows.

use super::*;

fn psl() -> std::sync::Arc<PublicSuffixList> {
    std::sync::Arc::new(PublicSuffixList::parse(b"test\nco.test\n"))
}

/// The raw TXT data of a one-string record (length byte first).
fn raw(record: &str) -> Vec<u8> {
    let mut v = vec![record.len() as u8];
    v.extend_from_slice(record.as_bytes());
    v
}

fn input(
    from: &str,
    spf: Option<SpfFinding>,
    dkim: &[(&str, &str)],
    record: Option<&str>,
) -> DmarcInput {
    DmarcInput {
        from_header: Some(format!("From: Someone <a@{from}>\n").into_bytes()),
        client_address: Some(b"192.0.2.1".to_vec()),
        authenticated: false,
        sender_domain: b"mail.example.test".to_vec(),
        helo: b"client.example".to_vec(),
        spf,
        dkim: dkim
            .iter()
            .map(|(d, s)| DkimResult {
                domain: d.as_bytes().to_vec(),
                status: s.to_string(),
                reason: String::new(),
            })
            .collect(),
        psl: Some(psl()),
        record: record.map(raw),
    }
}

fn status(i: &DmarcInput) -> (&'static str, &'static str, String, &'static str) {
    let o = check(i);
    (
        o.status,
        o.pass_fail,
        String::from_utf8_lossy(&o.used_domain).into_owned(),
        o.domain_policy,
    )
}

#[test]
fn verdicts() {
    use SpfFinding as S;
    type Want = (&'static str, &'static str, &'static str, &'static str);
    let rows: Vec<(&str, DmarcInput, Want)> = vec![
        // RFC 7489 6.6.2: an aligned SPF pass passes (relaxed: same
        // organizational domain).
        (
            "spf aligned",
            input(
                "example.test",
                Some(S::Pass),
                &[],
                Some("v=DMARC1; p=reject"),
            ),
            ("accept", "pass", "example.test", "reject"),
        ),
        // Neither aligned: the policy applies.
        (
            "spf fail",
            input(
                "example.test",
                Some(S::Fail),
                &[],
                Some("v=DMARC1; p=reject"),
            ),
            ("reject", "fail", "example.test", "reject"),
        ),
        (
            "quarantine",
            input(
                "example.test",
                Some(S::SoftFail),
                &[],
                Some("v=DMARC1; p=quarantine"),
            ),
            ("quarantine", "fail", "example.test", "quarantine"),
        ),
        (
            "p=none",
            input("example.test", Some(S::Fail), &[], Some("v=DMARC1; p=none")),
            ("none", "none", "example.test", "none"),
        ),
        // An aligned DKIM pass passes.
        (
            "dkim aligned",
            input(
                "example.test",
                Some(S::Fail),
                &[("example.test", "pass")],
                Some("v=DMARC1; p=reject"),
            ),
            ("accept", "pass", "example.test", "reject"),
        ),
        // A DKIM pass of another organization does not align.
        (
            "dkim other",
            input(
                "example.test",
                Some(S::Fail),
                &[("other.test", "pass")],
                Some("v=DMARC1; p=reject"),
            ),
            ("reject", "fail", "example.test", "reject"),
        ),
        // Strict alignment: the SPF domain mail.example.test is not
        // sub.example.test.
        (
            "aspf strict",
            input(
                "sub.example.test",
                Some(S::Pass),
                &[],
                Some("v=DMARC1; p=reject; aspf=s"),
            ),
            ("reject", "fail", "sub.example.test", "reject"),
        ),
        // libopendmarc 1.3.2's check_alignment: a From: domain equal to
        // the organizational domain of the SPF domain aligns even when
        // strict.
        (
            "aspf strict org",
            input(
                "example.test",
                Some(S::Pass),
                &[],
                Some("v=DMARC1; p=reject; aspf=s"),
            ),
            ("accept", "pass", "example.test", "reject"),
        ),
        // Exim hands the raw TXT data to the parser: the length byte
        // sticks to the first tag, so a record starting with p= has none.
        (
            "p first",
            input("example.test", Some(S::Fail), &[], Some("p=reject")),
            ("norecord", "none", "example.test", ""),
        ),
        // libopendmarc: a value abbreviates its word (p=q is quarantine).
        (
            "p abbreviated",
            input("example.test", Some(S::Fail), &[], Some("v=DMARC1; p=q")),
            ("quarantine", "fail", "example.test", "quarantine"),
        ),
        // No record: norecord, no policy.
        (
            "no record",
            input("example.test", Some(S::Pass), &[], None),
            ("norecord", "none", "example.test", ""),
        ),
        // Exim 4.96 asks only for _dmarc of the From: domain: the policy
        // of the organizational domain is not used (sp= never applies).
        (
            "no p=",
            input(
                "sub.example.test",
                Some(S::Fail),
                &[],
                Some("v=DMARC1; rua=mailto:x@example.test"),
            ),
            ("norecord", "none", "sub.example.test", ""),
        ),
        // A parse error leaves what was set: p=reject before a bad value.
        (
            "bad value",
            input(
                "example.test",
                Some(S::Fail),
                &[],
                Some("v=DMARC1; p=reject; adkim=x"),
            ),
            ("reject", "fail", "example.test", "reject"),
        ),
    ];
    let mut bad = Vec::new();
    for (name, i, want) in rows {
        let got = status(&i);
        if (got.0, got.1, got.2.as_str(), got.3) != want {
            bad.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn skipped_checks_keep_the_initial_state() {
    // No tld file (dmarc_init aborts), no client address, no From:,
    // an authenticated client: $dmarc_status stays "none".
    let mut i = input(
        "example.test",
        Some(SpfFinding::Fail),
        &[],
        Some("p=reject"),
    );
    i.psl = None;
    assert_eq!(check(&i), DmarcOutcome::initial());
    let mut i = input(
        "example.test",
        Some(SpfFinding::Fail),
        &[],
        Some("p=reject"),
    );
    i.from_header = None;
    assert_eq!(check(&i).status, "none");
    let mut i = input(
        "example.test",
        Some(SpfFinding::Fail),
        &[],
        Some("p=reject"),
    );
    i.authenticated = true;
    let o = check(&i);
    assert_eq!(
        (o.status, o.header_from.as_deref()),
        ("none", Some(&b"example.test"[..]))
    );
}

#[test]
fn log_line_and_history() {
    let i = input(
        "example.test",
        Some(SpfFinding::Pass),
        &[("example.test", "fail")],
        Some("v=DMARC1; p=reject; rua=mailto:agg@example.test"),
    );
    let o = check(&i);
    assert_eq!(
        String::from_utf8_lossy(&o.log[0]),
        "DMARC results: spf_domain=mail.example.test dmarc_domain=example.test spf_align=yes dkim_align=no enforcement='Accept'"
    );
    let h = o.history.expect("history");
    let text = String::from_utf8(h.render(
        b"1rPLdI-000001-00",
        b"myhost.test.ex",
        1705320000,
        b"192.0.2.1",
    ))
    .unwrap();
    assert_eq!(
        text,
        "job 1rPLdI-000001-00\nreporter myhost.test.ex\nreceived 1705320000\nipaddr 192.0.2.1\n\
         from example.test\nmfrom mail.example.test\nspf 0\ndkim example.test 7\npdomain example.test\n\
         policy 15\nrua mailto:agg@example.test\npct 100\nadkim 114\naspf 114\np 114\nsp 0\n\
         align_dkim 5\nalign_spf 4\naction 2\n"
    );
}

#[test]
fn the_null_sender_without_spf_uses_the_helo_name() {
    let mut i = input("example.test", None, &[], Some("v=DMARC1; p=none"));
    i.sender_domain.clear();
    let o = check(&i);
    assert_eq!(
        o.log[0],
        b"DMARC using synthesized SPF sender domain = client.example\n".to_vec()
    );
    assert_eq!(o.status, "none");
}
