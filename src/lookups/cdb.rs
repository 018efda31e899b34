//! The `cdb` lookup: Dan Bernstein's constant database format.
//!
//! A cdb file starts with a 2048-byte table of 256 `(position, slot count)`
//! pairs (little-endian 32-bit numbers).  The low 8 bits of the key's hash
//! choose one pair, which locates a hash table of `(hash, record position)`
//! slots; probing starts at slot `(hash >> 8) % count` and wraps around.  A
//! record is `key length, data length, key, data`.  Keys compare exactly
//! (case-sensitively); the data is returned as stored.
//!
//! Exim 4.96 behaviour reproduced here:
//! * open errors read `failed to open PATH for cdb lookup: ERROR`;
//! * a file shorter than 2048 bytes gives `failed to open PATH too short for
//!   cdb lookup: Success` (Exim appends whatever `errno` happens to hold,
//!   which is `Success` in a fresh `exim -be`);
//! * a directory gives `failed to open cannot read header from PATH for cdb
//!   lookup: Is a directory` (the header read is what fails);
//! * a slot table running past the end of the file is a DEFER with
//!   `cdb: corrupt cdb file PATH (too short)`; other reads beyond the end of
//!   the file are a DEFER with an empty message;
//! * keys and file names are C strings in Exim, so they end at a NUL byte;
//!   the value, too, is used as a C string and ends at its first NUL;
//! * an empty key never matches (Exim's search layer fails it after opening
//!   the file).

use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;

/// Size of the initial table of 256 eight-byte entries.
const HEADER_LEN: u64 = 2048;

/// Why a cdb lookup did not produce a value or a plain "not found".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The file could not be opened or is unusable; Exim reports the message
    /// as the expansion failure text as is.
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

