"""``aps201_missing_auth.open_app``: when an app's missing-auth findings become one app-level
finding, and what it says (issue 19). Routes and findings are built by hand: the decision
reads only their auth class, kind, code and method."""

from __future__ import annotations

from pytest_apiposture.model import Auth, Finding, Location, Route, Severity
from pytest_apiposture.rules.aps201_missing_auth import MissingAuth, open_app
from pytest_apiposture.rules.aps202_optional_auth import OptionalAuth

APP = "/srv/app/main.py"


def route(path: str, auth: Auth = Auth.NONE, kind: str = "http") -> Route:
    return Route("GET", path, "fastapi", f"main:{path.strip('/')}", auth=auth, kind=kind)


def missing(path: str) -> Finding:
    return MissingAuth.new_finding(message=f"GET {path} is open", method="GET", path=path)


def optional(path: str) -> Finding:
    return OptionalAuth.new_finding(message=f"GET {path} is optional", method="GET", path=path)


def paths(n: int) -> list[str]:
    return [f"/r{i}" for i in range(n)]


def test_three_open_routes_and_nothing_guarded_are_one_app_level_finding() -> None:
    routes = [route(p) for p in paths(3)]
    other = optional("/r0")
    out = open_app(routes, [*map(missing, paths(3)), other], declared_open=False, app_file=APP)
    app, *rest = out
    assert rest == [other]
    assert (app.code, app.method, app.path, app.severity) == ("APS201", "", "", Severity.HIGH)
    assert app.message == "this API authenticates no route: 3 routes answer anonymous callers"
    assert app.evidence == "routes without authentication: GET /r0, GET /r1, GET /r2"
    assert app.location == Location(APP, 1, "<app>")


def test_two_open_routes_stay_two_findings() -> None:
    routes = [route(p) for p in paths(2)]
    findings = list(map(missing, paths(2)))
    assert open_app(routes, findings, declared_open=False, app_file=APP) == findings


def test_a_guarded_route_keeps_the_findings_per_route() -> None:
    routes = [route("/login-protected", Auth.AUTHENTICATED), *(route(p) for p in paths(3))]
    findings = list(map(missing, paths(3)))
    assert open_app(routes, findings, declared_open=False, app_file=APP) == findings


def test_only_http_routes_count() -> None:
    # a guarded websocket does not make the HTTP API authenticated ...
    routes = [route("/ws", Auth.AUTHENTICATED, kind="websocket"), *(route(p) for p in paths(3))]
    out = open_app(routes, list(map(missing, paths(3))), declared_open=False, app_file=APP)
    assert [(f.method, f.path) for f in out] == [("", "")]
    # ... and with no HTTP route at all there is no app-level finding
    findings = list(map(missing, paths(3)))
    websockets = [route("/ws", kind="websocket")]
    assert open_app(websockets, findings, declared_open=False, app_file=APP) == findings


def test_declared_open_lowers_the_missing_auth_findings_to_info_only() -> None:
    routes = [route("/in", Auth.AUTHENTICATED), *(route(p) for p in paths(3))]
    other = optional("/r0")
    out = open_app(routes, [*map(missing, paths(3)), other], declared_open=True, app_file=APP)
    assert [(f.code, f.severity) for f in out] == [
        *[("APS201", Severity.INFO)] * 3,
        ("APS202", other.severity),
    ]


def test_declared_open_app_level_finding_is_info_and_lists_each_route_at_info() -> None:
    routes = [route(p) for p in paths(3)]
    out = open_app(routes, list(map(missing, paths(3))), declared_open=True, app_file=None)
    app, *quiet = out
    assert app.severity is Severity.INFO
    assert app.message == (
        "this API authenticates no route: 3 routes answer anonymous callers"
        ' (declared open by design: auth = "none")'
    )
    assert app.location is None
    assert [(f.path, f.severity) for f in quiet] == [(p, Severity.INFO) for p in paths(3)]


def test_the_evidence_lists_ten_routes_and_counts_the_rest() -> None:
    def evidence(n: int) -> str:
        routes = [route(p) for p in paths(n)]
        (app,) = open_app(routes, list(map(missing, paths(n))), declared_open=False, app_file=APP)
        return app.evidence

    ten = ", ".join(f"GET {p}" for p in paths(10))
    assert evidence(10) == f"routes without authentication: {ten}"
    assert evidence(12) == f"routes without authentication: {ten} and 2 more"
