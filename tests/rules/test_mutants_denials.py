"""Which statements refuse a request (``static.denials``), seen through a guard's role
(issue 19): the same credential test in every guard, a different refusal after it. A
refusal makes the guard ``auth``; anything else leaves it ``other``. Every guard here is
named like one (``*_required``), so the cheap word test before a guard's code is read
lets every one be read. Whether a refusal is a 401 or a 403: test_mutants_handlers.py."""

from __future__ import annotations

import pytest
from guard_cases import Code, load, role_of

from pytest_apiposture.model import GuardRole

CODE = """
from http import HTTPStatus

from flask import abort, jsonify, make_response, redirect, request, session, url_for
from fastapi import HTTPException, Response, status
from werkzeug.exceptions import Forbidden, Unauthorized

DENIED = 401
NOT_FOUND = 404
LOGIN_URL = "/login"
LOGIN_HEADERS = {"Location": "/login"}


class LoginFirst(Exception):
    code = 401


class Teapot(Exception):
    code = 418


def make_forbidden_response():
    res = Response()
    res.status_code = 403
    return res


class ForbiddenResponse(Response):
    def __init__(self):
        super().__init__()
        self.status_code = 403


class PageResponse(Response):
    def __init__(self):
        super().__init__()
        self.status_code = 200


def make_page_response():
    page_size = 401
    res = Response()
    res.content_length = 403
    res.status_code = 200
    return res


def make_logged_response():
    res = Response()
    res.status_code = 200
    return audit(res, 401)


def make_error(code=401):
    return ValueError(f"failed with {code}")


def make_teapot_response():
    res = Response()
    res.status_code = 418
    return res


# --- refusals --------------------------------------------------------------------------
def abort_positional_required():
    if not session.get("user_id"):
        abort(401)


def abort_keyword_required():
    if not session.get("user_id"):
        abort(status=403)


def abort_forbidden_name_required():
    if not session.get("user_id"):
        abort(HTTPStatus.FORBIDDEN)


def abort_constant_required():
    if not session.get("user_id"):
        abort(DENIED)


def abort_named_status_required():
    if not session.get("user_id"):
        abort(HTTPStatus.UNAUTHORIZED)


def raise_status_attribute_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)


def raise_positional_status_required():
    if not session.get("user_id"):
        raise HTTPException(401, "log in")


def raise_code_keyword_required():
    if not session.get("user_id"):
        raise HTTPException(code=401)


def raise_named_exception_required():
    if not session.get("user_id"):
        raise Unauthorized()


def raise_named_class_required():
    if not session.get("user_id"):
        raise Forbidden


def raise_project_exception_required():
    if not session.get("user_id"):
        raise LoginFirst()


def raise_assigned_required():
    refused = HTTPException(status_code=401)
    if not session.get("user_id"):
        raise refused


def unauthorized_call_required():
    if not session.get("user_id"):
        return login_manager.unauthorized()


def redirect_to_login_required():
    if not session.get("user_id"):
        return redirect(url_for("auth.login"))


def redirect_to_login_by_keyword_required():
    if not session.get("user_id"):
        return redirect(location=url_for("auth.login"))


def redirect_helper_required():
    if not session.get("user_id"):
        return redirect_to_login_page()


def tuple_refusal_required():
    if not session.get("user_id"):
        return jsonify(error="no"), 403


def response_keyword_required():
    if not session.get("user_id"):
        return make_response(jsonify(error="no"), status=401)


def response_status_code_keyword_required():
    if not session.get("user_id"):
        return Response("no", status_code=403)


def response_positional_required():
    if not session.get("user_id"):
        return make_response("no", 401)


def built_refusal_required():
    if not session.get("user_id"):
        return make_forbidden_response()


def built_refusal_class_required():
    if not session.get("user_id"):
        return ForbiddenResponse()


# --- not refusals ----------------------------------------------------------------------
def abort_not_found_required():
    if not session.get("user_id"):
        abort(404)


def abort_without_status_required():
    if not session.get("user_id"):
        abort()


def abort_keyword_not_found_required():
    if not session.get("user_id"):
        abort(status=NOT_FOUND)


def raise_other_status_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=404)


def raise_other_positional_required():
    if not session.get("user_id"):
        raise HTTPException(400, "bad")


def raise_project_teapot_required():
    if not session.get("user_id"):
        raise Teapot()


def raise_unknown_required():
    if not session.get("user_id"):
        raise ValueError("no")


def bare_raise_required():
    try:
        return session["user_id"]
    except KeyError:
        raise


def redirect_elsewhere_required():
    if not session.get("user_id"):
        return redirect(url_for("welcome"))


def redirect_elsewhere_by_keyword_required():
    if not session.get("user_id"):
        return redirect(location=url_for("welcome"))


def redirect_without_target_required():
    if not session.get("user_id"):
        return redirect()


def tuple_not_found_required():
    if not session.get("user_id"):
        return jsonify(error="no"), 404


def tuple_of_one_required():
    if not session.get("user_id"):
        return (jsonify(error="no"),)


def response_ok_required():
    if not session.get("user_id"):
        return make_response(jsonify(error="no"), status=200)


def response_positional_ok_required():
    if not session.get("user_id"):
        return make_response("no", 200)


def response_one_argument_required():
    if not session.get("user_id"):
        return make_response("no")


def built_teapot_required():
    if not session.get("user_id"):
        return make_teapot_response()


def login_call_required():
    if not session.get("user_id"):
        return login_user(guest)


def not_a_response_required():
    if not session.get("user_id"):
        return log_event("refused", 401)


def raise_factory_required():
    if not session.get("user_id"):
        raise make_error()


def built_page_required():
    if not session.get("user_id"):
        return make_page_response()


def built_logged_required():
    if not session.get("user_id"):
        return make_logged_response()


def built_class_ok_required():
    if not session.get("user_id"):
        return PageResponse()


def return_nothing_required():
    if not session.get("user_id"):
        return None


# a redirect raised as an HTTPException refuses when its Location is a login page
def raise_redirect_to_login_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=307, headers={"Location": "/auth/login"})


def raise_redirect_positional_required():
    if not session.get("user_id"):
        raise HTTPException(300, "log in", {"location": LOGIN_URL})


def raise_redirect_named_page_required(request):
    if not session.get("user_id"):
        raise HTTPException(
            status_code=status.HTTP_303_SEE_OTHER,
            headers={"Location": str(tenant.url_for(request, "auth:login"))},
        )


def raise_redirect_login_helper_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=302, headers={"Location": login_url()})


def raise_last_redirect_status_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=399, headers={"Location": "/login"})


def raise_success_to_login_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=299, headers={"Location": "/login"})


def raise_redirect_elsewhere_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=307, headers={"Location": "/elsewhere"})


def raise_redirect_without_location_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=307)


def raise_redirect_other_header_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=307, headers={"X-Next": "/login"})


def raise_redirect_headers_variable_required():
    if not session.get("user_id"):
        raise HTTPException(307, "log in", LOGIN_HEADERS)


def raise_redirect_login_receiver_required(request):
    if not session.get("user_id"):
        raise HTTPException(
            status_code=303, headers={"Location": str(login_flow.restart_url(request))}
        )


def raise_bad_request_to_login_required():
    if not session.get("user_id"):
        raise HTTPException(status_code=400, headers={"Location": "/login"})


def redirect_to_authenticate_required():
    if not session.get("user_id"):
        return redirect(url_for(".authenticate"))


# a redirect exception of the app's own (a werkzeug HTTPException subclass with a 3xx code)
# raised with the login page's URL: the anonymous caller is sent to log in
def raise_redirect_class_to_login_required():
    if not session.get("user_id"):
        raise Redirect303(url_for(".authenticate"))


def raise_redirect_class_keyword_required():
    if not session.get("user_id"):
        raise RequestRedirect(new_url="/signin")


def raise_redirect_class_elsewhere_required():
    if not session.get("user_id"):
        raise Redirect303(url_for(".admin"))


def raise_other_class_to_login_required():
    if not session.get("user_id"):
        raise LookupError(url_for(".authenticate"))

"""

