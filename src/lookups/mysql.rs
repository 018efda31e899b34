//! The `mysql` lookup: an SQL query to a MySQL or MariaDB server (Debian's
//! 4.96 build has it, linked with MariaDB's Connector/C), with the `mysql`
//! crate's synchronous client.
//!
//! Exim 4.96 behaviour reproduced here (`src/lookups/mysql.c`,
//! `lf_sqlperform.c`, `lf_quote.c`; spec "More about MySQL, PostgreSQL,
//! Oracle, InterBase, and Redis"):
//! * servers come from `mysql_servers` (or `servers=`, see [`super::sql`]):
//!   `HOST[:PORT][(SOCKET)][[GROUP]]/DATABASE/USER/PASSWORD`, the last
//!   three fields split off at the last slashes; an empty host or
//!   `localhost` is the unix socket (the one given, else the default), a
//!   port of 0 is 3306, an empty database none;
//! * bad server data stops the search; a connection that fails is
//!   `MYSQL connection failed: ` and the client library's message, and the
//!   next server is tried;
//! * rows are joined with newlines; a single column as its value (a NULL
//!   adds nothing), several as `name=value ` pairs
//!   ([`super::sql::lf_quote`]); no rows is not found; a statement without
//!   a result set gives the affected-row count and is not cached;
//! * a server error is `MYSQL: query failed: MESSAGE` and a newline.
//!
//! Exim sets no timeouts; here connecting, reading and writing are
//! bounded ([`MysqlLookup::with_timeouts`]).  Connections are kept for
//! reuse, by server without its password, as Exim keeps them.
//!
//! Not reproduced: the option group (`[GROUP]`, `exim` by default) of the
//! MySQL option files is not read; the crate always asks the server for
//! multi-statement queries, so `SELECT 1; SELECT 2` runs (its first
//! result is used) where Exim gets a syntax error.

use super::sql::{self, Names, Outcome, defer};
use crate::eval::{Capability, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;
use mysql::prelude::Queryable;
use std::collections::HashMap;
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::time::Duration;

const NAMES: Names = Names {
    kind: "MySQL",
    option: "mysql_servers",
};

/// The client library's default socket on Debian.
const DEFAULT_SOCKET: &str = "/run/mysqld/mysqld.sock";

/// The `mysql` lookup type.
pub struct MysqlLookup {
    connect_timeout: Duration,
    io_timeout: Duration,
    connections: Mutex<HashMap<String, mysql::Conn>>,
}

impl std::fmt::Debug for MysqlLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlLookup")
            .field("connect_timeout", &self.connect_timeout)
            .field("io_timeout", &self.io_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for MysqlLookup {
    fn default() -> MysqlLookup {
        MysqlLookup::with_timeouts(Duration::from_secs(5), Duration::from_secs(30))
    }
}

impl MysqlLookup {
    /// A `mysql` lookup that gives up connecting after `connect` and
    /// waiting for a reply (or to send) after `io`.
    pub fn with_timeouts(connect: Duration, io: Duration) -> MysqlLookup {
        MysqlLookup {
            connect_timeout: connect,
            io_timeout: io,
            connections: Mutex::new(HashMap::new()),
        }
    }
}

impl Lookup for MysqlLookup {
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
        sql::find(ev, NAMES, q, |query, server| self.search(query, server))
    }
}

/// One server's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Server {
    /// The server without its password: the key of the connection cache.
    name: String,
    host: String,
    port: u16,
    socket: Option<String>,
    database: Option<String>,
    user: String,
    password: String,
}

