//! The `sqlite` lookup: run an SQL query against an SQLite database file.
//!
//! Exim 4.96 behaviour reproduced here:
//! * the file comes from a `file=` option or, failing that, from the start
//!   of the query: leading white space is skipped and, if the query then
//!   starts with `/`, everything up to the next white space is the file name
//!   and the white space after it is skipped too;
//! * a missing, empty or relative file name gives `absolute file name
//!   expected for "sqlite" lookup`; an absolute name that does not exist is
//!   created (empty) by `sqlite3_open`, whose error text is the message when
//!   opening fails;
//! * the query runs through `sqlite3_exec` (so several `;`-separated
//!   statements may run, their rows accumulating); any SQL error, even after
//!   some rows, and a query giving no rows are plain lookup failures, as is
//!   an empty query;
//! * one column: the values of all rows joined by newlines; several columns:
//!   per row `NAME=VALUE ` for each column (note the trailing space), rows
//!   joined by newlines; a value is quoted as `"…"` (with `\` before `"` and
//!   `\`) when it is empty, contains space, tab, CR or LF, or starts with
//!   `"`; SQL NULL is `<NULL>`;
//! * values, column names, file name and query are C strings: each ends at
//!   its first NUL byte (so a blob `x'41004243'` reads as `A`).

use crate::sys::is_space;
use rusqlite::ffi;
use std::ffi::{CStr, CString, c_char, c_int, c_void};

/// Exim's `sqlite_lock_timeout` default, 5 seconds, in milliseconds.
const BUSY_TIMEOUT_MS: c_int = 5000;

/// `sqlite3_db_config` option for the digits of REAL values rendered as
/// text (SQLite 3.52 and later).
const SQLITE_DBCONFIG_FP_DIGITS: c_int = 1023;

/// Debian's SQLite 3.40 renders REAL values with 15 significant digits
/// (`%!.15g`); the bundled SQLite defaults to 17.
const FP_DIGITS: c_int = 15;

const NOT_ABSOLUTE: &str = "absolute file name expected for \"sqlite\" lookup";

/// Runs `query` against the database `file` (from a `file=` option), or
/// against the file named at the start of `query` when `file` is `None`.
/// `Ok(None)` means the lookup failed (no rows, SQL error, empty query);
/// `Err` carries Exim's message for a missing or unopenable file.
pub fn find(file: Option<&[u8]>, query: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let query = crate::eval::c_str(query);
    let query = crate::sys::trim_start(query);
    let (file, query) = match file {
        Some(f) => (Some(crate::eval::c_str(f)), query),
        None if query.first() == Some(&b'/') => {
            let end = query
                .iter()
                .position(|&b| is_space(b))
                .unwrap_or(query.len());
            (Some(&query[..end]), crate::sys::trim_start(&query[end..]))
        }
        None => (None, query),
    };
    let file = match file {
        Some(f) if f.first() == Some(&b'/') => f,
        _ => return Err(NOT_ABSOLUTE.to_string()),
    };
    let db = Db::open(file)?;
    if query.is_empty() {
        return Ok(None);
    }
    Ok(db.exec(query))
}

/// An open database handle, closed on drop.
struct Db(*mut ffi::sqlite3);

