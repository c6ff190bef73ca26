"""The probes' pure helpers that carry a decision: the spoiled credential, "the same
object", how an injected value is shown."""

from __future__ import annotations

import base64

from pytest_apiposture.probes.bola import same_object
from pytest_apiposture.probes.mass_assignment import _show
from pytest_apiposture.probes.missing_auth import INVALID, spoil


def test_spoiled_credentials_keep_their_kind() -> None:
    basic = "Basic " + base64.b64encode(b"apiposture:invalid-credential").decode()
    assert [
        spoil("Cookie", "sid=abc; theme=dark"),
        spoil("cookie", "=abc"),
        spoil("Authorization", "Basic dXNlcjpwdw=="),
        spoil("Authorization", "Bearer t-alice"),
        spoil("Authorization", "Basic"),
        spoil("X-API-Key", "k-123"),
    ] == [f"sid={INVALID}", f"session={INVALID}", basic, f"Bearer {INVALID}", INVALID, INVALID]


def test_same_object_means_equal_or_the_same_id() -> None:
    assert same_object({"id": 1, "text": "a"}, {"id": 1, "text": "b"})  # same id, edited
    assert same_object([{"id": 1}], [{"id": 1}])
    assert same_object({"text": "a"}, {"text": "a"})  # equal, no id needed
    assert not same_object({"id": 1}, {"id": 2})
    assert not same_object({"text": "a"}, {"text": "b"})  # no id on either: unknown
    assert not same_object({"text": "a"}, {"id": 1})
    assert not same_object("text", {"id": 1})  # no record on one side
    assert not same_object({"id": 1}, "text")
    assert not same_object([], [{"id": 1}])


def test_mass_assignment_shows_injected_values_as_json() -> None:
    assert [_show(True), _show(False), _show(5), _show("admin")] == [
        "true",
        "false",
        "5",
        "'admin'",
    ]
