//! The `dsearch` lookup: is KEY an entry of directory DIR?
//!
//! Exim 4.96 behaviour reproduced here:
//! * the directory is opened first: failure gives `failed to open DIR for
//!   directory search: ERROR`; a directory that opens but is named by a
//!   relative path gives `dirname 'DIR' for dsearch is not absolute`;
//! * an empty key never matches (Exim's search layer fails it after opening);
//! * a key containing `/` is a DEFER: `key for dsearch lookup contains a
//!   slash: KEY`;
//! * the entry is tested with `lstat(DIR/KEY)` (so `.` and `..` match, a
//!   symbolic link is neither a file nor a directory, and the name is exact
//!   and case-sensitive); an `lstat` failure other than "no such file" is a
//!   DEFER `DIR/KEY: lstat: ERROR`;
//! * `filter=file` wants a regular file, `filter=dir` a directory,
//!   `filter=subdir` a directory whose name is not `.` and does not start
//!   with `..` (Exim's test); any other filter value means no filter;
//! * the result is the key, or `DIR/KEY` with `ret=full`;
//! * key and directory name are C strings in Exim: they end at a NUL byte.

use std::io;
use std::os::unix::ffi::OsStrExt;

/// Why a dsearch lookup did not produce a value or a plain "not found".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The directory could not be opened or is unusable; Exim reports the
    /// message as the expansion failure text as is.
    Open(String),
    /// The lookup deferred; Exim reports `lookup of "KEY" gave DEFER: MSG`.
    Defer(String),
}

#[cfg(test)]
impl Error {
    /// The message text without its kind, by value.
    pub fn into_message(self) -> String {
        match self {
            Error::Open(m) | Error::Defer(m) => m,
        }
    }
}

/// Looks for the entry `key` in directory `dir`.  `ret_full` returns
/// `DIR/KEY` instead of the key; `filter` is the value of a `filter=`
/// option (`file`, `dir` or `subdir`).  `Ok(None)` means not found; `Err`
/// carries Exim's message (open failures and DEFERs alike; see [`lookup`]
/// to tell them apart).
#[cfg(test)]
pub fn find(
    dir: &[u8],
    key: &[u8],
    ret_full: bool,
    filter: Option<&str>,
) -> Result<Option<Vec<u8>>, String> {
    lookup(dir, key, ret_full, filter).map_err(Error::into_message)
}

/// Which kind of entry a `filter=` option asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    Any,
    File,
    Dir,
    Subdir,
}

/// Like [`find`], but says whether a failure happened when opening the
/// directory ([`Error::Open`]) or during the search ([`Error::Defer`]).
pub fn lookup(
    dir: &[u8],
    key: &[u8],
    ret_full: bool,
    filter: Option<&str>,
) -> Result<Option<Vec<u8>>, Error> {
    let dir = crate::eval::c_str(dir);
    let key = crate::eval::c_str(key);
    let shown = String::from_utf8_lossy(dir);
    open_check(dir, &shown)?;
    if key.is_empty() {
        return Ok(None);
    }
    if key.contains(&b'/') {
        return Err(Error::Defer(format!(
            "key for dsearch lookup contains a slash: {}",
            String::from_utf8_lossy(key)
        )));
    }
    let filter = match filter {
        Some("file") => Filter::File,
        Some("dir") => Filter::Dir,
        Some("subdir") => Filter::Subdir,
        _ => Filter::Any,
    };
    let mut path = Vec::with_capacity(dir.len() + 1 + key.len());
    path.extend_from_slice(dir);
    path.push(b'/');
    path.extend_from_slice(key);
    match std::fs::symlink_metadata(std::ffi::OsStr::from_bytes(&path)) {
        Ok(meta) => {
            let ft = meta.file_type();
            let dotty = key[0] == b'.' && (key.len() == 1 || key[1] == b'.');
            let wanted = match filter {
                Filter::Any => true,
                Filter::File => ft.is_file(),
                Filter::Dir => ft.is_dir(),
                Filter::Subdir => ft.is_dir() && !dotty,
            };
            if !wanted {
                return Ok(None);
            }
            Ok(Some(if ret_full { path } else { key.to_vec() }))
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
        Err(e) => Err(Error::Defer(format!(
            "{}: lstat: {}",
            String::from_utf8_lossy(&path),
            crate::sys::io_error_text(&e)
        ))),
    }
}

/// Exim's open and check steps: the directory must open, then its name must
/// be absolute and name a directory.
fn open_check(dir: &[u8], shown: &str) -> Result<(), Error> {
    let os_dir = std::ffi::OsStr::from_bytes(dir);
    if let Err(e) = std::fs::read_dir(os_dir) {
        return Err(Error::Open(open_failed(
            &format!("{shown} for directory search"),
            &e,
        )));
    }
    if dir.first() != Some(&b'/') {
        return Err(Error::Open(format!(
            "dirname '{shown}' for dsearch is not absolute"
        )));
    }
    match std::fs::metadata(os_dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::Open(format!(
            "{shown} is not a directory (dsearch lookup)"
        ))),
        Err(_) => Err(Error::Open(format!("{shown}: stat failed"))),
    }
}

