//! The direction of dependencies: the core (`src/parser`, `src/eval`)
//! knows no builtin.  Builtins reach it as tables (the registry) and the
//! outside world through provider traits, so the core must not name a
//! builtin module, and the helper modules the core uses must not either
//! (that would be the same cycle through a detour).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the builtins live (and `builtins`, which assembles them).
const BUILTIN_MODULES: &[&str] = &[
    "acl",
    "auth",
    "builtins",
    "conditions",
    "items",
    "lookups",
    "operators",
    "vars",
];

/// The core.
const CORE: &[&str] = &["parser", "eval"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            rust_files(&e.unwrap().path(), out);
        }
    } else if p.extension().is_some_and(|x| x == "rs") {
        out.push(p.to_path_buf());
    }
}

/// The files of top-level module `m` (`src/m.rs` and `src/m/**`).
fn module_files(m: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let file = src().join(format!("{m}.rs"));
    if file.exists() {
        out.push(file);
    }
    rust_files(&src().join(m), &mut out);
    out
}

/// The top-level modules (or root items) a file names as `crate::x`,
/// including `use crate::{a, b::c}` groups; doc comments and comments
/// are ignored.
fn crate_refs(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        }
    }
    out
}

fn refs_of_module(m: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for f in module_files(m) {
        let text = std::fs::read_to_string(&f).unwrap();
        for r in crate_refs(&text) {
            out.push((f.clone(), r));
        }
    }
    out
}

#[test]
fn core_names_no_builtin_module() {
    let mut bad = Vec::new();
    for m in CORE {
        for (f, r) in refs_of_module(m) {
            if BUILTIN_MODULES.contains(&r.as_str()) || r == "parse" {
                bad.push(format!("{}: crate::{r}", f.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "the core imports builtins:\n{}",
        bad.join("\n")
    );
}

/// What the core uses besides itself must not lead back to the builtins.
#[test]
fn no_cycle_through_helper_modules() {
    let mut seen: BTreeSet<String> = CORE.iter().map(|s| s.to_string()).collect();
    let mut todo: Vec<String> = CORE.iter().map(|s| s.to_string()).collect();
    let mut bad = Vec::new();
    while let Some(m) = todo.pop() {
        for (f, r) in refs_of_module(&m) {
            if BUILTIN_MODULES.contains(&r.as_str()) || r == "parse" {
                bad.push(format!(
                    "{} (reached from the core): crate::{r}",
                    f.display()
                ));
            } else if module_files(&r).is_empty() {
                // A root item (`crate::Value`, ...): a re-export from the
                // core, checked where it is defined.
            } else if seen.insert(r.clone()) {
                todo.push(r);
            }
        }
    }
    assert!(
        bad.is_empty(),
        "a module the core depends on imports builtins:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_sees_imports() {
    let refs =
        crate_refs("use crate::{items, eval::Value};\nlet x = crate::vars::f(); // crate::acl\n");
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        vec!["eval", "items", "vars"]
    );
}
