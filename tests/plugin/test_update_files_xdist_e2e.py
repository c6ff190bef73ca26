"""``--apiposture-update-spec`` and ``--apiposture-update-baseline`` under ``-n 2``: only the
xdist controller writes the file, once, and the file is the one a serial run writes."""

from __future__ import annotations

import json

import pytest

STATIC = ("--apiposture", "--apiposture-static-only", "-p", "no:cacheprovider")
# every process (controller and workers) logs who calls the two writers
SPY = """
import os

import pytest_apiposture.openapi.spec as spec
import pytest_apiposture.report.write as write

LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "writes.log")


def _spy(name, original):
    def wrapper(*args, **kwargs):
        with open(LOG, "a") as fh:
            fh.write(f"{name} {os.environ.get('PYTEST_XDIST_WORKER', 'controller')}\\n")
        return original(*args, **kwargs)

    return wrapper


spec.write_snapshot = _spy("spec", spec.write_snapshot)
write.write_baseline = _spy("baseline", write.write_baseline)
"""


@pytest.fixture(autouse=True)
def _not_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # run under `pytest -n 2` itself, this process is a worker: its PYTEST_XDIST_WORKER
    # would leak into the inner controller and make it log as one
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


def writes(shop: pytest.Pytester) -> list[str]:
    log = shop.path / "writes.log"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def test_update_spec_under_xdist_is_written_by_the_controller_only(
    shop: pytest.Pytester,
) -> None:
    shop.makeconftest(SPY)
    spec = shop.path / "openapi.json"
    result = shop.runpytest_subprocess(
        *STATIC, "-n", "2", "--apiposture-spec=openapi.json", "--apiposture-update-spec"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the shop's open POST /items
    assert writes(shop) == ["spec controller"]
    written = json.loads(spec.read_text())
    # the app's own generated schema, all of it
    shop.syspathinsert()
    from e2e_shop.main import app  # type: ignore[import-not-found]

    assert written == json.loads(json.dumps(app.openapi()))
    # an up-to-date spec: no drift item fails on the next run
    again = shop.runpytest_subprocess(*STATIC, "-n", "2", "--apiposture-spec=openapi.json")
    assert not [line for line in again.outlines if line.startswith("FAILED") and "APS90" in line]
    assert writes(shop) == []


def test_update_baseline_under_xdist_is_written_by_the_controller_only(
    shop: pytest.Pytester,
) -> None:
    shop.makeconftest(SPY)
    options = ("--apiposture-baseline=baseline.json", "--apiposture-update-baseline")
    serial = shop.runpytest_subprocess(*STATIC, *options)
    assert serial.ret == pytest.ExitCode.TESTS_FAILED
    assert writes(shop) == ["baseline controller"]
    from_serial = json.loads((shop.path / "baseline.json").read_text())
    (shop.path / "baseline.json").unlink()

    parallel = shop.runpytest_subprocess(*STATIC, "-n", "2", *options)
    assert parallel.ret == pytest.ExitCode.TESTS_FAILED
    assert writes(shop) == ["baseline controller"]
    from_parallel = json.loads((shop.path / "baseline.json").read_text())
    assert from_parallel == from_serial
    assert from_parallel["findings"], "the shop has findings to accept"
    # the written baseline accepts every finding: the next parallel run passes
    accepted = shop.runpytest_subprocess(*STATIC, "-n", "2", "--apiposture-baseline=baseline.json")
    assert accepted.ret == pytest.ExitCode.OK
    assert writes(shop) == []
