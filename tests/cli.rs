//! Golden tests of the command line: they spawn the binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_exim-expand"))
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut c = bin()
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut i = c.stdin.take().unwrap();
    let data = stdin.to_vec();
    let w = std::thread::spawn(move || {
        let _ = i.write_all(&data);
    });
    let o = c.wait_with_output().unwrap();
    w.join().unwrap();
    o
}

/// A directory of the test's own files, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("exim-expand-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    /// Writes `file` in the directory; its path.
    fn write(&self, file: &str, text: &str) -> String {
        let p = self.0.join(file);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn conf() -> String {
    let p = std::env::temp_dir().join(format!("exim-expand-cli-{}.conf", std::process::id()));
    std::fs::write(&p, "primary_hostname = myhost.test.ex\n").unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn dropin_prints_like_exim_be() {
    let c = conf();
    // Expected bytes: what `exim -C min.conf -be` prints for this input.
    let o = run(
        &["-C", &c, "-be"],
        b"${lc:ABC}\n${if eq{a}{b}{x}{y}\n$primary_hostname\nFOO = bar\nxFOOx\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "> abc\n> Failed: curly-bracket problem in conditional yes/no parsing: did not close with '}'\n remaining string is ''\n> myhost.test.ex\n> Defined macro 'FOO'\n> xbarx\n> \n"
    );
    assert!(o.status.success());
}

#[test]
fn dropin_continuation_lines_join() {
    let c = conf();
    let o = run(&["-C", &c, "-be"], b"${lc:A\\\n    B}\n");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "> ab\n> \n");
}

#[test]
fn dropin_expands_arguments_after_be() {
    let c = conf();
    let o = run(&["-C", &c, "-be", "${uc:x}", "y"], b"");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "X\ny\n");
}

#[test]
fn dropin_connection_presets() {
    let c = conf();
    let o = run(
        &[
            "-C",
            &c,
            "-oMa",
            "192.0.2.1.1234",
            "-oMi",
            "198.51.100.7.587",
            "-be",
        ],
        b"$sender_host_address|$sender_host_port|$interface_address|$interface_port\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "> 192.0.2.1|1234|198.51.100.7|587\n> \n"
    );
}

/// Exim 4.96 (`exim -oMa X -be`): an address that is not an IP address
/// once its port is taken off ends the run with exit status 1.
#[test]
fn dropin_refuses_host_addresses_that_are_not_ip_addresses() {
    let c = conf();
    for (opt, arg, shown) in [
        ("-oMa", "2001:db8::1.x", "2001:db8::1.x"),
        ("-oMa", "1.2.3.4.5.6", "1.2.3.4.5.6"),
        ("-oMa", "[192.0.2.1", "[192.0.2.1"),
        ("-oMi", "1.2.3.x", "1.2.3.x"),
    ] {
        let o = run(&["-C", &c, opt, arg, "-be"], b"$sender_host_address\n");
        assert_eq!(o.status.code(), Some(1), "{opt} {arg}");
        assert!(o.stdout.is_empty(), "{opt} {arg}");
        assert_eq!(
            String::from_utf8_lossy(&o.stderr).trim_end(),
            format!("exim abandoned: \"{shown}\" is not an IP address"),
        );
    }
}

#[test]
fn check_reports_position_and_caret() {
    let o = run(&["check", "${if eq{a}{b}{x}"], b"");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("<expr>:1:17"), "{err}");
    assert!(
        err.contains("1 | ${if eq{a}{b}{x}\n  |                 ^"),
        "{err}"
    );
    // Exim 4.96 words this case so (checked with the oracle).
    assert!(
        err.contains("syntax error in \"if\" item - \"fail\" expected"),
        "{err}"
    );
}

#[test]
fn check_accepts_good_input() {
    let o = run(&["check", "${if eq{a}{b}{x}{y}}"], b"");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn eval_exit_status_distinguishes_failures() {
    let ok = run(&["eval", "${uc:$x}", "--var", "x=abc"], b"");
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "ABC\n");
    let failed = run(&["eval", "$nosuch"], b"");
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("unknown variable name \"nosuch\""));
    let forced = run(&["eval", "${if eq{a}{b}{y}fail}"], b"");
    assert_eq!(forced.status.code(), Some(2));
}

