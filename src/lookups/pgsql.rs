//! The `pgsql` lookup: an SQL query to a PostgreSQL server (Debian's 4.96
//! build has it), with the `postgres` crate (the synchronous client of
//! rust-postgres).
//!
//! Exim 4.96 behaviour reproduced here (`src/lookups/pgsql.c`,
//! `lf_sqlperform.c`, `lf_quote.c`; spec "More about MySQL, PostgreSQL,
//! Oracle, InterBase, and Redis"):
//! * servers come from `pgsql_servers` (or `servers=`, see [`super::sql`]):
//!   `HOST[:PORT]/DATABASE/USER/PASSWORD` or `(SOCKET-PATH)/DATABASE/USER/
//!   PASSWORD`, the last three fields split off at the last slashes; a
//!   socket path `/DIR/.s.PGSQL.PORT` is the directory and the port; an
//!   empty host is the default socket directory, an empty port 5432, an
//!   empty database the user's;
//! * bad server data stops the search; a connection that fails is
//!   `PGSQL connection failed: ` and libpq's message, and the next server
//!   is tried;
//! * the query's last statement decides the result: rows are joined with
//!   newlines, a single column as its value (NULL is empty), several as
//!   `name=value ` pairs ([`super::sql::lf_quote`]); no rows is not found;
//!   a statement without rows gives libpq's `PQcmdTuples` (the affected
//!   rows of `INSERT`, `UPDATE`, `DELETE`, ...), not cached; a statement
//!   without a count (`CREATE TABLE`) is not found;
//! * a server error is `PGSQL: query failed: MESSAGE (PGRES_FATAL_ERROR)
//!   (QUERY)` and a newline, MESSAGE formatted as libpq formats it
//!   (severity, message, the `LINE n:` cursor, `DETAIL`, `HINT`, `QUERY`,
//!   `CONTEXT`).
//!
//! Exim sets no timeouts; here connecting is bounded
//! ([`PgsqlLookup::with_timeout`]), and a broken connection's socket
//! times out on unacknowledged data.  Connections are kept for reuse, by
//! server without its password, as Exim keeps them.
//!
//! Not reproduced: the client encoding is UTF8 (rust-postgres requires
//! it) where Exim asks for SQL_ASCII, so a database in another encoding
//! than UTF8 converts text where Exim would not; `PQcmdTuples` for a
//! statement that affected no rows is guessed from its first keyword.

