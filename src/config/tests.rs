//! Tests of [`Config`]; expectations come from `exim -bP` (Exim 4.96) on the same input.

use std::path::{Path, PathBuf};

use super::*;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/config")
        .join(name)
}

fn conf(text: &str) -> Result<Config, ConfigError> {
    Config::from_str(text, &[])
}

/// Read in strict mode (unknown main options rejected, as Exim does).
fn err(text: &str) -> (String, usize, ErrorStyle) {
    let opts = ReadOptions {
        strict_options: true,
        ..ReadOptions::default()
    };
    match Config::from_bytes_with(text.as_bytes(), &opts) {
        Ok(_) => panic!("{text:?} was accepted"),
        Err(e) => (e.message, e.line, e.style),
    }
}

fn user_macros(c: &Config) -> Vec<(String, String)> {
    c.user_macros()
        .iter()
        .map(|m| (m.name.clone(), m.replacement_str().into_owned()))
        .collect()
}

#[test]
fn basic_file_without_defines() {
    let c = Config::from_file(&data("basic.conf"), &[]).unwrap();
    // exim -bP OPTION
    let options = [
        ("primary_hostname", "myhost.test.ex"),
        ("qualify_domain", "sub.myhost.test.ex"),
        ("headers_charset", "iso-8859-1"),
        ("message_size_limit", "10M"),
        ("accept_8bitmime", "false"),
        ("smtp_accept_max", "30"),
        ("acl_smtp_rcpt", "acl_check_rcpt"),
    ];
    for (name, want) in options {
        assert_eq!(c.option(name), Some(want), "{name}");
    }
    assert_eq!(c.option("smtp_banner"), None);
    // exim -bP +NAME
    assert_eq!(
        c.named_list(ListKind::Domain, "local_domains"),
        Some("@ : a.example : b.example")
    );
    assert_eq!(
        c.named_list(ListKind::Host, "relay_hosts"),
        Some("127.0.0.1 : ::1")
    );
    assert!(
        c.named_list_entry(ListKind::Host, "relay_hosts")
            .unwrap()
            .hidden
    );
    assert_eq!(
        c.named_list(ListKind::Address, "senders_ok"),
        Some("*@a.example")
    );
    let lp = c.named_list_entry(ListKind::LocalPart, "lp").unwrap();
    assert_eq!(
        (lp.value.as_str(), lp.force_cache),
        ("postmaster : abuse", true)
    );
    assert_eq!(c.named_list(ListKind::Host, "local_domains"), None);
    assert_eq!(
        c.named_list_any("senders_ok"),
        Some((ListKind::Address, "*@a.example"))
    );
    // exim -bP macros (after the built-ins)
    let want: Vec<(String, String)> = [
        ("HOST", "myhost.test.ex"),
        ("DOMAIN_LIST", "a.example : b.example"),
        ("INC_MACRO", "from-include"),
        ("LATE", "late-macro"),
        ("R_MACRO", "in-routers"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(user_macros(&c), want);
    assert_eq!(c.macros().len(), exim_builtin_macros().len() + 5);
    // Included file location.
    let msl = c.option_setting("message_size_limit").unwrap();
    assert!(msl.file.ends_with("/inc/part.inc"), "{}", msl.file);
    assert_eq!(msl.line, 3);
}

#[test]
fn basic_file_with_define() {
    let c = Config::from_file(&data("basic.conf"), &[("CLI".into(), "cmdline".into())]).unwrap();
    assert_eq!(c.option("smtp_banner"), Some("cmdline"));
    assert_eq!(c.option("headers_charset"), None);
    assert_eq!(
        user_macros(&c)[0],
        ("CLI".to_string(), "cmdline".to_string())
    );
    assert!(c.user_macros()[0].command_line);
}

#[test]
fn basic_file_acls_and_sections() {
    let c = Config::from_file(&data("basic.conf"), &[]).unwrap();
    let names: Vec<&str> = c.acls().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["acl_check_rcpt", "empty_acl"]);
    assert!(c.acl("empty_acl").unwrap().statements.is_empty());
    let a = c.acl("acl_check_rcpt").unwrap();
    let got: Vec<(AclVerb, Vec<String>)> = a
        .statements
        .iter()
        .map(|s| {
            (
                s.verb,
                s.conditions
                    .iter()
                    .map(AclCondition::to_config_text)
                    .collect(),
            )
        })
        .collect();
    let want: Vec<(AclVerb, Vec<&str>)> = vec![
        (AclVerb::Accept, vec!["hosts = :"]),
        (
            AclVerb::Deny,
            vec![
                "message = Restricted characters in address",
                "domains = +local_domains",
                "local_parts = ^[.] : ^.*[@%!/|]",
            ],
        ),
        (AclVerb::Warn, vec!["set acl_m_x = late-macro"]),
        (AclVerb::Require, vec!["verify = sender"]),
        // The continuation joins "endpass" onto the hosts list.
        (AclVerb::Accept, vec!["!hosts = +relay_hosts endpass"]),
    ];
    let want: Vec<(AclVerb, Vec<String>)> = want
        .into_iter()
        .map(|(v, c)| (v, c.into_iter().map(String::from).collect()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(a.statements[1].line, 34);

    let names: Vec<&str> = c.sections().iter().map(|s| s.name).collect();
    assert_eq!(names, ["acl", "routers", "transports"]);
    assert_eq!(
        c.section("router").unwrap().text(),
        "dnslookup:\ndriver = dnslookup\ndomains = ! +local_domains\ntransport = remote_smtp\n"
    );
    assert_eq!(
        c.section("TRANSPORTS").unwrap().text(),
        "remote_smtp:\ndriver = smtp\n"
    );
    assert_eq!(c.section("acls").unwrap().lines.len(), 9);
    assert_eq!(c.end_location().1, 56);
}

/// (config text, option, expected) — exim -bP OPTION.
#[test]
fn option_values() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "FOO = bar\nBAZ = x\\\n    y \\\n  z\nqualify_domain = FOO.BAZ\n",
            "qualify_domain",
            Some("bar.xy z"),
        ),
        (
            "acl_smtp_rcpt = ${if eq{1}{1}{ok}\\\n   {no}}\n",
            "acl_smtp_rcpt",
            Some("${if eq{1}{1}{ok}{no}}"),
        ),
        (
            "qualify_domain = a\\\n  .ifdef NOPE\n  b\n  .endif\n",
            "qualify_domain",
            Some("a  .endif\n"),
        ),
        (
            "qualify_domain = a\\\n  # comment",
            "qualify_domain",
            Some("a  # comment"),
        ),
        ("gecos_pattern = \"\"\n", "gecos_pattern", Some("")),
        ("tls_advertise_hosts =\n", "tls_advertise_hosts", Some("")),
        ("accept_8bitmime = yes\n", "accept_8bitmime", Some("true")),
        (
            "hide mysql_servers = a/b/c\n",
            "mysql_servers",
            Some("a/b/c"),
        ),
        // .ifdef on a -D style macro works with built-ins too.
        (
            ".ifdef _HAVE_TLS\nsmtp_banner = tls\n.endif\n",
            "smtp_banner",
            Some("tls"),
        ),
        (
            ".ifndef _HAVE_TLS\nsmtp_banner = tls\n.endif\n",
            "smtp_banner",
            None,
        ),
        // `begin ` + backslash at the end of the file: an empty section name ends
        // the configuration (a following empty line would strip the space).
        ("smtp_banner = a\nbegin \\", "smtp_banner", Some("a")),
    ];
    for (text, opt, want) in cases {
        let c = conf(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(c.option(opt), *want, "{text:?}");
    }
}

/// (config text, message, line, style) — as printed by exim 4.96.
#[test]
fn errors_table() {
    use ErrorStyle::*;
    let cases: &[(&str, &str, usize, ErrorStyle)] = &[
        (
            "smtp_banner = 1\nFoo bar\n",
            "malformed macro definition",
            2,
            InLine,
        ),
        (
            "FOO = 1\nFOO = 2\n",
            "macro \"FOO\" is already defined (use \"==\" if you want to redefine it)",
            2,
            NoLocation,
        ),
        (
            "FOO = 1\nFOOD = 2\n",
            "\"FOOD\" cannot be defined as a macro because previously defined macro \"FOO\" is a substring",
            2,
            NoLocation,
        ),
        (
            "\u{feff}primary_hostname = a\n",
            "found unexpected BOM (Byte Order Mark)",
            1,
            InLine,
        ),
        (
            ".ifdef X\nx = 1\n",
            "Unexpected end of configuration file: .endif missing",
            2,
            InLine,
        ),
        ("\n.endif\n", ".endif without matching .ifdef", 2, InLine),
        (
            ".ifdef\tFOO\n.endif\n",
            ".endif without matching .ifdef",
            2,
            InLine,
        ),
        (
            "domainlist d1 = x\ndomainlist d1 = z\n",
            "duplicate name \"d1\" for a named domain list",
            2,
            InLine,
        ),
        (
            "domainlist_cache  = y\ndomainlist  = z\n",
            "duplicate name \"\" for a named domain list",
            2,
            InLine,
        ),
        (
            "hostlist h2 = \"a\"b\n",
            "extra characters follow string value for h2",
            1,
            InLine,
        ),
        (
            "localpartlist l1 = \"a\\\n",
            "missing quote at end of string value for l1",
            1,
            InLine,
        ),
        (
            "domainlistx = 1\n",
            "unrecognized configuration line",
            1,
            InLine,
        ),
        (
            "hide  localpartlist ll = x\n",
            "main option \"localpartlist\" unknown",
            1,
            InLine,
        ),
        (
            "qualify_domain = a\\\n\n  b\n",
            "main option \"b\" unknown",
            3,
            InLine,
        ),
        (
            "smtp_accept_max = 1\nsmtp_accept_max = 2\n",
            "\"smtp_accept_max\" option set for the second time",
            2,
            InLine,
        ),
        (
            "accept_8bitmime\nno_accept_8bitmime\n",
            "\"no_accept_8bitmime\" option set for the second time",
            2,
            InLine,
        ),
        (
            "begin foo\n",
            "\"foo\" is not a known configuration section name",
            1,
            InLine,
        ),
        (
            "begin acl\nbegin acls\n",
            "\"acls\" section is repeated in the configuration file",
            2,
            InLine,
        ),
        (
            "begin acl\n  accept\n",
            "missing or malformed ACL name",
            2,
            InLine,
        ),
        (
            "begin acl\na:\nb:\na:\n",
            "there are two ACLs called \"a\"",
            4,
            InLine,
        ),
        (
            "begin acl\na:\n  deny message = x\n    endpass\n",
            "error in ACL: ACL error: \"endpass\" is not allowed with \"deny\"",
            4,
            InLine,
        ),
        (
            "begin acl\na:\n  accept\nM = 1\n  message = x\n",
            "missing or malformed ACL name",
            5,
            InLine,
        ),
        ("begin\tacl\n", "main option \"begin\" unknown", 1, InLine),
        (
            "\nbegin local_scan\nx = 1\n",
            "local_scan() options not supported: (LOCAL_SCAN_HAS_OPTIONS not defined in Local/Makefile)",
            2,
            InLine,
        ),
        (
            ".include_if_exists relative\n",
            ".include specifies a non-absolute path \"relative\"",
            1,
            InLine,
        ),
    ];
    for (text, msg, line, style) in cases {
        assert_eq!(err(text), (msg.to_string(), *line, *style), "{text:?}");
    }
    let long = format!("begin acl\n{}:\n", "a".repeat(64));
    assert_eq!(
        err(&long),
        (
            format!(
                "exim item name too long (>64), unable to use \"{}\" (truncated)",
                "a".repeat(63)
            ),
            2,
            InLine
        )
    );
    let ok = format!("begin acl\n{}:\n  accept\n", "a".repeat(63));
    assert_eq!(conf(&ok).unwrap().acls()[0].statements.len(), 1);
}

#[test]
fn error_display() {
    let e = Config::from_file(&data("bad_macro.conf"), &[]).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.file.ends_with("tests/data/config/bad_macro.conf"));
    assert_eq!(
        e.to_string(),
        format!(
            "Exim configuration error in line 3 of {}:\n  malformed macro definition",
            e.file
        )
    );
    let e = Config::from_file(Path::new("/nonexistent/x.conf"), &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "non-existent configuration file(s): /nonexistent/x.conf"
    );
    let e = Config::from_str("", &[("foo".into(), "1".into())]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "exim: macro name set by -D must start with an upper case letter"
    );
    let e = Config::from_str(
        "",
        &[("FOO".into(), "1".into()), ("FOO".into(), "2".into())],
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "exim: duplicated -D in command line");
}

