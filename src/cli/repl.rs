//! The interactive prompt: history, multi-line input while braces are
//! unbalanced, coloured results and caret errors.  With standard input
//! from a pipe or a file, each line (continued while braces are open or
//! after a final `\\`) is evaluated and its result printed.

use super::color;
use super::commands::context_with_config;
use crate::diagnostic;
use crate::eval::{Context, Evaluator};
use rustyline::error::ReadlineError;
use std::io::{BufRead, IsTerminal, Write};

/// Does the text open more `${` / `{` than it closes (ignoring escapes)?
pub fn needs_more(text: &str) -> bool {
    let b = text.as_bytes();
    let mut depth = 0i64;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    depth > 0
}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".exim_expand_history"))
}

/// Evaluates `src` and shows the result (on stdout) or the error (on
/// stderr); false on an error.
fn show(ctx: &mut Context, src: &[u8], out: &mut impl Write) -> bool {
    let t = crate::Template::parse(src, &ctx.registry);
    match Evaluator::new(ctx).run(&t) {
        Ok(v) => {
            let (on, off) = if color::stdout() {
                ("\x1b[32m", "\x1b[0m")
            } else {
                ("", "")
            };
            let _ = write!(out, "{on}");
            let _ = out.write_all(&v.bytes);
            let _ = writeln!(out, "{off}");
            true
        }
        Err(e) => {
            let _ = out.flush();
            eprint!(
                "{}",
                diagnostic::render(src, &e, "<input>", color::stderr())
            );
            false
        }
    }
}

/// Standard input that is not a terminal: every line evaluated, no
/// prompt, no history.  Exit status 1 when any line failed.
fn batch(ctx: &mut Context, input: impl BufRead) -> i32 {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    let mut pending: Vec<u8> = Vec::new();
    for line in input.split(b'\n') {
        let Ok(mut line) = line else { break };
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if pending.is_empty() {
            pending = line;
        } else {
            // A continued line: as exim -be, without its leading space.
            let start = line.iter().position(|c| !c.is_ascii_whitespace());
            pending.extend_from_slice(start.map_or(&[][..], |s| &line[s..]));
        }
        if pending.last() == Some(&b'\\') {
            pending.pop();
            continue;
        }
        if needs_more(&String::from_utf8_lossy(&pending)) {
            pending.push(b'\n');
            continue;
        }
        let src = std::mem::take(&mut pending);
        failed |= !show(ctx, &src, &mut out);
    }
    if !pending.is_empty() {
        failed |= !show(ctx, &pending, &mut out);
    }
    let _ = out.flush();
    i32::from(failed)
}

pub fn run(config: Option<String>, sandbox: bool) -> i32 {
    let mut ctx = match context_with_config(config.as_deref(), &[], sandbox) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("exim-expand: {e}");
            return 64;
        }
    };
    if !std::io::stdin().is_terminal() {
        return batch(&mut ctx, std::io::stdin().lock());
    }
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("exim-expand: cannot start the line editor: {e}");
            return 1;
        }
    };
    let hist = history_path();
    if let Some(h) = &hist {
        let _ = rl.load_history(h);
    }
    println!(
        "exim-expand {} (Exim 4.96 compatible). Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION")
    );
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "> " } else { ". " };
        match rl.readline(prompt) {
            Ok(line) => {
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                if needs_more(&pending) {
                    continue;
                }
                let src = std::mem::take(&mut pending);
                let _ = rl.add_history_entry(src.as_str());
                show(&mut ctx, src.as_bytes(), &mut std::io::stdout().lock());
            }
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(_) => break,
        }
    }
    if let Some(h) = &hist {
        let _ = rl.save_history(h);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::needs_more;

    #[test]
    fn continuation_follows_braces() {
        assert!(needs_more("${if eq{a}{b}"));
        assert!(!needs_more("${lc:A}"));
        assert!(!needs_more("\\{"));
        assert!(!needs_more("a}b"));
    }
}
