//! The `lmdb` lookup end to end: the `-be` drop-in (profile exim-4.96-full;
//! Debian's default profile has no lmdb, as its Exim build), the Rust API
//! and the Engine.  Fixtures are built with `mdb_load` (Debian's
//! lmdb-utils), as Exim's test 2800 builds its own; without it the tests
//! say SKIPPED, unless EXIM_ORACLE=required (CI), where they fail.

use exim_expand::{Capability, Context, Engine, eval::Profile, expand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A directory of its own for each test, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("exim-expand-lmdb-it-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn skip_or_fail(why: &str) -> bool {
    assert!(
        std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
        "{why}"
    );
    eprintln!("SKIPPED: {why}");
    false
}

/// Builds `file` from `mdb_load -n -T` text (key line, value line); false
/// (after saying SKIPPED) when mdb_load cannot run.
fn mdb_load(file: &Path, text: &str) -> bool {
    let child = Command::new("mdb_load")
        .args(["-n", "-T"])
        .arg(file)
        .stdin(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return skip_or_fail(&format!("mdb_load: {e}")),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "mdb_load failed");
    true
}

/// Exim's test 2800 fixture (test/scripts/2800-lmdb/2800).
const FIXTURE_2800: &str = "first\ndata for first\nsecond\nA=1 B=2\nthird\nA1:B2:C3\n";

fn fixture(dir: &TempDir) -> Option<String> {
    let file = dir.0.join("2800.mdb");
    mdb_load(&file, FIXTURE_2800).then(|| file.to_str().unwrap().to_string())
}

fn config(dir: &TempDir) -> String {
    let conf = dir.0.join("test.conf");
    std::fs::write(&conf, "primary_hostname = myhost.test.ex\n").unwrap();
    conf.to_str().unwrap().to_string()
}

/// `exim-expand [--profile P] -C conf -be` with `input` on stdin.
fn dropin(profile: Option<&str>, conf: &str, input: &str) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exim-expand"));
    if let Some(p) = profile {
        cmd.args(["--profile", p]);
    }
    let mut child = cmd
        .args(["-C", conf, "-be"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exim's test 2800: test/scripts/2800-lmdb/2800 and test/stdout/2800,
/// lines 1-8, through the drop-in.
#[test]
fn exim_test_2800_through_the_dropin() {
    let dir = TempDir::new("2800");
    let Some(db) = fixture(&dir) else { return };
    let conf = config(&dir);
    let script = [
        "${lookup{first}lmdb{DB}}",
        "${lookup{first}lmdb{DB}{$value}fail}",
        "${lookup{fail}lmdb{DB}{$value}{failure value}}",
        "${lookup{fail}lmdb{DB}{$value}fail}",
        "${lookup{second}lmdb{DB}{$value}fail}",
        "${extract{A}{${lookup{second}lmdb{DB}{$value}fail}}}",
        "${extract{B}{${lookup{second}lmdb{DB}{$value}fail}}}",
        "${extract{C}{${lookup{second}lmdb{DB}{$value}fail}}{$value}fail}",
    ]
    .join("\n")
    .replace("DB", &db);
    let want = "> data for first\n\
                > data for first\n\
                > failure value\n\
                > Failed: \"lookup\" failed and \"fail\" requested\n\
                > A=1 B=2\n\
                > 1\n\
                > 2\n\
                > Failed: \"extract\" failed and \"fail\" requested\n";
    let got = dropin(Some("exim-4.96-full"), &conf, &format!("{script}\n"));
    assert!(got.starts_with(want), "got:\n{got}");
}

/// Missing and corrupt files: lmdb.c's open message, and the expansion
/// fails even with a failure branch.
#[test]
fn open_failures_through_the_dropin() {
    let dir = TempDir::new("open");
    let conf = config(&dir);
    let junk = dir.0.join("junk.mdb");
    std::fs::write(&junk, vec![b'x'; 16384]).unwrap();
    let missing = dir.0.join("missing.mdb");
    let (junk, missing) = (junk.to_str().unwrap(), missing.to_str().unwrap());
    let input =
        format!("${{lookup{{k}}lmdb{{{missing}}}{{y}}{{n}}}}\n${{lookup{{k}}lmdb{{{junk}}}}}\n");
    let got = dropin(Some("exim-4.96-full"), &conf, &input);
    assert_eq!(
        got,
        format!(
            "> Failed: LMDB: Unable to open environment with {missing}: No such file or directory\n\
             > Failed: LMDB: Unable to open environment with {junk}: MDB_INVALID: File is not an LMDB file\n\
             > \n"
        )
    );
}

/// Debian's 4.96 build has no lmdb: the default profile fails as
/// `exim4 -C conf -be` does (checked live when exim4 is installed).
#[test]
fn debian_profile_has_no_lmdb() {
    let dir = TempDir::new("debian");
    let conf = config(&dir);
    let input = "${lookup{a}lmdb{/x}}\n${lookup{a}lmdb{/x}{y}{n}}\n${quote_lmdb:a b}\n";
    // The last `> ` is the prompt at the end of the input.
    let want = "> Failed: unknown lookup type \"lmdb\"\n".repeat(3) + "> \n";
    assert_eq!(dropin(None, &conf, input), want);
    if let Ok(out) = Command::new("exim4")
        .args(["-C", &conf, "-be"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(input.as_bytes())?;
            c.wait_with_output()
        })
    {
        assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    }
}

/// The Rust API: a full-profile Context with files allowed, and an Engine.
#[test]
fn rust_api() {
    let dir = TempDir::new("api");
    let Some(db) = fixture(&dir) else { return };
    let mut ctx = Context::for_profile(Profile::UPSTREAM_4_96_FULL);
    let src = format!("${{lookup{{first}}lmdb{{{db}}}}}");
    // The library's default policy refuses file lookups.
    let e = expand(src.as_bytes(), &mut ctx).unwrap_err();
    assert!(e.to_string().contains("capability \"files\""), "{e}");
    ctx.policy = exim_expand::eval::Policy::permissive();
    assert_eq!(
        expand(src.as_bytes(), &mut ctx).unwrap().bytes,
        b"data for first"
    );

    let engine = Engine::builder()
        .profile(Profile::UPSTREAM_4_96_FULL)
        .allow(Capability::Files)
        .build()
        .unwrap();
    let mut session = engine.session();
    let lookup = format!("${{lookup{{$local_part}}lmdb{{{db}}}{{[$value]}}{{none}}}}");
    session.set_var("local_part", "third");
    assert_eq!(session.expand_str(&lookup).unwrap().bytes, b"[A1:B2:C3]");
    session.set_var("local_part", "nobody");
    assert_eq!(session.expand_str(&lookup).unwrap().bytes, b"none");
    // A tainted file name is refused, as in Exim.
    session.set_tainted_var("f", &db);
    assert!(session.expand_str("${lookup{first}lmdb{$f}}").is_err());
    // Exim 4.96 logs "Tainted filename for search" and fails with an unset
    // message, which its -be prints as "(null)" (tests/cases/issue8.jsonl).
    let e = session.expand_str("${lookup{first}lmdb{$f}}").unwrap_err();
    assert_eq!(e.to_string(), "(null)");
    // Debian's profile has no lmdb.
    let debian = Engine::builder().allow(Capability::Files).build().unwrap();
    let e = debian.session().expand_str(&src).unwrap_err();
    assert_eq!(e.to_string(), "unknown lookup type \"lmdb\"");
}
