"""The lmdb and redis lookups through Python (profile exim-4.96-full).

Debian's 4.96 build has neither, so the default profile fails as its
``exim4 -be`` does (``unknown lookup type "redis"``).  Expected values are
those of Exim's tests 2800 (lmdb) and 2700 (redis): test/stdout/2800 and
test/stdout/2700.  The fixtures need Debian's ``mdb_load`` (lmdb-utils) and
``redis-server``; without them the tests are skipped, unless
EXIM_ORACLE=required (CI), where they fail.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest

import exim_expand as ee

FULL = "exim-4.96-full"


def need(program):
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
def lmdb_file(tmp_path):
    mdb_load = need("mdb_load")
    db = tmp_path / "2800.mdb"
    # test/scripts/2800-lmdb/2800's data, in mdb_load's -T text form.
    text = "first\ndata for first\nsecond\nA=1 B=2\nthird\nA1:B2:C3\n"
    subprocess.run([mdb_load, "-n", "-T", str(db)], input=text.encode(), check=True)
    return db


@pytest.fixture
def redis_server(tmp_path):
    server = need("redis-server")
    port = free_port()
    sock = tmp_path / "redis.sock"
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--unixsocket", str(sock),
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                if sock.exists():
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)
        yield port, sock
    finally:
        proc.kill()
        proc.wait()


def test_lmdb_exim_2800(lmdb_file):
    ctx = ee.Context(profile=FULL, sandbox=False)
    db = str(lmdb_file)
    assert ctx.expand("${lookup{first}lmdb{%s}}" % db) == "data for first"
    assert ctx.expand("${lookup{fail}lmdb{%s}{$value}{failure value}}" % db) == "failure value"
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup{fail}lmdb{%s}{$value}fail}" % db)
    assert info.value.kind == "forced"
    assert ctx.expand("${extract{B}{${lookup{second}lmdb{%s}{$value}fail}}}" % db) == "2"
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup{k}lmdb{%s.missing}}" % db)
    assert info.value.message == (
        "LMDB: Unable to open environment with %s.missing: No such file or directory" % db
    )


def test_redis_exim_2700(redis_server, tmp_path):
    port, sock = redis_server
    conf = tmp_path / "redis.conf"
    conf.write_text(
        "primary_hostname = myhost.test.ex\n"
        f"redis_servers = 127.0.0.1::{port}// : ({sock})/1/\n"
    )
    ctx = ee.Context(config=conf, profile=FULL, sandbox=False)
    assert ctx.expand("${lookup redis{set keyname ${quote_redis:objvalue plus}}}") == "OK"
    assert ctx.expand("${lookup redis{get keyname}}") == "objvalue plus"
    assert ctx.expand("${lookup redis{rpush l a b}}") == "true"
    assert ctx.expand("${lookup redis{lrange l 0 -1}}") == "a\nb"
    assert ctx.expand("${lookup redis{get nosuch}{[$value]}{none}}") == "[]"
    assert ctx.expand("${lookup redis,servers=(%s)/1/{get keyname}}" % sock) == ""
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup redis{get l}}")
    assert info.value.message.startswith(
        'lookup of "get l" gave DEFER: REDIS: lookup result failed: WRONGTYPE'
    )


def test_default_profile_has_neither():
    ctx = ee.Context(sandbox=False)
    for expr, kind in [
        ("${lookup{a}lmdb{/x}}", "lmdb"),
        ("${lookup redis{GET a}}", "redis"),
        ("${quote_redis:a b}", "redis"),
    ]:
        with pytest.raises(ee.ExpandError) as info:
            ctx.expand(expr)
        assert info.value.message == f'unknown lookup type "{kind}"'
