"""APS701's decisions (and lambda handlers for APS402), issue 19: the fixture's marks, and
the message of a call in the handler itself."""

from __future__ import annotations

import pytest
from rules_helpers import FIXTURES, check_fixture


@pytest.mark.parametrize("name", ["rx_fa_mut701", "rx_fa_mut402"])
def test_fixture_marks(name: str) -> None:
    result = check_fixture(name)
    # a rule that raises is noted and skipped by the pass: here that is a failure
    assert not [n for n in result.notes if "(a bug in the rule)" in n]


def test_a_call_in_the_handler_is_named_by_its_line() -> None:
    result = check_fixture("rx_fa_mut701")
    (message,) = [f.message for f in result.findings if f.route_key == "GET /fetch/assigned"]
    source = (FIXTURES / "rx_fa_mut701.py").read_text().splitlines()
    call = source.index("    return httpx.get(target, timeout=5).text") + 1
    assert message == (
        "GET /fetch/assigned sends an HTTP request to a URL the caller controls (`target`)"
        f" (line {call})"
    )
