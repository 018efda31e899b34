//! Lookup answers an embedder supplies instead of files and servers (for
//! tests of configurations, and for query-style types such as `dnsdb` or
//! `mysql` that this build does not contact), as an ordinary lookup type
//! wrapped around the real one: a file with a table answers from it alone
//! (keys not in it are not found, and nothing is read, so no capability is
//! needed); other files go to the real type.  For query-style types the
//! file is empty and the key is the query.

use crate::eval::{
    Capability, Context, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery,
};
use crate::parser::LookupStyle;
use std::collections::HashMap;
use std::sync::Arc;

/// Keys and their values, by file.
type Tables = HashMap<Vec<u8>, HashMap<Vec<u8>, Vec<u8>>>;

/// A lookup type whose answers for some files are given.
///
/// ```
/// use exim_expand::{Context, MockLookup, expand};
/// let mut ctx = Context::new(); // no capability: files may not be read
/// let real = ctx.registry.lookup("lsearch").unwrap().1.clone();
/// let mut mock = MockLookup::over(real);
/// mock.insert(b"/etc/aliases", b"postmaster", b"root");
/// ctx.register_lookup("lsearch", std::sync::Arc::new(mock));
/// let v = expand(b"${lookup{postmaster}lsearch{/etc/aliases}}", &mut ctx).unwrap();
/// assert_eq!(v.bytes, b"root");
/// let v = expand(b"${lookup{nobody}lsearch{/etc/aliases}{$value}{none}}", &mut ctx).unwrap();
/// assert_eq!(v.bytes, b"none");
/// ```
#[derive(Debug, Clone)]
pub struct MockLookup {
    real: Arc<dyn Lookup>,
    tables: Arc<Tables>,
}

/// The handle of a mocked file: its name.
struct Mocked(Vec<u8>);

impl MockLookup {
    /// No answers yet; files without a table go to `real`.
    pub fn over(real: Arc<dyn Lookup>) -> MockLookup {
        MockLookup {
            real,
            tables: Arc::default(),
        }
    }

    /// `${lookup{key}TYPE{file}}` (or `${lookup TYPE{key}}`) gives `value`.
    pub fn insert(&mut self, file: &[u8], key: &[u8], value: &[u8]) {
        Arc::make_mut(&mut self.tables)
            .entry(file.to_vec())
            .or_default()
            .insert(key.to_vec(), value.to_vec());
    }

    fn mocked(&self, file: Option<&[u8]>) -> bool {
        self.tables.contains_key(file.unwrap_or_default())
    }
}

impl Lookup for MockLookup {
    fn style(&self) -> LookupStyle {
        self.real.style()
    }

    fn capability(&self, file: Option<&[u8]>) -> Option<Capability> {
        if self.mocked(file) {
            None
        } else {
            self.real.capability(file)
        }
    }

    fn open(&self, ev: &mut Evaluator, file: Option<&[u8]>) -> Result<LookupHandle, LookupFailure> {
        if self.mocked(file) {
            return Ok(Box::new(Mocked(file.unwrap_or_default().to_vec())));
        }
        self.real.open(ev, file)
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        handle: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        match handle.downcast_ref::<Mocked>() {
            Some(Mocked(file)) => Ok(self.tables.get(file).and_then(|t| t.get(q.key)).cloned()),
            None => self.real.find(ev, handle, q),
        }
    }
}

impl Context {
    /// Makes `${lookup{key}TYPE{file}}` (or `${lookup TYPE{key}}` with an
    /// empty `file`) give `value` without reading files or asking servers.
    /// `Err` names an unknown type.
    ///
    /// ```
    /// let mut ctx = exim_expand::Context::new();
    /// ctx.mock_lookup("lsearch", b"/etc/aliases", b"postmaster", b"root").unwrap();
    /// let v = exim_expand::expand(b"${lookup{postmaster}lsearch{/etc/aliases}}", &mut ctx);
    /// assert_eq!(v.unwrap().bytes, b"root");
    /// ```
    pub fn mock_lookup(
        &mut self,
        lookup_type: &str,
        file: &[u8],
        key: &[u8],
        value: &[u8],
    ) -> Result<(), String> {
        let reg = Arc::make_mut(&mut self.registry);
        let Some((_, current)) = reg.lookup(lookup_type) else {
            return Err(format!("unknown lookup type \"{lookup_type}\""));
        };
        let current = current.clone();
        let any: &dyn std::any::Any = &*current;
        let mut mock = match any.downcast_ref::<MockLookup>() {
            Some(m) => m.clone(),
            None => MockLookup::over(current),
        };
        mock.insert(file, key, value);
        reg.set_lookup(lookup_type, Arc::new(mock));
        Ok(())
    }
}
