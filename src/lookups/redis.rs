//! The `redis` lookup: a raw Redis command (exim-4.96-full profile;
//! Debian's 4.96 build has no Redis).
//!
//! Exim 4.96 behaviour reproduced here (`src/lookups/redis.c`,
//! `lf_sqlperform.c`, spec sections "More about MySQL, PostgreSQL, ...,
//! and Redis", "Specifying the server in the query", "More about Redis";
//! tests 2700 and 2701):
//! * servers come from `redis_servers`, a colon list of
//!   `HOST[:PORT]/DBNUMBER/PASSWORD` (the colon doubled in the list) or
//!   `(SOCKET-PATH)/DBNUMBER/PASSWORD`; the port defaults to 6379, an empty
//!   database number or password is not used.  A `,servers=` option on the
//!   type, or a `servers=LIST;` prefix on the query, chooses servers instead;
//!   an item without a `/` names a server of `redis_servers`;
//! * servers are tried in order while they DEFER, except after errors that
//!   stop the search (bad server data, an error reply other than `MOVED`);
//! * the password is sent with `AUTH`, the database chosen with `SELECT`,
//!   their replies ignored (only a broken connection fails them);
//! * the command is split on white space into at most 32 arguments, a
//!   backslash protecting the next character (what `quote_redis` adds);
//! * replies: a bulk string or status as is; an integer `true` or `false`;
//!   nil the empty string (and the lookup cache is emptied); an array its
//!   elements' strings and integers (`%d`: the low 32 bits) one a line, one
//!   level of nested arrays flattened the same way, other elements skipped;
//!   an empty array is not found; an error reply is a DEFER with
//!   `REDIS: lookup result failed: TEXT` (and a newline, as Exim's message
//!   has).
//!
//! Exim sets no timeouts; here connecting and each read and write are
//! bounded ([`RedisLookup::with_timeouts`]), a timeout failing the server
//! like a broken connection.  Connections are kept for reuse, by server
//! (without its password), as Exim keeps them.

