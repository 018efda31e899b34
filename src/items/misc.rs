//! Items that reach outside the expansion: `authresults`, `dlfunc`,
//! `perl`, `readsocket`.  What this build cannot do fails with
//! Exim 4.96's own message where Exim has one.

use super::expand_args;
use crate::eval::{Capability, Evaluator, ExpandError, Value};
use crate::parser::ItemNode;
use std::io::{Read, Write};
use std::time::Duration;

fn var(ev: &Evaluator, name: &str) -> Value {
    crate::vars::lookup(ev, name, false).unwrap_or_default()
}

/// `${authresults{authserv-id}}`: an Authentication-Results: header with
/// the parts this session has data for (iprev from `-oMs`/`-oMa`).
pub fn authresults(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let vals = expand_args(ev, item, skip)?;
    if skip {
        return Ok(());
    }
    let Some(id) = vals.first() else {
        return ev.incomplete_item(item, skip);
    };
    out.push_bytes(b"Authentication-Results: ");
    out.push(id);
    let host_name = var(ev, "sender_host_name");
    if !host_name.is_empty() {
        out.push_bytes(b";\n\tiprev=pass (");
        out.push(&host_name);
        out.push_bytes(b")");
        let addr = var(ev, "sender_host_address");
        if !addr.is_empty() {
            out.push_bytes(b" smtp.remote-ip=");
            out.push(&addr);
        }
    }
    if !var(ev, "sender_host_authenticated").is_empty() {
        // 4.96 dereferences the (unset) authenticator name here and crashes.
        return Err(ExpandError::failed(
            "authresults: $sender_host_authenticated is set without an authenticator (Exim 4.96 crashes here)",
            item.span,
        ));
    }
    let spf = var(ev, "spf_result");
    if !spf.is_empty() {
        out.push_bytes(b";\n\tspf=");
        out.push(&spf);
        let dom = var(ev, "sender_address_domain");
        let helo = var(ev, "sender_helo_name");
        if !dom.is_empty() {
            out.push_bytes(b" smtp.mailfrom=");
            out.push(&dom);
        } else if !helo.is_empty() {
            out.push_bytes(b" smtp.helo=");
            out.push(&helo);
        } else {
            out.push_bytes(b" smtp.mailfrom=<>");
        }
    }
    Ok(())
}

