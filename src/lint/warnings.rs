//! Warnings beyond Exim: text Exim accepts that is probably not what was
//! meant.  One small function per rule, each returning the span it
//! objects to and its message; [`warnings`] runs them all over a string.

use super::codes::{self, Rule};
use crate::Template;
use crate::parser::{Node, Span, Visit};

/// W001: `$h_subject` without its colon.  Exim then reads the header name
/// up to the next white space, so `[$h_subject]` looks up the header
/// `subject]` (and expands to nothing).
fn header_without_colon(source: &[u8], node: &Node) -> Option<(Span, String)> {
    let Node::Header { name, span, .. } = node else {
        return None;
    };
    let end = span.end as usize;
    if end == 0 || source.get(end - 1) == Some(&b':') {
        return None;
    }
    let name = String::from_utf8_lossy(name);
    Some((
        *span,
        format!(
            "header variable without its colon: Exim reads the header name \"{name}\" up to the next white space; end it with \":\""
        ),
    ))
}

/// W002: an operator whose operand starts with another colon
/// (`${lc::$domain}`): the second colon is part of the result.
fn doubled_colon(source: &[u8], node: &Node) -> Option<(Span, String)> {
    let Node::Op(op) = node else {
        return None;
    };
    let at = op.operand.span.start as usize;
    if source.get(at) != Some(&b':') || source.get(at.wrapping_sub(1)) != Some(&b':') {
        return None;
    }
    Some((
        Span::new(at - 1, at + 1),
        format!(
            "\"::\" after ${{{}: the second colon is part of the operand (and of the result)",
            op.name
        ),
    ))
}

/// W003: a backslash escape in a regular expression that the expansion
/// eats before the regex engine sees it: `${sg{a.b}{\.}{-}}` gives `---`
/// (the regex is `.`), `match{$x}{^\d}` tests for a `d`.  Text inside
/// `\N...\N` is left alone, so the escapes there are the regex's.
fn regex_backslashes(source: &[u8], regex: &crate::parser::Seq) -> Vec<(Span, String)> {
    let mut found = Vec::new();
    for node in &regex.nodes {
        let Node::Text { span, .. } = node else {
            continue;
        };
        let (start, end) = (span.start as usize, (span.end as usize).min(source.len()));
        let text = &source[start.min(end)..end];
        let mut i = 0;
        while i + 1 < text.len() {
            if text[i] != b'\\' {
                i += 1;
                continue;
            }
            let c = text[i + 1];
            if c == b'N' {
                // Skip to the closing \N.
                i = memchr::memmem::find(&text[i + 2..], b"\\N")
                    .map_or(text.len(), |j| i + 2 + j + 2);
                continue;
            }
            if b"dDwWsSbB.+*?()[]|^AZzhHRK".contains(&c) {
                let what = if c == b'b' { "a backspace" } else { "" };
                let eaten = if what.is_empty() {
                    format!("\"{}\"", c as char)
                } else {
                    what.to_string()
                };
                found.push((
                    Span::new(start + i, start + i + 2),
                    format!(
                        "\"\\{}\" in a regular expression: the expansion turns it into {eaten} before the regex sees it; write \\\\{} or put the regex in \\N...\\N",
                        c as char, c as char
                    ),
                ));
            }
            i += 2;
        }
    }
    found
}

/// The regular-expression argument of a node or condition, if it has one
/// (`sg`'s second, the `match` condition's second).
fn regex_argument<'a>(v: &Visit<'a>) -> Option<&'a crate::parser::Seq> {
    match v {
        Visit::Node(Node::Item(it)) if it.name == "sg" => match it.args.get(1) {
            Some(crate::parser::Arg::Seq(s)) => Some(s),
            _ => None,
        },
        Visit::Cond(c) => match &c.kind {
            crate::parser::CondKind::Call {
                name: "match",
                args,
                ..
            } => args.get(1),
            _ => None,
        },
        _ => None,
    }
}

type Check = fn(&[u8], &Node) -> Option<(Span, String)>;

