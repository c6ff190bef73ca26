"""The apiposture section of a pytest run: a summary a person reads first.

Each failing finding is printed once, by its item, in FAILURES. This section counts:
what failed (its numbers are pytest's), by severity and code, the worst endpoints, what
the probes could not tell and why, what was accepted, and where the reports went. It
reflects the items that ran (``-k``, ``-x``, ``--lf``), not the whole analysis.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..model import Finding
from ..verdict import Judge, Verdict, is_open
from .common import SEVERITIES, finding_file
from .terminal import PLAIN, SEVERITY_MARKUP, Line, first_line, plural

if TYPE_CHECKING:
    from ..plugin.session import RunRecord

WORST = 5  # endpoints listed by how bad they are
RED, GREEN, YELLOW = {"red": True, "bold": True}, {"green": True, "bold": True}, {"yellow": True}


def subject(finding: Finding) -> str:
    """The item a finding belongs to: its route, its subject (``deps/x``) or ``project``."""
    return finding.route_key or finding.path or "project"


def ran(verdict: Verdict, record: RunRecord) -> list[Finding]:
    """The verdict's findings of the items that ran."""
    return [f for f in verdict.posture.findings if subject(f) in record.results]


def late_findings(verdict: Verdict, record: RunRecord) -> list[Finding]:
    """Failing findings of items that ran which no item failed with: seen after their
    endpoint's item had run (another probe's response exposed the route's data)."""
    raised = record.raised()
    failing = {f.fingerprint() for f in verdict.failing}
    return [
        f
        for f in ran(verdict, record)
        if f.fingerprint() in failing and f.fingerprint() not in raised
    ]


BLIND_AT_LEAST = 3  # inconclusive probes below which "most" says nothing


def mostly_blind(record: RunRecord) -> tuple[int, int] | None:
    """(inconclusive, run) when more than half of the probes that ran could not tell.

    A gate whose probes mostly saw nothing proves nothing: the run fails with a line
    saying so (a failure no item raised, like a late finding), rather than pass green.
    """
    run = sum(r.probed for r in record.results.values())
    blind = sum(len(r.inconclusive) for r in record.results.values())
    return (blind, run) if too_blind(blind, run) else None


def too_blind(blind: int, run: int) -> bool:
    """More than half of ``run`` probes inconclusive (and at least ``BLIND_AT_LEAST``)."""
    return blind >= BLIND_AT_LEAST and blind * 2 > run


def blind_line(blind: int, run: int) -> str:
    return (
        f"FAILED: {blind} of {run} probes could not tell: the probes are mostly blind and "
        "prove nothing; fix the causes above (identities, a test database with data, "
        "probe_methods) or run with --apiposture-static-only"
    )


