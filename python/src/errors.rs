//! ExpandError and its subclasses, and Diagnostic.

use std::sync::Arc;

use ::exim_expand as ee;
use ee::eval::ErrorKind;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;

use crate::convert::*;

use pyo3::create_exception;

create_exception!(
    exim_expand,
    ExpandError,
    PyException,
    "An expansion failed.\n\n\
     Attributes: `message` (Exim's text, as `exim -be` prints it after \
     `Failed: `), `kind` (\"syntax\", \"failed\" or \"forced\"), `forced`, \
     `line` and `column` (1-based), `start` and `end` (byte offsets into the \
     expression), `expression`, `rendered` (the message with line, column \
     and a caret under the expression)."
);
create_exception!(
    exim_expand,
    ForcedFailure,
    ExpandError,
    "A forced failure (`fail` in place of a \"no\" string, a lookup's \
     `fail`, ...): Exim's callers usually treat it as \"option unset\"."
);
create_exception!(
    exim_expand,
    ConfigError,
    PyValueError,
    "An Exim configuration file could not be read."
);

pub(crate) fn kind_name(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::Syntax => "syntax",
        ErrorKind::Failed => "failed",
        ErrorKind::ForcedFail => "forced",
        ErrorKind::UnknownVariable => "unknown_variable",
        ErrorKind::Refused => "refused",
        ErrorKind::Limit => "limit",
        ErrorKind::Config => "config",
        _ => "failed",
    }
}

pub(crate) fn expand_error(py: Python<'_>, source: &[u8], e: &ee::ExpandError) -> PyErr {
    let text = e.message_str();
    let err = if e.is_forced() {
        ForcedFailure::new_err(text)
    } else {
        ExpandError::new_err(text)
    };
    let (line, column) = ee::diagnostic::line_col(source, e.span.start as usize);
    let set = || -> PyResult<()> {
        let v = err.value(py);
        v.setattr("message", to_str(py, &e.message)?)?;
        v.setattr("kind", kind_name(e.kind))?;
        v.setattr("forced", e.is_forced())?;
        v.setattr("line", line)?;
        v.setattr("column", column)?;
        v.setattr("start", e.span.start)?;
        v.setattr("end", e.span.end)?;
        v.setattr("expression", to_str(py, source)?)?;
        v.setattr(
            "rendered",
            ee::diagnostic::render(source, e, "<expr>", false),
        )?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(other) => other,
    }
}

/// One problem in an expression: from `check()` or `Template.errors()`.
#[pyclass(frozen, module = "exim_expand")]
pub(crate) struct Diagnostic {
    /// Exim's message.
    #[pyo3(get)]
    message: String,
    /// "syntax", "failed" or "forced".
    #[pyo3(get)]
    kind: &'static str,
    /// 1-based line of `start`.
    #[pyo3(get)]
    line: usize,
    /// 1-based column (in characters) of `start`.
    #[pyo3(get)]
    column: usize,
    /// Byte offset where the problem starts.
    #[pyo3(get)]
    start: u32,
    /// Byte offset where it ends.
    #[pyo3(get)]
    end: u32,
    source: Arc<[u8]>,
    error: ee::ExpandError,
}

impl Diagnostic {
    fn new(source: &Arc<[u8]>, e: &ee::ExpandError) -> Diagnostic {
        let (line, column) = ee::diagnostic::line_col(source, e.span.start as usize);
        Diagnostic {
            message: e.message_str(),
            kind: kind_name(e.kind),
            line,
            column,
            start: e.span.start,
            end: e.span.end,
            source: source.clone(),
            error: e.clone(),
        }
    }
}

#[pymethods]
impl Diagnostic {
    /// The message with `origin:line:column` and a caret under the
    /// expression, as `exim-expand check` prints it.
    #[pyo3(signature = (origin = "<expr>", color = false))]
    fn render(&self, origin: &str, color: bool) -> String {
        ee::diagnostic::render(&self.source, &self.error, origin, color)
    }

    fn __str__(&self) -> String {
        format!("{}:{}: {}", self.line, self.column, self.message)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Diagnostic {}:{} {:?}>",
            self.line, self.column, self.message
        )
    }
}

pub(crate) fn diagnostics(source: &Arc<[u8]>, errs: &[ee::ExpandError]) -> Vec<Diagnostic> {
    errs.iter().map(|e| Diagnostic::new(source, e)).collect()
}
