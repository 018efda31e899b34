//! Python values to bytes, clocks, profiles and variables, and back.

use std::path::PathBuf;
use std::sync::Arc;

use ::exim_expand as ee;
use ee::eval::{Capabilities, Capability, FixedClock, Policy, Profile, Value};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyString};

use crate::errors::*;

/// The bytes of a `str` (UTF-8, `surrogateescape`), `bytes` or `bytearray`.
pub(crate) fn to_bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    to_bytes_or(obj, || what.to_string())
}

/// [`to_bytes`], naming the value (for the error) only when it is wrong:
/// a call with keyword variables converts several values.
fn to_bytes_or(obj: &Bound<'_, PyAny>, what: impl FnOnce() -> String) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        if let Ok(s) = s.extract::<String>() {
            return Ok(s.into_bytes());
        }
        let b = s.call_method1("encode", ("utf-8", "surrogateescape"))?;
        return Ok(b.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "{} must be str or bytes, not {}",
        what(),
        obj.get_type().name()?
    )))
}

/// A variable's value: `str`, `bytes` or `int`.
pub(crate) fn value_bytes(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u8>> {
    if obj.is_instance_of::<PyInt>() {
        return Ok(obj.str()?.extract::<String>()?.into_bytes());
    }
    to_bytes_or(obj, || format!("the value of ${name}"))
}

/// `str` for UTF-8, else `str` with `surrogateescape` (lossless).
pub(crate) fn to_str<'py>(py: Python<'py>, b: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(PyString::new(py, s).into_any()),
        Err(_) => PyBytes::new(py, b).call_method1("decode", ("utf-8", "surrogateescape")),
    }
}

pub(crate) fn result<'py>(
    py: Python<'py>,
    v: Value,
    as_bytes: bool,
) -> PyResult<Bound<'py, PyAny>> {
    if as_bytes {
        Ok(PyBytes::new(py, &v.bytes).into_any())
    } else {
        to_str(py, &v.bytes)
    }
}

/// Capabilities by name; an unknown name is a ValueError listing the known.
pub(crate) fn capabilities_from(names: &[String]) -> PyResult<Capabilities> {
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

/// `now`: epoch seconds (int or float), a `datetime` (naive means UTC), or
/// a string (epoch seconds or RFC 3339).
pub(crate) fn clock_from(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<FixedClock> {
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

pub(crate) fn profile_from(name: &str) -> PyResult<Profile> {
    Profile::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name).collect();
        PyValueError::new_err(format!(
            "unknown profile {name:?} (known: {})",
            names.join(", ")
        ))
    })
}

/// Pairs from a mapping (anything with `.items()`).
pub(crate) fn items<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    // Keyword variables arrive as a dict: read it directly rather than
    // through a call of its `items`.
    if let Ok(d) = obj.cast::<PyDict>() {
        return d.iter().map(|(k, v)| Ok((k.extract()?, v))).collect();
    }
    let mut out = Vec::new();
    for kv in obj.call_method0("items")?.try_iter()? {
        let (k, v): (String, Bound<'py, PyAny>) = kv?.extract()?;
        out.push((k, v));
    }
    Ok(out)
}

pub(crate) fn set_vars(
    ctx: &mut ee::Context,
    vars: Option<&Bound<'_, PyAny>>,
    tainted: bool,
) -> PyResult<()> {
    if let Some(vars) = vars {
        for (k, v) in items(vars)? {
            let bytes = value_bytes(&v, &k)?;
            ctx.vars.insert(k, Value { bytes, tainted });
        }
    }
    Ok(())
}

pub(crate) struct Setup<'a, 'py> {
    pub(crate) config: Option<PathBuf>,
    pub(crate) defines: Option<&'a Bound<'py, PyAny>>,
    pub(crate) profile: Option<&'a str>,
    pub(crate) now: Option<&'a Bound<'py, PyAny>>,
    pub(crate) sandbox: bool,
    pub(crate) vars: Option<&'a Bound<'py, PyAny>>,
    pub(crate) tainted_vars: Option<&'a Bound<'py, PyAny>>,
}

/// `-D` macros from a mapping of names to values (None: an empty macro).
pub(crate) fn defines_from(d: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let mut defines = Vec::new();
    if let Some(d) = d {
        for (k, v) in items(d)? {
            let v = if v.is_none() {
                String::new()
            } else {
                v.str()?.extract()?
            };
            defines.push((k, v));
        }
    }
    Ok(defines)
}

pub(crate) fn build_context(py: Python<'_>, s: Setup<'_, '_>) -> PyResult<ee::Context> {
    let mut ctx = ee::Context::new();
    ctx.policy = if s.sandbox {
        Policy::default()
    } else {
        Policy::permissive()
    };
    if let Some(path) = &s.config {
        let defines = defines_from(s.defines)?;
        let opts = ee::config::ReadOptions {
            includes: ee::config::Includes::for_policy(&ctx.policy),
            ..ee::config::ReadOptions::with_defines(&defines)
        }
        .for_profile(&ctx.profile);
        let c = ee::config::Config::from_file_with(path, &opts)
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
