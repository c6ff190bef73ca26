"""What every probe relies on (base.py, context.py), pinned at each boundary (issue 19):
how one answer is read, which routes a probe may call or DELETE, which are public, and
which answers the session harvests ids from."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from flask import Flask, jsonify, request
from pydantic import BaseModel

from pytest_apiposture.model import Auth
from pytest_apiposture.probes import (
    BolaProbe,
    MissingAuthProbe,
    ProbeContext,
    ProbeRequest,
    ProbeSettings,
    run_probe,
)
from pytest_apiposture.probes.base import ENFORCED, OPEN, inconclusive, verdict
from pytest_apiposture.probes.identities import Identity
from pytest_apiposture.probes.transcript import Exchange

from .fixtures import px_delete_app
from .harness import context

app = FastAPI()


class NoteIn(BaseModel):
    title: str


def user(authorization: str | None = Header(default=None)) -> str:
    if authorization != "Bearer t-alice":
        raise HTTPException(401)
    return "alice"


@app.post("/notes", status_code=201)
def create_note(body: NoteIn, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": 1, "title": body.title}


@app.get("/notes/{note_id}")
def read_note(note_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": note_id}


@app.put("/notes/{note_id}")
def replace_note(note_id: int, body: NoteIn, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": note_id, "title": body.title}


@app.delete("/notes/{note_id}", status_code=204)
def delete_note(note_id: int, me: str = Depends(user)) -> Response:
    return Response(status_code=204)


@app.delete("/tags/{tag_id}", status_code=204)
def delete_tag(tag_id: int, me: str = Depends(user)) -> Response:
    """No ``POST /tags``: the probe could only delete a tag that already exists."""
    return Response(status_code=204)


@app.get("/things/{thing_id}")
def read_thing(thing_id: int) -> Any:
    """A thing under 100 exists; above, a 404 whose JSON body still names an id."""
    if thing_id >= 100:
        return JSONResponse({"id": thing_id, "detail": "gone"}, status_code=404)
    return {"id": thing_id}


@app.get("/pages/{page_id}")
def read_page(page_id: int) -> Any:
    """Page 0 is text; the others JSON."""
    return PlainTextResponse("a page") if page_id == 0 else {"id": page_id}


async def raw_files(scope: Any, receive: Any, send: Any) -> None:  # an opaque ASGI mount
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"file"})


app.mount("/files", raw_files)


def exchange(status: int | None, location: str = "") -> Exchange:
    headers = (("location", location),) if location else ()
    return Exchange("anonymous", "GET /x", "GET", "/x", status=status, response_headers=headers)


def test_an_answer_is_open_enforced_or_undecided_at_each_boundary() -> None:
    answers = [
        (None, ""),
        (199, ""),
        (200, ""),
        (299, ""),
        (300, "/login"),
        (301, "/auth/start"),
        (302, "/elsewhere"),
        (399, "/login"),
        (400, "/login"),
        (401, ""),
        (403, ""),
        (404, "/login"),
        (405, ""),
    ]
    assert [verdict(exchange(s, where)) for s, where in answers] == [
        None,
        None,
        OPEN,
        OPEN,
        ENFORCED,
        ENFORCED,
        None,  # a redirect, but not to a login page
        ENFORCED,
        None,  # a Location on a 4xx is no redirect
        ENFORCED,
        ENFORCED,
        None,
        None,
    ]


def test_only_no_answer_or_a_5xx_is_inconclusive() -> None:
    assert [inconclusive(exchange(s)) for s in (200, 404, 499)] == [None, None, None]
    assert [inconclusive(exchange(s)) for s in (None, 500, 503)] == [
        "anonymous: GET /x -> no response; cannot tell",
        "anonymous: GET /x -> 500; cannot tell",
        "anonymous: GET /x -> 503; cannot tell",
    ]


def keys(ctx: ProbeContext, decide: Any) -> set[str]:
    return {r.key for r in ctx.routes if decide(r)}


DELETES = {"DELETE /notes/{note_id}", "DELETE /tags/{tag_id}"}


@pytest.mark.parametrize(
    ("settings", "deletable"),
    [
        (ProbeSettings(), {"DELETE /notes/{note_id}"}),  # the default: what a probe created
        (ProbeSettings(probe_methods=frozenset({"GET", "POST", "DELETE"})), {"DELETE /notes/{note_id}"}),
        (ProbeSettings(probe_methods=frozenset({"GET", "POST"})), set()),  # DELETE left out
        (ProbeSettings(probe_methods=frozenset({"GET", "DELETE"})), set()),  # cannot create
        (ProbeSettings(exclude=("DELETE /*",)), set()),
        (ProbeSettings(exclude=("POST /notes",)), set()),  # its create route is excluded
    ],
    ids=["default", "with-delete", "without-delete", "without-post", "delete-excluded",
         "create-excluded"],
)  # fmt: skip
def test_a_delete_is_probed_only_on_what_a_probe_may_create(
    settings: ProbeSettings, deletable: set[str]
) -> None:
    # never a GET, never DELETE /tags/{tag_id} (nothing creates a tag: it would delete data)
    with context(app, settings=settings) as ctx:
        assert keys(ctx, ctx.deletable) == deletable


def test_run_probe_runs_a_deletable_delete_the_methods_do_not_list() -> None:
    px_delete_app.reset()
    alice = {"alice": {"Authorization": "Bearer t-alice"}}
    with context(px_delete_app.app, identities=alice, settings=ProbeSettings()) as ctx:
        route = next(r for r in ctx.routes if r.key == "DELETE /notes/{note_id}")
        allowed = ctx.allowed(route)
        outcome = run_probe(MissingAuthProbe(), route, ctx)
    px_delete_app.reset()
    assert allowed is False  # DELETE is not in the default probe_methods
    assert (outcome.skipped, outcome.refutes) == (None, ("APS201", "APS202"))
    assert outcome.notes == ["anonymous -> 401, invalid credential -> 401: enforced"]


def test_an_opaque_mount_is_never_called() -> None:
    with context(app) as ctx:
        mount = next(r for r in ctx.routes if r.kind == "mount")
        assert (mount.key, ctx.allowed(mount)) == ("GET /files/{path}", False)
        assert "GET /things/{thing_id}" in keys(ctx, ctx.allowed)


def test_public_by_classification_or_by_the_public_list() -> None:
    with context(app, public=["GET /pages/*"]) as ctx:
        routes = {r.key: r for r in ctx.routes}
        classified = replace(routes["GET /things/{thing_id}"], auth=Auth.PUBLIC)
        listed = replace(routes["GET /pages/{page_id}"], auth=Auth.NONE)
        neither = routes["GET /notes/{note_id}"]
        assert [ctx.is_public(r) for r in (classified, listed, neither)] == [True, True, False]


def test_writes_are_replayed_as_another_identity_only_when_asked() -> None:
    with context(app, settings=ProbeSettings()) as ctx:
        put = next(r for r in ctx.routes if r.key == "PUT /notes/{note_id}")
        assert BolaProbe().applies(put, ctx) is False
    # the settings are fixed for the session: ProbeContext caches what they decide
    with pytest.raises(FrozenInstanceError):
        ProbeSettings().replay_writes = True  # type: ignore[misc]


def send(ctx: ProbeContext, key: str, path: str, who: Identity | None = None) -> Exchange:
    assert ctx.session is not None
    route = next(r for r in ctx.routes if r.key == key)
    return ctx.session.send(route, ProbeRequest("GET", path), who, "anonymous")


def test_ids_are_harvested_from_2xx_json_answers_once_each() -> None:
    with context(app) as ctx:
        assert ctx.session is not None
        for path in ("/things/3", "/things/3", "/things/150", "/things/4"):
            send(ctx, "GET /things/{thing_id}", path)
        # member reads count for their collection; a 404 names no object that exists
        assert ctx.session.harvest("/things") == [3, 4]
        assert ctx.session.harvest("/things/") == [3, 4]


def test_harvest_keeps_the_first_twenty_answers_and_only_json_ones() -> None:
    with context(app) as ctx:
        assert ctx.session is not None
        for number in range(1, 26):
            send(ctx, "GET /things/{thing_id}", f"/things/{number}")
        for _ in range(20):
            assert send(ctx, "GET /pages/{page_id}", "/pages/0").ok
        send(ctx, "GET /pages/{page_id}", "/pages/5")
        assert ctx.session.harvest("/things") == list(range(1, 21))
        assert ctx.session.harvest("/pages") == [5]  # text answers take no room


flask_app = Flask(__name__)


@flask_app.get("/whoami")
def flask_whoami() -> Any:
    return jsonify({"name": request.headers.get("X-User", "nobody")})


def test_dependency_overrides_on_an_app_without_them_are_left_out() -> None:
    bob = Identity("bob", {"X-User": "bob"}, {user: lambda: "bob"})
    with context(flask_app) as ctx:
        answer = send(ctx, "GET /whoami", "/whoami", bob)
    assert (answer.status, answer.data) == (200, {"name": "bob"})
