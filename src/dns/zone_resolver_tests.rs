//! ZoneResolver on the fixture zones of tests/data/dns (the ones
//! tests/dns_hermetic.rs also serves with nsd) and on small zones made
//! here: answers, and errors in zone files.

use std::path::{Path, PathBuf};

use super::ZoneResolver;
use crate::eval::{Answer, DnsError, RData, Resolver, RrType};

fn fixtures() -> ZoneResolver {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dns");
    ZoneResolver::from_dir(dir).unwrap()
}

fn ok(z: &ZoneResolver, name: &str, rr: RrType) -> Answer {
    z.query(name.as_bytes(), rr)
        .unwrap_or_else(|e| panic!("{name} {rr:?}: {e:?}"))
}

fn names(a: &Answer) -> Vec<String> {
    a.records
        .iter()
        .map(|r| String::from_utf8_lossy(&r.name).into_owned())
        .collect()
}

const SOA: &str = "@ SOA ns hostmaster 1 3600 600 86400 300\n";

#[test]
fn loads_every_zone_file() {
    assert_eq!(
        fixtures().zones(),
        [
            "2.0.192.in-addr.arpa",
            "8.b.d.0.1.0.0.2.ip6.arpa",
            "example.test",
            "lists.test",
            "mx.test",
            "other.test"
        ]
    );
}

#[test]
fn mx_with_several_preferences() {
    let a = ok(&fixtures(), "example.test", RrType::Mx);
    let mut mx: Vec<(u16, String)> = a
        .records
        .iter()
        .map(|r| match &r.data {
            RData::Mx {
                preference,
                exchange,
            } => (*preference, String::from_utf8_lossy(exchange).into_owned()),
            other => panic!("{other:?}"),
        })
        .collect();
    mx.sort();
    let want = [
        (10, "mx1.example.test"),
        (20, "mx2.example.test"),
        (20, "mx3.other.test"),
        (30, "example.test"),
    ];
    assert_eq!(mx, want.map(|(p, n)| (p, n.to_string())));
}

#[test]
fn txt_strings_and_escapes() {
    let a = ok(&fixtures(), "txt.example.test", RrType::Txt);
    let strings: Vec<&Vec<Vec<u8>>> = a
        .records
        .iter()
        .map(|r| match &r.data {
            RData::Txt(s) => s,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        strings[0],
        &[
            b"first string".to_vec(),
            b"second \"quoted\" string".to_vec(),
            b"back\\slash".to_vec(),
            b"ABC and ;".to_vec()
        ]
    );
    assert_eq!(strings[1][1], b"");
    let long = ok(&fixtures(), "long.example.test", RrType::Txt);
    let RData::Txt(s) = &long.records[0].data else {
        panic!()
    };
    assert_eq!(s.iter().map(Vec::len).collect::<Vec<_>>(), [70, 70, 255]);
    let spf = ok(&fixtures(), "example.test", RrType::Spf);
    assert_eq!(
        spf.records[0].data,
        RData::Txt(vec![b"v=spf1 mx -all".to_vec()])
    );
}

#[test]
fn cname_chains() {
    let z = fixtures();
    let a = ok(&z, "alias1.example.test", RrType::A);
    assert_eq!(
        names(&a),
        [
            "alias1.example.test",
            "alias2.example.test",
            "alias3.other.test",
            "www.example.test"
        ]
    );
    assert_eq!(a.records[3].data, RData::A([192, 0, 2, 80].into()));
    assert_eq!(
        ok(&z, "alias1.example.test", RrType::Cname).records.len(),
        1
    );
    assert_eq!(ok(&z, "alias1.example.test", RrType::Mx).records.len(), 3);
    assert_eq!(
        z.query(b"dangling.example.test", RrType::A),
        Err(DnsError::NoSuchName)
    );
    assert_eq!(ok(&z, "loop1.example.test", RrType::A).records.len(), 2);
}

#[test]
fn long_chains_are_cut() {
    let mut text = SOA.to_string();
    for i in 0..100 {
        text.push_str(&format!("c{i} CNAME c{}\n", i + 1));
    }
    text.push_str("c100 A 192.0.2.1\n");
    let z = ZoneResolver::from_zone_text("example.test", text).unwrap();
    let a = ok(&z, "c0.example.test", RrType::A);
    assert!(a.records.len() <= 34, "{}", a.records.len());
    assert!(a.records.iter().all(|r| matches!(r.data, RData::Cname(_))));
}

#[test]
fn wildcards_and_empty_non_terminals() {
    let z = fixtures();
    assert_eq!(
        names(&ok(&z, "x.users.example.test", RrType::A)),
        ["x.users.example.test"]
    );
    assert_eq!(
        names(&ok(&z, "a.b.users.example.test", RrType::Txt)),
        ["a.b.users.example.test"]
    );
    assert_eq!(
        z.query(b"x.users.example.test", RrType::Mx),
        Err(DnsError::NoData)
    );
    assert_eq!(
        z.query(b"bob.users.example.test", RrType::Txt),
        Err(DnsError::NoData)
    );
    assert_eq!(
        z.query(b"sub1.users.example.test", RrType::A),
        Err(DnsError::NoData)
    );
    assert_eq!(
        z.query(b"x.sub1.users.example.test", RrType::A),
        Err(DnsError::NoSuchName)
    );
    assert_eq!(ok(&z, "foo.alias.example.test", RrType::A).records.len(), 2);
    assert_eq!(
        z.query(b"ent.example.test", RrType::A),
        Err(DnsError::NoData)
    );
    assert_eq!(
        z.query(b"b.ent.example.test", RrType::A),
        Err(DnsError::NoData)
    );
    assert_eq!(
        z.query(b"c.b.ent.example.test", RrType::A),
        Err(DnsError::NoSuchName)
    );
    assert_eq!(
        z.query(b"caa.example.test", RrType::A),
        Err(DnsError::NoData)
    );
}

#[test]
fn delegations() {
    let z = fixtures();
    for name in ["delegated.example.test", "host.delegated.example.test"] {
        assert!(matches!(
            z.query(name.as_bytes(), RrType::A),
            Err(DnsError::Again(_))
        ));
    }
    assert_eq!(
        z.query(b"ns.glued.example.test", RrType::A),
        Err(DnsError::NoData)
    );
}

#[test]
fn names_outside_the_zones() {
    let z = fixtures();
    assert_eq!(
        z.query(b"example.org", RrType::A),
        Err(DnsError::NoSuchName)
    );
    assert_eq!(
        z.query(b"test", RrType::A),
        Err(DnsError::NoData),
        "above a zone"
    );
    assert!(matches!(
        z.query(b"a..b", RrType::A),
        Err(DnsError::Fail(_))
    ));
    assert_eq!(
        ZoneResolver::new().query(b"x", RrType::A),
        Err(DnsError::NoSuchName)
    );
}

#[test]
fn case_as_nsd_writes_it() {
    let z = fixtures();
    let a = ok(&z, "UCMX.example.TEST", RrType::Mx);
    assert_eq!(names(&a), ["UCMX.example.TEST"]);
    let RData::Mx { exchange, .. } = &a.records[0].data else {
        panic!()
    };
    assert_eq!(exchange, b"mx1.example.TEST");
    let a = ok(&z, "uc-alias.example.test", RrType::A);
    assert_eq!(names(&a), ["uc-alias.example.test", "www.example.test"]);
}

#[test]
fn included_files() {
    let z = fixtures();
    assert_eq!(ok(&z, "inc.example.test", RrType::A).records[0].ttl, 300);
    ok(&z, "inc.included.example.test", RrType::A);
    ok(&z, "after.example.test", RrType::A);
}

/// A fresh directory for zone files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exim-expand-dns-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn load_err(dir: &Path) -> String {
    ZoneResolver::from_dir(dir).unwrap_err().to_string()
}

