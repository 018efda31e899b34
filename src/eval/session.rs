//! State that lives for one session (a `-be` run, an SMTP connection)
//! rather than one evaluation: Exim's per-process lookup cache.

use std::collections::HashMap;

/// One cached result of a lookup.
#[derive(Debug, Clone)]
pub(crate) struct CacheEntry {
    pub(crate) opts: Option<String>,
    pub(crate) data: Option<Vec<u8>>,
}

/// Maps of the cache: hashed with foldhash (the keys are the
/// configuration's own file names and keys, not chosen by a peer).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Cached results of one database by key.
type KeyCache = FastMap<Vec<u8>, CacheEntry>;

/// The per-process lookup cache (Exim's per-handle `item_cache`): results
/// by lookup type and file, then by key.
///
/// ```
/// use exim_expand::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
/// use exim_expand::parser::LookupStyle;
/// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
/// /// Counts the keys it is asked for.
/// #[derive(Debug, Default)]
/// struct Counting(AtomicUsize);
/// impl Lookup for Counting {
///     fn style(&self) -> LookupStyle {
///         LookupStyle::SingleKey
///     }
///     fn find(&self, _: &mut Evaluator, _: &LookupHandle, _: &LookupQuery)
///         -> Result<Option<Vec<u8>>, LookupFailure> {
///         self.0.fetch_add(1, SeqCst);
///         Ok(Some(b"v".to_vec()))
///     }
/// }
/// let counting = std::sync::Arc::new(Counting::default());
/// let mut ctx = exim_expand::Context::new();
/// ctx.register_lookup("counting", counting.clone());
/// let src = b"${lookup{k}counting{/f}}";
/// exim_expand::expand(src, &mut ctx).unwrap();
/// exim_expand::expand(src, &mut ctx).unwrap(); // answered from the cache
/// assert_eq!(counting.0.load(SeqCst), 1);
/// ctx.lookup_cache.clear();
/// exim_expand::expand(src, &mut ctx).unwrap();
/// assert_eq!(counting.0.load(SeqCst), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct LookupCache {
    /// By database: the lookup type's name, a NUL and the file name
    /// (see [`LookupCache::database_key`]).
    pub(crate) items: FastMap<Box<[u8]>, KeyCache>,
    /// Open files by lookup type and file name (Exim keeps up to
    /// `lookup_open_max` files open), each with the file's identity when
    /// it was opened: a file changed since is opened again.
    pub(crate) handles: HashMap<(std::sync::Arc<str>, Vec<u8>), OpenHandle>,
    /// The subject a wildlsearch key was last checked against (Exim's
    /// `expand_nstring[0]`, which a partial match then exposes as `$0`).
    pub(crate) wild_subject: Option<Vec<u8>>,
    /// Set by [`LookupCache::forget_database`] during one `find`.
    pub(crate) forget: bool,
    /// The last database key built, kept to build the next one in place.
    scratch: Vec<u8>,
}

/// A lookup type's open file, shared by the lookups of a session.
#[derive(Debug, Clone)]
pub(crate) struct OpenHandle {
    pub(crate) stamp: FileStamp,
    pub(crate) handle: std::sync::Arc<std::sync::Mutex<super::LookupHandle>>,
}

/// What tells one version of a file from another: device, inode, size and
/// modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
}

impl FileStamp {
    /// The file's stamp, if it can be stat'ed.
    pub(crate) fn of(path: &[u8]) -> Option<FileStamp> {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(std::ffi::OsStr::from_bytes(path)).ok()?;
        Some(FileStamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
        })
    }
}

/// Exim's default `lookup_open_max`.
pub(crate) const LOOKUP_OPEN_MAX: usize = 25;

impl LookupCache {
    /// The key of a database in [`LookupCache::items`]: `lookup_type`,
    /// a NUL, the file name (empty for a query-style lookup), built in a
    /// buffer the cache keeps, so a cached lookup allocates nothing.
    pub(crate) fn database_key(&mut self, lookup_type: &str, file: &[u8]) -> &[u8] {
        self.scratch.clear();
        self.scratch.extend_from_slice(lookup_type.as_bytes());
        self.scratch.push(0);
        self.scratch.extend_from_slice(file);
        &self.scratch
    }

    /// The cached answer for `key` in the database of [`LookupCache::database_key`].
    pub(crate) fn cached(
        &mut self,
        lookup_type: &str,
        file: &[u8],
        key: &[u8],
    ) -> Option<&CacheEntry> {
        self.database_key(lookup_type, file);
        self.items.get(&self.scratch[..])?.get(key)
    }

    /// Forgets what is cached for one database.
    pub(crate) fn forget_cached(&mut self, lookup_type: &str, file: &[u8]) {
        self.database_key(lookup_type, file);
        self.items.remove(&self.scratch[..]);
    }

    /// Remembers an answer.
    pub(crate) fn remember(
        &mut self,
        lookup_type: &str,
        file: &[u8],
        key: &[u8],
        entry: CacheEntry,
    ) {
        self.database_key(lookup_type, file);
        match self.items.get_mut(&self.scratch[..]) {
            Some(m) => {
                m.insert(key.to_vec(), entry);
            }
            None => {
                let mut m = KeyCache::default();
                m.insert(key.to_vec(), entry);
                self.items
                    .insert(self.scratch.clone().into_boxed_slice(), m);
            }
        }
    }

    /// Forgets everything (Exim's `search_tidyup`).
    pub fn clear(&mut self) {
        self.items.clear();
        self.handles.clear();
    }

    /// For a lookup's `find`: its answer must not be cached, and what is
    /// cached for the same database is forgotten (Exim's `do_cache = 0`,
    /// as redis sets it for a nil reply).
    pub fn forget_database(&mut self) {
        self.forget = true;
    }
}
