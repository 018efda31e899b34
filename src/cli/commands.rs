//! Subcommands: `eval`, `check`, `repl`.

use super::color::{self, ColorChoice};
use crate::Template;
use crate::diagnostic;
use crate::eval::trace::{self, Tracer};
use crate::eval::{Context, Evaluator, FixedClock, Value};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;

/// What `--version` says: ours, and the Exim we imitate.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let profiles: Vec<&str> = crate::eval::Profile::ALL.iter().map(|p| p.name).collect();
    format!(
        "{} (behaves as Exim 4.96; profiles: {})",
        env!("CARGO_PKG_VERSION"),
        profiles.join(", ")
    )
});

#[derive(Parser, Debug)]
#[command(
    name = "exim-expand",
    version = VERSION.as_str(),
    about = "Exim's string-expansion language: evaluate, check, explore.",
    long_about = "Exim's string-expansion language.\n\n\
        As `exim -be`: exim-expand [-C FILE] [-D NAME=VALUE] [-bem FILE] -be [STRING...]\n\
        (also -oMa, -oMi, -oMaa, -oMai, -oMas, -oMr, -oMs, -oMt, -f, -p, as Exim has them);\n\
        as `exim -bh`: exim-expand [-C FILE] -bh IP < session.\n\n\
        Without a command: the REPL on a terminal; from a pipe, each line of\n\
        standard input is evaluated and its result printed."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Colour diagnostics and results: auto (on a terminal, unless
    /// NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate one expansion string. Exit status: 0 ok, 1 failed, 2 forced failure.
    Eval(EvalArgs),
    /// Without evaluating: report every syntax error and unknown variable
    /// with its position.
    Check {
        /// The expansion string (or use --file).
        expr: Option<String>,
        /// Check each line of a file (`-`: standard input) as a separate
        /// expansion string.
        #[arg(long)]
        file: Option<String>,
        /// Compatibility profile deciding which variables exist.
        #[arg(long)]
        profile: Option<String>,
    },
    /// Check every expansion string of an Exim configuration (options,
    /// named lists, ACLs, routers, transports, authenticators); findings
    /// as FILE:LINE:COL: SEVERITY[CODE] message, JSON or SARIF. Exit
    /// status: 0 no error, 1 errors found, 2 the configuration cannot be
    /// read.
    Lint(super::lint::LintArgs),
    /// Sign a message with ARC as the smtp transport's arc_sign option
    /// does: the message (stdin) comes out with an ARC set in front.
    /// Exit status: 0 signed, 1 refused (the reason on stderr), 2 Exim
    /// would send it unsigned.
    ArcSign {
        /// The configuration whose transport's arc_sign option to use.
        #[arg(long, short = 'C')]
        config: Option<String>,
        /// The transport (default: the first with arc_sign set).
        #[arg(long)]
        transport: Option<String>,
        /// The signing specification instead of a transport's option:
        /// "admd : selector : privkey [: options]" (expanded).
        #[arg(long)]
        spec: Option<String>,
        /// Define a macro: NAME=VALUE (repeatable), as exim -D.
        #[arg(short = 'D', value_name = "NAME=VALUE")]
        defines: Vec<String>,
        /// The time of the signatures (RFC 3339), default now.
        #[arg(long)]
        now: Option<String>,
    },
    /// Print a completion script for a shell: bash, zsh, fish, elvish or
    /// powershell (e.g. `exim-expand completions bash >
    /// /etc/bash_completion.d/exim-expand`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Interactive prompt with history, completion (Tab), commands
    /// (:help) and caret errors; from a pipe, each line is evaluated.
    Repl(ContextArgs),
    /// The language server (LSP over stdio) for Exim configurations and
    /// `.exim` files: lint diagnostics while typing, hover, completion,
    /// go to definition.
    Lsp {
        /// Compatibility profile deciding which builtins exist (the
        /// client's initializationOptions may override it).
        #[arg(long)]
        profile: Option<String>,
        /// Define a macro: NAME=VALUE (repeatable), as exim -D.
        #[arg(short = 'D', value_name = "NAME=VALUE")]
        defines: Vec<String>,
        /// Do not check the `.ifdef` branches the macros leave out.
        #[arg(long)]
        active_branches_only: bool,
        /// Report what this Exim release lacks or treats differently
        /// (W009), as `lint --target`.
        #[arg(long, value_name = "4.NN")]
        target: Option<String>,
    },
    /// Describe items, operators, conditions, lookup types, variables,
    /// main and driver options, ACL verbs, conditions and modifiers: how
    /// each is written, what it does, the Exim release it appeared in.
    /// Without a name: every name, one per line.
    Doc {
        /// The names (`lc`, `sg`, `primary_hostname`, `acl_smtp_rcpt`,
        /// `route_list`, `verify`).
        names: Vec<String>,
    },
}

