"""The schema cache in real runs: a developer's second run does not generate the app's
OpenAPI schema again, and under ``-n 2`` the controller generates it and the workers
read what it stored."""

from __future__ import annotations

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
