//! What Exim expands of a driver option's value, and in how many pieces.
//!
//! - A value starting with `"` is dequoted first (`read_string`), as for
//!   every string option: `"\\$"` reaches the expander as `\$`.
//! - `headers_remove` is a colon-separated list whose items are expanded
//!   one by one (transport.c and route.c split it first), so `::` is a
//!   colon inside an item.  `headers_add` items are separated by newlines.
//! - The `command` of a pipe transport or a queryprogram router is split
//!   into arguments (white space; `"..."` with backslash escapes, `'...'`
//!   literal) and each argument is expanded; an argument that is exactly
//!   `$pipe_addresses` is replaced by the addresses, not expanded.

use std::borrow::Cow;

/// The strings Exim expands for `option = value` of an instance of
/// `driver` (`None` when the instance's driver is not known yet).
pub fn expanded_parts<'v>(
    driver: Option<&str>,
    option: &str,
    value: &'v [u8],
) -> Vec<Cow<'v, [u8]>> {
    let value: Cow<[u8]> = if value.first() == Some(&b'"') {
        match crate::config::options::read_string(value, option) {
            Ok(v) => Cow::Owned(v),
            Err(_) => Cow::Borrowed(value),
        }
    } else {
        Cow::Borrowed(value)
    };
    match (option, driver) {
        ("headers_remove", _) => crate::lists::ListIter::new(&value)
            .map(Cow::Owned)
            .collect(),
        ("headers_add", _) => value
            .split(|&c| c == b'\n')
            .map(|l| Cow::Owned(l.to_vec()))
            .collect(),
        ("command", Some("pipe" | "queryprogram")) => arguments(&value)
            .into_iter()
            .filter(|a| a != b"$pipe_addresses")
            .map(Cow::Owned)
            .collect(),
        ("route_list", Some("manualroute")) => route_list_hosts(&value)
            .into_iter()
            .map(Cow::Owned)
            .collect(),
        _ => vec![value],
    }
}

/// Options that are not expanded as a whole but have parts that are
/// (manualroute's `route_list`: each item's host list).
pub fn expands_parts(driver: Option<&str>, option: &str) -> bool {
    matches!((option, driver), ("route_list", Some("manualroute")))
}

/// The host list of each `route_list` item (`domains hosts options`,
/// items `;`-separated): the part manualroute expands, after matching
/// the domain part.
fn route_list_hosts(list: &[u8]) -> Vec<Vec<u8>> {
    crate::lists::ListIter::with_default_sep(list, b';')
        .filter_map(|item| {
            let mut i = item.iter().take_while(|c| c.is_ascii_whitespace()).count();
            if i >= item.len() {
                return None;
            }
            crate::acl::string_dequote(&item, &mut i);
            i += item[i..]
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
            Some(crate::acl::string_dequote(&item, &mut i))
        })
        .collect()
}

/// A command line split into arguments as a pipe transport splits it.
fn arguments(s: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let mut arg = Vec::new();
        match s[i] {
            b'"' => {
                i += 1;
                while i < s.len() && s[i] != b'"' {
                    if s[i] == b'\\' && i + 1 < s.len() {
                        let (b, used) = crate::parser::lex::escape(&s[i + 1..]);
                        arg.push(b);
                        i += 1 + used;
                    } else {
                        arg.push(s[i]);
                        i += 1;
                    }
                }
                i += 1;
            }
            b'\'' => {
                i += 1;
                while i < s.len() && s[i] != b'\'' {
                    arg.push(s[i]);
                    i += 1;
                }
                i += 1;
            }
            _ => {
                while i < s.len() && !s[i].is_ascii_whitespace() {
                    arg.push(s[i]);
                    i += 1;
                }
            }
        }
        out.push(arg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(driver: Option<&str>, option: &str, value: &str) -> Vec<String> {
        expanded_parts(driver, option, value.as_bytes())
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect()
    }

    #[test]
    fn pieces_as_exim_expands_them() {
        let cases: &[(Option<&str>, &str, &str, &[&str])] = &[
            (None, "condition", "${if eq{a}{b}}", &["${if eq{a}{b}}"]),
            (
                None,
                "condition",
                r#""${if match{$1}{^\\S+\\$}}""#,
                &[r"${if match{$1}{^\S+\$}}"],
            ),
            (
                Some("accept"),
                "headers_remove",
                r#""${if def::h_x:: {subject}fail}""#,
                &["${if def:h_x: {subject}fail}"],
            ),
            (None, "headers_remove", "a : b", &["a", "b"]),
            (
                None,
                "headers_add",
                "\"X-A: $a\\nX-B: $b\"",
                &["X-A: $a", "X-B: $b"],
            ),
            (
                Some("queryprogram"),
                "command",
                r#"/bin/echo "${if match{$local_part}{^\"(.*)\\$}{$1}}""#,
                &["/bin/echo", r#"${if match{$local_part}{^"(.*)\$}{$1}}"#],
            ),
            (
                Some("pipe"),
                "command",
                "/bin/cat $pipe_addresses 'a b'",
                &["/bin/cat", "a b"],
            ),
            (Some("smtp"), "command", "a b", &["a b"]),
            (
                Some("manualroute"),
                "route_list",
                "*.a.example ${lc:$domain}.relay byname ; b.example \"h1:h2\" ;",
                &["${lc:$domain}.relay", "h1:h2"],
            ),
            (
                Some("manualroute"),
                "route_list",
                "<, x.example $x, y.example",
                &["$x", ""],
            ),
        ];
        for (driver, option, value, want) in cases {
            assert_eq!(parts(*driver, option, value), *want, "{option} = {value}");
        }
    }
}
