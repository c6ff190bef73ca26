"""A route's auth class *and its reason*, one branch of ``auth_verdict`` each (issue 19).

The reasons are what ``apiposture routes`` and the JSON report (``auth_reason``) show; no
test read them before, so a branch could answer with another branch's reason unnoticed.
Each case has a twin on the other side of the condition that picks its branch.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from guard_cases import Code, guard, judged, load

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Auth, Location

CODE = """
from flask import abort, request, session
from fastapi import HTTPException

AUTH_REQUIRED = True
LOGIN_REQUIRED = True


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


def require_login():
    if not session.get("user_id"):
        abort(401)


def require_login_if_enabled():
    if LOGIN_REQUIRED and not session.get("user_id"):
        abort(401)


def plain_view():
    return {}


def marked_view():
    return {}


marked_view.__apiposture_public__ = True


def inline_view():
    if not session.get("user_id"):
        abort(401)
    return {}


def inline_switched_view():
    if LOGIN_REQUIRED and not session.get("user_id"):
        abort(401)
    return {}


def helper_view():
    require_login()
    return {}


def helper_switched_view():
    require_login_if_enabled()
    return {}


def helper_under_if_view(flag=False):
    if flag:
        require_login()
    return {}


def signed_hook():
    verify_signature(request.headers.get("Stripe-Signature"), request.data)
    return {}


def verify_signature(signature, body):
    return signature


signed_lambda = lambda: verify_signature(request.headers.get("X-Hub-Signature"), b"")


def gone_view():
    raise HTTPException(status_code=404)


def gone_or_not_view(flag=False):
    if flag:
        return {}
    raise HTTPException(status_code=404)


class LibraryAuthView:
    def login(self):
        return {}

    def logout(self):
        return {}


class ProjectAuthView(LibraryAuthView):
    def login(self):
        return {}

    def other(self):
        return {}
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Code:
    return load(tmp_path_factory.mktemp("authreasons"), CODE)


def line(code: Code, name: str) -> str:
    """``file:line`` of a function of ``code``, as reasons show it (relative to the root)."""
    function: Any = getattr(code.module, name)
    return f"{code.module.__name__}.py:{function.__code__.co_firstlineno}"


def verdict(code: Code, *guards: Any, **kw: Any) -> tuple[Auth, str]:
    route = judged(code, *guards, **kw)
    return route.auth, route.auth_reason


def test_an_authenticating_guard_is_the_reason_with_its_place_when_known(code: Code) -> None:
    strict = guard(code, "strict_user")
    assert verdict(code, strict, handler="plain_view") == (
        Auth.AUTHENTICATED,
        "guard strict_user (parameter)",
    )
    placed = dataclasses.replace(
        strict, location=Location(str(code.root / "deps.py"), 7, "strict_user")
    )
    assert verdict(code, placed, handler="plain_view") == (
        Auth.AUTHENTICATED,
        "guard strict_user at deps.py:7 (parameter)",
    )


def test_a_library_view_that_authorizes_itself_says_so(code: Code) -> None:
    qualname = f"{code.module.__name__}:plain_view"
    knowledge = dataclasses.replace(
        DEFAULT_KNOWLEDGE, library_authorizing_handlers=frozenset({qualname})
    )
    assert verdict(code, handler="plain_view", knowledge=knowledge) == (
        Auth.AUTHENTICATED,
        "library view",
    )
    assert verdict(code, handler="plain_view")[0] is Auth.NONE


def test_a_guard_that_refuses_by_a_setting_names_the_setting_and_the_guard(code: Code) -> None:
    assert verdict(code, guard(code, "switched_user"), handler="plain_view") == (
        Auth.CONDITIONAL,
        "AUTH_REQUIRED (guard switched_user (parameter))",
    )
    # beside another guard that decides nothing, the conditional one is still the reason
    both = (guard(code, "plain_view"), guard(code, "switched_user"))
    assert verdict(code, *both, handler="plain_view") == (
        Auth.CONDITIONAL,
        "AUTH_REQUIRED (guard switched_user (parameter))",
    )


def test_a_declared_public_route_gives_its_purpose_when_it_has_one(code: Code) -> None:
    assert verdict(code, handler="plain_view", public=True) == (
        Auth.PUBLIC,
        "declared public (config or @public marker)",
    )
    assert verdict(code, handler="plain_view", path="/health", public=True) == (
        Auth.PUBLIC,
        "health or version probe (path segment 'health')",
    )
    assert verdict(code, handler="marked_view") == (
        Auth.PUBLIC,
        "declared public (config or @public marker)",
    )


