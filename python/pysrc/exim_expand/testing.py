"""Assertions for testing Exim expansions, without an Exim binary.

What Test::MTA::Exim4's ``expansion_is`` gives Perl users, for pytest (or
plain ``assert``-based suites)::

    from exim_expand.testing import assert_expands, assert_fails, assert_condition

    def test_local_domains():
        ctx = exim_expand.Context("exim.conf", now="2024-01-15T12:00:00Z")
        assert_condition("match_domain{example.com}{+local_domains}", True, context=ctx)
        assert_expands("${lc:$local_part}", "postmaster", context=ctx,
                       vars={"local_part": "PostMaster"})
        assert_fails("${if eq{a}{b}", "syntax error", context=ctx)

A failed assertion says what was expected, what came out, and shows the
evaluation as a tree (explain mode), so the mistake can be found at once.
"""

from typing import Mapping, Optional, Union

from ._native import Context, ExpandError, ForcedFailure

VarValue = Union[str, bytes, bytearray, int]

__all__ = [
    "assert_expands",
    "assert_fails",
    "assert_condition",
    "expansion_is",
]


def _context(
    context: Optional[Context],
    vars: Optional[Mapping[str, VarValue]],
    tainted_vars: Optional[Mapping[str, VarValue]],
) -> Context:
    ctx = context.copy() if context is not None else Context()
    for name, value in (vars or {}).items():
        ctx.set(name, value)
    for name, value in (tainted_vars or {}).items():
        ctx.set(name, value, tainted=True)
    return ctx


def _explained(ctx: Context, expr: str) -> str:
    return "\n".join("    " + line for line in ctx.explain(expr).splitlines())


def assert_expands(
    expr: str,
    expected: str,
    *,
    context: Optional[Context] = None,
    vars: Optional[Mapping[str, VarValue]] = None,
    tainted_vars: Optional[Mapping[str, VarValue]] = None,
) -> None:
    """``expr`` expands to exactly ``expected``.  The context is copied, so
    the assertion leaves its state as it was."""
    ctx = _context(context, vars, tainted_vars)
    try:
        got = ctx.expand(expr)
    except ExpandError as e:
        raise AssertionError(
            f"{expr!r} failed instead of giving {expected!r}:\n{e.rendered}\n"
            f"  evaluation:\n{_explained(ctx, expr)}"
        ) from None
    if got != expected:
        raise AssertionError(
            f"{expr!r} gave {got!r}, expected {expected!r}\n"
            f"  evaluation:\n{_explained(_context(context, vars, tainted_vars), expr)}"
        )


def assert_fails(
    expr: str,
    message: Optional[str] = None,
    *,
    forced: Optional[bool] = None,
    kind: Optional[str] = None,
    context: Optional[Context] = None,
    vars: Optional[Mapping[str, VarValue]] = None,
    tainted_vars: Optional[Mapping[str, VarValue]] = None,
) -> ExpandError:
    """``expr`` fails; ``message`` (if given) is part of Exim's message,
    ``forced`` says whether the failure must be (or must not be) forced,
    ``kind`` is the error's kind ("syntax", "unknown_variable", ...).
    Returns the error for further checks."""
    ctx = _context(context, vars, tainted_vars)
    try:
        got = ctx.expand(expr)
    except ExpandError as e:
        if message is not None and message not in e.message:
            raise AssertionError(
                f"{expr!r} failed with {e.message!r}, which does not contain {message!r}"
            ) from None
        if forced is not None and isinstance(e, ForcedFailure) != forced:
            what = "a forced failure" if forced else "an ordinary failure"
            raise AssertionError(f"{expr!r} should be {what}: {e.message!r}") from None
        if kind is not None and e.kind != kind:
            raise AssertionError(
                f"{expr!r} failed with kind {e.kind!r}, expected {kind!r}: {e.message!r}"
            ) from None
        return e
    raise AssertionError(
        f"{expr!r} gave {got!r} instead of failing\n"
        f"  evaluation:\n{_explained(_context(context, vars, tainted_vars), expr)}"
    )


def assert_condition(
    condition: str,
    expected: bool,
    *,
    context: Optional[Context] = None,
    vars: Optional[Mapping[str, VarValue]] = None,
    tainted_vars: Optional[Mapping[str, VarValue]] = None,
) -> None:
    """The condition (as in ``${if CONDITION ...}``) is ``expected``."""
    expr = "${if " + condition + "{true}{false}}"
    want = "true" if expected else "false"
    assert_expands(expr, want, context=context, vars=vars, tainted_vars=tainted_vars)


#: The name Test::MTA::Exim4 users know.
expansion_is = assert_expands
