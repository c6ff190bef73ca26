"""FastAPIAdapter against real fixture apps.

Runs unchanged on FastAPI >= 0.137 (included routers kept as a tree, read through
``iter_route_contexts``) and on older FastAPI (included routes copied flat into
``app.routes``). Where the two really differ, the expectation says so with ``TREE``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

fastapi = pytest.importorskip("fastapi")

from fastapi import FastAPI  # noqa: E402
from fastapi.security import APIKeyHeader, HTTPBearer, OAuth2PasswordBearer  # noqa: E402
from flask import Flask  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from pytest_apiposture.adapters import AdapterError, select_adapter  # noqa: E402
from pytest_apiposture.adapters.fastapi import FastAPIAdapter, lifespan_started  # noqa: E402
from pytest_apiposture.model import Guard, Location, ModelField, Route  # noqa: E402

FIXTURES = Path(__file__).parent / "fastapi_fixtures"
TREE = hasattr(fastapi.routing, "iter_route_contexts")
ADAPTER = FastAPIAdapter()


@pytest.fixture(scope="module")
def fx() -> SimpleNamespace:
    """The fixture modules, imported by their unique ``fa_fx_*`` names."""
    sys.path.insert(0, str(FIXTURES))
    try:
        names = ("security", "items", "main", "mounts", "extra")
        return SimpleNamespace(**{n: importlib.import_module(f"fa_fx_{n}") for n in names})
    finally:
        sys.path.remove(str(FIXTURES))


@pytest.fixture(scope="module")
def main_routes(fx: SimpleNamespace) -> dict[str, Route]:
    routes = ADAPTER.routes(fx.main.app)
    keyed = {route.key: route for route in routes}
    assert len(keyed) == len(routes), "one Route per method and path"
    return keyed


def line_of(module: ModuleType | str, marker: str) -> int:
    """The one line of a source file that contains ``marker``."""
    path = module if isinstance(module, str) else str(module.__file__)
    lines = Path(path).read_text().splitlines()
    hits = [number for number, text in enumerate(lines, 1) if marker in text]
    assert len(hits) == 1, (marker, hits)
    return hits[0]


def loc(module: ModuleType, marker: str, symbol: str) -> Location:
    return Location(os.path.abspath(str(module.__file__)), line_of(module, marker), symbol)


def guard_facts(route: Route) -> list[tuple[Any, ...]]:
    return [(g.name, g.origin, g.scheme, g.auto_error, g.scopes) for g in route.guards]


def test_matches_fastapi_and_starlette_only(fx: SimpleNamespace) -> None:
    assert ADAPTER.matches(fx.main.app)
    assert ADAPTER.matches(fx.extra.plain)
    assert not ADAPTER.matches(Flask("fa_fx_not_asgi"))
    assert not ADAPTER.matches(object())
    assert select_adapter(fx.main.app).name == "fastapi"


def test_main_app_inventory(fx: SimpleNamespace, main_routes: dict[str, Route]) -> None:
    docs = "fastapi.applications:FastAPI.setup.<locals>."
    expected = {
        ("GET", "/openapi.json", "starlette", "http", docs + "openapi"),
        ("GET", "/docs", "starlette", "http", docs + "swagger_ui_html"),
        ("GET", "/docs/oauth2-redirect", "starlette", "http", docs + "swagger_ui_redirect"),
        ("GET", "/redoc", "starlette", "http", docs + "redoc_html"),
        ("GET", "/v1/api/items/{item_id}", "fastapi", "http", "fa_fx_items:read_item"),
        ("POST", "/v1/api/items/", "fastapi", "http", "fa_fx_items:create_item"),
        ("GET", "/v1/api/items/hidden", "fastapi", "http", "fa_fx_items:hidden_item"),
        ("PUT", "/v1/api/items/kinds/alpha", "fastapi", "http", "fa_fx_items:put_kind"),
        ("PUT", "/v1/api/items/kinds/beta", "fastapi", "http", "fa_fx_items:put_kind"),
        ("GET", "/health", "fastapi", "http", "fa_fx_main:health"),
        ("GET", "/me", "fastapi", "http", "fa_fx_main:read_me"),
        ("DELETE", "/admin/users/{user_id}", "fastapi", "http", "fa_fx_main:delete_user"),
        ("GET", "/direct-scheme", "fastapi", "http", "fa_fx_main:direct_scheme"),
        ("GET", "/partial", "fastapi", "http", "fa_fx_main:_greet"),
        ("GET", "/lambda", "fastapi", "http", "fa_fx_main:<lambda>"),
        ("GET", "/reports/daily", "fastapi", "http", "fa_fx_main:make_report.<locals>.report"),
        ("GET", "/reports/weekly", "fastapi", "http", "fa_fx_main:make_report.<locals>.report"),
        ("GET", "/generated", "fastapi", "http", "fa_fx_generated:generated"),
        ("GET", "/raw/{name}", "starlette", "http", "fa_fx_main:raw_endpoint"),
        ("POST", "/raw/{name}", "starlette", "http", "fa_fx_main:raw_endpoint"),
        ("WEBSOCKET", "/ws/{room}", "fastapi", "websocket", "fa_fx_main:ws_room"),
        ("GET", "/search", "fastapi", "http", "fa_fx_main:search"),
        (
            "GET",
            "/factory/stats",
            "fastapi",
            "http",
            "fa_fx_main:build_factory_router.<locals>.factory_stats",
        ),
    }
    if TREE:  # a Mount inside an included router is served only by the tree-shaped FastAPI
        expected.add(
            (
                "GET",
                "/tools/files/{path}",
                "starlette",
                "mount",
                "starlette.staticfiles:StaticFiles",
            )
        )
    found = {(r.method, r.path, r.framework, r.kind, r.handler) for r in main_routes.values()}
    assert found == expected


def test_mount_inside_included_router_listed_exactly_when_served(
    fx: SimpleNamespace, main_routes: dict[str, Route]
) -> None:
    served = TestClient(fx.main.app).get("/tools/files/fa_fx_main.py").status_code == 200
    assert served is TREE
    assert ("GET /tools/files/{path}" in main_routes) is served


def test_handler_locations_point_at_the_def_line(
    fx: SimpleNamespace, main_routes: dict[str, Route]
) -> None:
    items, main = fx.items, fx.main
    expected = {
        "GET /v1/api/items/{item_id}": loc(items, "def read_item(", "read_item"),
        "POST /v1/api/items/": loc(items, "async def create_item(", "create_item"),
        "PUT /v1/api/items/kinds/beta": loc(items, "def put_kind(", "put_kind"),
        "GET /search": loc(main, "def search(", "search"),  # under two decorators
        "GET /reports/weekly": loc(main, "def report(", "make_report.<locals>.report"),
        "GET /lambda": loc(main, 'add_api_route("/lambda"', "<lambda>"),
        "GET /partial": loc(main, "def _greet(", "_greet"),
        "GET /raw/{name}": loc(main, "async def raw_endpoint(", "raw_endpoint"),
        "WEBSOCKET /ws/{room}": loc(main, "async def ws_room(", "ws_room"),
        "GET /generated": None,  # exec'd code has no source file
    }
    assert {key: main_routes[key].location for key in expected} == expected


def test_guards_of_a_route_whose_auth_is_attached_by_include_router(
    fx: SimpleNamespace, main_routes: dict[str, Route]
) -> None:
    sec = fx.security
    route = main_routes["GET /v1/api/items/{item_id}"]
    assert route.guards == (
        Guard(
            "fa_fx_security.app_trace",
            "app-dependency",
            location=loc(sec, "def app_trace(", "app_trace"),
        ),
        Guard(
            "fa_fx_security.get_current_user",
            "router-dependency",
            "OAuth2PasswordBearer",
            True,
            location=loc(sec, "def get_current_user(", "get_current_user"),
        ),
        Guard(
            "fa_fx_security.audit_log",
            "router-dependency",
            location=loc(sec, "def audit_log(", "audit_log"),
        ),
        Guard(
            "fa_fx_security.require_x_token",
            "route-dependency",
            "header:x-token",
            True,
            location=loc(sec, "def require_x_token(", "require_x_token"),
        ),
        Guard("fa_fx_security.get_db", "parameter", location=loc(sec, "def get_db(", "get_db")),
    )
    # the scheme sits two levels below the guard: the chain names every step
    assert route.guards[1].chain == (sec.get_current_user, sec.decode_token, sec.oauth2_scheme)
    assert route.guards[1].func is sec.get_current_user
    assert route.guards[3].chain == (sec.require_x_token,)


def test_guard_facts_for_every_kind_of_dependency(main_routes: dict[str, Route]) -> None:
    trace = ("fa_fx_security.app_trace", "app-dependency", None, None, ())
    current_user = (
        "fa_fx_security.get_current_user",
        "router-dependency",
        "OAuth2PasswordBearer",
        True,
        (),
    )
    expected = {
        "GET /health": [trace],
        "GET /me": [
            trace,
            ("fa_fx_security.verify_api_key", "route-dependency", "APIKeyHeader", True, ()),
            ("fa_fx_security.get_optional_user", "parameter", "HTTPBearer", False, ()),
            ("fa_fx_security.session_user", "parameter", "cookie:session", False, ()),
        ],
        "DELETE /admin/users/{user_id}": [
            trace,
            (
                "fa_fx_security.RoleChecker",
                "route-dependency",
                "OAuth2PasswordBearer",
                True,
                ("admin",),
            ),
        ],
        "GET /direct-scheme": [
            trace,
            ("OAuth2PasswordBearer", "parameter", "OAuth2PasswordBearer", True, ()),
        ],
        "POST /v1/api/items/": [
            trace,
            current_user,
            ("fa_fx_security.audit_log", "router-dependency", None, None, ()),
            (
                "fa_fx_security.get_current_user",
                "parameter",
                "OAuth2PasswordBearer",
                True,
                ("items:write",),
            ),
        ],
        "GET /search": [trace, ("fa_fx_security.pagination", "parameter", None, None, ())],
        "WEBSOCKET /ws/{room}": [
            trace,
            ("fa_fx_security.require_x_token", "parameter", "header:x-token", True, ()),
        ],
    }
    assert {key: guard_facts(main_routes[key]) for key in expected} == expected
    assert guard_facts(main_routes["GET /raw/{name}"]) == []


def test_one_guard_object_per_distinct_guard(main_routes: dict[str, Route]) -> None:
    """The app dependency is one object on every route; equal facts with other scopes
    (``Security(get_current_user, scopes=...)``) stay a distinct guard."""
    traces = {id(route.guards[0]) for route in main_routes.values() if route.guards}
    assert len(traces) == 1
    router_user = main_routes["GET /v1/api/items/{item_id}"].guards[1]
    created = main_routes["POST /v1/api/items/"].guards
    assert created[1] is router_user
    assert created[3] is not router_user and created[3].scopes == ("items:write",)


def test_guard_locations_and_chains_for_instances(
    fx: SimpleNamespace, main_routes: dict[str, Route]
) -> None:
    sec = fx.security
    role = main_routes["DELETE /admin/users/{user_id}"].guards[1]
    assert role.location == loc(sec, "class RoleChecker", "RoleChecker")
    assert isinstance(role.func, sec.RoleChecker)
    assert role.chain == (role.func, sec.get_current_user, sec.decode_token, sec.oauth2_scheme)

    direct = main_routes["GET /direct-scheme"].guards[1]
    scheme_file = inspect.getsourcefile(OAuth2PasswordBearer)
    assert scheme_file is not None
    assert direct.location == Location(
        os.path.abspath(scheme_file),
        line_of(scheme_file, "class OAuth2PasswordBearer("),
        "OAuth2PasswordBearer",
    )
    assert direct.func is sec.oauth2_scheme and direct.chain == (sec.oauth2_scheme,)

    me = main_routes["GET /me"]
    assert me.guards[1].chain == (sec.verify_api_key, sec.api_key_header)
    assert isinstance(me.guards[1].chain[-1], APIKeyHeader)
    assert isinstance(me.guards[2].chain[-1], HTTPBearer)


def test_router_declared_in_a_factory(main_routes: dict[str, Route]) -> None:
    origins = [g.origin for g in main_routes["GET /factory/stats"].guards]
    if TREE:
        assert origins == [
            "app-dependency",
            "router-dependency",
            "router-dependency",
            "route-dependency",
        ]
    else:  # old FastAPI copied the route; its router is nowhere to be found
        assert origins == [
            "app-dependency",
            "route-dependency",
            "route-dependency",
            "route-dependency",
        ]
    names = [g.name for g in main_routes["GET /factory/stats"].guards]
    assert names == [
        "fa_fx_security.app_trace",
        "fa_fx_security.verify_api_key",
        "fa_fx_security.audit_log",
        "fa_fx_security.require_x_token",
    ]


def test_body_and_response_fields(main_routes: dict[str, Route]) -> None:
    item_out = (
        ModelField("id", "int", True),
        ModelField("name", "str", True),
        ModelField("secret", "str | None", False),
    )
    create = main_routes["POST /v1/api/items/"]
    assert (create.body_model, create.body_extra_allowed) == ("ItemIn", True)
    assert create.body_fields == (
        ModelField("name", "str", True),
        ModelField("tags", "list[str]", False),
        ModelField("is_admin", "bool", False),
        ModelField("owner", "int | None", False, "ownerId"),
    )
    # response_model=list[ItemOut]: the item model is what leaves the server
    assert (create.response_model, create.response_fields) == ("ItemOut", item_out)
    read = main_routes["GET /v1/api/items/{item_id}"]
    assert (read.body_model, read.body_fields, read.body_extra_allowed) == (None, (), False)
    assert (read.response_model, read.response_fields) == ("ItemOut", item_out)
    health = main_routes["GET /health"]  # -> dict[str, str]: no model
    assert (health.response_model, health.response_fields) == (None, ())


def test_params_schema_flags_and_raw_objects(
    fx: SimpleNamespace, main_routes: dict[str, Route]
) -> None:
    facts = {
        key: (r.path_params, r.query_params, r.in_schema, r.deprecated, r.mount_prefix)
        for key, r in main_routes.items()
        if key
        in {
            "GET /v1/api/items/{item_id}",
            "GET /v1/api/items/hidden",
            "GET /search",
            "PUT /v1/api/items/kinds/alpha",
            "GET /raw/{name}",
            "WEBSOCKET /ws/{room}",
            "GET /docs",
        }
    }
    assert facts == {
        "GET /v1/api/items/{item_id}": (("item_id",), ("q",), True, False, ""),
        "GET /v1/api/items/hidden": ((), (), False, True, ""),
        "GET /search": ((), ("q", "limit", "offset"), True, False, ""),  # pagination's too
        "PUT /v1/api/items/kinds/alpha": ((), ("kind",), True, False, ""),
        "GET /raw/{name}": (("name",), (), False, False, ""),  # FastAPI never documents these
        "WEBSOCKET /ws/{room}": (("room",), (), False, False, ""),
        "GET /docs": ((), (), False, False, ""),
    }
    read = main_routes["GET /v1/api/items/{item_id}"]
    assert read.endpoint is fx.items.read_item
    # the framework object stays in the adapter; what it knew is on the route
    assert (read.endpoint_name, read.rule) == ("read_item", "/v1/api/items/{item_id:int}")
    assert main_routes["GET /search"].endpoint is fx.main.search  # the wrapper FastAPI calls
    assert getattr(main_routes["GET /lambda"].endpoint, "__name__", "") == "<lambda>"


def test_mounted_apps(fx: SimpleNamespace) -> None:
    routes = [r for r in ADAPTER.routes(fx.mounts.app) if r.framework != "flask"]
    found = {(r.method, r.path, r.framework, r.kind, r.handler, r.mount_prefix) for r in routes}
    assert found == {
        ("GET", "/sub/ping/{n}", "fastapi", "http", "fa_fx_mounts:sub_ping", "/sub"),
        ("POST", "/sub/r/echo", "fastapi", "http", "fa_fx_mounts:sub_echo", "/sub"),
        ("GET", "/star/hello/{name}", "starlette", "http", "fa_fx_mounts:hello", "/star"),
        ("GET", "/star/things", "starlette", "http", "fa_fx_mounts:Things.get", "/star"),
        ("POST", "/star/things", "starlette", "http", "fa_fx_mounts:Things.post", "/star"),
        ("WEBSOCKET", "/star/live", "starlette", "websocket", "fa_fx_mounts:star_live", "/star"),
        ("DELETE", "/star/deep/x", "starlette", "http", "fa_fx_mounts:hello", "/star/deep"),
        (
            "GET",
            "/static/{path}",
            "starlette",
            "mount",
            "starlette.staticfiles:StaticFiles",
            "/static",
        ),
        ("GET", "/top", "fastapi", "http", "fa_fx_mounts:top", ""),
    }
    by_key = {r.key: r for r in routes}
    api_key = ("fa_fx_security.verify_api_key", "app-dependency", "APIKeyHeader", True, ())
    assert guard_facts(by_key["GET /sub/ping/{n}"]) == [api_key]
    assert guard_facts(by_key["POST /sub/r/echo"]) == [
        api_key,
        ("fa_fx_security.get_current_user", "router-dependency", "OAuth2PasswordBearer", True, ()),
    ]
    assert by_key["GET /star/things"].location == loc(fx.mounts, "async def get(", "Things.get")
    assert by_key["GET /sub/ping/{n}"].path_params == ("n",)


def test_wsgi_flask_mount_uses_the_flask_adapter(fx: SimpleNamespace) -> None:
    pytest.importorskip("pytest_apiposture.adapters.flask")
    flask_routes = [r for r in ADAPTER.routes(fx.mounts.app) if r.framework == "flask"]
    assert [(r.method, r.path, r.handler, r.mount_prefix) for r in flask_routes] == [
        ("GET", "/legacy/hello", "fa_fx_mounts:flask_hello", "/legacy"),
    ]


def test_wsgi_mount_without_the_flask_adapter_adds_nothing(
    fx: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pytest_apiposture.adapters.flask", None)
    paths = {r.path for r in ADAPTER.routes(fx.mounts.app)}
    assert "/legacy/hello" not in paths
    assert {"/top", "/sub/ping/{n}", "/static/{path}"} <= paths


def test_plain_starlette_app(fx: SimpleNamespace) -> None:
    found = {
        (r.method, r.path, r.framework, r.kind, r.handler, r.mount_prefix)
        for r in ADAPTER.routes(fx.extra.plain)
    }
    assert found == {
        ("GET", "/", "starlette", "http", "fa_fx_extra:home", ""),
        (
            "GET",
            "/assets/{path}",
            "starlette",
            "mount",
            "starlette.staticfiles:StaticFiles",
            "/assets",
        ),
    }
    assert ADAPTER.openapi(fx.extra.plain) is None


# GET+HEAD on one route share an operation id; FastAPI warns, the schema is still whole
@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")
def test_openapi_of_a_fastapi_app(fx: SimpleNamespace) -> None:
    schema = ADAPTER.openapi(fx.main.app)
    assert schema is not None
    paths = set(schema["paths"])
    assert {"/v1/api/items/{item_id}", "/v1/api/items/", "/health", "/factory/stats"} <= paths
    assert not paths & {"/v1/api/items/hidden", "/raw/{name}", "/ws/{room}"}


def test_openapi_failure_names_the_route(fx: SimpleNamespace) -> None:
    with pytest.raises(AdapterError) as caught:
        ADAPTER.openapi(fx.extra.broken)
    message = str(caught.value)
    assert message.startswith(
        "FastAPI could not generate its OpenAPI schema at GET /gadget (fa_fx_extra:gadget): "
        "PydanticInvalidForJsonSchema: "
    )
    assert "\n" not in message and message.endswith("include_in_schema=False")


def test_client_is_in_process_and_does_not_raise(fx: SimpleNamespace) -> None:
    client = ADAPTER.client(fx.extra.broken)
    assert isinstance(client, TestClient)
    assert client.get("/fine").status_code == 200
    assert client.get("/boom").status_code == 500


def test_lifespan_started_registers_startup_routes(fx: SimpleNamespace) -> None:
    app = fx.extra.create_lifespan_app()
    assert [r.key for r in ADAPTER.routes(app)] == ["GET /early"]
    with lifespan_started(app):
        assert [r.key for r in ADAPTER.routes(app)] == ["GET /early", "GET /late"]
        assert ADAPTER.routes(app)[1].location == loc(fx.extra, "def late(", "late")


def test_lifespan_failure_is_one_clear_line(fx: SimpleNamespace) -> None:
    with (
        pytest.raises(
            AdapterError,
            match=r"^the app's lifespan/startup failed: "
            r"RuntimeError: database unreachable; ",
        ),
        lifespan_started(fx.extra.create_failing_lifespan_app()),
    ):
        pass


def test_matches_is_false_without_starlette(monkeypatch: pytest.MonkeyPatch) -> None:
    app = FastAPI()
    monkeypatch.setitem(sys.modules, "starlette.applications", None)
    assert not ADAPTER.matches(app)