#[test]
fn eval_now_pins_the_clock() {
    let o = run(
        &[
            "eval",
            "--now",
            "2024-01-15T12:00:00Z",
            "$tod_log $tod_epoch",
        ],
        b"",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "2024-01-15 12:00:00 1705320000\n"
    );
}

#[test]
fn deep_nesting_fails_cleanly() {
    let depth = 100_000;
    let mut s = "${lc:".repeat(depth);
    s.push('x');
    s.push_str(&"}".repeat(depth));
    let f = std::env::temp_dir().join(format!("exim-expand-deep-{}.txt", std::process::id()));
    std::fs::write(&f, &s).unwrap();
    let o = run(&["check", "--file", &f.to_string_lossy()], b"");
    let _ = std::fs::remove_file(&f);
    assert_eq!(o.status.code(), Some(1), "no crash, a clean failure");
    assert!(String::from_utf8_lossy(&o.stderr).contains("nested more than"));
}

#[test]
fn dropin_now_pins_the_clock() {
    // srs.jsonl (oracle, faketime 2024-01-15 12:00:00): this encoding.
    let c = conf();
    let o = run(
        &["--now", "2024-01-15T12:00:00Z", "-C", &c, "-be"],
        b"${srs_encode{secret}{user@example.com}{fwd.example}} $tod_log\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "> SRS0=b3d4=iz=example.com=user@fwd.example 2024-01-15 12:00:00\n> \n"
    );
}

#[test]
fn eval_runs_commands_unless_sandboxed() {
    // Like exim -be, eval may run commands; --sandbox keeps the library's
    // refusing policy and names the field.
    let o = run(&["eval", "${run{/bin/echo hi}}"], b"");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hi\n\n");
    let o = run(&["eval", "--sandbox", "${run{/bin/echo hi}}"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("capability \"run\" not granted"));
}

#[test]
fn check_reports_unknown_variables_in_untaken_branches() {
    // Exim fails on `$nosuch` even where the branch is not taken.
    let o = run(&["check", "${if eq{a}{b}{$nosuch}{$dmarc_status}}"], b"");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown variable name \"nosuch\""), "{err}");
    assert!(
        err.contains("unknown variable name \"dmarc_status\""),
        "{err}"
    );
    assert!(err.contains("2 errors found"), "{err}");
    let o = run(
        &["check", "--profile", "exim-4.96-full", "$dmarc_status"],
        b"",
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn check_reports_unknown_operators_with_their_caret() {
    // Exim 4.96: `unknown expansion operator "lcase"`, also untaken.
    let o = run(&["check", "${if eq{a}{b}{${lcase:x}}}"], b"");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err,
        "error: unknown expansion operator \"lcase\"\n --> <expr>:1:15\n  |\n\
         1 | ${if eq{a}{b}{${lcase:x}}}\n  |               ^^^^^^^^^^\n1 error found\n"
    );
}

#[test]
fn dropin_carries_value_and_captures_after_a_failed_line() {
    // exim -be: a line that fails inside an item leaves $value and $1 as
    // the item had set them, and the next line sees them.
    let c = conf();
    let o = run(
        &["-C", &c, "-be"],
        b"${if match{abc}{(b)}{${eval:1/0}}}\n[$value][$1]\n${extract{a}{a=1}{${eval:1/0}}}\n[$value]\n${if eq{a}{a}{ok}}\n[$value]\n",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.split("\n> ").collect();
    assert_eq!(lines[1], "[][b]");
    assert_eq!(lines[3], "[1]");
    assert_eq!(lines[5], "[1]", "a successful item restores what it found");
}

#[test]
fn lint_reports_each_expansion_problem_of_a_config() {
    let conf = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/config/lint.conf");
    let o = run(&["lint", "--no-excerpt", "--select", "E", conf], b"");
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    // The physical line and column of the offending byte; dns_check_names_pattern
    // is not expanded, so its `$` is no problem.
    let want = [
        "3:31: error[E001] syntax error in \"if\" item - \"fail\" expected",
        "5:29: error[E002] unknown variable name \"nosuch\"",
        "10:27: error[E002] unknown variable \"nosuchvar\" after \"def:\"",
        "17:31: error[E001] missing } at end of string",
    ]
    .map(|l| format!("{conf}:{l}\n"))
    .concat();
    assert_eq!(out, want);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "4 problems (4 errors, 0 warnings)\n"
    );
}

