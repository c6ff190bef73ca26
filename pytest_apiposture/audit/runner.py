"""``run_audit``: read the project's dependency sources, run the checks, say what was not checked.

The audit covers the project: what its requirement files and ``pyproject.toml`` declare
and what its lock files (its own, or its workspace root's: ``workspace.py``) pin,
transitive entries included. The installed distributions only tell the versions of
those packages (and whether the test environment drifted from them: APS007); a package
that is installed but neither declared nor locked (pip, setuptools, this plugin and its
own dependencies, test tools the project does not declare) belongs to the environment
and is counted in one note, not audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from ..model import Finding
from .advisories import AdvisoryTable, load_bundled, load_export
from .checks import Inputs, hygiene_findings
from .installed import read_installed
from .lockfiles import is_lock_file, read_lock
from .pip_audit import run_pip_audit
from .project_kind import detect_project_kind
from .pyproject import read_pyproject
from .records import Dependency, FileIssue, Scan
from .requirements_txt import read_requirements
from .typosquat import load_popular
from .vulns import OnlineResults, vulnerability_findings
from .workspace import workspace_locks


@dataclass(frozen=True)
class AuditSettings:
    root: Path
    advisories_path: Path | None = None  # a full OSV/PyPA export (directory or zip)
    strict: bool = False  # unaudited packages (APS009) become high severity
    online: bool = False  # also ask pip-audit, when it is installed
    include_installed: bool = True  # read installed versions of the project's packages
    application: bool | None = None  # force the project kind; None: detect (project_kind.py)
    application_reason: str | None = None  # why, for the notes ("set by configuration")
    installed_paths: tuple[Path, ...] | None = (
        None  # where to look for distributions; None: sys.path
    )


@dataclass
class AuditResult:
    findings: list[Finding]
    audited: list[str]  # canonical package names checked against advisory data
    unaudited: list[str]  # names (or URLs) that could not be checked
    sources: list[Path]  # files read
    notes: list[str] = field(default_factory=list)


def discover_requirement_files(root: Path) -> list[Path]:
    found = sorted(root.glob("requirements*.txt")) + sorted((root / "requirements").glob("*.txt"))
    return [p for p in found if p.is_file()]


@dataclass
class _Sources:
    declared: Scan  # requirement files and pyproject.toml
    locked: Scan
    installed: Scan
    pyproject: dict[str, Any]
    has_requirements: bool
    has_lock: bool
    environment_only: list[str] = field(default_factory=list)  # installed, not the project's

    @property
    def deps(self) -> list[Dependency]:
        return [*self.declared.deps, *self.locked.deps, *self.installed.deps]

    @property
    def issues(self) -> list[FileIssue]:
        return [*self.declared.issues, *self.locked.issues]


def _read_sources(settings: AuditSettings, root: Path) -> _Sources:
    declared, locked, installed = Scan(), Scan(), Scan()
    seen: set[Path] = set()  # each requirement file once, however often it is included
    requirement_files = discover_requirement_files(root)
    for path in requirement_files:
        declared.extend(read_requirements(path, seen))
    pyproject: dict[str, Any] = {}
    if (root / "pyproject.toml").is_file():
        scan, pyproject = read_pyproject(root / "pyproject.toml")
        declared.extend(scan)
    lock_files = (
        sorted(p for p in root.iterdir() if p.is_file() and is_lock_file(p))
        if root.is_dir()
        else []
    )
    for path in lock_files:
        locked.extend(read_lock(path))
    for lock in workspace_locks(root, _project_name(pyproject)):
        scan = read_lock(lock.path)
        if lock.closure is not None:
            scan.deps = [d for d in scan.deps if d.name in lock.closure]
        locked.extend(scan)
    if settings.include_installed:
        paths = settings.installed_paths
        installed = read_installed([str(p) for p in paths] if paths is not None else None)
    _drop_own_project(pyproject, declared, locked, installed)
    # installed distributions give versions of the project's packages, nothing more
    project = {d.name for d in [*declared.deps, *locked.deps] if d.name}
    environment_only = sorted({d.name for d in installed.deps} - project)
    installed.deps = [d for d in installed.deps if d.name in project]
    return _Sources(
        declared,
        locked,
        installed,
        pyproject,
        bool(requirement_files),
        bool(locked.files),
        environment_only,
    )


def run_audit(settings: AuditSettings) -> AuditResult:
    root = settings.root.resolve()
    src = _read_sources(settings, root)
    kind = detect_project_kind(
        src.pyproject,
        src.has_lock,
        src.has_requirements,
        settings.application,
        settings.application_reason,
    )
    names = {d.name for d in src.deps if d.name} | {
        i.guessed_name for i in src.issues if i.guessed_name
    }
    table, notes = _advisory_table(settings.advisories_path, names)
    inputs = Inputs(
        root, src.declared, src.locked, src.installed, kind, load_popular(), settings.strict
    )
    findings = hygiene_findings(inputs)
    online: OnlineResults | None = None
    if settings.online:
        online, online_notes = run_pip_audit(
            (d.name, d.version) for d in src.deps if d.name and d.version and not d.local
        )
        notes += online_notes
    report = vulnerability_findings(root, src.deps, table, settings.strict, online, src.issues)
    findings += report.findings
    findings.sort(key=_finding_order)

    notes[:0] = [
        f"advisory data as of {table.as_of} ({table.description}); "
        "advisories published after that date are not known to this audit",
        f"project kind: {kind.label} ({kind.reason})",
    ]
    notes += src.declared.notes + src.locked.notes + src.installed.notes
    local = sorted(
        {d.url or d.name or d.text for d in [*src.declared.deps, *src.locked.deps] if d.local}
    )
    if local:
        notes.append(
            f"local path dependencies are first-party code and not audited: {', '.join(local)}"
        )
    if report.unaudited:
        shown = ", ".join(report.unaudited[:10]) + (", ..." if len(report.unaudited) > 10 else "")
        notes.append(f"{len(report.unaudited)} package(s) could not be audited (APS009): {shown}")
    if src.environment_only:
        shown = ", ".join(src.environment_only[:5])
        more = ", ..." if len(src.environment_only) > 5 else ""
        notes.append(
            f"{len(src.environment_only)} installed package(s) are not declared or locked by "
            f"the project and were not audited (the environment's, this plugin's and test "
            f"tools' own: {shown}{more})"
        )
    sources = [*src.declared.files, *src.locked.files]
    if not sources:
        notes.append(f"no dependency files found under {root}")
    return AuditResult(findings, report.audited, report.unaudited, sources, notes)


def _finding_order(f: Finding) -> tuple[str, str, str, int]:
    return (
        f.code,
        f.path,
        f.location.file if f.location else "",
        f.location.line if f.location else 0,
    )


def _advisory_table(path: Path | None, names: set[str]) -> tuple[AdvisoryTable, list[str]]:
    bundled, _source = load_bundled()
    if path is None:
        return bundled, []
    try:
        export, notes = load_export(path, wanted=names)
    except FileNotFoundError:
        return bundled, [
            f"advisory export {path} does not exist; only the bundled table is used "
            "(pass a directory of OSV YAML/JSON files)"
        ]
    return bundled.merged_with(export), notes


def _own_names(pyproject: dict[str, Any]) -> set[str]:
    tables = (pyproject.get("project"), (pyproject.get("tool") or {}).get("poetry"))
    return {
        canonicalize_name(t["name"])
        for t in tables
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    }


def _project_name(pyproject: dict[str, Any]) -> str:
    return min(_own_names(pyproject), default="")


def _drop_own_project(pyproject: dict[str, Any], *scans: Scan) -> None:
    """The audited project is not its own dependency (it is often installed editable)."""
    names = _own_names(pyproject)
    for scan in scans:
        scan.deps = [d for d in scan.deps if d.name not in names]
