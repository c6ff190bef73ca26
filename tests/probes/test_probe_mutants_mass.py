"""APS351's decisions (mass_assignment.py), pinned with writes that must be flagged and
ones that must not (issue 19): which writes it probes, which fields it injects, what a
read-back or the caller's own record must show that it did not show before, and when
injected requests that all fail cannot tell."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from flask import Flask, jsonify
from pydantic import BaseModel, ConfigDict

from pytest_apiposture.model import Auth, Severity
from pytest_apiposture.probes import MassAssignmentProbe, ProbeOutcome, ProbeSettings, run_probe

from .harness import context

AB = {"alice": {"Authorization": "Bearer t-alice"}, "bob": {"Authorization": "Bearer t-bob"}}
TOKENS = {"Bearer t-alice": "alice", "Bearer t-bob": "bob"}
ROOT_OWNER = {"id": 99, "name": "root", "is_admin": True}
STORE: dict[int, dict[str, Any]] = {}
NOTHING = (
    "no privileged or response-only field to inject: the responses carry none and the "
    "route has no response model"
)
app = FastAPI()


def user(authorization: str | None = Header(default=None)) -> str:
    if authorization not in TOKENS:
        raise HTTPException(401, "not authenticated")
    return TOKENS[authorization]


class Named(BaseModel):
    name: str


class Note(BaseModel):
    model_config = ConfigDict(extra="allow")
    title: str


@app.post("/projects")
def create_project(body: Named, me: str = Depends(user)) -> dict[str, Any]:
    """Extra fields are ignored; every project shows its owner, an admin."""
    return {"id": 1, "name": body.name, "owner": ROOT_OWNER}


@app.get("/projects/{project_id}")
def read_project(project_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": project_id, "name": "p", "owner": ROOT_OWNER}


class Blob(BaseModel):
    name: str
    is_admin: bool | None = None


@app.post("/blobs")
def create_blob(body: Blob, me: str = Depends(user)) -> list[str]:
    return ["queued"]  # no record: nothing to read back


@app.get("/blobs/{blob_id}")
def read_blob(blob_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": blob_id, "name": "b"}


@app.post("/strict-notes")
def create_strict(body: Note, me: str = Depends(user)) -> Any:
    """Any field besides the title is refused with 403 (neither 400 nor 422)."""
    if body.model_extra:
        return JSONResponse({"detail": "unknown field"}, status_code=403)
    return {"id": 1, "title": body.title, "is_admin": False}


class ProfileIn(BaseModel):
    name: str
    nickname: str | None = None
    is_admin: bool | None = None


class ProfileOut(BaseModel):
    name: str
    nickname: str | None = None
    is_admin: bool = False


@app.put("/profiles/{profile_id}", response_model=ProfileOut)
def replace_profile(profile_id: int, body: ProfileIn, me: str = Depends(user)) -> dict[str, Any]:
    """Takes the nickname (optional, but input by design), never is_admin."""
    return {"name": body.name, "nickname": body.nickname, "is_admin": False}


class Trash(BaseModel):
    reason: str


@app.delete("/trash/{trash_id}")
def delete_trash(trash_id: int, body: Trash, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": trash_id, "reason": body.reason}


@app.post("/drafts")
def create_draft(body: Named, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": 3, "name": body.name}


@app.get("/drafts/{draft_id}")
def read_draft(draft_id: int, me: str = Depends(user)) -> Any:
    """Refused, saying the caller's role: an error is not the object read back."""
    return JSONResponse({"detail": "drafts are private", "role": "viewer"}, status_code=403)


@app.post("/notes")
def create_note(body: Note, me: str = Depends(user)) -> dict[str, Any]:
    """Stores whatever it is sent (owner_id too): the flaw."""
    note = {"id": len(STORE) + 1, **body.model_dump(), "owner_id": 1}
    note.update(body.model_extra or {})
    STORE[note["id"]] = note
    return {"id": note["id"], "title": note["title"]}


