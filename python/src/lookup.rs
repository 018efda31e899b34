//! Python callables as lookup types: `ctx.register_lookup("mytype", fn)`.
//!
//! The function gets the key (the query for query-style types) and, for
//! types with a file, the file name, as `str` (bytes that are not UTF-8
//! decode with `surrogateescape`); it returns `str` or `bytes` for found,
//! `None` for not found, and raises to make the lookup DEFER with the
//! exception's text.

use ::exim_expand as ee;
use ee::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use ee::parser::LookupStyle;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::{to_bytes, to_str};

/// A lookup type answered by a Python function.
#[derive(Debug)]
pub(crate) struct PyLookup {
    func: Py<PyAny>,
    style: LookupStyle,
}

/// The lookup style for `style=`: "query" (`${lookup mytype{query}}`),
/// "single-key" (`${lookup{key}mytype{file}}`) or "file-query"
/// (`${lookup mytype{/file query}}`, as sqlite).
pub(crate) fn style_from(name: &str) -> PyResult<LookupStyle> {
    match name {
        "query" => Ok(LookupStyle::Query),
        "single-key" => Ok(LookupStyle::SingleKey),
        "file-query" => Ok(LookupStyle::AbsFileQuery),
        other => Err(PyValueError::new_err(format!(
            "unknown lookup style {other:?} (known: query, single-key, file-query)"
        ))),
    }
}

impl PyLookup {
    pub(crate) fn new(func: Py<PyAny>, style: LookupStyle) -> PyLookup {
        PyLookup { func, style }
    }

    fn call(&self, py: Python<'_>, q: &LookupQuery) -> PyResult<Option<Vec<u8>>> {
        let key = to_str(py, q.key)?;
        let r = match (self.style, q.file) {
            (LookupStyle::Query, _) | (_, None) => self.func.call1(py, (key,))?,
            (_, Some(file)) => self.func.call1(py, (key, to_str(py, file)?))?,
        };
        let r = r.bind(py);
        if r.is_none() {
            return Ok(None);
        }
        to_bytes(r, "a lookup function's result").map(Some)
    }
}

impl Lookup for PyLookup {
    fn style(&self) -> LookupStyle {
        self.style
    }

    fn find(
        &self,
        _ev: &mut Evaluator,
        _h: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        Python::attach(|py| {
            self.call(py, q).map_err(|e| {
                let text = e
                    .value(py)
                    .str()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|_| "lookup function failed".into());
                LookupFailure::Defer(text)
            })
        })
    }
}
