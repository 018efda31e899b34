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
    let o = run(&["lint", conf], b"");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("lint.conf:3 (option smtp_banner)"), "{err}");
    assert!(err.contains("lint.conf:5 (named list local)"), "{err}");
    assert!(
        err.contains("lint.conf:10 (acl check_rcpt (accept condition))"),
        "{err}"
    );
    assert!(
        err.contains("lint.conf:17 (routers option condition)"),
        "{err}"
    );
    // dns_check_names_pattern is not expanded: its `$` is no problem.
    assert!(!err.contains("dns_check_names_pattern"), "{err}");
    assert!(err.contains("4 problems found"), "{err}");
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
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.len() < 5_000, "{} bytes of diagnostics", err.len());
    assert!(
        err.contains("note: 4990 more errors in this string not shown"),
        "{err}"
    );
    assert!(err.ends_with("5000 problems found\n"), "{err}");
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
    assert_eq!(debian.status.code(), Some(1));
    let err = String::from_utf8_lossy(&debian.stderr);
    assert!(err.contains("unknown ACL condition/modifier"), "{err}");
    assert_eq!(
        (full.status.code(), full.stdout.as_slice()),
        (Some(0), &b"ok\n"[..])
    );
}
