"""The sample apps: the static pass reports exactly their planted ``# expect:`` flaws.

For each app the set of (code, file, line) of findings, at every severity (a low or
info finding is a finding too: it is reported and it can be baselined), equals the set of
``# expect:`` marks for static codes (x01-x49 of APS1xx-APS5xx, APS7xx, APS8xx); the
hardened twins carry no such mark, so they must produce no static finding at all. A mark
that states a severity and confidence (``# expect: APS101 medium possible``) is held to it.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
from rules_helpers import levels_of, read_marks, run_static

from pytest_apiposture.config import build_settings, read_pyproject

SAMPLES = Path(__file__).resolve().parents[2] / "sample_apps"
APPS = ["fastapi_vulnerable", "fastapi_hardened", "flask_vulnerable", "flask_hardened"]
STATIC_CODE = re.compile(r"APS[1234578][0-4]\d")


@pytest.mark.parametrize("name", APPS)
def test_static_findings_match_the_planted_marks(name: str) -> None:
    root = SAMPLES / name
    settings = build_settings(root, read_pyproject(root))
    assert settings.app is not None
    module_name, _, attr = settings.app.partition(":")
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
    finally:
        sys.path.remove(str(root))
    package = Path(module.__file__ or "").parent
    result = run_static(
        getattr(module, attr),
        root=root,
        app_file=module.__file__,
        knowledge=settings.knowledge,
    )
    reported = {
        (f.code, Path(f.location.file).relative_to(root).as_posix(), f.location.line)
        for f in result.findings
        if f.location
    }
    marks = read_marks(sorted(package.rglob("*.py")), root)
    expected = {m for m in marks.expect if STATIC_CODE.fullmatch(m[0])}
    assert sorted(reported - expected) == [], "reported but not marked"
    assert sorted(expected - reported) == [], "marked but not reported"
    assert not reported & marks.ok
    levels = levels_of(result.findings, root)
    assert {k: {v} for k, v in marks.levels.items() if k in expected} == {
        k: levels[k] for k in marks.levels if k in expected
    }
    assert result.notes == []
    if name.endswith("hardened"):
        assert expected == set()
