"""FlaskAdapter against real Flask / connexion / APIFlask / flask-smorest apps in flask_fixtures/.

Expected lines come from ``# mark: NAME`` comments in the fixture files, so the
expectations stay exact without hard-coding numbers the fixtures would shift.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import Rule

from pytest_apiposture.adapters import AdapterError
from pytest_apiposture.adapters.flask import FlaskAdapter, flask_app_of, flask_path
from pytest_apiposture.loading import LoadError, load_app
from pytest_apiposture.model import Guard, Route

FIXTURES = Path(__file__).parent / "flask_fixtures"
ADAPTER = FlaskAdapter()


def fixture_file(module: str) -> str:
    return str(FIXTURES / f"{module}.py")


def mark(module: str, name: str) -> int:
    """Line of the unique ``# mark: name`` comment in a fixture module."""
    lines = Path(fixture_file(module)).read_text().splitlines()
    hits = [no for no, text in enumerate(lines, 1) if text.endswith(f"# mark: {name}")]
    assert len(hits) == 1, f"mark {name!r} in {module}: {hits}"
    return hits[0]


@pytest.fixture(scope="module")
def load() -> Iterator[Callable[[str], ModuleType]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(FIXTURES))
        yield importlib.import_module


@pytest.fixture(scope="module")
def basic(load: Callable[[str], ModuleType]) -> ModuleType:
    return load("fl_fx_app")


@pytest.fixture(scope="module")
def basic_routes(basic: ModuleType) -> dict[str, Route]:
    return {route.key: route for route in ADAPTER.routes(basic.app)}


def where(route: Route) -> tuple[str, int, str] | None:
    loc = route.location
    return (loc.file, loc.line, loc.symbol) if loc else None


def guards(route: Route) -> list[tuple[str, str, str, int]]:
    out = []
    for guard in route.guards:
        assert guard.location is not None, guard
        out.append((guard.name, guard.origin, guard.location.file, guard.location.line))
    return out


APP, GUARDS = "fl_fx_app", "fl_fx_guards"
# flask.app:Flask.send_static_file on Flask 3, flask.scaffold:Scaffold.send_static_file on 2.3
_SEND_STATIC = flask.Flask.send_static_file
STATIC_HANDLER = f"{_SEND_STATIC.__module__}:{_SEND_STATIC.__qualname__}"


def hook(name: str) -> tuple[str, str, str, int]:
    return (f"{APP}.{name}", "before_request", fixture_file(APP), mark(APP, name))


def deco(name: str, wrapper: str, origin: str = "decorator") -> tuple[str, str, str, int]:
    return (f"{GUARDS}.{name}", origin, fixture_file(GUARDS), mark(GUARDS, f"{name}.{wrapper}"))


def test_every_rule_becomes_one_route_per_method(basic: ModuleType) -> None:
    routes = ADAPTER.routes(basic.app)
    got = [(r.method, r.path, r.handler, r.path_params) for r in routes]
    assert got == [
        ("GET", "/static/{filename}", STATIC_HANDLER, ("filename",)),
        ("GET", "/items/{item_id}", f"{APP}:get_item", ("item_id",)),
        ("GET", "/files/{file_path}", f"{APP}:file_view", ("file_path",)),
        ("DELETE", "/files/{file_path}", f"{APP}:file_view", ("file_path",)),
        ("GET", "/things/{thing_id}/{lang}", f"{APP}:thing", ("thing_id", "lang")),
        ("GET", "/profile", f"{APP}:profile", ()),
        ("POST", "/profile", f"{APP}:profile", ()),
        ("DELETE", "/admin/users/{user_id}", f"{APP}:delete_user", ("user_id",)),
        ("GET", "/lossy", f"{APP}:lossy", ()),
        ("GET", "/opaque", f"{GUARDS}:audit_with_hook.<locals>.logged", ()),
        ("GET", "/async", f"{APP}:async_view", ()),
        ("GET", "/preflight", f"{APP}:preflight", ()),
        ("OPTIONS", "/preflight", f"{APP}:preflight", ()),  # declared, so the view answers it
        ("GET", "/health", f"{APP}:plain_health", ()),
        ("GET", "/lambda", f"{APP}:<lambda>", ()),
        ("GET", "/reports/daily", f"{APP}:make_report_view.<locals>.report", ()),
        ("GET", "/reports/weekly", f"{APP}:make_report_view.<locals>.report", ()),
        ("GET", "/notes/{note_id}", f"{APP}:NoteAPI.get", ("note_id",)),
        ("DELETE", "/notes/{note_id}", f"{APP}:NoteAPI.delete", ("note_id",)),
        ("GET", "/export", f"{APP}:ExportView.dispatch_request", ()),
        ("POST", "/export", f"{APP}:ExportView.dispatch_request", ()),
        ("GET", "/api/ping", f"{APP}:parent_ping", ()),
        ("GET", "/api/child/records/{record_id}", f"{APP}:record", ("record_id",)),
        ("PUT", "/api/child/records/{record_id}", f"{APP}:record", ("record_id",)),
    ]
    assert {(r.framework, r.kind, r.origin) for r in routes} == {("flask", "http", ("runtime",))}


