//! Expansion operators `${name:operand}` and `${name_args:operand}`.
//!
//! Exim resolves an operator name in two tables: first the names that
//! contain an underscore, then (cutting the name at its first `_`, the rest
//! being an argument) the main table.  Both are sorted for binary search.

mod case;
mod pending;

use crate::eval::{Evaluator, Value};
use crate::parser::OpRef;

/// An operator: `arg` is the text after the first `_` (for the main table),
/// `input` the expanded operand.  Errors are Exim's message text.
pub type OpFn = fn(&mut Evaluator, Option<&str>, &Value) -> Result<Vec<u8>, String>;

pub struct OpDef {
    pub name: &'static str,
    pub func: OpFn,
    /// md5, sha1, sha256, base64: an operand that is exactly a certificate
    /// variable is used unexpanded.
    pub cert_aware: bool,
}

impl std::fmt::Debug for OpDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "operator {}", self.name)
    }
}

const fn op(name: &'static str, func: OpFn) -> OpDef {
    OpDef {
        name,
        func,
        cert_aware: false,
    }
}

const fn cert_op(name: &'static str, func: OpFn) -> OpDef {
    OpDef {
        name,
        func,
        cert_aware: true,
    }
}

use pending::todo;

/// Operators whose names contain an underscore (sorted).
pub static UNDERSCORE_OPS: &[OpDef] = &[
    op("from_utf8", todo),
    op("local_part", todo),
    op("quote_local_part", todo),
    op("reverse_ip", todo),
    op("time_eval", todo),
    op("time_interval", todo),
    op("utf8_domain_from_alabel", todo),
    op("utf8_domain_to_alabel", todo),
    op("utf8_localpart_from_alabel", todo),
    op("utf8_localpart_to_alabel", todo),
];

/// The main operator table (sorted); an `_arg` suffix may follow the name.
pub static MAIN_OPS: &[OpDef] = &[
    op("address", todo),
    op("addresses", todo),
    op("base32", todo),
    op("base32d", todo),
    op("base62", todo),
    op("base62d", todo),
    cert_op("base64", todo),
    op("base64d", todo),
    op("domain", todo),
    op("escape", todo),
    op("escape8bit", todo),
    op("eval", todo),
    op("eval10", todo),
    op("expand", todo),
    op("h", todo),
    op("hash", todo),
    op("hex2b64", todo),
    op("hexquote", todo),
    op("ipv6denorm", todo),
    op("ipv6norm", todo),
    op("l", todo),
    op("lc", case::lc),
    op("length", todo),
    op("listcount", todo),
    op("listnamed", todo),
    op("mask", todo),
    cert_op("md5", todo),
    op("nh", todo),
    op("nhash", todo),
    op("quote", todo),
    op("randint", todo),
    op("rfc2047", todo),
    op("rfc2047d", todo),
    op("rxquote", todo),
    op("s", todo),
    cert_op("sha1", todo),
    op("sha2", todo),
    cert_op("sha256", todo),
    op("sha3", todo),
    op("stat", todo),
    op("str2b64", todo),
    op("strlen", case::strlen),
    op("substr", todo),
    op("uc", case::uc),
    op("utf8clean", todo),
];

fn find_in(table: &'static [OpDef], name: &[u8]) -> Option<&'static OpDef> {
    table
        .binary_search_by(|d| d.name.as_bytes().cmp(name))
        .ok()
        .map(|i| &table[i])
}

/// Resolves an operator name as Exim does; returns the operator and the
/// argument text after the first underscore (main table only).
pub fn resolve(name: &[u8]) -> (OpRef, Option<&[u8]>) {
    if let Some(d) = find_in(UNDERSCORE_OPS, name) {
        return (OpRef::Known(d), None);
    }
    let (base, arg) = match name.iter().position(|&c| c == b'_') {
        Some(i) => (&name[..i], Some(&name[i + 1..])),
        None => (name, None),
    };
    if let Some(d) = find_in(MAIN_OPS, base) {
        return (OpRef::Known(d), arg);
    }
    (OpRef::Unknown, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        for t in [UNDERSCORE_OPS, MAIN_OPS] {
            for w in t.windows(2) {
                assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
            }
        }
    }

    #[test]
    fn underscore_names_resolve_before_arguments() {
        let name = |n: &str| match resolve(n.as_bytes()) {
            (OpRef::Known(d), arg) => format!(
                "{}|{}",
                d.name,
                String::from_utf8_lossy(arg.unwrap_or(b"-"))
            ),
            (OpRef::Unknown, _) => "unknown".into(),
        };
        assert_eq!(name("local_part"), "local_part|-");
        assert_eq!(name("substr_1_3"), "substr|1_3");
        assert_eq!(name("lc_x"), "lc|x");
        assert_eq!(name("quote_lsearch"), "quote|lsearch");
        assert_eq!(name("nosuch"), "unknown");
        assert_eq!(name("LC"), "unknown");
    }
}
