//! `exim-expand lint`: check every expansion string of a configuration,
//! reported as text, JSON or SARIF.
//!
//! Exit status: 0 when no error is reported (warnings alone do not fail),
//! 1 when one is, 2 when the configuration cannot be read (reported as
//! `E100`), 64 for a usage error.

use super::color;
use crate::eval::Context;
use crate::lint::{Finding, codes, report};

/// The report's format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `FILE:LINE:COL: SEVERITY[CODE] message` and an excerpt.
    #[default]
    Text,
    /// An array of findings.
    Json,
    /// SARIF 2.1.0, for code-scanning upload.
    Sarif,
}

/// The options of `exim-expand lint`.
#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// The configuration file.
    #[arg(required_unless_present = "explain")]
    config: Option<String>,
    /// Define a macro: NAME=VALUE (repeatable), as exim -D.
    #[arg(short = 'D', value_name = "NAME=VALUE")]
    defines: Vec<String>,
    /// Compatibility profile deciding which variables, options and ACL
    /// conditions exist.
    #[arg(long)]
    profile: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also check the text of `.ifdef`/`.ifndef`/`.elifdef`/`.else`
    /// branches that the macros leave out (findings placed in an
    /// "inactive branch").
    #[arg(long)]
    all_branches: bool,
    /// Also report what this Exim release lacks (an item, operator,
    /// condition, lookup type, variable or main option that came later)
    /// or treats differently (a change after 4.96): W009.
    #[arg(long, value_name = "4.NN")]
    target: Option<String>,
    /// Text format: one line per finding, without the excerpt.
    #[arg(long)]
    no_excerpt: bool,
    /// Report only these rules: codes (E002), code prefixes (E0, W) or
    /// rule names, comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,
    /// Do not report these rules (as --select names them).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Print what a rule finds (every rule without a CODE) and exit.
    #[arg(long, value_name = "CODE", num_args = 0..=1, default_missing_value = "")]
    explain: Option<String>,
}

/// `E002 unknown-variable (error): ...` for one rule.
fn explain_line(r: &codes::Rule) -> String {
    format!(
        "{} {} ({}): {}",
        r.code,
        r.name,
        r.severity.as_str(),
        r.summary
    )
}

fn explain(which: &str) -> i32 {
    if which.is_empty() {
        for r in codes::RULES {
            println!("{}", explain_line(r));
        }
        return 0;
    }
    match codes::rule(which) {
        Some(r) => {
            println!("{}", explain_line(r));
            0
        }
        None => {
            eprintln!("exim-expand lint: no rule \"{which}\" (lint --explain lists them)");
            64
        }
    }
}

fn print(args: &LintArgs, found: &[Finding]) {
    match args.format {
        Format::Text => {
            print!("{}", report::text(found, !args.no_excerpt, color::stdout()));
        }
        Format::Json => print!("{}", report::json(found)),
        Format::Sarif => print!("{}", report::sarif(found)),
    }
}

pub fn run(args: &LintArgs) -> i32 {
    if let Some(which) = &args.explain {
        return explain(which);
    }
    let selection = match codes::Selection::new(args.select.clone(), args.ignore.clone()) {
        Ok(s) => s,
        Err(m) => {
            eprintln!("exim-expand lint: {m}");
            return 64;
        }
    };
    let target = match args
        .target
        .as_deref()
        .map(crate::lint::target::Release::parse)
    {
        Some(Err(m)) => {
            eprintln!("exim-expand lint: {m}");
            return 64;
        }
        Some(Ok(t)) => Some(t),
        None => None,
    };
    let how = crate::lint::LintOptions {
        all_branches: args.all_branches,
        target,
    };
    let path = args.config.as_deref().unwrap_or_default();
    let defines = super::commands::parse_defines(&args.defines);
    let mut ctx = Context::new();
    if let Some(name) = &args.profile {
        match crate::eval::Profile::by_name(name) {
            Some(p) => ctx.set_profile(p),
            None => {
                eprintln!("exim-expand: unknown profile \"{name}\"");
                return 64;
            }
        }
    }
    // The profile's build decides which ACL conditions exist.
    let opts = crate::config::ReadOptions::with_defines(&defines).for_profile(&ctx.profile);
    let (found, refused) = crate::lint::lint_file(std::path::Path::new(path), &opts, &ctx, &how);
    let found: Vec<Finding> = found
        .into_iter()
        .filter(|f| selection.wants(f.rule) || f.rule == &codes::CONFIG)
        .collect();
    let failed = found
        .iter()
        .any(|f| f.rule.severity == codes::Severity::Error);
    let status = if refused { 2 } else { i32::from(failed) };
    print(args, &found);
    if args.format == Format::Text {
        if found.is_empty() {
            println!("ok");
        } else {
            eprintln!("{}", report::summary(&found));
        }
    }
    status
}
