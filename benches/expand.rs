//! Criterion benchmarks of the library: parsing, evaluating a pre-parsed
//! template, both, regular expressions, cached lookups and lint.
//!
//! The mixes are the files benches/compare_exim.py feeds to Exim and to
//! the drop-in: `typical.txt` (here without its crypto lines, whose cost is
//! the digest's), `regex.txt` and `lookup.txt`.  Each group's throughput
//! is in expansions, so criterion prints the time per expansion.
//!
//! Before the groups run, the bench prints per expansion, over each mix:
//! the median and mean time of parsing and of evaluating (a plain timing
//! loop), and the heap allocations each takes (a counting allocator).
//!
//! With `BENCH_EACH=1` it prints the two times of every expansion too.
//! `cargo bench --bench expand`; the lookup rows need python3 (for
//! benches/fixtures.py) and, for lmdb, mdb_load (lmdb-utils).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use exim_expand::eval::{Policy, Profile};
use exim_expand::{Context, Evaluator, Template};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Counts allocations while `COUNTING` is set (and costs a relaxed load
/// otherwise, so the timed groups are not slowed).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations (and reallocations) made by `f`.
fn allocations(f: impl FnOnce()) -> u64 {
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    f();
    COUNTING.store(false, Ordering::Relaxed);
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// The operators and items whose cost is cryptography's, left out of the
/// "non-crypto" typical mix.
const CRYPTO: &[&str] = &[
    "md5",
    "sha1",
    "sha256",
    "hmac",
    "srs_encode",
    "inbound_srs",
    "utf8_domain",
];

fn mix(name: &str, data: &Path) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("benches/{name}.txt"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.replace("@DATA@", &data.to_string_lossy()))
        .collect()
}

fn non_crypto(exprs: Vec<String>) -> Vec<String> {
    exprs
        .into_iter()
        .filter(|e| !CRYPTO.iter().any(|c| e.contains(c)))
        .collect()
}

fn context(profile: Profile) -> Context {
    let mut ctx = Context::for_profile(profile);
    ctx.policy = Policy::permissive();
    ctx.options
        .insert("primary_hostname".into(), "myhost.test.ex".into());
    ctx
}

fn parse(ctx: &Context, e: &str) -> Template {
    Template::parse(e.as_bytes(), &ctx.registry)
}

/// Nanoseconds per call of `f`, over enough calls to take ~20 ms.
fn nanos(mut f: impl FnMut()) -> f64 {
    let mut n = 64u32;
    loop {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        let e = t.elapsed();
        if e.as_millis() >= 20 || n >= 1 << 24 {
            return e.as_nanos() as f64 / f64::from(n);
        }
        n *= 4;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The per-expansion report printed before the criterion groups.
fn report(name: &str, exprs: &[String], profile: Profile) {
    let mut ctx = context(profile);
    let (mut parse_ns, mut eval_ns, mut parse_allocs, mut eval_allocs) = (vec![], vec![], 0, 0);
    for e in exprs {
        parse_ns.push(nanos(|| {
            black_box(parse(&ctx, black_box(e)));
        }));
        let t = parse(&ctx, e);
        // Once first, so that caches (regexes, lookups) are warm, as they
        // are for every evaluation but the first.
        let _ = Evaluator::new(&mut ctx).run(&t);
        eval_ns.push(nanos(|| {
            let _ = black_box(Evaluator::new(&mut ctx).run(&t));
        }));
        parse_allocs += allocations(|| drop(black_box(parse(&ctx, e))));
        eval_allocs += allocations(|| {
            let _ = black_box(Evaluator::new(&mut ctx).run(&t));
        });
        if std::env::var_os("BENCH_EACH").is_some() {
            let (p, v) = (parse_ns.last().unwrap(), eval_ns.last().unwrap());
            eprintln!("  parse {p:>6.0} ns  evaluate {v:>6.0} ns  {e}");
        }
    }
    let n = exprs.len() as f64;
    eprintln!(
        "{name:<22} {:>3} expansions: parse median {:>5.0} ns mean {:>5.0} ns, {:>5.1} allocations; \
         evaluate median {:>5.0} ns mean {:>5.0} ns, {:>5.1} allocations",
        exprs.len(),
        median(parse_ns.clone()),
        mean(&parse_ns),
        parse_allocs as f64 / n,
        median(eval_ns.clone()),
        mean(&eval_ns),
        eval_allocs as f64 / n,
    );
}

/// Lookup data written by benches/fixtures.py (and mdb_load, for lmdb).
struct Data {
    dir: PathBuf,
    lmdb: bool,
}

impl Data {
    fn new() -> Option<Data> {
        let dir = std::env::temp_dir().join(format!("exim-expand-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures.py");
        let ok = std::process::Command::new("python3")
            .arg(script)
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED lookup benchmarks: python3 benches/fixtures.py failed");
            return None;
        }
        let lmdb = std::process::Command::new("mdb_load")
            .args(["-n", "-T", "-f"])
            .arg(dir.join("data.mdb.txt"))
            .arg(dir.join("data.mdb"))
            .status()
            .is_ok_and(|s| s.success());
        if !lmdb {
            eprintln!("SKIPPED lmdb benchmark: mdb_load (lmdb-utils) is not installed");
        }
        Some(Data { dir, lmdb })
    }
}

impl Drop for Data {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A configuration of about 2,000 lines: ACLs, routers and transports
/// such as real configurations have, with expansions in most options.
fn big_config() -> String {
    let mut c = String::from(
        "primary_hostname = mail.example.com\n\
         domainlist local_domains = @ : example.com : lsearch;/etc/exim4/domains\n\
         hostlist relay_from_hosts = 127.0.0.1 : ::1\n\
         acl_smtp_rcpt = acl_check_rcpt\n\
         acl_smtp_data = acl_check_data\n\
         smtp_banner = $smtp_active_hostname ESMTP Exim $version_number $tod_full\n\
         begin acl\n\
         acl_check_rcpt:\n",
    );
    for i in 0..150 {
        c.push_str(&format!(
            "  deny    domains = +local_domains\n\
             \x20         local_parts = ^[.] : ^.*[@%!/|]\n\
             \x20         condition = ${{if eq{{$local_part}}{{user{i}}}{{yes}}{{no}}}}\n\
             \x20         message = rejected ${{lc:$local_part}}@$domain ({i})\n\
             \x20 warn    set acl_m_{} = ${{sg{{$sender_address}}{{\\N@.*\\N}}{{}}}}\n",
            i % 10
        ));
    }
    c.push_str("  accept\nacl_check_data:\n");
    for i in 0..50 {
        c.push_str(&format!(
            "  warn    condition = ${{if >{{$message_size}}{{{}}}}}\n\
             \x20         add_header = X-Size-{i}: ${{eval:$message_size/1024}}k\n",
            i * 1000
        ));
    }
    c.push_str("  accept\nbegin routers\n");
    for i in 0..150 {
        c.push_str(&format!(
            "router{i}:\n  driver = redirect\n  domains = +local_domains\n\
             \x20 condition = ${{if match{{$local_part}}{{\\N^r{i}-\\N}}}}\n\
             \x20 data = ${{lookup{{$local_part}}lsearch{{/etc/aliases}}}}\n\
             \x20 headers_add = X-Router: ${{uc:router{i}}}\n"
        ));
    }
    c.push_str("begin transports\n");
    for i in 0..60 {
        c.push_str(&format!(
            "local{i}:\n  driver = appendfile\n  file = /var/mail/${{lc:$local_part}}\n\
             \x20 headers_add = X-Transport: ${{if def:h_subject:{{$h_subject:}}{{none}}}}\n"
        ));
    }
    c
}

fn bench(c: &mut Criterion) {
    let data = Data::new();
    let dir = data.as_ref().map(|d| d.dir.clone()).unwrap_or_default();
    let typical = mix("typical", &dir);
    let plain = non_crypto(typical.clone());
    let regex = mix("regex", &dir);
    report("typical (all)", &typical, Profile::DEBIAN_4_96);
    report("typical (non-crypto)", &plain, Profile::DEBIAN_4_96);
    report("regex", &regex, Profile::DEBIAN_4_96);

    let mut ctx = context(Profile::DEBIAN_4_96);
    let mut g = c.benchmark_group("typical non-crypto");
    g.throughput(Throughput::Elements(plain.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for e in &plain {
                black_box(parse(&ctx, black_box(e)));
            }
        })
    });
    let trees: Vec<_> = plain.iter().map(|e| parse(&ctx, e)).collect();
    g.bench_function("evaluate", |b| {
        b.iter(|| {
            for t in &trees {
                let _ = black_box(Evaluator::new(&mut ctx).run(t));
            }
        })
    });
    g.bench_function("parse + evaluate", |b| {
        b.iter(|| {
            for e in &plain {
                let t = parse(&ctx, e);
                let _ = black_box(Evaluator::new(&mut ctx).run(&t));
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("regex");
    g.throughput(Throughput::Elements(regex.len() as u64));
    let trees: Vec<_> = regex.iter().map(|e| parse(&ctx, e)).collect();
    g.bench_function("evaluate", |b| {
        b.iter(|| {
            for t in &trees {
                let _ = black_box(Evaluator::new(&mut ctx).run(t));
            }
        })
    });
    g.finish();

    if let Some(data) = &data {
        let d = data.dir.to_string_lossy();
        let mut rows = vec![
            (
                "cdb",
                Profile::DEBIAN_4_96,
                format!("${{lookup{{k@}}cdb{{{d}/data.cdb}}}}"),
            ),
            (
                "lsearch",
                Profile::DEBIAN_4_96,
                format!("${{lookup{{k@}}lsearch{{{d}/data.lsearch}}}}"),
            ),
        ];
        if data.lmdb {
            rows.push((
                "lmdb",
                Profile::UPSTREAM_4_96_FULL,
                format!("${{lookup{{k@}}lmdb{{{d}/data.mdb}}}}"),
            ));
        }
        let mut g = c.benchmark_group("cached lookup");
        for (name, profile, template) in rows {
            let mut ctx = context(profile);
            // 100 keys, asked over and over: the session's cache answers.
            let trees: Vec<_> = (0..100)
                .map(|k| parse(&ctx, &template.replace('@', &k.to_string())))
                .collect();
            for t in &trees {
                let v = Evaluator::new(&mut ctx).run(t).unwrap();
                assert!(v.bytes.starts_with(b"value of key"), "{name}: {v:?}");
            }
            g.throughput(Throughput::Elements(trees.len() as u64));
            g.bench_function(name, |b| {
                b.iter(|| {
                    for t in &trees {
                        let _ = black_box(Evaluator::new(&mut ctx).run(t));
                    }
                })
            });
        }
        g.finish();
    }

    let text = big_config();
    let lines = text.lines().count();
    let config = exim_expand::config::Config::from_str(&text, &[]).unwrap();
    let ctx = Context::new();
    assert!(exim_expand::lint::lint_config(&config, &ctx).is_empty());
    let mut g = c.benchmark_group("lint");
    g.bench_function(format!("read and lint a {lines}-line configuration"), |b| {
        b.iter(|| {
            let config = exim_expand::config::Config::from_str(black_box(&text), &[]).unwrap();
            black_box(exim_expand::lint::lint_config(&config, &ctx))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
