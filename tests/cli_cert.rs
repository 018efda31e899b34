//! `exim-expand eval --cert-var NAME=FILE`.

use std::process::Command;

fn eval(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
        .arg("eval")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TEST_PEM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/certs/test.pem");

#[test]
fn cert_var_sets_a_certificate() {
    let setting = format!("tls_in_peercert={TEST_PEM}");
    let (rc, out, _) = eval(&[
        "--cert-var",
        &setting,
        "${certextract{subject}{$tls_in_peercert}} ${md5:$tls_in_peercert}",
    ]);
    assert_eq!(rc, 0);
    assert_eq!(
        out,
        "CN=test.example,O=Example 242138CFF575FEF25D6263AE79FDEBF4\n"
    );
}

#[test]
fn cert_var_rejects_bad_settings() {
    let (rc, _, err) = eval(&["--cert-var", "tls_in_peercert", "x"]);
    assert_eq!(rc, 64);
    assert!(err.contains("NAME=FILE"), "{err}");
    let setting = format!("primary_hostname={TEST_PEM}");
    let (rc, _, err) = eval(&["--cert-var", &setting, "x"]);
    assert_eq!(rc, 64);
    assert!(err.contains("not a certificate variable"), "{err}");
    let setting = format!("tls_in_peercert={}", env!("CARGO_MANIFEST_DIR"));
    let (rc, _, _) = eval(&["--cert-var", &setting, "x"]);
    assert_eq!(rc, 64);
}
