"""speclint.lint_spec: the four spec-only security checks (APS908)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Finding, Severity
from pytest_apiposture.openapi.lint import lint_spec
from pytest_apiposture.openapi.spec import load_spec, spec_from_dict

FIXTURES = Path(__file__).parent / "fixtures"


def lint(spec_file: str) -> list[tuple[str, str, int, Severity, int | None, str]]:
    findings = lint_spec(load_spec(FIXTURES / spec_file), knowledge=DEFAULT_KNOWLEDGE)
    return [_row(f) for f in findings]


def _row(f: Finding) -> tuple[str, str, int, Severity, int | None, str]:
    assert f.code == "APS908" and f.location is not None
    return (f.method, f.path, f.location.line, f.severity, f.cwe, f.message)


def test_api_key_in_query_string() -> None:
    assert lint("petstore_30.yaml") == [
        (
            "",
            "",
            93,
            Severity.MEDIUM,
            598,
            "security scheme 'apiKey' sends the API key in the query string "
            "('api_key'), where logs, proxies and browser history keep it",
        ),
    ]


def test_basic_without_tls_and_sensitive_response_field_31() -> None:
    assert lint("petstore_31.json") == [
        (
            "",
            "",
            43,
            Severity.HIGH,
            319,
            "security scheme 'basicAuth' uses HTTP basic auth but not every server "
            "is https (servers: /api, http://localhost:8000/api)",
        ),
        (
            "GET",
            "/api/pets/{id}",
            6,
            Severity.HIGH,
            200,
            "GET /api/pets/{id}: response schema declares sensitive field 'owner.api_token'",
        ),
    ]


def test_basic_without_tls_and_sensitive_response_fields_20() -> None:
    assert lint("petstore_20.yaml") == [
        (
            "",
            "",
            7,
            Severity.HIGH,
            319,
            "security scheme 'basicAuth' uses HTTP basic auth but not every server is "
            "https (servers: http, https)",
        ),
        (
            "GET",
            "/v2/pets",
            10,
            Severity.HIGH,
            200,
            "GET /v2/pets: response schema declares sensitive field '[].password'",
        ),
        (
            "POST",
            "/v2/pets",
            10,
            Severity.HIGH,
            200,
            "POST /v2/pets: response schema declares sensitive field 'password'",
        ),
    ]


def _spec(**top: Any) -> list[tuple[str, str, int, Severity, int | None, str]]:
    doc = {
        "openapi": "3.0.3",
        "paths": {
            "/token": {
                "post": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "properties": {"access_token": {}, "refresh_token": {}}
                                    }
                                }
                            }
                        }
                    }
                }
            },
            "/me": {"get": {"responses": {}}},
        },
        **top,
    }
    return [
        _row(f)
        for f in lint_spec(spec_from_dict(doc, "/repo/openapi.yaml"), knowledge=DEFAULT_KNOWLEDGE)
    ]


def test_no_security_at_all_and_token_endpoints_may_return_tokens() -> None:
    assert _spec() == [
        ("", "", 1, Severity.MEDIUM, 306, "the spec declares no security at all"),
    ]
    assert _spec(components={"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}}) == [
        (
            "",
            "",
            1,
            Severity.MEDIUM,
            306,
            "the spec declares security schemes but no operation uses them",
        ),
    ]


def test_clean_spec_has_no_lint() -> None:
    assert (
        _spec(
            servers=[{"url": "https://api.example.com"}],
            security=[{"basic": []}],
            components={"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
        )
        == []
    )
