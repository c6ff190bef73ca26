"""The last decisions of ``guardcode`` and ``auth``'s hook exemptions pinned (issue 19): each
case shows the decision through a guard's role or a route's auth class, with a twin on the
other side."""

from __future__ import annotations

import pytest
from guard_cases import Code, guard, judged, load, role_of

from pytest_apiposture.model import Auth, GuardRole

CODE = """
from fastapi import Depends, HTTPException
from flask import abort, current_app, request, session

PUBLIC_ENDPOINTS = ("home",)
MARK = ("view", "is_public")


LOGIN_REQUIRED = True


class config:
    anon = False
    verbose = False
    broken = False


def public_view():
    return {}


public_view.is_public = True


def private_view():
    return {}


def page():
    return {}


def current_principal():
    return None


def require_caller(caller=Depends(current_principal)):
    # the dependency parameter holds the caller: testing it is reading a credential
    if caller.disabled:
        raise HTTPException(status_code=403)
    return caller


def require_flag(flag=Depends(page)):
    if flag.disabled:
        raise HTTPException(status_code=403)
    return flag


def refuses_marked_views():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        abort(403)
    if not session.get("user_id"):
        abort(401)


def by_header_default():
    if request.headers.get("X-Mode", "is_public"):
        return None
    if not session.get("user_id"):
        abort(401)


def by_starred_getattr():
    if getattr(*MARK):
        return None
    if not session.get("user_id"):
        abort(401)


def scoped_and_exempting():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.path.startswith("/api/"):
        if not session.get("user_id"):
            abort(401)


def switch_without_refusal():
    if config.anon:
        return page()
    return private_view()


def switch_before_refusal():
    if config.anon:
        return page()
    if not session.get("user_id"):
        abort(401)


def unnamed_callee():
    user = [get_current_user][0]()
    if user is None:
        abort(401)
    return user


def named_callee():
    user = get_current_user()
    if user is None:
        abort(401)
    return user


def get_current_user():
    return None


def outer_switch():
    # a switch in code that neither refuses nor hands off is not the guard's condition
    # (a ValueError is a failure, not a refusal: the code says "raise" but refuses no one)
    if config.verbose:
        return page()
    if config.broken:
        raise ValueError("misconfigured")
    return gate()


def gate():
    if LOGIN_REQUIRED and not session.get("user_id"):
        abort(401)
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Code:
    return load(tmp_path_factory.mktemp("guardcode19"), CODE)


def hook_role(code: Code, hook: str, **route: object) -> GuardRole | None:
    route.setdefault("handler", "private_view")
    return judged(code, guard(code, hook, origin="before_request"), **route).guards[0].role  # type: ignore[arg-type]


def test_a_dependency_parameter_is_the_callers_credential(code: Code) -> None:
    # ``caller`` matches no credential word: it reads one because a dependency fills it
    assert role_of(code, "require_caller") is GuardRole.AUTH
    assert role_of(code, "require_flag") is GuardRole.AUTH


def test_a_view_attribute_exempts_only_when_the_hook_lets_it_through(code: Code) -> None:
    # the hook refuses marked views: marked or not, the route is guarded
    assert hook_role(code, "refuses_marked_views", handler="public_view", path="/p") is (
        GuardRole.AUTH
    )
    # a default argument of another call is no view attribute
    assert hook_role(code, "by_header_default", handler="public_view", path="/p") is (
        GuardRole.AUTH
    )
    # ``getattr(*args)``: no attribute name to read (and no failure)
    assert hook_role(code, "by_starred_getattr", handler="public_view", path="/p") is (
        GuardRole.AUTH
    )


def test_a_hook_scoped_to_a_prefix_keeps_its_exempted_endpoints(code: Code) -> None:
    hook = "scoped_and_exempting"
    assert hook_role(code, hook, endpoint_name="home", path="/api/home") is GuardRole.OTHER
    assert hook_role(code, hook, endpoint_name="cart", path="/api/cart") is GuardRole.AUTH
    assert hook_role(code, hook, endpoint_name="page", path="/site/page") is GuardRole.OTHER


def test_a_setting_is_a_condition_only_of_code_that_refuses(code: Code) -> None:
    # an early return under a setting in code that refuses no one is no auth switch
    assert judged(code, handler="switch_without_refusal").auth is Auth.NONE
    route = judged(code, handler="switch_before_refusal")
    assert (route.auth, route.auth_reason) == (
        Auth.CONDITIONAL,
        "config.anon (check in the handler)",
    )


def test_a_call_of_no_name_assigns_no_identity(code: Code) -> None:
    # ``[f][0]()`` names no function: the variable is not known to hold an identity (and
    # reading the code does not fail); the same call by its name assigns one
    assert judged(code, handler="unnamed_callee").auth is Auth.NONE
    assert judged(code, handler="named_callee").auth is Auth.AUTHENTICATED


def test_a_switch_in_code_that_refuses_no_one_is_no_condition(code: Code) -> None:
    # ``outer_switch`` returns early under ``config.verbose`` but neither refuses nor hands
    # off: that setting does not decide who gets in. (The setting ``gate`` refuses under is
    # not read for the guard's role either: only the guard's own code and chain are.)
    route = judged(code, guard(code, "outer_switch"), handler="private_view")
    assert route.auth is Auth.AUTHENTICATED
    assert "config.verbose" not in route.auth_reason
