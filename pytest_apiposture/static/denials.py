"""Does a node refuse the request (401/403), and does a handler only ever answer 404/410?

``deny_status`` reads a ``raise``, an ``abort(...)``, a returned ``(body, 403)`` or
response, and follows a project exception class or a helper that builds the refusal.
Status codes are HTTP, not data; exception names come from ``Knowledge``.
"""

from __future__ import annotations

import ast
import re

from ..knowledge import Knowledge
from .source import FunctionSource, ModuleSource, SourceIndex
from .syntax import call_name, dotted, walk

_STATUS_NAMES = {"UNAUTHORIZED": 401, "FORBIDDEN": 403}
_STATUS_ATTR_RE = re.compile(r"HTTP_(\d{3})")
_DENY = frozenset({401, 403})
_FORBIDDEN_WORDS = re.compile("forbidden|denied|permission", re.IGNORECASE)
_RESPONSES = re.compile(r"response|make_response|jsonify", re.IGNORECASE)
# what a login page is called: /login, auth.sign_in, .authenticate (the form that logs in)
_LOGIN_PAGE = re.compile(r"log_?in|sign[_-]?in|authenticate", re.IGNORECASE)


def deny_status(
    index: SourceIndex, fs: FunctionSource, node: ast.AST, knowledge: Knowledge
) -> int | None:
    """401/403 when ``node`` (a raise, an abort call, a return) refuses the request."""
    if isinstance(node, ast.Raise):
        return _exception_status(index, fs, node.exc, knowledge)
    if isinstance(node, ast.Call):
        name = call_name(node)
        if name == "abort":  # abort(401), abort(status=401)
            status = argument(node, "status")
            return None if status is None else _deny_or_none(status_value(index, fs.module, status))
        if name == "unauthorized":  # flask-login's login_manager.unauthorized()
            return 401
        # redirect(url_for("login")), redirect(location="/login")
        target = argument(node, "location") if name == "redirect" else None
        if target is not None and login_page(target):
            return 401
        lowered = name.lower()
        if "redirect" in lowered and "login" in lowered:  # a helper: redirect_to_login()
            return 401
        return None
    if isinstance(node, ast.Return):
        value = node.value  # (a bare return is neither a tuple nor a call)
        if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
            return _deny_or_none(status_value(index, fs.module, value.elts[1]))
        if isinstance(value, ast.Call) and _RESPONSES.search(call_name(value)):
            return _response_status(index, fs.module, value) or _built_refusal(
                index, fs.module, value
            )
    return None


def argument(call: ast.Call, keyword: str) -> ast.expr | None:
    """The call's first argument, given by position or as ``keyword``."""
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def status_value(index: SourceIndex, module: ModuleSource, node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    name = dotted(node)
    if not name:
        return None
    last = name.rsplit(".", 1)[-1]
    if last in _STATUS_NAMES:
        return _STATUS_NAMES[last]
    match = _STATUS_ATTR_RE.match(last)
    if match:
        return int(match.group(1))
    value = index.literal(module, node)
    return value if isinstance(value, int) else None  # (UNKNOWN is no int)


def _exception_status(
    index: SourceIndex, fs: FunctionSource, exc: ast.expr | None, knowledge: Knowledge
) -> int | None:
    if isinstance(exc, ast.Name) and exc.id in fs.assignments:  # raise credentials_exception
        values = fs.assignments[exc.id]
        return next((s for v in values if (s := _exception_status(index, fs, v, knowledge))), None)
    if isinstance(exc, ast.Call):
        for keyword in exc.keywords:
            if keyword.arg in {"status_code", "code", "status"}:
                return _raised_refusal(status_value(index, fs.module, keyword.value), exc)
        if exc.args and (
            status := _raised_refusal(status_value(index, fs.module, exc.args[0]), exc)
        ):
            return status
        if "redirect" in call_name(exc).lower():  # raise Redirect303(url_for("login"))
            location = exc.args[0] if exc.args else _keyword(exc, {"location", "url", "new_url"})
            if location is not None and login_page(location):
                return 401
        exc = exc.func
    name = dotted(exc)
    if not name:
        return None
    last = name.rsplit(".", 1)[-1]
    if knowledge.deny_exception_re.search(last):
        return 403 if _FORBIDDEN_WORDS.search(last) else 401
    found = index.resolve(fs.module, name)
    if found is not None and found.kind == "class":  # a project exception class
        for sub in walk(found.node):
            status = status_value(index, found.module, sub)  # (a statement has no value)
            if status in _DENY:
                return status
    return None


def _raised_refusal(status: int | None, exc: ast.Call) -> int | None:
    """401/403 as raised; a redirect (3xx) whose ``Location`` header is a login page refuses
    the anonymous caller as a 401 does: ``HTTPException(307, headers={"Location": login})``.
    A redirect anywhere else (a consent page, the client's callback) refuses nothing."""
    if status is not None and 300 <= status < 400:
        location = _header(exc, "location")
        return 401 if location is not None and login_page(location) else None
    return _deny_or_none(status)


def _keyword(call: ast.Call, names: set[str]) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg in names), None)


