//! The `dbm`, `dbmnz` and `dbmjz` lookups on Berkeley DB hash files (as
//! built by `exim_dbmbuild` with Debian's BDB 5.3), read directly.
//!
//! File layout used here: page 0 is the hash metadata page (magic 0x061561,
//! page size, `max_bucket`, `high_mask`, `low_mask`, the hash-check value
//! and the `spares` table); a key's bucket is `hash & high_mask`, or
//! `& low_mask` when above `max_bucket`, and lives on page
//! `bucket + spares[ceil(log2(bucket + 1))]`, continued through
//! `next_pgno`.  Hash pages (type 13) hold alternating key and data items;
//! an item is either inline (type 1) or off-page (type 3, a chain of
//! overflow pages, type 7).  The hash is FNV-1 (`h = h * 16777619 ^ byte`,
//! from 0), checked against the metadata's hash-check value; a file with
//! another hash function is searched page by page instead.
//!
//! Exim 4.96 behaviour reproduced here:
//! * `dbm` looks up the key plus a NUL, `dbmnz` the bare key;
//! * lookups are exact and case-sensitive; the value is used as a C string
//!   (it ends at its first NUL — `exim_dbmbuild` stores a trailing NUL);
//! * an empty key never matches (Exim's search layer fails it);
//! * a file that cannot be used gives `failed to open FILE as a db (v4.1+)
//!   file: ERROR`, where ERROR is the open error, `Is a directory`, or (for
//!   a file that is not a BDB hash file) `No such file or directory`, the
//!   stale `errno` Exim shows.
//!
//! Not supported (reported as the "not a BDB file" open failure):
//! encrypted files and off-page duplicate sets; in-page duplicates give the
//! first value, like `DB->get`.

use std::os::unix::ffi::OsStrExt;

const MAGIC: u32 = 0x0006_1561;
const P_HASH: u8 = 13;
const P_OVERFLOW: u8 = 7;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const PAGE_HEADER: usize = 26;

/// `dbm`: looks up `key` followed by a NUL.
pub fn find(path: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let key = crate::eval::c_str(key);
    let db = Db::open(path)?;
    if key.is_empty() {
        return Ok(None);
    }
    let mut k = key.to_vec();
    k.push(0);
    Ok(db.get(&k))
}

/// `dbmnz`: looks up `key` without a terminating NUL.
pub fn find_nz(path: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let key = crate::eval::c_str(key);
    let db = Db::open(path)?;
    if key.is_empty() {
        return Ok(None);
    }
    Ok(db.get(key))
}

/// `dbmjz`: looks up the NUL-joined elements of a list (already split by
/// the caller with Exim's list rules, `:` separated by default).  An empty
/// list fails; the joined key has no trailing NUL, but a leading empty
/// element contributes a NUL of its own (Exim's joining quirk).
pub fn find_jz(path: &[u8], elements: &[&[u8]]) -> Result<Option<Vec<u8>>, String> {
    let db = Db::open(path)?;
    if elements.is_empty() {
        return Ok(None);
    }
    let mut k = Vec::new();
    for (i, e) in elements.iter().enumerate() {
        let e = crate::eval::c_str(e);
        if i == 0 && e.is_empty() {
            k.push(0);
        }
        k.extend_from_slice(e);
        k.push(0);
    }
    k.pop();
    Ok(db.get(&k))
}

/// An open hash database, read whole.
struct Db {
    data: Vec<u8>,
    big_endian: bool,
    page_size: usize,
    overhead: usize,
    max_bucket: u32,
    high_mask: u32,
    low_mask: u32,
    fnv: bool,
    spares: [u32; 32],
}

impl Db {
    fn open(path: &[u8]) -> Result<Db, String> {
        let path = crate::eval::c_str(path);
        let shown = String::from_utf8_lossy(path);
        let fail = |err: &str| format!("failed to open {shown} as a db (v4.1+) file: {err}");
        let data = std::fs::read(std::ffi::OsStr::from_bytes(path)).map_err(|e| {
            let text = e.to_string();
            let text = match text.find(" (os error ") {
                Some(n) => text[..n].to_string(),
                None => text,
            };
            fail(&text)
        })?;
        Db::parse(data).ok_or_else(|| fail("No such file or directory"))
    }