use super::sql::{self, Names, Outcome, defer};
use crate::eval::{Capability, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;
use postgres::error::ErrorPosition;
use postgres::{Client, NoTls, SimpleQueryMessage};
use std::collections::HashMap;
use std::net::{IpAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::time::Duration;

const NAMES: Names = Names {
    kind: "PostgreSQL",
    option: "pgsql_servers",
};

/// libpq's default socket directory on Debian.
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// The `pgsql` lookup type.
pub struct PgsqlLookup {
    connect_timeout: Duration,
    connections: Mutex<HashMap<String, Client>>,
}

impl std::fmt::Debug for PgsqlLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgsqlLookup")
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl Default for PgsqlLookup {
    fn default() -> PgsqlLookup {
        PgsqlLookup::with_timeout(Duration::from_secs(5))
    }
}

impl PgsqlLookup {
    /// A `pgsql` lookup that gives up connecting to a server after
    /// `connect`.
    pub fn with_timeout(connect: Duration) -> PgsqlLookup {
        PgsqlLookup {
            connect_timeout: connect,
            connections: Mutex::new(HashMap::new()),
        }
    }
}

impl Lookup for PgsqlLookup {
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
    host: Host,
    /// As written (libpq checks it when connecting); empty for the default.
    port: String,
    database: Option<String>,
    user: String,
    password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    /// A host name or address; empty for the default socket directory.
    Name(String),
    /// A socket directory.
    Socket(String),
}

/// Splits server data as pgsql.c does; the error stops the search.
fn parse_server(server: &str) -> Result<Server, String> {
    let incomplete = |s: &str| format!("incomplete pgSQL server data: {s}");
    let (rest, password) = server.rsplit_once('/').ok_or_else(|| incomplete(server))?;
    let name = rest.to_string();
    let (rest, user) = rest.rsplit_once('/').ok_or_else(|| incomplete(&name))?;
    let (host, database) = rest.rsplit_once('/').ok_or_else(|| incomplete(&name))?;
    let (host, port) = if let Some(path) = host.strip_prefix('(') {
        let path = path.split(')').next().unwrap_or(path);
        match (path.rfind('/'), path.rfind('.')) {
            (Some(slash), Some(dot)) => (
                Host::Socket(path[..slash].to_string()),
                path[dot + 1..].to_string(),
            ),
            _ => return Err(format!("PGSQL invalid filename for socket: {path}")),
        }
    } else {
        let (h, p) = host.split_once(':').unwrap_or((host, ""));
        if h.contains('/') {
            return Err(format!("unexpected slash in pgSQL server hostname: {h}"));
        }
        (Host::Name(h.to_string()), p.to_string())
    };
    Ok(Server {
        name,
        host,
        port,
        database: (!database.is_empty()).then(|| database.to_string()),
        user: user.to_string(),
        password: password.to_string(),
    })
}

impl PgsqlLookup {
    /// Exim's `perform_pgsql_search` against one server.
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
        let mut client = match cached {
            Some(c) => c,
            None => match self.connect(&server) {
                Ok(c) => c,
                Err(m) => return defer(format!("PGSQL connection failed: {m}"), false),
            },
        };
        let text = String::from_utf8_lossy(query);
        let result = client.simple_query(&text);
        let keep = !client.is_closed();
        if keep {
            self.connections
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(server.name.clone(), client);
        }
        match result {
            Ok(messages) => format_result(&text, messages),
            Err(e) => {
                let message = match e.as_db_error() {
                    Some(db) => libpq_message(db, Some(text.as_bytes())),
                    None => "server closed the connection unexpectedly\n\
                             \tThis probably means the server terminated abnormally\n\
                             \tbefore or while processing the request.\n"
                        .to_string(),
                };
                defer(
                    format!("PGSQL: query failed: {message} (PGRES_FATAL_ERROR) ({text})\n"),
                    false,
                )
            }
        }
    }

    /// libpq's `PQsetdbLogin`: every address of the host in turn; the
    /// error is libpq's message for all the attempts.
    fn connect(&self, server: &Server) -> Result<Client, String> {
        let port = match server.port.as_str() {
            "" => 5432,
            p => match p.trim_end().parse::<i64>() {
                Ok(n) if (1..=65535).contains(&n) => n as u16,
                Ok(_) => return Err(format!("invalid port number: \"{p}\"\n")),
                Err(_) => {
                    return Err(format!(
                        "invalid integer value \"{p}\" for connection option \"port\"\n"
                    ));
                }
            },
        };
        let mut config = postgres::Config::new();
        config.port(port).connect_timeout(self.connect_timeout);
        config.tcp_user_timeout(Duration::from_secs(30));
        if !server.user.is_empty() {
            config.user(&server.user);
        }
        if !server.password.is_empty() {
            config.password(&server.password);
        }
        if let Some(db) = &server.database {
            config.dbname(db);
        }
        let socket = |dir: &str| {
            let mut c = config.clone();
            c.host_path(dir);
            let label = format!("on socket \"{dir}/.s.PGSQL.{port}\"");
            vec![(c, label, true)]
        };
        let attempts = match &server.host {
            Host::Socket(dir) => socket(dir),
            Host::Name(h) if h.is_empty() => socket(DEFAULT_SOCKET_DIR),
            Host::Name(h) if h.starts_with('/') => socket(h),
            Host::Name(h) => {
                let addrs: Vec<IpAddr> = match h.parse::<IpAddr>() {
                    Ok(ip) => vec![ip],
                    Err(_) => match (h.as_str(), port).to_socket_addrs() {
                        Ok(a) => a.map(|a| a.ip()).collect(),
                        Err(e) => {
                            let text = e.to_string();
                            let text = text
                                .strip_prefix("failed to lookup address information: ")
                                .unwrap_or(&text);
                            return Err(format!(
                                "could not translate host name \"{h}\" to address: {text}\n"
                            ));
                        }
                    },
                };
                addrs
                    .into_iter()
                    .map(|ip| {
                        let mut c = config.clone();
                        c.host(h).hostaddr(ip);
                        let label = if h.parse::<IpAddr>().is_ok() {
                            format!("at \"{h}\", port {port}")
                        } else {
                            format!("at \"{h}\" ({ip}), port {port}")
                        };
                        (c, label, false)
                    })
                    .collect()
            }
        };
        let mut message = String::new();
        for (c, label, unix) in attempts {
            match c.connect(NoTls) {
                Ok(client) => return Ok(client),
                Err(e) => {
                    message.push_str(&format!("connection to server {label} failed: "));
                    message.push_str(&connect_error_text(&e, unix));
                }
            }
        }
        Err(message)
    }
}

/// libpq's words for one failed connection attempt.
fn connect_error_text(e: &postgres::Error, unix: bool) -> String {
    if let Some(db) = e.as_db_error() {
        return libpq_message(db, None);
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let text = match io.raw_os_error() {
                Some(errno) => crate::sys::strerror(errno),
                None if io.kind() == std::io::ErrorKind::TimedOut => {
                    return "timeout expired\n".into();
                }
                None => io.to_string(),
            };
            return if unix {
                format!(
                    "{text}\n\tIs the server running locally and accepting connections on that socket?\n"
                )
            } else {
                format!(
                    "{text}\n\tIs the server running on that host and accepting TCP/IP connections?\n"
                )
            };
        }
        source = s.source();
    }
    let text = e.to_string();
    if text.contains("timeout") {
        "timeout expired\n".into()
    } else {
        format!("{text}\n")
    }
}

