//! Whether to colour what the command line prints: `--color
//! auto|always|never` (default `auto`: only on a terminal, and not when
//! the `NO_COLOR` environment variable is set to anything but nothing, as
//! <https://no-color.org> asks).

use std::io::IsTerminal;
use std::sync::OnceLock;

/// The `--color` choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the choice of the command line (the first one counts).
pub fn set(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Should output to a stream (a terminal or not) be coloured?
pub fn decide(choice: ColorChoice, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

fn for_stream(terminal: bool) -> bool {
    let choice = CHOICE.get().copied().unwrap_or_default();
    decide(choice, terminal, std::env::var_os("NO_COLOR").as_deref())
}

/// Colour what goes to standard error?
pub fn stderr() -> bool {
    for_stream(std::io::stderr().is_terminal())
}

/// Colour what goes to standard output?
pub fn stdout() -> bool {
    for_stream(std::io::stdout().is_terminal())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn choice_terminal_and_no_color() {
        let cases = [
            (ColorChoice::Auto, true, None, true),
            (ColorChoice::Auto, false, None, false),
            (ColorChoice::Auto, true, Some("1"), false),
            // An empty NO_COLOR does not count.
            (ColorChoice::Auto, true, Some(""), true),
            (ColorChoice::Always, false, Some("1"), true),
            (ColorChoice::Never, true, None, false),
        ];
        for (choice, terminal, no_color, want) in cases {
            assert_eq!(
                decide(choice, terminal, no_color.map(OsStr::new)),
                want,
                "{choice:?} {terminal} {no_color:?}"
            );
        }
    }
}
