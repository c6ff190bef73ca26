"""Issue 15: APS901 on routes that serve HTML pages or files, on real FastAPI and Flask apps.

A page or a file is what a browser asks for, not an operation an API schema lists: a
schema that leaves it out hides nothing, so APS901 is low and says what the route serves.
Hidden routes that answer data keep their severity.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Severity
from pytest_apiposture.openapi.drift import compare
from pytest_apiposture.static.pages import serves
from pytest_apiposture.static.source import SourceIndex

FIXTURES = Path(__file__).parent / "fixtures"


def _module() -> ModuleType:
    name = "drift_fixture_pages_apps"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FIXTURES / "pages_apps.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _shadows(app: Any, generated: dict[str, Any], framework: str) -> dict[str, Severity]:
    routes = select_adapter(app).routes(app)
    index = SourceIndex(FIXTURES)
    findings = compare(
        routes,
        generated=generated,
        committed=None,
        spec_path=None,
        knowledge=DEFAULT_KNOWLEDGE,
        framework=framework,
        serves=lambda route: serves(index, route),
    )
    return {f.route_key: f.severity for f in findings if f.code == "APS901"}


def test_fastapi_pages_and_files_are_low_shadows_and_data_routes_keep_their_severity() -> None:
    api = _module().api
    found = _shadows(api, api.openapi(), "fastapi")
    assert found == {
        "GET /dashboard": Severity.LOW,  # response_class=HTMLResponse (the adapter says)
        "GET /report": Severity.LOW,  # a template, through a local name
        "GET /download/{name}": Severity.LOW,  # a FileResponse
        "GET /ui/{path}": Severity.LOW,  # a StaticFiles subclass mounted
        "GET /internal/config": Severity.HIGH,  # data, no authentication
        "GET /mixed": Severity.HIGH,  # a page or data: data wins
    }


def test_flask_pages_and_files_are_low_shadows_and_data_routes_keep_their_severity() -> None:
    site = _module().site
    get = {"get": {"responses": {"200": {"description": "ok"}}}}
    generated = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}
    generated["paths"] = {"/api/notes": get}
    found = _shadows(site, generated, "flask")
    assert found == {
        "GET /": Severity.LOW,  # render_template
        "GET /exports/{name}": Severity.LOW,  # send_from_directory
        "GET /api/hidden": Severity.HIGH,  # jsonify: data
    }


def test_the_message_says_what_the_route_serves() -> None:
    api = _module().api
    routes = select_adapter(api).routes(api)
    index = SourceIndex(FIXTURES)
    findings = compare(
        routes,
        generated=api.openapi(),
        committed=None,
        spec_path=None,
        knowledge=DEFAULT_KNOWLEDGE,
        framework="fastapi",
        serves=lambda route: serves(index, route),
    )
    messages = {f.route_key: f.message for f in findings if f.code == "APS901"}
    assert messages["GET /report"] == (
        "GET /report is served but hidden from the generated schema: it serves an HTML page, "
        "not an API operation (auth: none)"
    )
    assert messages["GET /ui/{path}"].endswith("it serves files, not an API operation (auth: none)")
