//! The interactive prompt: history, multi-line input while braces are
//! unbalanced, coloured results and caret errors.

use super::commands::context_with_config;
use crate::diagnostic;
use crate::eval::Evaluator;
use rustyline::error::ReadlineError;

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

pub fn run(config: Option<String>, sandbox: bool) -> i32 {
    let mut ctx = match context_with_config(config.as_deref(), sandbox) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("exim-expand: {e}");
            return 64;
        }
    };
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
                let t = crate::Template::parse(src.as_bytes(), &ctx.registry);
                match Evaluator::new(&mut ctx).run(&t) {
                    Ok(v) => println!("\x1b[32m{}\x1b[0m", String::from_utf8_lossy(&v.bytes)),
                    Err(e) => eprint!(
                        "{}",
                        diagnostic::render(src.as_bytes(), &e, "<input>", true)
                    ),
                }
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
