"""The project ``def`` a call runs: APS304 judges a bulk write by that function's body,
APS401 reads a dependency's bounds, APS701 a validator's tests or a URL picker's answers."""

from __future__ import annotations

import ast

from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import dotted
from ._dataflow import class_of, function_source
from ._models import class_of_name, method


def project_method(
    index: SourceIndex, fs: FunctionSource, receiver: ast.expr, name: str
) -> tuple[ModuleSource, ast.FunctionDef] | None:
    """The project ``def`` that ``receiver.name(...)`` runs, when the receiver's class
    (an instance's, or the class named) is project code."""
    cls = class_of(index, fs, receiver)
    if cls is None:
        spelled = dotted(receiver)
        cls = class_of_name(index, fs.module, spelled) if spelled else None
    return method(cls, index, name) if cls is not None else None


def project_function(
    index: SourceIndex, fs: FunctionSource, func: ast.expr
) -> tuple[ModuleSource, ast.FunctionDef] | None:
    """The project ``def`` a bare name calls (a library's or an unknown one: None)."""
    found = index.resolve(fs.module, dotted(func))  # a Name: call_name matched it
    if found is not None and isinstance(found.node, ast.FunctionDef):
        return found.module, found.node
    return None


def project_def(index: SourceIndex, module: ModuleSource, name: str) -> FunctionSource | None:
    """The project ``def`` or ``async def`` that ``name`` (dotted) names from ``module``, or
    None (no name, a library's, a class, a value)."""
    found = index.resolve(module, name) if name else None
    if found is None or not isinstance(found.node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    return function_source(index, found.module, found.node)
