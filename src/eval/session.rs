//! State that lives for one session (a `-be` run, an SMTP connection)
//! rather than one evaluation: Exim's per-process lookup cache, and the
//! lookup answers an embedder supplies.

use std::collections::HashMap;

/// One cached result of a lookup.
#[derive(Debug, Clone)]
pub(crate) struct CacheEntry {
    pub(crate) opts: Option<String>,
    pub(crate) data: Option<Vec<u8>>,
}

/// Cached results of one database by key.
type KeyCache = HashMap<Vec<u8>, CacheEntry>;

/// The per-process lookup cache (Exim's per-handle `item_cache`): results
/// by lookup type and file, then by key.
#[derive(Debug, Clone, Default)]
pub struct LookupCache {
    pub(crate) items: HashMap<(&'static str, Vec<u8>), KeyCache>,
    /// The subject a wildlsearch key was last checked against (Exim's
    /// `expand_nstring[0]`, which a partial match then exposes as `$0`).
    pub(crate) wild_subject: Option<Vec<u8>>,
}

impl LookupCache {
    /// Forgets everything (Exim's `search_tidyup`).
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

/// Lookup answers an embedder supplies instead of files and servers (for
/// tests of configurations, and for query-style types such as `dnsdb` or
/// `mysql` that this build does not contact).  A (type, file) pair with a
/// table answers from it alone: keys not in it are not found.  For
/// query-style types the file is empty and the key is the query.
#[derive(Debug, Clone, Default)]
pub struct MockLookups {
    tables: HashMap<(String, Vec<u8>), MockTable>,
}

/// Keys and their values for one (type, file).
pub(crate) type MockTable = HashMap<Vec<u8>, Vec<u8>>;

impl MockLookups {
    /// `${lookup{key}TYPE{file}}` (or `${lookup TYPE{key}}`) gives `value`.
    pub fn insert(&mut self, lookup_type: &str, file: &[u8], key: &[u8], value: &[u8]) {
        self.tables
            .entry((lookup_type.to_string(), file.to_vec()))
            .or_default()
            .insert(key.to_vec(), value.to_vec());
    }

    pub(crate) fn table(&self, lookup_type: &str, file: &[u8]) -> Option<&MockTable> {
        self.tables.get(&(lookup_type.to_string(), file.to_vec()))
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}