/// The options of `exim-expand eval`.
#[derive(clap::Args, Debug)]
struct EvalArgs {
    /// The expansion string (`-`: read it from standard input).
    expr: String,
    #[command(flatten)]
    context: ContextArgs,
    /// Print the evaluation as a tree: every item, operator, condition
    /// and variable with its result; untaken branches marked skipped.
    #[arg(long)]
    explain: bool,
}

/// What `eval` and `repl` evaluate with.
#[derive(clap::Args, Debug, Default)]
pub struct ContextArgs {
    /// Set a variable: NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Set a variable to a tainted value (as if it came from a message
    /// or the remote host): NAME=VALUE (repeatable).
    #[arg(long = "tainted-var", value_name = "NAME=VALUE")]
    tainted_vars: Vec<String>,
    /// Set a certificate variable ($tls_in_peercert, ...) to the PEM
    /// certificate in a file: NAME=FILE (repeatable).
    #[arg(long = "cert-var", value_name = "NAME=FILE")]
    cert_vars: Vec<String>,
    /// Read an Exim configuration file (macros, options, named lists).
    #[arg(long, short = 'C')]
    config: Option<String>,
    /// Define a macro for the configuration: NAME=VALUE (repeatable), as
    /// exim -D.
    #[arg(short = 'D', value_name = "NAME=VALUE")]
    defines: Vec<String>,
    /// Pin the clock: epoch seconds or an RFC 3339 time (UTC).
    #[arg(long)]
    now: Option<String>,
    /// Answer a lookup without files or servers: TYPE;FILE;KEY;VALUE
    /// (repeatable; FILE empty for query-style types, the query as KEY).
    #[arg(long = "mock-lookup", value_name = "TYPE;FILE;KEY;VALUE")]
    mock_lookups: Vec<String>,
    /// Answer DNS queries (dnsdb, @mx_*, dnslists) from the BIND zone
    /// files DIR/NAME.zone instead of the system's resolver.
    #[arg(long = "dns-zones", value_name = "DIR")]
    dns_zones: Option<String>,
    /// Compatibility profile: debian-4.96 (default) or exim-4.96-full
    /// (ARC, DMARC, Brightmail, DCC variables and legacy names).
    #[arg(long)]
    profile: Option<String>,
    /// Refuse ${run}, ${readfile}, ${readsocket}, ${perl}, ${dlfunc},
    /// ACLs and file lookups (the library's default policy).
    #[arg(long)]
    sandbox: bool,
    /// A message to expand against, as exim -bem FILE (also spelt
    /// -bem): its headers ($h_subject:), body ($message_body), size.
    #[arg(long = "message", value_name = "FILE")]
    message: Option<String>,
}

