#!/usr/bin/env python3
"""Differential fuzzing against the real Exim.

Random expansions built from every item, operator and condition of Exim
4.96 -- well-formed, malformed (missing or extra arguments, missing braces,
truncated) and with bytes that are not UTF-8 -- are run through
`exim -be` and `exim-expand -be`, one process per expression (so no state
such as a stale `$value` leaks from one line to the next), under the same
environment and, when faketime is installed, the same frozen clock.  Their
standard outputs must be byte-identical.

    tools/diff_fuzz.py [--seed N] [--count N] [--jobs N] [--show N]

Exit status: 0 when every difference is explained, 1 otherwise.  A
difference is explained when Exim crashed on the expression (killed by a
signal: an Exim bug), when Exim logged a panic and exited in the middle of
the line (we fail the line cleanly instead, by design), or when the
expression matches an entry of tools/diff_fuzz_known.txt, which lists each
known Exim 4.96 bug and each difference still open, with a reproducer.

Needs /usr/sbin/exim4 and a release build (cargo build --release).
tests/diff_fuzz_coverage.rs checks that the tables below name every
builtin of the default registry.
"""
import argparse
import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = os.path.join(ROOT, "target/release/exim-expand")
EXIM = "/usr/sbin/exim4"
# A fixed directory, so that the expressions (which name its files) depend
# on the seed only.
FIX = "/tmp/exim-expand-diff-fuzz"
NOW = "2024-01-15 12:00:00"

# Leaves.  Bytes, some of them not UTF-8.
ATOMS = [
    b"", b"a", b"ABC", b"1", b"-5", b"0x10", b"077", b"99999999999999999999",
    b"a:b:c", b"<;a;b", b"<, a,b", b"::", b" x ", b"\\N{}\\N", b"\\x41", b"\\101",
    b"$1", b"${2}", b"$primary_hostname", b"$value", b"$item", b"$0",
    b"user@example.com", b"Name <u@x.y>", b"a@b.c, d@e.f", b"192.0.2.1/24",
    b"::1", b"1.2.3.4", b"fe80::1%eth0", b"[1,[2],\"x\"]", b"{\"a\":1,\"b\":[1,2]}",
    b"=?utf-8?q?x=C3=A9?=", b"=?iso-8859-1?b?6Q==?=", b"(a)(b)", b"^a(.*)$", b"\\{",
    "\u00fc".encode(), b"caf\xe9", b"\xff\xfe", b"\xc3", b"\xc3\xa9t\xc3\xa9",
    b"*.example.com", b"10", b"3", b"xyz", b"a=1 b=2", b"k1=v1 k2=\"v 2\"",
    b"\\$x", b"5s1m", b"60", b"1w2d", b"xn--caf-dma.example", b"caf\xc3\xa9.example",
    b".lead.", b"a b", b"  ", b"2", b"-1", b"0", b"ab\\ncd", b"{", b"}", b"${",
    b"$", b"\\", b"md5", b"sha1", b"sha256", FIX.encode() + b"/list",
    FIX.encode() + b"/data.lsearch", FIX.encode() + b"/nonexistent", FIX.encode(),
]

# Items: name -> (fewest arguments, most arguments, pools for the first
# arguments (None: anything)).  Every item is also generated malformed.
ITEMS = {
    "acl": (1, 3, [[b"nosuch", b"", b"a b"]]),
    "authresults": (1, 1, [[b"mx.example", b""]]),
    "certextract": (2, 2, [[b"subject", b"version", b"nosuch"], [b"$tls_in_peercert", b"x"]]),
    "dlfunc": (2, 3, [[FIX.encode() + b"/nonexistent.so"], [b"f"]]),
    "env": (1, 3, [[b"TZ", b"NOSUCH", b"", b"PATH"]]),
    "extract": (2, 4, None),
    "filter": (2, 2, None),
    "hash": (2, 3, None),
    "hmac": (3, 3, [[b"md5", b"sha1", b"sha256", b"nosuch"]]),
    "if": (2, 2, None),
    "imapfolder": (1, 3, None),
    "length": (2, 2, None),
    "listextract": (2, 4, None),
    "listquote": (2, 2, [[b":", b";", b"", b"ab"]]),
    "lookup": (1, 3, None),
    "map": (2, 2, None),
    "nhash": (2, 3, None),
    "perl": (1, 3, [[b"f", b""]]),
    "prvs": (2, 3, None),
    "prvscheck": (2, 3, None),
    "readfile": (1, 2, [[FIX.encode() + b"/list", FIX.encode() + b"/nonexistent", FIX.encode(), b""]]),
    "readsocket": (2, 5, [[FIX.encode() + b"/nonexistent.sock", b"inet:127.0.0.1:1", b"inet:localhost", b"inet:[x]:1", b""]]),
    "reduce": (3, 3, None),
    "run": (1, 3, [[b"/bin/echo a b", b"/bin/false", b"/bin/echo $value", b"", b"/nonexistent"]]),
    "sg": (3, 3, None),
    "sort": (3, 3, [None, [b"<", b"lt", b"gei", b">=", b"eq", b"nosuch", b"", b"<="]]),
    "srs_encode": (3, 3, [[b"secret", b""]]),
    "substr": (2, 3, None),
    "tr": (3, 3, None),
}

