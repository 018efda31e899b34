//! The REPL driven through a pseudo-terminal, as a person at a terminal
//! uses it: a line at a time, each answer read before the next line is
//! typed; a paste of several lines at once; `\` continuation; commands.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The REPL on the slave side of a new pseudo-terminal; the master side
/// to type into and read from.
struct Terminal {
    child: Child,
    input: std::fs::File,
    output: mpsc::Receiver<Vec<u8>>,
    seen: Vec<u8>,
}

impl Terminal {
    fn start(args: &[&str]) -> Terminal {
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes two descriptors into the given integers;
        // the other arguments may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // SAFETY: both descriptors were just opened and are owned here.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let child = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
            .args(args)
            .env("HOME", std::env::temp_dir())
            .env("TERM", "xterm")
            .env_remove("NO_COLOR")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave))
            .spawn()
            .unwrap();
        let input = std::fs::File::from(master);
        let mut reader = input.try_clone().unwrap();
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Terminal {
            child,
            input,
            output,
            seen: Vec::new(),
        }
    }

    fn type_text(&mut self, text: &str) {
        self.input.write_all(text.as_bytes()).unwrap();
    }

    /// Waits for the prompt: what is typed before it may be lost while
    /// the line editor sets the terminal up.
    fn prompt(&mut self) {
        self.expect("> ");
    }

    /// Reads until `want` has appeared after what was read before (at
    /// most 20 seconds); the text read up to it.
    fn expect(&mut self, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = String::from_utf8_lossy(&self.seen).into_owned();
            if let Some(i) = text.find(want) {
                self.seen.drain(..i + want.len());
                return text[..i + want.len()].to_string();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(chunk) => self.seen.extend_from_slice(&chunk),
                Err(_) => panic!("no {want:?} in {text:?}"),
            }
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_session_at_the_terminal() {
    let mut t = Terminal::start(&["repl", "--var", "who=world", "--color", "never"]);
    t.expect("Ctrl-D to quit.");
    t.prompt();
    t.type_text("${uc:$who}\r");
    t.expect("WORLD");
    // `\` continues the line, as in exim -be.
    t.prompt();
    t.type_text("${if eq{a}{a} \\\r");
    t.expect(". ");
    t.type_text("   {yes}{no}}\r");
    t.expect("yes");
    t.prompt();
    t.type_text(":set x=42\r");
    t.prompt();
    t.type_text("$x\r");
    t.expect("42");
    t.prompt();
    t.type_text(":vars\r");
    t.expect("$who = world");
    t.prompt();
    t.type_text(":nosuch\r");
    t.expect("unknown command :nosuch");
    t.prompt();
    t.type_text(":doc sg\r");
    t.expect("${sg{<subject>}{<regex>}{<replacement>}}");
    // Tab completes a name after ${.
    t.prompt();
    t.type_text("${sha25\t:abc}\r");
    t.expect("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    t.prompt();
    t.type_text(":quit\r");
    let status = t.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_paste_of_several_lines_answers_each() {
    let mut t = Terminal::start(&["repl", "--color", "never"]);
    t.expect("Ctrl-D to quit.");
    t.prompt();
    // Bracketed paste: the terminal sends the lines as one input.
    t.type_text("\x1b[200~${lc:ONE}\r${lc:TWO}\r${lc:THREE}\x1b[201~\r");
    t.expect("one");
    t.expect("two");
    t.expect("three");
    t.prompt();
    t.type_text("\x04");
    let status = t.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
