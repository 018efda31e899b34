//! DNS features through the Rust API and the `eval` command, with the zone
//! files of tests/data/dns.  The expected values are the oracle's (Exim
//! 4.96 under shared/tools/hermetic-dns serving the same zones): see
//! tests/cases/dnsdb.jsonl, mx_items.jsonl, dnslists.jsonl and
//! host_names.jsonl, where the same expressions are compared byte for byte.

use exim_expand::Engine;
use exim_expand::dns::ZoneResolver;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

fn zones() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dns")
}

fn engine(config: &str) -> Engine {
    Engine::builder()
        .resolver(Arc::new(ZoneResolver::from_dir(zones()).unwrap()))
        .config_text(config)
        .build()
        .unwrap()
}

#[test]
fn dnsdb_and_mx_items_through_the_engine() {
    let engine = engine("primary_hostname = myhost.test.ex\n");
    let mut s = engine.session();
    for (expr, want) in [
        (
            "${lookup dnsdb{>: mx=example.test}}",
            "10 mx1.example.test:20 mx2.example.test:20 mx3.other.test:30 example.test",
        ),
        (
            "${lookup dnsdb{a+=www.example.test}}",
            "2001:db8::80\n192.0.2.80",
        ),
        ("${lookup dnsdb{ptr=2001:db8::1}}", "example.test"),
        (
            "${lookup dnsdb{>:,/ soa=sub.other.test}}",
            "ns.other.test/hostmaster.other.test/7/3600/600/86400/60",
        ),
        (
            "${lookup dnsdb{csa=host.subs.example.test}}",
            "X subs.example.test",
        ),
        (
            "${lookup dnsdb{mx=nonexistent.example.test}{yes}{no}}",
            "no",
        ),
        (
            "${if match_domain{primary.mx.test}{@mx_primary}{y:$value}{n}}",
            "y:@mx_primary",
        ),
        (
            "${if match_domain{secondary.mx.test}{@mx_secondary}{y}{n}}",
            "y",
        ),
        (
            "${if match_domain{secondary.mx.test}{@mx_primary}{y}{n}}",
            "n",
        ),
    ] {
        let got = s.expand_str(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(got.to_string_lossy(), want, "{expr}");
    }
    let e = s
        .expand_str("${lookup dnsdb{foo=example.test}}")
        .unwrap_err();
    assert!(e.to_string().contains("unsupported DNS record type"), "{e}");
}

#[test]
fn dnslists_and_host_names_through_a_session() {
    let engine = engine(
        "primary_hostname = myhost.test.ex\n\
         begin acl\n\
         dnsl:\n  accept dnslists = $acl_arg1\n         message = $dnslist_domain $dnslist_value $dnslist_text\n\
         hostcheck:\n  accept hosts = $acl_arg1\n",
    );
    let mut s = engine.session();
    s.context_mut().policy = exim_expand::eval::Policy::permissive();
    s.context_mut().policy.log_to_stderr = false;
    s.set_var("sender_host_address", "192.0.2.5");
    assert_eq!(
        s.expand_str("${acl{dnsl}{lists.test}}")
            .unwrap()
            .to_string_lossy(),
        "lists.test 127.0.0.2 192.0.2.5 is listed: see http://lists.test/5"
    );
    let mut s = engine.session();
    s.context_mut().policy = exim_expand::eval::Policy::permissive();
    s.context_mut().policy.log_to_stderr = false;
    s.set_var("sender_host_address", "192.0.2.25");
    assert_eq!(
        s.expand_str("$sender_host_name $host_lookup_failed")
            .unwrap()
            .to_string_lossy(),
        "mx1.example.test 0"
    );
    assert_eq!(
        s.expand_str("${if acl{{hostcheck}{*.example.test}}{y}{n}}")
            .unwrap()
            .to_string_lossy(),
        "y"
    );
}

/// The default resolver is the network: a sandboxed engine refuses dnsdb.
#[test]
fn the_system_resolver_needs_the_network_capability() {
    let engine = Engine::new();
    let e = engine
        .session()
        .expand_str("${lookup dnsdb{a=www.example.test}}")
        .unwrap_err();
    assert!(e.to_string().contains("network"), "{e}");
}

#[test]
fn eval_reads_zone_files() {
    let out = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
        .args(["eval", "--dns-zones"])
        .arg(zones())
        .arg("${lookup dnsdb{>, mxh=example.test}}")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "mx1.example.test,mx2.example.test,mx3.other.test,example.test\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_exim-expand"))
        .args(["eval", "--dns-zones", "/nonexistent/zones", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dns-zones /nonexistent/zones"));
}

/// Records the flags each query is asked with.
#[derive(Debug, Default)]
struct Recording(std::sync::Mutex<Vec<exim_expand::eval::QueryFlags>>);

impl exim_expand::eval::Resolver for Recording {
    fn query(
        &self,
        name: &[u8],
        rr: exim_expand::eval::RrType,
    ) -> Result<exim_expand::eval::Answer, exim_expand::eval::DnsError> {
        self.query_with(name, rr, Default::default())
    }

    fn query_with(
        &self,
        _name: &[u8],
        _rr: exim_expand::eval::RrType,
        flags: exim_expand::eval::QueryFlags,
    ) -> Result<exim_expand::eval::Answer, exim_expand::eval::DnsError> {
        self.0.lock().unwrap().push(flags);
        Err(exim_expand::eval::DnsError::NoSuchName)
    }

    fn capability(&self) -> Option<exim_expand::eval::Capability> {
        None
    }
}

/// dnsdb's `retrans_`, `retry_` and DNSSEC OK bit reach the resolver and,
/// as in Exim (whose dns_init never resets them), stay for later queries;
/// `dns_retrans`/`dns_retry` from the configuration come first.
#[test]
fn resolver_options_reach_the_resolver_and_stay() {
    let rec = Arc::new(Recording::default());
    let engine = Engine::builder()
        .resolver(rec.clone())
        .config_text("dns_retrans = 4s\ndns_retry = 3\n")
        .build()
        .unwrap();
    let mut s = engine.session();
    let last = |s: &mut exim_expand::Session, expr: &str| {
        s.expand_str(expr).unwrap();
        *rec.0.lock().unwrap().last().unwrap()
    };
    let f = last(&mut s, "${lookup dnsdb{dnssec_never,a=a.example}{y}{n}}");
    assert_eq!((f.dnssec_ok, f.retrans, f.retry), (false, Some(4), Some(3)));
    let f = last(
        &mut s,
        "${lookup dnsdb{retrans_2s,retry_1,a=a.example}{y}{n}}",
    );
    assert_eq!((f.dnssec_ok, f.retrans, f.retry), (true, Some(2), Some(1)));
    let f = last(&mut s, "${if match_domain{a.example}{@mx_any}{y}{n}}");
    assert_eq!((f.dnssec_ok, f.retrans, f.retry), (true, Some(2), Some(1)));
}
