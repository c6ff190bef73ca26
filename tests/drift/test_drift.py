"""drift.compare on hand-built routes: each class of difference, matching rules, locations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import (
    Auth,
    Finding,
    Guard,
    GuardRole,
    Location,
    RequestParam,
    Route,
    Severity,
)
from pytest_apiposture.openapi.drift import DRIFT_CHECKS, compare, drift_summary
from pytest_apiposture.openapi.spec import Spec, SpecError, spec_from_dict

SRC = "/src/app/api.py"
SPEC = "/repo/openapi.json"


def route(method: str, path: str, line: int = 1, *, auth: Auth = Auth.NONE, **extra: Any) -> Route:
    extra.setdefault("handler", f"app.api:h{line}")
    extra.setdefault("framework", "fastapi")
    return Route(method, path, location=Location(SRC, line, f"h{line}"), auth=auth, **extra)


def doc(paths: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **top}


def committed(paths: dict[str, Any], **top: Any) -> Spec:
    return spec_from_dict(doc(paths, **top), SPEC)


def run(
    routes: list[Route], *, generated: dict[str, Any] | None = None, spec: Spec | None = None
) -> list[Finding]:
    return compare(
        routes,
        generated=generated,
        committed=spec,
        spec_path=SPEC if spec else None,
        knowledge=DEFAULT_KNOWLEDGE,
    )


def facts(findings: list[Finding]) -> set[tuple[str, str, str, str, int]]:
    return {
        (
            f.code,
            f.method,
            f.path,
            f.location.file if f.location else "",
            f.location.line if f.location else 0,
        )
        for f in findings
    }


GET = {"get": {"responses": {"200": {"description": "ok"}}}}


def test_drift_checks_match_the_code_catalogue() -> None:
    table = (Path(__file__).parents[2] / "docs" / "codes.md").read_text()
    rows = {
        m[0]: (m[1], m[2])
        for m in re.findall(r"^\| (APS9\d\d) \| ([\w-]+) \| (API\d) \| drift \|", table, re.M)
    }
    assert {c.code: (c.kind.value, c.owasp.split(":")[0]) for c in DRIFT_CHECKS} == rows
    assert len({c.name for c in DRIFT_CHECKS}) == len(DRIFT_CHECKS) == 8


def test_parameter_names_do_not_make_a_different_path() -> None:
    routes = [route("GET", "/users/{user_id}/posts/{post_id}", 3)]
    spec = committed({"/users/{id}/posts/{pid}": GET})
    generated = doc({"/users/{user_id}/posts/{post_id}": GET})
    assert run(routes, generated=generated, spec=spec) == []


def test_shadow_severity_follows_auth_and_reason_is_named() -> None:
    routes = [
        route("GET", "/hidden", 1, in_schema=False),
        route("GET", "/hidden-auth", 2, in_schema=False, auth=Auth.AUTHENTICATED),
        route("GET", "/raw", 3, framework="starlette", in_schema=False, auth=Auth.OPTIONAL),
        route("GET", "/sub/items", 4, mount_prefix="/sub", auth=Auth.PUBLIC),
        route("GET", "/documented", 5),
    ]
    findings = run(routes, generated=doc({"/documented": GET}))
    assert [(f.code, f.path, f.severity, f.location) for f in findings] == [
        ("APS901", "/hidden", Severity.HIGH, Location(SRC, 1, "h1")),
        ("APS901", "/hidden-auth", Severity.MEDIUM, Location(SRC, 2, "h2")),
        ("APS901", "/raw", Severity.HIGH, Location(SRC, 3, "h3")),
        ("APS901", "/sub/items", Severity.LOW, Location(SRC, 4, "h4")),
    ]
    assert [f.message for f in findings] == [
        "GET /hidden is served but hidden from the generated schema (include_in_schema=False) and has no "
        "authentication",
        "GET /hidden-auth is served but hidden from the generated schema (include_in_schema=False) "
        "(auth: authenticated)",
        "GET /raw is served but hidden from the generated schema (include_in_schema=False) and has no "
        "authentication",
        "GET /sub/items is served but hidden from the generated schema (served by a sub-application mounted "
        "at /sub) (auth: public)",
    ]


def test_framework_routes_implicit_methods_and_static_mounts_are_not_api() -> None:
    routes = [
        route(
            "GET",
            "/openapi.json",
            1,
            handler="fastapi.applications:FastAPI.setup.<locals>.openapi",
            in_schema=False,
        ),
        route(
            "GET",
            "/static/{filename}",
            2,
            handler="flask.app:Flask.send_static_file",
            framework="flask",
        ),
        route(
            "GET", "/static/{path}", 3, handler="starlette.staticfiles:StaticFiles", kind="mount"
        ),
        route("HEAD", "/items", 4),
        route("OPTIONS", "/items", 5),
        route("GET", "/items", 6),
    ]
    spec = committed({"/items": {"get": GET["get"], "head": GET["get"]}})
    assert run(routes, generated=doc({"/items": GET}), spec=spec) == []


def test_opaque_mount_is_a_shadow_and_covers_spec_paths_under_it() -> None:
    routes = [
        route("GET", "/legacy", 7, kind="mount", handler="starlette.middleware.wsgi:WSGIMiddleware")
    ]
    spec = committed({"/legacy/orders": GET, "/gone": GET})
    assert facts(run(routes, generated=doc({}), spec=spec)) == {
        ("APS901", "GET", "/legacy", SRC, 7),
        ("APS903", "GET", "/gone", SPEC, 1),
    }


def test_undocumented_zombie_and_zombie_path_named_like_the_route() -> None:
    routes = [
        route("GET", "/users/{user_id}", 10),
        route("GET", "/new", 11, auth=Auth.AUTHENTICATED),
    ]
    spec = committed({"/users/{id}": {"get": GET["get"], "delete": GET["get"]}, "/old": GET})
    findings = run(routes, spec=spec)
    assert facts(findings) == {
        ("APS902", "GET", "/new", SRC, 11),
        ("APS903", "DELETE", "/users/{user_id}", SPEC, 1),
        ("APS903", "GET", "/old", SPEC, 1),
    }
    assert {f.message for f in findings} == {
        "GET /new is served but missing from the committed spec (auth: authenticated)",
        "DELETE /users/{id} is in the committed spec but the app no longer registers it",
        "GET /old is in the committed spec but the app no longer registers it",
    }
    assert [f.severity for f in findings if f.code == "APS902"] == [Severity.LOW]


def test_shadow_is_reported_once_not_also_as_undocumented() -> None:
    findings = run(
        [route("GET", "/hidden", 1, in_schema=False)], generated=doc({}), spec=committed({})
    )
    assert [f.code for f in findings] == ["APS901"]


@pytest.mark.parametrize(
    ("base", "route_path"),
    [
        ({"servers": [{"url": "https://api.example.com/api/v1/"}]}, "/api/v1/items"),
        ({"servers": [{"url": "/api/v1"}]}, "/items"),
    ],  # behind a proxy that strips the prefix
)
def test_servers_prefix_is_applied_when_it_matches(base: dict[str, Any], route_path: str) -> None:
    spec = committed({"/items": GET, "/gone": GET}, **base)
    zombie_path = "/api/v1/gone" if route_path.startswith("/api") else "/gone"
    assert facts(run([route("GET", route_path, 1)], spec=spec)) == {
        ("APS903", "GET", zombie_path, SPEC, 1)
    }


def test_parameter_drift_added_removed_and_required() -> None:
    def params(*entries: tuple[str, str, bool]) -> dict[str, Any]:
        return {
            "/items/{item_id}": {
                "get": {
                    "parameters": [
                        {"name": n, "in": where, "required": req} for n, where, req in entries
                    ],
                    "responses": {},
                }
            }
        }

    spec = committed(
        params(
            ("item_id", "path", True),
            ("page", "query", False),
            ("X-Tenant", "header", False),
            ("sort", "query", True),
        )
    )
    generated = doc(
        params(
            ("item_id", "path", True),
            ("q", "query", True),
            ("x-tenant", "header", True),
            ("sort", "query", False),
            ("lang", "cookie", False),
        )
    )
    findings = run([route("GET", "/items/{item_id}", 4)], generated=generated, spec=spec)
    assert [(f.code, f.severity, f.message) for f in findings] == [
        (
            "APS904",
            Severity.LOW,
            "GET /items/{item_id}: cookie parameter 'lang' (optional) is read by the app but "
            "missing from the committed spec",
        ),
        (
            "APS904",
            Severity.MEDIUM,
            "GET /items/{item_id}: query parameter 'q' (required) is read by the app but "
            "missing from the committed spec",
        ),
        (
            "APS904",
            Severity.LOW,
            "GET /items/{item_id}: query parameter 'page' is in the committed spec but the "
            "app no longer reads it",
        ),
        (
            "APS904",
            Severity.MEDIUM,
            "GET /items/{item_id}: header parameter 'x-tenant' is required in the app but "
            "optional in the committed spec",
        ),
        (
            "APS904",
            Severity.LOW,
            "GET /items/{item_id}: query parameter 'sort' is optional in the app but "
            "required in the committed spec",
        ),
    ]


def _body(props: list[str]) -> dict[str, Any]:
    return {
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {p: {"type": "string"} for p in props}}
            }
        }
    }


def test_request_and_response_property_drift() -> None:
    def paths(request: list[str] | None, status: str, response: list[str]) -> dict[str, Any]:
        operation: dict[str, Any] = {"responses": {status: {"description": "", **_body(response)}}}
        if request is not None:
            operation["requestBody"] = _body(request)
        return {"/users": {"post": operation}}

    spec = committed(paths(["name", "nickname"], "200", ["id", "name", "bio"]))
    generated = doc(paths(["name", "role", "email"], "201", ["id", "name", "email", "api_key"]))
    findings = run([route("POST", "/users", 8)], generated=generated, spec=spec)
    assert [(f.code, f.severity, f.cwe, f.message) for f in findings] == [
        (
            "APS905",
            Severity.LOW,
            1059,
            "POST /users: request body property 'email' is accepted by the app but "
            "missing from the committed spec",
        ),
        (
            "APS905",
            Severity.MEDIUM,
            1059,
            "POST /users: request body property 'role' is accepted by the app but "
            "missing from the committed spec (a privileged field)",
        ),
        (
            "APS905",
            Severity.LOW,
            1059,
            "POST /users: request body property 'nickname' is in the committed spec but "
            "the app no longer accepts it",
        ),
        (
            "APS905",
            Severity.HIGH,
            200,
            "POST /users: response 201 (200 in the committed spec) property 'api_key' is "
            "returned by the app but missing from the committed spec: possible data exposure of a sensitive field",
        ),
        (
            "APS905",
            Severity.MEDIUM,
            200,
            "POST /users: response 201 (200 in the committed spec) property 'email' is "
            "returned by the app but missing from the committed spec: possible data exposure",
        ),
        (
            "APS905",
            Severity.LOW,
            1059,
            "POST /users: response 201 (200 in the committed spec) property 'bio' is in "
            "the committed spec but the app no longer returns it",
        ),
    ]
    # a body that appears from nothing lists every property as added
    no_body = committed(paths(None, "201", ["id", "name", "email", "api_key"]))
    assert [
        f.message.split("'")[1]
        for f in run([route("POST", "/users", 8)], generated=generated, spec=no_body)
    ] == ["email", "name", "role"]


SECURED = {"get": {"security": [{"bearer": []}], "responses": {}}}
OPTIONAL = {"get": {"security": [{"bearer": []}, {}], "responses": {}}}
OPEN = {"get": {"responses": {}}}


@pytest.mark.parametrize(
    ("operation", "auth", "expected"),
    [
        (
            SECURED,
            Auth.NONE,
            (
                Severity.HIGH,
                "the committed spec requires bearer but the route does not enforce "
                "authentication (auth: none)",
            ),
        ),
        (
            SECURED,
            Auth.OPTIONAL,
            (
                Severity.MEDIUM,
                "the committed spec requires bearer but the route does not "
                "enforce authentication (auth: optional)",
            ),
        ),
        (
            SECURED,
            Auth.PUBLIC,
            (
                Severity.MEDIUM,
                "the committed spec requires bearer but the route does not "
                "enforce authentication (auth: public)",
            ),
        ),
        (
            OPEN,
            Auth.AUTHENTICATED,
            (
                Severity.LOW,
                "the route requires authentication but the committed spec declares no security",
            ),
        ),
        (
            OPTIONAL,
            Auth.AUTHENTICATED,
            (
                Severity.LOW,
                "the route requires authentication but the committed spec allows anonymous access",
            ),
        ),
        (SECURED, Auth.AUTHENTICATED, None),
        (OPTIONAL, Auth.OPTIONAL, None),
        (OPEN, Auth.NONE, None),
        (OPEN, Auth.PUBLIC, None),
    ],
)
def test_security_drift(
    operation: dict[str, Any], auth: Auth, expected: tuple[Severity, str] | None
) -> None:
    findings = run([route("GET", "/me", 2, auth=auth)], spec=committed({"/me": operation}))
    want = [] if expected is None else [("APS906", expected[0], f"GET /me: {expected[1]}")]
    assert [(f.code, f.severity, f.message) for f in findings] == want


def test_security_drift_against_the_generated_schema_without_a_committed_spec() -> None:
    findings = run([route("GET", "/me", 2)], generated=doc({"/me": SECURED}))
    assert [f.message for f in findings] == [
        "GET /me: the generated schema requires bearer but the route does not enforce authentication (auth: none)"
    ]


def test_security_schemes_that_differ() -> None:
    def schemes(**entries: Any) -> dict[str, Any]:
        return {"components": {"securitySchemes": entries}}

    spec = committed(
        {},
        **schemes(
            key={"type": "apiKey", "in": "header", "name": "X-Key"},
            old={"type": "http", "scheme": "basic"},
        ),
    )
    generated = doc(
        {},
        **schemes(
            key={"type": "apiKey", "in": "query", "name": "key"},
            new={"type": "oauth2", "flows": {}},
        ),
    )
    assert [
        (f.code, f.method, f.path, f.message) for f in run([], generated=generated, spec=spec)
    ] == [
        (
            "APS906",
            "",
            "",
            "security scheme 'new' (oauth2) is used by the app but missing from the committed spec",
        ),
        (
            "APS906",
            "",
            "",
            "security scheme 'old' (http basic) is in the committed spec but the app no longer "
            "declares it",
        ),
        (
            "APS906",
            "",
            "",
            "security scheme 'key' differs: apiKey in header 'X-Key' in the committed spec, apiKey "
            "in query 'key' in the app",
        ),
    ]


def test_deprecated_still_served_once_per_route() -> None:
    deprecated = {"get": {"deprecated": True, "responses": {}}}
    findings = run(
        [route("GET", "/v1/old", 9, deprecated=True), route("GET", "/v1/older", 10)],
        generated=doc({"/v1/old": deprecated, "/v1/older": OPEN}),
        spec=committed({"/v1/old": OPEN, "/v1/older": deprecated}),
    )
    assert [(f.code, f.path, f.message) for f in findings] == [
        (
            "APS907",
            "/v1/old",
            "GET /v1/old is deprecated (route, generated schema) but still served",
        ),
        ("APS907", "/v1/older", "GET /v1/older is deprecated (committed spec) but still served"),
    ]


def test_route_without_source_location_falls_back_to_the_spec_line() -> None:
    text = '{"openapi": "3.0.0",\n "paths": {\n  "/a": {"get": {"security": [{"k": []}]}}\n }\n}\n'
    spec = spec_from_dict(__import__("json").loads(text), SPEC, text=text)
    bare = Route("GET", "/a", "flask", "app:a")
    assert facts(run([bare], spec=spec)) == {("APS906", "GET", "/a", SPEC, 3)}
    assert facts(
        compare(
            [Route("GET", "/b", "flask", "app:b", in_schema=False)],
            generated=doc({}),
            committed=None,
            spec_path=None,
            knowledge=DEFAULT_KNOWLEDGE,
        )
    ) == {("APS901", "GET", "/b", "", 0)}


def test_drift_summary_counts_each_class() -> None:
    routes = [
        route("GET", "/hidden", 1, in_schema=False),
        route("GET", "/new", 2),
        route("GET", "/gone2", 3, deprecated=True, in_schema=False),
    ]
    findings = run(routes, generated=doc({}), spec=committed({"/gone": GET}))
    assert drift_summary(findings) == {
        "shadow-endpoint": 3,
        "zombie-endpoint": 1,
        "deprecated-still-served": 1,
    }
    assert drift_summary([]) == {}


def test_parameter_type_drift_pairs_path_parameters_by_position() -> None:
    def spec_paths(path: str, id_name: str, id_type: str, limit_type: str) -> dict[str, Any]:
        return {
            path: {
                "get": {
                    "parameters": [
                        {
                            "name": id_name,
                            "in": "path",
                            "required": True,
                            "schema": {"type": id_type},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"anyOf": [{"type": limit_type}, {"type": "null"}]},
                        },
                    ],
                    "responses": {},
                }
            }
        }

    spec = committed(spec_paths("/items/{id}", "id", "string", "string"))
    generated = doc(spec_paths("/items/{item_id}", "item_id", "integer", "integer"))
    findings = run([route("GET", "/items/{item_id}", 3)], generated=generated, spec=spec)
    assert [(f.code, f.severity, f.message) for f in findings] == [
        (
            "APS904",
            Severity.LOW,
            "GET /items/{item_id}: path parameter 'item_id' is integer in the app but "
            "string in the committed spec",
        ),
        (
            "APS904",
            Severity.LOW,
            "GET /items/{item_id}: query parameter 'limit' is integer in the app but "
            "string in the committed spec",
        ),
    ]
    same = committed(spec_paths("/items/{id}", "id", "integer", "integer"))
    assert run([route("GET", "/items/{item_id}", 3)], generated=generated, spec=same) == []


def test_flask_url_converters_type_path_parameters_without_a_schema() -> None:
    from werkzeug.routing import BaseConverter, Map, Rule

    from pytest_apiposture.adapters.flask import flask_path, path_schemas

    class CustomConverter(BaseConverter):
        def __init__(self, url_map: Map, x: int = 0) -> None:
            super().__init__(url_map)
            self.regex = r"\d+"

    spec = committed(
        {
            "/p/{id}/n/{slug}": {
                "get": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {},
                }
            },
            "/q/{v}": {
                "get": {
                    "parameters": [
                        {"name": "v", "in": "path", "required": True, "schema": {"type": "integer"}}
                    ],
                    "responses": {},
                }
            },
        }
    )

    def typed(text: str) -> tuple[RequestParam, ...]:  # as the Flask adapter types a bound rule
        rule = Rule(text, endpoint="e")
        Map([rule], converters={"custom": CustomConverter})
        return path_schemas(rule, flask_path(text)[1])

    routes = [
        route(
            "GET",
            "/p/{pid}/n/{slug}",
            1,
            framework="flask",
            path_schemas=typed("/p/<int:pid>/n/<slug>"),
        ),
        route("GET", "/q/{v}", 2, framework="flask", path_schemas=typed("/q/<custom(x=1):v>")),
    ]  # unknown type
    assert [f.message for f in run(routes, spec=spec)] == [
        "GET /p/{pid}/n/{slug}: path parameter 'pid' is integer in the app but string in the committed spec"
    ]


def test_optional_guard_the_app_schema_declares_required_is_not_drift() -> None:
    # FastAPI writes `security` for OAuth2PasswordBearer(auto_error=False) too: the spec is
    # current, and the optional guard is APS202's to report.
    from fastapi import Depends, FastAPI
    from fastapi.security import OAuth2PasswordBearer

    app = FastAPI()
    maybe_token = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)

    @app.get("/feed")
    def feed(token: str | None = Depends(maybe_token)) -> list[str]:
        return []

    generated = app.openapi()
    optional = route("GET", "/feed", 4, auth=Auth.OPTIONAL)
    assert run([optional], generated=generated, spec=spec_from_dict(generated, SPEC)) == []
    assert run([optional], generated=generated) == []
    # without the app's schema to say so, a hand-written spec that requires auth is drift
    assert [f.code for f in run([optional], spec=spec_from_dict(generated, SPEC))] == ["APS906"]
    # a route declared public that reads the optional credential (a logout revoking it)
    reader = Guard("maybe_token", origin="dependency", role=GuardRole.OPTIONAL_AUTH)
    logout = route("GET", "/feed", 4, auth=Auth.PUBLIC, guards=(reader,))
    assert run([logout], generated=generated) == []
    # public with no optional reader: the schema's requirement is drift the route ignores
    assert [
        f.code for f in run([route("GET", "/feed", 4, auth=Auth.PUBLIC)], generated=generated)
    ] == ["APS906"]


def test_error_response_bodies_are_not_compared() -> None:
    # FastAPI 0.115 and 0.165 write different 422 bodies for the same app
    def paths(error_props: list[str]) -> dict[str, Any]:
        return {
            "/a": {
                "get": {
                    "responses": {
                        "200": {"description": "", **_body(["id"])},
                        "422": {"description": "", **_body(error_props)},
                    }
                }
            }
        }

    assert (
        run(
            [route("GET", "/a", 1)],
            generated=doc(paths(["loc", "msg"])),
            spec=committed(paths(["loc", "msg", "input", "ctx"])),
        )
        == []
    )


def test_a_mounted_flask_app_without_a_schema_is_one_low_finding_not_one_per_route() -> None:
    flask_routes = [
        route("GET", "/ajax-api/runs", 10, framework="flask", foreign_mount=True),
        route(
            "POST",
            "/ajax-api/runs",
            11,
            framework="flask",
            auth=Auth.AUTHENTICATED,
            foreign_mount=True,
        ),
        route("HEAD", "/ajax-api/runs", 12, framework="flask", foreign_mount=True),
    ]
    routes = [
        route("GET", "/documented", 1),
        route("GET", "/raw", 2, framework="starlette"),
        *flask_routes,
    ]
    findings = compare(
        routes,
        generated=doc({"/documented": GET}),
        committed=None,
        spec_path=None,
        knowledge=DEFAULT_KNOWLEDGE,
        framework="fastapi",
    )
    assert [(f.code, f.method, f.path, f.severity, f.location) for f in findings] == [
        ("APS901", "GET", "/raw", Severity.HIGH, Location(SRC, 2, "h2")),  # the app's own: hidden
        ("APS901", "", "", Severity.LOW, None),
    ]
    assert findings[1].message == (
        "2 routes of the flask app mounted at / are absent from the generated schema: that app "
        "publishes no schema of its own (1 of them without authentication)"
    )
    assert "commit a spec" in findings[1].remediation


def test_a_mounted_flask_app_that_documents_some_routes_is_checked_route_by_route() -> None:
    routes = [
        route("GET", "/api/runs", 10, framework="flask", mount_prefix="/api", foreign_mount=True),
        route("GET", "/api/secret", 11, framework="flask", mount_prefix="/api", foreign_mount=True),
    ]
    findings = compare(
        routes,
        generated=doc({"/api/runs": GET}),
        committed=None,
        spec_path=None,
        knowledge=DEFAULT_KNOWLEDGE,
        framework="fastapi",
    )
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("APS901", "/api/secret", Severity.HIGH)
    ]


def test_a_flask_app_on_its_own_is_checked_route_by_route() -> None:
    routes = [
        route("GET", "/runs", 10, framework="flask"),
        route("GET", "/hidden", 11, framework="flask"),
    ]
    findings = compare(
        routes,
        generated=doc({"/runs": GET}),
        committed=None,
        spec_path=None,
        knowledge=DEFAULT_KNOWLEDGE,
        framework="flask",
    )
    assert [(f.code, f.path) for f in findings] == [("APS901", "/hidden")]


def test_trailing_slash_twin_and_conditional_shadow_are_not_high() -> None:
    """Issue 15: ``/items/`` beside a documented ``/items`` is the router's alias (low);
    a route whose auth a setting decides is a medium shadow, not "no authentication"."""
    routes = [
        route("GET", "/items/", 1),
        route("GET", "/items", 2),
        route("GET", "/flagged", 3, in_schema=False, auth=Auth.CONDITIONAL),
    ]
    findings = run(routes, generated=doc({"/items": GET}))
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("APS901", "/items/", Severity.LOW),
        ("APS901", "/flagged", Severity.MEDIUM),
    ]
    assert findings[0].message == (
        "GET /items/ is served but only its trailing-slash twin is in the generated schema"
    )
    assert "(auth: conditional)" in findings[1].message


def test_the_generated_schemas_properties_are_read_only_to_compare_with_a_spec() -> None:
    """Matched alone against the routes, the generated schema's bodies are not read (a
    large schema's properties cost seconds); compared with a committed spec they are,
    strictly: a reference that does not resolve stops the comparison."""
    broken = {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}
    routes = [route("GET", "/a", 1), route("GET", "/hidden", 2, in_schema=False)]
    assert facts(run(routes, generated=doc({"/a": broken}))) == {
        ("APS901", "GET", "/hidden", SRC, 2)
    }
    with pytest.raises(SpecError, match="does not resolve"):
        run(routes, generated=doc({"/a": broken}), spec=committed({"/a": GET}))
    generated = spec_from_dict(
        doc({"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {
            "properties": {"name": {"type": "string"}}}}}}, "responses": {"200": {}}}}}),
        "generated schema",
        properties=False,
    )  # fmt: skip
    assert [(o.request_properties, o.responses) for o in generated.operations] == [(None, {})]
