"""APS251's request-building decisions (missing_auth.py), pinned (issue 19): an anonymous
request carries a stranger's account fields and nothing else changed, an invalid
credential keeps its kind, and a DELETE is sent only to an object the probe created."""

from __future__ import annotations

from pytest_apiposture.model import Route
from pytest_apiposture.probes import MissingAuthProbe, ProbeRequest, ProbeSettings, run_probe
from pytest_apiposture.probes.client import NO_BODY
from pytest_apiposture.probes.missing_auth import INVALID, spoil, stranger

from .fixtures import px_delete_app
from .harness import context


def test_a_stranger_replaces_account_fields_at_any_depth_and_nothing_else() -> None:
    route = Route("POST", "/login", "fastapi", "m:login")
    tag = "02b20554"  # sha256 of "POST /login", its first 8 hex digits
    sent = ProbeRequest(
        "POST",
        "/login",
        json={
            "username": "apiposture1",
            "email": "apiposture1@example.com",
            "password": "Apiposture-1",
            "pin": 1234,  # not text: kept
            "title": "apiposture1",  # names no account: kept
            "profile": {"login": "apiposture1", "otp": "123456"},
        },
    )
    assert stranger(sent, route).json == {
        "username": f"stranger{tag}",
        "email": f"stranger{tag}@example.com",
        "password": f"Stranger-{tag}-Passw0rd!",
        "pin": 1234,
        "title": "apiposture1",
        "profile": {"login": f"stranger{tag}", "otp": f"Stranger-{tag}-Passw0rd!"},
    }
    form = ProbeRequest("POST", "/login", json=NO_BODY, form={"user_name": "a", "next": "/"})
    assert stranger(form, route).form == {"user_name": f"stranger{tag}", "next": "/"}
    # nothing to replace: the request itself, unchanged
    plain = ProbeRequest("POST", "/login", json=[{"username": "a"}], form={"next": "/"})
    assert stranger(plain, route) is plain


def test_an_invalid_credential_keeps_a_scheme_only_when_it_is_a_word() -> None:
    assert [spoil("Authorization", "Token abc"), spoil("X-Key", "k-1 abc")] == [
        f"Token {INVALID}",
        INVALID,
    ]


def test_a_delete_is_probed_only_on_an_object_the_probe_created() -> None:
    px_delete_app.reset()
    with context(px_delete_app.app, settings=ProbeSettings(timeout=2.0)) as ctx:
        route = next(r for r in ctx.routes if r.key == "DELETE /notes/{note_id}")
        applies = MissingAuthProbe().applies(route, ctx)
        # no identity: the create route refuses the anonymous create, nothing to delete
        outcome = run_probe(MissingAuthProbe(), route, ctx)
    px_delete_app.reset()
    assert applies is True  # default probe_methods, and POST /notes creates notes
    assert (outcome.findings, outcome.refutes, outcome.skipped) == (
        [],
        (),
        "DELETE is only sent to an object the probe created, and the create route created none",
    )
    assert [(e.label, e.method, e.url, e.status) for e in outcome.transcript] == [
        ("anonymous, create", "POST", "/notes", 401)
    ]
