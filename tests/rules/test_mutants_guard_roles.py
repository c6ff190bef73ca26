"""A guard's role, one condition of ``static.auth._judge`` each (issue 19): for every
condition a guard it lets through and one it stops, in the guard's role and the route's
auth class."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from guard_cases import Code, guard, judged, load, role_of

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Auth, Guard, GuardRole, Route
from pytest_apiposture.static.auth import classify
from pytest_apiposture.static.source import SourceIndex

CODE = """
from flask import abort, session
from fastapi import HTTPException

AUTH_REQUIRED = True
LOGIN_REQUIRED = True
MAINTENANCE_MODE = False


def login_required(view):
    return view


def plain_view():
    return {}


def strict_user(token=None):
    if token is None:
        raise HTTPException(status_code=401)
    return {"token": token}


def maybe_user(token=None):
    if token is None:
        return None
    return {"token": token}


def switched_user(token=None):
    if AUTH_REQUIRED and token is None:
        raise HTTPException(status_code=401)
    return {"token": token}


def maintenance():
    if MAINTENANCE_MODE:
        abort(403)


def login_if_enabled():
    if LOGIN_REQUIRED:
        return login_required(plain_view)()
    return None


def always_login():
    return login_required(plain_view)()


def outer_without_setting(token=None):
    return token


def admin_user(token=None):
    if token is None:
        raise HTTPException(status_code=401)
    if token != "admin":
        raise HTTPException(status_code=403)
    return token
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Code:
    return load(tmp_path_factory.mktemp("guardroles"), CODE)


def test_a_guard_with_no_code_is_judged_by_its_name(code: Code) -> None:
    # auth.py `role is GuardRole.AUTH and any(looks_like_authorization(n) ...)`: an
    # authorization word makes an authenticating name an authorization, and nothing else
    def named(name: str) -> GuardRole | None:
        nameless = Guard(name=name, func=None, origin="parameter")
        return judged(code, nameless, handler="plain_view").guards[0].role

    assert named("security:require_login") is GuardRole.AUTH
    assert named("security:require_admin") is GuardRole.AUTHORIZATION
    assert named("security:admin_panel") is GuardRole.OTHER
    assert named("security:<locals>.helper") is GuardRole.OTHER


def test_a_setting_makes_an_authenticating_guard_conditional_unless_the_scheme_refuses(
    code: Code,
) -> None:
    # `role is AUTH and condition and not guard.auto_error`
    assert role_of(code, "switched_user") is GuardRole.CONDITIONAL_AUTH
    assert role_of(code, "strict_user") is GuardRole.AUTH
    scheme = {"scheme": "HTTPBearer", "auto_error": True}
    assert role_of(code, "switched_user", **scheme) is GuardRole.AUTH


def test_a_setting_does_not_make_a_guard_that_reads_no_credential_conditional(
    code: Code,
) -> None:
    # `role is AUTH and ...`: a maintenance switch that refuses everyone guards nothing
    assert role_of(code, "maintenance") is GuardRole.OTHER
    assert judged(code, guard(code, "maintenance"), handler="plain_view").auth is Auth.NONE


def test_a_guard_that_hands_off_to_a_login_guard_under_a_setting_is_conditional(
    code: Code,
) -> None:
    # `role is OTHER and condition and facts.delegates`
    assert role_of(code, "login_if_enabled") is GuardRole.CONDITIONAL_AUTH
    route = judged(code, guard(code, "login_if_enabled"), handler="plain_view")
    assert (route.auth, route.auth_reason) == (
        Auth.CONDITIONAL,
        "LOGIN_REQUIRED (guard login_if_enabled (parameter))",
    )
    assert role_of(code, "always_login") is GuardRole.OTHER  # no setting
    assert role_of(code, "maintenance") is GuardRole.OTHER  # a setting, no hand-off
    # a scheme that refuses by itself stays authentication
    scheme = {"scheme": "HTTPBearer", "auto_error": True}
    assert role_of(code, "login_if_enabled", **scheme) is GuardRole.AUTH


