"""APS451: an absurd page size refused proves a bound (refutes APS401); accepted tells nothing."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Query

from pytest_apiposture.probes import PageSizeProbe, run_probe

from .harness import context

ROWS = [{"id": n} for n in range(3)]


def fetch(limit: int) -> list[dict[str, Any]]:
    """The data layer: where the bound lives, out of the static rule's sight."""
    if limit > 1000:
        raise HTTPException(status_code=400, detail="max_results must be at most 1000")
    return ROWS[:limit]


app = FastAPI()


@app.get("/bounded")
def bounded(max_results: int = Query(100)) -> list[dict[str, Any]]:
    return fetch(max_results)


@app.get("/unbounded")
def unbounded(limit: int = 50) -> list[dict[str, Any]]:
    return ROWS[:limit]


@app.get("/broken")
def broken(limit: int = 50) -> list[dict[str, Any]]:
    raise HTTPException(status_code=404)


@app.get("/plain")
def plain(offset: int = 0) -> list[dict[str, Any]]:
    return ROWS[offset:]


def outcomes() -> dict[str, Any]:
    probe = PageSizeProbe()
    with context(app) as ctx:
        return {r.key: run_probe(probe, r, ctx) for r in ctx.routes if probe.applies(r, ctx)}


def test_a_refused_page_size_refutes_the_static_finding_and_nothing_else_does() -> None:
    seen = outcomes()
    assert set(seen) == {"GET /bounded", "GET /unbounded", "GET /broken"}  # not /plain
    bounded = seen["GET /bounded"]
    assert (bounded.refutes, bounded.notes, bounded.findings, bounded.skipped) == (
        ("APS401",),
        ["max_results=10000000 -> 400: the app bounds it"],
        [],
        None,
    )
    unbounded, broken = seen["GET /unbounded"], seen["GET /broken"]
    assert (unbounded.refutes, unbounded.findings) == ((), [])
    assert unbounded.skipped == (
        "limit=10000000 -> 200: accepted; a silent clamp cannot be told from outside"
    )
    # a route that refuses even the valid request proves nothing about the bound
    assert (broken.refutes, broken.skipped) == ((), "the valid request got 404; cannot tell")


def test_the_static_codes_each_probe_can_disprove() -> None:
    from pytest_apiposture.probes import REFUTED_BY

    assert REFUTED_BY == {
        "APS201": "APS251",
        "APS202": "APS251",
        "APS101": "APS151",
        "APS305": "APS351",
        "APS401": "APS451",
    }
