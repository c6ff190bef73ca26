"""Guard roles decided by one condition each: a guard on each side of it (issue 19).

Each pair differs in the one fact the condition reads, so dropping or flipping an operand
of the condition changes one of the two answers.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Auth, Guard, GuardRole, Route
from pytest_apiposture.static.auth import classify
from pytest_apiposture.static.source import SourceIndex

GUARDS = """
from flask import abort, redirect, request, session, url_for
from fastapi import HTTPException

MAINTENANCE = False


def lenient_user(token=None):
    # no token: anonymous passes; a bad token: refused
    if token is None:
        return None
    if token != "good":
        raise HTTPException(status_code=401)
    return {"token": token}


def strict_user(token=None):
    if token is None:
        raise HTTPException(status_code=401)
    return {"token": token}


def maintenance_guard():
    # denies, reads no credential
    if MAINTENANCE:
        abort(403)


def session_guard():
    if not session.get("user_id"):
        abort(401)


def to_login():
    if not session.get("user_id"):
        return redirect(url_for("auth.login", next=request.path))
    return None


def to_welcome():
    if not session.get("user_id"):
        return redirect(url_for("welcome"))
    return None


def to_login_by_path():
    if "token" not in request.headers:
        return redirect("/login")
    return None
"""


@pytest.fixture(scope="module")
def guards(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, Path]:
    root = tmp_path_factory.mktemp("authdecisions")
    (root / "rxauth_decisions.py").write_text(textwrap.dedent(GUARDS))
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module("rxauth_decisions"), root
    finally:
        sys.path.remove(str(root))


def judged(root: Path, name: str, func: Any, **facts: Any) -> tuple[Auth, GuardRole | None]:
    facts.setdefault("origin", "parameter")
    g = Guard(name=name, func=func, chain=(func,), **facts)
    r = Route("GET", "/x", "flask", "m:view", guards=(g,))
    (out,) = classify(
        [r], knowledge=DEFAULT_KNOWLEDGE, index=SourceIndex(root), is_public=lambda _: False
    )
    return out.auth, out.guards[0].role


def test_a_scheme_without_auto_error_is_optional_when_anonymous_passes(
    guards: tuple[ModuleType, Path],
) -> None:
    # `guard.auto_error or (facts.denies and not passes)`: a guard that refuses a bad token
    # but lets a missing one through is optional, though it denies
    module, root = guards
    scheme = {"scheme": "HTTPBearer", "auto_error": False}
    assert judged(root, "lenient_user", module.lenient_user, **scheme) == (
        Auth.OPTIONAL,
        GuardRole.OPTIONAL_AUTH,
    )
    assert judged(root, "strict_user", module.strict_user, **scheme) == (
        Auth.AUTHENTICATED,
        GuardRole.AUTH,
    )


def test_a_guard_that_denies_is_auth_only_when_it_reads_a_credential(
    guards: tuple[ModuleType, Path],
) -> None:
    # `GuardRole.AUTH if facts.reads_credential and facts.denies`
    module, root = guards
    assert judged(root, "maintenance_guard", module.maintenance_guard) == (
        Auth.NONE,
        GuardRole.OTHER,
    )
    assert judged(root, "session_guard", module.session_guard) == (
        Auth.AUTHENTICATED,
        GuardRole.AUTH,
    )


def test_a_redirect_denies_only_when_it_goes_to_a_login_page(
    guards: tuple[ModuleType, Path],
) -> None:
    # denials.py: `name == "redirect" and node.args and "login" in words(node.args[0])`
    module, root = guards
    assert judged(root, "to_login", module.to_login) == (Auth.AUTHENTICATED, GuardRole.AUTH)
    assert judged(root, "to_login_by_path", module.to_login_by_path) == (
        Auth.AUTHENTICATED,
        GuardRole.AUTH,
    )
    assert judged(root, "to_welcome", module.to_welcome) == (Auth.NONE, GuardRole.OTHER)
