from __future__ import annotations

import pytest

from pytest_apiposture.probes.secrets import luhn_ok, secret_shape, walk

BCRYPT = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5hYbG5f3a7uM2rN8T1QeWvPNSbeKf2."


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (BCRYPT, "bcrypt hash"),
        ("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "argon2 hash"),
        ("pbkdf2:sha256:600000$abcd1234$0123456789abcdef", "pbkdf2 hash"),
        ("pbkdf2_sha256$600000$salt$aGFzaA==", "pbkdf2 hash"),
        ("scrypt:32768:8:1$saltsalt$0123456789abcdef", "scrypt hash"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl", "JWT"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----",
            "private key",
        ),
        ("AKIAABCDEFGHIJKLMNOP", "AWS access key"),
        ("AIza" + "B" * 35, "Google API key"),
        ("ghp_" + "a" * 36, "GitHub token"),
        ("4111 1111 1111 1111", "card number"),
        ("4111111111111111", "card number"),
        ("123-45-6789", "SSN"),
    ],
)
def test_secret_shapes(value: str, label: str) -> None:
    assert secret_shape(value) == label


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111112",  # fails Luhn
        "1234567812345678",  # passes no IIN check
        "666-45-6789",  # not a valid SSN area
        "2024-01-02T03:04:05Z",
        "hello world, this is text",
        "$2b$12$short",
        "apiposture1@example.com",
    ],
)
def test_not_secrets(value: str) -> None:
    assert secret_shape(value) is None


def test_luhn() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")


def test_walk_folds_lists_and_names_paths() -> None:
    doc = {"users": [{"id": 1, "pw": "x"}, {"id": 2}], "meta": {"n": 2}}
    assert [(h.path, h.key) for h in walk(doc)] == [
        ("$.users", "users"),
        ("$.users[].id", "id"),
        ("$.users[].pw", "pw"),
        ("$.users[].id", "id"),
        ("$.meta", "meta"),
        ("$.meta.n", "n"),
    ]
