//! Expansion errors: Exim's message text plus the span that caused it.

use crate::parser::Span;
use std::fmt;
use std::sync::Arc;

/// Exim distinguishes an ordinary failure from a *forced* one (`fail` in
/// place of a "no" string, DEFER from an ACL, ...): callers often treat a
/// forced failure as "option unset".
///
/// Every kind but `ForcedFail` is an ordinary failure to Exim; the finer
/// kinds tell an embedder why without reading the message.
///
/// ```
/// use exim_expand::{Context, ErrorKind, expand};
/// let mut ctx = Context::new();
/// let mut kind = |s: &str| expand(s.as_bytes(), &mut ctx).unwrap_err().kind;
/// assert_eq!(kind("${lc:"), ErrorKind::Syntax); // missing } at end of string
/// assert_eq!(kind("${substr{x}{abc}}"), ErrorKind::Failed); // "x" is not a number
/// assert_eq!(kind("${if eq{a}{b}{y}fail}"), ErrorKind::ForcedFail);
/// assert_eq!(kind("$nosuch"), ErrorKind::UnknownVariable);
/// assert_eq!(kind("${env{HOME}}"), ErrorKind::Refused); // no capability granted
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A syntax error found by the parser.
    Syntax,
    /// An error found while evaluating.
    Failed,
    /// A forced failure.
    ForcedFail,
    /// A variable that does not exist (in this profile).
    UnknownVariable,
    /// Something the embedder's policy does not permit (running a
    /// command, reading a file, ...).
    Refused,
    /// A budget of `Limits` ran out (output size, time, nesting).
    Limit,
    /// The configuration could not be read (building an engine).
    Config,
}

/// Where an error happened inside text expanded at run time (`${expand:}`,
/// the replacement of `${sg}`, a wildlsearch key, ...): that text and the
/// span in it.  The error's own span is then the construct that expanded it.
///
/// ```
/// use exim_expand::{Context, expand};
/// let src = br"x${expand:\$\{lc:ABC\}\$nosuch}";
/// let e = expand(src, &mut Context::new()).unwrap_err();
/// assert_eq!(e.message_str(),
///     "internal expansion of \"${lc:ABC}$nosuch\" failed: unknown variable name \"nosuch\"");
/// assert_eq!(e.span.range(), 1..src.len()); // the ${expand:...}
/// let nested = e.nested.unwrap();
/// assert_eq!(&nested.source[nested.span.range()], b"$nosuch");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedSource {
    /// The text that was expanded.
    pub source: Arc<[u8]>,
    /// Where in that text the error is.
    pub span: Span,
    /// The outer span has been set to the construct that expanded the text.
    pub(crate) anchored: bool,
}

/// Why an expansion failed: the kind, Exim's message and the span of the
/// source that caused it.
///
/// ```
/// use exim_expand::{Context, ErrorKind, expand};
/// let src = b"${if eq{a}{b}{y}fail}";
/// let e = expand(src, &mut Context::new()).unwrap_err();
/// assert!(e.is_forced());
/// assert_eq!(e.to_string(), "\"if\" failed and \"fail\" requested");
/// assert_eq!(&src[e.span.range()], b"fail");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    /// What kind of failure: syntax, forced, refused, ...
    pub kind: ErrorKind,
    /// Exim's message, byte for byte (may contain non-UTF-8 bytes).
    pub message: Vec<u8>,
    /// The span in the template's source.
    pub span: Span,
    /// Set when the error is inside text expanded at run time.
    pub nested: Option<Box<NestedSource>>,
}

impl ExpandError {
    /// A syntax error ([`ErrorKind::Syntax`]).
    pub fn syntax(message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        ExpandError {
            kind: ErrorKind::Syntax,
            message: message.into(),
            span,
            nested: None,
        }
    }

    /// An ordinary failure found while evaluating ([`ErrorKind::Failed`]).
    pub fn failed(message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        ExpandError {
            kind: ErrorKind::Failed,
            message: message.into(),
            span,
            nested: None,
        }
    }

    /// A forced failure ([`ErrorKind::ForcedFail`]), as `fail` gives.
    pub fn forced(message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        ExpandError {
            kind: ErrorKind::ForcedFail,
            message: message.into(),
            span,
            nested: None,
        }
    }

    /// An error of a given kind.
    pub fn new(kind: ErrorKind, message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        ExpandError {
            kind,
            message: message.into(),
            span,
            nested: None,
        }
    }

    /// An error from text expanded at run time, placed at the construct
    /// (`span`) that expanded it; the position inside that text is kept
    /// in [`ExpandError::nested`].
    pub fn anchored_at(mut self, span: Span) -> ExpandError {
        if let Some(n) = &mut self.nested
            && !n.anchored
        {
            n.anchored = true;
            self.span = span;
        }
        self
    }

