"""Adapters are the only code that knows a framework.

Outside ``pytest_apiposture/adapters/`` nothing may reach into a framework object
(``.raw``) or branch on which framework served a route (a comparison with "flask",
"fastapi", "starlette" or "connexion"): what a consumer needs is a fact on ``Route``,
filled by the adapter. ``Route.framework`` stays, as a fact reports display.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest_apiposture

PACKAGE = Path(pytest_apiposture.__file__).parent
FRAMEWORKS = frozenset({"flask", "fastapi", "starlette", "connexion"})
# (module relative to the package, the expression) that may read ``.raw``; keep it empty.
RAW_ALLOWED = {
    # Not a route: the probe session hands its framework test client to identity
    # callables. That module belongs to the transport rewrite; delete this entry with it.
    ("probes/context.py", "self.session.client.raw"),
}


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not relative.startswith("adapters/"):
            yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def framework_literals(node: ast.AST) -> set[str]:
    """Framework names written in ``node``: a string, or a tuple/list/set of strings."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & FRAMEWORKS
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return set().union(*(framework_literals(item) for item in node.elts))
    if isinstance(node, ast.Call) and node.args and not node.keywords:  # frozenset({...})
        return framework_literals(node.args[0])
    return set()


def named_literals(tree: ast.Module) -> dict[str, set[str]]:
    """Module constants that hold framework names (``_WSGI = frozenset({"flask"})``)."""
    out: dict[str, set[str]] = {}
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names = framework_literals(value) if value is not None else set()
        for target in targets:
            if names and isinstance(target, ast.Name):
                out[target.id] = names
    return out


def violations(relative: str, tree: ast.Module) -> Iterator[str]:
    constants = named_literals(tree)

    def written(node: ast.AST) -> set[str]:
        if isinstance(node, ast.Name):
            return constants.get(node.id, set())
        return framework_literals(node)

    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr == "raw":
            if (relative, ast.unparse(node)) not in RAW_ALLOWED:
                yield f"{where} reads `.raw`: ask the adapter for the fact instead"
        elif isinstance(node, ast.Compare):
            names = set().union(*(written(n) for n in (node.left, *node.comparators)))
            if names:
                yield f"{where} compares with {sorted(names)}: use a Route fact"
        elif isinstance(node, ast.MatchValue):
            names = framework_literals(node.value)
            if names:
                yield f"{where} matches {sorted(names)}: use a Route fact"


def test_no_module_outside_adapters_knows_a_framework() -> None:
    found = [v for relative, tree in modules() for v in violations(relative, tree)]
    assert found == []


def test_the_scan_sees_what_it_forbids() -> None:
    source = """
WSGI = frozenset({"flask"})
route.raw.rule
if route.framework == "flask": pass
if route.framework in ("starlette", "x"): pass
if "fastapi" != kind: pass
if name not in frozenset({"connexion"}): pass
match route.framework:
    case "flask": pass
if route.framework == "other": pass
if route.framework in WSGI: pass
"""
    found = list(violations("static/example.py", ast.parse(source)))
    assert sorted(int(v.split(" ", 1)[0].rsplit(":", 1)[1]) for v in found) == [
        3,
        4,
        5,
        6,
        7,
        9,
        11,
    ]
