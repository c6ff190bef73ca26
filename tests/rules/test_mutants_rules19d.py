"""APS802 and APS803 decisions pinned for issue 19's surviving mutants: fixture lines that
must be flagged and twins that must not (marks asserted exactly, levels where stated)."""

from __future__ import annotations

import pytest
from rules_helpers import check_fixture

from pytest_apiposture.knowledge import DEFAULT_KNOWLEDGE
from pytest_apiposture.rules.aps803_jwt_unverified import JwtUnverified
from pytest_apiposture.static.syntax import filter_text

FIXTURES = (
    "rx_fa_mut19_jwt",
    "rx_fl_mut19_jwt",
    "rx_fa_mut19_cors",
    "rx_fl_mut19_cors",
)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_marks(name: str) -> None:
    result = check_fixture(name)
    # a rule that raises is noted and skipped by the pass: here that is a failure (a decode
    # in a lambda, a decode whose token is passed by keyword or not at all, a bare
    # ``urlopen``, a middleware class passed by keyword must each be judged, not crash)
    assert not [n for n in result.notes if "(a bug in the rule)" in n]


@pytest.mark.parametrize(
    ("source", "fires"),
    [
        ("import jwt\nclaims = jwt.decode(token, options=OPTIONS)", True),
        ("from jose.jwt import decode\nclaims = decode(token, KEY)", True),
        # a module that only mints tokens is not parsed for APS803
        ("import jwt\ntoken = jwt.encode(claims, KEY)", False),
        ("payload = json.loads(body.decode())", False),
    ],
)
def test_aps803_parses_only_files_that_name_a_jwt_and_a_decode(source: str, fires: bool) -> None:
    lowered = filter_text(source.encode())
    assert lowered is not None
    assert JwtUnverified().may_fire(lowered, DEFAULT_KNOWLEDGE) is fires
