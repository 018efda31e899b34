//! Python bindings for exim-expand: `import exim_expand`.
//!
//! Exim is byte oriented.  Every input (expression, variable value,
//! message) may be `str` or `bytes`; a `str` is encoded as UTF-8 with
//! `surrogateescape`, so that text decoded the same way round-trips.
//! Results come back as `str` (UTF-8, with `surrogateescape` for bytes
//! that are not UTF-8, so nothing is lost), or as `bytes` from the
//! `*_bytes` variants.

use std::path::PathBuf;
use std::sync::Arc;

use ::exim_expand as ee;
use ee::eval::{
    Capabilities, Capability, ErrorKind, Evaluator, FixedClock, Policy, Profile, SystemClock,
    Value, trace,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyString};

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

// ---------------------------------------------------------------------------
// Bytes in, bytes out.

/// The bytes of a `str` (UTF-8, `surrogateescape`), `bytes` or `bytearray`.
fn to_bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        if let Ok(s) = s.extract::<String>() {
            return Ok(s.into_bytes());
        }
        let b = s.call_method1("encode", ("utf-8", "surrogateescape"))?;
        return Ok(b.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or bytes, not {}",
        obj.get_type().name()?
    )))
}

/// A variable's value: `str`, `bytes` or `int`.
fn value_bytes(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    if obj.is_instance_of::<PyInt>() {
        return Ok(obj.str()?.extract::<String>()?.into_bytes());
    }
    to_bytes(obj, &format!("the value of ${name}"))
}

/// `str` for UTF-8, else `str` with `surrogateescape` (lossless).
fn to_str<'py>(py: Python<'py>, b: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(PyString::new(py, s).into_any()),
        Err(_) => PyBytes::new(py, b).call_method1("decode", ("utf-8", "surrogateescape")),
    }
}

fn result<'py>(py: Python<'py>, v: Value, as_bytes: bool) -> PyResult<Bound<'py, PyAny>> {
    if as_bytes {
        Ok(PyBytes::new(py, &v.bytes).into_any())
    } else {
        to_str(py, &v.bytes)
    }
}

