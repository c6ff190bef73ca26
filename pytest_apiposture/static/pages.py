"""What a route serves when it is no API operation: an HTML page or files.

A page rendered from a template, an ``HTMLResponse``, a file sent from disk or a static
files app is what a browser asks for, not an operation an API schema lists: a schema
that leaves it out hides nothing (APS901 says so, at low). The framework says it for a
route's response class or a static files mount (``Route.serves``, set by the adapter);
otherwise the handler's ``return`` statements decide: at least one returns a page or a
file, and none returns data (a dict, a list, ``jsonify``, a JSON response).
"""

from __future__ import annotations

import ast

from ..model import Route
from .source import FunctionSource, SourceIndex
from .syntax import call_name

_SERVES: dict[str, str] = {
    "TemplateResponse": "page",
    "HTMLResponse": "page",
    "render_template": "page",
    "render_template_string": "page",
    "FileResponse": "files",
    "send_file": "files",
    "send_from_directory": "files",
    "send_static_file": "files",
}
_DATA_CALLS = frozenset({"jsonify", "JSONResponse", "ORJSONResponse", "UJSONResponse", "dict"})


def serves(index: SourceIndex, route: Route) -> str:
    """What ``route`` serves: "page", "files" or "" (an API route, or unknown)."""
    if route.serves:
        return route.serves
    handler = index.handler(route)
    if handler is None or handler.is_lambda:
        return ""
    found: set[str] = set()
    for ret in handler.returns:
        kind = _answer(handler, ret.value)
        if kind == "data":
            return ""
        if kind:
            found.add(kind)
    return "page" if "page" in found else "files" if found else ""


def _answer(handler: FunctionSource, value: ast.expr | None, depth: int = 0) -> str:
    """One return's answer: a page, files, data, or "" (a redirect, an error, unknown)."""
    if depth > 3:
        return ""
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Dict | ast.List | ast.DictComp | ast.ListComp):
        return "data"
    if isinstance(value, ast.Call):
        name = call_name(value)
        return "data" if name in _DATA_CALLS else _SERVES.get(name, "")
    if isinstance(value, ast.Name):  # ``page = templates.TemplateResponse(...); return page``
        kinds = {_answer(handler, v, depth + 1) for v in handler.assignments.get(value.id, [])}
        return next(iter(kinds)) if len(kinds) == 1 else ("data" if "data" in kinds else "")
    return ""
