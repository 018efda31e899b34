//! Context: configuration, providers and session state, shared by threads.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use ::exim_expand as ee;
use ee::eval::{Capability, Evaluator, SystemClock, Value, trace};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyFrozenSet};

use crate::convert::*;
use crate::errors::*;
use crate::template::*;

pub(crate) fn run(py: Python<'_>, ctx: &mut ee::Context, t: &ee::Template) -> PyResult<Value> {
    let r = py.detach(|| Evaluator::new(ctx).run(t));
    r.map_err(|e| expand_error(py, &t.source, &e))
}

pub(crate) fn explain_tree(py: Python<'_>, ctx: &mut ee::Context, t: &ee::Template) -> String {
    py.detach(|| {
        let mut ev = Evaluator::new(ctx);
        ev.tracer = Some(trace::Tracer::default());
        let _ = ev.run(t);
        let roots = ev.tracer.take().map(|t| t.roots).unwrap_or_default();
        trace::render(&t.source, &roots)
    })
}

/// Everything an expansion sees: configuration (main options, named
/// lists, ACLs), variables, a message, the clock, the policy.
///
/// Expansions through one Context share state, as the lines of one
/// `exim -be` session do (`acl_c*` set by `${acl}`, `$runrc`, the lookup
/// cache...).
///
/// `sandbox=True` (the default) refuses `${run}`, `${readfile}`,
/// `${readsocket}`, `${perl}`, `${dlfunc}`, `${acl}`, file lookups and the
/// environment; `sandbox=False` allows everything, as `exim -be` does.
///
/// A Context may be shared by threads: evaluations through it take turns
/// (each holds the context while it runs, with the GIL released).
#[pyclass(frozen, module = "exim_expand")]
pub(crate) struct Context {
    inner: Mutex<ee::Context>,
    /// The thread holding `inner`, to refuse re-entry instead of
    /// deadlocking (a lookup function expanding with its own context).
    holder: AtomicU64,
}

/// This thread's id as a number (never 0).
fn thread_tag() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::thread::current().id().hash(&mut h);
    h.finish() | 1
}

/// A held context: releases the holder mark when dropped.
pub(crate) struct Held<'a> {
    guard: MutexGuard<'a, ee::Context>,
    holder: &'a AtomicU64,
}

impl std::ops::Deref for Held<'_> {
    type Target = ee::Context;
    fn deref(&self) -> &ee::Context {
        &self.guard
    }
}

impl std::ops::DerefMut for Held<'_> {
    fn deref_mut(&mut self) -> &mut ee::Context {
        &mut self.guard
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.holder.store(0, Ordering::Release);
    }
}

/// True while no capability is granted and no log goes to standard error.
fn sandboxed(ctx: &ee::Context) -> bool {
    ctx.policy.allowed.is_empty() && !ctx.policy.log_to_stderr
}

impl Context {
    pub(crate) fn wrap(ctx: ee::Context) -> Context {
        Context {
            inner: Mutex::new(ctx),
            holder: AtomicU64::new(0),
        }
    }

