//! Criterion benchmarks: parsing, and evaluating a pre-parsed tree, on a
//! mix of typical expansions (the same mix as benches/typical.txt, which
//! benches/compare_exim.sh feeds to both Exim and exim-expand).

use criterion::{Criterion, criterion_group, criterion_main};
use exim_expand::{Context, Evaluator, parse};
use std::hint::black_box;

fn typical() -> Vec<String> {
    include_str!("typical.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn bench(c: &mut Criterion) {
    let exprs = typical();
    c.bench_function("parse typical mix", |b| {
        b.iter(|| {
            for e in &exprs {
                black_box(parse(black_box(e.as_bytes())));
            }
        })
    });
    let trees: Vec<_> = exprs.iter().map(|e| parse(e.as_bytes())).collect();
    let mut ctx = Context::new();
    ctx.options
        .insert("primary_hostname".into(), "myhost.test.ex".into());
    c.bench_function("evaluate pre-parsed typical mix", |b| {
        b.iter(|| {
            for t in &trees {
                let _ = black_box(Evaluator::new(&mut ctx).run(t));
            }
        })
    });
    c.bench_function("parse + evaluate typical mix", |b| {
        b.iter(|| {
            for e in &exprs {
                let t = parse(e.as_bytes());
                let _ = black_box(Evaluator::new(&mut ctx).run(&t));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
