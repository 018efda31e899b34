//! Template: parse once, evaluate many times.

use ::exim_expand as ee;
use ee::eval::Value;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::context::*;
use crate::convert::*;
use crate::errors::*;

/// A parsed expression: parse once with `parse()`, evaluate many times.
#[pyclass(frozen, module = "exim_expand")]
pub(crate) struct Template {
    pub(crate) inner: ee::Template,
}

impl Template {
    /// The template, or its first syntax error raised.
    pub(crate) fn compiled(py: Python<'_>, t: ee::Template) -> PyResult<Template> {
        match t.first_error() {
            Some(e) => Err(expand_error(py, &t.source, e)),
            None => Ok(Template { inner: t }),
        }
    }

    fn eval(
        &self,
        py: Python<'_>,
        context: Option<PyRef<'_, Context>>,
        vars: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Value> {
        match context {
            None => {
                let mut ctx = ee::Context::new();
                set_vars(&mut ctx, vars.map(|d| d.as_any()), false)?;
                run(py, &mut ctx, &self.inner)
            }
            Some(c) => {
                let mut held = c.hold(py)?;
                // Keyword variables apply to this evaluation only: each
                // takes the place of the context's value, which is put
                // back afterwards (the dict is read directly, and each
                // name copied once).
                let mut saved: Vec<(String, Option<Value>)> = Vec::new();
                if let Some(vars) = vars {
                    saved.reserve(vars.len());
                    for (k, v) in vars.iter() {
                        let name: String = k.extract()?;
                        let value = Value {
                            bytes: value_bytes(&v, &name)?,
                            tainted: false,
                        };
                        let old = match held.vars.get_mut(name.as_str()) {
                            Some(slot) => Some(std::mem::replace(slot, value)),
                            None => {
                                held.vars.insert(name.clone(), value);
                                None
                            }
                        };
                        saved.push((name, old));
                    }
                }
                let r = run(py, &mut held, &self.inner);
                for (name, old) in saved.into_iter().rev() {
                    match (old, held.vars.get_mut(name.as_str())) {
                        (Some(v), Some(slot)) => *slot = v,
                        (Some(v), None) => {
                            held.vars.insert(name, v);
                        }
                        (None, _) => {
                            held.vars.remove(name.as_str());
                        }
                    }
                }
                r
            }
        }
    }
}

#[pymethods]
impl Template {
    /// Evaluates the template.  `context` defaults to a fresh sandboxed
    /// Context; keyword arguments set variables for this evaluation only.
    #[pyo3(signature = (context = None, **vars))]
    fn expand<'py>(
        &self,
        py: Python<'py>,
        context: Option<PyRef<'_, Context>>,
        vars: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.eval(py, context, vars)?;
        result(py, v, false)
    }

    /// As `expand()`, but returns the exact bytes.
    #[pyo3(signature = (context = None, **vars))]
    fn expand_bytes<'py>(
        &self,
        py: Python<'py>,
        context: Option<PyRef<'_, Context>>,
        vars: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = self.eval(py, context, vars)?;
        result(py, v, true)
    }

    /// The syntax errors found while parsing (empty when there are none).
    fn errors(&self) -> Vec<Diagnostic> {
        let errs: Vec<ee::ExpandError> = self.inner.errors().into_iter().cloned().collect();
        diagnostics(&self.inner.source, &errs)
    }

    /// The syntax tree, one node per line with byte spans.
    fn dump(&self) -> String {
        self.inner.dump()
    }

    /// The expression's text.
    #[getter]
    fn source<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_str(py, &self.inner.source)
    }

    fn __repr__(&self) -> String {
        format!(
            "<exim_expand.Template {:?}>",
            String::from_utf8_lossy(&self.inner.source)
        )
    }
}
