"""What a run prints, read as a person would: each finding once, a section whose counts
are pytest's, narrowed by ``-k`` and ``-x`` like the run itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "sample_apps" / "fastapi_vulnerable"
LEAN = ("-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:hypothesispytest")
SECTION = re.compile(r"^apiposture: (\d+) items? checked, (\d+) failed", re.M)
OUTCOME = re.compile(r"^=* ?(.*\d+ (?:passed|failed|skipped|deselected).*) in [\d.]+s", re.M)


def run(tmp_path: Path, *args: str) -> tuple[str, dict[str, Any]]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--apiposture", *LEAN, f"--apiposture-json={report}", *args],
        cwd=SAMPLE, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stdout, proc.stdout[-3000:]
    return proc.stdout, json.loads(report.read_text())


def outcome(out: str) -> dict[str, int]:
    match = OUTCOME.search(out)
    assert match is not None, out[-2000:]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", match.group(1))}


def section(out: str) -> tuple[int, int]:
    match = SECTION.search(out)
    assert match is not None, out[-2000:]
    return int(match.group(1)), int(match.group(2))


def section_text(out: str) -> str:
    start = out.index("= apiposture =")
    end = out.find("short test summary info", start)
    return out[start : end if end != -1 else None]


def printed_twice(out: str, report: dict[str, Any]) -> list[str]:
    failing = [
        f for f in report["findings"]
        if f["severity"] in ("critical", "high") and f["status"] != "preview"
        and not (f["suppressed"] or f["baselined"])
    ]  # fmt: skip
    assert failing, "the vulnerable sample lost its planted findings"
    return [f["message"] for f in failing if out.count(f["message"]) != 1]


@pytest.mark.slow
@pytest.mark.parametrize("ci", ["", "true"], ids=["local", "CI"])
def test_each_failing_finding_is_printed_once_and_counts_are_pytests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    # with CI set, pytest's short summary repeats each failure's crash message untrimmed
    monkeypatch.setenv("CI", ci)
    out, report = run(tmp_path)
    assert printed_twice(out, report) == [], section_text(out)
    quiet = [f for f in report["findings"] if f["severity"] in ("medium", "low")]
    assert quiet
    for finding in quiet:  # below the threshold: counted in the section, listed with -v
        assert finding["message"] not in out, finding["message"]
    assert (
        "ApipostureWarning" not in out and "warnings summary" not in out.split("= apiposture =")[1]
    )
    counts = outcome(out)
    checked, failed = section(out)
    assert failed == counts["failed"]
    # every apiposture item but the two status items (apiposture-status, apiposture-spec)
    assert checked == counts["failed"] + counts.get("passed", 0) + counts.get("skipped", 0) - 2


@pytest.mark.slow
def test_verbose_lists_what_does_not_fail_once(tmp_path: Path) -> None:
    out, report = run(tmp_path, "-v")
    quiet = [f for f in report["findings"] if f["severity"] in ("medium", "low")]
    for finding in quiet:
        assert out.count(finding["message"].splitlines()[0]) == 1, finding["message"]


@pytest.mark.slow
def test_k_narrows_the_section_to_the_selected_endpoints(tmp_path: Path) -> None:
    out, _ = run(tmp_path, "-k", "users")
    counts = outcome(out)
    checked, failed = section(out)
    assert (checked, failed) == (
        counts["failed"] + counts.get("passed", 0) + counts.get("skipped", 0),
        counts["failed"],
    )
    text = section_text(out)
    worst = re.findall(r"^    ((?:GET|POST|PUT|PATCH|DELETE) \S+): ", text, re.M)
    assert worst and all("users" in key for key in worst)
    # the dependency and project findings belong to items -k deselected
    assert "APS001" not in text and "APS804" not in text


@pytest.mark.slow
def test_x_stops_the_section_with_the_run(tmp_path: Path) -> None:
    out, _ = run(tmp_path, "-x")
    counts = outcome(out)
    checked, failed = section(out)
    assert counts["failed"] == failed == 1
    assert checked == 1 + counts.get("passed", 0) + counts.get("skipped", 0) - 2