/// `${dlfunc{file}{function}{arg}...}`: calls
/// `int function(uschar **yield, int argc, uschar *argv[])` in a shared
/// object, as Exim does.
pub fn dlfunc(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let vals = expand_args(ev, item, skip)?;
    if skip {
        return Ok(());
    }
    ev.ctx.policy.require(
        Capability::Dlfunc,
        "calling a dynamically-loaded function",
        item.span,
    )?;
    let (Some(file), Some(func)) = (vals.first(), vals.get(1)) else {
        return ev.incomplete_item(item, skip);
    };
    let cfile = std::ffi::CString::new(file.c_str()).unwrap_or_default();
    let cfunc = std::ffi::CString::new(func.c_str()).unwrap_or_default();
    let dlerror = || {
        // SAFETY: dlerror returns NULL or a NUL-terminated string.
        unsafe {
            let p = libc::dlerror();
            if p.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
    };
    let fail = |ev: &Evaluator, m: String| {
        crate::acl::log_line(ev, m.as_bytes());
        Err(ExpandError::failed(m, item.span))
    };
    // SAFETY: loading a shared object the configuration names, as Exim
    // does; the handle is kept for the life of the process.
    let handle = unsafe { libc::dlopen(cfile.as_ptr(), libc::RTLD_LAZY) };
    if handle.is_null() {
        let m = format!(
            "dlopen \"{}\" failed: {}",
            String::from_utf8_lossy(file.c_str()),
            dlerror()
        );
        return fail(ev, m);
    }
    // SAFETY: handle is a live dlopen handle; the name is NUL-terminated.
    let sym = unsafe { libc::dlsym(handle, cfunc.as_ptr()) };
    if sym.is_null() {
        let m = format!(
            "dlsym \"{}\" in \"{}\" failed: {}",
            String::from_utf8_lossy(func.c_str()),
            String::from_utf8_lossy(file.c_str()),
            dlerror()
        );
        return fail(ev, m);
    }
    type DlFn = unsafe extern "C" fn(
        *mut *mut libc::c_char,
        libc::c_int,
        *mut *mut libc::c_char,
    ) -> libc::c_int;
    let args: Vec<std::ffi::CString> = vals[2..]
        .iter()
        .map(|v| std::ffi::CString::new(v.c_str()).unwrap_or_default())
        .collect();
    let mut argv: Vec<*mut libc::c_char> = args.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());
    let mut result: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: the symbol is called with Exim's dlfunc signature, which the
    // named function is required to have (as in Exim); the argument
    // strings outlive the call.
    let status = unsafe {
        let f: DlFn = std::mem::transmute(sym);
        f(
            &mut result,
            (argv.len() - 1) as libc::c_int,
            argv.as_mut_ptr(),
        )
    };
    let text = if result.is_null() {
        None
    } else {
        // SAFETY: the function returned a NUL-terminated string.
        Some(
            unsafe { std::ffi::CStr::from_ptr(result) }
                .to_bytes()
                .to_vec(),
        )
    };
    const OK: i32 = 0;
    const FAIL: i32 = 2;
    const FAIL_FORCED: i32 = 4;
    if status != OK {
        let msg = text.unwrap_or_else(|| b"(no message)".to_vec());
        if status == FAIL_FORCED {
            return Err(ExpandError::forced(msg, item.span));
        }
        if status != FAIL {
            let mut l = format!(
                "dlfunc{{{}}}{{{}}} failed ({status}): ",
                String::from_utf8_lossy(file.c_str()),
                String::from_utf8_lossy(func.c_str())
            )
            .into_bytes();
            l.extend_from_slice(&msg);
            crate::acl::log_line(ev, &l);
        }
        return Err(ExpandError::failed(msg, item.span));
    }
    if let Some(t) = text {
        out.push_bytes(&t);
    }
    Ok(())
}

/// The Perl side of `${perl}`: the interpreter runs as a `perl` child
/// process that evaluates `perl_startup`, calls the subroutine and asks
/// back for `Exim::expand_string` calls.  Messages are `TAG LEN\n` then
/// LEN bytes.
const PERL_DRIVER: &str = r#"
use strict; use warnings; no warnings 'redefine';
binmode STDIN; binmode STDOUT; $| = 1;
sub rd { my $l = <STDIN>; return undef unless defined $l; chomp $l;
  my ($t, $n) = split / /, $l, 2; my $b = ''; $n ||= 0;
  while (length($b) < $n) { my $r = read(STDIN, $b, $n - length($b), length($b)); last unless $r; }
  return ($t, $b); }
sub wr { my ($t, $b) = @_; $b = '' unless defined $b; print STDOUT "$t " . length($b) . "\n" . $b; }
package Exim;
sub expand_string { my $s = shift; main::wr('E', $s); my ($t, $b) = main::rd();
  return $b if $t eq 'R'; return undef if $t eq 'U';
  require Carp; Carp::croak("syntax error in Exim::expand_string argument: $b"); }
sub log_write { main::wr('L', $_[0]); }
sub debug_write { }
package main;
$SIG{__WARN__} = sub { my ($s) = $_[0]; $s =~ s/\n$//; Exim::log_write($s) };
my (undef, $startup) = rd();
my (undef, $name) = rd();
my (undef, $argc) = rd();
my @args; for (1 .. $argc) { my (undef, $a) = rd(); push @args, $a; }
{ my $ok = eval "$startup ;\n die \$@ if \$@; 1";
  if (!$ok) { wr('S', $@); exit 0; } }
my $full = $name =~ /::/ ? $name : "main::$name";
{ no strict 'refs';
  if (!defined &{$full}) { wr('D', "Undefined subroutine &$full called.\n"); exit 0; }
  my $r = eval { &{$full}(@args) };
  if ($@) { wr('D', $@); } elsif (!defined $r) { wr('U', ''); } else { wr('O', "$r"); } }
"#;

fn perl_msg(tag: &str, body: &[u8]) -> Vec<u8> {
    let mut m = format!("{tag} {}\n", body.len()).into_bytes();
    m.extend_from_slice(body);
    m
}

fn perl_read(r: &mut impl std::io::BufRead) -> Option<(String, Vec<u8>)> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).ok()?;
    let line = String::from_utf8_lossy(&line).trim_end().to_string();
    let (tag, n) = line.split_once(' ')?;
    let n: usize = n.parse().ok()?;
    let mut body = vec![0; n];
    r.read_exact(&mut body).ok()?;
    Some((tag.to_string(), body))
}