def test_a_librarys_public_view_and_a_project_override_of_it(code: Code) -> None:
    module = code.module.__name__
    knowledge = dataclasses.replace(
        DEFAULT_KNOWLEDGE,
        library_public_handlers=frozenset({f"{module}:LibraryAuthView.login"}),
    )

    def at(qualname: str) -> tuple[Auth, str]:
        return verdict(code, knowledge=knowledge, path="/page/x", qualname=qualname)

    library = (Auth.PUBLIC, "a library's login or public view")
    assert at("LibraryAuthView.login") == library
    # a library's view function (no class to look up): its name alone
    functions = dataclasses.replace(
        knowledge, library_public_handlers=frozenset({f"{module}:plain_view"})
    )
    assert verdict(code, handler="plain_view", knowledge=functions) == library
    assert verdict(code, handler="inline_view", knowledge=functions)[0] is Auth.AUTHENTICATED
    assert at("ProjectAuthView.login") == library  # overrides the library's login
    assert at("ProjectAuthView.other")[0] is Auth.NONE
    assert at("LibraryAuthView.logout")[0] is Auth.NONE


def test_an_entry_point_is_public_unless_a_guard_is_visible(code: Code) -> None:
    assert verdict(code, handler="plain_view", method="POST", path="/login") == (
        Auth.PUBLIC,
        "login entry point (path segment 'login')",
    )
    strict = guard(code, "strict_user")
    assert verdict(code, strict, handler="plain_view", method="POST", path="/login")[0] is (
        Auth.AUTHENTICATED
    )


def test_a_check_in_the_handler_is_the_reason(code: Code) -> None:
    assert verdict(code, handler="inline_view") == (
        Auth.AUTHENTICATED,
        f"check in the handler at {line(code, 'inline_view')}",
    )
    assert verdict(code, handler="inline_switched_view") == (
        Auth.CONDITIONAL,
        "LOGIN_REQUIRED (check in the handler)",
    )


def test_a_helper_the_handler_calls_first_is_the_reason(code: Code) -> None:
    assert verdict(code, handler="helper_view") == (
        Auth.AUTHENTICATED,
        f"require_login at {line(code, 'require_login')}, called by the handler",
    )
    assert verdict(code, handler="helper_switched_view") == (
        Auth.CONDITIONAL,
        "LOGIN_REQUIRED (require_login_if_enabled, called by the handler)",
    )
    assert verdict(code, handler="helper_under_if_view")[0] is Auth.NONE


def test_a_purpose_makes_an_unguarded_route_public(code: Code) -> None:
    assert verdict(code, handler="plain_view", path="/health") == (
        Auth.PUBLIC,
        "health or version probe (path segment 'health')",
    )
    assert verdict(code, handler="plain_view", path="/healthy-food") == (
        Auth.NONE,
        "no guard rejects anonymous callers",
    )


def test_a_webhook_is_public_when_it_posts_and_checks_the_senders_signature(
    code: Code,
) -> None:
    signed = (Auth.PUBLIC, "signed webhook (the handler verifies the sender's signature)")
    assert verdict(code, handler="signed_hook", method="POST", path="/webhooks/stripe") == signed
    assert verdict(code, handler="signed_hook", method="POST", path="/api/stripe-hook") == signed
    assert verdict(code, handler="signed_hook", method="GET", path="/webhooks/stripe")[0] is (
        Auth.NONE
    )
    assert verdict(code, handler="signed_hook", method="POST", path="/stripe")[0] is Auth.NONE
    assert verdict(code, handler="plain_view", method="POST", path="/webhooks/stripe")[0] is (
        Auth.NONE
    )
    assert verdict(code, method="POST", path="/webhooks/stripe")[0] is Auth.NONE  # no handler
    # a lambda's body is its one expression
    assert verdict(code, handler="signed_lambda", method="POST", path="/hooks/github") == signed


def test_an_optional_guard_is_the_reason_for_optional(code: Code) -> None:
    optional = guard(code, "maybe_user", scheme="HTTPBearer", auto_error=False)
    assert verdict(code, optional, handler="plain_view") == (
        Auth.OPTIONAL,
        "guard maybe_user (parameter)",
    )


def test_a_handler_that_only_answers_404_protects_nothing(code: Code) -> None:
    assert verdict(code, handler="gone_view") == (Auth.PUBLIC, "answers only 404")
    assert verdict(code, handler="gone_or_not_view") == (
        Auth.NONE,
        "no guard rejects anonymous callers",
    )
    assert verdict(code)[0] is Auth.NONE  # no handler to read