#[test]
fn command_line_macros_take_precedence() {
    // exim -DCLI=cmd: the file's definition is ignored silently, later uses see "cmd".
    let c = Config::from_str(
        "CLI = file\nX = CLI\nsmtp_banner = X\n",
        &[("CLI".into(), "cmd".into())],
    )
    .unwrap();
    assert_eq!(c.option("smtp_banner"), Some("cmd"));
    assert_eq!(
        user_macros(&c),
        [
            ("CLI".to_string(), "cmd".to_string()),
            ("X".to_string(), "cmd".to_string())
        ]
    );
    // `==` redefinition keeps the position.
    let c = conf("A = 1\nB = 2\nA == 3\n").unwrap();
    assert_eq!(
        user_macros(&c),
        [
            ("A".to_string(), "3".to_string()),
            ("B".to_string(), "2".to_string())
        ]
    );
}

#[test]
fn strict_options() {
    let opts = ReadOptions {
        strict_options: true,
        ..ReadOptions::default()
    };
    let e = Config::from_bytes_with(b"primary_hostname = a\nnonesuch = 1\n", &opts).unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.line),
        ("main option \"nonesuch\" unknown", 2)
    );
    // Lenient mode keeps unknown options.
    let c = conf("nonesuch = \"a\\tb\"\nflag_x\n").unwrap();
    assert_eq!(c.option("nonesuch"), Some("a\tb"));
    assert_eq!(
        c.option_setting("nonesuch").unwrap().kind,
        OptionKind::Unknown
    );
    assert_eq!(c.option("flag_x"), Some("true"));
}