    fn parse(data: Vec<u8>) -> Option<Db> {
        let magic = data.get(12..16)?;
        let big_endian = if u32::from_le_bytes(magic.try_into().ok()?) == MAGIC {
            false
        } else if u32::from_be_bytes(magic.try_into().ok()?) == MAGIC {
            true
        } else {
            return None;
        };
        let mut db = Db {
            data,
            big_endian,
            page_size: 0,
            overhead: PAGE_HEADER,
            max_bucket: 0,
            high_mask: 0,
            low_mask: 0,
            fnv: false,
            spares: [0; 32],
        };
        db.page_size = db.u32_at(20)? as usize;
        let encrypted = *db.data.get(24)? != 0;
        let page_type = *db.data.get(25)?;
        let meta_flags = *db.data.get(26)?;
        if encrypted || page_type != 8 || !(512..=65536).contains(&db.page_size) {
            return None;
        }
        if meta_flags & 1 != 0 {
            // Checksummed pages: header plus a 20-byte checksum, aligned.
            db.overhead = 48;
        }
        db.max_bucket = db.u32_at(72)?;
        db.high_mask = db.u32_at(76)?;
        db.low_mask = db.u32_at(80)?;
        let charkey = db.u32_at(92)?;
        for i in 0..32 {
            db.spares[i] = db.u32_at(96 + 4 * i)?;
        }
        db.fnv = charkey == fnv1(b"%$sniglet^&\0");
        Some(db)
    }

