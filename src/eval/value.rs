//! Values: bytes plus taint.
//!
//! Exim is byte oriented (8-bit input round-trips exactly) and marks data
//! that came from outside (message, remote host) as *tainted*; taint follows
//! the data through every expansion.

/// A string: its bytes (Exim strings need not be UTF-8) and whether they
/// are tainted.
///
/// ```
/// use exim_expand::Value;
/// let mut v = Value::new("abc");
/// v.push(&Value::tainted("def"));
/// assert_eq!(v.as_bytes(), b"abcdef");
/// assert!(v.tainted);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Value {
    /// The content, byte for byte.
    pub bytes: Vec<u8>,
    /// The data came from outside (a message, a remote host), or was made
    /// from such data.
    pub tainted: bool,
}

/// The bytes up to the first NUL: what a C string holds.
pub fn c_str(b: &[u8]) -> &[u8] {
    match memchr::memchr(0, b) {
        Some(i) => &b[..i],
        None => b,
    }
}

impl Value {
    /// The value as Exim's C code sees it: up to the first NUL.
    pub fn c_str(&self) -> &[u8] {
        c_str(&self.bytes)
    }

    /// An untainted value.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Value {
        Value {
            bytes: bytes.into(),
            tainted: false,
        }
    }

    /// A tainted value, as Exim marks data from a message or a client.
    pub fn tainted(bytes: impl Into<Vec<u8>>) -> Value {
        Value {
            bytes: bytes.into(),
            tainted: true,
        }
    }

    /// The empty string, untainted.
    pub fn empty() -> Value {
        Value::default()
    }

    /// The bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether there are no bytes (taint aside).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Appends another value; the result is tainted if either part is.
    pub fn push(&mut self, other: &Value) {
        self.bytes.extend_from_slice(&other.bytes);
        self.tainted |= other.tainted;
    }

    /// Appends untainted bytes; the taint is unchanged.
    pub fn push_bytes(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }

    /// Exim's strings are C strings: a NUL produced mid-expansion ends them.
    pub fn truncate_at_nul(&mut self) {
        self.truncate_at_nul_from(0);
    }

    /// [`Value::truncate_at_nul`] for the part from `start` on (what was
    /// appended to an earlier, already cut, part).
    pub fn truncate_at_nul_from(&mut self, start: usize) {
        if let Some(i) = self
            .bytes
            .get(start..)
            .and_then(|b| b.iter().position(|&c| c == 0))
        {
            self.bytes.truncate(start + i);
        }
    }

    /// The bytes as text, invalid UTF-8 replaced by U+FFFD.
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
