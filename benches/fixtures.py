#!/usr/bin/env python3
"""Writes the lookup data the benchmark scripts read, into DIR:
benches/fixtures.py DIR

10,000 keys k0..k9999 with the values "value of key N", as
data.lsearch, data.cdb (written here: no cdb tool is needed),
data.sqlite, data.mdb.txt (mdb_load's input) and, for dnsdb,
zones/bench.test.zone with TXT records t0..t9999."""
import os
import sqlite3
import struct
import sys

d = sys.argv[1]
keys = [(f"k{i}", f"value of key {i}") for i in range(10000)]
with open(f"{d}/data.lsearch", "w") as f:
    for k, v in keys:
        f.write(f"{k}: {v}\n")
with open(f"{d}/data.mdb.txt", "w") as f:
    for k, v in keys:
        f.write(f"{k}\n{v}\n")
db = sqlite3.connect(f"{d}/data.sqlite")
db.execute("create table t (k text primary key, v text)")
db.executemany("insert into t values (?, ?)", keys)
db.commit()


def cdb_hash(b):
    x = 5381
    for c in b:
        x = ((x << 5) + x) & 0xFFFFFFFF ^ c
    return x


records = bytearray()
tables = [[] for _ in range(256)]
for k, v in keys:
    k, v = k.encode(), v.encode()
    hv = cdb_hash(k)
    tables[hv & 255].append((hv, 2048 + len(records)))
    records += struct.pack("<II", len(k), len(v)) + k + v
out = bytearray(2048) + records
header = []
for t in tables:
    m = len(t) * 2
    slots = [(0, 0)] * m
    for hv, rp in t:
        i = (hv >> 8) % m
        while slots[i][1]:
            i = (i + 1) % m
        slots[i] = (hv, rp)
    header.append((len(out), m))
    for hv, rp in slots:
        out += struct.pack("<II", hv, rp)
for i, (tp, m) in enumerate(header):
    out[i * 8 : i * 8 + 8] = struct.pack("<II", tp, m)
with open(f"{d}/data.cdb", "wb") as f:
    f.write(out)
os.makedirs(f"{d}/zones", exist_ok=True)
with open(f"{d}/zones/bench.test.zone", "w") as f:
    f.write(
        "$TTL 300\n@ SOA ns.bench.test. hm.bench.test. 1 3600 600 86400 300\n"
        "  NS ns\nns A 192.0.2.1\n"
    )
    for i in range(10000):
        f.write(f't{i} TXT "text {i}"\n')
