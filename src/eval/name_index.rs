//! Finding a builtin by its name: a hash map from name to position, built
//! once per table (a binary search compared strings several times per
//! name, and was a fifth of the time of a short expansion).

use std::collections::HashMap;

/// Positions of the names of one table.
///
/// ```
/// use exim_expand::eval::NameIndex;
/// let ix = NameIndex::new(["lc", "uc", "md5"]);
/// assert_eq!(ix.get(b"uc"), Some(1));
/// assert_eq!(ix.get(b"sha1"), None);
/// ```
#[derive(Clone, Debug, Default)]
pub struct NameIndex {
    map: HashMap<&'static [u8], u16, foldhash::fast::FixedState>,
}

impl NameIndex {
    /// The index of `names`, each at its position (a later duplicate is
    /// ignored, as a binary search would find either).
    pub fn new(names: impl IntoIterator<Item = &'static str>) -> NameIndex {
        let mut map = HashMap::with_hasher(foldhash::fast::FixedState::default());
        for (i, n) in names.into_iter().enumerate() {
            let i = u16::try_from(i).expect("a builtin table of at most 65,535 names");
            map.entry(n.as_bytes()).or_insert(i);
        }
        NameIndex { map }
    }

    /// The position of `name`.
    pub fn get(&self, name: &[u8]) -> Option<usize> {
        self.map.get(name).map(|&i| usize::from(i))
    }
}
