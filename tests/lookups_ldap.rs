//! The `ldap`, `ldapdn` and `ldapm` lookups end to end against a real
//! `slapd` started for these tests on a free loopback port and a Unix
//! socket, with a throw-away mdb database loaded (slapadd) from
//! tests/data/ldap/base.ldif.
//!
//! tests/data/ldap/cases.jsonl holds the corpus: one JSON object a line,
//! `{"expr": ..., "conf": "bare"?, "ok": bool, "out": ...}`, where `out` is
//! what Exim 4.96's `exim4 -C conf -be` printed for `expr` (without the
//! `> ` prompt; for `ok: false` without `Failed: `).  `@PORT@` is slapd's
//! port, `@SOCK@` its socket and `@SOCKURL@` the socket %-escaped for an
//! ldapi URL, `@DOWN@` a port where nothing listens, `@SILENT@` one that
//! accepts connections and never answers.  The configuration sets
//! `ldap_default_servers = <; 127.0.0.1:@DOWN@ ; 127.0.0.1:@PORT@`, or
//! nothing for `"conf": "bare"`.
//!
//! Every case goes through the drop-in and is compared with the recorded
//! value; when the oracle is installed it goes through `exim4` as well, so
//! a recorded value that no longer holds is caught.  To re-record the
//! corpus from the oracle (as root, with slapd installed):
//!
//!     EXIM_RECORD=1 cargo test --release --test lookups_ldap corpus
//!
//! Without slapd the tests say SKIPPED, unless EXIM_ORACLE=required (CI),
//! where they fail, as they do when the oracle is missing.

#![cfg(feature = "ldap")]

mod common;
use exim_expand::{Capability, Context, Engine, LdapLookup, eval::Profile, expand};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SUFFIX: &str = "dc=example,dc=test";

/// A slapd of its own, killed (and its directory removed) on drop, also
/// when a test panics.
struct Slapd {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Slapd {
    fn socket(&self) -> String {
        self.dir.join("ldapi").to_str().unwrap().to_string()
    }

