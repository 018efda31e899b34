//! The `pgsql` lookup end to end against a real PostgreSQL server started
//! for these tests (Debian's `postgresql`: a throw-away cluster on a free
//! loopback port and a socket in a temporary directory, loaded from
//! tests/data/sql/pgsql.sql, stopped on drop).  The corpus
//! tests/data/sql/pgsql_cases.jsonl was recorded from the oracle pointed
//! at the same server; see tests/common/mod.rs for how to re-record.
//! Without the server binaries the tests say SKIPPED, unless
//! EXIM_ORACLE=required (CI), where they fail.

#[path = "common/mod.rs"]
mod common;

use common::{free_port, is_root, skip_or_fail, temp_dir};
use exim_expand::{Context, eval::Profile, expand};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL cluster of its own, stopped (and removed) on drop.
struct Server {
    dir: PathBuf,
    port: u16,
}

impl Server {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }
    fn sockdir(&self) -> String {
        self.dir.to_str().unwrap().to_string()
    }
    /// Reloads the fixture (dropping what the previous run wrote).
    fn load(&self) {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sql/pgsql.sql");
        let out = as_postgres(&format!("{BIN}/psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres"])
            .args(["-h", &self.sockdir(), "-p", &self.port.to_string()])
            .args(["-d", "postgres", "-f"])
            .arg(&fixture)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = as_postgres(&format!("{BIN}/pg_ctl"))
            .args(["-D", self.data().to_str().unwrap(), "-m", "immediate", "-w"])
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// initdb and postgres refuse to run as root: as root, run them as the
/// `postgres` user the package creates.
fn as_postgres(program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    }
}

/// Starts a cluster; `None` (after SKIPPED) without PostgreSQL.
fn start(name: &str) -> Option<Server> {
    if !Path::new(BIN).join("postgres").exists() {
        skip_or_fail(&format!(
            "{BIN}/postgres missing (apt-get install postgresql)"
        ));
        return None;
    }
    let dir = temp_dir(&format!("pgsql-{name}"));
    if is_root() {
        let ok = Command::new("chown")
            .args(["postgres:postgres", dir.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(ok.success());
    }
    let server = Server {
        port: free_port(),
        dir,
    };
    let data = server.data();
    let out = as_postgres(&format!("{BIN}/initdb"))
        .args(["-D", data.to_str().unwrap(), "-U", "postgres"])
        .args(["-E", "UTF8", "--locale=C", "--auth=trust", "--no-sync"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The superuser without a password on the socket (to load the
    // fixture); everyone else with a password.
    let hba = "local all postgres trust\n\
               local all all scram-sha-256\n\
               host all all 127.0.0.1/32 scram-sha-256\n\
               host all all ::1/128 scram-sha-256\n";
    let hba_path = data.join("pg_hba.conf");
    let _ = Command::new("chmod")
        .args(["666", hba_path.to_str().unwrap()])
        .status();
    std::fs::write(&hba_path, hba).unwrap();
    let opts = format!(
        "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
        server.port,
        server.sockdir()
    );
    let out = as_postgres(&format!("{BIN}/pg_ctl"))
        .args(["-D", data.to_str().unwrap(), "-o", &opts, "-w", "-t", "30"])
        .args(["-l", server.dir.join("log").to_str().unwrap(), "start"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_ctl start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.load();
    Some(server)
}

fn subs(server: &Server) -> Vec<(&'static str, String)> {
    vec![
        ("@SOCKDIR@", server.sockdir()),
        ("@PORT@", server.port.to_string()),
        ("@DEADPORT@", free_port().to_string()),
    ]
}

/// The configuration the corpus runs under.
const CONF: &str = "primary_hostname = myhost.test.ex\n\
hide pgsql_servers = 127.0.0.1::@PORT@/eximtest/exim/eximpw : \
localhost/second/exim/eximpw : nosuchhost.invalid/eximtest/exim/eximpw\n";

/// Every case of tests/data/sql/pgsql_cases.jsonl through the drop-in and
/// the oracle.
#[test]
fn corpus_matches_the_oracle() {
    let Some(server) = start("corpus") else {
        return;
    };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sql/pgsql_cases.jsonl");
    let cases = common::load(&corpus);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let subs = subs(&server);
    common::check_corpus(&corpus, &server.dir, CONF, &subs, || server.load());
}

/// The Rust API: a Context with `pgsql_servers` set; the library's
/// default policy refuses servers, a permissive one allows them.
#[test]
fn rust_api() {
    let Some(server) = start("api") else {
        return;
    };
    for profile in [Profile::DEBIAN_4_96, Profile::UPSTREAM_4_96_FULL] {
        let mut ctx = Context::for_profile(profile);
        ctx.options.insert(
            "pgsql_servers".into(),
            format!("127.0.0.1::{}/eximtest/exim/eximpw", server.port),
        );
        let q = b"${lookup pgsql{SELECT email FROM users WHERE id = 1}}";
        let e = expand(q, &mut ctx).unwrap_err();
        assert!(e.to_string().contains("capability \"network\""), "{e}");
        ctx.policy = exim_expand::eval::Policy::permissive();
        assert_eq!(expand(q, &mut ctx).unwrap().bytes, b"alice@example.com");
        let q = b"${lookup pgsql{SELECT name, quota FROM users WHERE id = 2}}";
        assert_eq!(expand(q, &mut ctx).unwrap().bytes, b"name=bob quota=\"\" ");
    }
}
