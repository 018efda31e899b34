"""A typed use of the package: `mypy --strict` must accept it (run by
scripts/python-tests), so the stubs stay in step with the API."""

from typing import Optional

import exim_expand
from exim_expand.testing import assert_condition, assert_expands


def users(key: str) -> Optional[str]:
    return {"alice": "Alice Liddell"}.get(key)


def main() -> None:
    ctx = exim_expand.Context(now="2024-01-15T12:00:00Z", vars={"x": "abc"})
    ctx.register_lookup("users", users, style="query")
    ctx.allow("env", "files")
    caps: frozenset[str] = ctx.capabilities
    t: exim_expand.Template = ctx.compile("${lookup users{alice}} ${uc:$x}")
    out: str = t.expand(ctx, x="def")
    raw: bytes = ctx.expand_bytes("${lc:ABC}")
    try:
        exim_expand.compile("${if eq{a}{b}")
    except exim_expand.ExpandError as e:
        where: int = e.line
        kind: str = e.kind
        print(where, kind)
    for d in exim_expand.check("$nosuch"):
        print(d.render("<expr>", False))
    assert_expands("${lc:A}", "a", context=ctx)
    assert_condition("eq{a}{a}", True)
    print(caps, out, raw)


if __name__ == "__main__":
    main()
