//! Finding a builtin by its name: an open-addressing table from name to
//! position, built once per table.  (A binary search compared strings
//! several times per name and was a fifth of a short expansion; a general
//! hash map spent about a hundred instructions a name on hashing and
//! probing.  Names are short, so a hash of their length and their first
//! and last eight bytes, one multiply and a mostly empty table do.)

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
    /// The names by position.
    names: Vec<&'static [u8]>,
    /// Each slot: a position in `names`, or `EMPTY`.
    slots: Vec<u16>,
    /// How far right the hash is shifted to give a slot.
    shift: u32,
}

const EMPTY: u16 = u16::MAX;

/// The hash of a name: its length and its first and last eight bytes
/// (fewer for a shorter name), mixed by one multiplication.
#[inline]
fn hash(b: &[u8]) -> u64 {
    let n = b.len();
    let (head, tail) = if n >= 8 {
        let first = u64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]));
        let last = u64::from_le_bytes(b[n - 8..].try_into().unwrap_or([0; 8]));
        (first, last)
    } else if n >= 4 {
        let first = u32::from_le_bytes(b[..4].try_into().unwrap_or([0; 4]));
        let last = u32::from_le_bytes(b[n - 4..].try_into().unwrap_or([0; 4]));
        (u64::from(first), u64::from(last))
    } else {
        let at = |i: usize| b.get(i).map_or(0, |&c| u64::from(c));
        (at(0) | at(1) << 8 | at(2) << 16, 0)
    };
    (head ^ tail.rotate_left(29) ^ (n as u64) << 56).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl NameIndex {
    /// The index of `names`, each at its position (a later duplicate is
    /// ignored, as a binary search would find either).
    pub fn new(names: impl IntoIterator<Item = &'static str>) -> NameIndex {
        let names: Vec<&'static [u8]> = names.into_iter().map(str::as_bytes).collect();
        assert!(
            names.len() < usize::from(EMPTY),
            "a builtin table of at most 65,534 names"
        );
        // At most a quarter full: most searches look at one slot.
        let bits = (names.len() * 4)
            .next_power_of_two()
            .max(16)
            .trailing_zeros();
        let mut ix = NameIndex {
            slots: vec![EMPTY; 1 << bits],
            shift: 64 - bits,
            names,
        };
        for i in 0..ix.names.len() {
            let n = ix.names[i];
            if ix.get(n).is_none() {
                let mut s = ix.slot_of(n);
                while ix.slots[s] != EMPTY {
                    s = (s + 1) & (ix.slots.len() - 1);
                }
                ix.slots[s] = i as u16;
            }
        }
        ix
    }

    #[inline]
    fn slot_of(&self, name: &[u8]) -> usize {
        (hash(name) >> self.shift) as usize
    }

    /// The position of `name`.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut s = self.slot_of(name);
        loop {
            let i = self.slots[s];
            if i == EMPTY {
                return None;
            }
            let i = usize::from(i);
            if self.names[i] == name {
                return Some(i);
            }
            s = (s + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_at_its_position_and_no_other() {
        // Names shaped like Exim's: shared prefixes and suffixes, lengths
        // from 1 to 40.
        let mut vars: Vec<&'static str> = Vec::new();
        for i in 0..400 {
            let n = match i % 4 {
                0 => format!("tls_in_{i}"),
                1 => format!("sender_host_address_{i}_x"),
                2 => "abcdefghijklmnopqrstuvwxyz0123456789abcd"
                    .get(..1 + i % 40)
                    .unwrap_or("a")
                    .to_string(),
                _ => format!("v{i}_suffix_shared_by_all"),
            };
            vars.push(Box::leak(n.into_boxed_str()));
        }
        let ix = NameIndex::new(vars.iter().copied());
        for n in &vars {
            // A name listed twice is found at its first place.
            let first = vars.iter().position(|m| m == n);
            assert_eq!(ix.get(n.as_bytes()), first, "{n}");
        }
        for n in [
            "",
            "tls_in_",
            "tls_in_400",
            "sender_host_address_1_y",
            "x".repeat(300).as_str(),
        ] {
            assert_eq!(ix.get(n.as_bytes()), None, "{n:?}");
        }
        let dup = NameIndex::new(["h", "hash", "h"]);
        assert_eq!((dup.get(b"h"), dup.get(b"hash")), (Some(0), Some(1)));
        assert_eq!(NameIndex::default().get(b"lc"), None);
    }
}
