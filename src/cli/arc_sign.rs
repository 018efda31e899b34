//! `exim-expand arc-sign`: ARC signing as the smtp transport's `arc_sign`
//! option does it, for a message on standard input.  exim-expand has no
//! transports to deliver with, so this is where the option is used: its
//! value (from the configuration's transport, or `--spec`) is expanded
//! with the message's headers available, and the message comes out with
//! the new ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results
//! in front.

use crate::eval::Context;
use std::io::{Read, Write};

/// The `arc_sign` option of `transport` (or of the first transport that
/// has one) in the configuration's transports section.
fn transport_option(config: &crate::config::Config, transport: Option<&str>) -> Option<String> {
    let section = config.section("transports")?;
    let mut current: Option<String> = None;
    for l in &section.lines {
        let text = l.text();
        let text = text.trim();
        if let Some(name) = text.strip_suffix(':').filter(|n| !n.contains('=')) {
            current = Some(name.trim().to_string());
            continue;
        }
        let Some((opt, value)) = text.split_once('=') else {
            continue;
        };
        if opt.trim() != "arc_sign" {
            continue;
        }
        if transport.is_none_or(|t| current.as_deref() == Some(t)) {
            return Some(value.trim().to_string());
        }
    }
    None
}

/// Runs the subcommand; returns the exit status.
pub fn run(
    config: Option<&str>,
    transport: Option<&str>,
    spec: Option<&str>,
    defines: &[String],
    now: Option<&str>,
) -> i32 {
    let fail = |m: &str| {
        eprintln!("exim-expand: {m}");
        1
    };
    let mut ctx = Context::new();
    ctx.policy = crate::eval::Policy::permissive();
    ctx.policy.log_to_stderr = false;
    if let Some(n) = now {
        match super::commands::parse_now(n) {
            Ok(c) => ctx.clock = std::sync::Arc::new(c),
            Err(e) => return fail(&e),
        }
    }
    let defines: Vec<(String, String)> = defines
        .iter()
        .map(|d| match d.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (d.clone(), String::new()),
        })
        .collect();
    let raw = match (spec, config) {
        (Some(s), _) => s.to_string(),
        (None, Some(path)) => {
            let opts = crate::config::ReadOptions::with_defines(&defines).for_profile(&ctx.profile);
            let c = match crate::config::Config::from_file_with(std::path::Path::new(path), &opts) {
                Ok(c) => c,
                Err(e) => return fail(&e.to_string()),
            };
            ctx.apply_config(&c);
            match transport_option(&c, transport) {
                Some(v) => v,
                None => return fail("no transport with an arc_sign option"),
            }
        }
        (None, None) => return fail("arc-sign needs --spec or a configuration (-C)"),
    };
    let mut message = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut message).is_err() {
        return fail("cannot read the message");
    }
    let message = crate::message::stored_form(&message);
    let parsed = crate::message::Message::parse(
        &message,
        &crate::message::ReadOptions {
            dot_ends: false,
            ..Default::default()
        },
    );
    ctx.message = Some(std::sync::Arc::new(parsed));
    let expanded = match crate::eval::expand(raw.as_bytes(), &mut ctx) {
        Ok(v) => v,
        Err(e) if e.is_forced() => return 2,
        Err(e) => {
            return fail(&format!(
                "failed to expand arc_sign: {}",
                String::from_utf8_lossy(&e.message)
            ));
        }
    };
    // A file name made from tainted data is refused, as everywhere.
    let tainted = expanded.tainted;
    let read_key = |path: &[u8]| -> Result<Vec<u8>, String> {
        let p = String::from_utf8_lossy(path).into_owned();
        if tainted {
            return Err(format!("Tainted filename '{p}'"));
        }
        std::fs::read(&p).map_err(|e| format!("cannot read key file {p}: {e}"))
    };
    let (secs, _) = ctx.clock.now();
    match crate::auth::arc::sign_message(
        &message,
        &expanded.bytes,
        secs,
        ctx.crypto.as_ref(),
        &read_key,
    ) {
        Ok(Some(signed)) => {
            let _ = std::io::stdout().lock().write_all(&signed);
            0
        }
        Ok(None) => 2,
        Err(e) => fail(&e),
    }
}
