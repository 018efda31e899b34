//! Header lines added by ACLs: `add_header = text` and the `message` of a
//! `warn` statement in a message ACL (Exim's `setup_header`).

use crate::eval::{AddedHeader, Evaluator, HeaderPlace};

/// Adds the header lines of `text` to the message being received: each
/// line (with its continuations) that does not start with a header name
/// gets `X-ACL-Warn: ` in front, a leading `:at_start:` (and the like)
/// chooses where it goes, and a line already added is not added again.
pub fn add_headers(ev: &mut Evaluator, text: &[u8]) {
    let mut s = text;
    while s.first() == Some(&b'\n') {
        s = &s[1..];
    }
    if s.is_empty() {
        return;
    }
    let mut owned = s.to_vec();
    while owned.ends_with(b"\n\n") {
        owned.pop();
    }
    if !owned.ends_with(b"\n") {
        owned.push(b'\n');
    }
    let mut rest = &owned[..];
    while !rest.is_empty() {
        let end = line_end(rest);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        let (place, line) = placement(line);
        let name_end = line[..line.len() - 1]
            .iter()
            .position(|&c| c == b':' || !c.is_ascii_graphic())
            .unwrap_or(line.len() - 1);
        let mut header = Vec::with_capacity(line.len() + 12);
        if line.get(name_end) != Some(&b':') {
            header.extend_from_slice(b"X-ACL-Warn: ");
        }
        header.extend_from_slice(line);
        if !ev
            .ctx
            .added_headers
            .iter()
            .any(|h| h.text.starts_with(&header))
        {
            ev.ctx.added_headers.push(AddedHeader {
                place,
                text: header,
            });
        }
    }
}

/// The end of the header line at the start of `s` (after its newline and
/// the newlines of its continuation lines).
fn line_end(s: &[u8]) -> usize {
    let mut i = 0;
    loop {
        match s[i..].iter().position(|&c| c == b'\n') {
            Some(n) => i += n + 1,
            None => return s.len(),
        }
        if !matches!(s.get(i), Some(b' ' | b'\t')) {
            return i;
        }
    }
}

/// A leading `:at_start:`, `:after_received:`, `:at_start_rfc:` or
/// `:at_end:` and the line without it.
fn placement(line: &[u8]) -> (HeaderPlace, &[u8]) {
    const PREFIXES: [(&[u8], HeaderPlace); 4] = [
        (b":after_received:", HeaderPlace::AfterReceived),
        (b":at_start_rfc:", HeaderPlace::StartRfc),
        (b":at_start:", HeaderPlace::Start),
        (b":at_end:", HeaderPlace::End),
    ];
    if line.first() != Some(&b':') {
        return (HeaderPlace::End, line);
    }
    for (prefix, place) in PREFIXES {
        if line.len() >= prefix.len() && line[..prefix.len()].eq_ignore_ascii_case(prefix) {
            let mut rest = &line[prefix.len()..];
            while matches!(rest.first(), Some(b' ' | b'\t')) {
                rest = &rest[1..];
            }
            return (place, rest);
        }
    }
    let mut rest = line;
    while matches!(rest.first(), Some(b' ' | b'\t')) {
        rest = &rest[1..];
    }
    (HeaderPlace::End, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    fn added(text: &str) -> Vec<String> {
        let mut ctx = Context::new();
        let mut ev = Evaluator::new(&mut ctx);
        add_headers(&mut ev, text.as_bytes());
        add_headers(&mut ev, text.as_bytes());
        ev.ctx
            .added_headers
            .iter()
            .map(|h| format!("{:?} {}", h.place, String::from_utf8_lossy(&h.text)))
            .collect()
    }

    #[test]
    fn header_lines_from_acl_text() {
        assert_eq!(added("X-Test: yes"), ["End X-Test: yes\n"]);
        assert_eq!(added("just words"), ["End X-ACL-Warn: just words\n"]);
        assert_eq!(
            added("\n:at_start: A: 1\nB: 2\n\tmore\n\n"),
            ["Start A: 1\n", "End B: 2\n\tmore\n"]
        );
        assert_eq!(added(":after_received:C: 3"), ["AfterReceived C: 3\n"]);
        assert!(added("").is_empty());
    }
}
