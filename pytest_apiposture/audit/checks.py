"""Offline hygiene checks (APS002-APS008) over the records the readers produced."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import UndefinedEnvironmentName
from packaging.version import InvalidVersion, Version

from ..model import Finding, Severity
from .catalog import (
    DirectUrlDependency,
    ExtraIndexUrl,
    InstalledVersionMismatch,
    MissingRequirementHash,
    TyposquatName,
    UnparsableRequirement,
    UnpinnedRequirement,
)
from .project_kind import ProjectKind
from .records import SOURCE_PREFERENCE, Dependency, FileIssue, IssueKind, Scan
from .typosquat import PopularNames

_COMMIT = re.compile(r"[@#][0-9a-f]{40}\b")
_UPPER_BOUND_OPS = {"<", "<=", "==", "===", "~="}


@dataclass(frozen=True)
class Inputs:
    root: Path
    declared: Scan  # requirement files and pyproject
    locked: Scan
    installed: Scan
    kind: ProjectKind
    popular: PopularNames
    strict: bool = False


def display_file(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.name


def by_preference(deps: Iterable[Dependency]) -> list[Dependency]:
    return sorted(deps, key=lambda d: (SOURCE_PREFERENCE[d.source], str(d.file), d.line))


def hygiene_findings(inputs: Inputs) -> list[Finding]:
    findings: list[Finding] = []
    findings += _file_issues(inputs, [*inputs.declared.issues, *inputs.locked.issues])
    if inputs.kind.application:
        findings += _unpinned(inputs)
    findings += _missing_hashes(inputs)
    findings += _direct_urls(inputs)
    findings += _typosquats(inputs)
    findings += _mismatches(inputs)
    return findings


def _file_issues(inputs: Inputs, issues: list[FileIssue]) -> list[Finding]:
    out = []
    for issue in issues:
        rel = display_file(issue.file, inputs.root)
        where = f"{rel}:{issue.line}"
        if issue.kind is IssueKind.EXTRA_INDEX:
            out.append(
                ExtraIndexUrl.at(
                    subject=rel,
                    file=issue.file,
                    line=issue.line,
                    symbol=issue.message.removeprefix("extra index "),
                    evidence=issue.text,
                    message=f"{where} adds an extra package index: any package name can then be served from either index",
                    remediation="Use a single --index-url (a proxy that serves public and private packages), "
                    "or reserve your private names on the public index; uv's default index strategy also avoids this.",
                )
            )
        else:
            out.append(
                UnparsableRequirement.at(
                    subject=rel,
                    file=issue.file,
                    line=issue.line,
                    symbol=issue.text[:80],
                    evidence=issue.text,
                    message=f"{where}: {issue.message}; "
                    + (
                        "nothing on this line was audited"
                        if issue.text
                        else "no package in this file was audited"
                    ),
                    remediation="Fix the line so pip (or the tool that owns the file) accepts it; "
                    "see https://pip.pypa.io/en/stable/reference/requirements-file-format/",
                    # strict: a file we could not read hides unaudited packages, so it fails too
                    severity=Severity.HIGH if inputs.strict else None,
                )
            )
    return out


def _exact_names(inputs: Inputs) -> set[str]:
    return {d.name for d in [*inputs.declared.deps, *inputs.locked.deps] if d.exact}


def _installed_versions(inputs: Inputs) -> dict[str, str]:
    return {d.name: d.version for d in inputs.installed.deps if d.version}


def _unpinned(inputs: Inputs) -> list[Finding]:
    pinned = _exact_names(inputs)
    installed = _installed_versions(inputs)
    out = []
    for dep in inputs.declared.deps:
        if dep.exact or dep.url or dep.local or not dep.name or dep.name in pinned:
            continue
        specs = list(dep.specifier or [])
        if dep.specifier is None:
            what, severity = (
                "not pinned to one version (a constraint with alternatives)",
                Severity.MEDIUM,
            )
        elif not specs:
            what, severity = "unpinned (no version constraint)", Severity.MEDIUM
        elif not any(s.operator in _UPPER_BOUND_OPS for s in specs):
            what, severity = f"open-ended ({dep.specifier}: no upper bound)", Severity.MEDIUM
        else:
            what, severity = f"a range ({dep.specifier}), not one version", Severity.LOW
        pin = f"{dep.name}=={installed.get(dep.name, 'X.Y.Z')}"
        if dep.name in installed:
            pin += " (the installed version)"
        out.append(
            UnpinnedRequirement.at(
                subject=dep.name,
                file=dep.file,
                line=dep.line,
                symbol=dep.name,
                evidence=dep.text,
                severity=severity,
                message=f"{dep.name} is {what} in an application ({inputs.kind.reason})",
                remediation=f"Pin it ({pin}) or lock the dependencies (uv lock, poetry lock, pip-compile).",
            )
        )
    return out


def _missing_hashes(inputs: Inputs) -> list[Finding]:
    hashed = inputs.declared.hash_mode_files
    out = []
    for dep in inputs.declared.deps:
        if dep.file not in hashed or dep.hashes or (dep.local and not dep.editable):
            continue
        label = dep.name or dep.url or dep.text
        why = (
            "an editable requirement cannot be hash-checked" if dep.editable else "it has no --hash"
        )
        out.append(
            MissingRequirementHash.at(
                subject=label,
                file=dep.file,
                line=dep.line,
                symbol=label,
                evidence=dep.text,
                message=f"{label}: {display_file(dep.file, inputs.root)} uses hashes but {why}",
                remediation="Regenerate the file with hashes for every line (pip-compile --generate-hashes, "
                "uv pip compile --generate-hashes); install editable projects separately.",
            )
        )
    return out


def _direct_urls(inputs: Inputs) -> list[Finding]:
    out = []
    reported: set[str] = set()
    for dep in by_preference([*inputs.declared.deps, *inputs.locked.deps]):
        if not dep.url or dep.local:
            continue
        label = dep.name or dep.url
        if label in reported:
            continue
        reported.add(label)
        fixed = bool(_COMMIT.search(dep.url) or "sha256=" in dep.url or dep.hashes)
        kind = "VCS checkout" if "+" in dep.url.split("://")[0] else "URL"
        out.append(
            DirectUrlDependency.at(
                subject=label,
                file=dep.file,
                line=dep.line,
                symbol=label,
                evidence=dep.text,
                severity=Severity.LOW if fixed else Severity.MEDIUM,
                message=f"{label} is installed from a {kind} ({dep.url})"
                + ("" if fixed else ", not fixed to a commit or hash"),
                remediation=f"Depend on a released version from the index ({label}==X.Y.Z); "
                "if you must use a URL, fix it to a full commit hash or an archive with #sha256=.",
            )
        )
    return out


def _typosquats(inputs: Inputs) -> list[Finding]:
    out = []
    first: dict[str, Dependency] = {}
    # the project's names only: an installed distribution has no line in the project
    for dep in by_preference([*inputs.declared.deps, *inputs.locked.deps]):
        if dep.name and not dep.local:
            first.setdefault(dep.name, dep)
    for name, dep in first.items():
        target = inputs.popular.lookalike(name)
        if target is None:
            continue
        out.append(
            TyposquatName.at(
                subject=name,
                file=dep.file,
                line=dep.line,
                symbol=name,
                evidence=dep.text,
                message=f"{name} is one edit away from the popular package {target}",
                remediation=f"Check that you meant {name} and not {target}: read its project page and "
                "maintainers before installing; suppress this finding if the name is right.",
            )
        )
    return out


def _applies_here(dep: Dependency) -> bool:
    if dep.marker is None:
        return True
    try:
        return dep.marker.evaluate({"extra": ""})
    except UndefinedEnvironmentName:
        return True


def _mismatches(inputs: Inputs) -> list[Finding]:
    """APS007, by what the drift costs (the policy is documented on the check):

    - an ``==`` pin or a lock entry that differs from the installed version: low. The
      advisory check audits the pinned or locked version (what production installs); the
      drift only means the route checks and probes ran on another version.
    - an installed version outside a declared range: medium. The gate ran on a version
      the project does not allow, and that version is the only one the advisory check
      had to audit: what production resolves is unknown.
    """
    installed = _installed_versions(inputs)
    out = []
    for dep in inputs.declared.deps:
        have = installed.get(dep.name)
        if have is None or dep.url or not _applies_here(dep):
            continue
        wanted = dep.specifier
        if wanted is None or not str(wanted) or not _parses(have):
            continue
        if wanted.contains(have, prereleases=True):
            continue
        locked_too = dep.name in {d.name for d in inputs.locked.deps if d.exact}
        out.append(_mismatch(inputs, dep, have, str(wanted), pinned=dep.exact or locked_too))
    locked: dict[str, list[Dependency]] = {}
    for dep in inputs.locked.deps:
        if dep.version and dep.name in installed and _applies_here(dep):
            locked.setdefault(dep.name, []).append(dep)
    for name, entries in locked.items():
        if not any(_same_version(e.version or "", installed[name]) for e in entries):
            versions = " or ".join(sorted({e.version or "" for e in entries}))
            out.append(
                _mismatch(
                    inputs, entries[0], installed[name], f"=={versions} (locked)", pinned=True
                )
            )
    return out


def _parses(version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


PINNED_DRIFT = (
    "The advisory check audited the pinned or locked version (what production installs); "
    "the route checks and probes ran on the installed one. Reinstall from the declared "
    "versions (pip install -r ..., uv sync, poetry install --sync) so the gate tests what "
    "production runs, or update the pin."
)
RANGE_DRIFT = (
    "The installed version is outside what the project allows: the gate ran on a version "
    "production never installs, and it is the only version the advisory check could audit. "
    "Install a version inside the declared range, or pin or lock the dependency."
)


def _mismatch(inputs: Inputs, dep: Dependency, have: str, wanted: str, *, pinned: bool) -> Finding:
    where = f"{display_file(dep.file, inputs.root)}:{dep.line}"
    return InstalledVersionMismatch.at(
        subject=dep.name,
        file=dep.file,
        line=dep.line,
        symbol=dep.name,
        evidence=f"{dep.text} (installed {have})",
        severity=Severity.LOW if pinned else Severity.MEDIUM,
        message=f"{dep.name} {have} is installed but {where} asks for {dep.name}{wanted}",
        remediation=PINNED_DRIFT if pinned else RANGE_DRIFT,
    )
