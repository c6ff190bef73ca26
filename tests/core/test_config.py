"""Settings: precedence, validation, route patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_apiposture.config import ConfigError, build_settings, read_pyproject, route_matcher
from pytest_apiposture.model import Route, Severity


def route(method: str, path: str) -> Route:
    return Route(method=method, path=path, framework="fastapi", handler="m:f")


def test_defaults(tmp_path: Path) -> None:
    settings = build_settings(tmp_path, {})
    assert settings.fail_on is Severity.HIGH
    assert settings.probe_methods == frozenset({"GET", "POST", "PUT", "PATCH"})
    assert settings.code_enabled("APS201")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"fail_on": "severe"}, "fail_on: 'severe' is not one of critical, high"),
        ({"probe_methods": ["GET", "FETCH"]}, "unknown method(s) FETCH"),
        ({"public": ["health"]}, "'health' is not a route pattern"),
        ({"static_only": "maybe"}, "static_only: 'maybe' is not a boolean"),
        ({"probe_timeout": "0"}, "probe_timeout: must be greater than 0"),
        ({"identities": ["alice"]}, "identity 'alice' must look like NAME="),
        ({"update_baseline": True}, "needs --apiposture-baseline"),
    ],
)
def test_bad_values(tmp_path: Path, values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        build_settings(tmp_path, values)
    assert message in str(excinfo.value)


def test_select_ignore_and_words(tmp_path: Path) -> None:
    settings = build_settings(tmp_path, {"select": ["aps2, APS301"], "ignore": ["APS202"]})
    assert settings.select == ("APS2", "APS301")
    assert [settings.code_enabled(c) for c in ("APS201", "APS202", "APS301", "APS303")] == [
        True,
        False,
        True,
        False,
    ]


def test_pyproject_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.apiposture]\napp = "x:app"\nfail-on = "medium"\n'
    )
    assert read_pyproject(tmp_path) == {"app": "x:app", "fail_on": "medium"}
    (tmp_path / "pyproject.toml").write_text('[tool.apiposture]\naap = "x:app"\n')
    with pytest.raises(ConfigError, match=r"unknown \[tool.apiposture\] key\(s\) aap"):
        read_pyproject(tmp_path)


def test_public_patterns_and_defaults(tmp_path: Path) -> None:
    settings = build_settings(tmp_path, {"public": ["GET /status", "* /webhooks/*"]})
    is_public = route_matcher(settings.knowledge.public_routes)
    assert is_public(route("GET", "/status"))
    assert is_public(route("POST", "/webhooks/stripe"))
    assert is_public(route("GET", "/docs"))  # a default
    assert not is_public(route("POST", "/status"))
    assert not is_public(route("GET", "/statuses"))
    strict = build_settings(tmp_path, {"public_defaults": False, "public": ["GET /status"]})
    assert not route_matcher(strict.knowledge.public_routes)(route("GET", "/docs"))


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("json = 1", "json must be a string, got 1"),
        ('static-only = "yes"', "static_only must be true or false"),
        ("public = 5", "public must be a list of strings, got 5"),
        ('probe-timeout = "slow"', "probe_timeout must be a number"),
    ],
)
def test_pyproject_types_are_checked(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.apiposture]\n{toml}\n")
    with pytest.raises(ConfigError, match=message):
        read_pyproject(tmp_path)


def test_identity_as_written_in_an_ini_file_keeps_working() -> None:
    from pytest_apiposture.config import parse_identity

    assert parse_identity('alice="Authorization: Bearer t1"') == (
        "alice",
        {"Authorization": "Bearer t1"},
    )


def test_auth_none_declares_the_api_open_and_other_values_are_refused(tmp_path: Path) -> None:
    assert build_settings(tmp_path, {}).auth == ""
    assert build_settings(tmp_path, {"auth": "None"}).auth == "none"
    assert build_settings(tmp_path, {"auth": "required"}).auth == ""
    with pytest.raises(ConfigError, match="apiposture auth: 'open' is not 'none' or 'required'"):
        build_settings(tmp_path, {"auth": "open"})
