//! Why a zone could not be loaded.

use std::fmt;

/// A zone file (or zone text) that could not be loaded: the file, the
/// line when the problem is on one, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    file: String,
    line: Option<usize>,
    message: String,
}

impl ZoneError {
    /// An error at `line` of `file`.
    pub(crate) fn at(file: &str, line: usize, message: impl Into<String>) -> ZoneError {
        ZoneError {
            file: file.to_string(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error about `file` as a whole (it cannot be read, it has no SOA).
    pub(crate) fn file(file: &str, message: impl Into<String>) -> ZoneError {
        ZoneError {
            file: file.to_string(),
            line: None,
            message: message.into(),
        }
    }

    /// The file (`<text of zone NAME>` for zone text).
    pub fn path(&self) -> &str {
        &self.file
    }

    /// The line (from 1), when the problem is on one.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ZoneError {}
