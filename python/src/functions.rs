//! The module-level functions: expand, parse, compile, check, ...

use std::path::PathBuf;

use ::exim_expand as ee;
use ee::eval::Profile;
use pyo3::prelude::*;

use crate::context::*;
use crate::convert::*;
use crate::errors::*;
use crate::template::*;

#[allow(clippy::too_many_arguments)]
pub(crate) fn one_shot<'py>(
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
pub(crate) fn expand<'py>(
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
pub(crate) fn expand_bytes<'py>(
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
pub(crate) fn explain<'py>(
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
pub(crate) fn parse(expr: &Bound<'_, PyAny>) -> PyResult<Template> {
    Ok(Template {
        inner: ee::parse(&to_bytes(expr, "expr")?),
    })
}

/// Parses `expr` and raises ExpandError (kind "syntax") for its first
/// syntax error; evaluate the Template many times.
#[pyfunction]
pub(crate) fn compile(py: Python<'_>, expr: &Bound<'_, PyAny>) -> PyResult<Template> {
    Template::compiled(py, ee::parse(&to_bytes(expr, "expr")?))
}

/// Every static problem of `expr` without evaluating it: syntax errors and
/// unknown variables (Exim fails on those even in untaken branches), in
/// source order.  `profile` decides which variables exist; `context`, if
/// given, supplies the variables set on it.
#[pyfunction]
#[pyo3(signature = (expr, profile = None, *, context = None))]
pub(crate) fn check(
    expr: &Bound<'_, PyAny>,
    profile: Option<&str>,
    context: Option<PyRef<'_, Context>>,
) -> PyResult<Vec<Diagnostic>> {
    let t = ee::parse(&to_bytes(expr, "expr")?);
    let mut ctx = match &context {
        Some(c) => c.hold(expr.py())?.clone(),
        None => ee::Context::new(),
    };
    if let Some(p) = profile {
        ctx.set_profile(profile_from(p)?);
    }
    Ok(diagnostics(&t.source, &ee::check::check(&t, &ctx)))
}

/// Lints the Exim configuration at `path` as `exim-expand lint` does.
/// Without `format`: a list of findings, each a dict with `file`, `line`,
/// `column`, `end_line`, `end_column`, `severity`, `code`, `rule`,
/// `message`, `place` (and `macro`, `omitted` when they apply); with
/// `format` "text", "json" or "sarif": that report as a string.
/// `select`/`ignore` name rules by code, code prefix or name;
/// `all_branches` also checks the `.ifdef` branches the macros leave out;
/// `target` ("4.90") also reports what that Exim release lacks or treats
/// differently (W009).  What makes Exim refuse the file is reported as `E100` findings (lint
/// reads on past each); ConfigError is raised only when the file cannot
/// be read at all.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (path, *, defines = None, profile = None, select = None, ignore = None, format = None, all_branches = false, target = None))]
pub(crate) fn lint<'py>(
    py: Python<'py>,
    path: PathBuf,
    defines: Option<&Bound<'py, PyAny>>,
    profile: Option<&str>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    format: Option<&str>,
    all_branches: bool,
    target: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    use ee::lint::{codes, report};
    let mut ctx = ee::Context::new();
    if let Some(p) = profile {
        ctx.set_profile(profile_from(p)?);
    }
    let defs = defines_from(defines)?;
    let selection = codes::Selection::new(select.unwrap_or_default(), ignore.unwrap_or_default())
        .map_err(pyo3::exceptions::PyValueError::new_err)?;
    let opts = ee::config::ReadOptions::with_defines(&defs).for_profile(&ctx.profile);
    let target = target
        .map(ee::lint::target::Release::parse)
        .transpose()
        .map_err(pyo3::exceptions::PyValueError::new_err)?;
    let how = ee::lint::LintOptions {
        all_branches,
        target,
    };
    let (found, _) = ee::lint::lint_file(&path, &opts, &ctx, &how);
    // A file Exim cannot even open (no line to report at) is an exception.
    if let [f] = &found[..]
        && f.rule == &codes::CONFIG
        && f.line == 0
    {
        return Err(ConfigError::new_err(f.error.message_str()));
    }
    let found: Vec<ee::lint::Finding> = found
        .into_iter()
        .filter(|f| selection.wants(f.rule) || f.rule == &codes::CONFIG)
        .collect();
    let text = match format {
        Some("text") => report::text(&found, true, false),
        Some("json") => report::json(&found),
        Some("sarif") => report::sarif(&found),
        Some(other) => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "format must be \"text\", \"json\" or \"sarif\", not \"{other}\""
            )));
        }
        None => {
            let json = py.import("json")?;
            return json.call_method1("loads", (report::json(&found),));
        }
    };
    Ok(pyo3::types::PyString::new(py, &text).into_any())
}