/// Positions through continuation lines and macros, the excerpt and its
/// notes, `--select`/`--ignore`, JSON and SARIF, and the exit statuses.
#[test]
fn lint_locates_findings_and_reports_them_in_each_format() {
    let dir = TempDir::new("lint-formats");
    let conf = dir.write(
        "exim.conf",
        "BANNER = ${lc:$nosuch}\n\
         smtp_banner = hello \\\n   BANNER \\\n   ${uc:$nosuch2}\n\
         begin acl\nc:\n  deny message = ${lcase:x} \\\n      ${md5x:y}\n",
    );
    let text = run(&["lint", &conf], b"");
    assert_eq!(text.status.code(), Some(1));
    let out = String::from_utf8_lossy(&text.stdout);
    let want = format!(
        "{conf}:3:4: error[E002] unknown variable name \"nosuch\"\n\
         \x20 |\n\
         3 |    BANNER \\\n\
         \x20 |    ^^^^^^ in option smtp_banner\n\
         \x20 = note: from macro BANNER, defined at {conf}:1\n\
         {conf}:4:9: error[E002] unknown variable name \"nosuch2\"\n\
         \x20 |\n\
         4 |    ${{uc:$nosuch2}}\n\
         \x20 |         ^^^^^^^^ in option smtp_banner\n"
    );
    assert!(out.starts_with(&want), "{out}");
    assert!(
        out.contains(&format!(
            "{conf}:7:18: error[E003] unknown expansion operator \"lcase\""
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{conf}:8:7: error[E003] unknown expansion operator \"md5x\""
        )),
        "{out}"
    );

    let lines = |args: &[&str]| {
        let o = run(args, b"");
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let codes: Vec<String> = out
            .lines()
            .filter_map(|l| l.split_once(": error[").map(|(_, r)| r[..4].to_string()))
            .collect();
        (o.status.code(), codes)
    };
    assert_eq!(
        lines(&["lint", "--no-excerpt", "--select", "E003", &conf]),
        (Some(1), vec!["E003".to_string(), "E003".to_string()])
    );
    assert_eq!(
        lines(&[
            "lint",
            "--no-excerpt",
            "--ignore",
            "unknown-variable,E003",
            &conf
        ]),
        (Some(0), vec![])
    );
    assert_eq!(lines(&["lint", "--select", "E9", &conf]).0, Some(64));

    let json = run(&["lint", "--format", "json", &conf], b"");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(v[0]["code"], "E002");
    assert_eq!(v[0]["macro"], format!("macro BANNER, defined at {conf}:1"));
    assert_eq!(
        (
            v[1]["line"].as_u64(),
            v[1]["column"].as_u64(),
            v[1]["end_column"].as_u64()
        ),
        (Some(4), Some(9), Some(17))
    );

    let sarif = run(&["lint", "--format", "sarif", &conf], b"");
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run0["tool"]["driver"]["rules"][index]["id"], id);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 3, "{r}");
    }

    // In an included file: that file's line.
    let part = dir.write(
        "part.conf",
        "# part\nqualify_domain = ${lc:\\\n  $nosuch}\n",
    );
    let main = dir.write("main.conf", &format!("smtp_banner = ok\n.include {part}\n"));
    let o = run(&["lint", "--no-excerpt", &main], b"");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("{part}:3:3: error[E002] unknown variable name \"nosuch\"\n")
    );

    // --all-branches: also the branches the macros leave out.
    let branches = dir.write(
        "branches.conf",
        ".ifdef TLS\ntls_certificate = ${lc:$nosuch}\n.else\nsmtp_banner = ok\n.endif\n",
    );
    let o = run(&["lint", "--no-excerpt", &branches], b"");
    assert_eq!(
        (o.status.code(), o.stdout.as_slice()),
        (Some(0), &b"ok\n"[..])
    );
    let o = run(
        &["lint", "--all-branches", "--format", "json", &branches],
        b"",
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (&v[0]["line"], &v[0]["column"], &v[0]["place"]),
        (
            &serde_json::json!(2),
            &serde_json::json!(24),
            &serde_json::json!("inactive branch: tls_certificate")
        )
    );
    let o = run(&["lint", "--all-branches", "-D", "TLS", &branches], b"");
    assert_eq!(
        o.status.code(),
        Some(1),
        "with TLS defined the line is active"
    );

    // Warnings alone do not fail.
    let warn = dir.write("warn.conf", "smtp_banner = [$h_subject] ${lc::x}\n");
    let o = run(&["lint", "--no-excerpt", &warn], b"");
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with(&format!("{warn}:1:16: warning[W001] ")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{warn}:1:32: warning[W002] ")),
        "{out}"
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "2 problems (0 errors, 2 warnings)\n"
    );

    // A configuration Exim cannot read: E100 at its line, status 2.
    let bad = dir.write("bad.conf", "begin acl\nc:\n  deny nosuchcond = 1\n");
    let o = run(&["lint", "--no-excerpt", &bad], b"");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!(
            "{bad}:3:3: error[E100] error in ACL: unknown ACL condition/modifier in \"deny nosuchcond = 1\"\n"
        )
    );
    let o = run(&["lint", "--explain", "E102"], b"");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("E102 undefined-acl (error): "));
}

