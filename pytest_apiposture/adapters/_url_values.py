"""Which routes a Flask ``url_value_preprocessor`` acts on.

Flask calls every preprocessor of a route's app and blueprints with the route's URL values
(``request.view_args``), before any ``before_request`` hook. One that refuses (raises a
redirect to the login form, aborts with 401) refuses only where it finds the value it
pops: ihatemoney's ``pull_project`` loads ``values.pop("project_id")`` and sends the
caller to log in, and does nothing on ``/create`` or ``/healthcheck``, which have none.
So a preprocessor that reads values by name guards only the routes that have one of
them; one that reads none by name acts on every route of its app or blueprint, as a
``before_request`` hook does.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Collection
from typing import Any


def acts_on(hook: Callable[..., Any], arguments: Collection[str]) -> bool:
    """``hook`` (a url_value_preprocessor) can act on a route whose URL values are
    ``arguments``."""
    names = _value_names(hook)
    return not names or bool(names & set(arguments))


def _value_names(hook: Callable[..., Any]) -> frozenset[str]:
    """The keys ``hook`` reads from its values parameter: ``values.pop("k")``,
    ``values.get("k")``, ``values["k"]``, ``"k" in values``; empty when unknown."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(hook)))
    except (OSError, TypeError, SyntaxError, ValueError):
        return frozenset()
    func = next(
        (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)),
        None,
    )
    if func is None or len(func.args.args) < 2:
        return frozenset()
    values = func.args.args[1].arg  # (endpoint, values)
    names: set[str] = set()
    for node in ast.walk(func):
        key: ast.AST | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if _is(node.func.value, values) and node.func.attr in ("pop", "get") and node.args:
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is(node.value, values):
            key = node.slice
        elif isinstance(node, ast.Compare) and any(_is(c, values) for c in node.comparators):
            key = node.left
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return frozenset(names)


def _is(node: ast.AST, name: str) -> bool:
    """``name`` itself, or ``name or {}``."""
    if isinstance(node, ast.BoolOp):
        return any(_is(value, name) for value in node.values)
    return isinstance(node, ast.Name) and node.id == name