pub fn run(args: Vec<OsString>) -> i32 {
    let mut full = vec![OsString::from("exim-expand")];
    // `-bem FILE`, as exim -bem, is `--message FILE`.
    full.extend(args.into_iter().map(|a| {
        if a == "-bem" {
            OsString::from("--message")
        } else {
            a
        }
    }));
    let cli = match Cli::try_parse_from(full) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 64 } else { 0 };
        }
    };
    color::set(cli.color);
    match cli.command {
        None => super::repl::run(&ContextArgs::default()),
        Some(Command::Repl(args)) => super::repl::run(&args),
        Some(Command::ArcSign {
            config,
            transport,
            spec,
            defines,
            now,
        }) => super::arc_sign::run(
            config.as_deref(),
            transport.as_deref(),
            spec.as_deref(),
            &defines,
            now.as_deref(),
        ),
        Some(Command::Eval(args)) => eval_cmd(&args),
        Some(Command::Lint(args)) => super::lint::run(&args),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "exim-expand", &mut std::io::stdout());
            0
        }
        Some(Command::Check {
            expr,
            file,
            profile,
        }) => check_cmd(expr, file, profile),
        Some(Command::Lsp {
            profile,
            defines,
            active_branches_only,
            target,
        }) => lsp_cmd(profile, &defines, active_branches_only, target.as_deref()),
        Some(Command::Doc { names }) => doc_cmd(&names),
    }
}

fn lsp_cmd(
    profile: Option<String>,
    defines: &[String],
    active_only: bool,
    target: Option<&str>,
) -> i32 {
    let target = match target.map(crate::lint::target::Release::parse) {
        Some(Err(m)) => {
            eprintln!("exim-expand lsp: {m}");
            return 64;
        }
        Some(Ok(t)) => Some(t),
        None => None,
    };
    let mut settings = crate::lsp::Settings {
        defines: parse_defines(defines),
        lint: crate::lint::LintOptions {
            all_branches: !active_only,
            target,
        },
        ..crate::lsp::Settings::default()
    };
    if let Some(name) = profile {
        match crate::eval::Profile::by_name(&name) {
            Some(p) => settings.context.set_profile(p),
            None => {
                eprintln!("exim-expand: unknown profile \"{name}\"");
                return 64;
            }
        }
    }
    match crate::lsp::serve_stdio(settings) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("exim-expand lsp: {e}");
            1
        }
    }
}

/// `exim-expand doc NAME...`: each name's texts (every kind it is); exit 1
/// when a name has none.
fn doc_cmd(names: &[String]) -> i32 {
    if names.is_empty() {
        for d in crate::docs::all() {
            let driver = d.driver.map(|x| format!(" ({x})")).unwrap_or_default();
            println!("{:<20} {}{driver}", d.kind.as_str(), d.name);
        }
        return 0;
    }
    let mut status = 0;
    for n in names {
        let found = crate::docs::describe(n);
        if found.is_empty() {
            eprintln!(
                "exim-expand doc: nothing is called \"{n}\" (exim-expand doc lists every name)"
            );
            status = 1;
        }
        for d in found {
            println!("{}", d.plain());
        }
    }
    status
}

/// `--cert-var NAME=FILE`: the `NAME=VALUE` setting giving the variable
/// the PEM text in FILE.
fn read_cert_var(setting: &str) -> Result<String, String> {
    let Some((name, file)) = setting.split_once('=') else {
        return Err(format!("--cert-var wants NAME=FILE, got \"{setting}\""));
    };
    if !crate::vars::is_certificate(name.as_bytes()) {
        return Err(format!(
            "--cert-var: \"{name}\" is not a certificate variable"
        ));
    }
    let pem = std::fs::read_to_string(file).map_err(|e| format!("--cert-var: {file}: {e}"))?;
    if crate::items::certextract::cert_der(pem.as_bytes()).is_none() {
        return Err(format!("--cert-var: {file}: no PEM certificate"));
    }
    Ok(format!("{name}={pem}"))
}

/// Parses `--now` (see [`FixedClock::parse`]).
pub fn parse_now(s: &str) -> Result<FixedClock, String> {
    FixedClock::parse(s).map_err(|e| format!("--now: {e}"))
}

