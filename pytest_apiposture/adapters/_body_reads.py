"""The request body fields a Flask view reads itself, by name.

Nothing declares a Flask view's body: the view looks its fields up, and those look-ups
say what it expects. Read from the view's own ``def`` (the adapter's parsed source):

- ``request.form["password"]``, ``request.get_json()["email"]``, ``request.json.get("name")``,
  ``request.values.getlist("tag")``;
- through a name bound to the body: ``data = request.get_json(silent=True) or {}`` then
  ``data["username"]`` / ``data.get("password")`` (``request.form.to_dict()`` too).

The names become ``Route.body_reads``, a fact in no framework's terms: a write whose
handler reads a password answers with the caller's credential (a login or registration
by any name), which the exposure probe must not report as a leak.
"""

from __future__ import annotations

import ast
from collections.abc import Set as AbstractSet

from ..static.syntax import walk

_BODY_ATTRS = frozenset({"form", "json", "values"})  # request.<attr> is the body
_BODY_CALLS = frozenset({"get_json"})  # request.<call>() is the body
_COPIES = frozenset({"to_dict", "copy"})  # body.<call>() is the body still
_LOOKUPS = frozenset({"get", "getlist", "pop"})  # body.<call>("name") reads a field


def body_reads(
    function: ast.AST | None, request_names: frozenset[str] = frozenset({"request"})
) -> tuple[str, ...]:
    """The body field names ``function`` reads, in the order they first appear.

    ``request_names``: the names the request object goes by in the view's module
    (``from flask import request as req``); ``flask.request`` is recognised anyway.
    """
    if function is None:
        return ()
    nodes = walk(function)  # one walk for both passes (a 1,600-route app: 1,600 views)
    bound = _bound_names(nodes, request_names)
    found = sorted(
        (node.lineno, node.col_offset, name)
        for node in nodes
        if isinstance(node, _LOOKS) and (name := _read_name(node, bound, request_names))
    )
    return tuple(dict.fromkeys(name for _line, _col, name in found))


_LOOKS = (ast.Subscript, ast.Call)  # the only nodes ``_read_name`` answers for


def _bound_names(nodes: list[ast.AST], request_names: frozenset[str]) -> frozenset[str]:
    """Local names the body is assigned to (``data = request.get_json() or {}``), and
    names those are assigned to in turn, until nothing new is bound."""
    bound: set[str] = set()
    assignments = [
        (target.id, node.value)
        for node in nodes
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    ]
    changed = True
    while changed:
        changed = False
        for name, value in assignments:
            if name not in bound and _is_body(value, bound, request_names):
                bound.add(name)
                changed = True
    return frozenset(bound)


def _read_name(node: ast.expr, bound: frozenset[str], request_names: frozenset[str]) -> str | None:
    if isinstance(node, ast.Subscript) and _is_body(node.value, bound, request_names):
        return _text(node.slice)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _LOOKUPS
        and _is_body(node.func.value, bound, request_names)
        and node.args
    ):
        return _text(node.args[0])
    return None


def _is_body(node: ast.expr, bound: AbstractSet[str], request_names: frozenset[str]) -> bool:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return _is_body(node.values[0], bound, request_names)  # request.get_json() or {}
    if isinstance(node, ast.Name):
        return node.id in bound
    if isinstance(node, ast.Attribute):
        return node.attr in _BODY_ATTRS and _is_request(node.value, request_names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _BODY_CALLS:
            return _is_request(node.func.value, request_names)
        return node.func.attr in _COPIES and _is_body(node.func.value, bound, request_names)
    return False


def _is_request(node: ast.expr, request_names: frozenset[str]) -> bool:
    """``request`` (by the names it goes by) or ``flask.request``."""
    if isinstance(node, ast.Name):
        return node.id in request_names
    return isinstance(node, ast.Attribute) and node.attr == "request"


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
