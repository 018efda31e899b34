//! SMTP responses as Exim writes them: a code, an optional extended status
//! code, and a message whose newlines make a multi-line response (Exim's
//! `smtp_respond` and `smtp_message_code`).

/// A response code with its optional extended code and the space after
/// it: `550 ` or `550 5.7.1 `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(pub Vec<u8>);

impl Code {
    /// A plain three-digit code.
    pub fn new(code: &str) -> Code {
        Code(format!("{code} ").into_bytes())
    }
}

/// The length of a response code at the start of `msg` (`ddd ` and an
/// optional `d.ddd.ddd `, white space included), as Exim's
/// `regex_smtp_code` finds it.
fn leading_code(msg: &[u8]) -> Option<usize> {
    let digit = |i: usize| msg.get(i).is_some_and(u8::is_ascii_digit);
    let space = |i: usize| msg.get(i).is_some_and(u8::is_ascii_whitespace);
    if !(digit(0) && digit(1) && digit(2) && space(3)) {
        return None;
    }
    let mut i = 4;
    let group = |i: &mut usize| {
        let start = *i;
        while *i < start + 3 && digit(*i) {
            *i += 1;
        }
        *i > start
    };
    let mut j = i;
    if digit(j) && msg.get(j + 1) == Some(&b'.') {
        j += 2;
        if group(&mut j) && msg.get(j) == Some(&b'.') {
            j += 1;
            if group(&mut j) && space(j) {
                i = j + 1;
            }
        }
    }
    Some(i)
}

/// Exim's `smtp_message_code`: a message starting with a response code
/// replaces `code` with it (when its first digit is the same, if
/// `check_valid`) and loses it.  Returns the message without the code
/// and, when the digit was wrong, the log line Exim writes.
pub fn message_code<'m>(
    code: &mut Code,
    msg: &'m [u8],
    check_valid: bool,
) -> (&'m [u8], Option<Vec<u8>>) {
    let Some(len) = leading_code(msg) else {
        return (msg, None);
    };
    if check_valid && msg[0] != code.0[0] {
        let mut log = format!(
            "configured error code starts with incorrect digit (expected {}) in \"",
            code.0[0] as char
        )
        .into_bytes();
        log.extend_from_slice(msg);
        log.push(b'"');
        return (&msg[len..], Some(log));
    }
    code.0 = msg[..len].to_vec();
    (&msg[len..], None)
}

/// Exim's `smtp_respond`: the response lines for `msg`, the last one
/// final (`550 text`) when `last`, else all continuation lines
/// (`550-text`).  White space at the start of each line after the first
/// is dropped.
pub fn respond(out: &mut Vec<u8>, code: &Code, last: bool, msg: &[u8]) {
    let (digits, esc) = code.0.split_at(3.min(code.0.len()));
    // `esc` is " " or " 5.7.1 ": the text after the separator.
    let esc = esc.get(1..).unwrap_or_default();
    let mut rest = msg;
    loop {
        match rest.iter().position(|&c| c == b'\n') {
            Some(nl) if nl + 1 < rest.len() => {
                line(out, digits, b'-', esc, &rest[..nl]);
                rest = &rest[nl + 1..];
                while rest.first().is_some_and(u8::is_ascii_whitespace) {
                    rest = &rest[1..];
                }
            }
            Some(nl) => {
                line(
                    out,
                    digits,
                    if last { b' ' } else { b'-' },
                    esc,
                    &rest[..nl],
                );
                return;
            }
            None => {
                line(out, digits, if last { b' ' } else { b'-' }, esc, rest);
                return;
            }
        }
    }
}

fn line(out: &mut Vec<u8>, digits: &[u8], sep: u8, esc: &[u8], text: &[u8]) {
    out.extend_from_slice(digits);
    out.push(sep);
    out.extend_from_slice(esc);
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: &str, last: bool, msg: &str) -> String {
        let mut code = Code::new(code);
        let (msg, _) = message_code(&mut code, msg.as_bytes(), true);
        let mut out = Vec::new();
        respond(&mut out, &code, last, msg);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn responses() {
        let rows: &[(&str, bool, &str, &str)] = &[
            ("550", true, "no", "550 no\r\n"),
            ("550", true, "a\nb", "550-a\r\n550 b\r\n"),
            ("550", true, "a\n  b\n", "550-a\r\n550 b\r\n"),
            ("550", false, "a", "550-a\r\n"),
            ("550", true, "551 moved", "551 moved\r\n"),
            (
                "550",
                true,
                "550 5.7.1 go away\nreally",
                "550-5.7.1 go away\r\n550 5.7.1 really\r\n",
            ),
            ("550", true, "450 wrong digit", "550 wrong digit\r\n"),
            ("550", true, "5501 not a code", "550 5501 not a code\r\n"),
            ("550", true, "550 5.7 short", "550 5.7 short\r\n"),
        ];
        for &(code, last, msg, want) in rows {
            assert_eq!(reply(code, last, msg), want, "{msg:?}");
        }
    }
}