/// The context of `eval` and `repl`: like `exim -be` (commands, files and
/// sockets allowed) unless `sandbox`, which keeps the library's refusing
/// policy.
pub fn context_with_config(
    config: Option<&str>,
    defines: &[String],
    sandbox: bool,
) -> Result<Context, String> {
    let mut ctx = Context::new();
    if !sandbox {
        ctx.policy = crate::eval::Policy::permissive();
    }
    if config.is_none() && !defines.is_empty() {
        return Err("-D defines a macro of a configuration: give one with -C".into());
    }
    if let Some(path) = config {
        let opts = crate::config::ReadOptions {
            includes: crate::config::Includes::for_policy(&ctx.policy),
            ..crate::config::ReadOptions::with_defines(&parse_defines(defines))
        };
        let c = crate::config::Config::from_file_with(std::path::Path::new(path), &opts)
            .map_err(|e| e.to_string())?;
        ctx.config_file = path.to_string();
        ctx.apply_config(&c);
    }
    Ok(ctx)
}

/// The context `eval` and `repl` evaluate in, from their options; the
/// error says which option was wrong (exit status 64).
pub fn build_context(args: &ContextArgs) -> Result<Context, String> {
    let mut ctx = context_with_config(args.config.as_deref(), &args.defines, args.sandbox)?;
    if let Some(name) = &args.profile {
        let Some(p) = crate::eval::Profile::by_name(name) else {
            let names: Vec<&str> = crate::eval::Profile::ALL.iter().map(|p| p.name).collect();
            return Err(format!(
                "unknown profile \"{name}\" (known: {})",
                names.join(", ")
            ));
        };
        ctx.set_profile(p);
    }
    if let Some(n) = &args.now {
        ctx.clock = std::sync::Arc::new(parse_now(n)?);
    }
    if let Some(dir) = &args.dns_zones {
        let z = crate::dns::ZoneResolver::from_dir(dir)
            .map_err(|e| format!("--dns-zones {dir}: {e}"))?;
        ctx.resolver = std::sync::Arc::new(z);
    }
    for m in &args.mock_lookups {
        let parts: Vec<&str> = m.splitn(4, ';').collect();
        let [ty, file, key, value] = parts[..] else {
            return Err(format!(
                "--mock-lookup wants TYPE;FILE;KEY;VALUE, got \"{m}\""
            ));
        };
        ctx.mock_lookup(ty, file.as_bytes(), key.as_bytes(), value.as_bytes())
            .map_err(|e| format!("--mock-lookup: {e}"))?;
    }
    let certs: Vec<String> = args
        .cert_vars
        .iter()
        .map(|cv| read_cert_var(cv))
        .collect::<Result<_, _>>()?;
    let settings = args
        .vars
        .iter()
        .chain(&certs)
        .map(|v| (v, false))
        .chain(args.tainted_vars.iter().map(|v| (v, true)));
    for (v, tainted) in settings {
        set_var_setting(&mut ctx, v, tainted)?;
    }
    if let Some(file) = &args.message {
        let data = std::fs::read(file).map_err(|e| format!("--message {file}: {e}"))?;
        let msg = crate::message::load_bem(&mut ctx, &data, &Default::default());
        eprint!("{}", String::from_utf8_lossy(&msg.bem_notices()));
        ctx.message = Some(std::sync::Arc::new(msg));
    }
    Ok(ctx)
}

/// `NAME=VALUE` (from `--var`, `--tainted-var` or the REPL's `:set`) set
/// in the context.
pub fn set_var_setting(ctx: &mut Context, setting: &str, tainted: bool) -> Result<(), String> {
    let Some((name, value)) = setting.split_once('=') else {
        return Err(format!("--var wants NAME=VALUE, got \"{setting}\""));
    };
    let bytes = value.as_bytes().to_vec();
    ctx.vars
        .insert(name.trim().to_string(), Value { bytes, tainted });
    Ok(())
}

