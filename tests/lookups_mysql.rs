//! The `mysql` lookup end to end against a real MariaDB server started for
//! these tests (Debian's `mariadb-server`: a throw-away data directory, a
//! free loopback port and a socket in a temporary directory, loaded from
//! tests/data/sql/mysql.sql, killed on drop).  The corpus
//! tests/data/sql/mysql_cases.jsonl was recorded from the oracle pointed
//! at the same server; see tests/common/mod.rs for how to re-record.
//! Without the server binaries the tests say SKIPPED, unless
//! EXIM_ORACLE=required (CI), where they fail.

#[path = "common/mod.rs"]
mod common;

use common::{free_port, skip_or_fail, temp_dir};
use exim_expand::{Context, eval::Profile, expand};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SERVER: &str = "/usr/sbin/mariadbd";
const INSTALL: &str = "/usr/bin/mariadb-install-db";

/// A MariaDB server of its own, killed (and its directory removed) on drop.
struct Server {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Server {
    fn socket(&self) -> String {
        self.dir.join("mysqld.sock").to_str().unwrap().to_string()
    }
    /// Reloads the fixture (dropping what the previous run wrote).
    fn load(&self) {
        let fixture = std::fs::File::open(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sql/mysql.sql"),
        )
        .unwrap();
        let out = Command::new("mariadb")
            .args(["--no-defaults", "-uroot", "--socket", &self.socket()])
            .stdin(fixture)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mariadb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a server; `None` (after SKIPPED) without MariaDB.
fn start(name: &str) -> Option<Server> {
    if !Path::new(SERVER).exists() || !Path::new(INSTALL).exists() {
        skip_or_fail(&format!(
            "{SERVER} missing (apt-get install mariadb-server)"
        ));
        return None;
    }
    let dir = temp_dir(&format!("mysql-{name}"));
    let data = dir.join("data");
    // Each server its own temporary directory: two installs at once
    // otherwise share /tmp's temporary tables.
    let out = Command::new(INSTALL)
        .env("TMPDIR", &dir)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .args(["--user=root", "--auth-root-authentication-method=normal"])
        .args(["--skip-test-db", "--skip-name-resolve"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mariadb-install-db: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let child = Command::new(SERVER)
        .env("TMPDIR", &dir)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}", dir.join("mysqld.sock").display()))
        .arg(format!("--pid-file={}", dir.join("mysqld.pid").display()))
        .arg(format!("--log-error={}", dir.join("error.log").display()))
        .arg(format!("--port={port}"))
        .args([
            "--user=root",
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
        ])
        .args(["--innodb-buffer-pool-size=32M", "--skip-log-bin"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, dir, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        || !Path::new(&server.socket()).exists()
    {
        assert!(Instant::now() < deadline, "mariadbd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    server.load();
    Some(server)
}

fn subs(server: &Server) -> Vec<(&'static str, String)> {
    vec![
        ("@SOCKET@", server.socket()),
        ("@DIR@", server.dir.to_str().unwrap().to_string()),
        ("@PORT@", server.port.to_string()),
        ("@DEADPORT@", free_port().to_string()),
    ]
}

/// The configuration the corpus runs under.
const CONF: &str = "primary_hostname = myhost.test.ex\n\
hide mysql_servers = 127.0.0.1::@PORT@/eximtest/exim/eximpw : \
localhost(@SOCKET@)/second/exim/eximpw : nosuchhost.invalid/eximtest/exim/eximpw\n";

/// Every case of tests/data/sql/mysql_cases.jsonl through the drop-in and
/// the oracle.
#[test]
fn corpus_matches_the_oracle() {
    let Some(server) = start("corpus") else {
        return;
    };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sql/mysql_cases.jsonl");
    let cases = common::load(&corpus);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let subs = subs(&server);
    common::check_corpus(&corpus, &server.dir, CONF, &subs, || server.load());
}

/// The Rust API: a Context with `mysql_servers` set; the library's
/// default policy refuses servers, a permissive one allows them.
#[test]
fn rust_api() {
    let Some(server) = start("api") else {
        return;
    };
    for profile in [Profile::DEBIAN_4_96, Profile::UPSTREAM_4_96_FULL] {
        let mut ctx = Context::for_profile(profile);
        ctx.options.insert(
            "mysql_servers".into(),
            format!("localhost({})/eximtest/exim/eximpw", server.socket()),
        );
        let q = b"${lookup mysql{SELECT email FROM users WHERE id = 1}}";
        let e = expand(q, &mut ctx).unwrap_err();
        assert!(e.to_string().contains("capability \"network\""), "{e}");
        ctx.policy = exim_expand::eval::Policy::permissive();
        assert_eq!(expand(q, &mut ctx).unwrap().bytes, b"alice@example.com");
        let q = b"${lookup mysql{SELECT name, quota FROM users WHERE id = 2}}";
        assert_eq!(expand(q, &mut ctx).unwrap().bytes, b"name=bob quota=\"\" ");
    }
}
