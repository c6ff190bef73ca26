"""What a ``before_request`` hook lets through before it checks credentials (issue 19):
``guardcode.Exemption`` as read from the hook's code, and which routes it covers. An
exempted route's hook guard is ``other``; every other route's is ``auth``."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from guard_cases import Code, guard, judged, load

from pytest_apiposture.model import GuardRole
from pytest_apiposture.static.guardcode import CodeFacts, Exemption

HOOKS = """
from flask import abort, current_app, redirect, request, session, url_for

PUBLIC_ENDPOINTS = ("home", "about")
PUBLIC_MAP = {"home": True}
PUBLIC_PATHS = {"/status", "/ping"}
OPEN_PREFIXES = ("/public/", "/static/")
PRIVATE_ENDPOINTS = ("billing",)
PRIVATE_PATHS = {"/billing"}


def public_view():
    return {}


public_view.is_public = True


def private_view():
    return {}


def by_endpoint():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not session.get("user_id"):
        abort(401)


def by_endpoint_equal():
    if request.endpoint == "home":
        return None
    if not session.get("user_id"):
        abort(401)


def by_endpoint_map():
    if request.endpoint in PUBLIC_MAP:
        return None
    if not session.get("user_id"):
        abort(401)


def by_path():
    if request.path in PUBLIC_PATHS:
        return None
    if not session.get("user_id"):
        abort(401)


def by_prefixes():
    if request.path.startswith(OPEN_PREFIXES):
        return None
    if not session.get("user_id"):
        abort(401)


def by_prefix():
    if request.path.startswith("/public/"):
        return None
    if not session.get("user_id"):
        abort(401)


def by_attribute():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        return None
    if not session.get("user_id"):
        abort(401)


def by_negated_membership():
    if request.endpoint not in PUBLIC_ENDPOINTS:
        if not session.get("user_id"):
            abort(401)


def by_not():
    if not request.endpoint in PUBLIC_ENDPOINTS:
        if not session.get("user_id"):
            abort(401)


def by_either():
    if request.endpoint in PUBLIC_ENDPOINTS or request.path.startswith("/public/"):
        return None
    if not session.get("user_id"):
        abort(401)


def private_only():
    if request.endpoint in PRIVATE_ENDPOINTS:
        if not session.get("user_id"):
            abort(401)


def logs_public_ones():
    if request.endpoint in PUBLIC_ENDPOINTS:
        current_app.logger.info("public page")
    if not session.get("user_id"):
        abort(401)


def by_blueprint():
    if request.blueprint in ("home",):
        return None
    if not session.get("user_id"):
        abort(401)


def by_chained_comparison():
    if request.endpoint in PUBLIC_ENDPOINTS in (PUBLIC_ENDPOINTS,):
        return None
    if not session.get("user_id"):
        abort(401)


def redirect_if_anonymous():
    if not session.get("user_id"):
        return redirect(url_for("auth.login"))
    return None


def exempts_then_redirects():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return redirect_if_anonymous()


def private_paths_only():
    if request.path in PRIVATE_PATHS:
        if not session.get("user_id"):
            abort(401)


def private_prefix_only():
    if request.path.startswith("/private/"):
        if not session.get("user_id"):
            abort(401)


def by_unknown_prefix():
    if request.path.startswith(current_app.config["OPEN_PREFIX"]):
        return None
    if not session.get("user_id"):
        abort(401)


def by_attribute_two_arguments():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public"):
        return None
    if not session.get("user_id"):
        abort(401)


def by_unknown_attribute():
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, current_app.config["PUBLIC_MARK"], False):
        return None
    if not session.get("user_id"):
        abort(401)


def by_unknown_list():
    if request.endpoint in current_app.config["PUBLIC"]:
        return None
    if not session.get("user_id"):
        abort(401)
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Code:
    return load(tmp_path_factory.mktemp("exemptions"), HOOKS)


def hook_role(code: Code, hook: str, **route: Any) -> GuardRole | None:
    """The role of ``hook`` (a before_request guard) on a route with these facts."""
    route.setdefault("handler", "private_view")
    return judged(code, guard(code, hook, origin="before_request"), **route).guards[0].role


EXEMPT, GUARDED = GuardRole.OTHER, GuardRole.AUTH


