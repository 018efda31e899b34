"""Exim 4.96's string-expansion language, implemented in Rust.

Inputs may be ``str`` or ``bytes``; a ``str`` is encoded as UTF-8 with
``surrogateescape``.  Results are ``str`` (UTF-8; bytes that are not UTF-8
come back as lone surrogates, so ``s.encode("utf-8", "surrogateescape")``
gives Exim's exact bytes) or ``bytes`` from the ``*_bytes`` variants.
"""

import datetime
import os
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Literal, Mapping, Optional, Tuple, Union

__version__: str
EXIM_VERSION: str

StrOrBytes = Union[str, bytes, bytearray]
VarValue = Union[str, bytes, bytearray, int]
Now = Union[int, float, str, datetime.datetime]
PathLike = Union[str, "os.PathLike[str]"]
Capability = Literal[
    "env", "files", "run", "readfile", "readsocket", "perl", "dlfunc", "acl", "network"
]
LookupStyleName = Literal["query", "single-key", "file-query"]
Kind = Literal["syntax", "failed", "forced", "unknown_variable", "refused", "limit", "config"]

class ExpandError(Exception):
    """An expansion failed; ``message`` is Exim's text (what ``exim -be``
    prints after ``Failed:``)."""

    message: str
    kind: Kind
    forced: bool
    line: int
    column: int
    start: int
    end: int
    expression: str
    rendered: str

class ForcedFailure(ExpandError):
    """A forced failure (``fail`` in place of a "no" string, ...)."""

class ConfigError(ValueError):
    """An Exim configuration file could not be read."""

class Diagnostic:
    """One problem found by ``check()`` or ``Template.errors()``."""

    @property
    def message(self) -> str: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    def render(self, origin: str = "<expr>", color: bool = False) -> str:
        """The message with origin:line:column and a caret, as
        ``exim-expand check`` prints it."""

class Context:
    """Everything an expansion sees; expansions through one Context share
    state as the lines of one ``exim -be`` session do."""

    def __init__(
        self,
        config: Optional[PathLike] = None,
        defines: Optional[Mapping[str, Any]] = None,
        profile: Optional[str] = None,
        now: Optional[Now] = None,
        sandbox: bool = True,
        *,
        vars: Optional[Mapping[str, VarValue]] = None,
        tainted_vars: Optional[Mapping[str, VarValue]] = None,
        dns_zones: Optional[PathLike] = None,
    ) -> None:
        """dns_zones: a directory of BIND zone files (NAME.zone is zone
        NAME) answering every DNS query, as load_dns_zones does."""
    def set(self, name: str, value: VarValue, tainted: bool = False) -> None: ...
    def mock_lookup(self, lookup_type: str, file: str | bytes, key: str | bytes, value: str | bytes) -> None:
        """Answer ${lookup{key}TYPE{file}} with value, without reading any file."""
        ...
    def register_lookup(
        self,
        name: str,
        func: Callable[..., Union[str, bytes, None]],
        style: LookupStyleName = "query",
    ) -> None:
        """Make ``name`` a lookup type answered by ``func``: ``func(query)``
        for query style, ``func(key, file)`` for single-key and file-query."""
    def load_dns_zones(self, directory: PathLike) -> None:
        """Answer DNS queries from BIND zone files (NAME.zone is zone NAME)."""
    def set_resolver(self, func: Callable[[str, str], Optional[List[str]]]) -> None:
        """Answer DNS queries with func(name, type): records in presentation
        form, None for a name that does not exist, [] for no records."""
    def dns_query(self, name: str, rrtype: str) -> Optional[List[str]]: ...
    def parse(self, expr: StrOrBytes) -> "Template": ...
    def compile(self, expr: StrOrBytes) -> "Template": ...
    def unset(self, name: str) -> None: ...
    def get(self, name: str, default: Any = None) -> Any:
        """``$name``'s value, or ``default`` for an unknown variable."""
    def is_tainted(self, name: str) -> Optional[bool]: ...
    def set_option(self, name: str, value: str) -> None: ...
    def option(self, name: str) -> Optional[str]: ...
    def expand(self, expr: StrOrBytes) -> str: ...
    def expand_bytes(self, expr: StrOrBytes) -> bytes: ...
    def explain(self, expr: StrOrBytes) -> str: ...
    def check(self, expr: StrOrBytes) -> List[Diagnostic]: ...
    def load_message(
        self,
        source: Union[bytes, bytearray, PathLike],
        *,
        dot_ends: bool = True,
        extract_recipients: bool = False,
    ) -> None:
        """Reads a message as ``exim -bem`` does: bytes are the message,
        str or os.PathLike a file."""
    def copy(self) -> "Context": ...
    def __copy__(self) -> "Context": ...
    @property
    def config_file(self) -> str: ...
    @property
    def profile(self) -> str: ...
    @profile.setter
    def profile(self, name: str) -> None: ...
    @property
    def now(self) -> Optional[Tuple[int, int]]: ...
    @now.setter
    def now(self, value: Optional[Now]) -> None: ...
    @property
    def sandboxed(self) -> bool: ...
    max_output: int
    max_time: Optional[float]
    @property
    def capabilities(self) -> FrozenSet[Capability]: ...
    @capabilities.setter
    def capabilities(self, names: Iterable[Capability]) -> None: ...
    def allow(self, *names: Capability) -> None: ...
    def deny(self, *names: Capability) -> None: ...
    log_to_stderr: bool
    pid: Optional[int]

