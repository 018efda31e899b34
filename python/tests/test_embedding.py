"""Lookup types written in Python, contexts shared by threads, compile(),
and the exim_expand.testing helpers."""

import pathlib
import threading

import pytest

import exim_expand as ee
from exim_expand.testing import assert_condition, assert_expands, assert_fails, expansion_is


def test_a_python_function_answers_a_lookup():
    users = {"alice": "Alice Liddell"}
    ctx = ee.Context()
    ctx.register_lookup("mytype", users.get)
    assert ctx.expand("${lookup mytype{alice}}") == "Alice Liddell"
    # Not found: the no branch, as for any lookup.
    assert ctx.expand("${lookup mytype{bob}{$value}{nobody}}") == "nobody"
    # The engine applies the usual rules around it: here a match list.
    assert ctx.expand("${if match_domain{alice}{mytype;x}{y}{n}}") in ("y", "n")


def test_single_key_lookups_get_the_file_and_may_defer():
    calls = []

    def table(key, file):
        calls.append((key, file))
        if key == "boom":
            raise RuntimeError("database down")
        return {"k": b"v"}.get(key)

    ctx = ee.Context()
    ctx.register_lookup("mine", table, style="single-key")
    assert ctx.expand("${lookup{k}mine{/the/file}}") == "v"
    assert calls == [("k", "/the/file")]
    # partial- and * defaults work around the function.
    assert ctx.expand("${lookup{nosuch}mine*{/f}{$value}{none}}") == "none"
    assert ("*", "/f") in calls
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup{boom}mine{/f}}")
    assert info.value.message == 'lookup of "boom" gave DEFER: database down'
    with pytest.raises(ValueError, match="unknown lookup style"):
        ctx.register_lookup("x", table, style="nosuch")
    with pytest.raises(TypeError):
        ctx.register_lookup("x", 42)


def test_compiled_templates_see_registered_lookups():
    ctx = ee.Context()
    ctx.register_lookup("upper", lambda q: q.upper())
    t = ctx.compile("${lookup upper{$x}}")
    assert t.expand(ctx, x="abc") == "ABC"
    # The default profile has no such type: a syntax error at parse time.
    with pytest.raises(ee.ExpandError) as info:
        ee.compile("${lookup upper{x}}")
    assert info.value.kind == "syntax"
    assert 'unknown lookup type "upper"' in info.value.message


def test_eight_threads_share_one_context():
    ctx = ee.Context(now="2024-01-15T12:00:00Z")
    ctx.register_lookup("square", lambda q: str(int(q) ** 2))
    t = ctx.compile("${lookup square{$n}} ${sha1:$n} $tod_epoch")
    errors = []
    results = {}

    def worker(i):
        try:
            for j in range(50):
                n = i * 100 + j
                results[n] = t.expand(ctx, n=str(n))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(results) == 400
    assert results[301].startswith("90601 ")
    assert results[301].endswith(" 1705320000")


def test_a_lookup_function_may_not_reenter_its_context():
    ctx = ee.Context()
    ctx.register_lookup("again", lambda q: ctx.expand("x"))
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup again{q}}")
    assert "in use by the same thread" in info.value.message


def test_testing_helpers_pass_and_fail_with_explanations():
    ctx = ee.Context()
    assert_expands("${lc:ABC}", "abc")
    expansion_is("${uc:$x}", "ABC", vars={"x": "abc"})
    assert_condition("eq{a}{a}", True)
    assert_condition("eq{a}{b}", False, context=ctx)
    e = assert_fails("${if eq{a}{b}", "curly-bracket problem", kind="syntax")
    assert e.kind == "syntax"
    assert_fails("${if eq{a}{b}{x}fail}", forced=True)
    with pytest.raises(AssertionError) as info:
        assert_expands("${uc:$x}", "abc", vars={"x": "abc"})
    assert "gave 'ABC', expected 'abc'" in str(info.value)
    assert "${uc:...}" in str(info.value)  # the explain tree
    with pytest.raises(AssertionError):
        assert_fails("${lc:A}")
    with pytest.raises(AssertionError):
        assert_condition("eq{a}{a}", False)
    # The context given is copied: its state is not changed.
    ctx.set("x", "1")
    assert_expands("$x", "2", vars={"x": "2"}, context=ctx)
    assert ctx.expand("$x") == "1"


ZONES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "dns"