/// Splits server data as mysql.c does; the error stops the search.
fn parse_server(server: &str) -> Result<Server, String> {
    let incomplete = |s: &str| format!("incomplete MySQL server data: {s}");
    let (rest, password) = server.rsplit_once('/').ok_or_else(|| incomplete(server))?;
    let name = rest.to_string();
    let (rest, user) = rest.rsplit_once('/').ok_or_else(|| incomplete(&name))?;
    let (host, database) = rest.rsplit_once('/').ok_or_else(|| incomplete(&name))?;
    let mut host = host;
    if let Some((h, _group)) = host.split_once('[') {
        host = h;
    }
    let mut socket = None;
    if let Some((h, s)) = host.split_once('(') {
        socket = Some(s.split(')').next().unwrap_or(s).to_string());
        host = h;
    }
    let mut port = 0;
    if let Some((h, p)) = host.split_once(':') {
        port = crate::cnum::atoi(p.as_bytes()) as u16;
        host = h;
    }
    if host.contains('/') {
        return Err(format!("unexpected slash in MySQL server hostname: {host}"));
    }
    Ok(Server {
        name,
        host: host.to_string(),
        port,
        socket,
        database: (!database.is_empty()).then(|| database.to_string()),
        user: user.to_string(),
        password: password.to_string(),
    })
}

impl MysqlLookup {
    /// Exim's `perform_mysql_search` against one server.
    fn search(&self, query: &[u8], server: &str) -> Outcome {
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
            Some(c) => c,
            None => match self.connect(&server) {
                Ok(c) => c,
                Err(m) => return defer(format!("MYSQL connection failed: {m}"), false),
            },
        };
        let (outcome, keep) = run(&mut conn, query);
        if keep {
            self.connections
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(server.name.clone(), conn);
        }
        outcome
    }

    /// `mysql_real_connect`: the unix socket for `localhost` (or no host),
    /// else each address of the host in turn.
    fn connect(&self, server: &Server) -> Result<mysql::Conn, String> {
        let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let base = mysql::OptsBuilder::new()
            .user(non_empty(&server.user))
            .pass(non_empty(&server.password))
            .db_name(server.database.clone())
            .tcp_connect_timeout(Some(self.connect_timeout))
            .read_timeout(Some(self.io_timeout))
            .write_timeout(Some(self.io_timeout))
            .prefer_socket(false)
            .stmt_cache_size(Some(0));
        if server.host.is_empty() || server.host == "localhost" {
            let path = server.socket.as_deref().unwrap_or(DEFAULT_SOCKET);
            let opts = base.socket(Some(path));
            return mysql::Conn::new(opts).map_err(|e| {
                connect_error(&e, |errno| {
                    format!("Can't connect to local server through socket '{path}' ({errno})")
                })
            });
        }
        let host = &server.host;
        let port = if server.port == 0 { 3306 } else { server.port };
        let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => match (host.as_str(), port).to_socket_addrs() {
                Ok(a) => a.map(|a| a.ip()).collect(),
                Err(e) => {
                    return Err(format!(
                        "Unknown server host '{host}' ({})",
                        gai_code(&e.to_string())
                    ));
                }
            },
        };
        let mut message = String::new();
        for ip in addrs {
            let opts = base
                .clone()
                .ip_or_hostname(Some(ip.to_string()))
                .tcp_port(port);
            match mysql::Conn::new(opts) {
                Ok(c) => return Ok(c),
                Err(e) => {
                    // The client library connects without blocking: a refused
                    // connection shows the errno of that connect()
                    // (EINPROGRESS).
                    message = connect_error(&e, |errno| {
                        let errno = if errno == libc::ETIMEDOUT {
                            errno
                        } else {
                            libc::EINPROGRESS
                        };
                        format!("Can't connect to server on '{host}' ({errno})")
                    });
                    if matches!(e, mysql::Error::MySqlError(_)) {
                        break;
                    }
                }
            }
        }
        Err(message)
    }
}

/// The client library's message for a failed connection: the server's
/// error, or `refused(errno)` for a system error.
fn connect_error(e: &mysql::Error, refused: impl Fn(i32) -> String) -> String {
    match e {
        mysql::Error::MySqlError(m) => m.message.clone(),
        mysql::Error::DriverError(mysql::DriverError::CouldNotConnect(Some((_, text, kind)))) => {
            let errno = text
                .split_once("(os error ")
                .and_then(|(_, rest)| rest.split(')').next()?.parse::<i32>().ok());
            refused(match errno {
                Some(n) => n,
                None if *kind == std::io::ErrorKind::TimedOut => libc::ETIMEDOUT,
                None => 0,
            })
        }
        mysql::Error::IoError(io) => match io.raw_os_error() {
            Some(errno) => refused(errno),
            None if io.kind() == std::io::ErrorKind::TimedOut => refused(libc::ETIMEDOUT),
            None => refused(0),
        },
        other => other.to_string(),
    }
}

