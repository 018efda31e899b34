#!/usr/bin/env python3
"""What a call from Python costs on top of the evaluation itself.

    target/pyvenv/bin/python benches/python_overhead.py

(scripts/python-tests makes that virtualenv and installs the package.)
For a few pre-parsed templates, the time per call of
  kw:   template.expand(ctx, local_part=..., domain=...)
  set:  template.expand(ctx), the same variables set once in ctx
and, for the template "x" (next to no work in Rust), the time of a bare
call: the fixed cost of crossing into Rust.  kw - set is what passing
keyword variables costs; bare is what any call costs."""

import timeit

import exim_expand

TEMPLATES = [
    "x",
    "${lc:$local_part}@$domain",
    "${if eq{$domain}{example.com}{local}{remote}}",
    "${if match{$local_part}{\\N^([^+]+)\\+(.*)$\\N}{$1}{$local_part}}",
]


def per_call(f, n=100_000):
    # Best of five: the least disturbed by the rest of the machine.
    return min(timeit.repeat(f, number=n, repeat=5)) / n * 1e9


def main():
    ctx = exim_expand.Context()
    kw = {"local_part": "User+tag", "domain": "example.com"}
    print(f"{'template':<66} {'kw ns':>8} {'set ns':>8} {'kw-set':>8}")
    for src in TEMPLATES:
        t = ctx.parse(src)
        with_kw = per_call(lambda: t.expand(ctx, **kw))
        for k, v in kw.items():
            ctx.set(k, v)
        preset = per_call(lambda: t.expand(ctx))
        for k in kw:
            ctx.unset(k)
        print(f"{src:<66} {with_kw:>8.0f} {preset:>8.0f} {with_kw - preset:>8.0f}")
    bare = ctx.parse("x")
    print(f"bare call (template \"x\", no variables): {per_call(lambda: bare.expand(ctx)):.0f} ns")


if __name__ == "__main__":
    main()
