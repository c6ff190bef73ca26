"""`pytest --apiposture` on the real sample apps, as a user runs it (a subprocess each).

The vulnerable twins fail exactly on the routes that lack auth, as marked in their
source with ``# expect: APS201`` / ``APS202`` on the handler's ``def`` line; the hardened
twins pass the whole gate, probes included.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_helpers import FAILED

SAMPLES = Path(__file__).resolve().parents[2] / "sample_apps"
MARK = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
LEAN = ("-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:hypothesispytest")


def run(sample: str, *args: str, tmp_path: Path) -> tuple[int, set[str], dict[str, object]]:
    report = tmp_path / f"{sample}.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--apiposture",
            "-rf",
            "-q",
            *LEAN,
            f"--apiposture-json={report}",
            *args,
        ],
        cwd=SAMPLES / sample,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = {m.group(1) for line in proc.stdout.splitlines() if (m := FAILED.match(line))}
    return proc.returncode, failed, json.loads(report.read_text())


def marked_routes(sample: str, report: dict[str, object], codes: set[str]) -> set[str]:
    """Route keys whose handler ``def`` line carries an ``# expect:`` of one of ``codes``."""
    marks: set[tuple[str, int]] = set()
    for path in (SAMPLES / sample).rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            m = MARK.search(line)
            if m and codes & {c.strip() for c in m.group(1).split(",")}:
                marks.add((path.relative_to(SAMPLES / sample).as_posix(), number))
    endpoints = report["endpoints"]
    assert isinstance(endpoints, list)
    return {f"{e['method']} {e['path']}" for e in endpoints if (e["file"], e["line"]) in marks}


@pytest.mark.parametrize(
    ("sample", "anchor"),
    [("fastapi_vulnerable", "vulnshop/main.py"), ("flask_vulnerable", "vulnnotes/__init__.py")],
)
def test_vulnerable_twin_fails_exactly_on_routes_without_auth(
    sample: str, anchor: str, tmp_path: Path
) -> None:
    # one item per endpoint fails with every finding of the endpoint: narrow the checks
    code, failed, report = run(
        sample,
        "--apiposture-static-only",
        "--apiposture-select=APS201",
        "--apiposture-select=APS202",
        tmp_path=tmp_path,
    )
    assert code == 1
    expected = marked_routes(sample, report, {"APS201", "APS202"})
    assert expected, "the sample app lost its planted missing-auth flaws"
    assert {node.split("::")[1] for node in failed} == expected
    assert all(node.startswith(f"{anchor}::") for node in failed)


@pytest.mark.parametrize("sample", ["fastapi_hardened", "flask_hardened"])
def test_hardened_twin_passes_the_whole_gate(sample: str, tmp_path: Path) -> None:
    code, failed, report = run(sample, tmp_path=tmp_path)
    assert (code, failed) == (0, set())
    assert report["error"] is None
    auth = {e["auth"] for e in report["endpoints"]}  # type: ignore[union-attr,index]
    assert "none" not in auth
