//! Expansion errors: Exim's message text plus the span that caused it.

use crate::parser::Span;
use std::fmt;

/// Exim distinguishes an ordinary failure from a *forced* one (`fail` in
/// place of a "no" string, DEFER from an ACL, ...): callers often treat a
/// forced failure as "option unset".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A syntax error found by the parser.
    Syntax,
    /// An error found while evaluating.
    Failed,
    /// A forced failure.
    ForcedFail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    pub kind: ErrorKind,
    /// Exim's message, byte for byte (may contain non-UTF-8 bytes).
    pub message: Vec<u8>,
    pub span: Span,
}

impl ExpandError {
    pub fn syntax(message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        ExpandError {
            kind: ErrorKind::Syntax,
            message: message.into(),
            span,
        }
    }

    pub fn failed(message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        ExpandError {
            kind: ErrorKind::Failed,
            message: message.into(),
            span,
        }
    }

    pub fn forced(message: impl Into<Vec<u8>>, span: Span) -> ExpandError {
        ExpandError {
            kind: ErrorKind::ForcedFail,
            message: message.into(),
            span,
        }
    }

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