/// `${perl{sub}{arg}...}`.
pub fn perl(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let vals = expand_args(ev, item, skip)?;
    if skip {
        return Ok(());
    }
    ev.ctx
        .policy
        .require(Capability::Perl, "calling Perl", item.span)?;
    let startup = match ev.ctx.option("perl_startup") {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => {
            return Err(ExpandError::failed(
                "A setting of perl_startup is needed when using the Perl interpreter",
                item.span,
            ));
        }
    };
    let Some((name, args)) = vals.split_first() else {
        return ev.incomplete_item(item, skip);
    };
    let failed = |m: String| ExpandError::failed(m, item.span);
    let mut child = std::process::Command::new("perl")
        .arg("-e")
        .arg(PERL_DRIVER)
        .env_clear()
        .envs(ev.ctx.environment.iter())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| {
            failed(format!(
                "error in perl_startup code: cannot start perl: {e}\n"
            ))
        })?;
    let (Some(mut to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(failed(
            "error in perl_startup code: no pipe to perl\n".into(),
        ));
    };
    let mut from = std::io::BufReader::new(from);
    let mut req = perl_msg("C", startup.as_bytes());
    req.extend(perl_msg("C", name.c_str()));
    req.extend(perl_msg("C", args.len().to_string().as_bytes()));
    for a in args {
        req.extend(perl_msg("C", a.c_str()));
    }
    let _ = to.write_all(&req);
    let result = loop {
        let Some((tag, body)) = perl_read(&mut from) else {
            break Err(failed("the Perl interpreter exited unexpectedly".into()));
        };
        match tag.as_str() {
            "E" => {
                let reply = match ev.expand_nested(&body) {
                    Ok(v) => perl_msg("R", &v.bytes),
                    Err(e) if e.is_forced() => perl_msg("U", b""),
                    Err(e) => perl_msg("F", &e.message),
                };
                let _ = to.write_all(&reply);
            }
            "L" => crate::acl::log_line(ev, &body),
            "O" => {
                out.push_bytes(&body);
                break Ok(());
            }
            "U" => {
                break Err(ExpandError::forced(
                    format!(
                        "Perl subroutine \"{}\" returned undef to force failure",
                        String::from_utf8_lossy(name.c_str())
                    ),
                    item.span,
                ));
            }
            "S" => {
                let mut m = b"error in perl_startup code: ".to_vec();
                m.extend_from_slice(&body);
                m.push(b'\n');
                break Err(ExpandError::failed(m, item.span));
            }
            _ => break Err(ExpandError::failed(body, item.span)),
        }
    };
    drop(to);
    let _ = child.wait();
    result
}

/// Reads a socket to EOF with a deadline.
fn read_all(s: &mut dyn Read) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    match s.read_to_end(&mut data) {
        Ok(_) => Ok(data),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Err("socket read timed out".into())
        }
        Err(_) => Ok(data),
    }
}

