"""connexion apps are enumerated and probed: connexion 2 (WSGI, Flask 2.2) and 3 (ASGI).

The same fixture app (``px_connexion_app``) runs on both: the tests here run on whichever
connexion is installed (3 with the test extras, 2 in CI's oldest stack); the ones that
are about connexion 2 itself skip where it is not installed.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType

import pytest

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.cli import main

from .harness import Probed, probe_all

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ALICE = {"alice": {"Authorization": "Bearer t-alice"}}
VERIFY = "px_connexion_app.verify"


def connexion_major() -> int | None:
    try:
        return int(version("connexion").split(".")[0])
    except PackageNotFoundError:
        return None


connexion2 = pytest.mark.skipif(
    connexion_major() != 2, reason="connexion 2 is not installed (CI's oldest stack has it)"
)


@pytest.fixture(scope="module")
def cx() -> ModuleType:
    pytest.importorskip("connexion")
    return importlib.import_module(f"{__package__}.fixtures.px_connexion_app")


def test_routes_are_the_specs_operations_with_their_guards(cx: ModuleType) -> None:
    routes = {r.key: r for r in select_adapter(cx.app).routes(cx.app)}
    module = cx.__name__
    api = {key: r for key, r in routes.items() if key.split()[1].startswith("/api/")}
    assert {key: r.handler for key, r in api.items() if "/openapi." not in key} == {
        "GET /api/report": f"{module}:report",
        "GET /api/notes": f"{module}:list_notes",
        "GET /api/me": f"{module}:read_me",
        "GET /api/boom": f"{module}:boom",
    }
    assert {
        key: [(g.name, g.origin, g.auto_error) for g in r.guards] for key, r in api.items()
    } == {
        "GET /api/report": [],
        "GET /api/notes": [],  # its middleware is invisible to the static pass
        "GET /api/me": [(f"{module}.verify", "middleware", True)],
        "GET /api/boom": [],
        # connexion 2 serves the spec from the inner Flask app, connexion 3 outside it
        **(
            {"GET /api/openapi.json": [], "GET /api/openapi.yaml": []}
            if connexion_major() == 2
            else {}
        ),
    }
    assert routes["GET /api/me"].guards[0].func is cx.verify


@pytest.fixture(scope="module")
def probed(cx: ModuleType) -> Probed:
    return probe_all(cx.app, identities=ALICE)


def test_probes_confirm_one_missing_auth_and_refute_another(probed: Probed) -> None:
    missing_auth = {
        route: (
            [(f.severity.value, f.confidence.value, f.message) for f in outcome.findings],
            outcome.refutes,
            outcome.skipped,
        )
        for (code, route), outcome in probed.outcomes.items()
        if code == "APS251" and route.startswith("GET /api/")
        if "/openapi." not in route and route != "GET /api/boom"
    }
    assert missing_auth == {
        "GET /api/report": (
            [
                (
                    "high",
                    "confirmed",
                    "GET /api/report answered 200 to an anonymous request: the route has "
                    "no authentication",
                )
            ],
            (),
            None,
        ),
        # refused by the middleware: the static APS201 is disproved
        "GET /api/notes": ([], ("APS201", "APS202"), None),
        "GET /api/me": ([], ("APS201", "APS202"), None),
    }


def test_scan_confirms_the_open_route_and_lowers_the_refuted_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cx: ModuleType
) -> None:
    shutil.copy(FIXTURES / "px_connexion_app.py", tmp_path)
    argv = ["scan", "--app", "px_connexion_app:app", "--root", str(tmp_path), "--probe"]
    code = main([*argv, "--json", "--no-audit", "--identity=alice=Authorization: Bearer t-alice"])
    findings = {
        (f["code"], f["method"], f["path"], f["severity"], f["confidence"])
        for f in json.loads(capsys.readouterr().out)["findings"]
    }
    assert findings == {
        ("APS201", "GET", "/api/report", "high", "likely"),
        ("APS251", "GET", "/api/report", "high", "confirmed"),
        ("APS201", "GET", "/api/notes", "low", "likely"),  # refuted at run time
        ("APS201", "GET", "/api/boom", "high", "likely"),  # its probe could not tell (500)
    }
    assert code == 1


@connexion2
def test_connexion2_is_probed_over_wsgi_through_its_inner_flask_app(cx: ModuleType) -> None:
    from connexion.apps.flask_app import FlaskApp

    assert isinstance(cx.app, FlaskApp)
    transport = select_adapter(cx.app).transport(cx.app)
    assert (transport.protocol, transport.app) == ("wsgi", cx.app.app)
    assert transport.report_errors is not None  # the exceptions behind its 500s reach us


def test_the_exception_behind_a_500_is_named_on_connexion2(cx: ModuleType, probed: Probed) -> None:
    """On connexion 2 the inner Flask app answers the 500 itself (through connexion's
    error handler) and, on Flask 2.2 without blinker, sends no signal: the adapter's
    teardown hook still reports the exception. connexion 3 answers it in its own ASGI
    exception middleware, out of the probes' sight: the 500 alone."""
    outcome = probed.outcomes[("APS251", "GET /api/boom")]
    if connexion_major() != 2:
        assert outcome.skipped == "anonymous: GET /api/boom -> 500; cannot tell"
        return
    lines = Path(cx.__file__).read_text().splitlines()
    line = next(no for no, text in enumerate(lines, 1) if "1 / 0" in text)
    assert outcome.skipped == (
        "anonymous: GET /api/boom -> 500 (raised ZeroDivisionError: division by zero "
        f"(at {os.path.relpath(cx.__file__)}:{line} in boom)); cannot tell"
    )
