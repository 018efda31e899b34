//! Differential conformance: every case of the shared corpus (produced by
//! the real Exim 4.96) is run through our binary exactly as
//! `run_exim.py --check` runs the oracle: `exim-expand -C CONF ARGV -be`,
//! with the same stdin, environment and frozen clock.
//!
//! The test prints identical/total per area and fails when a case that is
//! not listed in `tests/conformance/known-failures.jsonl` differs.  When a
//! listed case starts passing, it says so; `UPDATE_KNOWN_FAILURES=1`
//! rewrites the list (it may only shrink: new failures are never added
//! silently).

use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

const SENTINEL: &str = "@@@sentinel-4f1c@@@";
const DEFAULT_FAKETIME: &str = "2024-01-15 12:00:00";

fn corpus_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("EXIM_CONFORMANCE_DIR") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance")
}

fn known_failures_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/known-failures.jsonl")
}

/// Raw bytes of `expr`/`out`, honouring the `_hex` forms.
fn field_bytes(case: &Json, key: &str) -> Vec<u8> {
    if let Some(h) = case.get(format!("{key}_hex")).and_then(Json::as_str) {
        return (0..h.len() / 2)
            .filter_map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok())
            .collect();
    }
    case.get(key)
        .and_then(Json::as_str)
        .unwrap_or("")
        .as_bytes()
        .to_vec()
}

fn replace_all(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// Copies the fixtures to a temporary directory, substituting @FIXTURES@.
fn instantiate_fixtures(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            instantiate_fixtures(&from, &to);
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&from).unwrap();
            let _ = std::os::unix::fs::symlink(target, &to);
        } else {
            let data = std::fs::read(&from).unwrap();
            let root = fixtures_root(dst);
            let data = replace_all(&data, b"@FIXTURES@", root.as_os_str().as_encoded_bytes());
            std::fs::write(&to, data).unwrap();
        }
    }
}

/// The instantiated fixtures root (the ancestor named `fixtures`).
fn fixtures_root(p: &Path) -> PathBuf {
    let mut cur = p;
    while cur.file_name().is_some_and(|n| n != "fixtures") {
        cur = cur.parent().unwrap();
    }
    cur.to_path_buf()
}

fn libfaketime() -> Option<PathBuf> {
    for dir in [
        "/usr/lib/x86_64-linux-gnu/faketime",
        "/usr/lib/aarch64-linux-gnu/faketime",
        "/usr/lib/faketime",
    ] {
        let p = Path::new(dir).join("libfaketime.so.1");
        if p.exists() {
            return Some(p);
        }
    }
    None
}

/// Splits a long line into backslash-continued physical lines (as
/// run_exim.py does for Exim's 1024-byte line buffer).
fn physical_lines(line: &[u8], limit: usize) -> Vec<Vec<u8>> {
    if line.len() <= limit {
        return vec![line.to_vec()];
    }
    let mut out = Vec::new();
    let mut start = 0;
    while line.len() - start > limit {
        let mut cut = start + limit;
        while cut > start + 1 && (line[cut].is_ascii_whitespace() || (line[cut] & 0xC0) == 0x80) {
            cut -= 1;
        }
        let mut l = line[start..cut].to_vec();
        l.push(b'\\');
        out.push(l);
        start = cut;
    }
    out.push(line[start..].to_vec());
    out
}

struct Outcome {
    ok: bool,
    out: Vec<u8>,
    crash: bool,
}

