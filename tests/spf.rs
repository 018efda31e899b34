//! The SPF checker against Debian's Exim 4.96 (libspf2): every case of
//! tests/data/spf/cases.jsonl (written by scripts/oracle-spf) evaluated
//! over the same zones with `ZoneResolver`, with each mismatch reported.

use exim_expand::auth::spf::{self, SpfRequest};
use exim_expand::dns::ZoneResolver;
use serde_json::Value;
use std::path::Path;

fn field<'a>(case: &'a Value, key: &str) -> &'a str {
    case.get(key).and_then(Value::as_str).unwrap_or("")
}

/// What our checker says for one case, in the oracle's terms.
fn ours(resolver: &ZoneResolver, case: &Value) -> Value {
    let guess = case.get("guess").map(|g| match g.as_str() {
        Some("") | None => spf::DEFAULT_GUESS,
        Some(g) => g.as_bytes(),
    });
    let req = SpfRequest {
        ip: field(case, "ip").parse().expect("case ip"),
        helo: field(case, "helo").as_bytes(),
        sender: field(case, "sender").as_bytes(),
        receiver: b"myhost.test.ex",
        guess,
        smtp_comment_template: None,
    };
    let out = spf::check(resolver, &req);
    let text = |b: &[u8]| Value::from(String::from_utf8_lossy(b).into_owned());
    serde_json::json!({
        "result": out.result.name(),
        "guessed": out.guessed,
        "header_comment": text(&out.header_comment),
        "smtp_comment": text(&out.smtp_comment),
        "received": text(&out.received),
    })
}

#[test]
fn spf_matches_exim_with_libspf2() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/spf");
    let resolver = ZoneResolver::from_dir(data.join("zones")).expect("zones load");
    let cases = std::fs::read_to_string(data.join("cases.jsonl")).expect("cases");
    let mut bad = Vec::new();
    let mut total = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        total += 1;
        let case: Value = serde_json::from_str(line).expect("case json");
        let got = ours(&resolver, &case);
        for key in [
            "result",
            "guessed",
            "header_comment",
            "smtp_comment",
            "received",
        ] {
            if got[key] != case[key] {
                bad.push(format!(
                    "{} {} <{}>{}: {key}\n   got  {}\n   want {}",
                    field(&case, "ip"),
                    field(&case, "helo"),
                    field(&case, "sender"),
                    if case.get("guess").is_some() {
                        " (guess)"
                    } else {
                        ""
                    },
                    got[key],
                    case[key]
                ));
            }
        }
    }
    assert!(total >= 60, "only {total} cases");
    assert!(
        bad.is_empty(),
        "{} of {total} cases differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
