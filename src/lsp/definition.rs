//! Go to definition: a macro to its definition, `+name` to its named
//! list, an ACL's name to its place under `begin acl`, an `.include` to
//! the file it reads.

use lsp_types::{Location, Position, Range};

use super::document::{Document, line_of, line_starts, range_in_line};
use super::uri::uri_of;
use super::words::{Role, word_at};
use crate::config::Config;

/// Where the name at `pos` is defined.
pub fn at(doc: &Document, config: &Config, pos: Position) -> Option<Location> {
    let line = doc.line(pos.line as usize);
    if let Some(path) = include_target(line, &doc.path) {
        return Some(Location::new(uri_of(&path), Range::default()));
    }
    let w = word_at(line, doc.byte_in_line(pos))?;
    let (file, line_no) = match w.role() {
        Role::NamedList => {
            let l = config.named_lists().iter().find(|l| l.name == w.text)?;
            (l.file.clone(), l.line)
        }
        _ => {
            if config.user_macros().iter().any(|m| m.name == w.text) {
                let (f, l) = config.macro_defined_at(w.text)?;
                (f.to_string(), l)
            } else {
                let a = config.acl(w.text)?;
                (a.file.clone(), a.line)
            }
        }
    };
    Some(Location::new(
        uri_of(&file),
        name_range(doc, &file, line_no, w.text),
    ))
}

/// The range of `name` on line `line_no` (1-based) of `file`: the first
/// place the name is on that line, else the line's start.
fn name_range(doc: &Document, file: &str, line_no: usize, name: &str) -> Range {
    let n = line_no.saturating_sub(1);
    let text;
    let line = if file == doc.path {
        doc.line(n)
    } else {
        text = std::fs::read(file)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        line_of(&text, &line_starts(&text), n)
    };
    match line.find(name) {
        Some(i) => range_in_line(n, line, i, i + name.len()),
        None => Range::new(Position::new(n as u32, 0), Position::new(n as u32, 0)),
    }
}

/// The file an `.include` or `.include_if_exists` line names, relative
/// paths taken from the including file's directory.
fn include_target(line: &str, from: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix(".include")?;
    let rest = rest.strip_prefix("_if_exists").unwrap_or(rest);
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let name = rest.trim();
    if name.starts_with('/') {
        return Some(name.to_string());
    }
    let dir = std::path::Path::new(from).parent()?;
    Some(dir.join(name).to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lead_to_their_definitions() {
        let text = "DOM = example.org\ndomainlist local = DOM\nacl_smtp_rcpt = rcpt_acl\nbegin acl\nrcpt_acl:\n  accept domains = +local\n";
        let doc = Document::new("/x/e.conf".into(), text.into());
        let opts = crate::config::ReadOptions {
            name: Some(doc.path.clone()),
            ..crate::config::ReadOptions::default()
        };
        let c = Config::from_bytes_with(text.as_bytes(), &opts).unwrap();
        let go = |line: u32, ch: u32| {
            at(&doc, &c, Position::new(line, ch)).map(|l| {
                (
                    l.uri.as_str().to_string(),
                    l.range.start.line,
                    l.range.start.character,
                )
            })
        };
        let file = "file:///x/e.conf".to_string();
        assert_eq!(go(1, 20), Some((file.clone(), 0, 0)), "macro");
        assert_eq!(go(5, 21), Some((file.clone(), 1, 11)), "named list");
        assert_eq!(go(2, 18), Some((file.clone(), 4, 0)), "ACL");
        assert_eq!(go(0, 8), None, "plain text");
        let inc = Document::new("/x/e.conf".into(), ".include sub/more.conf\n".into());
        assert_eq!(
            at(&inc, &c, Position::new(0, 3)).map(|l| l.uri.as_str().to_string()),
            Some("file:///x/sub/more.conf".to_string())
        );
    }
}
