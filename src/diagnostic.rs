//! Renders an error with line, column and a caret under the source, in
//! the style of rustc and starlark-rust.

use crate::eval::ExpandError;

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let col = String::from_utf8_lossy(&source[line_start..offset])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// The diagnostic text, e.g.
///
/// ```text
/// error: missing } at end of string
///  --> <expr>:1:17
///   |
/// 1 | ${if eq{a}{b}{x}
///   |                 ^
/// ```
pub fn render(source: &[u8], err: &ExpandError, origin: &str, color: bool) -> String {
    let st = Style::new(color);
    let kind = if err.is_forced() {
        "forced failure"
    } else {
        "error"
    };
    let mut out = format!(
        "{red}{kind}{reset}{bold}: {msg}{reset}\n",
        red = st.red,
        reset = st.reset,
        bold = st.bold,
        msg = err.message_str(),
    );
    out.push_str(&excerpt(source, err.span, origin, &st));
    if let Some(n) = &err.nested {
        out.push_str(&format!(
            "{blue}note{reset}: in the text expanded there:\n",
            blue = st.blue,
            reset = st.reset
        ));
        out.push_str(&excerpt(&n.source, n.span, "<expanded>", &st));
    }
    out
}

struct Style {
    red: &'static str,
    blue: &'static str,
    bold: &'static str,
    reset: &'static str,
}

impl Style {
    fn new(color: bool) -> Style {
        if color {
            Style {
                red: "\x1b[31;1m",
                blue: "\x1b[34;1m",
                bold: "\x1b[1m",
                reset: "\x1b[0m",
            }
        } else {
            Style {
                red: "",
                blue: "",
                bold: "",
                reset: "",
            }
        }
    }
}

/// Widest source excerpt shown, in characters; longer lines are cut around
/// the caret with `…` at the cut ends.
pub const MAX_EXCERPT_WIDTH: usize = 120;

/// Characters of context kept before the caret when a line is cut.
const CONTEXT_BEFORE: usize = 40;

/// Most errors rendered for one source string by [`render_all`].
pub const MAX_ERRORS_PER_SOURCE: usize = 10;

/// Render the errors found in one source string: the first
/// [`MAX_ERRORS_PER_SOURCE`], then a note saying how many more there were.
///
/// ```
/// use exim_expand::diagnostic::render_all;
/// use exim_expand::{ExpandError, parser::Span};
/// let errs: Vec<ExpandError> = (0..12).map(|i| ExpandError::syntax("bad", Span::new(i, i + 1))).collect();
/// let text = render_all(b"abcdefghijkl", &errs, "<expr>", false);
/// assert_eq!(text.matches("error: bad").count(), 10);
/// assert!(text.ends_with("note: 2 more errors in this string not shown\n"));
/// ```
pub fn render_all(source: &[u8], errs: &[ExpandError], origin: &str, color: bool) -> String {
    let mut out = String::new();
    for e in errs.iter().take(MAX_ERRORS_PER_SOURCE) {
        out.push_str(&render(source, e, origin, color));
    }
    out.push_str(&omitted_note(
        errs.len().saturating_sub(MAX_ERRORS_PER_SOURCE),
        color,
    ));
    out
}

/// `note: N more errors in this string not shown` (nothing when `n` is 0).
pub fn omitted_note(n: usize, color: bool) -> String {
    if n == 0 {
        return String::new();
    }
    let st = Style::new(color);
    format!(
        "{blue}note{reset}: {n} more error{s} in this string not shown\n",
        blue = st.blue,
        reset = st.reset,
        s = if n == 1 { "" } else { "s" },
    )
}

