"""APS352's scanner (exposure.py): what counts as exposed, how it is said and ranked."""

from __future__ import annotations

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Route, Severity
from pytest_apiposture.probes.exposure import (
    _LISTED,
    Exposure,
    _describe,
    declared_fields,
    scan,
)
from pytest_apiposture.probes.shape import Shape


def test_exposure_severity_by_what_was_exposed() -> None:
    assert [Exposure("$.x", w).severity for w in ("bcrypt hash", "sensitive field")] == [
        Severity.CRITICAL,
        Severity.HIGH,
    ]
    assert Exposure("$.x", "undeclared field").severity is Severity.MEDIUM


def test_exposures_are_listed_sensitive_first_then_counted() -> None:
    found = [Exposure(f"$.f{i}", "sensitive field") for i in range(_LISTED)]
    listed = ", ".join(f"$.f{i} (sensitive field)" for i in range(_LISTED))
    assert _describe(found) == listed  # exactly as many as are listed: no "and 0 more"
    extra = Exposure("$.a", "undeclared field")  # sorts last though "$.a" < "$.f0"
    assert _describe([*found, extra]) == f"{listed} and 1 more"
    assert _describe([extra, found[0]]) == "$.f0 (sensitive field), $.a (undeclared field)"


def test_scan_reports_filled_sensitive_values_and_undeclared_fields() -> None:
    # an empty string and a bool carry nothing; an int does
    doc = {"password": "hunter2", "pin": 1234, "secret": "", "is_admin": True, "extra": "x"}
    declared = {"password", "pin", "secret", "is_admin"}
    assert set(scan(doc, DEFAULT_KNOWLEDGE, declared, False)) == {
        Exposure("$.password", "sensitive field"),
        Exposure("$.pin", "sensitive field"),
        Exposure("$.extra", "undeclared field"),
    }
    # nothing declared: nothing is undeclared
    assert set(scan(doc, DEFAULT_KNOWLEDGE, None, False)) == {
        Exposure("$.password", "sensitive field"),
        Exposure("$.pin", "sensitive field"),
    }


def test_declared_fields_of_a_list_response_are_its_items_fields() -> None:
    item = {"type": "object", "properties": {"id": {}, "name": {}}}
    route = Route("GET", "/users", "fastapi", "m:users")
    listing = Shape(response={"type": "array", "items": {"$ref": "#/$defs/User"}},
                    root={"$defs": {"User": item}})  # fmt: skip
    assert declared_fields(route, listing) == {"id", "name"}
    assert declared_fields(route, Shape(response=item)) == {"id", "name"}
    open_ended = {**item, "additionalProperties": True}
    assert declared_fields(route, Shape(response=open_ended)) is None
    assert declared_fields(route, Shape(response={"type": "object"})) is None


def test_a_credential_issuer_may_answer_tokens_but_never_hashes() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
    bcrypt = "$2b$12$" + "a" * 53
    doc = {
        "access_token": "t-0123456789",
        "id_token": jwt,
        "session": jwt,
        "client_secret": bcrypt,  # a token's key, a hash's shape: the hash wins
        "password": "hunter2",
    }
    # a login or token route: the token is the answer (by its key or its JWT shape)
    assert set(scan(doc, DEFAULT_KNOWLEDGE, None, True)) == {
        Exposure("$.client_secret", "bcrypt hash"),
        Exposure("$.password", "sensitive field"),
    }
    # any other route: every one of them is exposed
    assert set(scan(doc, DEFAULT_KNOWLEDGE, None, False)) == {
        Exposure("$.access_token", "sensitive field"),
        Exposure("$.id_token", "JWT"),
        Exposure("$.session", "JWT"),
        Exposure("$.client_secret", "bcrypt hash"),
        Exposure("$.password", "sensitive field"),
    }
