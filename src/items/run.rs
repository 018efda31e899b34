//! `${run[,preexpand]{command}{yes}{no}}`: run a program without a shell.
//!
//! By default (Debian 4.96 has the upstream change) the command text is
//! split into arguments first, the way the pipe transport splits a command,
//! and each argument is then expanded on its own.  `,preexpand` expands the
//! whole text first.  `$value` is the program's output (standard error goes
//! there too), `$runrc` its exit code; the yes branch is taken for code 0.

use super::files::cat_file;
use crate::eval::{Capability, Evaluator, ExpandError, Value};
use crate::parser::{Arg, ItemNode, Span};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

/// Exim gives up on a command's output after 60 s.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// ... and waits 30 s more for it to exit.
const WAIT_TIMEOUT: Duration = Duration::from_secs(30);
/// The pipe transport's argument limit (no addresses here).
const MAX_ARGS: usize = 60;
/// Exim's `EX_EXECFAILED`: what a child that could not exec exits with.
const EXEC_FAILED: i32 = 127;

const ETEXT: &str = "${run} expansion";

/// Splits a command as `transport_set_up_command` does: white space
/// separates arguments; `'...'` is verbatim, `"..."` takes `\` escapes.
fn split_command(cmd: &[u8]) -> Result<Vec<Vec<u8>>, Vec<u8>> {
    let is_space = crate::lists::is_space;
    let mut argv = Vec::new();
    let mut i = 0;
    while i < cmd.len() && is_space(cmd[i]) {
        i += 1;
    }
    while i < cmd.len() {
        if argv.len() >= MAX_ARGS {
            let mut m = b"Too many arguments in command \"".to_vec();
            m.extend_from_slice(cmd);
            m.extend_from_slice(format!("\" in {ETEXT}").as_bytes());
            return Err(m);
        }
        if cmd[i] == b'\'' {
            i += 1;
            let n = cmd[i..]
                .iter()
                .position(|&c| c == b'\'')
                .unwrap_or(cmd.len() - i);
            argv.push(cmd[i..i + n].to_vec());
            i += n;
            if i < cmd.len() {
                i += 1;
            }
        } else {
            argv.push(crate::acl::string_dequote(cmd, &mut i));
        }
        while i < cmd.len() && is_space(cmd[i]) {
            i += 1;
        }
    }
    Ok(argv)
}

/// What running the command gave.
struct RunResult {
    output: Vec<u8>,
    rc: i32,
}

fn c_arg(v: &[u8]) -> std::ffi::OsString {
    use std::os::unix::ffi::OsStrExt;
    let end = v.iter().position(|&c| c == 0).unwrap_or(v.len());
    std::ffi::OsStr::from_bytes(&v[..end]).to_os_string()
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn kill_group(pid: u32) {
    // SAFETY: signalling a process group we created; errors are ignored.
    unsafe {
        libc::killpg(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// Starts `argv` (no PATH search, like `execv`) in its own process group,
/// in the spool directory, with Exim's purged environment; reads its
/// output (stdout and stderr) with the timeouts Exim uses.
fn run_child(ev: &Evaluator, argv: &[Vec<u8>]) -> Result<RunResult, String> {
    let Some(prog) = argv.first() else {
        // execv(NULL) fails: the child exits with EX_EXECFAILED.
        return Ok(RunResult {
            output: Vec::new(),
            rc: EXEC_FAILED,
        });
    };
    let mut prog = c_arg(prog);
    if !prog.as_encoded_bytes().contains(&b'/') {
        // execv does not search PATH: a bare name is relative.
        let mut p = std::ffi::OsString::from("./");
        p.push(&prog);
        prog = p;
    }
    let (rd, wr) = pipe().map_err(|e| format!("couldn't create child process: {e}"))?;
    let wr2 = wr
        .try_clone()
        .map_err(|e| format!("couldn't create child process: {e}"))?;
    let mut cmd = std::process::Command::new(&prog);
    cmd.arg0(c_arg(&argv[0]))
        .args(argv[1..].iter().map(|a| c_arg(a)))
        .env_clear()
        .envs(ev.ctx.environment.iter())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::from(wr))
        .stderr(std::process::Stdio::from(wr2))
        .process_group(0);
    let spool = ev
        .ctx
        .option("spool_directory")
        .unwrap_or(ev.ctx.profile.spool_directory)
        .to_string();
    if std::path::Path::new(&spool).is_dir() {
        cmd.current_dir(&spool);
    }
    // SAFETY: umask is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0o077);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e)
            if e.raw_os_error()
                .is_some_and(|n| n != libc::EAGAIN && n != libc::ENOMEM) =>
        {
            // The exec itself failed: Exim's child exits with 127.
            drop(cmd);
            return Ok(RunResult {
                output: Vec::new(),
                rc: EXEC_FAILED,
            });
        }
        Err(e) => {
            return Err(format!(
                "couldn't create child process: {}",
                crate::sys::strerror(e.raw_os_error().unwrap_or(0))
            ));
        }
    };
    // The write ends must close here so that EOF is seen.
    drop(cmd);
    drop(child.stdin.take());
    let pid = child.id();
    let (data, timed_out) = read_with_timeout(&rd, RUN_TIMEOUT);
    if timed_out {
        kill_group(pid);
        let _ = child.wait();
        return Err("command timed out".into());
    }
    let deadline = Instant::now() + WAIT_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(None) => {
                kill_group(pid);
                let _ = child.wait();
                return Err("command timed out".into());
            }
            Err(e) => return Err(format!("wait() failed: {e}")),
        }
    };
    use std::os::unix::process::ExitStatusExt;
    let rc = match (status.code(), status.signal()) {
        (Some(c), _) => c,
        (None, Some(sig)) => return Err(format!("command killed by signal {sig}")),
        (None, None) => EXEC_FAILED,
    };
    Ok(RunResult {
        output: cat_file(&data, None),
        rc,
    })
}

