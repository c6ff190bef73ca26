"""A route that verifies the credential the request carries is a login, whatever its name.

An authentication service's own endpoints (``/validate/check`` taking a user and a
PIN+OTP, a RADIUS adapter, a ``/session`` that checks a password) must answer callers
who have no session yet: the credential is the request. ``verifies_submitted_secret``
finds, in the handler or a function it calls, a call with a checking verb
(``check_user_pass``, ``verify_password``, ``user.check_password``, ``authenticate``)
that is handed a secret the caller submitted (a value named ``password``, ``pass``,
``otp``, ``pin``, ``passcode``: ``form.password``, ``get_required(data, "pass")``) and
the claim it is checked against (a second argument, or the object the method is called
on). A password-strength check on a new password takes the password alone, and is none.

Consulted only when no guard is visible (``auth.auth_verdict``): a visible guard wins.
"""

from __future__ import annotations

import ast
import re

from .follow import callees
from .source import FunctionSource, SourceIndex
from .syntax import call_name, walk

__all__ = ["verifies_submitted_secret"]

# a value of one of these names is a secret the caller submits to prove who they are
_SECRET = re.compile(
    r"^(?:(?:current|old|user|plain|raw|given|submitted)_?)?"
    r"(?:password|passwd|pass|passphrase|passcode|otp|totp|pin)(?:_?code)?$",
    re.IGNORECASE,
)
_VERBS = frozenset({"check", "verify", "authenticate", "login"})
# words of a call that judges a new password, not a claim of identity
_NOT_A_CLAIM = frozenset({"strength", "policy", "complexity", "strong", "length", "pwned"})
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def verifies_submitted_secret(index: SourceIndex, handler: FunctionSource) -> str | None:
    """``check_user_pass at validate.py:534`` when the handler, or a function it calls,
    checks a secret the caller submitted; else None."""
    for fs in (handler, *callees(index, handler)):
        call = _verifying_call(fs)
        if call is not None:
            return f"{call_name(call)} at {index.display(fs.path)}:{call.lineno}"
    return None


def _verifying_call(fs: FunctionSource) -> ast.Call | None:
    if fs.is_lambda:
        return None
    for node in fs.of(ast.Call):
        name_words = {w.lower() for w in _WORD.findall(call_name(node))}
        if not name_words & _VERBS or name_words & _NOT_A_CLAIM:
            continue
        arguments = [*node.args, *(k.value for k in node.keywords)]
        secrets = [a for a in arguments if _submitted_secret(a)]
        if not secrets:
            continue
        # a claim to check against: another argument, or the object of a method call
        on_object = isinstance(node.func, ast.Attribute)
        if len(arguments) > len(secrets) or on_object:
            return node
    return None


def _submitted_secret(node: ast.expr) -> bool:
    """The value is named as a submitted secret: ``password``, ``form.password``,
    ``data["otp"]``, ``get_required(request.all_data, "pass")``."""
    for sub in walk(node):
        if isinstance(sub, ast.Name) and _SECRET.match(sub.id):
            return True
        if isinstance(sub, ast.Attribute) and _SECRET.match(sub.attr):
            return True
        if (
            isinstance(sub, ast.Constant)
            and isinstance(sub.value, str)
            and _SECRET.match(sub.value)
        ):
            return True
    return False