def test_zone_files_answer_dns():
    ctx = ee.Context()
    ctx.load_dns_zones(ZONES)
    assert sorted(ctx.dns_query("example.test", "mx")) == [
        "10 mx1.example.test",
        "20 mx2.example.test",
        "20 mx3.other.test",
        "30 example.test",
    ]
    assert ctx.dns_query("example.test", "txt") == ["v=spf1 mx -all"]
    assert ctx.dns_query("nosuch.example.test", "a") is None
    with pytest.raises(ee.ConfigError):
        ctx.load_dns_zones(ZONES / "nosuch")


def test_zone_files_given_to_the_constructor():
    ctx = ee.Context(dns_zones=ZONES)
    assert ctx.dns_query("example.test", "txt") == ["v=spf1 mx -all"]
    with pytest.raises(ee.ConfigError):
        ee.Context(dns_zones=ZONES / "nosuch")


def test_dnsdb_reads_the_zone_files():
    # Expected values: Exim 4.96 under shared/tools/hermetic-dns serving
    # tests/data/dns (tests/cases/dnsdb.jsonl).  Zone files need no
    # network, so the sandbox lets dnsdb ask them.
    ctx = ee.Context(dns_zones=ZONES)
    assert ctx.expand("${lookup dnsdb{>: mx=example.test}}") == (
        "10 mx1.example.test:20 mx2.example.test:20 mx3.other.test:30 example.test"
    )
    assert ctx.expand("${lookup dnsdb{a+=www.example.test}}") == "2001:db8::80\n192.0.2.80"
    assert ctx.expand("${lookup dnsdb{csa=host.subs.example.test}}") == "X subs.example.test"
    assert ctx.expand("${lookup dnsdb{mx=nonexistent.example.test}{yes}{no}}") == "no"
    with pytest.raises(ee.ExpandError, match="unsupported DNS record type"):
        ctx.expand("${lookup dnsdb{foo=example.test}}")
    # The system's resolver is the network: the sandbox refuses it.
    with pytest.raises(ee.ExpandError, match="dnsdb"):
        ee.Context().expand("${lookup dnsdb{a=www.example.test}}")


def test_mx_items_and_host_names_from_zone_files():
    # Expected values: Exim 4.96 under hermetic-dns (tests/cases/mx_items.jsonl,
    # host_names.jsonl).
    ctx = ee.Context(dns_zones=ZONES)
    assert ctx.expand("${if match_domain{primary.mx.test}{@mx_primary}{y}{n}}") == "y"
    assert ctx.expand("${if match_domain{secondary.mx.test}{@mx_primary}{y}{n}}") == "n"
    ctx.set("sender_host_address", "192.0.2.25")
    assert ctx.expand("$sender_host_name $host_lookup_failed") == "mx1.example.test 0"
    ctx = ee.Context(dns_zones=ZONES)
    ctx.set("sender_host_address", "192.0.2.99")
    assert ctx.expand("<$sender_host_name> $host_lookup_failed") == "<> 1"


def test_dnslists_acl_from_zone_files(tmp_path):
    # Expected values: Exim 4.96 under hermetic-dns (tests/cases/dnslists.jsonl).
    conf = tmp_path / "dnsl.conf"
    conf.write_text(
        "primary_hostname = myhost.test.ex\n"
        "begin acl\n"
        "dnsl:\n"
        "  accept dnslists = $acl_arg1\n"
        "         message = listed:$dnslist_domain:$dnslist_matched:$dnslist_value:$dnslist_text\n"
        "  accept message = not listed:$dnslist_domain\n"
    )
    ctx = ee.Context(config=conf, dns_zones=ZONES, sandbox=False)
    ctx.set("sender_host_address", "192.0.2.6")
    assert ctx.expand("${acl{dnsl}{lists.test}}") == (
        "listed:lists.test:192.0.2.6:127.0.0.3, 127.0.0.10:"
    )
    assert ctx.expand("${acl{dnsl}{lists.test!=127.0.0.3}}") == "not listed:lists.test"


def test_a_python_function_is_the_resolver():
    def resolver(name, rrtype):
        if name == "example.com" and rrtype == "mx":
            return ["10 mx.example.com."]
        if name == "down.example":
            raise TimeoutError("server down")
        return None if name.startswith("nosuch") else []

    ctx = ee.Context()
    ctx.set_resolver(resolver)
    assert ctx.dns_query("example.com", "mx") == ["10 mx.example.com"]
    assert ctx.dns_query("example.com", "a") == []
    assert ctx.dns_query("nosuch.example", "a") is None
    with pytest.raises(OSError, match="server down"):
        ctx.dns_query("down.example", "a")
    with pytest.raises(ValueError):
        ctx.dns_query("example.com", "nosuchtype")