    fn u16_at(&self, pos: usize) -> Option<u16> {
        let b: [u8; 2] = self.data.get(pos..pos + 2)?.try_into().ok()?;
        Some(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32_at(&self, pos: usize) -> Option<u32> {
        let b: [u8; 4] = self.data.get(pos..pos + 4)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn page(&self, pgno: u32) -> Option<&[u8]> {
        let start = (pgno as usize).checked_mul(self.page_size)?;
        self.data.get(start..start.checked_add(self.page_size)?)
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let mut value = if self.fnv {
            let h = fnv1(key);
            let mut bucket = h & self.high_mask;
            if bucket > self.max_bucket {
                bucket &= self.low_mask;
            }
            // ceil(log2(bucket + 1)), as Berkeley DB's __db_log2.
            let log = match bucket {
                0 => 0,
                b => 32 - b.leading_zeros(),
            };
            let first = bucket.wrapping_add(*self.spares.get(log as usize)?);
            self.search_chain(first, key)?
        } else {
            let pages = (self.data.len() / self.page_size) as u32;
            (1..pages).find_map(|p| self.search_page(p, key))?
        };
        if let Some(n) = value.iter().position(|&b| b == 0) {
            value.truncate(n);
        }
        Some(value)
    }

    /// Searches a bucket's page and its continuation pages.
    fn search_chain(&self, mut pgno: u32, key: &[u8]) -> Option<Vec<u8>> {
        let limit = self.data.len() / self.page_size;
        for _ in 0..limit {
            if let Some(v) = self.search_page(pgno, key) {
                return Some(v);
            }
            let page = self.page(pgno)?;
            let next = self.u32_at(pgno as usize * self.page_size + 16)?;
            if next == 0 || page.get(25) != Some(&P_HASH) {
                return None;
            }
            pgno = next;
        }
        None
    }

    /// Searches the key/data pairs of one hash page.
    fn search_page(&self, pgno: u32, key: &[u8]) -> Option<Vec<u8>> {
        let page = self.page(pgno)?;
        if page.get(25) != Some(&P_HASH) {
            return None;
        }
        let base = pgno as usize * self.page_size;
        let entries = self.u16_at(base + 20)? as usize;
        let offset = |i: usize| self.u16_at(base + self.overhead + 2 * i).map(usize::from);
        let item = |i: usize| -> Option<&[u8]> {
            let start = offset(i)?;
            let end = if i == 0 {
                self.page_size
            } else {
                offset(i - 1)?
            };
            page.get(start..end)
        };
        let mut i = 0;
        while i + 1 < entries {
            if self.item_bytes(item(i)?)?.as_slice() == key {
                let data = item(i + 1)?;
                return match data.first() {
                    Some(&H_DUPLICATE) => {
                        let len = self.u16_at(base + offset(i + 1)? + 1)? as usize;
                        data.get(3..3 + len).map(<[u8]>::to_vec)
                    }
                    _ => self.item_bytes(data),
                };
            }
            i += 2;
        }
        None
    }

    /// The bytes of an inline or off-page item.
    fn item_bytes(&self, item: &[u8]) -> Option<Vec<u8>> {
        match *item.first()? {
            H_KEYDATA => Some(item[1..].to_vec()),
            H_OFFPAGE => {
                let field = |p: usize| -> Option<u32> {
                    let b: [u8; 4] = item.get(p..p + 4)?.try_into().ok()?;
                    Some(if self.big_endian {
                        u32::from_be_bytes(b)
                    } else {
                        u32::from_le_bytes(b)
                    })
                };
                let mut pgno = field(4)?;
                let total = field(8)? as usize;
                let mut out = Vec::with_capacity(total.min(self.data.len()));
                let limit = self.data.len() / self.page_size;
                for _ in 0..limit {
                    if out.len() >= total || pgno == 0 {
                        break;
                    }
                    let page = self.page(pgno)?;
                    if page.get(25) != Some(&P_OVERFLOW) {
                        return None;
                    }
                    let base = pgno as usize * self.page_size;
                    let len = self.u16_at(base + 22)? as usize;
                    out.extend_from_slice(page.get(self.overhead..self.overhead + len)?);
                    pgno = self.u32_at(base + 16)?;
                }
                (out.len() == total).then_some(out)
            }
            _ => None,
        }
    }
}

/// Berkeley DB's default hash (`__ham_func5`): FNV-1 from zero.
fn fnv1(key: &[u8]) -> u32 {
    key.iter()
        .fold(0u32, |h, &b| h.wrapping_mul(16_777_619) ^ u32::from(b))
}

/// `dbm`: the key with its terminating NUL.  These report only open
/// failures.
pub(crate) fn query(
    q: &crate::eval::LookupQuery,
) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
    find(q.file.unwrap_or_default(), q.key).map_err(crate::eval::LookupFailure::Open)
}

/// `dbmnz`: the key without the NUL.
pub(crate) fn query_nz(
    q: &crate::eval::LookupQuery,
) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
    find_nz(q.file.unwrap_or_default(), q.key).map_err(crate::eval::LookupFailure::Open)
}

/// `dbmjz`: the key's list elements joined with NULs.
pub(crate) fn query_jz(
    q: &crate::eval::LookupQuery,
) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
    let elements: Vec<Vec<u8>> = crate::lists::ListIter::new(q.key).collect();
    let elements: Vec<&[u8]> = elements.iter().map(Vec::as_slice).collect();
    find_jz(q.file.unwrap_or_default(), &elements).map_err(crate::eval::LookupFailure::Open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture() -> Vec<u8> {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/lookups/aliases.dbm")
            .as_os_str()
            .as_bytes()
            .to_vec()
    }

    // Expected values from the oracle (conformance/lookups.jsonl and live
    // runs of exim -be on the same file).
    #[test]
    fn fixture_lookups() {
        let f = fixture();
        let dbm: &[(&str, Option<&str>)] = &[
            ("postmaster", Some("root")),
            ("Postmaster", None),
            ("emptyval", Some("")),
            ("nosuch", None),
            ("", None),
            ("spaced key", Some("quoted key with a space")),
            (
                "multi",
                Some("first line continued line one continued line two (tab)"),
            ),
            ("tab\tkey", Some("key containing a tab via escape")),
            (
                "*.example.net",
                Some("partial wildcard entry for example.net"),
            ),
            ("with-dollar", Some("value with $literal and \\backslash")),
            ("colon:key", Some("quoted key with a colon")),
            ("root", Some("admin@example.com")),
        ];
        for (key, want) in dbm {
            let got = find(&f, key.as_bytes()).unwrap();
            assert_eq!(got.as_deref(), want.map(str::as_bytes), "dbm {key:?}");
        }
        for key in ["postmaster", "Postmaster", "emptyval", "nosuch", ""] {
            assert_eq!(find_nz(&f, key.as_bytes()), Ok(None), "dbmnz {key:?}");
        }
        for list in [
            &["postmaster"][..],
            &["multi"],
            &["spaced key"],
            &[],
            &["a", "b"],
        ] {
            let elems: Vec<&[u8]> = list.iter().map(|s| s.as_bytes()).collect();
            assert_eq!(find_jz(&f, &elems), Ok(None), "dbmjz {list:?}");
        }
    }

    #[test]
    fn errors_and_odd_files() {
        assert_eq!(
            find(b"/nonexistent.db", b"x"),
            Err(
                "failed to open /nonexistent.db as a db (v4.1+) file: No such file or directory"
                    .into()
            )
        );
        let dir = std::env::temp_dir();
        let d = dir.to_str().unwrap();
        assert_eq!(
            find(d.as_bytes(), b"x"),
            Err(format!(
                "failed to open {d} as a db (v4.1+) file: Is a directory"
            ))
        );
        let junk = dir.join(format!("exim-expand-dbm-{}", std::process::id()));
        for bytes in [&b"x"[..], &[0u8; 5000], &[0xffu8; 9000]] {
            std::fs::write(&junk, bytes).unwrap();
            let j = junk.to_str().unwrap();
            assert_eq!(
                find(j.as_bytes(), b"x"),
                Err(format!(
                    "failed to open {j} as a db (v4.1+) file: No such file or directory"
                ))
            );
        }
        // Damaged copies of the fixture must not panic.
        let good = std::fs::read(String::from_utf8(fixture()).unwrap()).unwrap();
        for i in (0..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[i] ^= 0xa5;
            if i % 3 == 0 {
                bad.truncate(i.max(30));
            }
            std::fs::write(&junk, &bad).unwrap();
            let j = junk.to_str().unwrap().as_bytes();
            let _ = find(j, b"postmaster");
            let _ = find_nz(j, b"spaced key");
        }
        let _ = std::fs::remove_file(&junk);
    }

    #[test]
    fn hash_check_value() {
        // The metadata of every BDB 5.3 hash file records this value.
        assert_eq!(fnv1(b"%$sniglet^&\0"), 0x5e68_8dd1);
    }

    /// Live check against exim_dbmbuild and exim -be when installed: a
    /// file with many buckets and overflow pages.
    #[test]
    fn oracle_built_file() {
        use std::io::Write;
        let conf =
            std::env::temp_dir().join(format!("exim-expand-dbm-{}.conf", std::process::id()));
        std::fs::write(&conf, "primary_hostname = myhost.test.ex\n").unwrap();
        let build = "/usr/sbin/exim_dbmbuild";
        if !std::path::Path::new(build).exists() {
            crate::testutil::skip_without(build, "oracle_built_file");
            return;
        }
        let dir = std::env::temp_dir().join(format!("exim-expand-dbmb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut src = String::new();
        for i in 0..1500 {
            let pad = if i % 100 == 0 {
                "y".repeat(i * 5)
            } else {
                String::new()
            };
            src.push_str(&format!("Key{i}: value {i} {pad}\n"));
        }
        std::fs::write(dir.join("src.txt"), src).unwrap();
        let db = dir.join("out.db");
        let ok = std::process::Command::new(build)
            .arg(dir.join("src.txt"))
            .arg(&db)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "exim_dbmbuild failed");
        let dbs = db.to_str().unwrap();
        let keys: Vec<String> = (0..1600).step_by(13).map(|i| format!("key{i}")).collect();
        let mut input = String::new();
        for k in &keys {
            input.push_str(&format!(
                "${{lookup{{{k}}}dbm{{{dbs}}}{{<$value>}}{{NOTFOUND}}}}\n"
            ));
        }
        let mut child = std::process::Command::new("exim")
            .arg("-C")
            .arg(&conf)
            .arg("-be")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let got: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("> ")).collect();
        assert_eq!(got.len(), keys.len() + 1, "{text}");
        for (k, want) in keys.iter().zip(got) {
            let mine = match find(dbs.as_bytes(), k.as_bytes()).unwrap() {
                Some(v) => format!("<{}>", String::from_utf8_lossy(&v)),
                None => "NOTFOUND".into(),
            };
            assert_eq!(mine, want, "key {k}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
