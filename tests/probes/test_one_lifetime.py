"""One app lifetime per run: the app started to list its routes is the app the probes call.

``px_lifetime_app`` cannot be restarted (its shutdown closes a pool a second startup
does not reopen). Started once for enumeration and probes, its flaws are confirmed;
started twice, every probe would see 500s and tell nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_apiposture.cli import main

ROOT = Path(__file__).resolve().parent / "fixtures"
TARGET = "px_lifetime_app:app"
IDENTITIES = ["alice=Authorization: Bearer t-alice", "bob=Authorization: Bearer t-bob"]


@pytest.fixture(autouse=True)
def fresh_app() -> Iterator[None]:
    sys.modules.pop("px_lifetime_app", None)  # a new app (and database) per test
    yield
    sys.modules.pop("px_lifetime_app", None)


def database() -> dict[str, Any]:
    db: dict[str, Any] = sys.modules["px_lifetime_app"].DB
    return db


def probe_findings(report: dict[str, object]) -> set[tuple[str, str, str, str, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {
        (f["code"], f["method"], f["path"], f["severity"], f["confidence"])
        for f in findings
        if f["confidence"] == "confirmed"
    }


def test_scan_probe_starts_the_app_once_and_confirms_its_flaws(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["scan", "--app", TARGET, "--root", str(ROOT), "--probe", "--json", "--no-audit"]
    status = main([*argv, *(f"--identity={i}" for i in IDENTITIES)])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (database()["starts"], database()["closed_once"]) == (1, True)  # shut down at the end
    assert probe_findings(report) == {
        ("APS251", "GET", "/report", "high", "confirmed"),
        ("APS151", "GET", "/notes/{note_id}", "high", "confirmed"),
    }
    assert "500" not in err
    assert status == 1


def test_static_scan_does_not_start_the_app(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", "--app", TARGET, "--root", str(ROOT), "--json", "--no-audit"])
    capsys.readouterr()
    assert (database()["starts"], database()["closed_once"]) == (0, False)


def test_static_scan_with_startup_shuts_the_app_down_after_listing_its_routes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["scan", "--app", TARGET, "--root", str(ROOT), "--json", "--no-audit", "--startup"])
    capsys.readouterr()
    assert (database()["starts"], database()["closed_once"]) == (1, True)


FLASK_TARGET = "px_lifetime_app:create_flask_app()"


def test_flask_factory_makes_one_app_for_enumeration_and_probes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Flask has no lifespan: its app's one lifetime is the factory call that made it."""
    argv = ["scan", "--app", FLASK_TARGET, "--root", str(ROOT), "--probe", "--json", "--no-audit"]
    status = main([*argv, *(f"--identity={i}" for i in IDENTITIES)])
    report = json.loads(capsys.readouterr().out)
    assert sys.modules["px_lifetime_app"].FLASK_DB["apps"] == 1
    assert probe_findings(report) == {
        ("APS251", "GET", "/report", "high", "confirmed"),
        ("APS151", "GET", "/notes/{note_id}", "high", "confirmed"),
    }
    assert status == 1


def test_the_flask_twin_answers_500_once_a_second_app_was_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: made twice, the fixture is blind, so the test above can fail."""
    monkeypatch.syspath_prepend(str(ROOT))
    import px_lifetime_app

    first = px_lifetime_app.create_flask_app()
    assert first.test_client().get("/report").status_code == 200
    px_lifetime_app.create_flask_app()
    assert first.test_client().get("/report").status_code == 500
