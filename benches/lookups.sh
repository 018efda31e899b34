#!/usr/bin/env bash
# Lookups per second, through `exim -be` and through `exim-expand -be` in
# the same run: benches/lookups.sh [LOOKUPS]   (default 20000 per row)
#
# Each row feeds LOOKUPS `${lookup...}` lines to one process of each and
# prints lookups per second and the ratio (ours / Exim, time).  "cached":
# the lines ask for 100 keys over and over, so Exim's per-process lookup
# cache answers most of them; "uncached": every line asks a new key (and
# the lookup carries `cache=no_rd`, so neither program reads its cache).
# pgsql runs a throw-away PostgreSQL cluster on loopback (as the postgres
# user).  Types Debian's Exim lacks (lmdb, redis) are measured for ours alone,
# with the exim-4.96-full profile; dnsdb runs Exim under
# shared/tools/hermetic-dns (a real nsd on loopback) and ours with the
# same zone files (--dns-zones).  Needs python3, and for the rows that use
# them mdb_load (lmdb-utils), redis-server, nsd and root (hermetic-dns).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
exim=${EXIM:-/usr/sbin/exim4}
ours=$PWD/target/release/exim-expand
hermetic=${HERMETIC_DNS:-$PWD/../shared/tools/hermetic-dns}
[ -x "$exim" ] || { echo "Exim not found at $exim (apt-get install exim4-daemon-heavy)"; exit 1; }
cargo build --release --quiet
tmp=$(mktemp -d)
redis_pid=
pg_stop() { :; }
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; pg_stop; rm -rf "$tmp"; }
trap cleanup EXIT

# 10,000 keys k0..k9999 with values v0.., in every format.
python3 benches/fixtures.py "$tmp"
have_mdb=no
if command -v mdb_load >/dev/null; then
  mdb_load -n -T -f "$tmp/data.mdb.txt" "$tmp/data.mdb" 2>/dev/null && have_mdb=yes
fi
have_redis=no
if command -v redis-server >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  python3 - "$port" <<'EOF' && have_redis=yes
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
cmds = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v)
                for k, v in ((f"k{i}".encode(), f"value of key {i}".encode()) for i in range(10000)))
s.sendall(cmds)
got = b""
while got.count(b"+OK\r\n") < 10000:
    got += s.recv(65536)
EOF
fi
have_pg=no
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
if [ -n "$pgbin" ] && [ -x "$pgbin/postgres" ] && id postgres >/dev/null 2>&1; then
  pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir "$tmp/pg" && chown postgres "$tmp/pg" && chmod 755 "$tmp"
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if as_pg "$pgbin/initdb" -D "$tmp/pg/data" -U postgres --auth=trust --no-sync >/dev/null 2>&1 &&
     as_pg "$pgbin/pg_ctl" -D "$tmp/pg/data" -w -t 30 -l "$tmp/pg/log" \
       -o "-p $pgport -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1; then
    pg_stop() { as_pg "$pgbin/pg_ctl" -D "$tmp/pg/data" -m immediate stop >/dev/null 2>&1 || true; }
    python3 -c "
print('CREATE TABLE t (k text PRIMARY KEY, v text);')
print('INSERT INTO t VALUES ' + ','.join(\"('k%d','value of key %d')\" % (i, i) for i in range(10000)) + ';')" |
      as_pg "$pgbin/psql" -q -h "$tmp/pg" -p "$pgport" -U postgres -d postgres >/dev/null && have_pg=yes
  fi
fi
printf 'primary_hostname = bench.test.ex\npgsql_servers = 127.0.0.1::%s/postgres/postgres/x\n' "${pgport:-5432}" > "$tmp/pgsql.conf"
printf 'primary_hostname = bench.test.ex\n' > "$tmp/min.conf"
printf 'primary_hostname = bench.test.ex\nredis_servers = 127.0.0.1::%s//\n' "${port:-6379}" > "$tmp/redis.conf"

# lines TEMPLATE CACHED: N lines, @K@ replaced by a key.
lines() {
  python3 - "$1" "$2" "$n" <<'EOF'
import sys
tpl, cached, n = sys.argv[1], sys.argv[2] == "cached", int(sys.argv[3])
for i in range(n):
    print(tpl.replace("@K@", str(i % 100 if cached else i % 10000)))
EOF
}

run() { # run PROGRAM CONF [ARGS...] < input: prints seconds
  local prog=$1 conf=$2; shift 2
  /usr/bin/time -f '%e' -o "$tmp/time" "$prog" -C "$conf" "$@" -be > "$tmp/out" 2>/dev/null < "$tmp/in"
  if grep -q 'Failed:' "$tmp/out"; then echo "FAILED: $(grep -m1 Failed: "$tmp/out")" >&2; fi
  cat "$tmp/time"
}

rate() { awk -v n="$n" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", n / t; else printf "-" }'; }

row() { # row NAME TEMPLATE CACHED EXIM(yes/no/dns) [OUR ARGS...]
  local name=$1 tpl=$2 cached=$3 with_exim=$4; shift 4
  lines "$tpl" "$cached" > "$tmp/in"
  local conf="$tmp/min.conf" et="" ot
  [[ "$tpl" == *redis* ]] && conf="$tmp/redis.conf"
  [[ "$tpl" == *pgsql* ]] && conf="$tmp/pgsql.conf"
  case $with_exim in
    yes) et=$(run "$exim" "$conf") ;;
    dns) et=$(/usr/bin/time -f '%e' -o "$tmp/time" "$hermetic" "$tmp/zones" "$exim" -C "$conf" -be < "$tmp/in" > "$tmp/out" 2>/dev/null; cat "$tmp/time") ;;
  esac
  ot=$(run "$ours" "$conf" "$@")
  if [ -n "$et" ]; then
    printf '%-24s %-9s %12s %12s %8s\n' "$name" "$cached" "$(rate "$et")" "$(rate "$ot")" \
      "$(awk -v a="$ot" -v b="$et" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
  else
    printf '%-24s %-9s %12s %12s %8s\n' "$name" "$cached" "-" "$(rate "$ot")" "-"
  fi
}

printf '%s lookups per row\n' "$n"
printf '%-24s %-9s %12s %12s %8s\n' type cache "exim/s" "ours/s" "ratio"
for c in cached uncached; do
  nr=""; [ "$c" = uncached ] && nr=",cache=no_rd"
  row lsearch "\${lookup{k@K@}lsearch$nr{$tmp/data.lsearch}}" $c yes
  row cdb "\${lookup{k@K@}cdb$nr{$tmp/data.cdb}}" $c yes
  row sqlite "\${lookup sqlite$nr{$tmp/data.sqlite select v from t where k='k@K@'}}" $c yes
  if [ -x "$hermetic" ] && [ "$(id -u)" = 0 ]; then
    row "dnsdb (zone files)" "\${lookup dnsdb$nr{t@K@.bench.test}}" $c dns --dns-zones "$tmp/zones"
  fi
  [ $have_pg = yes ] && row pgsql "\${lookup pgsql$nr{select v from t where k='k@K@'}}" $c yes
  [ $have_mdb = yes ] && row "lmdb (ours only)" "\${lookup{k@K@}lmdb$nr{$tmp/data.mdb}}" $c no --profile exim-4.96-full
  [ $have_redis = yes ] && row "redis (ours only)" "\${lookup redis$nr{GET k@K@}}" $c no --profile exim-4.96-full
done