/// What the query's last statement gave.
enum Last {
    Rows(Vec<String>, Vec<postgres::SimpleQueryRow>),
    /// `PQcmdTuples` of a statement without rows.
    Command(String),
}

/// The result of the query's last statement, as Exim renders it.
fn format_result(query: &str, messages: Vec<SimpleQueryMessage>) -> Outcome {
    let mut columns: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut last = None;
    for m in messages {
        match m {
            SimpleQueryMessage::RowDescription(c) => {
                columns = Some(c.iter().map(|c| c.name().to_string()).collect());
            }
            SimpleQueryMessage::Row(r) => rows.push(r),
            SimpleQueryMessage::CommandComplete(n) => {
                last = Some(match columns.take() {
                    Some(c) => Last::Rows(c, std::mem::take(&mut rows)),
                    None => Last::Command(cmd_tuples(query, n)),
                });
            }
            _ => {}
        }
    }
    let (columns, rows) = match last {
        Some(Last::Rows(c, r)) => (c, r),
        // No count (`CREATE`, ...): nothing found, as Exim finds nothing
        // in an empty string.
        Some(Last::Command(count)) if count.is_empty() => return Outcome::NotFound,
        Some(Last::Command(count)) => {
            return Outcome::Found {
                data: count.into_bytes(),
                cache: false,
            };
        }
        // An empty query.
        None => return Outcome::NotFound,
    };
    let mut out: Option<Vec<u8>> = None;
    for row in rows {
        if let Some(o) = &mut out {
            o.push(b'\n');
        }
        let o = out.get_or_insert_default();
        if columns.len() == 1 {
            o.extend_from_slice(row.get(0).unwrap_or_default().as_bytes());
        } else {
            for (j, name) in columns.iter().enumerate() {
                let value = row.get(j).unwrap_or_default().as_bytes();
                sql::lf_quote(o, name.as_bytes(), Some(value));
            }
        }
    }
    match out {
        Some(data) => Outcome::Found {
            data: crate::eval::c_str(&data).to_vec(),
            cache: true,
        },
        None => Outcome::NotFound,
    }
}

/// libpq's `PQcmdTuples`: the row count of the command tag for the
/// commands that have one, else empty.  rust-postgres gives only the
/// count (0 for tags without one), so a count of 0 is told apart from no
/// count by the last statement's first keyword.
fn cmd_tuples(query: &str, n: u64) -> String {
    if n > 0 {
        return n.to_string();
    }
    let last = query
        .trim_end_matches(|c: char| c.is_ascii_whitespace() || c == ';')
        .rsplit(';')
        .next()
        .unwrap_or_default();
    let word: String = last
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    match word.as_str() {
        "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "MOVE" | "FETCH" | "COPY" | "SELECT"
        | "WITH" => "0".into(),
        "CREATE" if last.to_ascii_uppercase().contains(" AS ") => "0".into(),
        _ => String::new(),
    }
}

/// libpq's `pqBuildErrorMessage3` at the default verbosity, for an error
/// result (`query`: the query sent, for the cursor line).
fn libpq_message(db: &postgres::error::DbError, query: Option<&[u8]>) -> String {
    let mut msg = Vec::new();
    msg.extend_from_slice(format!("{}:  {}", db.severity(), db.message()).as_bytes());
    let mut cursor: Option<(Vec<u8>, u32)> = None;
    let mut internal_query = None;
    match db.position() {
        Some(ErrorPosition::Original(p)) => match query {
            Some(q) => cursor = Some((q.to_vec(), *p)),
            None => msg.extend_from_slice(format!(" at character {p}").as_bytes()),
        },
        Some(ErrorPosition::Internal { position, query }) => {
            cursor = Some((query.as_bytes().to_vec(), *position));
            internal_query = Some(query.clone());
        }
        None => {}
    }
    msg.push(b'\n');
    if let Some((q, pos)) = cursor
        && pos > 0
    {
        report_error_position(&mut msg, &q, pos as usize);
    }
    let mut line = |label: &str, v: Option<&str>| {
        if let Some(v) = v {
            msg.extend_from_slice(format!("{label}:  {v}\n").as_bytes());
        }
    };
    line("DETAIL", db.detail());
    line("HINT", db.hint());
    line("QUERY", internal_query.as_deref());
    line("CONTEXT", db.where_());
    String::from_utf8_lossy(&msg).into_owned()
}