/// Each warning rule with its check.
const CHECKS: &[(&Rule, Check)] = &[
    (&codes::HEADER_WITHOUT_COLON, header_without_colon),
    (&codes::DOUBLED_COLON, doubled_colon),
    (&codes::TAINTED_FILE_NAME, super::taint::tainted_file_name),
    (&codes::TAINTED_COMMAND, super::taint::tainted_command),
    (
        &codes::CONSTANT_CONDITION,
        super::constant::constant_condition,
    ),
];

/// Every warning in `t` (parsed from `source`), in source order.
pub fn warnings(t: &Template, source: &[u8]) -> Vec<(&'static Rule, Span, String)> {
    let mut found = Vec::new();
    t.walk(&mut |v| {
        if let Visit::Seq(s) = v
            && let Some((span, message)) = super::constant::branches_after_if(s)
        {
            found.push((&codes::CONSTANT_CONDITION, span, message));
        }
        if let Some(regex) = regex_argument(&v) {
            for (span, message) in regex_backslashes(source, regex) {
                found.push((&codes::REGEX_BACKSLASH, span, message));
            }
        }
        if let Visit::Node(node) = v {
            for (rule, check) in CHECKS {
                if let Some((span, message)) = check(source, node) {
                    found.push((*rule, span, message));
                }
            }
        }
    });
    found.sort_by_key(|(_, span, _)| span.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (code, start, end) of a warning.
    type Found = (&'static str, u32, u32);

    /// Each warning in `src`.
    fn found(src: &str) -> Vec<Found> {
        let t = crate::parse(src.as_bytes());
        warnings(&t, src.as_bytes())
            .into_iter()
            .map(|(r, s, _)| (r.code, s.start, s.end))
            .collect()
    }

    #[test]
    fn header_variables_need_their_colon() {
        // Exim 4.96 with a message of "Subject: hello": `[$h_subject]`
        // expands to "[", `[$h_subject:]` to "[hello]".
        let cases: &[(&str, &[Found])] = &[
            ("[$h_subject]", &[("W001", 1, 12)]),
            ("[$h_subject:]", &[]),
            ("$rh_from $bheader_to:", &[("W001", 0, 8)]),
            ("$header_x-spam", &[("W001", 0, 14)]),
            ("$home", &[]),
        ];
        for (src, want) in cases {
            assert_eq!(found(src), *want, "{src}");
        }
    }

    #[test]
    fn backslashes_the_expansion_eats_in_regexes() {
        // Exim 4.96: ${sg{a.b}{\.}{-}} gives "---", ${if match{a1}{^\d}{y}{n}}
        // "n" and ${if match{d1}{^\d}{y}{n}} "y": the regex lost its backslash.
        let cases: &[(&str, &[Found])] = &[
            (r"${sg{a.b}{\.}{-}}", &[("W003", 10, 12)]),
            (
                r"${if match{$x}{^\d+\.}{y}{n}}",
                &[("W003", 16, 18), ("W003", 19, 21)],
            ),
            (r"${if match{$x}{\N^\d+\N}{y}{n}}", &[]),
            (r"${if match{$x}{a\\.b}{y}{n}}", &[]),
            (r"${if match{$x}{^a\$}{y}{n}}", &[]),
            (r"${if eq{$x}{\.}{y}{n}}", &[]),
            (r"${sg{$x}{\N\.\N}{\.}}", &[]),
        ];
        for (src, want) in cases {
            assert_eq!(found(src), *want, "{src}");
        }
    }

    #[test]
    fn doubled_colons_after_operators() {
        let cases: &[(&str, &[Found])] = &[
            ("${lc::$domain}", &[("W002", 4, 6)]),
            ("${lc:$domain}", &[]),
            ("${lc:${uc::x}}", &[("W002", 9, 11)]),
            ("${substr_1::abc}", &[("W002", 10, 12)]),
            ("${lc: :x}", &[]),
        ];
        for (src, want) in cases {
            assert_eq!(found(src), *want, "{src}");
        }
    }
}
