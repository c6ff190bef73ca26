"""The probes' decisions, each pinned by a case that must be flagged and one that must not:
one small FastAPI app whose routes each sit on one side of one decision (issue 19)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict

from pytest_apiposture.model import Auth, Severity
from pytest_apiposture.probes import (
    BolaProbe,
    MassAssignmentProbe,
    MissingAuthProbe,
    ProbeOutcome,
    ProbeSettings,
    run_probe,
)
from pytest_apiposture.probes.base import Probe

from .harness import context

TOKENS = {"Bearer t-alice": "alice", "Bearer t-bob": "bob"}
ALICE_BOB = {"alice": {"Authorization": "Bearer t-alice"}, "bob": {"Authorization": "Bearer t-bob"}}
app = FastAPI()
NOTES: dict[int, dict[str, Any]] = {}


def user(authorization: str | None = Header(default=None)) -> str:
    if authorization not in TOKENS:
        raise HTTPException(401, "not authenticated")
    return TOKENS[authorization]


def maybe_user(authorization: str | None = Header(default=None)) -> str | None:
    return TOKENS.get(authorization or "")


class NoteIn(BaseModel):
    text: str


@app.post("/notes")
def create_note(body: NoteIn, who: str = Depends(user)) -> dict[str, Any]:
    note = {"id": len(NOTES) + 1, "owner": who, "text": body.text}
    NOTES[note["id"]] = note
    return note


@app.get("/notes/{note_id}")
def read_note(note_id: int, who: str | None = Depends(maybe_user)) -> dict[str, Any]:
    """Any signed-in caller reads any note (BOLA); anonymous callers get 404, not 401."""
    if who is None or note_id not in NOTES:
        raise HTTPException(404, "no such note")
    return NOTES[note_id]


@app.post("/profiles")
def create_profile(body: NoteIn, who: str = Depends(user)) -> dict[str, Any]:
    return {"id": {"alice": 1, "bob": 2}[who], "owner": who, "text": body.text}


@app.get("/profiles/{profile_id}")
def read_profile(profile_id: int, who: str = Depends(user)) -> dict[str, Any]:
    """Whatever the id, the caller's own profile: another id is never served."""
    return {"id": {"alice": 1, "bob": 2}[who], "owner": who, "text": "mine"}


@app.get("/reports/{report_id}")
def read_report(report_id: int, who: str | None = Depends(maybe_user)) -> dict[str, Any]:
    """No report exists: 404 to everyone, signed in or not."""
    raise HTTPException(404, "no such report")


@app.get("/inbox")
def inbox(who: str | None = Depends(maybe_user)) -> dict[str, Any]:
    """Hidden from anonymous callers behind a 404; served to anyone signed in."""
    if who is None:
        raise HTTPException(404, "not found")
    return {"owner": who, "messages": []}


@app.get("/open-report")
def open_report() -> dict[str, Any]:
    return {"total": 3}


@app.get("/legacy/inbox")
def legacy_inbox(who: str | None = Depends(maybe_user)) -> dict[str, Any]:
    """Every answer is 200; a refusal is said in the body, as older APIs do."""
    if who is None:
        return {"success": False, "error": "Login required"}
    return {"success": True, "owner": who, "messages": []}


@app.get("/legacy/codes")
def legacy_codes(who: str | None = Depends(maybe_user)) -> dict[str, Any]:
    if who is None:
        return {"code": 401, "msg": "please sign in"}
    return {"code": 0, "owner": who}


@app.get("/legacy/feed")
def legacy_feed() -> dict[str, Any]:
    """Open: its outcome keys say nothing of a refusal."""
    return {"success": True, "message": "Welcome back", "items": []}


@app.get("/legacy/audit")
def legacy_audit() -> dict[str, Any]:
    """Open: data that mentions a refusal is not one (more keys than an outcome has, and
    the word under a key that carries data)."""
    return {
        "events": 2, "last": "login", "note": "forbidden words", "user": "x", "ip": "y",
        "agent": "z", "message": "access denied twice",
    }  # fmt: skip