    /// Takes the context, waiting (with the GIL released) while another
    /// thread evaluates with it.
    pub(crate) fn hold(&self, py: Python<'_>) -> PyResult<Held<'_>> {
        let me = thread_tag();
        loop {
            match self.inner.try_lock() {
                Ok(guard) => {
                    self.holder.store(me, Ordering::Release);
                    return Ok(Held {
                        guard,
                        holder: &self.holder,
                    });
                }
                Err(TryLockError::Poisoned(p)) => {
                    self.holder.store(me, Ordering::Release);
                    return Ok(Held {
                        guard: p.into_inner(),
                        holder: &self.holder,
                    });
                }
                Err(TryLockError::WouldBlock) => {
                    if self.holder.load(Ordering::Acquire) == me {
                        return Err(PyRuntimeError::new_err(
                            "this Context is in use by the same thread (a lookup or \
                             resolver function may not evaluate with its own Context)",
                        ));
                    }
                    py.detach(|| drop(self.inner.lock()));
                }
            }
        }
    }
}

#[pymethods]
impl Context {
    #[new]
    #[pyo3(signature = (config = None, defines = None, profile = None, now = None, sandbox = true, *, vars = None, tainted_vars = None, dns_zones = None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        config: Option<PathBuf>,
        defines: Option<&Bound<'_, PyAny>>,
        profile: Option<&str>,
        now: Option<&Bound<'_, PyAny>>,
        sandbox: bool,
        vars: Option<&Bound<'_, PyAny>>,
        tainted_vars: Option<&Bound<'_, PyAny>>,
        dns_zones: Option<PathBuf>,
    ) -> PyResult<Context> {
        let mut inner = build_context(
            py,
            Setup {
                config,
                defines,
                profile,
                now,
                sandbox,
                vars,
                tainted_vars,
            },
        )?;
        if let Some(dir) = dns_zones {
            inner.resolver = Arc::new(
                ee::dns::ZoneResolver::from_dir(&dir)
                    .map_err(|e| ConfigError::new_err(e.to_string()))?,
            );
        }
        Ok(Context::wrap(inner))
    }

    /// Sets a variable (`$name`); `tainted=True` marks it as coming from
    /// outside, as Exim marks message and remote-host data.
    #[pyo3(signature = (name, value, tainted = false))]
    fn set(
        &self,
        py: Python<'_>,
        name: &str,
        value: &Bound<'_, PyAny>,
        tainted: bool,
    ) -> PyResult<()> {
        let bytes = value_bytes(value, name)?;
        self.hold(py)?
            .vars
            .insert(name.to_string(), Value { bytes, tainted });
        Ok(())
    }

    /// Answers `${lookup{key}TYPE{file}}` with `value` without reading any
    /// file (query-style types: `file=""` and the query as `key`).  A
    /// mocked (type, file) answers only from its mocks.
    fn mock_lookup(
        &self,
        py: Python<'_>,
        lookup_type: &str,
        file: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let file = to_bytes(file, "file")?;
        let key = to_bytes(key, "key")?;
        let value = to_bytes(value, "value")?;
        self.hold(py)?
            .mock_lookup(lookup_type, &file, &key, &value)
            .map_err(PyValueError::new_err)
    }

    /// Makes `name` a lookup type answered by `func`: `style="query"`
    /// calls `func(query)` for `${lookup name{query}}`; `"single-key"`
    /// calls `func(key, file)` for `${lookup{key}name{file}}`;
    /// `"file-query"` (as sqlite) calls `func(query, file)`.  `func`
    /// returns str/bytes (found) or None (not found); an exception makes
    /// the lookup DEFER.  Register before parsing templates that use it.
    #[pyo3(signature = (name, func, style = "query"))]
    fn register_lookup(
        &self,
        py: Python<'_>,
        name: &str,
        func: Py<PyAny>,
        style: &str,
    ) -> PyResult<()> {
        if !func.bind(py).is_callable() {
            return Err(PyTypeError::new_err("func must be callable"));
        }
        let lookup = crate::lookup::PyLookup::new(func, crate::lookup::style_from(style)?);
        self.hold(py)?.register_lookup(name, Arc::new(lookup));
        Ok(())
    }

    /// Parses `expr` with this context's lookup types (registered ones
    /// included); syntax errors are raised when evaluation reaches them.
    fn parse(&self, py: Python<'_>, expr: &Bound<'_, PyAny>) -> PyResult<Template> {
        let source = to_bytes(expr, "expr")?;
        let registry = self.hold(py)?.registry.clone();
        Ok(Template {
            inner: ee::Template::parse(&source, &registry),
        })
    }

