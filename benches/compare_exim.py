#!/usr/bin/env python3
"""Runs the same `-be` input through Exim and through exim-expand, in one
run, and prints their wall time, peak memory and ratios for each mix.

    benches/compare_exim.py [--lines N] [--runs R] [--profile P] [MIX ...]

MIX names a file benches/MIX.txt (one expansion per line, `#` comments):
by default `typical`, `regex` and `lookup`.  Its lines are repeated into
N lines of standard input (default 100,000), so process start-up is
amortised; `@DATA@` becomes a directory of lookup data written by
benches/fixtures.py.  Each program runs R times (default 5), the two
alternating, and the medians are compared; the outputs must be
identical byte for byte (the script says so, and fails if they are not).
The drop-in is built with cargo's profile P (default `dist`, the one
installed binaries use: whole-program optimisation; `release` builds in a
quarter of the time).
EXIM names the Exim binary (default /usr/sbin/exim4); GNU time
(/usr/bin/time, Debian's package `time`) measures the memory."""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def mix_lines(name, data):
    path = os.path.join(HERE, f"{name}.txt")
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    return [l.replace("@DATA@", data) for l in lines if l and not l.startswith("#")]


def run_once(program, conf, stdin_path, stdout_path, tmp):
    """Wall seconds and peak resident memory (KiB) of one run.  The peak
    is GNU time's: a child's own rusage would include the memory of the
    Python process it was forked from."""
    rss = os.path.join(tmp, "rss")
    with open(stdin_path, "rb") as i, open(stdout_path, "wb") as o:
        start = time.perf_counter()
        p = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", rss, program, "-C", conf, "-be"],
            stdin=i,
            stdout=o,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{program} exited with status {p.returncode}")
    with open(rss) as f:
        return wall, int(f.read().split()[-1])


def compare(name, args, exim, tmp, conf):
    lines = mix_lines(name, os.path.join(tmp, "data"))
    n = args.lines
    stdin_path = os.path.join(tmp, f"{name}.in")
    with open(stdin_path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(lines[i % len(lines)] + "\n")
    times = {"exim": [], "ours": []}
    memory = {"exim": [], "ours": []}
    outs = {}
    for _ in range(args.runs):
        for who, program in (("exim", exim), ("ours", args.ours)):
            outs[who] = os.path.join(tmp, f"{name}.{who}.out")
            t, m = run_once(program, conf, stdin_path, outs[who], tmp)
            times[who].append(t)
            memory[who].append(m)
    with open(outs["exim"], "rb") as a, open(outs["ours"], "rb") as b:
        same = a.read() == b.read()
    et, ot = statistics.median(times["exim"]), statistics.median(times["ours"])
    em, om = max(memory["exim"]), max(memory["ours"])
    return {
        "mix": name,
        "lines": n,
        "distinct": len(lines),
        "exim_s": et,
        "ours_s": ot,
        "speed": et / ot if ot else 0.0,
        "exim_kib": em,
        "ours_kib": om,
        "same": same,
        "spread": (min(times["ours"]), max(times["ours"])),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", default="dist")
    ap.add_argument("mixes", nargs="*", default=["typical", "regex", "lookup"])
    args = ap.parse_args()
    args.ours = os.path.join(ROOT, "target", args.profile, "exim-expand")
    exim = os.environ.get("EXIM", "/usr/sbin/exim4")
    if not os.access(exim, os.X_OK):
        sys.exit(f"Exim not found at {exim} (apt-get install exim4-daemon-heavy)")
    subprocess.run(
        ["cargo", "build", "--profile", args.profile, "--quiet", "--bin", "exim-expand"],
        cwd=ROOT,
        check=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "data"))
        subprocess.run(
            [sys.executable, os.path.join(HERE, "fixtures.py"), os.path.join(tmp, "data")],
            check=True,
        )
        conf = os.path.join(tmp, "min.conf")
        with open(conf, "w") as f:
            f.write("primary_hostname = myhost.test.ex\n")
        results = [compare(m, args, exim, tmp, conf) for m in args.mixes]
    print(f"machine: {machine()}")
    print(f"exim-expand built with cargo profile {args.profile}")
    print(f"{args.runs} runs of each program, alternating; medians")
    print(
        f"{'mix':<10} {'lines':>8} {'exim s':>8} {'ours s':>8} {'speed':>7}"
        f" {'exim KiB':>9} {'ours KiB':>9} {'memory':>7}  identical"
    )
    for r in results:
        print(
            f"{r['mix']:<10} {r['lines']:>8} {r['exim_s']:>8.3f} {r['ours_s']:>8.3f}"
            f" {r['speed']:>6.1f}x {r['exim_kib']:>9} {r['ours_kib']:>9}"
            f" {r['ours_kib'] / r['exim_kib']:>7.3f}  {'yes' if r['same'] else 'NO'}"
        )
    print("speed: Exim's time / ours; memory: our peak / Exim's peak")
    if not all(r["same"] for r in results):
        sys.exit("the outputs differ")


if __name__ == "__main__":
    main()
