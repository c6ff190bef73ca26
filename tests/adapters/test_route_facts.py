"""The framework-neutral facts adapters write onto Route (what consumers used to read
off the framework object): endpoint name, rule, typed path parameters, declared request,
undeclared body, object serialisation, why the schema may leave a route out, foreign mounts.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

pytest.importorskip("fastapi")

from fastapi import FastAPI, Header
from flask import Blueprint, Flask
from pydantic import BaseModel
from starlette.convertors import CONVERTOR_TYPES, IntegerConvertor, StringConvertor
from starlette.responses import PlainTextResponse
from werkzeug.routing import Map, UnicodeConverter

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.adapters._fastapi_facts import convertor_schema
from pytest_apiposture.adapters.flask import converter_schema
from pytest_apiposture.model import DeclaredRequest, RequestParam, Route
from pytest_apiposture.static.run import run_fingerprint
from pytest_apiposture.static.source import SourceIndex

with warnings.catch_warnings():  # deprecated in new Starlette, still the one everyone has
    warnings.simplefilter("ignore")
    from starlette.middleware.wsgi import WSGIMiddleware

UNLISTED_FLASK = "registered outside the spec extension that generates the schema"
# the default converter: its regex is "[^/]+" in older Werkzeug (any segment: no pattern)
_DEFAULT_REGEX = UnicodeConverter(Map()).regex
SLUG: dict[str, str] = {} if _DEFAULT_REGEX == "[^/]+" else {"pattern": _DEFAULT_REGEX}


class ItemIn(BaseModel):
    name: str
    price: float = 0


def build_fastapi() -> FastAPI:
    legacy = Flask("fx_facts_legacy")

    @legacy.get("/users/<int:user_id>")
    def user(user_id: int) -> dict[str, Any]:
        return {}

    app = FastAPI()

    @app.get("/items/{item_id}", name="read-item")
    def read_item(item_id: int, q: str | None = None, x_trace: str = Header()) -> dict[str, Any]:
        return {}

    @app.post("/items/{item_id}/tags/{tag}", include_in_schema=False)
    def tag_item(item_id: UUID, tag: str, body: ItemIn) -> dict[str, Any]:
        return {}

    async def raw(request: Any) -> PlainTextResponse:
        return PlainTextResponse("x")

    async def files(scope: Any, receive: Any, send: Any) -> None:
        return None

    app.add_route("/raw/{n:int}", raw)
    app.mount("/files", files, name="files")
    app.mount("/legacy", WSGIMiddleware(legacy))
    return app


def build_flask() -> Flask:
    app = Flask("fx_facts_flask")
    shop = Blueprint("shop", __name__, url_prefix="/shop")

    @shop.get("/<int(min=0):n>/<float:f>/<uuid:u>/<any(b, a):kind>/<path:rest>")
    def typed(n: int, f: float, u: UUID, kind: str, rest: str) -> dict[str, Any]:
        return {}

    @shop.post("/<slug>/<string(length=2):lang>")
    def post(slug: str, lang: str) -> dict[str, Any]:
        return {}

    app.register_blueprint(shop)
    return app


@pytest.fixture(scope="module")
def fastapi_routes() -> dict[str, Route]:
    app = build_fastapi()
    return {r.key: r for r in select_adapter(app).routes(app)}


@pytest.fixture(scope="module")
def flask_routes() -> dict[str, Route]:
    app = build_flask()
    return {r.key: r for r in select_adapter(app).routes(app)}


def facts(route: Route) -> tuple[Any, ...]:
    return (
        route.endpoint_name,
        route.rule,
        route.path_schemas,
        route.undeclared_body,
        route.serializes_objects,
        route.unlisted_reason,
        route.foreign_mount,
    )


def path(name: str, **schema: Any) -> RequestParam:
    return RequestParam(name, "path", schema)


def test_fastapi_route_facts(fastapi_routes: dict[str, Route]) -> None:
    # Starlette's "int" convertor takes no sign; importing connexion (other tests do)
    # swaps in a signed one for the whole process
    unsigned = type(CONVERTOR_TYPES["int"]) is IntegerConvertor
    raw_int = {"type": "integer", "minimum": 0} if unsigned else {"type": "integer"}
    got = {key: facts(fastapi_routes[key]) for key in (
        "GET /items/{item_id}", "POST /items/{item_id}/tags/{tag}", "GET /raw/{n}",
        "GET /files/{path}", "GET /legacy/users/{user_id}",
    )}  # fmt: skip
    assert got == {
        "GET /items/{item_id}": (
            "read-item", "/items/{item_id}", (path("item_id", type="integer"),),
            False, True, "", False,
        ),
        "POST /items/{item_id}/tags/{tag}": (
            "tag_item", "/items/{item_id}/tags/{tag}",
            (path("item_id", type="string", format="uuid"), path("tag", type="string")),
            False, True, "", False,
        ),
        # a plain Starlette route: its convertor types the segment, its handler builds
        # the response, and Starlette documents nothing
        "GET /raw/{n}": (
            "raw", "/raw/{n:int}", (path("n", **raw_int),),
            False, False, "a raw Starlette route", False,
        ),
        "GET /files/{path}": ("files", "/files/{path:path}", (), False, False, "", False),
        # the mounted Flask app's rule is its own (no mount prefix); FastAPI cannot see it
        "GET /legacy/users/{user_id}": (
            "user", "/users/<int:user_id>", (path("user_id", type="integer", minimum=1),),
            True, False, UNLISTED_FLASK, True,
        ),
    }  # fmt: skip


def test_fastapi_declared_request_is_what_the_signature_says(
    fastapi_routes: dict[str, Route],
) -> None:
    read = fastapi_routes["GET /items/{item_id}"].declared_request
    assert read is not None
    assert read() == DeclaredRequest(
        params=(
            RequestParam("item_id", "path", {"type": "integer"}),
            RequestParam("q", "query", {"anyOf": [{"type": "string"}, {"type": "null"}]}, False),
            RequestParam("x-trace", "header", {"type": "string"}),
        ),
        body=None,
    )
    assert read() is read()  # computed once
    tag = fastapi_routes["POST /items/{item_id}/tags/{tag}"].declared_request
    assert tag is not None
    assert tag().body == {
        "properties": {
            "name": {"title": "Name", "type": "string"},
            "price": {"default": 0, "title": "Price", "type": "number"},
        },
        "required": ["name"],
        "title": "ItemIn",
        "type": "object",
    }
    # only FastAPI routes declare their inputs
    for key in ("GET /raw/{n}", "GET /files/{path}", "GET /legacy/users/{user_id}"):
        assert fastapi_routes[key].declared_request is None


def test_flask_route_facts(flask_routes: dict[str, Route]) -> None:
    typed = flask_routes["GET /shop/{n}/{f}/{u}/{kind}/{rest}"]
    assert facts(typed) == (
        "shop.typed",
        "/shop/<int(min=0):n>/<float:f>/<uuid:u>/<any(b, a):kind>/<path:rest>",
        (
            path("n", type="integer", minimum=0),
            path("f", type="number", minimum=1),
            path("u", type="string", format="uuid"),
            path("kind", type="string", enum=["a", "b"]),
            path("rest", type="string"),
        ),
        True, False, UNLISTED_FLASK, False,
    )  # fmt: skip
    post = flask_routes["POST /shop/{slug}/{lang}"]
    assert (post.endpoint_name, post.rule, post.path_schemas) == (
        "shop.post",
        "/shop/<slug>/<string(length=2):lang>",
        # Werkzeug spells the default converter's regex "[^/]{1,}" (kept: the probes
        # have always generated from it), "[^/]+" in older versions
        (path("slug", type="string", **SLUG), path("lang", type="string", pattern="[^/]{2}")),
    )
    assert post.declared_request is None


def test_path_params_and_path_schema_come_from_the_one_helper(
    flask_routes: dict[str, Route],
) -> None:
    typed = flask_routes["GET /shop/{n}/{f}/{u}/{kind}/{rest}"]
    assert typed.path_params == ("n", "f", "u", "kind", "rest")
    assert typed.path_schema("n") == {"type": "integer", "minimum": 0}
    assert typed.path_schema("unknown") == {"type": "string"}  # nothing known: any segment
    assert Route("GET", "/a/{x:int}/b/{y}", "starlette", "m:h").path_params == ("x", "y")


def test_converter_tables_for_unknown_and_derived_converters() -> None:
    class Custom:
        regex = r"\d+"

    class Signed(IntegerConvertor):  # what connexion registers as Starlette's "int"
        regex = r"[+-]?[0-9]+"

    class Slug(StringConvertor):
        regex = "[a-z-]+"

    assert converter_schema(Custom()) == {"type": "string", "pattern": r"\d+"}
    assert convertor_schema(Custom()) == {"type": "string", "pattern": r"\d+"}
    assert convertor_schema(IntegerConvertor()) == {"type": "integer", "minimum": 0}
    assert convertor_schema(Signed()) == {"type": "integer"}
    assert convertor_schema(StringConvertor()) == {"type": "string"}
    assert convertor_schema(Slug()) == {"type": "string", "pattern": "[a-z-]+"}


def test_the_static_cache_key_sees_every_fact_rules_read(tmp_path: Path) -> None:
    base = Route("GET", "/a", "flask", "m:h", endpoint_name="e", rule="/a")
    index = SourceIndex(tmp_path)

    def digest(route: Route) -> bytes:
        return run_fingerprint([route], [False], index, None).digest

    changed = [
        replace(base, endpoint_name="other"),
        replace(base, rule="/<a>"),
        replace(base, serializes_objects=True),
    ]
    assert len({digest(base), *map(digest, changed)}) == 1 + len(changed)