/// The reference texts of a name (an item, operator, condition, lookup
/// type, variable, option or ACL name; `$` before a variable is allowed): a
/// list of dicts with `kind`, `name`, `since` (the Exim release it
/// appeared in), `synopsis`, `text` and, for options, `default` (and
/// `driver` for a driver option: the driver, or `generic`); empty
/// when nothing has that name.
#[pyfunction]
pub(crate) fn describe<'py>(
    py: Python<'py>,
    name: &str,
) -> PyResult<Vec<Bound<'py, pyo3::types::PyDict>>> {
    let docs = ee::docs::describe(name);
    docs.iter()
        .map(|d| {
            let dict = pyo3::types::PyDict::new(py);
            dict.set_item("kind", d.kind.as_str())?;
            dict.set_item("name", d.name)?;
            dict.set_item("since", d.since)?;
            dict.set_item("synopsis", &d.synopsis)?;
            dict.set_item("text", d.text)?;
            if let Some(def) = d.default {
                dict.set_item("default", def)?;
            }
            if let Some(driver) = d.driver {
                dict.set_item("driver", driver)?;
            }
            Ok(dict)
        })
        .collect()
}

/// The names of the compatibility profiles.
#[pyfunction]
pub(crate) fn profiles() -> Vec<&'static str> {
    Profile::ALL.iter().map(|p| p.name).collect()
}

/// Signs `message` (bytes) with ARC as the smtp transport's `arc_sign`
/// option does: `spec` is the (expanded) option value, `admd : selector :
/// privkey [: options]` with `timestamps` and `expire`; a privkey
/// starting with `/` is read from that file.  Returns the message with
/// ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results in
/// front, or None where Exim would send it unsigned (an empty spec).
/// Raises ValueError with Exim's reason (no Authentication-Results
/// header of the ADMD, a bad specification, a bad key).
#[pyfunction]
#[pyo3(signature = (message, spec, *, now = None))]
pub(crate) fn arc_sign<'py>(
    py: Python<'py>,
    message: &Bound<'py, PyAny>,
    spec: &Bound<'py, PyAny>,
    now: Option<&Bound<'py, PyAny>>,
) -> PyResult<Option<Bound<'py, pyo3::types::PyBytes>>> {
    use ee::eval::Clock;
    let message = ee::message::stored_form(&to_bytes(message, "message")?);
    let spec = to_bytes(spec, "spec")?;
    let secs = match now {
        Some(n) if !n.is_none() => clock_from(py, n)?.now().0,
        _ => ee::eval::SystemClock.now().0,
    };
    let crypto = ee::Engine::new().settings().crypto.clone();
    let read_key = |p: &[u8]| -> Result<Vec<u8>, String> {
        let p = String::from_utf8_lossy(p).into_owned();
        std::fs::read(&p).map_err(|e| format!("cannot read key file {p}: {e}"))
    };
    let r = py
        .detach(|| ee::auth::arc::sign_message(&message, &spec, secs, crypto.as_ref(), &read_key));
    match r {
        Ok(Some(signed)) => Ok(Some(pyo3::types::PyBytes::new(py, &signed))),
        Ok(None) => Ok(None),
        Err(e) => Err(pyo3::exceptions::PyValueError::new_err(e)),
    }
}
