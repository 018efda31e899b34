"""The -bh session corpus (tests/sessions/*.jsonl) through the Python API:
SmtpSession.run gives the responses and take_log the log lines that
Debian's Exim 4.96 wrote for the same sessions, and the session's results
are the Context's variables."""

import ipaddress
import json
import pathlib

import pytest

import exim_expand

ROOT = pathlib.Path(__file__).resolve().parents[2]
SESSIONS = ROOT / "tests" / "sessions"


def corpus():
    for path in sorted(SESSIONS.glob("*.jsonl")):
        lines = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        zones = ROOT / lines[0]["dns_zones"]
        for case in lines[1:]:
            yield pytest.param(case, zones, id=f"{path.stem}:{case['name']}")


def defines(argv):
    out = {}
    for a in argv:
        assert a.startswith("-D"), a
        name, _, value = a[2:].partition("=")
        out[name] = value
    return out


def session_for(case, zones):
    ctx = exim_expand.Context(
        config=str(SESSIONS / "conf" / (case["config"] + ".conf")),
        defines=defines(case.get("argv", [])),
        now="2024-01-15T12:00:00Z",
        sandbox=False,
        dns_zones=str(zones),
    )
    ctx.pid = 1
    # As exim -bh reads its argument: IPv4 with a port after a fifth dot,
    # IPv6 written in full.
    address, port = case["client"], None
    if address.count(".") == 4:
        address, p = address.rsplit(".", 1)
        port = int(p)
    if ":" in address:
        address = ipaddress.IPv6Address(address).exploded
    return ctx, exim_expand.SmtpSession(ctx, address, port)


@pytest.mark.parametrize("case,zones", list(corpus()))
def test_session_matches_exim(case, zones):
    ctx, s = session_for(case, zones)
    out = s.start()
    if not s.closed:
        out += s.run(case["input"])
    # What -bh adds for the person at the terminal is not part of a session.
    banner, _, expected = case["stdout"].partition("This is not for real!\n\n")
    expected = expected.replace("\n**** SMTP testing: that is not a real message id!\n\n", "")
    assert out == expected
    assert s.take_log() == case["log"]


def test_step_by_step_and_variables():
    zones = ROOT / "tests" / "data" / "spf" / "zones"
    ctx = exim_expand.Context(config=str(SESSIONS / "conf" / "spf.conf"), sandbox=False,
                              dns_zones=str(zones), now="2024-01-15T12:00:00Z")
    ctx.pid = 1
    s = exim_expand.SmtpSession(ctx, "192.0.2.1")
    assert s.start().startswith("220 myhost.test.ex ESMTP Exim 4.96")
    assert s.command("EHLO client.example").endswith("250 HELP\r\n")
    assert s.command("MAIL FROM:<a@pass-ip4.spf.test>") == "250 OK\r\n"
    assert ctx.expand("$spf_result") == "pass"
    assert "designates 192.0.2.1 as permitted sender" in ctx.expand("$spf_header_comment")
    assert s.command("RCPT TO:<x@test.ex>") == "250 Accepted\r\n"
    assert s.command("DATA").startswith("354 ")
    assert s.expecting_data
    assert s.data("Subject: hi\r\n\r\nbody\r\n") == "250 OK id=1rPLdI-000001-00\r\n"
    assert ctx.expand("$message_exim_id") == "1rPLdI-000001-00"
    log = s.take_log()
    assert log[-1] == "1rPLdI-000001-00 <= a@pass-ip4.spf.test H=(client.example) [192.0.2.1] P=esmtp S=401"  # the oracle's line for this session
    # BDAT: the command, then exactly the bytes it announced.
    assert s.command("MAIL FROM:<a@pass-ip4.spf.test>") == "250 OK\r\n"
    assert s.command("RCPT TO:<x@test.ex>") == "250 Accepted\r\n"
    chunk = b"Subject: chunked\r\n\r\nbody\r\n"
    assert s.command(f"BDAT {len(chunk)} LAST") == ""
    assert s.chunk(chunk) == f"250- {len(chunk)} byte chunk, total {len(chunk)}\r\n250 OK id=1rPLdI-000001-01\r\n"
    assert s.command("QUIT") == "221 myhost.test.ex closing connection\r\n"
    assert s.closed
    with pytest.raises(ValueError):
        exim_expand.SmtpSession(ctx, "not-an-address")


def test_arc_round_trip():
    """Sign with arc_sign, then verify = arc in a session: pass."""
    data = ROOT / "tests" / "data" / "arc"
    message = (data / "messages" / "plain.eml").read_bytes()
    key = data / "keys" / "d1.pem"
    signed = exim_expand.arc_sign(message, f"d1.test : sel : {key}", now="2024-01-15T12:00:00Z")
    assert signed.startswith(b"ARC-Seal: i=1; cv=none; a=rsa-sha256; d=d1.test; s=sel;")
    ctx = exim_expand.Context(config=str(SESSIONS / "conf" / "arc.conf"), defines={"ARC_KEY": str(key)},
                              profile="exim-4.96-full", sandbox=False, dns_zones=str(data / "zones"),
                              now="2024-01-15T12:00:00Z")
    s = exim_expand.SmtpSession(ctx, "192.0.2.7")
    s.start()
    s.command("EHLO client.example")
    s.command("MAIL FROM:<list@d1.test>")
    s.command("RCPT TO:<x@test.ex>")
    assert s.command("DATA").startswith("354")
    assert s.data(signed).startswith("250 OK id=")
    assert any(l.endswith("ARC state=pass reason= domains=d1.test oldest=1") for l in s.take_log())
    assert exim_expand.arc_sign(message, "") is None
    with pytest.raises(ValueError, match="bad signing-specification"):
        exim_expand.arc_sign(message, "d1.test : sel")
