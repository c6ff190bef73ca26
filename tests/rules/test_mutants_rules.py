"""Rule fixtures written for issue 19's surviving mutants: each rule decision with a line
that must be flagged and one that must not (marks asserted exactly, as everywhere)."""

from __future__ import annotations

import ast

import pytest
from rules_helpers import check_fixture

FIXTURES = (
    "rx_fa_mut_bola",
    "rx_fa_mut_secrets",
    "rx_fl_mut_bola",
    "rx_fa_mut_outbound",
    "rx_fl_mut_debug",
    "rx_fa_mut_admin",
)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_marks(name: str) -> None:
    result = check_fixture(name)
    # a rule that raises is noted and skipped by the pass: here that is a failure
    assert not [n for n in result.notes if "(a bug in the rule)" in n]


def test_an_aps101_message_quotes_the_lookup_whole_up_to_60_characters() -> None:
    from pytest_apiposture.rules.aps101_bola import _short

    assert _short(ast.parse("x" * 60, mode="eval").body) == "x" * 60
    assert _short(ast.parse("y" * 61, mode="eval").body) == "y" * 57 + "..."


def test_aps202_names_the_optional_guards_only() -> None:
    result = check_fixture("rx_fa_mut_bola")
    messages = sorted(f.message for f in result.findings if f.code == "APS202")
    assert messages == [
        "GET /drafts/{draft_id} is guarded only by optional authentication"
        " (rx_fa_mut_bola.maybe_user)",
        "GET /drafts/{draft_id}/history is guarded only by optional authentication"
        " (rx_fa_mut_bola.maybe_user)",
    ]


def test_aps801_and_aps402_messages_quote_the_code_short() -> None:
    from pytest_apiposture.rules.aps402_outbound_timeout import _short as call_text
    from pytest_apiposture.rules.aps801_debug_mode import _shown

    def expression(text: str) -> ast.expr:
        return ast.parse(text, mode="eval").body

    # a call that switches debug on shows only its debug argument
    assert _shown(expression("app.run(host='0.0.0.0', debug=True)")) == "app.run(debug=True)"
    assert _shown(expression("app.run(DEBUG=True)")) == "app.run(debug=True)"
    assert _shown(expression("app.run(**options)")) == "app.run(**options)"
    sixty_nine = "x = " + "y" * 65
    seventy = "x = " + "y" * 66
    assert _shown(ast.parse(sixty_nine).body[0]) == sixty_nine
    assert _shown(ast.parse(seventy).body[0]) == seventy[:67] + "..."
    call = "requests.get(" + "u" * 46 + ")"  # 60 characters
    assert call_text(expression(call)) == call  # type: ignore[arg-type]
    longer = "requests.get(" + "u" * 47 + ")"
    assert call_text(expression(longer)) == longer[:57] + "..."  # type: ignore[arg-type]


def test_aps501_says_when_a_route_grants_a_role_rather_than_looks_administrative() -> None:
    result = check_fixture("rx_fa_mut_admin")
    messages = {f.path: f.message for f in result.findings if f.code == "APS501"}
    assert messages == {
        "/admin/stats": "GET /admin/stats looks administrative but only checks that the caller"
        " is logged in",
        "/users/{user_id}": "PUT /users/{user_id} writes `role` from the request body and"
        " checks no role: any logged-in caller can grant a role",
        "/admin/users/{user_id}": "PUT /admin/users/{user_id} looks administrative but only"
        " checks that the caller is logged in",
    }