#[test]
fn eval_mock_lookups_need_no_files_or_servers() {
    let o = run(
        &[
            "eval",
            "--sandbox",
            "--mock-lookup",
            "lsearch;/etc/aliases;postmaster;root",
            "--mock-lookup",
            "dnsdb;;mx=example.com;10 mx.example.com",
            "${lookup{postmaster}lsearch{/etc/aliases}} ${lookup dnsdb{mx=example.com}} ${lookup{x}lsearch{/etc/aliases}{y}{n}}",
        ],
        b"",
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "root 10 mx.example.com n\n"
    );
}

/// Issue 8.2: one 100 KB line with thousands of unknown variables used to write
/// about 1 GB; now the excerpt is cut around the caret and ten errors are shown.
#[test]
fn check_output_is_bounded_for_huge_lines() {
    let line = "$nosuch ".repeat(12_500);
    let f = std::env::temp_dir().join(format!("exim-expand-wide-{}.txt", std::process::id()));
    std::fs::write(&f, &line).unwrap();
    let o = run(&["check", "--file", &f.to_string_lossy()], b"");
    let _ = std::fs::remove_file(&f);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.len() < 5_000, "{} bytes of diagnostics", err.len());
    assert_eq!(err.matches("unknown variable name").count(), 10, "{err}");
    assert!(
        err.contains("note: 12490 more errors in this string not shown"),
        "{err}"
    );
    assert!(err.ends_with("12500 errors found\n"), "{err}");
}

#[test]
fn lint_output_is_bounded_for_huge_options() {
    let p = std::env::temp_dir().join(format!("exim-expand-wide-{}.conf", std::process::id()));
    std::fs::write(&p, format!("smtp_banner = {}\n", "$nosuch ".repeat(5_000))).unwrap();
    let o = run(&["lint", &p.to_string_lossy()], b"");
    let _ = std::fs::remove_file(&p);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.len() < 5_000, "{} bytes of diagnostics", out.len());
    assert!(
        out.contains("note: 4990 more problems in this string not shown"),
        "{out}"
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "5000 problems (5000 errors, 0 warnings)\n"
    );
}