/// Exim's "failed to open" message for an I/O error.
fn open_failed(what: &str, e: &io::Error) -> String {
    super::open_failed(what.as_bytes(), e.raw_os_error().unwrap_or(libc::ENOENT))
}

/// The `dsearch` lookup type (options `ret=full`, `filter=...`).
pub(crate) fn query(
    q: &crate::eval::LookupQuery,
) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
    use crate::eval::LookupFailure;
    let opts: Vec<Vec<u8>> = q
        .opts
        .map(|o| crate::lists::ListIter::with_sep(o.as_bytes(), b',').collect())
        .unwrap_or_default();
    let ret_full = opts.iter().any(|o| o == b"ret=full");
    let filter = opts
        .iter()
        .find_map(|o| o.strip_prefix(b"filter="))
        .map(|f| String::from_utf8_lossy(f).into_owned());
    lookup(
        q.file.unwrap_or_default(),
        q.key,
        ret_full,
        filter.as_deref(),
    )
    .map_err(|e| match e {
        Error::Open(m) => LookupFailure::Open(m),
        Error::Defer(m) => LookupFailure::Defer(m),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run_oracle;
    use std::path::{Path, PathBuf};

    /// A fresh copy of the conformance tree `dsearch.d` (Gamma.txt, alpha,
    /// beta, sub.dir/inner) plus a few extra entries, in a temp directory.
    fn tree(tag: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("exim-expand-dsearch-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let d = root.join("dsearch.d");
        std::fs::create_dir_all(d.join("sub.dir")).unwrap();
        std::fs::write(d.join("Gamma.txt"), "gamma\n").unwrap();
        std::fs::write(d.join("alpha"), "alpha\n").unwrap();
        std::fs::write(d.join("beta"), "beta\n").unwrap();
        std::fs::write(d.join("sub.dir/inner"), "in\n").unwrap();
        std::fs::create_dir_all(d.join("..hidden")).unwrap();
        std::fs::create_dir_all(d.join(".dotdir")).unwrap();
        std::os::unix::fs::symlink("sub.dir", d.join("link")).unwrap();
        d
    }

    fn s(p: &Path) -> String {
        p.to_str().unwrap().to_string()
    }

    // Expected values from the oracle (conformance/lookups.jsonl) where the
    // entries exist there; the extra entries follow the same rules.
    #[test]
    fn table() {
        let d = tree("table");
        let dir = s(&d);
        // (key, ret=full, filter, expected)
        let cases: &[(&str, bool, Option<&str>, Option<&str>)] = &[
            ("alpha", false, None, Some("alpha")),
            ("alpha", true, None, Some("/alpha")),
            ("alpha", false, Some("dir"), None),
            ("alpha", false, Some("file"), Some("alpha")),
            ("ALPHA", false, None, None),
            ("ALPHA", false, Some("file"), None),
            ("ALPHA", false, Some("dir"), None),
            ("Gamma.txt", true, None, Some("/Gamma.txt")),
            ("Gamma.txt", false, Some("file"), Some("Gamma.txt")),
            ("Gamma.txt", false, Some("dir"), None),
            ("Gamma.txt", false, Some("subdir"), None),
            ("gamma.txt", true, None, None),
            ("nosuch", false, None, None),
            ("nosuch", true, None, None),
            ("nosuch", false, Some("dir"), None),
            ("nosuch", false, Some("subdir"), None),
            ("sub.dir", false, None, Some("sub.dir")),
            ("sub.dir", true, None, Some("/sub.dir")),
            ("sub.dir", false, Some("file"), None),
            ("sub.dir", false, Some("dir"), Some("sub.dir")),
            ("sub.dir", false, Some("subdir"), Some("sub.dir")),
            (".", false, None, Some(".")),
            (".", true, None, Some("/.")),
            (".", false, Some("subdir"), None),
            (".", false, Some("dir"), Some(".")),
            ("..", false, None, Some("..")),
            ("..", false, Some("subdir"), None),
            ("..", false, Some("dir"), Some("..")),
            ("", false, None, None),
            ("", true, None, None),
            ("", false, Some("file"), None),
            // Exim's subdir test also drops names starting with "..".
            ("..hidden", false, Some("subdir"), None),
            ("..hidden", false, Some("dir"), Some("..hidden")),
            (".dotdir", false, Some("subdir"), Some(".dotdir")),
            // lstat: a symbolic link is neither a file nor a directory.
            ("link", false, None, Some("link")),
            ("link", false, Some("dir"), None),
            ("link", false, Some("file"), None),
            // Unknown filters mean no filter.
            ("sub.dir", false, Some("bogus"), Some("sub.dir")),
            ("alpha\0junk", false, None, Some("alpha")),
        ];
        for (key, full, filter, want) in cases {
            let want = want.map(|w| {
                if w.starts_with('/') {
                    format!("{dir}{w}").into_bytes()
                } else {
                    w.as_bytes().to_vec()
                }
            });
            let got = find(dir.as_bytes(), key.as_bytes(), *full, *filter);
            assert_eq!(got, Ok(want), "key {key:?} full {full} filter {filter:?}");
        }
        let _ = std::fs::remove_dir_all(d.parent().unwrap());
    }

    #[test]
    fn errors() {
        let d = tree("errors");
        let dir = s(&d);
        for (key, filter) in [
            ("sub.dir/inner", Some("dir")),
            ("sub.dir/inner", Some("subdir")),
            ("../dsearch.d", None),
            ("../dsearch.d", Some("file")),
            ("/", None),
        ] {
            assert_eq!(
                lookup(dir.as_bytes(), key.as_bytes(), false, filter),
                Err(Error::Defer(format!(
                    "key for dsearch lookup contains a slash: {key}"
                )))
            );
        }
        assert_eq!(
            find(b"relative/dir", b"alpha", false, None),
            Err(
                "failed to open relative/dir for directory search: No such file or directory"
                    .into()
            )
        );
        assert_eq!(
            find(b"", b"alpha", false, None),
            Err("failed to open  for directory search: No such file or directory".into())
        );
        let file = format!("{dir}/alpha");
        assert_eq!(
            lookup(file.as_bytes(), b"x", false, None),
            Err(Error::Open(format!(
                "failed to open {file} for directory search: Not a directory"
            )))
        );
        // A relative name of a directory that exists.
        assert_eq!(
            lookup(b".", b"x", false, None),
            Err(Error::Open(
                "dirname '.' for dsearch is not absolute".into()
            ))
        );
        // The directory is checked before the key.
        assert!(matches!(
            lookup(b"/nonexistent-dir", b"a/b", false, None),
            Err(Error::Open(_))
        ));
        // A name too long for the file system is a DEFER from lstat.
        let long = "x".repeat(300);
        assert_eq!(
            lookup(dir.as_bytes(), long.as_bytes(), false, None),
            Err(Error::Defer(format!(
                "{dir}/{long}: lstat: File name too long"
            )))
        );
        let _ = std::fs::remove_dir_all(d.parent().unwrap());
    }

    /// Live comparison with Exim when it is installed.
    #[test]
    fn oracle() {
        let d = tree("oracle");
        let dir = s(&d);
        let long = "y".repeat(300);
        let keys = [
            "alpha",
            "Gamma.txt",
            "sub.dir",
            ".",
            "..",
            "..hidden",
            ".dotdir",
            "link",
            "nosuch",
            "",
            "a/b",
            &long,
        ];
        let opts: [(&str, bool, Option<&str>); 6] = [
            ("", false, None),
            (",ret=full", true, None),
            (",filter=file", false, Some("file")),
            (",filter=dir", false, Some("dir")),
            (",filter=subdir", false, Some("subdir")),
            (",ret=full,filter=subdir", true, Some("subdir")),
        ];
        for key in keys {
            for (opt, full, filter) in opts {
                let expr =
                    format!("${{lookup{{{key}}}dsearch{opt}{{{dir}}}{{[$value]}}{{NOTFOUND}}}}");
                let Some(want) = run_oracle(&expr) else {
                    return;
                };
                let mine = match lookup(dir.as_bytes(), key.as_bytes(), full, filter) {
                    Ok(Some(v)) => Ok(format!("[{}]", String::from_utf8_lossy(&v))),
                    Ok(None) => Ok("NOTFOUND".into()),
                    Err(Error::Open(m)) => Err(m),
                    Err(Error::Defer(m)) => Err(format!("lookup of \"{key}\" gave DEFER: {m}")),
                };
                assert_eq!(mine, want, "{expr}");
            }
        }
        for dir in ["/nonexistent-dir", "relative/dir", "/etc/passwd"] {
            let expr = format!("${{lookup{{k}}dsearch{{{dir}}}}}");
            let Some(want) = run_oracle(&expr) else {
                return;
            };
            assert_eq!(find(dir.as_bytes(), b"k", false, None), want.map(|_| None));
        }
        let _ = std::fs::remove_dir_all(d.parent().unwrap());
    }
}
