"""Guard classification on hand-built routes: the graph and the code decide, names hint."""

from __future__ import annotations

import importlib
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
from flask import abort, jsonify, request, session
from fastapi import HTTPException, status

OPEN_ENDPOINTS = {"open_page"}


class NotLoggedIn(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=status.HTTP_401_UNAUTHORIZED)


def get_db():
    yield None


def optional_user(token=None):
    if token is None:
        return None
    return {"token": token}


def required_user(token=None):
    credentials_exception = HTTPException(status_code=401, detail="no")
    if token is None:
        raise credentials_exception
    return {"token": token}


def header_guard():
    if not request.headers.get("Authorization"):
        abort(401)


def custom_exception_guard():
    if "user_id" not in session:
        raise NotLoggedIn()


def tuple_response_guard():
    if not request.headers.get("X-API-Key"):
        return jsonify(error="no key"), 403
    return None


def login_required():
    # named like auth, denies nothing
    return session.get("user_id")


def role_guard(user=None):
    if user["role"] != "admin":
        raise HTTPException(status_code=403)
    return user


def hook_with_exemptions():
    if request.endpoint in OPEN_ENDPOINTS or request.path.startswith("/assets"):
        return None
    if not session.get("user_id"):
        abort(401)


def hook_negated():
    if request.endpoint not in ("open_page",):
        if "token" not in request.headers:
            abort(401)


def view_with_inline_check():
    if not session.get("user_id"):
        abort(401)
    return {}


def plain_view():
    return {}
"""


@pytest.fixture(scope="module")
def guards(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, Path]:
    root = tmp_path_factory.mktemp("auth")
    (root / "rxauth_guards.py").write_text(textwrap.dedent(GUARDS))
    import sys

    sys.path.insert(0, str(root))
    try:
        return importlib.import_module("rxauth_guards"), root
    finally:
        sys.path.remove(str(root))


def route(*guards: Guard, endpoint: Any = None, path: str = "/x", **facts: Any) -> Route:
    return Route("GET", path, "flask", "m:view", guards=guards, endpoint=endpoint, **facts)


def classify_one(r: Route, root: Path, public: bool = False) -> Route:
    index = SourceIndex(root)
    (out,) = classify([r], knowledge=DEFAULT_KNOWLEDGE, index=index, is_public=lambda _: public)
    return out


def guard(name: str, func: Any = None, **facts: Any) -> Guard:
    facts.setdefault("origin", "parameter")
    return Guard(name=name, func=func, chain=(func,) if func else (), **facts)


def test_guard_roles(guards: tuple[ModuleType, Path]) -> None:
    module, root = guards
    cases = {
        "scheme, auto_error": guard(
            "OAuth2PasswordBearer", scheme="OAuth2PasswordBearer", auto_error=True
        ),
        "scheme, optional, passes": guard(
            "optional_user", module.optional_user, scheme="HTTPBearer", auto_error=False
        ),
        "scheme, optional, denies": guard(
            "required_user", module.required_user, scheme="HTTPBearer", auto_error=False
        ),
        "header read + abort(401)": guard("header_guard", module.header_guard),
        "custom 401 exception": guard("custom_exception_guard", module.custom_exception_guard),
        "(body, 403) response": guard("tuple_response_guard", module.tuple_response_guard),
        "db session": guard("get_db", module.get_db),
        "auth name, no denial": guard("login_required", module.login_required),
        "no source, auth name": guard("flask_login.login_required", len),
        "no source, admin name": guard("ext.roles.admin_required", len),
        "no source, plain name": guard("ext.db.get_session", len),
        "scopes": guard(
            "get_user", scheme="OAuth2PasswordBearer", auto_error=True, scopes=("admin",)
        ),
        "role check": guard("role_guard", module.role_guard, scheme="HTTPBearer", auto_error=True),
    }
    roles = {label: classify_one(route(g), root).guards[0].role for label, g in cases.items()}
    assert roles == {
        "scheme, auto_error": GuardRole.AUTH,
        "scheme, optional, passes": GuardRole.OPTIONAL_AUTH,
        "scheme, optional, denies": GuardRole.AUTH,
        "header read + abort(401)": GuardRole.AUTH,
        "custom 401 exception": GuardRole.AUTH,
        "(body, 403) response": GuardRole.AUTH,
        "db session": GuardRole.OTHER,
        "auth name, no denial": GuardRole.OTHER,
        "no source, auth name": GuardRole.AUTH,
        "no source, admin name": GuardRole.AUTHORIZATION,
        "no source, plain name": GuardRole.OTHER,
        "scopes": GuardRole.AUTHORIZATION,
        "role check": GuardRole.AUTHORIZATION,
    }


def test_before_request_exemptions_apply_per_route(guards: tuple[ModuleType, Path]) -> None:
    module, root = guards
    hook = guard("hook_with_exemptions", module.hook_with_exemptions, origin="before_request")
    negated = guard("hook_negated", module.hook_negated, origin="before_request")

    def auth_of(hook_guard: Guard, endpoint: str, rule: str) -> tuple[Auth, GuardRole | None]:
        out = classify_one(route(hook_guard, path=rule, endpoint_name=endpoint, rule=rule), root)
        return out.auth, out.guards[0].role

    assert auth_of(hook, "open_page", "/open") == (Auth.NONE, GuardRole.OTHER)
    # exempted, and an asset: public by purpose (the exemption decides the role)
    assert auth_of(hook, "assets", "/assets/app.js") == (Auth.PUBLIC, GuardRole.OTHER)
    assert auth_of(hook, "account", "/account") == (Auth.AUTHENTICATED, GuardRole.AUTH)
    assert auth_of(negated, "open_page", "/open") == (Auth.NONE, GuardRole.OTHER)
    assert auth_of(negated, "account", "/account") == (Auth.AUTHENTICATED, GuardRole.AUTH)


def test_routes_sharing_guards_keep_their_own_exemptions(
    guards: tuple[ModuleType, Path],
) -> None:
    """One index, one guard tuple on three routes: the shared judgement must not carry
    one route's exemption over to another."""
    module, root = guards
    hook = guard("hook_with_exemptions", module.hook_with_exemptions, origin="before_request")
    shared = (hook,)
    routes = [
        Route("GET", rule, "flask", f"m:{endpoint}", guards=shared, endpoint_name=endpoint,
              rule=rule)
        for endpoint, rule in (("open_page", "/open"), ("account", "/account"),
                               ("assets", "/assets/app.js"), ("account", "/account/2"))
    ]  # fmt: skip
    out = classify(
        routes, knowledge=DEFAULT_KNOWLEDGE, index=SourceIndex(root), is_public=lambda _: False
    )
    assert [(r.auth, r.guards[0].role) for r in out] == [
        (Auth.NONE, GuardRole.OTHER),
        (Auth.AUTHENTICATED, GuardRole.AUTH),
        (Auth.PUBLIC, GuardRole.OTHER),  # an asset: public by purpose
        (Auth.AUTHENTICATED, GuardRole.AUTH),
    ]
    assert out[1].guards == out[3].guards and out[1].guards[0] is out[3].guards[0]


