"""What a name used in a module refers to, and the value of literal expressions.

Imports are followed only to files under the index's root; every candidate file an
import could come from is recorded as a dependency (its absence matters too), so a
cached result is invalidated when such a file appears.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .syntax import dotted, target_names, top_level

if TYPE_CHECKING:
    from .source import ModuleSource, SourceIndex

ABSENT = "-"  # digest of a path that does not exist (an import candidate, say)
FOLDER = "/"  # digest of a path that is a folder (a namespace package, say)
_LITERAL_CALLS = frozenset({"set", "frozenset", "tuple", "list"})


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Resolved:
    """What a name used in a module refers to, followed through imports."""

    module: ModuleSource
    name: str
    kind: Literal["class", "function", "assign", "module"]
    node: ast.AST  # ClassDef / FunctionDef / Assign value / Module


def resolve(index: SourceIndex, module: ModuleSource, name: str) -> Resolved | None:
    """What ``name`` (possibly dotted) means in ``module``, following imports under root."""
    return index.memo(
        ("resolve", module.path, name),
        lambda: _resolve(index, module, name.split("."), 0),
    )


def literal(index: SourceIndex, module: ModuleSource, node: ast.AST | None, depth: int = 0) -> Any:
    """The value of a literal expression, following names to module constants.

    Returns ``UNKNOWN`` when the value is not a literal (a call, a parameter).
    """
    if node is None or depth > 8:
        return UNKNOWN
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [literal(index, module, elt, depth + 1) for elt in node.elts]
        return UNKNOWN if UNKNOWN in items else tuple(items)
    if isinstance(node, ast.Dict):
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            lit_key = literal(index, module, key, depth + 1)
            if key is None or lit_key is UNKNOWN or not isinstance(lit_key, Hashable):
                return UNKNOWN
            out[lit_key] = literal(index, module, value, depth + 1)
        return out
    if isinstance(node, ast.Call) and dotted(node.func) in _LITERAL_CALLS:
        return literal(index, module, node.args[0], depth + 1) if node.args else ()
    name = dotted(node)
    if name:
        found = resolve(index, module, name)
        if found is not None and found.kind == "assign":
            return literal(index, found.module, found.node, depth + 1)
    return UNKNOWN


def _resolve(
    index: SourceIndex, module: ModuleSource, parts: list[str], depth: int
) -> Resolved | None:
    if depth > 12 or not parts:
        return None
    head, rest = parts[0], parts[1:]
    bound = module.bindings.get(head)
    found: Resolved | None = None
    if isinstance(bound, ast.ClassDef):
        found = Resolved(module, head, "class", bound)
    elif isinstance(bound, ast.FunctionDef | ast.AsyncFunctionDef):
        found = Resolved(module, head, "function", bound)
    elif isinstance(bound, ast.Assign | ast.AnnAssign | ast.AugAssign):
        if bound.value is not None:
            found = Resolved(module, head, "assign", bound.value)
    elif isinstance(bound, ast.alias) and bound.name != "*":
        found = _follow_import(index, module, bound, depth)
    elif bound is None or isinstance(bound, ast.alias):
        found = _from_star_imports(index, module, head, depth)
    if found is None or not rest:
        return found
    if found.kind == "module":
        return _resolve(index, found.module, rest, depth + 1)
    if found.kind == "class" and isinstance(found.node, ast.ClassDef):
        return _class_member(found.module, found.node, rest)
    return None


def _from_star_imports(
    index: SourceIndex, module: ModuleSource, name: str, depth: int
) -> Resolved | None:
    """``name`` from a project module the module star-imports (``from ._types import *``),
    the last such import first, as Python binds them."""
    for stmt in reversed(_star_imports(module)):
        package = module_file(index, module, stmt.module, stmt.level)
        source = index.module(package) if package is not None else None
        if source is not None and source is not module:
            found = _resolve(index, source, [name], depth + 1)
            if found is not None:
                return found
    return None


def _star_imports(module: ModuleSource) -> list[ast.ImportFrom]:
    return [
        stmt
        for stmt in top_level(module.tree.body)
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names)
    ]


def _follow_import(
    index: SourceIndex, module: ModuleSource, alias: ast.alias, depth: int
) -> Resolved | None:
    stmt = module.import_of.get(id(alias))
    if isinstance(stmt, ast.Import):
        name = alias.name if alias.asname else alias.name.split(".")[0]
        target = module_file(index, module, name, 0)
        found = index.module(target) if target else None
        return Resolved(found, name, "module", found.tree) if found else None
    if not isinstance(stmt, ast.ImportFrom):
        return None
    package = module_file(index, module, stmt.module, stmt.level)
    source = index.module(package) if package is not None else None
    if source is not None and alias.name in source.bindings:
        return _resolve(index, source, [alias.name], depth + 1)
    if source is not None and _star_imports(source):  # re-exported by ``import *``
        star = _from_star_imports(index, source, alias.name, depth + 1)
        if star is not None:
            return star
    # a submodule, of a regular package or of a namespace one (a folder without
    # __init__.py: ``package`` is None, the submodule's file is there all the same)
    if package is None and not _namespace_package(index, module, stmt.module, stmt.level):
        return None  # a library's name (fastapi.Depends): nothing under root to find
    dotted_name = f"{stmt.module}.{alias.name}" if stmt.module else alias.name
    submodule = module_file(index, module, dotted_name, stmt.level)
    found = index.module(submodule) if submodule else None
    return Resolved(found, alias.name, "module", found.tree) if found else None


def _namespace_package(
    index: SourceIndex, module: ModuleSource, name: str | None, level: int
) -> bool:
    """A folder ``name`` names under an import base (once per folder and name)."""
    directory = os.path.dirname(module.path)
    return index.memo(
        ("namespace", directory, name, level),
        lambda: any(is_folder(index, b) for b in package_dirs(index, module, name, level)),
    )


def is_folder(index: SourceIndex, path: str) -> bool:
    """``path`` is a folder; recorded like a file read, so a cached answer that relied on
    its absence (or presence) is recomputed when a folder appears (or goes)."""
    index.touch(path)
    return index.digest(path) == FOLDER


def _import_bases(index: SourceIndex, module: ModuleSource, level: int) -> tuple[str, ...]:
    """The folders an import at ``level`` (0: absolute) from ``module`` starts from."""
    if not level:
        return tuple(import_bases(index, module.path))
    base = os.path.dirname(module.path)
    for _ in range(level - 1):
        base = os.path.dirname(base)
    return (base,)


def package_dirs(
    index: SourceIndex, module: ModuleSource, name: str | None, level: int
) -> list[str]:
    parts = name.split(".") if name else []
    return [os.path.join(b, *parts) for b in _import_bases(index, module, level)]


def module_file(
    index: SourceIndex, module: ModuleSource, name: str | None, level: int
) -> str | None:
    """The file an import of ``name`` (relative at ``level``) from ``module`` reads."""
    parts = name.split(".") if name else []
    for base in _import_bases(index, module, level):
        stem = os.path.join(base, *parts)
        for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
            index.touch(candidate)
            if index.digest(candidate) != ABSENT:
                return candidate
    return None


def import_bases(index: SourceIndex, path: str) -> tuple[str, ...]:
    """Directories an absolute import from ``path`` may start from (all under root)."""
    directory = os.path.dirname(path)
    cached = index.import_bases.get(directory)
    if cached is None:
        top, looked = directory, []
        while True:  # the package's top: the first folder up without an __init__.py
            marker = os.path.join(top, "__init__.py")
            looked.append(marker)
            if index.digest(marker) in (ABSENT, FOLDER) or os.path.dirname(top) == top:
                break
            top = os.path.dirname(top)
        bases = [top, index.root, os.path.join(index.root, "src")]
        bases += [norm(p) for p in sys.path if p and index.under_root(norm(p))]
        found = tuple(dict.fromkeys(b for b in bases if index.under_root(b)))
        cached = index.import_bases[directory] = (found, tuple(looked))
    for marker in cached[1]:  # an __init__.py appearing or going moves the top
        index.touch(marker)
    return cached[0]


def _class_member(module: ModuleSource, cls: ast.ClassDef, parts: list[str]) -> Resolved | None:
    if len(parts) != 1:
        return None
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == parts[0]:
            return Resolved(module, parts[0], "function", stmt)
        if isinstance(stmt, ast.Assign) and parts[0] in {
            n for t in stmt.targets for n in target_names(t)
        }:
            return Resolved(module, parts[0], "assign", stmt.value)
    return None


def norm(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))
