"""Issue 15: guards that read no credential, guards scoped to some paths.

A pagination-token check is no guard (Prefect's ``verified_page_token``); a middleware
or ``before_request`` hook that tests the path first guards only the routes its test
matches (LiteLLM's metrics middleware).
"""

from __future__ import annotations

from rules_helpers import check_fixture

from pytest_apiposture.model import Auth

A, N = Auth.AUTHENTICATED, Auth.NONE


def _verdicts(name: str) -> dict[str, tuple[Auth, str]]:
    return {r.key: (r.auth, r.auth_reason) for r in check_fixture(name).routes}


def _assert(got: dict[str, tuple[Auth, str]], expected: dict[str, tuple[Auth, str]]) -> None:
    assert {k: got[k][0] for k in expected} == {k: v[0] for k, v in expected.items()}
    for key, (_, reason) in expected.items():
        assert got[key][1].startswith(reason), (key, got[key][1])


def test_fastapi_pagination_tokens_and_path_scoped_middleware() -> None:
    _assert(
        _verdicts("rx_fa_scope"),
        {
            "GET /events/page": (N, "no guard rejects anonymous callers"),
            "GET /events/export": (A, "guard rx_fa_scope.verified_api_token"),
            "GET /metrics": (A, "guard rx_fa_scope.MetricsAuth.__call__"),
            "GET /metrics/detail": (A, "guard rx_fa_scope.MetricsAuth.__call__"),
            "GET /admin/users": (A, "guard rx_fa_scope.admin_only"),
            "GET /notes": (N, "no guard rejects anonymous callers"),
            "GET /public/model_hub": (Auth.PUBLIC, "public by name (path segment 'public')"),
            "POST /public/model_hub": (N, "no guard rejects anonymous callers"),
        },
    )


def test_flask_pagination_tokens_and_path_scoped_hooks() -> None:
    _assert(
        _verdicts("rx_fl_scope"),
        {
            "GET /events/page": (N, "no guard rejects anonymous callers"),
            "GET /events/export": (A, "guard rx_fl_scope.require_api_token"),
            "GET /admin/users": (A, "guard rx_fl_scope.admin_area"),
            "GET /api/notes": (A, "guard rx_fl_scope.api_area"),
            "GET /notes": (N, "no guard rejects anonymous callers"),
            "GET /public/catalogue": (Auth.PUBLIC, "public by name (path segment 'public')"),
            "POST /public/catalogue": (N, "no guard rejects anonymous callers"),
        },
    )
