"""A before_request hook wrapped by a decorator is read through to its own code."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

from pytest_apiposture.adapters.flask import FlaskAdapter
from pytest_apiposture.config import build_settings
from pytest_apiposture.model import Auth
from pytest_apiposture.pipeline import analyse

FIXTURES = Path(__file__).parent / "flask_fixtures"


def hook_line() -> int:
    lines = (FIXTURES / "fl_fx_wrapped_hook.py").read_text().splitlines()
    return next(no for no, text in enumerate(lines, 1) if text.endswith("# mark: hook"))


def test_the_guard_of_a_wrapped_hook_names_and_points_at_the_hook() -> None:
    sys.path.insert(0, str(FIXTURES))
    try:
        from fl_fx_wrapped_hook import app, require_login
    finally:
        sys.path.remove(str(FIXTURES))
    route = {r.key: r for r in FlaskAdapter().routes(app)}["GET /runs"]
    (guard,) = [g for g in route.guards if g.origin == "before_request"]
    assert guard.name == "fl_fx_wrapped_hook.require_login"
    assert guard.location is not None and guard.location.line == hook_line()
    hook: Callable[..., Any] = require_login
    assert guard.chain == (hook, inspect.unwrap(hook))
    assert guard.chain[1] is not hook
    assert guard.func is hook  # the wrapper Flask calls


def test_a_wrapped_hook_that_aborts_401_authenticates_the_app() -> None:
    settings = build_settings(
        FIXTURES, {"app": "fl_fx_wrapped_hook:app", "audit": False, "static_only": True}
    )
    analysis = analyse(settings)
    assert analysis.posture.error is None
    assert {r.key: r.auth for r in analysis.posture.routes} == {
        "GET /runs": Auth.AUTHENTICATED,
        # the hook refuses anonymous callers on every path, static files included: a
        # visible guard wins over the default public "GET /static/*" (issue 15)
        "GET /static/{filename}": Auth.AUTHENTICATED,
    }


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # the hook returns make_forbidden_response(), a helper that sets status_code = 403
        ("fl_fx_built_refusal:app", {"GET /runs": Auth.AUTHENTICATED, "GET /health": Auth.PUBLIC}),
        # the helper it returns answers 200: nothing is refused
        ("fl_fx_built_refusal:banner_app", {"GET /runs": Auth.NONE}),
    ],
)
def test_a_hook_that_returns_a_helper_built_refusal_authenticates(
    target: str, expected: dict[str, Auth]
) -> None:
    settings = build_settings(FIXTURES, {"app": target, "audit": False, "static_only": True})
    analysis = analyse(settings)
    assert analysis.posture.error is None
    assert {r.key: r.auth for r in analysis.posture.routes} == expected
