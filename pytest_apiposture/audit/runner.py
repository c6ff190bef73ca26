"""``run_audit``: read every source under the root, run the checks, say what was not checked."""

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


@dataclass(frozen=True)
class AuditSettings:
    root: Path
    advisories_path: Path | None = None  # a full OSV/PyPA export (directory or zip)
    strict: bool = False  # unaudited packages (APS009) become high severity
    online: bool = False  # also ask pip-audit, when it is installed
    include_installed: bool = True  # audit the running environment's distributions
    application: bool | None = None  # force the project kind; None: detect (project_kind.py)
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
    if settings.include_installed:
        paths = settings.installed_paths
        installed = read_installed([str(p) for p in paths] if paths is not None else None)
    _drop_own_project(pyproject, declared, locked, installed)
    return _Sources(
        declared, locked, installed, pyproject, bool(requirement_files), bool(lock_files)
    )


def run_audit(settings: AuditSettings) -> AuditResult:
    root = settings.root.resolve()
    src = _read_sources(settings, root)
    kind = detect_project_kind(
        src.pyproject, src.has_lock, src.has_requirements, settings.application
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
    sources = [*src.declared.files, *src.locked.files]
    if not sources and not src.installed.deps:
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


def _drop_own_project(pyproject: dict[str, Any], *scans: Scan) -> None:
    """The audited project is not its own dependency (it is often installed editable)."""
    tables = (pyproject.get("project"), (pyproject.get("tool") or {}).get("poetry"))
    names = {
        canonicalize_name(t["name"])
        for t in tables
        if isinstance(t, dict) and isinstance(t.get("name"), str)
    }
    for scan in scans:
        scan.deps = [d for d in scan.deps if d.name not in names]
