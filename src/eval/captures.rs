//! `$0`..`$n`: what the last successful regex match (or wildcard lookup)
//! captured.

use super::Value;
use std::sync::Arc;

/// The numeric variables, shared: items such as `if` and `extract` save
/// and restore them around their arguments, and a copy costs no more than
/// a reference count.
///
/// ```
/// use exim_expand::eval::Captures;
/// let c = Captures::from(vec!["whole".into(), "part".into()]);
/// assert_eq!(c.get(1).unwrap().as_bytes(), b"part");
/// assert!(c.get(2).is_none() && Captures::default().is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captures(Option<Arc<[Value]>>);

impl Captures {
    /// `$n`, if the match captured that many.
    pub fn get(&self, n: usize) -> Option<&Value> {
        self.as_slice().get(n)
    }

    /// `$0`.
    pub fn first(&self) -> Option<&Value> {
        self.get(0)
    }

    /// All of them, `$0` first.
    pub fn as_slice(&self) -> &[Value] {
        self.0.as_deref().unwrap_or_default()
    }

    /// `$0`, `$1`, ... in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.as_slice().iter()
    }

    /// Whether nothing is captured.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// Forgets them all.
    pub fn clear(&mut self) {
        self.0 = None;
    }
}

impl From<Vec<Value>> for Captures {
    fn from(v: Vec<Value>) -> Captures {
        if v.is_empty() {
            Captures(None)
        } else {
            Captures(Some(v.into()))
        }
    }
}

impl FromIterator<Value> for Captures {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Captures {
        iter.into_iter().collect::<Vec<_>>().into()
    }
}
