"""Every probe finding carries a repro: curl with credentials as $VARS, and the pytest rerun."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from pytest_apiposture.cli import main
from pytest_apiposture.probes.repro import curl
from pytest_apiposture.probes.transcript import Exchange

ROOT = Path(__file__).resolve().parent / "fixtures"
SCHEMA = Path(__file__).resolve().parents[1] / "report" / "data" / "apiposture-report.schema.json"
BOLA_REPRO = (
    'curl -sS -i -X GET -H "Authorization: Bearer $APIPOSTURE_TOKEN_BOB" '
    '"${APIPOSTURE_URL:-http://127.0.0.1:8000}/notes/1"\n'
    "pytest --apiposture 'px_lifetime_app.py::GET /notes/{note_id}'"
)


@pytest.fixture(autouse=True)
def fresh_app() -> Iterator[None]:
    sys.modules.pop("px_lifetime_app", None)
    yield
    sys.modules.pop("px_lifetime_app", None)


def test_curl_reads_secrets_from_the_environment_and_sends_the_body() -> None:
    exchange = Exchange(
        label="alice, create",
        route="POST /notes",
        method="POST",
        url="/notes?tag=a b",
        request_headers=(("Authorization", "Bearer t-alice"), ("X-Api-Key", "k-123")),
        request_body='{"title": "it\'s"}',
        status=201,
    )
    assert curl(exchange, frozenset({"authorization", "x-api-key"})) == (
        'curl -sS -i -X POST -H "Authorization: Bearer $APIPOSTURE_TOKEN_ALICE" '
        '-H "X-Api-Key: $APIPOSTURE_X_API_KEY_ALICE" '
        "-H 'Content-Type: application/json' --data-raw '{\"title\": \"it'\"'\"'s\"}' "
        '"${APIPOSTURE_URL:-http://127.0.0.1:8000}/notes?tag=a b"'
    )


def test_json_sarif_and_html_carry_the_repro(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif, html = tmp_path / "r.sarif", tmp_path / "r.html"
    main(
        [
            "scan", "--app", "px_lifetime_app:app", "--root", str(ROOT), "--probe", "--json",
            "--no-audit", "--sarif", str(sarif), "--html", str(html),
            "--identity=alice=Authorization: Bearer t-alice",
            "--identity=bob=Authorization: Bearer t-bob",
        ]
    )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(report)
    repros = {(f["code"], f["path"]): f.get("repro") for f in report["findings"]}
    assert repros[("APS151", "/notes/{note_id}")] == BOLA_REPRO
    assert repros[("APS251", "/report")] == (
        'curl -sS -i -X GET "${APIPOSTURE_URL:-http://127.0.0.1:8000}/report"\n'
        "pytest --apiposture 'px_lifetime_app.py::GET /report'"
    )
    assert repros[("APS201", "/report")] is None  # a static finding has none
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    bola = next(r for r in results if r["ruleId"] == "APS151")
    assert bola["properties"]["repro"] == BOLA_REPRO
    assert f"Reproduce:\n{BOLA_REPRO}" in bola["message"]["text"]
    assert (
        "<h4>Reproduce</h4><pre>curl -sS -i -X GET -H &quot;Authorization: Bearer "
        in html.read_text()
    )
    assert "t-bob" not in json.dumps(list(repros.values()))
