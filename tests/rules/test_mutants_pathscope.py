"""Which request paths an app-wide middleware or ``before_request`` hook guards, read from
its code (``static/pathscope.py``, issue 19).

Each case is a small app (fixtures ``rx_fa_mut_pathscope`` and ``rx_fl_mut_pathscope``)
with one hook that refuses anonymous callers and the same five routes; the auth class of
every route is asserted exactly: ``authenticated`` on the routes the hook's path test
says it refuses, ``none`` on the others. A test the reader cannot read in full (an order
comparison, a header, a helper with two answers) narrows nothing: the hook then counts as
guarding every route, as any hook without a path test does.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rules_helpers import FIXTURES, load_fixture, run_static

from pytest_apiposture.model import Auth
from pytest_apiposture.static.pathscope import PathTest

API = "GET /api/notes"
ADMIN = "GET /admin/users"
EXPORT = "GET /reports/export"
OTHER = "GET /other"
WRITE = "POST /other"
EVERY = frozenset({API, ADMIN, EXPORT, OTHER, WRITE})


def guarded(fixture: str, hook: str) -> frozenset[str]:
    """The routes the app with ``hook`` calls authenticated (every other one is ``none``)."""
    module = load_fixture(fixture)
    result = run_static(
        module.app_with(hook), root=FIXTURES, app_file=Path(module.__file__), rules=[]
    )
    auth = {r.key: r.auth for r in result.routes}
    assert set(auth) == EVERY
    assert set(auth.values()) <= {Auth.AUTHENTICATED, Auth.NONE}, auth
    return frozenset(k for k, v in auth.items() if v is Auth.AUTHENTICATED)


def fastapi(hook: str) -> frozenset[str]:
    return guarded("rx_fa_mut_pathscope", hook)


def flask(hook: str) -> frozenset[str]:
    return guarded("rx_fl_mut_pathscope", hook)


# -- an early pass-through: ``if not <path test>: <pass the request on>`` --------------
@pytest.mark.parametrize(
    ("hook", "routes"),
    [
        ("passes_other_paths", {API}),  # return await call_next(request)
        ("passes_after_reading_the_path", {API}),  # path = request.url.path, first
        ("passes_through_the_url", {API}),  # url = request.url; url.path
        ("passes_all_but_one", {ADMIN}),  # path != "/admin/users"
        ("passes_all_but_a_set", {ADMIN}),  # path not in PRIVATE_PATHS
        ("passes_a_stripped_path", {ADMIN}),  # request.url.path.rstrip("/") != ...
        ("refuses_under_a_helper", {ADMIN}),  # if not _is_private(request)
        ("refuses_under_a_class_helper", {ADMIN}),  # if not Paths.is_private(request)
        ("ApiOnly", {API}),  # pure ASGI: scope["path"], await self.app(...); return
    ],
)
def test_fastapi_a_pass_through_for_the_other_paths_guards_the_tested_ones(
    hook: str, routes: set[str]
) -> None:
    assert fastapi(hook) == routes


@pytest.mark.parametrize(
    "hook",
    [
        "passes_with_a_bare_return",  # return
        "passes_with_none",  # return None
        "passes_by_the_environ",  # request.environ["PATH_INFO"]
    ],
)
def test_flask_a_pass_through_for_the_other_paths_guards_the_tested_ones(hook: str) -> None:
    assert flask(hook) == {API}


@pytest.mark.parametrize(
    ("hook", "why"),
    [
        ("logs_the_other_paths", "its body passes nothing on, the refusal below runs"),
        ("answers_the_other_paths", "its body answers by itself: no route there runs"),
        ("passes_by_order", "an order comparison is no path test"),
        ("passes_unless_chained", "a chained comparison is no path test"),
        ("passes_a_query_parameter", 'query_params["path"] is not the request\'s path'),
        ("refuses_under_a_helper_with_two_answers", "a helper with two returns is not read"),
        ("refuses_under_a_built_matcher", "a matcher a call builds is not read"),
    ],
)
def test_fastapi_a_test_that_does_not_pass_the_other_paths_on_guards_them_all(
    hook: str, why: str
) -> None:
    assert fastapi(hook) == EVERY, why


def test_an_if_whose_body_refuses_as_well_is_no_pass_through() -> None:
    # ``if not path.startswith("/api/"): <refuse without a session>; <pass on>``: the
    # other paths are refused too, so the hook guards them
    assert fastapi("refuses_the_other_paths_too") >= EVERY - {API}


@pytest.mark.xfail(
    strict=True,
    reason="guardcode's exemption reading: an `if` whose body refuses lets the paths it does "
    "not test through, though a later statement refuses them (here /api/ without a token)",
)
def test_an_if_whose_body_refuses_as_well_leaves_the_tested_paths_to_the_next_refusal() -> None:
    assert fastapi("refuses_the_other_paths_too") == EVERY


@pytest.mark.parametrize(
    ("hook", "why"),
    [
        ("answers_the_other_paths", "a string returned from the hook is the response"),
        ("refuses_before_the_pass_through", "it refuses (abort) before it tests the path"),
    ],
)
def test_flask_a_test_that_does_not_pass_the_other_paths_on_guards_them_all(
    hook: str, why: str
) -> None:
    assert flask(hook) == EVERY, why


# -- refusals only under a path test: ``if <path test> and <no credential>: refuse`` ---
@pytest.mark.parametrize(
    ("hook", "routes"),
    [
        ("refuses_under_a_prefix", {ADMIN}),
        ("refuses_under_one_test_or_another", {ADMIN, EXPORT}),  # A or B: both
        ("refuses_under_a_prefix_with_a_closure", {ADMIN}),  # a nested def runs elsewhere
    ],
)
def test_fastapi_refusals_under_a_path_test_guard_those_paths(hook: str, routes: set[str]) -> None:
    assert fastapi(hook) == routes


def test_flask_refusals_under_a_path_test_guard_those_paths() -> None:
    assert flask("refuses_under_a_set") == {ADMIN}


@pytest.mark.parametrize(
    ("hook", "why"),
    [
        ("refuses_under_a_suffix", "endswith is no prefix test"),
        ("refuses_by_prefix_or_suffix", "one alternative is no path test: the whole is none"),
        ("refuses_outside_the_api", "`/admin/ or not /api/` refuses /other too"),
        ("refuses_under_a_setting_prefix", "a prefix no literal gives"),
        ("refuses_by_client_header", "a header's startswith is no path test"),
        ("refuses_by_client_header_or_default", "(header or '').startswith: neither"),
        ("refuses_by_an_empty_prefix_test", "startswith() without a prefix"),
        ("refuses_scoped_then_everywhere", "its second refusal is under no path test"),
        ("refuses_in_the_else_branch", "the else branch refuses every other path"),
    ],
)
def test_fastapi_a_refusal_outside_a_readable_path_test_guards_every_path(
    hook: str, why: str
) -> None:
    assert fastapi(hook) == EVERY, why


@pytest.mark.parametrize(
    ("hook", "why"),
    [
        ("refuses_all_but_one", "`path != '/about' and ...` refuses every other path"),
        ("refuses_writes_only", "a local bound to the method is no path"),
    ],
)
def test_flask_a_refusal_outside_a_readable_path_test_guards_every_path(
    hook: str, why: str
) -> None:
    assert flask(hook) == EVERY, why


def test_a_path_test_cannot_be_changed_once_read() -> None:
    # ``@dataclass(frozen=True)``: an Exemption's ``only`` is shared by every route the
    # hook guards (a memo), so no route may alter it for the others
    with pytest.raises(dataclasses.FrozenInstanceError):
        PathTest().paths = frozenset({"/x"})  # type: ignore[misc]
