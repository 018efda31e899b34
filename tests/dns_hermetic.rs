//! `SystemResolver` against `ZoneResolver`: the zones of tests/data/dns,
//! served by a real nsd inside `shared/tools/hermetic-dns` (a network
//! namespace whose resolv.conf points at it), must give the system
//! resolver the answers `ZoneResolver::from_dir` gives.
//!
//! A plain `cargo test` re-executes this test binary under hermetic-dns
//! when nsd and the script are there (and we are root); otherwise it says
//! SKIPPED and passes, unless `EXIM_ORACLE=required` (CI).  The system
//! resolver is only ever asked inside the namespace.

use std::path::{Path, PathBuf};
use std::process::Command;

use exim_expand::dns::{ConfiguredSystemResolver, SystemResolver, ZoneResolver};
use exim_expand::eval::{Answer, DnsError, QueryFlags, RData, Resolver, RrType};

const TEST: &str = "system_resolver_answers_as_zone_resolver";
/// Set for the run inside hermetic-dns.
const INNER: &str = "EXIM_EXPAND_DNS_HERMETIC_INNER";

/// What a query is expected to give (both resolvers must also agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Ok,
    NoData,
    NxDomain,
    Again,
}
use Want::{Again, NoData, NxDomain, Ok as Found};

/// The queries compared: every record type, TXT strings with escapes,
/// wildcards, a CNAME chain across zones, a dangling and a looping
/// CNAME, empty non-terminals, delegations, MX of several preferences,
/// `$INCLUDE`d data, names in other cases than written.
const QUERIES: &[(&str, RrType, Want)] = &[
    ("example.test", RrType::Soa, Found),
    ("example.test", RrType::Ns, Found),
    ("example.test", RrType::Mx, Found),
    ("example.test", RrType::A, Found),
    ("example.test", RrType::Aaaa, Found),
    ("example.test", RrType::Txt, Found),
    ("example.test", RrType::Spf, Found),
    ("example.test", RrType::Cname, NoData),
    ("example.test", RrType::Ptr, NoData),
    ("example.test", RrType::Srv, NoData),
    ("example.test", RrType::Tlsa, NoData),
    ("ns.example.test", RrType::A, Found),
    ("mx1.example.test", RrType::A, Found),
    ("mx2.example.test", RrType::Aaaa, Found),
    ("mx2.example.test", RrType::Mx, NoData),
    ("txt.example.test", RrType::Txt, Found),
    ("long.example.test", RrType::Txt, Found),
    ("_submission._tcp.example.test", RrType::Srv, Found),
    ("_25._tcp.mx1.example.test", RrType::Tlsa, Found),
    ("_25._tcp.mx2.example.test", RrType::Tlsa, Found),
    ("_tcp.example.test", RrType::Srv, NoData),
    ("alias1.example.test", RrType::A, Found),
    ("alias1.example.test", RrType::Aaaa, Found),
    ("alias1.example.test", RrType::Cname, Found),
    ("alias1.example.test", RrType::Mx, Found),
    ("alias2.example.test", RrType::Txt, Found),
    ("dangling.example.test", RrType::A, NxDomain),
    ("dangling.example.test", RrType::Cname, Found),
    ("nodata-alias.example.test", RrType::Mx, Found),
    ("loop1.example.test", RrType::A, Found),
    ("x.users.example.test", RrType::A, Found),
    ("x.users.example.test", RrType::Txt, Found),
    ("x.users.example.test", RrType::Mx, NoData),
    ("a.b.users.example.test", RrType::A, Found),
    ("bob.users.example.test", RrType::A, Found),
    ("bob.users.example.test", RrType::Txt, NoData),
    ("*.users.example.test", RrType::A, Found),
    ("users.example.test", RrType::A, NoData),
    ("sub1.users.example.test", RrType::A, NoData),
    ("x.sub1.users.example.test", RrType::A, NxDomain),
    ("deep.sub1.users.example.test", RrType::A, Found),
    ("foo.alias.example.test", RrType::A, Found),
    ("foo.alias.example.test", RrType::Cname, Found),
    ("ent.example.test", RrType::A, NoData),
    ("b.ent.example.test", RrType::Txt, NoData),
    ("a.b.ent.example.test", RrType::A, Found),
    ("c.b.ent.example.test", RrType::A, NxDomain),
    ("delegated.example.test", RrType::Ns, Again),
    ("delegated.example.test", RrType::A, Again),
    ("host.delegated.example.test", RrType::A, Again),
    ("x.delegated.example.test", RrType::A, Again),
    ("glued.example.test", RrType::Ns, NoData),
    ("ns.glued.example.test", RrType::A, NoData),
    ("x.glued.example.test", RrType::Mx, NoData),
    ("mixedcase.example.test", RrType::A, Found),
    ("MIXEDCASE.EXAMPLE.TEST", RrType::A, Found),
    ("WWW.Example.Test", RrType::Aaaa, Found),
    ("Alias1.EXAMPLE.test", RrType::A, Found),
    ("mc-alias.example.test", RrType::A, Found),
    ("uc-alias.example.test", RrType::A, Found),
    ("ucmx.example.test", RrType::Mx, Found),
    ("UCMX.example.TEST", RrType::Mx, Found),
    ("esc\\.dot.example.test", RrType::Txt, Found),
    ("caa.example.test", RrType::A, NoData),
    ("inc.example.test", RrType::A, Found),
    ("inc.example.test", RrType::Txt, Found),
    ("inc.included.example.test", RrType::A, Found),
    ("after.example.test", RrType::A, Found),
    ("nonexistent.example.test", RrType::A, NxDomain),
    ("nonexistent.example.test", RrType::Mx, NxDomain),
    ("example.test.", RrType::Mx, Found),
    ("other.test", RrType::Soa, Found),
    ("ns.other.test", RrType::A, Found),
    ("sub.other.test", RrType::Txt, Found),
    ("deep.sub.other.test", RrType::A, Found),
    ("srv.sub.other.test", RrType::Srv, Found),
    ("alias3.other.test", RrType::A, Found),
    ("2.0.192.in-addr.arpa", RrType::Soa, Found),
    ("1.2.0.192.in-addr.arpa", RrType::Ptr, Found),
    ("25.2.0.192.in-addr.arpa", RrType::Ptr, Found),
    ("99.2.0.192.in-addr.arpa", RrType::Ptr, NxDomain),
    ("in-addr.arpa", RrType::Ptr, NoData),
    ("test", RrType::A, NoData),
    ("nonexistent.invalid", RrType::A, NxDomain),
    ("example.org", RrType::Mx, NxDomain),
    ("primary.mx.test", RrType::Mx, Found),
    ("both.mx.test", RrType::Aaaa, Found),
    ("local6.mx.test", RrType::A, NoData),
    ("alias.mx.test", RrType::A, Found),
    ("ipmx.mx.test", RrType::Mx, Found),
    ("UPPER.mx.test", RrType::Mx, Found),
    ("_client._smtp.csa-yes.example.test", RrType::Srv, Found),
    ("_client._smtp.host.subs.example.test", RrType::Srv, NoData),
    ("multi.example.test", RrType::Txt, Found),
    ("spf2.example.test", RrType::Spf, Found),
    (
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
        RrType::Ptr,
        Found,
    ),
];

