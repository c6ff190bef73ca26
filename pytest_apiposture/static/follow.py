"""What a guard's or handler's code calls, followed to the code that decides.

``callees``: functions under root a function calls by name, a class it instantiates (its
``__call__``: a ``SecurityBase`` subclass built and awaited in a dependency) and, in a
method, ``self.method(...)``. ``guarded_by_call``: a handler whose first statements call
such a function that reads a credential and refuses (``await self._authenticate(request)``).
"""

from __future__ import annotations

import ast

from ..knowledge import Knowledge
from .guardcode import code_facts
from .source import FunctionSource, SourceIndex
from .syntax import dotted

__all__ = ["callees", "guarded_by_call"]


def callees(index: SourceIndex, source: FunctionSource) -> list[FunctionSource]:
    """Functions under root that ``source`` calls by name: a class it instantiates gives
    its ``__call__`` (a ``SecurityBase`` subclass built and awaited in a dependency), and
    ``self.method(...)`` in a method gives the method of its class."""
    out: list[FunctionSource] = []
    for node in source.all_nodes:
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        if not name:
            continue
        head, _, rest = name.partition(".")
        if head in source.params:
            if head == "self" and rest and "." not in rest:
                method = _method(index, source, rest)
                if method is not None:
                    out.append(method)
            continue
        found = index.resolve(source.module, name)
        if found is None:
            continue
        if found.kind == "function":
            assert isinstance(found.node, ast.FunctionDef | ast.AsyncFunctionDef)
            out.append(FunctionSource(found.module, found.node, "<callee>"))
        elif found.kind == "class" and isinstance(found.node, ast.ClassDef):
            call = _class_method(found.node, "__call__")
            if call is not None:
                out.append(FunctionSource(found.module, call, "<callee>"))
    return out


def _class_method(node: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    return next(
        (
            n
            for n in node.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
        ),
        None,
    )


def _method(index: SourceIndex, source: FunctionSource, name: str) -> FunctionSource | None:
    owner = source.qualname.rpartition(".")[0]
    if not owner or "<" in owner:
        return None
    found = index.resolve(source.module, owner)
    if found is None or not isinstance(found.node, ast.ClassDef):
        return None
    method = _class_method(found.node, name)
    return None if method is None else FunctionSource(found.module, method, "<callee>")


def guarded_by_call(
    index: SourceIndex, handler: FunctionSource, knowledge: Knowledge
) -> FunctionSource | None:
    """A function the handler calls first thing (a statement of its body, not under an
    ``if``) that reads a credential and refuses: ``await self._authenticate(request)``."""
    for callee in callees(index, _only_top(handler)):
        facts = code_facts(index, callee, knowledge)
        if facts.inline_auth or (facts.denies and facts.reads_credential):
            return callee
    return None


def _only_top(handler: FunctionSource) -> FunctionSource:
    """``handler`` whose nodes are those of its plain statements (no ``if`` bodies)."""
    body = handler.node.body
    if not isinstance(body, list):
        return handler  # a lambda: its one expression
    plain = [
        n
        for stmt in body
        if not isinstance(stmt, ast.If | ast.Try | ast.For | ast.While | ast.With)
        for n in ast.walk(stmt)
    ]
    view = FunctionSource(handler.module, handler.node, handler.qualname)
    view.__dict__["all_nodes"] = plain  # a cached_property's slot: this view reads only these
    return view
