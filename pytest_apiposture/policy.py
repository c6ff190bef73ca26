"""The fail policy, in one place: which findings fail the build.

Reports show every finding; this module alone decides which of them make
``pytest --apiposture`` / ``apiposture scan`` fail. Nothing else compares
severities against the threshold.
"""

from __future__ import annotations

from .model import Finding, Severity

DEFAULT_FAIL_ON = Severity.HIGH


def is_open(finding: Finding) -> bool:
    """Neither suppressed inline nor accepted in the baseline."""
    return not (finding.suppressed or finding.baselined)


def is_preview(finding: Finding) -> bool:
    return finding.status == "preview"


def fails_build(
    finding: Finding, *, fail_on: Severity = DEFAULT_FAIL_ON, include_preview: bool = False
) -> bool:
    """True when ``finding`` fails the build.

    Suppressed and baselined findings never fail. Preview (heuristic) rules fail only
    with ``include_preview``; stable rules and probe-confirmed findings fail when
    their severity reaches ``fail_on``.
    """
    if not is_open(finding):
        return False
    if is_preview(finding) and not include_preview:
        return False
    return finding.severity.rank >= fail_on.rank


def below_threshold(
    finding: Finding, *, fail_on: Severity = DEFAULT_FAIL_ON, include_preview: bool = False
) -> bool:
    """An open finding that is reported as a warning only (too low, or preview)."""
    return is_open(finding) and not fails_build(
        finding, fail_on=fail_on, include_preview=include_preview
    )
