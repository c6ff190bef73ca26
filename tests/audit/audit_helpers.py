"""Helpers for the dependency-audit tests: reduce findings to comparable keys
(code, path, file relative to the project, line)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pytest_apiposture.audit import AuditResult
from pytest_apiposture.model import Finding

FIXTURES = Path(__file__).parent / "fixtures"

Key = tuple[str, str, str, int]
# the audit_fixture fixture: run the audit on tests/audit/fixtures/<name>
AuditFixture = Callable[..., tuple[AuditResult, Path]]


def finding_keys(findings: Iterable[Finding], root: Path, codes: Iterable[str] = ()) -> set[Key]:
    wanted = set(codes)
    keys = set()
    for f in findings:
        if wanted and f.code not in wanted:
            continue
        assert f.location is not None, f
        file = Path(f.location.file)
        rel = (
            file.relative_to(root.resolve()).as_posix()
            if file.is_relative_to(root.resolve())
            else file.name
        )
        keys.add((f.code, f.path, rel, f.location.line))
    return keys


def advisory_keys(findings: Iterable[Finding]) -> set[tuple[str, str, str]]:
    """(package path, advisory id, fixed version) of every APS001 finding."""
    out = set()
    for f in findings:
        if f.code != "APS001":
            continue
        assert f.location is not None
        advisory_id = f.location.symbol.split(" ", 1)[1]
        fixed = (
            f.remediation.split(" to ", 1)[1].split(" ", 1)[0]
            if " to " in f.remediation
            else "none"
        )
        out.add((f.path, advisory_id, fixed))
    return out