fn run_case(
    bin: &Path,
    fixtures: &Path,
    tmp: &Path,
    case: &Json,
    faketime: Option<&Path>,
) -> Result<Outcome, String> {
    let fx = fixtures.as_os_str().as_encoded_bytes();
    let subst = |b: &[u8]| replace_all(b, b"@FIXTURES@", fx);
    let expr = subst(&field_bytes(case, "expr"));
    let config = case.get("config").and_then(Json::as_str).unwrap_or("min");
    let conf = fixtures.join("conf").join(format!("{config}.conf"));
    let mut cmd = Command::new(bin);
    cmd.arg("-C").arg(&conf);
    if let Some(argv) = case.get("argv").and_then(Json::as_array) {
        for a in argv {
            let a = subst(a.as_str().unwrap_or("").as_bytes());
            cmd.arg(std::ffi::OsStr::from_encoded_bytes_unchecked_safe(&a));
        }
    }
    // Cases whose oracle ran under shared/tools/hermetic-dns with these
    // zones: ours reads the same zone files.
    // The others get no zones at all, so that no case asks the network.
    match case.get("dns_zones").and_then(Json::as_str) {
        Some(zones) => cmd
            .arg("--dns-zones")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(zones)),
        None => cmd.arg("--dns-zones").arg(tmp.join("no-zones")),
    };
    cmd.arg("-be");
    cmd.env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("TZ", "UTC")
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .env("HOME", "/root")
        .env("USER", "exim-corpus-user")
        .env("EXIM_CORPUS_VAR", "corpus value")
        .current_dir(tmp);
    let ft = match case.get("faketime") {
        Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        _ => Some(DEFAULT_FAKETIME.to_string()),
    };
    if let (Some(ft), Some(lib)) = (ft, faketime) {
        cmd.env("LD_PRELOAD", lib)
            .env("FAKETIME", ft)
            .env("FAKETIME_DONT_RESET", "1")
            .env("DONT_FAKE_MONOTONIC", "1");
    }
    let mut stdin = Vec::new();
    if let Some(setup) = case.get("setup").and_then(Json::as_array) {
        for l in setup {
            stdin.extend(subst(l.as_str().unwrap_or("").as_bytes()));
            stdin.push(b'\n');
        }
    }
    stdin.extend_from_slice(SENTINEL.as_bytes());
    stdin.push(b'\n');
    let lines = physical_lines(&expr, 1000);
    stdin.extend(lines.join(&b'\n'));
    stdin.push(b'\n');
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("spawn: {e}"))?;
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().map_err(|e| format!("wait: {e}"))?;
    let _ = writer.join();
    let out = replace_all(&output.stdout, fx, b"@FIXTURES@");
    let marker = format!("> {SENTINEL}\n> ");
    let Some(i) = out
        .windows(marker.len())
        .position(|w| w == marker.as_bytes())
    else {
        return Err(format!(
            "sentinel not found; status {:?}; stderr {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        ));
    };
    let mut res = out[i + marker.len()..].to_vec();
    if output.status.code().is_none() || !res.ends_with(b"\n> \n") {
        return Ok(Outcome {
            ok: false,
            out: b"CRASH".to_vec(),
            crash: true,
        });
    }
    res.truncate(res.len() - 4);
    if let Some(rest) = res.strip_prefix(b"Failed: ") {
        return Ok(Outcome {
            ok: false,
            out: rest.to_vec(),
            crash: false,
        });
    }
    Ok(Outcome {
        ok: true,
        out: res,
        crash: false,
    })
}

/// `OsStr::from_encoded_bytes_unchecked` without unsafe: on Unix any bytes
/// are a valid OsStr.
trait FromBytes {
    fn from_encoded_bytes_unchecked_safe(b: &[u8]) -> &std::ffi::OsStr;
}
impl FromBytes for std::ffi::OsStr {
    fn from_encoded_bytes_unchecked_safe(b: &[u8]) -> &std::ffi::OsStr {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(b)
    }
}

/// The identity of a case in the known-failures list.
fn case_key(file: &str, case: &Json) -> String {
    let mut k = serde_json::Map::new();
    k.insert("file".into(), Json::String(file.into()));
    for f in ["expr", "expr_hex", "config", "argv", "setup"] {
        if let Some(v) = case.get(f) {
            k.insert(f.into(), v.clone());
        }
    }
    Json::Object(k).to_string()
}

#[test]
fn corpus_matches_exim() {
    let dir = corpus_dir();
    let have_corpus = dir.join("run_exim.py").exists();
    if !have_corpus {
        let why = format!(
            "the shared corpus is not at {} (set EXIM_CONFORMANCE_DIR)",
            dir.display()
        );
        assert!(
            std::env::var("EXIM_SHARED").as_deref() != Ok("required"),
            "EXIM_SHARED=required but {why}"
        );
        eprintln!("SKIPPED shared corpus: {why}; running this repository's own cases only");
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_exim-expand"));
    let tmp = std::env::temp_dir().join(format!("exim-expand-conf.{}", std::process::id()));
    let fixtures = tmp.join("fixtures");
    if have_corpus {
        instantiate_fixtures(&dir.join("fixtures"), &fixtures);
    }
    // This repository's own fixtures (tests/cases/fixtures) go on top.
    instantiate_fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/fixtures"),
        &fixtures,
    );
    std::fs::create_dir_all(tmp.join("no-zones")).unwrap();
    let faketime = libfaketime();
    if faketime.is_none() {
        eprintln!(
            "NOTE: libfaketime not installed: time-dependent cases are not compared (apt-get install faketime)"
        );
    }

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    if let Ok(rd) = std::fs::read_dir(&local) {
        files.extend(
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl")),
        );
    }
    files.sort();

    let mut cases: Vec<(String, Json)> = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for line in std::fs::read_to_string(f).unwrap().lines() {
            if line.trim().is_empty() {
                continue;
            }
            cases.push((name.clone(), serde_json::from_str(line).unwrap()));
        }
    }

    let known: BTreeSet<String> = std::fs::read_to_string(known_failures_path())
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();

    let results: Mutex<Vec<Option<(bool, String)>>> = Mutex::new(vec![None; cases.len()]);
    let next = Mutex::new(0usize);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        let i = *n;
                        *n += 1;
                        i
                    };
                    if i >= cases.len() {
                        break;
                    }
                    let (_, case) = &cases[i];
                    let skip = case
                        .get("nondeterministic")
                        .and_then(Json::as_bool)
                        .unwrap_or(false)
                        || (case
                            .get("time_dependent")
                            .and_then(Json::as_bool)
                            .unwrap_or(false)
                            && faketime.is_none());
                    if skip {
                        continue;
                    }
                    let r = match run_case(&bin, &fixtures, &tmp, case, faketime.as_deref()) {
                        Ok(o) => {
                            let want_ok = case.get("ok").and_then(Json::as_bool).unwrap_or(true);
                            let same = if case.get("crash").and_then(Json::as_bool).unwrap_or(false)
                            {
                                !o.ok && !o.crash
                            } else {
                                o.ok == want_ok && o.out == field_bytes(case, "out")
                            };
                            let got = format!(
                                "{} {:?}",
                                if o.ok { "ok" } else { "Failed:" },
                                String::from_utf8_lossy(&o.out)
                            );
                            (same, got)
                        }
                        Err(e) => (false, format!("harness error: {e}")),
                    };
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&tmp);

    let results = results.into_inner().unwrap();
    let mut per_area: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut regressions = Vec::new();
    let mut fixed = Vec::new();
    let mut still_failing = BTreeSet::new();
    for ((file, case), r) in cases.iter().zip(&results) {
        let Some((same, got)) = r else { continue };
        let area = case
            .get("area")
            .and_then(Json::as_str)
            .unwrap_or(file)
            .to_string();
        let e = per_area.entry(area).or_default();
        e.0 += 1;
        let key = case_key(file, case);
        if *same {
            e.1 += 1;
            if known.contains(&key) {
                fixed.push(key);
            }
        } else if known.contains(&key) {
            still_failing.insert(key);
        } else {
            regressions.push(format!(
                "{file}: {}\n  expected {} {:?}\n  got      {got}",
                case.get("expr").and_then(Json::as_str).unwrap_or(""),
                if case.get("ok").and_then(Json::as_bool).unwrap_or(true) {
                    "ok"
                } else {
                    "Failed:"
                },
                String::from_utf8_lossy(&field_bytes(case, "out"))
            ));
        }
    }
    let (mut total, mut same) = (0, 0);
    println!("conformance (identical/compared):");
    for (area, (n, ok)) in &per_area {
        total += n;
        same += ok;
        println!(
            "  {area:<12} {ok:>5}/{n:<5} {:>5.1}%",
            100.0 * *ok as f64 / (*n).max(1) as f64
        );
    }
    println!(
        "  {:<12} {same:>5}/{total:<5} {:>5.1}%",
        "all",
        100.0 * same as f64 / total.max(1) as f64
    );
    if !fixed.is_empty() {
        println!(
            "{} known failures now pass: shrink tests/conformance/known-failures.jsonl (UPDATE_KNOWN_FAILURES=1)",
            fixed.len()
        );
    }
    let bootstrap = std::env::var_os("BOOTSTRAP_KNOWN_FAILURES").is_some();
    if bootstrap || std::env::var_os("UPDATE_KNOWN_FAILURES").is_some() {
        // UPDATE only shrinks the list; BOOTSTRAP records every current
        // failure (for a new corpus file; say so in the commit).
        let mut list: Vec<String> = still_failing.into_iter().collect();
        if bootstrap {
            for ((file, case), r) in cases.iter().zip(&results) {
                if let Some((false, _)) = r {
                    list.push(case_key(file, case));
                }
            }
        }
        list.sort();
        list.dedup();
        std::fs::write(known_failures_path(), list.join("\n") + "\n").unwrap();
        println!(
            "rewrote {} ({} entries)",
            known_failures_path().display(),
            list.len()
        );
        if bootstrap {
            return;
        }
    }
    assert!(
        regressions.is_empty(),
        "{} case(s) differ from Exim and are not known failures:\n{}",
        regressions.len(),
        regressions.join("\n")
    );
}