#[test]
fn system_resolver_answers_as_zone_resolver() {
    if std::env::var_os(INNER).is_some() {
        compare_inside();
    } else {
        run_under_hermetic_dns();
    }
}

fn zones() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dns")
}

/// `shared/tools/hermetic-dns` beside the repository (or beside
/// `EXIM_CONFORMANCE_DIR`).
fn hermetic_dns() -> PathBuf {
    let shared = match std::env::var_os("EXIM_CONFORMANCE_DIR") {
        Some(d) => Path::new(&d).join(".."),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    shared.join("tools/hermetic-dns")
}

fn skip(why: &str) {
    assert!(
        std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
        "EXIM_ORACLE=required but {why} (needed by {TEST})"
    );
    eprintln!("SKIPPED {TEST}: {why}");
}

fn nsd_installed() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/sbin".into()])
        .any(|d| d.join("nsd").is_file())
}

fn run_under_hermetic_dns() {
    let script = hermetic_dns();
    if !script.is_file() {
        return skip(&format!("{} is absent", script.display()));
    }
    if !nsd_installed() {
        return skip("nsd is not installed (apt-get install -y nsd)");
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return skip("hermetic-dns needs root for its network namespace");
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new("bash")
        .arg(&script)
        .arg(zones())
        .arg(exe)
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run hermetic-dns");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stderr}");
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "under hermetic-dns: {}\n{stdout}\n{stderr}",
        out.status
    );
}