/// What a readsocket connection gave: data, or (message, use-failstring).
fn readsock(
    spec: &[u8],
    request: &[u8],
    timeout: Duration,
    shutdown: bool,
) -> Result<Vec<u8>, (String, bool)> {
    let spec_s = String::from_utf8_lossy(spec).into_owned();
    let errno_text = |e: &std::io::Error| crate::sys::strerror(e.raw_os_error().unwrap_or(0));
    if let Some(rest) = spec_s.strip_prefix("inet:") {
        let Some(colon) = rest.rfind(':') else {
            return Err((format!("missing port for readsocket {spec_s}"), false));
        };
        let (host, port_s) = (&rest[..colon], &rest[colon + 1..]);
        let port: u16 = if port_s.starts_with(|c: char| c.is_ascii_digit()) {
            port_s
                .parse()
                .map_err(|_| (format!("invalid port number {port_s}"), false))?
        } else {
            return Err((format!("unknown port \"{port_s}\""), false));
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        use std::net::ToSocketAddrs;
        let addrs: Vec<_> = (host, port)
            .to_socket_addrs()
            .map_err(|e| (format!("no IP address found for host {host}: {e}"), true))?
            .collect();
        let mut last = String::from("connection failed");
        for a in addrs {
            match std::net::TcpStream::connect_timeout(&a, timeout) {
                Ok(mut s) => {
                    let _ = s.set_read_timeout(Some(timeout));
                    if !request.is_empty() && s.write_all(request).is_err() {
                        return Err(("request write to socket failed".into(), true));
                    }
                    if shutdown {
                        let _ = s.shutdown(std::net::Shutdown::Write);
                    }
                    return read_all(&mut s).map_err(|m| (m, true));
                }
                Err(e) => {
                    last = format!(
                        "failed to connect to {host} [{}]: {}",
                        a.ip(),
                        errno_text(&e)
                    )
                }
            }
        }
        return Err((last, true));
    }
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(spec));
    let mut s = std::os::unix::net::UnixStream::connect(path).map_err(|e| {
        (
            format!("failed to connect to socket {spec_s}: {}", errno_text(&e)),
            true,
        )
    })?;
    let _ = s.set_read_timeout(Some(timeout));
    let _ = s.set_write_timeout(Some(timeout));
    if let Err(e) = s.write_all(request) {
        return Err((
            format!("request write to socket failed: {}", errno_text(&e)),
            true,
        ));
    }
    if shutdown {
        let _ = s.shutdown(std::net::Shutdown::Write);
    }
    read_all(&mut s).map_err(|m| (m, true))
}

