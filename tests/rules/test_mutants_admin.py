"""APS501's decisions on hand-built routes (issue 19): which routes look administrative,
which grant a role, and the one route of a resource without its siblings' role guard."""

from __future__ import annotations

from pytest_apiposture.model import Auth, Guard, GuardRole, Location, ModelField, Route
from pytest_apiposture.rules.aps501_admin_without_role import (
    grants_role,
    looks_administrative,
    unguarded_siblings,
)

ADMIN = Guard("app.deps.require_admin", role=GuardRole.AUTHORIZATION, origin="parameter")
LOGIN = Guard("app.deps.get_user", role=GuardRole.AUTH, origin="parameter")


def route(
    method: str,
    path: str,
    handler: str,
    *guards: Guard,
    auth: Auth = Auth.AUTHENTICATED,
    kind: str = "http",
    body: tuple[str, ...] = (),
) -> Route:
    return Route(
        method,
        path,
        "fastapi",
        handler,
        location=Location("/src/app/users.py", 1, handler.rpartition(":")[2]),
        guards=guards,
        auth=auth,
        kind=kind,
        body_fields=tuple(ModelField(name, "str") for name in body),
    )


def test_a_role_field_granted_to_another_object_by_a_write() -> None:
    assert grants_role(route("PUT", "/users/{user_id}", "a:u", body=("name", "Role"))) == "Role"
    assert grants_role(route("POST", "/users", "a:u", body=("role",))) == ""  # no object
    assert grants_role(route("GET", "/users/{user_id}", "a:u", body=("role",))) == ""
    assert grants_role(route("PUT", "/users/{user_id}", "a:u", body=("name",))) == ""


def test_an_admin_path_segment_or_handler_name_looks_administrative() -> None:
    assert looks_administrative(route("GET", "/api/admin/stats", "a:stats"))
    assert looks_administrative(route("GET", "/stats", "a:admin_stats"))
    assert looks_administrative(route("GET", "/stats", "a:Views.stats_admin"))
    assert not looks_administrative(route("GET", "/administrators-guide", "a:guide"))
    assert not looks_administrative(route("GET", "/stats", "a:badminton"))
    # not ASCII: the patterns decide, not the lower-cased word test
    assert looks_administrative(route("GET", "/admin/über", "a:page"))
    assert not looks_administrative(route("GET", "/über", "a:page"))


def siblings(*extra: Route) -> list[Route]:
    return [
        route("GET", "/users/{user_id}", "app.users:read", ADMIN),
        route("PUT", "/users/{user_id}", "app.users:replace", ADMIN),
        *extra,
    ]


def test_the_one_sibling_without_the_role_guard_is_reported() -> None:
    bare = route("DELETE", "/users/{user_id}/", "app.users:remove", LOGIN)
    (finding,) = unguarded_siblings(siblings(bare))
    assert (finding.code, finding.method, finding.path) == ("APS501", "DELETE", bare.path)
    assert finding.message == (
        "DELETE /users/{user_id}/ is the only route of its 3 siblings without a role guard "
        "(they use require_admin)"
    )
    assert finding.evidence == "siblings: GET /users/{user_id}, PUT /users/{user_id}"
    assert finding.location == bare.location


def test_no_sibling_finding_without_three_authenticated_http_siblings() -> None:
    assert unguarded_siblings(siblings()) == []
    for odd in (
        route("DELETE", "/users/{user_id}", "app.users:remove", auth=Auth.NONE),
        route("DELETE", "/users/{user_id}", "app.users:remove", LOGIN, kind="websocket"),
        route("DELETE", "/users/{user_id}", "app.other:remove", LOGIN),  # another module
        route("DELETE", "/accounts/{user_id}", "app.users:remove", LOGIN),  # another resource
    ):
        assert unguarded_siblings(siblings(odd)) == [], odd


def test_no_sibling_finding_when_the_bare_route_is_not_alone_or_shares_a_handler() -> None:
    two_bare = siblings(
        route("DELETE", "/users/{user_id}", "app.users:remove", LOGIN),
        route("PATCH", "/users/{user_id}", "app.users:patch", LOGIN),
    )
    assert unguarded_siblings(two_bare) == []
    # one function serving two methods, guarded on one: the same code, not a forgotten guard
    shared = siblings(route("DELETE", "/users/{user_id}", "app.users:read", LOGIN))
    assert unguarded_siblings(shared) == []


def test_the_route_rule_reports_an_administrative_or_role_granting_bare_sibling() -> None:
    admin = route("DELETE", "/users/{user_id}", "app.users:admin_remove", LOGIN)
    granting = route("PATCH", "/users/{user_id}", "app.users:patch", LOGIN, body=("role",))
    assert unguarded_siblings(siblings(admin)) == []
    assert unguarded_siblings(siblings(granting)) == []
