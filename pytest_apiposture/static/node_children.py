"""The children of an AST node, fast: one generated extractor per node class.

The walks in ``syntax`` visit every node of every handler, so the per-node cost is the
floor of the static pass. ``CHILDREN`` maps each class the ``ast`` module defines to a
function returning a node's children in field order (``ast.iter_child_nodes``'s order,
without ``expr_context`` and operator nodes, which no caller looks for); ``children_of``
answers for a class made after import too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

_AST = ast.AST
# fields that never hold a node anyone looks for (names, flags, contexts, operators)
_SKIPPED_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "name", "kind", "type_comment", "level",
     "module", "conversion", "simple", "is_async", "lineno", "col_offset"}
)  # fmt: skip


def _fields_of(cls: type) -> tuple[str, ...]:
    names = getattr(cls, "_fields", ())
    skipped = _SKIPPED_FIELDS | ({"value"} if issubclass(cls, ast.Constant) else set())
    return tuple(f for f in names if f not in skipped)


def _node_classes() -> list[type]:
    found: list[type] = []
    stack: list[type] = [ast.AST]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


# Every node class the ast module defines, computed once at import (read-only after).
_CHILD_FIELDS: Mapping[type, tuple[str, ...]] = MappingProxyType(
    {cls: _fields_of(cls) for cls in _node_classes()}
)


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that may hold child nodes."""
    fields = _CHILD_FIELDS.get(cls)
    return fields if fields is not None else _fields_of(cls)


# Each class gets a generated ``lambda n: [n.a, *n.b, ...]`` that returns its
# children in field order, built from the class's ASDL signature (its docstring, e.g.
# ``Call(expr func, expr* args, keyword* keywords)``): a plain field always holds a node,
# ``?`` may be None, ``*`` is a list of nodes. Two lists may also hold None (``{**d}``'s
# key, a keyword-only argument without default), so those are filtered. A class whose
# signature does not read as expected uses the generic ``isinstance`` loop instead.
_NOT_NODES = frozenset(
    {"identifier", "string", "constant", "int", "expr_context", "operator", "boolop",
     "unaryop", "cmpop", "object"}
)  # fmt: skip
_HOLDS_NONE = frozenset({("Dict", "keys"), ("arguments", "kw_defaults")})
_SIGNATURE = re.compile(r"^(\w+)\((.*)\)$")
_FIELD = re.compile(r"^(\w+)([?*]?) (\w+)$")


def _generic_children(cls: type) -> Callable[[Any], list[ast.AST]]:
    fields = child_fields(cls)

    def children(node: Any) -> list[ast.AST]:
        out: list[ast.AST] = []
        for name in fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                out.extend(item for item in value if isinstance(item, _AST))
            elif isinstance(value, _AST):
                out.append(value)
        return out

    return children


def _children_source(cls: type) -> str | None:
    """``[n.a, *n.b]`` for ``cls``'s child fields, or None when its signature is unusual."""
    match = _SIGNATURE.match((cls.__doc__ or "").strip())
    wanted = child_fields(cls)
    if match is None or match.group(1) != cls.__name__:
        return None
    parts: list[str] = []
    declared: list[str] = []
    for spec in filter(None, (p.strip() for p in match.group(2).split(","))):
        field = _FIELD.match(spec)
        if field is None:
            return None
        kind, mark, name = field.groups()
        declared.append(name)
        if kind in _NOT_NODES or name not in wanted:
            continue
        if mark == "*":
            held = f"n.{name}"
            if (cls.__name__, name) in _HOLDS_NONE:
                held = f"[x for x in n.{name} if x is not None]"
            parts.append(f"*{held}")
        elif mark == "?":
            parts.append(f"*((n.{name},) if n.{name} is not None else ())")
        else:
            parts.append(f"n.{name}")
    if tuple(declared) != getattr(cls, "_fields", ()):
        return None  # the docstring does not describe the fields: do not trust it
    return f"[{', '.join(parts)}]"


def _children_of(cls: type) -> Callable[[Any], Any] | None:
    """The extractor for ``cls``; None for a class whose nodes have no children."""
    if not child_fields(cls):
        return None
    source = _children_source(cls)
    if source is None:
        return _generic_children(cls)
    if source == "[]":
        return None  # only names, flags and constants (``alias``, ``Global``)
    return eval(f"lambda n: {source}")  # type: ignore[no-any-return]


CHILDREN: Mapping[type, Callable[[Any], Any] | None] = MappingProxyType(
    {cls: _children_of(cls) for cls in _node_classes() if cls.__module__ == "ast"}
)


def children_of(cls: type) -> Callable[[Any], Any] | None:
    """A function returning a node's children in field order (None: it has none)."""
    if cls in CHILDREN:
        return CHILDREN[cls]
    return _generic_children(cls) if child_fields(cls) else None
