"""SARIF 2.1.0: golden file, the official schema, and what code scanning reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
from conftest import DATA, ROOT, TOOL_VERSION

from pytest_apiposture.model import Confidence, Finding, Kind, Posture, Severity
from pytest_apiposture.report.sarif import build_sarif, write_sarif


def sarif_schema() -> dict[str, Any]:
    """The SARIF 2.1.0 schema as shared. That copy keeps the log object's schema in
    ``definitions.Root`` with no top-level ``$ref``, so taken as-is it accepts any JSON;
    point the root at it (draft-07 ignores a ``$ref``'s siblings, so ``definitions``
    still resolve). The OASIS original, with the root inline, is used unchanged."""
    schema: dict[str, Any] = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    if "properties" not in schema and "Root" in schema.get("definitions", {}):
        schema["$ref"] = "#/definitions/Root"
    return schema


def sarif_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(sarif_schema())


def results_by_code(sarif: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in sarif["runs"][0]["results"]}


def test_sarif_matches_golden(posture: Posture, golden: Callable[[str, str], None]) -> None:
    text = json.dumps(build_sarif(posture, tool_version=TOOL_VERSION), indent=2) + "\n"
    golden("report.sarif", text)


def test_sarif_is_valid_against_the_official_schema(posture: Posture, tmp_path: Path) -> None:
    path = tmp_path / "apiposture.sarif"
    write_sarif(path, posture, tool_version=TOOL_VERSION)
    sarif_validator().validate(json.loads(path.read_text()))


def test_schema_check_can_fail(posture: Posture) -> None:
    validator = sarif_validator()
    assert not validator.is_valid({})
    assert not validator.is_valid({"version": "2.1.0", "runs": [], "extra": 1})
    sarif = build_sarif(posture, tool_version=TOOL_VERSION)
    sarif["runs"][0]["results"][0]["level"] = "critical"
    assert not validator.is_valid(sarif)
    sarif = build_sarif(posture, tool_version=TOOL_VERSION)
    del sarif["runs"][0]["tool"]["driver"]["name"]
    assert not validator.is_valid(sarif)


def test_rules_carry_docs_tags_and_security_severity(posture: Posture) -> None:
    driver = build_sarif(posture, tool_version=TOOL_VERSION)["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert sorted(rules) == sorted(posture.checks)
    aps301 = rules["APS301"]
    assert aps301["help"]["markdown"] == posture.checks["APS301"].docs.strip()
    assert aps301["help"]["text"] == (
        "What it does\nResponse model declares sensitive fields.\n\nWhy is this bad?\n"
        "Attackers use it.\n\nExample\n@app.get('/x')\ndef x(): ...\n\nUse instead\nGuard it."
    )
    assert aps301["helpUri"].endswith("docs/codes.md#aps301")
    assert aps301["properties"]["tags"] == [
        "security",
        "data-exposure",
        "OWASP-API3:2023",
        "CWE-213",
    ]
    assert aps301["properties"]["security-severity"] == "8.0"
    assert rules["APS101"]["properties"]["tags"][-1] == "preview"
    assert rules["APS151"]["properties"]["security-severity"] == "9.5"
    assert [r["id"] for r in driver["rules"]] == sorted(rules)
    for result in build_sarif(posture, tool_version=TOOL_VERSION)["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_levels_locations_and_marks(posture: Posture) -> None:
    sarif = build_sarif(posture, tool_version=TOOL_VERSION)
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/shop/"}}
    results = results_by_code(sarif)
    assert {code: r["level"] for code, r in results.items()} == {
        "APS151": "error",
        "APS001": "error",
        "APS804": "error",
        "APS501": "error",
        "APS201": "error",
        "APS202": "error",
        "APS101": "error",
        "APS301": "error",
        "APS303": "error",
        "APS304": "error",
        "APS401": "warning",
        "APS901": "note",
    }
    location = results["APS301"]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "shop/schemas.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14},
    }
    fingerprints = {f.code: f.fingerprint(ROOT) for f in posture.findings}
    assert {
        c: r["partialFingerprints"]["apipostureFingerprint/v1"] for c, r in results.items()
    } == fingerprints
    assert {c for c, r in results.items() if r.get("baselineState") == "unchanged"} == {
        "APS501",
        "APS804",
    }
    assert {c for c, r in results.items() if "suppressions" in r} == {"APS303"}
    assert results["APS303"]["suppressions"][0]["kind"] == "inSource"
    # a probe's transcript is in the message; a static snippet is not
    assert "Evidence:\n> GET /users/1 (as bob)" in results["APS151"]["message"]["text"]
    assert "Evidence" not in results["APS301"]["message"]["text"]
    assert results["APS301"]["message"]["text"].startswith(
        "GET /users/{user_id}: response model UserOut declares sensitive field 'password_hash'"
    )


def test_notes_become_tool_execution_notifications(posture: Posture) -> None:
    invocation = build_sarif(posture, tool_version=TOOL_VERSION)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == posture.notes
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["warning"]


def test_finding_without_location_points_at_its_route_and_unknown_code_gets_a_rule(
    posture: Posture,
) -> None:
    posture.findings = [
        Finding(
            "APS352",
            Kind.DATA_EXPOSURE,
            "API3:2023",
            Severity.HIGH,
            Confidence.CONFIRMED,
            "response carries 'password_hash'",
            "Declare a response model without it.",
            "GET",
            "/users/me",
            evidence='< 200 OK\n< {"password_hash": "$2b$..."}',
        )
    ]
    posture.error = "could not import shop.extra: ModuleNotFoundError: No module named 'redis'"
    sarif = build_sarif(posture, tool_version="0.2.0.dev1")
    sarif_validator().validate(sarif)
    run = sarif["runs"][0]
    assert "semanticVersion" not in run["tool"]["driver"]
    result = run["results"][0]
    assert (
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/api/users.py"
    )
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 22}
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "APS352"
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][-1]["level"] == "error"