fn eval_cmd(args: &EvalArgs) -> i32 {
    let expr = match argument_or_stdin(&args.expr) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("exim-expand: {e}");
            return 64;
        }
    };
    let expr = expr.as_slice();
    let mut ctx = match build_context(&args.context) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("exim-expand: {e}");
            return 64;
        }
    };
    let t = Template::parse(expr, &ctx.registry);
    let mut ev = Evaluator::new(&mut ctx);
    if args.explain {
        ev.tracer = Some(Tracer::default());
    }
    let r = ev.run(&t);
    if let Some(tr) = ev.tracer.take() {
        print!("{}", trace::render(expr, &tr.roots));
    }
    let color = color::stderr();
    match r {
        Ok(v) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&v.bytes);
            let _ = out.write_all(b"\n");
            0
        }
        Err(e) => {
            eprint!("{}", diagnostic::render(expr, &e, "<expr>", color));
            if e.is_forced() { 2 } else { 1 }
        }
    }
}

/// `-D NAME=VALUE` (or `-D NAME`, an empty value) as exim reads them.
pub(super) fn parse_defines(defines: &[String]) -> Vec<(String, String)> {
    defines
        .iter()
        .map(|d| match d.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (d.to_string(), String::new()),
        })
        .collect()
}

/// The text of an argument that may be `-`, standard input: read whole,
/// without its final newline.
fn argument_or_stdin(arg: &str) -> Result<Vec<u8>, String> {
    if arg != "-" {
        return Ok(arg.as_bytes().to_vec());
    }
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut text)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if text.last() == Some(&b'\n') {
        text.pop();
        if text.last() == Some(&b'\r') {
            text.pop();
        }
    }
    Ok(text)
}

fn check_cmd(expr: Option<String>, file: Option<String>, profile: Option<String>) -> i32 {
    let color = color::stderr();
    if expr.is_none() && file.is_none() {
        eprintln!("exim-expand check: give an expression or --file FILE");
        return 64;
    }
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(e) = expr {
        match argument_or_stdin(&e) {
            Ok(text) => inputs.push(("<expr>".into(), text)),
            Err(e) => {
                eprintln!("exim-expand: {e}");
                return 64;
            }
        }
    }
    if let Some(f) = file {
        // A file of no lines has nothing wrong in it.
        let (name, data) = if f == "-" {
            let mut data = Vec::new();
            let r = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut data);
            ("<stdin>".to_string(), r.map(|_| data))
        } else {
            (f.clone(), std::fs::read(&f))
        };
        match data {
            Ok(data) => {
                for (i, line) in data.split(|&c| c == b'\n').enumerate() {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    if !line.is_empty() {
                        inputs.push((format!("{name}:{}", i + 1), line.to_vec()));
                    }
                }
            }
            Err(e) => {
                eprintln!("exim-expand: cannot read {f}: {e}");
                return 64;
            }
        }
    }
    let mut ctx = Context::new();
    if let Some(name) = profile {
        match crate::eval::Profile::by_name(&name) {
            Some(p) => ctx.set_profile(p),
            None => {
                eprintln!("exim-expand: unknown profile \"{name}\"");
                return 64;
            }
        }
    }
    let mut bad = 0;
    for (origin, src) in &inputs {
        let t = Template::parse(src, &ctx.registry);
        let errs = crate::check::check(&t, &ctx);
        bad += errs.len();
        eprint!("{}", diagnostic::render_all(src, &errs, origin, color));
    }
    if bad > 0 {
        eprintln!("{bad} error{} found", if bad == 1 { "" } else { "s" });
        1
    } else {
        println!("ok");
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_names_the_option() {
        assert_eq!(parse_now("1705320000").unwrap().secs, 1705320000);
        assert!(
            parse_now("yesterday")
                .unwrap_err()
                .starts_with("--now: cannot read")
        );
    }
}