@app.get("/moved")
def moved(who: str | None = Depends(maybe_user)) -> Any:
    """Anonymous callers are sent somewhere that is not a login page."""
    if who is None:
        return RedirectResponse("/elsewhere", status_code=302)
    return {"owner": who}


@app.get("/choices")
def choices(who: str | None = Depends(maybe_user)) -> Any:
    if who is None:
        return RedirectResponse("/pick", status_code=300)
    return {"owner": who}


@app.get("/bad-request")
def bad_request(who: str | None = Depends(maybe_user)) -> dict[str, Any]:
    """Anonymous callers get 400 (a refusal in disguise); signed-in ones 200."""
    if who is None:
        raise HTTPException(400, "missing account")
    return {"owner": who}


@app.put("/notes/{note_id}")
def replace_note(note_id: int, body: NoteIn, who: str = Depends(user)) -> dict[str, Any]:
    """Anyone signed in overwrites anyone's note (BOLA on a write)."""
    if note_id not in NOTES:
        raise HTTPException(404, "no such note")
    NOTES[note_id]["text"] = body.text
    return NOTES[note_id]


@app.patch("/notes/{note_id}")
def touch_note(note_id: int, body: NoteIn, who: str = Depends(user)) -> dict[str, Any]:
    """Answers 200 to anyone and changes nothing."""
    return {"id": note_id, "owner": who}


@app.delete("/notes/{note_id}")
def delete_note(note_id: int, who: str = Depends(user)) -> dict[str, Any]:
    """Only the owner may delete: another caller gets 404."""
    if NOTES.get(note_id, {}).get("owner") != who:
        raise HTTPException(404, "no such note")
    del NOTES[note_id]
    return {"deleted": note_id}


@app.post("/notes/{note_id}/copies")
def copy_note(note_id: int, who: str = Depends(user)) -> dict[str, Any]:
    return {"id": note_id + 100, "owner": who}


OWNER = {1: "alice", 2: "bob"}
ID_OF = {"alice": 1, "bob": 2}


@app.get("/files")
def list_files(who: str = Depends(user)) -> list[dict[str, Any]]:
    return [{"id": ID_OF[who], "owner": who}]


@app.get("/files/{file_id}")
def read_file(file_id: int, who: str = Depends(user)) -> dict[str, Any]:
    """Any signed-in caller reads any document (BOLA); ownership shows in the listings."""
    return {"id": file_id, "owner": OWNER.get(file_id)}


@app.get("/users/me")
def read_me(who: str = Depends(user)) -> dict[str, Any]:
    return {"id": ID_OF[who], "name": who}


@app.get("/users/{user_id}")
def read_user(user_id: int, who: str = Depends(user)) -> dict[str, Any]:
    return {"id": user_id, "name": OWNER.get(user_id)}


@app.post("/drafts")
def create_draft(body: NoteIn, who: str = Depends(user)) -> dict[str, Any]:
    return {"id": 7, "owner": who}


@app.get("/drafts/{draft_id}")
def read_draft(draft_id: int, who: str = Depends(user)) -> dict[str, Any]:
    """Created, but never readable, not even by its owner."""
    raise HTTPException(404, "no such draft")


class Account(BaseModel):
    name: str
    is_admin: bool = False


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


@app.put("/accounts/strict", response_model=Account)
def update_strict(body: AccountIn, who: str = Depends(user)) -> dict[str, Any]:
    """Unknown fields are refused with 400 (not 422)."""
    if body.model_extra:
        raise HTTPException(400, f"unknown fields: {sorted(body.model_extra)}")
    return {"name": body.name, "is_admin": False}


class Member(BaseModel):
    id: int
    name: str
    is_admin: bool


