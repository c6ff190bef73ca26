"""The cheap "may this code deny?" pre-test answers exactly as the regex it replaces."""

from __future__ import annotations

import pytest

from pytest_apiposture.guardcode import _MAY_DENY, _may_deny


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 1", False),
        ("RAISE HTTPException", True),
        ("return {'error': 401}", True),
        ("status = 403", True),
        ("Unauthorised", True),
        ("UNAUTHORIZED", True),
        ("forbiddeN", True),
        ("return Redirect(url)", True),
        ("abor t; 40 3", False),
        ("rai\u017fe", True),  # long s folds to s under re.IGNORECASE: the regex path decides
        ("nothing here ü", False),
        ("über abort", True),
    ],
)
def test_may_deny_matches_the_regex(text: str, expected: bool) -> None:
    assert _may_deny(text) is expected
    assert bool(_MAY_DENY.search(text)) is expected
