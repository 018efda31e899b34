//! `exim -be` compatibility: the same arguments, the same stdin rules and
//! the same output, byte for byte (`> result`, `> Failed: message`).

use super::coprocess::{FlushBeforeBlocking, INPUT_BUFFER, OUTPUT_BUFFER};
use crate::config::{BeLine, BeReader, Config};
use crate::eval::{Context, Evaluator, Value};
use std::cell::RefCell;
use std::ffi::OsString;
use std::io::{self, BufRead, Write};
use std::os::unix::ffi::OsStrExt;

/// True when the arguments ask for expansion testing (`-be`, `-bem FILE`).
/// `exim-expand eval -bem FILE` and `repl -bem FILE` are the commands'
/// own (their `--message`), not the drop-in.
pub fn wants_dropin(args: &[OsString]) -> bool {
    if args
        .first()
        .is_some_and(|a| matches!(a.as_bytes(), b"eval" | b"repl"))
    {
        return false;
    }
    args.iter()
        .any(|a| matches!(a.as_bytes(), b"-be" | b"-bem" | b"-bh" | b"-bhc"))
}

/// What the command line asked for.
#[derive(Debug, Default)]
pub struct DropinArgs {
    pub config: Option<String>,
    pub defines: Vec<Vec<u8>>,
    pub message_file: Option<String>,
    /// How to read the -bem message (-t, -i/-oi/-ti).
    pub message_options: crate::message::ReadOptions,
    /// Variables preset by -oM*, -f, -p.
    pub presets: Vec<(String, Vec<u8>)>,
    /// `--now`: a pinned clock (our addition; faketime works too).
    pub now: Option<crate::eval::FixedClock>,
    /// `--dns-zones DIR`: answer DNS queries from the zone files in DIR
    /// instead of the system's resolver (our addition).
    pub dns_zones: Option<String>,
    /// `--profile NAME`: the build to imitate (our addition; default
    /// Debian's 4.96).
    pub profile: Option<crate::eval::Profile>,
    /// Expansion strings given after -be.
    pub strings: Vec<Vec<u8>>,
    /// `-bh IP[.port]`: an SMTP session as if from that client.
    pub host_check: Option<crate::smtp::Client>,
    /// `--pid N`: the process id `$pid` and message ids show (our
    /// addition, for reproducible sessions).
    pub pid: Option<u32>,
}

/// Exim's `host_address_extract_port` for `-oMa` and `-oMi`: `[addr]:port`,
/// or a port after the fourth dot of an IPv4 address or the first dot
/// after a colon of an IPv6 one.  A port that is not all digits leaves the
/// argument as it is (no port).
fn split_host_port(s: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    let digits = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    if s.first() == Some(&b'[') {
        let Some(close) = s.iter().position(|&c| c == b']') else {
            return (s.to_vec(), None);
        };
        let addr = s[1..close].to_vec();
        return match &s[close + 1..] {
            [] => (addr, None),
            [b':', port @ ..] if digits(port) => (addr, Some(port.to_vec())),
            _ => (s.to_vec(), None),
        };
    }
    let mut skip: i32 = -3;
    for (i, &c) in s.iter().enumerate() {
        if c == b':' {
            skip = 0;
        } else if c == b'.' {
            let passed = skip >= 0;
            skip += 1;
            if passed {
                let port = &s[i + 1..];
                return if digits(port) {
                    (s[..i].to_vec(), Some(port.to_vec()))
                } else {
                    (s.to_vec(), None)
                };
            }
        }
    }
    (s.to_vec(), None)
}

/// The client address as `-bh` shows it: Exim writes an IPv6 address in
/// full (eight groups of four hex digits).
fn exim_host_address(a: &str) -> String {
    match a.parse::<std::net::Ipv6Addr>() {
        Ok(v6) => v6
            .segments()
            .iter()
            .map(|g| format!("{g:04x}"))
            .collect::<Vec<_>>()
            .join(":"),
        Err(_) => a.to_string(),
    }
}

/// Exim's `check_port`: the address without its port must be an IP
/// address, or Exim gives up.
fn checked_host_port(s: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    let (addr, port) = split_host_port(s);
    if crate::ip::is_ip_address(&addr) == 0 {
        return Err(format!(
            "exim abandoned: \"{}\" is not an IP address",
            String::from_utf8_lossy(&addr)
        ));
    }
    Ok((addr, port))
}