# Operators: name -> suffixes it may take (`length_3`, `sha2_256`).
OPERATORS = {
    "address": [], "addresses": [], "base32": [], "base32d": [], "base62": [],
    "base62d": [], "base64": [], "base64d": [], "domain": [], "escape": [],
    "escape8bit": [], "eval": [], "eval10": [], "expand": [], "from_utf8": [],
    "h": ["_3", "_2_5"], "hash": ["_3", "_2_5", "_x"], "hex2b64": [], "hexquote": [],
    "ipv6denorm": [], "ipv6norm": [], "l": ["_2"], "lc": [],
    "length": ["_3", "_0", "_x", "_-1"], "listcount": [], "listnamed": ["_d", "_h", "_x"],
    "local_part": [], "mask": [], "md5": [], "nh": ["_5"], "nhash": ["_5", "_3_4", "_0"],
    "quote": ["_lsearch", "_nosuch", "_local_part"], "quote_local_part": [], "randint": [],
    "reverse_ip": [], "rfc2047": [], "rfc2047d": [], "rxquote": [], "s": ["_1_2"],
    "sha1": [], "sha2": ["_256", "_384", "_512", "_1"], "sha256": [],
    "sha3": ["_224", "_256", "_384", "_512", "_1"], "stat": [], "str2b64": [],
    "strlen": [], "substr": ["_1", "_1_3", "_-2", "_x"], "time_eval": [],
    "time_interval": [], "uc": [], "utf8_domain_from_alabel": [],
    "utf8_domain_to_alabel": [], "utf8_localpart_from_alabel": [],
    "utf8_localpart_to_alabel": [], "utf8clean": [],
}

# Conditions: name -> how its arguments look: a number of {} arguments,
# "none", "def" (def:name), "subconds" (and/or), "iterate" (forall...),
# "acl" ({{name}{arg}}).
CONDITIONS = {
    "<": 2, "<=": 2, "=": 2, "==": 2, ">": 2, ">=": 2, "acl": "acl",
    "and": "subconds", "bool": 1, "bool_lax": 1, "crypteq": 2, "def": "def",
    "eq": 2, "eqi": 2, "exists": 1, "first_delivery": "none", "forall": "iterate",
    "forall_json": "iterate", "forall_jsons": "iterate", "forany": "iterate",
    "forany_json": "iterate", "forany_jsons": "iterate", "ge": 2, "gei": 2,
    "gt": 2, "gti": 2, "inbound_srs": 2, "inlist": 2, "inlisti": 2, "isip": 1, "isip4": 1,
    "isip6": 1, "ldapauth": 1, "le": 2, "lei": 2, "lt": 2, "lti": 2,
    "match": 2, "match_address": 2, "match_domain": 2, "match_ip": 2,
    "match_local_part": 2, "or": "subconds", "pam": 1, "pwcheck": 1,
    "queue_running": "none", "radius": 1, "saslauthd": 4,
}

LOOKUP_TYPES = [b"lsearch", b"wildlsearch", b"nwildlsearch", b"iplsearch", b"lsearch*",
                b"lsearch*@", b"partial-lsearch", b"partial2-lsearch", b"dsearch",
                b"cdb", b"dbm", b"nosuch", b"lsearch,ret=key", b"dsearch,ret=full"]
