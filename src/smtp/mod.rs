//! SMTP sessions: the server side of Exim's SMTP conversation with its
//! ACLs, as `exim -bh` runs it (no message is delivered).
//!
//! [`SmtpSession`] takes command lines and messages and gives back the
//! responses and log lines; [`run_script`] drives one over a whole input
//! as the `-bh` drop-in does.

mod auth;
mod bdat;
mod command;
mod commands;
mod dkim;
pub(crate) mod host;
mod log_selector;
mod receive;
mod reply;
mod session;

pub use auth::AuthenticatedBy;
pub use dkim::DkimState;
pub use host::{HostNames, build as host_names};
pub use log_selector::LogSelector;
pub use receive::{LostAt, read_data};
pub use session::{Client, SmtpSession, Step, SuspendedSession};

/// The client's host name when it is known without a lookup: set by the
/// caller, or found by a lookup already made (Exim's `sender_host_name`
/// global, which unlike the variable does not start a lookup).
pub fn known_host_name(ctx: &crate::eval::Context) -> Option<Vec<u8>> {
    if let Some(v) = ctx.vars.get("sender_host_name") {
        return (!v.is_empty()).then(|| v.bytes.clone());
    }
    match ctx.host_name.get() {
        Some(crate::eval::HostNameLookup::Found { name, .. }) => Some(name),
        _ => None,
    }
}

/// Runs a whole SMTP input (commands, and message data after DATA) through
/// a session that has been started, until the session closes or the input
/// ends; `after_step` is called after each command and message (to take
/// the responses and log lines as they come).
pub fn run_script<'c>(
    session: &mut SmtpSession<'c>,
    input: &[u8],
    mut after_step: impl FnMut(&mut SmtpSession<'c>),
) {
    let mut rest = input;
    loop {
        let Some(nl) = rest.iter().position(|&c| c == b'\n') else {
            session.eof();
            after_step(session);
            return;
        };
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        let step = session.command(line);
        after_step(session);
        match step {
            Step::Command => {}
            Step::Closed => return,
            Step::Chunk {
                size,
                last,
                discard,
            } => {
                let n = size as usize;
                if rest.len() < n {
                    let at = receive::lost_at(session.pending_chunk_data(), rest);
                    session.lost_during_data(at);
                    after_step(session);
                    return;
                }
                let (chunk, after) = rest.split_at(n);
                rest = after;
                if discard {
                    continue;
                }
                let step = session.chunk(chunk, last);
                after_step(session);
                if step == Step::Closed {
                    return;
                }
            }
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
                after_step(session);
                if step == Step::Closed {
                    return;
                }
            }
        }
    }
}
