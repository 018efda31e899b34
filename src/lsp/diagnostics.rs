//! Diagnostics: what `exim-expand lint` reports for a configuration, and
//! what `exim-expand check --file` reports for a file of expansions, as
//! LSP diagnostics grouped by the file they are in (a finding in an
//! included file goes to that file).

use std::collections::BTreeMap;

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range};

use super::Settings;
use super::document::{DocKind, Document, line_of, line_starts, range_in_line, utf16_of_chars};
use crate::config::Config;
use crate::eval::Template;
use crate::lint::{Finding, Severity, codes};

/// The diagnostics of one document, by the path of the file each is in
/// (the document's own path is always there, possibly with none):
/// `errors` are what made Exim refuse the text, `config` what was read
/// past them.
pub fn of_document(
    doc: &Document,
    config: Option<&Config>,
    errors: &[Finding],
    s: &Settings,
) -> BTreeMap<String, Vec<Diagnostic>> {
    let mut out: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    out.insert(doc.path.clone(), Vec::new());
    match doc.kind {
        DocKind::Expansions => {
            out.insert(doc.path.clone(), expansions(doc, s));
        }
        DocKind::Config => {
            let mut found = errors.to_vec();
            if let Some(c) = config {
                found.extend(crate::lint::lint_all(c, &s.context, &s.lint));
            }
            let mut texts = Texts::new(doc);
            for f in found.iter().filter(|f| s.selection.wants(f.rule)) {
                let d = finding(f, &mut texts);
                out.entry(f.file.clone()).or_default().push(d);
            }
        }
    }
    out
}

/// Reads a configuration as lint reads it, from the editor's text, past
/// its errors.
pub fn read_config(doc: &Document, s: &Settings) -> (Option<Config>, Vec<Finding>) {
    let opts = crate::config::ReadOptions::with_defines(&s.defines).for_profile(&s.context.profile);
    crate::lint::read_past_errors(&doc.path, doc.text.as_bytes(), &opts)
}

/// Each non-empty line checked as one expansion string.
fn expansions(doc: &Document, s: &Settings) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for n in 0..doc.line_count() {
        let line = doc.line(n);
        if line.is_empty() {
            continue;
        }
        let t = Template::parse(line.as_bytes(), &s.context.registry);
        for (problem, e) in crate::check::check_kinds(&t, &s.context) {
            let rule = crate::lint::rule_of(problem);
            if !s.selection.wants(rule) {
                continue;
            }
            let range = range_in_line(n, line, e.span.start as usize, e.span.end as usize);
            out.push(diagnostic(rule, range, e.message_str()));
        }
    }
    out
}

/// The lines of the files findings are in: the document's own from the
/// editor, others read from disk once.
struct Texts<'d> {
    doc: &'d Document,
    others: BTreeMap<String, (String, Vec<usize>)>,
}

impl<'d> Texts<'d> {
    fn new(doc: &'d Document) -> Texts<'d> {
        Texts {
            doc,
            others: BTreeMap::new(),
        }
    }

    /// Line `n` (1-based, as findings count) of `file`.
    fn line(&mut self, file: &str, n: usize) -> &str {
        let n = n.saturating_sub(1);
        if file == self.doc.path {
            return self.doc.line(n);
        }
        let (text, starts) = self.others.entry(file.to_string()).or_insert_with(|| {
            let text = std::fs::read(file)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let starts = line_starts(&text);
            (text, starts)
        });
        line_of(text, starts, n)
    }
}

fn finding(f: &Finding, texts: &mut Texts) -> Diagnostic {
    let start_line = texts.line(&f.file, f.line).to_string();
    let start = Position::new(
        f.line.saturating_sub(1) as u32,
        utf16_of_chars(&start_line, f.column.saturating_sub(1)),
    );
    let end_line = texts.line(&f.file, f.end.0).to_string();
    let mut end = Position::new(
        f.end.0.saturating_sub(1) as u32,
        utf16_of_chars(&end_line, f.end.1.saturating_sub(1)),
    );
    // An empty range (the error is at a point) covers the rest of the line's
    // word, so that editors underline something.
    if end <= start {
        let rest = start_line
            .chars()
            .skip(f.column.saturating_sub(1))
            .take_while(|c| !c.is_whitespace())
            .map(char::len_utf16)
            .sum::<usize>()
            .max(1);
        end = Position::new(start.line, start.character + rest as u32);
    }
    let mut message = f.error.message_str();
    if f.rule.code != codes::CONFIG.code {
        message.push_str(&format!("\n({})", f.place));
    }
    if let Some(note) = &f.macro_note {
        message.push_str(&format!("\n({note})"));
    }
    diagnostic(f.rule, Range::new(start, end), message)
}

fn diagnostic(rule: &codes::Rule, range: Range, message: String) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(match rule.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(rule.code.to_string())),
        source: Some("exim-expand".to_string()),
        message,
        ..Diagnostic::default()
    }
}