pub fn parse_args(args: &[OsString]) -> Result<DropinArgs, String> {
    let mut out = DropinArgs::default();
    let mut i = 0;
    let mut after_be = false;
    let next = |i: &mut usize, name: &str| -> Result<Vec<u8>, String> {
        *i += 1;
        args.get(*i)
            .map(|a| a.as_bytes().to_vec())
            .ok_or_else(|| format!("exim: string expected after {name}"))
    };
    while i < args.len() {
        let a = args[i].as_bytes();
        if after_be && !a.starts_with(b"-") {
            out.strings.push(a.to_vec());
            i += 1;
            continue;
        }
        match a {
            b"-be" => after_be = true,
            b"-bem" => {
                after_be = true;
                out.message_file = Some(String::from_utf8_lossy(&next(&mut i, "-bem")?).into());
            }
            b"-bh" => {
                let (addr, port) = checked_host_port(&next(&mut i, "-bh")?)?;
                let port = match port {
                    Some(p) => Some(
                        String::from_utf8_lossy(&p)
                            .parse::<u16>()
                            .map_err(|_| "exim: port number out of range".to_string())?,
                    ),
                    None => None,
                };
                out.host_check = Some(crate::smtp::Client {
                    address: exim_host_address(&String::from_utf8_lossy(&addr)),
                    port,
                });
            }
            b"-bhc" => {
                return Err(
                    "exim-expand: -bhc is not supported: its callouts would make real \
                     SMTP connections; use -bh"
                        .to_string(),
                );
            }
            b"--pid" => {
                let v = String::from_utf8_lossy(&next(&mut i, "--pid")?).into_owned();
                out.pid = Some(
                    v.parse()
                        .map_err(|_| format!("exim-expand: --pid {v}: not a process id"))?,
                );
            }
            b"-C" => out.config = Some(String::from_utf8_lossy(&next(&mut i, "-C")?).into()),
            b"--profile" => {
                let name = String::from_utf8_lossy(&next(&mut i, "--profile")?).into_owned();
                out.profile = Some(crate::eval::Profile::by_name(&name).ok_or_else(|| {
                    let known: Vec<&str> =
                        crate::eval::Profile::ALL.iter().map(|p| p.name).collect();
                    format!(
                        "exim-expand: unknown profile \"{name}\" (known: {})",
                        known.join(", ")
                    )
                })?);
            }
            b"--now" => {
                let v = String::from_utf8_lossy(&next(&mut i, "--now")?).into_owned();
                out.now = Some(super::commands::parse_now(&v)?);
            }
            b"--dns-zones" => {
                out.dns_zones = Some(String::from_utf8_lossy(&next(&mut i, "--dns-zones")?).into())
            }
            b"-f" => out
                .presets
                .push(("sender_address".into(), next(&mut i, "-f")?)),
            b"-oMa" => {
                let (addr, port) = checked_host_port(&next(&mut i, "-oMa")?)?;
                out.presets.push(("sender_host_address".into(), addr));
                out.presets.push((
                    "sender_host_port".into(),
                    port.unwrap_or_else(|| b"0".to_vec()),
                ));
            }
            b"-oMi" => {
                let (addr, port) = checked_host_port(&next(&mut i, "-oMi")?)?;
                let port = port.unwrap_or_else(|| b"-1".to_vec());
                out.presets.push(("interface_address".into(), addr.clone()));
                out.presets.push(("interface_port".into(), port.clone()));
                out.presets.push(("received_ip_address".into(), addr));
                out.presets.push(("received_port".into(), port));
            }
            b"-oMaa" => out
                .presets
                .push(("sender_host_authenticated".into(), next(&mut i, "-oMaa")?)),
            b"-oMai" => out
                .presets
                .push(("authenticated_id".into(), next(&mut i, "-oMai")?)),
            b"-oMas" => out
                .presets
                .push(("authenticated_sender".into(), next(&mut i, "-oMas")?)),
            b"-oMr" => out
                .presets
                .push(("received_protocol".into(), next(&mut i, "-oMr")?)),
            b"-oMs" => out
                .presets
                .push(("sender_host_name".into(), next(&mut i, "-oMs")?)),
            b"-oMt" => out
                .presets
                .push(("sender_ident".into(), next(&mut i, "-oMt")?)),
            _ if a.starts_with(b"-D") => {
                if a.len() > 2 {
                    out.defines.push(a[2..].to_vec());
                } else {
                    out.defines.push(next(&mut i, "-D")?);
                }
            }
            _ if a.starts_with(b"-p") && a.len() > 2 => {
                let v = &a[2..];
                match v.iter().position(|&c| c == b':') {
                    Some(c) => {
                        out.presets
                            .push(("received_protocol".into(), v[..c].to_vec()));
                        out.presets
                            .push(("sender_host_name".into(), v[c + 1..].to_vec()));
                    }
                    None => out.presets.push(("received_protocol".into(), v.to_vec())),
                }
            }
            b"-p" => {
                let v = next(&mut i, "-p")?;
                out.presets.push(("received_protocol".into(), v));
            }
            b"-t" => out.message_options.extract_recipients = true,
            b"-ti" => {
                out.message_options.extract_recipients = true;
                out.message_options.dot_ends = false;
            }
            b"-i" | b"-oi" | b"-oitrue" => out.message_options.dot_ends = false,
            // Debugging and verbosity options are accepted and ignored.
            _ if a.starts_with(b"-d") || a == b"-v" || a.starts_with(b"-oe") => {}
            _ => {
                return Err(format!(
                    "exim: unknown, unsupported or malformed option {}",
                    String::from_utf8_lossy(a)
                ));
            }
        }
        i += 1;
    }
    Ok(out)
}

