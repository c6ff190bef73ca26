"""APS151's own-record proof of ownership (bola.py), pinned (issue 19): the caller's own
record (``GET /users/me``) proves who owns a person's record, and nothing else; not when
the record is shared, refused or has no id."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

from pytest_apiposture.model import Severity

from .test_probe_mutants_bola import UNPROVED, outcome, said, user


def people_app(alice_me: tuple[int, dict[str, Any]], bob_me: tuple[int, dict[str, Any]]) -> FastAPI:
    """An app whose ``GET /users/me`` answers each identity as given; people by id, by
    ``user_id`` under a collection that is not people, and under an organisation."""
    made = FastAPI()
    answers = {"alice": alice_me, "bob": bob_me}

    @made.get("/users/me")
    def me(who: str = Depends(user)) -> Any:
        status, body = answers[who]
        return JSONResponse(body, status_code=status)

    @made.get("/members/{member_id}")
    def member(member_id: int, who: str = Depends(user)) -> dict[str, Any]:
        return {"id": member_id}

    @made.get("/settings/{user_id}")
    def settings(user_id: int, who: str = Depends(user)) -> dict[str, Any]:
        return {"id": user_id}

    @made.get("/orgs/{org_id}/users/{user_id}")
    def org_user(org_id: int, user_id: int, who: str = Depends(user)) -> dict[str, Any]:
        return {"id": user_id}

    @made.get("/orders/{order_id}")
    def order(order_id: int, who: str = Depends(user)) -> dict[str, Any]:
        return {"id": order_id}

    return made


OWN = people_app((200, {"id": 1, "name": "alice"}), (200, {"id": 2, "name": "bob"}))


def test_the_owners_own_record_proves_ownership_of_a_person_only() -> None:
    for key, path in (("GET /members/{member_id}", "/members/1"),
                      ("GET /settings/{user_id}", "/settings/1")):  # fmt: skip
        assert said(outcome(key, target=OWN)) == (
            None,
            [(Severity.HIGH, f"bob read alice's object at {path} (it is alice's own record "
                             "(GET /users/me)); the anonymous control was refused (401)")],
            (),
        ), key  # fmt: skip
    # an order is not a person; an organisation's user needs the organisation too
    for key in ("GET /orders/{order_id}", "GET /orgs/{org_id}/users/{user_id}"):
        assert said(outcome(key, target=OWN)) == (UNPROVED, [], ()), key


def test_an_own_record_proves_nothing_when_it_is_shared_refused_or_has_no_id() -> None:
    shared = people_app((200, {"id": 1}), (200, {"id": 1}))
    assert said(outcome("GET /members/{member_id}", target=shared)) == (UNPROVED, [], ())
    # alice's own record is refused (its error names an id) or has no id: only bob's counts
    for alice in ((403, {"id": 7, "detail": "profile locked"}), (200, {"name": "alice"})):
        result = outcome("GET /members/{member_id}", target=people_app(alice, (200, {"id": 2})))
        assert said(result) == (
            None,
            [(Severity.HIGH, "alice read bob's object at /members/2 (it is bob's own record "
                             "(GET /users/me)); the anonymous control was refused (401)")],
            (),
        ), alice  # fmt: skip
        assert [e.url for e in result.transcript if e.route == "GET /members/{member_id}"] == [
            "/members/2", "/members/2", "/members/2"
        ]  # fmt: skip
    # bob's is refused, repeating alice's id: alice's own record still proves she owns it
    refused = people_app((200, {"id": 1}), (403, {"id": 1, "detail": "profile locked"}))
    assert said(outcome("GET /members/{member_id}", target=refused))[1] == [
        (Severity.HIGH, "bob read alice's object at /members/1 (it is alice's own record "
                        "(GET /users/me)); the anonymous control was refused (401)")
    ]  # fmt: skip
