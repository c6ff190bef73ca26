"""Public by purpose (``static.purpose``), one decision at a time (issue 19): each reason a
route is public by what it does and is called, with a twin that must not be, and the exact
reason a reviewer reads in ``apiposture routes``."""

from __future__ import annotations

import pytest

from pytest_apiposture.model import Route
from pytest_apiposture.static.purpose import is_entry_point, purpose


def _route(method: str, path: str, handler: str = "app:view", endpoint_name: str = "") -> Route:
    return Route(method, path, "flask", handler, endpoint_name=endpoint_name)


@pytest.mark.parametrize(
    ("method", "path", "endpoint_name", "reason"),
    [
        # the framework's static folder, the app's or a blueprint's, whatever the URL says
        ("GET", "/files/{filename}", "static", "static asset (the framework's static folder)"),
        ("GET", "/bp/res/{filename}", "bp.static", "static asset (the framework's static folder)"),
        ("GET", "/files/{filename}", "nostatic", None),
        ("GET", "/files/{filename}", "bp.statics", None),
    ],
)
def test_the_framework_static_folder_is_public(
    method: str, path: str, endpoint_name: str, reason: str | None
) -> None:
    assert purpose(_route(method, path, endpoint_name=endpoint_name)) == reason


@pytest.mark.parametrize(
    ("method", "path", "handler", "reason"),
    [
        # well-known metadata is read; a write under it is no metadata
        ("GET", "/.well-known/jwks.json", "app:jwks", "well-known metadata"),
        ("POST", "/.well-known/foo", "app:submit", None),
        # a health word as a whole path of static segments; an object's version is no probe
        ("GET", "/api/version", "app:view", "health or version probe (path segment 'version')"),
        ("GET", "/models/{model_id}/version", "app:model_version", None),
        # the reason names the segment as matched (lower case, "_" as "-"), not as written
        (
            "GET",
            "/api/Health_Check",
            "app:view",
            "health or version probe (path segment 'health-check')",
        ),
        # a login entry point under a path parameter is still one (only health needs statics)
        (
            "GET",
            "/auth/{provider}/callback",
            "app:view",
            "login entry point (path segment 'callback')",
        ),
        # a handler acting on another account (admin, impersonation) is no login entry point,
        # and that exclusion is for login entry points only: docs stay docs
        ("GET", "/docs", "app:admin_docs", "API docs and schema (path segment 'docs')"),
        ("POST", "/admin/users/{user_id}/login", "app:admin_login_as", None),
        ("POST", "/users/login", "app:login", "login entry point (path segment 'login')"),
        # a word inside the last static segment names a probe; only on a read of statics
        (
            "GET",
            "/api/app-version",
            "app:view",
            "health or version probe (path segment 'app-version')",
        ),
        ("GET", "/api/{api_id}/app-version", "app:view", None),
        ("POST", "/api/app-version", "app:view", None),
        # OAuth/OIDC protocol endpoints under a protocol segment
        (
            "POST",
            "/api/oauth2/authorize",
            "app:view",
            "login entry point (protocol endpoint 'authorize')",
        ),
        ("POST", "/api/oauth2/clients", "app:view", None),
        ("POST", "/api/billing/authorize", "app:view", None),
        # an asset file is read; an upload named like one is a write
        ("GET", "/ui/app.3f2a.js", "app:view", "static asset (file 'app.3f2a.js')"),
        ("POST", "/upload/avatar.png", "app:upload", None),
    ],
)
def test_public_by_path_and_name(method: str, path: str, handler: str, reason: str | None) -> None:
    assert purpose(_route(method, path, handler)) == reason


@pytest.mark.parametrize(
    ("reason", "entry"),
    [
        ("login entry point (path segment 'login')", True),
        ("token endpoint (path segment 'token')", True),
        ("health or version probe (path segment 'health')", False),
        ("API docs and schema (path segment 'docs')", False),
        (None, False),
    ],
)
def test_only_logins_and_token_endpoints_are_entry_points(reason: str | None, entry: bool) -> None:
    # an entry point's own 401 on a bad password is no guard; a health check's 401 is one
    assert is_entry_point(reason) is entry