@app.post("/teams", response_model=list[Member])
def add_team_member(body: NoteIn, who: str = Depends(user)) -> list[dict[str, Any]]:
    """Answers the whole team, whose second member is an admin; extra fields are ignored."""
    return [
        {"id": 1, "name": "guest", "is_admin": False},
        {"id": 2, "name": "root", "is_admin": True},
        {"id": 3, "name": body.text, "is_admin": False},
    ]


def probe(check: Probe, key: str) -> ProbeOutcome:
    NOTES.clear()
    with context(app, identities=ALICE_BOB, settings=ProbeSettings(timeout=2.0)) as ctx:
        route = next(r for r in ctx.routes if r.key == key)
        return run_probe(check, route, ctx)


def test_missing_auth_a_404_to_everyone_refutes_nothing() -> None:
    # anonymous 404 and alice 404: no request the route accepts, so no evidence either way
    outcome = probe(MissingAuthProbe(), "GET /reports/{report_id}")
    assert (outcome.findings, outcome.refutes, outcome.skipped) == (
        [],
        (),
        "anonymous request answered 404 and alice 404: the probe could not build a "
        "request the route accepts",
    )


def test_missing_auth_a_404_to_anonymous_only_refutes() -> None:
    outcome = probe(MissingAuthProbe(), "GET /inbox")
    assert (outcome.findings, outcome.refutes, outcome.skipped) == (
        [],
        ("APS201", "APS202"),
        None,
    )
    assert outcome.notes == [
        "anonymous -> 404, alice -> 200: anonymous callers are refused",
        "anonymous -> 404, invalid credential -> 404: enforced",
    ]


def test_missing_auth_an_open_route_is_a_finding_with_its_cwe() -> None:
    outcome = probe(MissingAuthProbe(), "GET /open-report")
    assert [(f.code, f.severity, f.cwe, f.message) for f in outcome.findings] == [
        (
            "APS251",
            Severity.HIGH,
            306,
            "GET /open-report answered 200 to an anonymous request: the route has no "
            "authentication",
        )
    ]


def test_missing_auth_a_200_whose_body_refuses_is_enforced() -> None:
    for key, said in (
        ("GET /legacy/inbox", {"success": False, "error": "Login required"}),
        ("GET /legacy/codes", {"code": 401, "msg": "please sign in"}),
    ):
        outcome = probe(MissingAuthProbe(), key)
        assert (outcome.findings, outcome.refutes, outcome.skipped) == (
            [],
            ("APS201", "APS202"),
            None,
        ), key
        assert outcome.notes == [
            "anonymous -> 200 (a refusal in its body), invalid credential -> 200 (a refusal "
            "in its body): enforced"
        ], key
        assert outcome.transcript[0].data == said


def test_missing_auth_a_200_whose_body_only_mentions_a_refusal_is_open() -> None:
    for key in ("GET /legacy/feed", "GET /legacy/audit"):
        outcome = probe(MissingAuthProbe(), key)
        assert [(f.code, f.severity) for f in outcome.findings] == [("APS251", Severity.HIGH)], key


def test_missing_auth_a_redirect_elsewhere_cannot_tell() -> None:
    for key, status, where in (("GET /moved", 302, "/elsewhere"), ("GET /choices", 300, "/pick")):
        outcome = probe(MissingAuthProbe(), key)
        assert (outcome.findings, outcome.refutes) == ([], ()), key
        assert outcome.skipped == (
            f"anonymous request was redirected to {where}, not to a login page; cannot tell"
        ), status


def test_missing_auth_a_400_to_anonymous_only_is_a_refusal() -> None:
    # 400 is not a redirect (< 400): compared with alice, who gets 200
    outcome = probe(MissingAuthProbe(), "GET /bad-request")
    assert (outcome.findings, outcome.refutes, outcome.skipped) == (
        [],
        ("APS201", "APS202"),
        None,
    )