@pytest.mark.parametrize(
    ("key", "mark_name", "symbol"),
    [
        ("GET /items/{item_id}", "get_item", "get_item"),  # def line, not the decorator's
        ("DELETE /admin/users/{user_id}", "delete_user", "delete_user"),
        ("GET /lossy", "lossy", "lossy"),
        ("GET /async", "async_view", "async_view"),
        ("GET /health", "plain_health", "plain_health"),
        ("GET /lambda", "lambda", "<lambda>"),
        ("GET /reports/weekly", "report", "make_report_view.<locals>.report"),
        ("GET /notes/{note_id}", "NoteAPI.get", "NoteAPI.get"),
        ("DELETE /notes/{note_id}", "NoteAPI.delete", "NoteAPI.delete"),
        ("POST /export", "ExportView.dispatch_request", "ExportView.dispatch_request"),
        ("PUT /api/child/records/{record_id}", "record", "record"),
    ],
)
def test_handler_location_is_the_def_line(
    basic_routes: dict[str, Route], key: str, mark_name: str, symbol: str
) -> None:
    assert where(basic_routes[key]) == (fixture_file(APP), mark(APP, mark_name), symbol)


def test_static_route_points_into_flask(basic_routes: dict[str, Route]) -> None:
    static = basic_routes["GET /static/{filename}"]
    assert static.location is not None
    assert Path(static.location.file).parent == Path(inspect.getfile(flask.Flask)).parent
    assert static.location.symbol.endswith("send_static_file")


def test_endpoint_is_innermost_function_and_raw_is_the_rule(
    basic: ModuleType, basic_routes: dict[str, Route]
) -> None:
    route = basic_routes["GET /items/{item_id}"]
    assert route.endpoint is inspect.unwrap(basic.get_item)
    # the Werkzeug Rule stays in the adapter; its endpoint and rule text are on the route
    assert (route.endpoint_name, route.rule) == ("get_item", "/items/<int:item_id>")
    assert basic_routes["GET /notes/{note_id}"].endpoint is basic.NoteAPI.get


def test_app_before_request_then_token_required(basic_routes: dict[str, Route]) -> None:
    assert guards(basic_routes["GET /items/{item_id}"]) == [
        hook("load_user"),
        deco("token_required", "decorated"),
    ]
    assert guards(basic_routes["GET /health"]) == [hook("load_user")]


def test_nested_blueprint_hooks_in_flask_order(basic_routes: dict[str, Route]) -> None:
    assert guards(basic_routes["PUT /api/child/records/{record_id}"]) == [
        hook("load_user"),
        hook("parent_guard"),
        hook("child_guard"),
        deco("token_required", "decorated"),
    ]
    assert guards(basic_routes["GET /api/ping"]) == [hook("load_user"), hook("parent_guard")]