/// How the configuration is read: with the `-D` macros and the ACL
/// conditions of the profile's build.  Under Debian's profile (whose
/// option table we hold) an unknown main option is Exim's error, as
/// `exim -be` refuses such a configuration; other builds have options of
/// their own, so there the reading stays lenient.
fn read_options(ctx: &Context, defines: &[(String, String)]) -> crate::config::ReadOptions {
    crate::config::ReadOptions {
        strict_options: ctx.profile.name == crate::eval::Profile::DEBIAN_4_96.name,
        ..crate::config::ReadOptions::with_defines(defines)
    }
    .for_profile(&ctx.profile)
}

/// Debian's Exim 4.96 configuration search list.
const DEFAULT_CONFIG_FILES: &[&str] = &[
    "/etc/exim4/exim4.conf",
    "/var/lib/exim4/config.autogenerated",
];

/// The sender that `-f ADDRESS` sets, as Exim 4.96 reads it: `<>` (or
/// nothing) is the empty sender; otherwise the operative address of the
/// argument, a trailing dot removed, qualified with `qualify_domain` when
/// it has no domain.  A malformed address is Exim's error.
/// Domain literals and a trailing dot are accepted while reading, then
/// refused unless `allow_domain_literals` / `strip_trailing_dot` are set.
fn sender_from_f(arg: &[u8], qualify: &str, ctx: &Context) -> Result<Vec<u8>, String> {
    let trimmed = crate::sys::trim(arg);
    if trimmed.is_empty() || trimmed == b"<>" {
        return Ok(Vec::new());
    }
    let opts = crate::address::AddressOptions {
        allow_domain_literals: true,
        allow_utf8_domains: true,
        strip_trailing_dot: true,
        strip_excess_angle_brackets: false,
    };
    let bad = |shown: &[u8], why: &[u8]| {
        format!(
            "exim: bad -f address \"{}\": {}",
            String::from_utf8_lossy(shown),
            String::from_utf8_lossy(why)
        )
    };
    let e = crate::address::AddressParser::new(opts)
        .extract(arg)
        .map_err(|m| bad(arg, &m))?;
    if e.domain > 0
        && e.address.get(e.domain) == Some(&b'[')
        && !ctx.option_flag("allow_domain_literals", false)
    {
        return Err(bad(&e.address, b"domain literals not allowed"));
    }
    if trimmed.ends_with(b".") && !ctx.option_flag("strip_trailing_dot", false) {
        let shown = [&e.address[..], b"."].concat();
        return Err(bad(
            &shown,
            b"domain is malformed (trailing dot not allowed)",
        ));
    }
    if e.domain == 0 {
        return Ok([&e.address[..], b"@", qualify.as_bytes()].concat());
    }
    Ok(e.address)
}