#[test]
fn custom_builtins() {
    let mut b = vec![Macro::builtin("_MY_FEATURE", "yes")];
    b.extend_from_slice(exim_builtin_macros());
    let opts = ReadOptions {
        builtin_macros: b,
        ..ReadOptions::default()
    };
    let c = Config::from_bytes_with(
        b".ifdef _MY_FEATURE\nsmtp_banner = _MY_FEATURE\n.endif\n",
        &opts,
    )
    .unwrap();
    assert_eq!(c.option("smtp_banner"), Some("yes"));
    let none = ReadOptions {
        builtin_macros: Vec::new(),
        ..ReadOptions::default()
    };
    let c = Config::from_bytes_with(b".ifdef _HAVE_TLS\nsmtp_banner = x\n.endif\n", &none).unwrap();
    assert_eq!(c.option("smtp_banner"), None);
}

#[test]
fn be_reader_from_config() {
    let c = Config::from_file(&data("basic.conf"), &[]).unwrap();
    let r = BeReader::with_config(&b"xHOSTx\nZ = 1\nQ x\n"[..], &c);
    let got: Vec<BeLine> = r.collect();
    assert_eq!(got[0], BeLine::Expand(b"xmyhost.test.exx".to_vec()));
    assert_eq!(got[1], BeLine::Defined("Z".into()));
    match &got[2] {
        BeLine::Error(e) => {
            assert_eq!(e.message, "malformed macro definition");
            assert_eq!(e.line, 56);
            assert!(e.file.ends_with("basic.conf"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn conformance_fixture_configs() {
    let Some(dir) = &crate::testutil::shared_or_skip(
        "conformance/fixtures/conf",
        "conformance_fixture_configs",
    ) else {
        return;
    };
    let c = Config::from_file(&dir.join("t0002.conf"), &[]).unwrap();
    assert_eq!(c.named_list(ListKind::Domain, "elist"), Some("+dlist : ;;"));
    assert_eq!(
        c.named_list(ListKind::Domain, "dlist"),
        Some("*.aa.bb : ^\\Nxxx(.*)")
    );
    assert_eq!(c.option("gecos_pattern"), Some(""));
    assert_eq!(c.option("headers_charset"), Some("iso-8859-8"));
    assert_eq!(c.acls().len(), 7);
    let sub = c.acl("a_sub").unwrap();
    assert_eq!(
        sub.statements[1].conditions[0].value.as_deref(),
        Some("a_deny \"new arg1\" $acl_arg1")
    );
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "conf") {
            Config::from_file(&p, &[]).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}

/// Harness-style `-D` values for Exim's test configurations (Exim allows ten).
fn exim_test_defines(dir: &Path) -> Vec<(String, String)> {
    let d = dir.to_string_lossy().into_owned();
    [
        ("DIR", d.as_str()),
        ("CALLER", "exim-expand"),
        ("CALLER_NAME", "Exim Expand"),
        ("EXIM_PATH", "/usr/sbin/exim"),
        ("HOSTIPV4", "192.0.2.10"),
        ("HOSTIPV6", "2001:db8::10"),
        ("PORT_D", "1225"),
        ("PORT_S", "1226"),
        ("V4NET", "224"),
        ("V6NET", "ff00"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

/// Every file of Exim's test-suite configurations must be read without a panic.
/// `DIR` points to a scratch directory holding tiny stand-ins for the files that
/// the configurations `.include`.
#[test]
fn exim_test_suite_configs_do_not_panic() {
    let Some(confs) = &crate::testutil::shared_or_skip(
        "exim-tests/confs",
        "exim_test_suite_configs_do_not_panic",
    ) else {
        return;
    };
    let scratch = std::env::temp_dir().join(format!("exim-expand-config-{}", std::process::id()));
    for (path, text) in [
        ("aux-var/std_conf_prefix", "# stand-in\n"),
        ("aux-var/tls_conf_prefix", "# stand-in\n"),
        ("aux-fixed/event-logger-acl", "# stand-in\n"),
    ] {
        let p = scratch.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let defines = exim_test_defines(&scratch);
    let mut files: Vec<PathBuf> = std::fs::read_dir(confs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let (mut ok, mut failed) = (0, 0);
    for p in &files {
        let result = std::panic::catch_unwind(|| Config::from_file(p, &defines));
        match result {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(_)) => failed += 1,
            Err(_) => panic!("panic while reading {}", p.display()),
        }
        // Also without defines: different paths through the reader.
        let result = std::panic::catch_unwind(|| Config::from_file(p, &[]));
        assert!(
            result.is_ok(),
            "panic while reading {} without -D",
            p.display()
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!(
        "exim test configs: {ok} read, {failed} rejected, of {}",
        files.len()
    );
    assert!(ok > files.len() / 2, "only {ok} of {} read", files.len());
}

#[test]
fn self_including_file_fails_like_exim() {
    // Exim runs out of file descriptors; we stop at a fixed depth, same message.
    let e = Config::from_file(&data("self_include.conf"), &[]).unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(
        e.message,
        format!("failed to open included configuration file {}", e.file)
    );
}

/// Issue 8.1: Exim allocates until it dies on these; we stop with a
/// configuration error that names the line.
#[test]
fn configuration_size_limits() {
    let doubling = format!("A = x\n{}", "A == A A\n".repeat(40));
    let cases: &[(&str, &str, usize)] = &[
        (
            &doubling,
            "line longer than 1048576 bytes after substituting macro \"A\"",
            20,
        ),
        (
            // Each macro stays under the line limit; together they do not.
            &format!(
                "A = {}\n{}",
                "y".repeat(1 << 19),
                (0..40)
                    .map(|i| format!("M{i:02} = A\n"))
                    .collect::<String>()
            ),
            "macro values larger than 16777216 bytes in total",
            33,
        ),
        (
            &format!(
                "A = {}\nx = A\\\n{}",
                "z".repeat(1 << 19),
                "A\\\n".repeat(3)
            ),
            "logical line longer than 1048576 bytes",
            3,
        ),
        (
            ".include /dev/zero\n",
            "configuration larger than 67108864 bytes (with its included files)",
            1,
        ),
    ];
    for (text, message, line) in cases {
        let e = conf(text).unwrap_err();
        assert_eq!((e.message.as_str(), e.line), (*message, *line));
        assert!(
            e.to_string()
                .starts_with("Exim configuration error in line"),
            "{e}"
        );
    }
    let e = Config::from_file(Path::new("/dev/zero"), &[]).unwrap_err();
    assert_eq!(e.message, reader::too_large_message());
}

#[test]
fn be_reader_stops_doubling_macros() {
    let mut input = b"A = x\n".to_vec();
    input.extend_from_slice(&b"A == A A\n".repeat(40));
    input.extend_from_slice(b"A\n");
    let got: Vec<BeLine> = BeReader::new(&input[..], MacroTable::with_exim_builtins()).collect();
    assert_eq!(got.len(), 42);
    // "A == " plus two copies of 2^18 x's is over the limit.
    assert!(matches!(&got[18], BeLine::Defined(_)));
    let BeLine::Error(e) = &got[19] else {
        panic!("{:?}", &got[19]);
    };
    assert!(
        e.message.starts_with("line longer than 1048576 bytes"),
        "{e}"
    );
    // The macro keeps its last good value (2^18 copies of x).
    let BeLine::Expand(last) = &got[41] else {
        panic!()
    };
    assert_eq!(last.len(), (1 << 18) * 2 - 1);
}

#[test]
fn be_reader_bounds_endless_continuations() {
    let mut input = b"a\\\n".repeat(100_000);
    input.extend_from_slice(b"b\n");
    let mut r = BeReader::new(&input[..], MacroTable::with_exim_builtins());
    let line = r.read_logical_line().unwrap();
    assert!(
        line.len() <= be_input::BIG_BUFFER_SIZE + 1024,
        "{}",
        line.len()
    );
    assert!(r.read_logical_line().is_none());
}

/// Issue 8: Exim 4.96 (Debian's build) allows 32 named lists of each kind:
/// "Exim configuration error in line 33 of ...: too many named domain lists
/// (max is 32)".
#[test]
fn named_lists_are_limited_per_kind() {
    let lists = |kw: &str, n: usize| {
        (0..n)
            .map(|i| format!("{kw} l{i} = a\n"))
            .collect::<String>()
    };
    assert!(conf(&lists("domainlist", 32)).is_ok());
    let both = lists("domainlist", 32) + &lists("hostlist", 32);
    assert!(conf(&both).is_ok(), "the limit is per kind");
    for (kw, what) in [
        ("domainlist", "domain list"),
        ("hostlist", "host list"),
        ("addresslist", "address list"),
        ("localpartlist", "local part list"),
    ] {
        let e = conf(&lists(kw, 33)).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.line),
            (format!("too many named {what}s (max is 32)").as_str(), 33)
        );
    }
}