def test_scopes_make_authentication_an_authorization_not_an_optional_guard(code: Code) -> None:
    # `role is AUTH and (guard.scopes or facts.checks_role)`
    optional = {"scheme": "HTTPBearer", "auto_error": False}
    assert role_of(code, "maybe_user", **optional) is GuardRole.OPTIONAL_AUTH
    assert role_of(code, "maybe_user", scopes=("items:read",), **optional) is (
        GuardRole.OPTIONAL_AUTH
    )
    assert role_of(code, "strict_user", scopes=("items:read",)) is GuardRole.AUTHORIZATION
    assert role_of(code, "admin_user") is GuardRole.AUTHORIZATION  # a role check in the code
    assert role_of(code, "switched_user", scopes=("items:read",)) is (GuardRole.CONDITIONAL_AUTH)


def test_the_setting_a_conditional_guard_names_may_sit_down_its_chain(code: Code) -> None:
    # `_guard_condition`: the first of the guard's functions that switches on a setting
    outer, inner = code.outer_without_setting, code.switched_user
    chained = Guard(name="chained", func=outer, chain=(outer, inner), origin="decorator")
    route = judged(code, chained, handler="plain_view")
    assert (route.auth, route.auth_reason) == (
        Auth.CONDITIONAL,
        "AUTH_REQUIRED (guard chained (decorator))",
    )


def _wrapping(wrapper: Any, inner: Any) -> Any:
    """``wrapper`` as ``functools.wraps`` leaves it around ``inner``."""
    return functools.wraps(inner)(wrapper)


def test_two_guards_that_wrap_the_same_function_are_judged_apart(tmp_path: Path) -> None:
    # auth.py `_guard_key`: the key of a guard's judgement is its own code, not the code it
    # wraps (``unwrap=False``): a refusing wrapper and a plain one are not one guard
    code = load(
        tmp_path,
        """
        from fastapi import HTTPException


        def view(token=None):
            return {}


        def refusing(token=None):
            if token is None:
                raise HTTPException(status_code=401)
            return view(token)


        def passing(token=None):
            return view(token)
        """,
    )
    inner = code.view
    routes = []
    for wrapper in (code.refusing, code.passing):
        func = _wrapping(wrapper, inner)
        g = Guard(name="same", func=func, chain=(func, inner), origin="decorator")
        routes.append(Route("GET", f"/{wrapper.__name__}", "flask", "m:v", guards=(g,)))
    judged_routes = classify(
        routes,
        knowledge=DEFAULT_KNOWLEDGE,
        index=SourceIndex(code.root),
        is_public=lambda _: False,
    )
    assert [r.guards[0].role for r in judged_routes] == [GuardRole.AUTH, GuardRole.OTHER]


def test_a_library_decorator_is_judged_by_its_own_name_not_the_view_it_wraps(
    tmp_path: Path,
) -> None:
    # auth.py `_name_parts`: ``code_owner(guard.func, unwrap=False)``, and the
    # ``<locals>`` parts left out: flask-login's ``login_required`` wraps the view in
    # ``login_required.<locals>.decorated_view``, whose code lies outside the project
    (tmp_path / "lib").mkdir()
    (tmp_path / "app").mkdir()
    library = load(
        tmp_path / "lib",
        """
        import functools


        def token_required(view):
            @functools.wraps(view)
            def decorated_view(*args, **kwargs):
                return view(*args, **kwargs)

            return decorated_view


        def passthrough(view):
            @functools.wraps(view)
            def decorated_view(*args, **kwargs):
                return view(*args, **kwargs)

            return decorated_view
        """,
    )
    app = load(tmp_path / "app", "def report():\n    return {}\n")

    def role(decorator: Any) -> GuardRole | None:
        wrapper = decorator(app.report)
        g = Guard(name="decorator", func=wrapper, chain=(wrapper,), origin="decorator")
        return judged(app, g, handler="report").guards[0].role

    assert role(library.token_required) is GuardRole.AUTH
    assert role(library.passthrough) is GuardRole.OTHER
