"""The JSON report: stable, versioned, read by other tools.

The shape is DESIGN.md's "JSON report" and is pinned by ``data/report.schema.json``.
Every finding is listed (preview, baselined and suppressed ones included, each
marked); the fail policy decides what fails the build, not what is reported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import Finding, GuardRole, Posture, Route
from .common import (
    count_by_severity,
    finding_file,
    finding_line,
    open_findings,
    rel_file,
    sort_findings,
    sort_routes,
)

REPORT_VERSION = 1
TOOL_NAME = "pytest-apiposture"


class ReportError(Exception):
    """A report file that cannot be read; the message is one line and says what to do."""


def endpoint_dict(route: Route, root: str) -> dict[str, Any]:
    return {
        "method": route.method,
        "path": route.path,
        "handler": route.handler,
        "file": rel_file(route.location.file, root) if route.location else None,
        "line": route.location.line if route.location else None,
        # db sessions and pagination helpers are dependencies, not guards
        "guards": [g.name for g in route.guards if g.role is not GuardRole.OTHER],
        "auth": str(route.auth),
        "auth_reason": route.auth_reason,
        "in_schema": route.in_schema,
        "origin": list(route.origin),
    }


def finding_dict(finding: Finding, root: str) -> dict[str, Any]:
    data = _finding_fields(finding, root)
    if finding.repro:  # probe findings: curl (credentials as $VARS) and the pytest rerun
        data["repro"] = finding.repro
    return data


def _finding_fields(finding: Finding, root: str) -> dict[str, Any]:
    return {
        "code": finding.code,
        "kind": str(finding.kind),
        "owasp": finding.owasp,
        "severity": str(finding.severity),
        "confidence": str(finding.confidence),
        "status": finding.status,
        "method": finding.method,
        "path": finding.path,
        "file": finding_file(finding, root),
        "line": finding_line(finding),
        "symbol": finding.location.symbol if finding.location else "",
        "message": finding.message,
        "remediation": finding.remediation,
        "evidence": finding.evidence,
        "cwe": finding.cwe,
        "fingerprint": finding.fingerprint(root),
        "baselined": finding.baselined,
        "suppressed": finding.suppressed,
    }


def build_report(
    posture: Posture, *, tool_version: str, fixed: Sequence[str] = ()
) -> dict[str, Any]:
    """The report as a dict; ``fixed`` are baselined fingerprints no longer found."""
    root = posture.root
    findings = sort_findings(posture.findings)
    still_open = open_findings(findings)
    summary = {
        "endpoints": len(posture.routes),
        "findings": len(findings),
        "open": len(still_open),
        "by_severity": count_by_severity(still_open),
        "by_kind": dict(sorted(Counter(str(f.kind) for f in still_open).items())),
        "suppressed": sum(1 for f in findings if f.suppressed),
        "baselined": sum(1 for f in findings if f.baselined),
        "fixed": len(set(fixed)),
    }
    return {
        "version": REPORT_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "app": posture.app,
        "framework": posture.framework,
        "error": posture.error,
        "endpoints": [endpoint_dict(r, root) for r in sort_routes(posture.routes)],
        "findings": [finding_dict(f, root) for f in findings],
        "notes": list(posture.notes),
        "summary": summary,
    }


def dumps(data: dict[str, Any]) -> str:
    """Stable text: the builder's key order, indent 2, trailing newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_report(
    path: Path, posture: Posture, *, tool_version: str, fixed: Sequence[str] = ()
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    report = build_report(posture, tool_version=tool_version, fixed=fixed)
    path.write_text(dumps(report), encoding="utf-8")


def read_report(path: Path) -> dict[str, Any]:
    """Load a JSON report written by this tool (any run), checking only what diffs need."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: no such report; write one with --apiposture-json") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read the report ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}); regenerate the report"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ReportError(f"{path}: not an apiposture JSON report (no 'findings' list)")
    if data.get("version") != REPORT_VERSION:
        raise ReportError(
            f"{path}: report version {data.get('version')!r} is not {REPORT_VERSION}; "
            "regenerate it with this version of pytest-apiposture"
        )
    for index, item in enumerate(data["findings"]):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise ReportError(f"{path}: finding #{index} has no 'fingerprint'; regenerate it")
    return data
