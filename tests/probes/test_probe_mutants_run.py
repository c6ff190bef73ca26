"""How one probe run builds its requests (run.py), pinned (issue 19): the body a write
without a declared model gets, the object a DELETE may touch (only one the probe just
created), and the real ids a path is filled with, read as whom."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException
from flask import Flask, abort, jsonify, request
from pydantic import BaseModel

from pytest_apiposture.model import Route
from pytest_apiposture.probes import ProbeSettings
from pytest_apiposture.probes.client import NO_BODY
from pytest_apiposture.probes.run import ProbeRun

from .harness import context

AB = {"alice": {"Authorization": "Bearer t-alice"}, "bob": {"Authorization": "Bearer t-bob"}}
TOKENS = {"Bearer t-alice": "alice", "Bearer t-bob": "bob"}
SEED = {
    1: {"id": 1, "owner": "alice", "title": "first", "rank": 1},
    2: {"id": 2, "owner": "bob", "title": "second", "rank": 2},
}
ITEMS: dict[int, dict[str, Any]] = {}
flask_app = Flask(__name__)


def caller() -> str | None:
    return TOKENS.get(request.headers.get("Authorization", ""))


def signed_in() -> str:
    who = caller()
    if who is None:
        abort(401)
    return who


@flask_app.get("/items")
def list_items() -> Any:
    me = signed_in()
    return jsonify([i for i in ITEMS.values() if i["owner"] == me])


@flask_app.post("/items")
def create_item() -> Any:
    body = request.get_json(silent=True) or {}
    number = max(ITEMS) + 1
    item: dict[str, Any] = {"id": number, "owner": signed_in(), "title": str(body.get("title"))}
    ITEMS[number] = item
    return jsonify(item), 201


@flask_app.route("/items/<int:item_id>", methods=["GET", "PUT", "PATCH", "DELETE"])
def one_item(item_id: int) -> Any:
    signed_in()
    if item_id not in ITEMS:
        abort(404)
    return jsonify(ITEMS[item_id])


@flask_app.post("/tags")
def create_tag() -> Any:  # no GET /tags: no record to shape a body on
    return jsonify({"id": 5}), 201


@flask_app.delete("/labels/<int:label_id>")
def delete_label(label_id: int) -> Any:  # no POST /labels: nothing the probe may delete
    return "", 204


@flask_app.route("/vault", methods=["GET", "POST"])
def vault() -> Any:
    """Refused, with an error that names an object: no id or body is taken from it."""
    return jsonify({"id": 9, "title": "forbidden"}), 403


@flask_app.get("/vault/<int:vault_id>")
def read_vault(vault_id: int) -> Any:
    return jsonify({"id": vault_id})


@flask_app.route("/empty", methods=["GET", "POST"])
def empty() -> Any:
    return jsonify([]) if request.method == "GET" else (jsonify({"id": 1}), 201)


@flask_app.post("/locked")
def create_locked() -> Any:
    """A create that refuses and names the object that exists already (alice's)."""
    return jsonify({"id": 1, "detail": "exists"}), 409


@flask_app.delete("/locked/<int:locked_id>")
def delete_locked(locked_id: int) -> Any:
    return "", 204


@flask_app.get("/projects")
def list_projects() -> Any:
    return jsonify([{"id": 10}])


@flask_app.get("/projects/<int:project_id>/tasks")
def list_tasks(project_id: int) -> Any:
    return jsonify([{"id": 100}]) if project_id == 10 else (jsonify({"detail": "no project"}), 404)


@flask_app.get("/projects/<int:project_id>/tasks/<int:task_id>")
def read_task(project_id: int, task_id: int) -> Any:
    return jsonify({"id": task_id})


@flask_app.get("/groups/<int:group_id>/members")
def list_members(group_id: int) -> Any:  # nothing lists groups: the group id is made up
    return jsonify([{"id": 5, "group": group_id}])


@flask_app.get("/groups/<int:group_id>/members/<int:member_id>")
def read_member(group_id: int, member_id: int) -> Any:
    return jsonify({"id": member_id})


@contextmanager
def probe_run(
    app: Any = flask_app, identities: Any = AB, settings: ProbeSettings | None = None
) -> Iterator[tuple[ProbeRun, dict[str, Route]]]:
    ITEMS.clear()
    ITEMS.update({k: dict(v) for k, v in SEED.items()})
    settings = settings or ProbeSettings(timeout=2.0)
    with context(app, identities=identities, settings=settings) as ctx:
        assert ctx.session is not None
        yield ProbeRun(ctx, ctx.session), {r.key: r for r in ctx.routes}


def sent(run: ProbeRun) -> list[str]:
    return [f"{e.label}: {e.method} {e.url} -> {e.status}" for e in run.transcript]


def test_each_request_carries_its_label_or_the_callers_name() -> None:
    with probe_run() as (run, routes):
        alice, _bob = run.ctx.people
        route = routes["GET /items"]
        run.call(route, alice, "alice, owner")
        run.call(route, alice)
        run.call(route, None)
        assert [e.label for e in run.transcript] == ["alice, owner", "alice", "anonymous"]


def test_a_write_without_a_model_gets_a_body_shaped_like_the_callers_records() -> None:
    with probe_run() as (run, routes):
        alice, bob = run.ctx.people
        bodies = [
            run.body(routes["POST /items"], bob, 1),
            run.body(routes["POST /items"], None, 1),  # read as the first identity
            run.body(routes["PUT /items/{item_id}"], alice, 1),
            run.body(routes["PATCH /items/{item_id}"], alice, 1),
        ]
        # strings get fresh values, other scalars keep the record's: the rank says whose
        assert [b["rank"] for b in bodies] == [2, 1, 1, 1]
        # the PUT's sample reads GET /items/1, whose id comes from alice's listing; the
        # PATCH's reads it again (one sample per route)
        assert sent(run) == [
            "bob: GET /items -> 200",
            "alice: GET /items -> 200",
            "alice: GET /items -> 200",
            "alice: GET /items/1 -> 200",
            "alice: GET /items/1 -> 200",
        ]


def test_no_body_without_a_record_to_shape_it_on() -> None:
    with probe_run() as (run, routes):
        alice = run.ctx.people[0]
        assert [
            run.body(routes["POST /tags"], alice, 1),  # no GET /tags
            run.body(routes["POST /vault"], alice, 1),  # GET /vault refuses
            run.body(routes["POST /empty"], alice, 1),  # GET /empty lists nothing
            run.body(routes["DELETE /items/{item_id}"], alice, 1),  # not a write with a body
            run.body(routes["GET /items"], alice, 1),
        ] == [NO_BODY] * 5
        assert sent(run) == ["alice: GET /vault -> 403", "alice: GET /empty -> 200"]


def test_without_identities_the_sample_is_read_anonymously() -> None:
    with probe_run(identities={}) as (run, routes):
        assert run.body(routes["POST /items"], None, 1) is NO_BODY
        assert run.path_values(routes["GET /items/{item_id}"], None) == {}
        assert sent(run) == ["anonymous: GET /items -> 401", "anonymous: GET /items -> 401"]


def test_an_excluded_route_is_never_read_for_a_body_or_an_id() -> None:
    settings = ProbeSettings(timeout=2.0, exclude=("GET /items",))
    with probe_run(settings=settings) as (run, routes):
        alice, bob = run.ctx.people
        assert run.body(routes["POST /items"], alice, 1) is NO_BODY
        run.call(routes["GET /items/{item_id}"], bob, path_values={"item_id": 2})
        # the listing is excluded: the id comes from what the session has seen
        assert run.path_values(routes["GET /items/{item_id}"], alice) == {"item_id": 2}
        assert sent(run) == ["bob: GET /items/2 -> 200"]


def test_a_delete_gets_only_an_object_the_probe_just_created() -> None:
    with probe_run() as (run, routes):
        alice = run.ctx.people[0]
        made = run.created(routes["DELETE /items/{item_id}"], alice, 9)
        assert (made, ITEMS[3]["owner"]) == ({"item_id": 3}, "alice")
        assert run.created(routes["DELETE /labels/{label_id}"], alice, 9) is None
        # the create refused, naming alice's existing object: it must not be deleted
        assert run.created(routes["DELETE /locked/{locked_id}"], alice, 9) is None
        assert sent(run) == [
            "alice: GET /items -> 200",  # the create's body, shaped like alice's items
            "alice, create: POST /items -> 201",
            "alice, create: POST /locked -> 409",
        ]
    with probe_run(settings=ProbeSettings(timeout=2.0, exclude=("POST /items",))) as (run, routes):
        assert run.created(routes["DELETE /items/{item_id}"], run.ctx.people[0], 9) is None
        assert run.transcript == []


def test_ids_come_from_the_listing_as_the_caller_or_the_first_identity() -> None:
    with probe_run() as (run, routes):
        _alice, bob = run.ctx.people
        read = routes["GET /items/{item_id}"]
        assert run.path_values(read, bob) == {"item_id": 2}
        assert run.path_values(read, None) == {"item_id": 1}
        assert run.path_values(read, None, {"item_id": 7}) == {"item_id": 7}  # given: kept
        # a refusal names no object, whatever its body says
        assert run.path_values(routes["GET /vault/{vault_id}"], bob) == {}


def test_nested_ids_each_from_its_own_listing_and_only_those_asked_for() -> None:
    with probe_run() as (run, routes):
        alice = run.ctx.people[0]
        task = routes["GET /projects/{project_id}/tasks/{task_id}"]
        assert run.path_values(task, alice, only=["project_id"]) == {"project_id": 10}
        assert run.path_values(task, alice) == {"project_id": 10, "task_id": 100}
        assert sent(run) == [
            "alice: GET /projects -> 200",
            "alice: GET /projects/10/tasks -> 200",
        ]


app = FastAPI()


class NoteIn(BaseModel):
    title: str


def user(authorization: str | None = Header(default=None)) -> str:
    if authorization not in TOKENS:
        raise HTTPException(401)
    return TOKENS[authorization]


@app.get("/notes")
def list_notes(me: str = Depends(user)) -> list[dict[str, Any]]:
    return [{"id": 1, "title": "from the listing"}]


@app.post("/notes")
def create_note(body: NoteIn, me: str = Depends(user)) -> dict[str, Any]:
    return {"id": 2, "title": body.title}


def test_a_write_with_a_declared_model_gets_its_body_from_the_model() -> None:
    with probe_run(app) as (run, routes):
        made = run.request(routes["POST /notes"], run.ctx.people[0], variant=1)
        assert (made.json, run.transcript) == ({"title": "apiposture1"}, [])


def test_an_id_nothing_lists_is_left_to_the_request_builder_not_sent_as_none() -> None:
    with probe_run() as (run, routes):
        member = routes["GET /groups/{group_id}/members/{member_id}"]
        assert run.path_values(member, run.ctx.people[0]) == {"member_id": 5}
        assert sent(run) == ["alice: GET /groups/1/members -> 200"]