/// `-f` as Exim 4.96 reads it (outputs of `exim -C CONF -f ARG -be` with
/// `qualify_domain = q.example`): `<>` is the empty sender, a local part is
/// qualified, a trailing dot and a domain literal are refused by default.
#[test]
fn dropin_f_sets_the_sender_as_exim_does() {
    let p = std::env::temp_dir().join(format!("exim-expand-f-{}.conf", std::process::id()));
    std::fs::write(&p, "qualify_domain = q.example\n").unwrap();
    let conf = p.to_string_lossy().into_owned();
    let cases: &[(&str, Result<&str, &str>)] = &[
        ("someone", Ok("[someone@q.example] [q.example]")),
        ("<>", Ok("[] []")),
        ("  <>", Ok("[] []")),
        ("A B <a@b.>", Ok("[a@b] [b]")),
        ("\"a b\"@c", Ok("[\"a b\"@c] [c]")),
        (
            "x@",
            Err("exim: bad -f address \"x@\": domain missing or malformed"),
        ),
        (
            "<a@[1.2.3.4]>",
            Err("exim: bad -f address \"a@[1.2.3.4]\": domain literals not allowed"),
        ),
        (
            "a@b.",
            Err("exim: bad -f address \"a@b.\": domain is malformed (trailing dot not allowed)"),
        ),
    ];
    for (arg, want) in cases {
        let o = run(
            &["-C", &conf, "-f", arg, "-be"],
            b"[$sender_address] [$sender_address_domain]\n",
        );
        match want {
            Ok(out) => {
                assert_eq!(
                    String::from_utf8_lossy(&o.stdout),
                    format!("> {out}\n> \n"),
                    "-f {arg}"
                );
            }
            Err(msg) => {
                assert_eq!(o.status.code(), Some(1), "-f {arg}");
                assert_eq!(
                    String::from_utf8_lossy(&o.stderr).trim_end(),
                    *msg,
                    "-f {arg}"
                );
            }
        }
    }
    let _ = std::fs::remove_file(&p);
}

/// Exim 4.96 makes TZ agree with the `timezone` option after applying
/// `keep_environment` (outputs of exim -be run with TZ=UTC).
#[test]
fn dropin_env_sees_tz_as_exim_does() {
    let cases: &[(&str, &str)] = &[
        ("keep_environment = TZ : PATH\n", "n"),
        (
            "keep_environment = TZ : PATH\ntimezone = Europe/Paris\n",
            "Europe/Paris",
        ),
        ("keep_environment = TZ : PATH\ntimezone = utc\n", "UTC"),
        ("timezone = Europe/Paris\n", "Europe/Paris"),
        ("keep_environment =\n", "n"),
    ];
    for (i, (config, want)) in cases.iter().enumerate() {
        let p =
            std::env::temp_dir().join(format!("exim-expand-tz-{}-{i}.conf", std::process::id()));
        std::fs::write(&p, config).unwrap();
        let o = run(
            &["-C", &p.to_string_lossy(), "-be"],
            b"${env{TZ}{$value}{n}}\n",
        );
        let _ = std::fs::remove_file(&p);
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            format!("> {want}\n> \n"),
            "{config:?}"
        );
    }
}

#[test]
fn check_reads_standard_input_and_accepts_an_empty_file() {
    let o = run(&["check", "--file", "-"], b"${lc:A}\r\n${lcase:x}\n");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown expansion operator \"lcase\""),
        "{err}"
    );
    assert!(err.contains("<stdin>:2"), "{err}");
    assert!(err.contains("1 error found"), "{err}");
    // Nothing to check is nothing wrong (it used to exit 64).
    let empty = std::env::temp_dir().join(format!("exim-expand-empty-{}", std::process::id()));
    std::fs::write(&empty, b"").unwrap();
    let o = run(&["check", "--file", &empty.to_string_lossy()], b"");
    std::fs::remove_file(&empty).unwrap();
    assert_eq!(
        (o.status.code(), o.stdout.as_slice()),
        (Some(0), &b"ok\n"[..])
    );
    let o = run(&["check", "-"], b"${if eq{a}{b}{x}\n");
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn eval_reads_the_expression_from_standard_input_and_takes_macros() {
    let o = run(&["eval", "-"], b"${uc:abc} \xe9\n");
    assert_eq!(
        (o.status.code(), o.stdout.as_slice()),
        (Some(0), &b"ABC \xe9\n"[..])
    );
    let c = std::env::temp_dir().join(format!("exim-expand-macro-{}.conf", std::process::id()));
    std::fs::write(&c, "GREETING = hello\nprimary_hostname = GREETING.WHO\n").unwrap();
    let c = c.to_string_lossy().into_owned();
    // exim -C c -DWHO=world -be '$primary_hostname' prints hello.world.
    let o = run(
        &["eval", "-C", &c, "-D", "WHO=world", "$primary_hostname"],
        b"",
    );
    std::fs::remove_file(&c).unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hello.world\n");
    let o = run(&["eval", "-D", "WHO=x", "a"], b"");
    assert_eq!(o.status.code(), Some(64));
}

