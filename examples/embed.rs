//! Embedding exim-expand: an engine with a lookup type of its own (which
//! asks the engine's DNS resolver, here answering from a zone file), a
//! fixed clock and a sandbox policy; a template compiled once and
//! evaluated from several threads.  Run: `cargo run --example embed`.

use exim_expand::dns::ZoneResolver;
use exim_expand::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery, Policy};
use exim_expand::eval::{RData, RrType};
use exim_expand::{Engine, parser::LookupStyle};
use std::sync::Arc;

/// `${lookup mx{DOMAIN}}`: the lowest-preference MX host, from the resolver.
#[derive(Debug)]
struct PrimaryMx;

impl Lookup for PrimaryMx {
    fn style(&self) -> LookupStyle {
        LookupStyle::Query
    }
    fn find(
        &self,
        ev: &mut Evaluator,
        _: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        let Ok(answer) = ev.ctx.resolver.query(q.key, RrType::Mx) else {
            return Ok(None);
        };
        let mx = answer.records.iter().filter_map(|r| match &r.data {
            RData::Mx {
                preference,
                exchange,
            } => Some((*preference, exchange.clone())),
            _ => None,
        });
        Ok(mx.min().map(|(_, host)| host))
    }
}

const ZONE: &str = "$TTL 300\n@ SOA ns hm 1 3600 600 86400 300\n  NS ns\n  MX 20 backup\n  MX 10 mx1\nns A 192.0.2.1\n";

pub fn main() {
    let engine = Engine::builder()
        .lookup("mx", Arc::new(PrimaryMx))
        .resolver(Arc::new(
            ZoneResolver::from_zone_text("example.test", ZONE).expect("zone"),
        ))
        .fixed_time(1_705_320_000)
        .policy(Policy::default()) // sandbox: no files, commands or network
        .build()
        .expect("engine");
    let t = engine
        .compile("${lookup mx{$domain}{$value}{none}} at $tod_epoch")
        .expect("template");
    let results: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = ["example.test", "nosuch.test"]
            .iter()
            .map(|d| s.spawn(|| engine.expand(&t, &[("domain", d)])))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap()
                    .map_or_else(|e| format!("error: {e}"), |v| v.to_string_lossy())
            })
            .collect()
    });
    for r in &results {
        println!("{r}");
    }
    assert_eq!(
        results,
        ["mx1.example.test at 1705320000", "none at 1705320000"]
    );
    let refused = engine.session().expand_str("${readfile{/etc/passwd}}");
    println!("{}", refused.unwrap_err());
}