/// Builds the evaluation context for the drop-in: configuration, presets.
pub fn build_context(a: &DropinArgs) -> Result<(Context, Config), String> {
    let mut ctx = match &a.profile {
        Some(p) => Context::for_profile(p.clone()),
        None => Context::new(),
    };
    let defines: Vec<(String, String)> = a
        .defines
        .iter()
        .map(|d| {
            let s = String::from_utf8_lossy(d).into_owned();
            match s.split_once('=') {
                Some((n, v)) => (n.trim().to_string(), v.trim().to_string()),
                None => (s.trim().to_string(), String::new()),
            }
        })
        .collect();
    if let Some(clock) = a.now {
        ctx.clock = std::sync::Arc::new(clock);
    }
    // Exim logs a configuration error to stderr with its time stamp.
    let stamped =
        |ctx: &mut Context, e: crate::config::ConfigError| format!("{} {e}", log_stamp(ctx));
    let config = match &a.config {
        Some(path) => {
            ctx.config_file = path.clone();
            Config::from_file_with(std::path::Path::new(path), &read_options(&ctx, &defines))
                .map_err(|e| stamped(&mut ctx, e))?
        }
        // Without -C, Debian's Exim reads the first of its configuration
        // files that exists (CONFIGURE_FILE of the debian-4.96 profile).
        None => match DEFAULT_CONFIG_FILES
            .iter()
            .find(|p| std::path::Path::new(p).exists())
        {
            Some(path) => {
                ctx.config_file = path.to_string();
                Config::from_file_with(std::path::Path::new(path), &read_options(&ctx, &defines))
                    .map_err(|e| stamped(&mut ctx, e))?
            }
            None => {
                ctx.config_file = DEFAULT_CONFIG_FILES[0].into();
                Config::from_str("", &defines).map_err(|e| stamped(&mut ctx, e))?
            }
        },
    };
    ctx.apply_config(&config);
    ctx.pid = a.pid;
    if let Some(dir) = &a.dns_zones {
        let zones = crate::dns::ZoneResolver::from_dir(dir)
            .map_err(|e| format!("exim-expand: --dns-zones {dir}: {e}"))?;
        ctx.resolver = std::sync::Arc::new(zones);
    }
    ctx.policy = crate::eval::Policy::permissive();
    // Exim has no time limit on an expansion, and strings may be large.
    ctx.limits = crate::eval::Limits {
        max_output: 1 << 30,
        max_time: None,
        max_read: 1 << 30,
    };
    // A local caller: Exim takes these from the caller's login unless -oM*
    // says otherwise.
    let login = caller_login();
    let qualify = ctx
        .option("qualify_domain")
        .map(str::to_string)
        .unwrap_or_else(|| ctx.primary_hostname());
    ctx.set_var("sender_ident", login.as_str());
    ctx.set_var("authenticated_id", login.as_str());
    ctx.set_var("authenticated_sender", format!("{login}@{qualify}"));
    for (name, value) in &a.presets {
        let value = &match name.as_str() {
            "sender_address" => sender_from_f(value, &qualify, &ctx)?,
            _ => value.clone(),
        };
        // What came from the remote side (or -f) is tainted, as in Exim.
        let tainted = matches!(name.as_str(), "sender_host_name" | "sender_address");
        ctx.vars.insert(
            name.clone(),
            Value {
                bytes: value.clone(),
                tainted,
            },
        );
    }
    if let Some(file) = &a.message_file {
        let data = std::fs::read(file).map_err(|e| {
            let e = e.to_string();
            let e = e.split(" (os error").next().unwrap_or("");
            format!("exim: failed to open {file}: {e}")
        })?;
        let msg = crate::message::load_bem(&mut ctx, &data, &a.message_options);
        print!("{}", String::from_utf8_lossy(&msg.bem_notices()));
        ctx.message = Some(std::sync::Arc::new(msg));
    }
    Ok((ctx, config))
}

/// `YYYY-MM-DD HH:MM:SS`, as Exim's log lines start.
fn log_stamp(ctx: &mut Context) -> String {
    crate::eval::expand(b"$tod_log", ctx)
        .map(|v| v.to_string_lossy())
        .unwrap_or_default()
}

