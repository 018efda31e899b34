//! Per-session state of builtins that the core does not know: a map from
//! a type to one value of it (the DKIM verification of the message being
//! received, for `${authresults}`; the DMARC outcome...).  The core keeps
//! it without looking inside.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Values by type.
///
/// ```
/// use exim_expand::eval::Extensions;
/// #[derive(Debug, PartialEq)]
/// struct Verdict(&'static str);
/// let mut e = Extensions::default();
/// e.insert(Verdict("pass"));
/// assert_eq!(e.get::<Verdict>(), Some(&Verdict("pass")));
/// e.remove::<Verdict>();
/// assert!(e.get::<Verdict>().is_none());
/// ```
#[derive(Clone, Default)]
pub struct Extensions(HashMap<TypeId, Arc<dyn Any + Send + Sync>>);

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Extensions({} values)", self.0.len())
    }
}

impl Extensions {
    /// Sets the value of type `T`.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, if set.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref())
    }

    /// Forgets the value of type `T`.
    pub fn remove<T: Any + Send + Sync>(&mut self) {
        self.0.remove(&TypeId::of::<T>());
    }
}