/// Reads a pipe to EOF, giving up after `limit`.
fn read_with_timeout(fd: &OwnedFd, limit: Duration) -> (Vec<u8>, bool) {
    use std::os::fd::AsRawFd;
    let start = Instant::now();
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let left = limit.saturating_sub(start.elapsed());
        if left.is_zero() {
            return (data, true);
        }
        let mut pfd = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX).max(1);
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return (data, false);
        }
        if r == 0 {
            continue;
        }
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return (data, false);
        }
        if n == 0 {
            return (data, false);
        }
        data.extend_from_slice(&buf[..n as usize]);
    }
}

/// Builds argv: split then expand each argument (default), or take the
/// already expanded text and split it (`preexpand`).  Each argument keeps
/// its taint.
fn build_argv(
    ev: &mut Evaluator,
    raw: &[u8],
    preexpanded: Option<&Value>,
    span: Span,
) -> Result<Vec<Value>, ExpandError> {
    let text = preexpanded.map_or(raw, |v| v.bytes.as_slice());
    let words = split_command(text).map_err(|m| ExpandError::failed(m, span))?;
    if let Some(v) = preexpanded {
        return Ok(words
            .into_iter()
            .map(|w| Value {
                bytes: w,
                tainted: v.tainted,
            })
            .collect());
    }
    let mut argv = Vec::with_capacity(words.len());
    for w in words {
        match ev.expand_nested(&w) {
            Ok(v) => argv.push(v),
            Err(e) => {
                let mut m = b"Expansion of \"".to_vec();
                m.extend_from_slice(&w);
                m.extend_from_slice(b"\" from command \"");
                m.extend_from_slice(raw);
                m.extend_from_slice(format!("\" in {ETEXT} failed: ").as_bytes());
                m.extend_from_slice(&e.message);
                return Err(if e.is_forced() {
                    ExpandError::forced(m, span)
                } else {
                    ExpandError::failed(m, span)
                });
            }
        }
    }
    Ok(argv)
}

/// Where the first `${if}` whose condition could not be parsed has that
/// condition (its `!` included).
fn failed_condition_start(cmd: &crate::parser::Seq) -> Option<usize> {
    use crate::parser::{Visit, walk};
    let mut found = None;
    walk(cmd, &mut |v| {
        let Visit::Node(crate::parser::Node::Item(it)) = v else {
            return;
        };
        if found.is_some() {
            return;
        }
        for a in &it.args {
            if let Arg::Cond(c) = a
                && cond_has_error(c)
            {
                found = Some(c.span.start as usize);
            }
        }
    });
    found
}