    fn socket_url(&self) -> String {
        self.socket().replace('/', "%2F")
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn required() -> bool {
    std::env::var("EXIM_ORACLE").as_deref() == Ok("required")
}

/// Says SKIPPED (or fails in CI) and gives no server.
fn skip_or_fail(why: &str) -> Option<Slapd> {
    common::skip_or_fail(why);
    None
}

fn program(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ldap")
        .join(name)
}

/// Starts slapd with the fixture directory; `None` (after SKIPPED)
/// without one.
fn start(name: &str) -> Option<Slapd> {
    let (Some(slapd), Some(slapadd)) = (program("slapd"), program("slapadd")) else {
        return skip_or_fail("slapd is not installed (Debian's slapd package)");
    };
    let dir = std::env::temp_dir().join(format!("exim-expand-ldap-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("db")).unwrap();
    let d = dir.to_str().unwrap();
    let conf = dir.join("slapd.conf");
    std::fs::write(
        &conf,
        format!(
            "include /etc/ldap/schema/core.schema\n\
             include /etc/ldap/schema/cosine.schema\n\
             include /etc/ldap/schema/inetorgperson.schema\n\
             pidfile {d}/slapd.pid\n\
             modulepath /usr/lib/ldap\n\
             moduleload back_mdb\n\
             database mdb\n\
             maxsize 16777216\n\
             suffix \"{SUFFIX}\"\n\
             rootdn \"cn=admin,{SUFFIX}\"\n\
             rootpw secret\n\
             directory {d}/db\n\
             access to * by * read\n"
        ),
    )
    .unwrap();
    let loaded = Command::new(slapadd)
        .arg("-f")
        .arg(&conf)
        .arg("-l")
        .arg(data("base.ldif"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "slapadd: {}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let port = common::free_port();
    let sock_url = dir.join("ldapi").to_str().unwrap().replace('/', "%2F");
    let child = Command::new(slapd)
        // -d keeps slapd in the foreground, so that it is ours to kill.
        .args(["-d", "0", "-h"])
        .arg(format!("ldap://127.0.0.1:{port}/ ldapi://{sock_url}"))
        .arg("-f")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => return skip_or_fail(&format!("slapd: {e}")),
    };
    let server = Slapd { child, port, dir };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() || !server.dir.join("ldapi").exists() {
        assert!(Instant::now() < deadline, "slapd did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

/// What varies between runs, and the configurations.
struct Fixture {
    slapd: Slapd,
    down: u16,
    /// Listening, never accepting: connections are made, nothing answers.
    silent: TcpListener,
}

impl Fixture {
    fn new(name: &str) -> Option<Fixture> {
        let slapd = start(name)?;
        Some(Fixture {
            slapd,
            down: common::free_port(),
            silent: TcpListener::bind("127.0.0.1:0").unwrap(),
        })
    }

    /// Placeholder and value, longest values first.
    fn substitutions(&self) -> Vec<(&'static str, String)> {
        vec![
            ("@SOCKURL@", self.slapd.socket_url()),
            ("@SOCK@", self.slapd.socket()),
            (
                "@SILENT@",
                self.silent.local_addr().unwrap().port().to_string(),
            ),
            ("@PORT@", self.slapd.port.to_string()),
            ("@DOWN@", self.down.to_string()),
        ]
    }

    fn fill(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (k, v) in self.substitutions() {
            s = s.replace(k, &v);
        }
        s
    }

    fn unfill(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (k, v) in self.substitutions() {
            s = s.replace(&v, k);
        }
        s
    }

    fn conf(&self, which: Option<&str>) -> String {
        let path = self
            .slapd
            .dir
            .join(format!("exim-{}.conf", which.unwrap_or("default")));
        let servers = match which {
            Some("bare") => String::new(),
            _ => self.fill("ldap_default_servers = <; 127.0.0.1:@DOWN@ ; 127.0.0.1:@PORT@\n"),
        };
        std::fs::write(
            &path,
            format!("primary_hostname = myhost.test.ex\n{servers}"),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    }
}

/// One expansion through `PROGRAM -C conf -be`: (ok, output) as the
/// corpus records them.
fn run_be(program: &Path, conf: &str, expr: &str) -> (bool, String) {
    let mut child = Command::new(program)
        .args(["-C", conf, "-be"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{expr}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let body = text
        .strip_prefix("> ")
        .and_then(|t| t.strip_suffix("\n> \n"))
        .unwrap_or_else(|| panic!("unexpected -be output {text:?} for {expr}"));
    match body.strip_prefix("Failed: ") {
        Some(m) => (false, m.to_string()),
        None => (true, body.to_string()),
    }
}

fn oracle() -> Option<PathBuf> {
    let found = program("exim4").filter(|_| common::is_root());
    assert!(
        found.is_some() || !required(),
        "the oracle (/usr/sbin/exim4, run as root) is required"
    );
    found
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Case {
    expr: String,
    conf: Option<String>,
    ok: bool,
    out: String,
}

fn read_cases() -> Vec<Case> {
    std::fs::read_to_string(data("cases.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Case {
                expr: v["expr"].as_str().unwrap().to_string(),
                conf: v["conf"].as_str().map(str::to_string),
                ok: v["ok"].as_bool().unwrap(),
                out: v["out"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn write_cases(cases: &[Case]) {
    let mut text = String::new();
    for c in cases {
        let mut m = serde_json::Map::new();
        m.insert("expr".into(), c.expr.clone().into());
        if let Some(conf) = &c.conf {
            m.insert("conf".into(), conf.clone().into());
        }
        m.insert("ok".into(), c.ok.into());
        m.insert("out".into(), c.out.clone().into());
        text.push_str(&serde_json::Value::Object(m).to_string());
        text.push('\n');
    }
    std::fs::write(data("cases.jsonl"), text).unwrap();
}

/// The corpus through the drop-in (and the oracle, when it is there).
#[test]
fn corpus_matches_the_oracle() {
    let Some(fx) = Fixture::new("corpus") else {
        return;
    };
    let mut cases = read_cases();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    let oracle = oracle();
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_exim-expand"));
    if std::env::var_os("EXIM_RECORD").is_some() {
        let exim = oracle.as_deref().expect("recording needs the oracle");
        for c in &mut cases {
            let (ok, out) = run_be(exim, &fx.conf(c.conf.as_deref()), &fx.fill(&c.expr));
            c.ok = ok;
            c.out = fx.unfill(&out);
        }
        write_cases(&cases);
    }
    let mut bad = Vec::new();
    let mut same = 0;
    for c in &cases {
        let conf = fx.conf(c.conf.as_deref());
        let expr = fx.fill(&c.expr);
        let want = (c.ok, fx.fill(&c.out));
        let got = run_be(&ours, &conf, &expr);
        if got == want {
            same += 1;
        } else {
            bad.push(format!(
                "ours:   {}\n  want {want:?}\n  got  {got:?}",
                c.expr
            ));
        }
        if let Some(exim) = &oracle {
            let theirs = run_be(exim, &conf, &expr);
            if theirs != want {
                bad.push(format!(
                    "oracle: {}\n  recorded {want:?}\n  now      {theirs:?}",
                    c.expr
                ));
            }
        }
    }
    eprintln!(
        "{same} of {} cases identical to the recorded oracle output (oracle {})",
        cases.len(),
        if oracle.is_some() {
            "re-run"
        } else {
            "not installed"
        }
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Through the Rust API: the policy must grant the network; the Engine
/// with its own timeouts; a silent server gives up within them.
#[test]
fn rust_api() {
    let Some(fx) = Fixture::new("api") else {
        return;
    };
    let port = fx.slapd.port;
    let query =
        format!("${{lookup ldap{{ldap://127.0.0.1:{port}/uid=alice,ou=people,{SUFFIX}?cn}}}}");
    let mut ctx = Context::new();
    let e = expand(query.as_bytes(), &mut ctx).unwrap_err();
    assert!(e.to_string().contains("capability \"network\""), "{e}");
    ctx.policy = exim_expand::eval::Policy::permissive();
    assert_eq!(
        expand(query.as_bytes(), &mut ctx).unwrap().bytes,
        b"Alice Smith"
    );
    assert_eq!(
        expand(b"$ldap_dn", &mut ctx).unwrap().bytes,
        format!("uid=alice,ou=people,{SUFFIX}").as_bytes()
    );

    let engine = Engine::builder()
        .profile(Profile::UPSTREAM_4_96_FULL)
        .allow(Capability::Network)
        .option("ldap_default_servers", &fx.slapd.socket())
        .build()
        .unwrap();
    let mut s = engine.session();
    assert_eq!(
        s.expand_str(format!(
            "${{lookup ldapm{{ldap:///ou=people,{SUFFIX}?uid?one?(|(uid=alice)(uid=bob))}}}}"
        ))
        .unwrap(),
        "bob\nalice".into()
    );

    let silent = fx.silent.local_addr().unwrap().port();
    let mut builder = Engine::builder().allow(Capability::Network);
    for (name, l) in
        LdapLookup::all_with_timeouts(Duration::from_secs(1), Duration::from_millis(300))
    {
        builder = builder.lookup(name, Arc::new(l));
    }
    let engine = builder.build().unwrap();
    let started = Instant::now();
    let e = engine
        .session()
        .expand_str(format!(
            "${{lookup ldap{{ldap://127.0.0.1:{silent}/{SUFFIX}?o}}}}"
        ))
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        e.to_string(),
        format!(
            "lookup of \"ldap://127.0.0.1:{silent}/{SUFFIX}?o\" gave DEFER: failed to bind the LDAP connection to server 127.0.0.1:{silent} - LDAP error: timeout"
        )
    );
}
