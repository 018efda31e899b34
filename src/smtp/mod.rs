//! SMTP sessions: the server side of Exim's SMTP conversation with its
//! ACLs, as `exim -bh` runs it (no message is delivered).
//!
//! [`SmtpSession`] takes command lines and messages and gives back the
//! responses and log lines; [`run_script`] drives one over a whole input
//! as the `-bh` drop-in does.

mod command;
mod commands;
mod host;
mod log_selector;
mod receive;
mod reply;
mod session;

pub use log_selector::LogSelector;
pub use receive::{LostAt, read_data};
pub use session::{Client, SmtpSession, Step};

/// Runs a whole SMTP input (commands, and message data after DATA) through
/// a session that has been started, calling `output` with the responses
/// and log lines after each step, until the session closes or the input
/// ends.
pub fn run_script(
    session: &mut SmtpSession<'_>,
    input: &[u8],
    mut output: impl FnMut(&[u8], Vec<Vec<u8>>),
) {
    let mut rest = input;
    let mut flush = |s: &mut SmtpSession<'_>| {
        let out = s.take_output();
        let log = s.take_log();
        output(&out, log);
    };
    loop {
        let Some(nl) = rest.iter().position(|&c| c == b'\n') else {
            session.eof();
            flush(session);
            return;
        };
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        let step = session.command(line);
        flush(session);
        match step {
            Step::Command => {}
            Step::Closed => return,
            Step::Message => {
                let step = match read_data(rest) {
                    Ok((data, after)) => {
                        rest = after;
                        session.message(&data)
                    }
                    Err(at) => {
                        session.lost_during_data(at);
                        Step::Closed
                    }
                };
                flush(session);
                if step == Step::Closed {
                    return;
                }
            }
        }
    }
}
