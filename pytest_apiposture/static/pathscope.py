"""Which request paths an app-wide hook or middleware guards, when it tests the path first.

A middleware that refuses only when the path is ``/metrics`` (and passes every other
request on untouched) guards the routes its test matches, not the whole app. ``scope``
reads the hook's own body for one of two shapes:

- an early pass-through: a body-level ``if`` (before anything that can refuse) whose test
  is, or has among its ``or`` alternatives, a negated path test, and whose body passes
  the request on without refusing: ``if not request.url.path.startswith("/metrics"):
  return await call_next(request)``;
- refusals only under a path test: every refusal of the body sits under an ``if`` whose
  test is, or has among its ``and`` conjuncts, a path test: ``if request.path.startswith(
  "/admin") and not current_user.is_admin: abort(403)``.

A path test compares the request's path (``request.url.path``, ``request.path``,
``scope["path"]``, ``get_route_path(scope)``, a method of one such as ``.rstrip("/")``, a
local name assigned one) with literals (``==``, ``in``, ``.startswith(...)``), or calls a
project function whose answer is such a test (``_is_metrics_route(scope)``, also through
a module or a class: ``Paths.is_private(request)``).
``path_test`` is also what ``guardcode`` reads for the paths a hook lets through.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from .source import FunctionSource, ModuleSource, SourceIndex
from .syntax import call_name, dotted, walk

_PASS_ON = frozenset({"call_next", "app", "get_response", "wsgi_app"})


@dataclass(frozen=True)
class PathTest:
    """Requests whose path equals one of ``paths`` or starts with one of ``prefixes``."""

    paths: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def __or__(self, other: PathTest) -> PathTest:
        return PathTest(self.paths | other.paths, self.prefixes + other.prefixes)

    def matches(self, paths: set[str]) -> bool:
        return bool(paths & self.paths) or any(
            p.startswith(prefix) for p in paths for prefix in self.prefixes
        )


def scope(
    index: SourceIndex, fs: FunctionSource, refuses: Callable[[ast.AST], bool]
) -> PathTest | None:
    """The paths the hook ``fs`` can refuse, when its body limits itself to them."""
    if isinstance(fs.node, ast.Lambda):
        return None
    body = fs.node.body
    local = _path_locals(fs)
    for stmt in body:
        if isinstance(stmt, ast.If):
            found = _pass_through_unless(index, fs, stmt, local, refuses)
            if found is not None:
                return found
        if any(isinstance(n, ast.Return | ast.Raise) or refuses(n) for n in walk(stmt)):
            break  # past the first statement that can answer, order no longer says scope
    return _refusals_under(index, fs, body, local, refuses)


def path_test(
    index: SourceIndex, fs: FunctionSource, node: ast.expr, local: set[str] | None = None
) -> tuple[PathTest, bool] | None:
    """(the paths, True) for a test that holds on them, (the paths, False) for its
    negation; None when ``node`` is no path test."""
    local = _path_locals(fs) if local is None else local
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = path_test(index, fs, node.operand, local)
        return (inner[0], not inner[1]) if inner else None
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        parts = [path_test(index, fs, v, local) for v in node.values]
        if all(p is not None and p[1] for p in parts):  # two parts at least
            tests = [p[0] for p in parts if p is not None]
            merged = tests[0]
            for test in tests[1:]:
                merged = merged | test
            return merged, True
        return None
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        if not _is_path(node.left, local):
            return None
        values = _strings(index, fs.module, node.comparators[0])
        op = node.ops[0]
        if not values:
            return None
        if isinstance(op, ast.Eq | ast.In):
            return PathTest(frozenset(values)), True
        if isinstance(op, ast.NotEq | ast.NotIn):
            return PathTest(frozenset(values)), False
        return None
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "startswith" and node.args:
            if _is_path(func.value, local):
                prefixes = _strings(index, fs.module, node.args[0])
                return (PathTest(prefixes=tuple(prefixes)), True) if prefixes else None
            return None
        return _helper_test(index, fs, node)
    return None


def _pass_through_unless(
    index: SourceIndex,
    fs: FunctionSource,
    stmt: ast.If,
    local: set[str],
    refuses: Callable[[ast.AST], bool],
) -> PathTest | None:
    """``if <not P> or <...>: <pass the request on>; return`` -> P."""
    inside = [n for s in stmt.body for n in walk(s)]
    if any(refuses(n) for n in inside) or not _passes_on(inside):
        return None
    for alternative in _alternatives(stmt.test, ast.Or):
        found = path_test(index, fs, alternative, local)
        if found is not None and not found[1]:
            return found[0]
    return None


def _refusals_under(
    index: SourceIndex,
    fs: FunctionSource,
    body: list[ast.stmt],
    local: set[str],
    refuses: Callable[[ast.AST], bool],
) -> PathTest | None:
    """Every refusal sits under an ``if`` with a path test among its ``and`` conjuncts."""
    found: PathTest | None = None  # stays None when nothing refuses

    def visit(node: ast.AST, scoped: PathTest | None) -> bool:
        nonlocal found
        if refuses(node):
            if scoped is None:
                return False
            found = scoped if found is None else found | scoped
        if isinstance(node, ast.If):
            here = scoped
            for conjunct in _alternatives(node.test, ast.And):
                test = path_test(index, fs, conjunct, local)
                if test is not None and test[1]:
                    here = test[0] if here is None else here
            return all(visit(s, here) for s in node.body) and all(
                visit(s, scoped) for s in node.orelse
            )
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return True  # a nested def runs elsewhere
        return all(visit(child, scoped) for child in ast.iter_child_nodes(node))

    return found if all(visit(stmt, None) for stmt in body) else None


def _helper_test(
    index: SourceIndex, fs: FunctionSource, call: ast.Call
) -> tuple[PathTest, bool] | None:
    """``_is_metrics_route(scope)``, ``routes.is_private(request)``: a project function
    that answers a path test (no name, as for ``make()(scope)``, resolves to nothing)."""
    found = index.resolve(fs.module, dotted(call.func))
    if found is None or not isinstance(found.node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    helper = FunctionSource(found.module, found.node, found.name)
    returns = helper.returns
    if len(returns) != 1 or returns[0].value is None:
        return None
    return path_test(index, helper, returns[0].value)


def _path_locals(fs: FunctionSource) -> set[str]:
    """Local names the function binds to the request's path."""
    known: set[str] | None = fs.derived.get("path_locals")
    if known is None:
        known = set()
        for _ in range(2):
            for name, values in fs.assignments.items():
                if all(_is_path(v, known) for v in values):  # one value at least
                    known.add(name)
        fs.derived["path_locals"] = known
    return known


