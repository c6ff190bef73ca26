"""A handler's own code as static.denials reads it (issue 19): which refusal makes a check
in the handler authentication (a 401, not a 403), and which handlers answer nothing but
404/410 (a catch-all that protects nothing: public)."""

from __future__ import annotations

import pytest
from guard_cases import judged, load

from pytest_apiposture.model import Auth

HANDLERS = """
from flask import abort, redirect, request, url_for
from fastapi import HTTPException
from werkzeug.exceptions import Forbidden, Unauthorized

API_KEY = "k"


def unauthorized_view():
    if request.headers.get("X-Token") != API_KEY:
        return login_manager.unauthorized()
    return {}


def redirect_view():
    if request.headers.get("X-Token") != API_KEY:
        return redirect(url_for("auth.login"))
    return {}


def redirect_helper_view():
    if request.headers.get("X-Token") != API_KEY:
        return redirect_to_login()
    return {}


def unauthorized_exception_view():
    if request.headers.get("X-Token") != API_KEY:
        raise Unauthorized()
    return {}


def forbidden_exception_view():
    if request.headers.get("X-Token") != API_KEY:
        raise Forbidden()
    return {}


def forbidden_abort_view():
    if request.headers.get("X-Token") != API_KEY:
        abort(403)
    return {}


def raised_login_redirect_view():
    if request.headers.get("X-Token") != API_KEY:
        raise HTTPException(status_code=307, headers={"Location": "/login"})
    return {}
"""


@pytest.mark.parametrize(
    ("handler", "auth"),
    [
        ("unauthorized_view", Auth.AUTHENTICATED),
        ("redirect_view", Auth.AUTHENTICATED),
        ("redirect_helper_view", Auth.AUTHENTICATED),
        ("unauthorized_exception_view", Auth.AUTHENTICATED),
        ("forbidden_exception_view", Auth.NONE),
        ("forbidden_abort_view", Auth.NONE),
        ("raised_login_redirect_view", Auth.AUTHENTICATED),
    ],
)
def test_a_wrong_credential_value_authenticates_when_it_is_refused_with_401(
    tmp_path_factory: pytest.TempPathFactory, handler: str, auth: Auth
) -> None:
    # denials.py: 401 for unauthorized(), a redirect to a login page (returned, or raised
    # as an HTTPException whose Location is one), an Unauthorized exception; 403 for a
    # Forbidden one. A check of a credential's value (not its
    # absence) is authentication only when it answers 401 (guardcode ``_deny_401``).
    code = load(tmp_path_factory.mktemp("handlers"), HANDLERS)
    assert judged(code, handler=handler).auth is auth


CATCH_ALLS = """
from flask import abort, make_response, request
from fastapi import HTTPException

MISSING = 404


def raises_404():
    raise HTTPException(status_code=404)


def returns_410_tuple():
    return {"detail": "gone"}, 410


def returns_named_404():
    return {"detail": "gone"}, MISSING


def returns_404_response():
    return make_response("gone", 404)


def returns_404_keyword_response():
    return make_response("gone", status=404)


def aborts_then_raises(flag=False):
    log_access(request.path)
    if flag:
        abort(404)
    raise HTTPException(status_code=410)


# --- not only 404 ----------------------------------------------------------------------
def streams_404():
    yield "404"
    raise HTTPException(status_code=404)


def falls_off_the_end(flag=False):
    if flag:
        raise HTTPException(status_code=404)


def sometimes_200(flag=False):
    if flag:
        return {}, 200
    raise HTTPException(status_code=404)


def sometimes_a_dict(flag=False):
    if flag:
        return {}
    raise HTTPException(status_code=404)


def sometimes_a_tuple_of_one(flag=False):
    if flag:
        return ({},)
    raise HTTPException(status_code=404)


def sometimes_a_call(flag=False):
    if flag:
        return notify(404)
    raise HTTPException(status_code=404)


def sometimes_500(flag=False):
    if flag:
        raise HTTPException(status_code=500)
    raise HTTPException(status_code=404)


def reraises(flag=False):
    if flag:
        try:
            return lookup(), 404
        except KeyError:
            raise
    raise HTTPException(status_code=404)


def raises_without_a_status():
    raise NotFoundError()


def aborts_403_then_raises(flag=False):
    if flag:
        abort(403)
    raise HTTPException(status_code=404)


gone_lambda = lambda: ({"detail": "gone"}, 404)
"""


@pytest.mark.parametrize(
    ("handler", "auth"),
    [
        ("raises_404", Auth.PUBLIC),
        ("returns_410_tuple", Auth.PUBLIC),
        ("returns_named_404", Auth.PUBLIC),
        ("returns_404_response", Auth.PUBLIC),
        ("returns_404_keyword_response", Auth.PUBLIC),
        ("aborts_then_raises", Auth.PUBLIC),
        ("streams_404", Auth.NONE),
        ("falls_off_the_end", Auth.NONE),
        ("sometimes_200", Auth.NONE),
        ("sometimes_a_dict", Auth.NONE),
        ("sometimes_a_tuple_of_one", Auth.NONE),
        ("sometimes_a_call", Auth.NONE),
        ("sometimes_500", Auth.NONE),
        ("reraises", Auth.NONE),
        ("raises_without_a_status", Auth.NONE),
        ("aborts_403_then_raises", Auth.NONE),
        ("gone_lambda", Auth.NONE),
    ],
)
def test_a_handler_that_answers_only_404_or_410_is_public(
    tmp_path_factory: pytest.TempPathFactory, handler: str, auth: Auth
) -> None:
    # denials.py ``answers_only_not_found``: every return and raise a 404/410, no stream,
    # no falling off the end; a lambda is not read
    code = load(tmp_path_factory.mktemp("catchall"), CATCH_ALLS)
    route = judged(code, handler=handler)
    reason = "answers only 404" if auth is Auth.PUBLIC else "no guard rejects anonymous callers"
    assert (route.auth, route.auth_reason) == (auth, reason)