class SmtpSession:
    """An SMTP session with the Context's ACLs, as ``exim -bh`` runs it."""

    def __init__(self, ctx: Context, address: str, port: Optional[int] = None) -> None: ...
    def start(self) -> str: ...
    def command(self, line: StrOrBytes) -> str: ...
    def data(self, message: StrOrBytes) -> str: ...
    def chunk(self, data: StrOrBytes) -> str: ...
    def eof(self) -> str: ...
    def run(self, script: StrOrBytes) -> str: ...
    def take_log(self) -> List[str]: ...
    @property
    def closed(self) -> bool: ...
    @property
    def expecting_data(self) -> bool: ...

class Template:
    """A parsed expression: parse once, evaluate many times."""

    def expand(self, context: Optional[Context] = None, **vars: VarValue) -> str: ...
    def expand_bytes(self, context: Optional[Context] = None, **vars: VarValue) -> bytes: ...
    def errors(self) -> List[Diagnostic]: ...
    def dump(self) -> str: ...
    @property
    def source(self) -> str: ...

def expand(
    expr: StrOrBytes,
    *,
    vars: Optional[Mapping[str, VarValue]] = None,
    tainted_vars: Optional[Mapping[str, VarValue]] = None,
    config: Optional[PathLike] = None,
    now: Optional[Now] = None,
    profile: Optional[str] = None,
    sandbox: bool = True,
) -> str: ...
def expand_bytes(
    expr: StrOrBytes,
    *,
    vars: Optional[Mapping[str, VarValue]] = None,
    tainted_vars: Optional[Mapping[str, VarValue]] = None,
    config: Optional[PathLike] = None,
    now: Optional[Now] = None,
    profile: Optional[str] = None,
    sandbox: bool = True,
) -> bytes: ...
def explain(
    expr: StrOrBytes,
    *,
    vars: Optional[Mapping[str, VarValue]] = None,
    tainted_vars: Optional[Mapping[str, VarValue]] = None,
    config: Optional[PathLike] = None,
    now: Optional[Now] = None,
    profile: Optional[str] = None,
    sandbox: bool = True,
) -> str: ...
def parse(expr: StrOrBytes) -> Template: ...
def compile(expr: StrOrBytes) -> Template: ...
def check(
    expr: StrOrBytes, profile: Optional[str] = None, *, context: Optional[Context] = None
) -> List[Diagnostic]: ...
def lint(
    path: PathLike,
    *,
    defines: Optional[Mapping[str, Optional[str]]] = None,
    profile: Optional[str] = None,
    select: Optional[List[str]] = None,
    ignore: Optional[List[str]] = None,
    format: Optional[str] = None,
    all_branches: bool = False,
    target: Optional[str] = None,
) -> Any: ...
def profiles() -> List[str]: ...
def describe(name: str) -> List[Dict[str, str]]: ...

def arc_sign(message: StrOrBytes, spec: StrOrBytes, *, now: Optional[Now] = None) -> Optional[bytes]: ...
