//! Variables of Exim's optional features through the command line: set
//! with --var, read back with Exim's names; the feature-gated ones only in
//! the exim-4.96-full profile (Debian's build lacks them, as the oracle
//! shows: `unknown variable name "dmarc_status"`).

use std::process::Command;

fn eval(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
        .arg("eval")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn families_present_in_debian_4_96() {
    // Each family: (settings, expansion, expected output).  Defaults are
    // what `exim -be` prints on Debian 4.96 with no session.
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &[],
            "[$event_name][$event_data][$event_defer_errno]",
            "[][][0]",
        ),
        (
            &[
                "--var",
                "event_name=msg:complete",
                "--var",
                "event_defer_errno=111",
            ],
            "$event_name $event_defer_errno",
            "msg:complete 111",
        ),
        (
            &[],
            "[$proxy_session][$proxy_external_address][$proxy_local_port]",
            "[no][][0]",
        ),
        (
            &[
                "--var",
                "proxy_session=yes",
                "--var",
                "proxy_external_address=192.0.2.1",
            ],
            "${if and{ {bool{$proxy_session}} {eq{$proxy_external_address}{}} }{local}{via $proxy_external_address}}",
            "via 192.0.2.1",
        ),
        (&[], "[$tls_out_dane][$tls_out_tlsa_usage]", "[no][0]"),
        (
            &["--var", "tls_out_dane=yes", "--var", "tls_out_tlsa_usage=8"],
            "$tls_out_dane $tls_out_tlsa_usage",
            "yes 8",
        ),
        (&[], "[$tls_in_resumption][$tls_out_resumption]", "[0][0]"),
        (
            &[],
            "[$spf_result][$spf_guess]",
            "[][v=spf1 a/24 mx/24 ptr ?all]",
        ),
        (
            &["--var", "spf_result=pass", "--var", "spf_smtp_comment=ok"],
            "$spf_result: $spf_smtp_comment",
            "pass: ok",
        ),
    ];
    for (settings, expr, want) in cases {
        let mut args: Vec<&str> = settings.to_vec();
        args.push(expr);
        let (code, out, err) = eval(&args);
        assert_eq!(
            (code, out.as_str()),
            (0, format!("{want}\n").as_str()),
            "{expr}: {err}"
        );
    }
}

#[test]
fn feature_gated_families() {
    let (code, _, err) = eval(&["$dmarc_status"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("unknown variable name \"dmarc_status\""),
        "{err}"
    );
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &[
                "--var",
                "dmarc_status=reject",
                "--var",
                "dmarc_used_domain=example.com",
            ],
            "$dmarc_status for $dmarc_used_domain",
            "reject for example.com",
        ),
        (
            &[],
            "[$dmarc_status_text][$dmarc_domain_policy][$dmarc_ar_header]",
            "[][][]",
        ),
        (
            &["--var", "arc_state=pass", "--var", "arc_oldest_pass=1"],
            "$arc_state $arc_oldest_pass [$arc_state_reason]",
            "pass 1 []",
        ),
        (&[], "[$bmi_deliver][$bmi_alt_location]", "[1][]"),
        (
            &["--var", "dcc_result=A"],
            "$dcc_result [$dcc_header]",
            "A []",
        ),
        (
            &["--var", "proxy_session=yes"],
            "${if and{ {bool{$proxy_session}} {eq{$proxy_host_address}{}} }{local}{proxied}}",
            "local",
        ),
    ];
    for (settings, expr, want) in cases {
        let mut args = vec!["--profile", "exim-4.96-full"];
        args.extend_from_slice(settings);
        args.push(expr);
        let (code, out, err) = eval(&args);
        assert_eq!(
            (code, out.as_str()),
            (0, format!("{want}\n").as_str()),
            "{expr}: {err}"
        );
    }
}