@pytest.mark.parametrize("hook", ["by_endpoint", "by_negated_membership", "by_not", "by_either"])
def test_an_endpoint_list_exempts_those_endpoints_only(code: Code, hook: str) -> None:
    assert hook_role(code, hook, endpoint_name="home", path="/") is EXEMPT
    assert hook_role(code, hook, endpoint_name="account", path="/account") is GUARDED


def test_one_endpoint_or_a_mapping_of_them(code: Code) -> None:
    assert hook_role(code, "by_endpoint_equal", endpoint_name="home", path="/") is EXEMPT
    assert hook_role(code, "by_endpoint_equal", endpoint_name="about", path="/a") is GUARDED
    assert hook_role(code, "by_endpoint_map", endpoint_name="home", path="/") is EXEMPT
    assert hook_role(code, "by_endpoint_map", endpoint_name="about", path="/a") is GUARDED


def test_a_route_without_an_endpoint_name_is_not_an_exempted_endpoint(code: Code) -> None:
    assert hook_role(code, "by_endpoint", endpoint_name="", path="/") is GUARDED


def test_a_path_set_exempts_those_paths_as_the_router_spells_them(code: Code) -> None:
    assert hook_role(code, "by_path", path="/status") is EXEMPT
    assert hook_role(code, "by_path", path="/account") is GUARDED
    # a mounted app's hook sees its own rule, without the mount prefix
    assert hook_role(code, "by_path", path="/api/status", rule="/status") is EXEMPT
    assert hook_role(code, "by_path", path="/status2", rule="/status2") is GUARDED


@pytest.mark.parametrize("hook", ["by_prefixes", "by_prefix", "by_either"])
def test_a_path_prefix_exempts_the_paths_under_it(code: Code, hook: str) -> None:
    assert hook_role(code, hook, path="/public/page") is EXEMPT
    assert hook_role(code, hook, path="/account/public/") is GUARDED


@pytest.mark.parametrize("hook", ["by_attribute", "by_attribute_two_arguments"])
def test_a_marked_view_is_exempted_by_its_attribute(code: Code, hook: str) -> None:
    assert hook_role(code, hook, handler="public_view", path="/p") is EXEMPT
    assert hook_role(code, hook, handler="private_view", path="/q") is GUARDED


def test_a_hook_that_leaves_the_refusal_to_a_helper_still_exempts(code: Code) -> None:
    assert hook_role(code, "exempts_then_redirects", endpoint_name="home", path="/") is EXEMPT
    assert hook_role(code, "exempts_then_redirects", endpoint_name="cart", path="/c") is GUARDED


def test_tests_that_let_nothing_through_exempt_nothing(code: Code) -> None:
    # an ``if`` that refuses the listed endpoints guards them: no exemption
    assert hook_role(code, "private_only", endpoint_name="billing", path="/billing") is GUARDED
    # an ``if`` that neither returns nor refuses (it logs) exempts nothing
    assert hook_role(code, "logs_public_ones", endpoint_name="home", path="/") is GUARDED
    # a test of something else than the endpoint or the path
    assert hook_role(code, "by_blueprint", endpoint_name="home", path="/") is GUARDED
    # a chained comparison, and values no literal gives, are not read
    assert hook_role(code, "by_chained_comparison", endpoint_name="home", path="/") is GUARDED
    assert hook_role(code, "by_unknown_list", endpoint_name="home", path="/") is GUARDED
    assert hook_role(code, "by_unknown_prefix", path="/public/x") is GUARDED
    assert hook_role(code, "by_unknown_attribute", handler="public_view", path="/p") is GUARDED
    # paths and prefixes a hook refuses are guarded, not exempted
    assert hook_role(code, "private_paths_only", path="/billing") is GUARDED
    assert hook_role(code, "private_prefix_only", path="/private/invoices") is GUARDED


def test_an_exemption_applies_to_before_request_hooks_only(code: Code) -> None:
    parameter = guard(code, "by_endpoint")
    route = judged(code, parameter, handler="private_view", endpoint_name="home", path="/")
    assert route.guards[0].role is GuardRole.AUTH


def test_the_facts_of_a_guard_cannot_be_changed_once_judged() -> None:
    # guardcode: ``@dataclass(frozen=True)``: one judgement is shared by every route the
    # guard guards (a memo), so no route may alter it for the others
    with pytest.raises(dataclasses.FrozenInstanceError):
        Exemption().paths = frozenset({"/x"})  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CodeFacts().denies = True  # type: ignore[misc]