def test_missing_auth_skips_excluded_and_public_routes() -> None:
    settings = ProbeSettings(timeout=2.0, exclude=("GET /open-report",))
    with context(app, identities=ALICE_BOB, settings=settings, public=["GET /inbox"]) as ctx:
        applies = {r.key: MissingAuthProbe().applies(r, ctx) for r in ctx.routes}
    assert (applies["GET /open-report"], applies["GET /inbox"], applies["GET /moved"]) == (
        False,
        False,
        True,
    )


def test_bola_applies_to_id_routes_reads_and_writes_only_when_replayed() -> None:
    def applies(replay: bool) -> dict[str, bool]:
        settings = ProbeSettings(timeout=2.0, replay_writes=replay, exclude=("GET /reports/*",))
        with context(app, identities=ALICE_BOB, settings=settings, public=["GET /profiles/*"]) as c:
            return {r.key: BolaProbe().applies(r, c) for r in c.routes}

    keys = [
        "GET /notes/{note_id}",  # a read by id
        "PUT /notes/{note_id}",  # a write by id: replayed on request
        "POST /notes/{note_id}/copies",  # ends in no id
        "GET /inbox",  # no id
        "GET /reports/{report_id}",  # excluded
        "GET /profiles/{profile_id}",  # public
    ]
    assert [applies(False)[k] for k in keys] == [True, False, False, False, False, False]
    assert [applies(True)[k] for k in keys] == [True, True, False, False, False, False]


def bola_outcome(key: str, settings: ProbeSettings | None = None) -> ProbeOutcome:
    NOTES.clear()
    settings = settings or ProbeSettings(timeout=2.0)
    with context(app, identities=ALICE_BOB, settings=settings) as ctx:
        return run_probe(BolaProbe(), next(r for r in ctx.routes if r.key == key), ctx)


def bola_message(key: str, settings: ProbeSettings | None = None) -> tuple[str | None, str]:
    outcome = bola_outcome(key, settings)
    return outcome.skipped, "; ".join(f.message for f in outcome.findings)


def test_bola_ownership_proved_by_a_listing_or_the_callers_own_record() -> None:
    assert bola_message("GET /files/{file_id}") == (
        None,
        "bob read alice's object at /files/1 (only alice's GET /files lists it); the anonymous "
        "control was refused (401)",
    )
    assert bola_message("GET /users/{user_id}") == (
        None,
        "bob read alice's object at /users/1 (it is alice's own record (GET /users/me)); the "
        "anonymous control was refused (401)",
    )


UNPROVED = (
    "could not prove that either identity owns an object it can read: no create route "
    "answered, the listings are identical and there is no own-record route"
)


def test_bola_without_a_proof_of_ownership_says_so() -> None:
    # created but unreadable by its owner: nothing to replay
    assert bola_message("GET /drafts/{draft_id}") == (UNPROVED, "")
    # the create route excluded: it is not called to prove ownership
    excluded = ProbeSettings(timeout=2.0, exclude=("POST /notes",))
    assert bola_message("GET /notes/{note_id}", excluded) == (UNPROVED, "")
    assert bola_message("GET /notes/{note_id}")[0] is None


def test_bola_another_object_answered_is_no_leak() -> None:
    outcome = probe(BolaProbe(), "GET /profiles/{profile_id}")
    assert (outcome.findings, outcome.refutes, outcome.skipped) == ([], ("APS101",), None)
    assert outcome.notes == ["bob -> 200: the owner's object is not served to another identity"]


def test_bola_a_leak_whose_anonymous_control_answers_404_is_confirmed() -> None:
    outcome = probe(BolaProbe(), "GET /notes/{note_id}")
    assert outcome.skipped is None
    assert [(f.code, f.severity, f.message) for f in outcome.findings] == [
        (
            "APS151",
            Severity.HIGH,
            "bob read alice's object at /notes/1 (alice created it with "
            "POST /notes); the anonymous control was refused (404)",
        )
    ]


def test_mass_assignment_extra_fields_refused_with_400_refute() -> None:
    outcome = probe(MassAssignmentProbe(), "PUT /accounts/strict")
    assert (outcome.findings, outcome.refutes, outcome.skipped) == ([], ("APS305",), None)
    assert outcome.notes == ["extra fields rejected with 400"]


