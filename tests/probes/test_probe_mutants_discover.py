"""How probes relate routes and read ids (discover.py), and what APS352's own requests
decide (data_exposure.py), pinned (issue 19): the collection, listing, create and read
route of a path, the caller's own record and admin routes, server-wide writes, the
records and ids in an answer; who the exposure probe asks and why it cannot tell."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Response, WebSocket
from fastapi.responses import JSONResponse, PlainTextResponse

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.probes import DataExposureProbe, ProbeOutcome, ProbeSettings, run_probe
from pytest_apiposture.probes.discover import (
    RouteTable,
    about_caller,
    bare,
    changes_server_state,
    collection_path,
    id_of,
    ids_in,
    is_id_param,
    names_people,
    read_for,
    records,
    singular,
)

from .harness import context

app = FastAPI()


@app.get("/items/")
def list_items() -> list[dict[str, Any]]:
    return [{"id": 1}]


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict[str, Any]:
    return {"id": item_id}


@app.put("/items/{item_id}")
def replace_item(item_id: int) -> dict[str, Any]:
    return {"id": item_id}


@app.post("/items")
def create_item() -> dict[str, Any]:
    return {"id": 2}


@app.post("/items/{item_id}/copies")
def copy_item(item_id: int) -> dict[str, Any]:
    return {"id": 3}


@app.post("/things")
def create_thing() -> dict[str, Any]:
    return {"id": 4}


@app.get("/docs-a")
def docs_plain() -> dict[str, Any]:
    return {}


@app.get("/docs-a/")
def docs_slash() -> dict[str, Any]:
    return {}


@app.get("/plain")
def plain() -> dict[str, Any]:
    return {}


@app.get("/users/me")
def me() -> dict[str, Any]:
    return {"id": 1}


@app.get("/me/{field}")
def me_field(field: str) -> dict[str, Any]:
    return {}


@app.post("/profile")
def update_profile() -> dict[str, Any]:
    return {}


@app.get("/admin/stats")
def stats() -> dict[str, Any]:
    return {}


@app.get("/admin/users/{user_id}")
def admin_user(user_id: int) -> dict[str, Any]:
    return {}


@app.websocket("/items/{item_id}/feed")
async def feed(websocket: WebSocket, item_id: int) -> None:
    await websocket.close()


@app.get("/leaky")
def leaky() -> dict[str, Any]:
    return {"id": 1, "password": "hunter2"}


@app.post("/leaky")
def leaky_write() -> dict[str, Any]:
    return {"id": 1}


@app.get("/refused")
def refused() -> Any:
    return JSONResponse({"detail": "no", "password": "hunter2"}, status_code=403)


@app.get("/missing")
def missing() -> Any:
    return PlainTextResponse("not here", status_code=404)


@app.get("/raw")
def raw() -> Response:
    return Response(content=b"raw bytes")  # no content type


TABLE = RouteTable(select_adapter(app).routes(app))


def keys(routes: Any) -> list[str]:
    return [r.key for r in routes]


def test_path_templates_name_their_collection() -> None:
    assert [is_id_param(n) for n in ("note_id", "uuid", "name", "slug")] == [
        True,
        True,
        False,
        True,
    ]
    assert [collection_path(p) for p in ("/items/{item_id}", "/items/{item_id}/", "/{id}", "/items")] == [
        "/items", "/items", "/", None
    ]  # fmt: skip
    assert [bare(p) for p in ("/api/items/", "/", "/items")] == ["/api/items", "/", "/items"]
    assert [singular(p) for p in ("/api/users/", "/categories", "/address", "/staff",
                                  "/items/{item_id}", "/")] == [
        "user", "category", "address", "staff", "item", ""
    ]  # fmt: skip
    assert [names_people(p) for p in ("/users/{user_id}", "/notes")] == [True, False]


def test_the_route_table_indexes_http_routes_their_members_own_records_and_admin() -> None:
    assert "WEBSOCKET /items/{item_id}/feed" not in TABLE.by_key
    assert keys(TABLE.children("/items")) == ["GET /items/{item_id}"]  # not the PUT, the POST
    assert keys(TABLE.me) == ["GET /users/me"]  # not GET /me/{field}, not POST /profile
    assert keys(TABLE.admin) == ["GET /admin/stats"]
    # with or without the trailing slash either way; the exact path first
    found = [TABLE.get("GET", p) for p in ("/items", "/plain/", "/docs-a/", "/docs-a", None)]
    assert [r.key if r else None for r in found] == [
        "GET /items/", "GET /plain", "GET /docs-a/", "GET /docs-a", None
    ]  # fmt: skip


def test_what_a_write_is_read_back_by_and_whose_record_it_changes() -> None:
    routes = TABLE.by_key
    reads = [read_for(routes[k], TABLE) for k in ("PUT /items/{item_id}", "POST /items",
                                                  "POST /things")]  # fmt: skip
    assert [r.key if r else None for r in reads] == [
        "GET /items/{item_id}", "GET /items/{item_id}", None
    ]  # fmt: skip
    assert [about_caller(routes[k]) for k in ("POST /profile", "POST /items")] == [True, False]
    from pytest_apiposture.model import Route

    people = [
        Route(m, p, "fastapi", "m:f") for m, p in (("POST", "/users"), ("PUT", "/users/{user_id}"))
    ]
    assert [about_caller(r) for r in people] == [True, True]


def test_writes_to_the_apps_own_configuration_are_server_wide() -> None:
    from pytest_apiposture.model import Route

    cases = [("POST", "/settings"), ("PUT", "/setup"), ("PATCH", "/api/config/"),
             ("DELETE", "/instance"), ("GET", "/settings"), ("POST", "/notes")]  # fmt: skip
    routes = [Route(m, p, "fastapi", "m:f") for m, p in cases]
    assert [changes_server_state(r) for r in routes] == [True, True, True, True, False, False]


def test_records_and_ids_in_an_answer() -> None:
    assert list(records([{"id": 1}, "x", {"id": 2}])) == [{"id": 1}, {"id": 2}]
    assert list(records({"items": [{"id": 1}], "total": 1})) == [{"id": 1}]
    assert list(records({"id": 3})) == [{"id": 3}]
    assert list(records("text")) == []
    assert id_of({"name": "n", "id": 3}, "item_name") == "n"  # a reference by name
    assert id_of({"id": 1, "_id": "abc"}) == 1
    assert id_of({"": 5, "id": 3}) == 3  # no parameter name: no empty key either
    assert id_of({"id": True, "uuid": "u"}) == "u"  # a flag is no id
    assert id_of({"id": "", "pk": 7}) == 7
    assert ids_in([{"id": 1}, {"id": 1}, {"x": 2}, {"id": 2}]) == [1, 2]


def exposure(key: str, identities: Any = None) -> ProbeOutcome:
    people = {"alice": {"X-User": "alice"}, "bob": {"X-User": "bob"}}
    with context(app, identities=people if identities is None else identities,
                 settings=ProbeSettings(timeout=2.0)) as ctx:  # fmt: skip
        return run_probe(DataExposureProbe(), next(r for r in ctx.routes if r.key == key), ctx)


def test_a_read_is_asked_anonymously_and_as_each_identity_a_write_once() -> None:
    read = exposure("GET /leaky")
    assert [e.label for e in read.transcript] == ["anonymous", "alice", "bob"]
    assert [f.message for f in read.findings] == [
        "GET /leaky returned $.password (sensitive field)"
    ]
    # a write is sent once, as the first identity (its body shaped on what GET answers)
    write = exposure("POST /leaky")
    assert ([(e.label, e.route) for e in write.transcript], write.notes) == (
        [("alice", "GET /leaky"), ("alice", "POST /leaky")],
        ["scanned 1 JSON response(s): nothing sensitive"],
    )
    anonymous = exposure("POST /leaky", identities={})
    assert [(e.label, e.route) for e in anonymous.transcript] == [
        ("anonymous", "GET /leaky"), ("anonymous", "POST /leaky")
    ]  # fmt: skip


def test_without_a_2xx_json_answer_it_says_what_it_got() -> None:
    assert [exposure(k, identities={}).skipped for k in ("GET /refused", "GET /missing", "GET /raw")] == [
        "no 2xx JSON response to scan (anonymous -> 403)",
        "no 2xx JSON response to scan (anonymous -> 404)",
        "anonymous: GET /raw -> 200 (no content type), not JSON: nothing to scan",
    ]  # fmt: skip
