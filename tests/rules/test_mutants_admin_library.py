"""APS501 on routes whose handler the static pass cannot read (issue 19): an admin route
served by a library function still needs a role guard; having one is enough."""

from __future__ import annotations

from rules_helpers import FIXTURES, load_fixture, run_static

from pytest_apiposture.model import Route
from pytest_apiposture.rules.aps501_admin_without_role import looks_administrative


def test_a_library_handler_behind_login_alone_is_reported_and_the_rule_does_not_fail() -> None:
    module = load_fixture("rx_fa_mut501_library")
    result = run_static(module.app, root=FIXTURES, app_file=module.__file__)
    assert not [n for n in result.notes if "(a bug in the rule)" in n]
    assert sorted((f.path, f.severity.value) for f in result.findings if f.code == "APS501") == [
        ("/admin/capwords", "high")
    ]


def test_a_path_looks_administrative_whatever_the_case_folding() -> None:
    # a dotless i (U+0131) folds to "i" for the regex though "adm\u0131n" holds no "admin":
    # non-ASCII text is left to the regex
    assert looks_administrative(Route("GET", "/adm\u0131n/stats", "fastapi", "a:stats"))
    assert not looks_administrative(Route("GET", "/adm\u0131nistrators-guide", "fastapi", "a:g"))
    # a path holding every admin word is administrative too
    every = "/admin/internal/manage/staff/superuser/ops/debug"
    assert looks_administrative(Route("GET", every, "fastapi", "a:x"))
