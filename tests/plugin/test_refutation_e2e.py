"""A static suspicion the probe disproves is lowered, not failed, and the report says so."""

from __future__ import annotations

import json
import re

import pytest
from e2e_helpers import failed_ids, write_project

# Authentication in a WSGI middleware around app.wsgi_app: the static pass cannot see it
# (no hook, no decorator), the anonymous probe gets 401. /open has no such protection.
GATED = {
    "gated/__init__.py": "",
    "gated/app.py": """
        import logging

        from flask import Flask, jsonify


        class RequireToken:
            def __init__(self, wsgi_app):
                self.wsgi_app = wsgi_app

            def __call__(self, environ, start_response):
                path = environ.get("PATH_INFO", "")
                token = environ.get("HTTP_AUTHORIZATION", "")
                if path.startswith("/notes") and token != "Bearer good":
                    start_response("401 UNAUTHORIZED", [("Content-Type", "text/plain")])
                    return [b"unauthorized"]
                return self.wsgi_app(environ, start_response)


        app = Flask(__name__)
        app.wsgi_app = RequireToken(app.wsgi_app)


        @app.get("/notes")
        def list_notes():
            return jsonify([{"id": 1, "text": "hello"}])


        @app.get("/open")
        def open_notes():
            print("NOISY-APP-OUTPUT")  # the app's own output while a probe calls it
            logging.getLogger("gated").error("NOISY-APP-LOG")
            return jsonify([{"id": 2, "text": "anyone"}])
    """,
}
ARGS = (
    "--apiposture",
    "-p", "no:cacheprovider",
    "-rf",
    "--apiposture-identity=alice=Authorization: Bearer good",
    "--apiposture-json=report.json",
)  # fmt: skip


def failure_section(result: pytest.RunResult, name: str) -> str:
    """The text pytest prints under ``____ name ____`` in FAILURES."""
    text = result.stdout.str()
    start = re.search(rf"^_+ {re.escape(name)} _+$", text, re.M)
    assert start is not None, f"no failure section for {name}"
    end = re.search(r"^(_{3,} .* _{3,}|={3,} .* ={3,})$", text[start.end() :], re.M)
    return text[start.end() : start.end() + end.start()] if end else text[start.end() :]


@pytest.fixture
def gated(pytester: pytest.Pytester) -> pytest.Pytester:
    write_project(pytester, GATED)
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\napiposture_app = "gated.app:app"\n')
    return pytester


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_a_refuted_missing_auth_finding_is_lowered_not_failed(
    gated: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    result = gated.runpytest_subprocess(*ARGS, *workers, "-k", "APS201 or APS251")
    assert failed_ids(result) == {"gated/app.py::GET /open"}
    # the item reports the finding, not the app's logs of the probes it ran
    assert "NOISY-APP" not in failure_section(result, "GET /open")
    report = json.loads((gated.path / "report.json").read_text())
    missing = {f["path"]: f for f in report["findings"] if f["code"] == "APS201"}
    assert missing["/open"]["severity"] == "high"
    assert missing["/notes"]["severity"] == "low"
    assert missing["/notes"]["message"] == (
        "GET /notes is not public and no guard rejects anonymous callers (refuted at run time "
        "by APS251: anonymous -> 401, invalid credential -> 401: enforced)"
    )


def test_static_only_runs_no_probe_and_keeps_the_finding(gated: pytest.Pytester) -> None:
    result = gated.runpytest_subprocess(*ARGS, "--apiposture-static-only", "-k", "APS201")
    assert failed_ids(result) == {"gated/app.py::GET /notes", "gated/app.py::GET /open"}
