"""The fail policy: threshold, preview, suppressed and baselined findings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pytest_apiposture.model import Confidence, Finding, Kind, Severity
from pytest_apiposture.verdict import below_threshold, fails_build

BASE = Finding(
    "APS201",
    Kind.MISSING_AUTH,
    "API2:2023",
    Severity.HIGH,
    Confidence.LIKELY,
    "route has no authenticating guard",
    "add auth",
    "GET",
    "/orders",
)


@pytest.mark.parametrize(
    ("changes", "fail_on", "include_preview", "fails"),
    [
        ({}, Severity.HIGH, False, True),
        ({"severity": Severity.CRITICAL}, Severity.HIGH, False, True),
        ({"severity": Severity.MEDIUM}, Severity.HIGH, False, False),
        ({"severity": Severity.MEDIUM}, Severity.MEDIUM, False, True),
        ({"severity": Severity.INFO}, Severity.INFO, False, True),
        ({}, Severity.CRITICAL, False, False),
        ({"status": "preview"}, Severity.HIGH, False, False),
        ({"status": "preview"}, Severity.HIGH, True, True),
        ({"status": "preview", "severity": Severity.LOW}, Severity.HIGH, True, False),
        ({"suppressed": True}, Severity.INFO, True, False),
        ({"baselined": True}, Severity.INFO, True, False),
        ({"code": "APS251", "confidence": Confidence.CONFIRMED}, Severity.HIGH, False, True),
        ({"confidence": Confidence.POSSIBLE}, Severity.HIGH, False, True),
    ],
)
def test_fails_build(
    changes: dict[str, object], fail_on: Severity, include_preview: bool, fails: bool
) -> None:
    finding = replace(BASE, **changes)
    assert fails_build(finding, fail_on=fail_on, include_preview=include_preview) is fails
    open_ = not (finding.suppressed or finding.baselined)
    assert below_threshold(finding, fail_on=fail_on, include_preview=include_preview) is (
        open_ and not fails
    )


def test_default_threshold_is_high() -> None:
    assert fails_build(BASE) is True
    assert fails_build(replace(BASE, severity=Severity.MEDIUM)) is False