/// Refuses to ask the system resolver anywhere but in hermetic-dns's
/// namespace, whose resolv.conf names only the loopback server.
fn assert_hermetic() {
    assert!(
        std::env::var_os("HERMETIC_DNS_WORK").is_some(),
        "{INNER} is set outside hermetic-dns: refusing to query the system resolver"
    );
    let conf = std::fs::read_to_string("/etc/resolv.conf").expect("read /etc/resolv.conf");
    let servers: Vec<&str> = conf
        .lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .map(str::trim)
        .collect();
    assert!(
        !servers.is_empty() && servers.iter().all(|s| *s == "127.0.0.1" || *s == "::1"),
        "resolv.conf names servers other than the loopback one: {servers:?}"
    );
}

fn compare_inside() {
    assert_hermetic();
    let zone = ZoneResolver::from_dir(zones()).expect("load tests/data/dns");
    let mut bad = Vec::new();
    for &(name, rr, want) in QUERIES {
        let z = zone.query(name.as_bytes(), rr);
        let s = SystemResolver.query(name.as_bytes(), rr);
        eprintln!("{name} {rr:?}: {}", show(&s));
        if normalized(&z) != normalized(&s) {
            bad.push(format!(
                "{name} {rr:?}\n  zone:   {}\n  system: {}",
                show(&z),
                show(&s)
            ));
        } else if outcome(&z) != Some(want) {
            bad.push(format!(
                "{name} {rr:?}: want {want:?}, both gave {}",
                show(&z)
            ));
        }
    }
    bad.extend(with_dnssec_ok(&zone));
    bad.extend(dropin_with_the_system_resolver());
    bad.extend(from_threads(&zone));
    assert!(
        bad.is_empty(),
        "{} of {} queries differ:\n{}",
        bad.len(),
        QUERIES.len(),
        bad.join("\n")
    );
    eprintln!(
        "compared {} queries: SystemResolver under nsd = ZoneResolver",
        QUERIES.len()
    );
}

/// Asking with the DO bit (Exim's `dns_dnssec_ok = 1`, and every `dnsdb`
/// lookup not marked `dnssec_never`) changes nothing for unsigned zones
/// but the delegations: with EDNS0 glibc no longer takes a glueless
/// referral for a lame server, and `ZoneResolver::query_with` knows it.
fn with_dnssec_ok(zone: &ZoneResolver) -> Vec<String> {
    let dnssec = ConfiguredSystemResolver {
        dnssec_ok: Some(true),
        ..Default::default()
    };
    let mut bad = Vec::new();
    for &(name, rr, _) in QUERIES {
        let z = zone.query_with(name.as_bytes(), rr, QueryFlags::dnssec());
        for (who, s) in [
            ("dns_dnssec_ok", dnssec.query(name.as_bytes(), rr)),
            (
                "query_with",
                SystemResolver.query_with(name.as_bytes(), rr, QueryFlags::dnssec()),
            ),
        ] {
            if normalized(&z) != normalized(&s) {
                bad.push(format!(
                    "{name} {rr:?} with DO ({who})\n  zone:   {}\n  system: {}",
                    show(&z),
                    show(&s)
                ));
            }
        }
        if name.contains("delegated") && outcome(&z) != Some(NoData) {
            bad.push(format!("{name} {rr:?} with DO: {}", show(&z)));
        }
    }
    bad
}

/// Lines whose answers also depend on the host table (/etc/hosts, read
/// by Exim's gethostbyaddr and gethostbyname): 127.0.0.1's name found
/// there but not verified by the DNS, "localhost" in a host list.
const SYSTEM_LINES: &str = "$sender_host_name $host_lookup_failed\n\
    ${acl{hostcheck}{localhost}}\n\
    ${acl{hostcheck}{example.test}}\n\
    ${lookup dnsdb{>: mx=example.test}}\n\
    ${if match_domain{primary.mx.test}{@mx_primary}{y}{n}}\n";

