//! Values: bytes plus taint.
//!
//! Exim is byte oriented (8-bit input round-trips exactly) and marks data
//! that came from outside (message, remote host) as *tainted*; taint follows
//! the data through every expansion.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Value {
    pub bytes: Vec<u8>,
    pub tainted: bool,
}

/// The bytes up to the first NUL: what a C string holds.
pub fn c_str(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

impl Value {
    /// The value as Exim's C code sees it: up to the first NUL.
    pub fn c_str(&self) -> &[u8] {
        c_str(&self.bytes)
    }

    pub fn new(bytes: impl Into<Vec<u8>>) -> Value {
        Value {
            bytes: bytes.into(),
            tainted: false,
        }
    }

    pub fn tainted(bytes: impl Into<Vec<u8>>) -> Value {
        Value {
            bytes: bytes.into(),
            tainted: true,
        }
    }

    pub fn empty() -> Value {
        Value::default()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Appends another value; the result is tainted if either part is.
    pub fn push(&mut self, other: &Value) {
        self.bytes.extend_from_slice(&other.bytes);
        self.tainted |= other.tainted;
    }

    pub fn push_bytes(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }

    /// Exim's strings are C strings: a NUL produced mid-expansion ends them.
    pub fn truncate_at_nul(&mut self) {
        if let Some(i) = self.bytes.iter().position(|&b| b == 0) {
            self.bytes.truncate(i);
        }
    }

    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::new(s.as_bytes())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::new(s.into_bytes())
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::new(b)
    }
}
