from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.model import ModelField, Route
from pytest_apiposture.probes.client import NO_BODY
from pytest_apiposture.probes.shape import Param, Shape, fields_schema, shape_of
from pytest_apiposture.probes.synth import (
    body_for,
    body_from_record,
    build_request,
    name_tag,
    value_for,
)

from .fixtures import px_flask_app, px_schema_app

NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")


def route_for(app: Any, method: str, path: str) -> Route:
    return next(r for r in select_adapter(app).routes(app) if r.key == f"{method} {path}")


def test_value_for_follows_refs_and_keywords() -> None:
    root = {
        "components": {
            "schemas": {
                "Kind": {"type": "string", "enum": ["b", "a"]},
                "Base": {
                    "type": "object",
                    "properties": {"id": {"type": "integer", "readOnly": True}},
                },
                "Item": {
                    "allOf": [{"$ref": "#/components/schemas/Base"}],
                    "type": "object",
                    "required": ["kind", "n", "nested", "maybe", "const"],
                    "properties": {
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "n": {"type": "integer", "minimum": 10, "multipleOf": 5},
                        "nested": {"type": "object", "properties": {"x": {"type": "boolean"}}},
                        "maybe": {"anyOf": [{"type": "null"}, {"type": "number", "maximum": 0.5}]},
                        "const": {"const": "fixed"},
                        "ignored": {"type": "string"},
                    },
                },
            }
        }
    }
    value = value_for({"$ref": "#/components/schemas/Item"}, root)
    assert value == {"kind": "b", "n": 10, "nested": {"x": False}, "maybe": 0.5, "const": "fixed"}


def test_value_for_prefers_examples_then_changes_strings_per_variant() -> None:
    spec = {"type": "string", "example": "from-example"}
    assert value_for(spec, {}, "name") == "from-example"
    assert value_for(spec, {}, "name", variant=2) == "apiposture2"
    assert value_for({"type": "string", "format": "email"}, {}, "x", 3) == "apiposture3@example.com"
    assert value_for({"type": "string"}, {}, "contact_email", 1) == "apiposture1@example.com"


def test_shape_and_request_from_the_openapi_schema() -> None:
    app = px_schema_app.app
    route = route_for(app, "POST", "/signup")
    shape = shape_of(route, app.openapi())
    request = build_request("POST", "/signup", shape)
    assert request.query == (("invite", "inv-aaa"),)
    assert request.json == {
        "email": "apiposture0@example.com",
        "age": 18,
        "score": 0.5,
        "colour": "red",
        "born": "2024-01-02",
        "seen_at": "2024-01-02T03:04:05Z",
        "token": str(uuid.uuid5(NAMESPACE, "token:0")),
        "address": {"street": "apiposture", "postcode": "00000"},
        "tags": ["apiposture", "apiposture1"],
        "code": "apipostu",
    }
    # the synthesised request is valid: the route's own validation accepts it
    with TestClient(app) as client:
        response = client.post(request.url, json=request.json)
    assert response.status_code == 200, response.text


def test_hidden_fastapi_route_is_described_from_its_dependant() -> None:
    app = px_schema_app.app
    route = route_for(app, "POST", "/hidden/{thing_id}")
    shape = shape_of(route, app.openapi())
    assert [(p.name, p.location, p.required) for p in shape.params] == [
        ("thing_id", "path", True),
        ("page", "query", True),
    ]
    request = build_request("POST", route.path, shape)
    assert (request.path, request.query) == ("/hidden/1", (("page", "1"),))
    assert request.json == {"street": "apiposture", "postcode": "00000"}
    with TestClient(app) as client:
        assert client.post(request.url, json=request.json).status_code == 200


def test_flask_converters_give_valid_path_values() -> None:
    route = route_for(px_flask_app.app, "GET", "/api/kinds/{kind}/{ref}")
    shape = shape_of(route, None)
    assert shape.path_param("kind") == Param(
        "kind", "path", {"type": "string", "enum": ["tool", "toy"]}, True
    )
    request = build_request("GET", route.path, shape)
    assert request.path == f"/api/kinds/tool/{uuid.uuid5(NAMESPACE, 'ref:0')}"
    assert request.json is NO_BODY


def test_body_from_adapter_fields_and_from_a_record() -> None:
    fields = (
        ModelField("title", "str", True),
        ModelField("count", "int"),
        ModelField("tags", "list[str]"),
    )
    shape = Shape(body=fields_schema(fields), body_kind="json")
    assert body_for(shape) == {"title": "apiposture"}
    record = {"id": 4, "name": "lamp", "price": 3.5, "owner_id": 1, "is_admin": False, "meta": {}}
    assert body_from_record(record, 2, frozenset({"is_admin"})) == {
        "name": "apiposture2",
        "price": 3.5,
    }


def test_optional_privileged_fields_stay_out_of_the_valid_body() -> None:
    shape = Shape(
        body={
            "type": "object",
            "properties": {"name": {"type": "string"}, "is_admin": {"type": "boolean"}},
        },
        body_kind="json",
    )
    assert body_for(shape, 1, frozenset({"is_admin"})) == {"name": "apiposture1"}


def test_the_run_tag_goes_into_every_name_and_nowhere_else() -> None:
    spec = {
        "type": "object",
        "required": ["title", "email", "website", "ref", "password", "kind", "short", "code"],
        "properties": {
            "title": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "website": {"type": "string"},
            "ref": {"type": "string", "format": "uuid"},
            "password": {"type": "string"},  # not a name: no tag
            "kind": {"type": "string", "example": "tool"},  # the schema's own value: kept
            "short": {"type": "string", "maxLength": 10},  # no room for the tag
            "code": {"type": "string", "pattern": "^[a-z]+$"},  # the tag's digits do not fit
        },
    }
    tag = name_tag("3f9a1c", "APS251", "POST /things")
    assert (tag, name_tag("", "APS251", "POST /things")) == ("3f9a1c0d77", "")
    assert name_tag("3f9a1c", "APS151", "POST /things") != tag  # another probe, another tag
    assert value_for(spec, {}, tag=tag) == {
        "title": f"apiposture-{tag}",
        "email": f"apiposture0-{tag}@example.com",
        "website": f"http://apiposture.invalid/x0-{tag}",
        "ref": str(uuid.uuid5(NAMESPACE, f"ref:0:{tag}")),
        "password": "Apiposture-Passw0rd!0",
        "kind": "tool",
        "short": "apiposture",
        "code": "apiposture",
    }
    plain = value_for(spec, {})  # no nonce: the names of the probes' own tests
    assert (plain["title"], plain["email"]) == ("apiposture", "apiposture0@example.com")
    assert plain["ref"] == str(uuid.uuid5(NAMESPACE, "ref:0"))