def test_login_required_and_decorator_factory(basic_routes: dict[str, Route]) -> None:
    assert guards(basic_routes["POST /profile"]) == [
        hook("load_user"),
        deco("login_required", "decorated_view"),
    ]
    assert guards(basic_routes["DELETE /admin/users/{user_id}"]) == [
        hook("load_user"),
        deco("login_required", "decorated_view"),
        deco("roles_required", "wrapper"),
    ]
    admin = basic_routes["DELETE /admin/users/{user_id}"].guards[2]
    assert admin.location is not None
    assert admin.location.symbol == "roles_required.<locals>.decorator.<locals>.wrapper"


def test_guard_func_is_the_wrapper(basic: ModuleType, basic_routes: dict[str, Route]) -> None:
    guard = basic_routes["GET /items/{item_id}"].guards[1]
    assert guard.func is basic.get_item  # the module attribute is token_required's wrapper
    assert guard.chain == (basic.get_item,)
    assert (guard.scheme, guard.auto_error, guard.scopes) == (None, None, ())


def test_async_decorator(basic_routes: dict[str, Route]) -> None:
    assert guards(basic_routes["GET /async"]) == [
        hook("load_user"),
        deco("async_token_required", "decorated"),
    ]


def test_decorator_without_wraps_is_followed_through_its_closure_and_noted(
    basic: ModuleType, basic_routes: dict[str, Route]
) -> None:
    assert guards(basic_routes["GET /lossy"]) == [
        hook("load_user"),
        deco("token_required", "decorated"),
        deco("audit_log", "logged"),
        deco("login_required", "decorated_view"),
    ]
    notes = ADAPTER.notes(basic.app)
    assert (
        "GET /lossy: decorator fl_fx_guards.audit_log does not use functools.wraps, so the "
        "layers under it were found through its closure; add @functools.wraps(func) to "
        "audit_log.<locals>.logged"
    ) in notes


def test_decorator_without_wraps_and_ambiguous_closure_stops_the_chain(
    basic: ModuleType, basic_routes: dict[str, Route]
) -> None:
    opaque = basic_routes["GET /opaque"]
    assert guards(opaque) == [hook("load_user")]
    assert where(opaque) == (
        fixture_file(GUARDS),
        mark(GUARDS, "audit_with_hook.logged"),
        "audit_with_hook.<locals>.logged",
    )
    notes = ADAPTER.notes(basic.app)
    assert (
        "GET /opaque: decorator fl_fx_guards.audit_with_hook does not use functools.wraps and "
        "closes over several functions, so the view and decorators under it are unknown; "
        "add @functools.wraps(func) to audit_with_hook.<locals>.logged"
    ) in notes
    assert sorted(note.split(":")[0] for note in notes) == [
        "GET /lossy",
        "GET /opaque",
        "GET,DELETE /notes/{note_id}",
    ]


def test_methodview_decorators_and_per_method_decorators(basic_routes: dict[str, Route]) -> None:
    class_layers = [
        deco("audit_log", "logged", "methodview-decorator"),  # last in the list = outermost
        deco("token_required", "decorated", "methodview-decorator"),
    ]
    assert guards(basic_routes["GET /notes/{note_id}"]) == [hook("load_user"), *class_layers]
    assert guards(basic_routes["DELETE /notes/{note_id}"]) == [
        hook("load_user"),
        *class_layers,
        deco("login_required", "decorated_view"),
    ]


def test_flask_path_converters() -> None:
    assert flask_path("/a/<int:id>/<path:p>/<uuid:u>/<x>") == (
        "/a/{id}/{p}/{u}/{x}",
        ("id", "p", "u", "x"),
    )
    assert flask_path("/l/<string(length=2):lang>/<any(a, b):kind>") == (
        "/l/{lang}/{kind}",
        ("lang", "kind"),
    )


