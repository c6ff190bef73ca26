"""The schema cache in real runs: a developer's second run does not generate the app's
OpenAPI schema again, and under ``-n 2`` the controller generates it and the workers
read what it stored."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("xdist")

STATIC = ("--apiposture", "--apiposture-static-only")
# every process (controller and workers) logs each schema generation
SPY = """
import os

from pytest_apiposture.adapters.fastapi import FastAPIAdapter

LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.log")
_original = FastAPIAdapter.openapi


def _spy(self, app):
    with open(LOG, "a") as fh:
        fh.write(os.environ.get("PYTEST_XDIST_WORKER", "controller") + "\\n")
    return _original(self, app)


FastAPIAdapter.openapi = _spy
"""


@pytest.fixture(autouse=True)
def _not_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # run under `pytest -n 2` itself, this process is a worker (see the xdist e2e tests)
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def generations(shop: pytest.Pytester) -> list[str]:
    log = shop.path / "openapi.log"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return sorted(lines)


def test_a_second_run_and_xdist_workers_read_the_stored_schema(shop: pytest.Pytester) -> None:
    shop.makeconftest(SPY)
    first = shop.runpytest_subprocess(*STATIC)
    assert generations(shop) == ["controller"]
    second = shop.runpytest_subprocess(*STATIC)
    assert generations(shop) == []
    assert second.ret == first.ret == pytest.ExitCode.TESTS_FAILED  # the open POST /items
    assert second.outlines[-1].split(" in ")[0] == first.outlines[-1].split(" in ")[0]

    main = shop.path / "e2e_shop" / "main.py"
    main.write_text(main.read_text().replace("/health", "/healthz"))
    parallel = shop.runpytest_subprocess(*STATIC, "-n", "2")
    assert generations(shop) == ["controller"]  # the edit is seen, by the controller only
    assert parallel.ret == pytest.ExitCode.TESTS_FAILED
    shop.runpytest_subprocess(*STATIC, "-n", "2")
    assert generations(shop) == []
    shop.runpytest_subprocess(*STATIC, "-p", "no:cacheprovider")
    assert generations(shop) == ["controller"]  # no cache: nothing read, nothing stored


# the controller logs, once xdist has asked every plugin to set up the workers, whether
# it has imported the app by then (it analyses before the workers start, or after)
SETUP_SPY = """
import os
import sys

import json

import pytest

LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "setup.log")


@pytest.hookimpl(hookwrapper=True)
def pytest_xdist_setupnodes(config, specs):
    yield
    with open(LOG, "a") as fh:
        fh.write(("app imported" if "e2e_shop.main" in sys.modules else "app not imported") + "\\n")
"""


def test_under_xdist_the_controller_analyses_first_only_when_nothing_is_cached(
    shop: pytest.Pytester,
) -> None:
    """Cold, the controller analyses before the workers start (they read its cache);
    warm, the workers start first and the controller reads the cache while they import
    the app. The reports are the same either way."""
    shop.makeconftest(SETUP_SPY)
    log = shop.path / "setup.log"
    cold = shop.runpytest_subprocess("--apiposture", "-n", "2", "--apiposture-json=cold.json")
    assert log.read_text().splitlines() == ["app imported"]
    warm = shop.runpytest_subprocess("--apiposture", "-n", "2", "--apiposture-json=warm.json")
    assert log.read_text().splitlines() == ["app imported", "app not imported"]
    headers = [
        next(line for line in run.outlines if line.startswith("apiposture: app="))
        for run in (cold, warm)
    ]
    assert headers == [
        "apiposture: app=e2e_shop.main:app framework=fastapi routes=8 rules=14 "
        "mode=static+probes identities=0",
        "apiposture: app=e2e_shop.main:app mode=static+probes: analysed from the cache while "
        "the xdist workers start (the summary gives the counts)",
    ]
    assert warm.ret == cold.ret == pytest.ExitCode.TESTS_FAILED
    assert warm.outlines[-1].split(" in ")[0] == cold.outlines[-1].split(" in ")[0]
    reports = [json.loads((shop.path / f"{run}.json").read_text()) for run in ("cold", "warm")]
    findings = [
        sorted((f["code"], f["method"], f["path"], f["severity"]) for f in r["findings"])
        for r in reports
    ]
    assert findings[0] == findings[1] and findings[0]
    assert [len(r["endpoints"]) for r in reports] == [len(reports[0]["endpoints"])] * 2
    # a file the stored result read has changed: analysed first again, once for all
    main = shop.path / "e2e_shop" / "main.py"
    main.write_text(main.read_text() + "\n# edited\n")
    shop.runpytest_subprocess("--apiposture", "-n", "2")
    # the committed spec is rewritten by the controller alone: before the workers read it
    shop.runpytest_subprocess(
        "--apiposture", "-n", "2", "--apiposture-spec=openapi.json", "--apiposture-update-spec"
    )
    assert log.read_text().splitlines() == [
        "app imported", "app not imported", "app imported", "app imported"
    ]  # fmt: skip
