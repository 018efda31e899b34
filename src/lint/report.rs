//! The outputs of lint: text for people and problem matchers
//! (`FILE:LINE:COL: SEVERITY[CODE] message`, then an excerpt), JSON for
//! scripts and SARIF 2.1.0 for code-scanning upload.

use super::Finding;
use super::codes::{RULES, Severity};
use serde_json::{Value, json};

const RED: &str = "\x1b[31;1m";
const YELLOW: &str = "\x1b[33;1m";
const BLUE: &str = "\x1b[34;1m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// The text report: for each finding its location line, then (with
/// `excerpt`) the file's line with carets under the offending text, the
/// place it is in and where a macro came from.
///
/// ```
/// use exim_expand::{Context, config::Config, lint::{lint_config, report}};
/// let c = Config::from_str("smtp_banner = ${lc:$nosuch}\n", &[]).unwrap();
/// let found = lint_config(&c, &Context::new());
/// assert_eq!(
///     report::text(&found, false, false),
///     "<string>:1:20: error[E002] unknown variable name \"nosuch\"\n"
/// );
/// ```
pub fn text(findings: &[Finding], excerpt: bool, color: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let (sev, bold, reset) = match (color, f.rule.severity) {
            (false, _) => ("", "", ""),
            (true, Severity::Error) => (RED, BOLD, RESET),
            (true, Severity::Warning) => (YELLOW, BOLD, RESET),
        };
        // Line 0: the file as a whole (it could not be opened).
        let at = if f.line == 0 {
            f.file.clone()
        } else {
            format!("{}:{}:{}", f.file, f.line, f.column)
        };
        out.push_str(&format!(
            "{bold}{at}:{reset} {sev}{}[{}]{reset} {bold}{}{reset}\n",
            f.rule.severity.as_str(),
            f.rule.code,
            f.error.message_str(),
        ));
        if !excerpt || f.excerpt.0.is_empty() {
            continue;
        }
        let (line_text, start) = (&f.excerpt.0, f.excerpt.1);
        // Carets to the end of the offending text when it ends on the same line.
        let end = if f.end.0 == f.line && f.end.1 > f.column {
            let n = f.end.1 - f.column;
            let rest = String::from_utf8_lossy(&line_text[start.min(line_text.len())..]);
            start + rest.chars().take(n).map(char::len_utf8).sum::<usize>()
        } else {
            start
        };
        out.push_str(&crate::diagnostic::source_excerpt(
            line_text,
            f.line,
            start,
            end,
            &format!("in {}", f.place),
            color,
        ));
        let pad = " ".repeat(f.line.to_string().len());
        let (blue, reset) = if color { (BLUE, RESET) } else { ("", "") };
        if let Some(m) = &f.macro_note {
            out.push_str(&format!("{pad} {blue}={reset} note: from {m}\n"));
        }
        if f.omitted > 0 {
            out.push_str(&format!(
                "{pad} {blue}={reset} note: {} more problem{} in this string not shown\n",
                f.omitted,
                if f.omitted == 1 { "" } else { "s" }
            ));
        }
    }
    out
}

/// `3 problems (2 errors, 1 warning)`, counting those not shown.
pub fn summary(findings: &[Finding]) -> String {
    let count = |sev: Severity| {
        findings
            .iter()
            .filter(|f| f.rule.severity == sev)
            .map(|f| 1 + f.omitted)
            .sum::<usize>()
    };
    let (e, w) = (count(Severity::Error), count(Severity::Warning));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{} ({}, {})",
        plural(e + w, "problem"),
        plural(e, "error"),
        plural(w, "warning")
    )
}

fn finding_json(f: &Finding) -> Value {
    let mut v = json!({
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "end_line": f.end.0,
        "end_column": f.end.1,
        "severity": f.rule.severity.as_str(),
        "code": f.rule.code,
        "rule": f.rule.name,
        "message": f.error.message_str(),
        "place": f.place,
    });
    if let Some(m) = &f.macro_note {
        v["macro"] = json!(m);
    }
    if f.omitted > 0 {
        v["omitted"] = json!(f.omitted);
    }
    v
}

/// The JSON report: an array of findings, each an object with `file`,
/// `line`, `column`, `end_line`, `end_column`, `severity`, `code`, `rule`,
/// `message`, `place` and, when they apply, `macro` and `omitted`.
///
/// ```
/// use exim_expand::{Context, config::Config, lint::{lint_config, report}};
/// let c = Config::from_str("smtp_banner = ${lcase:x}\n", &[]).unwrap();
/// let v: serde_json::Value = serde_json::from_str(&report::json(&lint_config(&c, &Context::new()))).unwrap();
/// assert_eq!(v[0]["code"], "E003");
/// assert_eq!((v[0]["line"].as_u64(), v[0]["column"].as_u64()), (Some(1), Some(15)));
/// ```
pub fn json(findings: &[Finding]) -> String {
    let all: Vec<Value> = findings.iter().map(finding_json).collect();
    let mut s = serde_json::to_string_pretty(&all).expect("JSON values serialise");
    s.push('\n');
    s
}

/// A SARIF `artifactLocation`: a relative path against the checkout's
/// root (`%SRCROOT%`), an absolute one as a `file:` URI.
fn artifact(file: &str) -> Value {
    let mut uri = String::new();
    for c in file.chars() {
        match c {
            ' ' => uri.push_str("%20"),
            '%' => uri.push_str("%25"),
            '#' => uri.push_str("%23"),
            '?' => uri.push_str("%3F"),
            c => uri.push(c),
        }
    }
    if file.starts_with('/') {
        json!({ "uri": format!("file://{uri}") })
    } else {
        json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
    }
}

/// The SARIF 2.1.0 report (one run; every rule described, each result
/// pointing at its rule by id and index).
pub fn sarif(findings: &[Finding]) -> String {
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = RULES.iter().position(|r| r.code == f.rule.code);
            let mut text = f.error.message_str();
            text.push_str(&format!(" (in {})", f.place));
            if let Some(m) = &f.macro_note {
                text.push_str(&format!("; from {m}"));
            }
            let mut location = json!({ "artifactLocation": artifact(&f.file) });
            if f.line > 0 {
                location["region"] = json!({
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endLine": f.end.0.max(f.line),
                    "endColumn": f.end.1.max(f.column + usize::from(f.end.0 <= f.line)),
                });
            }
            json!({
                "ruleId": f.rule.code,
                "ruleIndex": index,
                "level": level(f.rule.severity),
                "message": { "text": text },
                "locations": [{ "physicalLocation": location }],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "exim-expand",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    s.push('\n');
    s
}