#[test]
fn include_errors() {
    let dir = scratch("include");
    let zone = dir.join("example.test.zone");
    let check = |text: &str, want: &str| {
        std::fs::write(&zone, format!("{SOA}{text}\n")).unwrap();
        let e = load_err(&dir);
        assert!(e.contains(want), "{e}");
        assert!(e.starts_with(&dir.display().to_string()), "{e}");
    };
    check("$INCLUDE ../outside", "cannot read $INCLUDE file");
    std::fs::write(dir.join("../outside-exim-expand-dns"), SOA).unwrap();
    check(
        "$INCLUDE ../outside-exim-expand-dns",
        "outside the zone's directory",
    );
    check("$INCLUDE missing.inc", "cannot read $INCLUDE file");
    check("$INCLUDE self.inc sub", "origin must be absolute");
    std::fs::write(dir.join("self.inc"), "$INCLUDE self.inc\n").unwrap();
    check("$INCLUDE self.inc", "nested deeper than 8");
    std::fs::write(dir.join("bad.inc"), "x A 1.2.3\n").unwrap();
    std::fs::write(&zone, format!("{SOA}$INCLUDE bad.inc\n")).unwrap();
    let bad = dir.join("bad.inc").canonicalize().unwrap();
    assert_eq!(
        load_err(&dir),
        format!("{}:1: A record: bad IPv4 address '1.2.3'", bad.display())
    );
    let _ = std::fs::remove_file(dir.join("../outside-exim-expand-dns"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn directory_errors() {
    let dir = scratch("dir");
    std::fs::write(dir.join("a.test.zone"), format!("{SOA}x A 192.0.2.1\n")).unwrap();
    std::fs::write(dir.join("b.test.zone"), format!("{SOA}x MX ten mx\n")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a zone").unwrap();
    let e = load_err(&dir);
    assert_eq!(
        e,
        format!(
            "{}:2: MX record: bad preference 'ten' (0-65535)",
            dir.join("b.test.zone").display()
        )
    );
    std::fs::remove_file(dir.join("b.test.zone")).unwrap();
    let mut z = ZoneResolver::from_dir(&dir).unwrap();
    assert_eq!(z.zones(), ["a.test"]);
    let again = z.add_zone_text("A.TEST", SOA).unwrap_err().to_string();
    assert!(again.ends_with("zone A.TEST is already loaded"), "{again}");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(load_err(&dir).contains("cannot read the directory"));
}

#[test]
fn root_zone() {
    let z = ZoneResolver::from_zone_text(
        ".",
        format!("{SOA}test. NS ns.test.\nns.test. A 192.0.2.1\n"),
    )
    .unwrap();
    assert_eq!(z.zones(), ["."]);
    assert_eq!(
        z.query(b"ns.test", RrType::A),
        Err(DnsError::NoData),
        "below a cut, with glue"
    );
    assert_eq!(z.query(b"org", RrType::A), Err(DnsError::NoSuchName));
    assert_eq!(ok(&z, "", RrType::Soa).records[0].name, b".");
}

#[test]
fn zone_resolver_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<ZoneResolver>();
}
