"""Drift decisions no other test pinned (issue 19), each with a case on both sides."""

from __future__ import annotations

from typing import Any

from test_drift import GET, SPEC, committed, doc, route, run

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Auth, Finding, Guard, GuardRole, Location, Severity
from pytest_apiposture.openapi.drift import compare, drift_class, drift_summary, place_finding
from pytest_apiposture.openapi.drift_checks import Diff
from pytest_apiposture.openapi.operation_drift import status_pairs, type_drift
from pytest_apiposture.openapi.spec import Operation, Parameter, spec_from_dict
from pytest_apiposture.rules.aps201_missing_auth import MissingAuth


def codes(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.code, f.method, f.path) for f in findings]


def test_findings_of_other_checks_have_no_drift_class() -> None:
    shadow = run([route("GET", "/hidden", 1, in_schema=False)], generated=doc({}))
    other = MissingAuth.new_finding(message="open", method="GET", path="/x")
    assert drift_class(other) is None
    assert drift_summary([*shadow, other]) == {drift_class(shadow[0]): 1}


def test_a_finding_without_a_route_sits_at_the_line_it_is_given_or_the_spec_top() -> None:
    diff = Diff("APS903", "gone")
    placed = place_finding(diff, SPEC, route=None, op=None, line=7)
    assert placed.location == Location(SPEC, 7)
    assert place_finding(diff, SPEC, route=None, op=None).location == Location(SPEC, 1)
    assert place_finding(diff, "", route=None, op=None).location is None


def test_with_no_route_matching_either_way_the_servers_prefix_is_kept() -> None:
    spec = committed({"/gone": GET}, servers=[{"url": "/api"}])
    assert codes(run([route("GET", "/elsewhere", 1)], spec=spec)) == [
        ("APS902", "GET", "/elsewhere"),
        ("APS903", "GET", "/api/gone"),
    ]


def test_only_http_routes_and_mounts_are_compared() -> None:
    websocket = route("WEBSOCKET", "/ws", 1, kind="websocket")
    assert run([websocket], generated=doc({})) == []


def test_findings_at_the_spec_point_to_the_spec_file_given_or_the_specs_own() -> None:
    spec = committed({"/gone": GET})
    given = compare(
        [route("GET", "/x", 1)],
        generated=None,
        committed=spec,
        spec_path="/repo/api/spec.yaml",
        knowledge=DEFAULT_KNOWLEDGE,
    )
    own = compare(
        [route("GET", "/x", 1)],
        generated=None,
        committed=spec,
        spec_path=None,
        knowledge=DEFAULT_KNOWLEDGE,
    )
    zombie = [f for f in given if f.code == "APS903"]
    assert [f.location.file for f in zombie if f.location] == ["/repo/api/spec.yaml"]
    assert [f.location.file for f in own if f.code == "APS903" and f.location] == [SPEC]


def _mounted(framework: str, generated: dict[str, Any] | None) -> list[Finding]:
    routes = [
        route("GET", "/ajax/runs", 10, framework="flask", foreign_mount=True),
        route("GET", "/ajax/jobs", 11, framework="flask", foreign_mount=True),
        route("GET", "/ajax/docs", 12, framework="flask", foreign_mount=True, auth=Auth.PUBLIC),
    ]
    return compare(
        routes,
        generated=generated,
        committed=None,
        spec_path=None,
        knowledge=DEFAULT_KNOWLEDGE,
        framework=framework,
    )


def test_a_mounted_app_without_a_schema_is_grouped_only_when_the_host_framework_is_known() -> None:
    (grouped,) = _mounted("fastapi", doc({}))
    assert grouped.message.endswith("(2 of them without authentication)")
    assert codes(_mounted("", doc({}))) == [
        ("APS901", "GET", "/ajax/runs"),
        ("APS901", "GET", "/ajax/jobs"),
        ("APS901", "GET", "/ajax/docs"),
    ]
    assert _mounted("fastapi", None) == []  # no generated schema: nothing to compare


def test_a_mount_missing_from_the_committed_spec_is_not_undocumented() -> None:
    mount = route("GET", "/wiki", 1, kind="mount", handler="starlette.middleware.wsgi:App")
    assert run([mount], spec=committed({"/wiki/pages": GET})) == []


