"""``pytest --apiposture`` keeps the app it started to list the routes for the probes.

The fixture app does not survive a restart (tests/probes/fixtures/px_lifetime_app.py):
with a second startup its every answer is a 500 and the probes could tell nothing. Each
xdist worker starts its own app once; the controller, which probes nothing, shuts its
app down right after the enumeration. The Flask twin (no lifespan) does not survive a
second app made by its factory: one factory call per process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "probes" / "fixtures" / "px_lifetime_app.py"


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
@pytest.mark.parametrize(
    "target",
    ["px_lifetime_app:app", "px_lifetime_app:create_flask_app()"],
    ids=["fastapi-lifespan", "flask-factory"],
)
def test_probes_see_the_app_enumeration_started(
    pytester: pytest.Pytester, workers: tuple[str, ...], target: str
) -> None:
    pytester.makepyfile(px_lifetime_app=FIXTURE.read_text())
    result = pytester.runpytest_subprocess(
        "--apiposture",
        f"--apiposture-app={target}",
        "--apiposture-identity=alice=Authorization: Bearer t-alice",
        "--apiposture-identity=bob=Authorization: Bearer t-bob",
        "--apiposture-no-audit",
        "--apiposture-json=report.json",
        "-p", "no:cacheprovider",
        *workers,
    )  # fmt: skip
    report = json.loads((pytester.path / "report.json").read_text())
    confirmed = {
        (f["code"], f["method"], f["path"], f["severity"])
        for f in report["findings"]
        if f["confidence"] == "confirmed"
    }
    assert confirmed == {
        ("APS251", "GET", "/report", "high"),
        ("APS151", "GET", "/notes/{note_id}", "high"),
    }
    assert "500" not in result.stdout.str()
    # the failing item's text ends with the repro: curl, credentials as $VARS, and the rerun
    result.stdout.fnmatch_lines(
        [
            "  repro:",
            '    curl -sS -i -X GET -H "Authorization: Bearer $APIPOSTURE_TOKEN_*" '
            '"${APIPOSTURE_URL:-http://127.0.0.1:8000}/notes/*"',
            "    pytest --apiposture 'px_lifetime_app.py::GET /notes/{note_id}'",
        ]
    )