impl Db {
    fn open(file: &[u8]) -> Result<Db, String> {
        let cfile = CString::new(file).map_err(|_| NOT_ABSOLUTE.to_string())?;
        let mut handle: *mut ffi::sqlite3 = std::ptr::null_mut();
        // SAFETY: the file name is NUL-terminated and `handle` is a valid
        // place for sqlite3_open to store the connection pointer.
        let rc = unsafe { ffi::sqlite3_open(cfile.as_ptr(), &mut handle) };
        let db = Db(handle);
        if rc != ffi::SQLITE_OK {
            let msg = if handle.is_null() {
                "out of memory".to_string()
            } else {
                // SAFETY: the handle is a connection sqlite3_open returned;
                // sqlite3_errmsg gives a NUL-terminated string owned by it,
                // copied before the handle is closed.
                unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(handle)) }
                    .to_string_lossy()
                    .into_owned()
            };
            return Err(msg);
        }
        // SAFETY: the handle is an open connection; FP_DIGITS takes an int
        // and a (here null) int pointer.
        unsafe {
            ffi::sqlite3_busy_timeout(handle, BUSY_TIMEOUT_MS);
            ffi::sqlite3_db_config(
                handle,
                SQLITE_DBCONFIG_FP_DIGITS,
                FP_DIGITS,
                std::ptr::null_mut::<c_int>(),
            );
        }
        Ok(db)
    }

    /// Runs the statements, collecting rows the way Exim's callback does.
    fn exec(&self, query: &[u8]) -> Option<Vec<u8>> {
        let cquery = CString::new(query).ok()?;
        let mut acc: Option<Vec<u8>> = None;
        let mut errmsg: *mut c_char = std::ptr::null_mut();
        // SAFETY: the connection is open, the query is NUL-terminated, the
        // callback matches sqlite3_exec's contract and `acc` outlives the
        // call; the error message is freed with sqlite3_free.
        let rc = unsafe {
            let rc = ffi::sqlite3_exec(
                self.0,
                cquery.as_ptr(),
                Some(row_callback),
                (&mut acc as *mut Option<Vec<u8>>).cast::<c_void>(),
                &mut errmsg,
            );
            if !errmsg.is_null() {
                ffi::sqlite3_free(errmsg.cast::<c_void>());
            }
            rc
        };
        if rc != ffi::SQLITE_OK {
            return None;
        }
        acc
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the handle came from sqlite3_open and is closed once.
            unsafe { ffi::sqlite3_close(self.0) };
        }
    }
}

/// sqlite3_exec's per-row callback: appends one row to the accumulator.
unsafe extern "C" fn row_callback(
    arg: *mut c_void,
    argc: c_int,
    argv: *mut *mut c_char,
    names: *mut *mut c_char,
) -> c_int {
    if arg.is_null() {
        return 0;
    }
    // SAFETY: `arg` is the `Option<Vec<u8>>` passed by `Db::exec`.
    let acc = unsafe { &mut *arg.cast::<Option<Vec<u8>>>() };
    let n = usize::try_from(argc).unwrap_or(0);
    // SAFETY: sqlite passes `argc` value and name pointers (values may be
    // null for SQL NULL), valid for the duration of the callback.
    let (values, cols): (Vec<Option<&[u8]>>, Vec<&[u8]>) = unsafe {
        (0..n)
            .map(|i| (c_bytes(*argv.add(i)), c_bytes(*names.add(i)).unwrap_or(b"")))
            .unzip()
    };
    format_row(acc, &values, &cols);
    0
}

/// Appends one row to the accumulator: a newline before every row but the
/// first, then the single value, or `NAME=VALUE ` pairs for several columns.
fn format_row(acc: &mut Option<Vec<u8>>, values: &[Option<&[u8]>], cols: &[&[u8]]) {
    let out = match acc {
        Some(out) => {
            out.push(b'\n');
            out
        }
        None => acc.insert(Vec::new()),
    };
    if values.len() > 1 {
        for (value, name) in values.iter().zip(cols) {
            quote_pair(out, name, value.unwrap_or(b"<NULL>"));
        }
    } else {
        out.extend_from_slice(values.first().copied().flatten().unwrap_or(b"<NULL>"));
    }
}

