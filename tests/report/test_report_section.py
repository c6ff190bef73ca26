"""The pytest summary section: what ran, what failed late, why probes could not tell."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pytest_apiposture.model import Confidence, Finding, Kind, Location, Posture, Severity
from pytest_apiposture.plugin.session import ItemResult, RunRecord
from pytest_apiposture.report.section import late_findings, ran, reason_class, section_lines
from pytest_apiposture.verdict import Judge, Verdict


def finding(code: str, path: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        code, Kind.DATA_EXPOSURE, "API3:2023", severity, Confidence.CONFIRMED,
        f"{code} on {path}", "fix it", "GET", path, Location("/srv/app.py", 3, "h"),
    )  # fmt: skip


def record(*results: tuple[str, list[Finding]], failed: int = 0) -> RunRecord:
    run = RunRecord(failed=failed)
    for key, raised in results:
        item = ItemResult(key)
        item.raised = [f.fingerprint() for f in raised]
        run.results[key] = item
    return run


def verdict(findings: list[Finding]) -> tuple[Verdict, Judge]:
    judge = Judge(root="/srv", routes=[])
    posture = Posture(app="app:app", framework="fastapi", root="/srv", findings=findings)
    return Verdict(posture, [f for f in findings if judge.fails(f)], []), judge


def test_a_failing_finding_no_item_raised_is_late() -> None:
    early, late, low = (
        finding("APS352", "/a"),
        finding("APS352", "/b"),
        finding("APS301", "/b", Severity.LOW),
    )
    elsewhere = finding("APS352", "/c")  # its endpoint's item did not run (-k)
    result, _ = verdict([early, late, low, elsewhere])
    run = record(("GET /a", [early]), ("GET /b", []))
    assert ran(result, run) == [early, late, low]
    assert late_findings(result, run) == [late]
    assert late_findings(result, record(("GET /a", [early]), ("GET /b", [late]))) == []


def test_the_section_counts_only_the_items_that_ran() -> None:
    a, c = finding("APS352", "/a"), finding("APS201", "/c")
    result, judge = verdict([a, c])
    lines = [
        text
        for text, _ in section_lines(result, record(("GET /a", [a]), failed=1), judge, verbose=0)
    ]
    assert (
        lines[0] == "apiposture: 1 item checked, 1 failed with 1 finding at or above high (1 high)"
    )
    assert "  by code: APS352 1" in lines
    assert not any("APS201" in line for line in lines)


def test_accepted_findings_are_counted_not_failed() -> None:
    suppressed = replace(finding("APS201", "/a"), suppressed=True)
    result, judge = verdict([suppressed])
    lines = [text for text, _ in section_lines(result, record(("GET /a", [])), judge, verbose=0)]
    assert lines[0] == "apiposture: 1 item checked, 0 failed"
    assert "  accepted: 1 suppressed inline, 0 baselined" in lines


@pytest.mark.parametrize(
    ("why", "kind"),
    [
        (
            "anonymous: GET /x -> 500 (raised KeyError); cannot tell",
            "the app answered 5xx or raised",
        ),
        ("alice GET /x -> timed out after 2s; cannot tell", "timed out"),
        ("anonymous: GET /docs -> 200 (text/html), not JSON: nothing to scan", "no JSON to scan"),
        (
            "no 2xx JSON response to scan (anonymous -> 401, alice -> 403)",
            "every request refused (401/403)",
        ),
        ("no object to read: the listing returned no id", "no object to probe"),
        (
            "alice POST /items -> 422: the synthesised body was refused",
            "refused the synthesised request (4xx)",
        ),
        ("limit=10000000 -> 200: accepted; a silent clamp cannot be told", "other"),
    ],
)
def test_inconclusive_reasons_are_classed(why: str, kind: str) -> None:
    assert reason_class(why) == kind
