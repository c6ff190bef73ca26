"""Dependency findings in the reports (issue 17): repeated identical advice folded into
one terminal line, info findings not counted as findings to fix, SARIF locations always
inside the repository (both sample apps' SARIF validated against the schema)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import TOOL_VERSION, sample_posture
from test_report_sarif import sarif_validator

from pytest_apiposture.audit.catalog import InstalledVersionMismatch, UnauditedDependency
from pytest_apiposture.config import build_settings, read_pyproject
from pytest_apiposture.model import Finding, Posture, Severity
from pytest_apiposture.pipeline import analyse
from pytest_apiposture.report.html import cards
from pytest_apiposture.report.sarif import build_sarif
from pytest_apiposture.report.terminal import summary_lines

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_apps"
ROOT = "/srv/shop"
REQS = f"{ROOT}/requirements.txt"
SAME_FIX = "Load a full advisory export or run pip-audit."


def unaudited(name: str, line: int, fix: str = SAME_FIX, file: str = REQS) -> Finding:
    return UnauditedDependency.at(
        subject=name,
        file=Path(file),
        line=line,
        symbol=name,
        evidence=f"{name}==1.0",
        severity=Severity.LOW,
        message=f"{name} could not be audited for known vulnerabilities: not covered",
        remediation=fix,
    )


def dep_posture(*findings: Finding) -> Posture:
    return Posture(app="shop.main:app", framework="fastapi", root=ROOT, findings=list(findings))


def texts(posture: Posture, verbose: int = 0) -> list[str]:
    lines = summary_lines(posture, fail_on=Severity.HIGH, include_preview=False, verbose=verbose)
    return [text for text, _ in lines]


def test_repeated_identical_advice_is_one_line() -> None:
    posture = dep_posture(
        unaudited("uvicorn", 10), unaudited("httpx", 8), unaudited("sqlalchemy", 6)
    )
    assert texts(posture) == [
        "3 warnings (below the threshold or preview; not failing)",
        "  LOW",
        "    (application-wide)",
        "      APS009 requirements.txt  3 findings with the same fix: httpx (line 8), "
        "sqlalchemy (line 6), uvicorn (line 10) (one by one with -v)",
        f"        fix: {SAME_FIX}",
        "apiposture: 0 endpoints, 0 failing, 3 warnings, 0 suppressed, 0 baselined (fail-on=high)",
    ]


def test_not_folded_one_finding_different_fixes_files_or_verbose() -> None:
    single = dep_posture(unaudited("httpx", 8))
    assert (
        "      APS009 requirements.txt:8  httpx could not be audited for known vulnerabilities: not covered"
        in texts(single)
    )
    different = dep_posture(unaudited("httpx", 8), unaudited("uvicorn", 10, fix="Pin it."))
    assert sum(t.startswith("      APS009 requirements.txt:") for t in texts(different)) == 2
    assert not any("same fix" in t for t in texts(different))
    two_files = dep_posture(unaudited("httpx", 8), unaudited("uvicorn", 2, file=f"{ROOT}/dev.txt"))
    assert (
        "      APS009 -  2 findings with the same fix: httpx, uvicorn (one by one with -v)"
        in texts(two_files)
    )
    same = dep_posture(unaudited("httpx", 8), unaudited("uvicorn", 10))
    verbose = texts(same, verbose=1)
    assert sum(t.startswith("      APS009 requirements.txt:") for t in verbose) == 2
    assert not any("same fix" in t for t in verbose)


def test_route_findings_are_never_folded(posture: Posture) -> None:
    """Findings of a route stay under their endpoint, whatever their fix."""
    lines = texts(posture)
    assert not any("same fix" in t for t in lines)


def test_drift_findings_with_one_fix_fold() -> None:
    drift = [
        InstalledVersionMismatch.at(
            subject=name,
            file=Path(REQS),
            line=line,
            symbol=name,
            evidence="",
            severity=Severity.LOW,
            message=f"{name} 2.0 is installed but requirements.txt:{line} asks for {name}==1.0",
            remediation="Reinstall from the declared versions.",
        )
        for name, line in (("httpx", 7), ("uvicorn", 9))
    ]
    assert (
        "      APS007 requirements.txt  2 findings with the same fix: httpx (line 7), "
        "uvicorn (line 9) (one by one with -v)"
    ) in texts(dep_posture(*drift))


def test_info_findings_are_not_counted_as_findings_to_fix() -> None:
    info = [
        UnauditedDependency.at(
            subject=f"p{i}",
            file=Path(REQS),
            line=i,
            symbol=f"p{i}",
            evidence="",
            severity=Severity.INFO,
            message="not covered",
        )
        for i in range(1, 5)
    ]
    posture = dep_posture(unaudited("httpx", 8), *info)
    assert texts(posture)[-1] == (
        "apiposture: 0 endpoints, 0 failing, 1 warning, 4 info, 0 suppressed, 0 baselined "
        "(fail-on=high)"
    )
    html = cards(posture)
    assert (
        re.search(r'<div class="n">(\d+)</div><div class="l">open findings</div>', html).group(1)
        == "1"
    )  # type: ignore[union-attr]
    assert '<div class="card info"><div class="n">4</div>' in html


def test_html_open_findings_of_the_sample_posture() -> None:
    posture = sample_posture()
    html = cards(posture)
    to_fix = [
        f
        for f in posture.findings
        if not (f.suppressed or f.baselined) and f.severity is not Severity.INFO
    ]
    found = re.search(r'<div class="n">(\d+)</div><div class="l">open findings</div>', html)
    assert found is not None and int(found.group(1)) == len(to_fix)


def test_dependency_outside_the_root_has_only_a_logical_location() -> None:
    outside = unaudited("starlette", 26, file="/srv/uv.lock")  # the workspace root's lock
    inside = unaudited("httpx", 8)
    sarif = build_sarif(dep_posture(outside, inside), tool_version=TOOL_VERSION)
    results = {
        r["locations"][0].get("logicalLocations", [{}])[0].get("fullyQualifiedName"): r
        for r in sarif["runs"][0]["results"]
    }
    assert results["starlette"]["locations"] == [
        {"logicalLocations": [{"fullyQualifiedName": "starlette"}]}
    ]
    physical = results["httpx"]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "requirements.txt", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 8},
    }
    sarif_validator().validate(sarif)


def _repository_root() -> Path:
    out = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=REPO, capture_output=True, text=True
    )
    return Path(out.stdout.strip()).resolve() if out.returncode == 0 else REPO


@pytest.mark.parametrize(
    "sample", ["fastapi_vulnerable", "fastapi_hardened", "flask_vulnerable", "flask_hardened"]
)
def test_sample_app_sarif_is_valid_and_stays_in_the_repository(sample: str) -> None:
    """Audit on, in this venv: no result points at site-packages or outside the repo."""
    root = SAMPLES / sample
    posture = analyse(build_settings(root, read_pyproject(root))).posture
    assert posture.error is None
    sarif: dict[str, Any] = build_sarif(posture, tool_version=TOOL_VERSION)
    sarif_validator().validate(sarif)
    run = sarif["runs"][0]
    base = Path(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].removeprefix("file://"))
    repository = _repository_root()
    dependency_results = 0
    for result in run["results"]:
        dependency_results += result["properties"]["kind"] == "dependency"
        for location in result.get("locations", []):
            if "physicalLocation" not in location:
                assert location["logicalLocations"], result
                continue
            artifact = location["physicalLocation"]["artifactLocation"]
            uri = artifact["uri"]
            assert artifact.get("uriBaseId") == "%SRCROOT%", uri
            assert not uri.startswith(("/", "file:", "..")), uri
            assert "site-packages" not in uri, uri
            assert (base / uri).resolve().is_relative_to(repository), uri
    if "vulnerable" in sample:
        assert dependency_results > 0  # the audit ran: the planted advisories
