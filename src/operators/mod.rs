//! Expansion operators `${name:operand}` and `${name_args:operand}`.
//!
//! Exim resolves an operator name in two tables: first the names that
//! contain an underscore, then (cutting the name at its first `_`, the rest
//! being an argument) the main table.  Both are sorted for binary search.

pub(crate) mod address;
mod case;
pub(crate) mod charset;
pub(crate) mod digest;
mod encode;
mod expand;
pub(crate) mod idna;
mod ip;
mod lists;
mod numeric;
pub(crate) mod quote;
mod stat;
pub(crate) mod text;

pub use crate::eval::OpResult;
use crate::eval::{Evaluator, OpDef, OpFn, Value};

pub(crate) use crate::sys::msg;

pub(crate) use crate::cnum::strtol;

/// A boolean main option (see [`crate::eval::Settings::option_flag`]).
pub(crate) fn option_flag(ev: &Evaluator, name: &str, default: bool) -> bool {
    ev.ctx.option_flag(name, default)
}

/// `${md5:$cert}`, `${sha1:$cert}`, `${sha256:$cert}`, `${base64:$cert}`
/// when the certificate variable `_var` holds `pem`: the operator works on
/// the certificate's DER.  `None` when `pem` holds no readable certificate
/// (Exim then has no certificate either, and the operator sees the name).
fn cert_operand(ev: &mut Evaluator, op: &str, pem: &Value) -> Option<OpResult> {
    if !cfg!(feature = "certs") {
        return Some(Err(crate::items::certextract::NOT_BUILT.into()));
    }
    let cert = crate::items::certextract::cert_der(&pem.bytes)?;
    let out = match op {
        "base64" => encode::cert_base64(cert.der()),
        _ => digest::cert_fingerprint(ev, op, cert.der())?,
    };
    // Exim builds these in tainted memory.
    Some(Ok(Value::tainted(out)))
}

const fn op(name: &'static str, func: OpFn) -> OpDef {
    OpDef::new(name, func)
}

const fn cert_op(name: &'static str, func: OpFn) -> OpDef {
    OpDef::cert_aware(name, func, cert_operand)
}

/// Operators whose names contain an underscore (sorted).
pub static UNDERSCORE_OPS: &[OpDef] = &[
    op("from_utf8", charset::from_utf8),
    op("local_part", address::local_part),
    op("quote_local_part", quote::quote_local_part),
    op("reverse_ip", ip::reverse_ip),
    op("time_eval", numeric::time_eval),
    op("time_interval", numeric::time_interval),
    op("utf8_domain_from_alabel", idna::utf8_domain_from_alabel),
    op("utf8_domain_to_alabel", idna::utf8_domain_to_alabel),
    op(
        "utf8_localpart_from_alabel",
        idna::utf8_localpart_from_alabel,
    ),
    op("utf8_localpart_to_alabel", idna::utf8_localpart_to_alabel),
];

/// The main operator table (sorted); an `_arg` suffix may follow the name.
pub static MAIN_OPS: &[OpDef] = &[
    op("address", address::address),
    op("addresses", address::addresses),
    op("base32", encode::base32),
    op("base32d", encode::base32d),
    op("base62", encode::base62),
    op("base62d", encode::base62d),
    cert_op("base64", encode::base64),
    op("base64d", encode::base64d),
    op("domain", address::domain),
    op("escape", quote::escape),
    op("escape8bit", quote::escape8bit),
    op("eval", numeric::eval),
    op("eval10", numeric::eval10),
    op("expand", expand::expand),
    op("h", text::h).checked(text::check_values),
    op("hash", text::hash).checked(text::check_values),
    op("hex2b64", encode::hex2b64),
    op("hexquote", encode::hexquote),
    op("ipv6denorm", ip::ipv6denorm),
    op("ipv6norm", ip::ipv6norm),
    op("l", text::l).checked(text::check_values),
    op("lc", case::lc),
    op("length", text::length).checked(text::check_values),
    op("listcount", lists::listcount),
    op("listnamed", lists::listnamed),
    op("mask", ip::mask),
    cert_op("md5", digest::md5),
    op("nh", text::nh).checked(text::check_values),
    op("nhash", text::nhash).checked(text::check_values),
    op("quote", quote::quote).checked(quote::check_quote),
    op("randint", numeric::randint),
    op("rfc2047", charset::rfc2047),
    op("rfc2047d", charset::rfc2047d),
    op("rxquote", quote::rxquote),
    op("s", text::s).checked(text::check_values),
    cert_op("sha1", digest::sha1),
    op("sha2", digest::sha2).checked(digest::check_variant),
    cert_op("sha256", digest::sha2).checked(digest::check_variant),
    op("sha3", digest::sha3).checked(digest::check_variant),
    op("stat", stat::stat),
    op("str2b64", encode::base64),
    op("strlen", case::strlen),
    op("substr", text::substr).checked(text::check_values),
    op("uc", case::uc),
    op("utf8clean", charset::utf8clean),
];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::parser::Grammar;

    #[test]
    fn tables_are_sorted() {
        for t in [UNDERSCORE_OPS, MAIN_OPS] {
            for w in t.windows(2) {
                assert!(
                    w[0].sig.name < w[1].sig.name,
                    "{} before {}",
                    w[0].sig.name,
                    w[1].sig.name
                );
            }
        }
    }

    #[test]
    fn underscore_names_resolve_before_arguments() {
        let reg = crate::builtins::debian_4_96();
        let name = |n: &str| match reg.operator(n.as_bytes()) {
            Some((_, sig, arg)) => format!(
                "{}|{}",
                sig.name,
                String::from_utf8_lossy(arg.unwrap_or(b"-"))
            ),
            None => "unknown".into(),
        };
        assert_eq!(name("local_part"), "local_part|-");
        assert_eq!(name("substr_1_3"), "substr|1_3");
        assert_eq!(name("lc_x"), "lc|x");
        assert_eq!(name("quote_lsearch"), "quote|lsearch");
        assert_eq!(name("nosuch"), "unknown");
        assert_eq!(name("LC"), "unknown");
    }

    /// Every operator, on pseudo-random bytes and arguments: results may be
    /// errors, but nothing may panic (debug builds check overflow).
    #[test]
    fn no_operator_panics() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet = b"0123456789abcdefxyzABCZ:./@<>()[]\",;=?_- %\\\x80\xc3\xa4\xff\x01";
        let args = [
            None,
            Some(""),
            Some("0"),
            Some("1"),
            Some("3_5"),
            Some("-2_1"),
            Some("-"),
            Some("_"),
            Some("2147483647"),
            Some("2147483648_2147483647"),
            Some("99999999999999999999"),
            Some("n"),
            Some("x"),
            Some("512"),
            Some("ldap_dn"),
            Some("mysql"),
            Some("d"),
        ];
        let mut ctx = crate::eval::Context::new();
        ctx.named_lists.insert(
            (crate::eval::ListKind::Domain, "a".into()),
            "+a : <; x".into(),
        );
        for _ in 0..4000 {
            let len = (next() % 40) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() as usize) % alphabet.len()])
                .collect();
            let arg = args[(next() as usize) % args.len()];
            for def in UNDERSCORE_OPS.iter().chain(MAIN_OPS) {
                if def.sig.name == "stat" || def.sig.name == "expand" {
                    continue;
                }
                let mut ev = Evaluator::new(&mut ctx);
                let _ = (def.func)(&mut ev, arg, &Value::new(input.clone()));
            }
        }
    }
}
