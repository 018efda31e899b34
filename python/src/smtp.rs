//! SmtpSession: an SMTP conversation with the configured ACLs, as
//! `exim -bh` runs it, over a Context.

use std::sync::Mutex;

use ::exim_expand as ee;
use ee::smtp::{Client, SmtpSession as Session, Step, SuspendedSession};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::context::Context;
use crate::convert::*;

/// An SMTP session with a client at `address` (and `port`), run by the
/// ACLs of the Context's configuration, as `exim -bh address` runs them.
/// Nothing is delivered.
///
/// Each method returns the responses it produced (str, with CR LF line
/// ends); the log lines Exim would write are in `take_log()`.  The
/// session's results are the Context's variables: after
/// `command("MAIL FROM:<a@example.com>")`, `ctx.expand("$spf_result")`
/// shows what an `spf` condition found.
///
/// >>> ctx = exim_expand.Context(config="exim.conf", sandbox=False)
/// >>> s = exim_expand.SmtpSession(ctx, "192.0.2.1")
/// >>> s.start()          # '220 ... ESMTP Exim 4.96 ...\r\n'
/// >>> s.command("EHLO client.example")
#[pyclass(frozen, module = "exim_expand")]
pub(crate) struct SmtpSession {
    ctx: Py<Context>,
    state: Mutex<Option<SuspendedSession>>,
    /// The next input is message data (after a 354 response).
    expecting: Mutex<bool>,
    /// The next input is a BDAT chunk: (size, last, discard).
    chunk: Mutex<Option<(u32, bool, bool)>>,
}

impl SmtpSession {
    /// Runs `f` on the session resumed over its held context.
    fn with<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Session<'_>) -> R + Send,
    ) -> PyResult<(R, String)>
    where
        R: Send,
    {
        let ctx = self.ctx.bind(py).get();
        let mut held = ctx.hold(py)?;
        let mut guard = self
            .state
            .lock()
            .map_err(|_| PyRuntimeError::new_err("session state poisoned"))?;
        let suspended = guard
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this session is in use"))?;
        let ctx_ref: &mut ee::Context = &mut held;
        let (r, out, state) = py.detach(|| {
            let mut s = Session::resume(ctx_ref, suspended);
            let r = f(&mut s);
            let out = s.take_output();
            (r, out, s.suspend())
        });
        *guard = Some(state);
        Ok((r, String::from_utf8_lossy(&out).into_owned()))
    }

    fn set_expecting(&self, step: Step) {
        if let Ok(mut e) = self.expecting.lock() {
            *e = step == Step::Message;
        }
        if let Ok(mut c) = self.chunk.lock() {
            *c = match step {
                Step::Chunk {
                    size,
                    last,
                    discard,
                } => Some((size, last, discard)),
                _ => None,
            };
        }
    }
}

#[pymethods]
impl SmtpSession {
    #[new]
    #[pyo3(signature = (ctx, address, port = None))]
    fn py_new(
        py: Python<'_>,
        ctx: Py<Context>,
        address: &str,
        port: Option<u16>,
    ) -> PyResult<Self> {
        if address.parse::<std::net::IpAddr>().is_err() {
            return Err(PyValueError::new_err(format!(
                "\"{address}\" is not an IP address"
            )));
        }
        let client = Client {
            address: address.to_string(),
            port,
        };
        let suspended = {
            let c = ctx.bind(py).get();
            let mut held = c.hold(py)?;
            held.policy.log_to_stderr = false;
            Session::new(&mut held, client).suspend()
        };
        Ok(SmtpSession {
            ctx,
            state: Mutex::new(Some(suspended)),
            expecting: Mutex::new(false),
            chunk: Mutex::new(None),
        })
    }

    /// Starts the session: the connect ACL and the greeting.
    fn start(&self, py: Python<'_>) -> PyResult<String> {
        let (step, out) = self.with(py, |s| s.start())?;
        self.set_expecting(step);
        Ok(out)
    }

    /// One command line (without its line end).
    fn command(&self, py: Python<'_>, line: &Bound<'_, PyAny>) -> PyResult<String> {
        let line = to_bytes(line, "line")?;
        let (step, out) = self.with(py, move |s| s.command(&line))?;
        self.set_expecting(step);
        Ok(out)
    }

    /// The message after DATA's 354, as the client sends it (CR LF or LF
    /// line ends, leading dots doubled); the final `.` line may be left
    /// out.
    fn data(&self, py: Python<'_>, message: &Bound<'_, PyAny>) -> PyResult<String> {
        let mut text = to_bytes(message, "message")?;
        if !*self
            .expecting
            .lock()
            .map_err(|_| PyRuntimeError::new_err("poisoned"))?
        {
            return Err(PyRuntimeError::new_err(
                "data() is for the message after a 354 response to DATA",
            ));
        }
        if ee::smtp::read_data(&text).is_err() {
            if !text.is_empty() && !text.ends_with(b"\n") {
                text.extend_from_slice(b"\r\n");
            }
            text.extend_from_slice(b".\r\n");
        }
        let (step, out) = self.with(py, move |s| match ee::smtp::read_data(&text) {
            Ok((m, _)) => s.message(&m),
            Err(at) => {
                s.lost_during_data(at);
                Step::Closed
            }
        })?;
        self.set_expecting(step);
        Ok(out)
    }

    /// The bytes of a BDAT chunk, after the BDAT command (exactly as many
    /// as it said).
    fn chunk(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<String> {
        let data = to_bytes(data, "data")?;
        let pending = *self
            .chunk
            .lock()
            .map_err(|_| PyRuntimeError::new_err("poisoned"))?;
        let Some((size, last, discard)) = pending else {
            return Err(PyRuntimeError::new_err(
                "chunk() is for the data after a BDAT command",
            ));
        };
        if data.len() != size as usize {
            return Err(PyValueError::new_err(format!(
                "the BDAT command announced {size} bytes, not {}",
                data.len()
            )));
        }
        if discard {
            self.set_expecting(Step::Command);
            return Ok(String::new());
        }
        let (step, out) = self.with(py, move |s| s.chunk(&data, last))?;
        self.set_expecting(step);
        Ok(out)
    }

    /// The client goes away.
    fn eof(&self, py: Python<'_>) -> PyResult<String> {
        let ((), out) = self.with(py, |s| s.eof())?;
        self.set_expecting(Step::Closed);
        Ok(out)
    }

    /// A whole SMTP input (commands, and messages after DATA), as `-bh`
    /// reads it from standard input; the session ends with it.
    fn run(&self, py: Python<'_>, script: &Bound<'_, PyAny>) -> PyResult<String> {
        let script = to_bytes(script, "script")?;
        let ((), out) = self.with(py, move |s| ee::smtp::run_script(s, &script, |_| {}))?;
        self.set_expecting(Step::Closed);
        Ok(out)
    }

    /// The log lines written since the last call (without time stamps).
    fn take_log(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let c = self.ctx.bind(py).get();
        let held = c.hold(py)?;
        Ok(held
            .log
            .take()
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .collect())
    }

    /// True once the session has ended (QUIT, a drop, the end of input).
    #[getter]
    fn closed(&self) -> PyResult<bool> {
        let g = self
            .state
            .lock()
            .map_err(|_| PyRuntimeError::new_err("poisoned"))?;
        Ok(g.as_ref().is_none_or(SuspendedSession::is_closed))
    }

    /// True when the next input is the message (after DATA's 354).
    #[getter]
    fn expecting_data(&self) -> PyResult<bool> {
        Ok(*self
            .expecting
            .lock()
            .map_err(|_| PyRuntimeError::new_err("poisoned"))?)
    }
}