REFUSALS = [
    "abort_positional",
    "abort_keyword",
    "abort_forbidden_name",
    "abort_constant",
    "abort_named_status",
    "raise_status_attribute",
    "raise_positional_status",
    "raise_code_keyword",
    "raise_named_exception",
    "raise_named_class",
    "raise_project_exception",
    "raise_assigned",
    "unauthorized_call",
    "redirect_to_login",
    "redirect_to_login_by_keyword",
    "redirect_helper",
    "tuple_refusal",
    "response_keyword",
    "response_status_code_keyword",
    "response_positional",
    "built_refusal",
    "built_refusal_class",
    "raise_redirect_to_login",
    "raise_redirect_positional",
    "raise_redirect_named_page",
    "raise_redirect_login_helper",
    "raise_last_redirect_status",
    "raise_redirect_class_to_login",
    "raise_redirect_class_keyword",
    "redirect_to_authenticate",
]
NOT_REFUSALS = [
    "abort_not_found",
    "abort_without_status",
    "abort_keyword_not_found",
    "raise_other_status",
    "raise_other_positional",
    "raise_project_teapot",
    "raise_unknown",
    "redirect_elsewhere",
    "redirect_elsewhere_by_keyword",
    "redirect_without_target",
    "tuple_not_found",
    "tuple_of_one",
    "response_ok",
    "response_positional_ok",
    "response_one_argument",
    "built_teapot",
    "login_call",
    "not_a_response",
    "raise_factory",
    "built_page",
    "built_logged",
    "built_class_ok",
    "return_nothing",
    "raise_redirect_elsewhere",
    "raise_redirect_without_location",
    "raise_redirect_other_header",
    "raise_redirect_headers_variable",
    "raise_redirect_login_receiver",
    "raise_bad_request_to_login",
    "raise_success_to_login",
    "raise_redirect_class_elsewhere",
    "raise_other_class_to_login",
]


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Code:
    return load(tmp_path_factory.mktemp("denials"), CODE)


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refusal_makes_the_guard_authenticate(code: Code, name: str) -> None:
    assert role_of(code, f"{name}_required") is GuardRole.AUTH


@pytest.mark.parametrize("name", NOT_REFUSALS)
def test_anything_else_leaves_the_guard_other(code: Code, name: str) -> None:
    assert role_of(code, f"{name}_required") is GuardRole.OTHER
