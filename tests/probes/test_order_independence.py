"""Items may run in any order and in any worker (pytest-xdist): results must not change."""

from __future__ import annotations

from pytest_apiposture.probes import PROBES, ProbeOutcome, ProbeSettings, run_probe

from .fixtures import px_fastapi_app
from .harness import context
from .test_probes_fixture_apps import ALICE_BOB, FASTAPI_CONFIRMED, FASTAPI_PUBLIC

SETTINGS = ProbeSettings(timeout=0.3, exclude=("GET /edge/*",))
Key = tuple[str, str]


def items() -> list[tuple[str, str]]:
    """(probe code, route key) of every item, in collection order."""
    with context(
        px_fastapi_app.app, identities=ALICE_BOB, public=FASTAPI_PUBLIC, settings=SETTINGS
    ) as ctx:
        return [(cls.code, r.key) for r in ctx.routes for cls in PROBES if cls().applies(r, ctx)]


def run(selection: list[tuple[str, str]]) -> dict[Key, ProbeOutcome]:
    """One worker: its own session, the given items in the given order."""
    probes = {cls.code: cls() for cls in PROBES}
    outcomes: dict[Key, ProbeOutcome] = {}
    with context(
        px_fastapi_app.app,
        identities=ALICE_BOB,
        public=FASTAPI_PUBLIC,
        settings=SETTINGS,
        reset=px_fastapi_app.reset,
    ) as ctx:
        routes = {r.key: r for r in ctx.routes}
        for code, key in selection:
            outcomes[(code, key)] = run_probe(probes[code], routes[key], ctx)
    return outcomes


def summary(outcomes: dict[Key, ProbeOutcome]) -> dict[Key, tuple[list[str], str | None]]:
    return {k: ([f.message for f in o.findings], o.skipped) for k, o in outcomes.items()}


def test_same_results_in_reverse_order_and_split_over_two_workers() -> None:
    order = items()
    forward = summary(run(order))
    backward = summary(run(order[::-1]))
    # like `-n 2 --dist load`: alternate items to two workers with separate sessions
    split = summary(run(order[0::2])) | summary(run(order[1::2]))
    assert backward == forward
    assert split == forward
    assert {k for k, (found, _) in forward.items() if found} == FASTAPI_CONFIRMED
