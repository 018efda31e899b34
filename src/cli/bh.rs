//! `exim -bh IP[.port]`: an SMTP session read from standard input as if
//! the client were at IP, with the configured ACLs; the responses go to
//! standard output and the log lines to standard error as `LOG: text`,
//! as Exim 4.96 writes them.  Exim's `>>>` debugging lines are not
//! written.

use crate::eval::Context;
use crate::smtp::{Client, SmtpSession, Step};
use std::io::{Read, Write};

/// Runs the session; returns the exit status.
pub fn run(ctx: &mut Context, client: Client) -> i32 {
    ctx.policy.log_to_stderr = false;
    ctx.log = crate::eval::LogBuffer::collecting();
    ctx.host_checking = true;
    // The sender's identity comes from the session, not from the caller.
    for v in ["sender_ident", "authenticated_id", "authenticated_sender"] {
        ctx.vars.remove(v);
    }
    // The session is read whole: bound it (Exim streams; a session this
    // large is not a test of ACLs).
    const MAX_INPUT: u64 = 1 << 30;
    let mut input = Vec::new();
    let _ = std::io::stdin()
        .lock()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut input);
    if input.len() as u64 > MAX_INPUT {
        eprintln!("exim-expand: -bh input larger than {MAX_INPUT} bytes");
        return 1;
    }
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let _ = write!(
        out,
        "\n**** SMTP testing session as if from host {}\n**** but without any ident (RFC 1413) callback.\n**** This is not for real!\n\n",
        client.address
    );
    let mut write = |o: &[u8], log: Vec<Vec<u8>>| {
        for l in log {
            let _ = err.write_all(b"LOG: ");
            let _ = err.write_all(&l);
            let _ = err.write_all(b"\n");
        }
        let _ = out.write_all(o);
        let _ = out.flush();
    };
    let mut session = SmtpSession::new(ctx, client);
    let started = session.start();
    write(&session.take_output(), session.take_log());
    if started == Step::Command {
        crate::smtp::run_script(&mut session, &input, |s| {
            let out = s.take_output();
            let log = s.take_log();
            write(&out, log);
        });
    }
    0
}
