"""The terminal summary: what failed, where, and how to fix it.

Returns ``(text, markup)`` pairs so the caller writes them with pytest's
``TerminalWriter`` (``terminalreporter.write_line(text, **markup)``) or prints the
text alone; nothing here writes to a stream.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..model import Confidence, Finding, Kind, Posture, Route, Severity
from ..verdict import below_threshold, fails_build, is_open
from .common import (
    SEVERITIES,
    finding_file,
    route_findings,
    route_level_codes,
    sort_findings,
    sort_routes,
)

Line = tuple[str, dict[str, bool]]

PLAIN: dict[str, bool] = {}
SEVERITY_MARKUP: dict[Severity, dict[str, bool]] = {
    Severity.CRITICAL: {"red": True, "bold": True},
    Severity.HIGH: {"red": True, "bold": True},
    Severity.MEDIUM: {"yellow": True, "bold": True},
    Severity.LOW: {"cyan": True, "bold": True},
    Severity.INFO: {"bold": True},
}
CELL_MARK: dict[Severity, str] = {
    Severity.CRITICAL: "C",
    Severity.HIGH: "H",
    Severity.MEDIUM: "M",
    Severity.LOW: "L",
    Severity.INFO: "i",
}
APP_WIDE = "(application-wide)"


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def finding_lines(finding: Finding, root: str) -> list[Line]:
    place = finding_file(finding, root)
    where = f"{place}:{finding.location.line}" if place and finding.location else "-"
    tags = ["preview"] if finding.status == "preview" else []
    if finding.confidence is Confidence.CONFIRMED:
        # probes confirm by a request; the audit by a version inside an advisory range
        tags.append("confirmed" if finding.kind is Kind.DEPENDENCY else "confirmed by probe")
    if finding.suppressed:
        tags.append("suppressed")
    if finding.baselined:
        tags.append("baselined")
    suffix = f"  [{', '.join(tags)}]" if tags else ""
    lines: list[Line] = [
        (f"      {finding.code} {where}  {first_line(finding.message)}{suffix}", PLAIN)
    ]
    if finding.remediation:
        lines.append((f"        fix: {first_line(finding.remediation)}", {"green": True}))
    return lines


def fold_repeated(findings: Sequence[Finding]) -> dict[int, list[Finding]]:
    """Application-wide findings of one code with the same fix (every unaudited package,
    say): id of the first -> the whole group, for the groups of two or more."""
    groups: dict[tuple[str, Severity, str], list[Finding]] = {}
    for finding in sort_findings(findings):
        if not finding.method and finding.remediation:
            key = (finding.code, finding.severity, finding.remediation)
            groups.setdefault(key, []).append(finding)
    return {id(group[0]): group for group in groups.values() if len(group) > 1}


def folded_lines(group: list[Finding], root: str) -> list[Line]:
    first = group[0]
    files = {finding_file(f, root) for f in group}
    place = files.pop() if len(files) == 1 and None not in files else None
    names = ", ".join(
        (f.location.symbol or f.path) + (f" (line {f.location.line})" if place else "")
        if f.location
        else f.path
        for f in group
    )
    return [
        (
            f"      {first.code} {place or '-'}  {len(group)} findings with the same fix: "
            f"{names} (one by one with -v)",
            PLAIN,
        ),
        (f"        fix: {first_line(first.remediation)}", {"green": True}),
    ]


def grouped(
    findings: Sequence[Finding], root: str, folded: dict[int, list[Finding]] | None = None
) -> list[Line]:
    """Findings by severity (worst first), then by endpoint; ``folded`` groups one line each."""
    folded = folded or {}
    hidden = {id(f) for group in folded.values() for f in group[1:]}
    findings = [f for f in findings if id(f) not in hidden]
    lines: list[Line] = []
    for severity in SEVERITIES:
        of_severity = [f for f in findings if f.severity is severity]
        if not of_severity:
            continue
        lines.append((f"  {severity.value.upper()}", SEVERITY_MARKUP[severity]))
        endpoint = None
        for finding in sort_findings(of_severity):
            key = APP_WIDE if id(finding) in folded else finding.route_key.strip() or APP_WIDE
            if key != endpoint:
                lines.append((f"    {key}", {"bold": True}))
                endpoint = key
            if id(finding) in folded:
                lines.extend(folded_lines(folded[id(finding)], root))
            else:
                lines.extend(finding_lines(finding, root))
    return lines


def cell(route: Route, code: str, findings: Sequence[Finding]) -> str:
    hits = [f for f in route_findings(route, findings) if f.code == code]
    if not hits:
        return "."
    open_hits = [f for f in hits if is_open(f)]
    if not open_hits:
        return "s" if any(f.suppressed for f in hits) else "b"
    return CELL_MARK[max(open_hits, key=lambda f: f.severity.rank).severity]


def endpoint_table(posture: Posture) -> list[Line]:
    codes = route_level_codes(posture)
    routes = sort_routes(posture.routes)
    if not routes:
        return []
    width = max(len(r.key) for r in routes)
    auth_width = max(len(str(r.auth)) for r in routes)
    # codes share the "APS" prefix: the header shows the three digits
    head = f"  {'endpoint':<{width}}  {'auth':<{auth_width}} " + "".join(
        f" {c[3:]:>3}" for c in codes
    )
    lines: list[Line] = [("endpoints x checks (APS codes)", {"bold": True}), (head, {"bold": True})]
    for route in routes:
        cells = "".join(f" {cell(route, c, posture.findings):>3}" for c in codes)
        lines.append((f"  {route.key:<{width}}  {route.auth!s:<{auth_width}} {cells}", PLAIN))
    lines.append(
        ("  . clean  C/H/M/L/i open finding by severity  s suppressed  b baselined", PLAIN)
    )
    return lines


def summary_lines(
    posture: Posture,
    *,
    fail_on: Severity,
    include_preview: bool,
    verbose: int,
    fixed: Sequence[str] = (),
) -> list[Line]:
    """The apiposture section of the terminal summary."""
    root = posture.root
    lines: list[Line] = []
    if posture.error:
        lines.append((f"apiposture: ERROR {posture.error}", {"red": True, "bold": True}))
    failing = [
        f
        for f in posture.findings
        if fails_build(f, fail_on=fail_on, include_preview=include_preview)
    ]
    warnings = [
        f
        for f in posture.findings
        if below_threshold(f, fail_on=fail_on, include_preview=include_preview)
    ]
    suppressed = [f for f in posture.findings if f.suppressed]
    baselined = [f for f in posture.findings if f.baselined]
    accepted = [f for f in posture.findings if not is_open(f)]
    if failing:
        title = f"{plural(len(failing), 'finding')} at or above {fail_on.value} fail the build"
        lines.append((title, {"red": True, "bold": True}))
        lines.extend(grouped(failing, root))
    if warnings:
        why = "below the threshold" + ("" if include_preview else " or preview")
        lines.append(
            (
                f"{plural(len(warnings), 'warning')} ({why}; not failing)",
                {"yellow": True, "bold": True},
            )
        )
        # info findings (an unaudited venv package, say) are one line a code unless -v
        shown = (
            warnings if verbose > 0 else [f for f in warnings if f.severity is not Severity.INFO]
        )
        lines.extend(grouped(shown, root, fold_repeated(shown) if verbose <= 0 else None))
        folded = Counter(f.code for f in warnings if f not in shown)
        for code, count in sorted(folded.items()):
            lines.append((f"  INFO {code}: {plural(count, 'finding')} (shown with -v)", PLAIN))
    if verbose > 0 and accepted:
        lines.append(("accepted (suppressed inline or baselined)", {"bold": True}))
        lines.extend(grouped(accepted, root))
    if accepted:
        lines.append(
            (f"suppressed: {len(suppressed)} (inline ignore)  baselined: {len(baselined)}", PLAIN)
        )
    if fixed:
        lines.append(
            (
                f"fixed: {plural(len(fixed), 'baselined finding')} no longer found; "
                "refresh the baseline with --apiposture-update-baseline",
                {"green": True},
            )
        )
        if verbose > 0:
            lines.extend((f"  {fingerprint}", PLAIN) for fingerprint in sorted(fixed))
    for note in posture.notes:
        lines.append((f"note: {note}", {"yellow": True}))
    if verbose > 0:
        lines.extend(endpoint_table(posture))
    # info findings are not something to fix: counted apart from the warnings
    infos = sum(f.severity is Severity.INFO for f in warnings)
    status = (
        f"apiposture: {plural(len(posture.routes), 'endpoint')}, {len(failing)} failing, "
        f"{plural(len(warnings) - infos, 'warning')}"
        + (f", {infos} info" if infos else "")
        + f", {len(suppressed)} suppressed, "
        f"{len(baselined)} baselined (fail-on={fail_on.value}"
        + (", preview included)" if include_preview else ")")
    )
    bad = failing or posture.error
    lines.append((status, {"red": True, "bold": True} if bad else {"green": True, "bold": True}))
    return lines
