"""Writes that change the whole app (first install, settings) are probed last."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_apiposture.cli import main

ROOT = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def fresh_app() -> Iterator[None]:
    sys.modules.pop("px_settings_app", None)
    yield
    sys.modules.pop("px_settings_app", None)


def test_a_settings_write_does_not_blind_the_routes_declared_after_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["scan", "--app", "px_settings_app:app", "--root", str(ROOT), "--probe", "--json"]
    main([*argv, "--no-audit"])
    confirmed = {
        (f["code"], f["method"], f["path"], f["severity"])
        for f in json.loads(capsys.readouterr().out)["findings"]
        if f["confidence"] == "confirmed"
    }
    assert confirmed == {
        ("APS251", "GET", "/report", "high"),
        ("APS251", "POST", "/settings", "high"),
    }


def test_the_plugin_runs_the_settings_item_last(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(px_settings_app=(ROOT / "px_settings_app.py").read_text())
    result = pytester.runpytest_subprocess(
        "--apiposture", "--apiposture-app=px_settings_app:app", "--apiposture-no-audit",
        "-p", "no:cacheprovider", "-p", "no:randomly", "-v",
    )  # fmt: skip
    routes = [
        " ".join(line.split("::", 1)[1].split()[:2])
        for line in result.outlines
        if line.startswith("px_settings_app.py::") and line.split("::", 1)[1][:1].isupper()
    ]
    assert routes[-1] == "POST /settings"
    result.stdout.fnmatch_lines(["*GET /report answered 200 to an anonymous request*"])