def test_mass_assignment_a_value_the_control_already_carried_is_no_proof() -> None:
    # the injected is_admin=true is in the answer, but so it was without the attack (root)
    outcome = probe(MassAssignmentProbe(), "POST /teams")
    assert (outcome.findings, outcome.skipped) == ([], None)
    assert outcome.notes == ["injected is_admin, name, id: not reflected, not persisted"]


def test_mass_assignment_applies_to_json_writes_that_are_allowed() -> None:
    settings = ProbeSettings(timeout=2.0, exclude=("PUT /accounts/strict",))
    with context(app, identities=ALICE_BOB, settings=settings) as ctx:
        applies = {r.key: MassAssignmentProbe().applies(r, ctx) for r in ctx.routes}
    keys = ["POST /notes", "GET /inbox", "PUT /accounts/strict", "POST /notes/{note_id}/copies"]
    # a JSON write; a read; an excluded write; a write without a body
    assert [applies[k] for k in keys] == [True, False, False, False]


def test_mass_assignment_needs_an_identity_on_an_authenticated_route() -> None:
    with context(app, settings=ProbeSettings(timeout=2.0)) as ctx:
        route = next(r for r in ctx.routes if r.key == "PUT /accounts/strict")
        guarded = run_probe(MassAssignmentProbe(), replace(route, auth=Auth.AUTHENTICATED), ctx)
        anonymous = run_probe(MassAssignmentProbe(), route, ctx)
    assert guarded.skipped == (
        "the route requires authentication and no identity is configured "
        '(--apiposture-identity NAME="Header: value")'
    )
    # not known to be authenticated: tried anonymously, and the app says 401
    assert anonymous.skipped == "the control request answered 401; cannot compare"


def test_a_refusal_in_the_body_is_read_only_where_an_outcome_is_said() -> None:
    from pytest_apiposture.probes.base import ENFORCED, OPEN, verdict
    from pytest_apiposture.probes.transcript import Exchange

    def said(data: Any, status: int = 200) -> str | None:
        return verdict(Exchange("anonymous", "GET /x", "GET", "/x", status=status, data=data))

    assert [
        said({"success": False, "error": "Unauthorized", "data": None, "info": ""}),
        said({"Status": "403"}),  # its own status code, any case of the key
        said({"status_code": 401}),
        said({"code": 403, "message": "no"}),
        said({"detail": "Token expired"}),
        said({"ok": 0, "msg": "please log in required"}),
        said({"status": "error", "message": "Login required"}),
        said({"error": "Unauthorized"}, status=204),
        said({"success": "false", "error": "Unauthorized", "items": [], "meta": {}}),
    ] == [ENFORCED] * 9
    assert [
        # an answer beside the refusal words, or a record that has a 401 or says "denied"
        said({"success": True, "message": "Token is missing; showing guest data"}),
        said({"ok": True, "error": "session expired"}),
        said({"error": "session expired", "balance": 1000}),
        said({"user": {"is_admin": True}, "status": "401"}),
        said({"id": 3, "status": 403, "url": "https://hook", "attempts": 2}),
        said({"id": 7, "code": 401, "name": "Room 401"}),
        said({"author": "bob", "message": "I get permission denied on deploy"}),
        said({"status": "ok", "message": "forbidden words"}),
        said({"status": "Success", "message": "permission denied for 2 of 9 rows"}),
        said({"status": "succeeded", "message": "unauthorized changes reverted"}),
        said({"note": "forbidden", "count": 1}),  # the word under a data key
        said({"status": [403], "error": ["x"]}),  # no code, no text: nothing to read
        said({"error_code": 4010}),
        said({"detail": "Not found"}),
        said({}),
        said([{"error": "Unauthorized"}]),  # a list is data
    ] == [OPEN] * 16
    assert said({"error": "Unauthorized"}, status=404) is None  # not a 2xx: the status decides