/// The drop-in with the system resolver (no --dns-zones) against the
/// real Exim, both asking the nsd of this namespace.
fn dropin_with_the_system_resolver() -> Vec<String> {
    let exim = Path::new("/usr/sbin/exim4");
    if !exim.exists() {
        assert!(
            std::env::var("EXIM_ORACLE").as_deref() != Ok("required"),
            "EXIM_ORACLE=required but /usr/sbin/exim4 is missing"
        );
        eprintln!("SKIPPED drop-in comparison: no /usr/sbin/exim4");
        return Vec::new();
    }
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/fixtures/conf/hosts.conf");
    let run = |program: &Path, ip: &str| {
        let mut child = Command::new(program)
            .arg("-C")
            .arg(&conf)
            .args(["-oMa", ip, "-be"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run the drop-in");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(SYSTEM_LINES.as_bytes())
            .unwrap();
        String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
    };
    let ours = Path::new(env!("CARGO_BIN_EXE_exim-expand"));
    let mut bad = Vec::new();
    for ip in ["127.0.0.1", "192.0.2.1", "192.0.2.25", "192.0.2.99"] {
        let (want, got) = (run(exim, ip), run(ours, ip));
        if want != got {
            bad.push(format!("-oMa {ip}\n  exim: {want:?}\n  ours: {got:?}"));
        }
    }
    bad
}

/// The system resolver from several threads at once (a resolver state
/// each) gives the same answers.
fn from_threads(zone: &ZoneResolver) -> Vec<String> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                scope.spawn(move || {
                    let mut bad = Vec::new();
                    for &(name, rr, _) in QUERIES.iter().skip(t).step_by(2) {
                        let s = SystemResolver.query(name.as_bytes(), rr);
                        if normalized(&zone.query(name.as_bytes(), rr)) != normalized(&s) {
                            bad.push(format!("{name} {rr:?} from thread {t}: {}", show(&s)));
                        }
                    }
                    bad
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

fn outcome(r: &Result<Answer, DnsError>) -> Option<Want> {
    match r {
        Ok(_) => Some(Found),
        Err(DnsError::NoData) => Some(NoData),
        Err(DnsError::NoSuchName) => Some(NxDomain),
        Err(DnsError::Again(_)) => Some(Again),
        Err(_) => None,
    }
}

/// An answer for comparing: the leading CNAMEs in order, the other
/// records sorted; failures by kind (their messages differ).
fn normalized(r: &Result<Answer, DnsError>) -> String {
    match r {
        Ok(a) => {
            let cnames = a
                .records
                .iter()
                .take_while(|r| matches!(r.data, RData::Cname(_)))
                .count();
            let mut rest: Vec<String> = a.records[cnames..]
                .iter()
                .map(|r| format!("{r:?}"))
                .collect();
            rest.sort();
            let head: Vec<String> = a.records[..cnames]
                .iter()
                .map(|r| format!("{r:?}"))
                .collect();
            format!("ad={} {head:?} {rest:?}", a.authenticated)
        }
        Err(DnsError::Again(_)) => "Again".into(),
        Err(DnsError::Fail(_)) => "Fail".into(),
        Err(e) => format!("{e:?}"),
    }
}

/// An answer, readably.
fn show(r: &Result<Answer, DnsError>) -> String {
    match r {
        Ok(a) => a
            .records
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    String::from_utf8_lossy(&r.name),
                    r.ttl,
                    rdata(&r.data)
                )
            })
            .collect::<Vec<_>>()
            .join(" | "),
        Err(e) => format!("{e:?}"),
    }
}

fn rdata(d: &RData) -> String {
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match d {
        RData::Cname(n) => format!("CNAME {}", s(n)),
        RData::Mx {
            preference,
            exchange,
        } => format!("MX {preference} {}", s(exchange)),
        RData::Txt(t) => format!("TXT {:?}", t.iter().map(|x| s(x)).collect::<Vec<_>>()),
        other => format!("{other:?}"),
    }
}
