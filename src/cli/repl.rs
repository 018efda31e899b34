//! The interactive prompt: history, multi-line input while braces are
//! unbalanced or after a final `\\` (as `exim -be`), pasted lines taken
//! one by one, commands (`:help`, `:set`, `:unset`, `:vars`, `:reload`,
//! `:quit`), Tab completion of builtin names, coloured results and caret
//! errors.  With standard input from a pipe or a file, each line is
//! handled the same way without prompt or history.

use super::color;
use super::commands::{ContextArgs, build_context, set_var_setting};
use crate::diagnostic;
use crate::eval::{Context, Evaluator};
use rustyline::Editor;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
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

/// The REPL's commands, for `:help`.
pub const COMMANDS: &[(&str, &str)] = &[
    (":help", "this list"),
    (":set NAME=VALUE", "set $NAME (untainted)"),
    (":taint NAME=VALUE", "set $NAME to a tainted value"),
    (":unset NAME", "forget $NAME"),
    (":vars", "the variables set so far, with their values"),
    (":reload", "read the configuration (-C) again"),
    (
        ":doc NAME",
        "what an item, operator, condition, variable or option does",
    ),
    (":quit", "leave (as Ctrl-D does)"),
];

/// What a command asks of the loop.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Continue,
    Quit,
}

/// Runs the command `line` (starting with `:`); its answer goes to `out`,
/// its complaint to stderr (false then).
fn command(
    ctx: &mut Context,
    args: &ContextArgs,
    line: &str,
    out: &mut impl Write,
) -> (Next, bool) {
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let fail = |msg: String| {
        eprintln!("exim-expand: {msg}");
        (Next::Continue, false)
    };
    match name {
        ":help" | ":h" | ":?" => {
            for (c, what) in COMMANDS {
                let _ = writeln!(out, "{c:<20} {what}");
            }
            let _ = writeln!(
                out,
                "Anything else is expanded; \\: starts a text with a colon."
            );
        }
        ":set" | ":taint" => {
            if let Err(e) = set_var_setting(ctx, rest, name == ":taint") {
                return fail(e.replace("--var", name));
            }
        }
        ":unset" if !rest.is_empty() => {
            if ctx.vars.remove(rest).is_none() {
                return fail(format!("${rest} was not set"));
            }
        }
        ":vars" => {
            let mut names: Vec<&String> = ctx.vars.keys().collect();
            names.sort();
            for n in names {
                let v = &ctx.vars[n.as_str()];
                let mark = if v.tainted { " [tainted]" } else { "" };
                let _ = write!(out, "${n} = ");
                let _ = out.write_all(&v.bytes);
                let _ = writeln!(out, "{mark}");
            }
        }
        ":reload" => match build_context(args) {
            // Variables set here are kept; the configuration is new.
            Ok(mut fresh) => {
                for (k, v) in ctx.vars.drain() {
                    fresh.vars.entry(k).or_insert(v);
                }
                *ctx = fresh;
            }
            Err(e) => return fail(e),
        },
        ":doc" | ":d" if !rest.is_empty() => {
            let found = crate::docs::describe(rest);
            if found.is_empty() {
                return fail(format!("nothing is called \"{rest}\""));
            }
            for d in found {
                let _ = writeln!(out, "{}", d.plain());
            }
        }
        ":quit" | ":q" | ":exit" => return (Next::Quit, true),
        _ => return fail(format!("unknown command {name} (:help lists them)")),
    }
    (Next::Continue, true)
}

/// Is this line a REPL command rather than text to expand?
fn is_command(line: &str) -> bool {
    line.starts_with(':') && line[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '?')
}

/// Joins a physical line onto a pending logical one as `exim -be` does:
/// the continued line loses its leading white space.  True when the
/// line itself asks for more (a final `\\`, or braces still open).
fn add_line(pending: &mut Vec<u8>, mut line: Vec<u8>) -> bool {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if pending.is_empty() {
        *pending = line;
    } else {
        let start = line.iter().position(|c| !c.is_ascii_whitespace());
        pending.extend_from_slice(start.map_or(&[][..], |s| &line[s..]));
    }
    if pending.last() == Some(&b'\\') {
        pending.pop();
        return true;
    }
    if needs_more(&String::from_utf8_lossy(pending)) {
        pending.push(b'\n');
        return true;
    }
    false
}

/// One logical line: a command or an expansion.  False when it failed.
fn handle(ctx: &mut Context, args: &ContextArgs, src: &[u8], out: &mut impl Write) -> (Next, bool) {
    let text = String::from_utf8_lossy(src);
    if is_command(&text) {
        return command(ctx, args, text.trim_end(), out);
    }
    (Next::Continue, show(ctx, src, out))
}

/// Standard input that is not a terminal: every line evaluated (or run,
/// for a command), no prompt, no history.  Exit status 1 when any line
/// failed.
fn batch(ctx: &mut Context, args: &ContextArgs, input: impl BufRead) -> i32 {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    let mut pending: Vec<u8> = Vec::new();
    for line in input.split(b'\n') {
        let Ok(line) = line else { break };
        if add_line(&mut pending, line) {
            continue;
        }
        let src = std::mem::take(&mut pending);
        let (next, ok) = handle(ctx, args, &src, &mut out);
        failed |= !ok;
        if next == Next::Quit {
            break;
        }
    }
    if !pending.is_empty() {
        failed |= !handle(ctx, args, &pending, &mut out).1;
    }
    let _ = out.flush();
    i32::from(failed)
}