QUERY_TYPES = [b"passwd", b"nosuch", b"sqlite", b"readsock"]
VARIABLES = [b"primary_hostname", b"value", b"item", b"tod_log", b"nosuch", b"h_subject",
             b"compile_number", b"exim_version", b"qualify_domain", b"sender_address",
             b"acl_c0", b"runrc", b"exim_path", b"spool_directory", b"auth1", b"auth12"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, xs):
        return xs[self.r.randrange(len(xs))]

    def chance(self, n):
        return self.r.randrange(n) == 0

    def atom(self):
        if self.chance(6):
            return b"$" + self.pick(VARIABLES)
        return self.pick(ATOMS)

    def value(self, depth):
        if depth <= 0 or self.chance(3):
            return self.atom()
        k = self.r.randrange(4)
        if k == 0:
            return self.item(depth - 1)
        if k == 1:
            return self.operator(depth - 1)
        if k == 2:
            return self.if_item(depth - 1)
        return self.value(depth - 1) + self.value(depth - 1)

    def braces(self, args):
        return b"".join(b"{" + a + b"}" for a in args)

    def malformed(self, text):
        """Sometimes break a well-formed construct."""
        if not self.chance(4) or not text:
            return text
        k = self.r.randrange(5)
        if k == 0:
            return text[:-1]                       # missing final }
        if k == 1:
            return text[: self.r.randrange(len(text))]  # truncated
        if k == 2:
            i = self.r.randrange(len(text))
            return text[:i] + self.pick([b" ", b"}", b"{", b"\\", b"\xff", b"$"]) + text[i:]
        if k == 3:
            return text.replace(b"}{", b"} {", 1)
        return text + b"}"

    def args(self, lo, hi, pools, depth):
        n = self.r.randrange(max(lo - 1, 0), hi + 2)
        out = []
        for i in range(n):
            pool = pools[i] if pools and i < len(pools) else None
            out.append(self.pick(pool) if pool and not self.chance(5) else self.value(depth))
        return out

    def item(self, depth):
        name = self.pick(sorted(ITEMS))
        lo, hi, pools = ITEMS[name]
        if name == "if":
            return self.if_item(depth)
        if name == "lookup":
            return self.lookup(depth)
        if name == "extract" and self.chance(3):
            head = b"${extract " + self.pick([b"json", b"jsons", b"nosuch"])
            return self.malformed(head + self.braces(self.args(2, 2, None, depth)) + b"}")
        if name == "run" and self.chance(3):
            name = "run,preexpand"
        args = self.args(lo, hi, pools, depth)
        return self.malformed(b"${" + name.encode() + self.braces(args) + b"}")

    def lookup(self, depth):
        if self.chance(3):
            t = self.pick(QUERY_TYPES)
            text = b"${lookup " + t + self.braces([self.value(depth)] + self.args(0, 2, None, depth)) + b"}"
        else:
            key = self.pick([b"a", b"b", b"x.y.example", b"1.2.3.4", b"", b"*"]) if self.chance(2) else self.value(depth)
            t = self.pick(LOOKUP_TYPES)
            f = self.pick([FIX.encode() + b"/data.lsearch", FIX.encode() + b"/dsearch",
                           FIX.encode() + b"/nonexistent", b"relative", b""])
            text = b"${lookup{" + key + b"}" + t + b"{" + f + b"}" + self.braces(self.args(0, 2, None, depth)) + b"}"
        return self.malformed(text)

    def operator(self, depth):
        name = self.pick(sorted(OPERATORS))
        suffixes = OPERATORS[name]
        full = name + (self.pick(suffixes) if suffixes and self.chance(2) else "")
        arg = self.value(depth)
        return self.malformed(b"${" + full.encode() + b":" + arg + b"}")

    def condition(self, depth):
        name = self.pick(sorted(CONDITIONS))
        shape = CONDITIONS[name]
        neg = b"!" if self.chance(6) else b""
        if shape == "none":
            text = name.encode()
        elif shape == "def":
            text = b"def:" + self.pick(VARIABLES + [b"h_subject:", b"", b"$x"])
        elif shape == "subconds":
            subs = [self.condition(depth - 1) for _ in range(self.r.randrange(0, 3))]
            text = name.encode() + b"{" + self.braces(subs) + b"}"
        elif shape == "iterate":
            text = name.encode() + self.braces([self.value(depth), self.condition(depth - 1)])
        elif shape == "acl":
            text = b"acl{" + self.braces(self.args(1, 2, [[b"nosuch"]], depth)) + b"}"
        else:
            pools = None
            if name == "crypteq":
                pools = [None, [b"{md5}x", b"{crypt}ab01", b"$1$abc$xyz", b"{sha1}", b"plain"]]
            text = name.encode() + self.braces(self.args(shape, shape, pools, depth))
        return self.malformed(neg + text)

    def if_item(self, depth):
        tail = self.braces(self.args(0, 2, None, depth))
        if self.chance(8):
            tail += b"fail"
        return self.malformed(b"${if " + self.condition(depth) + b" " + tail + b"}")

    def expression(self):
        return self.value(self.r.randrange(1, 5))


