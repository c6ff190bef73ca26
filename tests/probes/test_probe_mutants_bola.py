"""APS151's decisions (bola.py), each with a route that must be flagged and one that must
not (issue 19): which routes it probes, what proves ownership (a create, a listing only
the owner's shows, the owner's own record), what counts as the other identity getting
the object, and what a replayed write must change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from pytest_apiposture.model import Severity
from pytest_apiposture.probes import BolaProbe, ProbeOutcome, ProbeSettings, run_probe

from .harness import context

AB = {"alice": {"Authorization": "Bearer t-alice"}, "bob": {"Authorization": "Bearer t-bob"}}
TOKENS = {"Bearer t-alice": "alice", "Bearer t-bob": "bob"}
EVERY = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
REPLAY = ProbeSettings(timeout=2.0, replay_writes=True, probe_methods=EVERY)
UNPROVED = (
    "could not prove that either identity owns an object it can read: no create route "
    "answered, the listings are identical and there is no own-record route"
)
STORE: dict[str, dict[int, dict[str, Any]]] = {}
app = FastAPI()


def user(authorization: str | None = Header(default=None)) -> str:
    if authorization not in TOKENS:
        raise HTTPException(401, "not authenticated")
    return TOKENS[authorization]


def caller(authorization: str | None = Header(default=None)) -> str | None:
    return TOKENS.get(authorization or "")


class Body(BaseModel):
    title: str


def add(kind: str, owner: str, title: str) -> dict[str, Any]:
    shelf = STORE.setdefault(kind, {})
    number = len(shelf) + 1
    thing: dict[str, Any] = {"id": number, "owner": owner, "title": title}
    shelf[number] = thing
    return thing


def get(kind: str, thing_id: int) -> dict[str, Any]:
    thing = STORE.get(kind, {}).get(thing_id)
    if thing is None:
        raise HTTPException(404, "no such thing")
    return thing


@app.get("/docs-list")
def list_doc_names(me: str = Depends(user)) -> list[dict[str, Any]]:
    return [{"name": f"{me}-doc"}]


@app.get("/docs-list/{doc_name}")  # a name under a listing
def read_doc(doc_name: str, me: str = Depends(user)) -> dict[str, Any]:
    return {"name": doc_name}


@app.post("/tags")
def create_tag(body: Body, me: str = Depends(user)) -> dict[str, Any]:
    return {"name": body.title}


@app.get("/tags/{tag_name}")  # a name under a create route
def read_tag(tag_name: str, me: str = Depends(user)) -> dict[str, Any]:
    return {"name": tag_name}


@app.get("/pages/{page_name}")  # a name, and nothing that lists or creates pages
def read_page(page_name: str, me: str = Depends(user)) -> dict[str, Any]:
    return {"name": page_name}


@app.get("/receipts/{receipt_id}")
def read_receipt(receipt_id: int, me: str = Depends(user)) -> dict[str, Any]:
    """Any signed-in caller reads any receipt; nothing lists or creates them."""
    return {"id": receipt_id}


@app.delete("/receipts/{receipt_id}")
def delete_receipt(receipt_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": receipt_id}


@app.post("/boards")
def create_board(body: Body, me: str = Depends(user)) -> Any:
    """Refuses, naming the board that exists already (the shared board 1)."""
    return JSONResponse({"id": 1, "detail": "a board exists"}, status_code=409)


@app.get("/boards/{board_id}")
def read_board(board_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": board_id, "title": "shared"}


@app.get("/files")
def list_files(me: str = Depends(user)) -> list[dict[str, Any]]:
    return [{"id": 1 if me == "alice" else 2}]


@app.get("/files/{file_id}")
def read_file(file_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": file_id}


@app.get("/shared")
def list_shared(me: str = Depends(user)) -> list[dict[str, Any]]:
    return [{"id": 1}]


@app.get("/shared/{shared_id}")
def read_shared(shared_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": shared_id}


@app.get("/cards")
def list_cards(me: str = Depends(user)) -> Any:
    """bob may not list cards: nothing tells whether he sees alice's."""
    if me == "bob":
        return JSONResponse({"detail": "listing suspended"}, status_code=403)
    return [{"id": 1}]