@app.get("/notes/{note_id}")
def read_note(note_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return STORE[note_id]


@app.post("/guestbook")
def sign_guestbook(body: Named) -> dict[str, Any]:
    return {"id": 1, "name": body.name}


@app.get("/guestbook/{entry_id}")
def read_guestbook(entry_id: int) -> dict[str, Any]:
    return {"id": entry_id, "name": "guest", "is_admin": False}


def outcome(key: str, target: Any = app, identities: Any = AB, **kw: Any) -> ProbeOutcome:
    STORE.clear()
    settings = ProbeSettings(timeout=2.0, **kw)
    with context(target, identities=identities, settings=settings) as ctx:
        route = next(r for r in ctx.routes if r.key == key)
        return run_probe(MassAssignmentProbe(), route, ctx)


def said(result: ProbeOutcome) -> tuple[str | None, list[tuple[Severity, str]], list[str]]:
    return result.skipped, [(f.severity, f.message) for f in result.findings], result.notes


def test_only_json_writes_are_probed_never_a_delete() -> None:
    every = ProbeSettings(timeout=2.0, probe_methods=frozenset({"GET", "POST", "PUT", "DELETE"}))
    with context(app, identities=AB, settings=every) as ctx:
        routes = {r.key: r for r in ctx.routes}
        applies = [
            MassAssignmentProbe().applies(routes[k], ctx)
            for k in ("DELETE /trash/{trash_id}", "POST /notes")
        ]
    assert applies == [False, True]


flask_app = Flask(__name__)


@flask_app.post("/upload")
def upload() -> Any:
    return jsonify({"id": 1})


@flask_app.post("/entries")
def create_entry() -> Any:
    return jsonify({"id": 1})


FORM = {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}
FLASK_SCHEMA = {"openapi": "3.0.0", "paths": {"/upload": {"post": {"requestBody": FORM}}}}


def test_a_flask_write_is_probed_unless_its_spec_says_it_takes_a_form() -> None:
    with context(flask_app, schema=FLASK_SCHEMA) as ctx:
        applies = {r.key: MassAssignmentProbe().applies(r, ctx) for r in ctx.routes}
    assert (applies["POST /upload"], applies["POST /entries"]) == (False, True)


def test_an_identity_probes_a_route_known_to_need_one() -> None:
    with context(app, identities=AB, settings=ProbeSettings(timeout=2.0)) as ctx:
        route = next(r for r in ctx.routes if r.key == "POST /guestbook")
        result = run_probe(MassAssignmentProbe(), replace(route, auth=Auth.AUTHENTICATED), ctx)
    assert said(result) == (None, [], ["injected is_admin: not reflected, not persisted"])


def test_a_value_the_read_back_already_showed_elsewhere_proves_nothing() -> None:
    # is_admin=true is the owner's (root), in the answer and the read-back before and after
    result = outcome("POST /projects")
    assert said(result) == (None, [], ["injected is_admin: not reflected, not persisted"])
    assert [e.label for e in result.transcript] == [
        "alice, control", "alice, read back", "alice, injected", "alice, read back"
    ]  # fmt: skip


def test_a_write_with_no_record_to_read_back_is_judged_on_its_answer() -> None:
    result = outcome("POST /blobs")
    assert said(result) == (None, [], ["injected is_admin: not reflected, not persisted"])
    assert [e.route for e in result.transcript] == ["POST /blobs", "POST /blobs"]


def test_extra_fields_refused_with_another_status_cannot_tell() -> None:
    result = outcome("POST /strict-notes")
    assert said(result) == ("requests with injected fields answered 403; cannot tell", [], [])
    assert [e.status for e in result.transcript] == [200, 403, 403]  # all, then one by one


def test_an_optional_field_the_request_model_takes_is_not_injected() -> None:
    result = outcome("PUT /profiles/{profile_id}")
    assert said(result) == (None, [], ["injected is_admin: not reflected, not persisted"])


def test_an_error_from_the_read_back_says_nothing_about_the_object() -> None:
    # its "role" is not a field of drafts: nothing the object has is privileged
    assert said(outcome("POST /drafts")) == (NOTHING, [], [])


def test_an_excluded_read_route_is_not_used_to_read_back() -> None:
    flagged = outcome("POST /notes")
    assert said(flagged)[1] == [
        (Severity.HIGH, "POST /notes accepted fields the caller must not set: owner_id=987654 "
                        "is visible on a follow-up GET /notes/{note_id}")
    ]  # fmt: skip
    # without the read-back, owner_id is nowhere to be seen: nothing to inject
    excluded = outcome("POST /notes", exclude=("GET /notes/*",))
    assert said(excluded) == (NOTHING, [], [])
    assert [e.label for e in excluded.transcript] == ["alice, control"]


def test_an_anonymous_write_is_read_back_anonymously() -> None:
    result = outcome("POST /guestbook", identities={})
    assert said(result) == (None, [], ["injected is_admin: not reflected, not persisted"])
    assert [e.label for e in result.transcript] == [
        "anonymous, control", "anonymous, read back", "anonymous, injected", "anonymous, read back"
    ]  # fmt: skip


me_app = FastAPI()
ME = {"id": 1, "name": "alice", "is_admin": False, "team": {"lead": ROOT_OWNER}}


@me_app.get("/me")
def read_me(me: str = Depends(user)) -> dict[str, Any]:
    return ME


@me_app.patch("/me")
def update_me(body: Named, me: str = Depends(user)) -> dict[str, Any]:
    return ME  # extra fields ignored


@me_app.get("/admin/stats")
def admin_stats(me: str = Depends(user)) -> dict[str, Any]:
    raise HTTPException(403, "admins only")


@me_app.post("/users", status_code=201)
def sign_up(body: Named) -> dict[str, Any]:
    return {"id": 2, "name": body.name}


@me_app.post("/notes", status_code=201)
def add_note(body: Named, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": 3, "name": body.name}


def test_the_callers_own_record_must_change_not_merely_carry_the_value() -> None:
    # is_admin=true is the team lead's, in alice's record before and after
    result = outcome("PATCH /me", me_app)
    assert said(result) == (
        None,
        [],
        ["injected is_admin, is_staff, is_superuser, role: not reflected, not persisted"],
    )
    assert [(e.label, e.route) for e in result.transcript][-2:] == [
        ("alice, after", "GET /me"), ("alice, after", "GET /admin/stats")
    ]  # fmt: skip


def test_admin_access_is_checked_only_for_an_identity_writing_a_persons_record() -> None:
    for key, identities in (("POST /users", {}), ("POST /notes", AB)):
        result = outcome(key, me_app, identities)
        assert not any(e.route == "GET /admin/stats" for e in result.transcript), key
        # no admin route to gain access to: no access flag to inject, and nothing else
        assert said(result) == (NOTHING, [], []), key
