"""Golden reports of the real vulnerable sample apps (static checks, drift; no audit).

The audit is left out on purpose: it reads the test environment's installed packages,
which differ from one machine to the next. APIPOSTURE_UPDATE_GOLDENS=1 rewrites.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_apiposture.config import build_settings, read_pyproject
from pytest_apiposture.model import Severity
from pytest_apiposture.pipeline import analyse
from pytest_apiposture.report.json import build_report
from pytest_apiposture.report.sarif import build_sarif
from pytest_apiposture.report.terminal import summary_lines

SAMPLES = Path(__file__).resolve().parents[2] / "sample_apps"
VERSION = "0.0.0-golden"  # the goldens must not change with every release


@pytest.mark.parametrize("sample", ["fastapi_vulnerable", "flask_vulnerable"])
def test_sample_app_reports(sample: str, golden: Callable[[str, str], None]) -> None:
    root = SAMPLES / sample
    values = {**read_pyproject(root), "audit": False}
    posture = analyse(build_settings(root, values)).posture
    assert posture.error is None

    report = build_report(posture, tool_version=VERSION)
    for endpoint in report["endpoints"]:  # FastAPI's own /docs handlers: machine-specific paths
        if "site-packages" in (endpoint["file"] or ""):
            endpoint["file"] = "<site-packages>/" + endpoint["file"].split("site-packages/", 1)[1]
            endpoint["line"] = 0
    golden(f"{sample}.json", json.dumps(report, indent=2, sort_keys=True) + "\n")
    sarif = build_sarif(posture, tool_version=VERSION)
    golden(
        f"{sample}.sarif", json.dumps(sarif["runs"][0]["results"], indent=2, sort_keys=True) + "\n"
    )
    lines = summary_lines(posture, fail_on=Severity.HIGH, include_preview=False, verbose=0)
    golden(f"{sample}.terminal.txt", "\n".join(text for text, _ in lines) + "\n")
