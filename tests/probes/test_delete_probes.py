"""DELETE is probed on objects the probe created, never on existing data, within the settings."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_apiposture.model import Confidence, Severity
from pytest_apiposture.probes import ProbeSettings

from .fixtures import px_delete_app
from .harness import probe_all

AB = {"alice": {"Authorization": "Bearer t-alice"}, "bob": {"Authorization": "Bearer t-bob"}}


APPS = pytest.mark.parametrize(
    "app", [px_delete_app.app, px_delete_app.flask_app], ids=["fastapi", "flask"]
)


def delete_outcomes(
    settings: ProbeSettings, app: Any = px_delete_app.app
) -> tuple[dict[tuple[str, str], object], bool]:
    states: list[set[int]] = []

    def reset() -> None:
        states.append(set(px_delete_app.NOTES))
        px_delete_app.reset()

    probed = probe_all(app, identities=AB, reset=reset, settings=settings)
    states.append(set(px_delete_app.NOTES))
    outcomes: dict[tuple[str, str], object] = {
        key: ([(f.severity, f.confidence, f.message) for f in o.findings], o.skipped)
        for key, o in probed.outcomes.items()
        if key[1].startswith("DELETE")
    }
    return outcomes, all({1, 2} <= state for state in states)


@APPS
def test_delete_confirmed_refuted_and_no_seed_deleted(app: Any) -> None:
    outcomes, seed_kept = delete_outcomes(ProbeSettings(timeout=2.0), app)
    assert seed_kept
    assert outcomes == {
        ("APS251", "DELETE /notes/{note_id}"): ([], None),
        ("APS151", "DELETE /notes/{note_id}"): (
            [(Severity.CRITICAL, Confidence.CONFIRMED,
              "bob changed alice's object with DELETE /notes/3 (alice created it with "
              "POST /notes); the anonymous control was refused (401)")],
            None,
        ),
        ("APS251", "DELETE /safe-notes/{note_id}"): ([], None),
        ("APS151", "DELETE /safe-notes/{note_id}"): ([], None),
        ("APS251", "DELETE /open-notes/{note_id}"): (
            [(Severity.HIGH, Confidence.CONFIRMED,
              "DELETE /open-notes/{note_id} answered 204 to an anonymous request: the "
              "route has no authentication")],
            None,
        ),
        ("APS151", "DELETE /open-notes/{note_id}"): (
            [],
            "DELETE /open-notes/{note_id} answers anonymous callers too (204): that is "
            "missing authentication (APS251), not object-level authorization",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    "settings",
    [
        ProbeSettings(timeout=2.0, probe_methods=frozenset({"GET", "POST"})),
        ProbeSettings(timeout=2.0, exclude=("DELETE /*",)),
    ],
    ids=["probe_methods-without-delete", "probe_exclude-delete"],
)
@APPS
def test_settings_keep_delete_out(settings: ProbeSettings, app: Any) -> None:
    outcomes, seed_kept = delete_outcomes(settings, app)
    assert (outcomes, seed_kept) == ({}, True)
