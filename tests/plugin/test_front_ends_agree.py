"""``pytest --apiposture`` and ``apiposture scan --probe`` tell the same story.

Both front ends read one verdict (verdict.decide): on the same app with the same options
they must report the same findings, write the same JSON report and exit the same way.
The sample apps (with their real probes, two identities) and the refutation fixture,
whose route is disproved at run time, are the cases. The sample apps' conftests are
left out (``--noconftest``): the CLI cannot read pytest fixtures, so identities are
given as options to both. Every name a probe creates carries the run's nonce, new per
run by design (one value for all the items and xdist workers of a run); the two runs
compared here are given the same one, so their reports can be compared byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from test_refutation_e2e import GATED

SAMPLES = Path(__file__).resolve().parents[2] / "sample_apps"
# the hardened apps draw a random signing key per process unless one is configured;
# the tokens made here must verify in the runs below
KEYS = {"SAFESHOP_SECRET_KEY": "front-ends-agree", "SAFENOTES_SECRET_KEY": "front-ends-agree"}
TOKEN_MAKERS = {
    "fastapi_vulnerable": "vulnshop.security:create_access_token",
    "fastapi_hardened": "safeshop.security:create_access_token",
    "flask_vulnerable": "vulnnotes.auth:create_token",
    "flask_hardened": "safenotes.auth:create_token",
}


NONCE = "frontends"  # the run nonce both front ends are given
# the apps put their database in a new temporary folder per process, and a probe's
# evidence can show its path: one fixed path, emptied before each run
DATABASES = ("SAFESHOP_DB", "VULNSHOP_DB", "SAFENOTES_DB", "VULNNOTES_DB")


def run(args: list[str], cwd: Path, data: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **KEYS}
    if data is not None:
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        env.update({name: str(data / "app.db") for name in DATABASES})
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def tokens(project: Path, maker: str) -> list[str]:
    module, func = maker.split(":")
    code = f"from {module} import {func} as make; print(make('alice')); print(make('bob'))"
    done = run([sys.executable, "-c", code], project)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def both(
    project: Path, identities: list[str], tmp_path: Path, workers: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """(pytest's exit code and JSON report, the CLI's), same app, same options."""
    pytest_json, cli_json, data = tmp_path / "pytest.json", tmp_path / "cli.json", tmp_path / "db"
    plugin = run(
        [
            sys.executable, "-m", "pytest", "--apiposture", "--noconftest",
            "-p", "no:cacheprovider", "-p", "no:randomly", "-q", *workers,
            f"--apiposture-json={pytest_json}", f"--apiposture-probe-nonce={NONCE}",
            *(f"--apiposture-identity={i}" for i in identities),
        ],
        project,
        data,
    )  # fmt: skip
    cli = run(
        [
            sys.executable, "-m", "pytest_apiposture.cli", "scan", "--probe",
            "--json-out", str(cli_json), f"--probe-nonce={NONCE}",
            *(f"--identity={i}" for i in identities),
        ],
        project,
        data,
    )  # fmt: skip
    assert pytest_json.exists(), plugin.stdout[-3000:] + plugin.stderr[-3000:]
    assert cli_json.exists(), cli.stderr[-3000:]
    return (
        (plugin.returncode, json.loads(pytest_json.read_text())),
        (cli.returncode, json.loads(cli_json.read_text())),
    )


def decided(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return sorted(
        (f["code"], f["method"], f["path"], f["severity"], f["confidence"])
        for f in report["findings"]
    )


def assert_same_story(plugin: tuple[int, Any], cli: tuple[int, Any]) -> None:
    (plugin_exit, plugin_report), (cli_exit, cli_report) = plugin, cli
    assert decided(plugin_report) == decided(cli_report)
    assert plugin_report == cli_report  # the report carries no timing field
    assert plugin_exit == cli_exit


@pytest.mark.slow
@pytest.mark.parametrize("sample", sorted(TOKEN_MAKERS))
def test_sample_apps_get_one_verdict(sample: str, tmp_path: Path) -> None:
    project = SAMPLES / sample
    alice, bob = tokens(project, TOKEN_MAKERS[sample])
    identities = [f"alice=Authorization: Bearer {alice}", f"bob=Authorization: Bearer {bob}"]
    plugin, cli = both(project, identities, tmp_path / "reports")
    assert_same_story(plugin, cli)
    # the vulnerable twins fail (1), the hardened twins pass (0), in both front ends
    assert plugin[0] == (1 if sample.endswith("vulnerable") else 0)
    # and only the vulnerable twins have a hole a probe confirmed
    probed = [f for f in plugin[1]["findings"] if f["code"][3] in "12357" and f["code"][4] == "5"]
    assert bool(probed) == sample.endswith("vulnerable")


@pytest.mark.slow
@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_refuted_finding_is_lowered_by_both(tmp_path: Path, workers: tuple[str, ...]) -> None:
    project = tmp_path / "gated"
    for name, text in GATED.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (project / "pyproject.toml").write_text('[tool.apiposture]\napp = "gated.app:app"\n')
    plugin, cli = both(project, ["alice=Authorization: Bearer good"], tmp_path / "reports", workers)
    assert_same_story(plugin, cli)
    notes = {(f["method"], f["path"], f["code"]): f for f in cli[1]["findings"]}
    lowered = notes[("GET", "/notes", "APS201")]
    assert (lowered["severity"], lowered["confidence"]) == ("low", "likely")
    assert "refuted at run time by APS251" in lowered["message"]
    still_open = notes[("GET", "/open", "APS201")]
    assert (still_open["severity"], still_open["confidence"]) == ("high", "likely")
    assert cli[0] == 1  # /open has no authentication: the build fails in both
