"""The ldap, ldapdn and ldapm lookups through Python, against a slapd of
the test's own (Debian's ``slapd``, the fixture tests/data/ldap/base.ldif
loaded with ``slapadd``).  Expected values are those Exim 4.96's
``exim4 -be`` gives for the same queries (tests/data/ldap/cases.jsonl).
Without slapd the tests are skipped, unless EXIM_ORACLE=required (CI),
where they fail.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import time

import pytest

import exim_expand as ee

SUFFIX = "dc=example,dc=test"
PEOPLE = "ou=people," + SUFFIX
LDIF = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data" / "ldap" / "base.ldif"


def need(program):
    for d in ("/usr/sbin", "/usr/bin", "/sbin"):
        path = os.path.join(d, program)
        if os.path.exists(path):
            return path
    path = shutil.which(program)
    if path is None:
        if os.environ.get("EXIM_ORACLE") == "required":
            pytest.fail(f"{program} is not installed")
        pytest.skip(f"SKIPPED: {program} is not installed")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def slapd(tmp_path):
    slapd, slapadd = need("slapd"), need("slapadd")
    (tmp_path / "db").mkdir()
    conf = tmp_path / "slapd.conf"
    conf.write_text(
        "include /etc/ldap/schema/core.schema\n"
        "include /etc/ldap/schema/cosine.schema\n"
        "include /etc/ldap/schema/inetorgperson.schema\n"
        f"pidfile {tmp_path}/slapd.pid\n"
        "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        "database mdb\nmaxsize 16777216\n"
        f'suffix "{SUFFIX}"\nrootdn "cn=admin,{SUFFIX}"\nrootpw secret\n'
        f"directory {tmp_path}/db\naccess to * by * read\n"
    )
    subprocess.run([slapadd, "-f", str(conf), "-l", str(LDIF)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen(
        [slapd, "-d", "0", "-h", f"ldap://127.0.0.1:{port}/", "-f", str(conf)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "slapd did not start"
                time.sleep(0.02)
        yield port
    finally:
        proc.kill()
        proc.wait()


def test_ldap_lookups(slapd, tmp_path):
    port = slapd
    down = free_port()
    conf = tmp_path / "exim.conf"
    conf.write_text(
        "primary_hostname = myhost.test.ex\n"
        f"ldap_default_servers = <; 127.0.0.1:{down} ; 127.0.0.1:{port}\n"
    )
    ctx = ee.Context(config=conf, sandbox=False)
    url = f"ldap://127.0.0.1:{port}"
    assert ctx.expand("${lookup ldap{%s/uid=alice,%s?cn}}" % (url, PEOPLE)) == "Alice Smith"
    assert ctx.expand("${lookup ldap{ldap:///uid=bob,%s?cn,title}}" % PEOPLE) == (
        'cn="Bob Jones,Robert Jones" title="Engineer,, Senior"'
    )
    assert ctx.expand("${lookup ldapm{%s/%s?uid?one?(|(uid=alice)(uid=bob))}}" % (url, PEOPLE)) == "bob\nalice"
    assert ctx.expand("${lookup ldapdn{%s/%s?cn?one?(uid=carol)}}" % (url, PEOPLE)) == (
        "cn=Carol\\2C Jr.," + PEOPLE
    )
    assert ctx.expand("${lookup ldap{%s/uid=nobody,%s?cn}{y}{n}}" % (url, PEOPLE)) == "n"
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup ldap{%s/%s?mail?one}}" % (url, PEOPLE))
    assert info.value.message.endswith(
        "gave DEFER: LDAP search: more than one entry (4) was returned (filter not specific enough?)"
    )
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup ldap{user=cn=admin,%s pass=wrong %s/%s?o}}" % (SUFFIX, url, SUFFIX))
    assert info.value.message.endswith(
        f"failed to bind the LDAP connection to server 127.0.0.1:{port} - LDAP error 49: Invalid credentials"
    )
