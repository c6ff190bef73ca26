"""``open_app`` with a stray few guarded routes (issue 19): public routes are left out of the
share, and the app-level finding names the strays."""

from __future__ import annotations

from pytest_apiposture.model import Auth, Finding, Route
from pytest_apiposture.rules.aps201_missing_auth import MissingAuth, open_app

APP = "/srv/app/main.py"


def route(path: str, auth: Auth = Auth.NONE) -> Route:
    return Route("GET", path, "fastapi", f"main:{path.strip('/')}", auth=auth)


def missing(path: str) -> Finding:
    return MissingAuth.new_finding(message=f"GET {path} is open", method="GET", path=path)


def app_of(guarded: int, open_: int, public: int = 0) -> tuple[list[Route], list[Finding]]:
    routes = [
        *(route(f"/g{i}", Auth.AUTHENTICATED) for i in range(guarded)),
        *(route(f"/o{i}") for i in range(open_)),
        *(route(f"/p{i}", Auth.PUBLIC) for i in range(public)),
    ]
    return routes, [missing(f"/o{i}") for i in range(open_)]


def test_public_routes_are_not_counted_in_the_share_of_guarded_routes() -> None:
    # one guarded route of eleven that are not public: 9%, the app authenticates
    routes, findings = app_of(guarded=1, open_=10, public=100)
    assert open_app(routes, findings, declared_open=False, app_file=APP) == findings
    # one of thirty-one: under 5%, a stray
    routes, findings = app_of(guarded=1, open_=30, public=100)
    out = open_app(routes, findings, declared_open=False, app_file=APP)
    assert [(f.method, f.message) for f in out] == [
        (
            "",
            "this API authenticates almost no route (1 of 31 guarded: GET /g0): "
            "30 routes answer anonymous callers",
        )
    ]


def test_the_app_level_finding_names_three_strays_then_says_there_are_more() -> None:
    routes, findings = app_of(guarded=3, open_=67)
    (app,) = open_app(routes, findings, declared_open=False, app_file=APP)
    assert app.message == (
        "this API authenticates almost no route (3 of 70 guarded: GET /g0, GET /g1, GET /g2): "
        "67 routes answer anonymous callers"
    )
    routes, findings = app_of(guarded=4, open_=86)
    (app,) = open_app(routes, findings, declared_open=False, app_file=APP)
    assert app.message == (
        "this API authenticates almost no route (4 of 90 guarded: GET /g0, GET /g1, GET /g2, "
        "...): 86 routes answer anonymous callers"
    )
