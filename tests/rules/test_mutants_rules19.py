"""Rule decisions pinned for issue 19's second pass (APS101, APS301, APS302, APS303): each
with a line that must be flagged and one that must not (fixture marks asserted exactly)."""

from __future__ import annotations

import pytest
from rules_helpers import check_fixture

from pytest_apiposture.model import Route

FIXTURES = (
    "rx_fa_mut19_bola",
    "rx_fl_mut19_bola",
    "rx_fa_mut19_body",
)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_marks(name: str) -> None:
    result = check_fixture(name)
    # a rule that raises is noted and skipped by the pass: here that is a failure
    assert not [n for n in result.notes if "(a bug in the rule)" in n]


def _route(path: str) -> Route:
    return Route(method="PATCH", path=path, framework="fastapi", handler="app:update")


def test_aps303_own_key_is_the_id_of_the_routes_last_resource_segment() -> None:
    from pytest_apiposture.rules.aps303_privileged_body_field import own_key

    assert own_key(_route("/organization/update"), "organization_id")
    assert own_key(_route("/categories/{category_id}"), "category_id")  # a plural in -ies
    assert not own_key(_route("/users/{user_id}/notes"), "user_id")
    # an empty segment (a double slash of joined prefixes) is no segment
    assert own_key(_route("/organization//update"), "organization_id")
    # the -ies plural is for a noun in y alone: "owneies" is no plural of owner
    assert not own_key(_route("/owneies/{owner_id}"), "owner_id")
    # a bare id names no resource, even on a route without one
    assert not own_key(_route("/update"), "id")
    assert not own_key(_route("/s"), "_id")