/// Capabilities by name; an unknown name is a ValueError listing the known.
fn capabilities_from(names: &[String]) -> PyResult<Capabilities> {
    names
        .iter()
        .map(|n| {
            Capability::from_name(n).ok_or_else(|| {
                let known: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
                PyValueError::new_err(format!(
                    "unknown capability {n:?} (known: {})",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Errors.

fn kind_name(k: ErrorKind) -> &'static str {
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

fn expand_error(py: Python<'_>, source: &[u8], e: &ee::ExpandError) -> PyErr {
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
struct Diagnostic {
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

fn diagnostics(source: &Arc<[u8]>, errs: &[ee::ExpandError]) -> Vec<Diagnostic> {
    errs.iter().map(|e| Diagnostic::new(source, e)).collect()
}

// ---------------------------------------------------------------------------
// Building a context.

/// `now`: epoch seconds (int or float), a `datetime` (naive means UTC), or
/// a string (epoch seconds or RFC 3339).
fn clock_from(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<FixedClock> {
    if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(
            "now must be a number, datetime or string",
        ));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(FixedClock {
            secs: obj.extract()?,
            micros: 0,
        });
    }
    if obj.is_instance_of::<PyFloat>() {
        let f: f64 = obj.extract()?;
        let secs = f.floor();
        let micros = (((f - secs) * 1e6).round() as u32).min(999_999);
        return Ok(FixedClock {
            secs: secs as i64,
            micros,
        });
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s: String = s.extract()?;
        let t = s.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) {
            return FixedClock::parse(t).map_err(PyValueError::new_err);
        }
        let iso = match t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
            Some(head) => format!("{head}+00:00"),
            None => t.to_string(),
        };
        let dt = py
            .import("datetime")?
            .getattr("datetime")?
            .call_method1("fromisoformat", (iso,));
        return match dt {
            Ok(dt) => clock_from(py, &dt),
            Err(_) => FixedClock::parse(t).map_err(|_| {
                PyValueError::new_err(format!(
                    "now: cannot read {t:?} as epoch seconds or an RFC 3339 time \
                     (2024-01-15T12:00:00Z)"
                ))
            }),
        };
    }
    if obj.hasattr("timestamp")? && obj.hasattr("tzinfo")? {
        let dt = if obj.getattr("tzinfo")?.is_none() {
            let utc = py.import("datetime")?.getattr("timezone")?.getattr("utc")?;
            let kw = PyDict::new(py);
            kw.set_item("tzinfo", utc)?;
            obj.call_method("replace", (), Some(&kw))?
        } else {
            obj.clone()
        };
        let ts: f64 = dt.call_method0("timestamp")?.extract()?;
        let micros: u32 = dt.getattr("microsecond")?.extract()?;
        return Ok(FixedClock {
            secs: ts.floor() as i64,
            micros,
        });
    }
    Err(PyTypeError::new_err(format!(
        "now must be int, float, datetime or str, not {}",
        obj.get_type().name()?
    )))
}

fn profile_from(name: &str) -> PyResult<Profile> {
    Profile::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name).collect();
        PyValueError::new_err(format!(
            "unknown profile {name:?} (known: {})",
            names.join(", ")
        ))
    })
}

/// Pairs from a mapping (anything with `.items()`).
fn items<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let mut out = Vec::new();
    for kv in obj.call_method0("items")?.try_iter()? {
        let (k, v): (String, Bound<'py, PyAny>) = kv?.extract()?;
        out.push((k, v));
    }
    Ok(out)
}

fn set_vars(ctx: &mut ee::Context, vars: Option<&Bound<'_, PyAny>>, tainted: bool) -> PyResult<()> {
    if let Some(vars) = vars {
        for (k, v) in items(vars)? {
            let bytes = value_bytes(&v, &k)?;
            ctx.vars.insert(k, Value { bytes, tainted });
        }
    }
    Ok(())
}

struct Setup<'a, 'py> {
    config: Option<PathBuf>,
    defines: Option<&'a Bound<'py, PyAny>>,
    profile: Option<&'a str>,
    now: Option<&'a Bound<'py, PyAny>>,
    sandbox: bool,
    vars: Option<&'a Bound<'py, PyAny>>,
    tainted_vars: Option<&'a Bound<'py, PyAny>>,
}

fn build_context(py: Python<'_>, s: Setup<'_, '_>) -> PyResult<ee::Context> {
    let mut ctx = ee::Context::new();
    ctx.policy = if s.sandbox {
        Policy::default()
    } else {
        Policy::permissive()
    };
    if let Some(path) = &s.config {
        let mut defines = Vec::new();
        if let Some(d) = s.defines {
            for (k, v) in items(d)? {
                let v = if v.is_none() {
                    String::new()
                } else {
                    v.str()?.extract()?
                };
                defines.push((k, v));
            }
        }
        let c = ee::config::Config::from_file(path, &defines)
            .map_err(|e| ConfigError::new_err(e.to_string()))?;
        ctx.config_file = path.to_string_lossy().into_owned();
        ctx.apply_config(&c);
    } else if s.defines.is_some() {
        return Err(PyValueError::new_err("defines= needs config="));
    }
    if let Some(p) = s.profile {
        ctx.set_profile(profile_from(p)?);
    }
    if let Some(now) = s.now
        && !now.is_none()
    {
        ctx.clock = Arc::new(clock_from(py, now)?);
    }
    set_vars(&mut ctx, s.vars, false)?;
    set_vars(&mut ctx, s.tainted_vars, true)?;
    Ok(ctx)
}

// ---------------------------------------------------------------------------
// Evaluating.

fn run(py: Python<'_>, ctx: &mut ee::Context, t: &ee::Template) -> PyResult<Value> {
    let r = py.detach(|| Evaluator::new(ctx).run(t));
    r.map_err(|e| expand_error(py, &t.source, &e))
}

fn explain_tree(py: Python<'_>, ctx: &mut ee::Context, t: &ee::Template) -> String {
    py.detach(|| {
        let mut ev = Evaluator::new(ctx);
        ev.tracer = Some(trace::Tracer::default());
        let _ = ev.run(t);
        let roots = ev.tracer.take().map(|t| t.roots).unwrap_or_default();
        trace::render(&t.source, &roots)
    })
}

// ---------------------------------------------------------------------------
// Context.

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
#[pyclass(module = "exim_expand")]
struct Context {
    inner: ee::Context,
}

#[pymethods]
impl Context {
    #[new]
    #[pyo3(signature = (config = None, defines = None, profile = None, now = None, sandbox = true, *, vars = None, tainted_vars = None))]
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
    ) -> PyResult<Context> {
        let inner = build_context(
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
        Ok(Context { inner })
    }

    /// Sets a variable (`$name`); `tainted=True` marks it as coming from
    /// outside, as Exim marks message and remote-host data.
    #[pyo3(signature = (name, value, tainted = false))]
    fn set(&mut self, name: &str, value: &Bound<'_, PyAny>, tainted: bool) -> PyResult<()> {
        let bytes = value_bytes(value, name)?;
        self.inner
            .vars
            .insert(name.to_string(), Value { bytes, tainted });
        Ok(())
    }

    /// Answers `${lookup{key}TYPE{file}}` with `value` without reading any
    /// file (query-style types: `file=""` and the query as `key`).  A
    /// mocked (type, file) answers only from its mocks.
    fn mock_lookup(
        &mut self,
        lookup_type: &str,
        file: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let file = to_bytes(file, "file")?;
        let key = to_bytes(key, "key")?;
        let value = to_bytes(value, "value")?;
        self.inner
            .mock_lookup(lookup_type, &file, &key, &value)
            .map_err(PyValueError::new_err)
    }

    /// Removes a variable set with `set()` (built-in variables return to
    /// their defaults).
    fn unset(&mut self, name: &str) {
        self.inner.vars.remove(name);
    }

    /// A variable's value as `$name` would expand, or `default` when there
    /// is no such variable.
    #[pyo3(signature = (name, default = None))]
    fn get<'py>(
        &mut self,
        py: Python<'py>,
        name: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let ev = Evaluator::new(&mut self.inner);
        match ev.variable_value(name) {
            Some(v) => Ok(Some(to_str(py, &v.bytes)?)),
            None => Ok(default),
        }
    }

    /// Is the variable's value tainted?  `None` for an unknown variable.
    fn is_tainted(&mut self, name: &str) -> Option<bool> {
        let ev = Evaluator::new(&mut self.inner);
        ev.variable_value(name).map(|v| v.tainted)
    }

    /// Sets a main-section option as if the configuration had it.
    fn set_option(&mut self, name: &str, value: &str) {
        self.inner
            .options
            .insert(name.to_string(), value.to_string());
    }

    /// A main-section option's value as configured, or None.
    fn option(&self, name: &str) -> Option<String> {
        self.inner.option(name).map(str::to_string)
    }

    /// Expands `expr` (str or bytes); returns str.  Raises ExpandError
    /// (ForcedFailure for a forced failure).
    fn expand<'py>(
        &mut self,
        py: Python<'py>,
        expr: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = ee::parse(&to_bytes(expr, "expr")?);
        let v = run(py, &mut self.inner, &t)?;
        result(py, v, false)
    }

    /// As `expand()`, but returns the exact bytes.
    fn expand_bytes<'py>(
        &mut self,
        py: Python<'py>,
        expr: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = ee::parse(&to_bytes(expr, "expr")?);
        let v = run(py, &mut self.inner, &t)?;
        result(py, v, true)
    }

    /// The evaluation of `expr` as a tree (explain mode); never raises
    /// for a failed expansion (the failure is in the tree).
    fn explain(&mut self, py: Python<'_>, expr: &Bound<'_, PyAny>) -> PyResult<String> {
        let t = ee::parse(&to_bytes(expr, "expr")?);
        Ok(explain_tree(py, &mut self.inner, &t))
    }

    /// Static problems of `expr` with this context's variables and profile.
    fn check(&self, expr: &Bound<'_, PyAny>) -> PyResult<Vec<Diagnostic>> {
        let t = ee::parse(&to_bytes(expr, "expr")?);
        Ok(diagnostics(&t.source, &ee::check::check(&t, &self.inner)))
    }

    /// Loads a message as `exim -bem FILE` does: `source` is the message
    /// itself (bytes) or a path (str or os.PathLike).  Its headers and body
    /// become visible to `$h_*:`, `$message_body`, `$message_size`...
    #[pyo3(signature = (source, *, dot_ends = true, extract_recipients = false))]
    fn load_message(
        &mut self,
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
        };
        let msg = ee::message::load_bem(&mut self.inner, &data, &opts);
        self.inner.message = Some(Arc::new(msg));
        Ok(())
    }

    /// A copy with the same settings and state.
    fn copy(&self) -> Context {
        Context {
            inner: self.inner.clone(),
        }
    }

    fn __copy__(&self) -> Context {
        self.copy()
    }

    fn __repr__(&self) -> String {
        format!(
            "<exim_expand.Context profile={:?} config={:?} sandbox={}>",
            self.inner.profile.name,
            self.inner.config_file,
            self.sandboxed()
        )
    }

    /// The configuration file's path ("" without one).
    #[getter]
    fn config_file(&self) -> String {
        self.inner.config_file.clone()
    }

    /// The compatibility profile's name ("debian-4.96", "exim-4.96-full").
    #[getter]
    fn get_profile(&self) -> &'static str {
        self.inner.profile.name
    }

    #[setter]
    fn set_profile(&mut self, name: &str) -> PyResult<()> {
        self.inner.set_profile(profile_from(name)?);
        Ok(())
    }

    /// The pinned time as (seconds, microseconds) since the epoch, or None
    /// for the system clock.  Set it like the `now` argument; None unpins.
    #[getter]
    fn get_now(&self) -> Option<(i64, u32)> {
        self.inner.clock.fixed()
    }

    #[setter]
    fn set_now(&mut self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.inner.clock = match now {
            Some(n) if !n.is_none() => Arc::new(clock_from(py, n)?),
            _ => Arc::new(SystemClock),
        };
        Ok(())
    }

    /// True while no capability is granted and no log goes to standard
    /// error (the library's refusing policy).
    #[getter]
    fn sandboxed(&self) -> bool {
        let p = &self.inner.policy;
        p.allowed.is_empty() && !p.log_to_stderr
    }

    /// Most bytes one string under evaluation may grow to.
    #[getter]
    fn get_max_output(&self) -> usize {
        self.inner.limits.max_output
    }

    #[setter]
    fn set_max_output(&mut self, n: usize) {
        self.inner.limits.max_output = n;
    }

    /// Longest one expansion may run, in seconds (None: unbounded).
    #[getter]
    fn get_max_time(&self) -> Option<f64> {
        self.inner.limits.max_time.map(|d| d.as_secs_f64())
    }

    #[setter]
    fn set_max_time(&mut self, secs: Option<f64>) -> PyResult<()> {
        self.inner.limits.max_time = match secs {
            None => None,
            Some(s) if s.is_finite() && s >= 0.0 => Some(std::time::Duration::from_secs_f64(s)),
            Some(_) => return Err(PyValueError::new_err("max_time must be >= 0 or None")),
        };
        Ok(())
    }

    /// The capabilities granted, by name: `env`, `files`, `run`,
    /// `readfile`, `readsocket`, `perl`, `dlfunc`, `acl`, `network`.
    #[getter]
    fn get_capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        PyFrozenSet::new(py, self.inner.policy.allowed.iter().map(Capability::name))
    }
    #[setter]
    fn set_capabilities(&mut self, names: Vec<String>) -> PyResult<()> {
        self.inner.policy.allowed = capabilities_from(&names)?;
        Ok(())
    }
    /// Grants capabilities by name.
    #[pyo3(signature = (*names))]
    fn allow(&mut self, names: Vec<String>) -> PyResult<()> {
        for c in capabilities_from(&names)?.iter() {
            self.inner.policy.allowed.insert(c);
        }
        Ok(())
    }
    /// Withdraws capabilities by name.
    #[pyo3(signature = (*names))]
    fn deny(&mut self, names: Vec<String>) -> PyResult<()> {
        for c in capabilities_from(&names)?.iter() {
            self.inner.policy.allowed.remove(c);
        }
        Ok(())
    }
    /// Exim's log lines (ACL `logwrite`...) go to standard error.
    #[getter]
    fn get_log_to_stderr(&self) -> bool {
        self.inner.policy.log_to_stderr
    }
    #[setter]
    fn set_log_to_stderr(&mut self, v: bool) {
        self.inner.policy.log_to_stderr = v;
    }
}

