"""Known vulnerabilities (APS001) and the packages that could not be checked (APS009).

A package is audited only when at least one exact version of it is known *and* the
advisory data covers it (the bundled table's package list, a full export, or a pip-audit
answer for that version). Every other package is reported as unaudited; none is ever
said to be free of advisories.

The versions audited are the ones the project ships: its ``==`` pins and lock entries.
The installed version is audited only for a package the project declares without an
exact version (a range, no lock): then it is the one version known. An installed
version that differs from a pin is the test environment's drift (APS007), not a
vulnerability of the project. Findings point at the project's own files (the
declaration, else the lock entry), never at an installed distribution's metadata.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ..model import Finding, Severity
from .advisories import AdvisoryTable
from .catalog import KnownVulnerableDependency, UnauditedDependency
from .checks import by_preference, display_file
from .records import Dependency, FileIssue, Source


@dataclass(frozen=True)
class Hit:
    """One advisory that affects one version, from the table or from pip-audit."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: Severity | None
    fixed: str | None
    url: str


@dataclass
class OnlineResults:
    checked: set[tuple[str, str]] = field(default_factory=set)  # (name, version)
    hits: dict[tuple[str, str], list[Hit]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # name -> pip-audit's reason


@dataclass
class VulnReport:
    findings: list[Finding]
    audited: list[str]
    unaudited: list[str]


def table_hits(table: AdvisoryTable, name: str, version: Version) -> list[Hit]:
    return [
        Hit(a.id, a.aliases, a.summary, a.severity, a.fixed_for(version), a.url)
        for a in table.for_package(name)
        if a.affects(version)
    ]


def vulnerability_findings(
    root: Path,
    deps: Iterable[Dependency],
    table: AdvisoryTable,
    strict: bool,
    online: OnlineResults | None = None,
    broken: Iterable[FileIssue] = (),
) -> VulnReport:
    online = online or OnlineResults()
    groups: dict[str, list[Dependency]] = {}
    for dep in by_preference(deps):
        if not dep.local:
            groups.setdefault(dep.name or dep.url or dep.text, []).append(dep)
    reasons: dict[str, tuple[str, list[Dependency]]] = {}
    report = VulnReport([], [], [])
    for label, entries in groups.items():
        reason = _audit_package(root, label, entries, table, online, report.findings)
        if reason is None:
            report.audited.append(label)
        else:
            reasons[label] = (reason, entries)
    for issue in broken:  # a package on a line that does not parse was not checked either
        name = issue.guessed_name
        if name and name not in groups and name not in reasons:
            stand_in = Dependency(name, Source.REQUIREMENTS, issue.file, issue.line, issue.text)
            reasons[name] = ("its requirement line does not parse", [stand_in])
    for label, (reason, entries) in sorted(reasons.items()):
        report.unaudited.append(label)
        report.findings.append(_unaudited(root, label, entries, reason, strict))
    report.audited.sort()
    return report


def _audit_package(
    root: Path,
    name: str,
    entries: list[Dependency],
    table: AdvisoryTable,
    online: OnlineResults,
    findings: list[Finding],
) -> str | None:
    """Append APS001 findings; return why the package could not be audited, or None."""
    shipped = [d for d in entries if d.version and d.source is not Source.INSTALLED]
    exact = shipped or [d for d in entries if d.version]
    if not exact:
        if entries[0].url and not entries[0].name:
            return "a URL requirement that names no package and no version"
        return "no exact version is known (not pinned with ==, not locked, not installed)"
    versions: dict[Version, Dependency] = {}
    for dep in exact:
        try:
            versions.setdefault(Version(dep.version or ""), dep)
        except InvalidVersion:
            continue
    if not versions:
        return f"its version {exact[0].version!r} is not a valid PEP 440 version"
    unchecked = [
        v for v in versions if not table.covers(name) and (name, str(v)) not in online.checked
    ]
    if unchecked:
        return f"the advisory data does not cover it ({table.description or 'no advisory data'})"
    # where the project says it: its declaration, else its lock entry
    anchor = next((d for d in entries if d.source.declares), None) or next(
        (d for d in entries if d.source is not Source.INSTALLED), None
    )
    for version, dep in sorted(versions.items()):
        hits = {h.id: h for h in table_hits(table, name, version)}
        for hit in online.hits.get((name, str(version)), []):
            if hit.id not in hits and not any(
                hit.id in h.aliases or h.id in hit.aliases for h in hits.values()
            ):
                hits[hit.id] = hit
        at = anchor if dep.source is Source.INSTALLED and anchor else dep
        for hit in sorted(hits.values(), key=lambda h: h.id):
            findings.append(_known_vulnerability(root, name, str(version), at, dep, hit))
    return None


def _known_vulnerability(
    root: Path, name: str, version: str, at: Dependency, origin: Dependency, hit: Hit
) -> Finding:
    evidence = at.text if at is origin else f"{at.text} (installed {version})"
    cves = [a for a in hit.aliases if a.startswith("CVE-")]
    ident = f"{hit.id} ({', '.join(cves)})" if cves else hit.id
    fix = (
        f"Upgrade {name} to {hit.fixed} or later ({name}>={hit.fixed}); {hit.url}"
        if hit.fixed
        else f"No fixed version is known for {hit.id}: replace {name} or mitigate; {hit.url}"
    )
    return KnownVulnerableDependency.at(
        subject=name,
        file=at.file,
        line=at.line,
        symbol=f"{name} {hit.id}",
        evidence=evidence,
        severity=hit.severity or Severity.HIGH,
        message=f"{name} {version} has a known vulnerability {ident}"
        + (f", fixed in {hit.fixed}" if hit.fixed else ", no fix released")
        + (f": {hit.summary}" if hit.summary else ""),
        remediation=fix,
    )


def _unaudited(
    root: Path, label: str, entries: list[Dependency], reason: str, strict: bool
) -> Finding:
    dep = entries[0]
    declared = any(d.source is not Source.INSTALLED for d in entries)
    severity = Severity.HIGH if strict else Severity.LOW if declared else Severity.INFO
    where = display_file(dep.file, root)
    # installed-only packages share one subject, so a venv of 100 packages is one item
    subject = (label if declared else "installed") if dep.name else where
    return UnauditedDependency.at(
        subject=subject,
        file=dep.file,
        line=dep.line,
        symbol=label,
        evidence=dep.text,
        severity=severity,
        message=f"{label} could not be audited for known vulnerabilities: {reason}",
        remediation=_remedy(reason),
    )


def _remedy(reason: str) -> str:
    if "does not parse" in reason:
        return "Fix the requirement line (see the APS008 finding) so it can be read and audited."
    if "does not cover" in reason:
        return (
            "Load a full advisory export (--apiposture-advisories=PATH, e.g. a PyPA advisory "
            "database checkout) or run the online audit (pip-audit); until then nothing is "
            "known about this package's vulnerabilities."
        )
    return (
        "Pin or lock it so its exact version is known (or install it in the test environment); "
        "until then nothing is known about its vulnerabilities."
    )
