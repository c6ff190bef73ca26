"""APS306 and APS401 decisions pinned for issue 19's surviving mutants: fixture lines that
must be flagged and twins that must not (marks asserted exactly, levels where stated)."""

from __future__ import annotations

import pytest
from rules_helpers import check_fixture

FIXTURES = (
    "rx_fa_mut19_config",
    "rx_fl_mut19_config",
    "rx_fa_mut19_limits",
    "rx_fl_mut19_limits",
)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_marks(name: str) -> None:
    result = check_fixture(name)
    # a rule that raises is noted and skipped by the pass: here that is a failure
    assert not [n for n in result.notes if "(a bug in the rule)" in n]


def test_aps306_names_the_key_a_whole_mapping_is_nested_under() -> None:
    result = check_fixture("rx_fa_mut19_config")
    messages = {f.path: f.message for f in result.findings if f.code == "APS306"}
    environment = "the process environment (`os.environ`)"
    assert messages["/config/constant-key"] == (
        f"GET /config/constant-key returns {environment} under `environment`"
    )
    # a key that is a name, not a literal: "..." (the name's value is not looked up)
    assert (
        messages["/config/named-key"] == f"GET /config/named-key returns {environment} under `...`"
    )