/// `${readsocket{spec}{request}[{options}[{eol}]][{failstring}]}`.
pub fn readsocket(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let args = super::arg_seqs(item);
    let mut vals = Vec::new();
    for s in args.iter().take(4) {
        vals.push(ev.seq(s, skip)?);
    }
    let failstring = args.get(4);
    if skip {
        if let Some(f) = failstring {
            ev.seq(f, true)?;
        }
        return Ok(());
    }
    ev.ctx
        .policy
        .require(Capability::ReadSocket, "reading a socket", item.span)?;
    let (Some(spec), Some(req)) = (vals.first(), vals.get(1)) else {
        return ev.incomplete_item(item, skip);
    };
    let mut timeout = Duration::from_secs(5);
    let mut shutdown = true;
    let mut eol: Option<Vec<u8>> = None;
    if let Some(opts) = vals.get(2) {
        for (i, o) in crate::lists::ListIter::new(&opts.bytes).enumerate() {
            if i == 0 {
                if let Ok(t) = crate::numeric::time_eval(&o) {
                    timeout = Duration::from_secs(u64::try_from(t).unwrap_or(5).max(1));
                }
            } else if let Some(v) = o.strip_prefix(b"shutdown=") {
                shutdown = v != b"no";
            }
        }
        eol = vals
            .get(3)
            .filter(|e| !e.is_empty())
            .map(|e| e.bytes.clone());
    }
    match readsock(spec.c_str(), req.c_str(), timeout, shutdown) {
        Ok(data) => {
            out.push_bytes(&super::files::cat_file(&data, eol.as_deref()));
            if let Some(f) = failstring {
                ev.seq(f, true)?;
            }
            Ok(())
        }
        Err((m, sock_fail)) => match failstring {
            Some(f) if sock_fail => {
                let v = ev.seq(f, false)?;
                out.push(&v);
                Ok(())
            }
            _ => Err(ExpandError::failed(m, item.span)),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::{Context, Policy};

    use crate::testutil::expand_in as run;

    fn ctx() -> Context {
        let mut c = Context::new();
        c.policy = Policy::permissive();
        c.policy.log_to_stderr = false;
        c
    }

    /// items.jsonl and live oracle runs.
    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            (
                "${authresults{mx.example.com}}",
                Ok("Authentication-Results: mx.example.com"),
            ),
            (
                "${authresults}",
                Err("Not enough arguments for 'authresults' (min is 1)"),
            ),
            (
                "${authresults{a}{b}}",
                Err("Too many arguments for 'authresults' (max is 1)"),
            ),
            (
                "${dlfunc{/lib/x86_64-linux-gnu/libc.so.6}{nosuchsym}}",
                Err(
                    "dlsym \"nosuchsym\" in \"/lib/x86_64-linux-gnu/libc.so.6\" failed: /lib/x86_64-linux-gnu/libc.so.6: undefined symbol: nosuchsym",
                ),
            ),
            (
                "${perl{foo}}",
                Err("A setting of perl_startup is needed when using the Perl interpreter"),
            ),
            (
                "${if eq{a}{b}{${perl{foo}}}{skipped-perl}}",
                Ok("skipped-perl"),
            ),
        ];
        let bad = crate::testutil::mismatches_in(ctx, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// `exim -oMs host.name -oMa 1.2.3.4 -be '${authresults{mx}}'`.
    #[test]
    fn authresults_iprev() {
        let mut c = ctx();
        c.set_var("sender_host_name", "host.name");
        c.set_var("sender_host_address", "1.2.3.4");
        assert_eq!(
            run(&mut c, "${authresults{mx}}"),
            Ok(
                "Authentication-Results: mx;\n\tiprev=pass (host.name) smtp.remote-ip=1.2.3.4"
                    .into()
            )
        );
    }

    /// The corpus's perl.conf / startup.pl, and what Exim 4.96 printed.
    #[test]
    fn perl_via_interpreter() {
        if std::process::Command::new("perl")
            .arg("-v")
            .output()
            .is_err()
        {
            return;
        }
        let dir = std::env::temp_dir().join(format!("ee-perl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("startup.pl");
        std::fs::write(
            &f,
            "sub hello { my $n = shift; return defined $n ? \"Hello, $n!\" : \"Hello!\"; }\n\
             sub concat { return join(\"|\", @_); }\n\
             sub undef_sub { return undef; }\n\
             sub die_sub { die \"died in perl\\n\"; }\n\
             sub expand { return Exim::expand_string($_[0]); }\n1;\n",
        )
        .unwrap();
        let mut c = ctx();
        c.options
            .insert("perl_startup".into(), format!("do '{}'", f.display()));
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("${perl{hello}}", Ok("Hello!")),
            ("${perl{hello}{bob}}", Ok("Hello, bob!")),
            ("${perl{concat}{a}{b}{c}}", Ok("a|b|c")),
            (
                "${perl{nosuchsub}}",
                Err("Undefined subroutine &main::nosuchsub called.\n"),
            ),
            (
                "${perl{undef_sub}}",
                Err("Perl subroutine \"undef_sub\" returned undef to force failure"),
            ),
            ("${perl{die_sub}}", Err("died in perl\n")),
            ("${perl{expand}{\\$primary_hostname}}", Ok("myhost.test.ex")),
        ];
        c.options
            .insert("primary_hostname".into(), "myhost.test.ex".into());
        for (e, want) in cases {
            assert_eq!(
                run(&mut c, e),
                want.map(str::to_string).map_err(str::to_string),
                "{e}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn readsocket_unix() {
        use std::io::{Read, Write};
        let path = std::env::temp_dir().join(format!("ee-rs-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let l = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let mut req = Vec::new();
            s.read_to_end(&mut req).unwrap();
            s.write_all(b"got:").unwrap();
            s.write_all(&req).unwrap();
            s.write_all(b"\nline2\n").unwrap();
        });
        let p = path.display();
        let mut c = ctx();
        assert_eq!(
            run(
                &mut c,
                &format!("${{readsocket{{{p}}}{{hello}}{{5s}}{{|}}}}")
            ),
            Ok("got:hello|line2|".into())
        );
        t.join().unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            run(
                &mut c,
                &format!("${{readsocket{{{p}}}{{x}}{{1s}}{{}}{{FAILED}}}}")
            ),
            Ok("FAILED".into())
        );
        assert_eq!(
            run(&mut c, "${readsocket{inet:localhost}{x}}"),
            Err("missing port for readsocket inet:localhost".into())
        );
    }
}
