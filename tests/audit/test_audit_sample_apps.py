"""The sample apps through the whole pipeline, audit on, in this test environment (whose
installed versions differ from every sample's pins): the hardened twins report no
dependency finding at medium or above, the vulnerable ones only their planted advisories
(EXPECTED.md, "Dependencies"); the drift is low and the rest of the venv one note."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_apiposture.audit import AuditSettings, run_audit
from pytest_apiposture.config import build_settings, read_pyproject
from pytest_apiposture.model import Finding, Kind, Severity
from pytest_apiposture.pipeline import analyse

SAMPLES = Path(__file__).resolve().parents[2] / "sample_apps"

# (package, requirements.txt line, advisory id) of every planted advisory the bundled
# table knows (its date is in the notes; EXPECTED.md lists CVEs of later data too)
PLANTED = {
    "fastapi_vulnerable": {
        ("fastapi", 3, "PYSEC-2024-38"),
        ("pyjwt", 7, "PYSEC-2022-202"),
        ("requests", 12, "PYSEC-2023-74"),
    },
    "flask_vulnerable": {
        ("flask", 3, "PYSEC-2023-62"),
        ("werkzeug", 4, "PYSEC-2023-221"),
        ("werkzeug", 4, "PYSEC-2023-57"),
        ("werkzeug", 4, "PYSEC-2023-58"),
        ("flask-cors", 5, "PYSEC-2024-71"),
        ("pyjwt", 7, "PYSEC-2022-202"),
        ("requests", 9, "PYSEC-2023-74"),
    },
    "fastapi_hardened": set(),
    "flask_hardened": set(),
}


def _dependency_findings(sample: str) -> tuple[list[Finding], list[str]]:
    root = SAMPLES / sample
    posture = analyse(build_settings(root, read_pyproject(root))).posture
    assert posture.error is None
    return [f for f in posture.findings if f.kind is Kind.DEPENDENCY], posture.notes


@pytest.mark.parametrize("sample", sorted(PLANTED))
def test_sample_app_dependency_findings(sample: str) -> None:
    findings, notes = _dependency_findings(sample)
    root = SAMPLES / sample
    serious = [f for f in findings if f.severity.rank >= Severity.MEDIUM.rank]
    assert {
        (
            f.code,
            f.path.removeprefix("deps/"),
            f.location.file if f.location else None,
            f.location.line if f.location else None,
            f.location.symbol.split(" ", 1)[1] if f.location else None,
            f.severity,
        )
        for f in serious
    } == {
        ("APS001", name, str(root / "requirements.txt"), line, advisory, Severity.HIGH)
        for name, line, advisory in PLANTED[sample]
    }
    # below medium: only drift from the pins (this venv is not the samples' production)
    # and packages the advisory data does not cover, each at its requirements.txt line
    others = [f for f in findings if f not in serious]
    assert {f.code for f in others} <= {"APS007", "APS009"}
    assert all(f.severity is Severity.LOW for f in others)
    assert all(f.location and f.location.file == str(root / "requirements.txt") for f in findings)
    app = read_pyproject(root)["app"]
    assert f"project kind: application (app under test: {app})" in notes
    assert not any("set by configuration" in n for n in notes)
    assert any(
        " installed package(s) are not declared or locked by the project" in n for n in notes
    )


def test_project_kind_says_set_by_configuration_only_without_a_reason(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n", encoding="utf-8")
    forced = run_audit(AuditSettings(root=tmp_path, include_installed=False, application=True))
    told = run_audit(
        AuditSettings(
            root=tmp_path,
            include_installed=False,
            application=True,
            application_reason="app under test: svc:app",
        )
    )
    detected = run_audit(AuditSettings(root=tmp_path, include_installed=False))
    assert "project kind: application (set by configuration)" in forced.notes
    assert "project kind: application (app under test: svc:app)" in told.notes
    assert "project kind: application (requirements files, no package metadata)" in detected.notes
