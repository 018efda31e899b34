//! Output that is buffered, yet answers a co-process at once.
//!
//! `exim -be` is driven two ways: a whole file piped in (where writing
//! every answer by itself costs more than computing it) and a program that
//! writes one line and waits for its answer.  [`FlushBeforeBlocking`]
//! serves both: the output collects in a buffer, and it is written out
//! before any read of standard input that would have to wait, so a waiting
//! peer always has every answer to what it sent.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};

/// How much output collects before it is written whatever the input does.
pub const OUTPUT_BUFFER: usize = 64 * 1024;

/// How much input one read asks for.
pub const INPUT_BUFFER: usize = 64 * 1024;

/// A reader that flushes `out` before a read that would block.
pub struct FlushBeforeBlocking<'a, R, W: Write> {
    input: R,
    fd: RawFd,
    out: &'a RefCell<W>,
}

impl<'a, R: Read + AsRawFd, W: Write> FlushBeforeBlocking<'a, R, W> {
    /// Reads `input`, flushing `out` whenever `input` has nothing ready.
    pub fn new(input: R, out: &'a RefCell<W>) -> FlushBeforeBlocking<'a, R, W> {
        let fd = input.as_raw_fd();
        FlushBeforeBlocking { input, fd, out }
    }
}

impl<R: Read, W: Write> Read for FlushBeforeBlocking<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !ready_to_read(self.fd) {
            self.out.borrow_mut().flush()?;
        }
        self.input.read(buf)
    }
}

/// Whether a read of `fd` would return at once (data, end of file or an
/// error) rather than wait.
fn ready_to_read(fd: RawFd) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, a count of one, and no waiting.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n > 0 && p.revents != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;
    use std::os::unix::net::UnixStream;

    /// A peer that has sent nothing more gets the output before the read
    /// waits; data already waiting is read without flushing.
    #[test]
    fn flushes_only_when_the_read_would_wait() {
        let (mut peer, ours) = UnixStream::pair().unwrap();
        // The read that waits gives up quickly instead of hanging the test.
        ours.set_read_timeout(Some(std::time::Duration::from_millis(20)))
            .unwrap();
        let out = RefCell::new(io::BufWriter::new(Vec::new()));
        let mut r = io::BufReader::new(FlushBeforeBlocking::new(ours, &out));
        let mut line = String::new();
        let mut next_line = |r: &mut io::BufReader<_>| {
            line.clear();
            r.read_line(&mut line).map(|_| line.clone())
        };
        peer.write_all(b"one\ntwo\n").unwrap();
        assert_eq!(next_line(&mut r).unwrap(), "one\n");
        out.borrow_mut().write_all(b"answer one").unwrap();
        // "two" came with "one": no read, so no flush.
        assert_eq!(next_line(&mut r).unwrap(), "two\n");
        assert!(out.borrow().get_ref().is_empty());
        // Nothing is waiting now: the output goes out before the read.
        assert!(next_line(&mut r).is_err());
        assert_eq!(out.borrow().get_ref(), b"answer one");
        // Data waiting again: read without a flush.
        out.borrow_mut().write_all(b", answer two").unwrap();
        peer.write_all(b"three\n").unwrap();
        assert_eq!(next_line(&mut r).unwrap(), "three\n");
        assert_eq!(out.borrow().get_ref(), b"answer one");
    }
}