def test_views_without_source_do_not_crash() -> None:
    app = flask.Flask("fl_fx_inline", static_folder=None)
    namespace: dict[str, Any] = {"__name__": "fl_fx_generated"}
    exec("def generated():\n    return 'x'\n", namespace)

    class Callable_:
        def __call__(self) -> str:
            return "c"

    def greet(word: str) -> str:
        return word

    app.add_url_rule("/generated", "generated", namespace["generated"])
    app.add_url_rule("/partial", "partial", functools.partial(greet, "hi"))
    app.add_url_rule("/object", "object", Callable_())
    app.url_map.add(Rule("/ghost", endpoint="ghost", methods=["GET"]))
    routes = ADAPTER.enumerate(app)
    got = [(r.key, r.handler, r.location.line if r.location else None) for r in routes.routes]
    assert got == [
        ("GET /generated", "fl_fx_generated:generated", None),
        (
            "GET /partial",
            f"{__name__}:test_views_without_source_do_not_crash.<locals>.greet",
            inspect.getsourcelines(greet)[1],
        ),
        (
            "GET /object",
            f"{__name__}:test_views_without_source_do_not_crash.<locals>.Callable_.__call__",
            inspect.getsourcelines(Callable_.__call__)[1],
        ),
        ("GET /ghost", "", None),
    ]
    assert routes.notes == [
        "GET /ghost: endpoint 'ghost' has a URL rule but no view function; "
        "register one with add_url_rule or remove the rule"
    ]


def test_matches_and_flask_app_of(basic: ModuleType) -> None:
    assert ADAPTER.matches(basic.app)
    assert not ADAPTER.matches(object())
    wrapped = DispatcherMiddleware(basic.app, {})
    assert not ADAPTER.matches(wrapped)
    assert flask_app_of(wrapped) is basic.app
    assert flask_app_of(basic.app) is basic.app
    assert flask_app_of(object()) is None


def test_not_a_flask_app_is_a_clear_error() -> None:
    with pytest.raises(AdapterError, match=r"^object is not a Flask app; point --apiposture-app"):
        ADAPTER.routes(object())


def test_client_is_flasks_own(basic: ModuleType) -> None:
    client = ADAPTER.client(basic.app)
    assert isinstance(client, flask.testing.FlaskClient)
    response = client.get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")
    assert client.get("/items/3").status_code == 401


def test_plain_flask_has_no_schema(basic: ModuleType) -> None:
    assert ADAPTER.openapi(basic.app) is None


# ---- Flask-HTTPAuth ---------------------------------------------------------------------------


def test_flask_httpauth_scheme_roles_and_optional(load: Callable[[str], ModuleType]) -> None:
    pytest.importorskip("flask_httpauth")
    module = load("fl_fx_httpauth_app")
    routes = {r.key: r for r in ADAPTER.routes(module.app)}
    facts = {
        key: [(g.name, g.origin, g.scheme, g.auto_error, g.scopes) for g in route.guards]
        for key, route in routes.items()
    }
    login = "flask_httpauth.HTTPAuth.login_required"
    assert facts == {
        "GET /secret": [(login, "decorator", "HTTPTokenAuth", True, ())],
        "GET /admin": [(login, "decorator", "HTTPTokenAuth", True, ("admin", "ops"))],
        "GET /maybe": [(login, "decorator", "HTTPTokenAuth", False, ())],
        "GET /either": [
            ("flask_httpauth.MultiAuth.login_required", "decorator", "MultiAuth", True, ())
        ],
    }
    secret: Guard = routes["GET /secret"].guards[0]
    assert secret.chain == (module.secret, module.verify_token)
    assert where(routes["GET /secret"]) == (
        fixture_file("fl_fx_httpauth_app"),
        mark("fl_fx_httpauth_app", "secret"),
        "secret",
    )


# ---- connexion ------------------------------------------------------------------------------


def connexion_major() -> int:
    from importlib.metadata import version

    return int(version("connexion").split(".")[0])