def _is_path(node: ast.AST, local: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in local
    if isinstance(node, ast.Attribute):
        name = dotted(node)
        return name.endswith(("request.path", ".url.path")) or name == "url.path"
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (
            isinstance(key, ast.Constant)
            and key.value in ("path", "PATH_INFO")
            and dotted(node.value).endswith(("scope", "environ"))
        )
    if isinstance(node, ast.Call):
        if call_name(node) == "get_route_path":
            return True
        func = node.func  # ``path.rstrip("/")``, ``scope["path"].removeprefix(root)``
        return isinstance(func, ast.Attribute) and _is_path(func.value, local)
    return False


def _strings(index: SourceIndex, module: ModuleSource, node: ast.AST) -> list[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _strings(index, module, node.left), _strings(index, module, node.right)
        return [a + b for a in left for b in right] if len(left) == len(right) == 1 else []
    value = index.literal(module, node)
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list | set | frozenset | dict):
        return [v for v in value if isinstance(v, str)]
    return []


def _alternatives(test: ast.expr, op: type[ast.boolop]) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, op):
        return [t for value in test.values for t in _alternatives(value, op)]
    return [test]


def _passes_on(nodes: list[ast.AST]) -> bool:
    """A ``return`` of the next app's answer, or a bare one (``return``, ``return None``:
    a ``before_request`` hook that returns nothing lets the request through)."""
    returns = [n for n in nodes if isinstance(n, ast.Return)]
    calls_next = any(isinstance(n, ast.Call) and call_name(n) in _PASS_ON for n in nodes)
    return bool(returns) and (
        calls_next
        or all(
            r.value is None or (isinstance(r.value, ast.Constant) and r.value.value is None)
            for r in returns
        )
    )
