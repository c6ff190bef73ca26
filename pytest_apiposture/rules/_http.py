"""Outbound HTTP calls: which calls of a function send a request to another server.

``requests.get(url)``, ``httpx.post(...)``, ``get(url)`` imported from ``requests``,
``urlopen(url)``, and the verbs of a client object the code makes from one of those
libraries (``s = requests.Session()``, ``async with httpx.AsyncClient() as client``, a
module-level ``HTTP = requests.Session()``, a parameter annotated ``httpx.AsyncClient``).
A name only ends in ``Session`` or ``Client`` is not enough: SQLAlchemy's ``Session``
has a ``get`` too, and that one is a database lookup.
"""

from __future__ import annotations

import ast

from ..static.parsed import FunctionSource
from ..static.syntax import call_name, dotted

HTTP_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"}
)
CLIENT_MODULES = ("requests", "httpx", "aiohttp", "urllib3")
_URLLIB = ("urllib", "urllib.request", "urllib3")


def http_clients(fs: FunctionSource) -> frozenset[str]:
    """Names ``fs`` reads that hold an HTTP client made by one of the client libraries:
    locals assigned or ``with``-bound to one, parameters annotated with one, and
    module-level names assigned one (once per function)."""
    known: frozenset[str] | None = fs.derived.get("http_clients")
    if known is None:
        known = fs.derived["http_clients"] = frozenset(_clients(fs))
    return known


def is_http_call(fs: FunctionSource, call: ast.Call) -> bool:
    """``call`` sends an HTTP request (see the module's docstring)."""
    name = dotted(call.func)
    if not name:
        return False
    verb = call_name(call)
    if verb == "urlopen" or name.endswith("request.Request"):
        return True
    if verb not in HTTP_VERBS:
        return False
    head = name.split(".", 1)[0]
    if "." not in name:  # ``get(url)``: only when imported from a client library
        return _from_client_library(fs, head)
    return _from_client_library(fs, head) or head in http_clients(fs)


def _from_client_library(fs: FunctionSource, head: str) -> bool:
    """``head`` is a client library module (``requests``, ``import httpx as hx``) or a
    name imported from one (``from requests import get``), and not a local of ``fs``."""
    if head in fs.params or head in fs.assignments:
        return False
    alias = fs.module.bindings.get(head)
    if not isinstance(alias, ast.alias):
        return head in CLIENT_MODULES and alias is None
    stmt = fs.module.import_of.get(id(alias))
    if isinstance(stmt, ast.ImportFrom):
        module = stmt.module or ""
        return not stmt.level and (module.split(".")[0] in CLIENT_MODULES or module in _URLLIB)
    return alias.name.split(".")[0] in CLIENT_MODULES


def _made_by_client_library(fs: FunctionSource, node: ast.expr | None) -> bool:
    """``node`` is a call of a client library's constructor (``requests.Session()``,
    ``httpx.AsyncClient(...)``, ``ClientSession()`` imported from ``aiohttp``)."""
    if not isinstance(node, ast.Call):
        return False
    name = dotted(node.func)
    return bool(name) and _from_client_library(fs, name.split(".", 1)[0])


def _names_client_class(fs: FunctionSource, annotation: ast.expr | None) -> bool:
    """An annotation naming a class of a client library (``Annotated[X, ...]``'s ``X``)."""
    if isinstance(annotation, ast.Subscript) and dotted(annotation.value).endswith("Annotated"):
        inner = annotation.slice
        annotation = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
    name = dotted(annotation) if annotation is not None else ""
    return bool(name) and _from_client_library(fs, name.split(".", 1)[0])


def _clients(fs: FunctionSource) -> set[str]:
    names = {
        name
        for name, values in fs.assignments.items()
        if any(_made_by_client_library(fs, v) for v in values)
    }
    for node in fs.body_nodes:
        if (
            isinstance(node, ast.withitem)
            and isinstance(node.optional_vars, ast.Name)
            and _made_by_client_library(fs, node.context_expr)
        ):
            names.add(node.optional_vars.id)
    for name, (arg, _) in fs.params.items():
        if _names_client_class(fs, arg.annotation):
            names.add(name)
    for name, bound in fs.module.bindings.items():
        if name in fs.params or name in fs.assignments:
            continue
        if isinstance(bound, ast.Assign | ast.AnnAssign) and _made_by_client_library(
            fs, bound.value
        ):
            names.add(name)
    return names
