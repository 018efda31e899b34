//! Lint over Exim's own test configurations (`../shared/exim-tests/confs`):
//! each is prepared as Exim's test harness prepares it (its placeholders
//! substituted, a prefix file of our own where it includes the harness's),
//! the oracle (`exim -C FILE -bV`) says whether Exim 4.96 loads it, and for
//! every configuration it loads lint (with the branches the macros leave
//! out) must report exactly the errors listed
//! in `tests/exim_tests_expected.txt`: true problems (each with why), no
//! false ones.  A listed error that is no longer found fails too, so the
//! list cannot go stale.
//!
//! `EXIM_RECORD=1` prints the errors found in the file's format, to review
//! and paste.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn shared_confs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/exim-tests/confs")
}

/// The harness's placeholders and what they become here (Exim's
/// test/runtest substitutes the same names with its machine's values).
fn substitute(text: &str, dir: &Path, num: &str) -> String {
    let d = dir.to_string_lossy();
    let words: &[(&str, &str)] = &[
        ("CALLER_UID", "0"),
        ("CALLER_GID", "0"),
        ("CALLERGROUP", "root"),
        ("CALLER_NAME", "root"),
        ("CALLER", "root"),
        ("EXIMGROUP", "Debian-exim"),
        ("EXIMUSER", "Debian-exim"),
        ("EXIM_PATH", "/usr/sbin/exim4"),
        ("HOSTIPV4", "192.0.2.10"),
        ("HOSTIPV6", "2001:db8::10"),
        ("HOSTNAME", "myhost.test.ex"),
        ("PORT_D2", "1226"),
        ("PORT_D3", "1227"),
        ("PORT_D4", "1228"),
        ("PORT_D", "1225"),
        ("PORT_N", "1223"),
        ("PORT_S", "1224"),
        ("PORT_DYNAMIC", "1229"),
        ("MAILGROUP", "mail"),
        ("CLAMSOCKET", "/tmp/clam.sock"),
        ("TESTNUM", num),
    ];
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let at_start = i == 0 || !is_word(b[i - 1]) || b[i - 1] == b'_';
        let rest = &text[i..];
        if rest.starts_with("DIR/") && (i == 0 || !is_word(b[i - 1])) {
            out.push_str(&d);
            out.push('/');
            i += 4;
            continue;
        }
        if rest.starts_with("V4NET") && at_start && matches!(b.get(i + 5), Some(b'.' | b'_')) {
            out.push_str("10");
            i += 5;
            continue;
        }
        if rest.starts_with("V6NET:") && (i == 0 || !is_word(b[i - 1])) {
            out.push_str("2001:db8:");
            i += 6;
            continue;
        }
        if at_start
            && let Some((w, v)) = words.iter().find(|(w, _)| {
                rest.starts_with(w) && !b.get(i + w.len()).is_some_and(|&c| is_word(c))
            })
        {
            out.push_str(v);
            i += w.len();
            continue;
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// The errors lint reports, as the expectations file writes them:
/// `NUM CODE LINE`.
fn errors(config: &Path, num: &str) -> Vec<String> {
    let ctx = exim_expand::Context::new();
    let opts = exim_expand::config::ReadOptions::with_defines(&[]).for_profile(&ctx.profile);
    let found = match exim_expand::config::Config::from_file_with(config, &opts) {
        Ok(c) => exim_expand::lint::lint_all(
            &c,
            &ctx,
            &exim_expand::lint::LintOptions {
                all_branches: true,
                target: None,
            },
        ),
        Err(e) => vec![exim_expand::lint::Finding::config_error(&e, None)],
    };
    found
        .iter()
        .filter(|f| f.rule.severity == exim_expand::lint::Severity::Error)
        .map(|f| format!("{num} {} {}", f.rule.code, f.line))
        .collect()
}

fn expected() -> BTreeSet<String> {
    let text = include_str!("exim_tests_expected.txt");
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn no_false_errors_over_the_configurations_exim_loads() {
    let confs = shared_confs();
    if !confs.is_dir() {
        let why = format!("Exim's test configurations are not at {}", confs.display());
        assert!(
            std::env::var("EXIM_SHARED").as_deref() != Ok("required"),
            "EXIM_SHARED=required but {why}"
        );
        eprintln!("SKIPPED: {why}");
        return;
    }
    if !Path::new(common::ORACLE).exists() {
        common::skip_or_fail(&format!(
            "{} is not installed: it decides which configurations count",
            common::ORACLE
        ));
        return;
    }
    let dir = common::temp_dir("exim-tests");
    std::fs::create_dir_all(dir.join("aux-var")).unwrap();
    std::fs::create_dir_all(dir.join("spool/log")).unwrap();
    // Our own stand-ins for the harness's generated prefix files.
    std::fs::write(
        dir.join("aux-var/std_conf_prefix"),
        format!(
            ".include {}/aux-var/tls_conf_prefix\nspool_directory = {}/spool\n",
            dir.display(),
            dir.display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("aux-var/tls_conf_prefix"),
        "tls_advertise_hosts =\n",
    )
    .unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&confs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let (mut loaded, mut found) = (0, BTreeSet::new());
    let config = dir.join("test-config");
    for f in &files {
        let num = f.file_name().unwrap().to_string_lossy().into_owned();
        let data = std::fs::read(f).unwrap();
        let text = substitute(&String::from_utf8_lossy(&data), &dir, &num);
        std::fs::write(&config, text).unwrap();
        let ok = Command::new(common::ORACLE)
            .arg("-C")
            .arg(&config)
            .arg("-bV")
            .output()
            .unwrap()
            .status
            .success();
        if !ok {
            continue;
        }
        loaded += 1;
        found.extend(errors(&config, &num));
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "{} configurations, {loaded} loaded by Exim, {} errors found",
        files.len(),
        found.len()
    );
    assert!(
        loaded > 700,
        "only {loaded} configurations loaded: is the harness emulation broken?"
    );
    if std::env::var_os("EXIM_RECORD").is_some() {
        for e in &found {
            println!("{e}");
        }
    }
    let want = expected();
    let unexpected: Vec<&String> = found.difference(&want).collect();
    let gone: Vec<&String> = want.difference(&found).collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "errors lint reports that the list does not (false errors?): {unexpected:?}\n\
         listed errors no longer reported: {gone:?}"
    );
}