    /// As `parse()`, but raises ExpandError for the first syntax error.
    fn compile(&self, py: Python<'_>, expr: &Bound<'_, PyAny>) -> PyResult<Template> {
        let source = to_bytes(expr, "expr")?;
        let registry = self.hold(py)?.registry.clone();
        Template::compiled(py, ee::Template::parse(&source, &registry))
    }

    /// Answers DNS queries from BIND zone files: every `NAME.zone` in
    /// `directory` is zone NAME (`root.zone` the root), as
    /// `shared/tools/hermetic-dns` serves them to a real Exim.
    fn load_dns_zones(&self, py: Python<'_>, directory: PathBuf) -> PyResult<()> {
        let zones = ee::dns::ZoneResolver::from_dir(&directory)
            .map_err(|e| ConfigError::new_err(e.to_string()))?;
        self.hold(py)?.resolver = Arc::new(zones);
        Ok(())
    }

    /// Answers DNS queries with `func(name, type)`: a list of records in
    /// presentation form (`"10 mx.example.com"` for MX), `None` when the
    /// name does not exist, `[]` when it has no records of the type; an
    /// exception is a temporary failure.
    fn set_resolver(&self, py: Python<'_>, func: Py<PyAny>) -> PyResult<()> {
        if !func.bind(py).is_callable() {
            return Err(PyTypeError::new_err("func must be callable"));
        }
        self.hold(py)?.resolver = Arc::new(crate::dns::PyResolver::new(func));
        Ok(())
    }

    /// Asks this context's resolver: the records in presentation form,
    /// `None` when the name does not exist, `[]` when it has no records of
    /// the type; OSError for a temporary or permanent failure.
    fn dns_query(&self, py: Python<'_>, name: &str, rrtype: &str) -> PyResult<Option<Vec<String>>> {
        let rr = crate::dns::rr_from(rrtype)?;
        let resolver = self.hold(py)?.resolver.clone();
        let name = name.to_string();
        let r = py.detach(move || resolver.query(name.as_bytes(), rr));
        match r {
            Ok(a) => Ok(Some(
                a.records
                    .iter()
                    .map(|r| crate::dns::present(&r.data))
                    .collect(),
            )),
            Err(ee::eval::DnsError::NoSuchName) => Ok(None),
            Err(ee::eval::DnsError::NoData) => Ok(Some(Vec::new())),
            Err(ee::eval::DnsError::Again(m)) => {
                Err(PyOSError::new_err(format!("DNS temporary failure: {m}")))
            }
            Err(ee::eval::DnsError::Fail(m)) => {
                Err(PyOSError::new_err(format!("DNS failure: {m}")))
            }
        }
    }

    /// Removes a variable set with `set()` (built-in variables return to
    /// their defaults).
    fn unset(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        self.hold(py)?.vars.remove(name);
        Ok(())
    }