use super::sql::{self, Names, Outcome, defer};
use crate::eval::{Capability, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;
use crate::sys::is_space;
use redis::{ConnectionAddr, ConnectionLike, IntoConnectionInfo, RedisConnectionInfo, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Exim's limit on the arguments of one command (`argv[32]`).
const MAX_ARGS: usize = 32;

/// The `redis` lookup type.
pub struct RedisLookup {
    connect_timeout: Duration,
    io_timeout: Duration,
    /// Open connections by server (host, port, database; no password).
    connections: Mutex<HashMap<String, redis::Connection>>,
}

impl std::fmt::Debug for RedisLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLookup")
            .field("connect_timeout", &self.connect_timeout)
            .field("io_timeout", &self.io_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for RedisLookup {
    fn default() -> RedisLookup {
        RedisLookup::with_timeouts(Duration::from_secs(5), Duration::from_secs(10))
    }
}

impl RedisLookup {
    /// A `redis` lookup that gives up connecting after `connect` and
    /// waiting for a reply (or to send) after `io`.
    pub fn with_timeouts(connect: Duration, io: Duration) -> RedisLookup {
        RedisLookup {
            connect_timeout: connect,
            io_timeout: io,
            connections: Mutex::new(HashMap::new()),
        }
    }
}

impl Lookup for RedisLookup {
    fn style(&self) -> LookupStyle {
        LookupStyle::Query
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<Capability> {
        Some(Capability::Network)
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        _h: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        sql::find(ev, NAMES, q, |cmd, server| self.search(cmd, server))
    }
}

/// Redis's words in the server choice it shares with the SQL types.
const NAMES: Names = Names {
    kind: "Redis",
    option: "redis_servers",
};

/// One server's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Server {
    /// The server without its password: the key of the connection cache.
    name: String,
    addr: Address,
    db: Option<String>,
    password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Address {
    Tcp(String, u16),
    Unix(String),
}

/// Splits `HOST[:PORT]/DB/PASSWORD` or `(SOCKET)/DB/PASSWORD` the way
/// redis.c does: the last two `/`-separated fields are the password and
/// the database; the error stops the search.
fn parse_server(server: &str) -> Result<Server, String> {
    let incomplete = |s: &str| format!("incomplete Redis server data: {s}");
    let (name, password) = server.rsplit_once('/').ok_or_else(|| incomplete(server))?;
    let (host, db) = name.rsplit_once('/').ok_or_else(|| incomplete(name))?;
    let (host, socket) = match host.split_once('(') {
        Some((h, s)) => (h, Some(s.split(')').next().unwrap_or(s))),
        None => (host, None),
    };
    let (host, port) = match host.split_once(':') {
        Some((h, p)) => (h, atoi(p)),
        None => (host, 6379),
    };
    if host.contains('/') {
        return Err(format!("unexpected slash in Redis server hostname: {host}"));
    }
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(Server {
        name: name.to_string(),
        addr: match socket {
            Some(path) => Address::Unix(path.to_string()),
            None => Address::Tcp(host.to_string(), port),
        },
        db: non_empty(db),
        password: non_empty(password),
    })
}

/// C's `atoi` for a port, cut to 16 bits as the port field is.
fn atoi(s: &str) -> u16 {
    crate::cnum::atoi(s.as_bytes()) as u16
}

/// Splits a command into arguments as redis.c does: white space separates,
/// a backslash makes the next character part of the argument; at most 32.
fn split_command(command: &[u8]) -> Vec<Vec<u8>> {
    let mut args = Vec::new();
    let mut s = crate::sys::trim_start(command);
    while !s.is_empty() && args.len() < MAX_ARGS {
        let mut arg = Vec::new();
        while let Some((&c, rest)) = s.split_first() {
            if is_space(c) {
                break;
            }
            s = rest;
            if c == b'\\' {
                if let Some((&next, rest)) = s.split_first() {
                    arg.push(next);
                    s = rest;
                }
            } else {
                arg.push(c);
            }
        }
        args.push(arg);
        s = crate::sys::trim_start(s);
    }
    args
}

/// A reply as Exim renders it.
fn format_reply(reply: Value) -> Outcome {
    match reply {
        Value::ServerError(e) => {
            let text = match e.details() {
                Some(d) => format!("{} {d}", e.code()),
                None => e.code().to_string(),
            };
            // A cluster redirect moves on to the next server.
            let stop = !text.starts_with("MOVED");
            defer(format!("REDIS: lookup result failed: {text}\n"), stop)
        }
        Value::Nil => Outcome::Found {
            data: Vec::new(),
            cache: false,
        },
        Value::Int(n) => found(if n != 0 { &b"true"[..] } else { b"false" }.to_vec()),
        Value::BulkString(b) => found(b),
        Value::SimpleString(s) => found(s.into_bytes()),
        Value::Okay => found(b"OK".to_vec()),
        Value::Array(items) => {
            let mut out: Option<Vec<u8>> = None;
            for item in items {
                if let Some(o) = &mut out {
                    o.push(b'\n');
                }
                match item {
                    Value::Array(inner) => {
                        for e in inner {
                            if let Some(o) = &mut out {
                                o.push(b'\n');
                            }
                            append_scalar(&mut out, e);
                        }
                    }
                    other => append_scalar(&mut out, other),
                }
            }
            out.map_or(Outcome::NotFound, found)
        }
        _ => Outcome::NotFound,
    }
}

fn found(data: Vec<u8>) -> Outcome {
    Outcome::Found {
        data: crate::eval::c_str(&data).to_vec(),
        cache: true,
    }
}

/// An array element: strings as they are, integers with `%d` (the low 32
/// bits of the 64-bit value), anything else skipped.
fn append_scalar(out: &mut Option<Vec<u8>>, v: Value) {
    match v {
        Value::Int(n) => out
            .get_or_insert_default()
            .extend_from_slice((n as i32).to_string().as_bytes()),
        Value::BulkString(b) => out.get_or_insert_default().extend_from_slice(&b),
        _ => {}
    }
}

/// The text Exim's client library gives for a failed connection:
/// `strerror` for a system error, hiredis's words for a closed connection.
fn io_text(e: &redis::RedisError) -> String {
    let text = e.to_string();
    let errno = text
        .split_once("(os error ")
        .and_then(|(_, rest)| rest.split(')').next()?.parse::<i32>().ok());
    if let Some(errno) = errno {
        crate::sys::strerror(errno)
    } else if e.is_timeout() {
        crate::sys::strerror(libc::ETIMEDOUT)
    } else if e.is_connection_dropped() {
        "Server closed the connection".into()
    } else {
        text
    }
}

impl RedisLookup {
    /// Exim's `perform_redis_search` against one server.
    fn search(&self, command: &[u8], server: &str) -> Outcome {
        let server = match parse_server(server) {
            Ok(s) => s,
            Err(m) => return defer(m, true),
        };
        let cached = self
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&server.name);
        let mut conn = match cached {
            Some(c) => Ok(c),
            None => self.connect(&server.addr),
        };
        let outcome = match &mut conn {
            Ok(c) => run(c, &server, command),
            // Exim's client reports the failed connection at the first
            // command: AUTH, SELECT or the query.
            Err(e) => Err(step_failed(&server, &io_text(e))),
        };
        match outcome {
            Ok(reply) => {
                if let Ok(c) = conn {
                    self.connections
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(server.name.clone(), c);
                }
                format_reply(reply)
            }
            Err(message) => defer(message, false),
        }
    }

    fn connect(&self, addr: &Address) -> redis::RedisResult<redis::Connection> {
        let addr = match addr {
            Address::Tcp(h, p) => ConnectionAddr::Tcp(h.clone(), *p),
            Address::Unix(path) => ConnectionAddr::Unix(path.into()),
        };
        let info = addr
            .into_connection_info()?
            .set_redis_settings(RedisConnectionInfo::default().set_skip_set_lib_name());
        let conn = redis::Client::open(info)?.get_connection_with_timeout(self.connect_timeout)?;
        conn.set_read_timeout(Some(self.io_timeout))?;
        conn.set_write_timeout(Some(self.io_timeout))?;
        Ok(conn)
    }
}

/// The message for a connection that failed before the query was sent.
fn step_failed(server: &Server, text: &str) -> String {
    if server.password.is_some() {
        format!("REDIS Authentication failed: {text}\n")
    } else if let Some(db) = &server.db {
        format!("REDIS: Selecting database={db} failed: {text}\n")
    } else {
        format!("REDIS: query failed: {text}\n")
    }
}

/// AUTH, SELECT (replies ignored), then the command; `Err` is Exim's
/// message for a broken connection.
fn run(conn: &mut redis::Connection, server: &Server, command: &[u8]) -> Result<Value, String> {
    if let Some(pw) = &server.password {
        conn.req_command(redis::cmd("AUTH").arg(pw))
            .map_err(|e| format!("REDIS Authentication failed: {}\n", io_text(&e)))?;
    }
    if let Some(db) = &server.db {
        conn.req_command(redis::cmd("SELECT").arg(db))
            .map_err(|e| format!("REDIS: Selecting database={db} failed: {}\n", io_text(&e)))?;
    }
    let mut cmd = redis::Cmd::new();
    for arg in split_command(command) {
        cmd.arg(arg);
    }
    conn.req_command(&cmd)
        .map_err(|e| format!("REDIS: query failed: {}\n", io_text(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// redis.c's argv loop: white space separates, backslash protects.
    #[test]
    fn commands_split_as_redis_c_splits_them() {
        let cases: &[(&[u8], &[&[u8]])] = &[
            (b"get keyname", &[b"get", b"keyname"]),
            (b"  set  k \t v  ", &[b"set", b"k", b"v"]),
            // test/scripts/2700: quote_redis output, one argument.
            (
                b"set keyname objvalue\\ plus",
                &[b"set", b"keyname", b"objvalue plus"],
            ),
            (b"set a\\\\b c", &[b"set", b"a\\b", b"c"]),
            (b"get a\\", &[b"get", b"a"]),
            (b"get \\x", &[b"get", b"x"]),
            (b"", &[]),
        ];
        for (cmd, want) in cases {
            let want: Vec<Vec<u8>> = want.iter().map(|a| a.to_vec()).collect();
            assert_eq!(split_command(cmd), want, "{}", String::from_utf8_lossy(cmd));
        }
        let many = (0..40).map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
        assert_eq!(split_command(many.as_bytes()).len(), 32);
    }

    /// redis.c's server parsing; spec "More about MySQL, ..., Redis".
    #[test]
    fn server_data() {
        let tcp = |h: &str, p| Address::Tcp(h.into(), p);
        let ok = |name: &str, addr, db: Option<&str>, pw: Option<&str>| {
            Ok(Server {
                name: name.into(),
                addr,
                db: db.map(str::to_string),
                password: pw.map(str::to_string),
            })
        };
        let cases = [
            // test/confs/2700
            (
                "127.0.0.1//",
                ok("127.0.0.1/", tcp("127.0.0.1", 6379), None, None),
            ),
            // test/confs/2701 (after the list's `::` became `:`)
            (
                "127.0.0.1:6380//",
                ok("127.0.0.1:6380/", tcp("127.0.0.1", 6380), None, None),
            ),
            (
                "h:7000/3/secret",
                ok("h:7000/3", tcp("h", 7000), Some("3"), Some("secret")),
            ),
            (
                "h/0/pa/ss",
                Err("unexpected slash in Redis server hostname: h/0".into()),
            ),
            (
                "(/run/redis.sock)/1/",
                ok(
                    "(/run/redis.sock)/1",
                    Address::Unix("/run/redis.sock".into()),
                    Some("1"),
                    None,
                ),
            ),
            (
                "localhost",
                Err("incomplete Redis server data: localhost".into()),
            ),
            (
                "localhost/pw",
                Err("incomplete Redis server data: localhost".into()),
            ),
            ("h:x//", ok("h:x/", tcp("h", 0), None, None)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_server(s), want, "{s}");
        }
    }

    /// redis.c's reply formatting.
    #[test]
    fn replies() {
        let s = |t: &str| Value::BulkString(t.as_bytes().to_vec());
        let f = |t: &str| Outcome::Found {
            data: t.as_bytes().to_vec(),
            cache: true,
        };
        let cases = [
            (Value::Okay, f("OK")),                   // test/stdout/2700 line 1
            (s("objvalue plus"), f("objvalue plus")), // line 2
            (
                Value::Nil,
                Outcome::Found {
                    data: vec![],
                    cache: false,
                },
            ),
            (Value::Int(1), f("true")),
            (Value::Int(0), f("false")),
            (Value::Int(-5), f("true")),
            (Value::SimpleString("PONG".into()), f("PONG")),
            (Value::Array(vec![s("a"), s("b")]), f("a\nb")),
            (Value::Array(vec![s("a"), Value::Int(7)]), f("a\n7")),
            (Value::Array(vec![Value::Int(4_294_967_298)]), f("2")),
            (Value::Array(vec![]), Outcome::NotFound),
            (
                Value::Array(vec![s("a"), Value::Array(vec![s("b"), s("c")])]),
                f("a\n\nb\nc"),
            ),
            (
                Value::Array(vec![Value::Array(vec![s("b"), Value::Int(1)]), s("c")]),
                f("b\n1\nc"),
            ),
            (Value::Array(vec![Value::Nil, s("x")]), f("x")),
            (Value::Array(vec![s("x"), Value::Nil, s("y")]), f("x\n\ny")),
            (Value::Array(vec![s(""), s("y")]), f("\ny")),
            (Value::Array(vec![Value::Nil]), Outcome::NotFound),
            (
                Value::Array(vec![
                    s("a"),
                    Value::Array(vec![Value::Array(vec![s("deep")]), s("z")]),
                ]),
                f("a\n\n\nz"),
            ),
            (s("nul\0cut"), f("nul")),
        ];
        for (reply, want) in cases {
            let shown = format!("{reply:?}");
            assert_eq!(format_reply(reply), want, "{shown}");
        }
    }

    /// lf_sqlperform's server choice, with a stand-in for the servers.
    #[test]
    fn server_selection() {
        let option = Some("first/0/:second/1/pw:third//");
        let run_tainted = |query: &str, opts: Option<&str>, option: Option<&str>, tainted: bool| {
            let mut tried = Vec::new();
            let q = LookupQuery {
                file: None,
                key: query.as_bytes(),
                opts,
                tainted,
            };
            let r = sql::perform(NAMES, option, query.as_bytes(), &q, |cmd, server| {
                tried.push(format!("{server} {}", String::from_utf8_lossy(cmd)));
                if server.starts_with("third") {
                    Outcome::Found {
                        data: b"v".to_vec(),
                        cache: true,
                    }
                } else {
                    defer(format!("down {server}"), false)
                }
            });
            (r, tried)
        };
        let run = |query: &str, opts: Option<&str>, option: Option<&str>| {
            run_tainted(query, opts, option, false)
        };
        // lf_sqlperform: a server written out in a tainted query is
        // refused; one named from redis_servers is not tainted.
        let (r, tried) = run_tainted("servers=h/0/; get k", None, option, true);
        assert_eq!(r, Err("Redis server \"h/0/\" is tainted".into()));
        assert!(tried.is_empty());
        let (r, _) = run_tainted("servers=third; get k", None, option, true);
        assert_eq!(r, Ok(Some(b"v".to_vec())));
        let (r, tried) = run("get k", None, option);
        assert_eq!(r, Ok(Some(b"v".to_vec())));
        assert_eq!(
            tried,
            ["first/0/ get k", "second/1/pw get k", "third// get k"]
        );
        let (r, tried) = run("get k", Some("servers=second:first"), option);
        assert_eq!(r, Err("down first/0/".into()));
        assert_eq!(tried.len(), 2);
        let (r, _) = run("get k", Some("servers=h//"), None);
        assert_eq!(r, Err("down h//".into()));
        let (r, tried) = run("servers=third; get k", None, option);
        assert_eq!(
            (r, tried),
            (Ok(Some(b"v".to_vec())), vec!["third//  get k".into()])
        );
        let errors = [
            (
                "get k",
                None,
                None,
                "no Redis servers defined (redis_servers option)",
            ),
            (
                "get k",
                Some("servers=nosuch"),
                option,
                "Redis server \"nosuch\" not found in redis_servers",
            ),
            (
                "servers third; x",
                None,
                option,
                "missing = after \"servers\" in Redis lookup",
            ),
            (
                "servers=third x",
                None,
                option,
                "missing ; after \"servers=\" in Redis lookup",
            ),
            (
                "servers=;x",
                None,
                option,
                "\"servers=\" defines no servers in \"servers=;x\"",
            ),
        ];
        for (q, opts, option, want) in errors {
            assert_eq!(run(q, opts, option).0, Err(want.into()), "{q}");
        }
    }
}