#[test]
fn version_names_the_exim_it_behaves_as() {
    let o = run(&["--version"], b"");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("exim-expand "), "{out}");
    assert!(
        out.contains("Exim 4.96") && out.contains("exim-4.96-full"),
        "{out}"
    );
    let o = run(&["--help"], b"");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("-be") && out.contains("-bh") && out.contains("--color"),
        "{out}"
    );
}

#[test]
fn piped_input_without_a_command_is_evaluated_line_by_line() {
    // No banner, no colour; `\` and open braces continue a line.
    let o = run(
        &[],
        b"${lc:A}\n${if eq{a}\\\n   {a}{yes}{no}}\n${uc:\nb}\n$nosuch\n\xe9\n",
    );
    assert_eq!(o.stdout, b"a\nyes\n\nB\n\xe9\n");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: unknown variable name \"nosuch\""),
        "{err}"
    );
    let o = run(&["repl"], b"${lc:A}\n");
    assert_eq!(
        (o.status.code(), o.stdout.as_slice()),
        (Some(0), &b"a\n"[..])
    );
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let run_env = |args: &[&str], no_color: Option<&str>| {
        let mut c = bin();
        c.args(args).stdin(Stdio::null());
        match no_color {
            Some(v) => c.env("NO_COLOR", v),
            None => c.env_remove("NO_COLOR"),
        };
        c.output().unwrap()
    };
    let red = "\x1b[31;1merror";
    let bad = "${lcase:x}";
    // Not a terminal: no colour unless asked for; an explicit flag wins
    // over NO_COLOR.
    let o = run_env(&["check", bad], None);
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error:"));
    let o = run_env(&["--color", "always", "check", bad], Some("1"));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with(red));
    let o = run_env(&["check", "--color=never", bad], None);
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error:"));
    let o = run_env(&["--color", "sometimes", "check", bad], None);
    assert_eq!(o.status.code(), Some(64));
}

#[test]
fn dropin_refuses_a_configuration_exim_refuses() {
    // exim -C FILE -be: nothing on stdout, exit 1, and on stderr (checked
    // with Exim 4.96):
    //   2026-12-04 05:02:43 Exim configuration error in line 2 of FILE:
    //     main option "no_nosuch" unknown
    let c = std::env::temp_dir().join(format!("exim-expand-badopt-{}.conf", std::process::id()));
    std::fs::write(&c, "primary_hostname = x\nno_nosuch\n").unwrap();
    let path = c.to_string_lossy().into_owned();
    let o = run(&["-C", &path, "-be"], b"x\n");
    std::fs::remove_file(&c).unwrap();
    assert_eq!((o.status.code(), o.stdout.as_slice()), (Some(1), &b""[..]));
    let err = String::from_utf8_lossy(&o.stderr);
    let (stamp, rest) = err.split_at(20.min(err.len()));
    let digits: String = stamp
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert_eq!(digits, "9999-99-99 99:99:99 ", "{err}");
    assert_eq!(
        rest,
        format!(
            "Exim configuration error in line 2 of {path}:\n  main option \"no_nosuch\" unknown\n"
        )
    );
}

#[test]
fn lint_reads_acl_conditions_of_the_profile() {
    // Debian's build has no DMARC: Exim refuses the condition there.
    let c = std::env::temp_dir().join(format!("exim-expand-dmarc-{}.conf", std::process::id()));
    std::fs::write(&c, "begin acl\nacl_check:\n  warn dmarc_status = accept\n").unwrap();
    let path = c.to_string_lossy().into_owned();
    let debian = run(&["lint", &path], b"");
    let full = run(&["lint", "--profile", "exim-4.96-full", &path], b"");
    std::fs::remove_file(&c).unwrap();
    assert_eq!(debian.status.code(), Some(2));
    let out = String::from_utf8_lossy(&debian.stdout);
    assert!(
        out.contains("error[E100] error in ACL: unknown ACL condition/modifier"),
        "{out}"
    );
    assert_eq!(
        (full.status.code(), full.stdout.as_slice()),
        (Some(0), &b"ok\n"[..])
    );
}

