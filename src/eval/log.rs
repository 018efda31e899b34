//! Log lines written during an evaluation or an SMTP session.
//!
//! Exim writes them to its log files; `exim -be` echoes them on standard
//! error with a time stamp, and `exim -bh` as `LOG: text`.  A context
//! either echoes them (the `-be` drop-in, through the policy's
//! `log_to_stderr`) or keeps them here for its owner to read: an SMTP
//! session, the `-bh` drop-in, an embedder's test.

use std::sync::Mutex;

/// The log lines a context kept, in order, without time stamps.
///
/// ```
/// use exim_expand::eval::LogBuffer;
/// let log = LogBuffer::collecting();
/// log.write(b"H=[192.0.2.1] rejected RCPT <a@b>");
/// assert_eq!(log.take(), vec![b"H=[192.0.2.1] rejected RCPT <a@b>".to_vec()]);
/// assert!(log.take().is_empty());
/// ```
#[derive(Debug, Default)]
pub struct LogBuffer {
    collecting: bool,
    lines: Mutex<Vec<Vec<u8>>>,
    /// The id of the message being received (or just received): Exim
    /// starts its log lines with it while it is set.
    message_id: Mutex<Option<Vec<u8>>>,
}

impl LogBuffer {
    /// A buffer that keeps what is written.
    pub fn collecting() -> LogBuffer {
        LogBuffer {
            collecting: true,
            ..LogBuffer::default()
        }
    }

    /// True when lines are kept (else they go where the policy says).
    pub fn is_collecting(&self) -> bool {
        self.collecting
    }

    /// Keeps one line (without its time stamp or newline), after the
    /// current message id if there is one.
    pub fn write(&self, line: &[u8]) {
        let mut text = match self.message_id.lock().ok().and_then(|m| m.clone()) {
            Some(mut id) => {
                id.push(b' ');
                id
            }
            None => Vec::new(),
        };
        text.extend_from_slice(line);
        if let Ok(mut l) = self.lines.lock() {
            l.push(text);
        }
    }

    /// Sets (or clears) the message id that starts the lines.
    pub fn set_message_id(&self, id: Option<&[u8]>) {
        if let Ok(mut m) = self.message_id.lock() {
            *m = id.map(<[u8]>::to_vec);
        }
    }

    /// The lines kept so far, emptying the buffer.
    pub fn take(&self) -> Vec<Vec<u8>> {
        self.lines
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

impl Clone for LogBuffer {
    fn clone(&self) -> LogBuffer {
        LogBuffer {
            collecting: self.collecting,
            lines: Mutex::new(self.lines.lock().map(|l| l.clone()).unwrap_or_default()),
            message_id: Mutex::new(self.message_id.lock().ok().and_then(|m| m.clone())),
        }
    }
}
