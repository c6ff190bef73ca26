from __future__ import annotations

from typing import Any

import pytest

from pytest_apiposture.probes import Identity, merge_identities, parse_identity, resolve_identities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alice=Authorization: Bearer t1", ("alice", {"Authorization": "Bearer t1"})),
        ('bob="X-API-Key: k-9"', ("bob", {"X-API-Key": "k-9"})),
        ("c.d-1 = Cookie: session=a=b; other=c", ("c.d-1", {"Cookie": "session=a=b; other=c"})),
    ],
)
def test_parse_identity(text: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_identity(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("alice", 'expected NAME="Header: value"'),
        ("=Authorization: Bearer t", 'expected NAME="Header: value"'),
        ("alice=Bearer t1", "the header part must be 'Header: value'"),
        ("alice=Authorization:", "the header part must be 'Header: value'"),
        ("alice=Bad Header: v", "the header part must be 'Header: value'"),
    ],
)
def test_parse_identity_rejects_with_one_line(text: str, says: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_identity(text)
    assert says in str(info.value)
    assert "\n" not in str(info.value)


def test_merge_identities_adds_headers_for_a_repeated_name() -> None:
    merged = merge_identities(["a=Authorization: Bearer 1", "a=X-Tenant: t", "b=X-API-Key: k"])
    assert merged == {"a": {"Authorization": "Bearer 1", "X-Tenant": "t"}, "b": {"X-API-Key": "k"}}


def dependency() -> str:
    return "real"


def test_resolve_identities_accepts_every_form() -> None:
    def login(client: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {client}-token"}

    resolved = resolve_identities(
        {
            "plain": {"Authorization": "Bearer 1"},
            "text": "X-API-Key: k",
            "override": {dependency: lambda: "alice"},
            "both": {"headers": {"X-Tenant": "t"}, "dependency_overrides": {dependency: str}},
            "login": login,
            "ready": Identity("ready", {"A": "b"}),
        },
        client="client",
    )
    assert resolved["plain"] == Identity("plain", {"Authorization": "Bearer 1"})
    assert resolved["text"] == Identity("text", {"X-API-Key": "k"})
    assert list(resolved["override"].overrides) == [dependency]
    assert resolved["override"].headers == {}
    assert resolved["both"].headers == {"X-Tenant": "t"}
    assert resolved["both"].overrides == {dependency: str}
    assert resolved["login"] == Identity("login", {"Authorization": "Bearer client-token"})
    assert resolved["ready"] == Identity("ready", {"A": "b"})


def test_resolve_identities_calls_a_top_level_callable_with_the_client() -> None:
    seen: list[Any] = []

    def identities(client: Any) -> dict[str, dict[str, str]]:
        seen.append(client)
        return {"alice": {"Authorization": "Bearer a"}}

    assert resolve_identities(identities, client="the-client") == {
        "alice": Identity("alice", {"Authorization": "Bearer a"})
    }
    assert seen == ["the-client"]
    assert resolve_identities(["x=A: b"]) == {"x": Identity("x", {"A": "b"})}
    assert resolve_identities(None) == {}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (42, "apiposture_identities must return a mapping"),
        ({"a": 3}, "identity 'a': expected a mapping of headers or dependency overrides, got int"),
        ({"a": {}}, "identity 'a' has no headers and no dependency overrides"),
        ({"a": {"H": 1}}, "identity 'a': entry 'H' is neither a header"),
    ],
)
def test_resolve_identities_rejects_bad_input(raw: Any, says: str) -> None:
    with pytest.raises(ValueError, match="^" + __import__("re").escape(says)):
        resolve_identities(raw)
