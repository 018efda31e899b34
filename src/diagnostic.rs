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

/// The `--> origin:line:col` line and the source line with carets under
/// `span`.
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
    let text = String::from_utf8_lossy(&source[line_start..line_end]).replace('\t', " ");
    let width = if end > start {
        let stop = end.min(line_end);
        String::from_utf8_lossy(&source[start..stop])
            .chars()
            .count()
            .max(1)
    } else {
        1
    };
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let Style {
        red, blue, reset, ..
    } = st;
    format!(
        "{pad}{blue}-->{reset} {origin}:{line}:{col}\n{pad} {blue}|{reset}\n{blue}{line}{reset} {blue}|{reset} {text}\n{pad} {blue}|{reset} {caret_pad}{red}{carets}{reset}\n",
        caret_pad = " ".repeat(col - 1),
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
}