/// libpq's `reportErrorPosition` for a single-byte client encoding (what
/// Exim asks for): the query's line holding the cursor, cut to 60
/// columns, and a `^` under the position.
fn report_error_position(msg: &mut Vec<u8>, query: &[u8], pos: usize) {
    const DISPLAY_SIZE: usize = 60;
    const MIN_RIGHT_CUT: usize = 10;
    let loc = pos - 1;
    let wquery: Vec<u8> = query
        .iter()
        .map(|&c| if c == b'\t' { b' ' } else { c })
        .collect();
    let cno = wquery.len();
    let mut loc_line = 1;
    let mut ibeg = 0;
    let mut iend = None;
    for (i, &c) in wquery.iter().enumerate() {
        if c == b'\r' || c == b'\n' {
            if i < loc {
                if c == b'\r' || i == 0 || wquery[i - 1] != b'\r' {
                    loc_line += 1;
                }
                ibeg = i + 1;
            } else if iend.is_none() {
                iend = Some(i);
            }
        }
    }
    let mut iend = iend.unwrap_or(cno);
    if loc > cno {
        return;
    }
    let (mut beg_trunc, mut end_trunc) = (false, false);
    if iend - ibeg > DISPLAY_SIZE {
        if ibeg + DISPLAY_SIZE >= loc + MIN_RIGHT_CUT {
            while iend - ibeg > DISPLAY_SIZE {
                iend -= 1;
            }
            end_trunc = true;
        } else {
            while loc + MIN_RIGHT_CUT < iend {
                iend -= 1;
                end_trunc = true;
            }
            while iend - ibeg > DISPLAY_SIZE {
                ibeg += 1;
                beg_trunc = true;
            }
        }
    }
    let mut prefix = format!("LINE {loc_line}: ");
    if beg_trunc {
        prefix.push_str("...");
    }
    msg.extend_from_slice(prefix.as_bytes());
    msg.extend_from_slice(&wquery[ibeg..iend]);
    if end_trunc {
        msg.extend_from_slice(b"...");
    }
    msg.push(b'\n');
    msg.extend(std::iter::repeat_n(b' ', prefix.len() + loc - ibeg));
    msg.extend_from_slice(b"^\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_data() {
        let s = parse_server("127.0.0.1:5433/db/user/pw").unwrap();
        assert_eq!(s.name, "127.0.0.1:5433/db/user");
        assert_eq!(s.host, Host::Name("127.0.0.1".into()));
        assert_eq!(s.port, "5433");
        assert_eq!(s.database.as_deref(), Some("db"));
        let s = parse_server("(/tmp/x/.s.PGSQL.5999)/db/u/").unwrap();
        assert_eq!(s.host, Host::Socket("/tmp/x".into()));
        assert_eq!(s.port, "5999");
        assert_eq!(
            parse_server("a/b"),
            Err("incomplete pgSQL server data: a".into())
        );
        assert_eq!(
            parse_server("nopw"),
            Err("incomplete pgSQL server data: nopw".into())
        );
        assert_eq!(
            parse_server("h/x/db/u/p"),
            Err("unexpected slash in pgSQL server hostname: h/x".into())
        );
        assert_eq!(
            parse_server("(/tmp/sock)/db/u/p"),
            Err("PGSQL invalid filename for socket: /tmp/sock".into())
        );
    }

    #[test]
    fn cursor_line() {
        let mut m = Vec::new();
        report_error_position(&mut m, b"SELEC 1", 1);
        assert_eq!(String::from_utf8_lossy(&m), "LINE 1: SELEC 1\n        ^\n");
        let mut m = Vec::new();
        report_error_position(&mut m, b"SELECT 1\nFROM nosuch", 15);
        assert_eq!(
            String::from_utf8_lossy(&m),
            "LINE 2: FROM nosuch\n             ^\n"
        );
    }

    #[test]
    fn command_counts() {
        assert_eq!(cmd_tuples("INSERT INTO t VALUES (1)", 1), "1");
        assert_eq!(cmd_tuples("UPDATE t SET a=1 WHERE false", 0), "0");
        assert_eq!(cmd_tuples("CREATE TABLE t (a int)", 0), "");
        assert_eq!(cmd_tuples("", 0), "");
    }
}
