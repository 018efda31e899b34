//! The DKIM verifier against Debian's Exim 4.96 (pdkim over GnuTLS):
//! every message of tests/data/dkim/cases.jsonl (written by
//! scripts/oracle-dkim) verified over the same zones with
//! `ZoneResolver`, the DKIM ACL runs replayed as Exim makes them (once
//! per signer of `$dkim_signers`, for each signature of that signer),
//! and each value that differs from the oracle's reported.

use exim_expand::auth::dkim::{self, Verification, VerifyOptions};
use exim_expand::dns::ZoneResolver;
use serde_json::{Map, Value};
use std::path::Path;

/// The variables the oracle logged in each ACL run: the signer, then
/// every per-signature variable.
fn variable_names() -> impl Iterator<Item = &'static str> {
    std::iter::once("cur_signer").chain(dkim::SIGNATURE_VARIABLES)
}

fn text(b: &[u8]) -> Value {
    Value::from(String::from_utf8_lossy(b).into_owned())
}

/// How the oracle ran a message: its options, whether acl_smtp_dkim was
/// set and the dkim_verbose log selector on.
struct Run {
    opts: VerifyOptions,
    verify_signers: String,
    acl: bool,
    verbose: bool,
}

fn run_of(case: &Value) -> Run {
    let mut run = Run {
        opts: VerifyOptions::default(),
        verify_signers: "$dkim_signers".into(),
        acl: case["acl_set"].as_bool().unwrap_or(true),
        verbose: case["verbose"].as_bool().unwrap_or(true),
    };
    if let Some(Value::Object(o)) = case.get("options") {
        for (k, v) in o {
            let v = v.as_str().unwrap_or("");
            match k.as_str() {
                "dkim_verify_hashes" => run.opts.hashes = v.into(),
                "dkim_verify_keytypes" => run.opts.keytypes = v.into(),
                "dkim_verify_min_keysizes" => run.opts.min_keysizes = v.into(),
                "dkim_verify_minimal" => run.opts.minimal = v == "true",
                "dkim_verify_signers" => run.verify_signers = v.into(),
                _ => panic!("option {k} not replayed"),
            }
        }
    }
    run
}

/// What Exim shows for one message, replayed from our verification:
/// the same fields as the oracle's line.
fn replay(v: &mut Verification, run: &Run) -> Value {
    let signers = v.signers();
    let mut acl = Vec::new();
    let mut log: Vec<Value> = v.log.iter().map(|l| text(l)).collect();
    let mut results = Vec::new();
    let mut overall = None;
    let mut seen: Vec<Vec<u8>> = Vec::new();
    // $dkim_domain, $dkim_selector and $dkim_key_length keep the last
    // signature's values when a signer has none.
    let mut sticky = [Vec::new(), Vec::new(), b"0".to_vec()];
    if !run.acl {
        // Without a DKIM ACL Exim logs every signature once, and
        // $dkim_verify_status stays unset.
        for sig in &mut v.signatures {
            let line = dkim::after_acl_run(sig, None, &mut overall);
            if run.verbose {
                log.push(text(&line));
            }
        }
        let mut authres = b"Authentication-Results: myhost.test.ex".to_vec();
        authres.extend(dkim::authres(&v.signatures, b"", b""));
        return serde_json::json!({
            "acl": acl,
            "log": log,
            "signers": text(&signers),
            "status": "",
            "authres": text(&authres),
            "overall": text(&overall.unwrap_or_default()),
        });
    }
    let verify_signers = run
        .verify_signers
        .replace("$dkim_signers", &String::from_utf8_lossy(&signers))
        .into_bytes();
    for item in verify_signers.split(|&c| c == b':') {
        if item.is_empty() || seen.iter().any(|s| s == item) {
            continue;
        }
        seen.push(item.to_vec());
        let matching = v.matching(item);
        if matching.is_empty() {
            let mut vars = Map::new();
            for name in variable_names() {
                let val = match name {
                    "cur_signer" => item.to_vec(),
                    "domain" => sticky[0].clone(),
                    "selector" => sticky[1].clone(),
                    "key_length" => sticky[2].clone(),
                    _ => dkim::default_variable(name).unwrap_or_default(),
                };
                vars.insert(name.into(), text(&val));
            }
            acl.push(Value::Object(vars));
            log.push(Value::from(format!("<acl {}>", acl.len())));
            results.push(b"none".to_vec());
            continue;
        }
        for i in matching {
            let sig = &mut v.signatures[i];
            let mut vars = Map::new();
            for name in variable_names() {
                let val = if name == "cur_signer" {
                    item.to_vec()
                } else {
                    sig.variable(name).expect(name)
                };
                vars.insert(name.into(), text(&val));
            }
            sticky = [
                sig.variable("domain").unwrap(),
                sig.variable("selector").unwrap(),
                sig.variable("key_length").unwrap(),
            ];
            acl.push(Value::Object(vars));
            log.push(Value::from(format!("<acl {}>", acl.len())));
            let status = sig.status.word().as_bytes().to_vec();
            let reason = sig.reason_word().as_bytes().to_vec();
            let line = dkim::after_acl_run(sig, Some((&status, &reason, false)), &mut overall);
            if run.verbose {
                log.push(text(&line));
            }
            results.push(status);
        }
    }
    let status = results.join(&b':');
    let mut authres = b"Authentication-Results: myhost.test.ex".to_vec();
    authres.extend(dkim::authres(&v.signatures, &status, b""));
    serde_json::json!({
        "acl": acl,
        "log": log,
        "signers": text(&signers),
        "status": text(&status),
        "authres": text(&authres),
        "overall": text(&overall.unwrap_or_default()),
    })
}

#[test]
fn dkim_matches_exim_with_pdkim() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dkim");
    let resolver = ZoneResolver::from_dir(data.join("zones")).expect("zones");
    let engine = exim_expand::Engine::new();
    let crypto = &engine.settings().crypto;
    let cases = std::fs::read_to_string(data.join("cases.jsonl")).expect("cases.jsonl");
    let (mut signatures, mut bad) = (0, Vec::new());
    for line in cases.lines() {
        let want: Value = serde_json::from_str(line).expect("case");
        let name = want["message"].as_str().unwrap();
        let message = std::fs::read(data.join("messages").join(name)).expect("message");
        let run = run_of(&want);
        let mut v = dkim::verify(&message, &resolver, crypto.as_ref(), &run.opts);
        signatures += want["acl"].as_array().map_or(0, Vec::len);
        let got = replay(&mut v, &run);
        for key in ["signers", "status", "authres", "overall", "log", "acl"] {
            if got[key] != want[key] {
                bad.push(format!(
                    "{name} {} {key}\n   got  {}\n   want {}",
                    want.get("options").map_or(String::new(), Value::to_string),
                    got[key],
                    want[key]
                ));
            }
        }
    }
    assert!(
        signatures >= 40,
        "only {signatures} ACL runs in the oracle's cases"
    );
    assert!(
        bad.is_empty(),
        "{} differences from Exim:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