/// getaddrinfo's error code for its message (the client library shows
/// the code).
fn gai_code(text: &str) -> i32 {
    if text.contains("Name or service not known") {
        libc::EAI_NONAME
    } else if text.contains("Temporary failure") {
        libc::EAI_AGAIN
    } else if text.contains("No address associated") {
        -5
    } else {
        libc::EAI_FAIL
    }
}

/// Runs the query; the outcome, and whether the connection can be kept.
fn run(conn: &mut mysql::Conn, query: &[u8]) -> (Outcome, bool) {
    let text = String::from_utf8_lossy(query);
    let failed = |e: &mysql::Error| {
        let keep = matches!(e, mysql::Error::MySqlError(_));
        let message = match e {
            mysql::Error::MySqlError(m) => m.message.clone(),
            mysql::Error::IoError(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                "Lost connection to server during query".into()
            }
            mysql::Error::IoError(_) => "Server has gone away".into(),
            other => other.to_string(),
        };
        (
            defer(format!("MYSQL: query failed: {message}\n"), false),
            keep,
        )
    };
    let mut result = match conn.query_iter(text.as_ref()) {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    let mut outcome = None;
    // The first result set is the answer; the others are read and dropped.
    while let Some(set) = result.iter() {
        let columns = set.columns();
        let names: Vec<Vec<u8>> = columns
            .as_ref()
            .iter()
            .map(|c| c.name_ref().to_vec())
            .collect();
        let affected = set.affected_rows();
        let mut out: Option<Vec<u8>> = None;
        for row in set {
            let row = match row {
                Ok(r) => r,
                Err(e) => return failed(&e),
            };
            if outcome.is_some() {
                continue;
            }
            if let Some(o) = &mut out {
                o.push(b'\n');
            }
            let value = |i: usize| match row.as_ref(i) {
                Some(mysql::Value::Bytes(b)) => Some(b.clone()),
                Some(mysql::Value::NULL) | None => None,
                Some(v) => Some(v.as_sql(true).into_bytes()),
            };
            if names.len() != 1 {
                let o = out.get_or_insert_default();
                for (i, name) in names.iter().enumerate() {
                    sql::lf_quote(o, name, value(i).as_deref());
                }
            } else if let Some(v) = value(0) {
                out.get_or_insert_default().extend_from_slice(&v);
            }
        }
        if outcome.is_none() {
            outcome = Some(if names.is_empty() {
                Outcome::Found {
                    data: affected.to_string().into_bytes(),
                    cache: false,
                }
            } else {
                match out {
                    Some(data) => Outcome::Found {
                        data: crate::eval::c_str(&data).to_vec(),
                        cache: true,
                    },
                    None => Outcome::NotFound,
                }
            });
        }
    }
    (outcome.unwrap_or(Outcome::NotFound), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_data() {
        let s = parse_server("127.0.0.1:3307/db/user/pw").unwrap();
        assert_eq!(s.name, "127.0.0.1:3307/db/user");
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 3307));
        let s = parse_server("localhost(/tmp/m.sock)[grp]/db/u/").unwrap();
        assert_eq!(s.host, "localhost");
        assert_eq!(s.socket.as_deref(), Some("/tmp/m.sock"));
        assert_eq!(s.password, "");
        let s = parse_server(":x(/tmp/a/b.sock)/d/u/p").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("", 0));
        assert_eq!(
            parse_server("a/b"),
            Err("incomplete MySQL server data: a".into())
        );
        assert_eq!(
            parse_server("h/x/db/u/p"),
            Err("unexpected slash in MySQL server hostname: h/x".into())
        );
    }
}
