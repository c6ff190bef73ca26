"""Diffing two JSON reports by fingerprint."""

from __future__ import annotations

from dataclasses import replace

from conftest import TOOL_VERSION

from pytest_apiposture.model import Finding, Location, Posture
from pytest_apiposture.report.diff import diff_reports
from pytest_apiposture.report.json import build_report


def codes(items: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(i["code"], i["method"], i["path"]) for i in items]


def test_new_fixed_and_moved_findings(posture: Posture) -> None:
    old = build_report(posture, tool_version=TOOL_VERSION)
    changed: list[Finding] = []
    for finding in posture.findings:
        if finding.code == "APS202":  # fixed
            continue
        if finding.code == "APS304" and finding.location:  # moved 12 lines: unchanged
            finding = replace(
                finding, location=replace(finding.location, line=finding.location.line + 12)
            )
        changed.append(finding)
    aps301 = next(f for f in posture.findings if f.code == "APS301")
    changed.append(replace(aps301, method="GET", path="/users/me"))  # new route, same rule
    posture.findings = changed
    diff = diff_reports(old, build_report(posture, tool_version=TOOL_VERSION))
    assert codes(diff.new) == [("APS301", "GET", "/users/me")]
    assert codes(diff.fixed) == [("APS202", "GET", "/orders")]
    assert len(diff.unchanged) == 11
    assert ("APS304", "PATCH", "/users/{user_id}") in codes(diff.unchanged)
    assert diff.lines() == [
        "apiposture diff: 1 new, 1 fixed, 11 unchanged",
        "new:",
        "  + APS301 high GET /users/me shop/schemas.py:14  response model UserOut declares sensitive field 'password_hash'",
        "fixed:",
        "  - APS202 high GET /orders shop/api/orders.py:15  only auth guard get_optional_user lets anonymous callers through (auto_error=False)",
    ]


def test_duplicate_fingerprints_are_matched_by_count(posture: Posture) -> None:
    aps304 = next(f for f in posture.findings if f.code == "APS304")
    assert aps304.location is not None
    second = replace(aps304, location=Location(aps304.location.file, 52, aps304.location.symbol))
    posture.findings = [aps304]
    old = build_report(posture, tool_version=TOOL_VERSION)
    posture.findings = [aps304, second]
    diff = diff_reports(old, build_report(posture, tool_version=TOOL_VERSION))
    assert [(i["code"], i["line"]) for i in diff.unchanged] == [("APS304", 45)]
    assert [(i["code"], i["line"]) for i in diff.new] == [("APS304", 52)]
    assert diff.fixed == []


def test_identical_reports_have_no_changes(posture: Posture) -> None:
    report = build_report(posture, tool_version=TOOL_VERSION)
    diff = diff_reports(report, report)
    assert (diff.new, diff.fixed, len(diff.unchanged)) == ([], [], 12)
    assert diff.lines() == ["apiposture diff: 0 new, 0 fixed, 12 unchanged"]
