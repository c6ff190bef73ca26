"""The JSON report: golden file, our schema, ordering, reading it back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import DATA, ROOT, TOOL_VERSION

from pytest_apiposture.model import Confidence, Finding, Kind, Location, Posture, Severity
from pytest_apiposture.report.json import (
    ReportError,
    build_report,
    dumps,
    read_report,
    write_report,
)

SHIPPED_SCHEMA = Path(__file__).parents[2] / "pytest_apiposture" / "data" / "report.schema.json"


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "apiposture-report.schema.json").read_text())
    return loaded


def validate(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema()).validate(report)


def test_json_report_matches_golden(posture: Posture, golden: Callable[[str, str], None]) -> None:
    golden("report.json", dumps(build_report(posture, tool_version=TOOL_VERSION, fixed=["f1"])))


def test_json_report_is_valid_against_our_schema(posture: Posture) -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    validate(build_report(posture, tool_version=TOOL_VERSION))


def test_shipped_schema_is_the_tested_schema() -> None:
    assert SHIPPED_SCHEMA.read_bytes() == (DATA / "apiposture-report.schema.json").read_bytes()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("findings", 0, "severity"), "severe"),
        (("findings", 0, "fingerprint"), "not-a-hash"),
        (("endpoints", 0, "auth"), "maybe"),
        (("summary", "by_severity"), {"high": 1}),
        (("findings", 0, "file"), "shop\\api\\users.py"),
    ],
)
def test_schema_rejects_a_broken_report(
    posture: Posture, where: tuple[Any, ...], value: Any
) -> None:
    report = build_report(posture, tool_version=TOOL_VERSION)
    target: Any = report
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(report)


def test_findings_are_ordered_and_marked(posture: Posture) -> None:
    report = build_report(posture, tool_version=TOOL_VERSION)
    listed = [
        (
            f["severity"],
            f["method"],
            f["path"],
            f["code"],
            f["status"],
            f["baselined"],
            f["suppressed"],
        )
        for f in report["findings"]
    ]
    assert listed == [
        ("critical", "GET", "/users/{user_id}", "APS151", "stable", False, False),
        ("high", "", "", "APS001", "stable", False, False),
        ("high", "", "", "APS804", "stable", True, False),
        ("high", "DELETE", "/admin/users/{user_id}", "APS501", "stable", True, False),
        ("high", "GET", "/internal/debug/config", "APS201", "stable", False, False),
        ("high", "GET", "/orders", "APS202", "stable", False, False),
        ("high", "GET", "/users/{user_id}", "APS101", "preview", False, False),
        ("high", "GET", "/users/{user_id}", "APS301", "stable", False, False),
        ("high", "PATCH", "/users/{user_id}", "APS303", "stable", False, True),
        ("high", "PATCH", "/users/{user_id}", "APS304", "stable", False, False),
        ("medium", "GET", "/orders", "APS401", "preview", False, False),
        ("info", "GET", "/internal/debug/config", "APS901", "stable", False, False),
    ]
    assert [(e["path"], e["method"]) for e in report["endpoints"]] == [
        ("/admin/users/{user_id}", "DELETE"),
        ("/auth/token", "POST"),
        ("/health", "GET"),
        ("/internal/debug/config", "GET"),
        ("/orders", "GET"),
        ("/users/me", "GET"),
        ("/users/{user_id}", "GET"),
        ("/users/{user_id}", "PATCH"),
    ]


def test_summary_counts_open_findings(posture: Posture) -> None:
    summary = build_report(posture, tool_version=TOOL_VERSION, fixed=["a", "b", "a"])["summary"]
    assert summary == {
        "endpoints": 8,
        "findings": 12,
        "open": 9,
        "by_severity": {"critical": 1, "high": 6, "medium": 1, "low": 0, "info": 1},
        "by_kind": {
            "bola": 2,
            "data-exposure": 1,
            "dependency": 1,
            "mass-assignment": 1,
            "missing-auth": 2,
            "resource-consumption": 1,
            "shadow-endpoint": 1,
        },
        "suppressed": 1,
        "baselined": 2,
        "fixed": 2,
    }


def test_paths_are_relative_to_root_and_fingerprints_match(posture: Posture) -> None:
    report = build_report(posture, tool_version=TOOL_VERSION)
    by_code = {f["code"]: f for f in report["findings"]}
    assert by_code["APS301"]["file"] == "shop/schemas.py"
    assert by_code["APS001"]["file"] == "requirements.txt"
    assert by_code["APS301"]["fingerprint"] == next(
        f.fingerprint(ROOT) for f in posture.findings if f.code == "APS301"
    )
    assert report["endpoints"][0]["guards"] == ["shop.deps:get_current_user"]
    # the db-session dependency of GET /users/{user_id} is not a guard
    assert report["endpoints"][6]["guards"] == ["shop.deps:get_current_user"]


def test_file_outside_root_and_finding_without_location() -> None:
    posture = Posture(
        app="app:app",
        framework="flask",
        root="/srv/app",
        findings=[
            Finding(
                "APS803",
                Kind.MISCONFIGURATION,
                "API8:2023",
                Severity.CRITICAL,
                Confidence.LIKELY,
                "jwt.decode with verify_signature=False",
                "Verify it.",
                location=Location("/usr/lib/python3/site-packages/authlib/jwt.py", 88, "decode"),
            ),
            Finding(
                "APS002",
                Kind.DEPENDENCY,
                "API8:2023",
                Severity.LOW,
                Confidence.LIKELY,
                "flask is not pinned",
                "Pin it.",
            ),
        ],
    )
    report = build_report(posture, tool_version=TOOL_VERSION)
    validate(report)
    assert [(f["code"], f["file"], f["line"]) for f in report["findings"]] == [
        ("APS803", "/usr/lib/python3/site-packages/authlib/jwt.py", 88),
        ("APS002", None, None),
    ]


def test_write_then_read_round_trip(posture: Posture, tmp_path: Path) -> None:
    path = tmp_path / "out" / "apiposture.json"
    write_report(path, posture, tool_version=TOOL_VERSION)
    assert read_report(path) == build_report(posture, tool_version=TOOL_VERSION)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such report; write one with --apiposture-json"),
        ("{not json", "not valid JSON (line 1: Expecting property name enclosed in double quotes)"),
        ('{"version": 1}', "not an apiposture JSON report (no 'findings' list)"),
        ('{"version": 7, "findings": []}', "report version 7 is not 1; regenerate it"),
        ('{"version": 1, "findings": [{"code": "APS201"}]}', "finding #0 has no 'fingerprint'"),
    ],
)
def test_read_report_errors_are_one_line(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ReportError) as info:
        read_report(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