// ---------------------------------------------------------------------------
// Template.

/// A parsed expression: parse once with `parse()`, evaluate many times.
#[pyclass(frozen, module = "exim_expand")]
struct Template {
    inner: ee::Template,
}

impl Template {
    fn eval(
        &self,
        py: Python<'_>,
        context: Option<PyRefMut<'_, Context>>,
        vars: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Value> {
        match context {
            None => {
                let mut ctx = ee::Context::new();
                set_vars(&mut ctx, vars.map(|d| d.as_any()), false)?;
                run(py, &mut ctx, &self.inner)
            }
            Some(mut c) => {
                // Keyword variables apply to this evaluation only.
                let mut saved = Vec::new();
                if let Some(vars) = vars {
                    for (k, v) in items(vars.as_any())? {
                        let bytes = value_bytes(&v, &k)?;
                        let old = c.inner.vars.insert(
                            k.clone(),
                            Value {
                                bytes,
                                tainted: false,
                            },
                        );
                        saved.push((k, old));
                    }
                }
                let r = run(py, &mut c.inner, &self.inner);
                for (k, old) in saved.into_iter().rev() {
                    match old {
                        Some(v) => c.inner.vars.insert(k, v),
                        None => c.inner.vars.remove(&k),
                    };
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
        context: Option<PyRefMut<'_, Context>>,
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
        context: Option<PyRefMut<'_, Context>>,
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

// ---------------------------------------------------------------------------
// Module functions.

#[allow(clippy::too_many_arguments)]
fn one_shot<'py>(
    py: Python<'py>,
    expr: &Bound<'py, PyAny>,
    vars: Option<&Bound<'py, PyAny>>,
    tainted_vars: Option<&Bound<'py, PyAny>>,
    config: Option<PathBuf>,
    now: Option<&Bound<'py, PyAny>>,
    profile: Option<&str>,
    sandbox: bool,
) -> PyResult<(ee::Context, ee::Template)> {
    let t = ee::parse(&to_bytes(expr, "expr")?);
    let ctx = build_context(
        py,
        Setup {
            config,
            defines: None,
            profile,
            now,
            sandbox,
            vars,
            tainted_vars,
        },
    )?;
    Ok((ctx, t))
}

/// Expands one expression and returns the result as str.
///
/// `vars` and `tainted_vars` map names to str/bytes/int values; `config` is
/// an Exim configuration file; `now` pins the clock (int epoch seconds, a
/// datetime, or an RFC 3339 string); `profile` names a compatibility
/// profile; `sandbox=False` allows `${run}`, `${readfile}`, file lookups...
/// as `exim -be` does.  Raises ExpandError (ForcedFailure when forced).
#[pyfunction]
#[pyo3(signature = (expr, *, vars = None, tainted_vars = None, config = None, now = None, profile = None, sandbox = true))]
#[allow(clippy::too_many_arguments)]
fn expand<'py>(
    py: Python<'py>,
    expr: &Bound<'py, PyAny>,
    vars: Option<&Bound<'py, PyAny>>,
    tainted_vars: Option<&Bound<'py, PyAny>>,
    config: Option<PathBuf>,
    now: Option<&Bound<'py, PyAny>>,
    profile: Option<&str>,
    sandbox: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (mut ctx, t) = one_shot(py, expr, vars, tainted_vars, config, now, profile, sandbox)?;
    let v = run(py, &mut ctx, &t)?;
    result(py, v, false)
}

/// As `expand()`, but returns the exact bytes.
#[pyfunction]
#[pyo3(signature = (expr, *, vars = None, tainted_vars = None, config = None, now = None, profile = None, sandbox = true))]
#[allow(clippy::too_many_arguments)]
fn expand_bytes<'py>(
    py: Python<'py>,
    expr: &Bound<'py, PyAny>,
    vars: Option<&Bound<'py, PyAny>>,
    tainted_vars: Option<&Bound<'py, PyAny>>,
    config: Option<PathBuf>,
    now: Option<&Bound<'py, PyAny>>,
    profile: Option<&str>,
    sandbox: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let (mut ctx, t) = one_shot(py, expr, vars, tainted_vars, config, now, profile, sandbox)?;
    let v = run(py, &mut ctx, &t)?;
    result(py, v, true)
}

/// The evaluation as a tree: every item, operator, condition and variable
/// with its result; skipped branches and tainted values marked.  Takes the
/// same arguments as `expand()`; a failure shows in the tree (✗) instead
/// of raising.
#[pyfunction]
#[pyo3(signature = (expr, *, vars = None, tainted_vars = None, config = None, now = None, profile = None, sandbox = true))]
#[allow(clippy::too_many_arguments)]
fn explain<'py>(
    py: Python<'py>,
    expr: &Bound<'py, PyAny>,
    vars: Option<&Bound<'py, PyAny>>,
    tainted_vars: Option<&Bound<'py, PyAny>>,
    config: Option<PathBuf>,
    now: Option<&Bound<'py, PyAny>>,
    profile: Option<&str>,
    sandbox: bool,
) -> PyResult<String> {
    let (mut ctx, t) = one_shot(py, expr, vars, tainted_vars, config, now, profile, sandbox)?;
    Ok(explain_tree(py, &mut ctx, &t))
}

/// Parses `expr` once; evaluate the Template many times.
#[pyfunction]
fn parse(expr: &Bound<'_, PyAny>) -> PyResult<Template> {
    Ok(Template {
        inner: ee::parse(&to_bytes(expr, "expr")?),
    })
}

/// Every static problem of `expr` without evaluating it: syntax errors and
/// unknown variables (Exim fails on those even in untaken branches), in
/// source order.  `profile` decides which variables exist; `context`, if
/// given, supplies the variables set on it.
#[pyfunction]
#[pyo3(signature = (expr, profile = None, *, context = None))]
fn check(
    expr: &Bound<'_, PyAny>,
    profile: Option<&str>,
    context: Option<PyRef<'_, Context>>,
) -> PyResult<Vec<Diagnostic>> {
    let t = ee::parse(&to_bytes(expr, "expr")?);
    let mut ctx = match &context {
        Some(c) => c.inner.clone(),
        None => ee::Context::new(),
    };
    if let Some(p) = profile {
        ctx.set_profile(profile_from(p)?);
    }
    Ok(diagnostics(&t.source, &ee::check::check(&t, &ctx)))
}

/// The names of the compatibility profiles.
#[pyfunction]
fn profiles() -> Vec<&'static str> {
    Profile::ALL.iter().map(|p| p.name).collect()
}

/// Exim 4.96's string-expansion language, from Rust.
///
/// >>> import exim_expand
/// >>> exim_expand.expand("${lc:ABC} ${if eq{$x}{1}{one}{other}}", vars={"x": "1"})
/// 'abc one'
#[pymodule]
fn exim_expand(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("EXIM_VERSION", Profile::DEBIAN_4_96.version)?;
    m.add("ExpandError", py.get_type::<ExpandError>())?;
    m.add("ForcedFailure", py.get_type::<ForcedFailure>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add_class::<Context>()?;
    m.add_class::<Template>()?;
    m.add_class::<Diagnostic>()?;
    m.add_function(wrap_pyfunction!(expand, m)?)?;
    m.add_function(wrap_pyfunction!(expand_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(profiles, m)?)?;
    // Defaults for the attributes every ExpandError carries.
    let cls = py.get_type::<ExpandError>();
    for (k, v) in [("line", 0), ("column", 0), ("start", 0), ("end", 0)] {
        cls.setattr(k, v)?;
    }
    cls.setattr("forced", false)?;
    cls.setattr("kind", "failed")?;
    cls.setattr("message", "")?;
    cls.setattr("rendered", "")?;
    cls.setattr("expression", "")?;
    let forced = py.get_type::<ForcedFailure>();
    forced.setattr("forced", true)?;
    forced.setattr("kind", "forced")?;
    Ok(())
}
