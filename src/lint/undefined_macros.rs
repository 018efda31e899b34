//! W011: a macro used but never defined.  Exim replaces only the macros
//! that are defined; any other word in capitals stays as it is, so a
//! misspelt `TLS_CERTFILE` for `TLS_CERT_FILE` becomes a file name of
//! that spelling, silently.  A word of macro shape that no line defines
//! is reported when it is one or two letters away from a defined macro,
//! or when the file tests it with `.ifdef` (it is meant as a macro, and
//! is then set only by `-D`).  Other words in capitals (`PLAIN`, cipher
//! strings, header names) are left alone.

use super::{Finding, Origin, codes};
use crate::config::Config;
use crate::eval::ExpandError;
use crate::parser::Span;

/// The words of macro shape in `value`: a capital letter, then capitals,
/// digits and `_`, at least three bytes, not inside a longer name.
fn macro_shaped_words(value: &[u8]) -> Vec<(usize, &[u8])> {
    let name_byte = crate::config::macros::is_name_char;
    let mut out = Vec::new();
    let mut i = 0;
    while i < value.len() {
        if !name_byte(value[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < value.len() && name_byte(value[i]) {
            i += 1;
        }
        let w = &value[start..i];
        let (before, after) = (value.get(start.wrapping_sub(1)), value.get(i));
        // `$NAME` is a variable; `+SIGN-ECDSA-SHA512` a word of a
        // priority string, not a macro.
        let joined = |c: Option<&u8>| matches!(c, Some(b'-' | b'+'));
        let shaped = w[0].is_ascii_uppercase()
            && w.len() >= 3
            && w.iter()
                .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
            && before != Some(&b'$')
            && !joined(before)
            && !joined(after);
        if shaped {
            out.push((start, w));
        }
    }
    out
}

/// The defined macro `word` is probably a misspelling of, if any (a
/// name of four bytes or more).
fn near_miss<'m>(word: &str, defined: &'m [String]) -> Option<&'m str> {
    if word.len() < 4 {
        return None;
    }
    super::suggest::nearest(
        word,
        defined.iter().map(String::as_str).filter(|d| d.len() >= 4),
    )
}

/// The W011 findings of `config`: each undefined name once, at its first
/// use.
pub fn findings(config: &Config) -> Vec<Finding> {
    let defined: Vec<String> = config
        .user_macros()
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    let mut look = |origin: &Origin, place: String, value: &[u8]| {
        for (at, w) in macro_shaped_words(value) {
            let word = String::from_utf8_lossy(w).into_owned();
            if defined.contains(&word)
                || seen.contains(&word)
                || !super::written_in_file(origin, value, Span::new(at, at + w.len()))
            {
                continue;
            }
            let why = match (near_miss(&word, &defined), config.macro_tested(&word)) {
                (Some(d), _) => format!("no macro {word} is defined (did you mean {d}?)"),
                (None, true) => format!(
                    "macro {word} is tested with .ifdef but never defined: unless -D {word}=... is given, the text {word} stays as it is"
                ),
                (None, false) => continue,
            };
            seen.insert(word);
            let e = ExpandError::syntax(why, Span::new(at, at + w.len()));
            found.push(Finding::new(
                config,
                &codes::UNDEFINED_MACRO,
                origin,
                place.clone(),
                value,
                e,
            ));
        }
    };
    super::each_value(config, &mut look);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(usize, usize, String)> {
        let c = Config::from_str(text, &[]).unwrap();
        findings(&c)
            .into_iter()
            .map(|f| (f.line, f.column, f.error.message_str().to_string()))
            .collect()
    }

    #[test]
    fn misspelt_and_untested_macros() {
        let f = found("TLS_CERT_FILE = /etc/c.pem\ntls_certificate = TLS_CERTFILE\n");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0, f[0].1), (2, 19));
        assert!(f[0].2.contains("did you mean TLS_CERT_FILE?"), "{f:?}");
        let f = found(".ifdef SMARTHOST\n.endif\nqualify_domain = SMARTHOST\n");
        assert!(
            f[0].2.contains("tested with .ifdef but never defined"),
            "{f:?}"
        );
        // Capitals that are no macro, defined macros, variables.
        assert!(found("tls_require_ciphers = NORMAL:-VERS-SSL3.0\n").is_empty());
        assert!(found("D = x\nqualify_domain = D.example\n").is_empty());
        assert!(found("TLS_CERT = a\nqualify_domain = $TLS_CERTX\n").is_empty());
        assert!(found("DECDSA = a\ntls_require_ciphers = NORMAL:+SIGN-ECDSA-SHA512\n").is_empty());
        assert!(
            found("PORT = PORT_N\ndaemon_smtp_ports = PORT\n").is_empty(),
            "a macro's text"
        );
        assert_eq!(
            macro_shaped_words(b"a AB ABC x_ABC ABC_1 Abc"),
            [(5, &b"ABC"[..]), (15, &b"ABC_1"[..])]
        );
    }
}
