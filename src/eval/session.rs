//! State that lives for one session (a `-be` run, an SMTP connection)
//! rather than one evaluation: Exim's per-process lookup cache.

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
    pub(crate) items: HashMap<(std::sync::Arc<str>, Vec<u8>), KeyCache>,
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
