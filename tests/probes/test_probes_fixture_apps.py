"""Every probe over the px_* fixture apps: exact findings, exact reasons for what it cannot tell."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from pytest_apiposture.model import Auth, Confidence, Guard, GuardRole, Severity
from pytest_apiposture.probes import MissingAuthProbe, ProbeSettings, run_probe

from .fixtures import px_fastapi_app, px_flask_app
from .harness import Probed, context, probe_all

ALICE_BOB = {"alice": {"Authorization": "Bearer t-alice"}, "bob": {"Authorization": "Bearer t-bob"}}
FASTAPI_PUBLIC = [
    "GET /ping",
    "GET /edge/text",
    "GET /edge/stream",
    "GET /edge/ready",
    "GET /edge/set-cookie",
    "GET /edge/cookies",
]
FLASK_PUBLIC = ["GET /edge/text", "GET /edge/stream"]
SETTINGS = ProbeSettings(timeout=0.3)
FASTAPI_CONFIRMED = {
    ("APS251", "GET /report"),
    ("APS251", "GET /presence"),
    ("APS151", "GET /notes/{note_id}"),
    ("APS351", "PATCH /me"),
    ("APS352", "GET /me/keys"),
    ("APS352", "GET /me/card"),
}


@pytest.fixture(autouse=True)
def release_hangs() -> Iterator[None]:
    px_fastapi_app.RELEASE.clear()
    px_flask_app.RELEASE.clear()
    yield
    px_fastapi_app.RELEASE.set()
    px_flask_app.RELEASE.set()


def fastapi_probed(identities: Any = None, settings: ProbeSettings = SETTINGS) -> Probed:
    return probe_all(
        px_fastapi_app.app,
        identities=ALICE_BOB if identities is None else identities,
        reset=px_fastapi_app.reset,
        public=FASTAPI_PUBLIC,
        settings=settings,
    )


# the identity variants skip the slow awkward endpoints; the first run covers them
NO_EDGES = ProbeSettings(timeout=0.3, exclude=("GET /edge/*",))


@pytest.fixture(scope="module")
def fastapi_result() -> Probed:
    px_fastapi_app.RELEASE.clear()
    try:
        return fastapi_probed()
    finally:
        px_fastapi_app.RELEASE.set()


def messages(probed: Probed) -> dict[tuple[str, str], tuple[Severity, str]]:
    return {
        (f.code, f.route_key): (f.severity, f.message)
        for outcome in probed.outcomes.values()
        for f in outcome.findings
    }


def test_fastapi_flaws_confirmed_and_awkward_endpoints_reported(fastapi_result: Probed) -> None:
    probed = fastapi_result
    assert probed.confirmed() == FASTAPI_CONFIRMED
    found = messages(probed)
    assert found[("APS251", "GET /presence")] == (
        Severity.CRITICAL,
        "GET /presence refused the anonymous request (401) but answered 200 to an invalid "
        "credential: the guard checks that a credential is present, not that it is valid",
    )
    assert found[("APS351", "PATCH /me")] == (
        Severity.CRITICAL,
        "PATCH /me accepted fields the caller must not set: is_admin=true changed the caller's "
        "own record (GET /me/role); role='admin' changed the caller's own record (GET /me/role); "
        "the caller gained access to GET /admin/dashboard (refused before, 200 after)",
    )
    assert found[("APS151", "GET /notes/{note_id}")] == (
        Severity.HIGH,
        "bob read alice's object at /notes/3 (alice created it with POST /notes); the anonymous "
        "control was refused (401)",
    )
    assert found[("APS352", "GET /me/keys")] == (
        Severity.CRITICAL,
        "GET /me/keys returned $.note (AWS access key), $.password_hash (bcrypt hash)",
    )
    assert found[("APS352", "GET /me/card")] == (
        Severity.MEDIUM,
        "GET /me/card returned $.internal_score (undeclared field)",
    )
    skipped = probed.skipped()
    boom = r"anonymous: GET /edge/boom -> 500 \(raised ZeroDivisionError: division by zero \(at tests/probes/fixtures/px_fastapi_app\.py:\d+ in boom\)\); cannot tell"
    assert re.fullmatch(boom, skipped[("APS251", "GET /edge/boom")])
    for path in ("/edge/slow-async", "/edge/slow-sync"):
        assert (
            skipped[("APS251", f"GET {path}")]
            == f"anonymous: GET {path} -> timed out after 0.3s; cannot tell"
        )
    assert skipped[("APS251", "GET /edge/redirect")] == (
        "anonymous request was redirected to /elsewhere, not to a login page; cannot tell"
    )
    assert ("APS251", "GET /edge/login-redirect") not in skipped  # a login redirect is enforcement
    assert skipped[("APS352", "GET /edge/stream")] == (
        "anonymous: GET /edge/stream -> 200 (streamed more than 1024 KiB; the rest was not read) "
        "(application/json), not JSON: nothing to scan"
    )
    assert skipped[("APS352", "GET /edge/text")] == (
        "anonymous: GET /edge/text -> 200 (text/plain; charset=utf-8), not JSON: nothing to scan"
    )


def test_other_probes_report_what_their_responses_expose(fastapi_result: Probed) -> None:
    outcome = fastapi_result.outcomes[("APS351", "PATCH /me")]
    assert [f.message for f in outcome.exposures] == [
        "GET /me/keys returned $.note (AWS access key), $.password_hash (bcrypt hash) "
        "(seen while probing APS351 PATCH /me)",
        "GET /me/card returned $.internal_score (undeclared field) (seen while probing APS351 PATCH /me)",
    ]
    assert {f.code for o in fastapi_result.outcomes.values() for f in o.exposures} == {"APS352"}


def test_refuted_suspicions_are_said(fastapi_result: Probed) -> None:
    probed = fastapi_result
    assert probed.outcomes[("APS151", "GET /safe-notes/{note_id}")].refutes == ("APS101",)
    assert probed.outcomes[("APS251", "GET /notes")].refutes == ("APS201", "APS202")
    strict = probed.outcomes[("APS351", "PATCH /me/strict")]
    assert (strict.findings, strict.notes, strict.refutes) == (
        [],
        ["extra fields rejected with 422"],
        ("APS305",),
    )


def test_every_confirmed_finding_carries_a_redacted_transcript(fastapi_result: Probed) -> None:
    for outcome in fastapi_result.outcomes.values():
        for finding in outcome.findings:
            assert finding.confidence is Confidence.CONFIRMED
            assert finding.evidence.startswith("[1] ")
            assert "t-alice" not in finding.evidence and "t-bob" not in finding.evidence
            assert "$2b$12$C6Uz" not in finding.evidence  # the leaked hash is masked again
            assert finding.remediation


def test_dependency_overrides_as_identities() -> None:
    def as_user(name: str) -> Any:
        return lambda: px_fastapi_app.STATE["users"][name]

    overrides = {n: {px_fastapi_app.current_user: as_user(n)} for n in ("alice", "bob")}
    assert fastapi_probed(overrides, NO_EDGES).confirmed() == FASTAPI_CONFIRMED
    assert px_fastapi_app.app.dependency_overrides == {}  # restored after every request


def test_identities_from_a_callable_that_logs_in_through_the_app() -> None:
    calls: list[str] = []

    def login(client: Any) -> dict[str, dict[str, str]]:
        tokens = {}
        for name in ("alice", "bob"):
            calls.append(name)
            token = client.post("/login", json={"name": name}).json()["token"]
            tokens[name] = {"Authorization": f"Bearer {token}"}
        return tokens

    assert fastapi_probed(login, NO_EDGES).confirmed() == FASTAPI_CONFIRMED
    assert calls == ["alice", "bob"]  # logged in once per session


def test_without_identities_the_identity_probes_say_why() -> None:
    probed = fastapi_probed({}, NO_EDGES)
    assert probed.confirmed() == {("APS251", "GET /report"), ("APS251", "GET /presence")}
    skipped = probed.skipped()
    assert skipped[("APS151", "GET /notes/{note_id}")] == (
        "needs two identities (--apiposture-identity twice, or two entries in the "
        "apiposture_identities fixture)"
    )
    assert skipped[("APS352", "GET /me/keys")] == "no 2xx JSON response to scan (anonymous -> 401)"


def test_a_route_believed_guarded_that_answers_anonymously_is_a_broken_guard() -> None:
    with context(
        px_fastapi_app.app, identities=ALICE_BOB, public=FASTAPI_PUBLIC, settings=SETTINGS
    ) as ctx:
        route = next(r for r in ctx.routes if r.key == "GET /report")
        guard = Guard("px_fastapi_app.current_user", "parameter", role=GuardRole.AUTH)
        believed = replace(route, auth=Auth.AUTHENTICATED, guards=(guard,))
        outcome = run_probe(MissingAuthProbe(), believed, ctx)
    assert [f.message for f in outcome.findings] == [
        "GET /report answered 200 to an anonymous request although its guard (current_user) "
        "should reject it: the guard is broken"
    ]


def test_safety_limits_methods_and_excludes() -> None:
    limited = ProbeSettings(
        timeout=0.3, probe_methods=frozenset({"GET"}), exclude=("GET /me*", "/notes/*")
    )
    with context(
        px_fastapi_app.app, identities=ALICE_BOB, public=FASTAPI_PUBLIC, settings=limited
    ) as ctx:
        allowed = {r.key for r in ctx.routes if ctx.allowed(r)}
        patch = next(r for r in ctx.routes if r.key == "PATCH /me")
        assert run_probe(MissingAuthProbe(), patch, ctx).skipped == (
            "PATCH /me is excluded or its method is not probed"
        )
    assert {
        "GET /me",
        "GET /me/role",
        "GET /notes/{note_id}",
        "POST /notes",
        "PATCH /me",
    }.isdisjoint(allowed)
    assert {"GET /notes", "GET /report", "GET /safe-notes/{note_id}"} <= allowed


def test_flask_flaws_confirmed_with_bodies_learnt_from_responses() -> None:
    probed = probe_all(
        px_flask_app.app,
        identities=ALICE_BOB,
        reset=px_flask_app.reset,
        public=FLASK_PUBLIC,
        settings=SETTINGS,
    )
    assert probed.confirmed() == {
        ("APS251", "GET /api/stats"),
        ("APS151", "GET /api/items/{item_id}"),
        ("APS351", "POST /api/items"),
        ("APS352", "GET /api/me"),
    }
    assert messages(probed)[("APS351", "POST /api/items")] == (
        Severity.HIGH,
        "POST /api/items accepted fields the caller must not set: owner_id=987654 came back in "
        "the response; owner_id=987654 is visible on a follow-up GET /api/items/{item_id}",
    )
    skipped = probed.skipped()
    assert (
        skipped[("APS251", "GET /edge/slow")]
        == "anonymous: GET /edge/slow -> timed out after 0.3s; cannot tell"
    )
    assert re.fullmatch(
        r"anonymous: GET /edge/boom -> 500 \(raised ZeroDivisionError: division by zero \(at tests/probes/fixtures/px_flask_app\.py:\d+ in boom\)\); cannot tell",
        skipped[("APS251", "GET /edge/boom")],
    )
