"""APS352's decisions (exposure.py), pinned with cases that must be flagged and ones that
must not (issue 19): which answers hand the caller a credential (by path, or a write that
carried a secret), which are scanned at all, what counts as the caller's own credential,
and what a declared response model allows."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Confidence, Route, Severity
from pytest_apiposture.probes import (
    DataExposureProbe,
    MissingAuthProbe,
    ProbeOutcome,
    ProbeRequest,
    ProbeSettings,
    run_probe,
)
from pytest_apiposture.probes.exposure import Exposure, _carried, declared_fields, exposures, scan
from pytest_apiposture.probes.run import ProbeRun
from pytest_apiposture.probes.shape import Shape
from pytest_apiposture.probes.transcript import Exchange

from .harness import context

KEY = "ak-0123456789abcdef"
app = FastAPI()


class Rotation(BaseModel):
    password: str | None = None
    note: str | None = None


class Title(BaseModel):
    title: str


class Secret(BaseModel):
    password: str


@app.post("/rotate")
def rotate(body: Rotation) -> dict[str, str]:
    """The same answer whether or not the request carried a password."""
    return {"token": KEY}


@app.get("/api-keys")
def api_keys() -> dict[str, str]:
    return {"api_key": KEY}


@app.get("/audit")
def audit() -> dict[str, str]:
    return {"api_key": KEY}


@app.get("/lookup")
def lookup(body: Secret) -> dict[str, str]:
    """A read that takes a password in its body: still no write that logs anyone in."""
    return {"token": KEY}


@app.post("/notes")
def create_note(body: Title) -> dict[str, Any]:
    return {"id": 1, "title": body.title, "api_key": KEY}


@app.get("/refusal")
def refusal() -> Any:
    return JSONResponse({"detail": "no", "password": "hunter2"}, status_code=403)


def probe(key: str) -> ProbeOutcome:
    with context(app, settings=ProbeSettings(timeout=2.0)) as ctx:
        return run_probe(DataExposureProbe(), next(r for r in ctx.routes if r.key == key), ctx)


def findings(outcome: ProbeOutcome) -> list[tuple[str, Severity, Confidence, int | None, str]]:
    return [(f.code, f.severity, f.confidence, f.cwe, f.message) for f in outcome.findings]


def test_a_key_handed_to_every_caller_is_an_exposure_with_its_cwe() -> None:
    assert findings(probe("GET /audit")) == [
        ("APS352", Severity.HIGH, Confidence.CONFIRMED, 213,
         "GET /audit returned $.api_key (sensitive field)")
    ]  # fmt: skip


def test_a_route_named_for_issuing_keys_may_answer_one() -> None:
    outcome = probe("GET /api-keys")
    assert (outcome.findings, outcome.skipped) == ([], None)
    assert outcome.notes == ["scanned 1 JSON response(s): nothing sensitive"]


def test_a_write_or_a_read_without_a_secret_in_its_request_issues_nothing() -> None:
    assert findings(probe("POST /notes")) == [
        ("APS352", Severity.HIGH, Confidence.CONFIRMED, 213,
         "POST /notes returned $.api_key (sensitive field)")
    ]  # fmt: skip
    # a GET that sent a password in its body is no login: the token is exposed
    lookup = probe("GET /lookup")
    assert '"password"' in lookup.transcript[0].request_body
    assert findings(lookup) == [
        ("APS352", Severity.HIGH, Confidence.CONFIRMED, 213,
         "GET /lookup returned $.token (sensitive field)")
    ]  # fmt: skip


def test_one_answer_scanned_as_an_issuers_and_as_a_leak_is_not_confused() -> None:
    with context(app) as ctx:
        assert ctx.session is not None
        run = ProbeRun(ctx, ctx.session)
        route = next(r for r in ctx.routes if r.key == "POST /rotate")
        with_secret = run.send(
            route, ProbeRequest("POST", "/rotate", json={"password": "pw"}), None
        )
        without = run.send(route, ProbeRequest("POST", "/rotate", json={"note": "n"}), None)
        assert with_secret.body == without.body
        assert exposures(route, run, [with_secret]) == set()  # a login answers a token
        assert exposures(route, run, [without]) == {Exposure("$.token", "sensitive field")}


def test_refusals_are_not_scanned_for_what_they_expose() -> None:
    with context(app, settings=ProbeSettings(timeout=2.0)) as ctx:
        route = next(r for r in ctx.routes if r.key == "GET /refusal")
        outcome = run_probe(MissingAuthProbe(), route, ctx)
    assert (outcome.refutes, outcome.exposures) == (("APS201", "APS202"), [])


def test_a_flag_under_a_sensitive_key_exposes_nothing() -> None:
    doc = {"password": True, "token": False, "pin": 0, "secret": "s3"}
    assert scan(doc, DEFAULT_KNOWLEDGE, None, False) == [
        Exposure("$.pin", "sensitive field"),
        Exposure("$.secret", "sensitive field"),
    ]


def test_the_credentials_a_request_carried_are_its_header_values_and_their_tokens() -> None:
    sent = Exchange(
        "alice", "GET /x", "GET", "/x",
        request_headers=(
            ("authorization", "Bearer 12345678"),  # a token of exactly 8 characters
            ("cookie", "sid=1; theme=darkmode"),  # no scheme: only the whole value
            ("x-short", "Bearer 1234567"),  # too short to be a credential on its own
        ),
    )  # fmt: skip
    assert _carried(sent) == {
        "Bearer 12345678",
        "12345678",
        "sid=1; theme=darkmode",
        "Bearer 1234567",
    }


def test_a_closed_response_model_declares_its_fields_an_array_its_items() -> None:
    route = Route("GET", "/users", "fastapi", "m:users")
    user: dict[str, Any] = {"properties": {"id": {}, "name": {}}}
    closed = {**user, "additionalProperties": False}
    assert declared_fields(route, Shape(response=closed)) == {"id", "name"}
    # an array schema that leaves out "type": its items are the records
    listing = Shape(response={"items": {"$ref": "#/$defs/User"}}, root={"$defs": {"User": user}})
    assert declared_fields(route, listing) == {"id", "name"}