/// Looks `key` up in the cdb file `path`.  `Ok(None)` means not found;
/// `Err` carries Exim's message (open failures and DEFERs alike; see
/// [`lookup`] to tell them apart).
#[cfg(test)]
pub fn find(path: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>, String> {
    lookup(path, key).map_err(Error::into_message)
}

/// Like [`find`], but says whether a failure happened when opening the file
/// ([`Error::Open`]) or during the search ([`Error::Defer`]).
pub fn lookup(path: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let path = crate::eval::c_str(path);
    let key = crate::eval::c_str(key);
    let shown = String::from_utf8_lossy(path);
    let db = Cdb::open(path, &shown)?;
    if key.is_empty() {
        return Ok(None);
    }
    db.find(key, &shown)
}

/// An open cdb file with its header table.
struct Cdb {
    file: File,
    len: u64,
    header: Vec<u8>,
    /// The whole file, when it is small enough to keep (Exim maps it).
    image: Option<Vec<u8>>,
}

/// Files up to this size are read into memory when opened.
const IMAGE_MAX: u64 = 16 << 20;

impl Cdb {
    fn open(path: &[u8], shown: &str) -> Result<Cdb, Error> {
        let os_path = std::ffi::OsStr::from_bytes(path);
        let file = File::open(os_path)
            .map_err(|e| Error::Open(open_failed(&format!("{shown} for cdb lookup"), &e)))?;
        let meta = file.metadata().map_err(|e| {
            Error::Open(open_failed(
                &format!("fstat({shown}) failed - cannot do cdb lookup"),
                &e,
            ))
        })?;
        if meta.len() < HEADER_LEN {
            // Exim reports the stale errno here, `Success` in a fresh process.
            return Err(Error::Open(format!(
                "failed to open {shown} too short for cdb lookup: Success"
            )));
        }
        let mut header = vec![0u8; HEADER_LEN as usize];
        if let Err(e) = read_exact_at(&file, &mut header, 0) {
            return Err(Error::Open(open_failed(
                &format!("cannot read header from {shown} for cdb lookup"),
                &e,
            )));
        }
        if !meta.file_type().is_file() {
            return Err(Error::Open(format!(
                "{shown} is not a regular file (cdb lookup)"
            )));
        }
        let image = (meta.len() <= IMAGE_MAX)
            .then(|| {
                let mut all = vec![0u8; meta.len() as usize];
                read_exact_at(&file, &mut all, 0).ok().map(|_| all)
            })
            .flatten();
        Ok(Cdb {
            file,
            len: meta.len(),
            header,
            image,
        })
    }

    fn find(&self, key: &[u8], shown: &str) -> Result<Option<Vec<u8>>, Error> {
        let hash = cdb_hash(key);
        let entry = 8 * (hash & 0xff) as usize;
        let table_pos = le32(&self.header[entry..entry + 4]);
        let slots = le32(&self.header[entry + 4..entry + 8]);
        if slots == 0 {
            return Ok(None);
        }
        // Exim does this arithmetic in 32 bits, wrapping.
        let table_end = table_pos.wrapping_add(slots.wrapping_mul(8));
        if u64::from(table_end) > self.len {
            return Err(Error::Defer(format!(
                "cdb: corrupt cdb file {shown} (too short)"
            )));
        }
        let start_slot = (hash >> 8) % slots;
        let mut cur = table_pos.wrapping_add(start_slot.wrapping_mul(8));
        let key_len = key.len() as u64;
        for _ in 0..slots {
            let mut slot = [0u8; 8];
            self.read(&mut slot, cur)?;
            let slot_hash = le32(&slot[0..4]);
            let record = le32(&slot[4..8]);
            if record == 0 {
                return Ok(None);
            }
            if slot_hash == hash {
                let mut head = [0u8; 8];
                self.read(&mut head, record)?;
                let rec_key_len = le32(&head[0..4]);
                if u64::from(rec_key_len) == key_len {
                    let mut rec_key = vec![0u8; key.len()];
                    self.read(&mut rec_key, record.wrapping_add(8))?;
                    if rec_key == key {
                        let data_len = le32(&head[4..8]) as usize;
                        let data_pos = u64::from(record) + 8 + key_len;
                        if data_pos + data_len as u64 > self.len {
                            return Err(Error::Defer(String::new()));
                        }
                        let mut data = vec![0u8; data_len];
                        self.read_at(&mut data, data_pos)
                            .map_err(|_| Error::Defer(String::new()))?;
                        if let Some(nul) = data.iter().position(|&b| b == 0) {
                            data.truncate(nul);
                        }
                        return Ok(Some(data));
                    }
                }
            }
            cur = cur.wrapping_add(8);
            if cur == table_end {
                cur = table_pos;
            }
        }
        Ok(None)
    }

    /// Reads `buf.len()` bytes at `pos`; running past the end of the file is
    /// a DEFER without a message, as in Exim's read-based code path.
    fn read(&self, buf: &mut [u8], pos: u32) -> Result<(), Error> {
        let pos = u64::from(pos);
        if pos + buf.len() as u64 > self.len {
            return Err(Error::Defer(String::new()));
        }
        self.read_at(buf, pos)
            .map_err(|_| Error::Defer(String::new()))
    }

    /// From the image when there is one, else from the file.
    fn read_at(&self, buf: &mut [u8], pos: u64) -> io::Result<()> {
        match &self.image {
            Some(image) => {
                let end = pos as usize + buf.len();
                let part = image
                    .get(pos as usize..end)
                    .ok_or(io::ErrorKind::UnexpectedEof)?;
                buf.copy_from_slice(part);
                Ok(())
            }
            None => read_exact_at(&self.file, buf, pos),
        }
    }
}

/// The cdb hash: h = 5381; h = (h * 33) ^ byte, in 32 bits.
fn cdb_hash(key: &[u8]) -> u32 {
    key.iter()
        .fold(5381u32, |h, &b| h.wrapping_add(h << 5) ^ u32::from(b))
}

/// A little-endian 32-bit number from the first four bytes of `b`.
fn le32(b: &[u8]) -> u32 {
    match b {
        [a, b, c, d, ..] => u32::from_le_bytes([*a, *b, *c, *d]),
        _ => 0,
    }
}

fn read_exact_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<()> {
    file.read_exact_at(buf, pos)
}

/// Exim's "failed to open" message for an I/O error.
fn open_failed(what: &str, e: &io::Error) -> String {
    super::open_failed(what.as_bytes(), e.raw_os_error().unwrap_or(libc::ENOENT))
}

fn failure(e: Error) -> crate::eval::LookupFailure {
    match e {
        Error::Open(m) => crate::eval::LookupFailure::Open(m),
        Error::Defer(m) => crate::eval::LookupFailure::Defer(m),
    }
}

/// The `cdb` lookup type: the file opened (its header read) once, then
/// one key at a time.
#[derive(Debug)]
pub(crate) struct CdbLookup;

impl crate::eval::Lookup for CdbLookup {
    fn style(&self) -> super::Style {
        super::Style::SingleKey
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<crate::eval::Capability> {
        Some(crate::eval::Capability::Files)
    }

    fn open(
        &self,
        _ev: &mut crate::eval::Evaluator,
        file: Option<&[u8]>,
    ) -> Result<crate::eval::LookupHandle, crate::eval::LookupFailure> {
        let path = crate::eval::c_str(file.unwrap_or_default());
        let shown = String::from_utf8_lossy(path);
        Ok(Box::new(Cdb::open(path, &shown).map_err(failure)?))
    }

    fn find(
        &self,
        _ev: &mut crate::eval::Evaluator,
        h: &crate::eval::LookupHandle,
        q: &crate::eval::LookupQuery,
    ) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
        let key = crate::eval::c_str(q.key);
        let Some(db) = h.downcast_ref::<Cdb>() else {
            return lookup(q.file.unwrap_or_default(), q.key).map_err(failure);
        };
        if key.is_empty() {
            return Ok(None);
        }
        let shown = String::from_utf8_lossy(crate::eval::c_str(q.file.unwrap_or_default()));
        db.find(key, &shown).map_err(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run_oracle;
    use std::path::PathBuf;

    fn data_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/lookups")
    }

    fn fixture() -> Vec<u8> {
        data_dir().join("test.cdb").as_os_str().as_bytes().to_vec()
    }

    /// Builds a cdb file image from records, in the standard layout.
    fn build(records: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut out = vec![0u8; HEADER_LEN as usize];
        let mut slots: Vec<Vec<(u32, u32)>> = vec![Vec::new(); 256];
        for (k, v) in records {
            let pos = out.len() as u32;
            out.extend_from_slice(&(k.len() as u32).to_le_bytes());
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            out.extend_from_slice(k);
            out.extend_from_slice(v);
            let h = cdb_hash(k);
            slots[(h & 0xff) as usize].push((h, pos));
        }
        for (i, list) in slots.iter().enumerate() {
            let n = list.len() * 2;
            let table_pos = out.len() as u32;
            let mut table = vec![(0u32, 0u32); n];
            for &(h, p) in list {
                let mut s = ((h >> 8) as usize) % n;
                while table[s].1 != 0 {
                    s = (s + 1) % n;
                }
                table[s] = (h, p);
            }
            for (h, p) in table {
                out.extend_from_slice(&h.to_le_bytes());
                out.extend_from_slice(&p.to_le_bytes());
            }
            out[i * 8..i * 8 + 4].copy_from_slice(&table_pos.to_le_bytes());
            out[i * 8 + 4..i * 8 + 8].copy_from_slice(&(n as u32).to_le_bytes());
        }
        out
    }

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("exim-expand-cdb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    // Expected values from the oracle (conformance/lookups.jsonl).
    #[test]
    fn fixture_lookups() {
        let f = fixture();
        let cases: &[(&str, Option<&str>)] = &[
            ("Mixed", Some("mixed-case key (cdb is case-sensitive)")),
            ("mixed", None),
            ("empty", Some("")),
            ("spaced key", Some("value for spaced key")),
            ("nosuch", None),
            ("", None),
            ("second", Some("A=1 B=2")),
            ("first", Some("data for first")),
            ("first\0junk", Some("data for first")),
            ("firs", None),
            ("first ", None),
        ];
        for (key, want) in cases {
            let got = find(&f, key.as_bytes()).unwrap();
            assert_eq!(got.as_deref(), want.map(str::as_bytes), "key {key:?}");
        }
    }

    #[test]
    fn open_failures() {
        assert_eq!(
            find(b"/nonexistent.cdb", b"first"),
            Err("failed to open /nonexistent.cdb for cdb lookup: No such file or directory".into())
        );
        // The file is opened before the empty key is refused.
        assert!(find(b"/nonexistent.cdb", b"").is_err());
        let short = temp_file("short.cdb", &[0u8; 100]);
        let s = short.to_str().unwrap();
        assert_eq!(
            find(s.as_bytes(), b"x"),
            Err(format!(
                "failed to open {s} too short for cdb lookup: Success"
            ))
        );
        let dir = short.parent().unwrap().to_str().unwrap().to_string();
        let got = lookup(dir.as_bytes(), b"x");
        // A directory's size depends on the file system.
        let want_read = Error::Open(format!(
            "failed to open cannot read header from {dir} for cdb lookup: Is a directory"
        ));
        let want_short = Error::Open(format!(
            "failed to open {dir} too short for cdb lookup: Success"
        ));
        assert!(got == Err(want_read) || got == Err(want_short), "{got:?}");
    }

    #[test]
    fn built_files() {
        let recs: &[(&[u8], &[u8])] = &[
            (b"a", b"1"),
            (b"b", b"two"),
            (b"A", b"upper"),
            (b"nul", b"x\0y"),
            (b"dup", b"first"),
            (b"dup", b"second"),
            (b"\xff\xfe", b"binary"),
        ];
        let p = temp_file("built.cdb", &build(recs));
        let p = p.as_os_str().as_bytes();
        assert_eq!(find(p, b"a"), Ok(Some(b"1".to_vec())));
        assert_eq!(find(p, b"A"), Ok(Some(b"upper".to_vec())));
        assert_eq!(find(p, b"b"), Ok(Some(b"two".to_vec())));
        assert_eq!(find(p, b"nul"), Ok(Some(b"x".to_vec())));
        assert_eq!(find(p, b"dup"), Ok(Some(b"first".to_vec())));
        assert_eq!(find(p, b"\xff\xfe"), Ok(Some(b"binary".to_vec())));
        assert_eq!(find(p, b"c"), Ok(None));
        // Many records, so that tables have collisions and wrap-around.
        let keys: Vec<Vec<u8>> = (0..2000).map(|i| format!("key{i}").into_bytes()).collect();
        let vals: Vec<Vec<u8>> = (0..2000).map(|i| format!("val{i}").into_bytes()).collect();
        let recs: Vec<(&[u8], &[u8])> = keys
            .iter()
            .zip(&vals)
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        let p = temp_file("many.cdb", &build(&recs));
        let p = p.as_os_str().as_bytes();
        for i in (0..2000).step_by(37) {
            let want = format!("val{i}").into_bytes();
            assert_eq!(find(p, format!("key{i}").as_bytes()), Ok(Some(want)));
        }
        assert_eq!(find(p, b"key2000"), Ok(None));
    }

    #[test]
    fn corrupt_files_do_not_panic() {
        // A header pointing past the end of the file.
        let mut img = vec![0u8; 2048];
        let h = cdb_hash(b"k");
        let e = 8 * (h & 0xff) as usize;
        img[e..e + 4].copy_from_slice(&4000u32.to_le_bytes());
        img[e + 4..e + 8].copy_from_slice(&2u32.to_le_bytes());
        let p = temp_file("corrupt1.cdb", &img);
        let s = p.to_str().unwrap();
        assert_eq!(
            lookup(s.as_bytes(), b"k"),
            Err(Error::Defer(format!(
                "cdb: corrupt cdb file {s} (too short)"
            )))
        );
        // A slot pointing past the end of the file.
        let mut img = vec![0u8; 2048];
        img[e..e + 4].copy_from_slice(&2048u32.to_le_bytes());
        img[e + 4..e + 8].copy_from_slice(&1u32.to_le_bytes());
        img.extend_from_slice(&h.to_le_bytes());
        img.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
        let p = temp_file("corrupt2.cdb", &img);
        assert_eq!(
            lookup(p.as_os_str().as_bytes(), b"k"),
            Err(Error::Defer(String::new()))
        );
        // Huge lengths and wrapping arithmetic.
        let mut img = vec![0xffu8; 4096];
        for i in 0..256 {
            img[i * 8..i * 8 + 4].copy_from_slice(&0xffff_fff8u32.to_le_bytes());
            img[i * 8 + 4..i * 8 + 8].copy_from_slice(&0x2000_0001u32.to_le_bytes());
        }
        let p = temp_file("corrupt3.cdb", &img);
        for key in [&b"k"[..], b"abc", b"\xff"] {
            let _ = lookup(p.as_os_str().as_bytes(), key);
        }
    }

    /// Live comparison with Exim when it is installed.
    #[test]
    fn oracle() {
        let f = String::from_utf8(fixture()).unwrap();
        for key in [
            "first",
            "Mixed",
            "mixed",
            "empty",
            "spaced key",
            "nosuch",
            "",
            "second",
        ] {
            let expr = format!("${{lookup{{{key}}}cdb{{{f}}}{{[$value]}}{{NOTFOUND}}}}");
            let Some(want) = run_oracle(&expr) else {
                return;
            };
            let mine = match find(f.as_bytes(), key.as_bytes()).unwrap() {
                Some(v) => format!("[{}]", String::from_utf8_lossy(&v)),
                None => "NOTFOUND".into(),
            };
            assert_eq!(Ok(mine), want, "key {key:?}");
        }
        for path in ["/nonexistent.cdb", "relative.cdb"] {
            let expr = format!("${{lookup{{k}}cdb{{{path}}}}}");
            let Some(want) = run_oracle(&expr) else {
                return;
            };
            assert_eq!(find(path.as_bytes(), b"k"), want.map(|_| None), "{path}");
        }
    }
}
