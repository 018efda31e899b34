"""Tests of the Python API.

Every expected value comes from Debian's Exim 4.96, run as
``printf '%s\\n' EXPR | exim -C min.conf -be`` with a configuration of
``primary_hostname = myhost.test.ex`` (failures print ``> Failed: MESSAGE``).
"""

import datetime
import json
import pathlib

import pytest

import exim_expand as ee

NOW = "2024-01-15T12:00:00Z"


@pytest.fixture
def min_conf(tmp_path):
    p = tmp_path / "min.conf"
    p.write_text("primary_hostname = myhost.test.ex\n")
    return p


# (expression, Exim 4.96's output)
ORACLE = [
    ("${lc:ABC}", "abc"),
    ("${uc:hello World}", "HELLO WORLD"),
    ("${length_3:abcdef}", "abc"),
    ("${substr{1}{3}{abcdef}}", "bcd"),
    ("${hash_3:abcdef}", "fmc"),
    ("${md5:abc}", "900150983cd24fb0d6963f7d28e17f72"),
    ("${sha256:abc}", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
    ("${base64:hello}", "aGVsbG8="),
    ("${quote:a b}", '"a b"'),
    ("${rxquote:a.b}", "a\\.b"),
    ("${if eq{a}{a}{yes}{no}}", "yes"),
    ("${if match{abc123}{\\N^([a-z]+)(\\d+)$\\N}{$2-$1}{no}}", "123-abc"),
    ("${if and{{eq{1}{1}}{gt{3}{2}}}{both}{not}}", "both"),
    ("${if inlist{b}{a:b:c}{in}{out}}", "in"),
    ("${if isip{1.2.3.4}{ip}{not}}", "ip"),
    ("${if def:primary_hostname{d}{u}}", "d"),
    ("${eval:(3+4)*2 - 10/3}", "11"),
    ("${eval:0x10 + 010}", "24"),
    ("${listcount:a:b:c:d}", "4"),
    ("${listextract{2}{a:b:c}}", "b"),
    ("${map{a:b:c}{<$item>}}", "<a>:<b>:<c>"),
    ("${filter{1:2:3:4}{>{$item}{2}}}", "3:4"),
    ("${reduce{1:2:3}{0}{${eval:$value+$item}}}", "6"),
    ("${extract{b}{a=1 b=2 c=3}}", "2"),
    ("${extract{2}{:}{x:y:z}}", "y"),
    ("${tr{abc}{ab}{xy}}", "xyc"),
    ("${sg{aaa}{a}{b}}", "bbb"),
    ("${addresses:a@b.c, Joe <d@e.f>}", "a@b.c:d@e.f"),
    ("${domain:user@example.com}", "example.com"),
    ("${local_part:user@example.com}", "user"),
    ("${hex2b64:616263}", "YWJj"),
    ("${mask:192.168.3.4/20}", "192.168.0.0/20"),
    ("${hmac{md5}{key}{data}}", "9d5c73ef85594d34ec4438b7c97e51d8"),
    ("${escape:a\\tb}", "a\tb"),
    ("$primary_hostname", "myhost.test.ex"),
]

# (expression, Exim 4.96's "Failed:" message)
ORACLE_ERRORS = [
    ("${if eq{a}{b}{x}", 'syntax error in "if" item - "fail" expected'),
    ("${nosuchop:abc}", 'unknown expansion operator "nosuchop"'),
    ("$nosuch", 'unknown variable name "nosuch"'),
    ("${length:abc}", "Not enough arguments for 'length' (min is 2)"),
    (
        "${eval:1/0}",
        'error in expression evaluation: divide by zero (after processing "1/0")',
    ),
]


@pytest.mark.parametrize("expr,want", ORACLE)
def test_matches_exim(expr, want, min_conf):
    assert ee.expand(expr, config=min_conf) == want


@pytest.mark.parametrize("expr,message", ORACLE_ERRORS)
def test_errors_match_exim(expr, message):
    with pytest.raises(ee.ExpandError) as info:
        ee.expand(expr)
    e = info.value
    assert e.message == message
    assert str(e) == message
    assert e.forced is False
    assert not isinstance(e, ee.ForcedFailure)
    assert e.rendered.startswith("error: " + message + "\n")


def test_forced_failure():
    with pytest.raises(ee.ForcedFailure) as info:
        ee.expand("${if eq{a}{b}{yes}fail}")
    e = info.value
    assert isinstance(e, ee.ExpandError)
    assert e.forced is True and e.kind == "forced"
    assert e.message == '"if" failed and "fail" requested'
    assert e.rendered.startswith("forced failure: ")


def test_error_positions():
    with pytest.raises(ee.ExpandError) as info:
        ee.expand("ok\n${if eq{a}{b}{x}")
    e = info.value
    assert (e.line, e.column) == (2, 17)
    assert e.start == 19 and e.end >= e.start
    assert e.kind == "syntax"
    assert e.rendered == (
        "error: syntax error in \"if\" item - \"fail\" expected\n"
        " --> <expr>:2:17\n"
        "  |\n"
        "2 | ${if eq{a}{b}{x}\n"
        "  |                 ^\n"
    )


def test_taint_refusal_of_expand():
    # exim -f u@example.org -be '${expand:$sender_address}'
    with pytest.raises(ee.ExpandError) as info:
        ee.expand("${expand:$x}", tainted_vars={"x": "u@example.org"})
    assert info.value.message == (
        'internal expansion of "u@example.org" failed: '
        "attempt to expand tainted string 'u@example.org'"
    )
    # The same value untainted expands.
    assert ee.expand("${expand:$x}", vars={"x": "u@example.org"}) == "u@example.org"


def test_srs_with_pinned_clock():
    expr = "${srs_encode{secret}{user@example.com}{fwd.example}}"
    want = "SRS0=b3d4=iz=example.com=user@fwd.example"  # faketime '2024-01-15 12:00:00'
    assert ee.expand(expr, now=NOW) == want
    assert ee.expand(expr, now=1705320000) == want
    dt = datetime.datetime(2024, 1, 15, 12, 0, tzinfo=datetime.timezone.utc)
    assert ee.expand(expr, now=dt) == want
    assert ee.expand(expr, now=dt.replace(tzinfo=None)) == want  # naive = UTC
    assert ee.expand(expr, now="2024-01-15T13:00:00+01:00") == want
    assert ee.expand("$tod_log", now=NOW) == "2024-01-15 12:00:00"
    with pytest.raises(ValueError):
        ee.expand("x", now="yesterday")


MESSAGE = b"Subject: Hello there\nFrom: a@b.example\nX-Thing: one\n two\n\nBody line 1\nline 2\n"


@pytest.mark.parametrize("as_path", [False, True])
def test_load_message(as_path, tmp_path, min_conf):
    # exim -C min.conf -bem msg.eml -be
    ctx = ee.Context(config=min_conf)
    if as_path:
        p = tmp_path / "msg.eml"
        p.write_bytes(MESSAGE)
        ctx.load_message(str(p))
    else:
        ctx.load_message(MESSAGE)
    assert ctx.expand("$h_subject:") == "Hello there"
    assert ctx.expand("${lc:$h_subject:}") == "hello there"
    assert ctx.expand("$h_x-thing:") == "one\n two"
    assert ctx.expand("$message_body") == "Body line 1 line 2 "
    assert ctx.expand("$message_size") == "77"
    assert ctx.expand("$body_linecount") == "2"
    assert ctx.expand("${if def:h_subject:{y}{n}}") == "y"
    assert ctx.is_tainted("message_body") is True  # message data is tainted


def test_sandbox_refuses_and_permissive_allows():
    for expr in ["${run{/bin/true}}", "${readfile{/etc/hostname}}"]:
        with pytest.raises(ee.ExpandError) as info:
            ee.expand(expr)
        assert "is not permitted by the expansion policy" in info.value.message
    host = pathlib.Path("/etc/hostname").read_text()
    assert ee.expand("${readfile{/etc/hostname}}", sandbox=False) == host
    ctx = ee.Context()
    assert ctx.sandboxed and ctx.capabilities == frozenset()
    ctx.allow("readfile")
    assert ctx.capabilities == {"readfile"}
    assert ctx.expand("${readfile{/etc/hostname}}") == host
    assert not ctx.sandboxed
    ctx.deny("readfile")
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${readfile{/etc/hostname}}")
    assert info.value.kind == "refused"
    assert 'capability "readfile" not granted' in info.value.message
    with pytest.raises(ValueError, match="unknown capability"):
        ctx.allow("nosuch")
    ctx.capabilities = ["run", "files"]
    assert ctx.capabilities == {"run", "files"}


def test_context_shares_session_state(tmp_path):
    # exim -be: '${run{/bin/sh -c "exit 3"}{ok}{fail}}' then '$runrc'
    ctx = ee.Context(sandbox=False)
    assert ctx.expand('${run{/bin/sh -c "exit 3"}{ok}{fail}}') == "fail"
    assert ctx.expand("$runrc") == "3"
    # An ACL setting a connection variable: it persists across expansions.
    conf = tmp_path / "acl.conf"
    conf.write_text(
        "primary_hostname = myhost.test.ex\n"
        "begin acl\n"
        "setc:\n"
        "  accept set acl_c_count = ${eval:0$acl_c_count+1}\n"
    )
    ctx = ee.Context(config=conf, sandbox=False)
    ctx.log_to_stderr = False
    assert ctx.expand("${acl{setc}}") == ""
    assert ctx.expand("${acl{setc}}") == ""
    assert ctx.expand("$acl_c_count") == "2"
    assert ctx.get("acl_c_count") == "2"


def test_context_variables():
    ctx = ee.Context(vars={"a": "1"}, tainted_vars={"t": b"x"})
    ctx.set("b", "two")
    ctx.set("n", 42)
    ctx.set("s", "secret", tainted=True)
    assert ctx.expand("$a $b $n $t $s") == "1 two 42 x secret"
    assert ctx.get("b") == "two"
    assert ctx.get("nosuch") is None
    assert ctx.get("nosuch", "dflt") == "dflt"
    assert ctx.is_tainted("s") is True and ctx.is_tainted("b") is False
    assert ctx.is_tainted("nosuch") is None
    ctx.unset("b")
    with pytest.raises(ee.ExpandError):
        ctx.expand("$b")
    with pytest.raises(TypeError):
        ctx.set("x", 1.5)


def test_config_defines_and_errors(tmp_path):
    conf = tmp_path / "d.conf"
    conf.write_text("primary_hostname = HOST\n")
    ctx = ee.Context(config=conf, defines={"HOST": "defined.example"})
    assert ctx.expand("$primary_hostname") == "defined.example"
    assert ctx.config_file == str(conf)
    assert ctx.option("primary_hostname") == "defined.example"
    with pytest.raises(ee.ConfigError):
        ee.Context(config=tmp_path / "missing.conf")


def test_bytes_round_trip():
    # exim -be '${uc:caf\xe9 \xff}' prints b'CAF\xe9 \xff' (bytes kept)
    raw = b"${uc:caf\xe9 \xff}"
    assert ee.expand_bytes(raw) == b"CAF\xe9 \xff"
    s = ee.expand(raw)  # str with surrogateescape: nothing lost
    assert s.encode("utf-8", "surrogateescape") == b"CAF\xe9 \xff"
    # a str input decoded the same way gives the same bytes
    assert ee.expand_bytes(raw.decode("utf-8", "surrogateescape")) == b"CAF\xe9 \xff"
    # exim -be '${length_2:\xc3\xa9x}' counts bytes: b'\xc3\xa9' = "é"
    assert ee.expand(b"${length_2:\xc3\xa9x}") == "é"
    assert ee.expand("${length_2:éx}") == "é"
    assert ee.expand_bytes("${hash_2:\udce9\udce8}") == b"\xe9\xe8"
    assert ee.expand("$v", vars={"v": b"\xff\xfe"}).encode("utf-8", "surrogateescape") == b"\xff\xfe"


def test_template_reuse():
    t = ee.parse("${if eq{$x}{1}{one}{other}}")
    assert t.errors() == []
    assert [t.expand(x=x) for x in ["1", "2", 1]] == ["one", "other", "one"]
    ctx = ee.Context()
    ctx.set("x", "1")
    assert t.expand(ctx) == "one"
    assert t.expand(ctx, x="2") == "other"
    assert ctx.get("x") == "1"  # keyword variables apply to one evaluation
    assert t.expand_bytes(context=ctx) == b"one"
    assert t.source == "${if eq{$x}{1}{one}{other}}"
    assert t.dump().startswith("seq 0..27")
    with pytest.raises(ee.ExpandError):
        t.expand()  # $x unknown in a fresh context


def test_template_errors():
    t = ee.parse("${if eq{a}{b}{x}")
    errs = t.errors()
    assert len(errs) == 1
    d = errs[0]
    assert d.message == 'syntax error in "if" item - "fail" expected'
    assert (d.line, d.column, d.start) == (1, 17, 16)
    with pytest.raises(ee.ExpandError):
        t.expand()


def test_check_positions():
    diags = ee.check("$nosuch\n  ${if eq{a}{b}{x}")
    assert [(d.message, d.line, d.column, d.start, d.end) for d in diags] == [
        ('unknown variable name "nosuch"', 1, 1, 0, 7),
        ('syntax error in "if" item - "fail" expected', 2, 19, 26, 26),
    ]
    assert diags[0].kind == "syntax"
    assert diags[0].render() == (
        'error: unknown variable name "nosuch"\n'
        " --> <expr>:1:1\n"
        "  |\n"
        "1 | $nosuch\n"
        "  | ^^^^^^^\n"
    )
    assert "f.txt:1:1" in diags[0].render("f.txt")
    assert ee.check("${lc:$primary_hostname}") == []


def test_check_operators_and_literal_arguments():
    # Exim 4.96 fails with these messages when it evaluates each part.
    diags = ee.check("${lcase:$primary_hostname} ${quote_nosuch:x} ${extract{1}{:}}")
    assert [(d.message, d.start, d.end) for d in diags] == [
        ('unknown expansion operator "lcase"', 0, 26),
        ('unknown lookup type "nosuch"', 27, 44),
        ("missing '{' for arg 3 of extract", 45, 61),
    ]
    # The full profile has the redis lookup, Debian's build has not.
    assert len(ee.check("${quote_redis:x}")) == 1
    assert ee.check("${quote_redis:x}", profile="exim-4.96-full") == []


def test_lint_findings_and_reports(tmp_path):
    conf = tmp_path / "exim.conf"
    conf.write_text(
        "DOM = ${lc:$nosuch}\n"
        "smtp_banner = hello \\\n  DOM\n"
        "qualify_domain = ${lcase:x}\n"
        "acl_smtp_rcpt = ACLNAME\n"
    )
    found = ee.lint(conf, defines={"ACLNAME": "typo"})
    assert [(f["line"], f["column"], f["code"], f["place"]) for f in found] == [
        (3, 3, "E002", "option smtp_banner"),
        (4, 18, "E003", "option qualify_domain"),
        (5, 17, "E102", "option acl_smtp_rcpt"),
    ]
    assert found[0]["macro"] == f"macro DOM, defined at {conf}:1"
    assert [f["code"] for f in ee.lint(conf, select=["E0"])] == ["E002", "E003"]
    assert [f["code"] for f in ee.lint(conf, ignore=["unknown-variable"])] == ["E003", "E102"]
    text = ee.lint(conf, format="text", select=["E003"])
    assert text.startswith(f"{conf}:4:18: error[E003] unknown expansion operator \"lcase\"\n")
    sarif = json.loads(ee.lint(conf, format="sarif"))
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == 3
    with pytest.raises(ValueError):
        ee.lint(conf, select=["X1"])
    branches = tmp_path / "branches.conf"
    branches.write_text(".ifdef TLS\ntls_certificate = ${lc:$nosuch}\n.endif\n")
    assert ee.lint(branches) == []
    assert [f["place"] for f in ee.lint(branches, all_branches=True)] == [
        "inactive branch: tls_certificate"
    ]
    newer = tmp_path / "newer.conf"
    newer.write_text("smtp_banner = ${listquote{:}{a}}\n")
    assert ee.lint(newer) == []
    (w,) = ee.lint(newer, target="4.90")
    assert (w["code"], w["column"]) == ("W009", 17)
    assert "appeared in Exim 4.94" in w["message"]
    with pytest.raises(ValueError):
        ee.lint(newer, target="5.1")
    bad = tmp_path / "bad.conf"
    bad.write_text("begin nosuch\nsmtp_banner = ${lc:$nosuch}\n")
    assert [(f["line"], f["code"]) for f in ee.lint(bad)] == [(1, "E100"), (2, "E002")]
    with pytest.raises(ee.ConfigError):
        ee.lint(tmp_path / "missing.conf")


def test_check_profile_and_context():
    assert len(ee.check("$dmarc_status")) == 1
    assert ee.check("$dmarc_status", profile="exim-4.96-full") == []
    ctx = ee.Context(vars={"mine": "x"})
    assert ee.check("$mine", context=ctx) == []
    assert ctx.check("$mine $other")[0].message == 'unknown variable name "other"'
    with pytest.raises(ValueError):
        ee.check("x", profile="nosuch")
    assert "debian-4.96" in ee.profiles()


def test_explain():
    tree = ee.explain("${if eq{$x}{1}{one}{x=$x ${uc:a}}}", tainted_vars={"x": "2"})
    assert tree == (
        '└─ ${if ...}  ${if eq{$x}{1}{one}{x=$x ${uc:a}}}  → "x=2 A" [tainted]\n'
        "   ├─ condition eq  eq{$x}{1}  → false\n"
        '   │  └─ $x  → "2" [tainted]\n'
        '   ├─ $x  → "2" [tainted]\n'
        '   └─ ${uc:...}  ${uc:a}  → "A"\n'
    )
    # a failure shows in the tree instead of raising
    assert "✗ unknown variable name \"nosuch\"" in ee.explain("$nosuch")


def test_profile_and_clock_properties():
    ctx = ee.Context(profile="exim-4.96-full", now=NOW)
    assert ctx.profile == "exim-4.96-full"
    assert ctx.now == (1705320000, 0)
    assert ctx.expand("$tod_log") == "2024-01-15 12:00:00"
    ctx.now = None
    assert ctx.now is None
    ctx.profile = "debian-4.96"
    with pytest.raises(ValueError):
        ctx.profile = "nosuch"
    with pytest.raises(ValueError):
        ee.expand("x", profile="nosuch")


def test_version_and_types():
    assert isinstance(ee.__version__, str) and ee.__version__
    assert issubclass(ee.ForcedFailure, ee.ExpandError)
    assert issubclass(ee.ExpandError, Exception)
    with pytest.raises(TypeError):
        ee.expand(42)


def test_mock_lookup_answers_without_files():
    ctx = ee.Context()  # sandboxed: no file may be read
    ctx.mock_lookup("lsearch", "/etc/aliases", "postmaster", "root")
    ctx.mock_lookup("dnsdb", "", "mx=example.com", "10 mx.example.com")
    assert ctx.expand("${lookup{postmaster}lsearch{/etc/aliases}}") == "root"
    assert ctx.expand("${lookup{x}lsearch{/etc/aliases}{y}{n}}") == "n"
    assert ctx.expand("${lookup dnsdb{mx=example.com}}") == "10 mx.example.com"


def test_config_includes_follow_the_sandbox(tmp_path):
    part = tmp_path / "part.conf"
    part.write_text("qualify_domain = from.include\n")
    conf = tmp_path / "main.conf"
    conf.write_text(f".include {part}\n")
    with pytest.raises(ee.ConfigError, match='capability "files" not granted'):
        ee.Context(config=conf)
    ctx = ee.Context(config=conf, sandbox=False)
    assert ctx.expand("$qualify_domain") == "from.include"


def test_describe_names_each_kind():
    (sg,) = ee.describe("sg")
    assert sg["kind"] == "item" and sg["synopsis"].startswith("${sg{")
    assert sg["since"].startswith("4.") and sg["text"]
    assert ee.describe("$primary_hostname")[0]["kind"] == "variable"
    by_kind = {d["kind"]: d for d in ee.describe("qualify_domain")}
    var, opt = by_kind["variable"], by_kind["main option"]
    assert var["kind"] == "variable" and "default" not in var
    assert opt["kind"] == "main option" and opt["default"]
    # Also the redirect router's own option of that name.
    assert by_kind["router option"]["driver"] == "redirect"
    assert [d["kind"] for d in ee.describe("acl")] == ["item", "condition", "ACL condition"]
    assert ee.describe("acl_m_total")[0]["name"] == "acl_m*"
    assert ee.describe("nosuch") == []
