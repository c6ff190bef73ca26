"""Writes that change the whole app (first install, settings) are probed last."""

from __future__ import annotations

import json
import re
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
    """Last of the session: after the other endpoints and after the user's own tests,
    which call the same app."""
    pytester.makepyfile(
        px_settings_app=(ROOT / "px_settings_app.py").read_text(),
        test_user_suite="def test_users_own():\n    pass\n",
    )
    result = pytester.runpytest_subprocess(
        "--apiposture", "--apiposture-app=px_settings_app:app", "--apiposture-no-audit",
        "-p", "no:cacheprovider", "-p", "no:randomly", "-v",
    )  # fmt: skip
    ran = [
        m.group(1)
        for m in map(re.compile(r"^(\S.*?) (?:PASSED|FAILED)").match, result.outlines)
        if m
    ]
    assert ran[-2:] == ["test_user_suite.py::test_users_own", "px_settings_app.py::POST /settings"]
    result.stdout.fnmatch_lines(["*GET /report answered 200 to an anonymous request*"])


def test_under_xdist_the_settings_write_runs_after_every_other_items_requests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers, one state (a file, as a database would be): the settings write is
    probed only once every other item has finished on every worker, so none of their
    probes sees the maintenance mode it turns on."""
    pytester.makepyfile(
        px_shared_settings_app=(ROOT / "px_shared_settings_app.py").read_text(),
        test_user_suite="def test_users_own():\n    pass\n",
    )
    state = pytester.path / "state.txt"
    monkeypatch.setenv("PX_SHARED_STATE", str(state))
    result = pytester.runpytest_subprocess(
        "--apiposture", "--apiposture-app=px_shared_settings_app:app", "--apiposture-no-audit",
        "--apiposture-json=report.json", "-p", "no:cacheprovider", "-p", "no:randomly",
        "-n", "2", "-v",
    )  # fmt: skip
    report = json.loads((pytester.path / "report.json").read_text())
    confirmed = {
        (f["code"], f["method"], f["path"])
        for f in report["findings"]
        if f["confidence"] == "confirmed"
    }
    assert confirmed == {
        *(("APS251", "GET", f"/r{n}") for n in range(1, 9)),
        ("APS251", "POST", "/settings"),
    }
    requests = [line.split(" ", 1) for line in state.with_suffix(".log").read_text().splitlines()]
    assert {worker for worker, _ in requests} == {"gw0", "gw1"}  # both workers probed
    first_write = next(i for i, (_, sent) in enumerate(requests) if sent == "POST /settings")
    assert all(sent == "POST /settings" for _, sent in requests[first_write:]), requests
    # and its item is the last to finish, after the user's own test too
    finished = [line for line in result.outlines if re.match(r"\[gw\d\] .*(PASSED|FAILED)", line)]
    assert "POST /settings" in finished[-1], finished
