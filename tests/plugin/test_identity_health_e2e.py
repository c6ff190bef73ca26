"""An identity that cannot get in fails ``apiposture-status`` once, saying which and why."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "probes" / "fixtures" / "px_lifetime_app.py"


def test_a_refused_identity_fails_the_status_item(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(px_lifetime_app=FIXTURE.read_text())
    result = pytester.runpytest_subprocess(
        "--apiposture",
        "--apiposture-app=px_lifetime_app:app",
        "--apiposture-identity=alice=Authorization: Bearer t-alice",
        "--apiposture-identity=mallory=Authorization: Bearer expired",
        "--apiposture-no-audit",
        "-p", "no:cacheprovider",
        "-rf",
    )  # fmt: skip
    failed = [line.split(" - ")[0] for line in result.outlines if line.startswith("FAILED ")]
    assert failed == [
        "FAILED px_lifetime_app.py::apiposture-status",
        "FAILED px_lifetime_app.py::GET /report",  # the planted flaw, confirmed all the same
    ]
    text = result.stdout.str()
    assert (
        "apiposture identities: identity 'mallory' got no 2xx from any route that refuses "
        'anonymous callers: GET /notes -> 401 \'{"detail":"Not authenticated"}\'. It sent '
        "Authorization." in text
    )
    assert "identity 'alice'" not in text
    result.assert_outcomes(failed=2, passed=4, skipped=3)
