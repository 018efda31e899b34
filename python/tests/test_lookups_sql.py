"""The pgsql and mysql lookups through Python, against servers started
here (Debian's ``postgresql`` and ``mariadb-server``) with the fixtures of
tests/data/sql/.  Expected values are those of the oracle-recorded corpora
tests/data/sql/pgsql_cases.jsonl and mysql_cases.jsonl.  Without the
servers the tests are skipped, unless EXIM_ORACLE=required (CI), where
they fail.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import exim_expand as ee

ROOT = pathlib.Path(__file__).resolve().parents[2]
PGBIN = pathlib.Path("/usr/lib/postgresql/15/bin")


def need(path):
    if not pathlib.Path(path).exists():
        if os.environ.get("EXIM_ORACLE") == "required":
            pytest.fail(f"{path} is not installed")
        pytest.skip(f"SKIPPED: {path} is not installed")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + args
    return args


@pytest.fixture
def pgsql_server():
    need(PGBIN / "postgres")
    # Not under pytest's tmp_path: the postgres user cannot enter it.
    d = pathlib.Path(tempfile.mkdtemp(prefix="exim-expand-pg-"))
    if os.geteuid() == 0:
        shutil.chown(d, "postgres")
    data, port = d / "data", free_port()
    subprocess.run(as_postgres([str(PGBIN / "initdb"), "-D", str(data), "-U", "postgres",
                                "-E", "UTF8", "--locale=C", "--auth=trust", "--no-sync"]),
                   check=True, capture_output=True)
    hba = data / "pg_hba.conf"
    os.chmod(hba, 0o666)
    hba.write_text("local all postgres trust\nlocal all all scram-sha-256\n"
                   "host all all 127.0.0.1/32 scram-sha-256\n")
    opts = f"-p {port} -k {d} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-o", opts, "-w",
                                "-l", str(d / "log"), "start"]),
                   check=True, capture_output=True)
    try:
        subprocess.run(as_postgres([str(PGBIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                    "-U", "postgres", "-h", str(d), "-p", str(port),
                                    "-d", "postgres", "-f",
                                    str(ROOT / "tests/data/sql/pgsql.sql")]),
                       check=True, capture_output=True)
        yield port
    finally:
        subprocess.run(as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-m",
                                    "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def mysql_server(tmp_path):
    need("/usr/sbin/mariadbd")
    d, port = tmp_path / "my", free_port()
    d.mkdir()
    env = dict(os.environ, TMPDIR=str(d))
    subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={d}/data",
                    "--user=root", "--auth-root-authentication-method=normal",
                    "--skip-test-db"], check=True, capture_output=True, env=env)
    sock = d / "mysqld.sock"
    proc = subprocess.Popen(
        ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={d}/data", f"--socket={sock}",
         f"--pid-file={d}/pid", f"--log-error={d}/err.log", f"--port={port}", "--user=root",
         "--bind-address=127.0.0.1", "--skip-log-bin"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            assert time.monotonic() < deadline, "mariadbd did not start"
            time.sleep(0.05)
        with open(ROOT / "tests/data/sql/mysql.sql") as f:
            subprocess.run(["mariadb", "--no-defaults", "-uroot", f"--socket={sock}"],
                           stdin=f, check=True, capture_output=True)
        yield port, sock
    finally:
        proc.kill()
        proc.wait()


def test_pgsql(pgsql_server, tmp_path):
    port = pgsql_server
    conf = tmp_path / "pg.conf"
    conf.write_text("primary_hostname = myhost.test.ex\n"
                    f"hide pgsql_servers = 127.0.0.1::{port}/eximtest/exim/eximpw\n")
    ctx = ee.Context(config=conf, sandbox=False)
    assert ctx.expand("${lookup pgsql{SELECT email FROM users WHERE id = 1}}") == \
        "alice@example.com"
    assert ctx.expand("${lookup pgsql{SELECT * FROM users WHERE id = 2}}") == \
        'id=2 name=bob email=bob@example.com quota="" note="" '
    assert ctx.expand("${lookup pgsql{INSERT INTO log (msg) VALUES ('one')}}") == "1"
    assert ctx.expand("${lookup pgsql{SELECT 1 WHERE false}{yes}{no}}") == "no"
    with pytest.raises(ee.ExpandError) as info:
        ctx.expand("${lookup pgsql{SELEC 1}}")
    assert info.value.message == (
        'lookup of "SELEC 1" gave DEFER: PGSQL: query failed: ERROR:  syntax error at or '
        'near "SELEC"\nLINE 1: SELEC 1\n        ^\n (PGRES_FATAL_ERROR) (SELEC 1)\n')


def test_mysql(mysql_server, tmp_path):
    port, sock = mysql_server
    conf = tmp_path / "my.conf"
    conf.write_text("primary_hostname = myhost.test.ex\n"
                    f"hide mysql_servers = 127.0.0.1::{port}/eximtest/exim/eximpw : "
                    f"localhost({sock})/second/exim/eximpw\n")
    ctx = ee.Context(config=conf, sandbox=False)
    assert ctx.expand("${lookup mysql{SELECT email FROM users WHERE id = 1}}") == \
        "alice@example.com"
    assert ctx.expand("${lookup mysql,servers=localhost(%s)/second/exim/eximpw"
                      "{SELECT db FROM where_am_i}}" % sock) == "second"
    assert ctx.expand("${lookup mysql{SELECT name FROM users WHERE name = "
                      "'${quote_mysql:O'Brien}'}}") == "O'Brien"
    assert ctx.expand("${lookup mysql{UPDATE log SET msg = 'x'}}") == "0"