    /// Whether the failure was forced (`fail`, ...): callers often treat that
    /// as "unset" rather than as an error.
    pub fn is_forced(&self) -> bool {
        self.kind == ErrorKind::ForcedFail
    }

    /// The message as (lossy) text.
    pub fn message_str(&self) -> String {
        String::from_utf8_lossy(&self.message).into_owned()
    }

    /// Appends text to the message, as Exim does for errors inside
    /// `and{}`, `map` and friends.
    pub fn with_suffix(mut self, suffix: &str) -> ExpandError {
        self.message.extend_from_slice(suffix.as_bytes());
        self
    }
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message))
    }
}

impl std::error::Error for ExpandError {}

/// Why a builtin failed: Exim's message and its kind.  A builtin returns
/// it without a position; the evaluator places it at the builtin's span
/// ([`Failure::at`]).  This is the one failure type of every builtin that
/// receives values (operators, conditions, string items).
///
/// ```
/// use exim_expand::eval::Failure;
/// use exim_expand::ErrorKind;
/// let f: Failure = "\"xyz\" is not a hex string".into();
/// assert_eq!(f.kind, ErrorKind::Failed);
/// assert!(Failure::forced("no").is_forced());
/// let e = Failure::refused("running a command is not permitted").at(Default::default());
/// assert_eq!(e.kind, ErrorKind::Refused);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure (ordinary, forced, refused, ...).
    pub kind: ErrorKind,
    /// Exim's message, byte for byte.
    pub message: Vec<u8>,
    /// Set when the failure happened inside text expanded at run time.
    pub nested: Option<Box<NestedSource>>,
}

impl Failure {
    /// An ordinary failure ([`ErrorKind::Failed`]).
    pub fn new(message: impl Into<Vec<u8>>) -> Failure {
        Failure::of_kind(ErrorKind::Failed, message)
    }

    /// A forced failure ([`ErrorKind::ForcedFail`]).
    pub fn forced(message: impl Into<Vec<u8>>) -> Failure {
        Failure::of_kind(ErrorKind::ForcedFail, message)
    }

    /// Something the policy does not permit ([`ErrorKind::Refused`]).
    pub fn refused(message: impl Into<Vec<u8>>) -> Failure {
        Failure::of_kind(ErrorKind::Refused, message)
    }

    /// A failure of a given kind.
    pub fn of_kind(kind: ErrorKind, message: impl Into<Vec<u8>>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            nested: None,
        }
    }

    /// The failure of an expansion the builtin ran (`${expand:}`), under
    /// the builtin's own message: its position inside the nested text is
    /// kept, and so is its kind when it is forced, refused or a limit
    /// (what callers act on); anything else is an ordinary failure.
    ///
    /// ```
    /// use exim_expand::{Context, ErrorKind, expand};
    /// let mut kind = |s: &[u8]| expand(s, &mut Context::new()).unwrap_err().kind;
    /// assert_eq!(kind(br"${expand:\$\{if eq\{a\}\{b\}\{y\}fail\}}"), ErrorKind::ForcedFail);
    /// assert_eq!(kind(br"${expand:\$\{run\{/bin/true\}\}}"), ErrorKind::Refused);
    /// assert_eq!(kind(br"${expand:\$nosuch}"), ErrorKind::Failed);
    /// ```
    pub fn wrapping(inner: ExpandError, message: impl Into<Vec<u8>>) -> Failure {
        let kind = match inner.kind {
            k @ (ErrorKind::ForcedFail | ErrorKind::Refused | ErrorKind::Limit) => k,
            _ => ErrorKind::Failed,
        };
        Failure {
            kind,
            message: message.into(),
            nested: inner.nested,
        }
    }

    /// Whether the failure is forced.
    pub fn is_forced(&self) -> bool {
        self.kind == ErrorKind::ForcedFail
    }

    /// The error the evaluator reports: this failure at `span`.
    pub fn at(self, span: Span) -> ExpandError {
        ExpandError {
            kind: self.kind,
            message: self.message,
            span,
            nested: self.nested,
        }
    }
}

/// An evaluator error passing through a builtin (the replacement of
/// `${sg}` failing, ...): its kind, message and nested position are kept;
/// the builtin's span replaces its own.
impl From<ExpandError> for Failure {
    fn from(e: ExpandError) -> Failure {
        Failure {
            kind: e.kind,
            message: e.message,
            nested: e.nested,
        }
    }
}

impl From<Vec<u8>> for Failure {
    fn from(message: Vec<u8>) -> Failure {
        Failure::new(message)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::new(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::new(message)
    }
}

impl From<&[u8]> for Failure {
    fn from(message: &[u8]) -> Failure {
        Failure::new(message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message))
    }
}