@app.get("/cards/{card_id}")
def read_card(card_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": card_id}


@app.get("/decks")
def list_decks(me: str = Depends(user)) -> Any:
    """alice's listing is refused, with an error that names an id."""
    if me == "alice":
        return JSONResponse({"id": 1, "detail": "listing suspended"}, status_code=403)
    return []


@app.get("/decks/{deck_id}")
def read_deck(deck_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": deck_id}


@app.post("/tickets")
def create_ticket(body: Body, me: str = Depends(user)) -> dict[str, Any]:
    return add("tickets", me, body.title)


@app.get("/tickets/{ticket_id}")
def read_ticket(ticket_id: int, me: str = Depends(user)) -> Any:
    """The owner check refuses with 403 and repeats the ticket's id."""
    ticket = get("tickets", ticket_id)
    if ticket["owner"] != me:
        return JSONResponse({"id": ticket_id, "detail": "not your ticket"}, status_code=403)
    return ticket


@app.post("/pins")
def create_pin(body: Body, me: str = Depends(user)) -> dict[str, Any]:
    return add("pins", me, body.title)


@app.get("/pins/{pin_id}")
def read_pin(pin_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return get("pins", pin_id)


@app.put("/pins/{pin_id}")
def replace_pin(pin_id: int, body: Body) -> dict[str, Any]:
    """Answers 200 to anyone, signed in or not, and changes nothing."""
    return {"id": pin_id}


@app.post("/slots")
def create_slot(body: Body, me: str = Depends(user)) -> dict[str, Any]:
    return add("slots", me, body.title)


@app.put("/slots/{slot_id}")
def replace_slot(slot_id: int, body: Body, me: str = Depends(user)) -> dict[str, Any]:
    """Anyone signed in overwrites any slot; there is no GET to read one back."""
    get("slots", slot_id)["title"] = body.title
    return {"id": slot_id}


@app.post("/drafts")
def create_draft(body: Body, me: str = Depends(user)) -> dict[str, Any]:
    return add("drafts", me, body.title)


@app.get("/drafts/{draft_id}")
def read_draft(draft_id: int, me: str = Depends(user)) -> dict[str, Any]:
    raise HTTPException(404, "drafts are never shown")


@app.put("/drafts/{draft_id}")
def replace_draft(draft_id: int, body: Body, me: str = Depends(user)) -> dict[str, Any]:
    get("drafts", draft_id)["title"] = body.title
    return {"id": draft_id}


@app.post("/cups")
def create_cup(body: Body, me: str = Depends(user)) -> dict[str, Any]:
    return add("cups", me, body.title)


@app.get("/cups/{cup_id}")
def read_cup(cup_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return get("cups", cup_id)


@app.delete("/cups/{cup_id}", status_code=204)
def delete_cup(cup_id: int, me: str | None = Depends(caller)) -> Response:
    """Looks the cup up before it checks the caller: 404 for a missing cup, then 401."""
    get("cups", cup_id)
    if me is None:
        raise HTTPException(401, "not authenticated")
    del STORE["cups"][cup_id]  # no owner check
    return Response(status_code=204)


@app.post("/mugs")
def create_mug(body: Body, me: str = Depends(user)) -> dict[str, Any]:
    return add("mugs", me, body.title)


@app.get("/mugs/{mug_id}")
def read_mug(mug_id: int, me: str = Depends(user)) -> dict[str, Any]:
    return get("mugs", mug_id)


@app.delete("/mugs/{mug_id}", status_code=204)
def delete_mug(mug_id: int, me: str = Depends(user)) -> Response:
    """Answers 204 to anyone signed in; only the owner's delete deletes."""
    if get("mugs", mug_id)["owner"] == me:
        del STORE["mugs"][mug_id]
    return Response(status_code=204)


def outcome(key: str, settings: ProbeSettings | None = None, target: Any = app) -> ProbeOutcome:
    STORE.clear()
    with context(target, identities=AB, settings=settings or ProbeSettings(timeout=2.0)) as ctx:
        return run_probe(BolaProbe(), next(r for r in ctx.routes if r.key == key), ctx)


def said(result: ProbeOutcome) -> tuple[str | None, list[tuple[Severity, str]], tuple[str, ...]]:
    return result.skipped, [(f.severity, f.message) for f in result.findings], result.refutes


def test_probed_routes_end_in_an_id_or_a_member_of_a_known_collection() -> None:
    def probed(settings: ProbeSettings) -> set[str]:
        with context(app, identities=AB, settings=settings) as ctx:
            return {r.key for r in ctx.routes if BolaProbe().applies(r, ctx)}

    default = probed(ProbeSettings(timeout=2.0))
    assert {"GET /docs-list/{doc_name}", "GET /tags/{tag_name}", "GET /receipts/{receipt_id}",
            "DELETE /cups/{cup_id}"} <= default  # fmt: skip
    # a name nothing lists or creates; a DELETE of what no probe can create; a write
    assert {"GET /pages/{page_name}", "DELETE /receipts/{receipt_id}",
            "PUT /slots/{slot_id}"}.isdisjoint(default)  # fmt: skip
    # DELETE allowed by probe_methods, but still only on what a probe creates
    every = probed(ProbeSettings(timeout=2.0, probe_methods=EVERY))
    assert ("DELETE /cups/{cup_id}" in every, "DELETE /receipts/{receipt_id}" in every) == (
        True,
        False,
    )


def test_a_create_that_refuses_proves_no_ownership() -> None:
    # the 409 names board 1, which every signed-in caller reads: nobody's own object
    assert said(outcome("GET /boards/{board_id}")) == (UNPROVED, [], ())


def test_a_listing_proves_ownership_only_when_both_listings_answer() -> None:
    assert said(outcome("GET /files/{file_id}")) == (
        None,
        [(Severity.HIGH, "bob read alice's object at /files/1 (only alice's GET /files "
                         "lists it); the anonymous control was refused (401)")],
        (),
    )  # fmt: skip
    excluded = ProbeSettings(timeout=2.0, exclude=("GET /files",))
    for key, settings in (
        ("GET /files/{file_id}", excluded),  # the listing may not be called
        ("GET /shared/{shared_id}", None),  # the same listing for both
        ("GET /cards/{card_id}", None),  # bob's listing is refused
        ("GET /decks/{deck_id}", None),  # alice's listing is refused
        ("GET /receipts/{receipt_id}", None),  # nothing lists, creates or owns receipts
    ):
        assert said(outcome(key, settings)) == (UNPROVED, [], ()), key


def test_a_refusal_that_names_the_object_is_no_leak() -> None:
    result = outcome("GET /tickets/{ticket_id}")
    assert said(result) == (None, [], ("APS101",))
    assert result.notes == ["bob -> 403: the owner's object is not served to another identity"]


def test_a_replayed_write_that_changes_nothing_is_said_without_a_control() -> None:
    result = outcome("PUT /pins/{pin_id}", REPLAY)
    assert said(result) == (None, [], ())
    assert result.notes == ["bob's PUT answered 200 but the owner's object did not change"]
    assert [e.label for e in result.transcript] == [
        "alice, create", "alice, before", "bob, not the owner", "alice, after"
    ]  # fmt: skip


@pytest.mark.parametrize("key", ["PUT /slots/{slot_id}", "PUT /drafts/{draft_id}"])
def test_a_replayed_write_the_owner_cannot_read_back_counts_as_a_change(key: str) -> None:
    # no GET for slots; the owner's GET of a draft is refused: the 2xx is the evidence
    path = key.split()[1].split("{")[0]
    assert said(outcome(key, REPLAY)) == (
        None,
        [(Severity.CRITICAL, f"bob changed alice's object with PUT {path}1 (alice created it "
                             f"with POST {path[:-1]}); the anonymous control was refused (401)")],
        (),
    )  # fmt: skip


def test_a_delete_is_controlled_before_the_object_is_gone() -> None:
    result = outcome("DELETE /cups/{cup_id}")
    assert said(result) == (
        None,
        [(Severity.CRITICAL, "bob changed alice's object with DELETE /cups/1 (alice created it "
                             "with POST /cups); the anonymous control was refused (401)")],
        (),
    )  # fmt: skip
    assert [e.label for e in result.transcript].count("anonymous control") == 1


def test_a_delete_that_deletes_nothing_is_no_finding() -> None:
    result = outcome("DELETE /mugs/{mug_id}")
    assert said(result) == (None, [], ())
    assert result.notes == ["bob's DELETE answered 204 but the owner's object did not change"]
