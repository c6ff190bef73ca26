"""What a guard's or handler's code does about credentials (``guardcode.code_facts``), one
fact at a time (issue 19): each case shows the fact through the role of a guard, or the
auth class of a handler that checks for itself, with a twin on the other side."""

from __future__ import annotations

from typing import Any

import pytest
from guard_cases import Code, guard, judged, load, role_of

from pytest_apiposture.model import Auth, Guard, GuardRole

CODE = """
from fastapi import Depends, HTTPException, Query
from flask import abort, g, request, session

READ_ONLY = True
MAINTENANCE_MODE = False
LOGIN_REQUIRED = True
OPEN_ACCESS = False
AUTH_REQUIRED = True
STRICT_MODE = True
VERBOSE_AUTH = False


class settings:
    AUTH_DISABLED = False
    OPEN = False


def login_required(view):
    return view


def plain_view():
    return {}


def strict_user(token=None):
    if token is None:
        raise HTTPException(status_code=401)
    return {"token": token}


def ensure_writable():
    if READ_ONLY:
        abort(403)


def read_only_guard():
    ensure_writable()


def outer(token=None):
    return token


def maintenance():
    if MAINTENANCE_MODE:
        abort(403)


def maintenance_setting():
    if settings.OPEN:
        abort(403)


requires_login = lambda: abort(401) if not session.get("user_id") else None
gone_unless_logged_in = lambda: abort(404) if not session.get("user_id") else None


def status_guard(token=None):
    status = 200
    if token is None:
        status = 401
    return error_response(status)


def status_guard_not_found(token=None):
    status = 200
    if token is None:
        status = 404  # not a 401
    return error_response(status)


def status_guard_forbidden(token=None):
    status = 200
    if token is None:
        status = 403
    return error_response(status)


def code_guard(token=None):
    code = 200
    if token is None:
        code = 401
    return error_response(code)


def login_if_enabled_no_return():
    if LOGIN_REQUIRED:
        login_required(plain_view)()


def login_unless_open():
    if OPEN_ACCESS:
        pass
    else:
        login_required(plain_view)()


def two_switches(token=None):
    if AUTH_REQUIRED and token is None:
        raise HTTPException(status_code=401)
    if STRICT_MODE and token == "":
        raise HTTPException(status_code=401)
    return token


def nested_setting(token=None):
    if token is None:
        raise HTTPException(status_code=401)
    for item in (1, 2):
        if settings.OPEN:
            return token
    return token


def open_unless_configured(token=None):
    if settings.AUTH_DISABLED:
        return None
    if token is None:
        raise HTTPException(status_code=401)
    return token


def role_early_then_strict(user=None):
    if user["role"] == "admin":
        return user
    return strict_user(user)  # raises a 401 for anyone else


def profile_check(creds=None):
    if creds is None:
        raise HTTPException(status_code=401)
    profile = load_profile(creds)
    if profile is None:
        return None
    return profile


def guest_token(token=None):
    if token is None:
        raise HTTPException(status_code=401)
    if token == "guest":
        return {"guest": True}
    return {"token": token}


def lenient_when_configured(token=None):
    if token is None:
        if MAINTENANCE_MODE:
            return None
        raise HTTPException(status_code=401)
    return token


def logs_anonymous(token=None):
    if token is None:
        audit("anonymous")
    if not token:
        raise HTTPException(status_code=401)
    return token


def read_token_view():
    caller = read_token(request)
    if caller is None:
        abort(403)
    return {}


def authenticate_view():
    caller = authenticate(request)
    if caller is None:
        abort(403)
    return {}


def annotated_view():
    caller: dict = authenticate(request)
    if caller is None:
        abort(403)
    return {}


def authenticate_guard(request=None):
    caller = authenticate(request)
    if caller is None:
        raise HTTPException(status_code=401)
    return caller


def lookup_view(item_id=None):
    item = find_item(item_id)
    if item is None:
        abort(403)
    return {}


def logs_when_verbose(token=None):
    if VERBOSE_AUTH:
        audit("checking")
    if token is None:
        raise HTTPException(status_code=401)
    return token


def g_user_guard():
    user = g.user
    if user is None:
        abort(401)
    return user


def long_detail_guard():
    if MAINTENANCE_MODE:
        raise HTTPException(401, "Please send a valid token in the header, then try again")


def forty_chars_guard():
    if MAINTENANCE_MODE:
        raise HTTPException(401, "Please send a valid token in the header.")


def missing_403_view():
    if not session.get("user_id"):
        abort(403)
    return {}


def empty_header_view():
    if request.headers.get("X-Token", "") == "":
        abort(403)
    return {}


def called_test_view():
    if bad_token(request.headers.get("X-Token")):
        abort(403)
    return {}


def not_found_as_401_view(item_id=None):
    item = find(item_id)
    if item is None:
        abort(401)
    return item


def query_param_view(q: str = Query(None)):
    if q is None:
        abort(401)
    return {}


def dependency_view(caller=Depends(strict_user)):
    if caller is None:
        abort(401)
    return caller
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Code:
    return load(tmp_path_factory.mktemp("codefacts"), CODE)


def chained(code: Code, first: str, then: str, **facts: Any) -> Guard:
    """A guard whose own function ``first`` hands over to ``then`` (a decorator chain)."""
    head, tail = getattr(code.module, first), getattr(code.module, then)
    facts.setdefault("origin", "decorator")
    return Guard(name=first, func=head, chain=(head, tail), **facts)


def test_code_with_no_word_of_refusal_reads_no_credential_and_lets_no_one_through(
    code: Code,
) -> None:
    # guardcode ``NO_FACTS``: its defaults are no fact at all (``CodeFacts()``)
    assert role_of(code, "read_only_guard") is GuardRole.OTHER  # refuses, reads nothing
    assert role_of(code, "maintenance_setting") is GuardRole.OTHER  # an attribute: no credential
    optional = {"scheme": "HTTPBearer", "auto_error": False}
    strict = chained(code, "outer", "strict_user", **optional)
    assert judged(code, strict, handler="plain_view").guards[0].role is GuardRole.AUTH
    setting = chained(code, "outer", "maintenance")
    assert judged(code, setting, handler="plain_view").guards[0].role is GuardRole.OTHER


def test_a_lambda_is_read_like_a_function(code: Code) -> None:
    assert role_of(code, "requires_login") is GuardRole.AUTH
    assert role_of(code, "gone_unless_logged_in") is GuardRole.OTHER


def test_a_status_variable_set_to_401_is_a_refusal(code: Code) -> None:
    assert role_of(code, "status_guard") is GuardRole.AUTH
    assert role_of(code, "status_guard_forbidden") is GuardRole.AUTH
    assert role_of(code, "status_guard_not_found") is GuardRole.OTHER
    assert role_of(code, "code_guard") is GuardRole.OTHER  # not named status


def test_a_hand_off_to_a_login_guard_by_a_call_alone_or_in_the_else(code: Code) -> None:
    assert role_of(code, "login_if_enabled_no_return") is GuardRole.CONDITIONAL_AUTH
    assert role_of(code, "login_unless_open") is GuardRole.CONDITIONAL_AUTH


def test_the_first_setting_a_guard_switches_on_is_its_condition(code: Code) -> None:
    route = judged(code, guard(code, "two_switches"), handler="plain_view")
    assert (route.auth, route.auth_reason) == (
        Auth.CONDITIONAL,
        "AUTH_REQUIRED (guard two_switches (parameter))",
    )


def test_a_setting_tested_deep_inside_a_loop_is_no_switch(code: Code) -> None:
    assert role_of(code, "nested_setting") is GuardRole.AUTH


def test_an_early_return_on_a_setting_before_a_refusal_is_a_switch(code: Code) -> None:
    assert role_of(code, "open_unless_configured") is GuardRole.CONDITIONAL_AUTH


def test_a_role_test_counts_only_in_code_that_refuses(code: Code) -> None:
    # the admins' early return reads a role; the refusal is the helper's: authentication
    both = chained(code, "role_early_then_strict", "strict_user")
    assert judged(code, both, handler="plain_view").guards[0].role is GuardRole.AUTH


@pytest.mark.parametrize(
    "name", ["profile_check", "guest_token", "lenient_when_configured", "logs_anonymous"]
)
def test_only_a_missing_credential_answered_by_a_return_lets_anonymous_through(
    code: Code, name: str
) -> None:
    # ``credential and _is_missing_test(...) and not body_denies and _returns(...)``: each
    # guard breaks one of the four, so its scheme (auto_error off) still refuses
    optional = {"scheme": "HTTPBearer", "auto_error": False}
    assert role_of(code, name, **optional) is GuardRole.AUTH


@pytest.mark.parametrize(
    ("handler", "auth"),
    [
        ("read_token_view", Auth.AUTHENTICATED),
        ("authenticate_view", Auth.AUTHENTICATED),
        ("annotated_view", Auth.AUTHENTICATED),
        ("lookup_view", Auth.NONE),
    ],
)
def test_a_variable_from_a_call_that_reads_the_callers_credential_is_a_credential(
    code: Code, handler: str, auth: Auth
) -> None:
    # ``_identity_vars``: a call named like a credential read or an authentication makes
    # its result the caller; refusing when it is missing checks the caller in the handler
    assert judged(code, handler=handler).auth is auth


def test_a_guard_refusing_a_missing_identity_variable_reads_a_credential(code: Code) -> None:
    # ``reads or inline``: nothing in the guard is named like a credential but the caller
    # its authenticate() call returns, checked and refused
    assert role_of(code, "authenticate_guard") is GuardRole.AUTH


def test_a_call_under_a_setting_that_hands_off_to_no_login_guard_is_no_switch(
    code: Code,
) -> None:
    # ``_delegating``: only a call named like a login guard lets a setting decide
    assert role_of(code, "logs_when_verbose") is GuardRole.AUTH


def test_g_user_is_the_callers_identity(code: Code) -> None:
    assert role_of(code, "g_user_guard") is GuardRole.AUTH


def test_a_long_message_mentioning_a_token_is_not_a_credential_read(code: Code) -> None:
    # ``len(node.value) < 40``: a sentence is not a header or field name
    assert role_of(code, "long_detail_guard") is GuardRole.OTHER
    assert role_of(code, "forty_chars_guard") is GuardRole.OTHER


@pytest.mark.parametrize(
    ("handler", "auth"),
    [
        ("missing_403_view", Auth.AUTHENTICATED),  # absent credential: any refusal
        ("empty_header_view", Auth.AUTHENTICATED),  # == "" is absent too
        ("called_test_view", Auth.NONE),  # a call's answer: not a missing test, a 403
        ("not_found_as_401_view", Auth.NONE),  # no credential in the test
        ("query_param_view", Auth.NONE),  # a query parameter is no dependency
        ("dependency_view", Auth.AUTHENTICATED),  # a Depends parameter is the caller
    ],
)
def test_a_check_in_the_handler(code: Code, handler: str, auth: Auth) -> None:
    assert judged(code, handler=handler).auth is auth