fn cond_has_error(c: &crate::parser::Cond) -> bool {
    use crate::parser::{Visit, walk_cond};
    let mut bad = false;
    walk_cond(c, &mut |v| match v {
        Visit::Cond(c) if c.error.is_some() => bad = true,
        Visit::Node(crate::parser::Node::Error(_)) => bad = true,
        _ => {}
    });
    bad
}

pub fn eval(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let Some(Arg::Seq(cmd)) = item.args.first() else {
        return ev.incomplete_item(item, skip);
    };
    let preexpand = item
        .word
        .as_deref()
        .is_some_and(|w| w.split(',').any(|o| o == "preexpand"));
    let mut raw: Vec<u8> = Vec::new();
    let mut pre = None;
    if preexpand {
        pre = Some(ev.seq(cmd, skip)?);
    } else {
        // Exim finds the end of the command with a skipping parse whose
        // errors it ignores, taking the text up to where the parse stopped.
        let range = cmd.span.range();
        let mut end = range.end;
        if let Err(e) = ev.seq(cmd, true) {
            let stop = e.span.range().end;
            if range.contains(&stop) || stop == range.end {
                end = stop;
            }
            // A condition that fails to parse leaves Exim's scan where the
            // condition began.
            if let Some(p) = failed_condition_start(cmd) {
                end = end.min(p);
            }
        }
        // The command must end at a `}`: where the parse stopped early, or
        // at the end of the text when the argument is unterminated.
        if ev.source.get(end) != Some(&b'}') {
            return Err(ev.curly_failure("missing '}' closing command arg of run", item.span));
        }
        if !skip {
            raw = ev.source.get(range.start..end).unwrap_or_default().to_vec();
        }
    }

    if skip {
        ev.ctx.vars.insert("runrc".into(), Value::from("0"));
        ev.value = None;
        return ev.yes_no(item, true, true, None, out);
    }
    ev.ctx
        .policy
        .require(Capability::Run, "running a command", item.span)?;
    let argv = build_argv(ev, &raw, pre.as_ref(), item.span)?;
    if argv.first().is_some_and(|a| a.tainted) {
        let mut m = b"Attempt to exec tainted path: '".to_vec();
        m.extend_from_slice(&argv[0].bytes);
        m.push(b'\'');
        crate::acl::log_line(ev, &m);
        return Err(ExpandError::failed(
            "couldn't create child process: Operation not permitted",
            item.span,
        ));
    }
    let words: Vec<Vec<u8>> = argv.into_iter().map(|v| v.bytes).collect();
    let r = run_child(ev, &words).map_err(|m| ExpandError::failed(m, item.span))?;
    ev.ctx
        .vars
        .insert("runrc".into(), Value::from(r.rc.to_string()));
    let value = Value::new(r.output);
    ev.value = Some(value.clone());
    // `$value` stays set after the item (Exim does not restore it).
    ev.yes_no(item, r.rc == 0, false, Some(value), out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    use crate::testutil::permissive as ctx;

    use crate::testutil::expand_in as run;

    /// Expected values from the corpus (items.jsonl) and the oracle.
    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("${run{/bin/echo hello}}", Ok("hello\n")),
            ("${run{/bin/echo hello}{y}{n}}", Ok("y")),
            ("${run{/bin/false}{y}{n}}", Ok("n")),
            ("${run{/bin/false}{y}{n:$runrc}}", Ok("n:1")),
            ("${run{/bin/echo hello}{[$value]}}", Ok("[hello\n]")),
            (
                "${run{/bin/sh -c 'echo out; exit 3'}{y}{n[$value]}}",
                Ok("n[out\n]"),
            ),
            ("${run{/bin/echo a  b   c}}", Ok("a b c\n")),
            ("${run{/bin/echo \"a  b\"}}", Ok("a  b\n")),
            ("${run{/bin/echo a\\\\tb}}", Ok("a\\tb\n")),
            ("${run{relative/prog}{y}{n}}", Ok("n")),
            ("${run{}{y}{n}}", Ok("n")),
            ("${run{echo x}{y}{n}}$runrc", Ok("n127")),
            ("${run,preexpand{/bin/echo ${lc:ABC}}}", Ok("abc\n")),
            ("${run {/bin/printf %s x}}", Ok("x")),
            ("${run{/bin/echo {x}}}", Ok("{x\n}")),
            (
                "${run{/bin/false}{y}fail}",
                Err("\"run\" failed and \"fail\" requested"),
            ),
            ("${run{/bin/sh -c 'exit 0'}}", Ok("")),
            ("${run{/bin/echo}}", Ok("\n")),
            ("${run{/bin/echo \\$HOME}}", Ok("$HOME\n")),
            (
                "${run{/bin/echo \"a b\" c\\\\d 'e f'}}",
                Ok("a b c\\d e f\n"),
            ),
            ("${run{/bin/echo \"${lc:A B}\"}}", Ok("a b\n")),
            (
                "${run{/bin/sh -c \"echo err >&2; echo out\"}}",
                Ok("err\nout\n"),
            ),
            ("${run{/bin/sh -c \"umask\"}}", Ok("0077\n")),
            ("${run{/bin/cat}{y}{n}}", Ok("y")),
            ("${run{/bin/echo a}}[$value]", Ok("a\n[a\n]")),
            ("${run{/bin/false}{y}{n}}[$value]", Ok("n[]")),
            (
                "${run{/bin/echo a}{${run{/bin/echo b}{$value}}$value}}",
                Ok("b\nb\n"),
            ),
            (
                "${run{/bin/echo ${if eq{a}{a}{yes}}}}",
                Err(
                    "Expansion of \"${if\" from command \"/bin/echo ${if eq{a}{a}{yes}}\" in ${run} expansion failed: condition name expected, but found \"\"",
                ),
            ),
            (
                "${run{/bin/echo $nosuch}}",
                Err(
                    "Expansion of \"$nosuch\" from command \"/bin/echo $nosuch\" in ${run} expansion failed: unknown variable name \"nosuch\"",
                ),
            ),
            (
                "${run{/bin/echo $nosuch x}}",
                Err("missing '}' closing command arg of run"),
            ),
            ("${if eq{a}{b}{${run{/bin/echo $nosuch}}}}", Ok("")),
            (
                "${run{/bin/echo ${if eq{a}{b}{$nosuch}} x}}",
                Err(
                    "Expansion of \"${if\" from command \"/bin/echo ${if eq{a}{b}{$nosuch\" in ${run} expansion failed: condition name expected, but found \"\"",
                ),
            ),
        ];
        let bad = crate::testutil::mismatches_in(ctx, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn runrc_persists() {
        let mut c = ctx();
        assert_eq!(run(&mut c, "rc=$runrc"), Ok("rc=0".into()));
        run(&mut c, "${run{/bin/sh -c 'exit 3'}}").unwrap();
        assert_eq!(run(&mut c, "rc=$runrc"), Ok("rc=3".into()));
        run(&mut c, "${run{/bin/true}}").unwrap();
        assert_eq!(run(&mut c, "rc=$runrc"), Ok("rc=0".into()));
    }

    /// `exim -f a@b -be`: a tainted argv[0] is refused (Exim logs "Attempt
    /// to exec tainted path" and prints this); with the default late
    /// expansion, tainted later arguments are allowed.
    #[test]
    fn tainted_command_refused() {
        let mut c = ctx();
        c.vars
            .insert("sender_address".into(), Value::tainted(&b"a@b"[..]));
        let refused = Err("couldn't create child process: Operation not permitted".to_string());
        assert_eq!(run(&mut c, "${run{$sender_address}{y}{n}}"), refused);
        assert_eq!(
            run(&mut c, "${run,preexpand{/bin/echo $sender_address}}"),
            refused
        );
        assert_eq!(
            run(&mut c, "${run{/bin/echo $sender_address}}"),
            Ok("a@b\n".into())
        );
    }

    #[test]
    fn library_default_refuses() {
        let got = run(&mut Context::new(), "${run{/bin/true}}").unwrap_err();
        assert!(got.contains("capability \"run\""), "{got}");
        // Skipped, nothing is refused.
        assert_eq!(
            run(&mut Context::new(), "${if eq{a}{b}{${run{/bin/true}}}{no}}"),
            Ok("no".into())
        );
    }

    #[test]
    fn splitting() {
        assert_eq!(
            split_command(b"  /bin/x 'a b' \"c\\td\" e  ").unwrap(),
            vec![
                b"/bin/x".to_vec(),
                b"a b".to_vec(),
                b"c\td".to_vec(),
                b"e".to_vec()
            ]
        );
        assert!(split_command(&b"x ".repeat(61)).is_err());
    }
}
