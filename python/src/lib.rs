//! Python bindings for exim-expand: `import exim_expand`.
//!
//! Exim is byte oriented.  Every input (expression, variable value,
//! message) may be `str` or `bytes`; a `str` is encoded as UTF-8 with
//! `surrogateescape`, so that text decoded the same way round-trips.
//! Results come back as `str` (UTF-8, with `surrogateescape` for bytes
//! that are not UTF-8, so nothing is lost), or as `bytes` from the
//! `*_bytes` variants.

mod context;
mod convert;
mod dns;
mod errors;
mod functions;
mod lookup;
mod smtp;
mod template;

use ::exim_expand as ee;
use pyo3::prelude::*;

use context::Context;
use errors::{ConfigError, Diagnostic, ExpandError, ForcedFailure};
use functions::*;
use template::Template;

/// Exim 4.96's string-expansion language, from Rust.
///
/// >>> import exim_expand
/// >>> exim_expand.expand("${lc:ABC} ${if eq{$x}{1}{one}{other}}", vars={"x": "1"})
/// 'abc one'
#[pymodule]
#[pyo3(name = "_native")]
fn exim_expand(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("EXIM_VERSION", ee::eval::Profile::DEBIAN_4_96.version)?;
    m.add("ExpandError", py.get_type::<ExpandError>())?;
    m.add("ForcedFailure", py.get_type::<ForcedFailure>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add_class::<Context>()?;
    m.add_class::<Template>()?;
    m.add_class::<smtp::SmtpSession>()?;
    m.add_class::<Diagnostic>()?;
    m.add_function(wrap_pyfunction!(expand, m)?)?;
    m.add_function(wrap_pyfunction!(expand_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(compile, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(lint, m)?)?;
    m.add_function(wrap_pyfunction!(profiles, m)?)?;
    m.add_function(wrap_pyfunction!(describe, m)?)?;
    m.add_function(wrap_pyfunction!(arc_sign, m)?)?;
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
