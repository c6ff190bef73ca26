"""Real apps through select_adapter: every planted difference once, with the right code."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pytest_apiposture.adapters import select_adapter
from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.model import Auth, Finding, Route
from pytest_apiposture.openapi.drift import compare, drift_summary
from pytest_apiposture.openapi.lint import lint_spec
from pytest_apiposture.openapi.spec import load_spec, write_snapshot

FIXTURES = Path(__file__).parent / "fixtures"


def load_module(filename: str) -> ModuleType:
    name = f"drift_fixture_{Path(filename).stem}"
    if name in sys.modules:
        return sys.modules[name]
    module_spec = importlib.util.spec_from_file_location(name, FIXTURES / filename)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def classified(app: Any, authenticated: set[str], public: set[str] = frozenset()) -> list[Route]:  # type: ignore[assignment]
    """The adapter's routes with `auth` set as the classifier would (classification is not drift's job)."""
    routes = select_adapter(app).routes(app)

    def auth(route: Route) -> Auth:
        return (
            Auth.AUTHENTICATED
            if route.key in authenticated
            else Auth.PUBLIC
            if route.key in public
            else Auth.NONE
        )

    return [replace(r, auth=auth(r)) for r in routes]


def line_of(module: ModuleType, function: str) -> int:
    """The line of `def function(` (decorators above it do not count)."""
    lines = Path(str(module.__file__)).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(f"def {function}("))


SHOP_AUTHENTICATED = {"POST /items", "GET /items/{item_id}", "GET /users/{user_id}", "GET /reports"}


def test_shop_stale_spec_reports_each_planted_difference_once() -> None:
    shop = load_module("shop_app.py")
    routes = classified(shop.app, SHOP_AUTHENTICATED, {"POST /token"})
    spec = load_spec(FIXTURES / "shop_openapi.json")
    generated = select_adapter(shop.app).openapi(shop.app)
    findings = compare(
        routes,
        generated=generated,
        committed=spec,
        spec_path=spec.source,
        knowledge=DEFAULT_KNOWLEDGE,
    )
    src = shop.__file__

    def at(function: str) -> tuple[str, int]:
        return (src, line_of(shop, function))

    got = sorted(
        (
            f.code,
            f.method,
            f.path,
            *(f.location.file, f.location.line),
            f.message.removeprefix(f"{f.method} {f.path}: "),
        )
        for f in findings
        if f.location
    )
    assert got == sorted(
        [
            (
                "APS901",
                "GET",
                "/debug/config",
                *at("debug_config"),
                "GET /debug/config is served but hidden from the "
                "generated schema (include_in_schema=False) and has no authentication",
            ),
            (
                "APS902",
                "GET",
                "/stats",
                *at("stats"),
                "GET /stats is served but missing from the committed spec (auth: none)",
            ),
            (
                "APS903",
                "GET",
                "/legacy/orders",
                spec.source,
                443,
                "GET /legacy/orders is in committed spec line 443 "
                "but the app no longer registers it",
            ),
            (
                "APS904",
                "GET",
                "/items",
                *at("list_items"),
                "query parameter 'q' (optional) is read by the app but "
                "missing from the committed spec",
            ),
            (
                "APS904",
                "GET",
                "/items",
                *at("list_items"),
                "query parameter 'page' is in the committed spec but the app no longer reads it",
            ),
            (
                "APS904",
                "GET",
                "/reports",
                *at("reports"),
                "header parameter 'x-tenant' is required in the app but "
                "optional in the committed spec",
            ),
            (
                "APS905",
                "POST",
                "/items",
                *at("create_item"),
                "request body property 'owner_id' is accepted by the app "
                "but missing from the committed spec (a privileged field)",
            ),
            (
                "APS905",
                "GET",
                "/items/{item_id}",
                *at("read_item"),
                "response 200 property 'internal_cost' is returned "
                "by the app but missing from the committed spec: possible data exposure",
            ),
            (
                "APS905",
                "GET",
                "/items/{item_id}",
                *at("read_item"),
                "response 200 property 'description' is in the "
                "committed spec but the app no longer returns it",
            ),
            (
                "APS905",
                "GET",
                "/users/{user_id}",
                *at("read_user"),
                "response 200 property 'password_hash' is "
                "returned by the app but missing from the committed spec: possible data exposure of a sensitive field",
            ),
            (
                "APS906",
                "DELETE",
                "/items/{item_id}",
                *at("delete_item"),
                "the committed spec requires "
                "OAuth2PasswordBearer but the route does not enforce authentication (auth: none)",
            ),
            (
                "APS907",
                "GET",
                "/reports",
                *at("reports"),
                "GET /reports is deprecated (route, generated schema, "
                "committed spec) but still served",
            ),
        ]
    )
    assert len(got) == len(findings)
    assert drift_summary(findings) == {
        "shadow-endpoint": 1,
        "undocumented-endpoint": 1,
        "zombie-endpoint": 1,
        "parameter-drift": 3,
        "schema-drift": 4,
        "security-drift": 1,
        "deprecated-still-served": 1,
    }
    assert lint_spec(spec, knowledge=DEFAULT_KNOWLEDGE) == []  # /token may return access_token


def test_shop_after_update_spec_only_route_facts_remain(tmp_path: Path) -> None:
    shop = load_module("shop_app.py")
    routes = classified(shop.app, SHOP_AUTHENTICATED, {"POST /token"})
    generated = select_adapter(shop.app).openapi(shop.app)
    assert generated is not None
    target = tmp_path / "openapi.json"
    write_snapshot(target, generated)
    findings = compare(
        routes,
        generated=generated,
        committed=load_spec(target),
        spec_path=str(target),
        knowledge=DEFAULT_KNOWLEDGE,
    )
    # an up-to-date spec leaves what no spec update fixes: the hidden route and the deprecated one
    assert sorted((f.code, f.method, f.path) for f in findings) == [
        ("APS901", "GET", "/debug/config"),
        ("APS907", "GET", "/reports"),
    ]


def test_plain_flask_against_a_swagger_20_spec_with_base_path() -> None:
    notes = load_module("notes_flask_app.py")
    routes = classified(notes.app, {"GET /api/notes/{note_id}", "GET /api/export"})
    assert select_adapter(notes.app).openapi(notes.app) is None
    spec = load_spec(FIXTURES / "notes_swagger.yaml")
    findings = compare(
        routes, generated=None, committed=spec, spec_path=spec.source, knowledge=DEFAULT_KNOWLEDGE
    )
    src = notes.__file__
    assert sorted(
        (f.code, f.method, f.path, f.location.file, f.location.line) for f in findings if f.location
    ) == [
        ("APS902", "POST", "/api/admin/purge", src, line_of(notes, "purge")),
        ("APS903", "GET", "/api/orders", spec.source, 26),
        ("APS906", "GET", "/api/export", src, line_of(notes, "export")),
    ]
    assert len(findings) == 3
    assert lint_spec(spec, knowledge=DEFAULT_KNOWLEDGE) == []


@pytest.mark.parametrize("missing", ["absent.json", "broken.json"])
def test_unreadable_spec_stops_only_the_committed_comparison(tmp_path: Path, missing: str) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    shop = load_module("shop_app.py")
    from pytest_apiposture.openapi.spec import SpecError

    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path / missing)
    assert "\n" not in str(caught.value)
    # the caller goes on without a committed spec: the generated schema still finds the shadow route
    findings: list[Finding] = compare(
        classified(shop.app, SHOP_AUTHENTICATED),
        generated=shop.app.openapi(),
        committed=None,
        spec_path=str(tmp_path / missing),
        knowledge=DEFAULT_KNOWLEDGE,
    )
    assert sorted((f.code, f.path) for f in findings) == [
        ("APS901", "/debug/config"),
        ("APS907", "/reports"),
    ]
