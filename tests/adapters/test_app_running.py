"""Routes that exist once the app runs, guards around mounts, and mounted schemas.

The pipeline enumerates inside ``adapter.running(app)``: the lifespan (or startup
handlers) started, lazily built sub-apps built by one in-process request. Runs on both
FastAPI route shapes (flat before 0.137, a tree after).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("fastapi")

from pytest_apiposture.adapters import _startup
from pytest_apiposture.adapters._startup import has_startup, lazy_mounts
from pytest_apiposture.adapters.fastapi import FastAPIAdapter
from pytest_apiposture.adapters.flask import FlaskAdapter
from pytest_apiposture.config import build_settings
from pytest_apiposture.model import Auth, ModelField
from pytest_apiposture.pipeline import Analysis, analyse

FIXTURES = Path(__file__).parent / "fastapi_fixtures"
ADAPTER = FastAPIAdapter()


@pytest.fixture(scope="module")
def fx() -> ModuleType:
    sys.path.insert(0, str(FIXTURES))
    try:
        return importlib.import_module("fa_fx_startup")
    finally:
        sys.path.remove(str(FIXTURES))


def run_pipeline(target: str, *, startup: bool = True) -> Analysis:
    """A static-only run; ``startup``: with the option that starts the app anyway."""
    options = {"app": target, "audit": False, "static_only": True, "startup": startup}
    return analyse(build_settings(FIXTURES, options))


def keys(analysis: Analysis) -> set[str]:
    return {route.key for route in analysis.posture.routes}


DOCS = {"GET /openapi.json", "GET /docs", "GET /docs/oauth2-redirect", "GET /redoc"}


def test_has_startup_sees_a_lifespan_behind_included_routers(fx: ModuleType) -> None:
    assert has_startup(fx.lifespan_app) is True
    assert has_startup(fx.startup_app) is True
    # include_router wraps the default lifespan too; that alone starts nothing
    assert has_startup(fx.no_startup_app) is False


def test_routes_added_by_the_lifespan_are_enumerated() -> None:
    analysis = run_pipeline("fa_fx_startup:lifespan_app")
    assert analysis.posture.error is None
    assert keys(analysis) == DOCS | {"GET /included", "GET /late"}


def test_routes_added_by_startup_handlers_are_enumerated() -> None:
    assert keys(run_pipeline("fa_fx_startup:startup_app")) == DOCS | {"GET /started"}


def test_a_run_that_sends_no_requests_does_not_start_the_app(fx: ModuleType) -> None:
    """The startup is the app's code (migrations, services): a static run skips it, says
    so, and lists the routes registered before it."""
    before = fx.lifespan_runs.count
    analysis = run_pipeline("fa_fx_startup:counted_app", startup=False)
    assert fx.lifespan_runs.count == before
    assert analysis.startup_skipped is True
    assert keys(analysis) == DOCS | {"GET /included"}
    started = run_pipeline("fa_fx_startup:counted_app")
    assert fx.lifespan_runs.count == before + 1
    assert started.startup_skipped is False
    assert keys(started) == DOCS | {"GET /included", "GET /counted"}


def test_an_app_whose_own_routes_all_come_at_startup_is_started_anyway() -> None:
    analysis = run_pipeline("fa_fx_startup:startup_only_app", startup=False)
    assert keys(analysis) == DOCS | {"GET /own"}
    assert analysis.startup_skipped is False


def test_a_probing_run_starts_the_app(fx: ModuleType) -> None:
    before = fx.lifespan_runs.count
    settings = build_settings(FIXTURES, {"app": "fa_fx_startup:counted_app", "audit": False})
    analysis = analyse(settings, keep_running=True)
    try:
        assert fx.lifespan_runs.count == before + 1
        assert "GET /counted" in keys(analysis)
    finally:
        analysis.close()
    # the controller of an xdist run keeps nothing running but lists what workers will
    assert "GET /counted" in keys(analyse(settings, start=True))


def test_a_failing_lifespan_is_a_note_and_the_routes_still_count() -> None:
    analysis = run_pipeline("fa_fx_startup:failing_app")
    assert analysis.posture.error is None
    assert keys(analysis) == DOCS | {"GET /always", "GET /before-failure"}
    notes = [n for n in analysis.posture.notes if "lifespan/startup failed" in n]
    assert len(notes) == 1
    assert "RuntimeError: database unreachable" in notes[0]


def test_a_startup_that_never_finishes_is_abandoned_with_a_note(
    fx: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_startup, "STARTUP_TIMEOUT", 0.2)
    try:
        with ADAPTER.running(fx.hanging_app) as notes:
            keys = {r.key for r in ADAPTER.routes(fx.hanging_app)}
    finally:
        fx.release_startup.set()  # let the abandoned thread finish
    assert "GET /always" in keys
    assert notes == [
        "the app's lifespan/startup did not finish in 0.2 s; routes it would register are "
        "missing: make startup work in tests (a test database, env vars) or pass an app factory"
    ]


def test_an_app_without_startup_is_not_started(fx: ModuleType) -> None:
    with ADAPTER.running(fx.no_startup_app) as notes:
        assert notes == []
    assert lazy_mounts(fx.no_startup_app) == []


def test_a_sub_app_that_builds_its_routes_on_first_request_is_built(fx: ModuleType) -> None:
    assert lazy_mounts(fx.lazy_app) == ["/lazy"]
    analysis = run_pipeline("fa_fx_startup:lazy_app")
    assert "GET /lazy/v1/thing" in keys(analysis)


def test_a_route_registered_twice_is_one_route_with_a_note(fx: ModuleType) -> None:
    enumeration = ADAPTER.enumerate(fx.twice_app)
    assert [r.key for r in enumeration.routes].count("GET /included") == 1
    assert any("1 route registration(s) repeat" in n for n in enumeration.notes)


def test_app_middleware_is_a_guard_of_its_routes_and_of_mounted_ones(fx: ModuleType) -> None:
    routes = {r.key: r for r in ADAPTER.routes(fx.guarded_app)}
    for key in ("GET /data", "GET /sub/thing"):
        middleware = [(g.origin, g.name) for g in routes[key].guards]
        # GZipMiddleware is the framework's own: not a guard candidate
        assert middleware == [("middleware", "fa_fx_startup.require_bearer")], key
        location = routes[key].guards[0].location
        assert location is not None
        assert location.line == line_of("async def require_bearer(")


def test_middleware_that_answers_401_makes_its_routes_authenticated() -> None:
    analysis = run_pipeline("fa_fx_startup:guarded_app")
    auth = {r.key: r.auth for r in analysis.posture.routes}
    assert auth["GET /data"] == Auth.AUTHENTICATED
    assert auth["GET /sub/thing"] == Auth.AUTHENTICATED


def test_flask_has_nothing_to_start() -> None:
    from flask import Flask

    with FlaskAdapter().running(Flask("x")) as notes:
        assert notes == []


def test_mounted_fastapi_schemas_join_under_their_prefix(fx: ModuleType) -> None:
    before = fx.schemas_app.openapi()
    own = dict(before["paths"])
    schema = ADAPTER.openapi(fx.schemas_app)
    assert schema is not None
    assert set(schema["paths"]) == {"/top", "/api/pools"}  # /hidden publishes no schema
    assert set(schema["paths"]["/api/pools"]) == {"get", "post"}
    assert "Pool" in str(schema["components"]["schemas"])
    assert fx.schemas_app.openapi()["paths"] == own  # the app's served schema is untouched


def test_shadow_findings_skip_routes_documented_by_a_mounted_schema() -> None:
    analysis = run_pipeline("fa_fx_startup:schemas_app")
    shadows = {f.route_key for f in analysis.posture.findings if f.code == "APS901"}
    assert shadows == {"GET /hidden/secret-ish"}


def test_a_mounted_flask_app_joins_the_schema_with_its_own_spec_or_is_one_finding() -> None:
    pytest.importorskip("apiflask")
    analysis = run_pipeline("fa_fx_flask_mounts:app")
    assert analysis.schema is not None
    assert {"/top", "/flask-api/notes"} <= set(analysis.schema["paths"])
    shadows = [
        (f.route_key, f.severity.value, f.message)
        for f in analysis.posture.findings
        if f.code == "APS901"
    ]
    # documented by APIFlask: checked route by route, so the hidden one shows; the plain
    # Flask app publishes nothing: one finding for the whole app, not one per route
    assert shadows == [
        (
            "GET /flask-api/internal",
            "high",
            "GET /flask-api/internal is served but hidden from the generated schema (served by a "
            "sub-application mounted at /flask-api) and has no authentication",
        ),
        (
            "",
            "low",
            "2 routes of the flask app mounted at /legacy are absent from the generated schema: "
            "that app publishes no schema of its own (2 of them without authentication)",
        ),
    ]


def test_model_fields_carry_the_wire_name_of_each_side(fx: ModuleType) -> None:
    routes = {r.key: r for r in ADAPTER.routes(fx.schemas_app)}
    assert routes["GET /api/pools"].response_fields == (
        ModelField("pool", "str", True, "name"),
        ModelField("slots", "int", True, None),
    )
    assert routes["POST /api/pools"].body_fields == (
        ModelField("pool", "str", True, None),
        ModelField("slots", "int", True, "slot_count"),
    )


def line_of(marker: str) -> int:
    lines = (FIXTURES / "fa_fx_startup.py").read_text().splitlines()
    hits = [number for number, text in enumerate(lines, 1) if marker in text]
    assert len(hits) == 1, hits
    return hits[0]
