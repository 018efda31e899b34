//! `${readsocket{spec}{request}[{options}[{eol}]][{failstring}]}`: a
//! request to a Unix or TCP socket, the answer inserted.

use crate::eval::{Capability, Evaluator, ExpandError, Value};
use crate::parser::ItemNode;
use std::io::{Read, Write};
use std::time::Duration;

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

/// C `strtol(s, &end, 0)` that must use all of `s`: decimal, `0x` hex or
/// `0` octal.
fn c_strtol_base0(s: &str) -> Option<i64> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    i64::from_str_radix(digits, radix).ok()
}

/// `getservbyname(name, "tcp")`.
fn service_port(name: &str) -> Option<u16> {
    let cname = std::ffi::CString::new(name).ok()?;
    // SAFETY: both strings are NUL-terminated; the result points to static
    // storage that is read at once.
    unsafe {
        let se = libc::getservbyname(cname.as_ptr(), c"tcp".as_ptr());
        if se.is_null() {
            return None;
        }
        Some(u16::from_be((*se).s_port as u16))
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
        // Exim 4.96's readsock sets a message for a missing, invalid or
        // unknown port, which its caller then overwrites with the (unset)
        // lookup error: a socket failure with an empty message, so the
        // fail string applies.
        let no_port = || (String::new(), true);
        let colon = rest.rfind(':').ok_or_else(no_port)?;
        let (host, port_s) = (&rest[..colon], &rest[colon + 1..]);
        let port: u16 = if port_s.starts_with(|c: char| c.is_ascii_digit()) {
            // strtol base 0, then the C int as a 16-bit port.
            c_strtol_base0(port_s).ok_or_else(no_port)? as u16
        } else {
            service_port(port_s).ok_or_else(no_port)?
        };
        let given = host;
        let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(ip) if ip.parse::<std::net::IpAddr>().is_err() => {
                return Err((format!("malformed IP address \"{given}\""), true));
            }
            Some(ip) => ip,
            None => host,
        };
        use std::net::ToSocketAddrs;
        let addrs: Vec<_> = match (host, port).to_socket_addrs() {
            Ok(a) => a.collect(),
            Err(_) => return Err((format!("no IP address found for host {host}"), true)),
        };
        // Exim tries every address and reports the last error.
        let mut last = String::from("Connection refused");
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
                Err(e) => last = errno_text(&e),
            }
        }
        return Err((
            format!("failed to connect to any address for {given}: {last}"),
            true,
        ));
    }
    use std::os::unix::ffi::OsStrExt;
    if spec.is_empty() {
        // Exim connects with the whole sockaddr_un, so an empty path is the
        // all-zero abstract name, which nothing listens on.
        return Err((
            format!(
                "failed to connect to socket : {}",
                crate::sys::strerror(libc::ECONNREFUSED)
            ),
            true,
        ));
    }
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
    let (Some(spec), Some(req)) = (vals.first(), vals.get(1)) else {
        return ev.incomplete_item(item, skip);
    };
    let failstring = args.get(4);
    // What Exim finds after the fail string, once the socket is done with:
    // anything but the closing brace (a sixth argument, the end of the text).
    let tail = |ev: &Evaluator| -> Result<(), ExpandError> {
        if args.len() > 5 || item.error.is_some() {
            return Err(ev.curly_failure("missing '}' closing readsocket", item.span));
        }
        Ok(())
    };
    if skip {
        if let Some(f) = failstring {
            ev.seq(f, true)?;
        }
        return tail(ev);
    }
    if spec.tainted {
        // Exim opens the socket through its readsock lookup, whose open
        // refuses a tainted name with a log line and no message; the
        // failstring, when there is one, is then the result.
        crate::acl::log_tainted_filename(ev, spec.c_str(), true);
        return match failstring {
            Some(f) => {
                let v = ev.seq(f, false)?;
                out.push(&v);
                tail(ev)
            }
            None => Err(ExpandError::failed("(null)", item.span)),
        };
    }
    ev.ctx
        .policy
        .require(Capability::ReadSocket, "reading a socket", item.span)?;
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
            tail(ev)
        }
        Err((m, sock_fail)) => match failstring {
            Some(f) if sock_fail => {
                let v = ev.seq(f, false)?;
                out.push(&v);
                tail(ev)
            }
            _ => Err(ExpandError::failed(m, item.span)),
        },
    }
}

#[cfg(test)]
mod tests {

    use crate::testutil::expand_in as run;

    use crate::testutil::permissive as ctx;

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
            Err(String::new())
        );
    }

    /// Exim 4.96 `-be` (port 1 is closed on the test machines).
    #[test]
    fn readsocket_inet_failures() {
        let mut c = ctx();
        for (src, want) in [
            (
                "${readsocket{inet:127.0.0.1:1}{x}}",
                "failed to connect to any address for 127.0.0.1: Connection refused",
            ),
            (
                "${readsocket{inet:[127.0.0.1]:1}{x}}",
                "failed to connect to any address for [127.0.0.1]: Connection refused",
            ),
            (
                "${readsocket{inet:[nonsense]:1}{x}}",
                "malformed IP address \"[nonsense]\"",
            ),
        ] {
            assert_eq!(run(&mut c, src), Err(want.to_string()), "{src}");
        }
    }

    /// Issue 8.5: Exim refuses a tainted socket name (its readsock lookup's
    /// open does), and so do we, before connecting.
    #[test]
    fn tainted_socket_names_are_refused() {
        let tainted = || {
            let mut c = ctx();
            c.vars.insert(
                "sender_address".into(),
                crate::eval::Value::tainted(&b"/tmp/x.sock"[..]),
            );
            c
        };
        let bad = crate::testutil::mismatches_in(
            tainted,
            &[
                ("${readsocket{$sender_address}{ping}}", Err("(null)")),
                ("${readsocket{$sender_address}{ping}{1s}{}{fb}}", Ok("fb")),
                (
                    "${readsocket{inet:${sg{$sender_address}{.*}{localhost}}:1}{ping}}",
                    Err("(null)"),
                ),
            ],
        );
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