def test_connexion_routes_resolve_to_operation_functions(
    load: Callable[[str], ModuleType],
) -> None:
    pytest.importorskip("connexion")
    module = load("fl_fx_cx_app")
    handlers = "fl_fx_cx_handlers"
    assert ADAPTER.matches(module.app)
    routes = {r.key: r for r in ADAPTER.routes(module.app) if not r.path.startswith("/static")}
    served = {key: r.handler for key, r in routes.items() if "/openapi." in key}
    if connexion_major() == 2:  # connexion 2 serves the spec from the inner Flask app
        assert served == {
            "GET /v1/openapi.json": "connexion.apis.flask_api:InternalHandlers.get_json_spec",
            "GET /v1/openapi.yaml": "connexion.apis.flask_api:InternalHandlers.get_yaml_spec",
        }
    else:  # connexion 3 from its ASGI middleware, outside Flask's url_map
        assert served == {}
    routes = {key: r for key, r in routes.items() if key not in served}
    assert {key: (r.handler, where(r), r.path_params) for key, r in routes.items()} == {
        "GET /v1/pets": (
            f"{handlers}:list_pets",
            (fixture_file(handlers), mark(handlers, "list_pets"), "list_pets"),
            (),
        ),
        "GET /v1/pets/{petId}": (
            f"{handlers}:get_pet",
            (fixture_file(handlers), mark(handlers, "get_pet"), "get_pet"),
            ("petId",),
        ),
        "DELETE /v1/pets/{petId}": (
            f"{handlers}:delete_pet",
            (fixture_file(handlers), mark(handlers, "delete_pet"), "delete_pet"),
            ("petId",),
        ),
    }
    assert routes["GET /v1/pets"].endpoint is sys.modules[handlers].list_pets
    verify = ("fl_fx_cx_handlers.verify_token", "middleware", "HTTPBearer")
    facts = {
        key: [(g.name, g.origin, g.scheme, g.auto_error, g.scopes) for g in r.guards]
        for key, r in routes.items()
    }
    assert facts == {
        "GET /v1/pets": [],  # security: [] on the operation
        "GET /v1/pets/{petId}": [(*verify, False, ("pets:read",))],  # `- {}` makes it optional
        "DELETE /v1/pets/{petId}": [
            (*verify, True, ()),  # the spec's top-level security
            ("fl_fx_guards.token_required", "decorator", None, None, ()),
        ],
    }
    verify_guard = routes["GET /v1/pets/{petId}"].guards[0]
    assert verify_guard.func is sys.modules[handlers].verify_token
    assert verify_guard.location is not None
    assert verify_guard.location.line == mark(handlers, "verify_token")


def test_connexion_client_and_spec(load: Callable[[str], ModuleType]) -> None:
    pytest.importorskip("connexion")
    module = load("fl_fx_cx_app")
    client = ADAPTER.client(module.app)
    listing = client.get("/v1/pets")
    # Starlette's TestClient (connexion 3) or Flask's (connexion 2, its inner WSGI app)
    assert (listing.json() if callable(listing.json) else listing.json) == [
        {"id": 1, "name": "rex"}
    ]
    assert client.delete("/v1/pets/3").status_code == 401
    assert client.delete("/v1/pets/3", headers={"Authorization": "Bearer t1"}).status_code == 204
    spec = ADAPTER.openapi(module.app)
    assert spec is not None
    assert (spec["servers"], sorted(spec["paths"])) == (
        [{"url": "/v1"}],
        ["/pets", "/pets/{petId}"],
    )
    assert flask_app_of(module.app) is module.app.app