    /// A variable's value as `$name` would expand, or `default` when there
    /// is no such variable.
    #[pyo3(signature = (name, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mut held = self.hold(py)?;
        match Evaluator::new(&mut held).variable_value(name) {
            Some(v) => Ok(Some(to_str(py, &v.bytes)?)),
            None => Ok(default),
        }
    }

    /// Is the variable's value tainted?  `None` for an unknown variable.
    fn is_tainted(&self, py: Python<'_>, name: &str) -> PyResult<Option<bool>> {
        let mut held = self.hold(py)?;
        Ok(Evaluator::new(&mut held)
            .variable_value(name)
            .map(|v| v.tainted))
    }

    /// Sets a main-section option as if the configuration had it.
    fn set_option(&self, py: Python<'_>, name: &str, value: &str) -> PyResult<()> {
        self.hold(py)?
            .options
            .insert(name.to_string(), value.to_string());
        Ok(())
    }

    /// A main-section option's value as configured, or None.
    fn option(&self, py: Python<'_>, name: &str) -> PyResult<Option<String>> {
        Ok(self.hold(py)?.option(name).map(str::to_string))
    }

    /// Expands `expr` (str or bytes); returns str.  Raises ExpandError
    /// (ForcedFailure for a forced failure).
    fn expand<'py>(
        &self,
        py: Python<'py>,
        expr: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let source = to_bytes(expr, "expr")?;
        let mut held = self.hold(py)?;
        let t = ee::Template::parse(&source, &held.registry);
        let v = run(py, &mut held, &t)?;
        result(py, v, false)
    }

    /// As `expand()`, but returns the exact bytes.
    fn expand_bytes<'py>(
        &self,
        py: Python<'py>,
        expr: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let source = to_bytes(expr, "expr")?;
        let mut held = self.hold(py)?;
        let t = ee::Template::parse(&source, &held.registry);
        let v = run(py, &mut held, &t)?;
        result(py, v, true)
    }

    /// The evaluation of `expr` as a tree (explain mode); never raises
    /// for a failed expansion (the failure is in the tree).
    fn explain(&self, py: Python<'_>, expr: &Bound<'_, PyAny>) -> PyResult<String> {
        let source = to_bytes(expr, "expr")?;
        let mut held = self.hold(py)?;
        let t = ee::Template::parse(&source, &held.registry);
        Ok(explain_tree(py, &mut held, &t))
    }

    /// Static problems of `expr` with this context's variables and profile.
    fn check(&self, py: Python<'_>, expr: &Bound<'_, PyAny>) -> PyResult<Vec<Diagnostic>> {
        let t = ee::parse(&to_bytes(expr, "expr")?);
        let held = self.hold(py)?;
        Ok(diagnostics(&t.source, &ee::check::check(&t, &held)))
    }

    /// Loads a message as `exim -bem FILE` does: `source` is the message
    /// itself (bytes) or a path (str or os.PathLike).  Its headers and body
    /// become visible to `$h_*:`, `$message_body`, `$message_size`...
    #[pyo3(signature = (source, *, dot_ends = true, extract_recipients = false))]
    fn load_message(
        &self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        dot_ends: bool,
        extract_recipients: bool,
    ) -> PyResult<()> {
        let data = if source.is_instance_of::<PyBytes>() || source.is_instance_of::<PyByteArray>() {
            to_bytes(source, "source")?
        } else {
            let path: PathBuf = source.extract()?;
            std::fs::read(&path)
                .map_err(|e| PyOSError::new_err(format!("cannot read {}: {e}", path.display())))?
        };
        let opts = ee::message::ReadOptions {
            dot_ends,
            extract_recipients,
            ..Default::default()
        };
        let mut held = self.hold(py)?;
        let msg = ee::message::load_bem(&mut held, &data, &opts);
        held.message = Some(Arc::new(msg));
        Ok(())
    }

    /// A copy with the same settings and state.
    fn copy(&self, py: Python<'_>) -> PyResult<Context> {
        Ok(Context::wrap(self.hold(py)?.clone()))
    }

    fn __copy__(&self, py: Python<'_>) -> PyResult<Context> {
        self.copy(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let held = self.hold(py)?;
        Ok(format!(
            "<exim_expand.Context profile={:?} config={:?} sandbox={}>",
            held.profile.name,
            held.config_file,
            sandboxed(&held)
        ))
    }

    /// The configuration file's path ("" without one).
    #[getter]
    fn config_file(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.hold(py)?.config_file.clone())
    }

    /// The compatibility profile's name ("debian-4.96", "exim-4.96-full").
    #[getter]
    fn get_profile(&self, py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.hold(py)?.profile.name)
    }

    #[setter]
    fn set_profile(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        let profile = profile_from(name)?;
        self.hold(py)?.set_profile(profile);
        Ok(())
    }

    /// The pinned time as (seconds, microseconds) since the epoch, or None
    /// for the system clock.  Set it like the `now` argument; None unpins.
    #[getter]
    fn get_now(&self, py: Python<'_>) -> PyResult<Option<(i64, u32)>> {
        Ok(self.hold(py)?.clock.fixed())
    }

    #[setter]
    fn set_now(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let clock: Arc<dyn ee::eval::Clock> = match now {
            Some(n) if !n.is_none() => Arc::new(clock_from(py, n)?),
            _ => Arc::new(SystemClock),
        };
        self.hold(py)?.clock = clock;
        Ok(())
    }

    /// The process id that `$pid` and message ids show (None: this
    /// process's); pin it, with `now`, for reproducible SMTP sessions.
    #[getter]
    fn get_pid(&self, py: Python<'_>) -> PyResult<Option<u32>> {
        Ok(self.hold(py)?.pid)
    }

    #[setter]
    fn set_pid(&self, py: Python<'_>, pid: Option<u32>) -> PyResult<()> {
        self.hold(py)?.pid = pid;
        Ok(())
    }

    /// True while no capability is granted and no log goes to standard
    /// error (the library's refusing policy).
    #[getter]
    fn get_sandboxed(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(sandboxed(&*self.hold(py)?))
    }

    /// Most bytes one string under evaluation may grow to.
    #[getter]
    fn get_max_output(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.hold(py)?.limits.max_output)
    }

    #[setter]
    fn set_max_output(&self, py: Python<'_>, n: usize) -> PyResult<()> {
        self.hold(py)?.limits.max_output = n;
        Ok(())
    }

    /// Longest one expansion may run, in seconds (None: unbounded).
    #[getter]
    fn get_max_time(&self, py: Python<'_>) -> PyResult<Option<f64>> {
        Ok(self.hold(py)?.limits.max_time.map(|d| d.as_secs_f64()))
    }

    #[setter]
    fn set_max_time(&self, py: Python<'_>, secs: Option<f64>) -> PyResult<()> {
        let max = match secs {
            None => None,
            Some(s) if s.is_finite() && s >= 0.0 => Some(std::time::Duration::from_secs_f64(s)),
            Some(_) => return Err(PyValueError::new_err("max_time must be >= 0 or None")),
        };
        self.hold(py)?.limits.max_time = max;
        Ok(())
    }

    /// The capabilities granted, by name: `env`, `files`, `run`,
    /// `readfile`, `readsocket`, `perl`, `dlfunc`, `acl`, `network`.
    #[getter]
    fn get_capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        let allowed = self.hold(py)?.policy.allowed;
        PyFrozenSet::new(py, allowed.iter().map(Capability::name))
    }
    #[setter]
    fn set_capabilities(&self, py: Python<'_>, names: Vec<String>) -> PyResult<()> {
        let allowed = capabilities_from(&names)?;
        self.hold(py)?.policy.allowed = allowed;
        Ok(())
    }
    /// Grants capabilities by name.
    #[pyo3(signature = (*names))]
    fn allow(&self, py: Python<'_>, names: Vec<String>) -> PyResult<()> {
        let add = capabilities_from(&names)?;
        let mut held = self.hold(py)?;
        for c in add.iter() {
            held.policy.allowed.insert(c);
        }
        Ok(())
    }
    /// Withdraws capabilities by name.
    #[pyo3(signature = (*names))]
    fn deny(&self, py: Python<'_>, names: Vec<String>) -> PyResult<()> {
        let remove = capabilities_from(&names)?;
        let mut held = self.hold(py)?;
        for c in remove.iter() {
            held.policy.allowed.remove(c);
        }
        Ok(())
    }
    /// Exim's log lines (ACL `logwrite`...) go to standard error.
    #[getter]
    fn get_log_to_stderr(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.hold(py)?.policy.log_to_stderr)
    }
    #[setter]
    fn set_log_to_stderr(&self, py: Python<'_>, v: bool) -> PyResult<()> {
        self.hold(py)?.policy.log_to_stderr = v;
        Ok(())
    }
}