def test_route_auth(guards: tuple[ModuleType, Path]) -> None:
    module, root = guards
    optional = guard("optional_user", module.optional_user, scheme="HTTPBearer", auto_error=False)

    def marked() -> None:
        return None

    marked.__apiposture_public__ = True  # type: ignore[attr-defined]
    assert classify_one(route(endpoint=module.plain_view), root).auth is Auth.NONE
    assert classify_one(route(endpoint=module.plain_view), root, public=True).auth is Auth.PUBLIC
    assert classify_one(route(endpoint=marked), root).auth is Auth.PUBLIC
    assert classify_one(route(optional, endpoint=module.plain_view), root).auth is Auth.OPTIONAL
    inline = route(optional, endpoint=module.view_with_inline_check)
    assert classify_one(inline, root).auth is Auth.AUTHENTICATED
    assert classify_one(route(endpoint=module.view_with_inline_check), root).auth is (
        Auth.AUTHENTICATED
    )


def test_classify_returns_new_routes_and_leaves_the_input_alone(
    guards: tuple[ModuleType, Path],
) -> None:
    module, root = guards
    original = route(guard("header_guard", module.header_guard), endpoint=module.plain_view)
    out = classify_one(original, root)
    assert original.guards[0].role is None and original.auth is Auth.NONE
    assert out.guards[0].role is GuardRole.AUTH and out.auth is Auth.AUTHENTICATED
    assert out.guards[0].func is module.header_guard


@pytest.mark.parametrize(
    "name",
    [
        "flask_allows.allows.Allows.requires",
        "flask_allows.views.requires",
        "flask_allows2.allows.Allows.requires",
        "flask_allows2.views.requires",
    ],
)
def test_flask_allows_requires_is_a_permission_check(name: str, tmp_path: Path) -> None:
    """``allows.requires(IsAdmin)`` (Flask-Allows, in ``decorators`` or on a view) runs
    its requirements for every identity and refuses when one fails: a permission check
    known by the library's name, its code lying outside the project."""
    out = classify_one(route(guard(name, origin="methodview-decorator")), tmp_path)
    assert [g.role for g in out.guards] == [GuardRole.AUTHORIZATION]
    assert out.auth is Auth.AUTHENTICATED


@pytest.mark.parametrize(
    "name", ["permissions.requires", "app.allows.Allows.requires", "flask_allowsx.views.requires"]
)
def test_a_requires_from_elsewhere_is_not_flask_allows(name: str, tmp_path: Path) -> None:
    out = classify_one(route(guard(name, origin="decorator")), tmp_path)
    assert [g.role for g in out.guards] == [GuardRole.OTHER]
    assert out.auth is Auth.NONE


def test_flask_allows_guard_read_from_a_real_app() -> None:
    """With Flask-Allows installed, the adapter names its wrapper after the library's
    ``Allows.requires`` (the name the table holds), in a MethodView's ``decorators``."""
    flask_allows = pytest.importorskip("flask_allows")
    from flask import Flask
    from flask.views import MethodView

    from pytest_apiposture.adapters.flask import FlaskAdapter

    app = Flask(__name__)
    allows = flask_allows.Allows(app, identity_loader=lambda: None)

    class Admin(MethodView):
        decorators = [allows.requires(lambda user: False)]

        def get(self) -> str:
            return ""

    app.add_url_rule("/admin", view_func=Admin.as_view("admin"))
    (admin,) = [r for r in FlaskAdapter().routes(app) if r.path == "/admin"]
    assert [g.name for g in admin.guards] == ["flask_allows.allows.Allows.requires"]
