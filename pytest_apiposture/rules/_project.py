"""The project ``def`` a call runs (APS304 judges a bulk write by that function's body)."""

from __future__ import annotations

import ast

from ..static.source import FunctionSource, ModuleSource, SourceIndex
from ..static.syntax import dotted
from ._dataflow import class_of
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