pub fn run(args: &ContextArgs) -> i32 {
    let mut ctx = match build_context(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("exim-expand: {e}");
            return 64;
        }
    };
    if !std::io::stdin().is_terminal() {
        return batch(&mut ctx, args, std::io::stdin().lock());
    }
    let helper = Completion::new(&ctx);
    let mut rl: Editor<Completion, DefaultHistory> = match Editor::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("exim-expand: cannot start the line editor: {e}");
            return 1;
        }
    };
    rl.set_helper(Some(helper));
    let hist = history_path();
    if let Some(h) = &hist {
        let _ = rl.load_history(h);
    }
    println!(
        "exim-expand {} (Exim 4.96 compatible). :help for commands, Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION")
    );
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let prompt = if pending.is_empty() { "> " } else { ". " };
        match rl.readline(prompt) {
            Ok(text) => {
                // A paste of several lines arrives as one: each is a line.
                let mut quit = false;
                for line in text.split('\n') {
                    if add_line(&mut pending, line.as_bytes().to_vec()) {
                        continue;
                    }
                    let src = std::mem::take(&mut pending);
                    let _ = rl.add_history_entry(String::from_utf8_lossy(&src).as_ref());
                    let mut out = std::io::stdout().lock();
                    if handle(&mut ctx, args, &src, &mut out).0 == Next::Quit {
                        quit = true;
                        break;
                    }
                }
                if quit {
                    break;
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

/// Tab completion of builtin names: after `${` items and operators, after
/// `$` variables, elsewhere condition names.
struct Completion {
    braced: Vec<String>,
    variables: Vec<String>,
    conditions: Vec<String>,
}

impl Completion {
    fn new(ctx: &Context) -> Completion {
        let reg = &ctx.registry;
        let mut braced: Vec<String> = reg.items().iter().map(|d| d.sig.name.to_string()).collect();
        braced.extend(reg.operators().map(|d| d.sig.name.to_string()));
        let mut variables: Vec<String> = crate::vars::names(ctx).map(str::to_string).collect();
        variables.extend(ctx.vars.keys().cloned());
        let conditions = reg
            .conditions()
            .iter()
            .map(|d| d.sig.name.to_string())
            .collect();
        for v in [&mut braced, &mut variables] {
            v.sort();
            v.dedup();
        }
        Completion {
            braced,
            variables,
            conditions,
        }
    }

    /// The start of the word before `pos` and the names it may complete to.
    fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        let prefix = &before[..start];
        let table = if prefix.ends_with("${") {
            &self.braced
        } else if prefix.ends_with('$') {
            &self.variables
        } else {
            &self.conditions
        };
        let found = table
            .iter()
            .filter(|n| n.starts_with(word))
            .cloned()
            .collect();
        (start, found)
    }
}

impl rustyline::completion::Completer for Completion {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(self.candidates(line, pos))
    }
}

impl rustyline::hint::Hinter for Completion {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Completion {}
impl rustyline::validate::Validator for Completion {}
impl rustyline::Helper for Completion {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_knows_where_it_is() {
        let mut ctx = Context::new();
        ctx.set_var("mine", "x");
        let c = Completion::new(&ctx);
        let names = |line: &str| c.candidates(line, line.len());
        assert_eq!(names("${sha25"), (2, vec!["sha256".to_string()]));
        assert_eq!(
            names("x $primary_h"),
            (3, vec!["primary_hostname".to_string()])
        );
        assert_eq!(names("$min").1, ["mine"]);
        assert!(
            names("${if match_d")
                .1
                .contains(&"match_domain".to_string())
        );
        // Items and operators both follow `${`.
        let all = names("${").1;
        assert!(all.contains(&"lookup".to_string()) && all.contains(&"lc".to_string()));
    }

    #[test]
    fn lines_join_as_exim_be_joins_them() {
        let mut pending = Vec::new();
        assert!(add_line(&mut pending, b"a \\".to_vec()));
        assert!(!add_line(&mut pending, b"   b\r".to_vec()));
        assert_eq!(pending, b"a b");
        let mut pending = Vec::new();
        assert!(add_line(&mut pending, b"${if eq{a}".to_vec()));
        assert!(!add_line(&mut pending, b"{a}{y}}".to_vec()));
        assert_eq!(pending, b"${if eq{a}\n{a}{y}}");
        assert!(is_command(":set x=1") && is_command(":?"));
        assert!(!is_command(":") && !is_command("::x") && !is_command("a:b"));
    }

    #[test]
    fn continuation_follows_braces() {
        assert!(needs_more("${if eq{a}{b}"));
        assert!(!needs_more("${lc:A}"));
        assert!(!needs_more("\\{"));
        assert!(!needs_more("a}b"));
    }
}
