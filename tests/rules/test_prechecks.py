"""Cheap pre-tests answer exactly as the regexes they stand in front of."""

from __future__ import annotations

import pytest

from pytest_apiposture.model import Route
from pytest_apiposture.rules.aps501_admin_without_role import (
    _ADMIN_NAME,
    _ADMIN_PATH,
    looks_administrative,
)
from pytest_apiposture.static.guardcode import _MAY_DENY, _may_deny


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 1", False),
        ("RAISE HTTPException", True),
        ("return {'error': 401}", True),
        ("status = 403", True),
        ("Unauthorised", True),
        ("UNAUTHORIZED", True),
        ("forbiddeN", True),
        ("return Redirect(url)", True),
        ("abor t; 40 3", False),
        ("rai\u017fe", True),  # long s folds to s under re.IGNORECASE: the regex path decides
        ("nothing here ü", False),
        ("über abort", True),
    ],
)
def test_may_deny_matches_the_regex(text: str, expected: bool) -> None:
    assert _may_deny(text) is expected
    assert bool(_MAY_DENY.search(text)) is expected


@pytest.mark.parametrize(
    ("path", "handler", "expected"),
    [
        ("/admin/users", "app:list_users", True),
        ("/Internal/jobs", "app:jobs", True),
        ("/v1/OPS", "app:ops_view", True),
        ("/management/x", "app:x", True),
        ("/administrator", "app:x", False),
        ("/items", "app:admin_items", True),
        ("/items", "app:Views.items_STAFF", True),
        ("/items", "app:superusers", False),
        ("/\u00fcber/admin", "app:x", True),
        ("/items", "app:list_items", False),
    ],
)
def test_looks_administrative_matches_its_patterns(path: str, handler: str, expected: bool) -> None:
    route = Route("GET", path, "fastapi", handler)
    function = handler.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    assert looks_administrative(route) is expected
    assert bool(_ADMIN_PATH.search(path) or _ADMIN_NAME.search(function)) is expected