def test_a_shadowed_route_is_not_also_type_checked_against_the_committed_spec() -> None:
    from werkzeug.routing import Map, Rule

    from pytest_apiposture.adapters.flask import flask_path, path_schemas

    rule = Rule("/items/<int:item_id>", endpoint="e")
    Map([rule])
    schemas = path_schemas(rule, flask_path("/items/<int:item_id>")[1])
    typed = {"type": "string"}
    flask_route = route(
        "GET", "/items/{item_id}", 1, framework="flask", in_schema=False, path_schemas=schemas
    )
    spec = committed(
        {
            "/items/{item_id}": {
                "get": {
                    "parameters": [
                        {"name": "item_id", "in": "path", "required": True, "schema": typed}
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        }
    )
    findings = run([flask_route], generated=doc({}), spec=spec)
    assert [f.code for f in findings] == ["APS901"]
    # without a generated schema the rule's integer is compared with the spec's string
    assert [f.code for f in run([flask_route], spec=spec)] == ["APS904"]


def test_path_parameters_pair_by_position_even_when_the_counts_differ() -> None:
    # a Flask rule with two parameters against a spec operation that declares one
    assert list(type_drift([])) == []
    flask_route = route("GET", "/a/{x}/b/{y}", 1, framework="flask")
    spec = committed({"/a/{x}/b/{y}": {"get": {"responses": {"200": {"description": "ok"}}}}})
    assert run([flask_route], spec=spec) == []


def test_types_differ_only_where_both_sides_have_one() -> None:
    number = Parameter("id", "path", True, "integer")
    text = Parameter("id", "path", True, "string")
    untyped = Parameter("id", "path", True, None)
    assert [d.code for d in type_drift([(text, number)])] == ["APS904"]
    assert list(type_drift([(None, number), (number, None), (untyped, number)])) == []
    assert list(type_drift([(text, untyped)])) == []


def _responses(*statuses: str) -> Operation:
    op = spec_from_dict(
        doc({"/x": {"get": {"responses": {s: {"description": "d"} for s in statuses}}}}), SPEC
    ).operations[0]
    return op


def test_success_statuses_pair_by_value_else_first_with_first() -> None:
    assert status_pairs(_responses("200", "201"), _responses("201")) == [("201", "201")]
    assert status_pairs(_responses("201"), _responses("200")) == [("201", "200")]
    assert status_pairs(_responses("default"), _responses("200")) == []
    assert status_pairs(_responses("200"), _responses("default")) == []


def test_an_authenticated_route_with_an_extra_optional_guard_is_still_checked() -> None:
    guards = (
        Guard("get_user", role=GuardRole.AUTH, origin="parameter"),
        Guard("maybe_flags", role=GuardRole.OPTIONAL_AUTH, origin="parameter"),
    )
    secured = {"get": {**GET["get"], "security": [{"bearer": []}]}}
    schemes = {"components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
    r = route("GET", "/me", 1, auth=Auth.AUTHENTICATED, guards=guards)
    findings = run([r], generated=doc({"/me": secured}, **schemes), spec=committed({"/me": GET}))
    assert [(f.code, f.severity) for f in findings if f.method] == [("APS906", Severity.LOW)]


def test_an_optional_route_the_app_schema_leaves_open_is_still_checked() -> None:
    secured = {"get": {**GET["get"], "security": [{"bearer": []}]}}
    schemes = {"components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
    r = route("GET", "/feed", 1, auth=Auth.OPTIONAL)
    findings = run(
        [r], generated=doc({"/feed": GET}), spec=committed({"/feed": secured}, **schemes)
    )
    route_level = [(f.code, f.severity, f.cwe) for f in findings if f.method]
    assert route_level == [("APS906", Severity.MEDIUM, 306)]


def test_a_route_documented_only_with_a_trailing_slash_is_its_twin() -> None:
    findings = run([route("GET", "/items", 1)], generated=doc({"/items/": GET}))
    assert [(f.code, f.severity) for f in findings] == [("APS901", Severity.LOW)]


def test_a_handler_of_a_framework_module_itself_is_not_the_api() -> None:
    r = route("GET", "/apidocs", 1, handler="flasgger:APIDocsView", framework="flask")
    assert run([r], generated=doc({})) == []


def test_a_shadows_reason_says_why_it_is_hidden() -> None:
    plain = run([route("GET", "/plain", 1)], generated=doc({}))
    raw = run([route("GET", "/raw", 2, unlisted_reason="a raw Starlette route")], generated=doc({}))
    assert "(not in the schema)" in plain[0].message
    assert "(a raw Starlette route)" in raw[0].message


def test_spec_operations_at_a_mount_or_answered_by_the_framework_are_not_zombies() -> None:
    routes = [
        route("GET", "/wiki", 1, kind="mount", handler="starlette.middleware.wsgi:App"),
        route("GET", "/items", 2),
        route("POST", "/orders", 3),
    ]
    posted_wiki = {"post": GET["get"]}
    head = {"head": GET["get"]}
    options = {"options": GET["get"]}
    spec = committed(
        {
            "/wiki": {**GET, **posted_wiki},
            "/items": {**GET, **head, **options},
            "/orders": {"post": GET["get"], **options, **head},
            "/gone": {**head, **options},
        }
    )
    assert sorted(codes(run(routes, spec=spec))) == [
        ("APS903", "HEAD", "/gone"),
        ("APS903", "HEAD", "/orders"),
        ("APS903", "OPTIONS", "/gone"),
    ]


def test_a_servers_prefix_with_a_variable_adds_a_path_parameter_the_operation_lacks() -> None:
    # the route has two path parameters, the operation's own path one: paired by position
    item = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec = committed(
        {"/items/{id}": {"get": {"parameters": [item], "responses": {}}}},
        servers=[{"url": "/t/{tenant}"}],
    )
    r = route("GET", "/t/{tenant}/items/{id}", 1, framework="flask")
    assert run([r], spec=spec) == []