/// The `--> origin:line:col` line and the source line with carets under
/// `span`, cut to [`MAX_EXCERPT_WIDTH`] characters around the caret.
fn excerpt(source: &[u8], span: crate::parser::Span, origin: &str, st: &Style) -> String {
    let start = (span.start as usize).min(source.len());
    let end = (span.end as usize).clamp(start, source.len());
    let (line, col) = line_col(source, start);
    let line_start = source[..start]
        .iter()
        .rposition(|&c| c == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let line_end = source[start..]
        .iter()
        .position(|&c| c == b'\n')
        .map(|i| start + i)
        .unwrap_or(source.len());
    let pad = " ".repeat(line.to_string().len());
    let Style { blue, reset, .. } = st;
    format!(
        "{pad}{blue}-->{reset} {origin}:{line}:{col}\n{}",
        line_excerpt(
            &source[line_start..line_end],
            line,
            start - line_start,
            end.min(line_end) - line_start,
            "",
            st
        )
    )
}

/// One line of a file under a message, with carets under bytes
/// `start..end` of it (at least one caret) and a label after them:
///
/// ```text
///   |
/// 7 |   deny message = ${lc:$nosuch}
///   |                       ^^^^^^^ in acl check_rcpt (deny message)
/// ```
///
/// ```
/// let out = exim_expand::diagnostic::source_excerpt(b"a = $x", 7, 4, 6, "here", false);
/// assert_eq!(out, "  |\n7 | a = $x\n  |     ^^ here\n");
/// ```
pub fn source_excerpt(
    text: &[u8],
    line: usize,
    start: usize,
    end: usize,
    label: &str,
    color: bool,
) -> String {
    line_excerpt(text, line, start, end, label, &Style::new(color))
}

fn line_excerpt(
    text: &[u8],
    line: usize,
    start: usize,
    end: usize,
    label: &str,
    st: &Style,
) -> String {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let chars: Vec<char> = String::from_utf8_lossy(text)
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let caret = String::from_utf8_lossy(&text[..start]).chars().count();
    let width = String::from_utf8_lossy(&text[start..end])
        .chars()
        .count()
        .max(1);
    let (from, to) = if chars.len() <= MAX_EXCERPT_WIDTH {
        (0, chars.len())
    } else {
        let from = caret
            .saturating_sub(CONTEXT_BEFORE)
            .min(chars.len() - MAX_EXCERPT_WIDTH);
        (from, from + MAX_EXCERPT_WIDTH)
    };
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    shown.extend(&chars[from..to]);
    if to < chars.len() {
        shown.push('…');
    }
    let caret_pad = caret - from + usize::from(from > 0);
    let width = width.min(to.saturating_sub(caret)).max(1);
    let pad = " ".repeat(line.to_string().len());
    let Style {
        red, blue, reset, ..
    } = st;
    let label = if label.is_empty() {
        String::new()
    } else {
        format!(" {blue}{label}{reset}")
    };
    format!(
        "{pad} {blue}|{reset}\n{blue}{line}{reset} {blue}|{reset} {shown}\n{pad} {blue}|{reset} {caret_pad}{red}{carets}{reset}{label}\n",
        caret_pad = " ".repeat(caret_pad),
        carets = "^".repeat(width),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::Span;

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(line_col(b"abc", 0), (1, 1));
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é$x".as_bytes(), 2), (1, 2));
    }

    #[test]
    fn caret_points_at_the_span() {
        let e = ExpandError::syntax("boom", Span::new(3, 5));
        let r = render(b"ab\n${x}", &e, "<expr>", false);
        assert!(r.contains("<expr>:2:1"), "{r}");
        assert!(r.ends_with("  | ^^\n"), "{r}");
    }

    /// (line, span) → the excerpt and caret lines, for lines over the width.
    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let long = format!("{}$nosuch{}", "a".repeat(200), "b".repeat(200));
        let tail = |src: &str, span: Span| {
            let e = ExpandError::syntax("boom", span);
            let r = render(src.as_bytes(), &e, "<expr>", false);
            let lines: Vec<&str> = r.lines().collect();
            (lines[3].to_string(), lines[4].to_string())
        };
        let (text, carets) = tail(&long, Span::new(200, 207));
        assert_eq!(text.chars().count(), "1 | ".len() + 2 + MAX_EXCERPT_WIDTH);
        assert!(text.starts_with(&format!("1 | …{}$nosuch", "a".repeat(40))));
        assert!(text.ends_with('…'));
        assert_eq!(carets, format!("  | {}^^^^^^^", " ".repeat(41)));
        // At the start: no leading cut.
        let (text, carets) = tail(&long, Span::new(0, 1));
        assert!(text.starts_with("1 | aaa") && text.ends_with('…'));
        assert_eq!(carets, "  | ^");
        // At the very end: the window ends with the line.
        let (text, carets) = tail(&long, Span::new(406, 407));
        assert!(text.starts_with("1 | …") && text.ends_with('b'));
        assert_eq!(
            carets.trim_end().len(),
            "  | ".len() + 1 + MAX_EXCERPT_WIDTH
        );
        // A span wider than the window is cut too.
        let (_, carets) = tail(&long, Span::new(10, 400));
        assert_eq!(carets.matches('^').count(), MAX_EXCERPT_WIDTH - 10);
    }

    #[test]
    fn output_stays_small_for_many_errors_on_a_huge_line() {
        let src = "$x ".repeat(30_000);
        let errs: Vec<ExpandError> = (0..30_000)
            .map(|i| {
                ExpandError::syntax("unknown variable name \"x\"", Span::new(i * 3, i * 3 + 2))
            })
            .collect();
        let out = render_all(src.as_bytes(), &errs, "<expr>", false);
        assert!(out.len() < 4000, "{}", out.len());
        assert!(out.ends_with("note: 29990 more errors in this string not shown\n"));
    }
}
