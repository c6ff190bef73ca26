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
    "rx_fa_mut19_response",
    "rx_fa_mut19_raw",
    "rx_fl_mut19_raw",
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


def test_aps301_issuing_path_reads_the_last_static_segment() -> None:
    from pytest_apiposture.rules.aps301_response_sensitive_field import _issuing_path

    assert _issuing_path("/key/generate")
    assert _issuing_path("/api-keys/{name}")  # a parameter segment is passed over
    assert _issuing_path("/api-keys//{name}")  # and an empty one
    assert not _issuing_path("/users/{user_id}")
    assert not _issuing_path("/{key}")  # no static segment: issues nothing


def test_aps301_a_secret_is_text() -> None:
    from pytest_apiposture.rules.aps301_response_sensitive_field import _holds_text

    assert _holds_text("password", "")  # an unknown type may hold it
    assert _holds_text("password", "...")
    assert _holds_text("password", "str | None")
    assert _holds_text("secret", "Any") and _holds_text("secret", "Json[Any]")
    assert not _holds_text("password", "SecretStr")  # sent as "**********"
    assert not _holds_text("password", "bool")
    assert not _holds_text("api_keys", "list[KeyUsageRow]")
    assert _holds_text("pin", "int")  # PINs are numbers
    assert not _holds_text("token_total", "int")  # a count
    assert _holds_text("token_total", "UUID")  # a UUID is a key whatever its name


def test_the_messages_name_the_model() -> None:
    messages = {
        (f.code, f.route_key): f.message
        for name in ("rx_fa_mut19_body", "rx_fa_mut19_response")
        for f in check_fixture(name).findings
        if f.code in {"APS301", "APS303"}
    }
    assert messages[("APS303", "POST /plans")] == (
        "POST /plans accepts the privileged field `plan` in its request body (PlanIn)"
    )
    assert messages[("APS303", "POST /fees")] == (
        "POST /fees accepts the privileged field `balance` in its request body (FeeIn)"
    )
    assert messages[("APS301", "GET /get")] == (
        "GET /get returns the sensitive field `password` (GetOut)"
    )
    assert messages[("APS301", "GET /secret")] == (
        "GET /secret returns the sensitive field `password` (SecretOut)"
    )
