"""Issue 15: one guarded route among many does not keep an app that otherwise
authenticates nothing from its one app-level APS201 (Prefect's shape)."""

from __future__ import annotations

from rules_helpers import FIXTURES, load_fixture, run_static

from pytest_apiposture.model import Auth, Finding, Severity
from pytest_apiposture.rules.aps201_missing_auth import open_app


def _app_level(name: str, keep: int | None = None) -> list[Finding]:
    module = load_fixture(name)
    result = run_static(module.app, root=FIXTURES, app_file=module.__file__)
    routes = [r for r in result.routes if r.auth is not Auth.PUBLIC]  # docs, static folder
    routes = routes[:keep] if keep is not None else routes
    keys = {r.key for r in routes}
    findings = [f for f in result.findings if f.route_key in keys]
    out = open_app(routes, findings, declared_open=False, app_file=module.__file__)
    return [f for f in out if f.code == "APS201"]


def test_one_stray_guard_among_many_open_routes_is_one_app_level_finding() -> None:
    for name in ("rx_fa_stray", "rx_fl_stray"):
        findings = _app_level(name)
        assert [(f.method, f.path, f.severity) for f in findings] == [("", "", Severity.HIGH)]
        assert findings[0].message.startswith(
            "this API authenticates almost no route (1 of 25 guarded: GET /account/settings): "
            "24 routes answer anonymous callers"
        ), findings[0].message


def test_a_guarded_route_among_a_few_keeps_the_per_route_findings() -> None:
    """1 guarded of 10 is no stray (10%): each open route is its own finding."""
    for name in ("rx_fa_stray", "rx_fl_stray"):
        findings = _app_level(name, keep=10)
        assert len(findings) == 9 and all(f.method == "GET" for f in findings), name
