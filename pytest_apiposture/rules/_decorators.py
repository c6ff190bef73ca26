"""Route decorators written in source (``@router.get("/x")``, ``@app.route("/x")``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..static.source import ModuleSource, SourceIndex
from ..static.syntax import NAME_END, TOKEN_GAP, TextFilter, call_name, dotted

_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
_GENERIC = frozenset({"route", "api_route", "websocket", "websocket_route"})
_NAMES = _VERBS | _GENERIC
# A route decorator in lower-cased source: a line-opening ``@``, then before the ``def`` or
# ``class`` it decorates, ``.get(`` or another route verb called (over continuation lines,
# brackets and parentheses: ``@(router.get)("/x")``). A file without one has none.
ROUTE_DECORATOR_TEXT = TextFilter(
    (b"@",),
    rb"@(?:(?!\n[ \t\f]*(?:async[ \t]+)?(?:def|class)\b)[\s\S])*?\." + TOKEN_GAP
    + rb"(?:" + "|".join(sorted(_NAMES)).encode() + rb")" + NAME_END + rb"\(",
    line_start=True,
)  # fmt: skip
_CALL, _ATTRIBUTE, _CONSTANT = ast.Call, ast.Attribute, ast.Constant


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
    for stmt in module.defs(in_match_cases=False):  # (``match`` cases are not looked into)
        for decorator in stmt.decorator_list:
            func = decorator.func if decorator.__class__ is _CALL else None
            if func.__class__ is _ATTRIBUTE and func.attr in _NAMES:
                found = _route(decorator, stmt)  # type: ignore[arg-type]
                if found is not None:
                    out.append(found)
    return sorted(out, key=lambda d: (d.line, d.path))


def _route(
    decorator: ast.Call, func: ast.FunctionDef | ast.AsyncFunctionDef
) -> RouteDecorator | None:
    verb = call_name(decorator)
    path_node = decorator.args[0] if decorator.args else None
    for keyword in decorator.keywords:
        if keyword.arg == "path" or keyword.arg == "rule":
            path_node = keyword.value
            break
    if path_node.__class__ is not _CONSTANT or path_node.value.__class__ is not str:
        return None
    path: str = path_node.value
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
        owner=dotted(decorator.func.value),  # type: ignore[attr-defined]
    )