/// Shell completions: each script names the subcommands and their options,
/// and bash can read its own.
#[test]
fn completions_for_each_shell() {
    let script = |shell: &str| {
        let o = run(&["completions", shell], b"");
        assert_eq!(o.status.code(), Some(0), "{shell}");
        String::from_utf8(o.stdout).unwrap()
    };
    let bash = script("bash");
    for word in ["lint", "check", "eval", "repl", "--format", "--select"] {
        assert!(bash.contains(word), "bash script lacks {word}");
    }
    let dir = TempDir::new("completions");
    let file = dir.write("exim-expand.bash", &bash);
    let syntax = Command::new("bash").args(["-n", &file]).status().unwrap();
    assert!(syntax.success(), "bash -n refuses the script");
    assert!(script("zsh").starts_with("#compdef exim-expand"));
    assert!(script("fish").contains(
        "complete -c exim-expand -n \"__fish_exim_expand_using_subcommand lint\" -l format"
    ));
    assert_eq!(run(&["completions", "nosuch"], b"").status.code(), Some(64));
}

/// Lint reads on past what makes Exim refuse the file: each such error is
/// reported at its line, and the strings after it are still checked.
#[test]
fn lint_reports_past_configuration_errors() {
    let dir = TempDir::new("past-errors");
    let conf = dir.write(
        "multi.conf",
        "qualify_domain = ${lcase:x}\nbegin nonsense\nsmtp_banner = ${lc:$nosuch}\n\
         begin acl\na1:\n  accept nosuch = x\n  accept hosts = ${md5x:y}\n",
    );
    let o = run(&["lint", "--no-excerpt", &conf], b"");
    assert_eq!(o.status.code(), Some(2), "Exim refuses the file");
    let out = String::from_utf8_lossy(&o.stdout);
    let got: Vec<&str> = out
        .lines()
        .map(|l| l.split(": ").nth(1).unwrap_or(""))
        .collect();
    let lines: Vec<&str> = out
        .lines()
        .map(|l| l.split(':').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        got,
        [
            "error[E003] unknown expansion operator \"lcase\"",
            "error[E100] \"nonsense\" is not a known configuration section name",
            "error[E002] unknown variable name \"nosuch\"",
            "error[E100] error in ACL",
            "error[E003] unknown expansion operator \"md5x\" (did you mean md5?)"
        ]
        .map(|s| s.split(':').next().unwrap()),
        "{out}"
    );
    assert_eq!(lines, ["1", "2", "3", "6", "7"], "{out}");
}

