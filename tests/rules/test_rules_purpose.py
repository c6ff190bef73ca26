"""Issue 15: auth verdicts with their reasons, on fixture apps for every pattern.

Each route's auth class and the start of its reason are asserted exactly; the
app-level and sibling checks (post-passes of the pipeline) are asserted here too.
"""

from __future__ import annotations

from rules_helpers import FIXTURES as FIXTURES_DIR
from rules_helpers import check_fixture, load_fixture, run_static

from pytest_apiposture.model import Auth, Severity
from pytest_apiposture.rules.aps201_missing_auth import open_app
from pytest_apiposture.rules.aps501_admin_without_role import unguarded_siblings

A, C, P, N = Auth.AUTHENTICATED, Auth.CONDITIONAL, Auth.PUBLIC, Auth.NONE


def _verdicts(name: str) -> dict[str, tuple[Auth, str]]:
    return {r.key: (r.auth, r.auth_reason) for r in check_fixture(name).routes}


def _assert(got: dict[str, tuple[Auth, str]], expected: dict[str, tuple[Auth, str]]) -> None:
    assert {k: got[k][0] for k in expected} == {k: v[0] for k, v in expected.items()}
    for key, (_, reason) in expected.items():
        assert got[key][1].startswith(reason), (key, got[key][1])


def test_fastapi_verdicts_and_reasons() -> None:
    _assert(
        _verdicts("rx_fa_purpose"),
        {
            # public by purpose under any prefix; the framework's docs at a custom URL
            "GET /api/v1/openapi.json": (P, "API docs and schema (served by the framework)"),
            "GET /api/v1/docs": (P, "API docs and schema"),
            "POST /api/v1/auth/token": (P, "token endpoint (path segment 'token')"),
            "GET /status/healthz/": (P, "health or version probe (path segment 'healthz')"),
            "POST /api/auth/register": (P, "login entry point (path segment 'register')"),
            # guard shapes followed, each with where
            "GET /api/v1/items": (A, "guard rx_fa_purpose.get_current_user at rx_fa_purpose.py:"),
            "GET /api/v1/reports": (A, "guard rx_fa_purpose.require_token at"),
            "GET /api/v1/export": (A, "check in the handler at rx_fa_purpose.py:"),
            "GET /api/v1/jobs": (A, "_authenticate at rx_fa_purpose.py:"),
            # the setting decides: conditional, with the setting
            "GET /api/v1/metrics": (C, "AUTH_ENABLED (guard rx_fa_purpose.verify_if_enabled"),
            "GET /api/v1/open": (N, "no guard rejects anonymous callers"),
            # a webhook is public when its handler checks the sender's signature
            "POST /integrations/github/webhook": (P, "signed webhook"),
            "POST /integrations/slack/webhook": (N, "no guard rejects anonymous callers"),
        },
    )


def test_flask_verdicts_and_reasons() -> None:
    _assert(
        _verdicts("rx_fl_purpose"),
        {
            "GET /": (A, "guard rx_fl_purpose.login_required at"),  # never the default public
            "GET /login": (P, "login entry point"),
            "POST /login": (P, "login entry point"),  # its bad-password redirect is no guard
            "GET /books/{book_id}": (C, "ANON_BROWSE (guard"),
            "POST /api/v2/password/forgot-password": (P, "login entry point"),
            "GET /auth/oauth/callback": (P, "login entry point (path segment 'callback')"),
            "GET /internal/ping": (P, "health or version probe"),
            "GET /static/{filename}": (P, "static asset"),
            "POST /books/{book_id}/delete": (N, "no guard"),
        },
    )


def test_conditional_routes_wait_for_the_probe() -> None:
    """A conditional route is not APS201 (the static verdict cannot settle it)."""
    result = check_fixture("rx_fl_purpose")
    flagged = {f.route_key for f in result.findings if f.code == "APS201"}
    assert flagged == {"POST /books/{book_id}/delete"}


def test_the_unguarded_sibling_is_function_level() -> None:
    result = check_fixture("rx_fa_purpose")
    findings = unguarded_siblings(result.routes)
    assert [(f.code, f.route_key, f.severity) for f in findings] == [
        ("APS501", "DELETE /shop/carts", Severity.HIGH)
    ]
    assert "they use RoleChecker" in findings[0].message


def test_role_without_ownership_is_still_bola() -> None:
    result = check_fixture("rx_fa_purpose")
    bola = sorted(f.route_key for f in result.findings if f.code == "APS101")
    assert bola == ["GET /orders/{order_id}", "GET /profiles/{username}"]


def _open_app_findings(*, declared_open: bool) -> list:
    module = load_fixture("rx_fl_open")
    result = run_static(module.app, root=FIXTURES_DIR, app_file=module.__file__)
    return open_app(
        result.routes, result.findings, declared_open=declared_open, app_file=module.__file__
    )


def test_an_app_without_authentication_is_one_app_level_finding() -> None:
    findings = [f for f in _open_app_findings(declared_open=False) if f.code == "APS201"]
    assert [(f.method, f.path, f.severity) for f in findings] == [("", "", Severity.HIGH)]
    assert findings[0].message.startswith("this API authenticates no route: 3 routes")


def test_declared_open_reports_at_info() -> None:
    findings = [f for f in _open_app_findings(declared_open=True) if f.code == "APS201"]
    assert {f.severity for f in findings} == {Severity.INFO}
    assert len(findings) == 4  # the app-level one and each route, listed


def test_verified_credentials_and_handler_names_are_entry_points() -> None:
    """wt-15d: a route that checks the credential the caller submits is a login under any
    name; a reset by name and an OAuth redirect handler too; their twins stay none."""
    verifies = "login entry point: verifies the credential the caller submits"
    _assert(
        _verdicts("rx_fa_tuned"),
        {
            "POST /validate/check": (P, f"{verifies} (check_user_pass at rx_fa_tuned.py:"),
            "POST /radius/answer": (P, f"{verifies} (check_user_pass at rx_fa_tuned.py:"),
            "POST /accounts/enrol": (N, "no guard"),
            "POST /validate/guarded": (A, "guard rx_fa_tuned.current_user"),
            "PUT /api/v1/auth/reset": (P, "login entry point (handler 'reset_password')"),
            "PUT /api/v1/users/{user_id}/reset": (N, "no guard"),
            "GET /api/v1/auth/{provider}/token": (
                P,
                "login entry point (protocol step in handler 'handle_oauth_token')",
            ),
            "GET /api/v1/connections/{provider}/token": (N, "no guard"),
        },
    )
    _assert(
        _verdicts("rx_fl_tuned"),
        {
            "POST /validate/check": (P, f"{verifies} (check_serial_pass at rx_fl_tuned.py:"),
            "POST /tokens/resync": (N, "no guard"),
            "POST /validate/guarded": (A, "guard rx_fl_tuned.login_required"),
            "POST /session": (P, f"{verifies} (check_password at rx_fl_tuned.py:"),
            "POST /users/{user_id}/password": (N, "no guard"),
            "PUT /api/auth/reset": (P, "login entry point (handler 'reset_password')"),
        },
    )