def _header(exc: ast.Call, name: str) -> ast.expr | None:
    """The value of header ``name`` in a literal ``headers={...}`` of the call (by keyword or
    as ``HTTPException``'s third argument)."""
    given = [k.value for k in exc.keywords if k.arg == "headers"] + exc.args[2:3]
    for headers in given:
        if isinstance(headers, ast.Dict):
            for key, value in zip(headers.keys, headers.values, strict=True):
                if isinstance(key, ast.Constant) and str(key.value).lower() == name:
                    return value
    return None


def login_page(target: ast.AST) -> bool:
    """The expression names a login page: a literal (``"/login"``, ``url_for("auth:login")``),
    a name or attribute (``LOGIN_URL``, ``settings.login_url``) or a call of one; not an
    object it is read from (``login_session.authorization_url(request)`` is no login page)."""
    receivers = {id(n.value) for n in walk(target) if isinstance(n, ast.Attribute)}
    for sub in walk(target):
        if id(sub) in receivers:
            continue
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            text = sub.value
        elif isinstance(sub, ast.Name):
            text = sub.id
        elif isinstance(sub, ast.Attribute):
            text = sub.attr
        else:
            continue
        if _LOGIN_PAGE.search(text):
            return True
    return False


def _response_status(index: SourceIndex, module: ModuleSource, call: ast.Call) -> int | None:
    for keyword in call.keywords:
        if keyword.arg in {"status", "status_code"}:
            return _deny_or_none(status_value(index, module, keyword.value))
    if len(call.args) >= 2:
        return _deny_or_none(status_value(index, module, call.args[1]))
    return None


def _built_refusal(index: SourceIndex, module: ModuleSource, call: ast.Call) -> int | None:
    """401/403 when the project function or response class called builds the refusal:
    ``return make_forbidden_response()`` where it sets ``res.status_code = 403``,
    ``return ForbiddenResponse()`` whose ``__init__`` does."""
    found = index.resolve(module, dotted(call.func))  # (no name: nothing resolves)
    if found is None or found.kind not in ("function", "class"):
        return None
    return index.memo(
        ("refusal", found.module.path, getattr(found.node, "lineno", 0)),
        lambda: _refusal_status(index, found.module, found.node),
    )


def _refusal_status(index: SourceIndex, module: ModuleSource, node: ast.AST) -> int | None:
    for sub in walk(node):
        status: int | None = None
        if isinstance(sub, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr in {"status_code", "status"}
            for t in sub.targets
        ):
            status = _deny_or_none(status_value(index, module, sub.value))
        elif (
            isinstance(sub, ast.Return)
            and isinstance(sub.value, ast.Call)
            and _RESPONSES.search(call_name(sub.value))
        ):
            status = _response_status(index, module, sub.value)
        if status is not None:
            return status
    return None


def _deny_or_none(status: int | None) -> int | None:
    return status if status in _DENY else None


_GONE = frozenset({404, 410})


def answers_only_not_found(index: SourceIndex, fs: FunctionSource) -> bool:
    """Every answer of the handler is a 404/410 (a catch-all for removed or unknown
    URLs): it serves nothing, so there is nothing to authenticate."""
    node = fs.node
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False  # a lambda
    if len(fs.of(ast.Yield)) + len(fs.of(ast.YieldFrom)):  # a stream answers 200 first
        return False
    if not isinstance(node.body[-1], ast.Return | ast.Raise):  # (a def has a body)
        return False  # it can fall off the end: None, a 200 or 204
    returns = fs.returns
    raises = fs.of(ast.Raise)
    module = fs.module
    for ret in returns:
        value = ret.value
        if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
            status = status_value(index, module, value.elts[1])
        elif isinstance(value, ast.Call) and _RESPONSES.search(call_name(value)):
            status = _gone_status(index, module, value)
        else:
            return False
        if status not in _GONE:
            return False
    for raised in raises:
        exc = raised.exc
        if not isinstance(exc, ast.Call) or _gone_status(index, module, exc) not in _GONE:
            return False
    aborts = [a for c in fs.calls if call_name(c) == "abort" and (a := argument(c, "status"))]
    return all(status_value(index, module, status) in _GONE for status in aborts)


def _gone_status(index: SourceIndex, module: ModuleSource, call: ast.Call) -> int | None:
    for keyword in call.keywords:
        if keyword.arg in {"status", "status_code", "code"}:
            return status_value(index, module, keyword.value)
    if call.args and (status := status_value(index, module, call.args[0])) in _GONE:
        return status  # HTTPException(404, ...)
    if len(call.args) >= 2:
        return status_value(index, module, call.args[1])
    return None
