//! Embedding exim-expand: an engine with a lookup type of its own, a
//! fixed clock and a sandbox policy; a template compiled once and
//! evaluated from several threads.  Run: `cargo run --example embed`.

use exim_expand::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery, Policy};
use exim_expand::{Engine, parser::LookupStyle};
use std::sync::Arc;

/// `${lookup users{NAME}}`: an in-memory user table.
#[derive(Debug)]
struct Users;

impl Lookup for Users {
    fn style(&self) -> LookupStyle {
        LookupStyle::Query
    }
    fn find(
        &self,
        _: &mut Evaluator,
        _: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        Ok(match q.key {
            b"alice" => Some(b"Alice Liddell".to_vec()),
            _ => None,
        })
    }
}

pub fn main() {
    let engine = Engine::builder()
        .lookup("users", Arc::new(Users))
        .fixed_time(1_705_320_000)
        .policy(Policy::default()) // sandbox: no files, commands or network
        .build()
        .expect("engine");
    let t = engine
        .compile("${lookup users{$user}{$value}{unknown}} at $tod_epoch")
        .expect("template");
    let results: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = ["alice", "bob"]
            .iter()
            .map(|user| s.spawn(|| engine.expand(&t, &[("user", user)])))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join().unwrap() {
                Ok(v) => v.to_string_lossy(),
                Err(e) => format!("error: {e}"),
            })
            .collect()
    });
    for r in &results {
        println!("{r}");
    }
    assert_eq!(
        results,
        ["Alice Liddell at 1705320000", "unknown at 1705320000"]
    );
    let refused = engine.session().expand_str("${readfile{/etc/passwd}}");
    println!("{}", refused.unwrap_err());
}
