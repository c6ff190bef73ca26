"""Which fields APS351 injects and with which values (injection.py), pinned with a case on
each side of each decision (issue 19): what the request model takes (``allOf`` parts
included), the JSON type of a schema or a display type, the type guessed from a name,
the value chosen against what the control showed, and when an echo is the injected value.
The decisions are pure functions, judged exactly; a timestamp echoed with its zone is
also shown end to end."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import ModelField, Route
from pytest_apiposture.probes import MassAssignmentProbe, ProbeOutcome, ProbeSettings, run_probe
from pytest_apiposture.probes.injection import (
    DISTINCT_INT,
    DISTINCT_TIME,
    _display_type,
    _guess_type,
    candidates,
    choose,
    model_types,
    request_fields,
    request_types,
    required_fields,
    same,
)
from pytest_apiposture.probes.shape import Shape

from .harness import context

ROOT = {
    "components": {
        "schemas": {
            "Base": {"properties": {"name": {"type": "string"}}, "required": ["name"]},
            "Extra": {"properties": {"level": {"type": "integer"}}},
            "Rule": {"required": ["level"]},  # a part that only requires
        }
    }
}
REF = "#/components/schemas/"


def body(schema: dict[str, Any]) -> Shape:
    return Shape(body=schema, body_kind="json", root=ROOT)


def test_the_request_model_is_its_own_properties_and_those_of_its_all_of_parts() -> None:
    composed = body(
        {
            "properties": {"note": {"type": "string"}},
            "required": ["note"],
            "allOf": [{"$ref": REF + "Base"}, {"$ref": REF + "Extra"}, {"$ref": REF + "Rule"}],
        }
    )
    plain = body({"properties": {"note": {"type": "string"}}, "required": ["note"]})
    assert request_fields(composed) == {"note", "name", "level"}
    assert required_fields(composed) == {"note", "name", "level"}
    assert (request_fields(plain), required_fields(plain)) == ({"note"}, {"note"})
    assert (request_fields(Shape()), required_fields(Shape())) == (set(), set())


def test_a_request_field_type_unwraps_nullable_unions_and_type_lists() -> None:
    properties = {
        "plain": {"type": "boolean"},
        "any_of": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        "null_first": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
        "one_of": {"oneOf": [{"type": "null"}, {"type": "number"}]},
        "untyped_first": {"anyOf": [{"description": "x"}, {"type": "array"}]},
        "type_list": {"type": ["null", "boolean"]},
        "type_list_last": {"type": ["integer", "null"]},
        "only_null": {"type": ["null"]},
        "nothing": {},
        "ref": {"$ref": REF + "Base"},
    }
    assert request_types(body({"properties": properties})) == {
        "plain": "boolean",
        "any_of": "integer",
        "null_first": "integer",
        "one_of": "number",
        "untyped_first": "array",
        "type_list": "boolean",
        "type_list_last": "integer",
        "only_null": "string",
        "nothing": "string",
        "ref": "string",
    }


def route(*fields: ModelField) -> Route:
    return Route("POST", "/users", "fastapi", "app:create", response_fields=fields)


def test_response_types_come_from_the_model_by_alias_then_the_schema() -> None:
    fields = (
        ModelField("is_admin", "bool", alias="isAdmin"),
        ModelField("level", "int | None"),
        ModelField("price", "Optional[Decimal]"),
        ModelField("score", "float"),
        ModelField("roles", "list[str]"),
        ModelField("tags", "set[str]"),
        ModelField("pair", "tuple[int, int]"),
        ModelField("extra", "dict[str, Any]"),
        ModelField("name", "str"),
    )
    schema = {"properties": {"level": {"type": "string"}, "plan": {"type": "string"}}}
    assert model_types(route(*fields), Shape(response=schema)) == {
        "isAdmin": "boolean",
        "level": "integer",  # the model first
        "price": "number",
        "score": "number",
        "roles": "array",
        "tags": "array",
        "pair": "array",
        "extra": "object",
        "name": "string",
        "plan": "string",
    }


def test_a_list_response_is_read_by_its_items_an_object_by_itself() -> None:
    item = {"properties": {"is_admin": {"type": "boolean"}}}
    listing = Shape(response={"type": "array", "items": item})
    one = Shape(response={"type": "object", **item})
    assert model_types(route(), listing) == model_types(route(), one) == {"is_admin": "boolean"}
    assert model_types(route(), Shape()) == {}
    assert _display_type("str") == _display_type("UUID") == "string"


def test_a_candidate_is_typed_as_declared_then_as_seen_then_by_its_name() -> None:
    found = candidates(
        DEFAULT_KNOWLEDGE,
        taken={"name"},
        declared={"level": "integer", "name": "string", "role": "integer"},
        observed=[{"role": "x", "plan": 3, "nickname": 5}, {"credits": [1]}],
        want_access=True,
    )
    # privileged first (by name), then the rest; nickname is not privileged, never seen
    assert found == {
        "credits": "array",  # as seen
        "is_admin": "boolean",  # by its name
        "is_staff": "boolean",
        "is_superuser": "boolean",
        "plan": "integer",  # as seen, not guessed as a string
        "role": "integer",  # as declared, not as seen
        "level": "integer",  # declared, not privileged: last
    }
    without = candidates(DEFAULT_KNOWLEDGE, set(), {}, [{"role": "x"}], want_access=False)
    assert without == {"role": "string"}


def test_a_type_is_guessed_from_the_name() -> None:
    names = ("is_admin", "has_x", "can_y", "email_verified", "role", "plan", "roles", "scopes")
    assert [_guess_type(n) for n in names] == [
        *["boolean"] * 4,
        "string",
        "string",
        "array",
        "array",
    ]
    numbers = ("owner_id", "balance", "credit", "credits", "price", "discount", "created_by")
    assert {n: _guess_type(n) for n in numbers} == dict.fromkeys(numbers, "integer")
    assert [_guess_type(n) for n in ("identity", "debit", "created", "owner_idx")] == ["string"] * 4


def test_a_value_differs_from_what_the_control_showed() -> None:
    fields = {
        "is_admin": "boolean",
        "verified": "boolean",
        "active": "boolean",
        "stored": "boolean",
        "level": "integer",
        "score": "integer",
        "price": "number",
        "roles": "array",
        "meta": "object",
        "reviewed_at": "string",
        "role": "string",
        "plan": "string",
        "note": "string",
    }
    current = {
        "is_admin": False,
        "verified": True,
        "stored": "yes",  # not a boolean: a true is as good as any
        "score": DISTINCT_INT,
        "plan": "enterprise",
    }
    assert choose(fields, current) == {
        "is_admin": True,
        "verified": False,
        "active": True,
        "stored": True,
        "level": DISTINCT_INT,
        "score": DISTINCT_INT + 1,
        "price": DISTINCT_INT,
        "roles": ["admin"],
        "reviewed_at": DISTINCT_TIME,
        "role": "admin",
        "plan": "apiposture-plan",
        "note": "apiposture-note",
    }


def test_an_echo_is_the_injected_value_in_the_apps_own_spelling() -> None:
    zoned = DISTINCT_TIME + "+00:00"
    assert [same(zoned, DISTINCT_TIME), same(DISTINCT_TIME, DISTINCT_TIME)] == [True, True]
    assert not same("2020-01-01T00:00:00", DISTINCT_TIME)
    assert not same(zoned, "admin")  # only the injected time may carry a zone
    assert not same(DISTINCT_TIME, DISTINCT_TIME + "Z")
    assert [same(["admin"], ["admin"]), same([1], ["1"])] == [True, True]
    assert not same(["user"], ["admin"])
    assert [same(1, True), same(True, True), same(DISTINCT_INT, DISTINCT_INT)] == [
        False,
        True,
        True,
    ]


class Named(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class Review(BaseModel):
    name: str
    reviewed_at: str | None = None


app = FastAPI()


@app.post("/reviews", response_model=Review)
def create_review(body: Named) -> dict[str, Any]:
    """Takes the review time from the caller (the flaw) and answers it with its zone."""
    sent = (body.model_extra or {}).get("reviewed_at")
    when = datetime.fromisoformat(sent).replace(tzinfo=timezone.utc) if sent else None
    return {"name": body.name, "reviewed_at": when.isoformat() if when else None}


@app.post("/audits", response_model=Review)
def create_audit(body: Named) -> dict[str, Any]:
    """Sets the time itself whatever the caller sends."""
    return {"name": body.name, "reviewed_at": "2020-01-01T00:00:00+00:00"}


def outcome(key: str) -> ProbeOutcome:
    with context(app, settings=ProbeSettings(timeout=2.0)) as ctx:
        found = next(r for r in ctx.routes if r.key == key)
        return run_probe(MassAssignmentProbe(), found, ctx)


def test_an_injected_time_echoed_with_a_zone_is_flagged_a_time_of_its_own_is_not() -> None:
    flagged, kept = outcome("POST /reviews"), outcome("POST /audits")
    assert [f.message for f in flagged.findings] == [
        "POST /reviews accepted fields the caller must not set: "
        f"reviewed_at={DISTINCT_TIME!r} came back in the response"
    ]
    assert (kept.skipped, kept.findings) == (None, [])