fn caller_login() -> String {
    crate::sys::caller_name().to_string()
}

/// Expands one line as `exim -be` does and writes what it prints (without
/// the prompt) to `out`.
pub fn expand_line(ctx: &mut Context, line: &[u8], out: &mut impl Write) -> io::Result<()> {
    let t = crate::Template::parse(line, &ctx.registry);
    // Exim's `$value` and `$1`.. are process-wide: what an item leaves in
    // them (after a failure, or 4.96's map and filter) is still there on
    // the next line.
    let carried = ctx.session_value.take();
    let carried_captures = std::mem::take(&mut ctx.session_captures);
    let mut ev = Evaluator::new(ctx);
    ev.value = carried;
    ev.captures = carried_captures;
    let r = ev.run(&t);
    let (left, left_captures) = (ev.value.take(), std::mem::take(&mut ev.captures));
    ctx.session_value = left;
    ctx.session_captures = left_captures;
    match r {
        Ok(v) => out.write_all(&v.bytes)?,
        Err(e) => {
            out.write_all(b"Failed: ")?;
            out.write_all(&e.message)?;
        }
    }
    out.write_all(b"\n")
}

pub fn run(args: &[OsString]) -> i32 {
    let a = match parse_args(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let (mut ctx, config) = match build_context(&a) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if let Some(client) = &a.host_check {
        return super::bh::run(&mut ctx, client.clone());
    }
    // Answers are buffered, and written out before any read of standard
    // input that would wait (see `coprocess`).
    let out = RefCell::new(io::BufWriter::with_capacity(
        OUTPUT_BUFFER,
        io::stdout().lock(),
    ));
    let input = io::BufReader::with_capacity(
        INPUT_BUFFER,
        FlushBeforeBlocking::new(io::stdin().lock(), &out),
    );
    let mut reader = BeReader::with_config(input, &config);
    if !a.strings.is_empty() {
        for s in &a.strings {
            let _ = be_line_output(&mut ctx, &mut reader, s, &mut *out.borrow_mut());
        }
        let _ = out.borrow_mut().flush();
        return 0;
    }
    loop {
        let _ = out.borrow_mut().write_all(b"> ");
        let line = reader.next();
        let mut out = out.borrow_mut();
        match line {
            None => {
                let _ = out.write_all(b"\n");
                break;
            }
            Some(BeLine::Expand(line)) => {
                let _ = expand_line(&mut ctx, &line, &mut *out);
            }
            Some(BeLine::Defined(name)) => {
                let _ = writeln!(out, "Defined macro '{name}'");
            }
            Some(BeLine::Error(msg)) => {
                // Exim logs configuration errors with a time stamp.  What
                // was answered before goes out first, as from Exim.
                let _ = out.flush();
                eprintln!("{} {}", log_stamp(&mut ctx), msg);
            }
        }
    }
    let _ = out.borrow_mut().flush();
    0
}

/// A command-line argument after `-be`: macro-expanded like a stdin line,
/// its answer written to `out`.
fn be_line_output<R: BufRead>(
    ctx: &mut Context,
    reader: &mut BeReader<R>,
    s: &[u8],
    out: &mut impl Write,
) -> io::Result<()> {
    match reader.process(s) {
        BeLine::Expand(line) => expand_line(ctx, &line, out),
        BeLine::Defined(name) => writeln!(out, "Defined macro '{name}'"),
        BeLine::Error(msg) => {
            // What was answered before goes out first, as from Exim.
            out.flush()?;
            eprintln!("{msg}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_forms() {
        let s = |x: &str| {
            let (a, p) = split_host_port(x.as_bytes());
            format!(
                "{}|{}",
                String::from_utf8_lossy(&a),
                p.map(|p| String::from_utf8_lossy(&p).into_owned())
                    .unwrap_or_default()
            )
        };
        assert_eq!(s("192.0.2.1.1234"), "192.0.2.1|1234");
        assert_eq!(s("192.0.2.1"), "192.0.2.1|");
        assert_eq!(s("[2001:db8::1]:25"), "2001:db8::1|25");
        assert_eq!(s("198.51.100.7.587"), "198.51.100.7|587");
    }
}