/// Exim's `NAME=VALUE ` formatting for multi-column results.
fn quote_pair(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.push(b'=');
    let needs_quotes = value.is_empty()
        || value.first() == Some(&b'"')
        || value
            .iter()
            .any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    if needs_quotes {
        out.push(b'"');
        for &b in value {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
    out.push(b' ');
}

/// The bytes of a C string, `None` for a null pointer.
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string.
unsafe fn c_bytes<'a>(p: *const c_char) -> Option<&'a [u8]> {
    if p.is_null() {
        None
    } else {
        // SAFETY: guaranteed by the caller.
        Some(unsafe { CStr::from_ptr(p) }.to_bytes())
    }
}

// SAFETY: the bundled SQLite is built thread-safe (SQLITE_THREADSAFE=1,
// serialized), so a connection may be used from another thread; the
// engine hands it to one lookup at a time (behind a mutex).
unsafe impl Send for Db {}

/// The `sqlite` lookup type: a query, with the file first or in `file=`;
/// the database is opened once and kept for the session's later queries.
#[derive(Debug)]
pub(crate) struct SqliteLookup;

impl crate::eval::Lookup for SqliteLookup {
    fn style(&self) -> crate::parser::LookupStyle {
        crate::parser::LookupStyle::AbsFileQuery
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<crate::eval::Capability> {
        Some(crate::eval::Capability::Files)
    }

    fn open(
        &self,
        _ev: &mut crate::eval::Evaluator,
        file: Option<&[u8]>,
    ) -> Result<crate::eval::LookupHandle, crate::eval::LookupFailure> {
        let file = file.map(crate::eval::c_str).filter(|f| !f.is_empty());
        match file {
            Some(f) if f.first() == Some(&b'/') => Ok(Box::new(
                Db::open(f).map_err(crate::eval::LookupFailure::Open)?,
            )),
            // The query names the file, or the name is refused: `find` says.
            _ => Ok(Box::new(())),
        }
    }

    fn find(
        &self,
        _ev: &mut crate::eval::Evaluator,
        h: &crate::eval::LookupHandle,
        q: &crate::eval::LookupQuery,
    ) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
        let Some(db) = h.downcast_ref::<Db>() else {
            let file = q.file.filter(|f| !f.is_empty());
            return find(file, q.key).map_err(crate::eval::LookupFailure::Open);
        };
        let query = crate::sys::trim_start(crate::eval::c_str(q.key));
        if query.is_empty() {
            return Ok(None);
        }
        Ok(db.exec(query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run_oracle;
    use std::path::PathBuf;

    fn fixture() -> String {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/lookups/test.sqlite")
            .to_str()
            .unwrap()
            .to_string()
    }

    fn run(query: &str) -> Result<Option<String>, String> {
        let q = format!("{} {query}", fixture());
        find(None, q.as_bytes()).map(|v| v.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// (query after the file name, expected value); expected values from
    /// the oracle (conformance/lookups.jsonl and live runs).
    const CASES: &[(&str, Option<&str>)] = &[
        ("select name from users where id='userx'", Some("User X")),
        (
            "select name,uid from users where id='userx'",
            Some("name=\"User X\" uid=1001 "),
        ),
        ("select name from users where id='nobody'", None),
        ("select name from users where id='nulls'", Some("<NULL>")),
        (
            "select uid,name from users where id='nulls'",
            Some("uid=<NULL> name=<NULL> "),
        ),
        (
            "select * from users where id='tabs'",
            Some("id=tabs name=\"a\tb\" uid=0 note=\"x y\" "),
        ),
        (
            "select id from users order by id",
            Some("nulls\ntabs\nuserx\nusery\nuserz"),
        ),
        ("select count(*) from users", Some("5")),
        ("select bogus from users", None),
        (
            "select name from users where note='it''s quoted'",
            Some("User Y"),
        ),
        ("select 1,2,3", Some("1=1 2=2 3=3 ")),
        ("select 'a b' as x", Some("a b")),
        ("select ''", Some("")),
        ("select 0.1", Some("0.1")),
        ("select 1.0/3", Some("0.333333333333333")),
        ("select 1e100", Some("1.0e+100")),
        ("select 2.0", Some("2.0")),
        ("select 1e15", Some("1.0e+15")),
        ("select 123456789012345678", Some("123456789012345678")),
        ("select x'41004243'", Some("A")),
        ("select x'41004243', 1", Some("x'41004243'=A 1=1 ")),
        ("select '\"q', 'a\\b'", Some("'\"q'=\"\\\"q\" 'a\\b'=a\\b ")),
        ("select '', 1", Some("''=\"\" 1=1 ")),
        ("select 'a\"b c', 2", Some("'a\"b c'=\"a\\\"b c\" 2=2 ")),
        ("select 1; select 2", Some("1\n2")),
        ("select 1 as a, 2 as a", Some("a=1 a=2 ")),
        ("select 1 union select 2; select bogus", None),
        (
            "select 'x\u{c}y', 'p\u{b}q'",
            Some("'x\u{c}y'=x\u{c}y 'p\u{b}q'=p\u{b}q "),
        ),
        ("select char(10), 1", Some("char(10)=\"\n\" 1=1 ")),
        ("", None),
        ("   ", None),
        ("select abs(-9223372036854775808)", None),
        ("select 1e308*10", Some("Inf")),
        ("select 100.0", Some("100.0")),
        ("select 1.5e-7", Some("1.5e-07")),
        (
            "select note from users where id='userz'",
            Some("line1\nline2"),
        ),
        ("  select 7", Some("7")),
        ("create table if not exists t(x)", None),
    ];

    #[test]
    fn table() {
        for (q, want) in CASES {
            assert_eq!(run(q), Ok(want.map(str::to_string)), "query {q:?}");
        }
    }

    #[test]
    fn file_option_and_errors() {
        let f = fixture();
        let q = "select name from users where id='userx'";
        assert_eq!(
            find(Some(f.as_bytes()), q.as_bytes()),
            Ok(Some(b"User X".to_vec()))
        );
        assert_eq!(
            find(Some(f.as_bytes()), format!("  {q}").as_bytes()),
            Ok(Some(b"User X".to_vec()))
        );
        assert_eq!(
            find(Some(f.as_bytes()), format!("\t{f} {q}").as_bytes()),
            Ok(None)
        );
        assert_eq!(
            find(None, format!("\t{f}\n{q}").as_bytes()),
            Ok(Some(b"User X".to_vec()))
        );
        let err = Err(NOT_ABSOLUTE.to_string());
        assert_eq!(find(None, b"relative.db select 1"), err);
        assert_eq!(find(None, b"select 1"), err);
        assert_eq!(find(None, b""), err);
        assert_eq!(find(Some(b""), b"select 1"), err);
        assert_eq!(find(Some(b"rel.db"), b"select 1"), err);
        assert_eq!(find(None, f.as_bytes()), Ok(None));
        assert_eq!(find(None, format!("{f}\0 select 1").as_bytes()), Ok(None));
        assert_eq!(
            find(None, b"/nonexistent-dir/x.db select 1"),
            Err("unable to open database file".into())
        );
        assert_eq!(
            find(None, b"/tmp select 1"),
            Err("unable to open database file".into())
        );
        // Debian's SQLite 3.40 answers `select 1` even on a file that is not
        // a database ("[1]"); the bundled SQLite reads the header first and
        // fails.  Queries that touch the schema fail with both.
        assert_eq!(
            find(None, b"/etc/passwd select name from sqlite_master"),
            Ok(None)
        );
        assert_eq!(
            find(None, b"/tmp/ "),
            Err("unable to open database file".into())
        );
    }

    #[test]
    fn new_files_are_created() {
        let dir = std::env::temp_dir().join(format!("exim-expand-sqlite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("new.db");
        let _ = std::fs::remove_file(&db);
        let q = format!("{} select 42", db.to_str().unwrap());
        assert_eq!(find(None, q.as_bytes()), Ok(Some(b"42".to_vec())));
        assert!(db.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Live comparison with Exim when it is installed.
    #[test]
    fn oracle() {
        let f = fixture();
        for (q, _) in CASES {
            if q.contains('\n') || q.contains('\u{b}') || q.contains('\u{c}') || q.contains('}') {
                continue;
            }
            let q_expr = q.replace('\\', "\\\\");
            let expr = format!("${{lookup sqlite{{{f} {q_expr}}}{{[$value]}}{{NOTFOUND}}}}");
            let Some(want) = run_oracle(&expr) else {
                return;
            };
            let mine = match run(q) {
                Ok(Some(v)) => Ok(format!("[{v}]")),
                Ok(None) => Ok("NOTFOUND".into()),
                Err(m) => Err(m),
            };
            assert_eq!(mine, want, "{expr}");
        }
        for q in [
            "relative.db select 1",
            "/nonexistent-dir/x.db select 1",
            "/tmp select 1",
            "/etc/passwd select name from sqlite_master",
        ] {
            let expr = format!("${{lookup sqlite{{{q}}}}}");
            let Some(want) = run_oracle(&expr) else {
                return;
            };
            let mine = find(None, q.as_bytes())
                .map(|v| v.map_or("".into(), |v| String::from_utf8_lossy(&v).into_owned()));
            assert_eq!(mine, want, "{q}");
        }
    }
}