/// One typo of each kind, in the active text and in `.ifdef` branches the
/// macros leave out: each is reported at its own line and column.
#[test]
fn each_kind_of_typo_at_its_own_place() {
    let dir = TempDir::new("typos");
    let conf = dir.write(
        "typos.conf",
        "qualify_domain = ${lcase:example.org}\n\
         smtp_banner = ${extract{1}{:}}\n\
         acl_smtp_rcpt = acl_check_rcpt_typo\n\
         qualify_recipent = example.org\n\
         .ifdef NOT_DEFINED\n\
         smtp_banner = ${md5x:x}\n\
         helo_verify_hosts = ${lc:$sender_host_addres}\n\
         qualify_recipent = example.org\n\
         .endif\n\
         .ifdef _HAVE_NOSUCH_FEATURE\n\
         nosuch_feature_option = 1\n\
         .endif\n\
         begin acl\n\
         acl_check_rcpt:\n  \
           accept hosts = ${quote_nosuch:x}\n         \
                  logwrite = $sender_adress\n\
         .ifdef NOT_DEFINED\n  \
           accept logwrite = $local_prt\n\
         .endif\n\
         begin routers\n\
         r1:\n  \
           driver = manualroute\n  \
           domians = example.org\n  \
           transport = t\n\
         .ifdef NOT_DEFINED\n\
         r2:\n  \
           driver = accept\n  \
           transprot = t\n\
         .endif\n\
         begin transports\n\
         t:\n  \
           driver = smtpx\n\
         t2:\n  \
           driver = smtp\n  \
           hosts = ${lc:$nosuch}\n\
         .ifdef NOT_DEFINED\n\
         t3:\n  \
           driver = smtp\n  \
           interfce = 127.0.0.1\n\
         .endif\n",
    );
    let out = run(&["lint", "--all-branches", "--format", "json", &conf], b"");
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(u64, u64, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().unwrap();
            (
                n("line"),
                n("column"),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(u64, u64, String)> = [
        (1, 18, "E003"),  // ${lcase:
        (2, 15, "E005"),  // ${extract{1}{:}}
        (3, 17, "E102"),  // an ACL never defined
        (4, 1, "E101"),   // unknown main option
        (6, 15, "E003"),  // ${md5x: in a left-out branch
        (7, 26, "E002"),  // a host list's variable, left out
        (8, 1, "E101"),   // unknown main option, left out
        (15, 18, "E004"), // ${quote_nosuch:
        (16, 21, "E002"), // logwrite's variable
        (18, 21, "E002"), // logwrite's variable, left out
        (23, 3, "E104"),  // unknown router option
        (28, 3, "E104"),  // unknown router option, left out
        (32, 12, "E103"), // unknown transport driver
        (35, 16, "E002"), // a transport's host list
        (39, 3, "E104"),  // unknown transport option, left out
    ]
    .iter()
    .map(|&(l, c, code)| (l, c, code.to_string()))
    .collect();
    assert_eq!(got, want, "{}", String::from_utf8_lossy(&out.stdout));
}

/// The drop-in refuses what Exim refuses in driver sections, with Exim's
/// message (checked against the oracle) and exit status 1.
#[test]
fn dropin_refuses_unknown_drivers_and_driver_options() {
    let dir = TempDir::new("drivers");
    let cases = [
        (
            "begin routers\nr1:\n  driver = nosuch\n",
            "Exim configuration error in line 3 of {}:\n  router r1: cannot find router driver \"nosuch\"\n",
        ),
        (
            "begin routers\nr1:\n  driver = redirect\n  no_verify\n  server_secret = x\n",
            "Exim configuration error in line 5 of {}:\n  option \"server_secret\" unknown\n",
        ),
        (
            "begin routers\nr1:\n  domains = a\n",
            "Exim configuration error:\n  no driver defined for router \"r1\"\n",
        ),
    ];
    for (i, (text, message)) in cases.iter().enumerate() {
        let conf = dir.write(&format!("d{i}.conf"), text);
        let out = run(&["-C", &conf, "-be", "x"], b"");
        assert_eq!(out.status.code(), Some(1), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.ends_with(&message.replace("{}", &conf)),
            "{text}: {err}"
        );
    }
}

/// `eval` and `repl` take a message as the drop-in's `-bem` does, spelt
/// `-bem FILE` or `--message FILE` (values from Exim 4.96 -bem).
#[test]
fn eval_and_repl_read_a_message() {
    let dir = TempDir::new("bem");
    let msg = dir.write(
        "m.eml",
        "From: a@b.example\nSubject: Hello there\n\nbody text\n",
    );
    let out = run(
        &[
            "eval",
            "-bem",
            &msg,
            "$h_subject: / $message_body / $message_size",
        ],
        b"",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Hello there / body text  / 50\n"
    );
    let out = run(&["repl", "--message", &msg], b"$h_subject:\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello there\n");
    let out = run(&["eval", "--message", "/nonexistent/m.eml", "x"], b"");
    assert_ne!(out.status.code(), Some(0));
}

/// `doc` prints each name's texts, every kind it is; a name nothing has
/// exits 1.
#[test]
fn doc_describes_each_kind_of_name() {
    let out = run(&["doc", "sg", "$acl_c_total", "qualify_domain"], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "${sg{<subject>}{<regex>}{<replacement>}}\n  item, since Exim 4.00: ",
        "$acl_c_total\n  variable, since Exim 4.00: A connection ACL variable",
        "qualify_domain = <string>\n  main option, since Exim 4.00, default ",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
    let out = run(&["doc", "acl"], b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  item, ") && text.contains("  condition, "),
        "{text}"
    );
    let out = run(&["doc", "nosuch"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing is called \"nosuch\""));
    let out = run(&["doc"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() > 600);
}
