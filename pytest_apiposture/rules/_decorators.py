"""Route decorators written in source (``@router.get("/x")``, ``@app.route("/x")``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..source import ModuleSource, SourceIndex
from ..syntax import COMPOUND, TOKEN_GAP, TextFilter, call_name, dotted

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
_GENERIC = frozenset({"route", "api_route", "websocket", "websocket_route"})
_BODIES = ("body", "orelse", "finalbody")
# A line that opens a route decorator (``@router.get(``), in lower-cased source: a file
# without one has no route decorator (a decorator's first line holds its callee).
ROUTE_DECORATOR_TEXT = TextFilter(
    (b"@",),
    rb"@[^\n]*\." + TOKEN_GAP
    + rb"(?:" + "|".join(sorted(_VERBS | _GENERIC)).encode() + rb")"
    + TOKEN_GAP + rb"\(",
    line_start=True,
)  # fmt: skip
_DEF, _ASYNC_DEF, _STMT = ast.FunctionDef, ast.AsyncFunctionDef, ast.stmt


@dataclass(frozen=True)
class RouteDecorator:
    function: str  # the decorated def's name
    def_line: int
    line: int  # the decorator's line
    methods: tuple[str, ...]
    path: str
    owner: str  # ``router`` in ``@router.get``


def route_decorators(index: SourceIndex, module: ModuleSource) -> list[RouteDecorator]:
    """Every route decorator on a def anywhere in the module (factories included)."""
    if b"@" not in module.data:
        return []
    return index.memo(("route-decorators", module.path), lambda: _scan(module))


def _scan(module: ModuleSource) -> list[RouteDecorator]:
    out: list[RouteDecorator] = []
    stack: list[ast.stmt] = list(module.tree.body)
    pop, extend = stack.pop, stack.extend
    while stack:
        stmt = pop()
        cls = stmt.__class__
        if cls is _DEF or cls is _ASYNC_DEF:
            for decorator in stmt.decorator_list:  # type: ignore[attr-defined]
                found = _route(decorator, stmt)  # type: ignore[arg-type]
                if found is not None:
                    out.append(found)
        if cls in COMPOUND:  # (``match`` cases are not looked into)
            for name in _BODIES:
                extend([s for s in getattr(stmt, name, ()) if isinstance(s, _STMT)])
            for handler in getattr(stmt, "handlers", ()):
                extend(handler.body)
    return sorted(out, key=lambda d: (d.line, d.path))


def _route(
    decorator: ast.expr, func: ast.FunctionDef | ast.AsyncFunctionDef
) -> RouteDecorator | None:
    if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
        return None
    verb = call_name(decorator)
    if verb not in _VERBS and verb not in _GENERIC:
        return None
    path_node = decorator.args[0] if decorator.args else None
    path_node = next((k.value for k in decorator.keywords if k.arg in {"path", "rule"}), path_node)
    if not isinstance(path_node, ast.Constant) or not isinstance(path_node.value, str):
        return None
    path = path_node.value
    if path and not path.startswith("/"):
        return None
    if verb in _VERBS:
        methods: tuple[str, ...] = (verb.upper(),)
    elif verb.startswith("websocket"):
        methods = ("WEBSOCKET",)
    else:
        listed = next((k.value for k in decorator.keywords if k.arg == "methods"), None)
        names = [e.value for e in getattr(listed, "elts", []) if isinstance(e, ast.Constant)]
        methods = tuple(str(m).upper() for m in names) or ("GET",)
    return RouteDecorator(
        function=func.name,
        def_line=func.lineno,
        line=decorator.lineno,
        methods=methods,
        path=path,
        owner=dotted(decorator.func.value),
    )