def test_connexion_unresolvable_operation_is_a_clear_error(
    load: Callable[[str], ModuleType],
) -> None:
    pytest.importorskip("connexion")
    if connexion_major() == 2:
        # connexion 2 resolves operations in add_api: the app's module fails to import,
        # which loading reports as the app's import-time error
        with pytest.raises(LoadError) as failed:
            load_app("fl_fx_cx_broken_app:app", FIXTURES)
        where = os.path.relpath(fixture_file("fl_fx_cx_broken_app"))
        assert str(failed.value) == (
            "importing 'fl_fx_cx_broken_app' raised AttributeError: module 'fl_fx_cx_handlers' "
            f"has no attribute 'no_such_function' (at {where}:10 in <module>); "
            "fix the app's import-time code"
        )
        return
    module = load("fl_fx_cx_broken_app")
    with pytest.raises(AdapterError) as info:
        ADAPTER.routes(module.app)
    assert str(info.value) == (
        "connexion could not load its API (ResolverError: module 'fl_fx_cx_handlers' has no "
        "attribute 'no_such_function'); fix the spec or the operationId it names"
    )


# ---- generated schemas ----------------------------------------------------------------------


def test_apiflask_schema_and_auth_required(load: Callable[[str], ModuleType]) -> None:
    pytest.importorskip("apiflask")
    module = load("fl_fx_apiflask_app")
    spec = ADAPTER.openapi(module.app)
    assert spec is not None
    assert sorted(spec["paths"]) == ["/pets/{pet_id}"]  # /hidden is doc(hide=True)
    assert sorted(spec["paths"]["/pets/{pet_id}"]) == ["delete", "get"]
    routes = {r.key: r for r in ADAPTER.routes(module.app)}
    assert "GET /hidden" in routes
    delete = routes["DELETE /pets/{pet_id}"]
    assert delete.handler == "fl_fx_apiflask_app:delete_pet"
    assert [(g.name, g.scheme, g.auto_error, g.scopes) for g in delete.guards] == [
        ("flask_httpauth.HTTPAuth.login_required", "HTTPTokenAuth", True, ("admin",)),
        ("apiflask.scaffold._ensure_sync", None, None, ()),
    ]


def test_flask_smorest_schema(load: Callable[[str], ModuleType]) -> None:
    pytest.importorskip("flask_smorest")
    module = load("fl_fx_smorest_app")
    spec = ADAPTER.openapi(module.app)
    assert spec is not None
    assert (spec["openapi"], sorted(spec["paths"])) == ("3.0.3", ["/pets/{pet_id}"])
    route = next(r for r in ADAPTER.routes(module.app) if r.path == "/pets/{pet_id}")
    assert (route.method, route.handler) == ("GET", "fl_fx_smorest_app:PetView.get")


def test_flasgger_schema(load: Callable[[str], ModuleType]) -> None:
    pytest.importorskip("flasgger")
    module = load("fl_fx_flasgger_app")
    spec = ADAPTER.openapi(module.app)
    assert spec is not None
    assert (spec["swagger"], sorted(spec["paths"])) == ("2.0", ["/colors/{palette}"])


def test_ast_qualname_matches_co_qualname(basic: ModuleType) -> None:
    """Python 3.10 has no co_qualname; the AST fallback must name wrappers the same way."""
    from pytest_apiposture.adapters._decorator_chain import SourceCache

    wrappers = [basic.get_item, basic.delete_user, basic.lossy, basic.NoteAPI.delete]
    codes = [f.__code__ for w in wrappers for f in (w, *_wrapped_layers(w))]
    codes.append(basic.app.view_functions["lam"].__code__)
    sources = SourceCache()
    expected = [
        "token_required.<locals>.decorated",
        "get_item",
        "login_required.<locals>.decorated_view",
        "roles_required.<locals>.decorator.<locals>.wrapper",
        "delete_user",
        "token_required.<locals>.decorated",
        "audit_log.<locals>.logged",
        "login_required.<locals>.decorated_view",
        "NoteAPI.delete",
        "<lambda>",
    ]
    assert [sources.qualname(code) for code in codes] == expected
    if sys.version_info >= (3, 11):
        assert [code.co_qualname for code in codes] == expected


def _wrapped_layers(func: Any) -> list[Any]:
    layers = []
    while hasattr(func, "__wrapped__"):
        func = func.__wrapped__
        layers.append(func)
    return layers
