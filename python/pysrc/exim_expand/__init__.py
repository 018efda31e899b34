"""Exim 4.96's string-expansion language, implemented in Rust.

>>> import exim_expand
>>> exim_expand.expand("${lc:ABC} ${if eq{$x}{1}{one}{other}}", vars={"x": "1"})
'abc one'

``exim_expand.testing`` has assertion helpers for test suites.
"""

from ._native import (
    EXIM_VERSION,
    arc_sign,
    ConfigError,
    Context,
    Diagnostic,
    ExpandError,
    ForcedFailure,
    SmtpSession,
    Template,
    __version__,
    check,
    describe,
    lint,
    compile,
    expand,
    expand_bytes,
    explain,
    parse,
    profiles,
)

__all__ = [
    "EXIM_VERSION",
    "arc_sign",
    "ConfigError",
    "Context",
    "Diagnostic",
    "ExpandError",
    "ForcedFailure",
    "SmtpSession",
    "Template",
    "__version__",
    "check",
    "describe",
    "lint",
    "compile",
    "expand",
    "expand_bytes",
    "explain",
    "parse",
    "profiles",
]
