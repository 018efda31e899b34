//! Reading an SMTP command line as Exim's `smtp_read_command` does.

/// The commands Exim knows, plus the ways a line can fail to be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `RSET`.
    Rset,
    /// `HELO name`.
    Helo,
    /// `EHLO name`.
    Ehlo,
    /// `AUTH mechanism [data]`.
    Auth,
    /// `STARTTLS`.
    StartTls,
    /// `MAIL FROM:<address> [options]`.
    Mail,
    /// `RCPT TO:<address> [options]`.
    Rcpt,
    /// `DATA`.
    Data,
    /// `BDAT size [LAST]`.
    Bdat,
    /// `QUIT`.
    Quit,
    /// `NOOP`.
    Noop,
    /// `ETRN #queue`.
    Etrn,
    /// `VRFY address`.
    Vrfy,
    /// `EXPN list`.
    Expn,
    /// `HELP`.
    Help,
    /// A command that takes no argument was given one.
    BadArg,
    /// The line had a NUL byte.
    BadChar,
    /// Anything else.
    Other,
}

/// `(name, verb, takes an argument, counts as a mail command)` in Exim's
/// order (`cmd_list`).
const COMMANDS: &[(&[u8], Verb, bool, bool)] = &[
    (b"rset", Verb::Rset, false, false),
    (b"helo", Verb::Helo, true, false),
    (b"ehlo", Verb::Ehlo, true, false),
    (b"auth", Verb::Auth, true, true),
    (b"starttls", Verb::StartTls, false, false),
    (b"mail from:", Verb::Mail, true, true),
    (b"rcpt to:", Verb::Rcpt, true, true),
    (b"data", Verb::Data, false, true),
    (b"bdat", Verb::Bdat, true, true),
    (b"quit", Verb::Quit, false, true),
    (b"noop", Verb::Noop, true, false),
    (b"etrn", Verb::Etrn, true, false),
    (b"vrfy", Verb::Vrfy, true, false),
    (b"expn", Verb::Expn, true, false),
    (b"help", Verb::Help, true, false),
];

/// One command line, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// What it is.
    pub verb: Verb,
    /// The whole line without its line ending and trailing white space
    /// (Exim's `smtp_cmd_buffer`; NULs shown as `?`).
    pub buffer: Vec<u8>,
    /// What follows the command word, leading white space skipped
    /// (`$smtp_command_argument`).
    pub argument: Vec<u8>,
    /// False for a command that does not count towards
    /// `smtp_accept_max_nonmail` (a mail command).
    pub nonmail: bool,
}

/// Exim's SMTP command buffer size: a longer line is an unknown command.
pub const COMMAND_MAX: usize = 16384;

/// Reads `line` (without its `\n`) as a command.
pub fn parse(line: &[u8]) -> Command {
    let mut buffer: Vec<u8> = line
        .iter()
        .map(|&c| if c == 0 { b'?' } else { c })
        .collect();
    while buffer.last().is_some_and(|c| c.is_ascii_whitespace()) {
        buffer.pop();
    }
    let other = |buffer: Vec<u8>, verb| Command {
        verb,
        buffer,
        argument: Vec::new(),
        nonmail: false,
    };
    if line.len() > COMMAND_MAX {
        return other(buffer, Verb::Other);
    }
    if line.contains(&0) {
        return other(buffer, Verb::BadChar);
    }
    for &(name, verb, has_arg, is_mail) in COMMANDS {
        let n = name.len();
        if buffer.len() < n || !buffer[..n].eq_ignore_ascii_case(name) {
            continue;
        }
        if !(name[n - 1] == b':' || buffer.len() == n || buffer[n] == b' ') {
            continue;
        }
        let mut arg = &buffer[n..];
        while arg.first().is_some_and(|c| c.is_ascii_whitespace()) {
            arg = &arg[1..];
        }
        let argument = arg.to_vec();
        let verb = if has_arg || argument.is_empty() {
            verb
        } else {
            Verb::BadArg
        };
        return Command {
            verb,
            argument,
            buffer,
            nonmail: !is_mail,
        };
    }
    other(buffer, Verb::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines() {
        let rows: &[(&str, Verb, &str)] = &[
            ("EHLO client.example\r", Verb::Ehlo, "client.example"),
            ("mail from:<a@b>", Verb::Mail, "<a@b>"),
            ("MAIL FROM: <a@b>  ", Verb::Mail, "<a@b>"),
            ("MAIL FROMX", Verb::Other, ""),
            ("DATA", Verb::Data, ""),
            ("DATA x", Verb::BadArg, "x"),
            ("DATAX", Verb::Other, ""),
            ("quit", Verb::Quit, ""),
            ("RCPT TO:x", Verb::Rcpt, "x"),
            ("NO\0OP", Verb::BadChar, ""),
            ("", Verb::Other, ""),
        ];
        for &(line, verb, arg) in rows {
            let c = parse(line.as_bytes());
            assert_eq!(
                (c.verb, c.argument.as_slice()),
                (verb, arg.as_bytes()),
                "{line:?}"
            );
        }
    }
}
