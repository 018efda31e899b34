//! The `lmdb` lookup: one key in an LMDB database file (exim-4.96-full
//! profile; Debian's 4.96 build has no LMDB).
//!
//! Exim 4.96 behaviour reproduced here (`src/lookups/lmdb.c`, spec section
//! "Single-key lookup types", test 2800):
//! * the file is opened read-only as a single file, not a directory
//!   (`MDB_NOSUBDIR | MDB_RDONLY`), and the unnamed database is read;
//! * failures while opening are open failures with the message
//!   `LMDB: Unable to STEP: REASON`, STEP being `open environment with
//!   FILE`, `start transaction` or `open database`, REASON LMDB's
//!   `mdb_strerror` text (`strerror` for system errors);
//! * a missing key is a plain lookup failure; any other error from the
//!   search is a DEFER with `LMDB: lookup error: REASON` (a key longer than
//!   LMDB's 511-byte limit gives `MDB_BAD_VALSIZE: ...`);
//! * keys, file names and values are C strings: each ends at its first NUL,
//!   and an empty key never matches.
//!
//! heed refuses to open one environment twice in a process, so open
//! environments are kept in a process-wide table, reused while the file
//! on disk is still the same one (device and inode).

use crate::eval::{Capability, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;
use heed::types::Bytes;
use heed::{CommitOrAbort, Database, Env, EnvFlags, EnvOpenOptions, WithoutTls};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

type LmdbEnv = Env<WithoutTls>;

/// The longest key of LMDB 0.9 as Debian builds it (`MDB_MAXKEYSIZE`);
/// heed's bundled LMDB takes longer keys, Exim's library refuses them.
const MAX_KEY: usize = 511;

const BAD_VALSIZE: &str =
    "MDB_BAD_VALSIZE: Unsupported size of key/DB name/data, or wrong DUPFIXED size";

/// The `lmdb` lookup type.
#[derive(Debug)]
pub struct LmdbLookup;

/// What `open` hands to `find`: the environment, whose unnamed database
/// was opened once to check it.
struct Handle {
    env: LmdbEnv,
}

impl Lookup for LmdbLookup {
    fn style(&self) -> LookupStyle {
        LookupStyle::SingleKey
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<Capability> {
        Some(Capability::Files)
    }

    fn open(
        &self,
        _ev: &mut Evaluator,
        file: Option<&[u8]>,
    ) -> Result<LookupHandle, LookupFailure> {
        let file = crate::eval::c_str(file.unwrap_or_default());
        open_database(file)
            .map(|h| Box::new(h) as LookupHandle)
            .map_err(LookupFailure::Open)
    }

    fn find(
        &self,
        _ev: &mut Evaluator,
        h: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        let h = h
            .downcast_ref::<Handle>()
            .expect("made by LmdbLookup::open");
        find_key(h, q.key).map_err(LookupFailure::Defer)
    }
}

/// LMDB's text for an error (`mdb_strerror`): LMDB's own codes have their
/// own messages, system errors `strerror`'s.
fn reason(e: &heed::Error) -> String {
    match e {
        heed::Error::Io(io) => crate::sys::io_error_text(io),
        other => other.to_string(),
    }
}

fn unable(step: &str, e: &heed::Error) -> String {
    format!("LMDB: Unable to {step}: {}", reason(e))
}

/// Exim's open step: the environment, a read-only transaction, the
/// unnamed database; the error is Exim's message.
fn open_database(file: &[u8]) -> Result<Handle, String> {
    let shown = String::from_utf8_lossy(file);
    let env = open_env(file).map_err(|e| unable(&format!("open environment with {shown}"), &e))?;
    unnamed_database(&env)?;
    Ok(Handle { env })
}

/// The unnamed database, through a read-only transaction of its own.
fn unnamed_database(env: &LmdbEnv) -> Result<Database<'_, Bytes, Bytes>, String> {
    let rtxn = env
        .read_txn()
        .map_err(|e| unable("start transaction", &e))?;
    let opened = env
        .open_databases_and_commit(rtxn, |dbo, rtxn| {
            dbo.open_database::<Bytes, Bytes>(rtxn, None)
                .map(CommitOrAbort::<_, ()>::Commit)
        })
        .map_err(|e: heed::Error| unable("open database", &e))?;
    opened
        .unwrap_commit()
        .ok_or_else(|| unable("open database", &heed::Error::Mdb(heed::MdbError::NotFound)))
}

/// An open environment with the device and inode of its file.
type OpenEnv = (u64, u64, LmdbEnv);

/// The open environments, by file name, with the device and inode of the
/// file they were opened on.
static ENVS: LazyLock<Mutex<HashMap<Vec<u8>, OpenEnv>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The environment of `file`, opened read-only as a single file, or the
/// one already open on the same file.
fn open_env(file: &[u8]) -> heed::Result<LmdbEnv> {
    let path = Path::new(OsStr::from_bytes(file));
    let identity = std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
    let mut envs = ENVS.lock().unwrap_or_else(|p| p.into_inner());
    if let (Some(id), Some((dev, ino, env))) = (identity, envs.get(file))
        && id == (*dev, *ino)
    {
        return Ok(env.clone());
    }
    // A replaced file: forget the old environment before opening the new.
    envs.remove(file);
    let mut options = EnvOpenOptions::new().read_txn_without_tls();
    // SAFETY: the environment is only ever read, through heed's read
    // transactions; the flags are LMDB's documented read-only single-file
    // mode, as Exim opens it.
    let env = unsafe {
        options.flags(EnvFlags::NO_SUB_DIR | EnvFlags::READ_ONLY);
        options.open(path)?
    };
    if let Some((dev, ino)) = identity {
        envs.insert(file.to_vec(), (dev, ino, env.clone()));
    }
    Ok(env)
}

/// Exim's find step: the value stored under `key`, up to its first NUL.
fn find_key(h: &Handle, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let key = crate::eval::c_str(key);
    if key.is_empty() {
        return Ok(None);
    }
    if key.len() > MAX_KEY {
        return Err(format!("LMDB: lookup error: {BAD_VALSIZE}"));
    }
    let lookup_error = |e: heed::Error| format!("LMDB: lookup error: {}", reason(&e));
    let db = unnamed_database(&h.env)?;
    let rtxn = h.env.read_txn().map_err(lookup_error)?;
    match db.get(&rtxn, key) {
        Ok(Some(v)) => Ok(Some(crate::eval::c_str(v).to_vec())),
        Ok(None) => Ok(None),
        Err(e) => Err(lookup_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// A fresh directory under the system's temporary directory.
    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("exim-expand-lmdb-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Builds `file` with `mdb_load -n -T` from key/value pairs, or says
    /// why not (no mdb_load).
    pub(crate) fn mdb_load(file: &Path, pairs: &[(&str, &str)]) -> Result<(), String> {
        let mut child = Command::new("mdb_load")
            .args(["-n", "-T"])
            .arg(file)
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| format!("mdb_load: {e}"))?;
        let mut text = String::new();
        for (k, v) in pairs {
            text.push_str(&format!("{k}\n{v}\n"));
        }
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let status = child.wait().unwrap();
        if status.success() {
            Ok(())
        } else {
            Err(format!("mdb_load failed: {status}"))
        }
    }

    fn skip_or_fail(why: &str) {
        assert!(
            std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
            "{why}"
        );
        eprintln!("SKIPPED: {why}");
    }

    fn find(file: &Path, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let h = open_database(file.as_os_str().as_bytes())?;
        find_key(&h, key)
    }

    /// Exim's test 2800: the fixture (test/scripts/2800-lmdb/2800) and the
    /// values test/stdout/2800 shows for its keys.
    #[test]
    fn exim_test_2800_values() {
        let dir = temp_dir("2800");
        let file = dir.join("2800.mdb");
        if let Err(why) = mdb_load(
            &file,
            &[
                ("first", "data for first"),
                ("second", "A=1 B=2"),
                ("third", "A1:B2:C3"),
            ],
        ) {
            return skip_or_fail(&why);
        }
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"first", Some(b"data for first")),       // stdout/2800 line 1
            (b"second", Some(b"A=1 B=2")),             // line 5
            (b"third", Some(b"A1:B2:C3")),             // the fixture
            (b"fail", None),                           // line 3: not found
            (b"FIRST", None),                          // keys are exact
            (b"", None),                               // search.c: empty key fails
            (b"first\0junk", Some(b"data for first")), // C string key
        ];
        for (key, want) in cases {
            assert_eq!(
                find(&file, key),
                Ok(want.map(<[u8]>::to_vec)),
                "{}",
                String::from_utf8_lossy(key)
            );
        }
        // mdb_strerror(MDB_BAD_VALSIZE), for keys past Debian's 511 bytes.
        assert_eq!(find(&file, &[b'k'; 511]), Ok(None));
        assert_eq!(
            find(&file, &[b'k'; 512]),
            Err(format!("LMDB: lookup error: {BAD_VALSIZE}"))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// lmdb.c's open messages: "LMDB: Unable to open environment with
    /// FILE: " and mdb_strerror's text; the reasons are those Debian's
    /// liblmdb 0.9.24 gives for the same files (`mdb_stat -n FILE`, which
    /// opens them as Exim does).
    #[test]
    fn open_failures() {
        let dir = temp_dir("open");
        let missing = dir.join("missing.mdb");
        let junk = dir.join("junk.mdb");
        std::fs::write(&junk, vec![b'x'; 16384]).unwrap();
        let empty = dir.join("empty.mdb");
        std::fs::write(&empty, b"").unwrap();
        let cases = [
            (&missing, "No such file or directory"),
            (&junk, "MDB_INVALID: File is not an LMDB file"),
            (&dir, "Is a directory"),
            (&empty, "Bad file descriptor"),
        ];
        for (file, reason) in cases {
            let want = format!(
                "LMDB: Unable to open environment with {}: {reason}",
                file.display()
            );
            assert_eq!(find(file, b"k").err(), Some(want));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A file replaced on disk is read afresh; the same file is not opened
    /// twice (heed would refuse).
    #[test]
    fn replaced_files_are_reopened() {
        let dir = temp_dir("replace");
        let file = dir.join("r.mdb");
        if let Err(why) = mdb_load(&file, &[("k", "one")]) {
            return skip_or_fail(&why);
        }
        assert_eq!(find(&file, b"k"), Ok(Some(b"one".to_vec())));
        assert_eq!(find(&file, b"k"), Ok(Some(b"one".to_vec())));
        let next = dir.join("next.mdb");
        mdb_load(&next, &[("k", "two")]).unwrap();
        std::fs::rename(&next, &file).unwrap();
        assert_eq!(find(&file, b"k"), Ok(Some(b"two".to_vec())));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
