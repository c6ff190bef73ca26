"""Whether a denial depends on a setting: the code decides by configuration.

``setting_condition(if_node, body_refuses)`` names the setting an ``if`` switches on when
its body refuses only under it (``if cfg.AUTH and not token: abort(401)``) or lets the
caller through (an early ``return view()``, a credential handed in), else "". The probe
settles what the static pass cannot: the route is ``conditional``.
"""

from __future__ import annotations

import ast
import re

from .syntax import dotted, words

__all__ = ["setting_condition"]

_CONFIG_ROOTS = re.compile(
    r"(?:^|[._])(?:settings|config|conf|environ|getenv|options)(?:$|[._])", re.I
)
_CREDENTIAL_TARGET = re.compile(r"authori[sz]ation|credential|token|api_?key", re.I)
_SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9_]+$")


def setting_condition(node: ast.If, body_refuses: bool) -> str:
    """The setting an ``if`` lets the code depend on: its body refuses only when the setting
    holds (``if cfg.AUTH and ...: abort(401)``), or returns early before a later refusal
    (``if config.anon_browse: return f()``). ``or`` tests refuse more, not less: none."""
    test = node.test
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return ""
    # the setting lets the caller through: an early ``return view()`` right in its body, or
    # a credential handed in (``authorisation = Guest``); a return nested under a further
    # test (``if user: return view()``) is another way to authenticate, not a pass
    lets_through = any(isinstance(stmt, ast.Return) for stmt in node.body) or any(
        isinstance(stmt, ast.Assign)
        and any(_CREDENTIAL_TARGET.search(t) for t in words(stmt.targets[0]).split())
        for stmt in node.body
    )
    if not body_refuses and not lets_through:
        return ""
    if "request" in words(test).split():
        return ""  # ``if request.endpoint in PUBLIC_VIEWS``: an exemption, not a setting
    return _setting_name(test)


def _setting_name(test: ast.expr) -> str:
    """The setting a test switches on: ``config.anon``, ``not settings.auth``,
    ``MODE == "server"``, one term of an ``and``; a setting compared with a request value
    (``token != API_KEY``) is a credential check, not a switch."""
    if isinstance(test, ast.BoolOp):
        return next((n for n in map(_setting_name, test.values) if n), "")
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _setting_name(test.operand)
    if isinstance(test, ast.Compare):
        sides = [test.left, *test.comparators]
        if not all(isinstance(s, ast.Constant) for s in sides[1:]):
            return ""
        test = test.left
    return _switch(test)


def _switch(sub: ast.expr) -> str:
    if isinstance(sub, ast.Attribute):
        name = dotted(sub)
        if name and _CONFIG_ROOTS.search(name.rpartition(".")[0] or "~"):
            return name
    elif isinstance(sub, ast.Subscript) and _CONFIG_ROOTS.search(dotted(sub.value) or "~"):
        key = sub.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    elif isinstance(sub, ast.Call) and _CONFIG_ROOTS.search(dotted(sub.func) or "~"):
        arg = sub.args[0] if sub.args else None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    elif isinstance(sub, ast.Name) and _SETTING_NAME.match(sub.id):
        return sub.id
    return ""
