//! W008: `= =` in a setting.  Exim takes the first `=` of `name = value`
//! as the separator and keeps the rest, so `qualify_domain = = example.org`
//! sets the domain `= example.org` and `DOM = = x` defines a macro whose
//! text starts with `=`.  (`NAME == value` with no space is Exim's way of
//! redefining a macro, and is left alone.)

use super::{Finding, Origin, codes};
use crate::config::Config;
use crate::eval::ExpandError;
use crate::parser::Span;

/// The message for a value that starts with `=` and white space (`=*`
/// is a real `local_part_suffix`), if it does.
fn doubled(value: &[u8]) -> Option<ExpandError> {
    let starts =
        value.first() == Some(&b'=') && value.get(1).is_none_or(|c| c.is_ascii_whitespace());
    starts.then(|| {
        ExpandError::syntax(
            "the value starts with `=`: a doubled `= =` keeps the second one as part of the value",
            Span::new(0, 1),
        )
    })
}

/// Every `= =` of the configuration's options, named lists, ACL
/// conditions and driver options.
pub fn findings(config: &Config) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut look = |origin: &Origin, place: String, value: &[u8]| {
        // A macro's text is reported at its definition.
        if origin.locate(0).macro_name.is_some() {
            return;
        }
        if let Some(e) = doubled(value) {
            let rule = &codes::DOUBLED_EQUALS;
            found.push(Finding::new(config, rule, origin, place, value, e));
        }
    };
    super::each_value(config, &mut look);
    found
}

/// `= =` in a macro definition, at the definition's line.
pub fn macro_findings(config: &Config) -> Vec<Finding> {
    config
        .user_macros()
        .iter()
        .filter(|m| !m.command_line && doubled(&m.replacement).is_some())
        .filter_map(|m| {
            let message = format!(
                "macro {}'s text starts with `=`: a doubled `= =` keeps the second one (redefining is `==`, with no space)",
                m.name
            );
            super::macro_finding(config, m, &codes::DOUBLED_EQUALS, message, b"=")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, usize)> {
        // From a file: a macro's finding reads its line again.
        let path = std::env::temp_dir().join(format!("ee-equals-{}.conf", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let c = Config::from_file(&path, &[]).unwrap();
        let mut all = findings(&c);
        all.extend(macro_findings(&c));
        let _ = std::fs::remove_file(&path);
        all.iter().map(|f| (f.line, f.column)).collect()
    }

    #[test]
    fn a_second_equals_sign_is_found_where_it_is() {
        // Exim 4.96 -bP: `qualify_domain = = example.org` gives
        // "qualify_domain = = example.org", `DOM = = x` a macro "= x".
        assert_eq!(lines("qualify_domain = = example.org\n"), [(1, 18)]);
        assert_eq!(lines("DOM = = x\nqualify_domain = DOM\n"), [(1, 7)]);
        assert_eq!(lines("DOM = x\nDOM == y\nqualify_domain = DOM\n"), []);
        assert_eq!(lines("begin acl\na:\n  accept message = = hi\n"), [(3, 20)]);
        assert_eq!(
            lines("begin routers\nr:\n  driver = accept\n  domains = = a\n"),
            [(4, 13)]
        );
        assert_eq!(lines("domainlist d = = a\n"), [(1, 16)]);
        assert_eq!(lines("qualify_domain = a=b\n"), []);
        assert_eq!(
            lines("begin routers\nr:\n  driver = accept\n  local_part_suffix = =*\n"),
            [],
            "a suffix starting with ="
        );
    }
}