def section_lines(verdict: Verdict, record: RunRecord, judge: Judge, *, verbose: int) -> list[Line]:
    posture = verdict.posture
    findings = ran(verdict, record)
    failing = [f for f in findings if judge.fails(f)]
    below = [f for f in findings if is_open(f) and not judge.fails(f)]
    accepted = [f for f in findings if not is_open(f)]
    lines: list[Line] = []
    if posture.error:
        lines.append((f"apiposture: ERROR {posture.error}", RED))
    status = f"apiposture: {plural(len(record.results), 'item')} checked, {record.failed} failed"
    if failing:
        status += f" with {plural(len(failing), 'finding')} at or above {judge.fail_on.value}"
        status += f" ({_by_severity(failing)})"
    lines.append((status, RED if record.failed or failing or posture.error else GREEN))
    if verbose >= 0 and failing:
        codes = Counter(f.code for f in failing)
        lines.append(
            ("  by code: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items())), PLAIN)
        )
        lines.extend(_worst(failing))
    if below:
        lines.append(
            (f"  not failing: {plural(len(below), 'finding')} below the threshold or preview "
             f"({_by_severity(below)}); in the reports, listed here with -v", PLAIN)
        )  # fmt: skip
        if verbose > 0:
            lines.extend(_listed(below, posture.root))
    if accepted:
        suppressed = sum(1 for f in accepted if f.suppressed)
        lines.append(
            (
                f"  accepted: {suppressed} suppressed inline, {len(accepted) - suppressed} baselined",
                PLAIN,
            )
        )
    if verdict.fixed:
        lines.append(
            (f"  fixed: {plural(len(verdict.fixed), 'baselined finding')} no longer found; "
             "refresh the baseline with --apiposture-update-baseline", {"green": True})
        )  # fmt: skip
    lines.extend(_inconclusive(record, verbose))
    if (counts := mostly_blind(record)) is not None:
        lines.append(("  " + blind_line(*counts), RED))
    for result in record.results.values():
        for address in result.blocked:
            lines.append(
                (f"  blocked: while probing {result.key} the app tried to connect to {address}; "
                 "probes never leave this machine", YELLOW)
            )  # fmt: skip
    late = late_findings(verdict, record)
    if late:
        lines.append(
            (
                f"  {plural(len(late), 'finding')} seen after its endpoint was checked fail the run:",
                RED,
            )
        )
        lines.extend(_listed(late, posture.root, fix=True))
    for note in posture.notes:
        lines.append((f"  note: {note}", YELLOW))
    lines.extend((text, PLAIN) for text in record.written)
    return lines


def _by_severity(findings: Iterable[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    return ", ".join(f"{counts[s]} {s.value}" for s in SEVERITIES if counts[s])


def _worst(failing: Sequence[Finding]) -> list[Line]:
    by_subject: dict[str, list[Finding]] = {}
    for finding in failing:
        by_subject.setdefault(subject(finding), []).append(finding)

    def badness(key: str) -> tuple[int, ...]:
        counts = Counter(f.severity for f in by_subject[key])
        return tuple(-counts[s] for s in SEVERITIES)

    ranked = sorted(by_subject, key=lambda k: (badness(k), k))
    lines: list[Line] = [("  worst endpoints:", PLAIN)]
    for key in ranked[:WORST]:
        worst = min((f.severity for f in by_subject[key]), key=SEVERITIES.index)
        lines.append((f"    {key}: {_by_severity(by_subject[key])}", SEVERITY_MARKUP[worst]))
    if len(ranked) > WORST:
        lines.append((f"    … and {len(ranked) - WORST} more", PLAIN))
    return lines


def _listed(findings: Sequence[Finding], root: str, *, fix: bool = False) -> list[Line]:
    lines: list[Line] = []
    for finding in sorted(
        findings, key=lambda f: (SEVERITIES.index(f.severity), subject(f), f.code)
    ):
        place = finding_file(finding, root)
        where = f"{place}:{finding.location.line}" if place and finding.location else "-"
        lines.append(
            (f"    {finding.code} {finding.severity.value} {subject(finding)} {where}  "
             f"{first_line(finding.message)}", PLAIN)
        )  # fmt: skip
        if fix and finding.remediation:
            lines.append((f"      fix: {first_line(finding.remediation)}", {"green": True}))
    return lines


_REASONS = (
    ("the app answered 5xx or raised", re.compile(r"-> 5\d\d|raised|\b5\d\d\b")),
    ("timed out", re.compile(r"timed out")),
    ("no JSON to scan", re.compile(r"not JSON")),
    ("every request refused (401/403)", re.compile(r"^[^;]*(-> 40[13][,)]|-> 40[13]$)")),
    ("no object to probe", re.compile(r"no (object|id|record|listing|instance)", re.I)),
    ("refused the synthesised request (4xx)", re.compile(r"-> 4\d\d|\b4(00|22)\b")),
)


def reason_class(why: str) -> str:
    """A short class for an inconclusive probe's reason, for counting."""
    return next((name for name, pattern in _REASONS if pattern.search(why)), "other")


def _inconclusive(record: RunRecord, verbose: int) -> list[Line]:
    entries = [(r.key, code, why) for r in record.results.values() for code, why in r.inconclusive]
    if not entries:
        return []
    classes = Counter(reason_class(why) for _, _, why in entries)
    text = ", ".join(f"{n} {name}" for name, n in classes.most_common())
    lines: list[Line] = [
        (f"  inconclusive: {plural(len(entries), 'probe')} could not tell ({text})", YELLOW)
    ]
    if verbose > 0:
        lines.extend((f"    {key} {code}: {first_line(why)}", PLAIN) for key, code, why in entries)
    return lines


__all__ = [
    "blind_line",
    "late_findings",
    "mostly_blind",
    "reason_class",
    "section_lines",
    "subject",
    "too_blind",
]