def usable(e):
    # -be reads lines: no newlines; no trailing backslash (a continuation)
    # or trailing white space (stripped); a leading capital letter would be
    # a macro definition; randint and the process id differ by design.
    return (e and b"\n" not in e and not e.endswith(b"\\") and e == e.rstrip()
            and not e[:1].isupper() and len(e) < 2000 and b"randint" not in e)


def generate(seed, count):
    g = Gen(seed)
    out = []
    seen = set()
    while len(out) < count:
        e = g.expression()
        if usable(e) and e not in seen:
            seen.add(e)
            out.append(e)
    return out


def make_fixtures():
    shutil.rmtree(FIX, ignore_errors=True)
    os.makedirs(FIX + "/dsearch")
    with open(FIX + "/list", "wb") as f:
        f.write(b"a\n1.2.3.4\n*.example.com\n# comment\nuser@example.com\n")
    with open(FIX + "/data.lsearch", "wb") as f:
        f.write(b"a: value of a\nb:\n  continued\n*.example: wild\n1.2.3.4: ip\n*: star\n")
    for name in ["a", "b.c"]:
        open(os.path.join(FIX, "dsearch", name), "w").close()
    conf = os.path.join(FIX, "min.conf")
    with open(conf, "w") as f:
        f.write("primary_hostname = myhost.test.ex\n")
    return conf


def faketime_lib():
    hits = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    return hits[0] if hits else None


def run_one(binary, conf, expr, env):
    p = subprocess.run([binary, "-C", conf, "-be"], input=expr + b"\n",
                       capture_output=True, env=env, timeout=60)
    return p.returncode, p.stdout


def load_known():
    """Lines `class<TAB>regex<TAB>reproducer` (the reproducer documents it)."""
    known = []
    path = os.path.join(ROOT, "tools/diff_fuzz_known.txt")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8", errors="surrogateescape"):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cls, rx, _repro = line.split("\t", 2)
            known.append((cls, re.compile(rx.encode("utf-8", "surrogateescape"))))
    return known


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--show", type=int, default=20, help="differences to print")
    ap.add_argument("--ours", default=OURS, help="the exim-expand binary")
    ap.add_argument("--list-crashes", action="store_true",
                    help="print the expressions that crashed Exim")
    a = ap.parse_args()
    ours = a.ours
    for b in (EXIM, ours):
        if not os.path.exists(b):
            print(f"diff_fuzz: {b} is missing", file=sys.stderr)
            return 2
    conf = make_fixtures()
    env = {"PATH": "/usr/bin:/bin", "TZ": "UTC", "LC_ALL": "C"}
    lib = faketime_lib()
    if lib:
        env.update(LD_PRELOAD=lib, FAKETIME="@" + NOW, FAKETIME_DONT_RESET="1")
    exprs = generate(a.seed, a.count)
    known = load_known()

    def compare(e):
        (rc_e, out_e), (rc_o, out_o) = run_one(EXIM, conf, e, env), run_one(ours, conf, e, env)
        if out_e == out_o:
            return "same", None
        if rc_e < 0:
            return "exim crashed", (e, b"", b"") if a.list_crashes else None
        if rc_e != 0 and not out_e.endswith(b"\n> \n"):
            # Exim logged a panic and exited in the middle of the line (an
            # unopenable list file, a bad regex in a list, ...); we fail that
            # line cleanly and go on, as the README says.
            return "exim died", None
        for cls, rx in known:
            if rx.search(e):
                return cls, None
        return "different", (e, out_e, out_o)

    counts = {}
    diffs = []
    crashes = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        for verdict, diff in pool.map(compare, exprs):
            counts[verdict] = counts.get(verdict, 0) + 1
            if diff and verdict == "exim crashed":
                crashes.append(diff[0])
            elif diff:
                diffs.append(diff)
    for e in crashes:
        print(f"exim crashed: {e!r}")
    for e, out_e, out_o in diffs[: a.show]:
        print(f"expression: {e!r}\n  exim: {out_e!r}\n  ours: {out_o!r}")
    same = counts.get("same", 0)
    print(f"diff_fuzz: seed {a.seed}: {same}/{len(exprs)} identical "
          f"({100.0 * same / len(exprs):.1f}%); "
          + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if k != "same"))
    shutil.rmtree(FIX, ignore_errors=True)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
