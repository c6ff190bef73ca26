"""Rule decisions pinned for issue 19's second pass (APS101, APS301, APS302, APS303): each
with a line that must be flagged and one that must not (fixture marks asserted exactly)."""

from __future__ import annotations

import pytest
from rules_helpers import check_fixture

FIXTURES = (
    "rx_fa_mut19_bola",
    "rx_fl_mut19_bola",
)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_marks(name: str) -> None:
    result = check_fixture(name)
    # a rule that raises is noted and skipped by the pass: here that is a failure
    assert not [n for n in result.notes if "(a bug in the rule)" in n]
