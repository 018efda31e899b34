//! The `redis` lookup end to end against a real `redis-server` started on
//! a free loopback port (and a Unix socket) for these tests: the `-be`
//! drop-in (profile exim-4.96-full with `redis_servers` in the
//! configuration), the Rust API and the Engine.  Without redis-server the
//! tests say SKIPPED, unless EXIM_ORACLE=required (CI), where they fail.
//! Expected values: Exim's test 2700 (test/scripts/2700-redis/2700,
//! test/stdout/2700), redis.c's formatting and messages, and redis-server's
//! own replies.

mod common;
use exim_expand::{Capability, Context, Engine, RedisLookup, eval::Profile, expand};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A redis-server of its own, killed (and its directory removed) on drop.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Server {
    fn socket(&self) -> String {
        self.dir.join("redis.sock").to_str().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Says SKIPPED (or fails in CI) and gives no server.
fn skip_or_fail(why: &str) -> Option<Server> {
    common::skip_or_fail(why);
    None
}

/// Starts redis-server on loopback; `None` (after SKIPPED) without one.
fn start(name: &str) -> Option<Server> {
    start_with(name, &[])
}

/// [`start`] with more redis-server arguments.
fn start_with(name: &str, extra: &[&str]) -> Option<Server> {
    let dir = std::env::temp_dir().join(format!("exim-expand-redis-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = common::free_port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--unixsocket")
        .arg(dir.join("redis.sock"))
        .arg("--dir")
        .arg(&dir)
        .args(extra)
        .stdout(Stdio::null())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => return skip_or_fail(&format!("redis-server: {e}")),
    };
    let server = Server { child, port, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err()
        || !server.dir.join("redis.sock").exists()
    {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

fn conf_with(server: &Server, servers: &str) -> String {
    let conf = server.dir.join("test.conf");
    std::fs::write(
        &conf,
        format!("primary_hostname = myhost.test.ex\nredis_servers = {servers}\n"),
    )
    .unwrap();
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
    String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
}

/// Each line through the drop-in of the full profile: (input, output).
fn check_lines(conf: &str, cases: &[(&str, &str)]) {
    let input: String = cases.iter().map(|(i, _)| format!("{i}\n")).collect();
    // The last `> ` is the prompt at the end of the input.
    let want: String = cases
        .iter()
        .map(|(_, o)| format!("> {o}\n"))
        .collect::<String>()
        + "> \n";
    assert_eq!(dropin(Some("exim-4.96-full"), conf, &input), want);
}

/// test/scripts/2700-redis/2700 and test/stdout/2700, then redis.c's
/// formatting of the other kinds of reply.
#[test]
fn commands_and_replies_through_the_dropin() {
    let Some(server) = start("dropin") else {
        return;
    };
    let conf = conf_with(&server, &format!("127.0.0.1::{}//", server.port));
    check_lines(
        &conf,
        &[
            // test/stdout/2700 lines 1-2
            (
                "${lookup redis{set keyname ${quote_redis:objvalue plus}}}",
                "OK",
            ),
            ("${lookup redis{get keyname}}", "objvalue plus"),
            // nil: the empty string, found
            ("${lookup redis{get nosuch}}", ""),
            (
                "${lookup redis{get nosuch}{found [$value]}{not found}}",
                "found []",
            ),
            // integers: true / false
            ("${lookup redis{exists keyname}}", "true"),
            ("${lookup redis{del nosuch}}", "false"),
            ("${lookup redis{rpush list a b c}}", "true"),
            // arrays, one element a line
            ("${lookup redis{lrange list 0 -1}}", "a\nb\nc"),
            ("${lookup redis{lrange nolist 0 -1}{y}{n}}", "n"),
            ("${lookup redis{hset h f ${quote_redis:v w}}}", "true"),
            ("${lookup redis{hget h f}}", "v w"),
            ("${lookup redis{hgetall h}}", "f\nv w"),
            ("${lookup redis{sadd s one}}", "true"),
            ("${lookup redis{smembers s}}", "one"),
            ("${lookup redis{keys keyn*}}", "keyname"),
            // nested: SCAN's cursor, then its array of keys
            ("${lookup redis{scan 0 match keyname}}", "0\n\nkeyname"),
            // status replies
            ("${lookup redis{ping}}", "PONG"),
            ("${lookup redis{type list}}", "list"),
            // backslash escapes in the command
            ("${lookup redis{set a\\\\ b c\\\\\\\\d}}", "OK"),
            ("${lookup redis{get ${quote_redis:a b}}}", "c\\d"),
            // error replies defer
            (
                "${lookup redis{get list}}",
                "Failed: lookup of \"get list\" gave DEFER: REDIS: lookup result failed: WRONGTYPE Operation against a key holding the wrong kind of value\n",
            ),
        ],
    );
}

/// A nil reply is not cached (redis.c clears do_cache), so a later read
/// sees a write; an ordinary answer is cached for the session.
#[test]
fn nil_is_not_cached() {
    let Some(server) = start("cache") else { return };
    let conf = conf_with(&server, &format!("127.0.0.1::{}//", server.port));
    check_lines(
        &conf,
        &[
            ("${lookup redis{get k}}", ""),
            ("${lookup redis{set k v1}}", "OK"),
            ("${lookup redis{get k}}", "v1"),
            ("${lookup redis{set k v2}}", "OK"),
            ("${lookup redis{get k}}", "v1"),
        ],
    );
}

/// Database numbers, the per-query `servers=` option and prefix, the Unix
/// socket form, several servers tried in order past a stopped one.
#[test]
fn servers_databases_and_sockets() {
    let Some(server) = start("servers") else {
        return;
    };
    let (port, dead) = (server.port, common::free_port());
    let sock = server.socket();
    let conf = conf_with(
        &server,
        &format!("127.0.0.1::{dead}// : 127.0.0.1::{port}/1/ : ({sock})/2/"),
    );
    check_lines(
        &conf,
        &[
            // The dead server defers, the next one (database 1) answers.
            ("${lookup redis{set k one}}", "OK"),
            ("${lookup redis,servers=127.0.0.1::{port}/1/{get k}}", "one"),
            ("${lookup redis,servers=127.0.0.1::{port}//{get k}}", ""),
            // The socket server (database 2).  A socket path has a `/`, so
            // it is never a name for a redis_servers entry.
            ("${lookup redis,servers=({sock})/2/{set k two}}", "OK"),
            ("${lookup redis{servers=({sock})/2/; get k}}", "two"),
            ("${lookup redis,servers=({sock})/1/{get k}}", "one"),
            (
                "${lookup redis,servers=127.0.0.1::{dead}//{get k}}",
                "Failed: lookup of \"get k\" gave DEFER: REDIS: query failed: Connection refused\n",
            ),
            (
                "${lookup redis,servers=127.0.0.1::{dead}/0/pw{get k}}",
                "Failed: lookup of \"get k\" gave DEFER: REDIS Authentication failed: Connection refused\n",
            ),
            (
                "${lookup redis,servers=127.0.0.1::{dead}/3/{get k}}",
                "Failed: lookup of \"get k\" gave DEFER: REDIS: Selecting database=3 failed: Connection refused\n",
            ),
            (
                "${lookup redis,servers=nosuch{get k}}",
                "Failed: lookup of \"get k\" gave DEFER: Redis server \"nosuch\" not found in redis_servers",
            ),
            (
                "${lookup redis,servers=localhost{get k}}",
                "Failed: lookup of \"get k\" gave DEFER: Redis server \"localhost\" not found in redis_servers",
            ),
        ]
        .map(|(i, o)| (i.replace("{port}", &port.to_string()).replace("{sock}", &sock).replace("{dead}", &dead.to_string()), o.to_string()))
        .iter()
        .map(|(i, o)| (i.as_str(), o.as_str()))
        .collect::<Vec<_>>(),
    );
}

/// A server that accepts and answers every request with `reply`
/// (`None`: never answers), until the test ends.
fn fake_server(reply: Option<&'static [u8]>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        return;
                    }
                    if let Some(r) = reply
                        && stream.write_all(r).is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// A cluster's MOVED reply sends the lookup on to the next server (spec
/// "More about Redis", test 2701); other error replies stop there.
#[test]
fn moved_goes_on_to_the_next_server() {
    let Some(server) = start("moved") else { return };
    let moved = fake_server(Some(b"-MOVED 3999 127.0.0.1:6381\r\n"));
    let refusing = fake_server(Some(b"-ERR refused here\r\n"));
    let port = server.port;
    let conf = conf_with(
        &server,
        &format!("127.0.0.1::{moved}// : 127.0.0.1::{port}//"),
    );
    let stop = format!("servers=127.0.0.1::{refusing}//:127.0.0.1::{port}//");
    let only_moved = format!("servers=127.0.0.1::{moved}//");
    check_lines(
        &conf,
        &[
            ("${lookup redis{set k v}}", "OK"),
            (
                &format!("${{lookup redis,{stop}{{get k}}}}"),
                "Failed: lookup of \"get k\" gave DEFER: REDIS: lookup result failed: ERR refused here\n",
            ),
            (
                &format!("${{lookup redis,{only_moved}{{get k}}}}"),
                "Failed: lookup of \"get k\" gave DEFER: REDIS: lookup result failed: MOVED 3999 127.0.0.1:6381\n",
            ),
        ],
    );
}

/// A server that never answers gives a clean DEFER after the read
/// timeout, never a hang.
#[test]
fn silent_server_times_out() {
    let silent = fake_server(None);
    let engine = Engine::builder()
        .profile(Profile::UPSTREAM_4_96_FULL)
        .allow(Capability::Network)
        .option("redis_servers", &format!("127.0.0.1::{silent}//"))
        .lookup(
            "redis",
            Arc::new(RedisLookup::with_timeouts(
                Duration::from_secs(1),
                Duration::from_millis(300),
            )),
        )
        .build()
        .unwrap();
    let start = Instant::now();
    let e = engine
        .session()
        .expand_str("${lookup redis{get k}}")
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(
        e.to_string(),
        "lookup of \"get k\" gave DEFER: REDIS: query failed: Resource temporarily unavailable\n"
    );
}

/// The Rust API: a full-profile Context with the option set and the
/// network allowed; the library's default policy refuses servers.
#[test]
fn rust_api() {
    let Some(server) = start("api") else { return };
    let mut ctx = Context::for_profile(Profile::UPSTREAM_4_96_FULL);
    ctx.options.insert(
        "redis_servers".into(),
        format!("127.0.0.1::{}//", server.port),
    );
    let e = expand(b"${lookup redis{ping}}", &mut ctx).unwrap_err();
    assert!(e.to_string().contains("capability \"network\""), "{e}");
    ctx.policy = exim_expand::eval::Policy::permissive();
    assert_eq!(
        expand(b"${lookup redis{ping}}", &mut ctx).unwrap().bytes,
        b"PONG"
    );

    let engine = Engine::builder()
        .profile(Profile::UPSTREAM_4_96_FULL)
        .allow(Capability::Network)
        .option("redis_servers", &format!("({})//", server.socket()))
        .build()
        .unwrap();
    let mut session = engine.session();
    session.set_var("who", "user one");
    assert_eq!(
        session
            .expand_str("${lookup redis{set ${quote_redis:$who} mailbox}}")
            .unwrap()
            .bytes,
        b"OK"
    );
    assert_eq!(
        session
            .expand_str("${lookup redis{get ${quote_redis:$who}}{<$value>}{none}}")
            .unwrap()
            .bytes,
        b"<mailbox>"
    );
}

/// Debian's 4.96 build has no redis: the default profile fails as
/// `exim4 -C conf -be` does (checked live when exim4 is installed).
#[test]
fn debian_profile_has_no_redis() {
    let dir = std::env::temp_dir().join(format!("exim-expand-redis-debian-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("min.conf");
    std::fs::write(&conf, "primary_hostname = myhost.test.ex\n").unwrap();
    let conf = conf.to_str().unwrap();
    let input = "${lookup redis{GET a}}\n${lookup redis{GET a}{y}{n}}\n${quote_redis:a b}\n";
    // The last `> ` is the prompt at the end of the input.
    let want = "> Failed: unknown lookup type \"redis\"\n".repeat(3) + "> \n";
    assert_eq!(dropin(None, conf, input), want);
    if let Ok(out) = Command::new("exim4")
        .args(["-C", conf, "-be"])
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
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends one command to a server and returns its reply line(s).
fn command(port: u16, words: &[&str]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut req = format!("*{}\r\n", words.len());
    for w in words {
        req.push_str(&format!("${}\r\n{w}\r\n", w.len()));
    }
    stream.write_all(req.as_bytes()).unwrap();
    let mut buf = vec![0u8; 65536];
    let n = std::io::Read::read(&mut stream, &mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Exim's test 2701 (test/scripts/2701-redis-cluster/2701 and
/// test/stdout/2701): a two-node cluster, the slots split between them;
/// a key whose slot the first server does not hold gets MOVED, and the
/// lookup goes on to the next server of redis_servers.
#[test]
fn exim_test_2701_against_a_real_cluster() {
    let cluster = [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
    ];
    let Some(node1) = start_with("cluster1", &cluster) else {
        return;
    };
    let Some(node2) = start_with("cluster2", &cluster) else {
        return;
    };
    assert!(command(node1.port, &["CLUSTER", "ADDSLOTSRANGE", "0", "8191"]).starts_with("+OK"));
    assert!(command(node2.port, &["CLUSTER", "ADDSLOTSRANGE", "8192", "16383"]).starts_with("+OK"));
    let meet = command(
        node1.port,
        &["CLUSTER", "MEET", "127.0.0.1", &node2.port.to_string()],
    );
    assert!(meet.starts_with("+OK"), "{meet}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while [node1.port, node2.port]
        .iter()
        .any(|&p| !command(p, &["CLUSTER", "INFO"]).contains("cluster_state:ok"))
    {
        assert!(Instant::now() < deadline, "the cluster did not form");
        std::thread::sleep(Duration::from_millis(100));
    }
    let conf = conf_with(
        &node1,
        &format!("127.0.0.1::{}// : 127.0.0.1::{}//", node1.port, node2.port),
    );
    // The keys' slots: "KEY_100_1001 ABCDEF" and "01t67it" are on
    // different nodes (CLUSTER KEYSLOT), so one of each pair is MOVED.
    let slot = |k: &str| {
        let r = command(node1.port, &["CLUSTER", "KEYSLOT", k]);
        r.trim().trim_start_matches(':').parse::<u32>().unwrap()
    };
    assert_ne!(slot("KEY_100_1001 ABCDEF") < 8192, slot("01t67it") < 8192);
    check_lines(
        &conf,
        &[
            (
                "${lookup redis{set ${quote_redis:KEY_100_1001 ABCDEF} ${quote_redis:objvalue plus}}}",
                "OK",
            ),
            (
                "${lookup redis{set ${quote_redis:01t67it} ${quote_redis:bfhdkbflks}}}",
                "OK",
            ),
        ],
    );
    check_lines(
        &conf,
        &[
            (
                "${lookup redis{get ${quote_redis:KEY_100_1001 ABCDEF}}}",
                "objvalue plus",
            ),
            ("${lookup redis{get ${quote_redis:01t67it}}}", "bfhdkbflks"),
        ],
    );
}
