"""What every report agrees on: ordering, relative paths, counts.

One place, so the terminal, JSON, SARIF and HTML reports list findings in the same
order and print the same file paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Finding, Kind, Posture, Route, Severity, relative_path
from ..verdict import is_open

SEVERITIES: tuple[Severity, ...] = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)


def rel_file(file: str, root: str) -> str:
    """A report path: relative to ``root`` where possible, always ``/`` separators."""
    return relative_path(file, root).replace("\\", "/")


def finding_file(finding: Finding, root: str) -> str | None:
    return rel_file(finding.location.file, root) if finding.location else None


def finding_line(finding: Finding) -> int | None:
    return finding.location.line if finding.location else None


def finding_sort_key(finding: Finding) -> tuple[int, str, str, str, str, int, str]:
    """Worst first, then path, method, code; file, line and message break ties."""
    return (
        -finding.severity.rank,
        finding.path,
        finding.method,
        finding.code,
        finding.location.file if finding.location else "",
        finding.location.line if finding.location else 0,
        finding.message,
    )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)


def route_sort_key(route: Route) -> tuple[str, str, str]:
    return (route.path, route.method, route.handler)


def sort_routes(routes: Iterable[Route]) -> list[Route]:
    return sorted(routes, key=route_sort_key)


def count_by_severity(findings: Sequence[Finding]) -> dict[str, int]:
    """Every severity present as a key (zero included), so the shape never changes."""
    counts = {str(s): 0 for s in SEVERITIES}
    for finding in findings:
        counts[str(finding.severity)] += 1
    return counts


def open_findings(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if is_open(f)]


# app-wide kinds: a column for them only when a finding ties one to a route
APP_WIDE_KINDS = frozenset({Kind.DEPENDENCY, Kind.MISCONFIGURATION})


def route_level_codes(posture: Posture) -> list[str]:
    """Checks that look at routes: the columns of the endpoints x checks tables.
    Any code that flagged a route counts too (a hook may add codes the catalogue lacks)."""
    codes = {c for c, info in posture.checks.items() if info.kind not in APP_WIDE_KINDS}
    codes |= {f.code for f in posture.findings if f.method}
    return sorted(codes)


def route_findings(route: Route, findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if (f.method, f.path) == (route.method, route.path)]
